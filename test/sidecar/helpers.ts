import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createManifest, makeSplits, writeManifest } from '../../src/loom/manifest';
import { writeGguf, type GgufKeyValue, type GgufTensorData } from '../../src/engine';
import { configToMetadata, createSidecar, tensorSpecs, type BaseModelInfo, type CreateSidecarOptions, type Sidecar } from '../../src/sidecar';

/** A base that exists only as numbers: most sidecar tests need no real model. */
export const fakeBase = (over: Partial<BaseModelInfo> = {}): BaseModelInfo => ({
  fingerprint: 'test-fingerprint', architecture: 'llama', embeddingSize: 8, layerCount: 4, ...over,
});

export function smallSidecar(options: CreateSidecarOptions = {}, base = fakeBase()): Sidecar {
  return createSidecar(base, { seed: 3, gateInit: 0.25, bottleneck: 4, heads: 2, ...options });
}

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cogito-sidecar-'));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Writes a GGUF straight through ggml's writer, bypassing writeSidecar's checks, to make bad sidecars. */
export function writeVariant(
  file: string,
  sidecar: Sidecar,
  edit: { meta?: (kv: GgufKeyValue[]) => GgufKeyValue[]; tensors?: (t: GgufTensorData[]) => GgufTensorData[] } = {},
): void {
  const tensors = tensorSpecs(sidecar.config).map((s) => ({ name: s.name, shape: s.shape, data: sidecar.tensors.get(s.name)!.data }));
  const meta = configToMetadata(sidecar.config);
  writeGguf(file, (edit.meta ?? ((m) => m))(meta), (edit.tensors ?? ((t) => t))(tensors));
}

/** Replace one key's type/value (or drop it with `undefined`). */
export function setKey(key: string, value?: { type: string; value: unknown }): (kv: GgufKeyValue[]) => GgufKeyValue[] {
  return (kv) => (value ? kv.map((e) => (e.key === key ? { key, ...value } : e)) : kv.filter((e) => e.key !== key));
}

export function bytesOf(a: Float32Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** Same config and, tensor by tensor, the same shapes and the same bytes. */
export function expectSameSidecar(got: Sidecar, want: Sidecar): void {
  expect(got.config).toEqual(want.config);
  expect([...got.tensors.keys()]).toEqual([...want.tensors.keys()]);
  for (const [name, t] of want.tensors) {
    expect(got.tensors.get(name)!.shape).toEqual(t.shape);
    expect(bytesOf(got.tensors.get(name)!.data).equals(bytesOf(t.data))).toBe(true);
  }
}

/** A run directory as collect would leave it: run.json for `fingerprint`, tapping `targetLayers`. */
export async function makeRunDir(runDir: string, fingerprint = fakeBase().fingerprint, targetLayers = [2, 3]): Promise<void> {
  await writeManifest(runDir, createManifest({
    model: { path: 'models/test.gguf', fingerprint },
    targetLayers,
    targetLayersSpec: 'late',
    dataset: { path: 'qa.jsonl', questions: 10 },
    splits: makeSplits(10, 1),
    encoder: { kind: 'selective' },
  }));
}
