import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClaimRouter, loadLogicBackend, lookupOptions, readQuestion } from '../../src/claims';
import type { ClaimVerdict } from '../../src/claims';
import { DESCARTES_VOCABULARY, FactualVerifier, openDescartesCorpus } from '../../src/corpus';
import { Vks, seedVks } from '../../src/vks';

/**
 * The claim-level part of three benchmark suites (bench/suites/*.jsonl), through the claims API:
 * readQuestion → the router's check of the posed claim, against a VKS seeded as `cogito vks seed`
 * seeds it and the built-in Descartes corpus. The goals are the issue's; the counts are printed.
 */
interface SuiteLine {
  id: string;
  question: string;
  expect: { status?: string; source?: string };
}

const SUITES = join(__dirname, '..', '..', 'bench', 'suites');

function suite(name: string): SuiteLine[] {
  return readFileSync(join(SUITES, `${name}.jsonl`), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as SuiteLine);
}

describe('benchmark suites, claim level', () => {
  const logic = loadLogicBackend();
  const vks = Vks.open(':memory:', lookupOptions(logic));
  seedVks(vks, (t) => logic.canonical(t));
  const corpus = openDescartesCorpus();
  // record: false, so no question is answered from what an earlier one wrote
  const router = new ClaimRouter({ vks, formal: logic, factual: new FactualVerifier(corpus), vocabulary: DESCARTES_VOCABULARY, record: false });
  const counts: Record<string, string> = {};
  afterAll(() => {
    process.stdout.write(`\n${Object.entries(counts).map(([k, v]) => `${k}: ${v}`).join('\n')}\n`);
    vks.close();
    corpus.close();
  });

  async function run(name: string): Promise<Array<{ line: SuiteLine; verdict: ClaimVerdict | null }>> {
    const out: Array<{ line: SuiteLine; verdict: ClaimVerdict | null }> = [];
    for (const line of suite(name)) {
      const shape = readQuestion(line.question);
      out.push({ line, verdict: shape.kind === 'check' ? await router.check(shape.claim) : null });
    }
    return out;
  }

  test('cogito-variants: at least 18 of 20 phrasings of the Cogito are answered VERIFIED from the VKS', async () => {
    const results = await run('cogito-variants');
    expect(results).toHaveLength(20);
    for (const { line } of results) expect(line.expect).toEqual({ status: 'VERIFIED', source: 'VKS' });
    const hits = results.filter((r) => r.verdict?.source === 'VKS' && r.verdict.status === 'VERIFIED');
    const misses = results.filter((r) => !hits.includes(r)).map((r) => r.line.question);
    counts['cogito-variants'] = `${hits.length}/20 VKS hits${misses.length ? `; missed: ${misses.join(' | ')}` : ''}`;
    expect(hits.length).toBeGreaterThanOrEqual(18);
  });

  test("arnauld: at least 8 of 10 claims about Arnauld's objections are supported by the corpus", async () => {
    const results = await run('arnauld');
    expect(results).toHaveLength(10);
    const supported = results.filter((r) => r.verdict?.source === 'CORPUS' && r.verdict.status === 'VERIFIED');
    const misses = results.filter((r) => !supported.includes(r)).map((r) => `${r.line.question} (${r.verdict?.status ?? 'no claim'}: ${r.verdict?.detail ?? ''})`);
    counts.arnauld = `${supported.length}/10 VERIFIED by the corpus${misses.length ? `; missed: ${misses.join(' | ')}` : ''}`;
    expect(supported.length).toBeGreaterThanOrEqual(8);
  });

  test('out-of-domain: at least 8 of 10 are not verified (the open ones pose no claim at this level)', async () => {
    const results = await run('out-of-domain');
    expect(results).toHaveLength(10);
    const notVerified = results.filter((r) => r.verdict?.status !== 'VERIFIED');
    const posed = results.filter((r) => r.verdict !== null);
    counts['out-of-domain'] = `${notVerified.length}/10 not VERIFIED (${posed.length} posed as checks, ${posed.filter((r) => r.verdict!.status !== 'VERIFIED').length} of them not VERIFIED)`;
    expect(notVerified.length).toBeGreaterThanOrEqual(8);
    // every claim posed as a check is out of the corpus' reach: none may come back VERIFIED
    expect(posed.filter((r) => r.verdict!.status === 'VERIFIED').map((r) => r.line.question)).toEqual([]);
  });
});
