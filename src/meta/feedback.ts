/**
 * The feedback buffer (issue 18, item 3): every labelled outcome of an answer — who judged it, the
 * verdict, its weight, the answer's signals, what kind of error it was — in a SQLite file beside
 * the VKS, and the training rows the meta-learner learns from (labels.ts holds the rules).
 */
import type Database from 'better-sqlite3';
import type { OracleErrorType } from '../cascade/types';
import { MetaError } from './errors';
import { guardSqlite, openFeedbackDatabase, type FeedbackOpenOptions } from './feedback-file';
import {
  answerErrorType,
  errorTypeFromFailure,
  isErrorType,
  isOutcomeSource,
  isVerdict,
  outcomeWeight,
  routeTarget,
  trueConfidenceOf,
  type ErrorType,
  type OutcomeSource,
  type Route,
  type Verdict,
} from './labels';
import { SIGNAL_NAMES, SIGNALS_VERSION, signalsVector, type Signals } from './signals';
import { DEFAULT_BUSY_TIMEOUT_MS } from '../vks/connection';

/** A signals vector already laid out, with the version of the names it follows. */
export interface SignalsVectorInput {
  vector: Float32Array | readonly number[];
  version: number;
}

export interface OutcomeInput {
  /** The answer judged (AskResult.id). */
  answerId: string;
  question: string;
  /** The claim the verdict is about, when it is about one claim. */
  claim?: string | null;
  source: OutcomeSource;
  verdict: Verdict;
  /** The answer's signals: the record, or a vector with its names version; null when none were computed (no sidecar), stored as an empty vector of version NO_SIGNALS_VERSION. */
  signals: Signals | SignalsVectorInput | null;
  /** The error class; for an incorrect verdict give it or `failure`; a correct one is always 'none'. */
  errorType?: ErrorType;
  /** What failed, in the cascade's words: the error class is derived from it (labels.ts errorTypeFromFailure). */
  failure?: OracleErrorType;
  /** Default: now. */
  createdAt?: Date;
}

/** An answer as `ask` gave it, registered whether or not any of its claims was labelled. */
export interface AnswerInput {
  answerId: string;
  question: string;
  draft: string;
  /** AskResult.status. */
  status: string;
  signals: Signals | SignalsVectorInput | null;
  /** The fingerprint of the base model that drafted it (ModelInfo.fingerprint); null or absent: not recorded. */
  model?: string | null;
  createdAt?: Date;
}

export interface RegisteredAnswer {
  answerId: string;
  question: string;
  draft: string;
  status: string;
  /** Empty with signalsVersion NO_SIGNALS_VERSION when none were computed. */
  signals: Float32Array;
  signalsVersion: number;
  /** The fingerprint of the base model that drafted it; null when not recorded. */
  model: string | null;
  createdAt: string;
}

interface AnswerRow {
  answer_id: string;
  question: string;
  draft: string;
  status: string;
  signals: Buffer;
  signals_version: number;
  /** Absent in a file opened read-only before a writer added the column. */
  model?: string | null;
  created_at: number;
}

function toRegisteredAnswer(row: AnswerRow): RegisteredAnswer {
  return {
    answerId: row.answer_id,
    question: row.question,
    draft: row.draft,
    status: row.status,
    signals: signalsOf(row.signals),
    signalsVersion: row.signals_version,
    model: row.model ?? null,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

export interface Outcome {
  /** Row id: increases with every record. */
  id: number;
  answerId: string;
  question: string;
  claim: string | null;
  source: OutcomeSource;
  verdict: Verdict;
  weight: number;
  signals: Float32Array;
  signalsVersion: number;
  errorType: ErrorType;
  /** ISO 8601, milliseconds. */
  createdAt: string;
}

/** One answer, as the meta-learner trains on it. */
export interface TrainingRow {
  answerId: string;
  question: string;
  /** From the answer's first outcome recorded at the requested signals version. */
  signals: Float32Array;
  signalsVersion: number;
  /** Target of the confidence head: the answer's true confidence. */
  confidence: number;
  /** Target of the route head. */
  route: Route;
  /** Target of the error head. */
  errorType: ErrorType;
  /** Sample weight: the total weight of the answer's verdicts (how much evidence stands behind the targets). */
  weight: number;
  outcomes: number;
  /** When its latest outcome was recorded (ISO 8601). */
  updatedAt: string;
}

export interface TrainingRowOptions {
  /** Only answers with an outcome recorded at or after this time. */
  since?: Date;
  /** Only answers whose signals follow this version of SIGNAL_NAMES (default the current one). */
  signalsVersion?: number;
}

interface OutcomeRow {
  id: number;
  answer_id: string;
  question: string;
  claim: string | null;
  source: OutcomeSource;
  verdict: Verdict;
  weight: number;
  signals: Buffer;
  signals_version: number;
  error_type: ErrorType;
  created_at: number;
}

const MAX_ID_LENGTH = 512;

/** The signals version of an outcome recorded without signals: its vector is empty and no training row reads it. */
export const NO_SIGNALS_VERSION = 0;

/** A stored signals blob as the Float32Array it was written from (copied: the blob's buffer may be shared). */
function signalsOf(blob: Buffer): Float32Array {
  const bytes = Uint8Array.from(blob);
  return new Float32Array(bytes.buffer, 0, bytes.byteLength / 4);
}

function toOutcome(row: OutcomeRow): Outcome {
  return {
    id: row.id,
    answerId: row.answer_id,
    question: row.question,
    claim: row.claim,
    source: row.source,
    verdict: row.verdict,
    weight: row.weight,
    signals: signalsOf(row.signals),
    signalsVersion: row.signals_version,
    errorType: row.error_type,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

function checkAnswerId(answerId: unknown): asserts answerId is string {
  if (typeof answerId !== 'string' || answerId.length === 0 || answerId.length > MAX_ID_LENGTH) {
    throw new MetaError(`answerId must be a non-empty string of at most ${MAX_ID_LENGTH} characters`);
  }
}

function checkTime(value: Date | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof Date) || !Number.isFinite(value.getTime())) throw new MetaError(`${name} must be a valid Date`);
  return value.getTime();
}

/** The signals as a little-endian float32 vector of the current names, checked. */
function signalsBlob(signals: OutcomeInput['signals']): { blob: Buffer; version: number } {
  if (signals === null) return { blob: Buffer.alloc(0), version: NO_SIGNALS_VERSION };
  if (typeof signals !== 'object') throw new MetaError('an outcome needs the answer\'s signals, or null');
  const { vector, version } = 'vector' in signals ? signals : { vector: signalsVector(signals), version: signals.version };
  if (!Number.isInteger(version) || version < 1) throw new MetaError(`signals version must be an integer >= 1, not ${String(version)}`);
  if (version === SIGNALS_VERSION && vector.length !== SIGNAL_NAMES.length) {
    throw new MetaError(`a version-${SIGNALS_VERSION} signals vector has ${SIGNAL_NAMES.length} values, not ${vector.length}`);
  }
  if (vector.length === 0) throw new MetaError('the signals vector is empty');
  const floats = Float32Array.from(vector);
  floats.forEach((v, i) => {
    if (!Number.isFinite(v)) throw new MetaError(`signal ${i} is not finite (${v})`);
  });
  // Buffer.from(arrayBuffer) keeps the platform's byte order; every platform Node runs on is little-endian
  return { blob: Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength), version };
}

function resolveErrorType(input: OutcomeInput): ErrorType {
  const given = input.errorType ?? (input.failure !== undefined ? errorTypeFromFailure(input.failure) : undefined);
  if (given !== undefined && !isErrorType(given)) throw new MetaError(`unknown error type ${String(given)}`);
  if (input.verdict === 'correct') {
    if (given !== undefined && given !== 'none') throw new MetaError(`a correct verdict has error type 'none', not '${given}'`);
    return 'none';
  }
  if (given === undefined || given === 'none') throw new MetaError("an incorrect verdict needs its error type (errorType or failure), other than 'none'");
  return given;
}

export class FeedbackBuffer {
  private readonly insert: Database.Statement;
  private readonly byAnswer: Database.Statement;
  private closed = false;

  private constructor(
    private readonly db: Database.Database,
    readonly path: string,
    private readonly busyTimeoutMs: number,
  ) {
    this.insert = db.prepare(
      `INSERT INTO outcomes (answer_id, question, claim, source, verdict, weight, signals, signals_version, error_type, created_at)
       VALUES (@answerId, @question, @claim, @source, @verdict, @weight, @signals, @signalsVersion, @errorType, @createdAt)`,
    );
    this.byAnswer = db.prepare(`SELECT * FROM outcomes WHERE answer_id = ? ORDER BY id`);
  }

  /** Opens the buffer at `path`, creating it (and its folder) for a writer; checks its schema and integrity. */
  static open(path: string, options: FeedbackOpenOptions = {}): FeedbackBuffer {
    const db = openFeedbackDatabase(path, options);
    return new FeedbackBuffer(db, path, options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS);
  }

  /** Runs `fn` in one immediate transaction: everything it writes is committed together, or nothing. */
  transaction<T>(fn: () => T): T {
    this.checkOpen();
    return this.guard(() => this.db.transaction(fn).immediate());
  }

  /** Records several outcomes in one transaction: all of them or, on any bad one, none; on disk when it returns. */
  recordAll(inputs: readonly OutcomeInput[]): Outcome[] {
    this.checkOpen();
    if (!Array.isArray(inputs)) throw new MetaError('recordAll takes an array of outcomes');
    return this.guard(() => this.db.transaction(() => inputs.map((input) => this.record(input))).immediate());
  }

  /**
   * Registers an answer (every answer `ask` gives, labelled or not), so that a user's judgement can
   * name it later; its signals are kept for the outcomes recorded against it afterwards. False when
   * the buffer already knew it (the same question answered the same way has the same id).
   */
  registerAnswer(input: AnswerInput): boolean {
    this.checkOpen();
    checkAnswerId(input.answerId);
    if (typeof input.question !== 'string' || input.question.trim().length === 0) throw new MetaError('an answer needs its question');
    if (typeof input.draft !== 'string' || typeof input.status !== 'string') throw new MetaError('an answer needs its draft and status');
    const model = input.model ?? null;
    if (model !== null && (typeof model !== 'string' || model.length === 0 || model.length > MAX_ID_LENGTH)) {
      throw new MetaError(`an answer's model is a fingerprint, a non-empty string of at most ${MAX_ID_LENGTH} characters`);
    }
    const { blob, version } = signalsBlob(input.signals);
    const createdAt = checkTime(input.createdAt, 'createdAt') ?? Date.now();
    const info = this.guard(() =>
      this.db
        .prepare(`INSERT OR IGNORE INTO answers (answer_id, question, draft, status, signals, signals_version, model, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(input.answerId, input.question, input.draft, input.status, blob, version, model, createdAt),
    );
    return info.changes === 1;
  }

  /** A registered answer, or null. */
  answer(answerId: string): RegisteredAnswer | null {
    this.checkOpen();
    const row = this.guard(() => this.db.prepare(`SELECT * FROM answers WHERE answer_id = ?`).get(answerId)) as AnswerRow | undefined;
    return row ? toRegisteredAnswer(row) : null;
  }

  /** Every registered answer, in order of registration. */
  registered(): RegisteredAnswer[] {
    this.checkOpen();
    return this.guard(() => this.db.prepare(`SELECT * FROM answers ORDER BY created_at, rowid`).all() as AnswerRow[]).map(toRegisteredAnswer);
  }

  /** Answers registered (labelled or not). */
  registeredAnswers(): number {
    this.checkOpen();
    return this.guard(() => this.db.prepare(`SELECT count(*) FROM answers`).pluck().get() as number);
  }

  /** Outcomes recorded, per source. */
  countsBySource(): Record<OutcomeSource, number> {
    this.checkOpen();
    const rows = this.guard(() => this.db.prepare(`SELECT source, count(*) AS n FROM outcomes GROUP BY source`).all() as { source: OutcomeSource; n: number }[]);
    const counts = { solver: 0, oracle: 0, correction: 0, user: 0 };
    for (const r of rows) counts[r.source] = r.n;
    return counts;
  }

  /** Every answer's true confidence (answers with at least one outcome), in order of first record. */
  trueConfidences(): { answerId: string; confidence: number }[] {
    this.checkOpen();
    const rows = this.guard(
      () =>
        this.db
          .prepare(`SELECT answer_id, SUM(CASE WHEN verdict = 'correct' THEN weight ELSE 0 END) / SUM(weight) AS confidence, MIN(id) AS first FROM outcomes GROUP BY answer_id ORDER BY first`)
          .all() as { answer_id: string; confidence: number }[],
    );
    return rows.map((r) => ({ answerId: r.answer_id, confidence: r.confidence }));
  }

  /** Records one labelled outcome; on disk when it returns. */
  record(input: OutcomeInput): Outcome {
    this.checkOpen();
    if (typeof input !== 'object' || input === null) throw new MetaError('an outcome must be an object');
    checkAnswerId(input.answerId);
    if (typeof input.question !== 'string' || input.question.trim().length === 0) throw new MetaError('an outcome needs the question');
    if (input.claim !== undefined && input.claim !== null && typeof input.claim !== 'string') throw new MetaError('claim must be a string');
    if (!isOutcomeSource(input.source)) throw new MetaError(`unknown outcome source ${String(input.source)}`);
    if (!isVerdict(input.verdict)) throw new MetaError(`unknown verdict ${String(input.verdict)}`);
    const errorType = resolveErrorType(input);
    const { blob, version } = signalsBlob(input.signals);
    const createdAt = checkTime(input.createdAt, 'createdAt') ?? Date.now();
    const row = {
      answerId: input.answerId,
      question: input.question,
      claim: input.claim ?? null,
      source: input.source,
      verdict: input.verdict,
      weight: outcomeWeight(input.source, input.verdict),
      signals: blob,
      signalsVersion: version,
      errorType,
      createdAt,
    };
    const id = Number(this.guard(() => this.insert.run(row)).lastInsertRowid);
    return toOutcome({
      id,
      answer_id: row.answerId,
      question: row.question,
      claim: row.claim,
      source: row.source,
      verdict: row.verdict,
      weight: row.weight,
      signals: blob,
      signals_version: version,
      error_type: errorType,
      created_at: createdAt,
    });
  }

  /** Every outcome recorded for an answer, oldest first. */
  outcomes(answerId: string): Outcome[] {
    this.checkOpen();
    return this.guard(() => this.byAnswer.all(answerId) as OutcomeRow[]).map(toOutcome);
  }

  /** The answer's true confidence (labels.ts trueConfidenceOf: the weighted share of 'correct'); null when it has no outcome. */
  trueConfidence(answerId: string): number | null {
    return trueConfidenceOf(this.outcomes(answerId));
  }

  /** One row per answer with an outcome (at the requested signals version), in order of first record. */
  trainingRows(options: TrainingRowOptions = {}): TrainingRow[] {
    this.checkOpen();
    const since = checkTime(options.since, 'since');
    const version = options.signalsVersion ?? SIGNALS_VERSION;
    if (!Number.isInteger(version) || version < 1) throw new MetaError(`signalsVersion must be an integer >= 1, not ${version}`);
    const rows = this.guard(
      () =>
        this.db
          .prepare(
            `SELECT o.* FROM outcomes o
             WHERE o.answer_id IN (SELECT answer_id FROM outcomes GROUP BY answer_id HAVING MAX(created_at) >= ?)
             ORDER BY o.id`,
          )
          .all(since ?? Number.MIN_SAFE_INTEGER) as OutcomeRow[],
    );
    const grouped = new Map<string, Outcome[]>();
    for (const row of rows) {
      const list = grouped.get(row.answer_id) ?? [];
      list.push(toOutcome(row));
      grouped.set(row.answer_id, list);
    }
    const out: TrainingRow[] = [];
    for (const [answerId, outcomes] of grouped) {
      const withSignals = outcomes.find((o) => o.signalsVersion === version);
      const confidence = trueConfidenceOf(outcomes);
      if (!withSignals || confidence === null) continue;
      out.push({
        answerId,
        question: outcomes[0].question,
        signals: withSignals.signals,
        signalsVersion: version,
        confidence,
        route: routeTarget(confidence),
        errorType: answerErrorType(outcomes),
        weight: outcomes.reduce((s, o) => s + o.weight, 0),
        outcomes: outcomes.length,
        updatedAt: outcomes.reduce((latest, o) => (o.createdAt > latest ? o.createdAt : latest), outcomes[0].createdAt),
      });
    }
    return out;
  }

  /** Outcomes recorded. */
  count(): number {
    this.checkOpen();
    return this.guard(() => this.db.prepare(`SELECT count(*) FROM outcomes`).pluck().get() as number);
  }

  /** Distinct answers with at least one outcome. */
  answers(): number {
    this.checkOpen();
    return this.guard(() => this.db.prepare(`SELECT count(DISTINCT answer_id) FROM outcomes`).pluck().get() as number);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  private guard<T>(fn: () => T): T {
    return guardSqlite(this.path, this.busyTimeoutMs, fn);
  }

  private checkOpen(): void {
    if (this.closed) throw new MetaError('this feedback buffer has been closed', 'DISPOSED');
  }
}
