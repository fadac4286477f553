/**
 * Reading and writing sidecar GGUFs. Reading goes through the native loader, the one validator
 * of the format (keys, types, shapes, finite values; each refusal names the key or tensor), and
 * takes back the config and tensors it read. Writing checks with the same loader's rules first.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CogitoError } from '../engine/errors';
import { writeGguf } from '../engine/gguf';
import { SidecarHandle } from '../engine/sidecar-handle';
import { InvalidSidecarError, SidecarNotFoundError } from './errors';
import { tensorSpecs, type Sidecar, type SidecarConfig, type SidecarTensor } from './format';
import { configToMetadata } from './metadata';
import { validateSidecar } from './validate';

/** Loads a sidecar into the native runtime; throws SidecarNotFoundError or InvalidSidecarError. */
export async function openSidecar(file: string): Promise<SidecarHandle> {
  if (!fs.existsSync(file)) throw new SidecarNotFoundError(file);
  try {
    return await SidecarHandle.load(file);
  } catch (err) {
    if (err instanceof CogitoError && err.code === 'INVALID_SIDECAR') {
      // the loader's message is "file: why"
      const prefix = `${file}: `;
      throw err.message.startsWith(prefix) ? new InvalidSidecarError(err.message.slice(prefix.length), file) : new InvalidSidecarError(err.message);
    }
    throw err;
  }
}

/** The config of a loaded sidecar: the loader checked every key against the format table. */
export function loadedConfig(handle: SidecarHandle): SidecarConfig {
  return handle.config() as SidecarConfig;
}

/** Reads and fully validates a sidecar; throws SidecarNotFoundError or InvalidSidecarError. */
export async function readSidecar(file: string): Promise<Sidecar> {
  const handle = await openSidecar(file);
  try {
    const tensors = new Map<string, SidecarTensor>(handle.tensors().map((t) => [t.name, { shape: t.shape, data: t.data }]));
    return { config: loadedConfig(handle), tensors };
  } finally {
    handle.dispose();
  }
}

/**
 * Writes a sidecar (atomically: ggml's writer goes through a temporary file). Refuses what
 * readSidecar would refuse, so no invalid sidecar is ever written. F32 metadata is stored as
 * f32: a config read back holds `Math.fround` of what was written.
 */
export async function writeSidecar(file: string, sidecar: Sidecar): Promise<void> {
  const { config, tensors } = sidecar;
  validateSidecar(sidecar);
  const ordered = tensorSpecs(config).map((spec) => ({ name: spec.name, shape: spec.shape, type: 'f32' as const, data: tensors.get(spec.name)!.data }));
  await fs.promises.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  writeGguf(file, configToMetadata(config), ordered);
}
