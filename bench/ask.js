#!/usr/bin/env node
'use strict';
/**
 * The verified answer, measured (issue 17): the Philosopher Engine's table (every
 * bench/suites/*.jsonl through the cascade), a day of use (Zipf-drawn held-out questions against a
 * fresh VKS, the oracle a real `cogito serve --model models/oracle.gguf` on loopback) and the
 * latencies. The rules of every figure are in bench/README.md; the counting is bench/ask-day.js.
 *
 *   npm run bench:ask                       # npm run build, then this: bench/results/ask.json + ask.png
 *   node bench/ask.js --questions 100       # a shorter day
 *
 * Runs over the compiled library (dist/). Options: --questions N (500), --window N (50), --seed N
 * (17), --threads N, --oracle-model PATH (models/oracle.gguf), --suites DIR (bench/suites),
 * --skip-suites, --skip-day, --out FILE (bench/results/ask.json).
 */

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');

const { load, machine, cpu } = require('./host');
const { startOracleServer } = require('./server-process');
const day = require('./ask-day');
const { plotDay } = require('./ask-plot');

const root = path.resolve(__dirname, '..');
const dist = (rel) => path.join(root, 'dist', rel);
const GOALS = JSON.parse(fs.readFileSync(path.join(__dirname, 'ask.goals.json'), 'utf8'));

function log(msg) {
  process.stderr.write(`[bench:ask] ${msg}\n`);
}

function options() {
  const { values } = parseArgs({
    options: {
      questions: { type: 'string', default: '500' },
      window: { type: 'string', default: '50' },
      seed: { type: 'string', default: '17' },
      threads: { type: 'string' },
      'oracle-model': { type: 'string', default: path.join(root, 'models', 'oracle.gguf') },
      suites: { type: 'string', default: path.join(__dirname, 'suites') },
      'skip-suites': { type: 'boolean', default: false },
      'skip-day': { type: 'boolean', default: false },
      out: { type: 'string', default: path.join(__dirname, 'results', 'ask.json') },
    },
  });
  const int = (name, min) => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min} (got ${values[name]})`);
    return n;
  };
  return {
    questions: int('questions', 1),
    window: int('window', 1),
    seed: int('seed', 0),
    threads: values.threads === undefined ? Math.max(1, Math.min(4, os.availableParallelism?.() ?? 2)) : int('threads', 1),
    oracleModel: path.resolve(values['oracle-model']),
    suites: path.resolve(values.suites),
    skipSuites: values['skip-suites'],
    skipDay: values['skip-day'],
    out: path.resolve(values.out),
  };
}

/** The compiled library's parts this benchmark drives; a clear message when the pipeline is not built. */
function library() {
  let cascade;
  try {
    cascade = require(dist('cascade'));
  } catch (err) {
    throw new Error(`dist/cascade cannot be loaded (${err.message.split('\n')[0]}): run npm run build`);
  }
  if (typeof cascade.Cascade?.open !== 'function') throw new Error('dist/cascade has no Cascade.open: the pipeline is not built (npm run build)');
  const createOracle = cascade.createOracle ?? require(dist('cascade/oracle')).createOracle;
  return {
    Cascade: cascade.Cascade,
    createOracle,
    normaliseAnswer: require(dist('loom/judge')).normaliseAnswer,
    plot: require(dist('loom/plot')),
    createRng: require(dist('util/prng')).createRng,
  };
}

function readJsonl(file) {
  return day.parseJsonl(fs.readFileSync(file, 'utf8'), path.relative(root, file));
}

/** The world's files beside the default model; each must be there. */
function world() {
  const at = (name) => {
    const p = path.join(root, 'models', name);
    if (!fs.existsSync(p)) throw new Error(`${path.relative(root, p)} is missing: the day of use draws its questions from it (npm run model:default writes it)`);
    return p;
  };
  const facts = readJsonl(at('default.facts.jsonl'));
  const heldOut = readJsonl(at('default.heldout.jsonl'));
  const domain = JSON.parse(fs.readFileSync(at('default.domain.json'), 'utf8'));
  const frames = new Map((domain.frames ?? []).map((f) => [f.id, f]));
  return { pool: day.heldOutFacts(facts, heldOut), frames };
}

/** `cogito serve` on the oracle model, on loopback; null (and why) when the model is absent. */
async function startOracle(o, lib, work) {
  if (!fs.existsSync(o.oracleModel)) {
    log(`NO ORACLE: ${path.relative(root, o.oracleModel)} is absent, so the day runs without one (oracle figures null; undecided claims stay UNVERIFIED)`);
    return { server: null, oracle: null, note: `${path.relative(root, o.oracleModel)} absent: run without an oracle` };
  }
  const { server, oracle } = await startOracleServer({ root, model: o.oracleModel, createOracle: lib.createOracle, logFile: path.join(work, 'oracle.log') });
  log(`oracle: ${oracle.describe}`);
  return { server, oracle, note: `cogito serve --model ${path.relative(root, o.oracleModel)} on loopback (${oracle.describe})` };
}

async function openCascade(lib, o, vks, oracle) {
  return lib.Cascade.open({
    model: path.join(root, 'models', 'default.gguf'),
    sidecar: path.join(root, 'sidecars', 'default.gguf'),
    vks,
    corpus: path.join(root, 'models', 'default.corpus.jsonl'),
    domain: path.join(root, 'models', 'default.domain.json'),
    oracle,
    repair: true,
    threads: o.threads,
  });
}

/** Asks and times one question; a throw is recorded as status ERROR, never ends the run. */
async function timedAsk(cascade, question) {
  const t = performance.now();
  try {
    const result = await cascade.ask(question);
    return { result, ms: performance.now() - t, error: null };
  } catch (err) {
    const result = { status: 'ERROR', draft: '', final: '', claims: [], oracle_calls: 0, formal: null };
    return { result, ms: performance.now() - t, error: `${err.code ?? err.name}: ${err.message}` };
  }
}

/** Every suite file, each on its own fresh VKS: met / total against its goal. */
async function runSuites(lib, o, oracle, work) {
  const files = fs.existsSync(o.suites) ? fs.readdirSync(o.suites).filter((f) => f.endsWith('.jsonl')).sort() : [];
  if (files.length === 0) log(`no suites in ${path.relative(root, o.suites)}`);
  const out = {};
  for (const file of files) {
    const name = file.replace(/\.jsonl$/, '');
    const lines = readJsonl(path.join(o.suites, file));
    const cascade = await openCascade(lib, o, path.join(work, `suite-${name}.vks.db`), oracle);
    const misses = [];
    let met = 0;
    const ms = [];
    try {
      for (const line of lines) {
        const { result, ms: took, error } = await timedAsk(cascade, line.question);
        ms.push(took);
        const unmet = error ? [`error: ${error}`] : day.unmetExpectations(result, line.expect ?? {});
        if (unmet.length === 0) met++;
        else misses.push({ id: line.id, question: line.question, status: result.status, final: result.final, unmet });
      }
    } finally {
      await cascade.close();
    }
    const goal = GOALS.suites[name] ?? null;
    out[name] = { met, total: lines.length, goal: goal?.goal ?? null, goal_total: goal?.total ?? null, goal_met: goal ? met >= goal.goal : null, what: goal?.what ?? null, latency: day.latency(ms), misses };
    log(`suite ${name}: ${met}/${lines.length} met${goal ? ` (goal ${goal.goal}/${goal.total})` : ' (no goal listed in bench/ask.goals.json)'}`);
  }
  return out;
}

/** The day of use: drawn questions in order, one cascade, one fresh VKS. */
async function runDay(lib, o, oracle, work) {
  const { pool, frames } = world();
  const rng = lib.createRng(o.seed);
  const drawn = day.drawDay(pool, o.questions, () => rng.next());
  log(`a day of use: ${o.questions} questions over ${pool.length} held-out facts (seed ${o.seed}), ${new Set(drawn.map((d) => d.fact.id)).size} distinct`);
  const cascade = await openCascade(lib, o, path.join(work, 'day.vks.db'), oracle);
  const records = [];
  const errors = [];
  try {
    for (const d of drawn) {
      const { result, ms, error } = await timedAsk(cascade, d.fact.question);
      if (error) errors.push({ i: d.index + 1, id: d.fact.id, error });
      records.push(day.dayRecord(d, result, ms, day.rightForms(d.fact, frames.get(d.fact.frame) ?? null), lib.normaliseAnswer));
      if (records.length % o.window === 0) {
        const w = day.windows(records, o.window).at(-1);
        log(`${records.length}/${o.questions}: window hit rate ${w.vks_hit_rate}, accuracy ${w.final_accuracy}, oracle/claim ${w.oracle_claim_rate}`);
      }
    }
  } finally {
    await cascade.close();
  }
  return { records, errors, pool: pool.length };
}

/** Each goal of bench/ask.goals.json's `day` against the figure: true, false, or null when not measured. */
function goalsMet(figures) {
  const out = {};
  for (const [key, rule] of Object.entries(GOALS.day)) {
    const v = figures[key];
    out[key] = v === null || v === undefined ? null : 'at_least' in rule ? v >= rule.at_least : v <= rule.at_most;
  }
  return out;
}

async function main() {
  const o = options();
  const lib = library();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cogito-bench-ask-'));
  const started = new Date();
  const loadBefore = load();
  const { server, oracle, note } = await startOracle(o, lib, work);
  let suites = null;
  let dayRun = null;
  try {
    if (!o.skipSuites) suites = await runSuites(lib, o, oracle, work);
    if (!o.skipDay) dayRun = await runDay(lib, o, oracle, work);
  } finally {
    await server?.stop();
  }
  const s = dayRun ? day.summariseDay(dayRun.records, o.window) : null;
  const figures = {
    vks_hit_rate_500: s && o.questions >= 500 ? day.windows(dayRun.records.slice(0, 500), o.window).at(-1)?.vks_hit_rate ?? null : null,
    repair_success: s?.repair_success ?? null,
    oracle_claim_rate: oracle ? s?.oracle_claim_rate ?? null : null,
    final_accuracy: s?.final_accuracy ?? null,
    wrong_verified: s?.wrong_verified ?? null,
    right_corrected: s?.right_corrected ?? null,
    p50_vks_hit_ms: s?.latency.vks_hit.p50_ms ?? null,
    p95_vks_hit_ms: s?.latency.vks_hit.p95_ms ?? null,
    p95_vks_hit_check_stage_ms: s?.latency.vks_hit_check_stage.p95_ms ?? null,
    p50_full_ms: s?.latency.full_without_oracle.p50_ms ?? null,
    p95_full_ms: s?.latency.full_without_oracle.p95_ms ?? null,
    p50_oracle_ms: s?.latency.with_oracle.p50_ms ?? null,
    p95_oracle_ms: s?.latency.with_oracle.p95_ms ?? null,
  };
  const result = {
    ...figures,
    goals_met: goalsMet(figures),
    suites,
    day: s ? { ...s, seed: o.seed, window: o.window, pool_facts: dayRun.pool, errors: dayRun.errors } : null,
    oracle: note,
    model: 'models/default.gguf',
    sidecar: 'sidecars/default.gguf',
    threads: o.threads,
    host: { machine: machine(), cpu: cpu().model, load_before: loadBefore, load_after: load() },
    date: started.toISOString(),
    wall_s: Number(((Date.now() - started.getTime()) / 1000).toFixed(1)),
    command: ['node', 'bench/ask.js', ...process.argv.slice(2)].join(' '),
  };
  fs.mkdirSync(path.dirname(o.out), { recursive: true });
  fs.writeFileSync(o.out, `${JSON.stringify(result, null, 2)}\n`);
  log(`wrote ${path.relative(root, o.out)}`);
  if (dayRun) {
    const records = o.out.replace(/\.json$/, '-day.jsonl');
    fs.writeFileSync(records, dayRun.records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const png = o.out.replace(/\.json$/, '.png');
    fs.writeFileSync(png, plotDay(lib.plot, { curve: s.curve, total: dayRun.records.length, goal: GOALS.day.vks_hit_rate_500.at_least, title: `a day of use: ${dayRun.records.length} questions` }));
    log(`wrote ${path.relative(root, records)} and ${path.relative(root, png)}`);
  }
  fs.rmSync(work, { recursive: true, force: true });
  process.stdout.write(`${JSON.stringify({ ...figures, goals_met: result.goals_met, suites: suites && Object.fromEntries(Object.entries(suites).map(([k, v]) => [k, `${v.met}/${v.total}`])) }, null, 2)}\n`);
}

main().catch((err) => {
  process.stderr.write(`[bench:ask] ${err.stack ?? err}\n`);
  process.exit(1);
});
