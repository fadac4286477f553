// The cascade reads a router's advice (issue 18, item 5): on the real default model, its sidecar,
// corpus and VKS, with a real `cogito serve` of the default model as the oracle on loopback. SELF
// answers as drafted and checked (no self-repair, never the oracle); HYBRID is the full order;
// ORACLE skips self-repair and asks the oracle straight away; the oracle's word alone never makes
// [VERIFIED] on any route; no router leaves no route on the result.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Cascade, type AskResult, type Oracle, type RouteAdvice, type Router } from '../../src/cascade';
import { createOracle } from '../../src/cascade/oracle';
import { fixedRouter } from '../../src/cascade/route';
import { tempDir } from '../support/engine';
import { startServer, type RunningServer } from '../support/serve';

let dir: string;
let server: RunningServer;
let cascade: Cascade;
let plain: Cascade;
/** The advice the next question gets; the router also keeps what it was shown. */
let advice: RouteAdvice = 'HYBRID';
const seen: Array<{ question: string; refused: boolean; hasGeneration: boolean }> = [];
const router: Router = {
  route(question, draft) {
    seen.push({ question, refused: draft.refused, hasGeneration: draft.generation !== null });
    return { advice, confidence: 0.5, by: 'the test' };
  },
};

beforeAll(async () => {
  dir = tempDir('cogito-route-');
  server = await startServer({ contextSize: 64, threads: 1, onWarning: () => undefined });
  const oracle: Oracle = createOracle({ url: server.url, api: 'openai', model: 'default' });
  cascade = await Cascade.open({ vks: path.join(dir, 'vks.db'), oracle, router, threads: 1 });
  plain = await Cascade.open({ vks: ':memory:', threads: 1 });
});
afterAll(async () => {
  await cascade?.close();
  await plain?.close();
  await server?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function ask(route: RouteAdvice, question: string): Promise<AskResult> {
  advice = route;
  return cascade.ask(question);
}

const only = (r: AskResult) => {
  expect(r.claims).toHaveLength(1);
  return r.claims[0];
};

test('SELF: an unseen fact the model guesses is answered as drafted, unrepaired, and the oracle is never called; the route is on the result', async () => {
  const r = await ask('SELF', 'What language is spoken in Dreris?');
  expect(r).toMatchObject({ status: 'UNVERIFIED', oracle_calls: 0, route: { advice: 'SELF', confidence: 0.5, by: 'the test' } });
  expect(only(r).repairs).toEqual([]);
  expect(only(r).reason).toMatch(/routed SELF by the test: the oracle is not asked$/);
  expect(r.timings_ms).not.toHaveProperty('oracle');
  expect(r.timings_ms).not.toHaveProperty('repair');
  // the router saw the draft and its generation (the signals' source)
  expect(seen[seen.length - 1]).toEqual({ question: 'What language is spoken in Dreris?', refused: false, hasGeneration: true });

  // a refusal on SELF: the local sources are still asked (the corpus answers this one), the oracle is not
  const refusedKnown = await ask('SELF', 'In what year was the Discourse on the Method published?');
  expect(refusedKnown).toMatchObject({ status: 'VERIFIED', oracle_calls: 0, final: 'The Discourse on the Method was published in 1637.' });
  const refused = await ask('SELF', 'Which instrument does Muris play?');
  expect(refused).toMatchObject({ status: 'REFUSED', oracle_calls: 0 });
  expect(refused.annotated).toMatch(/routed SELF by the test: the oracle is not asked\]$/);
});

test('SELF still checks against the corpus: a wrong draft is CORRECTED', async () => {
  const r = await ask('SELF', 'Who wrote the Fourth Objections to the Meditations?');
  expect(r).toMatchObject({ status: 'CORRECTED', oracle_calls: 0 });
  expect(only(r)).toMatchObject({ source: 'CORPUS', correction: 'Arnauld wrote the Fourth Objections.' });
});

test('HYBRID re-states before the oracle; ORACLE asks the oracle without any self-repair; neither makes the oracle\'s word VERIFIED', async () => {
  const hybrid = await ask('HYBRID', 'What work does Nena do?');
  expect(hybrid.oracle_calls).toBe(1);
  expect(only(hybrid).repairs.length).toBeGreaterThan(0);
  expect(hybrid.route?.advice).toBe('HYBRID');

  const direct = await ask('ORACLE', "What is Atrela's trade?");
  expect(direct.oracle_calls).toBe(1);
  expect(only(direct).repairs).toEqual([]);
  expect(direct.timings_ms).not.toHaveProperty('repair');
  expect(direct.timings_ms.oracle).toBeGreaterThan(0);
  expect(direct.route?.advice).toBe('ORACLE');
  for (const r of [hybrid, direct]) {
    expect(r.claims.filter((c) => c.status === 'VERIFIED' && c.source === 'ORACLE')).toEqual([]);
    expect(r.status).not.toBe('VERIFIED');
  }

  // a refusal on ORACLE goes to the oracle (the plain model answers rare facts the sidecar declines)
  const refused = await ask('ORACLE', 'What is the main language of Deron?');
  expect(refused).toMatchObject({ draft: '', oracle_calls: 1, status: 'UNVERIFIED', final: expect.stringMatching(/^The language of Deron is /) });
});

test('no router: no route on the result, the full order; a fixed router gives one advice and checks it', async () => {
  const r = await plain.ask('What instrument does Lana play?');
  expect(r).not.toHaveProperty('route');
  expect(fixedRouter('ORACLE', '--route').route()).toEqual({ advice: 'ORACLE', confidence: 0, by: '--route' });
  expect(() => fixedRouter('NEVER' as RouteAdvice)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
});
