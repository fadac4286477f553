import { lastLayers, type LayerAttentionEntropy } from '../engine/attention';
import type { Context, GenerateOptions, GeneratedToken, GenerationResult, Injection } from '../engine/context';
import { InvalidOptionError } from '../engine/errors';
import type { Model } from '../engine/model';
import type { TapTensor } from '../engine/taps';
import type { SidecarHandle } from '../engine/sidecar-handle';
import { checkBinding } from './bind';
import { outputFeatures } from './features';
import { loadedConfig, openSidecar } from './file';
import type { SidecarConfig } from './format';

export interface TwoPassLoadOptions {
  /** Run a sidecar made for other weights of the same shape (a warning instead of an error). */
  force?: boolean;
  /** Context for both passes (default: 2048 positions or the model's training context). */
  contextSize?: number;
  threads?: number;
  /** Prompts whose cognitive tokens are kept, so the same prompt never runs pass 1 twice (default 64). */
  cacheSize?: number;
  /**
   * Read the attention entropy of this many last layers in pass 1 (CognitiveState.attentionEntropy;
   * default off). The context then runs without flash attention.
   */
  attentionEntropy?: number;
}

export interface AgcOptions {
  /** α never falls below this (default: the sidecar's `agc.floor`). */
  floor?: number;
  /** Decay in generated tokens (default: the sidecar's `agc.tau`). */
  tau?: number;
}

export interface RefreshOptions {
  /** Re-encode when a watched layer's state falls below this cosine similarity to the encoded one (default 0.9). */
  threshold?: number;
}

export interface TwoPassGenerateOptions extends Omit<GenerateOptions, 'injection' | 'taps'> {
  /** Scale the injection by α(step) = floor + (1 − floor)·e^(−step/τ) (default off). */
  agc?: boolean | AgcOptions;
  /** Re-encode the cognitive tokens when the tapped state drifts during a long generation (default off). */
  dynamicRefresh?: boolean | RefreshOptions;
  /** Re-read the whole prompt in pass 2 instead of reusing pass 1's cache (slower; for comparison). */
  reevaluate?: boolean;
}

/** What pass 1 read and the sidecar made of it. */
export interface CognitiveState {
  /** Hidden states of the target layers at the last prompt token, in target-layer order. */
  hidden: TapTensor[];
  /**
   * The base's output features at the last prompt token (sidecars/FORMAT.md φ: log-probability of
   * its most likely token, margin over the second, entropy); empty for a version-1 sidecar.
   */
  outputFeatures: number[];
  /** Cognitive tokens, row-major `nTokens × embeddingSize`. */
  tokens: Float32Array;
  /** Each target layer's probe: P(the base answers correctly). */
  confidences: { layer: number; confidence: number }[];
  /** With the load option `attentionEntropy`: the last layers' attention entropy at the last prompt token, in layer order. */
  attentionEntropy?: LayerAttentionEntropy[];
}

/** The decision signal that comes back with the text. */
export interface Decision {
  /** Mean of the per-layer probe confidences. */
  confidence: number;
  confidences: { layer: number; confidence: number }[];
  threshold: number;
  /** The confidence is below the sidecar's threshold. */
  refuse: boolean;
  encoderGates: number[];
  /** tanh of each injection gate: the strength each layer's cross-attention is added with. */
  injectionGates: { layer: number; gate: number }[];
  /** Pass 1 was skipped: the prompt's cognitive tokens were cached. */
  cached: boolean;
  /** Times dynamic refresh re-encoded the cognitive tokens. */
  refreshes: number;
  /**
   * Pass 2 injected the cognitive tokens: always, unless the sidecar's gating is 'decision' and
   * the decision trusted the base (then pass 2 is the base's own answer).
   */
  injected: boolean;
}

export interface TwoPassResult extends GenerationResult {
  decision: Decision;
  /** The answer is the sidecar's refusal text. */
  refused: boolean;
}

/**
 * Two-pass inference with a sidecar: pass 1 reads the model's own activations at the last prompt
 * token, the sidecar encodes them into cognitive tokens, and pass 2 generates with those injected
 * through gated cross-attention — reusing pass 1's cache for everything but the last prompt token.
 */
export class TwoPass {
  private readonly cache = new Map<string, CognitiveState>();
  private disposed = false;

  private constructor(
    readonly model: Model,
    readonly config: SidecarConfig,
    private readonly sidecar: SidecarHandle,
    private readonly context: Context,
    private readonly cacheSize: number,
    /** Set when `force` let a sidecar for other weights through. */
    readonly warning: string | null,
  ) {}

  static async load(model: Model, sidecarPath: string, options: TwoPassLoadOptions = {}): Promise<TwoPass> {
    const cacheSize = options.cacheSize ?? 64;
    if (!Number.isInteger(cacheSize) || cacheSize < 0) throw new InvalidOptionError('cacheSize must be an integer >= 0', 'INVALID_ARGUMENT');
    // one parse: the native loader validates the file and hands back the config it read
    const sidecar = await openSidecar(sidecarPath);
    try {
      const config = loadedConfig(sidecar);
      const warning = checkBinding(config, model.info, { force: options.force });
      const attention = options.attentionEntropy === undefined ? {} : { attentionEntropy: { layers: lastLayers(options.attentionEntropy, model.info.layerCount) } };
      const context = await model.createContext({ contextSize: options.contextSize, threads: options.threads, ...attention });
      return new TwoPass(model, config, sidecar, context, cacheSize, warning ?? null);
    } catch (err) {
      sidecar.dispose();
      throw err;
    }
  }

  /** Pass 1 alone: the cognitive state for a prompt (from the cache when it was seen before). */
  async encode(prompt: string | readonly number[], options: { addSpecial?: boolean } = {}): Promise<CognitiveState> {
    return (await this.pass1(this.tokens(prompt, options.addSpecial))).state;
  }

  /**
   * Pass 1 and the decision the probes make on it, without generating: what a caller that
   * generates elsewhere (a server's own slots) needs to apply decision gating itself.
   */
  async assess(prompt: string | readonly number[], options: { addSpecial?: boolean } = {}): Promise<Omit<Decision, 'injected'>> {
    this.checkAlive();
    const { state, cached } = await this.pass1(this.tokens(prompt, options.addSpecial));
    return this.decide(state, cached, 0);
  }

  async *generate(prompt: string | readonly number[], options: TwoPassGenerateOptions = {}): AsyncGenerator<GeneratedToken, TwoPassResult> {
    this.checkAlive();
    const tokens = this.tokens(prompt, options.addSpecial);
    const { state, cached } = await this.pass1(tokens);
    const { agc, dynamicRefresh, reevaluate, ...rest } = options;
    const trusted = this.decide(state, cached, 0);
    if (this.config.gating === 'decision' && !trusted.refuse) {
      // the decision trusts the base: pass 2 is its own answer, from pass 1's cache
      const result = yield* this.context.generate(tokens, rest);
      return { ...result, decision: { ...trusted, injected: false }, refused: false };
    }
    let refreshes = 0;
    const injection: Injection = { sidecar: this.sidecar, tokens: state.tokens, agc: this.agc(agc), reevaluate };
    if (dynamicRefresh) {
      const threshold = (typeof dynamicRefresh === 'object' ? dynamicRefresh.threshold : undefined) ?? 0.9;
      if (!(threshold > -1 && threshold <= 1)) throw new InvalidOptionError('dynamicRefresh.threshold must be in (-1, 1]', 'INVALID_ARGUMENT');
      let reference = state.hidden;
      injection.watch = {
        layers: this.config.targetLayers,
        onStates: async (states) => {
          if (minCosine(reference, states) >= threshold) return null;
          reference = states;
          refreshes++;
          // φ stays pass 1's: the doubt is about the prompt, not about the token just generated
          return (await this.encodeStates(states, state.outputFeatures)).tokens;
        },
      };
    }
    const result = yield* this.context.generate(tokens, { ...rest, injection });
    const decision = { ...this.decide(state, cached, refreshes), injected: true };
    const refusal = this.config.refusal.trim();
    return { ...result, decision, refused: refusal.length > 0 && result.text.trim().startsWith(refusal) };
  }

  async complete(prompt: string | readonly number[], options: TwoPassGenerateOptions = {}): Promise<TwoPassResult> {
    const it = this.generate(prompt, options);
    for (;;) {
      const r = await it.next();
      if (r.done) return r.value;
    }
  }

  /** Forgets the cached prompt and cognitive tokens: the next call runs both passes from scratch. */
  async reset(): Promise<void> {
    this.checkAlive();
    this.cache.clear();
    await this.context.reset();
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.context.dispose();
    this.sidecar.dispose();
    this.cache.clear();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }

  private checkAlive(): void {
    if (this.disposed) throw new InvalidOptionError('this two-pass pipeline has been disposed', 'DISPOSED');
  }

  private tokens(prompt: string | readonly number[], addSpecial = true): number[] {
    const tokens = typeof prompt === 'string' ? this.model.tokenize(prompt, { addSpecial }) : [...prompt];
    if (tokens.length === 0) throw new InvalidOptionError('the prompt is empty', 'INVALID_ARGUMENT');
    return tokens;
  }

  private async pass1(tokens: number[]): Promise<{ state: CognitiveState; cached: boolean }> {
    this.checkAlive();
    const key = tokens.join(',');
    const hit = this.cache.get(key);
    if (hit) {
      // refresh its place in the least-recently-used order
      this.cache.delete(key);
      this.cache.set(key, hit);
      return { state: hit, cached: true };
    }
    const { taps: hidden, logits, attentionEntropy } = await this.context.prefill(tokens, { layers: this.config.targetLayers });
    const encoded = await this.encodeStates(hidden, this.config.version >= 2 ? Array.from(outputFeatures(logits)) : []);
    const state = attentionEntropy ? { ...encoded, attentionEntropy } : encoded;
    if (this.cacheSize > 0) {
      this.cache.set(key, state);
      if (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value as string);
    }
    return { state, cached: false };
  }

  /** The sidecar's input (FORMAT.md): the L hidden states, then φ for a version-2 sidecar. */
  private async encodeStates(hidden: TapTensor[], features: number[]): Promise<CognitiveState> {
    const e = this.model.info.embeddingSize;
    const flat = new Float32Array(hidden.length * e + features.length);
    hidden.forEach((t, i) => flat.set(t.data, i * e));
    flat.set(features, hidden.length * e);
    const { tokens, confidences } = await this.sidecar.encode(flat);
    return { hidden, outputFeatures: features, tokens, confidences: hidden.map((t, i) => ({ layer: t.layer, confidence: confidences[i] })) };
  }

  private agc(option: TwoPassGenerateOptions['agc']): Injection['agc'] {
    if (!option) return null;
    const o = typeof option === 'object' ? option : {};
    return { floor: o.floor ?? this.config.agc.floor, tau: o.tau ?? this.config.agc.tau };
  }

  private decide(state: CognitiveState, cached: boolean, refreshes: number): Omit<Decision, 'injected'> {
    const info = this.sidecar.info();
    const confidence = state.confidences.reduce((s, c) => s + c.confidence, 0) / Math.max(1, state.confidences.length);
    return {
      confidence,
      confidences: state.confidences,
      threshold: this.config.threshold,
      refuse: confidence < this.config.threshold,
      encoderGates: Array.from(info.encoderGates, Math.tanh),
      injectionGates: info.injectLayers.map((layer, j) => ({ layer, gate: Math.tanh(info.injectionGates[j]) })),
      cached,
      refreshes,
    };
  }
}

/** The smallest cosine similarity between matching layers of two sets of states. */
function minCosine(a: TapTensor[], b: TapTensor[]): number {
  let min = 1;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    let dot = 0;
    let na = 0;
    let nb = 0;
    const x = a[i].data;
    const y = b[i].data;
    for (let k = 0; k < x.length; k++) {
      dot += x[k] * y[k];
      na += x[k] * x[k];
      nb += y[k] * y[k];
    }
    min = Math.min(min, na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0);
  }
  return min;
}
