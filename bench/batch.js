#!/usr/bin/env node
'use strict';
// Batched generation: total generated tokens per second with 1 sequence against N sequences
// generating at once in one SequencePool (continuous batching), on the generated ~0.5B Q8_0 model
// of the engine benchmark. Each sequence reads a 32-token prompt of its own and generates 64
// tokens; the clock runs from the moment every sequence has its first token to the last token, so
// prompt reading is left out. Prints batched_gen_speedup_N (N-sequence tokens/s over 1-sequence
// tokens/s); writes nothing to bench/results. Needs `npm run build`.
// BENCH_SEQUENCES (default 4), BENCH_THREADS (default: the CPUs), BENCH_REPS (default 3).

const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const cogito = require(path.join(root, 'dist', 'index.js'));
const { benchModels } = require('./models');
const { median } = require('./stats');
const threads = Number(process.env.BENCH_THREADS || os.availableParallelism?.() || 2);
const reps = Number(process.env.BENCH_REPS || 3);
const N = Number(process.env.BENCH_SEQUENCES || 4);
const PROMPT = 32;
const GEN = 64;

function log(msg) {
  process.stderr.write(`[bench] ${msg}\n`);
}

/** Generated tokens per second over the span where all `sequences.length` sequences generate. */
async function run(pool, count, rep) {
  const seqs = Array.from({ length: count }, () => pool.acquire());
  let started = 0;
  let allStarted;
  const ready = new Promise((resolve) => (allStarted = resolve));
  const t = { start: 0 };
  const counted = await Promise.all(seqs.map(async (seq, i) => {
    // a different prompt per sequence and per repetition: nothing comes from a cache
    const prompt = Array.from({ length: PROMPT }, (_, k) => 100 + ((k * 37 + i * 101 + rep * 997) % 5000));
    let after = 0;
    let first = true;
    for await (const _token of seq.generate(prompt, { maxTokens: GEN, addSpecial: false })) {
      if (first) {
        first = false;
        if (++started === count) {
          t.start = performance.now();
          allStarted();
        }
        await ready;
      } else {
        after++;
      }
    }
    return after;
  }));
  const seconds = (performance.now() - t.start) / 1000;
  for (const s of seqs) {
    await s.clear();
    s.release();
  }
  return counted.reduce((a, b) => a + b, 0) / seconds;
}

async function main() {
  const modelPath = (await benchModels(cogito, log, ['q8_0'])).q8_0;
  const model = await cogito.loadModel(modelPath);
  const pool = await model.createSequencePool({ sequences: N, contextSize: PROMPT + GEN + 8, threads });
  const one = [];
  const many = [];
  await run(pool, 1, reps); // warm-up, with a prompt of its own
  for (let r = 0; r < reps; r++) {
    one.push(await run(pool, 1, r));
    many.push(await run(pool, N, r));
    log(`rep ${r + 1}: 1 sequence ${one[r].toFixed(1)} tok/s, ${N} sequences ${many[r].toFixed(1)} tok/s`);
  }
  await pool.dispose();
  await model.dispose();
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const result = {
    model: path.basename(modelPath),
    cpu: `${cpu} (${os.availableParallelism()} CPUs)`,
    threads,
    loadavg: os.loadavg().map((x) => Number(x.toFixed(2))),
    prompt: PROMPT,
    generated: GEN,
    reps,
    gen_tok_s_1: Number(median(one).toFixed(2)),
    [`gen_tok_s_${N}`]: Number(median(many).toFixed(2)),
    [`batched_gen_speedup_${N}`]: Number((median(many) / median(one)).toFixed(3)),
  };
  console.log(JSON.stringify(result, null, 2));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
