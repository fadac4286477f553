'use strict';
// Child for the leak tests: loads and disposes one part of the pipeline over and over and
// prints {"part", "cycles", "rssBefore", "rssAfter", "heapBefore", "heapAfter"} (bytes) as one JSON
// line, the "before" figures taken after a warm-up (allocator pools, lazily built tables).
// Usage: node --expose-gc leak-child.js <twopass|sidecar|context|generate> <cycles> [warmup] [model]
// (model: a GGUF to load instead of models/default.gguf)
require('../vks/support/ts-hook');
const path = require('node:path');
const { loadModel } = require('../../src/engine/index.ts');
const { SidecarHandle } = require('../../src/engine/sidecar-handle.ts');
const { TwoPass } = require('../../src/sidecar/twopass.ts');

const root = path.resolve(__dirname, '..', '..');
const sidecarPath = path.join(root, 'sidecars', 'default.gguf');
const [part, cyclesArg, warmupArg, modelArg] = process.argv.slice(2);
const modelPath = modelArg ?? path.join(root, 'models', 'default.gguf');
const cycles = Number(cyclesArg);
const warmup = Number(warmupArg ?? 50);

const parts = {
  async twopass(model) {
    const pipe = await TwoPass.load(model, sidecarPath, { contextSize: 32, threads: 1 });
    await pipe.dispose();
  },
  async sidecar() {
    const handle = await SidecarHandle.load(sidecarPath);
    handle.dispose();
  },
  async context(model) {
    const ctx = await model.createContext({ contextSize: 32, threads: 1 });
    await ctx.dispose();
  },
  async generate(model) {
    const ctx = await model.createContext({ contextSize: 32, batchSize: 32, threads: 1 });
    await ctx.complete('hi', { maxTokens: 2, taps: { layers: 'all', mode: 'mean' } });
    await ctx.dispose();
  },
};

async function settle() {
  // twice: a finalizer run by the first collection may free what the second can then reclaim;
  // then a pause and once more, because V8 frees ArrayBuffer backing stores (logits, taps) on a
  // background thread: measured at once, RSS swung ±40 MB around a flat line over 4,000 cycles.
  global.gc();
  global.gc();
  await new Promise((resolve) => setTimeout(resolve, 100));
  global.gc();
}

(async () => {
  const run = parts[part];
  if (!run || !Number.isInteger(cycles) || cycles <= 0 || typeof global.gc !== 'function') {
    process.stderr.write('usage: node --expose-gc leak-child.js <twopass|sidecar|context|generate> <cycles> [warmup] [model]\n');
    process.exit(2);
  }
  const model = await loadModel(modelPath);
  for (let i = 0; i < warmup; i++) await run(model);
  await settle();
  const before = process.memoryUsage();
  for (let i = 0; i < cycles; i++) {
    await run(model);
    if (i % 50 === 49) await settle();
  }
  await settle();
  const after = process.memoryUsage();
  await model.dispose();
  process.stdout.write(`${JSON.stringify({ part, cycles, rssBefore: before.rss, rssAfter: after.rss, heapBefore: before.heapUsed, heapAfter: after.heapUsed })}\n`);
})().catch((err) => {
  process.stderr.write(`${err && err.stack}\n`);
  process.exit(1);
});
