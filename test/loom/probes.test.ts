import * as path from 'node:path';
import { SidecarHandle } from '../../src/engine';
import { trainProbes } from '../../src/loom/probes';
import { createSidecar, writeSidecar } from '../../src/sidecar';
import { createRng } from '../../src/util/prng';
import { tempDir } from '../sidecar/helpers';

/**
 * Probe training's schedule runs in TS over native epochs: it stops `patience` epochs after the
 * best validation loss (or at `epochs`), and leaves the probes with the best epoch's weights.
 */
describe('trainProbes', () => {
  let dir: string;
  let cleanup: () => void;
  let file: string;
  const E = 8;
  const n = 40;
  const per = 2 * E + 3;
  const rng = createRng(5);
  const states = Float32Array.from({ length: n * per }, () => rng.next() * 2 - 1);
  const correct = Uint8Array.from({ length: n }, (_, i) => (states[i * per] > 0 ? 1 : 0));

  beforeAll(async () => {
    ({ dir, cleanup } = tempDir());
    file = path.join(dir, 'probes.gguf');
    await writeSidecar(file, createSidecar({ fingerprint: 'f', architecture: 'llama', embeddingSize: E, layerCount: 4 }, { targetLayers: [2, 3], bottleneck: 4, heads: 2, seed: 1 }));
  });
  afterAll(() => cleanup());

  async function run(options: { epochs?: number; patience?: number }) {
    const sidecar = await SidecarHandle.load(file);
    try {
      const epochs = await trainProbes(sidecar, states, correct, { seed: 3, ...options });
      const probes = sidecar.tensors().filter((t) => t.name.startsWith('probe.'));
      return { epochs, probes };
    } finally {
      sidecar.dispose();
    }
  }

  test('stops patience epochs after the best validation loss, or at the epoch limit', async () => {
    const patience = 4;
    const { epochs } = await run({ epochs: 60, patience });
    const losses = epochs.map((e) => e.valLoss);
    let best = 0;
    losses.forEach((l, i) => (l < losses[best] - 1e-6 ? (best = i) : undefined));
    expect(epochs.length).toBe(Math.min(60, best + 1 + patience));
    expect((await run({ epochs: 3, patience: 100 })).epochs).toHaveLength(3);
  });

  test('keeps the best epoch: training on past it changes nothing, the same seed gives the same weights', async () => {
    const short = await run({ epochs: 60, patience: 4 });
    const again = await run({ epochs: 60, patience: 4 });
    expect(again.epochs).toEqual(short.epochs);
    const bytes = (p: { data: Float32Array }[]) => p.map((t) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).toString('hex'));
    expect(bytes(again.probes)).toEqual(bytes(short.probes));
    // a longer patience runs more epochs after the same best one, and still ends on its weights
    const losses = short.epochs.map((e) => e.valLoss);
    const best = losses.indexOf(Math.min(...losses));
    if (best + 1 + 4 < 60) {
      const longer = await run({ epochs: best + 1 + 8, patience: 8 });
      const longerLosses = longer.epochs.map((e) => e.valLoss);
      if (Math.min(...longerLosses) === losses[best]) expect(bytes(longer.probes)).toEqual(bytes(short.probes));
    }
  });
});
