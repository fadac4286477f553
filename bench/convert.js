#!/usr/bin/env node
'use strict';
// Conversion benchmark: throughput (MB/s of checkpoint read) and peak RSS of `convertModel`, each
// run in its own process, for the two real models in ../shared/data/models and for generated
// Hugging Face folders of about 0.7 and 2.1 GB (written under the temp dir and deleted after), so
// peak RSS can be seen not to grow with the model; the llama2.c input side by side with llama.cpp's
// own convert-llama2c-to-ggml built from the bundled source (both f32; stories260K and a generated ~400 MB
// checkpoint); and, for the note, the
// first-logit error and greedy agreement of the converted models at f32, f16, q8_0, q4_0 and q4_k_m
// against the shared references. Writes bench/results/convert.json. Needs `npm run build` and the peer tools.
// Environment: BENCH_ROUNDS (default 5, for the small models), BENCH_SKIP_LARGE=1 (no generated folders).

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { median } = require('./stats');
const { peerBinary } = require('./host');

const root = path.resolve(__dirname, '..');
const resultsFile = path.join(root, 'bench', 'results', 'convert.json');
const shared = path.join(root, '..', 'shared', 'data', 'models');
const stories = path.join(shared, 'stories260K');
const tiny = path.join(shared, 'tinystories-656k');
const ROUNDS = Number(process.env.BENCH_ROUNDS || 5);

function log(msg) {
  process.stderr.write(`[bench] ${msg}\n`);
}

// ---- child: one conversion, reporting its own time and peak RSS ---------------------------------
if (process.argv[2] === '--child') {
  const options = JSON.parse(process.argv[3]);
  const cogito = require(path.join(root, 'dist', 'index.js'));
  const started = process.hrtime.bigint();
  cogito.convertModel(options).then((r) => {
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    process.stdout.write(JSON.stringify({ seconds, bytesRead: r.bytesRead, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
  }, (err) => {
    process.stderr.write(`${err.stack || err}\n`);
    process.exit(1);
  });
  return;
}

/** One conversion in a child process: its in-process time, the whole process's wall time, its peak RSS. */
function convertInChild(options) {
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [__filename, '--child', JSON.stringify(options)], { encoding: 'utf8', maxBuffer: 1 << 20 });
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  if (r.status !== 0) throw new Error(`conversion failed: ${r.stderr}`);
  return { ...JSON.parse(r.stdout), wallSeconds: wall };
}

function measure(name, options, rounds) {
  const runs = Array.from({ length: rounds }, () => convertInChild(options));
  const seconds = median(runs.map((r) => r.seconds));
  const mb = runs[0].bytesRead / 1e6;
  const row = {
    name, inputMb: Number(mb.toFixed(2)), rounds,
    seconds: Number(seconds.toFixed(4)), wallSeconds: Number(median(runs.map((r) => r.wallSeconds)).toFixed(4)),
    throughputMbS: Number((mb / seconds).toFixed(1)), peakRssMb: Number(Math.max(...runs.map((r) => r.maxRssMb)).toFixed(1)),
  };
  log(`${name}: ${row.inputMb} MB in ${row.seconds} s (${row.throughputMbS} MB/s; process ${row.wallSeconds} s), peak RSS ${row.peakRssMb} MB`);
  return row;
}

function llamaCppLlama2c(out, rounds, model = path.join(stories, 'stories260K.bin')) {
  const bin = peerBinary('llama-convert-llama2c-to-ggml');
  const times = [];
  let peak = 0;
  for (let i = 0; i < rounds; i++) {
    const started = process.hrtime.bigint();
    const r = spawnSync('/usr/bin/time', ['-f', '%M', bin, '--copy-vocab-from-model', path.join(stories, 'tok512.bin'),
      '--llama2c-model', model, '--llama2c-output-model', out], { encoding: 'utf8' });
    times.push(Number(process.hrtime.bigint() - started) / 1e9);
    if (r.status !== 0) throw new Error(`convert-llama2c-to-ggml failed: ${r.stderr.slice(-2000)}`);
    peak = Math.max(peak, Number(r.stderr.trim().split('\n').pop()) / 1024);
  }
  const row = { wallSeconds: Number(median(times).toFixed(4)), peakRssMb: Number(peak.toFixed(1)) };
  log(`llama.cpp convert-llama2c-to-ggml: ${row.wallSeconds} s, peak RSS ${row.peakRssMb} MB`);
  return row;
}

/** A llama2.c checkpoint (legacy layout, shared classifier) with stories260K's 512-token vocabulary, so tok512.bin fits it. */
function generateLlama2c(file, { dim, hidden, layers, heads, kvHeads, seqLen }) {
  const vocab = 512;
  const head = dim / heads;
  const floats = vocab * dim + layers * dim * 2 + layers * dim * dim * 2 + layers * dim * kvHeads * head * 2 + layers * dim * hidden * 3 + dim + seqLen * head;
  const header = Buffer.alloc(28);
  [dim, hidden, layers, heads, kvHeads, vocab, seqLen].forEach((v, i) => header.writeInt32LE(v, 4 * i));
  const block = Buffer.alloc(16 << 20);
  let seed = 3;
  for (let i = 0; i < block.length; i += 4) block.writeFloatLE(((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5) * 0.04, i);
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, header);
  for (let left = floats * 4; left > 0; left -= block.length) fs.writeSync(fd, block, 0, Math.min(block.length, left));
  fs.closeSync(fd);
  return floats * 4;
}

// ---- generated Hugging Face folders ------------------------------------------------------------

/** A llama folder of `layers` 4096-wide layers (F32, two shards with an index) with tinystories-656k's tokenizer. */
function generateFolder(dir, layers) {
  fs.mkdirSync(dir, { recursive: true });
  for (const f of ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json']) fs.copyFileSync(path.join(tiny, f), path.join(dir, f));
  const [hidden, heads, kvHeads, ff, vocab] = [4096, 32, 8, 11008, 2048];
  const kv = (hidden / heads) * kvHeads;
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({
    architectures: ['LlamaForCausalLM'], model_type: 'llama', hidden_size: hidden, intermediate_size: ff, num_attention_heads: heads,
    num_key_value_heads: kvHeads, num_hidden_layers: layers, vocab_size: vocab, max_position_embeddings: 2048, rms_norm_eps: 1e-5,
    rope_theta: 10000, tie_word_embeddings: false, bos_token_id: 1, eos_token_id: 2,
  }));
  const tensors = [['model.embed_tokens.weight', [vocab, hidden]], ['model.norm.weight', [hidden]], ['lm_head.weight', [vocab, hidden]]];
  for (let l = 0; l < layers; l++) {
    const p = `model.layers.${l}.`;
    tensors.push([`${p}input_layernorm.weight`, [hidden]], [`${p}post_attention_layernorm.weight`, [hidden]],
      [`${p}self_attn.q_proj.weight`, [hidden, hidden]], [`${p}self_attn.k_proj.weight`, [kv, hidden]], [`${p}self_attn.v_proj.weight`, [kv, hidden]],
      [`${p}self_attn.o_proj.weight`, [hidden, hidden]], [`${p}mlp.gate_proj.weight`, [ff, hidden]], [`${p}mlp.up_proj.weight`, [ff, hidden]],
      [`${p}mlp.down_proj.weight`, [hidden, ff]]);
  }
  // one block of small pseudo-random floats, written over and over: the converter reads every byte either way
  const block = Buffer.alloc(16 << 20);
  let seed = 1;
  for (let i = 0; i < block.length; i += 4) block.writeFloatLE(((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5) * 0.04, i);
  const shards = [tensors.filter((_, i) => i % 2 === 0), tensors.filter((_, i) => i % 2 === 1)];
  const weightMap = {};
  let total = 0;
  shards.forEach((list, s) => {
    const name = `model-0000${s + 1}-of-00002.safetensors`;
    const header = { __metadata__: { format: 'pt' } };
    let at = 0;
    for (const [n, shape] of list) {
      const bytes = shape.reduce((a, b) => a * b, 1) * 4;
      header[n] = { dtype: 'F32', shape, data_offsets: [at, at + bytes] };
      weightMap[n] = name;
      at += bytes;
    }
    const json = Buffer.from(JSON.stringify(header));
    const fd = fs.openSync(path.join(dir, name), 'w');
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(json.length));
    fs.writeSync(fd, len);
    fs.writeSync(fd, json);
    for (let left = at; left > 0; left -= block.length) fs.writeSync(fd, block, 0, Math.min(block.length, left));
    fs.closeSync(fd);
    total += at;
  });
  fs.writeFileSync(path.join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: { total_size: total }, weight_map: weightMap }));
  return total;
}

// ---- quality of the converted models against the shared references ----------------------------

async function quality(cogito, work) {
  const out = {};
  const inputs = {
    stories260K: { input: path.join(stories, 'stories260K.bin'), tokenizer: path.join(stories, 'tok512.bin'), dir: stories },
    'tinystories-656k': { input: tiny, dir: tiny },
  };
  for (const [name, { dir, ...options }] of Object.entries(inputs)) {
    const cases = fs.readFileSync(path.join(dir, 'reference.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    out[name] = {};
    for (const type of ['f32', 'f16', 'q8_0', 'q4_0', 'q4_k_m']) {
      const file = path.join(work, `${name}-${type}.gguf`);
      await cogito.convertModel({ ...options, output: file, type });
      const model = await cogito.loadModel(file);
      const ctx = await model.createContext({ contextSize: 256, threads: 1 });
      let worst = 0;
      let fullRuns = 0;
      let matched = 0;
      let total = 0;
      for (const c of cases) {
        const first = (await ctx.evaluate(c.prompt_tokens)).logits;
        for (let i = 0; i < first.length; i++) worst = Math.max(worst, Math.abs(first[i] - c.first_logits[i]));
        // teacher-forced greedy: the argmax after every reference prefix, up to the first difference
        const all = await ctx.evaluate([...c.prompt_tokens, ...c.generated_tokens], { logits: 'all' });
        const n = all.vocabularySize;
        let k = 0;
        for (; k < c.generated_tokens.length; k++) {
          const row = all.logits.subarray((c.prompt_tokens.length - 1 + k) * n, (c.prompt_tokens.length + k) * n);
          let best = 0;
          for (let i = 1; i < n; i++) if (row[i] > row[best]) best = i;
          if (best !== c.generated_tokens[k]) break;
        }
        if (k === c.generated_tokens.length) fullRuns++;
        matched += k;
        total += c.generated_tokens.length;
      }
      await ctx.dispose();
      await model.dispose();
      out[name][type] = { maxAbsLogitError: Number(worst.toFixed(5)), greedyRunsEqual: `${fullRuns}/${cases.length}`, greedyTokensBeforeFirstDifference: `${matched}/${total}`, fileBytes: fs.statSync(file).size };
      log(`${name} ${type}: max |Δlogit| ${worst.toFixed(5)}, greedy runs equal ${fullRuns}/${cases.length}, tokens before first difference ${matched}/${total}`);
    }
  }
  return out;
}

async function main() {
  const cogito = require(path.join(root, 'dist', 'index.js'));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cogito-bench-convert-'));
  const results = { date: new Date().toISOString(), cpu: os.cpus()[0]?.model, cores: os.cpus().length, loadavg: os.loadavg().map((x) => Number(x.toFixed(2))) };
  try {
    const storiesOptions = { input: path.join(stories, 'stories260K.bin'), tokenizer: path.join(stories, 'tok512.bin'), output: path.join(work, 's.gguf') };
    results.stories260K = measure('stories260K (llama2.c, f32)', storiesOptions, ROUNDS);
    results.llama_cpp_llama2c = llamaCppLlama2c(path.join(work, 'peer.gguf'), ROUNDS);
    // whole processes against each other: node's start and module loading are part of what a user waits for
    results.llama2c_vs_llama_cpp = Number((results.stories260K.wallSeconds / results.llama_cpp_llama2c.wallSeconds).toFixed(3));
    results.llama2c_vs_llama_cpp_in_process = Number((results.stories260K.seconds / results.llama_cpp_llama2c.wallSeconds).toFixed(3));
    log(`llama2.c: cogito / llama.cpp = ${results.llama2c_vs_llama_cpp} (whole process), ${results.llama2c_vs_llama_cpp_in_process} (conversion alone vs llama.cpp's whole process)`);
    // the same two converters on a llama2.c checkpoint large enough that process start-up is not the whole story
    if (process.env.BENCH_SKIP_LARGE !== '1') {
      const big = path.join(work, 'llama2c-large.bin');
      const bytes = generateLlama2c(big, { dim: 1024, hidden: 2816, layers: 8, heads: 16, kvHeads: 16, seqLen: 512 });
      log(`generated ${big}: ${(bytes / 1e6).toFixed(0)} MB`);
      const ours = measure(`generated llama2.c checkpoint (${(bytes / 1e6).toFixed(0)} MB, f32)`, { ...storiesOptions, input: big, output: path.join(work, 'big.gguf') }, 2);
      fs.rmSync(path.join(work, 'big.gguf'), { force: true });
      const theirs = llamaCppLlama2c(path.join(work, 'big-peer.gguf'), 2, big);
      fs.rmSync(path.join(work, 'big-peer.gguf'), { force: true });
      fs.rmSync(big, { force: true });
      results.llama2c_generated = { inputMb: ours.inputMb, cogito: ours, llama_cpp: theirs, ratio: Number((ours.wallSeconds / theirs.wallSeconds).toFixed(3)) };
      log(`generated llama2.c: cogito / llama.cpp = ${results.llama2c_generated.ratio} (whole process)`);
    }
    results.tinystories656k = measure('tinystories-656k (safetensors, f32)', { input: tiny, output: path.join(work, 't.gguf') }, ROUNDS);

    if (process.env.BENCH_SKIP_LARGE !== '1') {
      results.generated = [];
      for (const layers of [1, 3]) {
        const dir = path.join(work, `gen-${layers}`);
        const bytes = generateFolder(dir, layers);
        log(`generated ${dir}: ${(bytes / 1e9).toFixed(2)} GB`);
        const row = measure(`generated llama, ${layers} layers of 4096 (${(bytes / 1e9).toFixed(2)} GB F32, 2 shards)`, { input: dir, output: path.join(work, `gen-${layers}.gguf`) }, 1);
        results.generated.push({ layers, ...row });
        fs.rmSync(dir, { recursive: true, force: true });
        fs.rmSync(path.join(work, `gen-${layers}.gguf`), { force: true });
      }
      const big = results.generated[results.generated.length - 1];
      results.peak_rss_mb_2gb = big.peakRssMb;
      results.throughput_mb_s_2gb = big.throughputMbS;
    }
    results.quality = await quality(cogito, work);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
  fs.writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
  log(`wrote ${path.relative(root, resultsFile)}`);
}

main().catch((err) => {
  process.stderr.write(`${err.stack || err}\n`);
  process.exit(1);
});
