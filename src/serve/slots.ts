/**
 * Generation slots and the bounded queue in front of them. A slot is anything with Context's
 * `generate` shape; today each slot is its own Context (its own KV cache, so a client's prompt
 * prefix stays cached between its turns). When the engine's sequence pool lands (one context
 * decoding N sequences in one batch), `openSlots` is the one function to change.
 */
import type { GenerateOptions, GeneratedToken, GenerationResult } from '../engine/context';
import { AbortError } from '../engine/errors';
import type { Model } from '../engine/model';
import { QueueFullError } from './errors';

/** What the server needs of a slot: the engine's generate(), as Context (and Sequence) offer it. */
export interface GenerationSlot {
  generate(prompt: string | readonly number[], options?: GenerateOptions): AsyncGenerator<GeneratedToken, GenerationResult>;
  dispose(): Promise<void>;
}

export interface SlotPoolOptions {
  /** Requests generated at once. */
  slots: number;
  /** Requests that may wait for a slot beyond those; one more is refused with QueueFullError. */
  queue: number;
  /** Positions of each slot's context. */
  contextSize: number;
  threads?: number;
  onWarning?: (message: string) => void;
}

/** A slot held by one request; release() hands it to the next waiting request. */
export interface Lease {
  readonly slot: GenerationSlot;
  release(): void;
}

interface Waiter {
  grant(slot: GenerationSlot): void;
  fail(err: Error): void;
}

async function openSlots(model: Model, options: SlotPoolOptions): Promise<GenerationSlot[]> {
  const slots: GenerationSlot[] = [];
  try {
    for (let i = 0; i < options.slots; i++) {
      slots.push(await model.createContext({ contextSize: options.contextSize, threads: options.threads, onWarning: options.onWarning }));
    }
  } catch (err) {
    for (const s of slots) await s.dispose();
    throw err;
  }
  return slots;
}

export class SlotPool {
  private readonly free: GenerationSlot[];
  private readonly waiting: Waiter[] = [];
  /** Moving average of how long a request holds a slot, for Retry-After. */
  private averageHoldMs = 1000;

  private constructor(
    private readonly all: GenerationSlot[],
    readonly queueLimit: number,
  ) {
    this.free = [...all];
  }

  static async create(model: Model, options: SlotPoolOptions): Promise<SlotPool> {
    return new SlotPool(await openSlots(model, options), options.queue);
  }

  get size(): number {
    return this.all.length;
  }

  get busy(): number {
    return this.all.length - this.free.length;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /**
   * A free slot, or a place in the queue until one frees up. Throws QueueFullError at once when
   * the queue is full, AbortError when the signal fires while waiting (the place is given up).
   */
  async acquire(signal?: AbortSignal): Promise<Lease> {
    if (signal?.aborted) throw new AbortError('the request was cancelled');
    const ready = this.free.pop();
    if (ready) return this.lease(ready);
    if (this.waiting.length >= this.queueLimit) {
      const seconds = this.retryAfterSeconds();
      throw new QueueFullError(`all ${this.all.length} generation slots are busy and ${this.waiting.length} requests are already waiting; retry in ${seconds} s`, seconds);
    }
    const slot = await new Promise<GenerationSlot>((resolve, reject) => {
      const waiter: Waiter = {
        grant: (s) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(s);
        },
        fail: (err) => {
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
    return this.lease(slot);
  }

  /** Fails every waiting request (shutdown) and disposes the slots; a held slot is disposed after its generation ends. */
  async dispose(error: Error): Promise<void> {
    for (const w of this.waiting.splice(0)) w.fail(error);
    for (const s of this.all) await s.dispose();
  }

  private lease(slot: GenerationSlot): Lease {
    const start = Date.now();
    let released = false;
    return {
      slot,
      release: () => {
        if (released) return;
        released = true;
        this.averageHoldMs = 0.8 * this.averageHoldMs + 0.2 * (Date.now() - start);
        const next = this.waiting.shift();
        if (next) next.grant(slot);
        else this.free.push(slot);
      },
    };
  }

  /** When a place in the queue is likely to open: the queue ahead drained by every slot, at the average hold time. */
  private retryAfterSeconds(): number {
    const ms = (this.averageHoldMs * (this.waiting.length + 1)) / this.all.length;
    return Math.min(60, Math.max(1, Math.ceil(ms / 1000)));
  }
}
