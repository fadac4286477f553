import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './engine';

const run = promisify(execFile);

/** Runs bin/cogito.js without blocking the event loop (a test's own server must keep answering). */
export async function cogito(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  try {
    const r = await run(process.execPath, [path.join(repoRoot, 'bin', 'cogito.js'), ...args], { encoding: 'utf8', timeout: 120_000 });
    return { code: 0, out: r.stdout, err: r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : null, out: err.stdout ?? '', err: err.stderr ?? '' };
  }
}
