// cogito serve on a real pretrained model trained by others (tinystories-656k from
// ../shared/data/models, converted by cogito convert), driven by the real openai and ollama
// clients: what the server returns must be what the library itself generates on that model, whose
// logits and greedy output test/convert pins to the model's float64 reference.
import Ajv from 'ajv';
import * as path from 'node:path';
import OpenAI from 'openai';
import { Ollama } from 'ollama';
import { convertModel } from '../../src/convert';
import { loadModel, type Model } from '../../src/engine';
import { tempDir } from '../support/engine';
import { startServer, type RunningServer } from '../support/serve';
import { tinyStories656k } from '../support/shared-models';

const quiet = { onWarning: () => undefined };
const PROMPT = 'Once upon a time, there was a little dog named';

let modelPath: string;
let s: RunningServer;
let openai: OpenAI;
let model: Model;

beforeAll(async () => {
  modelPath = path.join(tempDir(), 'tinystories-656k.gguf');
  await convertModel({ input: tinyStories656k, output: modelPath });
  // no chat template in its tokenizer_config: chat routes ask it through ChatML by override
  s = await startServer({ modelPath, sidecarPath: null, parallel: 2, contextSize: 512, chatTemplate: 'chatml', ...quiet });
  openai = new OpenAI({ baseURL: `${s.url}/v1`, apiKey: 'not-needed', maxRetries: 0 });
  model = await loadModel(modelPath);
});
afterAll(async () => {
  await s?.close();
  await model?.dispose();
});

async function libraryCompletion(prompt: string | number[], maxTokens: number) {
  const ctx = await model.createContext({ contextSize: 512, ...quiet });
  try {
    return await ctx.complete(prompt, { maxTokens });
  } finally {
    await ctx.dispose();
  }
}

test('lists the converted model under its file name', async () => {
  const list = await openai.models.list();
  expect(list.data.map((m) => m.id)).toEqual(['tinystories-656k']);
  const tags = await s.ollama.list();
  expect(tags.models.map((m) => m.name)).toContain('tinystories-656k:latest');
});

test('a completion is the library\'s own greedy story, streamed or not, through both APIs', async () => {
  const expected = await libraryCompletion(PROMPT, 32);
  expect(expected.text.length).toBeGreaterThan(20);
  const r = await openai.completions.create({ model: 'tinystories-656k', prompt: PROMPT, max_tokens: 32, temperature: 0, logprobs: 3 });
  expect(r.choices[0].text).toBe(expected.text);
  expect(r.usage!.completion_tokens).toBe(expected.tokens.length);
  // the logprob tokens concatenate to the text, and carry the library's logprobs
  const lp = r.choices[0].logprobs!;
  expect(lp.tokens!.join('')).toBe(r.choices[0].text);
  lp.token_logprobs!.forEach((v, i) => expect(v).toBeCloseTo(expected.tokens[i].logprob, 4));
  for (const top of lp.top_logprobs!) expect(Object.keys(top).length).toBeGreaterThanOrEqual(1);

  let streamed = '';
  for await (const chunk of await openai.completions.create({ model: 'tinystories-656k', prompt: PROMPT, max_tokens: 32, temperature: 0, stream: true })) streamed += chunk.choices[0]?.text ?? '';
  expect(streamed).toBe(expected.text);

  const g = await s.ollama.generate({ model: 'tinystories-656k', prompt: PROMPT, raw: true, options: { num_predict: 32, temperature: 0 } });
  expect(g.response).toBe(expected.text);
  expect(g.eval_count).toBe(expected.tokens.length);
});

test('JSON Schema output validates where the vocabulary can write it, and a clear 422 where it cannot', async () => {
  // a JSON string: '"' is in the vocabulary
  const schema = { type: 'string', maxLength: 24 };
  const r = await openai.chat.completions.create({ model: 'tinystories-656k', messages: [{ role: 'user', content: 'Name the dog.' }], max_tokens: 40, response_format: { type: 'json_schema', json_schema: { name: 'name', schema, strict: true } } });
  expect(r.choices[0].finish_reason).toBe('stop');
  expect(new Ajv().validate(schema, JSON.parse(r.choices[0].message.content!))).toBe(true);
  const o = await s.ollama.generate({ model: 'tinystories-656k', prompt: PROMPT, format: schema, options: { num_predict: 40 } });
  expect(new Ajv().validate(schema, JSON.parse(o.response ?? ''))).toBe(true);
  // an object needs '{', which this 2,048-token vocabulary has no token (and no byte fallback) for
  const object = await openai.chat.completions.create({ model: 'tinystories-656k', messages: [{ role: 'user', content: 'Name the dog.' }], response_format: { type: 'json_object' } }).catch((e: unknown) => e);
  expect(object).toBeInstanceOf(OpenAI.UnprocessableEntityError);
  expect((object as Error).message).toMatch(/vocabulary/);
  const viaOllama = await s.ollama.generate({ model: 'tinystories-656k', prompt: PROMPT, format: { type: 'object' } }).catch((e: unknown) => e);
  expect(viaOllama).toMatchObject({ status_code: 422 });
});

test('chat through the ChatML override, and embeddings equal to the library\'s', async () => {
  const chat = await new Ollama({ host: s.url }).chat({ model: 'tinystories-656k', messages: [{ role: 'user', content: 'Tell me a story.' }], options: { num_predict: 12 } });
  expect(chat.message.role).toBe('assistant');
  expect(chat.eval_count).toBeGreaterThan(0);
  const e = await openai.embeddings.create({ model: 'tinystories-656k', input: ['a little dog', 'the big tree'], encoding_format: 'float' });
  const own = await model.embedBatch(['a little dog', 'the big tree'], { normalize: true });
  expect(e.data).toHaveLength(2);
  e.data.forEach((d, i) => d.embedding.forEach((v, j) => expect(v).toBeCloseTo(own[i][j], 5)));
});
