import { Vks, seedVks } from '../../src/vks';

describe('a fuzzy candidate is a hint, confirmed before it answers', () => {
  let vks: Vks;
  beforeEach(() => {
    vks = Vks.open(':memory:');
    seedVks(vks);
  });
  afterEach(() => vks.close());
  const cogito = () => vks.lookup('I think, therefore I am.')!.record.id;

  test("the issue's two cases: a different claim is not answered, a paraphrase is", () => {
    expect(vks.lookup('I think, therefore I am mortal')).toBeNull();
    expect(vks.hints('I think, therefore I am mortal').map((h) => h.record.id)).toContain(cogito()); // proposed, not confirmed
    expect(vks.lookup('Because I think, I exist')).toMatchObject({ via: 'fuzzy', record: { id: cogito() } });
  });

  test('an injected confirmer can confirm what words cannot, and a failing one confirms nothing', () => {
    const id = cogito();
    const calls: Array<[string, string]> = [];
    const confirming = Vks.open(':memory:', {
      confirmEquivalent: (q, c) => {
        calls.push([q, c]);
        return q === 'I think, therefore I truly exist.' && c === 'I think, therefore I exist.';
      },
    });
    const failing = Vks.open(':memory:', {
      confirmEquivalent: () => {
        throw new Error('no solver');
      },
    });
    try {
      seedVks(confirming);
      seedVks(failing);
      expect(vks.lookup('I think, therefore I truly exist.')).toBeNull();
      expect(confirming.lookup('I think, therefore I truly exist.')?.record.text).toBe('I think, therefore I am.');
      expect(calls.length).toBeGreaterThan(0);
      expect(failing.lookup('I think, therefore I truly exist.')).toBeNull();
      expect(failing.lookup('Because I think, I exist')?.record.text).toBe('I think, therefore I am.'); // words still confirm
      expect(id).toBeTruthy();
    } finally {
      confirming.close();
      failing.close();
    }
  });

  test('the exact stage keeps a formula whole: ¬(P ∧ Q) is not P ∧ Q', () => {
    const conj = vks.add({ tier: 'DERIVED', text: 'P(a) ∧ Q(a)', status: 'VERIFIED', method: 'Z3' });
    expect(vks.lookup('¬(P(a) ∧ Q(a))')).toBeNull();
    expect(vks.lookup('P(a)  ∧  Q(a)')).toMatchObject({ via: 'exact', record: { id: conj.id } });
  });

  test('an invalidated record is neither a hit nor a hint', () => {
    const r = vks.add({ tier: 'DERIVED', text: 'The wax remains the same wax after it melts.', status: 'VERIFIED', method: 'Z3' });
    expect(vks.lookup('The wax remains the same wax after it melts!')).toMatchObject({ record: { id: r.id } });
    expect(vks.lookup('After it melts, the wax remains the same wax.')).toBeNull(); // the phrase moved before the head: not confirmed
    vks.invalidate(r.id, 'test');
    expect(vks.lookup('the wax remains the same wax after melting')).toBeNull();
    expect(vks.hints('the wax remains the same wax after it melts').map((h) => h.record.id)).not.toContain(r.id);
  });
});
