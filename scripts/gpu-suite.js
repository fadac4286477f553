#!/usr/bin/env node
'use strict';
// The two addons the GPU parity suite (`npm run test:vulkan`, test/vulkan) compares, and their
// builds. `COGITO_GPU=vulkan npm install` puts the Vulkan addon in build/; a plain install puts the
// CPU one there. The suite needs both, so the other one goes beside it:
//
//   build/ is the CPU build   → the GPU build is build-vulkan/ (or COGITO_GPU_ADDON, any GPU build)
//   build/ is a GPU build     → it is the GPU side; the CPU reference is build-cpu/
//
// Run as a script (test:vulkan's pretest) it builds the folder beside build/ when missing or stale
// (scripts/build-native.js: a no-op when current), installing the Vulkan packages first when it
// builds Vulkan (scripts/install-vulkan-deps.sh: a no-op when present). build/ itself is
// npm install's.

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const addonIn = (dir) => path.join(root, dir, 'Release', 'cogito.node');

/** COGITO_GPU of a build folder (from its CMake cache), or null when it holds no build. */
function buildKind(dir) {
  const cache = path.join(root, dir, 'CMakeCache.txt');
  if (!fs.existsSync(cache)) return null;
  const m = /^COGITO_GPU:STRING=(.*)$/m.exec(fs.readFileSync(cache, 'utf8'));
  return m ? m[1] : null;
}

/** Where each addon is, and the build folder (with its COGITO_GPU) that makes any we build here. */
function gpuSuiteAddons() {
  const main = buildKind('build');
  const mainIsGpu = main !== null && main !== 'cpu';
  const cpuDir = mainIsGpu ? 'build-cpu' : 'build';
  const gpuDir = mainIsGpu ? 'build' : 'build-vulkan';
  return {
    cpu: addonIn(cpuDir),
    gpu: process.env.COGITO_GPU_ADDON ?? addonIn(gpuDir),
    // only the folder beside build/: build/ is npm install's (its options are the user's), and a
    // GPU addon named by COGITO_GPU_ADDON is built by whoever named it
    builds: mainIsGpu ? [{ dir: cpuDir, gpu: 'cpu' }] : process.env.COGITO_GPU_ADDON ? [] : [{ dir: gpuDir, gpu: 'vulkan' }],
  };
}

function run(cmd, args, env) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0) {
    process.stderr.write(`cogito: ${[cmd, ...args].join(' ')} failed (${r.status ?? r.signal})\n`);
    process.exit(1);
  }
}

function main() {
  for (const b of gpuSuiteAddons().builds) {
    if (b.gpu === 'vulkan') run('bash', [path.join(__dirname, 'install-vulkan-deps.sh')], {});
    process.stdout.write(`cogito: the GPU parity suite's ${b.gpu} build in ${b.dir}/\n`);
    run(process.execPath, [path.join(__dirname, 'build-native.js')], { COGITO_GPU: b.gpu, COGITO_BUILD_DIR: b.dir, COGITO_PORTABLE: '' });
  }
}

module.exports = { gpuSuiteAddons };

if (require.main === module) main();
