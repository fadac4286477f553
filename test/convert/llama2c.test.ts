/** llama2.c's separate-classifier variant (negative vocab_size in the header, the classifier after the RoPE tables). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { convertModel } from '../../src/convert';
import { loadModel, readGguf, readGgufTensor } from '../../src/engine';
import { tempDir } from '../support/engine';
import { stories260K } from '../support/shared-models';

test('a separate classifier becomes output.weight; the shared one is left to llama.cpp\'s tied output', async () => {
  const work = tempDir('cogito-llama2c-');
  try {
    const shared = fs.readFileSync(path.join(stories260K, 'stories260K.bin'));
    const [dim, vocab] = [shared.readInt32LE(0), shared.readInt32LE(20)];
    const embeddings = shared.subarray(28, 28 + 4 * vocab * dim);
    // a classifier unlike the embeddings, so the test can tell which one the output uses
    const classifier = Buffer.from(Float32Array.from(new Float32Array(embeddings.buffer.slice(embeddings.byteOffset, embeddings.byteOffset + embeddings.length)), (x) => -0.5 * x).buffer);
    const separate = Buffer.concat([shared, classifier]);
    separate.writeInt32LE(-vocab, 20);
    const input = path.join(work, 'separate.bin');
    fs.writeFileSync(input, separate);
    const out = path.join(work, 'separate.gguf');
    await convertModel({ input, tokenizer: path.join(stories260K, 'tok512.bin'), output: out });
    expect(readGgufTensor(out, 'output.weight').equals(classifier)).toBe(true);
    expect(readGgufTensor(out, 'token_embd.weight').equals(embeddings)).toBe(true);
    expect((await readGguf(out)).tensors).toHaveLength(48);

    const sharedOut = path.join(work, 'shared.gguf');
    await convertModel({ input: path.join(stories260K, 'stories260K.bin'), tokenizer: path.join(stories260K, 'tok512.bin'), output: sharedOut });
    const logitsOf = async (file: string): Promise<Float32Array> => {
      const model = await loadModel(file);
      const ctx = await model.createContext({ contextSize: 64, threads: 1 });
      try {
        return (await ctx.evaluate([1, 403, 407])).logits;
      } finally {
        await ctx.dispose();
        await model.dispose();
      }
    };
    // the logits are linear in the classifier: −0.5 × the embeddings gives −0.5 × the tied logits
    const [a, b] = [await logitsOf(out), await logitsOf(sharedOut)];
    expect(a.length).toBe(vocab);
    let worst = 0;
    for (let i = 0; i < vocab; i++) worst = Math.max(worst, Math.abs(a[i] + 0.5 * b[i]));
    expect(worst).toBeLessThan(1e-4);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
});
