// One error root: every exported error class is a CogitoError, and every code is in docs/errors.md
// with the category and CLI exit status the code says.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT_STATUS, errorLine, exitStatus } from '../src/cli/errors';
import { CogitoError, ERROR_CATEGORIES, InternalError, InvalidOptionError, OutOfRangeError, errorCategory, isErrorCode } from '../src/util/errors';
import * as root from '../src';
import * as claims from '../src/claims';
import * as corpus from '../src/corpus';
import * as engine from '../src/engine';
import * as logic from '../src/logic';
import * as loom from '../src/loom';
import * as meta from '../src/meta';
import * as sidecar from '../src/sidecar';
import * as vks from '../src/vks';

const REPO = join(__dirname, '..');
const ENTRY_POINTS: Record<string, Record<string, unknown>> = { 'src/index.ts': root, claims, corpus, engine, logic, loom, meta, sidecar, vks };

/** The rows of docs/errors.md's code table: code → { class, category, exit }. */
function documentedCodes(): Map<string, { cls: string; category: string; exit: number }> {
  const rows = new Map<string, { cls: string; category: string; exit: number }>();
  for (const line of readFileSync(join(REPO, 'docs', 'errors.md'), 'utf8').split('\n')) {
    const m = /^\| `([A-Z][A-Z_]+)` \| (.+?) \| ([a-z-]+) \| (\d+) \| .+ \|$/.exec(line);
    if (m) rows.set(m[1], { cls: m[2], category: m[3], exit: Number(m[4]) });
  }
  return rows;
}

/** Codes the addon throws: the string given to make_error/throw_error or assigned to a `code`. */
function nativeCodes(): Set<string> {
  const codes = new Set<string>();
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(cpp|h)$/.test(e.name)) {
        for (const line of readFileSync(p, 'utf8').split('\n')) {
          if (!/make_error|throw_error|\bcode\b/.test(line)) continue;
          for (const m of line.matchAll(/"([A-Z][A-Z_]+)"/g)) codes.add(m[1]);
        }
      }
    }
  };
  walk(join(REPO, 'native'));
  return codes;
}

/**
 * Code literals handed to an error in src/: `super(…, 'CODE')`, `new XError(…, 'CODE')`, `code: … = 'CODE'`.
 * (The compiler already holds every constructor to ErrorCode; this catches a cast around it.)
 */
function sourceCodes(): Set<string> {
  const codes = new Set<string>();
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && p !== join(REPO, 'src', 'util', 'errors.ts')) {
        const text = readFileSync(p, 'utf8');
        // two readings of a call's last argument, lazy and paren-balanced, for messages that hold ';' or calls
        for (const m of text.matchAll(/(?:super|Error)\([^;]*?,\s*'([A-Z][A-Z_]+)',?\s*\)/g)) codes.add(m[1]);
        for (const m of text.matchAll(/(?:super|Error)\((?:[^()]|\([^()]*\))*?,\s*'([A-Z][A-Z_]+)',?\s*\)/g)) codes.add(m[1]);
        for (const m of text.matchAll(/code(?:: ErrorCode)? = '([A-Z][A-Z_]+)'/g)) codes.add(m[1]);
      }
    }
  };
  walk(join(REPO, 'src'));
  return codes;
}

describe('error codes', () => {
  const docs = documentedCodes();

  test('every code has a row in docs/errors.md with its category and CLI exit status, and no row is stale', () => {
    for (const [code, category] of Object.entries(ERROR_CATEGORIES)) {
      expect({ code, row: docs.get(code) }).toEqual({ code, row: expect.objectContaining({ category, exit: EXIT_STATUS[category] }) });
    }
    expect([...docs.keys()].filter((c) => !isErrorCode(c))).toEqual([]);
  });

  test('every code thrown in src/ and in native/ is a known code', () => {
    const thrown = [...sourceCodes(), ...nativeCodes()];
    expect(thrown.length).toBeGreaterThan(20);
    expect(thrown.filter((c) => !isErrorCode(c))).toEqual([]);
  });

  test('the category table in the docs matches the CLI', () => {
    const text = readFileSync(join(REPO, 'docs', 'errors.md'), 'utf8');
    for (const [category, exit] of Object.entries(EXIT_STATUS)) expect(text).toMatch(new RegExp(`^\\| ${category} \\| .+ \\| ${exit} \\|$`, 'm'));
  });
});

describe('one error root', () => {
  const errorClasses = Object.entries(ENTRY_POINTS).flatMap(([entry, mod]) =>
    Object.entries(mod)
      .filter(([, v]) => typeof v === 'function' && (v as { prototype?: unknown }).prototype instanceof Error)
      .map(([name, v]) => ({ entry, name, cls: v as abstract new (...args: never[]) => Error })),
  );

  test('every entry point exports the one CogitoError', () => {
    for (const [entry, mod] of Object.entries(ENTRY_POINTS)) expect({ entry, same: mod.CogitoError === CogitoError }).toEqual({ entry, same: true });
  });

  test('every error class an entry point exports descends from CogitoError', () => {
    const names = new Set(errorClasses.map((e) => e.name));
    // the walk sees every entry point's errors, not an empty list
    for (const n of ['CogitoError', 'InvalidOptionError', 'InvalidSidecarError', 'ManifestError', 'DatasetError', 'PngFormatError', 'FormulaParseError', 'SolverError', 'VksError', 'VksIntegrityError', 'InvalidPassageError']) {
      expect(names).toContain(n);
    }
    const strays = errorClasses.filter(({ cls }) => cls !== CogitoError && !(cls.prototype instanceof CogitoError));
    expect(strays.map((s) => `${s.entry}: ${s.name}`)).toEqual([]);
  });

  test('each exported error class is documented by name', () => {
    const documented = [...documentedCodes().values()].map((r) => r.cls).join(' ');
    for (const { name } of errorClasses) expect({ name, documented: documented.includes(`\`${name}\``) }).toEqual({ name, documented: true });
  });

  test('instances keep their class, name and code through instanceof', () => {
    const cases: [Error, string, string][] = [
      [new vks.VksTierError('no'), 'VksTierError', 'VKS_TIER_RULE'],
      [new vks.VksNotFoundError('x'), 'VksNotFoundError', 'VKS_NOT_FOUND'],
      [new vks.VksIntegrityError('hash-mismatch', 2, 'r', 'bad'), 'VksIntegrityError', 'VKS_INTEGRITY'],
      [new logic.FormulaParseError('unexpected', 3, 'p & & q'), 'FormulaParseError', 'FORMULA_PARSE'],
      [new logic.SolverError('disagree'), 'SolverError', 'SOLVER'],
      [new loom.DatasetError('bad', 'qa.jsonl', 3), 'DatasetError', 'INVALID_DATASET'],
      [new loom.ManifestNotFoundError('none', null), 'ManifestNotFoundError', 'MANIFEST_NOT_FOUND'],
      [new loom.InvalidManifestError('version', 'bad', 'run.json'), 'InvalidManifestError', 'INVALID_MANIFEST'],
      [new loom.RunDataError('stale'), 'RunDataError', 'INVALID_RUN_DATA'],
      [new sidecar.SidecarNotFoundError('s.gguf'), 'SidecarNotFoundError', 'SIDECAR_NOT_FOUND'],
      [new engine.AbortError(), 'AbortError', 'ABORTED'],
      [new InvalidOptionError('bad'), 'InvalidOptionError', 'INVALID_ARGUMENT'],
    ];
    for (const [err, name, code] of cases) {
      expect(err).toBeInstanceOf(CogitoError);
      expect({ name: err.name, code: (err as CogitoError).code }).toEqual({ name, code });
    }
    expect(new vks.VksTierError('no')).toBeInstanceOf(vks.VksError);
    expect(new loom.ModelMismatchError('a', 'b', 'm.gguf', null)).toBeInstanceOf(loom.ManifestError);
    // engine/errors re-exports the util classes, so either import sees the same class
    expect(engine.CogitoError).toBe(CogitoError);
    expect(engine.InvalidOptionError).toBe(InvalidOptionError);
  });

  test('OutOfRangeError is a CogitoError and stays a RangeError; subclasses do not claim it', () => {
    const err = new OutOfRangeError('p must be in (0, 1)');
    expect(err).toBeInstanceOf(RangeError);
    expect(err).toBeInstanceOf(CogitoError);
    expect(err).not.toBeInstanceOf(InvalidOptionError);
    expect({ name: err.name, code: err.code, category: errorCategory(err) }).toEqual({ name: 'OutOfRangeError', code: 'OUT_OF_RANGE', category: 'usage' });
    expect(new RangeError('plain')).not.toBeInstanceOf(CogitoError);
    expect(() => loom.normalQuantile(2)).toThrow(OutOfRangeError);
  });
});

describe('the CLI mapping', () => {
  test('one line: headline, first line of the message and code, and the status of its category', () => {
    expect(errorLine(new vks.VksIntegrityError('hash-mismatch', 2, 'r1', 'x'))).toBe(
      'cogito: TAMPERED: VKS integrity check failed at AXIOM #2 (r1): hash-mismatch: x [VKS_INTEGRITY]',
    );
    expect(errorLine(new logic.FormulaParseError('unexpected "&"', 4, 'p & & q'))).toBe('cogito: unexpected "&" at position 4 [FORMULA_PARSE]');
    expect(errorLine(new Error('EACCES: permission denied'))).toBe('cogito: EACCES: permission denied');
    expect([new InvalidOptionError('x'), new engine.AbortError(), new engine.NativeAddonError('no addon', 'NO_ADDON'), new InternalError('bug'), new Error('other')].map(exitStatus)).toEqual([1, 130, 69, 70, 1]);
  });
});
