/** --type beyond f32: llama.cpp's quantizer on the converted f32 model, k-quants included; requantizing on request only. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { convertModel, type ConvertType } from '../../src/convert';
import { CogitoError, loadModel, quantize, readGguf } from '../../src/engine';
import { repoRoot, tempDir } from '../support/engine';
import { referenceCases, tinyStories656k } from '../support/shared-models';

let work: string;
beforeAll(() => {
  work = tempDir('cogito-convert-q-');
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** Max abs first-logit error over the reference prompts. */
async function logitError(file: string): Promise<number> {
  const model = await loadModel(file);
  const ctx = await model.createContext({ contextSize: 128, threads: 1 });
  try {
    let worst = 0;
    for (const c of referenceCases(tinyStories656k)) {
      const r = await ctx.evaluate(c.prompt_tokens);
      for (let i = 0; i < r.logits.length; i++) worst = Math.max(worst, Math.abs(r.logits[i] - c.first_logits[i]));
    }
    return worst;
  } finally {
    await ctx.dispose();
    await model.dispose();
  }
}

test.each([
  ['f16', 'f16', 0.05],
  ['q8_0', 'q8_0', 1],
  ['q4_k_m', 'q4_K', 3],
  // bounds against a broken file, not precision claims (bench/convert.js measures those)
] as [ConvertType, string, number][])('--type %s: matrices as %s (or llama.cpp\'s fallback), norms f32, the model still tracks the reference', async (type, matrixType, bound) => {
  const out = path.join(work, `${type}.gguf`);
  const r = await convertModel({ input: tinyStories656k, output: out, type, threads: 1 });
  expect(r.type).toBe(type);
  const info = await readGguf(out);
  // 128-wide rows cannot hold a 256-element k-quant block: llama.cpp falls back (q4_k_m → q5_0/q8_0)
  const q = info.tensors.find((t) => t.name === 'blk.0.attn_q.weight');
  if (type !== 'q4_k_m') expect(q?.type).toBe(matrixType);
  else expect(['q4_K', 'q5_0', 'q8_0']).toContain(q?.type);
  expect(info.tensors.find((t) => t.name === 'blk.0.attn_norm.weight')?.type).toBe('f32');
  expect(info.metadata['cogito.convert.source_format'].value).toBe('huggingface');
  expect(await logitError(out)).toBeLessThan(bound);
});

test('requantizing the shipped q8_0 default is refused unless allowed', async () => {
  const input = path.join(repoRoot, 'models', 'default.gguf');
  const out = path.join(work, 'default-q4_0.gguf');
  await expect(quantize(input, out, 'q4_0', { threads: 1 })).rejects.toThrow(/requantizing from type q8_0 is disabled/);
  await expect(quantize(input, out, 'q4_0', { threads: 1 })).rejects.toBeInstanceOf(CogitoError);
  expect(fs.existsSync(out)).toBe(false);
  await quantize(input, out, 'q4_0', { threads: 1, allowRequantize: true });
  const info = await readGguf(out);
  expect(info.tensors.some((t) => t.type === 'q4_0')).toBe(true);
});
