#!/usr/bin/env node
'use strict';
// Builds llama.cpp's own programs from the same pinned source WITHOUT cogito's patches, into
// build/peers. Parity tests and benchmarks compare cogito against them, so a patch that changes
// results is caught. Skips the build when the binaries are already there for this source.
//
//   node scripts/build-peers.js           the tools the tests need (npm test's pretest)
//   node scripts/build-peers.js --server  llama-server, for bench/serve.js only: the slowest
//                                         target, so CI's pretest does not build it
//   node scripts/build-peers.js --openmp  llama-bench with OpenMP (llama.cpp's default threading),
//                                         in build/peers/build-openmp, for bench/engine.js

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { amxDecision, cmakeArgs } = require('./cpu-amx');

const root = path.resolve(__dirname, '..');
fs.mkdirSync(path.join(root, 'build', 'peers'), { recursive: true });
// The real path: build/ may be a link to the main checkout's, shared by several worktrees, and
// cmake refuses a tree configured through another path (one whose worktree may be gone since)
const peers = fs.realpathSync(path.join(root, 'build', 'peers'));
const src = path.join(peers, 'llama.cpp');
const out = path.join(peers, 'build');
// llama-embedding: ground truth for embeddings; llama-convert-llama2c-to-ggml: llama.cpp's own
// converter, which turns the real llama2.c checkpoint in ../shared/data/models into a GGUF
const targets = ['llama-simple', 'llama-debug', 'llama-eval-callback', 'llama-bench', 'llama-embedding', 'llama-convert-llama2c-to-ggml'];
// The server's target set, with its own stamp, so building it never marks the test tools current.
// No web UI: LLAMA_BUILD_UI=OFF (no npm build) and LLAMA_USE_PREBUILT_UI=OFF (no download), so
// it builds offline and embeds an empty asset table; the API is all a benchmark needs.
const serverTargets = ['llama-server'];
const serverOptions = ['-DLLAMA_BUILD_SERVER=ON', '-DLLAMA_BUILD_UI=OFF', '-DLLAMA_USE_PREBUILT_UI=OFF'];
// The same threading as cogito's build (CMakeLists.txt turns OpenMP off), so a benchmark compares
// the engines and not two thread pools; --openmp builds llama-bench once more with llama.cpp's
// default (OpenMP on) in a tree of its own, the figure a user who builds llama.cpp gets.
const sameThreading = ['-DGGML_OPENMP=OFF'];
const openmpOut = path.join(peers, 'build-openmp');

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write(`cogito: ${cmd} ${args.join(' ')} failed\n`);
    process.exit(1);
  }
}

function bundlePath() {
  const p = path.join(root, 'node_modules', 'node-llama-cpp', 'llama', 'gitRelease.bundle');
  if (!fs.existsSync(p)) {
    process.stderr.write('cogito: node-llama-cpp is not installed (run npm install)\n');
    process.exit(1);
  }
  // the real path: the source stamp records it, and a worktree whose node_modules links to the
  // main checkout's must not count as another bundle (that would re-clone and rebuild everything)
  return fs.realpathSync(p);
}

/** The binary directory a tree's cache was made for, or null when there is no cache. */
function cachedBinaryDir(tree) {
  const cache = path.join(tree, 'CMakeCache.txt');
  if (!fs.existsSync(cache)) return null;
  const line = fs.readFileSync(cache, 'utf8').match(/^CMAKE_CACHEFILE_DIR:INTERNAL=(.*)$/m);
  return line ? line[1] : null;
}

/** Configures a peer tree; `options` override the defaults (later -D wins in cmake). */
function configure(tree, options) {
  const cachedDir = cachedBinaryDir(tree);
  if (cachedDir !== null && cachedDir !== tree) {
    // made through a link (an older script, another worktree): its paths are not this tree's,
    // and cmake stops on it; a fresh cache (objects stay, make recompiles what changed) fixes it
    process.stdout.write(`cogito: the peer tree's cache was made at ${cachedDir}; configuring afresh at ${tree}\n`);
    fs.rmSync(path.join(tree, 'CMakeCache.txt'));
  }
  run('cmake', ['-S', src, '-B', tree, '-DCMAKE_BUILD_TYPE=Release', '-DBUILD_SHARED_LIBS=OFF', '-DLLAMA_CURL=OFF',
    '-DLLAMA_OPENSSL=OFF', '-DLLAMA_BUILD_TESTS=OFF', '-DLLAMA_BUILD_SERVER=OFF',
    `-DCMAKE_PROJECT_INCLUDE=${path.join(root, 'cmake', 'cpu-flags.cmake')}`, ...options]);
}

function main() {
  const server = process.argv.includes('--server');
  const openmp = process.argv.includes('--openmp');
  const kind = server ? 'server' : openmp ? 'openmp' : 'peers';
  const wanted = server ? serverTargets : openmp ? ['llama-bench'] : targets;
  const tree = openmp ? openmpOut : out;
  run('cmake', [`-DBUNDLE=${bundlePath()}`, `-DDEST=${src}`, '-P', path.join(root, 'cmake', 'prepare-llama.cmake')]);
  // the same AMX decision as cogito's own build (scripts/build-native.js), so the peers run the same kernels
  const amx = amxDecision({ buildDir: path.join(root, 'build') });
  const bins = wanted.map((t) => path.join(tree, 'bin', t));
  const stamp = path.join(tree, `${kind}.stamp`);
  const wantedStamp = `${fs.readFileSync(`${src}.stamp`, 'utf8')}amx=${amx.amx ? 'ON' : 'OFF'}\nopenmp=${openmp ? 'ON' : 'OFF'}\n`;
  const what = { server: 'llama-server is', openmp: 'llama-bench with OpenMP is', peers: 'tools are' }[kind];
  if (bins.every((b) => fs.existsSync(b)) && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === wantedStamp) {
    process.stdout.write(`cogito: llama.cpp peer ${what} up to date\n`);
    return;
  }
  process.stdout.write({
    server: 'cogito: building llama.cpp\'s own llama-server (unpatched, no web UI) for bench/serve.js\n',
    openmp: 'cogito: building llama.cpp\'s own llama-bench with its default OpenMP threading for bench/engine.js\n',
    peers: 'cogito: building llama.cpp\'s own tools (unpatched) for parity tests and benchmarks\n',
  }[kind]);
  const started = performance.now();
  process.stdout.write(`cogito: AMX kernels ${amx.decision}\n`);
  configure(tree, [...cmakeArgs(amx), ...(openmp ? ['-DGGML_OPENMP=ON'] : sameThreading), ...(server ? serverOptions : [])]);
  const jobs = String(os.availableParallelism?.() ?? 2);
  run('cmake', ['--build', tree, '--config', 'Release', '-j', jobs, '--target', ...wanted]);
  fs.writeFileSync(stamp, wantedStamp);
  process.stdout.write(`cogito: built ${wanted.join(', ')} in ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
}

main();
