import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadModel, type ModelInfo } from '../../src/engine';
import { createSidecar, readSidecar, tensorSpecs, writeSidecar } from '../../src/sidecar';
import { smallModel } from '../support/engine';
import { expectSameSidecar, makeRunDir, tempDir } from './helpers';

/** `cogito <args>` as a child process, from the TS sources (dist/ may not be built). */
function cogito(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(__dirname, 'support', 'cli-child.js'), ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

let dir: string;
let cleanup: () => void;
let model: string;
let info: ModelInfo;
beforeAll(async () => {
  model = await smallModel();
  const m = await loadModel(model);
  info = m.info;
  await m.dispose();
});
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

test('sidecar create, then inspect as text and JSON, with and without a model', async () => {
  const file = path.join(dir, 'doubter.gguf');
  const made = cogito('sidecar', 'create', '--model', model, '-o', file, '--encoder', 'transformer', '--seed', '7', '--gate-init', '0');
  expect(made).toMatchObject({ code: 0, out: expect.stringMatching(/^wrote .*doubter.gguf \(transformer, layers 2,3 → 2,3\)/) });
  const { config } = await readSidecar(file);
  expect(config).toMatchObject({ base: { fingerprint: info.fingerprint, nEmbd: 128, nLayer: 4 }, encoder: { type: 'transformer' }, gateInit: 0 });

  const text = cogito('inspect', file);
  expect(text.code).toBe(0);
  expect(text.out).toMatch(/cogito sidecar v2 \(doubter\)/);
  expect(text.out).toContain(`fingerprint ${info.fingerprint}`);
  expect(text.out).toMatch(/enc\.ff\.down\.weight \[256, 128\] 32768/);
  expect(text.out).toMatch(/probe\.out\.weight \[3, 2\] 6\n/);
  expect(text.out).toMatch(/enc\.refusal \[128, 2\] 256\n/);
  expect(text.out).toMatch(/rms eps 0\.00001\n.*AGC floor 0\.3, tau 32/); // the values written, not their f32 noise

  const json = JSON.parse(cogito('inspect', file, '--json').out);
  expect(json.config).toEqual(config);
  expect(json.tensors.map((t: { name: string; shape: number[] }) => [t.name, t.shape])).toEqual(tensorSpecs(config).map((s) => [s.name, s.shape]));
  expect(json.parameters).toBe(json.tensors.reduce((n: number, t: { parameters: number }) => n + t.parameters, 0));
  expect(json.binding).toBeUndefined();

  const bound = cogito('inspect', file, '--model', model, '--json');
  expect(bound.code).toBe(0);
  expect(JSON.parse(bound.out).binding).toMatchObject({ binds: true, warning: null, fingerprint: info.fingerprint });
});

test('inspect --model: another base does not bind (exit 1) unless --force turns a fingerprint mismatch into a warning', async () => {
  const file = path.join(dir, 'other.gguf');
  await writeSidecar(file, createSidecar({ ...info, fingerprint: 'not-this-model' }));
  const r = cogito('inspect', file, '--model', model);
  expect(r.code).toBe(1);
  expect(r.out).toMatch(/does NOT bind to .*fingerprint not-this-model/);
  const forced = cogito('inspect', file, '--model', model, '--force');
  expect(forced.code).toBe(0);
  expect(forced.out).toMatch(/binds to .* with a warning: .*running it anyway/);

  const wide = path.join(dir, 'wide.gguf');
  await writeSidecar(wide, createSidecar({ ...info, embeddingSize: 64 }));
  expect(JSON.parse(cogito('inspect', wide, '--model', model, '--force', '--json').out).binding).toMatchObject({ binds: false, code: 'SIDECAR_MISMATCH' });
});

test('inspect of a damaged file: exit 1 with the reason', () => {
  const file = path.join(dir, 'bad.gguf');
  fs.writeFileSync(file, 'GGUF but not really');
  const r = cogito('inspect', file);
  expect(r.code).toBe(1);
  expect(r.err).toMatch(/^cogito: .*bad.gguf: corrupt or truncated GGUF/);
});

test('export from a run directory whose checkpoint the library wrote: bit-exact', async () => {
  await makeRunDir(dir, info.fingerprint, [2, 3]);
  expect(cogito('sidecar', 'create', '--model', model, '--run-dir', dir, '--encoder', 'multi_token', '--tokens', '3').code).toBe(0);
  const out = path.join(dir, 'exported.gguf');
  const r = cogito('export', '--run-dir', dir, '-o', out);
  expect(r).toMatchObject({ code: 0, out: expect.stringMatching(/^wrote .*exported.gguf from .*sidecar.ckpt.gguf/) });
  expectSameSidecar(await readSidecar(out), await readSidecar(path.join(dir, 'checkpoints', 'sidecar.ckpt.gguf')));
  expect(cogito('export', '--run-dir', dir).code).toBe(0);
  expect(fs.existsSync(path.join(dir, 'sidecar.gguf'))).toBe(true);
});

test('export refuses a run made with another model', async () => {
  await makeRunDir(dir, info.fingerprint);
  expect(cogito('sidecar', 'create', '--model', model, '--run-dir', dir).code).toBe(0);
  await makeRunDir(dir, 'another-model');
  const r = cogito('export', '--run-dir', dir);
  expect(r.code).toBe(1);
  expect(r.err).toMatch(/this run directory is for another-model/);
});

test('sidecar create rejects bad options', () => {
  expect(cogito('sidecar', 'create', '--model', model, '-o', path.join(dir, 'x.gguf'), '--encoder', 'lstm')).toMatchObject({ code: 1, err: expect.stringMatching(/--encoder must be one of/) });
  expect(cogito('sidecar', 'create', '--model', model, '-o', path.join(dir, 'x.gguf'), '--bottleneck', '6', '--heads', '4').err).toMatch(/not divisible by 4 heads/);
  expect(cogito('sidecar', 'create', '--model', model, '-o', path.join(dir, 'x.gguf'), '--target-layers', '9').err).toMatch(/layer 9 is out of range/);
});

test('the cogito program registers inspect, export and sidecar create', async () => {
  const { buildProgram } = await import('../../src/cli');
  const names = buildProgram().commands.map((c) => c.name());
  expect(names).toEqual(expect.arrayContaining(['inspect', 'export', 'sidecar']));
  expect(buildProgram().commands.find((c) => c.name() === 'sidecar')!.commands.map((c) => c.name())).toEqual(['create']);
});
