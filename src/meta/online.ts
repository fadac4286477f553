/**
 * Online training (issue 18, item 4; docs/meta.md, "Online training"): once the feedback buffer holds
 * 32 labelled answers, a new meta-learner is trained for every 8 more, on optimizer batches of 32
 * rows; it replaces the current one only when it is not worse on the validation slice (./accept.ts),
 * and every version is kept with its scores (./learner-store.ts).
 *
 * Where the training runs: never on the event loop of `ask`. The step below awaits the learner's
 * training, which the addon runs on its own thread; the scheduler starts it without awaiting it.
 * A node:worker_threads worker cannot host it: the addon keeps its classes' constructors in
 * process-wide statics, so loading it in a second thread replaces them under the main thread (a
 * model loaded after a worker loaded the addon crashes the process). The CLI, whose process exits
 * after the answer, starts the step in a detached child process instead (`cogito meta train --if-due`).
 */
import type { FeedbackBuffer, TrainingRow } from './feedback';
import { acceptRule, scoreOnSlice, splitRows, type SliceScore } from './accept';
import { MetaError } from './errors';
import { versionFileName, type LearnerStore, type LearnerVersion } from './learner-store';
import type { MetaLearnerApi, MetaTrainOptions, TrainMetaLearner } from './learner-types';

/** Labelled answers before the first training. */
export const FIRST_TRAINING_AT = 32;
/** New labelled answers between trainings. */
export const RETRAIN_EVERY = 8;
/** Rows per optimizer step. */
export const TRAINING_BATCH = 32;

/** Due when the buffer holds at least 32 labelled answers and, after a first version, 8 more than when the latest was trained. */
export function trainingDue(labelled: number, lastTrainedAt: number | null): boolean {
  if (labelled < FIRST_TRAINING_AT) return false;
  return lastTrainedAt === null || labelled - lastTrainedAt >= RETRAIN_EVERY;
}

/**
 * The buffer's training rows of answers drafted by this base model: an answer registered with another
 * model's fingerprint is left out (one registered without one, or never registered, is kept).
 */
export function trainingRowsFor(buffer: FeedbackBuffer, baseFingerprint: string): TrainingRow[] {
  const other = new Set(buffer.registered().filter((a) => a.model !== null && a.model !== baseFingerprint).map((a) => a.answerId));
  return buffer.trainingRows().filter((r) => !other.has(r.answerId));
}

/** Reads a meta-learner GGUF, refusing one bound to another base model. */
export type LoadMetaLearner = (path: string, options: { baseFingerprint: string }) => MetaLearnerApi | Promise<MetaLearnerApi>;

export interface RetrainDeps {
  buffer: FeedbackBuffer;
  store: LearnerStore;
  train: TrainMetaLearner;
  load: LoadMetaLearner;
  baseFingerprint: string;
  /** Train now even when the schedule says it is not due (`cogito meta train`). */
  force?: boolean;
  /** Passed to the trainer (default: its own). */
  epochs?: number;
  seed?: number;
  signal?: AbortSignal;
}

export type RetrainResult =
  | { status: 'trained'; version: LearnerVersion }
  /** Another process holds the trainer's lock. */
  | { status: 'busy' }
  | { status: 'not-due'; labelled: number; lastTrainedAt: number | null }
  /** No training rows outside the validation slice. */
  | { status: 'too-few'; labelled: number };

/**
 * One online step: the buffer's training rows split into the validation slice and the rest, a
 * candidate trained on the rest, scored beside the current learner on the slice, saved as the next
 * version, and installed as current when the accept rule says so.
 */
export async function retrain(deps: RetrainDeps): Promise<RetrainResult> {
  const result = await deps.store.withLock(async (): Promise<RetrainResult> => {
    const rows = trainingRowsFor(deps.buffer, deps.baseFingerprint);
    const lastTrainedAt = deps.store.latest()?.rows ?? null;
    if (!deps.force && !trainingDue(rows.length, lastTrainedAt)) return { status: 'not-due', labelled: rows.length, lastTrainedAt };
    const { training, validation } = splitRows(rows);
    if (training.length === 0) return { status: 'too-few', labelled: rows.length };
    // the learner holds out its own share of these rows to stop early; the slice above only judges
    const options: MetaTrainOptions = { baseFingerprint: deps.baseFingerprint, batchSize: TRAINING_BATCH, epochs: deps.epochs, seed: deps.seed, signal: deps.signal };
    const { learner, metrics } = await deps.train(training, options);
    try {
      const score = scoreOnSlice(learner, validation);
      const current = deps.store.current();
      const against = current ? await scoreCurrent(deps, current, validation) : null;
      const decision = acceptRule(score, against ? against.validation : null);
      const reason = against?.unreadable ? `${decision.reason} (the current v${current?.version} cannot be read: ${against.unreadable})` : decision.reason;
      const version = deps.store.nextVersion();
      const record: LearnerVersion = {
        version,
        file: versionFileName(version),
        createdAt: new Date().toISOString(),
        baseFingerprint: deps.baseFingerprint,
        rows: rows.length,
        trainingRows: training.length,
        validationRows: validation.length,
        accepted: decision.accepted,
        reason,
        validation: score,
        against: against ? { version: against.version, validation: against.validation } : null,
        metrics,
      };
      await learner.save(deps.store.pathOf(record));
      deps.store.record(record);
      return { status: 'trained', version: record };
    } finally {
      learner.dispose();
    }
  });
  return result ?? { status: 'busy' };
}

/** The current learner's score on the same slice; a learner that no longer loads (another base, a damaged file) is not compared. */
async function scoreCurrent(deps: RetrainDeps, current: LearnerVersion, validation: Parameters<typeof scoreOnSlice>[1]): Promise<{ version: number; validation: SliceScore | null; unreadable?: string }> {
  let learner: MetaLearnerApi;
  try {
    learner = await deps.load(deps.store.pathOf(current), { baseFingerprint: deps.baseFingerprint });
  } catch (err) {
    return { version: current.version, validation: null, unreadable: err instanceof Error ? err.message : String(err) };
  }
  try {
    return { version: current.version, validation: scoreOnSlice(learner, validation) };
  } finally {
    learner.dispose();
  }
}

export interface OnlineTrainerOptions {
  /** Labelled answers in the buffer now (its training rows). */
  labelled(): number;
  /** Labelled answers when the latest version was trained; null before the first. */
  lastTrainedAt(): number | null;
  /** Starts one step (retrain, here or in a child process); the trainer does not await it on anyone's behalf. */
  run(): Promise<unknown>;
  onError?(err: unknown): void;
}

/**
 * The schedule: `notify()` after every recorded answer starts a step when one is due and none is
 * running; a notification during a step is looked at again when it ends. Nothing here waits for a
 * step except `idle()`.
 */
export class OnlineTrainer {
  private running: Promise<void> | null = null;
  private pending = false;
  private closed = false;
  private steps = 0;

  constructor(private readonly options: OnlineTrainerOptions) {
    if (typeof options?.run !== 'function') throw new MetaError('an online trainer needs the step it runs');
  }

  /** Steps started so far. */
  get started(): number {
    return this.steps;
  }

  get busy(): boolean {
    return this.running !== null;
  }

  /** True when it started a step. A failure to read the counts goes to onError: an answer never fails for it. */
  notify(): boolean {
    if (this.closed) return false;
    if (this.running) {
      this.pending = true;
      return false;
    }
    let due: boolean;
    try {
      due = trainingDue(this.options.labelled(), this.options.lastTrainedAt());
    } catch (err) {
      this.options.onError?.(err);
      return false;
    }
    if (!due) return false;
    this.steps++;
    this.running = this.options
      .run()
      .then(
        () => undefined,
        (err: unknown) => this.options.onError?.(err),
      )
      .finally(() => {
        this.running = null;
        if (this.pending) {
          this.pending = false;
          this.notify();
        }
      });
    return true;
  }

  /** Starts no more steps (one running goes on): call it before closing what `labelled` reads. */
  close(): void {
    this.closed = true;
    this.pending = false;
  }

  /** Resolves when no step is running (and none was started by the last one's end). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }
}
