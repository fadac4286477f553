#!/usr/bin/env node
'use strict';
// Server benchmark: `cogito serve` against llama.cpp's own `llama-server` (built from the same
// source by `node scripts/build-peers.js --server`), same model, slots, context and threads. For
// 1, 4 and 8 concurrent clients, each streaming one /v1/completions request (SSE, temperature 0,
// a fixed number of generated tokens): total generated tokens/s across the clients and time to
// first token, in interleaved rounds (A then B, then B then A, ...) so load drifts hit both.
// Writes bench/results/serve.json (see bench/README.md for every field).
//
//   node bench/serve.js                 cogito serve against llama-server (needs `npm run build`)
//   node bench/serve.js --self-check    llama-server against a second llama-server: checks the
//                                       harness (ratios ~1.0, token counts), no cogito needed
// Options (or environment): --rounds (BENCH_ROUNDS, 2), --clients (BENCH_CLIENTS, 1,4,8),
// --gen-tokens (BENCH_GEN_TOKENS, 64), --prompt-tokens (BENCH_PROMPT_TOKENS, 128),
// --slot-context (BENCH_SLOT_CONTEXT, 512), --parallel (BENCH_PARALLEL, the most clients),
// --threads (BENCH_THREADS, all cores), --quant (BENCH_QUANT, q8_0), --out (a results file).

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');
const { spawnSync } = require('node:child_process');
const { benchModels, work } = require('./models');
const { load, machine, cpu, peerBinary } = require('./host');
const { loadSource } = require('./load-source');
const { streamCompletion, requestJson } = require('./sse-client');
const { startServer } = require('./server-process');
const { median } = require('./stats');

const root = path.resolve(__dirname, '..');
const cogitoBin = path.join(root, 'bin', 'cogito.js');

function log(msg) {
  process.stderr.write(`[bench] ${msg}\n`);
}

function options() {
  const env = process.env;
  const { values } = parseArgs({
    options: {
      'self-check': { type: 'boolean', default: false },
      rounds: { type: 'string', default: env.BENCH_ROUNDS || '2' },
      clients: { type: 'string', default: env.BENCH_CLIENTS || '1,4,8' },
      'gen-tokens': { type: 'string', default: env.BENCH_GEN_TOKENS || '64' },
      'prompt-tokens': { type: 'string', default: env.BENCH_PROMPT_TOKENS || '128' },
      'slot-context': { type: 'string', default: env.BENCH_SLOT_CONTEXT || '512' },
      parallel: { type: 'string', default: env.BENCH_PARALLEL || '' },
      threads: { type: 'string', default: env.BENCH_THREADS || String(os.availableParallelism?.() || 2) },
      quant: { type: 'string', default: env.BENCH_QUANT || 'q8_0' },
      out: { type: 'string', default: '' },
    },
  });
  const count = (name, v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, not ${JSON.stringify(v)}`);
    return n;
  };
  const clients = values.clients.split(',').map((c) => count('clients', c.trim()));
  const o = {
    selfCheck: values['self-check'],
    rounds: count('rounds', values.rounds),
    clients,
    genTokens: count('gen-tokens', values['gen-tokens']),
    promptTokens: count('prompt-tokens', values['prompt-tokens']),
    slotContext: count('slot-context', values['slot-context']),
    parallel: values.parallel ? count('parallel', values.parallel) : Math.max(...clients),
    threads: count('threads', values.threads),
    quant: values.quant,
  };
  if (o.promptTokens + o.genTokens + 8 > o.slotContext) {
    throw new Error(`--slot-context ${o.slotContext} cannot hold a ${o.promptTokens}-token prompt and ${o.genTokens} generated tokens`);
  }
  if (o.parallel < Math.max(...clients)) log(`note: ${Math.max(...clients)} clients on ${o.parallel} slots: the rest queue`);
  o.out = values.out || path.join(root, 'bench', 'results', o.selfCheck ? 'serve-selfcheck.json' : 'serve.json');
  return o;
}

// llama-server's own defaults stay as they are (what its users run), except what both must share
function llamaServerArgs(model, o) {
  return (port) => ['-m', model, '--host', '127.0.0.1', '--port', String(port), '-np', String(o.parallel),
    '-c', String(o.parallel * o.slotContext), '-t', String(o.threads)];
}

// cogito's --context-size is each slot's context (its SlotPool gives every slot that much)
function cogitoServeArgs(model, o) {
  return (port) => [cogitoBin, 'serve', '--model', model, '--no-sidecar', '--host', '127.0.0.1', '--port', String(port),
    '--parallel', String(o.parallel), '--threads', String(o.threads), '--context-size', String(o.slotContext)];
}

/** Throws a clear error when this checkout has no `cogito serve` to run yet. */
function requireCogitoServe() {
  const hint = 'build it (npm run build) once `cogito serve` exists, or run `node bench/serve.js --self-check` to check the harness against llama-server alone';
  if (!fs.existsSync(path.join(root, 'dist', 'cli', 'index.js'))) throw new Error(`cogito is not built (no dist/cli/index.js): ${hint}`);
  const r = spawnSync(process.execPath, [cogitoBin, 'serve', '--help'], { encoding: 'utf8' });
  if (r.status !== 0) {
    const why = (r.stderr || r.stdout || '').trim().split('\n')[0];
    throw new Error(`\`cogito serve\` is not available in this build (${why}): ${hint}`);
  }
}

// A fixed, seeded word stream: prompts read like text, differ from each other from the first
// word (so no server reuses a cached prefix) and are the same for both servers in a round.
const WORDS = ('the a of to and in that is was he for it with as his on be at by had are but from or have an they which one '
  + 'you were her all she there would their we him been has when who will more no if out so said what up its about into than '
  + 'them can only other new some could time these two may then do first any my now such like our over man me even most made '
  + 'after also did many before must through back years where much your way well down should because each just those people '
  + 'river mountain letter garden engine window market winter silver morning harbour lantern orchard castle meadow signal').split(' ');

function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A prompt of exactly `tokens` tokens in the model's vocabulary (BOS included), cut with llama-server's tokenizer. */
async function makePrompt(port, seed, tokens) {
  const rand = rng(seed);
  const words = Array.from({ length: tokens * 2 }, () => WORDS[Math.floor(rand() * WORDS.length)]);
  const tok = await requestJson(port, 'POST', '/tokenize', { content: words.join(' '), add_special: false });
  if (tok.status !== 200) throw new Error(`llama-server /tokenize: HTTP ${tok.status}`);
  const detok = await requestJson(port, 'POST', '/detokenize', { tokens: tok.body.tokens.slice(0, tokens - 1) });
  if (detok.status !== 200) throw new Error(`llama-server /detokenize: HTTP ${detok.status}`);
  return detok.body.content.trim();
}

async function modelId(server) {
  const r = await requestJson(server.port, 'GET', '/v1/models');
  const id = r.body?.data?.[0]?.id;
  if (r.status !== 200 || !id) throw new Error(`${server.name}: GET /v1/models gave ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
  return id;
}

function completionBody(id, prompt, maxTokens) {
  // ignore_eos (llama.cpp's extension) makes both generate the full count on any model
  return { model: id, prompt, max_tokens: maxTokens, temperature: 0, seed: 1, ignore_eos: true };
}

/** `prompts.length` clients at once against one server; the figures of that level. */
async function runLevel(server, id, prompts, genTokens) {
  const cpuBefore = server.cpuSeconds();
  const start = performance.now();
  const results = await Promise.all(prompts.map((p) => streamCompletion(server.port, completionBody(id, p, genTokens))));
  const end = Math.max(...results.map((r) => r.endedAt));
  const cpuUsed = cpuBefore === null ? null : server.cpuSeconds() - cpuBefore;
  const firstTokens = results.map((r) => r.tokenTimes[0] ?? r.endedAt);
  const tokens = results.map((r) => r.usage?.completion_tokens ?? r.tokenTimes.length);
  const total = tokens.reduce((a, b) => a + b, 0);
  const ttft = firstTokens.map((t) => t - start).sort((a, b) => a - b);
  return {
    wall_s: (end - start) / 1000,
    // what a user of the server sees: every generated token over the whole wall time
    throughput_tps: total / ((end - start) / 1000),
    // generation alone, all clients at once: the tokens that arrived while every client was past
    // its prompt and none had finished (prompts join a running batch, so earlier spans mix them in)
    decode_tps: jointDecodeRate(results),
    // the server's CPU time per generated token (prompt included): steadier than wall time on a busy host
    cpu_ms_per_token: cpuUsed === null ? null : (cpuUsed * 1000) / total,
    ttft_ms: ttft.map((t) => Number(t.toFixed(1))),
    ttft_median_ms: median(ttft),
    completion_tokens: tokens,
    text_chunks: results.map((r) => r.tokenTimes.length),
    prompt_tokens: results.map((r) => r.usage?.prompt_tokens ?? null),
    finish_reasons: results.map((r) => r.finishReason),
    texts: results.map((r) => r.text),
  };
}

/** Tokens per second over the span in which every stream had its first token and none its last. */
function jointDecodeRate(results) {
  const from = Math.max(...results.map((r) => r.tokenTimes[0]));
  const to = Math.min(...results.map((r) => r.tokenTimes[r.tokenTimes.length - 1]));
  const tokens = results.reduce((n, r) => n + r.tokenTimes.filter((t) => t > from && t <= to).length, 0);
  // too short a span (a client finished before another began) measures nothing
  return to > from && tokens >= 2 * results.length ? tokens / ((to - from) / 1000) : null;
}

/**
 * What llama-server ran with: its start-up line (slots, context per slot, unified KV), /props,
 * and the defaults of this source that it does not print at its default verbosity (from
 * common/common.h and src/llama-context.cpp), which cogito's server must match to compare fairly.
 */
async function llamaServerSettings(server) {
  const props = await requestJson(server.port, 'GET', '/props');
  return {
    startup: server.log().match(/initializing, (n_slots = \d+, n_ctx_slot = \d+, kv_unified = '\w+')/)?.[1] ?? null,
    n_ctx_per_slot: props.body?.default_generation_settings?.n_ctx ?? null,
    total_slots: props.body?.total_slots ?? null,
    build_info: props.body?.build_info ?? null,
    source_defaults: {
      n_batch: 2048, n_ubatch: 512, flash_attn: 'auto, which resolves to on for the CPU backend', cont_batching: true,
      cache_prompt: true, cache_ram_mib: 8192, cache_idle_slots: true, slot_prompt_similarity: 0.1, kv_unified: 'off when -np is given',
    },
  };
}

function summarise(runs) {
  const pick = (k) => runs.map((r) => r[k]);
  return {
    throughput_tps: Math.max(...pick('throughput_tps')),
    decode_tps: pick('decode_tps').some((x) => x !== null) ? Math.max(...pick('decode_tps').filter((x) => x !== null)) : null,
    ttft_median_ms: Math.min(...pick('ttft_median_ms')),
    cpu_ms_per_token: pick('cpu_ms_per_token').includes(null) ? null : Math.min(...pick('cpu_ms_per_token')),
    throughput_tps_median: median(pick('throughput_tps')),
    ttft_median_ms_median: median(pick('ttft_median_ms')),
  };
}

async function main() {
  const o = options();
  const llamaServer = peerBinary('llama-server', 'node scripts/build-peers.js --server');
  if (!o.selfCheck) requireCogitoServe();
  // the cogito library only when a model is missing (benchModels makes it)
  const lazyCogito = { makeModel: (...a) => loadSource('index').makeModel(...a), quantize: (...a) => loadSource('index').quantize(...a) };
  const models = await benchModels(lazyCogito, log);
  const model = models[o.quant];
  if (!model) throw new Error(`--quant must be one of ${Object.keys(models).join(', ')}`);
  const logs = path.join(work, 'serve-logs');
  const names = o.selfCheck ? ['llama_server', 'llama_server_b'] : ['llama_server', 'cogito'];
  const results = {
    self_check: o.selfCheck, model: path.relative(root, model), quant: o.quant, threads: o.threads, parallel: o.parallel,
    slot_context: o.slotContext, prompt_tokens: o.promptTokens, gen_tokens: o.genTokens, clients: o.clients, rounds: o.rounds,
    machine: machine(), cpu: cpu(), load_before: load(),
  };
  log(`load before: ${results.load_before.uptime}`);
  if (results.load_before.loadavg[0] > os.cpus().length && o.threads > 1) {
    // ggml's threads spin at barriers: with the cores oversubscribed a decode step waits for
    // descheduled threads, and llama-bench here fell 10x (16.5 tokens/s at -t 1, 1.4 at -t 2)
    log(`warning: load ${results.load_before.loadavg[0]} on ${os.cpus().length} cores with ${o.threads} threads per server: figures will be far below the machine's; --threads 1 holds up better`);
  }
  const servers = [];
  try {
    log(`starting llama-server (${o.parallel} slots x ${o.slotContext} context, ${o.threads} threads)`);
    servers.push(await startServer({ name: 'llama-server', command: llamaServer, args: llamaServerArgs(model, o), cwd: root, logFile: path.join(logs, 'llama-server.log') }));
    if (o.selfCheck) {
      servers.push(await startServer({ name: 'llama-server (b)', command: llamaServer, args: llamaServerArgs(model, o), cwd: root, logFile: path.join(logs, 'llama-server-b.log') }));
    } else {
      log('starting cogito serve');
      servers.push(await startServer({ name: 'cogito serve', command: process.execPath, args: cogitoServeArgs(model, o), cwd: root, logFile: path.join(logs, 'cogito-serve.log') }));
    }
    const ids = await Promise.all(servers.map(modelId));
    const relative = (arg) => (arg.startsWith(root + path.sep) ? path.relative(root, arg) : arg);
    results.commands = Object.fromEntries(names.map((n, i) => [n, servers[i].command.map(relative).join(' ')]));
    results.llama_server_settings = await llamaServerSettings(servers[0]);

    log(`making ${o.rounds * o.clients.reduce((a, b) => a + b, 0)} prompts of ${o.promptTokens} tokens`);
    const prompts = [];
    let seed = 1;
    for (let r = 0; r < o.rounds; r++) {
      prompts.push(await Promise.all(o.clients.map(async (n) => {
        const level = [];
        for (let i = 0; i < n; i++) level.push(await makePrompt(servers[0].port, seed++, o.promptTokens));
        return level;
      })));
    }
    log('warming up both servers');
    for (const [i, s] of servers.entries()) await runLevel(s, ids[i], [await makePrompt(servers[0].port, 0, o.promptTokens)], 8);

    const runs = Object.fromEntries(names.map((n) => [n, Object.fromEntries(o.clients.map((c) => [c, []]))]));
    const identical = Object.fromEntries(o.clients.map((c) => [c, { same: 0, of: 0 }]));
    for (let r = 0; r < o.rounds; r++) {
      for (const [li, n] of o.clients.entries()) {
        // A then B in even rounds, B then A in odd ones
        const order = r % 2 === 0 ? [0, 1] : [1, 0];
        const texts = [];
        for (const i of order) {
          log(`round ${r + 1}/${o.rounds}, ${n} client${n > 1 ? 's' : ''}: ${servers[i].name}`);
          const run = await runLevel(servers[i], ids[i], prompts[r][li], o.genTokens);
          texts[i] = run.texts;
          delete run.texts;
          runs[names[i]][n].push(run);
          log(`  ${run.throughput_tps.toFixed(1)} tokens/s, ttft median ${run.ttft_median_ms.toFixed(0)} ms, cpu ${run.cpu_ms_per_token?.toFixed(1)} ms/token, tokens ${[...new Set(run.completion_tokens)].join('/')}`);
        }
        for (let k = 0; k < n; k++) identical[n].same += texts[0][k] === texts[1][k] ? 1 : 0;
        identical[n].of += n;
      }
    }
    results.load_after = load();
    log(`load after: ${results.load_after.uptime}`);

    const [a, b] = names;
    const best = Object.fromEntries(names.map((nm) => [nm, Object.fromEntries(o.clients.map((c) => [c, summarise(runs[nm][c])]))]));
    for (const c of o.clients) {
      results[`throughput_vs_llama_server_${c}`] = best[b][c].throughput_tps / best[a][c].throughput_tps;
      results[`decode_vs_llama_server_${c}`] = best[a][c].decode_tps && best[b][c].decode_tps ? best[b][c].decode_tps / best[a][c].decode_tps : null;
      results[`ttft_vs_llama_server_${c}`] = best[b][c].ttft_median_ms / best[a][c].ttft_median_ms;
      results[`cpu_per_token_vs_llama_server_${c}`] = best[a][c].cpu_ms_per_token ? best[b][c].cpu_ms_per_token / best[a][c].cpu_ms_per_token : null;
    }
    if (best[b][1] && best[b][4]) {
      // generation: 4 sequences decoding together over one alone; and the same end to end
      const speedup = (x, k) => (x[4][k] && x[1][k] ? x[4][k] / x[1][k] : null);
      results.batched_gen_speedup_4 = speedup(best[b], 'decode_tps');
      results.batched_throughput_speedup_4 = speedup(best[b], 'throughput_tps');
      results.llama_server_batched_gen_speedup_4 = speedup(best[a], 'decode_tps');
      results.llama_server_batched_throughput_speedup_4 = speedup(best[a], 'throughput_tps');
    }
    // both must have generated (and read) the same number of tokens, or the ratios compare unlike work
    const all = (nm, k) => o.clients.flatMap((c) => runs[nm][c].flatMap((r) => r[k]));
    results.token_counts = Object.fromEntries(names.map((nm) => [nm, {
      completion: [Math.min(...all(nm, 'completion_tokens')), Math.max(...all(nm, 'completion_tokens'))],
      prompt: [Math.min(...all(nm, 'prompt_tokens')), Math.max(...all(nm, 'prompt_tokens'))],
    }]));
    results.same_token_counts = names.every((nm) => all(nm, 'completion_tokens').every((t) => t === o.genTokens))
      && JSON.stringify(all(a, 'prompt_tokens')) === JSON.stringify(all(b, 'prompt_tokens'));
    results.identical_outputs = identical;
    results.best = best;
    results.runs = runs;

    fs.mkdirSync(path.dirname(o.out), { recursive: true });
    fs.writeFileSync(o.out, JSON.stringify(results, null, 2) + '\n');
    const f = (x) => x.toFixed(1);
    for (const c of o.clients) {
      console.log(`${c} client${c > 1 ? 's' : ' '}: tokens/s ${a} ${f(best[a][c].throughput_tps)}  ${b} ${f(best[b][c].throughput_tps)}`
        + `  (decode ${f(best[a][c].decode_tps ?? NaN)} / ${f(best[b][c].decode_tps ?? NaN)})  ttft ms ${f(best[a][c].ttft_median_ms)} / ${f(best[b][c].ttft_median_ms)}`
        + `  cpu ms/token ${f(best[a][c].cpu_ms_per_token ?? NaN)} / ${f(best[b][c].cpu_ms_per_token ?? NaN)}`
        + `  ratio ${results[`throughput_vs_llama_server_${c}`].toFixed(3)}, ttft ${results[`ttft_vs_llama_server_${c}`].toFixed(3)}`);
    }
    if (results.batched_gen_speedup_4) console.log(`batched_gen_speedup_4 ${results.batched_gen_speedup_4.toFixed(2)} (${a}: ${results.llama_server_batched_gen_speedup_4?.toFixed(2)})`);
    console.log(`token counts ${JSON.stringify(results.token_counts)}; every request ${o.genTokens} generated, same prompts: ${results.same_token_counts}`);
    console.log(`identical outputs ${o.clients.map((c) => `${c}: ${identical[c].same}/${identical[c].of}`).join(', ')}`);
    console.log(`load before: ${results.load_before.loadavg.join(' ')}  after: ${results.load_after.loadavg.join(' ')}`);
    console.log(`wrote ${path.relative(root, o.out)}`);
  } finally {
    for (const s of servers) await s.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err.stack || err}\n`);
  process.exit(1);
});
