// scripts/stage-prebuilt.js: a portable build's addon, shared libraries and CPU variants go together
// into prebuilt/<platform>-<arch>/ (what package.json's "files" ships); a native build is refused.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot, tempDir } from '../support/engine';

const script = path.join(repoRoot, 'scripts', 'stage-prebuilt.js');

function stage(buildDir: string, outDir: string) {
  return spawnSync(process.execPath, [script, buildDir, outDir], { cwd: repoRoot, encoding: 'utf8' });
}

function fakeBuild(files: string[]): string {
  const dir = tempDir('cogito-stage-');
  fs.mkdirSync(path.join(dir, 'Release'));
  for (const f of files) fs.writeFileSync(path.join(dir, 'Release', f), f);
  return dir;
}

test('stages the addon with its libraries and variants side by side, and records the variants', () => {
  const build = fakeBuild(['cogito.node', 'libcogito-llama.so', 'libcogito-ggml-base.so', 'libggml-cpu-x64.so', 'libggml-cpu-zen4.so', 'cogito.node.dbg']);
  const out = tempDir('cogito-prebuilt-');
  try {
    const r = stage(build, out);
    expect(r.status).toBe(0);
    const target = path.join(out, `${process.platform}-${process.arch}`);
    expect(fs.readdirSync(target).sort()).toEqual(['build.json', 'cogito.node', 'libcogito-ggml-base.so', 'libcogito-llama.so', 'libggml-cpu-x64.so', 'libggml-cpu-zen4.so']);
    expect(fs.readFileSync(path.join(target, 'libggml-cpu-zen4.so'), 'utf8')).toBe('libggml-cpu-zen4.so');
    const record = JSON.parse(fs.readFileSync(path.join(target, 'build.json'), 'utf8')) as { portable: boolean; variants: string[]; napi: number };
    expect(record).toEqual(expect.objectContaining({ portable: true, napi: 8, variants: ['x64', 'zen4'] }));
  } finally {
    fs.rmSync(build, { recursive: true, force: true });
    fs.rmSync(out, { recursive: true, force: true });
  }
});

test('refuses a native build, which runs only on CPUs like the build machine\'s', () => {
  const build = fakeBuild(['cogito.node']);
  const out = tempDir('cogito-prebuilt-');
  try {
    const r = stage(build, out);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/native build .*COGITO_PORTABLE=1/);
    expect(fs.readdirSync(out)).toEqual([]);
  } finally {
    fs.rmSync(build, { recursive: true, force: true });
    fs.rmSync(out, { recursive: true, force: true });
  }
});
