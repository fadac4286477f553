/**
 * Reading and writing sidecar GGUFs through the addon's gguf API (ggml's own reader/writer).
 * readSidecar is the one gate TS passes a sidecar through before native code may load it:
 * everything FORMAT.md requires is checked here, with a message naming the key or tensor.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CogitoError } from '../engine/errors';
import { readGguf, readGgufTensor, writeGguf } from '../engine/gguf';
import { InvalidSidecarError, SidecarNotFoundError } from './errors';
import { layoutName, tensorSpecs, type Sidecar, type SidecarTensor } from './format';
import { configFromMetadata, configToMetadata } from './metadata';
import { sameShape, validateConfig, validateTensorData, validateTensorTable } from './validate';

/** Longest array readGguf returns in full; layer lists are far shorter (a longer one is refused). */
const MAX_ARRAY = 4096;

/** Reads and fully validates a sidecar; throws SidecarNotFoundError or InvalidSidecarError. */
export async function readSidecar(file: string): Promise<Sidecar> {
  if (!fs.existsSync(file)) throw new SidecarNotFoundError(file);
  const info = await asInvalid(() => readGguf(file, { maxArray: MAX_ARRAY }));
  const config = configFromMetadata(info.metadata, file);
  validateConfig(config, file);
  // the whole table is checked before any data is read, so a lying header allocates nothing;
  // the tensors required are those of the file's own version (a version-1 file has no φ weights)
  validateTensorTable(config, info.tensors, file);
  const specs = tensorSpecs(config);
  const tensors = new Map<string, SidecarTensor>();
  for (const spec of specs) {
    const bytes = await asInvalid(() => readGgufTensor(file, spec.name));
    const data = toFloat32(bytes);
    validateTensorData(spec.name, spec.shape, data, file);
    tensors.set(spec.name, { shape: spec.shape.slice(), data });
  }
  return { config, tensors };
}

/**
 * Writes a sidecar (atomically: ggml's writer goes through a temporary file). Refuses what
 * readSidecar would refuse, so no invalid sidecar is ever written. F32 metadata is stored as
 * f32: a config read back holds `Math.fround` of what was written.
 */
export async function writeSidecar(file: string, sidecar: Sidecar): Promise<void> {
  const { config, tensors } = sidecar;
  validateConfig(config);
  const specs = tensorSpecs(config);
  const wanted = new Set(specs.map((s) => s.name));
  for (const name of tensors.keys()) {
    if (!wanted.has(name)) throw new InvalidSidecarError(`unexpected tensor '${name}' (not part of ${layoutName(config)})`);
  }
  const ordered = specs.map((spec) => {
    const t = tensors.get(spec.name);
    if (!t) throw new InvalidSidecarError(`missing tensor '${spec.name}' [${spec.shape.join(', ')}]`);
    if (!sameShape(t.shape, spec.shape)) {
      throw new InvalidSidecarError(`tensor '${spec.name}' has shape [${t.shape.join(', ')}], expected [${spec.shape.join(', ')}]`);
    }
    validateTensorData(spec.name, spec.shape, t.data);
    return { name: spec.name, shape: spec.shape, type: 'f32' as const, data: t.data };
  });
  await fs.promises.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  writeGguf(file, configToMetadata(config), ordered);
}

/** A copy, so the result never aliases the addon's buffer and is always 4-byte aligned. */
function toFloat32(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(Math.floor(bytes.length / 4));
  new Uint8Array(out.buffer).set(bytes.subarray(0, out.length * 4));
  return out;
}

/** The addon's GGUF errors (BAD_GGUF, NOT_FOUND...) become InvalidSidecarError; its message already names the file. */
async function asInvalid<T>(call: () => Promise<T> | T): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof CogitoError) throw new InvalidSidecarError(err.message);
    throw err;
  }
}
