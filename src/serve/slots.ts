/**
 * Generation slots and the bounded queue in front of them. The slots are the sequences of one
 * engine sequence pool (Model.createSequencePool): one context decodes every running request's
 * next token in the same batch, each sequence keeping its own KV cells. A request is given the
 * free sequence whose cache shares the longest prefix with its prompt (a chat's next turn finds its
 * history already read).
 */
import type { GenerateOptions, GeneratedToken, GenerationResult } from '../engine/context';
import { AbortError } from '../engine/errors';
import type { Model } from '../engine/model';
import type { SequencePool } from '../engine/sequences';
import { QueueFullError } from './errors';

/** What the server needs of a slot: the engine's generate(), as Sequence (and Context) offer it. */
export interface GenerationSlot {
  generate(prompt: string | readonly number[], options?: GenerateOptions): AsyncGenerator<GeneratedToken, GenerationResult>;
}

export interface SlotPoolOptions {
  /** Requests generated at once. */
  slots: number;
  /** Requests that may wait for a slot beyond those; one more is refused with QueueFullError. */
  queue: number;
  /** Positions of each slot's sequence. */
  contextSize: number;
  threads?: number;
  onWarning?: (message: string) => void;
}

/** A slot held by one request; release() hands it to the next waiting request. */
export interface Lease {
  readonly slot: GenerationSlot;
  release(): void;
}

export class SlotPool {
  private busySlots = 0;
  private readonly waiting: { grant(): void; fail(err: Error): void }[] = [];
  /** Moving average of how long a request holds a slot, for Retry-After. */
  private averageHoldMs = 1000;

  private constructor(
    private readonly sequences: SequencePool,
    readonly size: number,
    readonly queueLimit: number,
  ) {}

  static async create(model: Model, options: SlotPoolOptions): Promise<SlotPool> {
    const sequences = await model.createSequencePool({ sequences: options.slots, contextSize: options.contextSize, threads: options.threads, onWarning: options.onWarning });
    return new SlotPool(sequences, options.slots, options.queue);
  }

  get busy(): number {
    return this.busySlots;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /**
   * A free slot — the one whose cache shares most of `prompt` — or a place in the queue until one
   * frees up. Throws QueueFullError at once when the queue is full, AbortError when the signal
   * fires while waiting (the place is given up).
   */
  async acquire(prompt: readonly number[] | undefined, signal?: AbortSignal): Promise<Lease> {
    if (signal?.aborted) throw new AbortError('the request was cancelled');
    if (this.busySlots >= this.size) {
      if (this.waiting.length >= this.queueLimit) {
        const seconds = this.retryAfterSeconds();
        throw new QueueFullError(`all ${this.size} generation slots are busy and ${this.waiting.length} requests are already waiting; retry in ${seconds} s`, seconds);
      }
      await new Promise<void>((resolve, reject) => {
        const waiter = {
          grant: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          },
          fail: (err: Error) => {
            signal?.removeEventListener('abort', onAbort);
            reject(err);
          },
        };
        const onAbort = () => {
          const i = this.waiting.indexOf(waiter);
          if (i >= 0) this.waiting.splice(i, 1);
          reject(new AbortError('the request was cancelled while it waited for a slot'));
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        this.waiting.push(waiter);
      });
    } else {
      this.busySlots++;
    }
    // a granted waiter inherits the releasing request's count: busySlots is unchanged
    return this.lease(prompt);
  }

  /** Fails every waiting request (shutdown) and frees the sequences. */
  async dispose(error: Error): Promise<void> {
    for (const w of this.waiting.splice(0)) w.fail(error);
    await this.sequences.dispose();
  }

  private lease(prompt: readonly number[] | undefined): Lease {
    const start = Date.now();
    const sequence = this.sequences.acquire(prompt);
    let released = false;
    return {
      slot: sequence,
      release: () => {
        if (released) return;
        released = true;
        sequence.release();
        this.averageHoldMs = 0.8 * this.averageHoldMs + 0.2 * (Date.now() - start);
        const next = this.waiting.shift();
        if (next) next.grant();
        else this.busySlots--;
      },
    };
  }

  /** When a place in the queue is likely to open: the queue ahead drained by every slot, at the average hold time. */
  private retryAfterSeconds(): number {
    const ms = (this.averageHoldMs * (this.waiting.length + 1)) / this.size;
    return Math.min(60, Math.max(1, Math.ceil(ms / 1000)));
  }
}
