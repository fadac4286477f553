// The oracle client against real servers on loopback: a real `cogito serve` (the default model)
// answering a held-out frequent question through both APIs, and plain Node HTTP servers for each
// way an oracle fails (no reply, an error status, a reply that is not a chat answer, a closed port).
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { createOracle, isOracleRefusal, oracleMessages, OracleError } from '../../src/cascade/oracle';
import type { OracleQuery } from '../../src/cascade/types';
import { AbortError } from '../../src/engine/errors';
import { normaliseAnswer } from '../../src/loom/judge';
import { CogitoError, InvalidOptionError } from '../../src/util/errors';
import { repoRoot } from '../support/engine';
import { defaultSidecar, startServer, type RunningServer } from '../support/serve';

interface HeldOut {
  id: string;
  question: string;
  answers: string[];
  bucket: string;
}
const heldOut: HeldOut[] = readFileSync(path.join(repoRoot, 'models', 'default.heldout.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as HeldOut);
// a held-out frequent fact the default model answers (test/serve checks the same one token for token)
const FREQUENT = heldOut.find((h) => h.id === 'home:Tuten')!;

const REFUSAL: OracleQuery = { question: FREQUENT.question, errorType: 'refusal' };

/** A Node HTTP server on 127.0.0.1 whose handler is the test's; records each request body. */
async function localServer(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<{ url: string; bodies: unknown[]; server: Server }> {
  const bodies: unknown[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      bodies.push({ path: req.url, headers: req.headers, json: body ? (JSON.parse(body) as unknown) : null });
      handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies, server };
}

async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

describe('against a real cogito serve (the default model with its sidecar)', () => {
  let s: RunningServer;
  beforeAll(async () => {
    s = await startServer({ sidecarPath: defaultSidecar, contextSize: 256, onWarning: () => undefined });
  });
  afterAll(async () => {
    await s?.close();
  });

  test.each(['ollama', 'openai'] as const)('%s: a held-out frequent question is answered right, as the model names itself', async (api) => {
    const oracle = createOracle({ url: s.url, api, model: 'default', style: 'question' });
    expect(oracle.describe).toContain(api === 'ollama' ? '/api/chat' : '/v1/chat/completions');
    const reply = await oracle.ask(REFUSAL);
    expect(FREQUENT.answers.map(normaliseAnswer)).toContain(normaliseAnswer(reply.text));
    expect(reply.text).toBe(reply.text.trim());
    expect(reply.model).toBe('default');
    expect(reply.elapsedMs).toBeGreaterThan(0);
    expect(isOracleRefusal(reply.text)).toBe(false);
  });

  test.each(['ollama', 'openai'] as const)("%s: the sidecar's refusal comes back as a refusal", async (api) => {
    // the sidecar's probes doubt the base on this one (test/serve checks the same question)
    const reply = await createOracle({ url: s.url, api, model: 'default' }).ask({ question: 'What work does Stes do?', errorType: 'refusal' });
    expect(isOracleRefusal(reply.text)).toBe(true);
  });

  test('openai: a base URL ending in /v1 reaches the same endpoint', async () => {
    const oracle = createOracle({ url: `${s.url}/v1/`, api: 'openai', model: 'default' });
    expect(oracle.describe).toContain(`${s.url}/v1/chat/completions`);
    expect(FREQUENT.answers.map(normaliseAnswer)).toContain(normaliseAnswer((await oracle.ask(REFUSAL)).text));
  });

  test.each(['ollama', 'openai'] as const)('%s: a model the server does not serve is an HTTP error quoting the server', async (api) => {
    const oracle = createOracle({ url: s.url, api, model: 'no-such-model' });
    const err = await oracle.ask(REFUSAL).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OracleError);
    expect(err).toMatchObject({ code: 'ORACLE_HTTP', status: 404 });
    expect((err as Error).message).toMatch(/no-such-model.*(not found|does not exist)/);
  });
});

// The oracle of tests and benchmarks (issue 17): the same world, a larger model that knows the rare
// facts. Runs once models/oracle.gguf is in the checkout (the recipe makes it).
const ORACLE_MODEL = path.join(repoRoot, 'models', 'oracle.gguf');
(existsSync(ORACLE_MODEL) ? describe : describe.skip)('against a real cogito serve of the oracle model', () => {
  let s: RunningServer;
  beforeAll(async () => {
    s = await startServer({ modelPath: ORACLE_MODEL, contextSize: 256, onWarning: () => undefined });
  });
  afterAll(async () => {
    await s?.close();
  });

  test('rare held-out facts, which the default model mostly misses, come back right', async () => {
    const rare = heldOut.filter((h) => h.bucket === 'rare').slice(0, 10);
    const oracle = createOracle({ url: s.url, api: 'ollama', model: 'oracle', style: 'question' });
    let right = 0;
    for (const h of rare) {
      const reply = await oracle.ask({ question: h.question, claim: h.question, errorType: 'unverified' });
      if (h.answers.map(normaliseAnswer).includes(normaliseAnswer(reply.text))) right++;
    }
    // the model is held to >= 90 % on the whole rare bucket; 8 of these 10 leaves room for sampling
    expect(right).toBeGreaterThanOrEqual(8);
  });
});

describe('the request sent', () => {
  let local: Awaited<ReturnType<typeof localServer>>;
  beforeAll(async () => {
    local = await localServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      const ollama = req.url === '/api/chat';
      res.end(JSON.stringify(ollama ? { model: 'm', message: { role: 'assistant', content: '  Borl \n' }, done: true } : { model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'Borl' } }] }));
    });
  });
  afterAll(async () => closeServer(local.server));

  test('ollama: non-streamed, temperature 0, a short token limit, the key as a bearer token; the reply trimmed', async () => {
    local.bodies.length = 0;
    const oracle = createOracle({ url: local.url, api: 'ollama', model: 'big', apiKey: 'sk-test', maxTokens: 12 });
    const reply = await oracle.ask(REFUSAL);
    expect(reply).toMatchObject({ text: 'Borl', model: 'm' });
    expect(local.bodies).toEqual([
      {
        path: '/api/chat',
        headers: expect.objectContaining({ authorization: 'Bearer sk-test', 'content-type': 'application/json' }),
        json: { model: 'big', stream: false, options: { temperature: 0, num_predict: 12 }, messages: [{ role: 'user', content: FREQUENT.question }] },
      },
    ]);
  });

  test('openai: the same on /v1/chat/completions with max_tokens; no key, no authorization header', async () => {
    local.bodies.length = 0;
    const reply = await createOracle({ url: local.url, api: 'openai', model: 'big' }).ask(REFUSAL);
    expect(reply.text).toBe('Borl');
    const [sent] = local.bodies as { path: string; headers: Record<string, string>; json: Record<string, unknown> }[];
    expect(sent.path).toBe('/v1/chat/completions');
    expect(sent.headers.authorization).toBeUndefined();
    expect(sent.json).toEqual({ model: 'big', stream: false, temperature: 0, max_tokens: 64, messages: [{ role: 'user', content: FREQUENT.question }] });
  });

  test('review style: a system turn, then the query worded by its error type with the claim, the evidence and what failed', async () => {
    local.bodies.length = 0;
    const query: OracleQuery = {
      question: 'What is the capital of Uten?',
      claim: 'The capital of Uten is Pell.',
      errorType: 'wrong-fact',
      evidence: 'world:capital:Uten: "The capital of Uten is Borl."',
      failure: 'the corpus names another capital',
    };
    await createOracle({ url: local.url, api: 'openai', model: 'big', style: 'review' }).ask(query);
    const messages = (local.bodies[0] as { json: { messages: { role: string; content: string }[] } }).json.messages;
    expect(messages.map((m) => m.role)).toEqual(['system', 'user']);
    expect(messages[0].content).toMatch(/I don't know/);
    for (const part of [query.question, query.claim!, query.evidence!, query.failure!]) expect(messages[1].content).toContain(part);
    // each error type opens the review differently
    const openings = (['wrong-fact', 'unsupported-inference', 'unresolved-reference', 'refusal', 'unverified'] as const).map((errorType) => oracleMessages({ ...query, errorType }, 'review')[1].content.split('\n')[0]);
    expect(new Set(openings).size).toBe(5);
    // a refusal has no claim: nothing is invented for it
    expect(oracleMessages({ question: 'Q?', errorType: 'refusal' }, 'review')[1].content).not.toMatch(/Claim:|Evidence|What failed/);
  });
});

describe('failures', () => {
  test('a server that never answers: ORACLE_TIMEOUT after timeoutMs', async () => {
    const silent = await localServer(() => undefined);
    try {
      const started = Date.now();
      const err = await createOracle({ url: silent.url, api: 'ollama', model: 'm', timeoutMs: 300 }).ask(REFUSAL).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OracleError);
      expect(err).toMatchObject({ code: 'ORACLE_TIMEOUT' });
      expect((err as Error).message).toContain('300 ms');
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await closeServer(silent.server);
    }
  });

  test('a server that sends its headers and stalls in the body: ORACLE_TIMEOUT too', async () => {
    const stalling = await localServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"model":"m",');
    });
    try {
      await expect(createOracle({ url: stalling.url, api: 'openai', model: 'm', timeoutMs: 300 }).ask(REFUSAL)).rejects.toMatchObject({ code: 'ORACLE_TIMEOUT' });
    } finally {
      await closeServer(stalling.server);
    }
  });

  test("the caller's own abort is ABORTED, not a timeout", async () => {
    const silent = await localServer(() => undefined);
    try {
      const controller = new AbortController();
      const pending = createOracle({ url: silent.url, api: 'ollama', model: 'm', timeoutMs: 10_000 }).ask(REFUSAL, controller.signal);
      setTimeout(() => controller.abort(), 100);
      const err = await pending.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AbortError);
      expect(err).toMatchObject({ code: 'ABORTED' });
      // already aborted: nothing is sent
      silent.bodies.length = 0;
      await expect(createOracle({ url: silent.url, api: 'ollama', model: 'm' }).ask(REFUSAL, AbortSignal.abort())).rejects.toBeInstanceOf(AbortError);
      expect(silent.bodies).toEqual([]);
    } finally {
      await closeServer(silent.server);
    }
  });

  test.each([
    ['ollama', { error: 'model is overloaded' }, 'model is overloaded'],
    ['openai', { error: { message: 'upstream exploded', type: 'server_error' } }, 'upstream exploded'],
    ['openai', 'Internal Server Error (plain text)', 'Internal Server Error (plain text)'],
  ] as const)('%s: HTTP 500 is ORACLE_HTTP with the status and the server\'s message (%j)', async (api, body, said) => {
    const failing = await localServer((_req, res) => {
      res.writeHead(500, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json' });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    });
    try {
      const err = await createOracle({ url: failing.url, api, model: 'm' }).ask(REFUSAL).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OracleError);
      expect(err).toMatchObject({ code: 'ORACLE_HTTP', status: 500 });
      expect((err as Error).message).toContain('HTTP 500');
      expect((err as Error).message).toContain(said);
    } finally {
      await closeServer(failing.server);
    }
  });

  test.each([
    ['ollama', '{"model":"m","message":{"role":"assistant","content":"Bo', /not JSON/],
    ['ollama', '<html>hello</html>', /not JSON: <html>hello<\/html>/],
    ['ollama', JSON.stringify({ model: 'm', response: 'Borl', done: true }), /no message\.content/],
    ['openai', JSON.stringify({ model: 'm', choices: [] }), /no choices\[0\]\.message\.content/],
    ['openai', JSON.stringify({ model: 'm', choices: [{ message: { content: null } }] }), /no choices\[0\]\.message\.content/],
    ['openai', 'null', /no choices/],
  ] as const)('%s: a malformed reply (%s) is ORACLE_MALFORMED', async (api, body, message) => {
    const malformed = await localServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body);
    });
    try {
      const err = await createOracle({ url: malformed.url, api, model: 'm' }).ask(REFUSAL).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OracleError);
      expect(err).toMatchObject({ code: 'ORACLE_MALFORMED' });
      expect((err as Error).message).toMatch(message);
    } finally {
      await closeServer(malformed.server);
    }
  });

  test('a closed port: ORACLE_UNREACHABLE naming the network error', async () => {
    const gone = await localServer(() => undefined);
    await closeServer(gone.server);
    const err = await createOracle({ url: gone.url, api: 'openai', model: 'm', timeoutMs: 5000 }).ask(REFUSAL).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OracleError);
    expect(err).toMatchObject({ code: 'ORACLE_UNREACHABLE' });
    expect((err as Error).message).toContain('ECONNREFUSED');
    expect((err as Error).message).toContain(gone.url);
  });
});

describe('options and queries', () => {
  test.each([
    [{ url: 'ftp://127.0.0.1:1', api: 'ollama', model: 'm' }, /http or https/],
    [{ url: 'not a url', api: 'ollama', model: 'm' }, /not a URL/],
    [{ url: 'http://127.0.0.1:1/?x=1', api: 'ollama', model: 'm' }, /without a query/],
    [{ url: 'http://127.0.0.1:1', api: 'anthropic', model: 'm' }, /api must be one of ollama, openai/],
    [{ url: 'http://127.0.0.1:1', api: 'ollama', model: ' ' }, /model must be a non-empty name/],
    [{ url: 'http://127.0.0.1:1', api: 'ollama', model: 'm', timeoutMs: 0 }, /timeoutMs/],
    [{ url: 'http://127.0.0.1:1', api: 'ollama', model: 'm', timeoutMs: 1.5 }, /timeoutMs/],
    [{ url: 'http://127.0.0.1:1', api: 'ollama', model: 'm', maxTokens: -1 }, /maxTokens/],
    [{ url: 'http://127.0.0.1:1', api: 'ollama', model: 'm', style: 'essay' }, /style must be one of question, review/],
    [{ url: 'http://127.0.0.1:1', api: 'ollama', model: 'm', apiKey: 'a\nb' }, /apiKey/],
  ])('rejected at creation: %j', (options, message) => {
    const attempt = () => createOracle(options as unknown as Parameters<typeof createOracle>[0]);
    expect(attempt).toThrow(InvalidOptionError);
    expect(attempt).toThrow(message);
  });

  test('an empty question is rejected before anything is sent', async () => {
    const oracle = createOracle({ url: 'http://127.0.0.1:1', api: 'ollama', model: 'm' });
    await expect(oracle.ask({ question: '  ', errorType: 'refusal' })).rejects.toBeInstanceOf(InvalidOptionError);
  });

  test('every failure is a CogitoError', () => {
    expect(new OracleError('x', 'ORACLE_HTTP', 500)).toBeInstanceOf(CogitoError);
  });
});

describe('isOracleRefusal', () => {
  test.each(['', '   ', "I don't know.", 'I don’t know', 'i do not know', 'Unknown', 'I am not sure.', "I'm unable to answer that.", 'N/A', '"I don\'t know"'])('%j is a refusal', (text) => {
    expect(isOracleRefusal(text)).toBe(true);
  });
  test.each(['Borl', 'The capital of Uten is Borl.', 'Unknownland is a country', 'Not surely Borl: it is Pell', 'No, it is Pell.', 'I know: Borl.'])('%j is an answer', (text) => {
    expect(isOracleRefusal(text)).toBe(false);
  });
});
