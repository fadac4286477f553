// cogito serve's OpenAI API, driven by the real `openai` npm client against a real server on
// loopback serving the default model with its sidecar.
import Ajv from 'ajv';
import OpenAI from 'openai';
import type { ChatCompletion, ChatCompletionChunk, ChatCompletionMessageParam, Completion as TextCompletion } from 'openai/resources';
import { loadModel, type Model } from '../../src/engine';
import type { CogitoSignal } from '../../src/serve';
import { defaultModel, defaultSidecar, startServer, type RunningServer } from '../support/serve';

const KNOWN = 'Question: What country is Tuten from?\nAnswer:';
const ASK_KNOWN: ChatCompletionMessageParam[] = [{ role: 'user', content: 'What country is Tuten from?' }];
// the sidecar's probes doubt the base on this one: it refuses
const ASK_DOUBTED: ChatCompletionMessageParam[] = [{ role: 'user', content: 'What work does Stes do?' }];
// an answer of many tokens: JSON forced by a schema
const CAPITAL_SCHEMA = { type: 'object', properties: { capital: { type: 'string', maxLength: 12 } }, required: ['capital'], additionalProperties: false };
const ASK_CAPITAL: ChatCompletionMessageParam[] = [{ role: 'user', content: 'Name the capital city of Ethovin.' }];
const capitalFormat = { type: 'json_schema' as const, json_schema: { name: 'capital', schema: CAPITAL_SCHEMA, strict: true } };

type WithCogito<T> = T & { cogito?: CogitoSignal };

let s: RunningServer;
let client: OpenAI;
let model: Model;
beforeAll(async () => {
  s = await startServer({ sidecarPath: defaultSidecar, parallel: 2, contextSize: 256, onWarning: () => undefined });
  client = new OpenAI({ baseURL: `${s.url}/v1`, apiKey: 'not-needed', maxRetries: 0 });
  model = await loadModel(defaultModel);
});
afterAll(async () => {
  await s?.close();
  await model?.dispose();
});

/** Every chunk of a streamed chat completion. */
async function streamChat(params: Omit<OpenAI.ChatCompletionCreateParamsStreaming, 'model' | 'stream'>): Promise<WithCogito<ChatCompletionChunk>[]> {
  const chunks: WithCogito<ChatCompletionChunk>[] = [];
  for await (const chunk of await client.chat.completions.create({ model: 'default', stream: true, ...params })) chunks.push(chunk);
  return chunks;
}

async function streamCompletion(params: Omit<OpenAI.CompletionCreateParamsStreaming, 'model' | 'stream'>): Promise<WithCogito<TextCompletion>[]> {
  const chunks: WithCogito<TextCompletion>[] = [];
  for await (const chunk of await client.completions.create({ model: 'default', stream: true, ...params })) chunks.push(chunk);
  return chunks;
}

const counts = (u: OpenAI.CompletionUsage) => ({ prompt: u.prompt_tokens, completion: u.completion_tokens, total: u.total_tokens });
const contentOf = (chunks: ChatCompletionChunk[]) => chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
const chatPromptTokens = (messages: ChatCompletionMessageParam[]) =>
  model.tokenize(s.server.service.renderChat(messages.map((m) => ({ role: m.role, content: m.content as string }))), { addSpecial: true, parseSpecial: true }).length;

test('models: the one model served, listed and retrieved; another name is a 404 model_not_found', async () => {
  const page = await client.models.list();
  expect(page.data).toEqual([{ id: 'default', object: 'model', created: expect.any(Number), owned_by: 'cogito' }]);
  expect(await client.models.retrieve('default')).toEqual(page.data[0]);
  const err = await client.models.retrieve('gpt-4o').catch((e: unknown) => e);
  expect(err).toBeInstanceOf(OpenAI.NotFoundError);
  expect(err).toMatchObject({ status: 404, code: 'model_not_found', param: 'model', type: 'invalid_request_error' });
});

test('chat, not streamed: the answer, usage, finish_reason and cogito\'s signal', async () => {
  const r = (await client.chat.completions.create({ model: 'default', messages: ASK_KNOWN, temperature: 0 })) as WithCogito<ChatCompletion>;
  expect(r.id).toMatch(/^chatcmpl-\w+$/);
  expect(r).toMatchObject({ object: 'chat.completion', model: 'default', system_fingerprint: expect.stringMatching(/^fp_/) });
  expect(r.choices).toHaveLength(1);
  expect(r.choices[0]).toMatchObject({ index: 0, message: { role: 'assistant', content: ' Uten', refusal: null }, finish_reason: 'stop', logprobs: null });
  const promptTokens = chatPromptTokens(ASK_KNOWN);
  expect(r.usage).toMatchObject({ prompt_tokens: promptTokens, completion_tokens: expect.any(Number), total_tokens: promptTokens + r.usage!.completion_tokens });
  expect(r.usage!.completion_tokens).toBeGreaterThan(0);
  expect(r.cogito).toMatchObject({ refused: false });
  expect(r.cogito!.confidence).toBeGreaterThan(r.cogito!.threshold);
  expect(r.cogito!.confidences.map((c) => c.layer)).toEqual([2, 3]);
});

test('chat, streamed: role first, one id throughout, the same content as not streamed, the finish chunk with the signal, include_usage last', async () => {
  const whole = await client.chat.completions.create({ model: 'default', messages: ASK_CAPITAL, temperature: 0, response_format: capitalFormat });
  const chunks = await streamChat({ messages: ASK_CAPITAL, temperature: 0, response_format: capitalFormat, stream_options: { include_usage: true } });
  expect(chunks.length).toBeGreaterThan(4);
  expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
  for (const c of chunks) {
    expect(c).toMatchObject({ id: chunks[0].id, created: chunks[0].created, model: 'default', object: 'chat.completion.chunk' });
  }
  expect(chunks[0].id).toMatch(/^chatcmpl-\w+$/);
  expect(contentOf(chunks)).toBe(whole.choices[0].message.content);
  const [finish, usage] = chunks.slice(-2);
  expect(finish.choices).toEqual([{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }]);
  expect(finish.cogito).toEqual((whole as WithCogito<ChatCompletion>).cogito);
  expect(usage.choices).toEqual([]);
  // the counts (a cached prefix, once reported, may differ between the two requests)
  expect(counts(usage.usage!)).toEqual(counts(whole.usage!));
  expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
  expect(chunks.slice(0, -2).every((c) => c.choices[0].finish_reason === null)).toBe(true);
  // without stream_options no usage chunk and no usage field
  const plain = await streamChat({ messages: ASK_KNOWN });
  expect(plain[plain.length - 1].choices[0].finish_reason).toBe('stop');
  expect(plain.every((c) => !('usage' in c))).toBe(true);
  expect(contentOf(plain)).toBe(' Uten');
});

test('completions: the same text as the library\'s own, streamed and not; max_tokens ends it with "length"', async () => {
  const r = (await client.completions.create({ model: 'default', prompt: KNOWN, temperature: 0 })) as WithCogito<TextCompletion>;
  expect(r.id).toMatch(/^cmpl-\w+$/);
  expect(r).toMatchObject({ object: 'text_completion', model: 'default' });
  expect(r.choices).toEqual([{ text: ' Uten', index: 0, logprobs: null, finish_reason: 'stop' }]);
  expect(r.usage).toMatchObject({ prompt_tokens: model.tokenize(KNOWN).length, total_tokens: model.tokenize(KNOWN).length + r.usage!.completion_tokens });
  expect(r.cogito?.refused).toBe(false);
  const ctx = await model.createContext({ contextSize: 256, onWarning: () => undefined });
  try {
    expect((await ctx.complete(KNOWN, { maxTokens: 16 })).text).toBe(r.choices[0].text);
  } finally {
    await ctx.dispose();
  }
  const chunks = await streamCompletion({ prompt: [KNOWN], temperature: 0, stream_options: { include_usage: true } });
  expect(chunks.map((c) => c.choices[0]?.text ?? '').join('')).toBe(' Uten');
  for (const c of chunks) expect(c).toMatchObject({ id: chunks[0].id, object: 'text_completion', created: chunks[0].created, model: 'default' });
  expect(chunks[chunks.length - 2].choices[0].finish_reason).toBe('stop');
  expect(chunks[chunks.length - 1].choices).toEqual([]);
  expect(counts(chunks[chunks.length - 1].usage!)).toEqual(counts(r.usage!));

  // a long answer: a JSON array the grammar keeps open (response_format on completions is llama-server's extension)
  const long = { model: 'default', prompt: 'There is a person called', response_format: { type: 'json_schema', json_schema: { name: 'long', schema: { type: 'array', items: { type: 'integer' }, minItems: 100 } } } };
  const cut = await client.completions.create({ ...long, max_tokens: 5 } as OpenAI.CompletionCreateParamsNonStreaming);
  expect(cut.choices[0].finish_reason).toBe('length');
  expect(cut.usage!.completion_tokens).toBe(5);
  // OpenAI's default for completions is 16 tokens
  const open = await client.completions.create(long as OpenAI.CompletionCreateParamsNonStreaming);
  expect(open.choices[0].finish_reason).toBe('length');
  expect(open.usage!.completion_tokens).toBe(16);
  expect(open.choices[0].text.startsWith(cut.choices[0].text)).toBe(true);
});

test('chat logprobs: one entry per token, concatenating exactly to the content, streamed and not; also where a stop string cuts a token', async () => {
  const r = await client.chat.completions.create({ model: 'default', messages: ASK_CAPITAL, response_format: capitalFormat, logprobs: true, top_logprobs: 2 });
  const content = r.choices[0].message.content!;
  const entries = r.choices[0].logprobs!.content!;
  expect(entries).toHaveLength(r.usage!.completion_tokens);
  expect(entries.map((e) => e.token).join('')).toBe(content);
  for (const e of entries) {
    expect(Buffer.from(e.bytes!).toString('utf8')).toBe(e.token);
    expect(e.logprob).toBeLessThanOrEqual(0);
    // the alternatives come once the engine reports them (GenerateOptions.topLogprobs): then as many as asked, best first
    expect(e.top_logprobs.length).toBeLessThanOrEqual(2);
  }
  if (entries.some((e) => e.top_logprobs.length > 0)) {
    for (const e of entries) {
      expect(e.top_logprobs).toHaveLength(2);
      expect(e.top_logprobs[0].logprob).toBeGreaterThanOrEqual(e.top_logprobs[1].logprob);
    }
  }
  const chunks = await streamChat({ messages: ASK_CAPITAL, response_format: capitalFormat, logprobs: true });
  const streamed = chunks.flatMap((c) => c.choices[0]?.logprobs?.content ?? []);
  expect(streamed.map((e) => e.token).join('')).toBe(content);
  expect(streamed.map((e) => e.logprob)).toEqual(entries.map((e) => e.logprob));

  // a stop string that begins inside a token of several characters ends the text there: that token
  // is reported with its part before the stop
  const at = entries.findIndex((e, i) => i > 0 && e.token.length >= 3);
  expect(at).toBeGreaterThan(0);
  const stop = entries[at].token.slice(1);
  const cutAt = entries.slice(0, at).map((e) => e.token).join('').length + 1;
  expect(content.indexOf(stop)).toBe(cutAt);
  const stopped = await client.chat.completions.create({ model: 'default', messages: ASK_CAPITAL, response_format: capitalFormat, logprobs: true, stop });
  const stoppedContent = stopped.choices[0].message.content!;
  expect(stoppedContent).toBe(content.slice(0, cutAt));
  expect(stopped.choices[0].finish_reason).toBe('stop');
  const stoppedEntries = stopped.choices[0].logprobs!.content!;
  expect(stoppedEntries.map((e) => e.token).join('')).toBe(stoppedContent);
  expect(stoppedEntries[stoppedEntries.length - 1]).toMatchObject({ token: entries[at].token.slice(0, 1), logprob: entries[at].logprob });
  // streamed, the engine holds the cut token back until the stop is certain: the stream's end sends it
  const stoppedChunks = await streamChat({ messages: ASK_CAPITAL, response_format: capitalFormat, logprobs: true, stop: [stop] });
  expect(contentOf(stoppedChunks)).toBe(stoppedContent);
  expect(stoppedChunks.flatMap((c) => c.choices[0]?.logprobs?.content ?? []).map((e) => e.token).join('')).toBe(stoppedContent);
});

test('completions logprobs: tokens, token_logprobs and text_offset in the legacy shape, concatenating to the text', async () => {
  const prompt = 'Question: Name the capital city of Ethovin.\nAnswer:';
  const r = await client.completions.create({ model: 'default', prompt, max_tokens: 12, logprobs: 2 });
  const text = r.choices[0].text;
  const lp = r.choices[0].logprobs!;
  expect(lp.tokens!.join('')).toBe(text);
  expect(lp.token_logprobs).toHaveLength(lp.tokens!.length);
  expect(lp.text_offset).toEqual(lp.tokens!.map((_, i) => lp.tokens!.slice(0, i).join('').length));
  // the chosen token is always among its position's top logprobs
  lp.top_logprobs!.forEach((top, i) => expect(top[lp.tokens![i]]).toBe(lp.token_logprobs![i]));
  const chunks = await streamCompletion({ prompt, max_tokens: 12, logprobs: 2 });
  expect(chunks.flatMap((c) => c.choices[0]?.logprobs?.tokens ?? []).join('')).toBe(text);
  expect(chunks.flatMap((c) => c.choices[0]?.logprobs?.text_offset ?? [])).toEqual(lp.text_offset);
});

test('response_format: a JSON Schema is obeyed (checked with ajv), json_object gives an object', async () => {
  const validate = new Ajv().compile(CAPITAL_SCHEMA);
  const r = await client.chat.completions.create({ model: 'default', messages: ASK_CAPITAL, response_format: capitalFormat });
  expect(r.choices[0].finish_reason).toBe('stop');
  const value: unknown = JSON.parse(r.choices[0].message.content!);
  expect({ value, valid: validate(value), errors: validate.errors }).toEqual({ value, valid: true, errors: null });
  const object = await client.chat.completions.create({ model: 'default', messages: ASK_KNOWN, response_format: { type: 'json_object' }, max_tokens: 60 });
  expect(object.choices[0].finish_reason).toBe('stop');
  const parsed: unknown = JSON.parse(object.choices[0].message.content!);
  expect(typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)).toBe(true);
  // constrained output must parse: a doubted question keeps its signal but is not replaced by the refusal text
  const doubted = (await client.chat.completions.create({ model: 'default', messages: ASK_DOUBTED, response_format: capitalFormat })) as WithCogito<ChatCompletion>;
  expect(validate(JSON.parse(doubted.choices[0].message.content!))).toBe(true);
  expect(doubted.cogito!.confidence).toBeLessThan(doubted.cogito!.threshold);
});

test('a doubted question is answered with the refusal text, finish_reason "stop" and cogito.refused, streamed and not', async () => {
  const r = (await client.chat.completions.create({ model: 'default', messages: ASK_DOUBTED })) as WithCogito<ChatCompletion>;
  expect(r.choices[0].message.content).toBe("I don't know.");
  expect(r.choices[0].finish_reason).toBe('stop');
  expect(r.usage!.completion_tokens).toBe(0);
  expect(r.cogito!.refused).toBe(true);
  const chunks = await streamChat({ messages: ASK_DOUBTED });
  expect(chunks[0].choices[0].delta.role).toBe('assistant');
  expect(contentOf(chunks)).toBe("I don't know.");
  expect(chunks[chunks.length - 1].cogito!.refused).toBe(true);
});

test('ignore_eos (llama-server\'s extension) generates max_tokens where the model would have ended', async () => {
  const forced = await client.completions.create({ model: 'default', prompt: KNOWN, temperature: 0, max_tokens: 12, ignore_eos: true } as OpenAI.CompletionCreateParamsNonStreaming);
  expect(forced.choices[0].finish_reason).toBe('length');
  expect(forced.usage!.completion_tokens).toBe(12);
  expect(forced.choices[0].text.startsWith(' Uten')).toBe(true);
  const bad = await client.completions.create({ model: 'default', prompt: KNOWN, ignore_eos: 'yes' } as unknown as OpenAI.CompletionCreateParamsNonStreaming).catch((e: unknown) => e);
  expect(bad).toBeInstanceOf(OpenAI.BadRequestError);
});

test('sampling: a seed repeats a sample at temperature 1.5; stop and max_completion_tokens are applied', async () => {
  // top_k and min_p are llama-server's extensions: 0 lets every token be drawn
  const params = (seed: number) => ({ model: 'default', prompt: KNOWN, max_tokens: 8, temperature: 1.5, top_p: 1, top_k: 0, min_p: 0, seed }) as OpenAI.CompletionCreateParamsNonStreaming;
  const sample = async (seed: number) => (await client.completions.create(params(seed))).choices[0].text;
  // any integer is a seed (OpenAI's are 64-bit); the same one repeats its sample, others differ
  expect(await sample(2 ** 40 + 7)).toBe(await sample(2 ** 40 + 7));
  const samples = new Set([await sample(1), await sample(2), await sample(3), await sample(4)]);
  expect(samples.size).toBeGreaterThan(1);
  const capped = await client.chat.completions.create({ model: 'default', messages: ASK_CAPITAL, response_format: capitalFormat, max_completion_tokens: 3 });
  expect(capped.choices[0].finish_reason).toBe('length');
  expect(capped.usage!.completion_tokens).toBe(3);
});

test('embeddings equal the library\'s model.embed (normalised), as floats and as base64 (the client\'s default)', async () => {
  const texts = ['Tuten plays the harp.', 'Descartes'];
  const floats = await client.embeddings.create({ model: 'default', input: texts, encoding_format: 'float' });
  // the client asks for base64 unless told otherwise, and decodes it
  const decoded = await client.embeddings.create({ model: 'default', input: texts });
  expect(floats.object).toBe('list');
  expect(floats.usage).toEqual({ prompt_tokens: texts.reduce((n, t) => n + model.tokenize(t).length, 0), total_tokens: floats.usage.prompt_tokens });
  for (const [i, text] of texts.entries()) {
    const expected = Array.from(await model.embed(text, { normalize: true }));
    expect(floats.data[i]).toMatchObject({ object: 'embedding', index: i });
    expect(floats.data[i].embedding).toHaveLength(model.info.embeddingSize);
    floats.data[i].embedding.forEach((v, k) => expect(v).toBeCloseTo(expected[k], 6));
    // base64 carries the float32 values themselves
    expect(decoded.data[i].embedding).toEqual(Array.from(Float32Array.from(floats.data[i].embedding)));
  }
  const single = await client.embeddings.create({ model: 'default', input: texts[0], encoding_format: 'float', dimensions: model.info.embeddingSize });
  expect(single.data[0].embedding).toEqual(floats.data[0].embedding);
});

test('n > 1 and tools are refused with a 400 naming the field; the server then answers normally', async () => {
  const n = await client.chat.completions.create({ model: 'default', messages: ASK_KNOWN, n: 2 }).catch((e: unknown) => e);
  expect(n).toBeInstanceOf(OpenAI.BadRequestError);
  expect(n).toMatchObject({ status: 400, param: 'n', type: 'invalid_request_error' });
  expect((n as Error).message).toMatch(/n must be 1/);
  const tool = { type: 'function' as const, function: { name: 'weather', parameters: { type: 'object', properties: {} } } };
  const tools = await client.chat.completions.create({ model: 'default', messages: ASK_KNOWN, tools: [tool] }).catch((e: unknown) => e);
  expect(tools).toBeInstanceOf(OpenAI.BadRequestError);
  expect(tools).toMatchObject({ status: 400, param: 'tools' });
  expect((tools as Error).message).toMatch(/tool calling is not supported yet/);
  const streamedN = await streamChat({ messages: ASK_KNOWN, n: 3 }).catch((e: unknown) => e);
  expect(streamedN).toBeInstanceOf(OpenAI.BadRequestError);
  expect((await client.chat.completions.create({ model: 'default', messages: ASK_KNOWN })).choices[0].message.content).toBe(' Uten');
});
