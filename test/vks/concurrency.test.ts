import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Vks } from '../../src/vks';
import { tempDir } from './helpers';

interface ChildResult {
  code: number | null;
  lines: Array<Record<string, unknown>>;
  stderr: string;
}

/** Runs test/vks/support/concurrent-child.js with a role; resolves with its JSON lines once it exits. */
function child(...args: string[]): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [join(__dirname, 'support', 'concurrent-child.js'), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let stderr = '';
    proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
    proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    proc.on('error', reject);
    proc.on('exit', (code) => {
      const lines = out
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      resolve({ code, lines, stderr });
    });
  });
}

describe('concurrent writers and verifiers', () => {
  test('two writers and two verifiers in parallel processes: no false alarm, no integrity error, nothing lost', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const path = join(dir, 'vks.db');
      const stop = join(dir, 'stop');
      Vks.open(path).close(); // the file exists before the read-only verifiers open it
      const perWriter = 90;
      // Writers reopen every 10 records, so opening (schema set-up + the chain check) races too.
      const writers = ['A', 'B'].map((tag) => child('writer', path, tag, String(perWriter), '10'));
      const verifiers = [1, 2].map(() => child('verifier', path, stop, '400'));
      const written = await Promise.all(writers);
      writeFileSync(stop, '');
      const verified = await Promise.all(verifiers);

      for (const w of written) {
        expect(w.lines.filter((l) => 'error' in l)).toEqual([]);
        expect(w.code).toBe(0);
        expect(w.lines.filter((l) => 'ack' in l)).toHaveLength(perWriter);
      }
      for (const v of verified) {
        expect(v.code).toBe(0);
        const report = v.lines[0] as { runs: number; alarms: unknown[]; lengthsSeen: number };
        expect(report.alarms).toEqual([]);
        expect(report.runs).toBeGreaterThan(0);
        expect(report.lengthsSeen).toBeGreaterThan(1); // it verified while the writers were writing
      }

      const vks = Vks.open(path);
      try {
        const report = vks.verify();
        const acked = written.flatMap((w) => w.lines.filter((l) => 'ack' in l).map((l) => l.ack as string));
        for (const id of acked) expect(vks.get(id)).not.toBeNull();
        expect(report.records).toBe(2 * perWriter);
        expect(report.axiomChain.length).toBe(2 * (perWriter / 3));
      } finally {
        vks.close();
      }
    } finally {
      cleanup();
    }
  }, 180_000);
});
