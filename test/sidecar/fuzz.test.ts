import * as fs from 'node:fs';
import * as path from 'node:path';
import { InvalidSidecarError, readSidecar, writeSidecar } from '../../src/sidecar';
import { createRng } from '../../src/util/prng';
import { smallSidecar, tempDir } from './helpers';

/**
 * Mutates bytes of a valid sidecar a few thousand times (seeded) and reads each in this process:
 * a crash in ggml's reader or the addon would take jest down with it. Every read must either
 * succeed (a mutation in weights or padding can be harmless) or throw InvalidSidecarError.
 */
test('3,000 byte mutations: each read succeeds or throws InvalidSidecarError', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const src = path.join(dir, 'good.gguf');
    await writeSidecar(src, smallSidecar({ encoder: 'transformer', encoderHeads: 2 }));
    const good = fs.readFileSync(src);
    const headerEnd = good.indexOf(Buffer.from('probe.weight')) + 200; // the header is where parsing can go wrong
    const rng = createRng(20261122);
    const file = path.join(dir, 'mutant.gguf');
    const outcomes = { read: 0, refused: 0 };
    for (let i = 0; i < 3000; i++) {
      const b = Buffer.from(good);
      const inHeader = rng.next() < 0.75;
      for (let k = 1 + rng.int(4); k > 0; k--) {
        const at = inHeader ? rng.int(headerEnd) : rng.int(b.length);
        const how = rng.int(3);
        b[at] = how === 0 ? rng.int(256) : how === 1 ? b[at] ^ (1 << rng.int(8)) : [0x00, 0xff, 0x7f, 0x80][rng.int(4)];
      }
      fs.writeFileSync(file, rng.next() < 0.05 ? b.subarray(0, rng.int(b.length)) : b);
      try {
        await readSidecar(file);
        outcomes.read++;
      } catch (err) {
        if (!(err instanceof InvalidSidecarError)) throw new Error(`mutation ${i} threw ${String(err)} instead of InvalidSidecarError`);
        outcomes.refused++;
      }
    }
    expect(outcomes.read + outcomes.refused).toBe(3000);
    expect(outcomes.refused).toBeGreaterThan(2000);
  } finally {
    cleanup();
  }
}, 300_000);
