import * as path from 'node:path';
import * as fs from 'node:fs';
import { CogitoError, errorCategory, loadModel, quantize, readGguf, readGgufTensor, writeGguf } from '../../src/engine';
import { tempDir, testModel } from '../support/engine';

describe('GGUF through ggml\'s gguf API', () => {
  it('writes metadata and tensors that read back bit-exact', async () => {
    const file = path.join(tempDir(), 'roundtrip.gguf');
    const weights = Float32Array.from({ length: 6 }, (_, i) => Math.fround(i * 0.25 - 0.5));
    writeGguf(file, [
      { key: 'general.name', type: 'string', value: 'round trip' },
      { key: 'test.count', type: 'u32', value: 7 },
      { key: 'test.scale', type: 'f32', value: 0.5 },
      { key: 'test.layers', type: 'i32[]', value: [1, 2, 3] },
    ], [{ name: 'w', shape: [3, 2], data: weights }]);
    const info = await readGguf(file);
    expect(info.metadata['general.name'].value).toBe('round trip');
    expect(info.metadata['test.count']).toEqual({ type: 'u32', value: 7 });
    expect(info.metadata['test.scale'].value).toBe(0.5);
    expect(info.metadata['test.layers']).toMatchObject({ type: 'array<i32>', length: 3, value: [1, 2, 3] });
    expect(info.tensors).toMatchObject([{ name: 'w', type: 'f32', shape: [3, 2] }]);
    const raw = readGgufTensor(file, 'w');
    expect(Array.from(new Float32Array(raw.buffer, raw.byteOffset, 6))).toEqual(Array.from(weights));
  });

  it('a GGUF the addon cannot write is a registered IO failure, and no file is left', () => {
    const dir = path.join(tempDir(), 'missing-folder');
    let thrown: unknown;
    try {
      writeGguf(path.join(dir, 'w.gguf'), [], [{ name: 'w', shape: [2], data: new Float32Array(2) }]);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(CogitoError);
    // native/gguf_io.cpp's code, in ERROR_CATEGORIES: the CLI exits with the 'failed' status
    expect({ code: (thrown as CogitoError).code, category: errorCategory(thrown) }).toEqual({ code: 'IO', category: 'failed' });
    expect(fs.existsSync(dir)).toBe(false);
  });

  it('quantizes a generated model to Q8_0 and Q4_0 with llama.cpp\'s quantizer', async () => {
    const src = await testModel('quant-src', { embeddingSize: 64, layers: 2, heads: 2, feedForwardSize: 128, seed: 3 });
    const dir = tempDir();
    for (const [type, ggmlType] of [['q8_0', 'q8_0'], ['q4_0', 'q4_0']] as const) {
      const out = path.join(dir, `${type}.gguf`);
      await quantize(src, out, type);
      const info = await readGguf(out);
      expect(info.tensors.find((t) => t.name === 'blk.0.attn_q.weight')!.type).toBe(ggmlType);
      const model = await loadModel(out);
      const ctx = await model.createContext({ contextSize: 64 });
      expect((await ctx.complete('hello', { maxTokens: 3 })).tokens.length).toBe(3);
      await model.dispose();
    }
  });
});
