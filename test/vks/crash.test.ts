import { join } from 'node:path';
import { Vks } from '../../src/vks';
import { killWriterAfter as killChildAfter } from '../support/kill';
import { tempDir } from './helpers';

/** Runs the VKS writer child, SIGKILLs it mid-stream, and resolves with the record ids it acknowledged. */
function killWriterAfter(dbPath: string, tag: string, acks: number): Promise<string[]> {
  return killChildAfter(join(__dirname, 'support', 'writer-child.js'), [dbPath, tag], acks);
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
