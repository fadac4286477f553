import * as fs from 'node:fs';
import { CheckpointError } from './errors';
import { bf16ToF32, f16ToF32, f32View } from './half';

/** Element types a weight can be read from. */
export type SourceDtype = 'F32' | 'F16' | 'BF16';

export const SOURCE_DTYPE_SIZE: Record<SourceDtype, number> = { F32: 4, F16: 2, BF16: 2 };

/** Where one tensor's bytes lie in a checkpoint file: row-major, `shape[0]` the slowest dimension. */
export interface TensorSource {
  file: string;
  /** The tensor's name in the checkpoint, for errors. */
  name: string;
  dtype: SourceDtype;
  shape: number[];
  /** Absolute byte offset of the first element. */
  offset: number;
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Rows read per chunk are sized to about this many bytes of f32 output. */
const CHUNK_BYTES = 8 * 1024 * 1024;

/**
 * The tensor as f32 bytes, a block of rows at a time, so no more than one chunk is in memory.
 * `rowsPerBlock` keeps blocks whole for a transform that moves rows within a block (the RoPE
 * permutation works within one head); `transform` rewrites a chunk in place or returns a new one.
 */
export async function* readF32Chunks(
  source: TensorSource,
  options: { rowsPerBlock?: number; transform?: (rows: Float32Array, rowLength: number) => Float32Array } = {},
): AsyncGenerator<Uint8Array> {
  const [nRows, perRow] = source.shape.length <= 1 ? [1, elementCount(source.shape)] : [source.shape[0], elementCount(source.shape.slice(1))];
  const block = Math.max(1, options.rowsPerBlock ?? 1);
  const blocksPerChunk = Math.max(1, Math.floor(CHUNK_BYTES / (4 * perRow * block)));
  const rowsPerChunk = block * blocksPerChunk;
  const elementSize = SOURCE_DTYPE_SIZE[source.dtype];
  const handle = await fs.promises.open(source.file, 'r');
  try {
    for (let row = 0; row < nRows; row += rowsPerChunk) {
      const take = Math.min(rowsPerChunk, nRows - row);
      const bytes = new Uint8Array(take * perRow * elementSize);
      const position = source.offset + row * perRow * elementSize;
      let done = 0;
      while (done < bytes.byteLength) {
        const { bytesRead } = await handle.read(bytes, done, bytes.byteLength - done, position + done);
        if (bytesRead === 0) throw new CheckpointError(source.file, source.name, 'the file ends inside the tensor (truncated?)');
        done += bytesRead;
      }
      let values = source.dtype === 'F32' ? f32View(bytes) : source.dtype === 'F16' ? f16ToF32(bytes) : bf16ToF32(bytes);
      if (options.transform) values = options.transform(values, perRow);
      yield new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    }
  } finally {
    await handle.close();
  }
}

/**
 * llama.cpp's permutation of Q and K for Hugging Face's rotate-half RoPE (LlamaModel.permute in
 * llama.cpp's convert_hf_to_gguf): within each head, output row 2i + j is input row j·(d/2) + i.
 * `rows` holds whole heads of `headDim` rows each.
 */
export function permuteRotaryRows(rows: Float32Array, rowLength: number, headDim: number): Float32Array {
  const out = new Float32Array(rows.length);
  const half = headDim / 2;
  const heads = rows.length / rowLength / headDim;
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < half; i++) {
      for (let j = 0; j < 2; j++) {
        const from = (h * headDim + j * half + i) * rowLength;
        const to = (h * headDim + 2 * i + j) * rowLength;
        out.set(rows.subarray(from, from + rowLength), to);
      }
    }
  }
  return out;
}
