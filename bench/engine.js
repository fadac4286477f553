#!/usr/bin/env node
'use strict';
// Engine benchmark: prompt processing (512 tokens) and generation (128 tokens) on generated ~0.5B
// llama models (Q8_0 and Q4_0), for cogito, llama.cpp's llama-bench built from the same source with
// the same flags (OpenMP off, as in cogito's build), llama-bench with llama.cpp's default OpenMP
// threading (when `build-peers.js --openmp` built it), and node-llama-cpp's prebuilt binary; and
// cogito with taps on every layer against none.
// Prints the ratios and writes bench/results/engine.json. Needs `npm run build` and the peer tools.
// Environment: BENCH_THREADS (default: all cores), BENCH_ROUNDS (default 2).

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const resultsFile = path.join(root, 'bench', 'results', 'engine.json');
const cogito = require(path.join(root, 'dist', 'index.js'));
const { benchModels } = require('./models');
const { buildFacts, load, machine, peerBinary } = require('./host');
const threads = Number(process.env.BENCH_THREADS || os.availableParallelism?.() || 2);
const PP = 512;
const TG = 128;

function log(msg) {
  process.stderr.write(`[bench] ${msg}\n`);
}

const models = () => benchModels(cogito, log);
const openmpBench = path.join(root, 'build', 'peers', 'build-openmp', 'bin', 'llama-bench');

function llamaBench(model, bin = peerBinary('llama-bench')) {
  const r = spawnSync(bin, ['-m', model, '-p', String(PP), '-n', String(TG), '-t', String(threads), '-r', '2', '-o', 'json'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`llama-bench failed: ${r.stderr}`);
  const rows = JSON.parse(r.stdout);
  const pp = rows.find((x) => x.n_prompt === PP && x.n_gen === 0);
  const tg = rows.find((x) => x.n_gen === TG && x.n_prompt === 0);
  // best repetition, as for the other contestants (llama-bench itself reports the mean)
  return { pp_tps: Math.max(...pp.samples_ts), tg_tps: Math.max(...tg.samples_ts) };
}

function nodeLlamaCpp(model) {
  const r = spawnSync(process.execPath, [path.join(__dirname, 'peers', 'node-llama-cpp.mjs'), model, String(PP), String(TG), String(threads)], { encoding: 'utf8' });
  if (r.status !== 0) return { error: `node-llama-cpp failed (${r.status ?? r.signal}): ${r.stderr.slice(-500)}` };
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

function seconds(since) {
  return (performance.now() - since) / 1000;
}

// Plain and tapped generation alternate in one context, so a change in machine load between
// them does not show up as tap overhead.
async function cogitoRun(modelPath) {
  const model = await cogito.loadModel(modelPath);
  const ctx = await model.createContext({ contextSize: 1024, batchSize: 512, threads });
  const tokens = Array.from({ length: PP }, (_, i) => 100 + (i % 1000));
  const best = { pp_tps: 0, tg_tps: 0, tg_taps_tps: 0 };
  try {
    for (let rep = 0; rep < 2; rep++) {
      const t = performance.now();
      await ctx.evaluate(tokens);
      best.pp_tps = Math.max(best.pp_tps, PP / seconds(t));
      for (const taps of rep === 0 ? [false, true] : [true, false]) {
        await ctx.reset();
        const t0 = performance.now();
        const r = await ctx.complete([model.info.bosToken], { maxTokens: TG, taps: taps ? { layers: 'all', mode: 'mean' } : undefined });
        const tps = r.tokens.length / seconds(t0);
        if (r.tokens.length < TG) log(`cogito stopped after ${r.tokens.length} tokens (${r.stopReason})`);
        if (taps) best.tg_taps_tps = Math.max(best.tg_taps_tps, tps);
        else best.tg_tps = Math.max(best.tg_tps, tps);
      }
      await ctx.reset();
    }
  } finally {
    await ctx.dispose();
    await model.dispose();
  }
  return best;
}

function keepBest(into, from) {
  for (const [k, v] of Object.entries(from)) {
    if (typeof v === 'number') into[k] = Math.max(into[k] ?? 0, v);
    else if (!(k in into)) into[k] = v;
  }
  return into;
}

async function main() {
  const files = await models();
  const rounds = Number(process.env.BENCH_ROUNDS || 2);
  const results = { threads, pp_tokens: PP, tg_tokens: TG, rounds, machine: machine(), build: buildFacts(cogito.systemInfo()),
    load_before: load(), models: {} };
  log(`build: AMX ${results.build.amx}; kernels ${results.build.cpu_features.join(' ')}`);
  log(`load before: ${results.load_before.uptime}`);
  const withOpenmp = fs.existsSync(openmpBench);
  if (!withOpenmp) log('llama-bench with OpenMP is not built (node scripts/build-peers.js --openmp); measuring without it');
  for (const type of Object.keys(files)) {
    results.models[type] = { llama_bench: {}, ...(withOpenmp ? { llama_bench_openmp: {} } : {}), cogito: {}, cogito_taps_all: {}, node_llama_cpp: {} };
  }
  // every contestant runs once per round and keeps its best round: other work on the machine
  // then slows all of them alike instead of whichever happened to run at the time
  for (let round = 0; round < rounds; round++) {
    for (const [type, file] of Object.entries(files)) {
      const m = results.models[type];
      log(`round ${round + 1}/${rounds} ${type}: llama-bench`);
      keepBest(m.llama_bench, llamaBench(file));
      if (withOpenmp) {
        log(`round ${round + 1}/${rounds} ${type}: llama-bench with OpenMP`);
        keepBest(m.llama_bench_openmp, llamaBench(file, openmpBench));
      }
      log(`round ${round + 1}/${rounds} ${type}: cogito, without and with taps on all layers`);
      const cg = await cogitoRun(file);
      keepBest(m.cogito, { pp_tps: cg.pp_tps, tg_tps: cg.tg_tps });
      keepBest(m.cogito_taps_all, { tg_tps: cg.tg_taps_tps });
      log(`round ${round + 1}/${rounds} ${type}: node-llama-cpp`);
      keepBest(m.node_llama_cpp, nodeLlamaCpp(file));
    }
  }
  results.load_after = load();
  log(`load after: ${results.load_after.uptime}`);
  // issue 20's goals, per model type: >= 1.0 against every peer for pp and tg, tap overhead <= 0.01
  const ratios = (m) => ({
    gen_vs_llama_bench: m.cogito.tg_tps / m.llama_bench.tg_tps,
    pp_vs_llama_bench: m.cogito.pp_tps / m.llama_bench.pp_tps,
    gen_vs_node_llama_cpp: m.node_llama_cpp.tg_tps ? m.cogito.tg_tps / m.node_llama_cpp.tg_tps : null,
    pp_vs_node_llama_cpp: m.node_llama_cpp.pp_tps ? m.cogito.pp_tps / m.node_llama_cpp.pp_tps : null,
    gen_vs_llama_bench_openmp: withOpenmp ? m.cogito.tg_tps / m.llama_bench_openmp.tg_tps : null,
    pp_vs_llama_bench_openmp: withOpenmp ? m.cogito.pp_tps / m.llama_bench_openmp.pp_tps : null,
    tap_overhead_gen: 1 - m.cogito_taps_all.tg_tps / m.cogito.tg_tps,
  });
  // Q8_0's at the top level, as the figures were first reported
  Object.assign(results, ratios(results.models.q8_0));
  results.q4_0 = ratios(results.models.q4_0);
  fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
  fs.writeFileSync(resultsFile, JSON.stringify(results, null, 2) + '\n');
  for (const [type, m] of Object.entries(results.models)) {
    const f = (x) => (typeof x === 'number' ? x.toFixed(1) : 'n/a');
    const omp = (k) => (m.llama_bench_openmp ? `  llama-bench+OpenMP ${f(m.llama_bench_openmp[k])}` : '');
    console.log(`${type}: pp${PP} t/s  cogito ${f(m.cogito.pp_tps)}  llama-bench ${f(m.llama_bench.pp_tps)}${omp('pp_tps')}  node-llama-cpp ${f(m.node_llama_cpp.pp_tps)}`);
    console.log(`${type}: tg${TG} t/s  cogito ${f(m.cogito.tg_tps)}  llama-bench ${f(m.llama_bench.tg_tps)}${omp('tg_tps')}  node-llama-cpp ${f(m.node_llama_cpp.tg_tps)}  cogito+taps ${f(m.cogito_taps_all.tg_tps)}`);
    if (m.node_llama_cpp.error) console.log(`${type}: ${m.node_llama_cpp.error}`);
  }
  const r = (x) => (x === null ? 'n/a' : x.toFixed(3));
  for (const [type, q] of [['q8_0', results], ['q4_0', results.q4_0]]) {
    console.log(`${type}: gen_vs_llama_bench ${r(q.gen_vs_llama_bench)}  pp_vs_llama_bench ${r(q.pp_vs_llama_bench)}  gen_vs_node_llama_cpp ${r(q.gen_vs_node_llama_cpp)}  pp_vs_node_llama_cpp ${r(q.pp_vs_node_llama_cpp)}  tap_overhead_gen ${r(q.tap_overhead_gen)}`);
  }
  console.log(`load before: ${results.load_before.loadavg.join(' ')}  after: ${results.load_after.loadavg.join(' ')}`);
  console.log(`wrote ${path.relative(root, resultsFile)}`);
}

// bench/portable.js runs cogitoRun alone, once per build of the addon (COGITO_ADDON)
module.exports = { cogitoRun };

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`bench failed: ${err.stack || err}\n`);
    process.exit(1);
  });
}
