/**
 * Parallel sequences: one llama.cpp context whose KV cache holds several independent sequences,
 * decoded together (continuous batching, as llama.cpp's own server does). Each tick of the pool's
 * scheduler samples the next token of every generating sequence and evaluates those tokens together
 * with chunks of the prompts still being read, in one batch: N clients are answered at close to one
 * client's cost per token. The native side (native/sequences.cpp) runs one tick; the policy (who
 * goes in which tick, how prompts are chunked, when a sequence ends) lives here.
 */
import { contextParams, kvCacheOption, reusablePrefix, type ContextOptions, type GenerateOptions, type GenerationResult, type StopReason } from './context';
import { TokenEmitter, topLogprobsOption, type GeneratedToken } from './emission';
import { AbortError, BusyError, ContextOverflowError, DisposedError, InternalError, InvalidOptionError, fromNative, native, nativeSync, throwIfAborted } from './errors';
import { constraintGrammar } from './grammar';
import type { Model } from './model';
import { addon, type NativeContext, type NativeTickPrompt, type NativeTickResult, type NativeTickStep } from './native';
import { samplerConfig } from './sampling';

/** The most sequences one pool decodes together. */
export const MAX_SEQUENCES = 64;

export interface SequencePoolOptions extends ContextOptions {
  /** Sequences decoded together: an integer in [1, 64]. `contextSize` is the positions of EACH one. */
  sequences: number;
}

/** @internal What one sequence needs for a generation, checked before it is queued. */
export interface JobConfig {
  sampler: Record<string, number | string | undefined>;
  maxTokens: number;
  topLogprobs: number;
  stop: string[];
}

/** @internal One sequence of the pool's KV cache, whoever holds it. */
export interface Slot {
  readonly id: number;
  /** Tokens whose keys and values are in this sequence's cache, in order from position 0. */
  cached: number[];
  owner: Sequence | null;
  /** The generation running on this sequence, if any. */
  job: Job | null;
  /** When it was last released (for picking a free sequence). */
  releasedAt: number;
}

/** @internal One generation on one sequence, from queued to done. */
export class Job {
  /** start: waits for the scheduler to set its sampler; prefill: reading the prompt; generate: one token per tick. */
  state: 'start' | 'prefill' | 'generate' | 'done' = 'start';
  /** Ended by abort, release, dispose or the consumer leaving: the scheduler forgets its generated cells. */
  cancelled = false;
  prefillPos = 0;
  /** Where the next generated token goes. */
  pos = 0;
  /** Tokens sampled so far. */
  sampled = 0;
  cachedPromptTokens = 0;
  readonly emitter: TokenEmitter;
  /** Tokens ready for the consumer. */
  readonly out: GeneratedToken[] = [];
  result: GenerationResult | null = null;
  error: Error | null = null;
  private waker: (() => void) | null = null;

  constructor(
    readonly slot: Slot,
    readonly prompt: number[],
    readonly config: JobConfig,
  ) {
    this.emitter = new TokenEmitter(config.stop);
  }

  /** Resolves when there is something new for the consumer. */
  wait(): Promise<void> {
    return new Promise((resolve) => (this.waker = resolve));
  }

  wake(): void {
    const w = this.waker;
    this.waker = null;
    w?.();
  }

  get settled(): boolean {
    return this.result !== null || this.error !== null;
  }
}

/**
 * A pool of sequences over one context (see `Model.createSequencePool`). Acquire a `Sequence` per
 * client; its generations run concurrently with the other sequences', batched by the pool's scheduler.
 */
export class SequencePool {
  private handle: NativeContext | null;
  private readonly slots: Slot[];
  /** Generations the scheduler still tracks, oldest first (cancelled ones until their cells are forgotten). */
  private jobs: Job[] = [];
  /** Cache edits asked for while a tick runs (the context is busy then); applied before the next one. */
  private pendingEdits: (() => void)[] = [];
  private loop: Promise<void> | null = null;
  private inTick = false;
  private turn = 0;
  private clock = 0;
  private readonly disposeListeners: (() => void)[] = [];

  private constructor(
    readonly model: Model,
    handle: NativeContext,
    /** Positions each sequence holds. */
    readonly contextSize: number,
    private readonly batchSize: number,
    /** @internal the sampling seed of generations that give none. */
    readonly defaultSeed: number,
    sequences: number,
  ) {
    this.handle = handle;
    this.slots = Array.from({ length: sequences }, (_, id) => ({ id, cached: [], owner: null, job: null, releasedAt: 0 }));
  }

  /** @internal use model.createSequencePool() */
  static async create(model: Model, options: SequencePoolOptions): Promise<SequencePool> {
    const sequences = options?.sequences;
    if (!Number.isInteger(sequences) || sequences < 1 || sequences > MAX_SEQUENCES) {
      throw new InvalidOptionError(`sequences must be an integer in [1, ${MAX_SEQUENCES}] (got ${String(sequences)})`, 'INVALID_ARGUMENT');
    }
    const { contextSize, batchSize, threads, kvCacheType } = contextParams(model, options, sequences);
    // every generating sequence puts one token in each tick's batch
    if (batchSize < sequences) throw new InvalidOptionError(`batchSize (${batchSize}) must be at least the number of sequences (${sequences})`, 'INVALID_ARGUMENT');
    const handle = await native(() => addon().createContext(model.native, { contextSize, batchSize, threads, sequences, ...kvCacheOption(kvCacheType) }));
    return new SequencePool(model, handle, handle.size(), handle.batchSize(), options.seed ?? 0, sequences);
  }

  /** Sequences in the pool. */
  get size(): number {
    return this.slots.length;
  }

  /** Sequences not acquired. */
  get free(): number {
    return this.slots.filter((s) => s.owner === null).length;
  }

  /**
   * Takes a free sequence (NO_FREE_SEQUENCE when all are taken). A released sequence keeps its cache,
   * so with `prompt` (tokens) the free sequence whose cache shares the longest prefix with it is
   * chosen; otherwise, or on a tie, the one released longest ago.
   */
  acquire(prompt?: readonly number[]): Sequence {
    this.live();
    const free = this.slots.filter((s) => s.owner === null);
    if (free.length === 0) throw new BusyError(`all ${this.slots.length} sequences are in use; release one first`, 'NO_FREE_SEQUENCE');
    const shared = (s: Slot) => (prompt ? reusablePrefix(s.cached, prompt) : 0);
    const best = free.reduce((a, b) => (shared(b) > shared(a) || (shared(b) === shared(a) && b.releasedAt < a.releasedAt) ? b : a));
    const sequence = new Sequence(this, best.id);
    best.owner = sequence;
    return sequence;
  }

  /** Ends every generation (DisposedError), waits for the tick in flight, and frees the context. */
  async dispose(): Promise<void> {
    if (!this.handle) return;
    for (const job of this.jobs) this.cancel(job, new DisposedError('the sequence pool was disposed', 'DISPOSED'));
    while (this.loop) await this.loop;
    this.handle?.dispose();
    this.handle = null;
    for (const slot of this.slots) slot.owner = null;
    for (const l of this.disposeListeners) l();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }

  /** @internal */
  onDispose(listener: () => void): void {
    this.disposeListeners.push(listener);
  }

  // ---- what a Sequence calls ------------------------------------------------------------------

  /** @internal the slot a sequence holds, or why it cannot be used. */
  slotOf(sequence: Sequence): Slot {
    this.live();
    const slot = this.slots[sequence.id];
    if (slot.owner !== sequence) throw new DisposedError('this sequence was released; acquire another from the pool', 'DISPOSED');
    return slot;
  }

  /** @internal queues a generation; the scheduler starts it before its next tick. */
  submit(slot: Slot, prompt: number[], config: JobConfig): Job {
    const job = new Job(slot, prompt, config);
    slot.job = job;
    this.jobs.push(job);
    this.kick();
    return job;
  }

  /** @internal ends a generation at the next tick; its consumer sees `error` at once. */
  cancel(job: Job, error: Error): void {
    if (job.cancelled || job.state === 'done') return;
    job.cancelled = true;
    if (!job.settled) job.error = error;
    if (job.slot.job === job) job.slot.job = null;
    job.wake();
    this.kick();
  }

  /** @internal runs a cache edit now, or after the tick in flight. */
  edit(change: () => void): Promise<void> {
    if (!this.inTick) {
      change();
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      this.pendingEdits.push(() => {
        try {
          change();
          resolve();
        } catch (err) {
          reject(err);
        }
      });
    });
  }

  /** @internal forgets a sequence's cache from `pos` on. */
  forget(slot: Slot, pos: number): void {
    // always: after a failed decode the cache may hold cells the bookkeeping never saw
    nativeSync(() => this.native.removeFrom(pos, slot.id));
    slot.cached = slot.cached.slice(0, pos);
  }

  /** @internal */
  release(slot: Slot): void {
    if (slot.job) this.cancel(slot.job, new AbortError('the sequence was released'));
    slot.owner = null;
    slot.releasedAt = ++this.clock;
  }

  // ---- the scheduler --------------------------------------------------------------------------

  private get native(): NativeContext {
    if (!this.handle) throw new DisposedError('the sequence pool has been disposed', 'DISPOSED');
    return this.handle;
  }

  private live(): void {
    if (!this.handle) throw new DisposedError('the sequence pool has been disposed', 'DISPOSED');
  }

  private kick(): void {
    if (this.loop) return;
    // from a microtask: generations submitted in the same turn of the event loop join the first tick
    this.loop = Promise.resolve().then(() => this.run()).finally(() => {
      this.loop = null;
      // work queued after the loop decided there was none
      if (this.handle && (this.jobs.length > 0 || this.pendingEdits.length > 0)) this.kick();
    });
  }

  /** Ticks while any sequence has work. A failure is its sequence's, never the loop's. */
  private async run(): Promise<void> {
    while (this.handle) {
      let plan: { steps: NativeTickStep[]; prompts: NativeTickPrompt[] } | null;
      try {
        this.settle();
        plan = this.plan();
      } catch (err) {
        // a bug: end what runs rather than leave consumers waiting
        for (const job of this.jobs) this.fail(job, new InternalError(`sequence scheduler: ${(err as Error).message}`));
        this.jobs = [];
        return;
      }
      if (!plan) return;
      const handle = this.native;
      let results: NativeTickResult[];
      this.inTick = true;
      try {
        results = await handle.tick(plan.steps, plan.prompts);
      } catch (err) {
        this.inTick = false;
        this.failTick(plan, fromNative(err));
        continue;
      }
      this.inTick = false;
      this.route(plan, results);
    }
  }

  /** Between ticks: forget what cancelled generations left, apply cache edits, start queued generations. */
  private settle(): void {
    for (const job of this.jobs) {
      if (!job.cancelled) continue;
      // generated cells were never a finished answer: keep only the prompt's, for prefix reuse
      if (job.state !== 'start') this.forgetSafely(job.slot, job.prompt.length);
      job.state = 'done';
    }
    this.jobs = this.jobs.filter((j) => j.state !== 'done');
    const edits = this.pendingEdits;
    this.pendingEdits = [];
    for (const e of edits) e();
    for (const job of this.jobs) {
      if (job.state !== 'start') continue;
      try {
        const slot = job.slot;
        const keep = reusablePrefix(slot.cached, job.prompt);
        // an invalid grammar fails here, before any evaluation; penalties see the prompt too
        nativeSync(() => this.native.setSampler(job.config.sampler, Int32Array.from(job.prompt), slot.id));
        this.forget(slot, keep);
        job.cachedPromptTokens = keep;
        job.prefillPos = keep;
        job.pos = job.prompt.length;
        job.state = 'prefill';
      } catch (err) {
        this.fail(job, fromNative(err));
      }
    }
    this.jobs = this.jobs.filter((j) => j.state !== 'done');
  }

  /** This tick's batch: one token per generating sequence first, then prompt chunks in turn while the batch has room. */
  private plan(): { steps: NativeTickStep[]; prompts: NativeTickPrompt[] } | null {
    const steps: NativeTickStep[] = [];
    const prompts: NativeTickPrompt[] = [];
    let room = this.batchSize;
    let firstTokenDue = false;
    for (const job of this.jobs) {
      if (job.cancelled || job.state !== 'generate') continue;
      // the last token needs no evaluation
      const decode = job.sampled < job.config.maxTokens - 1;
      steps.push({ seq: job.slot.id, pos: job.pos, decode, top: job.config.topLogprobs });
      if (decode) room--;
      if (job.sampled === 0) firstTokenDue = true;
    }
    // A token reaches its client only when the tick that samples it has decoded its batch. A first
    // token (its prompt just read) goes in a tick without prompt chunks, so it waits for a few
    // tokens' decode rather than for up to batchSize prompt tokens of other sequences: measured with
    // 8 clients (bench/serve.js), that wait was most of the time to first token beyond llama-server's.
    if (firstTokenDue) room = 0;
    const reading = this.jobs.filter((j) => !j.cancelled && j.state === 'prefill');
    // a different sequence reads first each tick, so no prompt waits behind another for long
    const first = reading.length > 0 ? this.turn++ % reading.length : 0;
    for (let k = 0; k < reading.length && room > 0; k++) {
      const job = reading[(first + k) % reading.length];
      const n = Math.min(job.prompt.length - job.prefillPos, room);
      const end = job.prefillPos + n;
      prompts.push({ seq: job.slot.id, pos: job.prefillPos, tokens: Int32Array.from(job.prompt.slice(job.prefillPos, end)), logits: end === job.prompt.length });
      room -= n;
    }
    return steps.length > 0 || prompts.length > 0 ? { steps, prompts } : null;
  }

  private jobOn(seq: number): Job | undefined {
    return this.jobs.find((j) => j.slot.id === seq && j.state !== 'done' && j.state !== 'start');
  }

  /** Hands a tick's results to their generations; the cache bookkeeping holds even for cancelled ones. */
  private route(plan: { steps: NativeTickStep[]; prompts: NativeTickPrompt[] }, results: NativeTickResult[]): void {
    for (const chunk of plan.prompts) {
      const job = this.jobOn(chunk.seq);
      if (!job) continue;
      job.slot.cached.push(...chunk.tokens);
      job.prefillPos += chunk.tokens.length;
      if (job.cancelled || job.prefillPos < job.prompt.length) continue;
      job.state = 'generate';
      this.checkEnd(job);
    }
    plan.steps.forEach((step, i) => {
      const job = this.jobOn(step.seq);
      const r = results[i];
      if (!job || !r) return;
      if (r.error) return this.fail(job, fromNative(r.error));
      job.sampled++;
      if (step.decode && !r.eog) {
        job.slot.cached.push(r.token);
        job.pos++;
      }
      if (job.cancelled) return;
      if (r.eog) return this.end(job, 'eog');
      if (job.emitter.push(r)) return this.end(job, 'stop');
      job.out.push(...job.emitter.ready());
      job.wake();
      this.checkEnd(job);
    });
    this.jobs = this.jobs.filter((j) => j.state !== 'done');
  }

  /** Ends a generation that has used its tokens or its sequence's positions. */
  private checkEnd(job: Job): void {
    if (job.sampled >= job.config.maxTokens) this.end(job, 'maxTokens');
    else if (job.pos >= this.contextSize) this.end(job, 'contextFull');
  }

  private end(job: Job, stopReason: StopReason): void {
    const stopped = stopReason === 'stop';
    job.out.push(...job.emitter.finish(stopped));
    job.result = {
      text: job.emitter.text(stopped),
      tokens: job.emitter.tokens,
      promptTokens: job.prompt.length,
      cachedPromptTokens: job.cachedPromptTokens,
      stopReason,
    };
    this.done(job);
  }

  private fail(job: Job, error: Error): void {
    if (!job.settled) job.error = error;
    this.forgetSafely(job.slot, job.prompt.length);
    this.done(job);
  }

  private done(job: Job): void {
    job.state = 'done';
    if (job.slot.job === job) job.slot.job = null;
    job.wake();
  }

  /** A failed decode leaves the batch's sequences in an unknown state: they start over from an empty cache. */
  private failTick(plan: { steps: NativeTickStep[]; prompts: NativeTickPrompt[] }, error: Error): void {
    const seqs = new Set([...plan.steps.map((s) => s.seq), ...plan.prompts.map((p) => p.seq)]);
    for (const seq of seqs) {
      const slot = this.slots[seq];
      this.forgetSafely(slot, 0);
      const job = this.jobOn(seq);
      if (job) this.fail(job, error);
    }
    this.jobs = this.jobs.filter((j) => j.state !== 'done');
  }

  /** Forgets cells; if even that fails, the sequence's bookkeeping says it holds nothing. */
  private forgetSafely(slot: Slot, pos: number): void {
    try {
      this.forget(slot, pos);
    } catch {
      slot.cached = [];
    }
  }
}

/**
 * One sequence of a pool: generations on it run concurrently with the other sequences'. It keeps its
 * own cache and reuses the longest prefix its next prompt shares with it. `release()` gives the
 * sequence back with its cache (a later `acquire(prompt)` may pick it for a shared prefix); this
 * object is then unusable.
 */
export class Sequence {
  /** @internal */
  constructor(
    private readonly pool: SequencePool,
    /** The sequence's id in the pool's context (0-based). */
    readonly id: number,
  ) {}

  /** Tokens whose keys and values this sequence's cache holds. */
  get cachedTokens(): number {
    return this.pool.slotOf(this).cached.length;
  }

  /**
   * Generates from a prompt, as `Context.generate` (the same options and result), batched with the
   * pool's other sequences. Taps, an injection and promptLogits are not supported here.
   */
  async *generate(prompt: string | readonly number[], options: GenerateOptions = {}): AsyncGenerator<GeneratedToken, GenerationResult> {
    const slot = this.pool.slotOf(this);
    if (options.taps || options.injection || options.promptLogits) {
      throw new InvalidOptionError('taps, injection and promptLogits are not supported on a pooled sequence; use a Context', 'INVALID_ARGUMENT');
    }
    const maxTokens = options.maxTokens ?? 128;
    if (!Number.isInteger(maxTokens) || maxTokens < 0) throw new InvalidOptionError('maxTokens must be an integer >= 0', 'INVALID_ARGUMENT');
    const sampler = samplerConfig(options, this.pool.defaultSeed);
    const grammar = constraintGrammar(options);
    const topLogprobs = topLogprobsOption(options.topLogprobs);
    const model = this.pool.model;
    const promptTokens = typeof prompt === 'string' ? model.tokenize(prompt, { addSpecial: options.addSpecial ?? true }) : [...prompt];
    if (promptTokens.length === 0) throw new InvalidOptionError('the prompt is empty', 'INVALID_ARGUMENT');
    model.checkTokens(promptTokens);
    if (promptTokens.length > this.pool.contextSize) {
      throw new ContextOverflowError(`the prompt has ${promptTokens.length} tokens but a sequence holds ${this.pool.contextSize}; create a pool with a larger contextSize or shorten the prompt`, 'CONTEXT_OVERFLOW');
    }
    if (slot.job) throw new BusyError('this sequence is already generating; finish or abort that generation first', 'BUSY');
    throwIfAborted(options.signal);

    const job = this.pool.submit(slot, promptTokens, { sampler: { ...sampler, grammar }, maxTokens, topLogprobs, stop: options.stop ?? [] });
    const signal = options.signal;
    const onAbort = () => this.pool.cancel(job, new AbortError());
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for (;;) {
        if (job.error) throw job.error;
        const next = job.out.shift();
        if (next) yield next;
        else if (job.result) return job.result;
        else await job.wait();
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      // the consumer stopped early (break, return, a throw in its loop)
      if (!job.settled) this.pool.cancel(job, new AbortError('the generation was abandoned'));
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

  /** Forgets this sequence's cache (only its own cells); BUSY while it generates. */
  async clear(): Promise<void> {
    const slot = this.pool.slotOf(this);
    if (slot.job) throw new BusyError('this sequence is generating; finish or abort that generation first', 'BUSY');
    await this.pool.edit(() => this.pool.forget(slot, 0));
  }

  /** Gives the sequence back to the pool (ending its generation, if one runs); its cache is kept. */
  release(): void {
    const slot = this.pool.slotOf(this);
    this.pool.release(slot);
  }
}
