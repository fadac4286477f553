'use strict';
// Builds dist/ once, before any test file runs: the CLI tests run bin/cogito.js over dist/, and a
// test file rebuilding it while another one's child process loads it would load half-written
// modules. `npm run prepare` is the build a user's `npm pack`/`npm publish` runs (a clean tsc into
// dist/); it is skipped when nothing it reads changed since the last build of this checkout.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const STAMP = path.join(ROOT, 'node_modules', '.cache', 'cogito-dist.stamp');
const INPUTS = ['src', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];

/** The newest modification time under `p` (directories too: a deleted file changes its folder's). */
function newest(p) {
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  return fs.readdirSync(p).reduce((m, name) => Math.max(m, newest(path.join(p, name))), st.mtimeMs);
}

module.exports = function buildDistOnce() {
  const built = fs.existsSync(STAMP) && fs.existsSync(path.join(ROOT, 'dist', 'cli', 'index.js')) ? fs.statSync(STAMP).mtimeMs : -1;
  if (built >= 0 && INPUTS.every((p) => newest(path.join(ROOT, p)) < built)) return;
  const started = Date.now();
  execFileSync('npm', ['run', '--silent', 'prepare'], { cwd: ROOT, stdio: 'inherit' });
  fs.mkdirSync(path.dirname(STAMP), { recursive: true });
  // the stamp's time is the build's start: a source saved during the build is rebuilt next time
  fs.writeFileSync(STAMP, '');
  fs.utimesSync(STAMP, started / 1000, started / 1000);
  process.stderr.write(`\ndist/ built for the CLI tests (npm run prepare, ${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
};
