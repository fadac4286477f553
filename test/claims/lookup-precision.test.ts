import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadLogicBackend, lookupOptions } from '../../src/claims';
import { Vks, seedVks, SEED_AXIOMS } from '../../src/vks';

/**
 * Precision and recall of the VKS lookup on paraphrases and near-misses (a claim that adds, drops
 * or negates one thing). Two sets: lookup-dev.jsonl (the rule was tuned on it) and
 * lookup-heldout.jsonl (written before the rule, never tuned on). A wrong hit is a lookup that
 * answers with a record the query does not state; the held-out bar is zero of them.
 */
const DATA = join(__dirname, '..', 'vks', 'data');

interface Item {
  query: string;
  expect: string | null;
  kind: 'paraphrase' | 'near-miss';
}

function readJsonl<T>(file: string): T[] {
  return readFileSync(join(DATA, file), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as T);
}

const SEED_KEYS: Record<string, string> = { cogito: SEED_AXIOMS[0].text, 'sum-existo': SEED_AXIOMS[1].text, 'whatever-thinks': SEED_AXIOMS[2].text };

export interface LookupScore {
  items: number;
  paraphrases: number;
  hits: number;
  correct: number;
  wrong: string[];
  missed: string[];
  precision: number;
  recall: number;
}

/** Seeds a store as `cogito vks seed` does, adds the other records, and scores one set. */
export function scoreLookup(file: string): LookupScore {
  const logic = loadLogicBackend();
  const vks = Vks.open(':memory:', lookupOptions(logic));
  try {
    seedVks(vks, (t) => logic.canonical(t));
    const idOf = new Map<string, string>();
    for (const r of readJsonl<{ key: string; seed: boolean; text: string | null }>('lookup-records.jsonl')) {
      if (r.seed) idOf.set(r.key, vks.lookup(SEED_KEYS[r.key])!.record.id);
      else idOf.set(r.key, vks.add({ tier: 'DERIVED', text: r.text!, status: 'VERIFIED', method: 'Z3' }).id);
    }
    const keyOf = new Map([...idOf].map(([k, id]) => [id, k]));
    const items = readJsonl<Item>(file);
    const s: LookupScore = { items: items.length, paraphrases: 0, hits: 0, correct: 0, wrong: [], missed: [], precision: 1, recall: 1 };
    for (const item of items) {
      const hit = vks.lookup(item.query);
      const got = hit ? keyOf.get(hit.record.id) ?? '?' : null;
      if (item.expect) s.paraphrases++;
      if (got) s.hits++;
      if (got && got === item.expect) s.correct++;
      else if (got) s.wrong.push(`${item.query} -> ${got}`);
      if (item.expect && got !== item.expect) s.missed.push(item.query);
    }
    s.precision = s.hits ? s.correct / s.hits : 1;
    s.recall = s.paraphrases ? s.correct / s.paraphrases : 1;
    return s;
  } finally {
    vks.close();
  }
}

describe('VKS lookup: precision first, then recall', () => {
  const report: Record<string, LookupScore> = {};
  afterAll(() => {
    const line = (name: string, s: LookupScore) =>
      `${name}: ${s.items} items, ${s.paraphrases} paraphrases; hits ${s.hits}, correct ${s.correct}, wrong ${s.wrong.length}; ` +
      `precision ${s.precision.toFixed(3)}, recall ${s.recall.toFixed(3)}${s.missed.length ? `; missed: ${s.missed.join(' | ')}` : ''}`;
    process.stdout.write(`\n${Object.entries(report).map(([n, s]) => line(n, s)).join('\n')}\n`);
  });

  test('dev set (tuned on)', () => {
    const s = (report.dev = scoreLookup('lookup-dev.jsonl'));
    expect(s.wrong).toEqual([]);
    expect(s.recall).toBeGreaterThanOrEqual(0.8);
  });

  test('held-out set (never tuned on): zero wrong hits on its near-misses', () => {
    const s = (report.heldout = scoreLookup('lookup-heldout.jsonl'));
    expect(s.wrong).toEqual([]);
  });
});
