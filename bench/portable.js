#!/usr/bin/env node
'use strict';
// The portable build (COGITO_PORTABLE=1: ggml's CPU variants, the best loaded at run time) against the
// default build (-march=native, linked in) on the engine bench's models: pp512 and tg128 tokens/s,
// measured by bench/engine.js's own cogitoRun in a child process per build (one process loads one
// build). The two alternate round by round, so a change in machine load falls on both alike; each
// keeps its best round. Writes bench/results/portable.json.
// Environment: PORTABLE_ADDON (default build-portable/Release/cogito.node), DEFAULT_ADDON (default
// build/Release/cogito.node), BENCH_THREADS, BENCH_ROUNDS (default 3), BENCH_MODELS (default q8_0,q4_0).
// Needs `npm run build`.

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { load, machine } = require('./host');
const { benchModels } = require('./models');

const root = path.resolve(__dirname, '..');
const resultsFile = path.join(root, 'bench', 'results', 'portable.json');
const builds = {
  default: path.resolve(process.env.DEFAULT_ADDON || path.join(root, 'build', 'Release', 'cogito.node')),
  portable: path.resolve(process.env.PORTABLE_ADDON || path.join(root, 'build-portable', 'Release', 'cogito.node')),
};

function log(msg) {
  process.stderr.write(`[bench] ${msg}\n`);
}

/** One build's systemInfo() and, given a model, cogitoRun's best pp/tg over its two repetitions. */
function child(addon, model) {
  const script = model
    ? `require(${JSON.stringify(path.join(__dirname, 'engine.js'))}).cogitoRun(${JSON.stringify(model)}).then((r) => console.log(JSON.stringify(r)))`
    : `console.log(JSON.stringify(require(${JSON.stringify(path.join(root, 'dist', 'index.js'))}).systemInfo()))`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, COGITO_ADDON: addon } });
  if (r.status !== 0) throw new Error(`the run on ${addon} failed (${r.status ?? r.signal}): ${r.stderr.slice(-1000)}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

async function main() {
  for (const [name, file] of Object.entries(builds)) if (!fs.existsSync(file)) throw new Error(`the ${name} build ${file} is missing`);
  const types = (process.env.BENCH_MODELS || 'q8_0,q4_0').split(',');
  const files = await benchModels(require(path.join(root, 'dist', 'index.js')), log, types);
  const rounds = Number(process.env.BENCH_ROUNDS || 3);
  const info = Object.fromEntries(Object.entries(builds).map(([name, file]) => [name, child(file)]));
  const results = {
    machine: machine(),
    threads: Number(process.env.BENCH_THREADS || require('node:os').availableParallelism()),
    rounds,
    builds: Object.fromEntries(Object.entries(info).map(([name, i]) => [name, {
      addon: path.relative(root, builds[name]),
      variant: i.cpu.variant,
      loaded: i.cpu.loadedVariant.name,
      score: i.cpu.loadedVariant.score,
      kernels: Object.keys(i.cpu.features).filter((k) => i.cpu.features[k]),
    }])),
    load_before: load(),
    models: {},
  };
  log(`portable build loads ${results.builds.portable.loaded} (score ${results.builds.portable.score})`);
  for (const type of Object.keys(files)) results.models[type] = { default: { pp_tps: 0, tg_tps: 0 }, portable: { pp_tps: 0, tg_tps: 0 } };
  for (let round = 0; round < rounds; round++) {
    for (const [type, file] of Object.entries(files)) {
      // the order flips each round: neither build always runs first
      for (const name of round % 2 === 0 ? ['default', 'portable'] : ['portable', 'default']) {
        log(`round ${round + 1}/${rounds} ${type}: ${name}`);
        const r = child(builds[name], file);
        const best = results.models[type][name];
        best.pp_tps = Math.max(best.pp_tps, r.pp_tps);
        best.tg_tps = Math.max(best.tg_tps, r.tg_tps);
      }
    }
  }
  results.load_after = load();
  for (const m of Object.values(results.models)) {
    m.pp_portable_vs_default = m.portable.pp_tps / m.default.pp_tps;
    m.tg_portable_vs_default = m.portable.tg_tps / m.default.tg_tps;
  }
  fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
  fs.writeFileSync(resultsFile, JSON.stringify(results, null, 2) + '\n');
  const f = (x) => x.toFixed(1);
  for (const [type, m] of Object.entries(results.models)) {
    console.log(`${type}: pp512 t/s default ${f(m.default.pp_tps)} portable ${f(m.portable.pp_tps)} (${m.pp_portable_vs_default.toFixed(3)}x); ` +
      `tg128 t/s default ${f(m.default.tg_tps)} portable ${f(m.portable.tg_tps)} (${m.tg_portable_vs_default.toFixed(3)}x)`);
  }
  console.log(`portable variant loaded: ${results.builds.portable.loaded}; load before ${results.load_before.loadavg.join(' ')} after ${results.load_after.loadavg.join(' ')}`);
  console.log(`wrote ${path.relative(root, resultsFile)}`);
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err.stack || err}\n`);
  process.exit(1);
});
