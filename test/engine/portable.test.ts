// The portable build (COGITO_PORTABLE=1: ggml's CPU backend as runtime variants, libggml-cpu-*.so
// beside cogito.node, the best for this CPU loaded at start) against the build this suite loads.
// It runs when a portable build is present: COGITO_PORTABLE_ADDON names its cogito.node, or it is
// in build-portable/ (COGITO_PORTABLE=1 COGITO_BUILD_DIR=build-portable npm run build:native),
// or the suite's own build is the portable one. Each build runs in a child process of its own.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadModel, systemInfo, type SystemInfo } from '../../src/engine';
import { repoRoot, smallModel, tempDir } from '../support/engine';

const child = path.join(__dirname, 'support', 'addon-child.js');
const inProcess = systemInfo();

function portableAddon(): string | undefined {
  const candidates = [
    process.env.COGITO_PORTABLE_ADDON,
    path.join(repoRoot, 'build-portable', 'Release', 'cogito.node'),
    inProcess.cpu.variant === 'portable' ? path.join(repoRoot, 'build', 'Release', 'cogito.node') : undefined,
  ];
  return candidates.find((p): p is string => !!p && fs.existsSync(p));
}

interface ChildResult {
  info?: SystemInfo;
  tokens?: number[] | null;
  error?: { name: string; code: string; message: string };
}

function runChild(addon: string, args: string[] = [], cwd = repoRoot): ChildResult {
  const r = spawnSync(process.execPath, [child, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 120000,
    env: { ...process.env, COGITO_ADDON: addon },
  });
  if (r.status !== 0) throw new Error(`the child on ${addon} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as ChildResult;
}

const portable = portableAddon();
const skipAll = portable ? undefined : 'no portable build (COGITO_PORTABLE_ADDON, build-portable/Release/cogito.node)';
const skipCompare = skipAll ?? (inProcess.cpu.variant === 'portable' ? 'the suite itself runs the portable build: no default build to compare with' : undefined);
if (skipAll) process.stderr.write(`portable.test: skipped: ${skipAll}\n`);
else if (skipCompare) process.stderr.write(`portable.test: token comparison skipped: ${skipCompare}\n`);

(skipAll ? describe.skip : describe)('the portable build', () => {
  let info: SystemInfo;
  beforeAll(() => {
    info = runChild(portable!).info!;
  });

  it('loads the CPU variant ggml scores highest here, from the addon\'s own directory, and names it', () => {
    const v = info.cpu.loadedVariant;
    expect(info.cpu.variant).toBe('portable');
    expect(path.dirname(v.file)).toBe(path.dirname(fs.realpathSync(portable!)));
    expect(path.basename(v.file)).toMatch(new RegExp(`ggml-cpu-${v.name.replace(/[.]/g, '\\.')}\\.(so|dll)$`));
    expect(v.candidates.length).toBeGreaterThan(1);
    const best = Math.max(...v.candidates.map((c) => c.score));
    expect(v.score).toBe(best);
    expect(v.candidates.find((c) => c.name === v.name)?.score).toBe(best);
    // the CPU backend registered once, and its features are the loaded variant's
    expect(info.backends.filter((b) => b.name === 'CPU')).toHaveLength(1);
    expect(Object.values(info.cpu.features).some((on) => on)).toBe(process.arch !== 'x64' || info.cpu.loadedVariant.name !== 'x64');
  });

  (process.arch === 'x64' && process.platform === 'linux' ? it : it.skip)('on x86-64 the variant has the kernels this CPU advertises (AVX2, AVX-512 as far as a variant offers them)', () => {
    const flags = new Set(/^flags\s*:(.*)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1].trim().split(/\s+/) ?? []);
    expect(info.cpu.features.AVX2).toBe(flags.has('avx2'));
    expect(info.cpu.features.AVX512).toBe(flags.has('avx512f') && flags.has('avx512bw') && flags.has('avx512vl'));
    // AMX kernels run only from the sapphirerapids variant, and only on a CPU that has them
    if (!flags.has('amx_int8')) {
      expect(info.cpu.loadedVariant.name).not.toBe('sapphirerapids');
      expect(info.cpu.amxActive).toBe(false);
    }
  });

  it('fails with NO_CPU_BACKEND when no variant lies beside the addon, even when the current directory has them', () => {
    const dir = tempDir('cogito-portable-');
    const release = path.dirname(portable!);
    for (const f of fs.readdirSync(release)) {
      if (f === 'cogito.node' || (/^lib(cogito|ggml|llama)/.test(f) && !/ggml-cpu-/.test(f))) fs.copyFileSync(path.join(release, f), path.join(dir, f));
    }
    try {
      const r = runChild(path.join(dir, 'cogito.node'), [], release);
      expect(r.error).toEqual(expect.objectContaining({ name: 'NativeAddonError', code: 'NO_CPU_BACKEND' }));
      expect(r.error!.message).toContain(dir);
      expect(r.error!.message).toMatch(/libggml-cpu-\*/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

(skipCompare ? describe.skip : describe)('the portable build against the default build', () => {
  it('generates the same greedy tokens on a generated model and on the default model', async () => {
    const cases: [string, string][] = [
      [await smallModel(), 'The meaning of life is'],
      [path.join(repoRoot, 'models', 'default.gguf'), 'Question: Who founded the city of Veltria?\nAnswer:'],
    ];
    for (const [file, prompt] of cases) {
      const model = await loadModel(file);
      const ctx = await model.createContext({ contextSize: 128 });
      const expected = (await ctx.complete(prompt, { maxTokens: 16, temperature: 0, ignoreEos: true })).tokens.map((t) => t.id);
      await model.dispose();
      const r = runChild(portable!, [file, prompt, '16']);
      expect(r.tokens).toEqual(expected);
      expect(expected.length).toBe(16);
    }
  });
});
