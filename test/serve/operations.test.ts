// Operating cogito serve: health while loading, the API key, clients that go away mid-generation,
// the bounded queue, and the metrics — each on a real server on loopback with the real ollama client.
import { Ollama } from 'ollama';
import { createServer } from '../../src/serve';
import { defaultModel, post, startServer, type RunningServer } from '../support/serve';

const KNOWN = 'Question: What country is Tuten from?\nAnswer:';
/** A request that runs for many seconds: a JSON array the grammar keeps open, up to 3000 tokens. */
const LONG = {
  model: 'default',
  prompt: 'There is a person called',
  format: { type: 'array', items: { type: 'integer' }, minItems: 100 },
  options: { num_predict: 3000 },
};

/** Reads a stream to its end: resolves if it ends normally, rejects if it fails (an aborted one). */
async function drain(it: AsyncIterator<unknown>): Promise<void> {
  for (let r = await it.next(); !r.done; r = await it.next());
}

async function waitFor(condition: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('/health is 503 while the model loads and 200 once it is ready; a model that fails to load stays 503, and so do its routes', async () => {
  const server = createServer({ modelPath: defaultModel, sidecarPath: null, port: 0, logLevel: false });
  const url = await server.listen();
  try {
    const early = await fetch(`${url}/health`);
    expect({ status: early.status, body: await early.json() }).toEqual({ status: 503, body: { status: 'loading' } });
    await server.service.ready;
    const ready = await fetch(`${url}/health`);
    expect({ status: ready.status, body: await ready.json() }).toEqual({ status: 200, body: { status: 'ok' } });
  } finally {
    await server.close();
  }

  const broken = createServer({ modelPath: '/nonexistent/model.gguf', sidecarPath: null, port: 0, logLevel: false });
  const brokenUrl = await broken.listen();
  try {
    await expect(broken.service.ready).rejects.toMatchObject({ code: 'ENOENT' });
    const health = await fetch(`${brokenUrl}/health`);
    expect({ status: health.status, body: await health.json() }).toEqual({ status: 503, body: { status: 'failed' } });
    const r = await post(`${brokenUrl}/api/generate`, { model: 'model', prompt: 'hi' });
    expect(r).toMatchObject({ status: 503, body: { error: 'the model failed to load; see the server log' } });
  } finally {
    await broken.close();
  }
});

test('bad server options are refused at once, before anything loads', () => {
  const base = { modelPath: defaultModel, sidecarPath: null, port: 0, logLevel: false as const };
  expect(() => createServer({ ...base, parallel: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', message: 'parallel must be an integer >= 1 (got 0)' }));
  expect(() => createServer({ ...base, queue: -1 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', message: 'queue must be an integer >= 0 (got -1)' }));
  expect(() => createServer({ ...base, contextSize: 1.5 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  expect(() => createServer({ ...base, apiKey: '' })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', message: 'the API key must not be empty' }));
  expect(() => createServer({ ...base, port: 70000 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', message: 'the port must be an integer from 0 to 65535 (got 70000)' }));
  expect(() => createServer({ ...base, bodyLimit: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
});

describe('with an API key', () => {
  let s: RunningServer;
  beforeAll(async () => {
    s = await startServer({ apiKey: 'open sesame' });
  });
  afterAll(() => s?.close());

  test('a client without the key is refused with 401 on every route but /health; with the key it is served', async () => {
    const keyless = new Ollama({ host: s.url });
    await expect(keyless.list()).rejects.toMatchObject({ status_code: 401, error: 'this server needs an API key: send "Authorization: Bearer <key>"' });
    await expect(keyless.generate({ model: 'default', prompt: KNOWN, stream: false })).rejects.toMatchObject({ status_code: 401 });
    const wrong = new Ollama({ host: s.url, headers: { Authorization: 'Bearer open sesam' } });
    await expect(wrong.list()).rejects.toMatchObject({ status_code: 401, error: 'the API key is not valid for this server' });
    const metrics = await fetch(`${s.url}/metrics`);
    expect(metrics.status).toBe(401);
    expect(metrics.headers.get('www-authenticate')).toBe('Bearer');
    expect((await fetch(`${s.url}/health`)).status).toBe(200);
    // the key's owner: the real client with the header
    expect((await s.ollama.list()).models[0].name).toBe('default:latest');
    expect((await s.ollama.generate({ model: 'default', prompt: KNOWN, stream: false })).response).toBe(' Uten');
  });
});

describe('one slot, a queue of one', () => {
  let s: RunningServer;
  beforeAll(async () => {
    s = await startServer({ parallel: 1, queue: 1, contextSize: 4096, onWarning: () => undefined });
  });
  afterAll(() => s?.close());

  test('a client that aborts mid-stream frees its slot at once: the next request is served, the server stays healthy', async () => {
    const stream = await s.ollama.generate({ ...LONG, stream: true });
    const it = stream[Symbol.asyncIterator]();
    for (let i = 0; i < 3; i++) expect((await it.next()).done).toBe(false);
    expect(s.server.service.occupancy.busy).toBe(1);
    const abortedAt = Date.now();
    stream.abort();
    // lines already received may still come; then the stream fails instead of ending
    await expect(drain(it)).rejects.toThrow();
    // the whole generation would take many seconds; the slot is back within a token or two
    await waitFor(() => s.server.service.occupancy.busy === 0, 1000, 'the aborted stream frees its slot');
    const next = await s.ollama.generate({ model: 'default', prompt: KNOWN, stream: false });
    expect(next.response).toBe(' Uten');
    expect(Date.now() - abortedAt).toBeLessThan(2000);
    expect((await fetch(`${s.url}/health`)).status).toBe(200);
  });

  test('a non-streamed request whose client disconnects frees its slot too', async () => {
    const controller = new AbortController();
    const pending = fetch(`${s.url}/api/generate`, { method: 'POST', body: JSON.stringify({ ...LONG, stream: false }), signal: controller.signal });
    await waitFor(() => s.server.service.occupancy.busy === 1, 2000, 'the request takes the slot');
    controller.abort();
    await expect(pending).rejects.toThrow();
    await waitFor(() => s.server.service.occupancy.busy === 0, 1000, 'the disconnected request frees its slot');
  });

  test('the queue full: 429 with Retry-After; a queued client that leaves gives its place up', async () => {
    const holder = await s.ollama.generate({ ...LONG, stream: true });
    const it = holder[Symbol.asyncIterator]();
    await it.next();
    const waiter = new AbortController();
    const queued = fetch(`${s.url}/api/generate`, { method: 'POST', body: JSON.stringify({ model: 'default', prompt: KNOWN, stream: false }), signal: waiter.signal });
    await waitFor(() => s.server.service.occupancy.queued === 1, 2000, 'the second request waits in the queue');

    const refused = await post(`${s.url}/api/generate`, { model: 'default', prompt: KNOWN, stream: false });
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({ error: expect.stringMatching(/^all 1 generation slots are busy and 1 requests are already waiting; retry in \d+ s$/) });
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
    // the real client sees the same
    await expect(s.ollama.chat({ model: 'default', messages: [{ role: 'user', content: 'hi' }], stream: false })).rejects.toMatchObject({ status_code: 429 });

    waiter.abort();
    await expect(queued).rejects.toThrow();
    await waitFor(() => s.server.service.occupancy.queued === 0, 1000, 'the queued client leaves the queue');
    holder.abort();
    await expect(drain(it)).rejects.toThrow();
    await waitFor(() => s.server.service.occupancy.busy === 0, 1000, 'the slot is free again');
    expect((await s.ollama.generate({ model: 'default', prompt: KNOWN, stream: false })).response).toBe(' Uten');
  });

  test('/metrics: requests by route and status, tokens in and out, tokens/s, queue depth, slots', async () => {
    const before = await (await fetch(`${s.url}/metrics`)).text();
    const generated = (t: string) => Number(/^cogito_generated_tokens_total (\d+)$/m.exec(t)?.[1]);
    const r = await s.ollama.generate({ model: 'default', prompt: KNOWN, stream: false });
    const res = await fetch(`${s.url}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(generated(text) - generated(before)).toBe(r.eval_count);
    expect(text).toMatch(/^cogito_requests_total\{route="\/api\/generate",method="POST",status="200"\} \d+$/m);
    expect(text).toMatch(/^cogito_requests_total\{route="\/api\/generate",method="POST",status="429"\} [1-9]\d*$/m);
    expect(text).toMatch(/^cogito_prompt_tokens_total [1-9]\d*$/m);
    expect(text).toMatch(/^cogito_generation_tokens_per_second [\d.e+]+$/m);
    expect(text).toMatch(/^cogito_queue_depth 0$/m);
    expect(text).toMatch(/^cogito_slots 1$/m);
    expect(text).toMatch(/^cogito_refusals_total 0$/m);
  });
});
