// Malformed requests to cogito serve: each answered with the status that fits and Ollama's error
// shape, a message a person understands, never a 500 and never a crashed server.
import { post, startServer, type RunningServer } from '../support/serve';

const KNOWN = 'Question: What country is Tuten from?\nAnswer:';
const gen = (extra: Record<string, unknown>) => ({ model: 'default', prompt: KNOWN, stream: false, ...extra });
const chat = (extra: Record<string, unknown>) => ({ model: 'default', messages: [{ role: 'user', content: 'What country is Tuten from?' }], stream: false, ...extra });
const opts = (options: Record<string, unknown>) => gen({ options });

interface Case {
  name: string;
  method?: 'GET' | 'POST' | 'DELETE';
  path: string;
  /** An object is sent as JSON; a string as it is. */
  body?: unknown;
  contentType?: string;
  status: number;
  message: RegExp;
}

// the server's context is the default model's training context: 32 positions
const LONG_PROMPT = 'Question: ' + 'Who plays the harp in Uten and why? '.repeat(10) + '\nAnswer:';

const CASES: Case[] = [
  { name: 'bad JSON', path: '/api/generate', body: '{"model": "default", "prompt": ', status: 400, message: /JSON/ },
  { name: 'an empty JSON body', path: '/api/generate', body: '', status: 400, message: /empty/i },
  { name: 'an array for a body', path: '/api/generate', body: [], status: 400, message: /^body must be object$/ },
  { name: 'no model', path: '/api/generate', body: { prompt: 'hi' }, status: 400, message: /^body must have required property 'model'$/ },
  { name: 'a number for the model', path: '/api/generate', body: { model: 7, prompt: 'hi' }, status: 400, message: /^body\/model must be string$/ },
  { name: 'a number for the prompt', path: '/api/generate', body: gen({ prompt: 42 }), status: 400, message: /^body\/prompt must be string$/ },
  { name: 'a string for stream', path: '/api/generate', body: gen({ stream: 'yes' }), status: 400, message: /^body\/stream must be boolean$/ },
  { name: 'options not an object', path: '/api/generate', body: gen({ options: 5 }), status: 400, message: /^body\/options must be object$/ },
  { name: 'a string temperature', path: '/api/generate', body: opts({ temperature: 'hot' }), status: 400, message: /^body\/options\/temperature must be number$/ },
  { name: 'a negative temperature', path: '/api/generate', body: opts({ temperature: -1 }), status: 400, message: /^body\/options\/temperature must be >= 0$/ },
  { name: 'a negative num_predict below -2', path: '/api/generate', body: opts({ num_predict: -5 }), status: 400, message: /^body\/options\/num_predict must be >= -2$/ },
  { name: 'a negative top_k', path: '/api/generate', body: opts({ top_k: -1 }), status: 400, message: /^body\/options\/top_k must be >= 0$/ },
  { name: 'top_p of 0', path: '/api/generate', body: opts({ top_p: 0 }), status: 400, message: /^body\/options\/top_p must be > 0$/ },
  { name: 'top_p above 1', path: '/api/generate', body: opts({ top_p: 1.5 }), status: 400, message: /^body\/options\/top_p must be <= 1$/ },
  { name: 'a fractional seed', path: '/api/generate', body: opts({ seed: 1.5 }), status: 400, message: /^body\/options\/seed must be integer$/ },
  { name: 'stop as a string', path: '/api/generate', body: opts({ stop: 'x' }), status: 400, message: /^body\/options\/stop must be array$/ },
  { name: 'a negative repeat_penalty', path: '/api/generate', body: opts({ repeat_penalty: -1 }), status: 400, message: /^body\/options\/repeat_penalty must be > 0$/ },
  { name: 'an unknown format', path: '/api/generate', body: gen({ format: 'xml' }), status: 400, message: /^body\/format must/ },
  { name: 'an invalid JSON Schema', path: '/api/generate', body: gen({ format: { type: 'frobnicate' } }), status: 400, message: /frobnicate|type/ },
  { name: 'a JSON Schema nested 4,000 deep', path: '/api/generate', body: gen({ format: JSON.parse('{"type":"array","items":'.repeat(4000) + '{}' + '}'.repeat(4000)) as unknown }), status: 400, message: /^the JSON Schema nests deeper than 64 levels$/ },
  { name: 'a negative top_logprobs', path: '/api/generate', body: gen({ logprobs: true, top_logprobs: -1 }), status: 400, message: /^body\/top_logprobs must be >= 0$/ },
  { name: 'too many top_logprobs', path: '/api/generate', body: gen({ logprobs: true, top_logprobs: 50 }), status: 400, message: /^body\/top_logprobs must be <= 20$/ },
  { name: 'a keep_alive object', path: '/api/generate', body: gen({ keep_alive: {} }), status: 400, message: /^body\/keep_alive must be string,number$/ },
  { name: 'thinking asked of a model without it', path: '/api/generate', body: gen({ think: true }), status: 400, message: /"think" .*not supported/ },
  { name: 'images to a text model', path: '/api/generate', body: gen({ images: ['aGVsbG8='] }), status: 400, message: /"images" .*not supported/ },
  { name: 'a system prompt in /api/generate', path: '/api/generate', body: gen({ system: 'be brief' }), status: 400, message: /use \/api\/chat/ },
  { name: 'an unknown model', path: '/api/generate', body: gen({ model: 'llama3:8b' }), status: 404, message: /^model "llama3:8b" not found: this server serves "default"$/ },
  { name: 'a prompt longer than the context', path: '/api/generate', body: gen({ prompt: LONG_PROMPT }), status: 400, message: /^the prompt has \d+ tokens but the model's context holds 32; shorten it/ },
  { name: 'chat: messages not a list', path: '/api/chat', body: chat({ messages: 'hello' }), status: 400, message: /^body\/messages must be array$/ },
  { name: 'chat: an unknown role', path: '/api/chat', body: chat({ messages: [{ role: 'wizard', content: 'hi' }] }), status: 400, message: /^body\/messages\/0\/role must be equal to one of the allowed values$/ },
  { name: 'chat: a message without a role', path: '/api/chat', body: chat({ messages: [{ content: 'hi' }] }), status: 400, message: /^body\/messages\/0 must have required property 'role'$/ },
  { name: 'chat: a number for content', path: '/api/chat', body: chat({ messages: [{ role: 'user', content: 3 }] }), status: 400, message: /^body\/messages\/0\/content must be string$/ },
  { name: 'chat: tools', path: '/api/chat', body: chat({ tools: [{ type: 'function', function: { name: 'f' } }] }), status: 400, message: /"tools" \(tool calling\) is not supported/ },
  { name: 'chat: a conversation longer than the context', path: '/api/chat', body: chat({ messages: [{ role: 'user', content: LONG_PROMPT }] }), status: 400, message: /context holds 32/ },
  { name: 'embed: no input', path: '/api/embed', body: { model: 'default' }, status: 400, message: /^body must have required property 'input'$/ },
  { name: 'embed: numbers for input', path: '/api/embed', body: { model: 'default', input: [1, 2] }, status: 400, message: /^body\/input must/ },
  { name: 'embed: dimensions', path: '/api/embed', body: { model: 'default', input: 'hi', dimensions: 8 }, status: 400, message: /"dimensions" .*not supported/ },
  { name: 'embed: too long without truncation', path: '/api/embed', body: { model: 'default', input: LONG_PROMPT, truncate: false }, status: 400, message: /^input 0 has \d+ tokens but the model's context holds 32/ },
  { name: 'embeddings: a number for the prompt', path: '/api/embeddings', body: { model: 'default', prompt: 5 }, status: 400, message: /^body\/prompt must be string$/ },
  { name: 'show: no model', path: '/api/show', body: {}, status: 400, message: /required property 'model'/ },
  { name: 'a body over the limit', path: '/api/generate', body: JSON.stringify(gen({ prompt: 'x'.repeat(1_200_000) })), status: 413, message: /^the request body is larger than this server's limit of 1048576 bytes \(--body-limit\)$/ },
  { name: 'an unknown route', method: 'GET', path: '/api/pull', status: 404, message: /^no such endpoint: GET \/api\/pull/ },
  { name: 'an Ollama route cogito does not serve', path: '/api/pull', body: { model: 'x' }, status: 404, message: /^no such endpoint: POST \/api\/pull/ },
  { name: 'the wrong method', method: 'GET', path: '/api/generate', status: 404, message: /^no such endpoint: GET \/api\/generate/ },
  { name: 'DELETE on a model', method: 'DELETE', path: '/api/delete', body: { model: 'default' }, status: 404, message: /^no such endpoint/ },
];

let s: RunningServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(() => s?.close());

test(`${CASES.length} malformed requests: each its status and {"error": message}, then a normal request is served`, async () => {
  expect(CASES.length).toBeGreaterThanOrEqual(25);
  const outcomes = [];
  for (const c of CASES) {
    const init: RequestInit = { method: c.method ?? 'POST' };
    if (c.body !== undefined) init.body = typeof c.body === 'string' ? c.body : JSON.stringify(c.body);
    const headers: Record<string, string> = {};
    if (c.body !== undefined) headers['content-type'] = c.contentType ?? 'application/json';
    const res = await fetch(`${s.url}${c.path}`, { ...init, headers });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // left as text: the expectation below shows it
    }
    const error = (body as { error?: unknown } | null)?.error;
    const shaped = typeof body === 'object' && body !== null && Object.keys(body).length === 1 && typeof error === 'string';
    outcomes.push({ name: c.name, status: res.status, shaped, message: shaped && c.message.test(error as string) ? 'as expected' : body });
  }
  expect(outcomes).toEqual(CASES.map((c) => ({ name: c.name, status: c.status, shaped: true, message: 'as expected' })));

  // still serving, and healthy
  const ok = await post(`${s.url}/api/generate`, gen({}));
  expect(ok).toMatchObject({ status: 200, body: { response: ' Uten', done: true } });
  expect((await fetch(`${s.url}/health`)).status).toBe(200);
  const metrics = await (await fetch(`${s.url}/metrics`)).text();
  expect(metrics).not.toMatch(/status="5\d\d"/);
});

test('a malformed request streamed is refused before the stream begins: a status, not a broken stream', async () => {
  const r = await post(`${s.url}/api/generate`, { ...gen({ prompt: LONG_PROMPT }), stream: true });
  expect(r.status).toBe(400);
  expect(r.headers.get('content-type')).toMatch(/^application\/json/);
  expect(r.body).toEqual({ error: expect.stringMatching(/context holds 32/) });
});
