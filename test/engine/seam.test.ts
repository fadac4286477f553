import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The addon has one seam (docs/architecture.md): only src/engine calls it or imports the module
 * that loads it, so every native failure above the engine arrives as a typed CogitoError.
 */
const src = path.resolve(__dirname, '..', '..', 'src');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : /\.(ts|js|mjs|cjs)$/.test(e.name) ? [p] : [];
  });
}

test('no file outside src/engine calls addon( or imports engine/native', () => {
  const outside = sourceFiles(src).filter((f) => !path.relative(src, f).startsWith(`engine${path.sep}`));
  expect(outside.length).toBeGreaterThan(20);
  const offenders = outside.flatMap((f) => {
    const text = fs.readFileSync(f, 'utf8');
    const found: string[] = [];
    if (/(^|[^\w.])addon\(/m.test(text)) found.push(`${path.relative(src, f)}: calls addon(`);
    if (/from\s+['"][^'"]*engine\/native['"]|require\(\s*['"][^'"]*engine\/native['"]\s*\)|import\(\s*['"][^'"]*engine\/native['"]\s*\)/.test(text)) {
      found.push(`${path.relative(src, f)}: imports engine/native`);
    }
    return found;
  });
  expect(offenders).toEqual([]);
});

test('the public API does not hand out the raw addon', async () => {
  const api = await import('../../src/index');
  expect(Object.keys(api)).not.toContain('nativeAddon');
  expect(Object.keys(await import('../../src/engine'))).not.toContain('addon');
});
