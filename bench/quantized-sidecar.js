#!/usr/bin/env node
'use strict';
// The default sidecar on quantized bases (issue 19, sidecars/DEFAULT.md "Session 9"): the shipped
// sidecars/default.gguf, unchanged, judged by `cogito eval` on models/default.heldout.jsonl with
// the default model at f32, q8_0 (the shipped file), q4_k_m and q4_0 (both quantized from the f32
// with `cogito quantize`). Every step is a cogito command, printed as it runs.
//
//   node bench/quantized-sidecar.js --f32 <trained-f32.gguf> [--work DIR] [--threads N]
//
// The f32 is the recipe's, from a run that leaves models/ alone:
//   npx tsc -p models/tsconfig.json --outDir /tmp/recipe/a/b
//   node /tmp/recipe/a/b/models/make-default.js --out /tmp/qs/out --work /tmp/qs/work --no-card
//   → /tmp/qs/work/trained-f32.gguf
// It is the shipped model's own f32 when its q8_0 has the shipped model's fingerprint (checked here).
// Needs `npm run build`. Writes bench/results/quantized-sidecar.json.

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const resultsFile = path.join(root, 'bench', 'results', 'quantized-sidecar.json');
const cli = path.join(root, 'bin', 'cogito.js');
const shippedModel = path.join(root, 'models', 'default.gguf');
const sidecar = path.join(root, 'sidecars', 'default.gguf');
const heldout = path.join(root, 'models', 'default.heldout.jsonl');
const sidecarTrain = path.join(root, 'models', 'default.sidecar-train.jsonl');

function parseArgs(argv) {
  const o = { f32: null, work: path.join(os.tmpdir(), 'cogito-quantized-sidecar'), threads: 1 };
  for (let i = 0; i < argv.length; i++) {
    const v = () => argv[++i];
    if (argv[i] === '--f32') o.f32 = path.resolve(v());
    else if (argv[i] === '--work') o.work = path.resolve(v());
    else if (argv[i] === '--threads') o.threads = Number(v());
    else throw new Error(`unknown flag ${argv[i]}`);
  }
  if (!o.f32) throw new Error('--f32 <trained-f32.gguf> is required (see the comment at the top)');
  return o;
}

function log(msg) {
  process.stderr.write(`[quantized-sidecar] ${msg}\n`);
}

/** Runs `cogito …`; returns { status, stdout, stderr } (throws on failure unless allowFailure). */
function cogito(args, { allowFailure = false } = {}) {
  log(`cogito ${args.map((a) => (a.startsWith(root) ? path.relative(root, a) || '.' : a)).join(' ')}`);
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0 && !allowFailure) throw new Error(`cogito ${args[0]} failed (${r.status}): ${r.stderr}`);
  return r;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const { loadModel, readGguf } = require(path.join(root, 'dist', 'index.js'));
  // what the file really holds: llama.cpp's k-quants need rows that are multiples of 256, and this
  // model's rows are 64 and 192 wide, so q4_k_m falls back to other types tensor by tensor
  const tensorTypes = async (file) => {
    const counts = {};
    for (const t of (await readGguf(file)).tensors) counts[t.type] = (counts[t.type] ?? 0) + 1;
    return counts;
  };
  const fingerprint = async (file) => {
    const m = await loadModel(file);
    try {
      return m.info.fingerprint;
    } finally {
      await m.dispose();
    }
  };
  fs.rmSync(o.work, { recursive: true, force: true });
  fs.mkdirSync(o.work, { recursive: true });

  // the bases: q4_k_m and q4_0 from the f32, and a q8_0 of it only to check it is the shipped model's f32
  const bases = [{ type: 'f32', file: o.f32 }, { type: 'q8_0', file: shippedModel }];
  for (const type of ['q4_k_m', 'q4_0']) {
    const file = path.join(o.work, `default-${type}.gguf`);
    cogito(['quantize', o.f32, file, '--type', type]);
    bases.push({ type, file });
  }
  const q8Check = path.join(o.work, 'default-q8_0-from-f32.gguf');
  cogito(['quantize', o.f32, q8Check, '--type', 'q8_0']);
  const shippedFingerprint = await fingerprint(shippedModel);
  const f32IsShippedParent = (await fingerprint(q8Check)) === shippedFingerprint;
  log(`q8_0 of the f32 ${f32IsShippedParent ? 'has' : 'does NOT have'} the shipped model's fingerprint`);

  // a run directory for eval's settings (prompt format, checker): collect on the shipped base, as npm run sidecar:default does
  const runDir = path.join(o.work, 'run');
  cogito(['collect', '--run-dir', runDir, '--model', shippedModel, '--dataset', sidecarTrain, '--threads', String(o.threads)]);

  const rows = [];
  for (const base of bases) {
    const outDir = path.join(o.work, `eval-${base.type}`);
    const evalArgs = ['eval', '--run-dir', runDir, '--model', base.file, '--sidecar', sidecar, '--dataset', heldout, '--out-dir', outDir, '--threads', String(o.threads), '--json'];
    // first without --force: does the sidecar bind to this base as it is?
    let r = cogito(evalArgs, { allowFailure: true });
    let bind = { force: false, refused: null };
    if (r.status !== 0) {
      if (!/SIDECAR_MISMATCH/.test(r.stderr)) throw new Error(`eval on ${base.type} failed: ${r.stderr}`);
      bind = { force: true, refused: r.stderr.trim() };
      r = cogito([...evalArgs, '--force']);
    }
    const rep = JSON.parse(r.stdout);
    const gain = rep.selective_accuracy === null ? null : rep.selective_accuracy - rep.base_accuracy;
    // issue 4's targets as the report itself judges them (checkTargets in src/loom/report.ts)
    const met = Object.fromEntries(rep.targets.map((t) => [t.name, t.met]));
    rows.push({
      type: base.type,
      file: path.relative(root, base.file).startsWith('..') ? path.basename(base.file) : path.relative(root, base.file),
      bytes: fs.statSync(base.file).size,
      tensor_types: await tensorTypes(base.file),
      fingerprint: rep.meta.fingerprint,
      bind,
      n: rep.n,
      base_accuracy: rep.base_accuracy,
      refusal_rate: rep.refusal_rate,
      refusal_precision: rep.refusal_precision,
      refused: Math.round(rep.refusal_rate * rep.n),
      over_refusal: rep.over_refusal,
      selective_accuracy: rep.selective_accuracy,
      gain,
      auroc: rep.auroc,
      mcnemar_p: rep.mcnemar_p,
      mcnemar_b: rep.mcnemar_b,
      mcnemar_c: rep.mcnemar_c,
      buckets: rep.buckets,
      targets: rep.targets,
      targets_met: met,
      still_works: rep.targets.every((t) => t.met === true),
    });
    log(`${base.type}: base ${rep.base_accuracy.toFixed(3)}, refuses ${rep.refusal_rate.toFixed(3)} at precision ${rep.refusal_precision?.toFixed(3)}, ` +
      `over-refusal ${rep.over_refusal?.toFixed(3)}, selective ${rep.selective_accuracy?.toFixed(3)} (${gain === null ? '—' : `+${(100 * gain).toFixed(1)}`})`);
  }

  const result = {
    what: 'sidecars/default.gguf unchanged on models/default.heldout.jsonl, the default model at four precisions (sidecars/DEFAULT.md, Session 9)',
    rule: 'per base: refusal precision >= 0.85, over-refusal <= 0.15, selective accuracy >= that base\'s accuracy + 25 points; no retuning; a move from q8_0 under 0.05 in precision is within two standard errors',
    sidecar_fingerprint_base: 'q8_0 (models/default.gguf)',
    f32_is_shipped_models_parent: f32IsShippedParent,
    shipped_sha256: require('node:crypto').createHash('sha256').update(fs.readFileSync(shippedModel)).digest('hex'),
    rows,
    node: process.version,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    date: new Date().toISOString(),
  };
  fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
  fs.writeFileSync(resultsFile, `${JSON.stringify(result, null, 2)}\n`);
  log(`wrote ${path.relative(root, resultsFile)}`);
}

main().catch((err) => {
  process.stderr.write(`${err.stack || err}\n`);
  process.exit(1);
});
