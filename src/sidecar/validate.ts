/**
 * The rules of FORMAT.md for a sidecar not yet written (a new config, or the writer's output):
 * the native loader's own checks (engine checkSidecar), so what is written is exactly what the
 * reader accepts. Each failure names the key or tensor.
 */
import { CogitoError } from '../engine/errors';
import type { GgufKeyValue } from '../engine/gguf';
import { checkSidecar } from '../engine/sidecar-handle';
import { InvalidSidecarError } from './errors';
import type { Sidecar, SidecarConfig } from './format';
import { configToMetadata } from './metadata';

/** Throws InvalidSidecarError when the config breaks a rule of the format. */
export function validateConfig(c: SidecarConfig, file: string | null = null): void {
  check(configToMetadata(c), undefined, file);
}

/** Throws InvalidSidecarError unless `sidecar` is a file the reader accepts: config, tensor table, finite values. */
export function validateSidecar(sidecar: Sidecar, file: string | null = null): void {
  const tensors = [...sidecar.tensors].map(([name, t]) => ({ name, shape: t.shape, data: t.data }));
  check(configToMetadata(sidecar.config), tensors, file);
}

function check(metadata: GgufKeyValue[], tensors: { name: string; shape: number[]; data: Float32Array }[] | undefined, file: string | null): void {
  for (const kv of metadata) representable(kv, file);
  try {
    checkSidecar(metadata, tensors);
  } catch (err) {
    if (err instanceof CogitoError && err.code === 'INVALID_SIDECAR') throw new InvalidSidecarError(err.message, file);
    throw err;
  }
}

/** A value the key's GGUF type can hold: the writer would otherwise round or wrap it silently. */
function representable({ key, type, value }: GgufKeyValue, file: string | null): void {
  const int = (v: unknown, lo: number, hi: number): boolean => Number.isInteger(v) && (v as number) >= lo && (v as number) <= hi;
  const ok =
    type === 'u32' ? int(value, 0, 0xffffffff)
    : type === 'i32[]' ? Array.isArray(value) && value.every((v) => int(v, -0x80000000, 0x7fffffff))
    : type === 'f32' ? typeof value === 'number'
    : type === 'string' ? typeof value === 'string'
    : true;
  if (!ok) throw new InvalidSidecarError(`${key}: ${JSON.stringify(value) ?? String(value)} is not a value of type ${type}`, file);
}
