/**
 * What the model recipes (make-default, make-oracle) share around the trainer: the word vocabulary
 * of a world's corpus, training samples, and greedy held-out evaluation. It loads models through
 * src/engine, so it is not exported from ./index (the corpus modules stay free of the addon).
 */
import { loadModel, type Model } from '../../src/engine';
import { exactMatch, judge, normaliseAnswer } from '../../src/loom/judge';
import type { TrainSample } from '../../src/loom/train-base';
import { BUCKETS, formatPrompt, type Bucket, type Corpus, type QaLine } from './corpus';
import { buildWordVocab, type WordVocab } from './vocab';

/** Every word of the corpus (training text and every question and answer) one token. */
export function corpusWordVocab(corpus: Corpus): WordVocab {
  const qs = [...corpus.heldout, ...corpus.sidecarTrain];
  return buildWordVocab([...corpus.samples, ...qs.map((q) => `${q.question} ${q.answers.join(' ')}`)]);
}

/** BOS + text + EOS; for a QA line under loss "answers" the targets start at the answer. */
export function toSample(model: Model, text: string, lossOn: 'answers' | 'all'): TrainSample {
  const bos = model.info.bosToken;
  const eos = model.info.eosToken;
  const body = model.tokenize(text, { addSpecial: false });
  const tokens = [bos, ...body, eos];
  const m = /^(Question: [^\n]*\nAnswer:)/.exec(text);
  if (lossOn === 'all' || !m) return { tokens };
  const prompt = model.tokenize(m[1], { addSpecial: false });
  const isPrefix = prompt.every((t, i) => body[i] === t);
  return { tokens, targetStart: isPrefix ? 1 + prompt.length : 1 };
}

export interface BucketAccuracy {
  bucket: Bucket;
  n: number;
  correct: number;
  accuracy: number;
  /** Answers that were the refusal phrase (when evaluate was given one). */
  refused: number;
}

export interface EvaluatedQuestion {
  q: string;
  got: string;
  want: string;
  ok: boolean;
  bucket: Bucket;
  refused: boolean;
}

/** Greedy answers to every question, judged by normalised exact match, per bucket. */
export async function evaluate(modelPath: string, questions: readonly QaLine[], threads: number, refusal?: string):
  Promise<{ byBucket: BucketAccuracy[]; examples: EvaluatedQuestion[] }> {
  const model = await loadModel(modelPath);
  const ctx = await model.createContext({ contextSize: 128, threads });
  const examples: EvaluatedQuestion[] = [];
  const refusalForm = refusal === undefined ? null : normaliseAnswer(refusal);
  try {
    for (const q of questions) {
      await ctx.reset();
      const r = await ctx.complete(formatPrompt(q.question), { maxTokens: 8, stop: ['\n'], temperature: 0 });
      const j = await judge(r.text, q, exactMatch);
      examples.push({ q: q.question, got: j.answer, want: q.answers[0], ok: j.correct, bucket: q.bucket, refused: refusalForm !== null && normaliseAnswer(j.answer) === refusalForm });
    }
  } finally {
    await ctx.dispose();
    await model.dispose();
  }
  const byBucket = BUCKETS.map((b) => {
    const xs = examples.filter((e) => e.bucket === b);
    const correct = xs.filter((e) => e.ok).length;
    return { bucket: b, n: xs.length, correct, accuracy: xs.length ? correct / xs.length : 0, refused: xs.filter((e) => e.refused).length };
  });
  return { byBucket, examples };
}
