import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Vks } from '../../src/vks';
import { tempDir } from './helpers';

/**
 * Runs a writer child that prints each record id after its commit returned, SIGKILLs it
 * mid-stream, and resolves with the ids it acknowledged.
 */
function killWriterAfter(dbPath: string, tag: string, acks: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(__dirname, 'support', 'writer-child.js'), dbPath, tag], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const ids: string[] = [];
    let buf = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buf += chunk.toString();
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      ids.push(...lines.filter(Boolean));
      if (ids.length >= acks && !child.killed) child.kill('SIGKILL');
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer exited on its own (${signal}): ${stderr}`));
      else resolve(ids);
    });
  });
}

describe('crash safety', () => {
  test('a writer killed with SIGKILL mid-write loses no acknowledged record and leaves a valid chain', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const path = join(dir, 'vks.db');
      const first = await killWriterAfter(path, 'first', 150);
      const second = await killWriterAfter(path, 'second', 60); // reopens a store whose last writer died
      const vks = Vks.open(path); // verifies the AXIOM chain; throws if the kill broke it
      try {
        for (const id of [...first, ...second]) expect(vks.get(id)).not.toBeNull();
        const stats = vks.stats();
        expect(stats.records).toBeGreaterThanOrEqual(first.length + second.length);
        expect(stats.axiomChain.length).toBeGreaterThanOrEqual(Math.ceil(first.length / 3));
        // The store is still writable after two violent deaths.
        vks.add({ tier: 'AXIOM', text: 'after the crash', status: 'VERIFIED', method: 'SEED' });
        expect(vks.verifyChain().length).toBe(stats.axiomChain.length + 1);
      } finally {
        vks.close();
      }
    } finally {
      cleanup();
    }
  });
});
