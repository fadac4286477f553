import * as fs from 'node:fs';
import * as path from 'node:path';
import { lastDone, readManifest } from '../../src/loom/manifest';
import { checkpointPath, exportSidecar, writeCheckpoint } from '../../src/loom/checkpoint';
import { InvalidSidecarError, SidecarMismatchError, SidecarNotFoundError, readSidecar } from '../../src/sidecar';
import { expectSameSidecar, makeRunDir, smallSidecar, tempDir } from '../sidecar/helpers';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

test('checkpoint → export → read is bit-exact, and run.json records both stages', async () => {
  await makeRunDir(dir);
  const s = smallSidecar({ encoder: 'multi_token', tokens: 3 });
  expect(await writeCheckpoint(dir, s)).toBe(checkpointPath(dir));
  expect(fs.existsSync(path.join(dir, 'checkpoints', 'sidecar.ckpt.gguf'))).toBe(true);
  const train = lastDone(await readManifest(dir), 'train');
  expect(train?.detail).toMatchObject({ checkpoint: 'checkpoints/sidecar.ckpt.gguf', version: 2, encoderType: 'multi_token', tokens: 3 });

  const r = await exportSidecar(dir);
  expect(r.path).toBe(path.join(dir, 'sidecar.gguf'));
  expectSameSidecar(await readSidecar(r.path), s);
  expect(lastDone(await readManifest(dir), 'export')?.detail.output).toBe(path.resolve(dir, 'sidecar.gguf'));

  const elsewhere = path.join(dir, 'out', 'doubter.gguf');
  await exportSidecar(dir, elsewhere);
  expectSameSidecar(await readSidecar(elsewhere), s);
});

test('a version-1 checkpoint exports as version 1, bit-exact', async () => {
  await makeRunDir(dir);
  const s = smallSidecar({ version: 1, encoder: 'transformer' });
  await writeCheckpoint(dir, s);
  expect(lastDone(await readManifest(dir), 'train')?.detail).toMatchObject({ version: 1 });
  const r = await exportSidecar(dir);
  expect(r.sidecar.config.version).toBe(1);
  expectSameSidecar(await readSidecar(r.path), s);
});

test('a checkpoint for another model is refused, on write and on export', async () => {
  await makeRunDir(dir, 'the-run-model');
  await expect(writeCheckpoint(dir, smallSidecar())).rejects.toThrow(SidecarMismatchError);
  // one put there by hand
  await makeRunDir(dir);
  await writeCheckpoint(dir, smallSidecar());
  await makeRunDir(dir, 'the-run-model');
  const err = await exportSidecar(dir).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(SidecarMismatchError);
  expect((err as Error).message).toMatch(/made for base test-fingerprint; this run directory is for the-run-model/);
  expect(fs.existsSync(path.join(dir, 'sidecar.gguf'))).toBe(false);
});

test('a checkpoint that reads layers the run did not tap is refused', async () => {
  await makeRunDir(dir, undefined, [3]);
  await expect(writeCheckpoint(dir, smallSidecar({ targetLayers: [2, 3] }))).rejects.toThrow(/layer\(s\) 2, which this run did not tap/);
});

test('no checkpoint, or a damaged one: clear errors', async () => {
  await makeRunDir(dir);
  await expect(exportSidecar(dir)).rejects.toThrow(SidecarNotFoundError);
  fs.mkdirSync(path.join(dir, 'checkpoints'));
  fs.writeFileSync(checkpointPath(dir), 'GGUF\x03\x00\x00\x00 not really');
  await expect(exportSidecar(dir)).rejects.toThrow(InvalidSidecarError);
});

test('a directory without run.json is refused', async () => {
  await expect(exportSidecar(dir)).rejects.toThrow(/has no run.json/);
});
