// Many clients at once: 16 concurrent questions through 4 slots each get the answer they get alone,
// and a bounded load test on loopback — 1,000 small non-streamed generations at 8 concurrent through
// the slots and the queue, zero errors, the latency percentiles printed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../support/engine';
import { startServer, type RunningServer } from '../support/serve';

// autocannon ships no types: the part of its result this test reads
interface AutocannonResult {
  requests: { total: number };
  latency: { p50: number; p99: number; average: number; max: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
  duration: number;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (options: Record<string, unknown>) => Promise<AutocannonResult>;

let s: RunningServer;
beforeAll(async () => {
  s = await startServer({ parallel: 4, queue: 16, contextSize: 64, onWarning: () => undefined });
});
afterAll(() => s?.close());

test("a conversation's next turn goes to the slot that holds its history: only the new tokens are read", async () => {
  const service = s.server.service;
  const turn1 = [{ role: 'user', content: 'What country is Tuten from?' }];
  const first = await service.chat(turn1);
  expect(first.text).toBe(' Uten');
  const second = await service.chat([...turn1, { role: 'assistant', content: first.text }, { role: 'user', content: 'What does Tuten do for a living?' }]);
  // four slots, three of them empty: the one that read the first turn is chosen, its cache reused
  expect(second.cachedPromptTokens).toBeGreaterThanOrEqual(first.promptTokens);
  expect(second.promptTokens).toBeGreaterThan(second.cachedPromptTokens);
});

test('16 clients at once through 4 slots: each gets the answer it gets alone', async () => {
  const questions = readFileSync(join(repoRoot, 'models', 'default.heldout.jsonl'), 'utf8').trim().split('\n').slice(0, 16)
    .map((line) => `Question: ${(JSON.parse(line) as { question: string }).question}\nAnswer:`);
  const ask = (prompt: string) => s.ollama.generate({ model: 'default', prompt, stream: false, options: { temperature: 0 } });
  const alone = [];
  for (const q of questions) alone.push(await ask(q));
  const together = await Promise.all(questions.map(ask));
  expect(together.map((r) => r.response)).toEqual(alone.map((r) => r.response));
  expect(together.map((r) => r.eval_count)).toEqual(alone.map((r) => r.eval_count));
  // not all the same answer: the comparison means something
  expect(new Set(alone.map((r) => r.response)).size).toBeGreaterThan(8);
});

test('1,000 requests at 8 concurrent through 4 slots: all answered 200, none dropped', async () => {
  const body = JSON.stringify({ model: 'default', prompt: 'Question: What country is Tuten from?\nAnswer:', stream: false, options: { num_predict: 4 } });
  const result = await autocannon({
    url: `${s.url}/api/generate`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections: 8,
    amount: 1000,
    // a stuck request fails the run instead of hanging it
    timeout: 20,
  });
  process.stdout.write(`serve load: ${result.requests.total} requests at 8 concurrent in ${result.duration.toFixed(1)} s: p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms\n`);
  expect({ total: result.requests.total, ok: result['2xx'], non2xx: result.non2xx, errors: result.errors, timeouts: result.timeouts }).toEqual({ total: 1000, ok: 1000, non2xx: 0, errors: 0, timeouts: 0 });
  expect((await fetch(`${s.url}/health`)).status).toBe(200);
  expect(s.server.service.occupancy).toEqual({ slots: 4, busy: 0, queued: 0 });
});
