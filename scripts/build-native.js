#!/usr/bin/env node
'use strict';
// Builds the native addon (patched llama.cpp + ggml + cogito) with cmake-js.
// Skips the build when nothing that feeds it changed, so a second `npm install` is instant.
// Options (environment): COGITO_GPU=cpu|cuda|metal|vulkan, COGITO_PORTABLE=1 (ggml's runtime CPU
// variants, docs/build.md), COGITO_JOBS=N, COGITO_CPU_AMX=ON|OFF (default: probed, see scripts/cpu-amx.js),
// COGITO_BUILD_DIR=dir (default build; another folder holds a second build, e.g. a portable one beside
// the default, for test/engine/portable.test.ts).

const { spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { amxDecision } = require('./cpu-amx');

const root = path.resolve(__dirname, '..');
const buildDir = path.resolve(root, process.env.COGITO_BUILD_DIR || 'build');
const addonPath = path.join(buildDir, 'Release', 'cogito.node');
const stampPath = path.join(buildDir, 'cogito-build.stamp');
const force = process.argv.includes('--force');

function die(message) {
  process.stderr.write(`cogito: ${message}\n`);
  process.exit(1);
}

function has(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  return r.status === 0;
}

function bundlePath() {
  // node-llama-cpp's "exports" hides its files from require.resolve, so walk the folders require would search
  // (this package's own node_modules, then each one above it, where npm hoists a dependency when cogito is
  // itself installed as one) and take the first copy of the version cogito pins: another project's
  // node-llama-cpp further up would be another llama.cpp, which the patches are not written for.
  const pinned = require(path.join(root, 'package.json')).dependencies['node-llama-cpp'];
  const seen = [];
  for (const dir of [path.join(root, 'node_modules'), ...(require.resolve.paths('node-llama-cpp') || [])]) {
    const pkgFile = path.join(dir, 'node-llama-cpp', 'package.json');
    if (!fs.existsSync(pkgFile)) continue;
    const { version } = JSON.parse(fs.readFileSync(pkgFile, 'utf8'));
    const bundle = path.join(dir, 'node-llama-cpp', 'llama', 'gitRelease.bundle');
    if (version === pinned && fs.existsSync(bundle)) return bundle;
    seen.push(`${path.dirname(pkgFile)} (${version})`);
  }
  die(`node-llama-cpp ${pinned} is not installed; it provides the llama.cpp source (run npm install)` +
    (seen.length ? `; found only ${seen.join(', ')}` : ''));
}

function filesUnder(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? filesUnder(p) : [p];
  });
}

function inputsHash(options) {
  const h = crypto.createHash('sha256');
  h.update(JSON.stringify(options));
  const inputs = [path.join(root, 'CMakeLists.txt'), ...filesUnder(path.join(root, 'cmake')),
    ...filesUnder(path.join(root, 'native')), ...filesUnder(path.join(root, 'llama_patch'))].sort();
  for (const f of inputs) {
    h.update(path.relative(root, f));
    h.update(fs.readFileSync(f));
  }
  const bundle = bundlePath();
  h.update(`${bundle}:${fs.statSync(bundle).size}`);
  return h.digest('hex');
}

/** True when an existing CMake cache holds another value for one of the --CD options in `args`. */
function cacheDiffers(args) {
  const cache = path.join(buildDir, 'CMakeCache.txt');
  if (!fs.existsSync(cache)) return false;
  const text = fs.readFileSync(cache, 'utf8');
  return args.filter((a) => a.startsWith('--CD')).some((a) => {
    const [name, ...rest] = a.slice(4).split('=');
    const m = new RegExp(`^${name}:[A-Z]+=(.*)$`, 'm').exec(text);
    const want = rest.join('=');
    return !m || (m[1] !== want && !(/^(ON|OFF)$/.test(want) && m[1].toUpperCase() === want));
  });
}

/**
 * The portable addon the package ships for this platform (scripts/stage-prebuilt.js), when a plain
 * install may use it: no build option asked for something else and nothing was built here before.
 */
function usablePrebuilt() {
  const dir = path.join(root, 'prebuilt', `${process.platform}-${process.arch}`);
  const asked = ['COGITO_GPU', 'COGITO_PORTABLE', 'COGITO_CPU_AMX', 'COGITO_BUILD_DIR'].filter((v) => process.env[v]);
  if (force || asked.length > 0 || fs.existsSync(addonPath) || !fs.existsSync(path.join(dir, 'cogito.node'))) return null;
  return dir;
}

function main() {
  const prebuilt = usablePrebuilt();
  if (prebuilt) {
    process.stdout.write(`cogito: using the prebuilt portable addon in ${path.relative(root, prebuilt)} (ggml's CPU variants, ` +
      'the best for this CPU loaded at run time); npm run build:native builds one for this machine\n');
    return;
  }
  const gpu = process.env.COGITO_GPU || 'cpu';
  const portable = process.env.COGITO_PORTABLE === '1';
  const amx = amxDecision({ buildDir });
  process.stdout.write(`cogito: AMX kernels ${amx.decision}\n`);
  const options = { gpu, portable, amx: amx.amx, amxReason: amx.reason, node: process.versions.modules };
  const hash = inputsHash(options);
  if (!force && fs.existsSync(addonPath) && fs.existsSync(stampPath) && fs.readFileSync(stampPath, 'utf8') === hash) {
    process.stdout.write('cogito: native addon is up to date\n');
    return;
  }
  if (!has('cmake', ['--version'])) die('cmake was not found on PATH; install cmake >= 3.19 (e.g. apt-get install cmake) and run npm install again');
  const cxx = process.env.CXX || 'c++';
  if (!has(cxx, ['--version'])) die(`no C++ compiler was found (${cxx}); install g++ or clang (e.g. apt-get install g++) and run npm install again`);
  if (!has('git', ['--version'])) die('git was not found on PATH; it unpacks llama.cpp\'s source bundle (apt-get install git)');

  const cmakeJs = require.resolve('cmake-js/bin/cmake-js', { paths: [root] });
  const jobs = process.env.COGITO_JOBS || String(require('node:os').availableParallelism?.() || 2);
  const args = [cmakeJs, 'compile', '--directory', root, '--out', buildDir, '--config', 'Release', '--parallel', jobs,
    `--CDCOGITO_GPU=${gpu}`, `--CDCOGITO_PORTABLE=${portable ? 'ON' : 'OFF'}`, `--CDCOGITO_LLAMA_BUNDLE=${bundlePath()}`,
    `--CDCOGITO_CPU_AMX=${amx.amx ? 'ON' : 'OFF'}`, `--CDCOGITO_CPU_AMX_REASON=${amx.reason}`];
  const started = Date.now();
  process.stdout.write(`cogito: building the native addon (${gpu}${portable ? ', portable' : ''}); this takes a few minutes\n`);
  if (cacheDiffers(args)) {
    // cmake-js compile reuses an existing cache as it is: options that changed need a configure first
    const c = spawnSync(process.execPath, [cmakeJs, 'configure', ...args.slice(2)], { cwd: root, stdio: 'inherit' });
    if (c.status !== 0) die('configuring the native build failed (see the output above)');
  }
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) die('the native build failed (see the output above)');
  if (!fs.existsSync(addonPath)) die(`the build finished but ${path.relative(root, addonPath)} is missing`);
  fs.writeFileSync(stampPath, hash);
  process.stdout.write(`cogito: native addon built in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
}

main();
