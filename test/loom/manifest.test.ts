import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  assertSameModel,
  createManifest,
  fileFingerprint,
  finishStage,
  InvalidManifestError,
  lastDone,
  makeSplits,
  ManifestNotFoundError,
  manifestPath,
  ModelMismatchError,
  readManifest,
  startStage,
  updateManifest,
  validateManifest,
  writeManifest,
  type RunManifest,
} from '../../src/loom/manifest';
import { resolveTargetLayers } from '../../src/sidecar/layers';

let dir: string;
beforeEach(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'cogito-manifest-'));
});
afterEach(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

function sample(): RunManifest {
  return createManifest({
    model: { path: 'models/default.gguf', fingerprint: 'sha256:abc' },
    targetLayers: [2, 3],
    targetLayersSpec: 'late',
    dataset: { path: 'models/default.sidecar-train.jsonl', questions: 10 },
    splits: { seed: 3, train: [0, 1, 2, 3, 4, 5], val: [6, 7], test: [8, 9] },
    encoder: { kind: 'per-layer', width: 64, injectLayers: [3] },
    now: new Date('2025-01-02T03:04:05.000Z'),
  });
}

test('round-trip through run.json, stage records included', async () => {
  let m = startStage(sample(), 'collect', new Date('2025-01-02T03:05:00.000Z'));
  m = finishStage(m, 'collect', 'done', { questions: 10, correct: 4 }, new Date('2025-01-02T03:06:00.000Z'));
  m = startStage(m, 'train', new Date('2025-01-02T03:07:00.000Z'));
  await writeManifest(dir, m);
  const back = await readManifest(dir);
  expect(back).toEqual(m);
  expect(back.stages[0]).toEqual({
    stage: 'collect',
    status: 'done',
    startedAt: '2025-01-02T03:05:00.000Z',
    finishedAt: '2025-01-02T03:06:00.000Z',
    detail: { questions: 10, correct: 4 },
  });
  expect(lastDone(back, 'collect')?.detail.correct).toBe(4);
  expect(lastDone(back, 'train')).toBeNull();
  // no temp files are left behind
  expect(await fsp.readdir(dir)).toEqual(['run.json']);
});

test('updateManifest reads, transforms and writes back', async () => {
  await writeManifest(dir, sample());
  await updateManifest(dir, (m) => startStage(m, 'eval'));
  expect((await readManifest(dir)).stages.map((s) => s.status)).toEqual(['running']);
});

test('finishing a stage that never started is an error', () => {
  expect(() => finishStage(sample(), 'train', 'done')).toThrow(/no running train stage/);
});

test('a run directory made with another model gives a clear error', async () => {
  await writeManifest(dir, sample());
  const m = await readManifest(dir);
  expect(() => assertSameModel(m, 'sha256:abc')).not.toThrow();
  let err: unknown;
  try {
    assertSameModel(m, 'sha256:other', manifestPath(dir));
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ModelMismatchError);
  expect((err as Error).message).toMatch(/made with another model \(models\/default\.gguf, fingerprint sha256:abc\).*sha256:other/);
});

test('missing, truncated and malformed manifests fail with typed errors naming the field', async () => {
  await expect(readManifest(dir)).rejects.toBeInstanceOf(ManifestNotFoundError);

  const text = JSON.stringify(sample());
  await fsp.writeFile(manifestPath(dir), text.slice(0, text.length / 2));
  await expect(readManifest(dir)).rejects.toThrow(/not valid JSON.*truncated/);

  const bad = (patch: (m: Record<string, unknown>) => void): unknown => {
    const m = JSON.parse(text) as Record<string, unknown>;
    patch(m);
    return m;
  };
  const cases: Array<[string, unknown]> = [
    ['version', bad((m) => (m.version = 2))],
    ['model.fingerprint', bad((m) => ((m.model as Record<string, unknown>).fingerprint = 7))],
    ['targetLayers[1]', bad((m) => (m.targetLayers = [1, -1]))],
    ['targetLayers', bad((m) => (m.targetLayers = []))],
    ['splits.test[0]', bad((m) => ((m.splits as Record<string, unknown>).test = [5]))], // also in train
    ['splits.val[0]', bad((m) => ((m.splits as Record<string, unknown>).val = [10]))], // past the dataset
    ['encoder.kind', bad((m) => (m.encoder = { width: 3 }))],
    ['createdAt', bad((m) => (m.createdAt = 'yesterday'))],
    ['stages[0].stage', bad((m) => (m.stages = [{ stage: 'bake', status: 'done', startedAt: m.createdAt, finishedAt: m.createdAt }]))],
    ['stages[0].finishedAt', bad((m) => (m.stages = [{ stage: 'train', status: 'done', startedAt: m.createdAt, finishedAt: null }]))],
  ];
  for (const [field, value] of cases) {
    let err: unknown;
    try {
      validateManifest(value, 'x/run.json');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidManifestError);
    expect((err as InvalidManifestError).field).toBe(field);
    expect((err as Error).message.startsWith(`x/run.json: ${field}: `)).toBe(true);
  }
});

test('writeManifest refuses an invalid manifest and keeps the previous file', async () => {
  await writeManifest(dir, sample());
  const broken = { ...sample(), targetLayers: [] };
  await expect(writeManifest(dir, broken)).rejects.toBeInstanceOf(InvalidManifestError);
  expect((await readManifest(dir)).targetLayers).toEqual([2, 3]);
});

test('fileFingerprint is the sha256 of the content', async () => {
  const f = path.join(dir, 'm.bin');
  await fsp.writeFile(f, 'abc');
  expect(await fileFingerprint(f)).toBe('sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
});

describe('makeSplits', () => {
  test('deterministic, disjoint, covering, and accepted by the manifest', () => {
    const a = makeSplits(100, 5, 0.1, 0.2);
    expect(makeSplits(100, 5, 0.1, 0.2)).toEqual(a);
    expect(makeSplits(100, 6, 0.1, 0.2).val).not.toEqual(a.val);
    expect([a.train.length, a.val.length, a.test.length]).toEqual([70, 10, 20]);
    expect([...a.train, ...a.val, ...a.test].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    const m = createManifest({ ...sample(), dataset: { path: 'q.jsonl', questions: 100 }, splits: a });
    expect(m.splits).toEqual(a);
  });
  test('rejects impossible shares', () => {
    expect(() => makeSplits(10, 1, 0.6, 0.4)).toThrow(RangeError);
  });
});

describe('resolveTargetLayers', () => {
  test('named thirds of the stack', () => {
    expect(resolveTargetLayers('late', 12)).toEqual([8, 9, 10, 11]);
    expect(resolveTargetLayers('mid', 12)).toEqual([4, 5, 6, 7]);
    expect(resolveTargetLayers('early', 12)).toEqual([0, 1, 2, 3]);
    expect(resolveTargetLayers('LATE', 4)).toEqual([2, 3]);
    expect(resolveTargetLayers('late', 1)).toEqual([0]);
    expect(resolveTargetLayers('all', 3)).toEqual([0, 1, 2]);
  });
  test('lists, ranges and negative indices', () => {
    expect(resolveTargetLayers('2, 5-7', 12)).toEqual([2, 5, 6, 7]);
    expect(resolveTargetLayers('-1,-2', 12)).toEqual([10, 11]);
    expect(resolveTargetLayers('-3--1', 12)).toEqual([9, 10, 11]);
  });
  test('clear errors', () => {
    expect(() => resolveTargetLayers('12', 12)).toThrow(/layer 12 is out of range.*12-layer model/);
    expect(() => resolveTargetLayers('deep', 12)).toThrow(/"deep" is not a layer index/);
    expect(() => resolveTargetLayers('7-5', 12)).toThrow(/runs backwards/);
    expect(() => resolveTargetLayers('1,,2', 12)).toThrow(/empty entry/);
  });
});
