// cogito serve's OpenAI API refusing what it cannot serve: malformed requests, an API key, a full
// queue, a model that failed to load — each with its status and OpenAI's error shape
// `{"error": {"message", "type", "param", "code"}}`, and the server still serving afterwards.
import OpenAI from 'openai';
import { createServer } from '../../src/serve';
import { post, startServer, type RunningServer } from '../support/serve';

const ASK = [{ role: 'user', content: 'What country is Tuten from?' }];
const chat = (extra: Record<string, unknown>) => ({ model: 'default', messages: ASK, ...extra });

interface Case {
  name: string;
  path: string;
  body: unknown;
  status: number;
  param: string | null;
  /** OpenAI's (or cogito's) code; undefined: not checked. */
  code?: string | null;
  message?: RegExp;
}

const CASES: Case[] = [
  { name: 'bad JSON', path: 'chat/completions', body: '{"model": "default", "messages": [', status: 400, param: null, code: 'invalid_json' },
  { name: 'a body that is not an object', path: 'chat/completions', body: '[1, 2]', status: 400, param: null, message: /must be of type object/ },
  { name: 'no model', path: 'chat/completions', body: { messages: ASK }, status: 400, param: 'model', message: /^'model' is required$/ },
  { name: 'no messages', path: 'chat/completions', body: { model: 'default' }, status: 400, param: 'messages', message: /^'messages' is required$/ },
  { name: 'empty messages', path: 'chat/completions', body: chat({ messages: [] }), status: 400, param: 'messages' },
  { name: 'messages a string', path: 'chat/completions', body: chat({ messages: 'hi' }), status: 400, param: 'messages', message: /must be of type array/ },
  { name: 'an unknown role', path: 'chat/completions', body: chat({ messages: [{ role: 'bot', content: 'hi' }] }), status: 400, param: 'messages[0].role', message: /must be one of "system"/ },
  { name: 'a message without a role', path: 'chat/completions', body: chat({ messages: [{ content: 'hi' }] }), status: 400, param: 'messages[0].role' },
  { name: 'content a number', path: 'chat/completions', body: chat({ messages: [{ role: 'user', content: 5 }] }), status: 400, param: 'messages[0].content', message: /string or array or null/ },
  { name: 'a user message without content', path: 'chat/completions', body: chat({ messages: [{ role: 'user' }] }), status: 400, param: 'messages[0].content' },
  { name: 'an image part', path: 'chat/completions', body: chat({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:' } }] }] }), status: 400, param: 'messages[0].content[0].type', message: /text only/ },
  { name: 'a tool message', path: 'chat/completions', body: chat({ messages: [...ASK, { role: 'tool', content: '{}', tool_call_id: 'x' }] }), status: 400, param: 'messages[1].role', message: /tool calling is not supported yet/ },
  { name: 'temperature a string', path: 'chat/completions', body: chat({ temperature: 'hot' }), status: 400, param: 'temperature', message: /number or null/ },
  { name: 'temperature above 2', path: 'chat/completions', body: chat({ temperature: 3 }), status: 400, param: 'temperature' },
  { name: 'negative max_tokens', path: 'chat/completions', body: chat({ max_tokens: -1 }), status: 400, param: 'max_tokens', message: />= 1/ },
  { name: 'max_completion_tokens 0', path: 'chat/completions', body: chat({ max_completion_tokens: 0 }), status: 400, param: 'max_completion_tokens' },
  { name: 'a fractional max_tokens', path: 'chat/completions', body: chat({ max_tokens: 2.5 }), status: 400, param: 'max_tokens' },
  { name: 'top_logprobs above 20', path: 'chat/completions', body: chat({ logprobs: true, top_logprobs: 21 }), status: 400, param: 'top_logprobs' },
  { name: 'top_logprobs without logprobs', path: 'chat/completions', body: chat({ top_logprobs: 2 }), status: 400, param: 'top_logprobs' },
  { name: 'a stop list of numbers', path: 'chat/completions', body: chat({ stop: [1] }), status: 400, param: 'stop[0]' },
  { name: 'stream a string', path: 'chat/completions', body: chat({ stream: 'yes' }), status: 400, param: 'stream' },
  { name: 'a seed that is a string', path: 'chat/completions', body: chat({ seed: '42' }), status: 400, param: 'seed' },
  { name: 'n = 0', path: 'chat/completions', body: chat({ n: 0 }), status: 400, param: 'n' },
  { name: 'a presence penalty', path: 'chat/completions', body: chat({ presence_penalty: 0.5 }), status: 400, param: 'presence_penalty' },
  { name: 'reasoning_effort', path: 'chat/completions', body: chat({ reasoning_effort: 'high' }), status: 400, param: 'reasoning_effort' },
  { name: 'an unknown response_format type', path: 'chat/completions', body: chat({ response_format: { type: 'xml' } }), status: 400, param: 'response_format.type' },
  {
    name: 'an invalid JSON Schema',
    path: 'chat/completions',
    body: chat({ response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'nonsense' } } } }),
    status: 400,
    param: 'response_format',
    code: 'INVALID_JSON_SCHEMA',
  },
  { name: 'an unknown model', path: 'chat/completions', body: chat({ model: 'gpt-4o' }), status: 404, param: 'model', code: 'model_not_found', message: /serves 'default'/ },
  {
    name: 'a prompt longer than the context',
    path: 'chat/completions',
    body: chat({ messages: [{ role: 'user', content: 'Tuten '.repeat(400) }] }),
    status: 400,
    param: 'messages',
    code: 'context_length_exceeded',
    message: /context holds 256/,
  },
  { name: 'completions without a prompt', path: 'completions', body: { model: 'default' }, status: 400, param: 'prompt' },
  { name: 'a prompt of token ids', path: 'completions', body: { model: 'default', prompt: [1, 2, 3] }, status: 400, param: 'prompt', message: /token ids/ },
  { name: 'two prompts', path: 'completions', body: { model: 'default', prompt: ['a', 'b'] }, status: 400, param: 'prompt', message: /one prompt per request/ },
  { name: 'an empty prompt', path: 'completions', body: { model: 'default', prompt: '' }, status: 400, param: 'prompt' },
  { name: 'echo', path: 'completions', body: { model: 'default', prompt: 'hi', echo: true }, status: 400, param: 'echo' },
  { name: 'negative logprobs', path: 'completions', body: { model: 'default', prompt: 'hi', logprobs: -1 }, status: 400, param: 'logprobs' },
  { name: 'best_of 2', path: 'completions', body: { model: 'default', prompt: 'hi', best_of: 2 }, status: 400, param: 'best_of' },
  { name: 'embeddings without input', path: 'embeddings', body: { model: 'default' }, status: 400, param: 'input' },
  { name: 'an empty input list', path: 'embeddings', body: { model: 'default', input: [] }, status: 400, param: 'input' },
  { name: 'an empty input text', path: 'embeddings', body: { model: 'default', input: ['a', ''] }, status: 400, param: 'input[1]' },
  { name: 'an unknown encoding_format', path: 'embeddings', body: { model: 'default', input: 'a', encoding_format: 'int8' }, status: 400, param: 'encoding_format' },
  { name: 'dimensions other than the width', path: 'embeddings', body: { model: 'default', input: 'a', dimensions: 8 }, status: 400, param: 'dimensions', message: /embedding width/ },
  { name: 'an input longer than the context', path: 'embeddings', body: { model: 'default', input: 'Tuten '.repeat(400) }, status: 400, param: 'input', code: 'context_length_exceeded' },
  { name: 'a body over the limit', path: 'chat/completions', body: chat({ messages: [{ role: 'user', content: 'x'.repeat(1100 * 1024) }] }), status: 413, param: null, code: 'request_too_large' },
  { name: 'an unknown route', path: 'responses', body: { model: 'default', input: 'hi' }, status: 404, param: null, message: /no such endpoint: POST \/v1\/responses/ },
];

function errorType(status: number): string {
  return status === 401 ? 'authentication_error' : status === 429 ? 'rate_limit_error' : status === 503 ? 'service_unavailable' : 'invalid_request_error';
}

describe('malformed requests', () => {
  let s: RunningServer;
  beforeAll(async () => {
    s = await startServer({ contextSize: 256, onWarning: () => undefined });
  });
  afterAll(() => s?.close());

  test.each(CASES)('$name → $status', async (c) => {
    const r = await post(`${s.url}/v1/${c.path}`, c.body);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    expect(r.status).toBe(c.status);
    const error = (r.body as { error: { message: unknown; type: unknown; param: unknown; code: unknown } }).error;
    expect(Object.keys(error).sort()).toEqual(['code', 'message', 'param', 'type']);
    expect(error).toMatchObject({ type: errorType(c.status), param: c.param });
    expect(typeof error.message === 'string' && error.message.length > 0).toBe(true);
    if (c.message) expect(error.message).toMatch(c.message);
    if (c.code !== undefined) expect(error.code).toBe(c.code);
  });

  test('GET /v1/models/<unknown> is a 404 model_not_found', async () => {
    const r = await fetch(`${s.url}/v1/models/llama3`);
    expect({ status: r.status, body: await r.json() }).toEqual({
      status: 404,
      body: { error: { message: "The model 'llama3' does not exist: this server serves 'default'", type: 'invalid_request_error', param: 'model', code: 'model_not_found' } },
    });
    // an id with a slash, escaped as the SDK escapes it, is read once
    const nested = await fetch(`${s.url}/v1/models/${encodeURIComponent('org/100%')}`);
    expect(nested.status).toBe(404);
    expect(((await nested.json()) as { error: { message: string } }).error.message).toMatch(/^The model 'org\/100%' does not exist/);
  });

  test('after all of them the server answers normally, streamed and not', async () => {
    const client = new OpenAI({ baseURL: `${s.url}/v1`, apiKey: 'unused', maxRetries: 0 });
    expect((await client.chat.completions.create({ model: 'default', messages: [{ role: 'user', content: 'What country is Tuten from?' }] })).choices[0].message.content).toBe(' Uten');
    let text = '';
    for await (const chunk of await client.completions.create({ model: 'default', prompt: 'Question: What country is Tuten from?\nAnswer:', stream: true })) text += chunk.choices[0]?.text ?? '';
    expect(text).toBe(' Uten');
    expect((await fetch(`${s.url}/health`)).status).toBe(200);
  });
});

describe('with an API key, one slot and no queue', () => {
  let s: RunningServer;
  const key = 'sk-cogito-test';
  beforeAll(async () => {
    s = await startServer({ apiKey: key, parallel: 1, queue: 0, contextSize: 1024, onWarning: () => undefined });
  });
  afterAll(() => s?.close());

  test('a client without the key, or with another, is refused (AuthenticationError); with the key it is served', async () => {
    const baseURL = `${s.url}/v1`;
    // the client always sends a key unless its Authorization header is removed
    const keyless = new OpenAI({ baseURL, apiKey: 'unused', defaultHeaders: { Authorization: null }, maxRetries: 0 });
    const none = await keyless.models.list().catch((e: unknown) => e);
    expect(none).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(none).toMatchObject({ status: 401, type: 'authentication_error', code: 'invalid_api_key', param: null });
    expect((none as Error).message).toMatch(/needs an API key/);
    const wrong = new OpenAI({ baseURL, apiKey: 'sk-other', maxRetries: 0 });
    const refused = await wrong.chat.completions.create({ model: 'default', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((refused as Error).message).toMatch(/not valid/);
    const client = new OpenAI({ baseURL, apiKey: key, maxRetries: 0 });
    expect((await client.models.list()).data.map((m) => m.id)).toEqual(['default']);
    expect((await client.chat.completions.create({ model: 'default', messages: [{ role: 'user', content: 'What country is Tuten from?' }] })).choices[0].message.content).toBe(' Uten');
  });

  test('every slot busy and no room to wait: 429 (RateLimitError) with Retry-After; a client that leaves frees its slot', async () => {
    const client = new OpenAI({ baseURL: `${s.url}/v1`, apiKey: key, maxRetries: 0 });
    // a request that runs for seconds: a JSON array the grammar keeps open
    const holder = await client.chat.completions.create({
      model: 'default',
      messages: [{ role: 'user', content: 'Count.' }],
      stream: true,
      max_tokens: 900,
      response_format: { type: 'json_schema', json_schema: { name: 'long', schema: { type: 'array', items: { type: 'integer' }, minItems: 300 } } },
    });
    const it = holder[Symbol.asyncIterator]();
    expect((await it.next()).done).toBe(false);
    const busy = await client.chat.completions.create({ model: 'default', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(busy).toBeInstanceOf(OpenAI.RateLimitError);
    expect(busy).toMatchObject({ status: 429, type: 'rate_limit_error', code: 'rate_limit_exceeded' });
    const retryAfter = Number((busy as InstanceType<typeof OpenAI.RateLimitError>).headers?.get('retry-after'));
    expect(Number.isInteger(retryAfter) && retryAfter >= 1).toBe(true);
    holder.controller.abort();
    // the client ends an aborted stream quietly; what arrived never reached a finish_reason
    const rest: OpenAI.ChatCompletionChunk[] = [];
    for (let r = await it.next(); !r.done; r = await it.next()) rest.push(r.value);
    expect(rest.some((c) => c.choices[0]?.finish_reason)).toBe(false);
    const deadline = Date.now() + 1000;
    while (s.server.service.occupancy.busy > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(s.server.service.occupancy.busy).toBe(0);
    expect((await client.completions.create({ model: 'default', prompt: 'Question: What country is Tuten from?\nAnswer:' })).choices[0].text).toBe(' Uten');
  });
});

test('a model that failed to load: 503 in OpenAI\'s shape on /v1 routes', async () => {
  const broken = createServer({ modelPath: '/nonexistent/model.gguf', sidecarPath: null, port: 0, logLevel: false });
  const url = await broken.listen();
  try {
    await expect(broken.service.ready).rejects.toMatchObject({ code: 'ENOENT' });
    const r = await post(`${url}/v1/chat/completions`, { model: 'model', messages: [{ role: 'user', content: 'hi' }] });
    expect(r).toMatchObject({ status: 503, body: { error: { message: 'the model failed to load; see the server log', type: 'service_unavailable', param: null, code: 'NOT_READY' } } });
    const models = await fetch(`${url}/v1/models`);
    expect(models.status).toBe(503);
  } finally {
    await broken.close();
  }
});
