import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadModel, readGguf, type ModelInfo } from '../../src/engine';
import {
  InvalidSidecarError,
  SIDECAR_KEYS,
  SidecarMismatchError,
  SidecarNotFoundError,
  checkBinding,
  createSidecar,
  readSidecar,
  writeSidecar,
} from '../../src/sidecar';
import { smallModel } from '../support/engine';
import { setKey, smallSidecar, tempDir, writeVariant } from './helpers';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

const file = () => path.join(dir, 'bad.gguf');

/** Reads `file()` expecting InvalidSidecarError with a message matching `why`. */
async function refused(why: RegExp | string): Promise<InvalidSidecarError> {
  const err = await readSidecar(file()).then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(InvalidSidecarError);
  expect((err as InvalidSidecarError).code).toBe('INVALID_SIDECAR');
  expect((err as Error).message).toMatch(why);
  return err as InvalidSidecarError;
}

describe('metadata', () => {
  // gating is optional: absent means 'always'
  test.each(Object.values(SIDECAR_KEYS).filter((k) => k !== SIDECAR_KEYS.gating))('a missing %s is named', async (key) => {
    writeVariant(file(), smallSidecar(), { meta: setKey(key) });
    await refused(`missing key '${key}'`);
  });

  test.each([
    [SIDECAR_KEYS.bottleneck, { type: 'i32', value: 4 }, /'cogito.sidecar.bottleneck' is i32, expected u32/],
    [SIDECAR_KEYS.kind, { type: 'u32', value: 1 }, /'cogito.sidecar.kind' is u32, expected str/],
    [SIDECAR_KEYS.rmsEps, { type: 'f64', value: 1e-5 }, /'cogito.sidecar.rms_eps' is f64, expected f32/],
    [SIDECAR_KEYS.targetLayers, { type: 'u32[]', value: [2, 3] }, /'cogito.sidecar.target_layers' is array<u32>, expected array<i32>/],
    [SIDECAR_KEYS.injectLayers, { type: 'i32', value: 3 }, /'cogito.sidecar.inject_layers' is i32, expected array<i32>/],
  ])('an ill-typed %s is named', async (key, value, why) => {
    writeVariant(file(), smallSidecar(), { meta: setKey(key, value) });
    await refused(why);
  });

  test.each([3, 0])('an unknown format version (%i) is refused before anything else is read', async (version) => {
    writeVariant(file(), smallSidecar(), { meta: (kv) => setKey(SIDECAR_KEYS.version, { type: 'u32', value: version })(setKey(SIDECAR_KEYS.bottleneck)(kv)) });
    await refused(new RegExp(`cogito.sidecar.version: unsupported sidecar format version ${version} \\(this cogito reads versions 1 and 2\\)`));
  });

  test.each([
    [SIDECAR_KEYS.architecture, { type: 'string', value: 'llama' }, /not a cogito sidecar/],
    [SIDECAR_KEYS.kind, { type: 'string', value: 'oracle' }, /cogito.sidecar.kind: unknown kind "oracle"/],
    [SIDECAR_KEYS.encoderType, { type: 'string', value: 'lstm' }, /cogito.sidecar.encoder.type: unknown encoder type "lstm"/],
    [SIDECAR_KEYS.targetLayers, { type: 'i32[]', value: [2, 4] }, /cogito.sidecar.target_layers: layer 4 is out of range \[0, 4\)/],
    [SIDECAR_KEYS.targetLayers, { type: 'i32[]', value: [-1, 3] }, /target_layers: layer -1 is out of range/],
    [SIDECAR_KEYS.injectLayers, { type: 'i32[]', value: [3, 2] }, /inject_layers: layers must be strictly ascending, got 3 then 2/],
    [SIDECAR_KEYS.injectLayers, { type: 'i32[]', value: [2, 2] }, /inject_layers: layers must be strictly ascending/],
    [SIDECAR_KEYS.injectLayers, { type: 'i32[]', value: [] }, /inject_layers: needs at least one layer/],
    [SIDECAR_KEYS.encoderNTokens, { type: 'u32', value: 3 }, /encoder.n_tokens: a selective encoder has one token per target layer \(2\), got 3/],
    [SIDECAR_KEYS.encoderHeads, { type: 'u32', value: 2 }, /encoder.heads: must be 1 for a selective encoder/],
    [SIDECAR_KEYS.encoderFf, { type: 'u32', value: 16 }, /encoder.ff: must be 0 for a selective encoder/],
    [SIDECAR_KEYS.heads, { type: 'u32', value: 3 }, /cogito.sidecar.heads: bottleneck 4 is not divisible by 3 heads/],
    [SIDECAR_KEYS.bottleneck, { type: 'u32', value: 0 }, /cogito.sidecar.bottleneck: expected a positive integer, got 0/],
    [SIDECAR_KEYS.baseNEmbd, { type: 'u32', value: 0 }, /base.n_embd: expected a positive integer/],
    [SIDECAR_KEYS.baseFingerprint, { type: 'string', value: '' }, /base.fingerprint: must be a non-empty string/],
    [SIDECAR_KEYS.rmsEps, { type: 'f32', value: 0 }, /rms_eps: must be a finite number > 0/],
    [SIDECAR_KEYS.agcTau, { type: 'f32', value: -1 }, /agc.tau: must be a finite number > 0/],
    [SIDECAR_KEYS.agcFloor, { type: 'f32', value: 1.5 }, /agc.floor: expected a number in \[0, 1\]/],
    [SIDECAR_KEYS.threshold, { type: 'f32', value: NaN }, /threshold: expected a number in \[0, 1\], got NaN/],
  ])('a bad value of %s is named', async (key, value, why) => {
    writeVariant(file(), smallSidecar(), { meta: setKey(key, value) });
    await refused(why);
  });

  test('gating: optional, and when present a known value of type string', async () => {
    const gated = smallSidecar({ gating: 'decision' });
    await writeSidecar(file(), gated);
    expect((await readSidecar(file())).config.gating).toBe('decision');
    expect((await readGguf(file())).metadata[SIDECAR_KEYS.gating]).toMatchObject({ type: 'str', value: 'decision' });
    await writeSidecar(file(), smallSidecar());
    expect((await readSidecar(file())).config.gating).toBeUndefined();
    writeVariant(file(), gated, { meta: setKey(SIDECAR_KEYS.gating, { type: 'string', value: 'sometimes' }) });
    await refused(/cogito.sidecar.gating: unknown gating "sometimes" \(expected one of always, decision\)/);
    writeVariant(file(), gated, { meta: setKey(SIDECAR_KEYS.gating, { type: 'u32', value: 1 }) });
    await refused(/'cogito.sidecar.gating' is u32, expected str/);
  });

  test('transformer sizes: n_embd must divide into the encoder heads', async () => {
    writeVariant(file(), smallSidecar({ encoder: 'transformer', encoderHeads: 2 }), { meta: setKey(SIDECAR_KEYS.encoderHeads, { type: 'u32', value: 3 }) });
    await refused(/encoder.heads: n_embd 8 is not divisible by 3 heads/);
  });

  test('a layer list far longer than any model is refused, not truncated', async () => {
    const long = Array.from({ length: 5000 }, (_, i) => i);
    writeVariant(file(), smallSidecar(), { meta: setKey(SIDECAR_KEYS.targetLayers, { type: 'i32[]', value: long }) });
    await refused(/target_layers' has 5000 values/);
  });

  test('a model GGUF is not a sidecar', async () => {
    fs.copyFileSync(await smallModel(), file());
    await refused(/general.architecture' is "llama", not a cogito sidecar/);
  });
});

describe('tensors', () => {
  test('missing', async () => {
    writeVariant(file(), smallSidecar(), { tensors: (t) => t.filter((x) => x.name !== 'inj.1.o.weight') });
    await refused(/missing tensor 'inj.1.o.weight' \[4, 8\]/);
  });
  test('extra', async () => {
    writeVariant(file(), smallSidecar(), { tensors: (t) => [...t, { name: 'enc.9.weight', shape: [8, 8], data: new Float32Array(64) }] });
    await refused(/unexpected tensor 'enc.9.weight'/);
  });
  test('a tensor of another encoder type', async () => {
    writeVariant(file(), smallSidecar(), { meta: setKey(SIDECAR_KEYS.encoderType, { type: 'string', value: 'multi_token' }) });
    await refused(/unexpected tensor 'enc.0.weight'/);
  });
  test('wrong shape (same element count)', async () => {
    writeVariant(file(), smallSidecar(), { tensors: (t) => t.map((x) => (x.name === 'inj.0.o.weight' ? { ...x, shape: [8, 4] } : x)) });
    await refused(/tensor 'inj.0.o.weight' has shape \[8, 4\], expected \[4, 8\]/);
  });
  test('not F32', async () => {
    writeVariant(file(), smallSidecar(), { tensors: (t) => t.map((x) => (x.name === 'enc.0.weight' ? { ...x, type: 'f16' } : x)) });
    await refused(/tensor 'enc.0.weight' is f16; every sidecar tensor is f32/);
  });
  test('version 2 without probe.out.weight', async () => {
    writeVariant(file(), smallSidecar(), { tensors: (t) => t.filter((x) => x.name !== 'probe.out.weight') });
    await refused(/missing tensor 'probe.out.weight' \[3, 2\]/);
  });
  test.each([
    ['transposed', [2, 8]],
    ['one token too many', [8, 3]],
  ])('version 2 with enc.refusal of the wrong shape (%s)', async (_, shape) => {
    writeVariant(file(), smallSidecar(), {
      tensors: (t) => t.map((x) => (x.name === 'enc.refusal' ? { ...x, shape, data: new Float32Array(shape[0] * shape[1]) } : x)),
    });
    await refused(new RegExp(`tensor 'enc.refusal' has shape \\[${shape.join(', ')}\\], expected \\[8, 2\\]`));
  });
  test('a file labelled version 2 with only version-1 tensors', async () => {
    writeVariant(file(), smallSidecar({ version: 1 }), { meta: setKey(SIDECAR_KEYS.version, { type: 'u32', value: 2 }) });
    await refused(/missing tensor 'probe.out.weight'/);
  });
  test('a file labelled version 1 with version-2 tensors', async () => {
    writeVariant(file(), smallSidecar(), { meta: setKey(SIDECAR_KEYS.version, { type: 'u32', value: 1 }) });
    await refused(/unexpected tensor 'probe.out.weight' \(not part of a version-1 selective sidecar\)/);
  });
  test('non-finite values', async () => {
    writeVariant(file(), smallSidecar(), {
      tensors: (t) => t.map((x) => (x.name === 'probe.weight' ? { ...x, data: Float32Array.from(x.data, (v, i) => (i === 5 ? Infinity : v)) } : x)),
    });
    await refused(/tensor 'probe.weight' holds a non-finite value \(Infinity\) at index 5/);
    writeVariant(file(), smallSidecar(), {
      tensors: (t) => t.map((x) => (x.name === 'enc.refusal' ? { ...x, data: Float32Array.from(x.data, (v, i) => (i === 3 ? NaN : v)) } : x)),
    });
    await refused(/tensor 'enc.refusal' holds a non-finite value \(NaN\) at index 3/);
  });
});

describe('damaged files', () => {
  let good: Buffer;
  let dataEnd: number;
  beforeEach(async () => {
    const src = path.join(dir, 'good.gguf');
    await writeSidecar(src, smallSidecar({ encoder: 'transformer' }));
    good = fs.readFileSync(src);
    const info = await readGguf(src);
    // the file may end in alignment padding after the last tensor: cutting only that loses nothing
    dataEnd = Math.max(...info.tensors.map((t) => info.dataOffset + t.offset + t.size));
  });

  test('truncated at every 3rd offset before the end of the data: always a clear error', async () => {
    const seen = new Set<string>();
    for (let n = 0; n < dataEnd; n += 3) {
      fs.writeFileSync(file(), good.subarray(0, n));
      const err = await refused(/./);
      seen.add(err.message.replace(/^.*?gguf: /, '').replace(/'.*'/, "'…'").replace(/\(.*\)/, '').trim());
    }
    expect([...seen].sort()).toEqual([
      'corrupt or truncated GGUF',
      'file is too small to be a GGUF',
      "truncated GGUF: tensor '…' ends past the end of the file",
    ]);
  });

  test('corrupted header fields', async () => {
    const cases: [string, (b: Buffer) => void, RegExp][] = [
      ['magic', (b) => b.write('GGUX', 0), /not a GGUF file \(bad magic\)/],
      ['GGUF version', (b) => b.writeUInt32LE(99, 4), /corrupt or truncated GGUF/],
      ['tensor count', (b) => b.writeBigUInt64LE(0xffffffffffffn, 8), /corrupt or truncated GGUF/],
      ['key/value count', (b) => b.writeBigUInt64LE(0xffffffffffn, 16), /corrupt or truncated GGUF/],
      ['first key length', (b) => b.writeBigUInt64LE(0x7fffffffffffffffn, 24), /corrupt or truncated GGUF/],
    ];
    for (const [, edit, why] of cases) {
      const b = Buffer.from(good);
      edit(b);
      fs.writeFileSync(file(), b);
      await refused(why);
    }
  });

  test('a missing file is SidecarNotFoundError', async () => {
    await expect(readSidecar(path.join(dir, 'nope.gguf'))).rejects.toThrow(SidecarNotFoundError);
  });
});

describe('binding to a real base', () => {
  let info: ModelInfo;
  beforeAll(async () => {
    const model = await loadModel(await smallModel());
    info = model.info;
    await model.dispose();
  });

  test('the base it was made for binds cleanly', () => {
    expect(checkBinding(createSidecar(info).config, info)).toBeNull();
  });

  test('another n_embd or layer count is a mismatch, force or not', () => {
    const wide = createSidecar({ ...info, embeddingSize: 64 }).config;
    expect(() => checkBinding(wide, info, { force: true })).toThrow(SidecarMismatchError);
    expect(() => checkBinding(wide, info)).toThrow(/n_embd 64; the model has n_embd 128/);
    const deep = createSidecar({ ...info, layerCount: 6 }).config;
    expect(() => checkBinding(deep, info, { force: true })).toThrow(/6 layers; the model has 4/);
  });

  test('layers that do not exist in the model are a mismatch', () => {
    const config = { ...createSidecar(info).config, injectLayers: [3, 7] };
    expect(() => checkBinding(config, info)).toThrow(/injection layer\(s\) 7 do not exist in the model \(layers 0..3\)/);
  });

  test('another fingerprint: an error, or with force a warning', async () => {
    const other = createSidecar({ ...info, fingerprint: 'feedface' });
    await writeSidecar(file(), other);
    const { config } = await readSidecar(file());
    const err = (() => {
      try {
        checkBinding(config, info);
      } catch (e) {
        return e as SidecarMismatchError;
      }
    })();
    expect(err).toBeInstanceOf(SidecarMismatchError);
    expect(err!.code).toBe('SIDECAR_MISMATCH');
    expect(err!.message).toMatch(/fingerprint feedface .*the model's is .*--force on the command line/);
    expect(checkBinding(config, info, { force: true })).toMatch(/running it anyway \(force\)/);
  });
});
