import { classifyClaim } from '../../src/claims';
import { DESCARTES_VOCABULARY } from '../../src/corpus';

describe('claim classifier', () => {
  test.each([
    ['∀x (Thinks(x) → Exists(x))', 'FORMAL'],
    ['Thinks(d), ![X]: (thinks(X) => exists(X)) |- exists(d)', 'FORMAL'],
    ['The ontological argument is valid only if existence is a predicate.', 'FORMAL'],
    ['It follows from the premises that the mind is distinct from the body.', 'FORMAL'],
    ['Descartes was born in 1596 at La Haye.', 'FACTUAL'],
    ['Hobbes wrote the Third Objections.', 'FACTUAL'],
    ['The Meditations were published in Paris in 1641 (AT VII).', 'FACTUAL'],
    ['Arguably, the wax passage is best understood as an argument about judgement.', 'INTERPRETIVE'],
    ['Commentators read the circle as a problem about memory.', 'INTERPRETIVE'],
    ['I am not sure about the exact page number.', 'META'],
    ['In summary, this answer covers three objections.', 'META'],
    ['As an AI, I cannot verify the translation.', 'META'],
  ])('%s -> %s', (text, kind) => {
    const c = classifyClaim(text, DESCARTES_VOCABULARY);
    expect(c.kind).toBe(kind);
    expect(c.confidence).toBeGreaterThan(0.5);
    expect(c.confidence).toBeLessThanOrEqual(1);
    expect(c.cues.some((cue) => cue.startsWith(kind))).toBe(true);
  });

  test('no cue: a low-confidence interpretive soft case', () => {
    expect(classifyClaim('The wax is soft.')).toEqual({ kind: 'INTERPRETIVE', confidence: 0.4, cues: [] });
  });

  test('strong unambiguous evidence is more confident than one weak cue', () => {
    expect(classifyClaim('∀x (P(x) → Q(x)) entails Q(a)').confidence).toBeGreaterThan(classifyClaim('So it goes, therefore.').confidence);
  });
});
