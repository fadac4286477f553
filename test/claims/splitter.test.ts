import { splitSentences } from '../../src/claims';

const texts = (s: string) => splitSentences(s).map((x) => x.text);

describe('sentence splitter', () => {
  test('splits at sentence ends and keeps offsets', () => {
    const src = 'Descartes doubted everything. He found one certainty! Did he? Yes.';
    const out = splitSentences(src);
    expect(out.map((s) => s.text)).toEqual(['Descartes doubted everything.', 'He found one certainty!', 'Did he?', 'Yes.']);
    for (const s of out) expect(src.slice(s.start, s.start + s.text.length)).toBe(s.text);
  });

  test('does not split abbreviations, initials, decimals or references', () => {
    expect(texts('See e.g. the Second Meditation, cf. AT vol. VII p. 25. It is short.')).toEqual([
      'See e.g. the Second Meditation, cf. AT vol. VII p. 25.',
      'It is short.',
    ]);
    expect(texts('R. Descartes wrote it in 1641. The ratio is 3.14 here.')).toEqual(['R. Descartes wrote it in 1641.', 'The ratio is 3.14 here.']);
  });

  test('keeps formulas whole: quantifier dots and TPTP binders', () => {
    expect(texts('∀x. Thinks(x) → Exists(x). So the claim is valid.')).toEqual(['∀x. Thinks(x) → Exists(x).', 'So the claim is valid.']);
    expect(texts('![X]: (thinks(X) => exists(X)). ?[Y]: p(Y).')).toEqual(['![X]: (thinks(X) => exists(X)).', '?[Y]: p(Y).']);
    expect(texts('forall x. P(x) holds.')).toEqual(['forall x. P(x) holds.']);
  });

  test('list items and paragraphs are separate claims', () => {
    expect(texts('Claims:\n- Hobbes wrote the Third Objections\n- Arnauld wrote the Fourth\n\nDone')).toEqual([
      'Claims:',
      'Hobbes wrote the Third Objections',
      'Arnauld wrote the Fourth',
      'Done',
    ]);
  });

  test('empty input gives no sentences', () => {
    expect(splitSentences('   \n ')).toEqual([]);
  });
});
