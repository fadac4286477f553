// cogito serve's Ollama API, driven by the real `ollama` npm client against a real server on
// loopback serving the default model with its sidecar.
import Ajv from 'ajv';
import type { ChatResponse, GenerateResponse } from 'ollama';
import { loadModel, type Model } from '../../src/engine';
import type { CogitoSignal } from '../../src/serve';
import { defaultModel, defaultSidecar, post, startServer, type RunningServer } from '../support/serve';

const KNOWN = 'Question: What country is Tuten from?\nAnswer:';
// the sidecar's probes doubt the base on this one (its held-out answer is "miller"): it refuses
const DOUBTED = 'Question: What work does Stes do?\nAnswer:';

/** The generated text (the client types it optional). */
const text = (r: GenerateResponse): string => r.response ?? '';

type WithCogito<T> = T & { cogito?: CogitoSignal };

let s: RunningServer;
let model: Model;
beforeAll(async () => {
  s = await startServer({ sidecarPath: defaultSidecar, parallel: 2, contextSize: 256, onWarning: () => undefined });
  model = await loadModel(defaultModel);
});
afterAll(async () => {
  await s?.close();
  await model?.dispose();
});

function expectFinalCounts(r: GenerateResponse | ChatResponse): void {
  expect(r.done).toBe(true);
  expect(r.prompt_eval_count).toBe(model.tokenize(KNOWN).length);
  for (const field of ['total_duration', 'prompt_eval_duration', 'eval_duration'] as const) {
    expect(Number.isInteger(r[field]) && r[field] >= 0).toBe(true);
  }
  expect(r.load_duration).toBe(0);
  expect(r.total_duration).toBeGreaterThanOrEqual(r.prompt_eval_duration + r.eval_duration);
}

test('version, list, show and ps describe the one model served', async () => {
  expect((await s.ollama.version()).version).toMatch(/^\d+\.\d+\.\d+$/);
  const { models } = await s.ollama.list();
  expect(models).toHaveLength(1);
  expect(models[0]).toMatchObject({ name: 'default:latest', model: 'default:latest', size: model.info.fileSize, digest: model.info.fingerprint });
  expect(models[0].details).toMatchObject({ format: 'gguf', family: 'llama', quantization_level: 'Q8_0' });
  const show = await s.ollama.show({ model: 'default:latest' });
  expect(show.details.family).toBe('llama');
  expect((show.model_info as unknown as Record<string, unknown>)['llama.block_count']).toBe(model.info.layerCount);
  expect(show.capabilities).toEqual(['completion', 'embedding']);
  const ps = await s.ollama.ps();
  expect(ps.models[0]).toMatchObject({ name: 'default:latest', size_vram: 0 });
  await expect(s.ollama.show({ model: 'other' })).rejects.toMatchObject({ status_code: 404, error: 'model "other" not found: this server serves "default"' });
});

test('generate, not streamed: the base answer, the counts, and the sidecar trusting it', async () => {
  const r = (await s.ollama.generate({ model: 'default', prompt: KNOWN, stream: false })) as WithCogito<GenerateResponse>;
  expect(r.response).toBe(' Uten');
  expect(r.done_reason).toBe('stop');
  expectFinalCounts(r);
  expect(r.eval_count).toBeGreaterThan(0);
  expect(r.cogito).toMatchObject({ refused: false });
  expect(r.cogito!.confidence).toBeGreaterThan(r.cogito!.threshold);
  expect(r.cogito!.confidences.map((c) => c.layer)).toEqual([2, 3]);
  // the same text the library generates on its own
  const ctx = await model.createContext({ contextSize: 256, onWarning: () => undefined });
  try {
    expect((await ctx.complete(KNOWN, { maxTokens: 256 })).text).toBe(r.response);
  } finally {
    await ctx.dispose();
  }
});

test('generate, streamed: the chunks add up to the same answer, and the last carries the counts and the signal', async () => {
  const chunks: WithCogito<GenerateResponse>[] = [];
  for await (const part of await s.ollama.generate({ model: 'default', prompt: KNOWN, stream: true })) chunks.push(part);
  const last = chunks[chunks.length - 1];
  expect(chunks.slice(0, -1).every((c) => !c.done)).toBe(true);
  expect(chunks.map((c) => c.response).join('')).toBe(' Uten');
  expectFinalCounts(last);
  expect(last.done_reason).toBe('stop');
  expect(last.cogito?.refused).toBe(false);
});

test('a doubted question is answered with the refusal text: done_reason "stop", cogito.refused, nothing generated', async () => {
  const r = (await s.ollama.generate({ model: 'default', prompt: DOUBTED, stream: false })) as WithCogito<GenerateResponse>;
  expect(r.response).toBe("I don't know.");
  expect(r.done_reason).toBe('stop');
  expect(r.eval_count).toBe(0);
  expect(r.cogito!.refused).toBe(true);
  expect(r.cogito!.confidence).toBeLessThan(r.cogito!.threshold);
  const streamed: string[] = [];
  for await (const part of await s.ollama.generate({ model: 'default', prompt: DOUBTED, stream: true })) streamed.push(text(part));
  expect(streamed.join('')).toBe("I don't know.");
});

test('chat renders the conversation in the format the default model was trained on, streamed and not', async () => {
  const messages = [{ role: 'user', content: 'What country is Tuten from?' }];
  const r = (await s.ollama.chat({ model: 'default', messages, stream: false })) as WithCogito<ChatResponse>;
  expect(r.message).toEqual({ role: 'assistant', content: ' Uten' });
  expectFinalCounts(r);
  expect(r.cogito?.refused).toBe(false);
  const parts: ChatResponse[] = [];
  for await (const part of await s.ollama.chat({ model: 'default', messages, stream: true })) parts.push(part);
  expect(parts.map((p) => p.message.content).join('')).toBe(' Uten');
  expect(parts.every((p) => p.message.role === 'assistant')).toBe(true);
  expect(parts[parts.length - 1]).toMatchObject({ done: true, done_reason: 'stop', eval_count: r.eval_count });
});

test('logprobs: one per generated token, concatenating to the answer, with the top alternatives asked for', async () => {
  const r = await s.ollama.generate({ model: 'default', prompt: KNOWN, stream: false, logprobs: true, top_logprobs: 3 });
  expect(r.logprobs!.length).toBe(r.eval_count);
  expect(r.logprobs!.map((l) => l.token).join('')).toBe(r.response);
  for (const l of r.logprobs!) {
    expect(l.logprob).toBeLessThanOrEqual(0);
    // the three most likely tokens, best first; greedy decoding chose the first
    expect(l.top_logprobs).toHaveLength(3);
    const top = l.top_logprobs!;
    expect(top[0]).toEqual({ token: l.token, logprob: l.logprob });
    expect(top[0].logprob).toBeGreaterThanOrEqual(top[1].logprob);
    expect(top[1].logprob).toBeGreaterThanOrEqual(top[2].logprob);
  }
  const streamed: string[] = [];
  for await (const part of await s.ollama.generate({ model: 'default', prompt: KNOWN, logprobs: true, stream: true })) for (const l of part.logprobs ?? []) streamed.push(l.token);
  expect(streamed.join('')).toBe(r.response);
  // without asking, none
  expect((await s.ollama.generate({ model: 'default', prompt: KNOWN, stream: false })).logprobs).toBeUndefined();
});

test('options: num_predict cuts the answer ("length"), a stop string ends it before the stop, a seed repeats a sample', async () => {
  // an answer of many tokens: JSON forced by a schema
  const format = { type: 'object', properties: { capital: { type: 'string', maxLength: 12 } }, required: ['capital'], additionalProperties: false };
  const question = 'Question: Name the capital city of Ethovin.\nAnswer:';
  const full = await s.ollama.generate({ model: 'default', prompt: question, stream: false, format });
  expect(full.done_reason).toBe('stop');
  expect(full.eval_count).toBeGreaterThan(5);
  const cut = await s.ollama.generate({ model: 'default', prompt: question, stream: false, format, options: { num_predict: 5, temperature: 0 } });
  expect(cut).toMatchObject({ done_reason: 'length', eval_count: 5 });
  expect(text(full).startsWith(text(cut))).toBe(true);
  const stopped = await s.ollama.generate({ model: 'default', prompt: question, stream: false, format, options: { stop: ['capital'] } });
  expect(stopped.done_reason).toBe('stop');
  expect(text(full).indexOf('capital')).toBeGreaterThan(0);
  expect(stopped.response).toBe(text(full).slice(0, text(full).indexOf('capital')));
  const sampled = () => s.ollama.generate({ model: 'default', prompt: question, stream: false, options: { num_predict: 8, temperature: 1.5, top_k: 50, top_p: 0.95, min_p: 0.01, seed: 42, repeat_penalty: 1.1 } });
  expect((await sampled()).response).toBe((await sampled()).response);
});

test('a stop string that begins inside a token: the text before it is sent, streamed or not, and the logprobs still spell it', async () => {
  // " Ridilia" is one token of this vocabulary: the stop "ili" cuts it
  const question = 'Question: Name the capital city of Ethovin.\nAnswer:';
  const whole = await s.ollama.generate({ model: 'default', prompt: question, stream: false });
  expect(whole).toMatchObject({ response: ' Ridilia', eval_count: 1 });
  const cut = await s.ollama.generate({ model: 'default', prompt: question, stream: false, logprobs: true, options: { stop: ['ili'] } });
  expect(cut).toMatchObject({ response: ' Rid', done_reason: 'stop', eval_count: 1 });
  expect(cut.logprobs!.map((l) => l.token).join('')).toBe(' Rid');
  const chunks: GenerateResponse[] = [];
  for await (const part of await s.ollama.generate({ model: 'default', prompt: question, stream: true, logprobs: true, options: { stop: ['ili'] } })) chunks.push(part);
  expect(chunks.map(text).join('')).toBe(' Rid');
  expect(chunks.flatMap((c) => c.logprobs ?? []).map((l) => l.token).join('')).toBe(' Rid');
});

test('format: a JSON Schema is obeyed (checked with ajv), and "json" gives JSON', async () => {
  const schema = { type: 'object', properties: { answer: { type: 'string', enum: ['yes', 'no'] } }, required: ['answer'], additionalProperties: false };
  const r = (await s.ollama.generate({ model: 'default', prompt: KNOWN, stream: false, format: schema })) as WithCogito<GenerateResponse>;
  expect(r.done_reason).toBe('stop');
  const validate = new Ajv().compile(schema);
  const value: unknown = JSON.parse(text(r));
  expect({ value, valid: validate(value), errors: validate.errors }).toEqual({ value, valid: true, errors: null });
  const chat = await s.ollama.chat({ model: 'default', messages: [{ role: 'user', content: 'What country is Tuten from?' }], stream: false, format: schema });
  expect(validate(JSON.parse(chat.message.content))).toBe(true);
  const json = await s.ollama.generate({ model: 'default', prompt: KNOWN, stream: false, format: { type: 'object', properties: { country: { type: 'string', maxLength: 12 } }, required: ['country'] } });
  expect(json.done_reason).toBe('stop');
  expect(typeof (JSON.parse(text(json)) as { country: unknown }).country).toBe('string');
  // constrained output must parse: the doubted question keeps its signal but is not replaced by the refusal text
  const doubted = (await s.ollama.generate({ model: 'default', prompt: DOUBTED, stream: false, format: schema })) as WithCogito<GenerateResponse>;
  expect(validate(JSON.parse(text(doubted)))).toBe(true);
  expect(doubted.cogito!.confidence).toBeLessThan(doubted.cogito!.threshold);
  expect(doubted.cogito!.refused).toBe(false);
});

test('embed and the legacy embeddings equal the library\'s model.embed', async () => {
  const texts = ['Tuten plays the harp.', 'Descartes'];
  const r = await s.ollama.embed({ model: 'default', input: texts });
  expect(r.embeddings).toHaveLength(2);
  expect(r.prompt_eval_count).toBe(texts.reduce((n, t) => n + model.tokenize(t).length, 0));
  for (const [i, text] of texts.entries()) {
    const expected = Array.from(await model.embed(text, { normalize: true }));
    expect(r.embeddings[i]).toHaveLength(model.info.embeddingSize);
    r.embeddings[i].forEach((v, k) => expect(v).toBeCloseTo(expected[k], 6));
  }
  const single = await s.ollama.embed({ model: 'default', input: texts[0] });
  expect(single.embeddings).toEqual([r.embeddings[0]]);
  const legacy = await s.ollama.embeddings({ model: 'default', prompt: texts[1] });
  const raw = Array.from(await model.embed(texts[1]));
  legacy.embedding.forEach((v, k) => expect(v).toBeCloseTo(raw[k], 6));
  expect(Math.hypot(...r.embeddings[1])).toBeCloseTo(1, 5);
});

test('an unknown model is a 404 in Ollama\'s error shape, on every model route', async () => {
  const calls = [
    () => s.ollama.generate({ model: 'llama3', prompt: 'hi', stream: false }),
    () => s.ollama.chat({ model: 'llama3', messages: [{ role: 'user', content: 'hi' }], stream: false }),
    () => s.ollama.embed({ model: 'llama3', input: 'hi' }),
  ];
  for (const call of calls) {
    const err = await call().catch((e: unknown) => e);
    // the client's ResponseError (not exported by the package): the status and the server's message
    expect((err as Error).name).toBe('ResponseError');
    expect(err).toMatchObject({ status_code: 404, error: 'model "llama3" not found: this server serves "default"' });
  }
});

test('the root answers GET and HEAD; a body posted as a form (curl -d) is read as JSON; an empty prompt or no messages only "load"', async () => {
  const root = await fetch(`${s.url}/`);
  expect({ status: root.status, text: await root.text() }).toEqual({ status: 200, text: 'cogito is running (Ollama-compatible API)' });
  expect((await fetch(`${s.url}/`, { method: 'HEAD' })).status).toBe(200);
  const form = await post(`${s.url}/api/generate`, JSON.stringify({ model: 'default', prompt: KNOWN, stream: false }), { headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  expect(form).toMatchObject({ status: 200, body: { response: ' Uten', done: true } });
  expect(await s.ollama.generate({ model: 'default', prompt: '', stream: false })).toMatchObject({ response: '', done: true, done_reason: 'load' });
  expect(await s.ollama.chat({ model: 'default', messages: [], stream: false })).toMatchObject({ message: { role: 'assistant', content: '' }, done: true, done_reason: 'load' });
});
