/**
 * `run.json`: the manifest a run directory carries through collect → train → eval → export.
 * Each stage reads it, checks that it is about the model in hand, appends its stage record
 * and writes it back atomically, so a killed process leaves the previous manifest intact.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { CogitoError, OutOfRangeError, type ErrorCode } from '../util/errors';

export const MANIFEST_FILE = 'run.json';
export const MANIFEST_VERSION = 1;

export type StageName = 'collect' | 'train' | 'eval' | 'export';
export type StageStatus = 'running' | 'done' | 'failed';
export const STAGE_NAMES: readonly StageName[] = ['collect', 'train', 'eval', 'export'];
const STAGE_STATUSES: readonly StageStatus[] = ['running', 'done', 'failed'];

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface StageRecord {
  stage: StageName;
  status: StageStatus;
  /** ISO 8601 timestamps. */
  startedAt: string;
  finishedAt: string | null;
  /** Stage-specific facts worth keeping (counts, losses, output files, error message). */
  detail: { [key: string]: JsonValue };
}

export interface EncoderSettings {
  /** e.g. 'per-layer' (one cognitive token per tapped layer) or 'learned-queries'. */
  kind: string;
  /** Anything else the encoder needs to be rebuilt (width, heads, injection layers...). */
  [setting: string]: JsonValue;
}

export interface RunManifest {
  version: typeof MANIFEST_VERSION;
  createdAt: string;
  model: {
    path: string;
    /** Identifies the exact base weights; a run made with another model is refused. */
    fingerprint: string;
  };
  /** Layer indices tapped, resolved (e.g. from `--target-layers late`). */
  targetLayers: number[];
  /** What the user asked for, kept for the record (e.g. 'late', '10,11,12'). */
  targetLayersSpec: string | null;
  dataset: { path: string; questions: number };
  /** Indices into the dataset's questions (in parseQaJsonl order) per split; disjoint. */
  splits: { seed: number; train: number[]; val: number[]; test: number[] };
  encoder: EncoderSettings;
  /**
   * Where the labels (CollectRecord.pass1_correct) came from when a caller gave them instead of
   * judging the dataset's reference answers with encoder.checker (collect.ts `collectLabelled`):
   * the labeller's name and what it recorded. Absent: judged against reference answers.
   */
  labels?: RunLabels;
  stages: StageRecord[];
}

export interface RunLabels {
  /** The labeller's name, e.g. 'verdicts'. */
  by: string;
  detail: { [key: string]: JsonValue };
}

// ---------------------------------------------------------------- errors

/** A run directory that cannot serve the request; the plain class means a stage is missing or not running. */
export class ManifestError extends CogitoError {
  constructor(
    message: string,
    /** The run.json file involved, when there is one. */
    readonly file: string | null,
    code: ErrorCode = 'RUN_STATE',
  ) {
    super(message, code);
  }
}

/** The run directory has no run.json. */
export class ManifestNotFoundError extends ManifestError {
  constructor(message: string, file: string | null) {
    super(message, file, 'MANIFEST_NOT_FOUND');
  }
}

/** A run's data files (records, hidden states) do not match what the manifest says: collect again. */
export class RunDataError extends ManifestError {
  constructor(message: string, file: string | null = null) {
    super(message, file, 'INVALID_RUN_DATA');
  }
}

/** run.json is not valid JSON or does not match the schema; `field` says where. */
export class InvalidManifestError extends ManifestError {
  constructor(
    readonly field: string,
    readonly problem: string,
    file: string | null,
  ) {
    super(`${file ?? 'run manifest'}: ${field}: ${problem}`, file, 'INVALID_MANIFEST');
  }
}

/** The run directory was made with a different base model. */
export class ModelMismatchError extends ManifestError {
  constructor(
    readonly expected: string,
    readonly actual: string,
    readonly runModelPath: string,
    file: string | null,
  ) {
    super(
      `this run directory was made with another model (${runModelPath}, fingerprint ${expected}); ` +
        `the model given has fingerprint ${actual}. Use the original model or start a new run directory.`,
      file,
      'RUN_MODEL_MISMATCH',
    );
  }
}

// ---------------------------------------------------------------- validation

type Obj = Record<string, unknown>;

class Checker {
  constructor(readonly file: string | null) {}

  fail(field: string, problem: string): never {
    throw new InvalidManifestError(field, problem, this.file);
  }

  obj(v: unknown, field: string): Obj {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(field, `expected an object, got ${kind(v)}`);
    return v as Obj;
  }

  str(v: unknown, field: string, nonEmpty = true): string {
    if (typeof v !== 'string') this.fail(field, `expected a string, got ${kind(v)}`);
    if (nonEmpty && v.length === 0) this.fail(field, 'must not be empty');
    return v;
  }

  strOrNull(v: unknown, field: string): string | null {
    return v === null ? null : this.str(v, field, false);
  }

  int(v: unknown, field: string): number {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) this.fail(field, `expected a non-negative integer, got ${show(v)}`);
    return v;
  }

  arr(v: unknown, field: string): unknown[] {
    if (!Array.isArray(v)) this.fail(field, `expected an array, got ${kind(v)}`);
    return v;
  }

  ints(v: unknown, field: string): number[] {
    return this.arr(v, field).map((x, i) => this.int(x, `${field}[${i}]`));
  }

  time(v: unknown, field: string): string {
    const s = this.str(v, field);
    if (Number.isNaN(Date.parse(s))) this.fail(field, `not an ISO timestamp: ${show(s)}`);
    return s;
  }

  json(v: unknown, field: string): JsonValue {
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) this.fail(field, 'numbers must be finite');
      return v;
    }
    if (Array.isArray(v)) return v.map((x, i) => this.json(x, `${field}[${i}]`));
    const o = this.obj(v, field);
    const out: { [k: string]: JsonValue } = {};
    for (const [k, x] of Object.entries(o)) out[k] = this.json(x, `${field}.${k}`);
    return out;
  }
}

function kind(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** Checks a parsed value against the manifest schema and returns it typed; throws InvalidManifestError. */
export function validateManifest(value: unknown, file: string | null = null): RunManifest {
  const c = new Checker(file);
  const m = c.obj(value, '(root)');
  if (m.version !== MANIFEST_VERSION) {
    c.fail('version', `unsupported manifest version ${show(m.version)} (this cogito reads version ${MANIFEST_VERSION})`);
  }
  const model = c.obj(m.model, 'model');
  const dataset = c.obj(m.dataset, 'dataset');
  const splits = c.obj(m.splits, 'splits');
  const encoder = c.json(c.obj(m.encoder, 'encoder'), 'encoder') as { [k: string]: JsonValue };
  c.str(encoder.kind, 'encoder.kind');

  const out: RunManifest = {
    version: MANIFEST_VERSION,
    createdAt: c.time(m.createdAt, 'createdAt'),
    model: { path: c.str(model.path, 'model.path'), fingerprint: c.str(model.fingerprint, 'model.fingerprint') },
    targetLayers: c.ints(m.targetLayers, 'targetLayers'),
    targetLayersSpec: c.strOrNull(m.targetLayersSpec ?? null, 'targetLayersSpec'),
    dataset: { path: c.str(dataset.path, 'dataset.path'), questions: c.int(dataset.questions, 'dataset.questions') },
    splits: {
      seed: c.int(splits.seed, 'splits.seed'),
      train: c.ints(splits.train, 'splits.train'),
      val: c.ints(splits.val, 'splits.val'),
      test: c.ints(splits.test, 'splits.test'),
    },
    encoder: encoder as EncoderSettings,
    ...(m.labels !== undefined ? { labels: validateLabels(c, m.labels) } : {}),
    stages: c.arr(m.stages, 'stages').map((s, i) => validateStage(c, s, `stages[${i}]`)),
  };
  if (out.targetLayers.length === 0) c.fail('targetLayers', 'at least one target layer is needed');
  if (new Set(out.targetLayers).size !== out.targetLayers.length) c.fail('targetLayers', 'layers repeat');
  const seen = new Map<number, string>();
  for (const split of ['train', 'val', 'test'] as const) {
    out.splits[split].forEach((ix, i) => {
      if (ix >= out.dataset.questions) {
        c.fail(`splits.${split}[${i}]`, `index ${ix} is past the dataset's ${out.dataset.questions} questions`);
      }
      const other = seen.get(ix);
      if (other !== undefined) c.fail(`splits.${split}[${i}]`, `question ${ix} is also in the ${other} split`);
      seen.set(ix, split);
    });
  }
  return out;
}

function validateLabels(c: Checker, v: unknown): RunLabels {
  const l = c.obj(v, 'labels');
  return { by: c.str(l.by, 'labels.by'), detail: c.json(c.obj(l.detail ?? {}, 'labels.detail'), 'labels.detail') as { [k: string]: JsonValue } };
}

function validateStage(c: Checker, v: unknown, field: string): StageRecord {
  const s = c.obj(v, field);
  const stage = c.str(s.stage, `${field}.stage`);
  if (!(STAGE_NAMES as readonly string[]).includes(stage)) c.fail(`${field}.stage`, `unknown stage ${show(stage)}`);
  const status = c.str(s.status, `${field}.status`);
  if (!(STAGE_STATUSES as readonly string[]).includes(status)) c.fail(`${field}.status`, `unknown status ${show(status)}`);
  const finishedAt = s.finishedAt === null || s.finishedAt === undefined ? null : c.time(s.finishedAt, `${field}.finishedAt`);
  if (status !== 'running' && finishedAt === null) c.fail(`${field}.finishedAt`, `a ${status} stage needs a finish time`);
  return {
    stage: stage as StageName,
    status: status as StageStatus,
    startedAt: c.time(s.startedAt, `${field}.startedAt`),
    finishedAt,
    detail: c.json(c.obj(s.detail ?? {}, `${field}.detail`), `${field}.detail`) as { [k: string]: JsonValue },
  };
}

// ---------------------------------------------------------------- construction and stages

export interface ManifestInit {
  model: { path: string; fingerprint: string };
  targetLayers: number[];
  targetLayersSpec?: string | null;
  dataset: { path: string; questions: number };
  splits: RunManifest['splits'];
  encoder: EncoderSettings;
  labels?: RunLabels;
  now?: Date;
}

/** A new manifest, validated (so a bad split or layer list fails before any work is done). */
export function createManifest(init: ManifestInit): RunManifest {
  return validateManifest({
    version: MANIFEST_VERSION,
    createdAt: (init.now ?? new Date()).toISOString(),
    model: init.model,
    targetLayers: init.targetLayers,
    targetLayersSpec: init.targetLayersSpec ?? null,
    dataset: init.dataset,
    splits: init.splits,
    encoder: init.encoder,
    ...(init.labels !== undefined ? { labels: init.labels } : {}),
    stages: [],
  });
}

/** Returns a copy with a new running stage record appended. */
export function startStage(m: RunManifest, stage: StageName, now = new Date()): RunManifest {
  return { ...m, stages: [...m.stages, { stage, status: 'running', startedAt: now.toISOString(), finishedAt: null, detail: {} }] };
}

/** Returns a copy with the latest running record of `stage` closed as done or failed. */
export function finishStage(
  m: RunManifest,
  stage: StageName,
  status: Exclude<StageStatus, 'running'>,
  detail: { [key: string]: JsonValue } = {},
  now = new Date(),
): RunManifest {
  const i = m.stages.map((s) => s.stage === stage && s.status === 'running').lastIndexOf(true);
  if (i < 0) throw new ManifestError(`no running ${stage} stage to finish`, null);
  const stages = m.stages.slice();
  stages[i] = { ...stages[i], status, finishedAt: now.toISOString(), detail: { ...stages[i].detail, ...detail } };
  return { ...m, stages };
}

/** The latest record of a stage that finished successfully, if any (e.g. eval needs a done train). */
export function lastDone(m: RunManifest, stage: StageName): StageRecord | null {
  for (let i = m.stages.length - 1; i >= 0; i--) if (m.stages[i].stage === stage && m.stages[i].status === 'done') return m.stages[i];
  return null;
}

/** Throws ModelMismatchError when the run directory belongs to another model. */
export function assertSameModel(m: RunManifest, fingerprint: string, file: string | null = null): void {
  if (m.model.fingerprint !== fingerprint) throw new ModelMismatchError(m.model.fingerprint, fingerprint, m.model.path, file);
}

// ---------------------------------------------------------------- splits and layers

/** Deterministic train/val/test split of `n` questions (seeded Fisher–Yates, mulberry32). */
export function makeSplits(n: number, seed: number, valShare = 0.1, testShare = 0): RunManifest['splits'] {
  if (!Number.isInteger(n) || n < 0) throw new OutOfRangeError(`question count must be a non-negative integer, got ${n}`);
  if (valShare < 0 || testShare < 0 || valShare + testShare >= 1) throw new OutOfRangeError('valShare + testShare must be in [0, 1)');
  let s = seed >>> 0;
  const rand = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const nVal = Math.round(n * valShare);
  const nTest = Math.round(n * testShare);
  const sorted = (a: number[]): number[] => a.sort((x, y) => x - y);
  return {
    seed,
    val: sorted(order.slice(0, nVal)),
    test: sorted(order.slice(nVal, nVal + nTest)),
    train: sorted(order.slice(nVal + nTest)),
  };
}

// ---------------------------------------------------------------- files

export function manifestPath(runDir: string): string {
  return path.join(runDir, MANIFEST_FILE);
}

export async function readManifest(runDir: string): Promise<RunManifest> {
  const file = manifestPath(runDir);
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ManifestNotFoundError(`${runDir} has no ${MANIFEST_FILE}: run \`cogito collect\` into it first`, file);
    }
    throw err;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new InvalidManifestError('(file)', `not valid JSON (${(err as Error).message}); the file may be truncated`, file);
  }
  return validateManifest(value, file);
}

/** Writes run.json atomically: a temp file in the same directory, fsynced, then renamed over. */
export async function writeManifest(runDir: string, m: RunManifest): Promise<void> {
  const file = manifestPath(runDir);
  validateManifest(m, file); // never persist a manifest the next stage would reject
  await writeFileAtomic(file, `${JSON.stringify(m, null, 2)}\n`);
}

/** Read, transform and write back; the transform sees a validated manifest. */
export async function updateManifest(runDir: string, fn: (m: RunManifest) => RunManifest): Promise<RunManifest> {
  const next = fn(await readManifest(runDir));
  await writeManifest(runDir, next);
  return next;
}

export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await fsp.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const fh = await fsp.open(tmp, 'w');
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fsp.rename(tmp, file);
  } catch (err) {
    await fsp.rm(tmp, { force: true });
    throw err;
  }
}

/** sha256 of a whole file, as `sha256:<hex>`: a model fingerprint when the engine offers none better. */
export async function fileFingerprint(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return `sha256:${hash.digest('hex')}`;
}
