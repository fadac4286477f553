/** A converted model runs through the rest of cogito: taps, a sidecar and two-pass generation, collect. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { convertModel } from '../../src/convert';
import { loadModel, type Model } from '../../src/engine';
import { collect } from '../../src/loom/collect';
import { createSidecar, TwoPass, writeSidecar } from '../../src/sidecar';
import { tempDir } from '../support/engine';
import { stories260K } from '../support/shared-models';

let work: string;
let file: string;
let model: Model;

beforeAll(async () => {
  work = tempDir('cogito-convert-downstream-');
  file = path.join(work, 'stories260K.gguf');
  await convertModel({ input: path.join(stories260K, 'stories260K.bin'), tokenizer: path.join(stories260K, 'tok512.bin'), output: file });
  model = await loadModel(file);
});
afterAll(async () => {
  await model?.dispose();
  fs.rmSync(work, { recursive: true, force: true });
});

test('taps read every layer of the converted model', async () => {
  const ctx = await model.createContext({ contextSize: 64, threads: 1 });
  try {
    const r = await ctx.complete('Once upon a time', { maxTokens: 4, taps: { layers: 'all', mode: 'last' } });
    expect(r.taps?.map((t) => [t.layer, t.shape])).toEqual([0, 1, 2, 3, 4].map((l) => [l, [64]]));
    expect(r.taps?.every((t) => t.data.some((x) => x !== 0))).toBe(true);
  } finally {
    await ctx.dispose();
  }
});

test('a sidecar made for it binds, and two-pass generation with closed gates continues as plain greedy does', async () => {
  const sidecarFile = path.join(work, 'sc.gguf');
  await writeSidecar(sidecarFile, createSidecar(model.info, { encoder: 'selective', seed: 3, gateInit: 0, threshold: 0 }));
  const pipe = await TwoPass.load(model, sidecarFile, { contextSize: 128, threads: 1 });
  const ctx = await model.createContext({ contextSize: 128, threads: 1 });
  try {
    const plain = await ctx.complete('Once upon a time', { maxTokens: 12 });
    const twoPass = await pipe.complete('Once upon a time', { maxTokens: 12 });
    // threshold 0: a confidence (a sigmoid) is never below it, so pass 2 always answers
    expect(twoPass.refused).toBe(false);
    expect(twoPass.decision.confidence).toBeGreaterThan(0);
    expect(twoPass.tokens.map((t) => t.id)).toEqual(plain.tokens.map((t) => t.id));
  } finally {
    await ctx.dispose();
    await pipe.dispose();
  }
});

test('collect runs over a small prompt set', async () => {
  const dataset = path.join(work, 'qa.jsonl');
  fs.writeFileSync(dataset, ['Once upon a time there was a', 'The little dog was', 'Lily and Ben went to the'].map((q, i) => JSON.stringify({ question: q, answer: ['girl', 'sad', 'park'][i] })).join('\n'));
  const r = await collect({ runDir: path.join(work, 'run'), model: file, dataset, promptTemplate: '{question}', maxTokens: 4, threads: 1, valShare: 0, testShare: 0 });
  expect(r.questions).toBe(3);
  expect(r.targetLayers.length).toBeGreaterThan(0);
  expect(fs.existsSync(path.join(work, 'run', 'run.json'))).toBe(true);
});
