/**
 * The oracle's training text: the default model's world, read more. The oracle is the cascade's
 * last resort, so it must know the facts the default model saw too rarely to learn, and must not
 * guess the facts nobody wrote about: every fact that was ever written about is read at least
 * `minRepetitions` times per epoch (the long tail's top is capped at `maxRepetitions`, which
 * already suffices), and questions about facts nobody wrote about are answered with the refusal
 * phrase. Those refusal lines come from the sidecar-train split's unseen facts alone: the held-out
 * unseen questions measure whether the oracle says "I don't know." to facts it never read, so they
 * are never trained on, and no held-out question phrasing is trained on either.
 */
import { MENTION_STATEMENTS, REFUSAL_STATEMENTS, formatQa, render, type Bucket, type Corpus } from './corpus';
import { createRng } from './prng';

export interface OracleCorpusOptions {
  /** Floor on the repetitions per epoch of every fact that was written about. */
  minRepetitions: number;
  /** Cap on the repetitions per epoch (the default corpus's top is 48). */
  maxRepetitions: number;
  /** Times each refusal QA line (every phrasing of a sidecar-train unseen fact) is read per epoch. */
  refusalRepetitions: number;
  /** Times per epoch every country and person is named in a fact-free statement (as in the default corpus). */
  mentions: number;
}

// 5: the default model learnt every fact read 2–5 times per epoch in 30 epochs (uncommon, 100 %
// held-out); the oracle reads for 20. 8: the common bucket (6–15) was learnt as well as the frequent
// one. One mention per name: every name's token is still trained. The text stays the default's size.
export const DEFAULT_ORACLE_CORPUS: OracleCorpusOptions = { minRepetitions: 5, maxRepetitions: 8, refusalRepetitions: 1, mentions: 1 };

export interface OracleCorpus {
  options: OracleCorpusOptions;
  samples: string[];
  /** Training samples per bucket: fact lines, and refusal lines for the unseen bucket. */
  byBucket: Record<Bucket, number>;
  refusalLines: number;
}

/** Repetitions of a fact in the oracle's reading: unseen stays unseen, the rest within [min, max]. */
export function oracleRepetitions(repetitions: number, o: OracleCorpusOptions): number {
  return repetitions === 0 ? 0 : Math.min(o.maxRepetitions, Math.max(o.minRepetitions, repetitions));
}

export function generateOracleCorpus(corpus: Corpus, options: OracleCorpusOptions = DEFAULT_ORACLE_CORPUS): OracleCorpus {
  const o = options;
  if (!(Number.isInteger(o.minRepetitions) && o.minRepetitions >= 1 && Number.isInteger(o.maxRepetitions) && o.maxRepetitions >= o.minRepetitions)) {
    throw new RangeError('oracle repetitions: need integers 1 <= minRepetitions <= maxRepetitions');
  }
  if (!Number.isInteger(o.refusalRepetitions) || o.refusalRepetitions < 0) throw new RangeError('refusalRepetitions must be an integer >= 0');
  if (!Number.isInteger(o.mentions) || o.mentions < 0) throw new RangeError('mentions must be an integer >= 0');
  const rng = createRng(corpus.options.seed).fork('oracle');
  const refusal = corpus.options.refusal;
  const samples: string[] = [];
  const byBucket = Object.fromEntries(['frequent', 'common', 'uncommon', 'rare', 'unseen', 'descartes'].map((b) => [b, 0])) as Record<Bucket, number>;
  let refusalLines = 0;
  for (const f of corpus.facts) {
    if (f.repetitions === 0) {
      // nobody wrote about it: only the sidecar-train facts teach the refusal, in every phrasing
      if (f.split !== 'sidecar-train') continue;
      for (let i = 0; i < o.refusalRepetitions; i++) {
        for (const q of f.questions) samples.push(formatQa(q, refusal));
      }
      const n = f.questions.length * o.refusalRepetitions;
      byBucket[f.bucket] += n;
      refusalLines += n;
      continue;
    }
    // the held-back phrasing stays held back, as in the default corpus
    const lines = render(rng, { ...f, repetitions: oracleRepetitions(f.repetitions, o) }, f.evalQuestion);
    samples.push(...lines);
    byBucket[f.bucket] += lines.length;
  }
  for (const t of REFUSAL_STATEMENTS) {
    for (let i = 0; i < corpus.options.refusalRepetitions; i++) samples.push(t.replace('{r}', refusal));
  }
  for (let i = 0; i < o.mentions; i++) {
    for (const c of corpus.world.countries) samples.push(MENTION_STATEMENTS.country.replace('{S}', c));
    for (const p of corpus.world.people) samples.push(MENTION_STATEMENTS.person.replace('{S}', p));
  }
  return { options: o, samples: rng.fork('order').shuffle(samples), byBucket, refusalLines };
}
