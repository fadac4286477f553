#!/usr/bin/env node
'use strict';
// Builds llama.cpp's own programs from the same pinned source WITHOUT cogito's patches, into
// build/peers. Parity tests and benchmarks compare cogito against them, so a patch that changes
// results is caught. Skips the build when the binaries are already there for this source.

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const peers = path.join(root, 'build', 'peers');
const src = path.join(peers, 'llama.cpp');
const out = path.join(peers, 'build');
// llama-embedding: ground truth for embeddings; llama-convert-llama2c-to-ggml: llama.cpp's own
// converter, which turns the real llama2.c checkpoint in ../shared/data/models into a GGUF
const targets = ['llama-simple', 'llama-debug', 'llama-eval-callback', 'llama-bench', 'llama-embedding', 'llama-convert-llama2c-to-ggml'];

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

function main() {
  fs.mkdirSync(peers, { recursive: true });
  run('cmake', [`-DBUNDLE=${bundlePath()}`, `-DDEST=${src}`, '-P', path.join(root, 'cmake', 'prepare-llama.cmake')]);
  const bins = targets.map((t) => path.join(out, 'bin', t));
  const stamp = path.join(out, 'peers.stamp');
  const srcStamp = fs.readFileSync(`${src}.stamp`, 'utf8');
  if (bins.every((b) => fs.existsSync(b)) && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === srcStamp) {
    process.stdout.write('cogito: llama.cpp peer tools are up to date\n');
    return;
  }
  process.stdout.write('cogito: building llama.cpp\'s own tools (unpatched) for parity tests and benchmarks\n');
  run('cmake', ['-S', src, '-B', out, '-DCMAKE_BUILD_TYPE=Release', '-DBUILD_SHARED_LIBS=OFF', '-DLLAMA_CURL=OFF',
    '-DLLAMA_OPENSSL=OFF', '-DLLAMA_BUILD_TESTS=OFF', '-DLLAMA_BUILD_SERVER=OFF',
    `-DCMAKE_PROJECT_INCLUDE=${path.join(root, 'cmake', 'cpu-flags.cmake')}`]);
  const jobs = String(os.availableParallelism?.() ?? 2);
  run('cmake', ['--build', out, '--config', 'Release', '-j', jobs, '--target', ...targets]);
  fs.writeFileSync(stamp, srcStamp);
}

main();
