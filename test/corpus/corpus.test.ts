import { join } from 'node:path';
import {
  CorpusIndex,
  DESCARTES_PASSAGES,
  DESCARTES_PEOPLE,
  FactualVerifier,
  formatRef,
  openDescartesCorpus,
  validatePassage,
} from '../../src/corpus';
import { tempDir } from '../vks/helpers';

describe('Descartes corpus data', () => {
  test('40-85 passages, unique ids, every one referenced; text passages carry an AT reference', () => {
    expect(DESCARTES_PASSAGES.length).toBeGreaterThanOrEqual(40);
    expect(DESCARTES_PASSAGES.length).toBeLessThanOrEqual(85);
    expect(new Set(DESCARTES_PASSAGES.map((p) => p.id)).size).toBe(DESCARTES_PASSAGES.length);
    for (const p of DESCARTES_PASSAGES) {
      expect(() => validatePassage(p)).not.toThrow();
      if (p.kind === 'paraphrase') {
        expect(p.atVolume).toMatch(/^(I|II|III|IV|V|VI|VII|VIII-1|VIII-2|IX-1|IX-2|X|XI)$/);
        expect(p.atPage).toMatch(/^\d+(-\d+)?$/);
      }
    }
  });

  test('covers the works, the objectors and the correspondents', () => {
    const all = DESCARTES_PASSAGES.map((p) => `${p.work} ${p.section} ${p.text}`).join(' ');
    for (const name of ['Meditations', 'Discourse', 'Principles', 'Passions', 'Objections', 'Hobbes', 'Arnauld', 'Gassendi', 'Caterus', 'Mersenne', 'Elisabeth']) {
      expect(all).toContain(name);
    }
  });
});

describe('passage index', () => {
  test('BM25 search returns the passage with its reference, best first', () => {
    const idx = openDescartesCorpus();
    const hits = idx.search('piece of wax melting near the fire');
    expect(hits[0].passage.id).toBe('med2-wax');
    expect(formatRef(hits[0].passage)).toBe('Meditations on First Philosophy, Second Meditation, AT VII 30-31');
    expect(hits.map((h) => h.score)).toEqual([...hits.map((h) => h.score)].sort((a, b) => b - a));
    expect(idx.search('pineal gland')[0].passage.atVolume).toBe('XI');
    expect(idx.search('the of and')).toEqual([]);
    idx.close();
  });

  test('add persists to disk, replaces by id, and rejects malformed passages atomically', () => {
    const { dir, cleanup } = tempDir('cogito-corpus-');
    try {
      const path = join(dir, 'c.db');
      const idx = new CorpusIndex(path);
      const p = { id: 'x1', work: 'W', section: 'S', atVolume: 'VII', atPage: '1', kind: 'paraphrase' as const, text: 'Zebras gallop across plains.' };
      expect(idx.add([p])).toEqual({ added: 1, replaced: 0 });
      expect(idx.add([{ ...p, text: 'Zebras have stripes of black.' }])).toEqual({ added: 0, replaced: 1 });
      expect(() => idx.add([{ ...p, id: 'x2' }, { ...p, id: 'x3', text: '' }])).toThrow(/text/);
      idx.close();
      const again = new CorpusIndex(path);
      expect(again.size).toBe(1);
      expect(again.search('black stripes')[0].passage.text).toBe('Zebras have stripes of black.');
      expect(again.search('gallop')).toEqual([]); // the replaced text is gone from the index
      again.close();
    } finally {
      cleanup();
    }
  });
});

describe('factual verifier', () => {
  const idx = openDescartesCorpus();
  const v = new FactualVerifier(idx, { people: DESCARTES_PEOPLE });
  afterAll(() => idx.close());

  test.each([
    ['Descartes was born in 1596 at La Haye.', 'life-birth'],
    ['Hobbes wrote the Third Objections.', 'obj3-hobbes'],
    ['Arnauld raised the Cartesian Circle.', 'obj4-arnauld-circle'],
    ['Descartes died in Stockholm in 1650.', 'life-death'],
    ['The Principles of Philosophy were dedicated to Elisabeth.', 'prin-publication'],
    ['The Meditations were published in 1641.', 'works-meditations'],
    ['Caterus wrote the First Objections.', 'obj1-caterus'],
  ])('supports %s', (claim, id) => {
    const r = v.verify(claim);
    expect(r.verdict).toBe('SUPPORTED');
    expect(r.passage!.id).toBe(id);
    expect(r.reference).toContain(r.passage!.work);
  });

  test.each([
    ['Descartes was born in 1600.', /1600.*1596/],
    ['Hobbes wrote the Fourth Objections.', /fourth.*third/],
    ['The Meditations were published in 1637.', /1637.*1641/],
    ['The Discourse on the Method was published in Latin.', /latin.*french/],
    ['Descartes did not die in Stockholm.', /negation/],
  ])('contradicts %s', (claim, reason) => {
    const r = v.verify(claim);
    expect(r.verdict).toBe('CONTRADICTED');
    expect(r.reason).toMatch(reason);
  });

  test('says NOT_FOUND rather than guessing', () => {
    expect(v.verify('Kant wrote the Critique of Pure Reason.').verdict).toBe('NOT_FOUND');
    expect(v.verify('The and of.').verdict).toBe('NOT_FOUND');
  });
});
