import * as fs from 'node:fs';
import { InternalError, InvalidOptionError, nativeSync } from './errors';
import { addon, type GgufKeyValue } from './native';

/** One tensor of a streamed GGUF: its place in the table, then its bytes, chunk by chunk, in order. */
export interface GgufStreamTensor {
  name: string;
  /** ggml order: shape[0] is the fastest-varying dimension. */
  shape: number[];
  type: 'f32' | 'f16';
  /** The tensor's data in the file's byte order, in as many chunks as the producer likes. */
  chunks(): AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
}

/**
 * Writes a GGUF without holding its tensors in memory: ggml's gguf writer writes the header,
 * metadata and tensor table to `file` (ggml computes every offset), then each tensor's chunks are
 * written at its place and padded to the alignment. Memory is one chunk, not one model. `file`
 * is written as given: callers write to a temporary and rename (writeAtomically).
 */
export async function writeGgufStream(file: string, metadata: GgufKeyValue[], tensors: readonly GgufStreamTensor[]): Promise<void> {
  const names = new Set<string>();
  for (const t of tensors) {
    if (names.has(t.name)) throw new InvalidOptionError(`duplicate tensor name '${t.name}'`);
    names.add(t.name);
  }
  const layout = nativeSync(() => addon().writeGgufHeader(file, metadata, tensors.map((t) => ({ name: t.name, shape: t.shape, type: t.type }))));
  const handle = await fs.promises.open(file, 'r+');
  try {
    for (let i = 0; i < tensors.length; i++) {
      const { offset, size } = layout.tensors[i];
      let position = layout.dataOffset + offset;
      let written = 0;
      for await (const chunk of tensors[i].chunks()) {
        if (written + chunk.byteLength > size) break;
        await writeAll(handle, chunk, position);
        position += chunk.byteLength;
        written += chunk.byteLength;
      }
      // a producer that disagrees with its own shape is a bug in the producer, never in the input
      if (written !== size) throw new InternalError(`tensor '${tensors[i].name}': ${written} bytes produced, ${size} expected`);
      const padding = (layout.alignment - (size % layout.alignment)) % layout.alignment;
      if (padding > 0) await writeAll(handle, new Uint8Array(padding), position);
    }
  } finally {
    await handle.close();
  }
}

async function writeAll(handle: fs.promises.FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < bytes.byteLength) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.byteLength - done, position + done);
    done += bytesWritten;
  }
}
