/**
 * Writes the default model's chat template into its metadata (cogito.chat_template) without
 * touching a tensor byte, through ggml's gguf writer and llama.cpp's quantizer alone: the writer
 * takes f32 tensors, so q8_0 tensors are widened exactly (d · q, an f16 scale times an int8) and
 * quantized back by llama.cpp, which finds each block's scale again (the block's largest |q| is
 * 127) and so every byte. The result is checked tensor by tensor against the original before it
 * replaces it.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { PLAIN_CHAT_TEMPLATE_KEY, parsePlainChatTemplate, type PlainChatTemplate } from '../../src/engine/chat-template';
import { quantize, readGguf, readGgufTensor, writeGguf, type GgufKeyValue, type GgufTensorData } from '../../src/engine/gguf';
import { f16ToFloat } from '../../src/engine/output-norm';

/** readGguf's type names → writeGguf's. */
function writeType(type: string): string {
  const array = /^array<(.+)>$/.exec(type);
  const base = array ? array[1] : type;
  const name = base === 'str' ? 'string' : base;
  return array ? `${name}[]` : name;
}

const Q8_0_BLOCK = 32;
const Q8_0_BYTES = 2 + Q8_0_BLOCK;

/** A tensor's values as f32, exactly: f32 as stored, f16 widened, q8_0 as d · q. */
function widen(bytes: Buffer, type: string, count: number, name: string): Float32Array {
  const out = new Float32Array(count);
  if (type === 'f32') {
    for (let i = 0; i < count; i++) out[i] = bytes.readFloatLE(i * 4);
  } else if (type === 'f16') {
    for (let i = 0; i < count; i++) out[i] = f16ToFloat(bytes.readUInt16LE(i * 2));
  } else if (type === 'q8_0') {
    for (let b = 0; b < count / Q8_0_BLOCK; b++) {
      const d = f16ToFloat(bytes.readUInt16LE(b * Q8_0_BYTES));
      for (let j = 0; j < Q8_0_BLOCK; j++) out[b * Q8_0_BLOCK + j] = d * bytes.readInt8(b * Q8_0_BYTES + 2 + j);
    }
  } else {
    throw new Error(`${name}: ${type} tensors cannot be carried through the f32 writer (f32, f16 and q8_0 can)`);
  }
  return out;
}

/**
 * Sets `cogito.chat_template` in `file` to `template` (as JSON), every tensor byte kept: written
 * beside it, compared tensor by tensor, then renamed over it.
 */
export async function declareChatTemplate(file: string, template: PlainChatTemplate, options: { threads?: number } = {}): Promise<void> {
  const json = JSON.stringify(parsePlainChatTemplate(template, 'the template to declare'));
  const info = await readGguf(file, { maxArray: 2 ** 31 - 1 });
  const metadata: GgufKeyValue[] = Object.entries(info.metadata)
    .filter(([key]) => key !== PLAIN_CHAT_TEMPLATE_KEY)
    .map(([key, entry]) => ({ key, type: writeType(entry.type), value: entry.value }));
  // beside the name, where general.name is: what the model is, then how it is asked
  const at = metadata.findIndex((kv) => kv.key === 'general.name') + 1;
  metadata.splice(at, 0, { key: PLAIN_CHAT_TEMPLATE_KEY, type: 'string', value: json });
  const types = new Set(info.tensors.map((t) => t.type));
  const tensors: GgufTensorData[] = info.tensors.map((t) => ({
    name: t.name,
    shape: t.shape,
    type: t.type === 'f16' ? 'f16' : 'f32',
    data: widen(readGgufTensor(file, t.name), t.type, t.shape.reduce((a, b) => a * b, 1), t.name),
  }));
  const dir = path.dirname(file);
  const wide = path.join(dir, `.${path.basename(file)}.${process.pid}.f32.gguf`);
  const out = path.join(dir, `.${path.basename(file)}.${process.pid}.out.gguf`);
  try {
    writeGguf(wide, metadata, tensors);
    if (types.has('q8_0')) await quantize(wide, out, 'q8_0', { threads: options.threads });
    else await fsp.rename(wide, out);
    const written = await readGguf(out, { maxArray: 0 });
    const same = written.tensors.length === info.tensors.length && info.tensors.every((t, i) => {
      const w = written.tensors[i];
      return w.name === t.name && w.type === t.type && w.offset === t.offset && readGgufTensor(out, t.name).equals(readGgufTensor(file, t.name));
    });
    if (!same) throw new Error(`${file}: rewriting the metadata changed a tensor; the file is left as it was`);
    if (written.metadata[PLAIN_CHAT_TEMPLATE_KEY]?.value !== json) throw new Error(`${out}: ${PLAIN_CHAT_TEMPLATE_KEY} was not written`);
    await fsp.rename(out, file);
  } finally {
    await fsp.rm(wide, { force: true });
    await fsp.rm(out, { force: true });
  }
}
