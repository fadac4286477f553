#!/usr/bin/env node
'use strict';
// What taps on every layer cost during generation, measured on its own: plain and tapped
// generation alternate in one context, and besides wall time the process CPU time per token is
// kept, which other work on a shared machine disturbs much less than wall time.
// Usage: node bench/tap-cost.js [model] [threads] [tokens] [reps]; writes bench/results/tap-cost.json.
// The model defaults to bench/work/bench-0.5b-q8_0.gguf (made by `npm run bench`).

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const cogito = require(path.join(root, 'dist', 'index.js'));
const modelPath = process.argv[2] || path.join(root, 'bench', 'work', 'bench-0.5b-q8_0.gguf');
const threads = Number(process.argv[3] || 1);
const tokens = Number(process.argv[4] || 48);
const reps = Number(process.argv[5] || 6);

function stats(values) {
  const v = [...values].sort((a, b) => a - b);
  return { min: v[0], median: v[Math.floor(v.length / 2)] };
}

async function main() {
  const model = await cogito.loadModel(modelPath);
  const ctx = await model.createContext({ contextSize: 1024, batchSize: 512, threads });
  const runs = { plain: [], taps: [] };
  const loadBefore = os.loadavg();
  try {
    for (let rep = 0; rep < reps; rep++) {
      for (const taps of rep % 2 ? [true, false] : [false, true]) {
        await ctx.reset();
        const cpu = process.cpuUsage();
        const t = performance.now();
        const r = await ctx.complete([model.info.bosToken], { maxTokens: tokens, taps: taps ? { layers: 'all', mode: 'mean' } : undefined });
        const wall = (performance.now() - t) / r.tokens.length;
        const used = process.cpuUsage(cpu);
        runs[taps ? 'taps' : 'plain'].push({ wall_ms: wall, cpu_ms: (used.user + used.system) / 1000 / r.tokens.length });
      }
    }
  } finally {
    await ctx.dispose();
    await model.dispose();
  }
  const result = { model: path.basename(modelPath), threads, tokens, reps, loadavg_before: loadBefore, loadavg_after: os.loadavg() };
  for (const key of ['wall_ms', 'cpu_ms']) {
    const plain = stats(runs.plain.map((x) => x[key]));
    const taps = stats(runs.taps.map((x) => x[key]));
    result[key] = { plain, taps, overhead_min: 1 - plain.min / taps.min, overhead_median: 1 - plain.median / taps.median };
  }
  const out = path.join(root, 'bench', 'results', 'tap-cost.json');
  const all = fs.existsSync(out) ? JSON.parse(fs.readFileSync(out, 'utf8')) : {};
  all[`${result.model}/threads=${threads}`] = result;
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(all, null, 2) + '\n');
  const pct = (x) => `${(x * 100).toFixed(1)}%`;
  console.log(`${result.model}, ${threads} thread(s): per token plain ${result.cpu_ms.plain.median.toFixed(2)} ms CPU, taps ${result.cpu_ms.taps.median.toFixed(2)} ms CPU`);
  console.log(`tap overhead: CPU ${pct(result.cpu_ms.overhead_median)} (median) ${pct(result.cpu_ms.overhead_min)} (best); wall ${pct(result.wall_ms.overhead_median)} (median) ${pct(result.wall_ms.overhead_min)} (best)`);
}

main().catch((err) => {
  process.stderr.write(`tap-cost failed: ${err.stack || err}\n`);
  process.exit(1);
});
