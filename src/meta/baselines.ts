/**
 * What people use today to judge an answer or route a question, to measure the meta-learner
 * against (issue 18, "Measured against what people use"): scores read from the same generation's
 * signals — the probability of the greedy answer, its mean token entropy, its perplexity, the
 * sidecar's probe alone — and a text-only router that sees nothing but the question's words. Each
 * is a confidence: higher means "more likely right". They are baselines, kept plain on purpose.
 */
import { MetaError } from './errors';
import { SIGNAL_NAMES, SIGNALS_VERSION, type SignalName } from './signals';
import { words } from './text-signals';

export interface SignalBaseline {
  name: string;
  /** What it computes and where the measure comes from. */
  description: string;
  /** The score is a probability in [0, 1], so its calibration (ECE) means something. */
  isProbability: boolean;
  /** The score of one signals vector (SIGNAL_NAMES order, version SIGNALS_VERSION). */
  score(signals: Float32Array): number;
}

const INDEX = new Map<SignalName, number>(SIGNAL_NAMES.map((name, i) => [name, i]));

function signal(vector: Float32Array, name: SignalName): number {
  if (!(vector instanceof Float32Array) || vector.length !== SIGNAL_NAMES.length) {
    throw new MetaError(`a version-${SIGNALS_VERSION} signals vector has ${SIGNAL_NAMES.length} values, not ${(vector as { length?: number })?.length}`);
  }
  const v = vector[INDEX.get(name) as number];
  if (!Number.isFinite(v)) throw new MetaError(`signal ${name} is not finite (${v})`);
  return v;
}

/**
 * Maximum token probability: the probability of the answer decoded greedily, the product over its
 * tokens of each token's probability — with greedy decoding each token is the most probable one, so
 * this is the product of the maximum token probabilities (LM-Polygraph's MaximumSequenceProbability,
 * as a confidence): exp(logprob_mean × generated_tokens). 1 for an empty generation.
 */
export const MAX_TOKEN_PROBABILITY: SignalBaseline = Object.freeze({
  name: 'max_token_probability',
  description: 'probability of the greedy answer: product of its tokens\' (maximum) probabilities, exp(Σ log p)',
  isProbability: true,
  score: (v: Float32Array) => Math.exp(signal(v, 'logprob_mean') * signal(v, 'generated_tokens')),
});

/** Mean token entropy (LM-Polygraph's MeanTokenEntropy): the mean over the answer's tokens of the next-token distribution's entropy, negated. */
export const MEAN_TOKEN_ENTROPY: SignalBaseline = Object.freeze({
  name: 'mean_token_entropy',
  description: 'minus the mean entropy (nats) of the distributions the answer\'s tokens were drawn from',
  isProbability: false,
  score: (v: Float32Array) => -signal(v, 'entropy_mean'),
});

/**
 * Perplexity (LM-Polygraph's Perplexity): exp(−mean log p) over the answer's tokens, negated, so
 * lower perplexity is higher confidence. Ranked the same as the geometric mean token probability.
 */
export const PERPLEXITY: SignalBaseline = Object.freeze({
  name: 'perplexity',
  description: 'minus the perplexity exp(−mean log p) of the answer\'s tokens',
  isProbability: false,
  score: (v: Float32Array) => -Math.exp(-signal(v, 'logprob_mean')),
});

/** The sidecar's probe alone: its decision's confidence that the base model's answer is right (a probability). */
export const PROBE_CONFIDENCE: SignalBaseline = Object.freeze({
  name: 'probe_confidence',
  description: 'the sidecar\'s probe confidence (mean over its layers) that the base answers right',
  isProbability: true,
  score: (v: Float32Array) => signal(v, 'probe_confidence'),
});

/** The baselines read from the signals, in the order reports list them. */
export const SIGNAL_BASELINES: readonly SignalBaseline[] = Object.freeze([MAX_TOKEN_PROBABILITY, MEAN_TOKEN_ENTROPY, PERPLEXITY, PROBE_CONFIDENCE]);

export interface TextExample {
  question: string;
  /** The target in [0, 1]: 1 right, 0 wrong; a true confidence between is a soft label. */
  target: number;
}

export interface TextRouterOptions {
  /** Words seen in fewer training questions are left out of the vocabulary (default 2: a word of one question can only memorise it). */
  minCount?: number;
  /** Full-batch gradient steps (default 500). */
  iterations?: number;
  /** Step size (default 0.5). */
  learningRate?: number;
  /** L2 penalty on the word weights, not the bias (default 0.001). */
  l2?: number;
}

export interface TextRouterModel {
  vocabulary: string[];
  weights: number[];
  bias: number;
  options: Required<TextRouterOptions>;
}

const DEFAULTS: Required<TextRouterOptions> = Object.freeze({ minCount: 2, iterations: 500, learningRate: 0.5, l2: 0.001 });

const sigmoid = (z: number): number => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

/**
 * The text-only router, as query routers see a question (e.g. RouteLLM's text classifiers): a
 * logistic regression on the question's bag of words — one 0/1 feature per vocabulary word present
 * (text-signals `words`: lower case, letters, digits, apostrophes) — fitted by full-batch gradient
 * descent on the mean cross-entropy plus an L2 penalty, from zero weights (deterministic). Its
 * score is P(the model's answer is right | the question's words).
 */
export class TextRouter {
  private readonly index: Map<string, number>;

  private constructor(readonly model: TextRouterModel) {
    this.index = new Map(model.vocabulary.map((w, i) => [w, i]));
  }

  static train(examples: readonly TextExample[], options: TextRouterOptions = {}): TextRouter {
    const o = { ...DEFAULTS, ...options };
    if (!Number.isInteger(o.minCount) || o.minCount < 1) throw new MetaError(`minCount must be an integer >= 1, not ${o.minCount}`);
    if (!Number.isInteger(o.iterations) || o.iterations < 0) throw new MetaError(`iterations must be an integer >= 0, not ${o.iterations}`);
    if (!(o.learningRate > 0) || !(o.l2 >= 0)) throw new MetaError('learningRate must be > 0 and l2 >= 0');
    if (!Array.isArray(examples) || examples.length === 0) throw new MetaError('the text router needs at least one training question');
    const bags = examples.map((e, i) => {
      if (typeof e?.question !== 'string') throw new MetaError(`example ${i} has no question`);
      if (!(e.target >= 0 && e.target <= 1)) throw new MetaError(`example ${i}: target must be in [0, 1] (${e.target})`);
      return [...new Set(words(e.question))];
    });
    const counts = new Map<string, number>();
    for (const bag of bags) for (const w of bag) counts.set(w, (counts.get(w) ?? 0) + 1);
    const vocabulary = [...counts].filter(([, c]) => c >= o.minCount).map(([w]) => w).sort();
    const index = new Map(vocabulary.map((w, i) => [w, i]));
    const features = bags.map((bag) => bag.map((w) => index.get(w)).filter((i): i is number => i !== undefined));
    const weights = new Float64Array(vocabulary.length);
    let bias = 0;
    const n = examples.length;
    const gradient = new Float64Array(vocabulary.length);
    for (let step = 0; step < o.iterations; step++) {
      gradient.fill(0);
      let biasGradient = 0;
      features.forEach((f, i) => {
        let z = bias;
        for (const j of f) z += weights[j];
        const error = sigmoid(z) - examples[i].target;
        biasGradient += error;
        for (const j of f) gradient[j] += error;
      });
      for (let j = 0; j < weights.length; j++) weights[j] -= o.learningRate * (gradient[j] / n + o.l2 * weights[j]);
      bias -= (o.learningRate * biasGradient) / n;
    }
    return new TextRouter({ vocabulary, weights: Array.from(weights), bias, options: o });
  }

  /** A router from its model (toJSON's output). */
  static fromModel(model: TextRouterModel): TextRouter {
    if (!Array.isArray(model?.vocabulary) || !Array.isArray(model.weights) || model.vocabulary.length !== model.weights.length || !Number.isFinite(model.bias)) {
      throw new MetaError('a text router model has one weight per vocabulary word and a finite bias');
    }
    return new TextRouter(model);
  }

  /** P(right) for a question: the sigmoid of the bias plus the weights of its words in the vocabulary. */
  score(question: string): number {
    if (typeof question !== 'string') throw new MetaError('a question is text');
    let z = this.model.bias;
    for (const w of new Set(words(question))) {
      const j = this.index.get(w);
      if (j !== undefined) z += this.model.weights[j];
    }
    return sigmoid(z);
  }

  toJSON(): TextRouterModel {
    return this.model;
  }
}
