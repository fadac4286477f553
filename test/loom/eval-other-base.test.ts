// `evaluate({ model })`: the shipped sidecar judged on another base than its run's (a quantization
// of the default model), as bench/quantized-sidecar.js measures it. The real default model and
// sidecar, a handful of held-out questions.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadModel, quantize } from '../../src/engine';
import { collect } from '../../src/loom/collect';
import { evaluate } from '../../src/loom/eval';
import { MANIFEST_FILE, ModelMismatchError } from '../../src/loom/manifest';
import { SidecarMismatchError } from '../../src/sidecar';
import { repoRoot, tempDir } from '../support/engine';

const shippedModel = path.join(repoRoot, 'models', 'default.gguf');
const shippedSidecar = path.join(repoRoot, 'sidecars', 'default.gguf');
const dir = tempDir('cogito-eval-other-base-');
const runDir = path.join(dir, 'run');
const dataset = path.join(dir, 'heldout.jsonl');
const q4 = path.join(dir, 'default-q4_0.gguf');

beforeAll(async () => {
  const lines = fs.readFileSync(path.join(repoRoot, 'models', 'default.heldout.jsonl'), 'utf8').trim().split('\n');
  // every 40th question: all buckets, a few seconds
  fs.writeFileSync(dataset, `${lines.filter((_, i) => i % 40 === 0).join('\n')}\n`);
  await collect({ runDir, model: shippedModel, dataset, targetLayers: '2,3' });
  await quantize(shippedModel, q4, 'q4_0', { allowRequantize: true });
}, 60_000);

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('another base is refused by the sidecar\'s binding unless forced, and the report names the base it ran on', async () => {
  const fingerprintOf = async (file: string): Promise<string> => {
    const m = await loadModel(file);
    const f = m.info.fingerprint;
    await m.dispose();
    return f;
  };
  const [shipped, quantized] = [await fingerprintOf(shippedModel), await fingerprintOf(q4)];
  expect(quantized).not.toBe(shipped);

  // the run's own check is not what stops it (the caller chose the base); the sidecar's binding is
  await expect(evaluate({ runDir, dataset, sidecar: shippedSidecar, model: q4 })).rejects.toThrow(SidecarMismatchError);

  const { report } = await evaluate({ runDir, dataset, sidecar: shippedSidecar, model: q4, force: true, outDir: path.join(dir, 'q4') });
  expect(report.meta).toMatchObject({ model: q4, fingerprint: quantized });
  expect(report.meta.binding).toMatch(/fingerprint .* running it anyway \(force\)/);
  expect(report.n).toBe(fs.readFileSync(dataset, 'utf8').trim().split('\n').length);

  // on the run's own base: no warning, the run's fingerprint
  const own = await evaluate({ runDir, dataset, sidecar: shippedSidecar, outDir: path.join(dir, 'own') });
  expect(own.report.meta).toMatchObject({ model: shippedModel, fingerprint: shipped });
  expect(own.report.meta.binding).toBeUndefined();
}, 60_000);

test('without a model of its own choosing, the run still refuses a base it was not collected on', async () => {
  const manifestFile = path.join(runDir, MANIFEST_FILE);
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as { model: { path: string } };
  fs.writeFileSync(manifestFile, JSON.stringify({ ...manifest, model: { ...manifest.model, path: q4 } }));
  try {
    await expect(evaluate({ runDir, dataset, sidecar: shippedSidecar })).rejects.toThrow(ModelMismatchError);
  } finally {
    fs.writeFileSync(manifestFile, JSON.stringify(manifest));
  }
});
