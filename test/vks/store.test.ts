import { join } from 'node:path';
import { Vks, VksNotFoundError, VksTierError } from '../../src/vks';
import { tempDir } from './helpers';

describe('VKS store', () => {
  let cleanup: () => void;
  let path: string;
  let vks: Vks;
  beforeEach(() => {
    const t = tempDir();
    cleanup = t.cleanup;
    path = join(t.dir, 'sub', 'vks.db');
    vks = Vks.open(path);
  });
  afterEach(() => {
    vks.close();
    cleanup();
  });

  test('stores a record with every field and reads it back', () => {
    const rec = vks.add({
      tier: 'CONTESTED',
      text: 'The ontological argument is valid.',
      canonical: 'CANON-ONTO',
      status: 'CONDITIONAL',
      method: 'Z3',
      artifact: { result: 'entailed', z: 1, a: [1, 2] },
      conditions: ['existence is a predicate'],
    });
    const back = vks.get(rec.id);
    expect(back).toMatchObject({
      tier: 'CONTESTED',
      text: 'The ontological argument is valid.',
      normalised: 'the ontological argument is valid',
      canonical: 'CANON-ONTO',
      status: 'CONDITIONAL',
      method: 'Z3',
      artifact: { a: [1, 2], result: 'entailed', z: 1 },
      conditions: ['existence is a predicate'],
      dependsOn: [],
      usedBy: [],
      seq: null,
      hash: null,
    });
    expect(Date.parse(back!.createdAt)).not.toBeNaN();
    expect(vks.get('nope')).toBeNull();
  });

  test('rejects unknown vocabulary and unknown dependencies', () => {
    expect(() => vks.add({ tier: 'BOGUS' as never, text: 'x', status: 'VERIFIED', method: 'Z3' })).toThrow(/tier/);
    expect(() => vks.add({ tier: 'DERIVED', text: 'x', status: 'MAYBE' as never, method: 'Z3' })).toThrow(/status/);
    expect(() => vks.add({ tier: 'DERIVED', text: 'x', status: 'VERIFIED', method: 'Z3', dependsOn: ['missing'] })).toThrow(
      VksNotFoundError,
    );
    const d = vks.add({ tier: 'DERIVED', text: 'lemma', status: 'VERIFIED', method: 'Z3' });
    expect(() => vks.add({ tier: 'AXIOM', text: 'ax', status: 'VERIFIED', method: 'SEED', dependsOn: [d.id] })).toThrow(
      VksTierError,
    );
    expect(vks.stats().records).toBe(1); // the failed adds left nothing behind
  });

  test('lookup order: exact, then equivalence, then fuzzy', () => {
    const ax = vks.add({
      tier: 'AXIOM',
      text: 'I think, therefore I am.',
      aliases: ['Cogito, ergo sum.'],
      canonical: 'forall x0. Thinks(x0) -> Exists(x0)',
      status: 'VERIFIED',
      method: 'SEED',
    });
    vks.add({ tier: 'FACTUAL', text: 'Descartes was born in 1596 in La Haye.', status: 'VERIFIED', method: 'CORPUS' });

    expect(vks.lookup('i think therefore i am')).toMatchObject({ via: 'exact', score: 1, record: { id: ax.id } });
    expect(vks.lookup('COGITO ERGO SUM')).toMatchObject({ via: 'exact', record: { id: ax.id } });
    expect(vks.lookup({ text: 'a formula in other words', canonical: 'forall x0. Thinks(x0) -> Exists(x0)' })).toMatchObject({
      via: 'equivalent',
      record: { id: ax.id },
    });
    const fuzzy = vks.lookup('I am thinking, hence I am.');
    expect(fuzzy).toMatchObject({ via: 'fuzzy', record: { id: ax.id } });
    expect(fuzzy!.score).toBeGreaterThanOrEqual(0.75);
    expect(vks.lookup('Descartes was born in La Haye in 1596')).toMatchObject({ via: 'fuzzy' });
    expect(vks.lookup('Descartes died in Stockholm in 1650')).toBeNull();
    expect(vks.lookup('I am, therefore I think.')).toBeNull();
    expect(vks.lookup('...')).toBeNull();
  });

  test('a canonicaliser supplied at open derives the canonical form of a query', () => {
    vks.add({ tier: 'DERIVED', text: 'P and Q', canonical: 'AND(P,Q)', status: 'VERIFIED', method: 'Z3' });
    const withCanon = Vks.open(path, {
      canonicalise: (t) => (/^\s*q\s*&\s*p\s*$/i.test(t) ? 'AND(P,Q)' : null),
    });
    try {
      expect(withCanon.lookup('Q & P')).toMatchObject({ via: 'equivalent' });
      expect(vks.lookup('Q & P')?.via).not.toBe('equivalent'); // without it only words can match
    } finally {
      withCanon.close();
    }
  });

  test('invalidation cascades through dependents, never into AXIOM', () => {
    const ax = vks.add({ tier: 'AXIOM', text: 'Whatever thinks exists.', status: 'VERIFIED', method: 'SEED' });
    const a = vks.add({ tier: 'DERIVED', text: 'Lemma A', status: 'VERIFIED', method: 'Z3', dependsOn: [ax.id] });
    const b = vks.add({ tier: 'DERIVED', text: 'Lemma B', status: 'VERIFIED', method: 'Z3', dependsOn: [a.id] });
    const c = vks.add({ tier: 'CONTESTED', text: 'Lemma C', status: 'CONDITIONAL', method: 'Z3', dependsOn: [a.id, b.id] });
    const other = vks.add({ tier: 'DERIVED', text: 'Unrelated', status: 'VERIFIED', method: 'Z3', dependsOn: [ax.id] });

    expect(vks.get(ax.id)!.usedBy).toEqual([a.id, other.id]);
    expect(vks.get(c.id)!.dependsOn).toEqual([a.id, b.id].sort());

    const report = vks.invalidate(a.id, 'solver bug');
    expect(report.invalidated[0]).toBe(a.id);
    expect([...report.invalidated].sort()).toEqual([a.id, b.id, c.id].sort());
    for (const id of [a.id, b.id, c.id]) expect(vks.get(id)!.status).toBe('INVALIDATED');
    expect(vks.get(other.id)!.status).toBe('VERIFIED');
    expect(vks.get(ax.id)!.status).toBe('VERIFIED');
    expect(vks.lookup('Lemma B')).toBeNull(); // invalidated records no longer answer lookups
    expect(() => vks.invalidate(ax.id, 'no')).toThrow(VksTierError);
    expect(() => vks.invalidate('missing', 'no')).toThrow(VksNotFoundError);
    expect(vks.verifyChain().length).toBe(1);
  });

  test('lemmas: verified records sharing words or formula symbols, not the claim itself', () => {
    vks.add({ tier: 'AXIOM', text: 'Whatever thinks exists.', canonical: 'forall x0. Thinks(x0) -> Exists(x0)', status: 'VERIFIED', method: 'SEED' });
    vks.add({ tier: 'DERIVED', text: 'The mind is a thinking thing.', status: 'VERIFIED', method: 'Z3' });
    vks.add({ tier: 'DERIVED', text: 'Wax melts near fire.', status: 'VERIFIED', method: 'CORPUS' });
    vks.add({ tier: 'DERIVED', text: 'Thinking is refuted.', status: 'REFUTED', method: 'Z3' });
    const texts = vks.lemmas({ text: 'Descartes thinks', canonical: 'Thinks(descartes)' }).map((r) => r.text);
    expect(texts).toContain('Whatever thinks exists.');
    expect(texts).toContain('The mind is a thinking thing.');
    expect(texts).not.toContain('Wax melts near fire.');
    expect(texts).not.toContain('Thinking is refuted.');
    expect(vks.lemmas('Whatever thinks exists.').map((r) => r.text)).not.toContain('Whatever thinks exists.');
    expect(vks.lemmas('')).toEqual([]);
  });

  test('stats count by tier, status and method', () => {
    vks.add({ tier: 'AXIOM', text: 'A1', status: 'VERIFIED', method: 'SEED' });
    vks.add({ tier: 'AXIOM', text: 'A2', status: 'VERIFIED', method: 'SEED' });
    const f = vks.add({ tier: 'FACTUAL', text: 'F1', status: 'VERIFIED', method: 'CORPUS' });
    vks.add({ tier: 'DERIVED', text: 'D1', status: 'REFUTED', method: 'Z3', dependsOn: [f.id] });
    const s = vks.stats();
    expect(s.records).toBe(4);
    expect(s.byTier).toEqual({ AXIOM: 2, DERIVED: 1, CONTESTED: 0, FACTUAL: 1 });
    expect(s.byStatus.VERIFIED).toBe(3);
    expect(s.byStatus.REFUTED).toBe(1);
    expect(s.byMethod.SEED).toBe(2);
    expect(s.dependencies).toBe(1);
    expect(s.axiomChain.length).toBe(2);
    expect(s.axiomChain.head).toMatch(/^[0-9a-f]{64}$/);
  });

  test('export then import into an empty store reproduces records, links and the chain head', () => {
    const ax = vks.add({ tier: 'AXIOM', text: 'A1', status: 'VERIFIED', method: 'SEED', aliases: ['first axiom'] });
    vks.add({ tier: 'AXIOM', text: 'A2', status: 'VERIFIED', method: 'SEED', dependsOn: [ax.id], artifact: { b: 1, a: 2 } });
    const d = vks.add({ tier: 'DERIVED', text: 'D1', status: 'VERIFIED', method: 'Z3', dependsOn: [ax.id] });
    const e = vks.add({ tier: 'DERIVED', text: 'E1', status: 'VERIFIED', method: 'Z3', dependsOn: [d.id] });
    vks.invalidate(e.id, 'test');
    const dump = JSON.parse(JSON.stringify(vks.export()));

    const t = tempDir();
    const copy = Vks.open(join(t.dir, 'copy.db'));
    try {
      expect(copy.import(dump)).toEqual({ added: 4, skipped: 0, conflicts: [] });
      expect(copy.stats().axiomChain).toEqual(vks.stats().axiomChain);
      expect(copy.get(d.id)).toEqual(vks.get(d.id));
      expect(copy.get(e.id)!.status).toBe('INVALIDATED');
      expect(copy.lookup('first axiom')!.record.id).toBe(ax.id);
      // Importing again changes nothing.
      expect(copy.import(dump)).toEqual({ added: 0, skipped: 4, conflicts: [] });
    } finally {
      copy.close();
      t.cleanup();
    }
  });
});
