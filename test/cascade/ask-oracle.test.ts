// The cascade's last step against real servers on loopback: a `cogito serve` of the default model
// without its sidecar (it answers rare facts the sidecar-guarded draft declines), one with it (it
// says "I don't know."), a closed port and a server that answers 503. The oracle's answer is
// stored below a proof; each failure leaves the claim UNVERIFIED with the reason, never a crash.
import * as fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { Cascade, type AskResult, type Oracle } from '../../src/cascade';
import { createOracle } from '../../src/cascade/oracle';
import { repoRoot, tempDir } from '../support/engine';
import { defaultSidecar, startServer, type RunningServer } from '../support/serve';

let dir: string;
let knowing: RunningServer;
let declining: RunningServer;
let failing: Server;
let failingUrl: string;
let closedUrl: string;
const open: Cascade[] = [];

async function cascadeWith(oracle: Oracle): Promise<Cascade> {
  const c = await Cascade.open({ vks: path.join(dir, `vks-${open.length}.db`), oracle, threads: 1 });
  open.push(c);
  return c;
}

beforeAll(async () => {
  dir = tempDir('cogito-ask-oracle-');
  knowing = await startServer({ contextSize: 64, threads: 1, onWarning: () => undefined });
  declining = await startServer({ sidecarPath: defaultSidecar, contextSize: 64, threads: 1, onWarning: () => undefined });
  failing = createServer((_req, res) => {
    res.writeHead(503, { 'content-type': 'application/json' });
    res.end('{"error":"overloaded"}');
  });
  await new Promise<void>((resolve) => failing.listen(0, '127.0.0.1', resolve));
  failingUrl = `http://127.0.0.1:${(failing.address() as AddressInfo).port}`;
  // a port that was just free and is closed again: nothing listens there
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  closedUrl = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
});

afterAll(async () => {
  for (const c of open) await c.close();
  await knowing?.close();
  await declining?.close();
  failing?.closeAllConnections();
  await new Promise<void>((resolve) => (failing ? failing.close(() => resolve()) : resolve()));
  fs.rmSync(dir, { recursive: true, force: true });
});

const only = (r: AskResult) => {
  expect(r.claims).toHaveLength(1);
  return r.claims[0];
};

// a rare fact the corpus leaves out: the sidecar declines it, the plain model knows it (bell)
const RARE = 'Which instrument does Muris play?';

test('a refused rare fact: answered by the oracle but left UNVERIFIED (its word is not a check), stored CONTESTED below a proof, then answered from the VKS without calling it', async () => {
  const cascade = await cascadeWith(createOracle({ url: knowing.url, api: 'openai', model: 'default' }));
  // many records of the same frame about other people: the fact is still found among them the next time
  const pack = JSON.parse(fs.readFileSync(path.join(repoRoot, 'models', 'default.domain.json'), 'utf8')) as { vocabulary: { kinds: { person: string[] } } };
  for (const person of pack.vocabulary.kinds.person.filter((p) => p !== 'Muris').slice(0, 30)) {
    cascade.vks.add({ tier: 'FACTUAL', text: `${person} plays the harp.`, status: 'VERIFIED', method: 'CORPUS' });
  }
  const first = await cascade.ask(RARE);
  expect(first).toMatchObject({ draft: '', status: 'UNVERIFIED', final: 'Muris plays the bell.', oracle_calls: 1 });
  expect(only(first)).toMatchObject({ status: 'UNVERIFIED', source: 'ORACLE' });
  expect(only(first).reason).toMatch(/^the model refused; answered from the oracle; nothing here could check the oracle's answer \(oracle openai /);
  expect(only(first).reference).toMatch(/^oracle openai .*\/v1\/chat\/completions \(default, \d+ ms\)$/);
  expect(first.timings_ms.oracle).toBeGreaterThan(0);
  expect(cascade.vks.lookup('Muris plays the bell.')?.record).toMatchObject({ tier: 'CONTESTED', method: 'ORACLE', status: 'VERIFIED' });

  const second = await cascade.ask(RARE);
  expect(second).toMatchObject({ status: 'UNVERIFIED', final: 'Muris plays the bell.', oracle_calls: 0 });
  expect(only(second)).toMatchObject({ source: 'VKS', reason: expect.stringMatching(/the oracle said so earlier; nothing here could check/) });

  // a claim to check about the same fact: corrected from what the VKS holds, no oracle call
  const check = await cascade.ask('Is it true that Muris plays the drum?');
  expect(check).toMatchObject({ status: 'CORRECTED', final: 'Muris plays the bell.', oracle_calls: 0 });
  expect(only(check)).toMatchObject({ source: 'VKS', correction: 'Muris plays the bell.' });
});

test('an unchecked claim the oracle answers otherwise is CORRECTED by the oracle (ollama API)', async () => {
  const cascade = await cascadeWith(createOracle({ url: knowing.url, api: 'ollama', model: 'default' }));
  const r = await cascade.ask('Is it true that Muris plays the drum?');
  expect(r).toMatchObject({ status: 'CORRECTED', oracle_calls: 1 });
  expect(only(r)).toMatchObject({ text: 'Muris plays the drum.', status: 'CORRECTED', source: 'ORACLE', correction: 'Muris plays the bell.' });
  expect(cascade.vks.lookup('Muris plays the drum.')?.record).toMatchObject({ tier: 'CONTESTED', status: 'REFUTED', method: 'ORACLE' });
});

test('an oracle that does not know: the claim stays UNVERIFIED, a refusal stays REFUSED, each saying so', async () => {
  const cascade = await cascadeWith(createOracle({ url: declining.url, api: 'openai', model: 'default' }));
  const refused = await cascade.ask(RARE);
  expect(refused).toMatchObject({ status: 'REFUSED', claims: [], oracle_calls: 1 });
  expect(refused.annotated).toMatch(/^\[REFUSED: the model declined to answer; the oracle \(.*\) does not know either\]$/);
  const claim = await cascade.ask('Is it true that Muris plays the drum?');
  expect(claim).toMatchObject({ status: 'UNVERIFIED', oracle_calls: 1 });
  expect(only(claim).reason).toMatch(/does not know either$/);
  expect(cascade.vks.lookup('Muris plays the drum.')).toBeNull();
});

test.each([
  ['unreachable (a closed port)', () => closedUrl, /the oracle failed: .*(ECONNREFUSED|unreachable)/i],
  ['failing (HTTP 503)', () => failingUrl, /the oracle failed: .*503/],
])('an oracle that is %s degrades to UNVERIFIED / REFUSED with the reason, never a crash', async (_name, url, reason) => {
  const cascade = await cascadeWith(createOracle({ url: url(), api: 'openai', model: 'default', timeoutMs: 5000 }));
  const refused = await cascade.ask(RARE);
  expect(refused).toMatchObject({ status: 'REFUSED', oracle_calls: 1 });
  expect(refused.annotated).toMatch(reason);
  const claim = await cascade.ask('Is it true that Muris plays the drum?');
  expect(claim.status).toBe('UNVERIFIED');
  expect(only(claim).reason).toMatch(reason);
});
