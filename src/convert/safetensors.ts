import * as fs from 'node:fs';
import { CheckpointError } from './errors';
import { SOURCE_DTYPE_SIZE, elementCount, type SourceDtype, type TensorSource } from './source';

/** Every dtype the safetensors format defines, with its element size in bytes. */
const SAFETENSORS_DTYPES: Record<string, number> = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, I16: 2, U16: 2, F16: 2, BF16: 2,
  I32: 4, U32: 4, F32: 4, F64: 8, I64: 8, U64: 8,
};

/** The safetensors reference implementation refuses larger headers (100 MB). */
const MAX_HEADER_BYTES = 100_000_000;

export interface SafetensorsFile {
  file: string;
  /** Tensors by name, as they lie in the file. */
  tensors: Map<string, SafetensorsTensor>;
  metadata: Record<string, string>;
}

export interface SafetensorsTensor {
  name: string;
  /** The file's dtype, which may be one the converter cannot read as a weight (`readable` false). */
  dtype: string;
  shape: number[];
  /** Absolute byte range in the file. */
  begin: number;
  end: number;
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/**
 * Reads and checks a safetensors header: its length against the file, the JSON, each entry's
 * dtype, shape and offsets (within the file, agreeing with shape × dtype, no two overlapping).
 * Only the header is read; the data stays on disk until a tensor is streamed.
 */
export function readSafetensorsHeader(file: string): SafetensorsFile {
  const fail = (reason: string, tensor?: string): never => {
    throw new CheckpointError(file, tensor, reason);
  };
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    return fail(`cannot open: ${(err as Error).message}`);
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (size < 8) fail(`truncated safetensors file: ${size} bytes, not even the 8-byte header length`);
    const lengthBytes = Buffer.alloc(8);
    fs.readSync(fd, lengthBytes, 0, 8, 0);
    const headerLength = lengthBytes.readBigUInt64LE(0);
    if (headerLength > BigInt(size - 8)) fail(`truncated safetensors file: the header says it is ${headerLength} bytes, the file holds ${size - 8} after the length`);
    if (headerLength > BigInt(MAX_HEADER_BYTES)) fail(`safetensors header of ${headerLength} bytes (the format's limit is ${MAX_HEADER_BYTES})`);
    const n = Number(headerLength);
    const headerBytes = Buffer.alloc(n);
    fs.readSync(fd, headerBytes, 0, n, 8);
    let header: unknown;
    try {
      header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes));
    } catch (err) {
      return fail(`safetensors header is not valid UTF-8 JSON: ${(err as Error).message}`);
    }
    if (typeof header !== 'object' || header === null || Array.isArray(header)) return fail('safetensors header is not a JSON object');
    const dataStart = 8 + n;
    const tensors = new Map<string, SafetensorsTensor>();
    let metadata: Record<string, string> = {};
    for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
      if (name === '__metadata__') {
        if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) metadata = Object.fromEntries(Object.entries(raw).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
        else fail('__metadata__ is not an object');
        continue;
      }
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail('entry is not an object', name);
      const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
      if (typeof dtype !== 'string') return fail('dtype is missing or not a string', name);
      const elementSize = SAFETENSORS_DTYPES[dtype];
      if (elementSize === undefined) return fail(`unknown dtype ${JSON.stringify(dtype)} (safetensors dtypes: ${Object.keys(SAFETENSORS_DTYPES).join(', ')})`, name);
      if (!Array.isArray(shape) || !shape.every(isCount)) return fail('shape is not a list of non-negative integers', name);
      if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) return fail('data_offsets is not [begin, end] of non-negative integers', name);
      const [begin, end] = offsets as [number, number];
      if (end < begin) fail(`data_offsets [${begin}, ${end}] end before they begin`, name);
      const count = elementCount(shape as number[]);
      if (!Number.isSafeInteger(count * elementSize)) fail(`shape [${(shape as number[]).join(', ')}] is too large`, name);
      if (end - begin !== count * elementSize) fail(`data_offsets [${begin}, ${end}] hold ${end - begin} bytes; shape [${(shape as number[]).join(', ')}] of ${dtype} needs ${count * elementSize}`, name);
      if (dataStart + end > size) fail(`data_offsets [${begin}, ${end}] run past the end of the file (${size - dataStart} bytes of data): truncated?`, name);
      tensors.set(name, { name, dtype, shape: shape as number[], begin: dataStart + begin, end: dataStart + end });
    }
    const ordered = [...tensors.values()].filter((t) => t.end > t.begin).sort((a, b) => a.begin - b.begin);
    for (let i = 1; i < ordered.length; i++) {
      if (ordered[i].begin < ordered[i - 1].end) fail(`its data overlaps tensor '${ordered[i - 1].name}'`, ordered[i].name);
    }
    return { file, tensors, metadata };
  } finally {
    fs.closeSync(fd);
  }
}

/** A tensor as a weight source: refused unless it is F32, F16 or BF16. */
export function weightSource(file: string, tensor: SafetensorsTensor): TensorSource {
  if (!(tensor.dtype in SOURCE_DTYPE_SIZE)) {
    throw new CheckpointError(file, tensor.name, `dtype ${tensor.dtype} cannot be converted (weights must be F32, F16 or BF16)`);
  }
  return { file, name: tensor.name, dtype: tensor.dtype as SourceDtype, shape: tensor.shape, offset: tensor.begin };
}
