import { attentionEntropyLayers, type AttentionEntropyOption, type LayerAttentionEntropy } from './attention';
import { embedBatchOnContext, embedOnContext, type EmbedOptions, type EmbeddingInput } from './embeddings';
import { ContextOverflowError, DisposedError, InternalError, InvalidOptionError, native, nativeSync, throwIfAborted } from './errors';
import { addon, type GraphCounters, type GraphPlacement, type NativeContext } from './native';
import type { SidecarHandle } from './sidecar-handle';
import type { Model } from './model';
import { availableMemoryBytes, optionWarnings, resolveThreads } from './resources';
import { constraintGrammar, type ConstraintOptions } from './grammar';
import { samplerConfig, type SamplingOptions } from './sampling';
import { TokenEmitter, topLogprobsOption, type GeneratedToken } from './emission';
import { resolveLayers, tapModes, toTensors, type TapMode, type TapRequest, type TapTensor } from './taps';

export const KV_CACHE_TYPES = ['f32', 'f16', 'q8_0'] as const;
export type KvCacheType = (typeof KV_CACHE_TYPES)[number];
/** Bytes per element of each KV cache type, relative to f16's 2 (q8_0: 34 bytes per block of 32). */
const KV_CACHE_SCALE: Record<KvCacheType, number> = { f32: 2, f16: 1, q8_0: 34 / 64 };

export interface ContextOptions {
  /** Positions the KV cache holds (default 2048, at most the model's training context unless raised explicitly). */
  contextSize?: number;
  /** Tokens evaluated per native call (default 512). */
  batchSize?: number;
  /**
   * CPU threads: at most the CPUs the process may use (more is capped, with a warning). Default: one
   * for models under 5M parameters, else the CPUs the load average leaves idle.
   */
  threads?: number;
  /** Default sampling seed for this context. */
  seed?: number;
  /**
   * Element type of the KV cache (llama.cpp's type_k/type_v; default f16): f32 for precision,
   * q8_0 for memory (needs head sizes that are multiples of 32; runs with flash attention).
   */
  kvCacheType?: KvCacheType;
  /**
   * Read the attention entropy of these layers at the last token of every evaluate() and prefill
   * (src/engine/attention.ts). Turns flash attention off for this context (the softmaxed weights
   * exist only without it), so it refuses a q8_0 KV cache; a single-sequence context only.
   */
  attentionEntropy?: AttentionEntropyOption;
  /** Where warnings about the options go (threads capped, context beyond training); default process.emitWarning. */
  onWarning?: (message: string) => void;
}

/**
 * With `grammar` or `jsonSchema` every token is drawn from those that continue the grammar (see
 * ./grammar.ts). The text matches it when the model ends the generation itself (stopReason "eog");
 * maxTokens, a stop string or a full context cut it short, and it is then only a prefix of a match:
 * check stopReason before parsing.
 */
export interface GenerateOptions extends SamplingOptions, ConstraintOptions {
  /** Maximum tokens to generate (default 128). */
  maxTokens?: number;
  /** Stop before any of these strings; they are never part of the output. */
  stop?: string[];
  signal?: AbortSignal;
  /** Read the residual stream while generating (mode "last" = the last prompt token, "mean" = over the generated span). */
  taps?: TapRequest;
  /** Add BOS when tokenizing a string prompt (default true). */
  addSpecial?: boolean;
  /** Report this many of the most likely tokens (0..20, default 0) with each generated token (`GeneratedToken.top`). */
  topLogprobs?: number;
  /** Return the logits of the last prompt token, the distribution the first token is drawn from (default false). */
  promptLogits?: boolean;
  /** @internal a sidecar's cross-attention for this generation (see src/sidecar/twopass.ts). */
  injection?: Injection;
}

/**
 * @internal How the sidecar runtime injects into one generation: the cognitive tokens enter the
 * residual stream from the last prompt position on, so the prompt's cached keys and values stay valid.
 */
export interface Injection {
  sidecar: SidecarHandle;
  tokens: Float32Array;
  agc: { floor: number; tau: number } | null;
  /** Forget the cache and re-read the whole prompt (the path pass 2 avoids; kept for comparison). */
  reevaluate?: boolean;
  /** Layers read after every generated token; a returned array replaces the cognitive tokens. */
  watch?: { layers: number[]; onStates(states: TapTensor[]): Promise<Float32Array | null> };
}

export type { GeneratedToken, TopToken } from './emission';

export type StopReason = 'eog' | 'maxTokens' | 'stop' | 'contextFull';

export interface GenerationResult {
  text: string;
  tokens: GeneratedToken[];
  promptTokens: number;
  /** Prompt tokens whose keys and values came from the cache (a prefix shared with what was evaluated before); the rest were evaluated. */
  cachedPromptTokens: number;
  stopReason: StopReason;
  taps?: TapTensor[];
  /** With `promptLogits`: the logits at the last prompt token, `vocabularySize` values. */
  promptLogits?: Float32Array;
}

export interface EvaluateOptions {
  /** Logits of the last position (default) or of every position. */
  logits?: 'last' | 'all';
  taps?: TapRequest;
}

export interface EvaluateResult {
  /** Row-major: `positions × vocabularySize` for "all", `vocabularySize` for "last". */
  logits: Float32Array;
  positions: number;
  vocabularySize: number;
  taps?: TapTensor[];
  /** With the context option `attentionEntropy`: its layers' attention entropy at the last token. */
  attentionEntropy?: LayerAttentionEntropy[];
}

/** Serialises operations on one context: llama.cpp contexts are not re-entrant. */
class Mutex {
  private tail: Promise<void> = Promise.resolve();
  async lock(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((r) => (release = r));
    const prev = this.tail;
    this.tail = prev.then(() => next);
    await prev;
    return release;
  }
}

export class Context {
  private handle: NativeContext | null;
  private readonly mutex = new Mutex();
  private readonly disposeListeners: (() => void)[] = [];
  /** Tokens whose keys and values are in the cache, in order from position 0. */
  private cached: number[] = [];

  private constructor(
    readonly model: Model,
    handle: NativeContext,
    readonly size: number,
    private readonly seed: number,
    /** The layers the attentionEntropy option reads; null without it. */
    private readonly attentionLayers: number[] | null,
  ) {
    this.handle = handle;
  }

  /** @internal use model.createContext() */
  static async create(model: Model, options: ContextOptions): Promise<Context> {
    const { contextSize, batchSize, threads, kvCacheType, attentionLayers } = contextParams(model, options, 1);
    const attention = attentionLayers ? { attentionEntropy: Int32Array.from(attentionLayers) } : {};
    const handle = await native(() => addon().createContext(model.native, { contextSize, batchSize, threads, ...kvCacheOption(kvCacheType), ...attention }));
    return new Context(model, handle, handle.size(), options.seed ?? 0, attentionLayers);
  }

  /** @internal the addon handle, for the sidecar runtime. */
  get native(): NativeContext {
    if (!this.handle) throw new DisposedError('the context has been disposed', 'DISPOSED');
    return this.handle;
  }

  /** @internal */
  onDispose(listener: () => void): void {
    this.disposeListeners.push(listener);
  }

  /**
   * Where the last graph this context built ran: graph nodes per backend of llama.cpp's scheduler
   * and its split count (all zero before the first evaluation). On a GPU build with `gpuLayers`,
   * this shows how much of the model, the taps and the injection ran on the device.
   */
  graphPlacement(): GraphPlacement {
    return nativeSync(() => this.native.graphPlacement());
  }

  /** Evaluates tokens from an empty cache and returns their logits. */
  async evaluate(tokens: readonly number[], options: EvaluateOptions = {}): Promise<EvaluateResult> {
    if (tokens.length === 0) throw new InvalidOptionError('evaluate() needs at least one token', 'INVALID_ARGUMENT');
    this.model.checkTokens(tokens);
    const release = await this.mutex.lock();
    try {
      this.checkFits(tokens.length, 0);
      const mode = options.taps?.mode ?? 'last';
      this.configureTaps(options.taps, mode);
      this.native.removeFrom(0);
      this.cached = [];
      const all = options.logits === 'all';
      this.recordAttention(true);
      const logits = await native(() => this.native.decode(Int32Array.from(tokens), 0, all ? 2 : 1));
      this.cached = [...tokens];
      const taps = this.collectTaps(options.taps, mode);
      return { logits: logits ?? new Float32Array(0), positions: all ? tokens.length : 1, vocabularySize: this.model.info.vocabularySize, taps, ...this.collectAttention() };
    } finally {
      this.recordAttention(false);
      this.clearTaps();
      release();
    }
  }

  /**
   * Generates from a prompt (text or tokens) as an async iterator of tokens. The iterator's
   * return value is the whole result; `complete()` is the convenience that waits for it.
   */
  async *generate(prompt: string | readonly number[], options: GenerateOptions = {}): AsyncGenerator<GeneratedToken, GenerationResult> {
    const maxTokens = options.maxTokens ?? 128;
    if (!Number.isInteger(maxTokens) || maxTokens < 0) throw new InvalidOptionError('maxTokens must be an integer >= 0', 'INVALID_ARGUMENT');
    const sampler = samplerConfig(options, this.seed);
    const grammar = constraintGrammar(options);
    const topLogprobs = topLogprobsOption(options.topLogprobs);
    const promptTokens = typeof prompt === 'string' ? this.model.tokenize(prompt, { addSpecial: options.addSpecial ?? true }) : [...prompt];
    if (promptTokens.length === 0) throw new InvalidOptionError('the prompt is empty', 'INVALID_ARGUMENT');
    this.model.checkTokens(promptTokens);
    const tapMode: TapMode = options.taps?.mode ?? 'last';
    if (options.taps && tapMode === 'all') throw new InvalidOptionError('generate() taps support mode "last" or "mean"; use evaluate() for every position', 'INVALID_ARGUMENT');
    const injection = options.injection;
    if (injection?.watch && options.taps) throw new InvalidOptionError('taps cannot be combined with a watched injection', 'INVALID_ARGUMENT');
    throwIfAborted(options.signal);

    const release = await this.mutex.lock();
    const emitter = new TokenEmitter(options.stop ?? []);
    let stopReason: StopReason = 'maxTokens';
    let taps: TapTensor[] | undefined;
    try {
      this.checkFits(promptTokens.length, 0);
      throwIfAborted(options.signal);
      // before the prompt is evaluated: an invalid grammar fails here, at no cost
      nativeSync(() => this.native.setSampler({ ...sampler, grammar }, Int32Array.from(promptTokens)));
      // pass 1 taps ("last") read the last prompt token; "mean" taps read only the generated span
      this.configureTaps(tapMode === 'last' ? options.taps : undefined, tapMode);
      const injectFrom = promptTokens.length - 1;
      if (injection) {
        nativeSync(() => this.native.setInjection(injection.sidecar.handle, injection.tokens, injectFrom, injection.agc));
        if (injection.reevaluate) this.forgetFrom(0);
      }
      const { logits: lastLogits, reused: cachedPromptTokens } = await this.ingest(promptTokens);
      const promptLogits = options.promptLogits ? lastLogits.slice() : undefined;
      if (tapMode === 'last') taps = this.collectTaps(options.taps, tapMode);
      if (options.taps && tapMode === 'mean') this.configureTaps(options.taps, 'mean');
      else if (injection?.watch) this.configureTaps({ layers: injection.watch.layers }, 'last');
      else this.clearTaps();

      let pos = promptTokens.length;
      const wantsMean = !!options.taps && tapMode === 'mean';
      for (let i = 0; i < maxTokens; i++) {
        throwIfAborted(options.signal);
        if (pos >= this.size) {
          stopReason = 'contextFull';
          break;
        }
        // the final token needs no evaluation unless its hidden state is tapped
        const decodeNext = (i < maxTokens - 1 || wantsMean) && pos < this.size;
        const step = await native(() => this.native.step(pos, decodeNext, topLogprobs));
        if (step.eog) {
          stopReason = 'eog';
          break;
        }
        if (decodeNext) {
          this.cached.push(step.token);
          pos++;
          if (injection?.watch) {
            const tokens = await injection.watch.onStates(this.collectTaps({ layers: injection.watch.layers }, 'last') ?? []);
            if (tokens) nativeSync(() => this.native.setInjectionTokens(tokens));
          }
        }
        if (emitter.push(step)) {
          stopReason = 'stop';
          break;
        }
        yield* emitter.ready();
      }
      yield* emitter.finish(stopReason === 'stop');
      if (wantsMean) taps = this.collectTaps(options.taps, 'mean');
      const text = emitter.text(stopReason === 'stop');
      return { text, tokens: emitter.tokens, promptTokens: promptTokens.length, cachedPromptTokens, stopReason, taps, ...(promptLogits ? { promptLogits } : {}) };
    } catch (err) {
      // the cache may hold a partial evaluation: start over next time
      this.cached = [];
      throw err;
    } finally {
      if (this.handle) {
        this.clearTaps();
        if (injection) {
          this.native.clearInjection();
          // keys and values from the injected positions on are not the base's: never reuse them
          this.forgetFrom(promptTokens.length - 1);
        }
      }
      release();
    }
  }

  /** Generates to the end and returns the whole result. */
  async complete(prompt: string | readonly number[], options: GenerateOptions = {}): Promise<GenerationResult> {
    const it = this.generate(prompt, options);
    for (;;) {
      const r = await it.next();
      if (r.done) return r.value;
    }
  }

  /**
   * @internal Evaluates a prompt into the cache, reusing the prefix already there, and returns
   * the taps and the logits of its last token (pass 1 of two-pass inference).
   */
  async prefill(tokens: readonly number[], taps: TapRequest): Promise<{ taps: TapTensor[]; logits: Float32Array; attentionEntropy?: LayerAttentionEntropy[] }> {
    if (tokens.length === 0) throw new InvalidOptionError('the prompt is empty', 'INVALID_ARGUMENT');
    this.model.checkTokens(tokens);
    const release = await this.mutex.lock();
    try {
      this.checkFits(tokens.length, 0);
      this.configureTaps(taps, 'last');
      this.recordAttention(true);
      const { logits } = await this.ingest([...tokens]);
      return { taps: this.collectTaps(taps, 'last') ?? [], logits: logits.slice(), ...this.collectAttention() };
    } catch (err) {
      this.cached = [];
      throw err;
    } finally {
      if (this.handle) {
        this.recordAttention(false);
        this.clearTaps();
      }
      release();
    }
  }

  /**
   * A pooled hidden state of one input (text or token ids): by default the mean over its positions
   * after the final norm, as llama.cpp's embeddings (src/engine/embeddings.ts). Replaces the cache.
   */
  embed(input: EmbeddingInput, options: EmbedOptions = {}): Promise<Float32Array> {
    return embedOnContext(this, input, options);
  }

  /** One embedding per input, evaluated in turn. */
  embedBatch(inputs: readonly EmbeddingInput[], options: EmbedOptions = {}): Promise<Float32Array[]> {
    return embedBatchOnContext(this, inputs, options);
  }

  /**
   * @internal Counters for tests and benchmarks: graphs this context built and reused (a layer hook
   * that only taps, or injects the same cognitive tokens, keeps reusing the graph from token to
   * token), and how often the injection's cognitive K/V were computed.
   */
  graphCounters(): GraphCounters {
    return this.native.graphCounters();
  }

  /** Forgets the cache (the next call evaluates its prompt from scratch). */
  async reset(): Promise<void> {
    const release = await this.mutex.lock();
    try {
      this.native.removeFrom(0);
      this.cached = [];
    } finally {
      release();
    }
  }

  async dispose(): Promise<void> {
    if (!this.handle) return;
    const release = await this.mutex.lock();
    try {
      this.handle?.dispose();
      this.handle = null;
      for (const l of this.disposeListeners) l();
    } finally {
      release();
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }

  private checkFits(promptLength: number, extra: number): void {
    if (promptLength + extra > this.size) {
      throw new ContextOverflowError(`the prompt has ${promptLength} tokens but the context holds ${this.size}; create a larger context or shorten the prompt`, 'CONTEXT_OVERFLOW');
    }
  }

  private forgetFrom(pos: number): void {
    this.native.removeFrom(pos);
    this.cached = this.cached.slice(0, pos);
  }

  /**
   * Evaluates what the cache lacks of `tokens`, reusing the prefix it shares with what was evaluated
   * before; returns the last token's logits and how many tokens were reused.
   */
  private async ingest(tokens: number[]): Promise<{ logits: Float32Array; reused: number }> {
    const keep = reusablePrefix(this.cached, tokens);
    this.native.removeFrom(keep);
    this.cached = this.cached.slice(0, keep);
    const logits = await native(() => this.native.decode(Int32Array.from(tokens.slice(keep)), keep, 1));
    this.cached = [...tokens];
    if (!logits) throw new InternalError('the last prompt token produced no logits');
    return { logits, reused: keep };
  }

  private configureTaps(request: TapRequest | undefined, mode: TapMode): void {
    if (!request) return this.clearTaps();
    const layers = resolveLayers(request.layers, this.model.info.layerCount);
    nativeSync(() => this.native.setTaps(Int32Array.from(layers), tapModes(mode)));
  }

  private clearTaps(): void {
    this.native.setTaps(new Int32Array(0), {});
  }

  /** Recording only around evaluate() and prefill: generation's decodes then ask the callback for nothing. */
  private recordAttention(on: boolean): void {
    if (this.attentionLayers) this.native.recordAttentionEntropy(on);
  }

  private collectAttention(): { attentionEntropy?: LayerAttentionEntropy[] } {
    if (!this.attentionLayers) return {};
    const readings = this.native.readAttentionEntropy();
    if (readings.length !== this.attentionLayers.length) {
      throw new InternalError(`attention entropy was read for ${readings.length} of ${this.attentionLayers.length} layers (no kq_soft_max node: is flash attention on?)`);
    }
    return { attentionEntropy: readings.map((r) => ({ layer: r.layer, mean: r.mean, max: r.max })) };
  }

  private collectTaps(request: TapRequest | undefined, mode: TapMode): TapTensor[] | undefined {
    if (!request) return undefined;
    return toTensors(this.native.readTaps(), mode, this.model.info.embeddingSize);
  }
}

const warnedBeyondTraining = new WeakSet<Model>();

/**
 * How many cached tokens a prompt can keep: the prefix it shares with them, less one when that is
 * the whole prompt (its last token is always evaluated, to produce the logits the first token is drawn from).
 */
export function reusablePrefix(cached: readonly number[], tokens: readonly number[]): number {
  let keep = 0;
  while (keep < cached.length && keep < tokens.length && cached[keep] === tokens[keep]) keep++;
  return Math.min(keep, tokens.length - 1);
}

/**
 * @internal Checks a context's sizes and resolves its threads, before native code sees them:
 * `contextSize` is per sequence, and the KV cache of all `sequences` must fit in memory.
 */
export function contextParams(
  model: Model,
  options: ContextOptions,
  sequences: number,
): { contextSize: number; batchSize: number; threads: number; kvCacheType: KvCacheType; attentionLayers: number[] | null } {
  const contextSize = options.contextSize ?? Math.min(2048, model.info.trainContextSize);
  const batchSize = options.batchSize ?? 512;
  const pos = (v: number | undefined, name: string) => {
    // llama.cpp takes these as 32-bit integers: a larger value would wrap (2**32 became 256)
    if (v !== undefined && (!Number.isInteger(v) || v <= 0 || v > 0x7fffffff)) throw new InvalidOptionError(`${name} must be a positive integer below 2^31 (got ${v})`, 'INVALID_ARGUMENT');
  };
  pos(contextSize, 'contextSize');
  pos(batchSize, 'batchSize');
  if (contextSize * sequences > 0x7fffffff) throw new InvalidOptionError(`contextSize × sequences must stay below 2^31 (got ${contextSize} × ${sequences})`, 'INVALID_ARGUMENT');
  const kvCacheType = checkKvCacheType(model, options.kvCacheType);
  const attentionLayers = attentionEntropyLayers(options.attentionEntropy, model.info.layerCount, sequences, kvCacheType);
  const warn = optionWarnings(options.onWarning);
  const threads = resolveThreads(options.threads, model.info.parameterCount, warn);
  checkMemory(model, contextSize * sequences, sequences === 1 ? `contextSize ${contextSize}` : `${sequences} sequences × contextSize ${contextSize}`, KV_CACHE_SCALE[kvCacheType]);
  if (contextSize > model.info.trainContextSize && !warnedBeyondTraining.has(model)) {
    // once per model: a caller that chose a longer context knows after the first time
    warnedBeyondTraining.add(model);
    warn(`contextSize ${contextSize} exceeds the ${model.info.trainContextSize} positions this model was trained on; quality past them is not to be trusted`);
  }
  return { contextSize, batchSize, threads, kvCacheType, attentionLayers };
}

/**
 * The KV cache type, checked where llama.cpp would assert: ggml's row size asserts that a
 * quantized row (a head) splits into whole blocks of 32.
 */
function checkKvCacheType(model: Model, type: KvCacheType | undefined): KvCacheType {
  const t = type ?? 'f16';
  if (!(KV_CACHE_TYPES as readonly string[]).includes(t)) throw new InvalidOptionError(`kvCacheType must be one of ${KV_CACHE_TYPES.join(', ')} (got ${JSON.stringify(type)})`, 'INVALID_ARGUMENT');
  const { k, v } = model.kvHeadSizes;
  if (t === 'q8_0' && (k % 32 !== 0 || v % 32 !== 0)) {
    throw new InvalidOptionError(`kvCacheType q8_0 needs head sizes that are multiples of 32 (this model's: keys ${k}, values ${v})`, 'INVALID_ARGUMENT');
  }
  return t;
}

/** The addon's option for a KV cache type: none for llama.cpp's default, f16. */
export function kvCacheOption(type: KvCacheType): { kvCacheType?: KvCacheType } {
  return type === 'f16' ? {} : { kvCacheType: type };
}

/** Refuses a context whose KV cache alone would not fit in the memory there is, before llama.cpp allocates it. */
function checkMemory(model: Model, positions: number, what: string, kvScale = 1): void {
  const needed = model.kvBytesPerPosition * kvScale * positions;
  const available = availableMemoryBytes();
  if (needed > available) {
    const gb = (n: number) => `${(n / 1e9).toFixed(2)} GB`;
    throw new InvalidOptionError(
      `${what} needs about ${gb(needed)} of KV cache (${positions} positions × ${Math.round(model.kvBytesPerPosition * kvScale)} bytes over ${model.info.layerCount} layers) but ${gb(available)} of memory is available`,
      'INSUFFICIENT_MEMORY',
    );
  }
}
