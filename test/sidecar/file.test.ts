import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readGguf } from '../../src/engine';
import {
  ENCODER_TYPES,
  InvalidSidecarError,
  SIDECAR_KEYS,
  SIDECAR_VERSION,
  configToMetadata,
  createSidecar,
  inspectSidecar,
  parameterCount,
  readSidecar,
  tensorSpecs,
  writeSidecar,
  type Sidecar,
  type SidecarVersion,
} from '../../src/sidecar';
import { bytesOf, expectSameSidecar, fakeBase, smallSidecar, tempDir, writeVariant } from './helpers';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

describe('tensorSpecs', () => {
  test('lists exactly the tensors FORMAT.md requires, per encoder type (version 2)', () => {
    const base = fakeBase({ embeddingSize: 8, layerCount: 6 });
    const common = { targetLayers: [3, 4, 5], injectLayers: [4, 5], bottleneck: 4, heads: 2 };
    const names = (type: (typeof ENCODER_TYPES)[number], extra = {}) =>
      Object.fromEntries(tensorSpecs(createSidecar(base, { ...common, encoder: type, ...extra }).config).map((s) => [s.name, s.shape]));
    const probesAndInjection = {
      'probe.weight': [8, 3], 'probe.bias': [3], 'probe.out.weight': [3, 3],
      'inj.0.q.weight': [8, 4], 'inj.0.k.weight': [8, 4], 'inj.0.v.weight': [8, 4], 'inj.0.o.weight': [4, 8],
      'inj.1.q.weight': [8, 4], 'inj.1.k.weight': [8, 4], 'inj.1.v.weight': [8, 4], 'inj.1.o.weight': [4, 8],
      'inj.gate': [2],
    };
    expect(names('selective')).toEqual({
      ...probesAndInjection,
      'enc.0.weight': [8, 8], 'enc.0.bias': [8], 'enc.1.weight': [8, 8], 'enc.1.bias': [8], 'enc.2.weight': [8, 8], 'enc.2.bias': [8],
      'enc.gate': [3], 'enc.refusal': [8, 3],
    });
    expect(names('multi_token', { tokens: 5 })).toEqual({
      ...probesAndInjection,
      'enc.layer_embd': [8, 3], 'enc.queries': [8, 5], 'enc.k.weight': [8, 8], 'enc.v.weight': [8, 8], 'enc.o.weight': [8, 8], 'enc.gate': [5],
      'enc.refusal': [8, 5],
    });
    expect(names('transformer', { encoderHeads: 2, ff: 12 })).toEqual({
      ...probesAndInjection,
      'enc.layer_embd': [8, 3], 'enc.attn.q.weight': [8, 8], 'enc.attn.k.weight': [8, 8], 'enc.attn.v.weight': [8, 8],
      'enc.attn.o.weight': [8, 8], 'enc.ff.up.weight': [8, 12], 'enc.ff.down.weight': [12, 8], 'enc.gate': [3], 'enc.refusal': [8, 3],
    });
  });

  test('file order: version 2 puts probe.out.weight after the probes and enc.refusal after enc.gate; version 1 has neither', () => {
    const base = fakeBase();
    const order = (version: 1 | 2, encoder: (typeof ENCODER_TYPES)[number]) =>
      tensorSpecs(createSidecar(base, { version, encoder, targetLayers: [2, 3], injectLayers: [3], bottleneck: 4, heads: 2 }).config).map((s) => s.name);
    const injection = ['inj.0.q.weight', 'inj.0.k.weight', 'inj.0.v.weight', 'inj.0.o.weight', 'inj.gate'];
    expect(order(2, 'selective')).toEqual([
      'probe.weight', 'probe.bias', 'probe.out.weight',
      'enc.0.weight', 'enc.0.bias', 'enc.1.weight', 'enc.1.bias', 'enc.gate', 'enc.refusal', ...injection,
    ]);
    expect(order(1, 'selective')).toEqual([
      'probe.weight', 'probe.bias', 'enc.0.weight', 'enc.0.bias', 'enc.1.weight', 'enc.1.bias', 'enc.gate', ...injection,
    ]);
    expect(order(2, 'multi_token')).toEqual([
      'probe.weight', 'probe.bias', 'probe.out.weight',
      'enc.layer_embd', 'enc.queries', 'enc.k.weight', 'enc.v.weight', 'enc.o.weight', 'enc.gate', 'enc.refusal', ...injection,
    ]);
    expect(order(2, 'transformer')).toEqual([
      'probe.weight', 'probe.bias', 'probe.out.weight', 'enc.layer_embd',
      'enc.attn.q.weight', 'enc.attn.k.weight', 'enc.attn.v.weight', 'enc.attn.o.weight', 'enc.ff.up.weight', 'enc.ff.down.weight',
      'enc.gate', 'enc.refusal', ...injection,
    ]);
    for (const encoder of ENCODER_TYPES) expect(order(1, encoder)).toEqual(order(2, encoder).filter((n) => n !== 'probe.out.weight' && n !== 'enc.refusal'));
  });

  test('parameterCount sums the tensors', () => {
    const s = smallSidecar();
    expect(parameterCount(s.config)).toBe([...s.tensors.values()].reduce((n, t) => n + t.data.length, 0));
  });
});

describe('write → read', () => {
  test.each(ENCODER_TYPES)('%s: bit-exact, every tensor and every key', async (encoder) => {
    const s = smallSidecar({ encoder, refusal: 'Je ne sais pas — ¿quién sabe?', threshold: 0.3, agc: { floor: 0.2, tau: 12.5 }, gating: 'decision' });
    const file = path.join(dir, `${encoder}.gguf`);
    await writeSidecar(file, s);
    const got = await readSidecar(file);
    expectSameSidecar(got, s);
    // the file's key/values are FORMAT.md's keys with FORMAT.md's types, values as written
    const { metadata, tensors } = await readGguf(file, { maxArray: 1000 });
    const typeName = (t: string) => (t === 'string' ? 'str' : t === 'i32[]' ? 'array<i32>' : t);
    const kv = configToMetadata(s.config);
    expect(Object.keys(metadata).sort()).toEqual(kv.map((e) => e.key).sort());
    for (const e of kv) {
      expect(metadata[e.key].type).toBe(typeName(e.type));
      expect(metadata[e.key].value).toEqual(e.value);
    }
    expect(new Set(Object.values(SIDECAR_KEYS))).toEqual(new Set(kv.map((e) => e.key)));
    expect(tensors.map((t) => t.name)).toEqual(tensorSpecs(s.config).map((t) => t.name));
    expect(tensors.every((t) => t.type === 'f32')).toBe(true);
  });

  test('a single target/injection layer ([E, 1] tensors, stored by ggml as [E]) round-trips with its declared shape', async () => {
    const s = smallSidecar({ encoder: 'multi_token', targetLayers: [2], injectLayers: [3], tokens: 1 });
    const file = path.join(dir, 'one.gguf');
    await writeSidecar(file, s);
    const got = await readSidecar(file);
    expectSameSidecar(got, s);
    expect(got.tensors.get('probe.weight')!.shape).toEqual([8, 1]);
  });

  test('the same seed and options give the same bytes; another seed other weights', async () => {
    const [a, b, c] = [path.join(dir, 'a'), path.join(dir, 'b'), path.join(dir, 'c')];
    await writeSidecar(a, smallSidecar({ seed: 9 }));
    await writeSidecar(b, smallSidecar({ seed: 9 }));
    await writeSidecar(c, smallSidecar({ seed: 10 }));
    expect(fs.readFileSync(a).equals(fs.readFileSync(b))).toBe(true);
    expect(fs.readFileSync(a).equals(fs.readFileSync(c))).toBe(false);
  });

  test('version 1 files still read: no φ weights, no refusal channel, version 1 kept', async () => {
    const s = smallSidecar({ version: 1, encoder: 'multi_token', tokens: 3 });
    const file = path.join(dir, 'v1.gguf');
    await writeSidecar(file, s);
    const got = await readSidecar(file);
    expectSameSidecar(got, s);
    expect(got.config.version).toBe(1);
    expect(got.tensors.has('probe.out.weight')).toBe(false);
    expect(got.tensors.has('enc.refusal')).toBe(false);
    const { metadata, tensors } = await readGguf(file);
    expect(metadata[SIDECAR_KEYS.version]).toMatchObject({ type: 'u32', value: 1 });
    expect(tensors.map((t) => t.name)).toEqual(tensorSpecs(s.config).map((t) => t.name));
    const report = await inspectSidecar(file);
    expect(report.config.version).toBe(1);
    expect(report.tensors.map((t) => t.name)).toEqual(tensors.map((t) => t.name));
  });

  test('unknown extra keys are allowed (a newer minor writer may add some)', async () => {
    const s = smallSidecar();
    const file = path.join(dir, 'extra.gguf');
    writeVariant(file, s, { meta: (kv) => [...kv, { key: 'cogito.sidecar.trained_on', type: 'string', value: 'folio' }] });
    expectSameSidecar(await readSidecar(file), s);
  });
});

describe('createSidecar versions', () => {
  /** sha256 over the names and bytes of the tensors `keep` selects, in file order. */
  const digest = (s: Sidecar, keep: (name: string) => boolean = () => true) => {
    const h = createHash('sha256');
    for (const [name, t] of s.tensors) {
      if (!keep(name)) continue;
      h.update(name);
      h.update(bytesOf(t.data));
    }
    return h.digest('hex');
  };
  // smallSidecar's weights as createSidecar made them before version 2 (commit 59d267e)
  const before = {
    selective: '10da79ab790eb581e2d628d8301bc787545e56c05e87fcc1fbdd0e16b8cb6edb',
    multi_token: 'e692ca78d0fd7692855f6994959b440d1abd59d98f128b88d726da3a19b89051',
    transformer: 'c6d839daaf3b884f15c1bc0d85d1e6cbd5625ebe72f45130b4166f23d18dcac4',
  };

  test.each(ENCODER_TYPES)('%s: version 2 by default; the same seed gives the weights it gave before, in either version', (encoder) => {
    const v2 = smallSidecar({ encoder });
    expect(v2.config.version).toBe(SIDECAR_VERSION);
    expect(SIDECAR_VERSION).toBe(2);
    expect(digest(smallSidecar({ encoder, version: 1 }))).toBe(before[encoder]);
    expect(digest(v2, (name) => name !== 'probe.out.weight' && name !== 'enc.refusal')).toBe(before[encoder]);
    // the new tensors start at zero, so the fresh sidecar behaves as version 1 (see reference.test.ts)
    for (const name of ['probe.out.weight', 'enc.refusal']) expect(v2.tensors.get(name)!.data.every((v) => v === 0)).toBe(true);
  });

  test('version 2 tensors can be set by hand; a version-1 sidecar has none, and no version 3 exists', () => {
    const s = smallSidecar({ tensors: { 'probe.out.weight': [1, 2, 3, 4, 5, 6] } });
    expect(Array.from(s.tensors.get('probe.out.weight')!.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(() => smallSidecar({ version: 1, tensors: { 'enc.refusal': new Float32Array(16) } }))
      .toThrow(/createSidecar: tensor 'enc.refusal' is not part of a version-1 selective sidecar/);
    expect(() => smallSidecar({ version: 3 as SidecarVersion })).toThrow(/createSidecar: cogito.sidecar.version: unsupported sidecar format version 3/);
  });
});

describe('writeSidecar refuses what the reader would refuse', () => {
  const file = () => path.join(dir, 'w.gguf');
  test('invalid config', async () => {
    const s = smallSidecar();
    await expect(writeSidecar(file(), { ...s, config: { ...s.config, heads: 3 } })).rejects.toThrow(/cogito\.sidecar\.heads: bottleneck 4 is not divisible by 3/);
    await expect(writeSidecar(file(), { ...s, config: { ...s.config, version: 3 } })).rejects.toThrow(InvalidSidecarError);
  });
  test('tensors of the other version', async () => {
    const v2 = smallSidecar();
    const v1 = smallSidecar({ version: 1 });
    await expect(writeSidecar(file(), { ...v2, tensors: v1.tensors })).rejects.toThrow(/missing tensor 'probe.out.weight' \[3, 2\]/);
    await expect(writeSidecar(file(), { ...v1, tensors: v2.tensors }))
      .rejects.toThrow(/unexpected tensor 'probe.out.weight' \(not part of a version-1 selective sidecar\)/);
    expect(fs.existsSync(file())).toBe(false);
  });
  test('missing, extra, misshapen or non-finite tensors', async () => {
    const s = smallSidecar();
    const without = new Map(s.tensors);
    without.delete('inj.gate');
    await expect(writeSidecar(file(), { ...s, tensors: without })).rejects.toThrow(/missing tensor 'inj.gate'/);
    await expect(writeSidecar(file(), { ...s, tensors: new Map([...s.tensors, ['enc.extra', { shape: [1], data: new Float32Array(1) }]]) }))
      .rejects.toThrow(/unexpected tensor 'enc.extra'/);
    await expect(writeSidecar(file(), { ...s, tensors: new Map([...s.tensors, ['probe.bias', { shape: [3], data: new Float32Array(3) }]]) }))
      .rejects.toThrow(/tensor 'probe.bias' has shape \[3\], expected \[2\]/);
    await expect(writeSidecar(file(), { ...s, tensors: new Map([...s.tensors, ['probe.bias', { shape: [2], data: new Float32Array([0, NaN]) }]]) }))
      .rejects.toThrow(/'probe.bias' holds a non-finite value/);
    expect(fs.existsSync(file())).toBe(false);
  });
});
