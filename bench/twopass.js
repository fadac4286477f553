#!/usr/bin/env node
'use strict';
// Two-pass benchmark: on the generated ~0.5B Q8_0 model of the engine benchmark, a 256-token
// prompt and 64 generated tokens — plain generation against two-pass inference with a sidecar
// (pass 2 reusing pass 1's KV cache) and against the naive two-pass that re-reads the prompt.
// Runs are interleaved and the median of each is kept. Writes bench/results/twopass.json.
// Needs `npm run build`. Target: twopass_vs_plain <= 1.02 (issue 20; one re-read prompt position is 1/65 of it).

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const resultsFile = path.join(root, 'bench', 'results', 'twopass.json');
const cogito = require(path.join(root, 'dist', 'index.js'));
const { benchModels, work } = require('./models');
const { median } = require('./stats');
const threads = Number(process.env.BENCH_THREADS || os.availableParallelism?.() || 2);
const reps = Number(process.env.BENCH_REPS || 3);
const PROMPT = 256;
const GEN = 64;

function log(msg) {
  process.stderr.write(`[bench] ${msg}\n`);
}


async function main() {
  const modelPath = (await benchModels(cogito, log)).q8_0;
  const model = await cogito.loadModel(modelPath);
  // a realistic doubter: the upper third read, two late layers written through a 256-wide bottleneck
  const sidecarPath = path.join(work, 'bench-twopass-sidecar.gguf');
  const L = model.info.layerCount;
  await cogito.writeSidecar(sidecarPath, cogito.createSidecar(model.info, { encoder: 'selective', targetLayers: 'late', injectLayers: [L - 8, L - 4], bottleneck: 256, heads: 4, gateInit: 0.5, seed: 1 }));

  const prompt = Array.from({ length: PROMPT }, (_, i) => 100 + ((i * 37) % 5000));
  const ctx = await model.createContext({ contextSize: 1024, threads });
  const pipe = await cogito.TwoPass.load(model, sidecarPath, { contextSize: 1024, threads, cacheSize: 0 });
  const runs = { plain: [], twopass: [], naive: [] };
  const generated = { plain: [], twopass: [], naive: [] };
  const timed = async (name, fn) => {
    const t = performance.now();
    const r = await fn();
    runs[name].push((performance.now() - t) / 1000);
    generated[name].push(r.tokens.length);
  };
  // one warm-up of each, then interleaved repetitions
  for (let rep = -1; rep < reps; rep++) {
    // every run starts from an empty cache: the prompt is read at least once in each
    await ctx.reset();
    await timed('plain', () => ctx.complete(prompt, { maxTokens: GEN }));
    await pipe.reset();
    await timed('twopass', () => pipe.complete(prompt, { maxTokens: GEN }));
    await pipe.reset();
    await timed('naive', () => pipe.complete(prompt, { maxTokens: GEN, reevaluate: true }));
    if (rep < 0) {
      for (const k of Object.keys(runs)) {
        runs[k].length = 0;
        generated[k].length = 0;
      }
    }
    log(`rep ${rep + 1}: plain ${runs.plain.at(-1)?.toFixed(2)} s, two-pass ${runs.twopass.at(-1)?.toFixed(2)} s, naive ${runs.naive.at(-1)?.toFixed(2)} s`);
  }
  for (const [k, n] of Object.entries(generated)) {
    if (n.some((x) => x !== GEN)) log(`warning: ${k} generated ${n.join('/')} tokens instead of ${GEN}`);
  }
  const plain = median(runs.plain);
  const result = {
    model: path.basename(modelPath),
    prompt_tokens: PROMPT,
    generated_tokens: GEN,
    threads,
    reps,
    sidecar: { encoder: pipe.config.encoder.type, target_layers: pipe.config.targetLayers, inject_layers: pipe.config.injectLayers, bottleneck: pipe.config.bottleneck },
    plain_s: plain,
    twopass_s: median(runs.twopass),
    naive_twopass_s: median(runs.naive),
    twopass_vs_plain: median(runs.twopass) / plain,
    naive_twopass_vs_plain: median(runs.naive) / plain,
    runs,
    load: os.loadavg(),
    date: new Date().toISOString(),
  };
  await pipe.dispose();
  await ctx.dispose();
  await model.dispose();
  fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
  fs.writeFileSync(resultsFile, JSON.stringify(result, null, 2) + '\n');
  console.log(`two-pass / plain: ${result.twopass_vs_plain.toFixed(3)} (target <= 1.02)`);
  console.log(`naive two-pass / plain: ${result.naive_twopass_vs_plain.toFixed(3)}`);
  console.log(`plain ${plain.toFixed(2)} s, two-pass ${result.twopass_s.toFixed(2)} s, naive ${result.naive_twopass_s.toFixed(2)} s (load ${result.load.map((x) => x.toFixed(1)).join(' ')})`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
