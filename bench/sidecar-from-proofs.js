#!/usr/bin/env node
'use strict';
/**
 * The sidecar from proofs (issue 18, item 6) against the exact-match sidecar, on the same held-out
 * questions. Protocol in bench/README.md ("bench/sidecar-from-proofs.js"), written before the first
 * run: the default model's cascade (no sidecar, the real oracle on loopback) answers the 794
 * sidecar-train questions into a fresh feedback buffer; `cogito collect --from-feedback` labels them
 * by its verdicts; train and export with `sidecar:default`'s settings; both sidecars evaluated on
 * models/default.heldout.jsonl. Every step is the real `cogito` CLI over dist/ (npm run build first).
 *
 * node bench/sidecar-from-proofs.js [--threads 1] [--out bench/results/sidecar-from-proofs.json]
 */
const { spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');
const { startServer } = require('./server-process');

const root = path.resolve(__dirname, '..');
const { values } = parseArgs({
  options: {
    threads: { type: 'string', default: '1' },
    out: { type: 'string', default: path.join(root, 'bench', 'results', 'sidecar-from-proofs.json') },
    work: { type: 'string', default: path.join(root, 'bench', 'work', 'sidecar-from-proofs') },
  },
});
const threads = values.threads;
const work = path.resolve(values.work);
const model = path.join(root, 'models', 'default.gguf');
const trainSet = path.join(root, 'models', 'default.sidecar-train.jsonl');
const heldout = path.join(root, 'models', 'default.heldout.jsonl');
const oracleModel = path.join(root, 'models', 'oracle.gguf');
/** `npm run sidecar:default`'s train settings, for both sidecars. */
const TRAIN_SETTINGS = ['--encoder', 'multi_token', '--accuracy-gain', '0.25', '--threads', threads];

const log = (m) => process.stderr.write(`[sidecar-from-proofs] ${m}\n`);
const rel = (p) => path.relative(root, p);

/** Runs `cogito …`; the JSON it prints (with --json) or its stdout. */
function cogito(args, { json = true } = {}) {
  const started = Date.now();
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'cogito.js'), ...args, ...(json ? ['--json'] : [])], { cwd: root, encoding: 'utf8', maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(`cogito ${args.join(' ')} failed (${r.status}):\n${r.stderr.slice(-2000)}`);
  log(`cogito ${args.map((a) => (a.startsWith('/') ? rel(a) : a)).join(' ')}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return json ? JSON.parse(r.stdout) : r.stdout;
}

const readJsonl = (file) => fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
const sha256 = (file) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** collect (however labelled) → train → export → eval on the held-out file; the report. */
function trainAndEval(runDir) {
  const train = cogito(['train', '--run-dir', runDir, ...TRAIN_SETTINGS]);
  const sidecar = path.join(runDir, 'sidecar.gguf');
  cogito(['export', '--run-dir', runDir, '--out', sidecar], { json: false });
  const report = cogito(['eval', '--run-dir', runDir, '--sidecar', sidecar, '--dataset', heldout, '--threads', threads]);
  return { train, sidecar, report };
}

const METRICS = ['n', 'base_accuracy', 'selective_accuracy', 'refusal_rate', 'refusal_precision', 'over_refusal', 'known_refusal_rate', 'refusal_recall', 'coverage', 'auroc', 'aurc', 'mcnemar_p'];
const pick = (o, keys) => Object.fromEntries(keys.map((k) => [k, o[k] ?? null]));

async function main() {
  const started = Date.now();
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  const vks = path.join(work, 'vks.db');

  // 1. the buffer: the cascade (no sidecar: the draft is the base's own answer) with the real oracle
  const server = await startServer({
    name: 'oracle',
    command: process.execPath,
    args: (port) => [path.join(root, 'bin', 'cogito.js'), 'serve', '--model', oracleModel, '--no-sidecar', '--host', '127.0.0.1', '--port', String(port), '--threads', '1', '--quiet'],
    cwd: root,
    logFile: path.join(work, 'oracle.log'),
  });
  let ask;
  try {
    ask = cogito(['ask', '--batch', trainSet, '--out', path.join(work, 'ask.jsonl'), '--vks', vks, '--no-sidecar', '--threads', threads,
      '--oracle', `http://127.0.0.1:${server.port}`, '--oracle-api', 'ollama', '--oracle-model', 'oracle']);
  } finally {
    await server.stop();
  }

  // 2. the sidecar from proofs
  const proofsDir = path.join(work, 'proofs');
  const collected = cogito(['collect', '--from-feedback', '--vks', vks, '--run-dir', proofsDir, '--model', model, '--threads', threads]);
  const proofs = trainAndEval(proofsDir);

  // 3. the exact-match sidecar, as `npm run sidecar:default` makes it
  const exactDir = path.join(work, 'exact');
  cogito(['collect', '--run-dir', exactDir, '--model', model, '--dataset', trainSet, '--threads', threads]);
  const exact = trainAndEval(exactDir);
  const shipped = path.join(root, 'sidecars', 'default.gguf');

  // coverage: which training questions got a verdict, and do the verdicts agree with exact match?
  const bucketOf = new Map(readJsonl(trainSet).map((q) => [q.question, q.bucket]));
  const exactLabel = new Map(readJsonl(path.join(exactDir, 'collect', 'records.jsonl')).map((r) => [r.question, r.pass1_correct]));
  const proofRecords = readJsonl(path.join(proofsDir, 'collect', 'records.jsonl'));
  const skipped = readJsonl(path.join(proofsDir, 'collect', 'skipped.jsonl'));
  const byBucket = {};
  const bucket = (q) => (byBucket[bucketOf.get(q) ?? '?'] ??= { questions: 0, labelled: 0, labelled_correct: 0, exact_correct: 0, agree: 0 });
  for (const q of bucketOf.keys()) {
    bucket(q).questions++;
    if (exactLabel.get(q)) bucket(q).exact_correct++;
  }
  let agree = 0;
  const confusion = { verdict_right_exact_right: 0, verdict_right_exact_wrong: 0, verdict_wrong_exact_right: 0, verdict_wrong_exact_wrong: 0 };
  for (const r of proofRecords) {
    const b = bucket(r.question);
    b.labelled++;
    if (r.pass1_correct) b.labelled_correct++;
    const e = exactLabel.get(r.question);
    if (e === r.pass1_correct) {
      agree++;
      b.agree++;
    }
    confusion[`verdict_${r.pass1_correct ? 'right' : 'wrong'}_exact_${e ? 'right' : 'wrong'}`]++;
  }
  const manifest = JSON.parse(fs.readFileSync(path.join(proofsDir, 'run.json'), 'utf8'));
  const side = (x) => ({ ...pick(x.report, METRICS), threshold: x.train.threshold?.threshold ?? null, buckets: x.report.buckets });

  const result = {
    proofs: side(proofs),
    exact_match: { ...side(exact), sidecar_sha256: sha256(exact.sidecar), same_as_shipped: sha256(exact.sidecar) === sha256(shipped) },
    difference: Object.fromEntries(METRICS.filter((k) => k !== 'n' && k !== 'mcnemar_p').map((k) => [k, proofs.report[k] === null || exact.report[k] === null ? null : proofs.report[k] - exact.report[k]])),
    coverage: {
      training_questions: bucketOf.size,
      labelled: collected.questions,
      share: collected.questions / bucketOf.size,
      skipped: collected.skipped,
      skipped_by: collected.skippedBy,
      label_sources: collected.sources,
      labelled_correct: collected.correct,
      agreement_with_exact_match: proofRecords.length ? agree / proofRecords.length : null,
      confusion_against_exact_match: confusion,
      by_bucket: byBucket,
      skipped_by_bucket: skipped.reduce((acc, s) => ((acc[bucketOf.get(s.question) ?? '?'] = (acc[bucketOf.get(s.question) ?? '?'] ?? 0) + 1), acc), {}),
    },
    buffer: { ask_summary: ask, labels: manifest.labels },
    protocol: 'bench/README.md, "bench/sidecar-from-proofs.js" (written before the first run)',
    train_settings: TRAIN_SETTINGS.join(' '),
    heldout: rel(heldout),
    threads: Number(threads),
    date: new Date().toISOString(),
    wall_s: (Date.now() - started) / 1000,
    command: 'node bench/sidecar-from-proofs.js',
  };
  fs.mkdirSync(path.dirname(values.out), { recursive: true });
  fs.writeFileSync(values.out, `${JSON.stringify(result, null, 2)}\n`);
  const pct = (x) => (x === null ? 'n/a' : `${(100 * x).toFixed(1)}%`);
  const row = (name, r) => `${name.padEnd(12)} ${pct(r.base_accuracy).padStart(7)} ${pct(r.selective_accuracy).padStart(9)} ${pct(r.refusal_rate).padStart(8)} ${pct(r.refusal_precision).padStart(9)} ${pct(r.over_refusal).padStart(9)} ${(r.auroc ?? NaN).toFixed(3).padStart(6)}`;
  process.stdout.write(`${'sidecar'.padEnd(12)} ${'base'.padStart(7)} ${'selective'.padStart(9)} ${'refuses'.padStart(8)} ${'precision'.padStart(9)} ${'over-ref.'.padStart(9)} ${'AUROC'.padStart(6)}\n`);
  process.stdout.write(`${row('exact-match', exact.report)}\n${row('from proofs', proofs.report)}\n`);
  process.stdout.write(`coverage: ${collected.questions} of ${bucketOf.size} training questions labelled by verdicts (${pct(collected.questions / bucketOf.size)}); agreement with exact match ${pct(result.coverage.agreement_with_exact_match)}\n`);
  log(`wrote ${rel(values.out)} in ${result.wall_s.toFixed(0)} s`);
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(1);
});
