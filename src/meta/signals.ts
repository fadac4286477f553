/**
 * The signals of one generation (issue 18, item 1): what the meta-learner reads to judge an answer,
 * all computed from what a TwoPass generation already returns, in microseconds beside it. Every
 * field is described in docs/meta.md; `signalsVector` lays them out in the fixed order of
 * SIGNAL_NAMES, versioned by SIGNALS_VERSION.
 */
import type { LayerAttentionEntropy } from '../engine/attention';
import type { GeneratedToken } from '../engine/emission';
import type { TapTensor } from '../engine/taps';
import type { CognitiveState, TwoPass, TwoPassGenerateOptions, TwoPassResult } from '../sidecar/twopass';
import { MetaError } from './errors';
import { mahalanobis, type HiddenDistribution } from './hidden-distribution';
import { countHedges, DEFAULT_HEDGES, repetitionRate } from './text-signals';

/** Version of the vector layout: bumped whenever SIGNAL_NAMES changes, so stored vectors say which names they follow. */
export const SIGNALS_VERSION = 2;

/** The names of `signalsVector`'s entries, in order (docs/meta.md describes each). */
export const SIGNAL_NAMES = Object.freeze([
  'hidden_mean',
  'hidden_std',
  'hidden_mean_last',
  'hidden_std_last',
  'entropy_mean',
  'entropy_max',
  'entropy_min',
  'logprob_mean',
  'logprob_min',
  'logprob_first',
  'generated_tokens',
  'hedges',
  'repetition_4gram',
  'ood',
  'ood_present',
  'probe_confidence',
  'probe_confidence_min',
  'probe_confidence_max',
  'refused',
  'attention_entropy_mean',
  'attention_entropy_last',
  'attention_entropy_present',
] as const);

export type SignalName = (typeof SIGNAL_NAMES)[number];

/** Mean and standard deviation of one tapped layer's hidden state at the last prompt token. */
export interface LayerStats {
  layer: number;
  mean: number;
  std: number;
}

export interface Signals {
  version: typeof SIGNALS_VERSION;
  /** Per target layer of the sidecar (pass 1, last prompt token), in target-layer order. */
  hidden: LayerStats[];
  /** Entropy (nats) of the next-token distributions the answer's tokens were drawn from; 0s when none was generated. */
  entropy: { mean: number; max: number; min: number };
  /** Log-probabilities of the generated tokens; 0s when none was generated. */
  logprob: { mean: number; min: number; first: number };
  generatedTokens: number;
  /** Hedging phrases in the answer's text (data/hedges.json, whole words). */
  hedges: number;
  /** Share of the generated tokens' 4-grams that repeat an earlier one. */
  repetition4: number;
  /** Mahalanobis distance of the concatenated hidden states to the fitted distribution, divided by √dimension; null without a distribution. */
  ood: number | null;
  /** The sidecar's probes: the decision's mean confidence, its per-layer spread, and whether it refused. */
  probe: { confidence: number; min: number; max: number; layers: { layer: number; confidence: number }[]; refused: boolean };
  /**
   * Attention entropy (nats, mean over heads) of the last layers at the last prompt token, in layer
   * order: pass 1's reading when the pipeline was loaded with `attentionEntropy`; null otherwise.
   */
  attentionEntropy: LayerAttentionEntropy[] | null;
}

/** What `signalsFromGeneration` reads: a TwoPass generation's result and pass 1's state for the same prompt. */
export interface GenerationForSignals {
  result: Pick<TwoPassResult, 'text' | 'tokens' | 'decision' | 'refused'>;
  /** `TwoPass.encode(prompt)` right after the generation: a cache hit, no second pass. */
  state: Pick<CognitiveState, 'hidden' | 'attentionEntropy'>;
}

export interface SignalOptions {
  /** The hidden-state distribution for the OOD score (fitHiddenDistribution on training prompts); without it `ood` is null. */
  distribution?: HiddenDistribution;
  /** Hedging phrases (default: data/hedges.json). */
  hedges?: readonly string[];
}

/** Mean and population standard deviation of a tensor's values. */
function meanStd(data: Float32Array): { mean: number; std: number } {
  if (data.length === 0) return { mean: 0, std: 0 };
  let sum = 0;
  for (let i = 0; i < data.length; i++) sum += data[i];
  const mean = sum / data.length;
  let sq = 0;
  for (let i = 0; i < data.length; i++) sq += (data[i] - mean) * (data[i] - mean);
  return { mean, std: Math.sqrt(sq / data.length) };
}

/** The tapped layers' states laid end to end, as the sidecar reads them (and the OOD distribution is fitted on). */
export function hiddenStateVector(hidden: readonly TapTensor[]): Float32Array {
  const out = new Float32Array(hidden.reduce((n, t) => n + t.data.length, 0));
  let at = 0;
  for (const t of hidden) {
    out.set(t.data, at);
    at += t.data.length;
  }
  return out;
}

function tokenStats(tokens: readonly GeneratedToken[]): Pick<Signals, 'entropy' | 'logprob'> {
  if (tokens.length === 0) return { entropy: { mean: 0, max: 0, min: 0 }, logprob: { mean: 0, min: 0, first: 0 } };
  let entropySum = 0;
  let logprobSum = 0;
  let entropyMax = -Infinity;
  let entropyMin = Infinity;
  let logprobMin = Infinity;
  for (const t of tokens) {
    if (!Number.isFinite(t.entropy) || !Number.isFinite(t.logprob)) throw new MetaError(`token ${t.id} has a non-finite entropy or log-probability`);
    entropySum += t.entropy;
    logprobSum += t.logprob;
    entropyMax = Math.max(entropyMax, t.entropy);
    entropyMin = Math.min(entropyMin, t.entropy);
    logprobMin = Math.min(logprobMin, t.logprob);
  }
  return {
    entropy: { mean: entropySum / tokens.length, max: entropyMax, min: entropyMin },
    logprob: { mean: logprobSum / tokens.length, min: logprobMin, first: tokens[0].logprob },
  };
}

/** The signals of one generation. */
export function signalsFromGeneration(generation: GenerationForSignals, options: SignalOptions = {}): Signals {
  const { result, state } = generation;
  if (state.hidden.length === 0) throw new MetaError('the cognitive state holds no hidden states');
  const hidden = state.hidden.map((t) => ({ layer: t.layer, ...meanStd(t.data) }));
  const dist = options.distribution;
  let ood: number | null = null;
  if (dist) {
    const vector = hiddenStateVector(state.hidden);
    ood = mahalanobis(dist, vector) / Math.sqrt(dist.dimension);
  }
  const confidences = result.decision.confidences.map((c) => ({ layer: c.layer, confidence: c.confidence }));
  const values = confidences.map((c) => c.confidence);
  return {
    version: SIGNALS_VERSION,
    hidden,
    ...tokenStats(result.tokens),
    generatedTokens: result.tokens.length,
    hedges: countHedges(result.text, options.hedges ?? DEFAULT_HEDGES),
    repetition4: repetitionRate(
      result.tokens.map((t) => t.id),
      4,
    ),
    ood,
    probe: {
      confidence: result.decision.confidence,
      min: values.length ? Math.min(...values) : result.decision.confidence,
      max: values.length ? Math.max(...values) : result.decision.confidence,
      layers: confidences,
      refused: result.refused,
    },
    attentionEntropy: state.attentionEntropy?.length ? state.attentionEntropy.map((a) => ({ layer: a.layer, mean: a.mean, max: a.max })) : null,
  };
}

/**
 * The signals as numbers in SIGNAL_NAMES order: an absent OOD score or attention entropy is 0 with
 * its `_present` flag 0; booleans are 0/1.
 */
export function signalsVector(signals: Signals): Float32Array {
  if (signals.hidden.length === 0) throw new MetaError('signals without hidden-state statistics');
  const layerMean = (key: 'mean' | 'std'): number => signals.hidden.reduce((s, h) => s + h[key], 0) / signals.hidden.length;
  const last = signals.hidden[signals.hidden.length - 1];
  const attention = signals.attentionEntropy?.length ? signals.attentionEntropy : null;
  const byName: Record<SignalName, number> = {
    hidden_mean: layerMean('mean'),
    hidden_std: layerMean('std'),
    hidden_mean_last: last.mean,
    hidden_std_last: last.std,
    entropy_mean: signals.entropy.mean,
    entropy_max: signals.entropy.max,
    entropy_min: signals.entropy.min,
    logprob_mean: signals.logprob.mean,
    logprob_min: signals.logprob.min,
    logprob_first: signals.logprob.first,
    generated_tokens: signals.generatedTokens,
    hedges: signals.hedges,
    repetition_4gram: signals.repetition4,
    ood: signals.ood ?? 0,
    ood_present: signals.ood === null ? 0 : 1,
    probe_confidence: signals.probe.confidence,
    probe_confidence_min: signals.probe.min,
    probe_confidence_max: signals.probe.max,
    refused: signals.probe.refused ? 1 : 0,
    attention_entropy_mean: attention ? attention.reduce((s, a) => s + a.mean, 0) / attention.length : 0,
    attention_entropy_last: attention ? attention[attention.length - 1].mean : 0,
    attention_entropy_present: attention ? 1 : 0,
  };
  const vector = Float32Array.from(SIGNAL_NAMES, (name) => byName[name]);
  vector.forEach((v, i) => {
    if (!Number.isFinite(v)) throw new MetaError(`signal ${SIGNAL_NAMES[i]} is not finite (${v})`);
  });
  return vector;
}

/**
 * Generates an answer and its signals: TwoPass.complete, then TwoPass.encode of the same prompt,
 * which its prompt cache answers without running pass 1 again (unless the pipeline was loaded with
 * cacheSize 0).
 */
export async function completeWithSignals(
  pipe: TwoPass,
  prompt: string,
  generateOptions: TwoPassGenerateOptions = {},
  options: SignalOptions = {},
): Promise<{ result: TwoPassResult; state: CognitiveState; signals: Signals }> {
  const result = await pipe.complete(prompt, generateOptions);
  const state = await pipe.encode(prompt, { addSpecial: generateOptions.addSpecial });
  return { result, state, signals: signalsFromGeneration({ result, state }, options) };
}
