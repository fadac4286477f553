'use strict';
/**
 * Verification benchmark (issue 5), not a test:
 *  - time to verify each argument of the library (target: <= 1 s each), median of 5 warm runs;
 *  - Z3 in-process (z3-solver, WebAssembly) against the native `z3` binary (Debian package
 *    `z3`) on exactly the same SMT-LIB2 scripts, those the library's verification sends, as
 *    a ratio of total time, both cold per script (a fresh context / a fresh process, as cogito
 *    runs them), and both in one long-lived session (solving only, (reset) between scripts);
 *  - the VKS lookup p99 at 100,000 records, from bench/results/vks.json (or measured now).
 *
 *   node bench/verify.js            # writes bench/results/verify.json
 */
const fs = require('node:fs');
const path = require('node:path');

const { loadSource } = require('./load-source');

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const portfolio = loadSource('logic/smt/portfolio');
  const logic = loadSource('logic/index');
  const { binaryVersion } = loadSource('logic/smt/process');
  const RUNS = 5;

  // Every script the library's verification sends (first run of each argument), captured on the way to the solvers.
  const firstRun = [];
  let capturing = false;
  const solve = portfolio.solve;
  portfolio.solve = (script, opts) => {
    if (capturing) firstRun.push(script);
    return solve(script, opts);
  };
  const args = [...logic.ARGUMENTS, ...logic.INVALID_ARGUMENTS];
  await logic.verifyArgument(args[0]); // Z3's wasm start-up (about a second) is not a verification
  const perArgument = [];
  for (const arg of args) {
    const times = [];
    let verdict = '';
    for (let i = 0; i < RUNS; i++) {
      capturing = i === 0;
      const t0 = performance.now();
      verdict = (await logic.verifyArgument(arg)).verdict;
      times.push(performance.now() - t0);
    }
    capturing = false;
    perArgument.push({ id: arg.id, logic: arg.logic, verdict, median_ms: +median(times).toFixed(1), max_ms: +Math.max(...times).toFixed(1) });
    process.stdout.write(`${arg.id.padEnd(26)} ${verdict.padEnd(12)} median ${median(times).toFixed(1)} ms\n`);
  }
  portfolio.solve = solve;

  let native = null;
  const nativeVersion = binaryVersion('z3-native');
  if (nativeVersion) {
    const time = async (solver) => {
      const t0 = performance.now();
      const statuses = [];
      for (const s of firstRun) statuses.push((await solve(s, { solvers: [solver], timeoutMs: 10000 })).status);
      return { ms: performance.now() - t0, statuses };
    };
    await time('z3'); // warm both once
    await time('z3-native');
    const wasmRuns = [];
    const nativeRuns = [];
    let agree = true;
    for (let i = 0; i < 3; i++) {
      const a = await time('z3');
      const b = await time('z3-native');
      wasmRuns.push(a.ms);
      nativeRuns.push(b.ms);
      agree &&= a.statuses.every((s, k) => s === b.statuses[k]);
    }
    // The same scripts in one long-lived session each ((reset) between them): solving only,
    // without a process or context start per script.
    const { openProcessSession } = loadSource('logic/smt/process');
    const { openZ3Session } = loadSource('logic/smt/z3wasm');
    const inOneSession = async (session) => {
      const t0 = performance.now();
      for (const s of firstRun) await session.run(`${s}\n(check-sat)\n(reset)`);
      const ms = performance.now() - t0;
      session.close();
      return ms;
    };
    const wasmHot = [];
    const nativeHot = [];
    for (let i = 0; i < 3; i++) {
      wasmHot.push(await inOneSession(await openZ3Session(10000)));
      nativeHot.push(await inOneSession(openProcessSession('z3-native', 10000)));
    }
    native = {
      binary: nativeVersion,
      one_session: {
        z3_solver_wasm_ms: +median(wasmHot).toFixed(1),
        z3_native_ms: +median(nativeHot).toFixed(1),
        ratio_wasm_over_native: +(median(wasmHot) / median(nativeHot)).toFixed(2),
      },
      scripts: firstRun.length,
      z3_solver_wasm_ms: +median(wasmRuns).toFixed(1),
      z3_native_ms: +median(nativeRuns).toFixed(1),
      ratio_wasm_over_native: +(median(wasmRuns) / median(nativeRuns)).toFixed(2),
      same_answers: agree,
    };
    process.stdout.write(
      `z3-solver (wasm) ${native.z3_solver_wasm_ms} ms vs native ${native.z3_native_ms} ms on ${firstRun.length} scripts: ratio ${native.ratio_wasm_over_native}` +
        `; in one session each: ${native.one_session.z3_solver_wasm_ms} vs ${native.one_session.z3_native_ms} ms, ratio ${native.one_session.ratio_wasm_over_native}\n`,
    );
  } else process.stdout.write('no native z3 binary on PATH (apt-get install z3): ratio not measured\n');

  let vks;
  const vksFile = path.join(__dirname, 'results', 'vks.json');
  if (fs.existsSync(vksFile)) vks = { ...JSON.parse(fs.readFileSync(vksFile, 'utf8')), source: 'bench/results/vks.json' };
  else vks = { ...(await require('./vks-lookup').measureVksLookup()), source: 'measured now' };

  const result = {
    date: new Date().toISOString(),
    solvers: logic.solverNote(),
    arguments: perArgument,
    argument_target_ms: 1000,
    arguments_within_target: perArgument.filter((a) => a.median_ms <= 1000).length,
    slowest_argument: perArgument.reduce((a, b) => (b.median_ms > a.median_ms ? b : a)),
    z3_wasm_vs_native: native,
    vks_lookup: { records: vks.records, p50_ms: vks.p50_ms, p99_ms: vks.p99_ms, target_p99_ms: 1, source: vks.source },
  };
  fs.mkdirSync(path.join(__dirname, 'results'), { recursive: true });
  fs.writeFileSync(path.join(__dirname, 'results', 'verify.json'), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`VKS p99 ${vks.p99_ms} ms at ${vks.records} records; wrote bench/results/verify.json\n`);
  await logic.shutdownZ3();
}

main().catch((err) => {
  process.stderr.write(`${err.stack || err}\n`);
  process.exit(1);
});
