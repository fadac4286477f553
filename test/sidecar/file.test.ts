import * as fs from 'node:fs';
import * as path from 'node:path';
import { readGguf } from '../../src/engine';
import {
  ENCODER_TYPES,
  InvalidSidecarError,
  SIDECAR_KEYS,
  configToMetadata,
  createSidecar,
  parameterCount,
  readSidecar,
  tensorSpecs,
  writeSidecar,
} from '../../src/sidecar';
import { expectSameSidecar, fakeBase, smallSidecar, tempDir, writeVariant } from './helpers';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

describe('tensorSpecs', () => {
  test('lists exactly the tensors FORMAT.md requires, per encoder type', () => {
    const base = fakeBase({ embeddingSize: 8, layerCount: 6 });
    const common = { targetLayers: [3, 4, 5], injectLayers: [4, 5], bottleneck: 4, heads: 2 };
    const names = (type: (typeof ENCODER_TYPES)[number], extra = {}) =>
      Object.fromEntries(tensorSpecs(createSidecar(base, { ...common, encoder: type, ...extra }).config).map((s) => [s.name, s.shape]));
    const probesAndInjection = {
      'probe.weight': [8, 3], 'probe.bias': [3],
      'inj.0.q.weight': [8, 4], 'inj.0.k.weight': [8, 4], 'inj.0.v.weight': [8, 4], 'inj.0.o.weight': [4, 8],
      'inj.1.q.weight': [8, 4], 'inj.1.k.weight': [8, 4], 'inj.1.v.weight': [8, 4], 'inj.1.o.weight': [4, 8],
      'inj.gate': [2],
    };
    expect(names('selective')).toEqual({
      ...probesAndInjection,
      'enc.0.weight': [8, 8], 'enc.0.bias': [8], 'enc.1.weight': [8, 8], 'enc.1.bias': [8], 'enc.2.weight': [8, 8], 'enc.2.bias': [8],
      'enc.gate': [3],
    });
    expect(names('multi_token', { tokens: 5 })).toEqual({
      ...probesAndInjection,
      'enc.layer_embd': [8, 3], 'enc.queries': [8, 5], 'enc.k.weight': [8, 8], 'enc.v.weight': [8, 8], 'enc.o.weight': [8, 8], 'enc.gate': [5],
    });
    expect(names('transformer', { encoderHeads: 2, ff: 12 })).toEqual({
      ...probesAndInjection,
      'enc.layer_embd': [8, 3], 'enc.attn.q.weight': [8, 8], 'enc.attn.k.weight': [8, 8], 'enc.attn.v.weight': [8, 8],
      'enc.attn.o.weight': [8, 8], 'enc.ff.up.weight': [8, 12], 'enc.ff.down.weight': [12, 8], 'enc.gate': [3],
    });
  });

  test('parameterCount sums the tensors', () => {
    const s = smallSidecar();
    expect(parameterCount(s.config)).toBe([...s.tensors.values()].reduce((n, t) => n + t.data.length, 0));
  });
});

describe('write → read', () => {
  test.each(ENCODER_TYPES)('%s: bit-exact, every tensor and every key', async (encoder) => {
    const s = smallSidecar({ encoder, refusal: 'Je ne sais pas — ¿quién sabe?', threshold: 0.3, agc: { floor: 0.2, tau: 12.5 } });
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

  test('unknown extra keys are allowed (a newer minor writer may add some)', async () => {
    const s = smallSidecar();
    const file = path.join(dir, 'extra.gguf');
    writeVariant(file, s, { meta: (kv) => [...kv, { key: 'cogito.sidecar.trained_on', type: 'string', value: 'folio' }] });
    expectSameSidecar(await readSidecar(file), s);
  });
});

describe('writeSidecar refuses what the reader would refuse', () => {
  const file = () => path.join(dir, 'w.gguf');
  test('invalid config', async () => {
    const s = smallSidecar();
    await expect(writeSidecar(file(), { ...s, config: { ...s.config, heads: 3 } })).rejects.toThrow(/cogito\.sidecar\.heads: bottleneck 4 is not divisible by 3/);
    await expect(writeSidecar(file(), { ...s, config: { ...s.config, version: 2 } })).rejects.toThrow(InvalidSidecarError);
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
