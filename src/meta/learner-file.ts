/**
 * The meta-learner's file (docs/meta.md, "Meta-learner"): a GGUF of `general.type`
 * `cogito.meta-learner`, written with ggml's writer through the engine (atomically), with its
 * metadata under `cogito.meta.*` and the net's tensors in f32, the input standardisation included.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CogitoError, readGguf, readGgufTensor, writeGguf, type GgufInfo, type GgufKeyValue } from '../engine';
import { ERROR_TYPES, ROUTES } from './labels';
import { META_LEARNER_KIND, type MetaLearnerInfo, type MetaMetrics } from './learner-types';
import { MetaLearnerFileError } from './errors';
import { NotFoundError } from '../util/errors';

/** Format version of the file; bumped when its keys or tensors change meaning. */
export const META_LEARNER_FORMAT_VERSION = 1;

/** The net's tensors and their shapes (ggml order) for `inputs` signals and `hidden` units. */
export function metaTensorShapes(inputs: number, hidden: number): { name: string; shape: number[] }[] {
  return [
    { name: 'input.mean', shape: [inputs] },
    { name: 'input.std', shape: [inputs] },
    { name: 'shared.weight', shape: [inputs, hidden] },
    { name: 'shared.bias', shape: [hidden] },
    { name: 'confidence.weight', shape: [hidden, 1] },
    { name: 'confidence.bias', shape: [1] },
    { name: 'route.weight', shape: [hidden, ROUTES.length] },
    { name: 'route.bias', shape: [ROUTES.length] },
    { name: 'error.weight', shape: [hidden, ERROR_TYPES.length] },
    { name: 'error.bias', shape: [ERROR_TYPES.length] },
  ];
}

export interface MetaTensor {
  name: string;
  data: Float32Array;
}

const KEY = {
  type: 'general.type',
  version: 'cogito.meta.version',
  signalsVersion: 'cogito.meta.signals_version',
  signalNames: 'cogito.meta.signal_names',
  routes: 'cogito.meta.routes',
  errorTypes: 'cogito.meta.error_types',
  hidden: 'cogito.meta.hidden',
  baseFingerprint: 'cogito.meta.base_fingerprint',
  createdAt: 'cogito.meta.created_at',
  metrics: 'cogito.meta.metrics',
} as const;

/** Writes the file atomically (a temporary beside it, renamed into place). */
export async function writeMetaLearnerFile(file: string, info: MetaLearnerInfo, tensors: readonly MetaTensor[]): Promise<void> {
  const metadata: GgufKeyValue[] = [
    { key: KEY.type, type: 'string', value: info.kind },
    { key: KEY.version, type: 'u32', value: info.version },
    { key: KEY.signalsVersion, type: 'u32', value: info.signalsVersion },
    { key: KEY.signalNames, type: 'string[]', value: [...info.signalNames] },
    // what each head's outputs mean, in order
    { key: KEY.routes, type: 'string[]', value: [...ROUTES] },
    { key: KEY.errorTypes, type: 'string[]', value: [...ERROR_TYPES] },
    { key: KEY.hidden, type: 'u32', value: info.hidden },
    { key: KEY.baseFingerprint, type: 'string', value: info.baseFingerprint },
    { key: KEY.createdAt, type: 'string', value: info.createdAt },
    { key: KEY.metrics, type: 'string', value: JSON.stringify(info.metrics) },
  ];
  const byName = new Map(tensors.map((t) => [t.name, t.data]));
  const ordered = metaTensorShapes(info.signalNames.length, info.hidden).map(({ name, shape }) => {
    const data = byName.get(name);
    if (!data) throw new MetaLearnerFileError(file, `tensor ${name} is missing`);
    return { name, shape, type: 'f32' as const, data };
  });
  await fs.promises.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  writeGguf(file, metadata, ordered);
}

/** Reads and checks the file; throws NotFoundError or MetaLearnerFileError. The binding checks are the caller's. */
export async function readMetaLearnerFile(file: string): Promise<{ info: MetaLearnerInfo; tensors: MetaTensor[] }> {
  if (!fs.existsSync(file)) throw new NotFoundError(`meta-learner file not found: ${file}`);
  let gguf: GgufInfo;
  try {
    gguf = await readGguf(file, { maxArray: 4096 });
  } catch (err) {
    throw asFileError(file, err);
  }
  const info = infoOf(file, gguf);
  const tables = new Map(gguf.tensors.map((t) => [t.name, t]));
  const expected = metaTensorShapes(info.signalNames.length, info.hidden);
  if (gguf.tensors.length !== expected.length) throw new MetaLearnerFileError(file, `${gguf.tensors.length} tensors, not ${expected.length}`);
  const tensors = expected.map(({ name, shape }) => {
    const t = tables.get(name);
    if (!t) throw new MetaLearnerFileError(file, `tensor ${name} is missing`);
    // the reader drops trailing dimensions of 1 ([H, 1] reads back as [H])
    const want = [...shape];
    while (want.length > 1 && want[want.length - 1] === 1) want.pop();
    if (t.type !== 'f32' || t.shape.join(',') !== want.join(',')) {
      throw new MetaLearnerFileError(file, `tensor ${name} is ${t.type} [${t.shape.join(', ')}], not f32 [${shape.join(', ')}]`);
    }
    let bytes: Buffer;
    try {
      bytes = readGgufTensor(file, name);
    } catch (err) {
      throw asFileError(file, err);
    }
    const data = new Float32Array(Uint8Array.from(bytes).buffer);
    if (data.some((v) => !Number.isFinite(v))) throw new MetaLearnerFileError(file, `tensor ${name} holds a non-finite value`);
    return { name, data };
  });
  return { info, tensors };
}

function asFileError(file: string, err: unknown): Error {
  if (err instanceof CogitoError && (err.code === 'BAD_GGUF' || err.code === 'NOT_FOUND')) return new MetaLearnerFileError(file, err.message);
  return err as Error;
}

function infoOf(file: string, gguf: GgufInfo): MetaLearnerInfo {
  const entry = (key: string, type: string): unknown => {
    const e = gguf.metadata[key];
    if (!e) throw new MetaLearnerFileError(file, `metadata ${key} is missing`);
    if (e.type !== type) throw new MetaLearnerFileError(file, `metadata ${key} is ${e.type}, not ${type}`);
    return e.value;
  };
  const kind = gguf.metadata[KEY.type]?.value;
  if (kind !== META_LEARNER_KIND) throw new MetaLearnerFileError(file, `general.type is ${JSON.stringify(kind ?? null)}, not ${META_LEARNER_KIND}`);
  const version = entry(KEY.version, 'u32') as number;
  if (version !== META_LEARNER_FORMAT_VERSION) throw new MetaLearnerFileError(file, `format version ${version}; this cogito reads version ${META_LEARNER_FORMAT_VERSION}`);
  const strings = (key: string, want?: readonly string[]): string[] => {
    const v = entry(key, 'array<str>') as string[];
    const length = gguf.metadata[key].length ?? v.length;
    if (length !== v.length || v.length === 0) throw new MetaLearnerFileError(file, `metadata ${key} holds ${length} names`);
    if (want && v.join('\n') !== want.join('\n')) throw new MetaLearnerFileError(file, `its heads' classes ${key} are ${v.join(', ')}, not ${want.join(', ')}`);
    return v;
  };
  strings(KEY.routes, ROUTES);
  strings(KEY.errorTypes, ERROR_TYPES);
  const hidden = entry(KEY.hidden, 'u32') as number;
  if (!(hidden >= 1)) throw new MetaLearnerFileError(file, `hidden size ${hidden}`);
  return {
    kind: META_LEARNER_KIND,
    version,
    signalsVersion: entry(KEY.signalsVersion, 'u32') as number,
    signalNames: Object.freeze(strings(KEY.signalNames)),
    hidden,
    baseFingerprint: entry(KEY.baseFingerprint, 'str') as string,
    createdAt: entry(KEY.createdAt, 'str') as string,
    metrics: parseMetrics(file, entry(KEY.metrics, 'str') as string),
  };
}

const METRIC_KEYS = ['rows', 'validationRows', 'trainLoss', 'validationLoss', 'auroc', 'ece', 'brier', 'routeAccuracy', 'errorTypeAccuracy'] as const;

function parseMetrics(file: string, text: string): MetaMetrics | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new MetaLearnerFileError(file, 'metadata cogito.meta.metrics is not JSON');
  }
  if (value === null) return null;
  const ok = typeof value === 'object' && METRIC_KEYS.every((k) => {
    const v = (value as Record<string, unknown>)[k];
    return v === null || (typeof v === 'number' && Number.isFinite(v));
  });
  if (!ok) throw new MetaLearnerFileError(file, `metadata cogito.meta.metrics is not a metrics record (${METRIC_KEYS.join(', ')})`);
  return Object.fromEntries(METRIC_KEYS.map((k) => [k, (value as Record<string, unknown>)[k]])) as unknown as MetaMetrics;
}
