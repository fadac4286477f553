import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  confirmVerdict,
  decideByTableau,
  decideByTreeModel,
  encodeTreeModel,
  parseFormula as P,
  readQmltpProblem,
  runQmltp,
  shutdownZ3,
  treeModelShape,
} from '../../src/logic';
import type { TreeModelLogic } from '../../src/logic';
import { SHARED_DATA } from './data';

afterAll(shutdownZ3);

const QMLTP = path.join(SHARED_DATA, 'qmltp-dev');
const LOGICS: TreeModelLogic[] = ['K', 'D', 'T'];

/**
 * Heavy cases (about 30 s each on an idle core, several minutes together) run only with
 * COGITO_HEAVY_TESTS=1.
 */
const heavy = process.env.COGITO_HEAVY_TESTS === '1' ? it : it.skip;

async function valid(premises: string[], conclusion: string, logic: TreeModelLogic): Promise<boolean | null> {
  return (await decideByTreeModel(premises.map((p) => P(p)), P(conclusion), logic, { timeoutMs: 20000 })).valid;
}

describe('tree-model SMT encoding (the second procedure)', () => {
  // Each formula is valid exactly in the logics listed (among K, D, T).
  const table: [string, TreeModelLogic[]][] = [
    ['□(p → q) → (□p → □q)', ['K', 'D', 'T']],
    ['□p → ◇p', ['D', 'T']],
    ['◇⊤', ['D', 'T']],
    ['□p → p', ['T']],
    ['p → ◇p', ['T']],
    ['□(□p → p)', ['T']],
    ['□□p → □p', ['T']],
    ['□p → □□p', []],
    ['p → □◇p', []],
    ['◇p → □◇p', []],
    ['□(p ∨ q) → (□p ∨ □q)', []],
    ['(◇p ∧ ◇q) → ◇(p ∧ q)', []],
    ['□(p ↔ q) → (◇p ↔ ◇q)', ['K', 'D', 'T']],
    ['¬(□◇p ⊕ ¬◇□¬p)', ['K', 'D', 'T']],
    ['□□(p ∧ q) → □□p', ['K', 'D', 'T']],
    ['◇(p ∨ q) ↔ (◇p ∨ ◇q)', ['K', 'D', 'T']],
    ['□◇⊤ ∨ ◇□⊥', ['K', 'D', 'T']],
    ['◇◇⊤ → ◇⊤', ['K', 'D', 'T']],
    ['□◇⊤', ['D', 'T']],
  ];
  it.each(table)('%s is valid exactly in %j', async (formula, validIn) => {
    for (const logic of LOGICS) expect([logic, await valid([], formula, logic)]).toEqual([logic, validIn.includes(logic)]);
  });

  it('reads premises as local assumptions at the root', async () => {
    expect(await valid(['p'], '□p', 'K')).toBe(false);
    expect(await valid(['□p'], 'p', 'K')).toBe(false);
    expect(await valid(['□p'], 'p', 'T')).toBe(true);
    expect(await valid(['□(p → q)', '◇p'], '◇q', 'K')).toBe(true);
    expect(await valid(['□(p → q)', '□p'], '◇q', 'K')).toBe(false);
    expect(await valid(['□(p → q)', '□p'], '◇q', 'D')).toBe(true);
  });

  it('writes one node per witness slot, by position in K and D and by modal depth in T', () => {
    const f = P('◇p ∧ ◇¬p ∧ □◇q');
    // K: the root witnesses ◇p and ◇¬p (□◇q, read positively, needs none); depth 1 witnesses ◇q.
    const k = treeModelShape([f], P('⊥'), 'K');
    expect(k.depth).toBe(2);
    expect(k.branching).toEqual([2, 1, 0]);
    expect(k.worlds).toBe(1 + 2 + 2);
    const t = treeModelShape([f], P('⊥'), 'T');
    // T: nodes read every sub-formula of small enough modal depth, so depths 0 and 1 both
    // witness ◇p, ◇¬p and ◇q.
    expect(t.branching).toEqual([3, 3, 0]);
    expect(t.worlds).toBe(1 + 3 + 9);
    // D: a level with only □ to satisfy still gets a successor.
    expect(treeModelShape([P('□p')], P('⊥'), 'D').branching).toEqual([1, 0]);
    expect(treeModelShape([P('□p')], P('⊥'), 'K').branching).toEqual([0, 0]);
  });

  it('uses only its own symbols, so formula names cannot clash', async () => {
    const script = encodeTreeModel([P('zebra ∧ □quux')], P('◇zebra'), 'K');
    expect(script).not.toMatch(/zebra|quux/);
    expect(script.split('\n')[0]).toBe('(set-logic QF_UF)');
    // Atoms named like the encoding's own symbols change nothing.
    expect(await valid(['r1', '□(a1_0 → t0_1)', '□a1_0'], '□t0_1', 'K')).toBe(true);
    expect(await valid(['r1'], '□t0_1', 'D')).toBe(false);
  });

  it('agrees with the tableau on random formulas', async () => {
    // A fixed xorshift generator: the same formulas on every run.
    let seed = 2463534242;
    const rand = (n: number): number => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    const gen = (d: number): string => {
      const k = d === 0 ? rand(2) : rand(8);
      if (k <= 1) return ['p', 'p', 'q', '⊤'][rand(4)];
      if (k === 2) return `¬${gen(d - 1)}`;
      if (k === 3) return `(${gen(d - 1)} ∧ ${gen(d - 1)})`;
      if (k === 4) return `(${gen(d - 1)} → ${gen(d - 1)})`;
      if (k === 5) return `(${gen(d - 1)} ↔ ${gen(d - 1)})`;
      return `${k === 6 ? '□' : '◇'}${gen(d - 1)}`;
    };
    const seen = { valid: 0, invalid: 0 };
    for (let i = 0; i < 30; i++) {
      // Implications between small formulas over few atoms: valid often enough in each logic.
      const f = P(`${gen(2)} → ${gen(2)}`);
      for (const logic of LOGICS) {
        const t = await decideByTableau([], f, logic, 'local', Date.now() + 5000);
        const r = await decideByTreeModel([], f, logic, { timeoutMs: 20000 });
        expect([i, logic, r.valid]).toEqual([i, logic, t?.valid]);
        if (process.env.DEBUG_RANDOM) process.stdout.write(`${i} ${logic} ${r.valid}\n`);
        seen[r.valid ? 'valid' : 'invalid']++;
      }
    }
    expect(seen.valid).toBeGreaterThan(10);
    expect(seen.invalid).toBeGreaterThan(10);
  });
});

describe('confirming the K verdicts on SYM342–SYM368 that contradict their headers', () => {
  const load = (n: number) => readQmltpProblem(path.join(QMLTP, `SYM${n}+1.p`));

  it.each([342, 346, 358, 360])('SYM%i+1: K Theorem confirmed (1,603-world tree)', async (n) => {
    const p = load(n);
    expect(p.status.K).toContain('Non-Theorem');
    const c = await confirmVerdict(p, 'K', 'Theorem');
    expect([c.confirmed, c.answer, c.worlds, c.reason]).toEqual([true, 'Theorem', 1603, undefined]);
  });

  heavy.each([344, 348, 350, 362, 364])('HEAVY SYM%i+1: K Theorem confirmed (25,667-world tree)', async (n) => {
    const c = await confirmVerdict(load(n), 'K', 'Theorem', { confirmTimeoutMs: 120000 });
    expect([c.confirmed, c.answer, c.worlds]).toEqual([true, 'Theorem', 25667]);
  });

  it.each([352, 354, 366, 368])('SYM%i+1: too large to confirm, and says so', async (n) => {
    const c = await confirmVerdict(load(n), 'K', 'Theorem');
    expect(c.confirmed).toBe(false);
    expect(c.answer).toBeNull();
    expect(c.reason).toMatch(/tree model .* has over 50000 worlds/);
  });

  it('runQmltp puts the confirmation, or why there is none, in the case and its note', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'qmltp-confirm-'));
    for (const n of [342, 352]) copyFileSync(path.join(QMLTP, `SYM${n}+1.p`), path.join(dir, `SYM${n}+1.p`));
    try {
      const r = await runQmltp(dir, { logics: ['K'], timeoutMs: 7000 });
      expect(r.logics.K).toEqual({ known: 2, agree: 0, undecided: 0 });
      const [a, b] = r.cases;
      expect([a.problem, a.got, a.confirmation?.confirmed, a.confirmation?.answer]).toEqual(['SYM342+1', 'Theorem', true, 'Theorem']);
      expect(a.note).toMatch(/^header says Non-Theorem, decided Theorem \(tableau\); confirmed by K tree-model SMT encoding, 1603 worlds \(unsat in [\d.]+ s/);
      expect([b.problem, b.got, b.confirmation?.confirmed]).toEqual(['SYM352+1', 'Theorem', false]);
      expect(b.note).toMatch(/; not confirmed: the tree model \(depth 40, branching [\d·]+\) has over 50000 worlds$/);
      expect(r.confirmations).toMatchObject({ attempted: 2, confirmed: 1 });
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('says when the second procedure does not apply', async () => {
    const c = await confirmVerdict(load(342), 'S4', 'Theorem');
    expect(c.confirmed).toBe(false);
    expect(c.reason).toMatch(/no second procedure for S4/);
  });

  it('reports a disagreement instead of confirming', async () => {
    // SYM342 is a Theorem in K (both procedures): claiming Non-Theorem must not be confirmed.
    const c = await confirmVerdict(load(342), 'K', 'Non-Theorem');
    expect(c.confirmed).toBe(false);
    expect(c.answer).toBe('Theorem');
    expect(c.reason).toMatch(/DISAGREE/);
  });
});
