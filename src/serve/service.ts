/**
 * The model service: what every HTTP API of `cogito serve` calls, and the only part of the server
 * that touches the engine.
 *
 * Contract:
 * - `ModelService.start(options)` returns at once; the model (and sidecar) load in the background.
 *   `state` is 'loading' until `ready` resolves; every operation before then throws NotReadyError
 *   (503), as does one after `close()` began.
 * - `complete(prompt, options)` completes a text prompt as given; `chat(messages, options)` renders
 *   the conversation first (./chat.ts). Both check everything about the request (sampling values,
 *   the JSON Schema, the prompt's length against the context) BEFORE taking a slot, so a bad
 *   request fails with a typed error while the caller can still answer with a status; then they
 *   wait for one of the `parallel` slots (QueueFullError, 429, when the bounded queue is full).
 * - Streaming: `onText(text, token)` is called for each piece of the answer as it is generated;
 *   `token` is null for text the model did not generate (the sidecar's refusal).
 * - `signal` cancels: a queued request leaves the queue, a running one stops at the next token and
 *   frees its slot; the promise rejects with AbortError.
 * - The result carries counts, timings in nanoseconds, `finish` ('stop' | 'length' | 'refused'),
 *   each generated token with its logprob (and its top alternatives once the engine reports them),
 *   and, with a sidecar, cogito's signal (CogitoSignal).
 * - `embed(inputs, options)` pools the final layer's hidden states exactly as the library's
 *   `model.embedBatch` does, under a slot like any other request.
 * Each API module (./ollama.ts, ./openai.ts) only translates its wire format to these calls.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { GenerateOptions, GenerationResult, StopReason } from '../engine/context';
import type { GeneratedToken, TopToken } from '../engine/emission';
import { AbortError, ContextOverflowError, InvalidJsonSchemaError, InvalidOptionError } from '../engine/errors';
import { jsonSchemaToGrammar, type JsonSchema } from '../engine/grammar';
import type { ChatMessageInput } from '../engine/chat-template';
import { loadModel, type Model } from '../engine/model';
import { defaultThreads } from '../engine/resources';
import { samplerConfig, type SamplingOptions } from '../engine/sampling';
import { TwoPass, type TwoPassResult } from '../sidecar/twopass';
import { renderChat, resolveChatTemplate, type ServedChatTemplate } from './chat';
import { NotReadyError } from './errors';
import { SlotPool } from './slots';

export interface ServiceOptions {
  modelPath: string;
  /** A sidecar for cogito's signal, or null for plain generation. */
  sidecarPath: string | null;
  /** Run a sidecar made for other weights of the same shape. */
  forceSidecar?: boolean;
  /** The name clients use for the model (default: the file name without .gguf). */
  modelName?: string;
  /** Requests generated at once (default 1). */
  parallel?: number;
  /** Requests that may wait beyond the slots (default 16). */
  queue?: number;
  /** Positions per slot (default: the model's training context, at most 2048). */
  contextSize?: number;
  threads?: number;
  /** A chat template (Jinja, or a llama.cpp template name) instead of the model's own. */
  chatTemplate?: string;
  onWarning?: (message: string) => void;
  /** Told of every completion and embedding served (the server's metrics). */
  observer?: { completion(c: Completion): void; embedding(promptTokens: number): void };
}

export interface CompletionOptions extends SamplingOptions {
  /** Tokens to generate at most (default 128). */
  maxTokens?: number;
  stop?: string[];
  /** Constrain the output to JSON: `true` any JSON value, an object a JSON Schema. */
  json?: JsonSchema;
  /** The most likely alternatives to report with each token (0–20). */
  topLogprobs?: number;
  signal?: AbortSignal;
  /** Each piece of the answer as it is produced; `token` is null for text the model did not generate. */
  onText?: (text: string, token: CompletionToken | null) => void;
}

export type TopLogprob = TopToken;

export interface CompletionToken {
  id: number;
  text: string;
  logprob: number;
  /** With `topLogprobs`: the most likely tokens at this position, best first. */
  top?: TopLogprob[];
}

/** cogito's own signal: what the sidecar's probes read in the prompt, and whether it refused. */
export interface CogitoSignal {
  confidence: number;
  confidences: { layer: number; confidence: number }[];
  threshold: number;
  refused: boolean;
}

/** 'stop': the model ended (or a stop string); 'length': max tokens or a full context; 'refused': the sidecar's refusal. */
export type FinishReason = 'stop' | 'length' | 'refused';

export interface Completion {
  text: string;
  /**
   * The answer token by token: their texts concatenate exactly to `text` (the last may be cut
   * where a stop string began). Empty for the sidecar's refusal, which the model did not generate.
   */
  tokens: CompletionToken[];
  /** Tokens the model generated, those a stop string cut off included (Ollama's eval_count). */
  generatedTokens: number;
  promptTokens: number;
  /** Prompt tokens found in the slot's cache, not evaluated again. */
  cachedPromptTokens: number;
  finish: FinishReason;
  /** Nanoseconds: waiting for a slot, reading the prompt (with pass 1), generating, and all of it. */
  timings: { queuedNs: number; promptNs: number; generationNs: number; totalNs: number };
  cogito?: CogitoSignal;
}

export interface EmbedRequestOptions {
  /** Scale each vector to unit length (Ollama's /api/embed does; its legacy /api/embeddings does not). */
  normalize: boolean;
  /** Cut inputs longer than the context to fit (default) instead of refusing them. */
  truncate: boolean;
  signal?: AbortSignal;
}

export interface Embeddings {
  vectors: Float32Array[];
  promptTokens: number;
  totalNs: number;
}

export interface ModelDescription {
  name: string;
  path: string;
  size: number;
  modifiedAt: Date;
  /** Identifies the weights (the engine's fingerprint). */
  digest: string;
  architecture: string;
  parameterCount: number;
  quantization: string;
  contextSize: number;
  trainContextSize: number;
  layerCount: number;
  embeddingSize: number;
  vocabularySize: number;
  chatTemplate: string | null;
  sidecar: string | null;
  loadDurationNs: number;
  loadedAt: Date;
}

export type ServiceState = 'loading' | 'ready' | 'failed' | 'closing' | 'closed';

interface Loaded {
  model: Model;
  pool: SlotPool;
  sidecar: TwoPass | null;
  chatTemplate: ServedChatTemplate;
  contextSize: number;
  /** CPU threads of each slot's context. */
  threads: number;
  description: ModelDescription;
}

const now = () => process.hrtime.bigint();
const elapsedNs = (from: bigint, to: bigint = now()) => Number(to - from);

/** The file name without its .gguf extension: the name clients ask for the model by. */
export function modelNameOf(file: string): string {
  return path.basename(file).replace(/\.gguf$/i, '');
}

export class ModelService {
  private loaded: Loaded | null = null;
  private current: ServiceState = 'loading';
  private inFlight = 0;
  private readonly idle: (() => void)[] = [];
  /** Resolves when the model is loaded; rejects with the load failure. */
  readonly ready: Promise<void>;
  readonly name: string;

  private constructor(private readonly options: ServiceOptions) {
    checkServiceOptions(options);
    this.name = options.modelName ?? modelNameOf(options.modelPath);
    this.ready = this.load().catch((err: unknown) => {
      this.current = 'failed';
      throw err;
    });
    // the state records a failure; whoever awaits `ready` sees it
    this.ready.catch(() => undefined);
  }

  /** Starts loading the model and returns at once (see `ready`). */
  static start(options: ServiceOptions): ModelService {
    return new ModelService(options);
  }

  get state(): ServiceState {
    return this.current;
  }

  /** Slots, busy slots and queued requests, for /metrics and /api/ps. */
  get occupancy(): { slots: number; busy: number; queued: number } {
    const pool = this.loaded?.pool;
    return { slots: pool?.size ?? 0, busy: pool?.busy ?? 0, queued: pool?.queued ?? 0 };
  }

  /** What /api/tags, /api/show and /api/ps describe; throws NotReadyError while loading. */
  describe(): ModelDescription {
    return this.use().description;
  }

  /** Whether `name` names the served model (`default`, `default:latest`). */
  serves(name: string): boolean {
    return name === this.name || name === `${this.name}:latest`;
  }

  complete(prompt: string, options: CompletionOptions = {}): Promise<Completion> {
    return this.run(() => {
      const loaded = this.use();
      return this.generate(loaded, this.promptTokens(loaded, prompt), options);
    });
  }

  /** A conversation in the chat template; the template's own stop strings end the model's turn too. */
  chat(messages: readonly ChatMessageInput[], options: CompletionOptions = {}): Promise<Completion> {
    return this.run(() => {
      const loaded = this.use();
      const prompt = renderChat(loaded.chatTemplate, messages);
      checkFits(prompt.tokens.length, loaded.contextSize, 'the conversation');
      const stop = prompt.stop.length > 0 ? [...(options.stop ?? []), ...prompt.stop] : options.stop;
      return this.generate(loaded, prompt.tokens, { ...options, stop });
    });
  }

  /** The prompt text `messages` become (for tests and diagnostics). */
  renderChat(messages: readonly ChatMessageInput[]): string {
    return renderChat(this.use().chatTemplate, messages).text;
  }

  embed(inputs: readonly string[], options: EmbedRequestOptions): Promise<Embeddings> {
    return this.run(async () => {
      const loaded = this.use();
      const start = now();
      if (inputs.length === 0) throw new InvalidOptionError('input must hold at least one text', 'INVALID_ARGUMENT');
      const sequences = inputs.map((text, i) => {
        const tokens = loaded.model.tokenize(text);
        if (tokens.length === 0) throw new InvalidOptionError(`input ${i} gives no tokens`, 'INVALID_ARGUMENT');
        if (tokens.length <= loaded.contextSize) return tokens;
        if (!options.truncate) throw overflow(tokens.length, loaded.contextSize, `input ${i}`);
        return tokens.slice(0, loaded.contextSize);
      });
      const lease = await loaded.pool.acquire(undefined, options.signal);
      try {
        const vectors = await loaded.model.embedBatch(sequences, { normalize: options.normalize, threads: loaded.threads });
        const promptTokens = sequences.reduce((n, s) => n + s.length, 0);
        this.options.observer?.embedding(promptTokens);
        return { vectors, promptTokens, totalNs: elapsedNs(start) };
      } finally {
        lease.release();
      }
    });
  }

  /**
   * Stops taking requests, waits for those in flight to finish (a drain; queued ones are in flight
   * too, and are served), then frees the model.
   */
  async close(): Promise<void> {
    if (this.current === 'closed' || this.current === 'closing') return;
    const wasLoading = this.current === 'loading';
    this.current = 'closing';
    if (wasLoading) await this.ready.catch(() => undefined);
    if (this.inFlight > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
    const loaded = this.loaded;
    this.loaded = null;
    if (loaded) {
      await loaded.pool.dispose(new NotReadyError('the server is shutting down'));
      await loaded.sidecar?.dispose();
      await loaded.model.dispose();
    }
    this.current = 'closed';
  }

  private async load(): Promise<void> {
    const o = this.options;
    const parallel = o.parallel ?? 1;
    const queue = o.queue ?? 16;
    const start = now();
    const model = await loadModel(o.modelPath);
    try {
      // a --chat-template llama.cpp cannot use fails here, before the server reports ready
      const chatTemplate = resolveChatTemplate(model, o.chatTemplate);
      const contextSize = o.contextSize ?? Math.min(2048, model.info.trainContextSize);
      // the slots decode at the same time: by default they share the CPUs one context would take
      const threads = o.threads ?? Math.max(1, Math.floor(defaultThreads(model.info.parameterCount) / parallel));
      const sidecar = o.sidecarPath ? await TwoPass.load(model, o.sidecarPath, { force: o.forceSidecar, contextSize, threads }) : null;
      if (sidecar?.warning) o.onWarning?.(sidecar.warning);
      try {
        const pool = await SlotPool.create(model, { slots: parallel, queue, contextSize, threads, onWarning: o.onWarning });
        const stat = fs.statSync(o.modelPath);
        const info = model.info;
        this.loaded = {
          model,
          pool,
          sidecar,
          chatTemplate,
          contextSize,
          threads,
          description: {
            name: this.name,
            path: path.resolve(o.modelPath),
            size: info.fileSize,
            modifiedAt: stat.mtime,
            digest: info.fingerprint,
            architecture: info.architecture,
            parameterCount: info.parameterCount,
            quantization: quantizationOf(info.description),
            contextSize,
            trainContextSize: info.trainContextSize,
            layerCount: info.layerCount,
            embeddingSize: info.embeddingSize,
            vocabularySize: info.vocabularySize,
            chatTemplate: 'text' in chatTemplate ? chatTemplate.text : null,
            sidecar: o.sidecarPath ? path.resolve(o.sidecarPath) : null,
            loadDurationNs: elapsedNs(start),
            loadedAt: new Date(),
          },
        };
      } catch (err) {
        await sidecar?.dispose();
        throw err;
      }
    } catch (err) {
      await model.dispose();
      throw err;
    }
    // close() may have begun while loading: it frees what was loaded
    if (this.current === 'loading') this.current = 'ready';
  }

  private use(): Loaded {
    if (this.current === 'ready' && this.loaded) return this.loaded;
    if (this.current === 'loading') throw new NotReadyError('the model is still loading; retry in a moment (GET /health says when it is ready)');
    if (this.current === 'failed') throw new NotReadyError('the model failed to load; see the server log');
    throw new NotReadyError('the server is shutting down');
  }

  /** Counts a request in flight, so close() can wait for it. */
  private async run<T>(work: () => Promise<T>): Promise<T> {
    this.use();
    this.inFlight++;
    try {
      return await work();
    } finally {
      if (--this.inFlight === 0) for (const resolve of this.idle.splice(0)) resolve();
    }
  }

  /** A text prompt's tokens, as given (BOS added; special-token text stays text). */
  private promptTokens(loaded: Loaded, prompt: string): number[] {
    if (prompt.length === 0) throw new InvalidOptionError('the prompt is empty', 'INVALID_ARGUMENT');
    const tokens = loaded.model.tokenize(prompt, { addSpecial: true });
    checkFits(tokens.length, loaded.contextSize, 'the prompt');
    return tokens;
  }

  private async generate(loaded: Loaded, prompt: number[], options: CompletionOptions): Promise<Completion> {
    const start = now();
    const { generateOptions, constrained } = checkedOptions(options);
    // the free slot whose cache already holds most of this prompt
    const lease = await loaded.pool.acquire(prompt, options.signal);
    const acquired = now();
    try {
      const sidecar = loaded.sidecar;
      let signal: CogitoSignal | undefined;
      let stream: AsyncGenerator<GeneratedToken, GenerationResult | TwoPassResult>;
      if (sidecar && sidecar.config.gating === 'decision') {
        // pass 1 on the sidecar's own context: the probes decide; trusted, the base answers from this slot
        const decision = await sidecar.assess(prompt);
        // constrained output must parse: the signal is reported, the answer is never the refusal text
        const refuse = decision.refuse && !constrained;
        signal = { confidence: decision.confidence, confidences: decision.confidences, threshold: decision.threshold, refused: refuse };
        if (refuse) return this.refusal(sidecar, prompt.length, signal, options, start, acquired);
        stream = lease.slot.generate(prompt, generateOptions);
      } else if (sidecar) {
        // another gating injects in pass 2: TwoPass runs both passes on its own context, one request at a time
        stream = sidecar.generate(prompt, generateOptions);
      } else {
        stream = lease.slot.generate(prompt, generateOptions);
      }
      const tokens: CompletionToken[] = [];
      let firstAt: bigint | null = null;
      let r = await stream.next();
      for (; !r.done; r = await stream.next()) {
        firstAt ??= now();
        const token = completionToken(r.value);
        tokens.push(token);
        options.onText?.(token.text, token);
      }
      const result = r.value;
      completeText(result, tokens, options.onText);
      const end = now();
      firstAt ??= end;
      if ('decision' in result) {
        const d = result.decision;
        signal = { confidence: d.confidence, confidences: d.confidences, threshold: d.threshold, refused: result.refused };
      }
      return this.observed({
        text: result.text,
        tokens,
        generatedTokens: result.tokens.length,
        promptTokens: prompt.length,
        cachedPromptTokens: result.cachedPromptTokens,
        finish: signal?.refused ? 'refused' : finishOf(result.stopReason),
        timings: { queuedNs: elapsedNs(start, acquired), promptNs: elapsedNs(acquired, firstAt), generationNs: elapsedNs(firstAt, end), totalNs: elapsedNs(start, end) },
        ...(signal ? { cogito: signal } : {}),
      });
    } finally {
      lease.release();
    }
  }

  private refusal(sidecar: TwoPass, promptTokens: number, signal: CogitoSignal, options: CompletionOptions, start: bigint, acquired: bigint): Completion {
    if (options.signal?.aborted) throw new AbortError('the request was cancelled');
    const text = sidecar.config.refusal;
    options.onText?.(text, null);
    const end = now();
    return this.observed({
      text,
      tokens: [],
      generatedTokens: 0,
      promptTokens,
      cachedPromptTokens: 0,
      finish: 'refused',
      timings: { queuedNs: elapsedNs(start, acquired), promptNs: elapsedNs(acquired, end), generationNs: 0, totalNs: elapsedNs(start, end) },
      cogito: signal,
    });
  }

  private observed(c: Completion): Completion {
    this.options.observer?.completion(c);
    return c;
  }
}

/** Checks the options that need no model, so a bad one fails start() at once. */
function checkServiceOptions(o: ServiceOptions): void {
  const atLeast = (v: number | undefined, name: string, min: number) => {
    if (v !== undefined && (!Number.isInteger(v) || v < min)) throw new InvalidOptionError(`${name} must be an integer >= ${min} (got ${v})`, 'INVALID_ARGUMENT');
  };
  if (typeof o.modelPath !== 'string' || o.modelPath.length === 0) throw new InvalidOptionError('a model path is required', 'INVALID_ARGUMENT');
  atLeast(o.parallel, 'parallel', 1);
  atLeast(o.queue, 'queue', 0);
  atLeast(o.contextSize, 'contextSize', 1);
  atLeast(o.threads, 'threads', 1);
}

function checkFits(tokens: number, contextSize: number, what: string): void {
  if (tokens > contextSize) throw overflow(tokens, contextSize, what);
}

function overflow(tokens: number, contextSize: number, what: string): ContextOverflowError {
  return new ContextOverflowError(`${what} has ${tokens} tokens but the model's context holds ${contextSize}; shorten it (or start the server with a larger --context-size)`, 'CONTEXT_OVERFLOW');
}

/**
 * The engine's options for a request, every value checked now (before a slot is taken or a
 * response begun): the sampler's ranges, max tokens, stop strings, and the JSON Schema converted.
 */
function checkedOptions(o: CompletionOptions): { generateOptions: GenerateOptions; constrained: boolean } {
  const sampling: SamplingOptions = { temperature: o.temperature, topK: o.topK, topP: o.topP, minP: o.minP, repeatPenalty: o.repeatPenalty, repeatLastN: o.repeatLastN, seed: o.seed, ignoreEos: o.ignoreEos };
  samplerConfig(sampling, 0);
  const maxTokens = o.maxTokens ?? 128;
  if (!Number.isInteger(maxTokens) || maxTokens < 0) throw new InvalidOptionError(`the token limit must be an integer >= 0 (got ${o.maxTokens})`, 'INVALID_ARGUMENT');
  if (o.stop !== undefined && (!Array.isArray(o.stop) || o.stop.some((s) => typeof s !== 'string'))) throw new InvalidOptionError('stop must be a list of strings', 'INVALID_ARGUMENT');
  if (o.topLogprobs !== undefined && (!Number.isInteger(o.topLogprobs) || o.topLogprobs < 0 || o.topLogprobs > 20)) {
    throw new InvalidOptionError(`top_logprobs must be an integer from 0 to 20 (got ${o.topLogprobs})`, 'INVALID_ARGUMENT');
  }
  if (o.json !== undefined && nestingDepth(o.json) > MAX_SCHEMA_DEPTH) {
    // llama.cpp's converter would spend seconds on the event loop's thread before refusing it
    throw new InvalidJsonSchemaError(`the JSON Schema nests deeper than ${MAX_SCHEMA_DEPTH} levels`, 'INVALID_JSON_SCHEMA');
  }
  const grammar = o.json === undefined ? undefined : jsonSchemaToGrammar(o.json);
  const generateOptions: GenerateOptions = {
    ...sampling,
    maxTokens,
    stop: o.stop?.filter((s) => s.length > 0),
    grammar,
    signal: o.signal,
    ...(o.topLogprobs ? { topLogprobs: o.topLogprobs } : {}),
  };
  return { generateOptions, constrained: grammar !== undefined };
}

/** Deeper than any schema a person writes; the converter's cost grows with depth. */
const MAX_SCHEMA_DEPTH = 64;

/** How deeply objects and arrays nest in a JSON value (iterative: the value may be deeper than the stack). */
function nestingDepth(value: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    max = Math.max(max, depth + 1);
    if (max > MAX_SCHEMA_DEPTH) return max;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return max;
}

/**
 * Sends what the stream held back and the result still has: text before a stop string that began
 * inside a token (the engine yields only tokens that cannot be part of a stop), or a UTF-8 tail
 * decoded at the end. Afterwards the tokens' texts concatenate exactly to `result.text`.
 */
function completeText(result: GenerationResult, tokens: CompletionToken[], onText: CompletionOptions['onText']): void {
  const sent = tokens.map((t) => t.text).join('');
  if (result.text.length <= sent.length || !result.text.startsWith(sent)) return;
  let rest = result.text.slice(sent.length);
  for (const t of result.tokens.slice(tokens.length)) {
    if (rest.length === 0) break;
    // the generated tokens spell out a continuation of which the result's text is a prefix
    const token = { ...completionToken(t), text: rest.slice(0, t.text.length) };
    rest = rest.slice(token.text.length);
    tokens.push(token);
    onText?.(token.text, token);
  }
  if (rest.length > 0 && tokens.length > 0) {
    // a tail the decoder gave at the end belongs to the last token
    tokens[tokens.length - 1] = { ...tokens[tokens.length - 1], text: tokens[tokens.length - 1].text + rest };
    onText?.(rest, null);
  }
}

/** A generated token as the APIs report it; `top` when topLogprobs asked for it. */
function completionToken(t: GeneratedToken): CompletionToken {
  return { id: t.id, text: t.text, logprob: t.logprob, ...(t.top ? { top: t.top } : {}) };
}

function finishOf(reason: StopReason): FinishReason {
  return reason === 'eog' || reason === 'stop' ? 'stop' : 'length';
}

/** The quantization named at the end of llama.cpp's model description ("llama ?B Q8_0" → "Q8_0"). */
function quantizationOf(description: string): string {
  const last = description.trim().split(/\s+/).pop() ?? '';
  return /^(F16|F32|BF16|Q\d\w*|IQ\d\w*|TQ\d\w*)$/i.test(last) ? last.toUpperCase() : 'unknown';
}
