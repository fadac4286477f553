import * as fs from 'node:fs';

/**
 * Where each metadata value and tensor-info field of a GGUF lies, and the edge-value mutations of
 * each, written as in-place byte patches (the file keeps its size and every offset).
 *
 * ggml's gguf API gives values, not their byte positions, so this walks the header itself: it is a
 * test tool for producing hostile files, never a reader the library uses.
 */

export interface Mutation {
  /** e.g. "llama.block_count = 0" or "tensor blk.0.attn_q.weight ne[1] = -1" */
  label: string;
  offset: number;
  /** The bytes written at `offset`, hex. */
  bytes: string;
}

const enum T { U8, I8, U16, I16, U32, I32, F32, BOOL, STR, ARR, U64, I64, F64 }
const scalarSize: Record<number, number> = { [T.U8]: 1, [T.I8]: 1, [T.BOOL]: 1, [T.U16]: 2, [T.I16]: 2, [T.U32]: 4, [T.I32]: 4, [T.F32]: 4, [T.U64]: 8, [T.I64]: 8, [T.F64]: 8 };

function encode(type: number, v: number | bigint): Buffer {
  const b = Buffer.alloc(scalarSize[type]);
  switch (type) {
    case T.U8: case T.BOOL: b.writeUInt8(Number(v) & 0xff); break;
    case T.I8: b.writeInt8(Number(v)); break;
    case T.U16: b.writeUInt16LE(Number(v) & 0xffff); break;
    case T.I16: b.writeInt16LE(Number(v)); break;
    case T.U32: b.writeUInt32LE(Number(BigInt.asUintN(32, BigInt(v)))); break;
    case T.I32: b.writeInt32LE(Number(v)); break;
    case T.F32: b.writeFloatLE(Number(v)); break;
    case T.U64: b.writeBigUInt64LE(BigInt.asUintN(64, BigInt(v))); break;
    case T.I64: b.writeBigInt64LE(BigInt.asIntN(64, BigInt(v))); break;
    case T.F64: b.writeDoubleLE(Number(v)); break;
  }
  return b;
}

/** Edge values per type: 0, 1, −1 (wrapped for unsigned), the type's maximum, and NaN/±∞ for floats. */
function edges(type: number): (number | bigint)[] {
  switch (type) {
    case T.U8: case T.BOOL: return [0, 1, 2, 255];
    case T.I8: return [0, 1, -1, 127, -128];
    case T.U16: return [0, 1, 0xffff];
    case T.I16: return [0, 1, -1, 32767, -32768];
    case T.U32: return [0, 1, -1, 0x7fffffff, 513, 65536];
    case T.I32: return [0, 1, -1, 0x7fffffff, -0x80000000];
    case T.U64: return [0n, 1n, -1n, 0x7fffffffffffffffn];
    case T.I64: return [0n, 1n, -1n, 0x7fffffffffffffffn, -0x8000000000000000n];
    case T.F32: case T.F64: return [0, 1, -1, NaN, Infinity, -Infinity, 3.4e38, 1e-30];
    default: return [];
  }
}

const show = (v: number | bigint) => (typeof v === 'bigint' ? v.toString() : Number.isNaN(v) ? 'NaN' : String(v));

/** Tensor types tried on each tensor: valid ones of other sizes and block shapes, and invalid ids. */
const tensorTypes = [0, 1, 2, 8, 12, 24, 25, 26, 27, 28, 30, 39, 40, 41, 100, 0xffffffff];

/** Every numeric (and string) metadata value and tensor-info field of `file`, mutated to edge values. */
export function ggufMutations(file: string, options: { tensors?: (name: string) => boolean } = {}): Mutation[] {
  const buf = fs.readFileSync(file);
  let p = 0;
  const u32 = () => { const v = buf.readUInt32LE(p); p += 4; return v; };
  const u64 = () => { const v = Number(buf.readBigUInt64LE(p)); p += 8; return v; };
  const str = () => { const n = u64(); const s = buf.toString('utf8', p, p + n); p += n; return { s, at: p - n, n }; };
  const out: Mutation[] = [];
  const add = (label: string, offset: number, bytes: Buffer) => out.push({ label, offset, bytes: bytes.toString('hex') });

  if (buf.toString('latin1', 0, 4) !== 'GGUF') throw new Error(`${file} is not a GGUF`);
  p = 4;
  u32(); // version
  const nTensors = u64();
  const nKv = u64();
  for (let i = 0; i < nKv; i++) {
    const key = str().s;
    const type = u32();
    if (type === T.STR) {
      const v = str();
      if (v.n > 0) add(`${key} = "${'x'.repeat(Math.min(v.n, 8))}…"`, v.at, Buffer.alloc(v.n, 'x'));
    } else if (type === T.ARR) {
      const et = u32();
      const n = u64();
      if (et === T.STR) {
        for (let k = 0; k < n; k++) str();
      } else {
        const size = scalarSize[et];
        const start = p;
        p += n * size;
        // the first and the last element carry what per-layer arrays carry
        for (const k of n > 1 ? [0, n - 1] : n === 1 ? [0] : []) {
          for (const v of edges(et)) add(`${key}[${k}] = ${show(v)}`, start + k * size, encode(et, v));
        }
      }
    } else {
      for (const v of edges(type)) add(`${key} = ${show(v)}`, p, encode(type, v));
      p += scalarSize[type];
    }
  }
  for (let i = 0; i < nTensors; i++) {
    const name = str().s;
    const dimsAt = p;
    const nDims = u32();
    const neAt = p;
    p += 8 * nDims;
    const typeAt = p;
    p += 4;
    const offsetAt = p;
    p += 8;
    if (options.tensors && !options.tensors(name)) continue;
    for (const v of [0, 1, 3, 4, 5, 0xffffffff]) if (v !== nDims) add(`tensor ${name} n_dims = ${v}`, dimsAt, encode(T.U32, v));
    for (let d = 0; d < nDims; d++) {
      const ne = Number(buf.readBigInt64LE(neAt + 8 * d));
      for (const v of [0n, 1n, -1n, 0x7fffffffffffffffn, BigInt(ne * 2), BigInt(ne + 1), 1n << 32n]) add(`tensor ${name} ne[${d}] = ${v}`, neAt + 8 * d, encode(T.I64, v));
    }
    if (nDims === 2) {
      // the same element count in another shape: only hparam checks can catch it
      const ne0 = buf.readBigInt64LE(neAt);
      const ne1 = buf.readBigInt64LE(neAt + 8);
      add(`tensor ${name} shape = [${ne1}, ${ne0}]`, neAt, Buffer.concat([encode(T.I64, ne1), encode(T.I64, ne0)]));
    }
    for (const v of tensorTypes) add(`tensor ${name} type = ${v === 0xffffffff ? -1 : v}`, typeAt, encode(T.U32, v));
    for (const v of [1n, 32n, 0x7fffffffffffffe0n]) add(`tensor ${name} offset = ${v}`, offsetAt, encode(T.U64, v));
  }
  return out;
}
