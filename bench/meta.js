#!/usr/bin/env node
'use strict';
/**
 * The meta-learner measured against what people use (issue 18): cascade runs of the default model
 * (a real sidecar, a real VKS in a temporary folder, the oracle a real `cogito serve --model
 * models/oracle.gguf` on loopback) fill two feedback buffers — the held-out questions (the test
 * split, never trained on) and a bootstrap over the sidecar-train questions (the training split) —
 * then the meta-learner and the baselines are scored on the test split: confidence (AUROC, PRR,
 * AURC, ECE), routing (the curve, APGR, the oracle share for 95 %), error type, and the learning
 * curve of the online schedule. The protocol is in bench/README.md; the counting is bench/meta-eval.js.
 *
 *   npm run bench:meta                                         # build, then bench/results/meta.json + meta.png + meta-rows.jsonl
 *   node bench/meta.js --rows bench/results/meta-rows.jsonl    # the figures again from collected rows
 *
 * Options: --train-questions N (all), --test-questions N (all; fewer only to check the harness), --seed N (18), --threads N, --oracle-model PATH,
 * --first-retrain N (32), --retrain-every N (8), --rows FILE, --out FILE (bench/results/meta.json).
 */

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');

const { load, machine, cpu } = require('./host');
const { startOracleServer } = require('./server-process');
const day = require('./ask-day');
const metaEval = require('./meta-eval');
const { plotMeta } = require('./meta-plot');

const root = path.resolve(__dirname, '..');
const dist = (rel) => path.join(root, 'dist', rel);
const GOALS = JSON.parse(fs.readFileSync(path.join(__dirname, 'meta.goals.json'), 'utf8'));
const MODEL = path.join(root, 'models', 'default.gguf');

function log(msg) {
  process.stderr.write(`[bench:meta] ${msg}\n`);
}

function options() {
  const { values } = parseArgs({
    options: {
      'train-questions': { type: 'string' },
      'test-questions': { type: 'string' },
      seed: { type: 'string', default: '18' },
      threads: { type: 'string' },
      'oracle-model': { type: 'string', default: path.join(root, 'models', 'oracle.gguf') },
      'first-retrain': { type: 'string', default: '32' },
      'retrain-every': { type: 'string', default: '8' },
      rows: { type: 'string' },
      out: { type: 'string', default: path.join(__dirname, 'results', 'meta.json') },
    },
  });
  const int = (name, min) => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min} (got ${values[name]})`);
    return n;
  };
  return {
    trainQuestions: values['train-questions'] === undefined ? null : int('train-questions', 1),
    testQuestions: values['test-questions'] === undefined ? null : int('test-questions', 1),
    seed: int('seed', 0),
    threads: values.threads === undefined ? Math.max(1, Math.min(4, os.availableParallelism?.() ?? 2)) : int('threads', 1),
    oracleModel: path.resolve(values['oracle-model']),
    firstRetrain: int('first-retrain', 1),
    retrainEvery: int('retrain-every', 1),
    rows: values.rows === undefined ? null : path.resolve(values.rows),
    out: path.resolve(values.out),
  };
}

/** The compiled library's parts; a clear message when it is not built. */
function library() {
  let meta;
  let cascade;
  try {
    meta = require(dist('meta'));
    cascade = require(dist('cascade'));
  } catch (err) {
    throw new Error(`dist/ cannot be loaded (${err.message.split('\n')[0]}): run npm run build`);
  }
  if (typeof meta.predictionRejectionRatio !== 'function' || typeof meta.TextRouter !== 'function') throw new Error('dist/meta has no evaluation or baselines: run npm run build');
  let trainMetaLearner = meta.trainMetaLearner ?? null;
  if (!trainMetaLearner && fs.existsSync(dist('meta/learner.js'))) trainMetaLearner = require(dist('meta/learner')).trainMetaLearner ?? null;
  const optional = (rel, name) => meta[name] ?? (fs.existsSync(dist(`${rel}.js`)) ? require(dist(rel))[name] ?? null : null);
  return {
    meta,
    // the online trainer's own step and store, and the learner's reader, once merged (src/meta/online.ts, learner-store.ts, learner.ts)
    online: { retrain: optional('meta/online', 'retrain'), LearnerStore: optional('meta/learner-store', 'LearnerStore'), loadMetaLearner: optional('meta/learner', 'loadMetaLearner') },
    Cascade: cascade.Cascade,
    createOracle: cascade.createOracle,
    trainMetaLearner,
    loadModel: require(dist('index')).loadModel,
    normaliseAnswer: require(dist('loom/judge')).normaliseAnswer,
    plot: require(dist('loom/plot')),
    createRng: require(dist('util/prng')).createRng,
    evalLib: { evaluation: meta, baselines: meta, ERROR_TYPES: meta.ERROR_TYPES },
  };
}

function readJsonl(file) {
  return day.parseJsonl(fs.readFileSync(file, 'utf8'), path.relative(root, file));
}

/** What counts as right for each fact id: its answers, or its frame's claim or statements filled in (bench/ask.js's rule). */
function rightFormsById() {
  const facts = readJsonl(path.join(root, 'models', 'default.facts.jsonl'));
  const domain = JSON.parse(fs.readFileSync(path.join(root, 'models', 'default.domain.json'), 'utf8'));
  const frames = new Map((domain.frames ?? []).map((f) => [f.id, f]));
  return new Map(facts.map((f) => [f.id, day.rightForms(f, frames.get(f.frame) ?? null)]));
}

/** `cogito serve` on the oracle model, on loopback (bench/ask.js's way); the oracle is required here. */
async function startOracle(o, lib, work) {
  if (!fs.existsSync(o.oracleModel)) throw new Error(`${path.relative(root, o.oracleModel)} is missing: the routing figures need the oracle model`);
  const { server, oracle } = await startOracleServer({ root, model: o.oracleModel, createOracle: lib.createOracle, logFile: path.join(work, 'oracle.log') });
  log(`oracle: ${oracle.describe}`);
  return { server, oracle, note: `cogito serve --model ${path.relative(root, o.oracleModel)} --no-sidecar on loopback (${oracle.describe})` };
}

/** A cascade on its own fresh VKS and feedback buffer in `work`, wrapped in the recorder `cogito ask` uses. */
async function openRecorder(lib, o, oracle, work, name) {
  const cascade = await lib.Cascade.open({
    model: MODEL,
    sidecar: path.join(root, 'sidecars', 'default.gguf'),
    vks: path.join(work, `${name}.vks.db`),
    corpus: path.join(root, 'models', 'default.corpus.jsonl'),
    domain: path.join(root, 'models', 'default.domain.json'),
    oracle,
    repair: true,
    threads: o.threads,
  });
  const buffer = lib.meta.FeedbackBuffer.open(path.join(work, `${name}.feedback.db`));
  return { cascade, buffer, recorder: new lib.meta.FeedbackRecorder(cascade, buffer) };
}

async function closeRecorder({ cascade, buffer }) {
  buffer.close();
  await cascade.close();
}

/** The test split: every held-out question through the cascade, then the oracle asked it directly. */
async function collectTest(lib, o, oracle, work, forms) {
  const heldOut = readJsonl(path.join(root, 'models', 'default.heldout.jsonl')).slice(0, o.testQuestions ?? undefined);
  const r = await openRecorder(lib, o, oracle, work, 'test');
  const rows = [];
  const errors = [];
  try {
    for (const [k, h] of heldOut.entries()) {
      const f = forms.get(h.id);
      if (!f) throw new Error(`held-out question ${h.id} has no fact in models/default.facts.jsonl`);
      let rec;
      try {
        rec = await r.recorder.ask(h.question);
      } catch (err) {
        errors.push({ id: h.id, stage: 'cascade', error: `${err.code ?? err.name}: ${err.message}` });
        continue;
      }
      if (!rec.signals) throw new Error('the cascade answered without signals: is the sidecar missing?');
      let oracleAnswer = null;
      let oracleError = null;
      try {
        oracleAnswer = (await oracle.ask({ question: h.question, errorType: 'refusal' })).text;
      } catch (err) {
        oracleError = `${err.code ?? err.name}: ${err.message}`;
        errors.push({ id: h.id, stage: 'oracle', error: oracleError });
      }
      rows.push({
        kind: 'test',
        id: h.id,
        question: h.question,
        bucket: h.bucket,
        answer_id: rec.result.id,
        status: rec.result.status,
        draft: rec.result.draft,
        draft_right: day.isRight(rec.result.draft, f, lib.normaliseAnswer),
        signals: Array.from(lib.meta.signalsVector(rec.signals)),
        oracle_answer: oracleAnswer,
        oracle_right: oracleAnswer !== null && day.isRight(oracleAnswer, f, lib.normaliseAnswer),
        oracle_error: oracleError,
      });
      if ((k + 1) % 100 === 0) log(`test: ${k + 1}/${heldOut.length}`);
    }
    // labels once every answer is in: the buffer's true confidence and error type per answer
    const labels = new Map(r.buffer.trainingRows().map((t) => [t.answerId, t]));
    for (const row of rows) {
      const t = labels.get(row.answer_id);
      row.true_confidence = t ? t.confidence : null;
      row.error_type = t ? t.errorType : null;
      row.outcomes = t ? t.outcomes : 0;
    }
  } finally {
    await closeRecorder(r);
  }
  return { rows, errors };
}

/** An outcome as the rows file keeps it: enough to record it again, with the answer's signals, in a replay of the bootstrap. */
function outcomeRecord(o) {
  return { claim: o.claim, source: o.source, verdict: o.verdict, error_type: o.errorType, signals_version: o.signalsVersion };
}

/** The training split: a seeded bootstrap over the sidecar-train questions, recording the buffer's outcome count after each. */
async function collectTrain(lib, o, oracle, work, forms) {
  const all = readJsonl(path.join(root, 'models', 'default.sidecar-train.jsonl'));
  const order = lib.createRng(o.seed).shuffle(all).slice(0, o.trainQuestions ?? all.length);
  const r = await openRecorder(lib, o, oracle, work, 'train');
  const questions = [];
  const errors = [];
  try {
    for (const [k, q] of order.entries()) {
      try {
        const rec = await r.recorder.ask(q.question);
        const f = forms.get(q.id) ?? q.answers;
        questions.push({ kind: 'train-question', i: k, id: q.id, question: q.question, bucket: q.bucket, answer_id: rec.result.id, status: rec.result.status, draft_right: day.isRight(rec.result.draft, f, lib.normaliseAnswer), outcomes_after: r.buffer.count(), labelled_after: r.buffer.trainingRows().length, outcomes: rec.outcomes.map(outcomeRecord) });
      } catch (err) {
        errors.push({ id: q.id, stage: 'cascade', error: `${err.code ?? err.name}: ${err.message}` });
      }
      if ((k + 1) % 100 === 0) log(`train: ${k + 1}/${order.length}, ${r.buffer.count()} outcomes`);
    }
    const trainRows = r.buffer.trainingRows().map((t) => ({ kind: 'train-row', ...t, signals: Array.from(t.signals) }));
    return { questions, trainRows, errors };
  } finally {
    await closeRecorder(r);
  }
}

/** Reads a rows file written by an earlier run. */
function readRows(file) {
  const lines = readJsonl(file);
  const header = lines.find((l) => l.kind === 'header');
  if (!header) throw new Error(`${file} has no header line: not a bench/meta.js rows file`);
  return {
    header,
    test: lines.filter((l) => l.kind === 'test'),
    questions: lines.filter((l) => l.kind === 'train-question'),
    trainRows: lines.filter((l) => l.kind === 'train-row'),
  };
}

/** Rows as bench/meta-eval.js and the learner read them. */
function asTestRows(test) {
  return test.map((t) => ({
    question: t.question,
    signals: Float32Array.from(t.signals),
    verdictRight: t.true_confidence === null ? null : t.true_confidence >= 0.5,
    truthRight: t.draft_right,
    qualitySelf: t.draft_right ? 1 : 0,
    qualityOracle: t.oracle_right ? 1 : 0,
    errorType: t.error_type,
  }));
}

function asTrainingRows(trainRows) {
  return trainRows.map(({ kind: _kind, ...t }) => ({ ...t, signals: Float32Array.from(t.signals) }));
}

function share(xs, pred) {
  return xs.length ? metaEval.round(xs.filter(pred).length / xs.length) : null;
}

/** Counts and accuracies of the collected data. */
function dataSummary(test, questions, trainRows, errors) {
  const byBucket = {};
  for (const t of test) {
    const b = (byBucket[t.bucket] ??= { n: 0, labelled: 0, draft_right: 0, oracle_right: 0, verdict_right: 0 });
    b.n++;
    if (t.true_confidence !== null) b.labelled++;
    if (t.true_confidence !== null && t.true_confidence >= 0.5) b.verdict_right++;
    if (t.draft_right) b.draft_right++;
    if (t.oracle_right) b.oracle_right++;
  }
  const count = (xs, key) => xs.reduce((m, x) => ((m[x[key]] = (m[x[key]] ?? 0) + 1), m), {});
  return {
    test_questions: test.length,
    test_labelled: test.filter((t) => t.true_confidence !== null).length,
    test_verdict_right_share: share(test.filter((t) => t.true_confidence !== null), (t) => t.true_confidence >= 0.5),
    test_draft_accuracy: share(test, (t) => t.draft_right),
    test_oracle_accuracy: share(test, (t) => t.oracle_right),
    // how often the verdict label agrees with the ground truth on labelled test answers
    verdict_truth_agreement: share(test.filter((t) => t.true_confidence !== null), (t) => (t.true_confidence >= 0.5) === t.draft_right),
    test_statuses: count(test, 'status'),
    test_error_types: count(test.filter((t) => t.error_type !== null), 'error_type'),
    test_by_bucket: byBucket,
    oracle_errors: test.filter((t) => t.oracle_error).length,
    train_questions: questions.length,
    train_outcomes: questions.length ? questions[questions.length - 1].outcomes_after : 0,
    train_rows: trainRows.length,
    train_right_share: share(trainRows, (t) => t.confidence >= 0.5),
    train_routes: count(trainRows, 'route'),
    train_error_types: count(trainRows, 'errorType'),
    errors,
  };
}

async function baseFingerprint(lib) {
  const model = await lib.loadModel(MODEL);
  try {
    return model.info.fingerprint;
  } finally {
    await model.dispose();
  }
}

/** The online schedule, run here: a learner per retrain point on the rows so far, each scored on the test split. */
async function learningCurve(lib, o, collected, testRows, trainOptions) {
  const points = metaEval.retrainPoints(collected.questions.map((q) => q.labelled_after), o.firstRetrain, o.retrainEvery);
  const asked = collected.questions.map((q) => q.answer_id);
  const trainingRows = asTrainingRows(collected.trainRows);
  const out = [];
  const started = Date.now();
  for (const [k, p] of points.entries()) {
    const rows = metaEval.rowsAsOf(trainingRows, asked, p.after);
    const point = { questions: p.after + 1, labelled: p.outcomes, outcomes: collected.questions[p.after].outcomes_after, rows: rows.length };
    try {
      const { learner } = await lib.trainMetaLearner(rows, trainOptions);
      try {
        out.push(metaEval.learningPoint(lib.evalLib, testRows, learner.predictMany(testRows.map((t) => t.signals)), point));
      } finally {
        learner.dispose();
      }
    } catch (err) {
      out.push({ ...point, error: `${err.code ?? err.name}: ${err.message}` });
    }
    if ((k + 1) % 10 === 0) log(`learning curve: ${k + 1}/${points.length} retrains (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  }
  return out;
}

/**
 * The bootstrap replayed through the online trainer's own step (src/meta/online.ts `retrain`, with a
 * real LearnerStore in a temporary folder): each training answer's recorded outcomes are written
 * again, in asking order, to a fresh buffer, and `retrain` is called after each answer (it trains
 * only when its schedule says so). After each version: the figures on the test split of the learner
 * installed as current, and of the candidate just trained.
 */
async function onlineLearningCurve(lib, o, collected, testRows, baseFingerprint) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cogito-bench-meta-online-'));
  const buffer = lib.meta.FeedbackBuffer.open(path.join(work, 'feedback.db'));
  const store = new lib.online.LearnerStore(path.join(work, 'meta'));
  const signalsOf = new Map(collected.trainRows.map((t) => [t.answerId, t]));
  const figuresOf = async (file) => {
    const learner = await lib.online.loadMetaLearner(file, { baseFingerprint });
    try {
      return metaEval.learningPoint(lib.evalLib, testRows, learner.predictMany(testRows.map((t) => t.signals)), {});
    } finally {
      learner.dispose();
    }
  };
  const out = [];
  const started = Date.now();
  try {
    for (const q of collected.questions) {
      const row = signalsOf.get(q.answer_id);
      if (q.outcomes.length > 0 && row) {
        buffer.recordAll(q.outcomes.map((x) => ({ answerId: q.answer_id, question: q.question, claim: x.claim, source: x.source, verdict: x.verdict, errorType: x.error_type, signals: { vector: row.signals, version: row.signalsVersion } })));
      }
      const r = await lib.online.retrain({ buffer, store, train: lib.trainMetaLearner, load: lib.online.loadMetaLearner, baseFingerprint, seed: o.seed });
      if (r.status !== 'trained') continue;
      const v = r.version;
      const current = store.current();
      const candidate = await figuresOf(store.pathOf(v));
      const installed = current.version === v.version ? candidate : await figuresOf(store.pathOf(current));
      out.push({ questions: q.i + 1, labelled: v.rows, outcomes: q.outcomes_after, version: v.version, accepted: v.accepted, current: current.version, ...stripEmpty(installed), candidate: stripEmpty(candidate) });
      if (out.length % 10 === 0) log(`online replay: ${out.length} versions (${((Date.now() - started) / 1000).toFixed(0)} s)`);
    }
  } finally {
    buffer.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
  return out;
}

function stripEmpty(point) {
  const { auroc, ece, auroc_truth, apgr } = point;
  return { auroc, ece, auroc_truth, apgr };
}

async function main() {
  const o = options();
  const lib = library();
  const started = new Date();
  const loadBefore = load();
  const forms = rightFormsById();
  let collected;
  let oracleNote = null;
  if (o.rows) {
    collected = { ...readRows(o.rows), errors: [] };
    oracleNote = collected.header.oracle;
    log(`rows from ${path.relative(root, o.rows)}: ${collected.test.length} test, ${collected.trainRows.length} training rows`);
  } else {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cogito-bench-meta-'));
    const { server, oracle, note } = await startOracle(o, lib, work);
    oracleNote = note;
    try {
      const t0 = Date.now();
      const test = await collectTest(lib, o, oracle, work, forms);
      log(`test split: ${test.rows.length} questions in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
      const t1 = Date.now();
      const train = await collectTrain(lib, o, oracle, work, forms);
      log(`training split: ${train.questions.length} questions, ${train.trainRows.length} labelled rows in ${((Date.now() - t1) / 1000).toFixed(0)} s`);
      collected = { header: { kind: 'header', seed: o.seed, oracle: note, date: started.toISOString() }, test: test.rows, questions: train.questions, trainRows: train.trainRows, errors: [...test.errors, ...train.errors] };
    } finally {
      await server.stop();
      fs.rmSync(work, { recursive: true, force: true });
    }
    const rowsFile = o.out.replace(/\.json$/, '-rows.jsonl');
    fs.mkdirSync(path.dirname(rowsFile), { recursive: true });
    fs.writeFileSync(rowsFile, [collected.header, ...collected.test, ...collected.questions, ...collected.trainRows].map((l) => JSON.stringify(l)).join('\n') + '\n');
    log(`wrote ${path.relative(root, rowsFile)}`);
  }

  const testRows = asTestRows(collected.test);
  const trainingRows = asTrainingRows(collected.trainRows);
  const textRouter = lib.meta.TextRouter.train(trainingRows.map((t) => ({ question: t.question, target: t.confidence })));
  let metaPredictions = null;
  let learnerNote;
  let learnerMetrics = null;
  let curve = [];
  let schedule = null;
  if (lib.trainMetaLearner) {
    const fingerprint = await baseFingerprint(lib);
    const trainOptions = { baseFingerprint: fingerprint, seed: o.seed };
    const t0 = Date.now();
    const { learner, metrics } = await lib.trainMetaLearner(trainingRows, trainOptions);
    try {
      metaPredictions = learner.predictMany(testRows.map((t) => t.signals));
      learnerMetrics = metrics;
    } finally {
      learner.dispose();
    }
    learnerNote = `trainMetaLearner on ${trainingRows.length} training rows, default options, seed ${o.seed} (${((Date.now() - t0) / 1000).toFixed(1)} s)`;
    const t1 = Date.now();
    const online = lib.online.retrain && lib.online.LearnerStore && lib.online.loadMetaLearner && collected.questions.every((q) => Array.isArray(q.outcomes));
    if (online) {
      curve = await onlineLearningCurve(lib, o, collected, testRows, fingerprint);
      schedule = 'the online trainer\'s own step (src/meta/online.ts retrain, a real LearnerStore) called after each training answer replayed in asking order: it trains when due (32 labelled answers, then every 8 more), on the rows outside its validation slice, and installs a version only when not worse on the slice; each point is the installed learner on the test split (the candidate\'s figures beside it)';
    } else {
      curve = await learningCurve(lib, o, collected, testRows, trainOptions);
      schedule = `first at ${o.firstRetrain} labelled answers, then every ${o.retrainEvery} more; run by bench/meta.js with trainMetaLearner on all rows so far (the online trainer was not available)`;
    }
    log(`learning curve: ${curve.length} retrains in ${((Date.now() - t1) / 1000).toFixed(0)} s`);
  } else {
    learnerNote = 'NO META-LEARNER: dist/meta exports no trainMetaLearner (src/meta/learner.ts not merged yet): the meta figures are null';
    log(learnerNote);
  }

  const table = metaEval.evaluate(lib.evalLib, { test: testRows, metaPredictions, textRouter, trainRows: trainingRows, goals: GOALS });
  const result = {
    ...table.figures,
    goals_met: table.goals_met,
    goals: GOALS,
    baselines: table.baselines,
    meta_ground_truth: table.ground_truth.meta ?? null,
    ground_truth: table.ground_truth,
    verdict_labelled: table.verdict_labelled,
    routing: {
      quality_self: table.routing.quality_self,
      quality_oracle: table.routing.quality_oracle,
      random_apgr: table.routing.random_apgr,
      perfect_apgr: table.routing.by_score.perfect.apgr,
      perfect_oracle_share_at_95: table.routing.by_score.perfect.oracle_share_at_95,
      route_head: table.routing.route_head,
      curves: Object.fromEntries(Object.entries(table.routing.by_score).map(([k, v]) => [k, v.curve])),
    },
    error_type: table.error_type,
    learning_curve: { schedule, points: curve },
    learner: { note: learnerNote, validation_metrics: learnerMetrics },
    data: dataSummary(collected.test, collected.questions, collected.trainRows, collected.errors),
    text_router: { vocabulary: textRouter.model.vocabulary.length, options: textRouter.model.options },
    oracle: oracleNote,
    model: 'models/default.gguf',
    sidecar: 'sidecars/default.gguf',
    seed: o.seed,
    threads: o.threads,
    host: { machine: machine(), cpu: cpu().model, load_before: loadBefore, load_after: load() },
    date: started.toISOString(),
    // when the rows were collected (the cascade runs); `date` is when these figures were computed
    collected_at: collected.header.date ?? null,
    wall_s: Number(((Date.now() - started.getTime()) / 1000).toFixed(1)),
    command: ['node', 'bench/meta.js', ...process.argv.slice(2)].join(' '),
  };
  fs.mkdirSync(path.dirname(o.out), { recursive: true });
  fs.writeFileSync(o.out, `${JSON.stringify(result, null, 2)}\n`);
  const png = o.out.replace(/\.json$/, '.png');
  fs.writeFileSync(png, plotMeta(lib.plot, { routing: { curves: result.routing.curves }, learning: curve.filter((p) => !p.error) }));
  log(`wrote ${path.relative(root, o.out)} and ${path.relative(root, png)}`);
  const brief = { ...table.figures, goals_met: table.goals_met, baselines: Object.fromEntries(Object.entries(table.baselines).map(([k, v]) => [k, { auroc: v.auroc, prr: v.prr, ece: v.ece, apgr: v.apgr }])) };
  process.stdout.write(`${JSON.stringify(brief, null, 2)}\n`);
}

main().catch((err) => {
  process.stderr.write(`[bench:meta] ${err.stack ?? err}\n`);
  process.exit(1);
});
