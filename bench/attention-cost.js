#!/usr/bin/env node
'use strict';
// What reading the attention entropy costs the cascade's drafter: TwoPass drafts (as
// src/cascade/draft.ts runs them: complete with maxTokens 32, temperature 0, stop "\n"; its
// encode after is a prompt-cache hit, not timed) of the default model and sidecar, with and without
// `attentionEntropy: 2` (the last two layers; that context runs without flash attention). The
// prompts, fixed before measuring: the first 10 held-out questions of every bucket. Each prompt is
// drafted by both pipelines in alternating order, over ROUNDS rounds; per-draft wall time.
// Needs `npm run build`. Writes bench/results/attention-cost.json. Goal (issue 18 brief): ≤ 5 %.

const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const cogito = require(path.join(root, 'dist', 'index.js'));
const { median } = require('./stats');
const ROUNDS = Number(process.env.BENCH_ROUNDS || 3);
const PER_BUCKET = 10;

async function main() {
  const lines = fs.readFileSync(path.join(root, 'models', 'default.heldout.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const seen = new Map();
  const questions = lines.filter((q) => {
    const n = seen.get(q.bucket) ?? 0;
    seen.set(q.bucket, n + 1);
    return n < PER_BUCKET;
  });
  const prompts = questions.map((q) => `Question: ${q.question}\nAnswer:`);
  const model = await cogito.loadModel(path.join(root, 'models', 'default.gguf'));
  const sidecar = path.join(root, 'sidecars', 'default.gguf');
  const threads = 1; // what the drafter resolves for a model under 5M parameters
  // cacheSize 0: pass 1 runs in every round, as it does for every new question
  const pipes = {
    off: await cogito.TwoPass.load(model, sidecar, { threads, cacheSize: 0 }),
    on: await cogito.TwoPass.load(model, sidecar, { threads, cacheSize: 0, attentionEntropy: 2 }),
  };
  const options = { maxTokens: 32, temperature: 0, stop: ['\n'] };
  const times = { off: [], on: [] };
  const draft = async (which, prompt) => {
    const t0 = process.hrtime.bigint();
    await pipes[which].complete(prompt, options);
    times[which].push(Number(process.hrtime.bigint() - t0) / 1e6);
  };
  for (const p of prompts.slice(0, 5)) for (const w of ['off', 'on']) await pipes[w].complete(p, options); // warm-up
  times.off.length = 0;
  times.on.length = 0;
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < prompts.length; i++) {
      const order = (i + r) % 2 === 0 ? ['off', 'on'] : ['on', 'off'];
      for (const w of order) await draft(w, prompts[i]);
    }
  }
  const sum = (xs) => xs.reduce((s, x) => s + x, 0);
  const result = {
    date: new Date().toISOString(),
    prompts: prompts.length,
    rounds: ROUNDS,
    threads,
    draft_ms_median_off: median(times.off),
    draft_ms_median_on: median(times.on),
    draft_ms_total_off: sum(times.off),
    draft_ms_total_on: sum(times.on),
  };
  result.cost_median = result.draft_ms_median_on / result.draft_ms_median_off - 1;
  result.cost_total = result.draft_ms_total_on / result.draft_ms_total_off - 1;
  fs.writeFileSync(path.join(root, 'bench', 'results', 'attention-cost.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
  for (const p of Object.values(pipes)) await p.dispose();
  await model.dispose();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
