import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadModel, type Model } from '../../src/engine';
import { runPeer, smallModel, tempDir } from '../support/engine';

// Ground truth: llama.cpp's own programs built from the same source WITHOUT cogito's patches.
const prompt = 'Once upon a time, in a quiet village by the sea,';

let modelPath: string;
let model: Model;

beforeAll(async () => {
  modelPath = await smallModel();
  model = await loadModel(modelPath);
});
afterAll(async () => {
  await model.dispose();
});

/** Parses llama-eval-callback's printout of one tensor: its shown values (4 decimals) per row, and its sum. */
function parseEvalCallback(out: string, name: string): { rows: { index: number; values: number[] }[]; sum: number; ne: number[] } {
  const lines = out.split('\n');
  const start = lines.findIndex((l) => new RegExp(`\\s${name} = \\(f32\\)`).test(l));
  if (start < 0) throw new Error(`${name} not found in llama-eval-callback output`);
  const ne = (lines[start].match(/= \{(\d+), (\d+), (\d+), (\d+)\}\s*$/) ?? []).slice(1).map(Number);
  const rows: { index: number; values: number[] }[] = [];
  let row = 0;
  for (let i = start + 1; i < lines.length; i++) {
    const l = lines[i].trim();
    const sum = l.match(/^sum = (\S+)/);
    if (sum) return { rows, sum: Number(sum[1]), ne };
    if (l === '...,') {
      row = ne[1] - 3; // the printout shows the first 3 and last 3 rows
      continue;
    }
    if (l.startsWith('[') && l.length > 2 && /\d/.test(l)) {
      rows.push({ index: row++, values: l.replace(/[[\],]/g, ' ').split(/\s+/).filter((v) => v !== '' && v !== '...').map(Number) });
    }
  }
  throw new Error(`no sum for ${name}`);
}

describe('parity with llama.cpp', () => {
  it('greedy generation is token-for-token identical to llama-simple', async () => {
    const n = 32;
    const { stdout } = runPeer('llama-simple', ['-m', modelPath, '-n', String(n), prompt]);
    const ctx = await model.createContext({ contextSize: 256 });
    const r = await ctx.complete(prompt, { maxTokens: n, temperature: 0 });
    await ctx.dispose();
    expect(r.tokens.length).toBe(n);
    // llama-simple prints the prompt's pieces then each generated piece
    expect(stdout).toContain(r.text);
    expect(stdout.slice(stdout.indexOf(r.text))).toBe(r.text + '\n');
  });

  it('last-position logits equal llama-debug --save-logits within 1e-4', async () => {
    const dir = tempDir();
    runPeer('llama-debug', ['-m', modelPath, '-p', prompt, '--save-logits', '--logits-output-dir', dir]);
    const bin = fs.readdirSync(dir).find((f) => f.endsWith('.bin') && !f.endsWith('-tokens.bin'));
    expect(bin).toBeDefined();
    const buf = fs.readFileSync(path.join(dir, bin!));
    const reference = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
    const ctx = await model.createContext({ contextSize: 256 });
    const r = await ctx.evaluate(model.tokenize(prompt));
    await ctx.dispose();
    expect(r.logits.length).toBe(model.info.vocabularySize);
    expect(reference.length).toBe(r.logits.length);
    let maxDiff = 0;
    for (let i = 0; i < reference.length; i++) maxDiff = Math.max(maxDiff, Math.abs(reference[i] - r.logits[i]));
    expect(maxDiff).toBeLessThanOrEqual(1e-4);
  });

  it('taps at every layer equal the l_out-N tensors llama-eval-callback reports', async () => {
    // llama.cpp's logger runs on its own thread and can lose the last tensors at exit on a busy
    // machine: run the peer again until its printout is complete (the values are never retried)
    let out = '';
    for (let attempt = 0; attempt < 3 && !/\sl_out-3 = [\s\S]*sum = /.test(out); attempt++) {
      const { stdout, stderr } = runPeer('llama-eval-callback', ['-m', modelPath, '-p', prompt, '-c', '256']);
      out = stdout + stderr;
    }
    const tokens = model.tokenize(prompt);
    const ctx = await model.createContext({ contextSize: 256 });
    const r = await ctx.evaluate(tokens, { taps: { layers: 'all', mode: 'all' } });
    await ctx.dispose();
    const d = model.info.embeddingSize;
    expect(r.taps!.map((t) => t.layer)).toEqual([0, 1, 2, 3]);
    for (const tap of r.taps!) {
      const ref = parseEvalCallback(out, `l_out-${tap.layer}`);
      const rows = tap.shape[0];
      expect(ref.ne.slice(0, 2)).toEqual([d, rows]);
      let sum = 0;
      for (const v of tap.data) sum += v;
      expect(Math.abs(sum - ref.sum)).toBeLessThanOrEqual(1e-3 * Math.max(1, Math.abs(ref.sum)));
      expect(ref.rows.length).toBeGreaterThan(0);
      for (const row of ref.rows) {
        const shown = [...tap.data.subarray(row.index * d, row.index * d + 3), ...tap.data.subarray(row.index * d + d - 3, row.index * d + d)];
        // the reference prints 4 decimals: equal within its rounding
        shown.forEach((v, i) => expect(Math.abs(v - row.values[i])).toBeLessThanOrEqual(0.5e-4 + 1e-5));
      }
    }
  });
});
