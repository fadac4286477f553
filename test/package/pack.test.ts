/**
 * The package as its users get it: `npm pack`, then a project outside the source tree installs the
 * tarball (its install script builds the addon from the shipped sources) and uses it by name from an
 * ES module and a CommonJS module (test/package/consumer/), and type-checks against its subpaths.
 * One install, which builds llama.cpp: several minutes on 2 cores.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TwoPass, defaultModelPath, defaultSidecarPath, loadModel } from '../../src';

const ROOT = path.resolve(__dirname, '..', '..');
const FIXTURES = path.join(__dirname, 'consumer');
const PACKAGE = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  exports: Record<string, string | { types: string; default: string }>;
};
const QUESTIONS = ['Question: What instrument does Lana play?\nAnswer:', 'Question: What instrument does Trulen play?\nAnswer:'];
// about 6 minutes alone on 2 cores; 20 when the cores are shared with other builds
const INSTALL_MS = 40 * 60_000;

interface PackedFile {
  path: string;
  size: number;
}
interface PackResult {
  filename: string;
  size: number;
  unpackedSize: number;
  entryCount: number;
  files: PackedFile[];
}
interface Answer {
  text: string;
  refused: boolean;
  confidence: number;
}
interface ConsumerReport {
  answers: Answer[];
  cogito: string;
  vks: { id: string; hash: string | null; chainLength: number; head: string | null; hit: { id: string; via: string } | null };
}

/** The environment a user's shell would give npm and node: none of this test's own npm or cogito settings. */
function userEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) && !key.startsWith('COGITO_') && key !== 'INIT_CWD'),
  );
}

function run(cmd: string, args: string[], cwd: string, timeoutMs: number): string {
  const r = spawnSync(cmd, args, { cwd, env: userEnv(), encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  if (r.signal === 'SIGTERM' && r.stdout.trim()) {
    throw new Error(`${cmd} ${args.join(' ')} printed its output but did not exit within ${timeoutMs / 1000} s\n${r.stdout}\n${r.stderr}`.slice(-20000));
  }
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) failed: ${r.error ?? `exit ${r.status}`}\n${r.stdout}\n${r.stderr}`.slice(-20000));
  }
  return r.stdout;
}

/** A file type-checked in the consumer against the installed declarations (.mts, .cts and .ts alike). */
const TYPED_SOURCE = `import { TwoPass, loadModel, type TwoPassResult } from 'cogito';
import { libraryArgument, verifyArgument, type ArgumentResult } from 'cogito/logic';
import { Vks, type VksRecord } from 'cogito/vks';
import { splitSentences } from 'cogito/claims';
import { openDescartesCorpus } from 'cogito/corpus';
import { normaliseAnswer } from 'cogito/loom';

export async function typed(): Promise<[TwoPassResult, ArgumentResult, VksRecord, number, number, string]> {
  const model = await loadModel('model.gguf');
  const pipe = await TwoPass.load(model, 'sidecar.gguf');
  const store = Vks.open(':memory:');
  return [
    await pipe.complete('Question: Who doubts?\\nAnswer:', { maxTokens: 4 }),
    await verifyArgument(libraryArgument('cogito'), { logic: 'S5' }),
    store.add({ tier: 'AXIOM', text: 'I am.', status: 'VERIFIED', method: 'Z3' }),
    splitSentences('I doubt. I think.').length,
    openDescartesCorpus().size,
    normaliseAnswer(' Bell.'),
  ];
}

// @ts-expect-error the declarations are real, not any: a verdict is not a number
export const notAny: number = libraryArgument('cogito').expected;
`;

/** tsconfig for the consumer's type check: its own module resolution, Node's types from this repository's devDependencies. */
function tsconfig(resolution: 'nodenext' | 'node10', files: string[]): string {
  return JSON.stringify({
    compilerOptions: {
      module: resolution === 'nodenext' ? 'nodenext' : 'commonjs',
      moduleResolution: resolution,
      target: 'ES2022',
      lib: ['ES2022', 'ESNext.Disposable'],
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      typeRoots: [path.join(ROOT, 'node_modules', '@types')],
      types: ['node'],
    },
    files,
  });
}

describe('the packed tarball, installed into a project of its own', () => {
  let work: string;
  let consumer: string;
  let pack: PackResult;

  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'cogito-pack-'));
    // dist/ is `prepare`'s clean tsc build, made once before the suite (test/support/global-setup.js) as `npm
    // publish` would; packing without scripts keeps it in place for the CLI tests running beside this one
    const out = run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], ROOT, 10 * 60_000);
    pack = (JSON.parse(out.slice(out.indexOf('['))) as PackResult[])[0];
    process.stdout.write(
      `cogito tarball: ${pack.filename}, ${(pack.size / 1e6).toFixed(2)} MB packed, ` +
        `${(pack.unpackedSize / 1e6).toFixed(2)} MB unpacked, ${pack.entryCount} files\n`,
    );

    consumer = path.join(work, 'consumer');
    fs.mkdirSync(consumer);
    // npm 11's allowScripts, as README "Use it as a library" tells users: cogito's install script builds the
    // addon, better-sqlite3's its binding; node-llama-cpp's would look for llama.cpp binaries cogito does not use.
    // A tarball is named by its spec (from the registry it would be plain "cogito"); --strict-allow-scripts
    // below fails the install if any dependency's script is left unreviewed.
    const tarball = path.join(work, pack.filename);
    const allowScripts = { [`file:${tarball}`]: true, 'better-sqlite3': true, 'node-llama-cpp': false };
    const manifest = { name: 'cogito-consumer', version: '0.0.0', private: true, allowScripts };
    fs.writeFileSync(path.join(consumer, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    for (const file of fs.readdirSync(FIXTURES)) fs.copyFileSync(path.join(FIXTURES, file), path.join(consumer, file));
    for (const ext of ['mts', 'cts', 'ts']) fs.writeFileSync(path.join(consumer, `typed.${ext}`), TYPED_SOURCE);
    fs.writeFileSync(path.join(consumer, 'tsconfig.nodenext.json'), tsconfig('nodenext', ['typed.mts', 'typed.cts']));
    fs.writeFileSync(path.join(consumer, 'tsconfig.node10.json'), tsconfig('node10', ['typed.ts']));

    // dependencies come from the registry as for any user (from npm's cache when it has them)
    run('npm', ['install', '--prefer-offline', '--strict-allow-scripts', '--no-audit', '--no-fund', tarball], consumer, INSTALL_MS);
  }, INSTALL_MS + 15 * 60_000);

  afterAll(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  /** Every file below a folder of the source tree, as the tarball names them (native/ has subfolders). */
  const filesUnder = (dir: string): string[] =>
    fs.readdirSync(path.join(ROOT, dir), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)).split(path.sep).join('/'));

  test('holds what a user needs and nothing else', () => {
    const files = pack.files.map((f) => f.path);
    const needed = [
      'package.json', 'README.md', 'bin/cogito.js', 'scripts/build-native.js', 'scripts/cpu-amx.js', 'CMakeLists.txt', 'cmake/prepare-llama.cmake',
      'models/default.gguf', 'models/default.domain.json', 'models/default.corpus.jsonl', 'sidecars/default.gguf', 'sidecars/FORMAT.md', 'sidecars/format.json', 'docs/architecture.md', 'docs/errors.md',
      ...filesUnder('cmake'),
      ...filesUnder('native'),
      ...filesUnder('llama_patch'),
      ...Object.values(PACKAGE.exports).flatMap((target) => (typeof target === 'string' ? [target] : [target.types, target.default])).map((t) => t.replace(/^\.\//, '')),
    ];
    expect(needed.filter((f) => !files.includes(f))).toEqual([]);
    const unwanted = files.filter((f) =>
      /^(src|test|bench|runs|build|node_modules|\.cogito-cache|models\/recipe)\//.test(f) || (/\.(map|jsonl|tsbuildinfo|tgz)$/.test(f) && f !== 'models/default.corpus.jsonl'));
    expect(unwanted).toEqual([]);
  });

  test('installing it built the addon inside the installed package', () => {
    expect(fs.existsSync(path.join(consumer, 'node_modules', 'cogito', 'build', 'Release', 'cogito.node'))).toBe(true);
  });

  test('an ES module imports every subpath by name, generates, proves and stores', async () => {
    const report = JSON.parse(run(process.execPath, ['esm.mjs'], consumer, 3 * 60_000)) as ConsumerReport & {
      missingNames: Record<string, string[]>;
      exportCounts: Record<string, number>;
    };
    expectWorks(report);
    expect(await sourceTreeAnswers()).toEqual(report.answers);
    // every name require() gives, import gives too (Node's CommonJS lexer reads tsc's re-exports)
    expect(Object.keys(report.missingNames).sort()).toEqual(Object.keys(PACKAGE.exports).filter((k) => k !== './package.json').map((k) => path.posix.join('cogito', k)).sort());
    for (const missing of Object.values(report.missingNames)) expect(missing).toEqual([]);
    for (const count of Object.values(report.exportCounts)) expect(count).toBeGreaterThan(0);
  }, 5 * 60_000);

  test('a CommonJS module requires every subpath, generates, proves and stores', async () => {
    const report = JSON.parse(run(process.execPath, ['cjs.cjs'], consumer, 3 * 60_000)) as ConsumerReport & {
      version: string;
      sentences: number;
      corpusPassages: number;
      normalisedAnswer: string;
      ask: { status: string; source: string; final: string };
    };
    expectWorks(report);
    expect(await sourceTreeAnswers()).toEqual(report.answers);
    expect(report.version).toBe(PACKAGE.version);
    expect(report.sentences).toBe(2);
    expect(report.corpusPassages).toBeGreaterThan(0);
    expect(report.normalisedAnswer.length).toBeGreaterThan(0);
    // `cogito ask` from the installed package: the default model's domain pack and reference corpus ship beside it
    expect(report.ask).toEqual({ status: 'VERIFIED', source: 'CORPUS', final: expect.stringMatching(/Lana plays the/) });
  }, 5 * 60_000);

  test('its subpaths are typed for moduleResolution nodenext (ESM and CJS files) and node10', () => {
    const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    for (const project of ['tsconfig.nodenext.json', 'tsconfig.node10.json']) run(process.execPath, [tsc, '-p', project], consumer, 5 * 60_000);
  }, 10 * 60_000);
});

function expectWorks(report: ConsumerReport): void {
  // the default sidecar answers the well-known person and refuses the one the model never saw described
  expect(report.answers.map((a) => a.refused)).toEqual([false, true]);
  expect(report.answers[0].text.trim().length).toBeGreaterThan(0);
  expect(report.cogito).toBe('valid');
  expect(report.vks.chainLength).toBe(1);
  expect(report.vks.head).toBe(report.vks.hash);
  expect(report.vks.hit).toEqual({ id: report.vks.id, via: 'exact' });
}

let fromSource: Promise<Answer[]> | undefined;

/** The same questions through this repository's sources and addon: the installed package must answer alike. */
function sourceTreeAnswers(): Promise<Answer[]> {
  fromSource ??= (async () => {
    await using model = await loadModel(defaultModelPath());
    await using pipe = await TwoPass.load(model, defaultSidecarPath());
    const answers: Answer[] = [];
    for (const q of QUESTIONS) {
      const r = await pipe.complete(q, { maxTokens: 8, stop: ['\n'] });
      answers.push({ text: r.text, refused: r.refused, confidence: r.decision.confidence });
    }
    return answers;
  })();
  return fromSource;
}
