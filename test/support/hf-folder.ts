/**
 * Writes Hugging Face model folders for the converter's tests: safetensors files (one or sharded,
 * F32/F16/BF16), config.json and tokenizer files, from tensors read out of a real checkpoint or made here.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readSafetensorsHeader } from '../../src/convert';

export type TestDtype = 'F32' | 'F16' | 'BF16';

export interface TestTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** f32 → IEEE half, rounding to nearest even (what torch's .half() does). */
function toHalf(x: number): number {
  const f = new Float32Array([x]);
  const u = new Uint32Array(f.buffer)[0];
  const sign = (u >>> 16) & 0x8000;
  const exp = (u >>> 23) & 0xff;
  let mant = u & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let h = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && (h & 1))) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (h & 1))) h++;
  // a carry out of the mantissa rounds up into the exponent, as it should
  return sign | h;
}

/** f32 → bfloat16, rounding to nearest even. */
function toBf16(x: number): number {
  const u = new Uint32Array(new Float32Array([x]).buffer)[0];
  return ((u + 0x7fff + ((u >>> 16) & 1)) >>> 16) & 0xffff;
}

export function encode(data: Float32Array, dtype: TestDtype): Buffer {
  if (dtype === 'F32') return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const out = Buffer.alloc(data.length * 2);
  for (let i = 0; i < data.length; i++) out.writeUInt16LE(dtype === 'F16' ? toHalf(data[i]) : toBf16(data[i]), 2 * i);
  return out;
}

/** A safetensors file: an 8-byte header length, the JSON header, then the data. */
export function writeSafetensors(file: string, tensors: TestTensor[], dtype: TestDtype = 'F32'): void {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  const blobs: Buffer[] = [];
  let at = 0;
  for (const t of tensors) {
    const bytes = encode(t.data, dtype);
    header[t.name] = { dtype, shape: t.shape, data_offsets: [at, at + bytes.length] };
    blobs.push(bytes);
    at += bytes.length;
  }
  writeSafetensorsRaw(file, header, Buffer.concat(blobs));
}

/** A safetensors file from a header object as given (for malformed ones) and the data bytes. */
export function writeSafetensorsRaw(file: string, header: unknown, data: Buffer): void {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  fs.writeFileSync(file, Buffer.concat([length, json, data]));
}

/** Every tensor of a real safetensors file, as f32 (F32 files only). */
export function readTensors(file: string): TestTensor[] {
  const parsed = readSafetensorsHeader(file);
  const bytes = fs.readFileSync(file);
  return [...parsed.tensors.values()].map((t) => {
    const copy = bytes.subarray(t.begin, t.end);
    return { name: t.name, shape: t.shape, data: new Float32Array(copy.buffer.slice(copy.byteOffset, copy.byteOffset + copy.byteLength)) };
  });
}

/** Copies a folder's non-weight files (config, tokenizer) into another. */
export function copyFolderFiles(from: string, to: string, skip: (name: string) => boolean = (n) => n.endsWith('.safetensors') || n === 'reference.jsonl'): void {
  fs.mkdirSync(to, { recursive: true });
  for (const name of fs.readdirSync(from)) if (!skip(name)) fs.copyFileSync(path.join(from, name), path.join(to, name));
}

/** Writes tensors as `shards` files model-0000N-of-0000M.safetensors with their index. */
export function writeSharded(dir: string, tensors: TestTensor[], shards: number, dtype: TestDtype = 'F32'): void {
  const files = Array.from({ length: shards }, (_, i) => `model-${String(i + 1).padStart(5, '0')}-of-${String(shards).padStart(5, '0')}.safetensors`);
  const weightMap: Record<string, string> = {};
  files.forEach((f, i) => {
    const mine = tensors.filter((_, j) => j % shards === i);
    for (const t of mine) weightMap[t.name] = f;
    writeSafetensors(path.join(dir, f), mine, dtype);
  });
  fs.writeFileSync(path.join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map: weightMap }));
}

/** Edits a folder's config.json. */
export function editConfig(dir: string, edit: (config: Record<string, unknown>) => void): void {
  const file = path.join(dir, 'config.json');
  const config = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  edit(config);
  fs.writeFileSync(file, JSON.stringify(config, null, 2));
}
