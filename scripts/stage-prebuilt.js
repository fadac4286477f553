#!/usr/bin/env node
'use strict';
// Stages a portable build (COGITO_PORTABLE=1) for the npm package: cogito.node, the shared libraries it
// links (libcogito-llama, libcogito-ggml, libcogito-ggml-base) and ggml's CPU variants (libggml-cpu-*),
// copied together into prebuilt/<platform>-<arch>/, which package.json's "files" ships. The addon loads
// the variants from its own directory, so they travel side by side. An install that finds the folder
// for its platform uses it instead of compiling (scripts/build-native.js); src/engine/native.ts loads it.
// A native build is refused: it runs only on CPUs like the build machine's.
//   node scripts/stage-prebuilt.js [build dir, default build] [prebuilt dir, default prebuilt]

const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const release = path.join(path.resolve(root, process.argv[2] || 'build'), 'Release');
const libraryFile = /\.(so|dylib|dll)$/;

function die(message) {
  process.stderr.write(`cogito: ${message}\n`);
  process.exit(1);
}

const addon = path.join(release, 'cogito.node');
if (!fs.existsSync(addon)) die(`${addon} is missing: build it first (COGITO_PORTABLE=1 npm run build:native)`);
const libraries = fs.readdirSync(release).filter((f) => libraryFile.test(f));
const variants = libraries.filter((f) => /^(lib)?ggml-cpu-/.test(f));
if (variants.length === 0) {
  die(`${release} holds a native build (no libggml-cpu-* variants beside cogito.node): it runs only on CPUs like this one; ` +
    'stage a portable one (COGITO_PORTABLE=1 npm run build:native)');
}

const target = path.join(path.resolve(root, process.argv[3] || 'prebuilt'), `${process.platform}-${process.arch}`);
fs.rmSync(target, { recursive: true, force: true });
fs.mkdirSync(target, { recursive: true });
for (const f of ['cogito.node', ...libraries]) fs.copyFileSync(path.join(release, f), path.join(target, f));
const record = {
  portable: true,
  platform: process.platform,
  arch: process.arch,
  // N-API 8: one addon for every Node release from 20 on
  napi: 8,
  gpu: process.env.COGITO_GPU || 'cpu',
  variants: variants.map((f) => f.replace(/^(lib)?ggml-cpu-/, '').replace(libraryFile, '')).sort(),
};
fs.writeFileSync(path.join(target, 'build.json'), `${JSON.stringify(record, null, 2)}\n`);
process.stdout.write(`cogito: staged ${path.relative(root, target)} (${libraries.length + 1} files; variants: ${record.variants.join(', ')})\n`);
