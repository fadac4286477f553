import { ENCODER_TYPES, createSidecar, type CreateSidecarOptions } from '../../src/sidecar';
import { agcAlpha, referenceEncode, referenceInject, referenceProbes, rmsNorm } from '../support/reference';
import { createRng } from '../../src/util/prng';
import { fakeBase } from './helpers';

const t1 = Math.tanh(1);
const sig = (x: number) => 1 / (1 + Math.exp(-x));
const close = (got: ArrayLike<number>, want: number[], digits = 9) => {
  expect(got.length).toBe(want.length);
  want.forEach((w, i) => expect(got[i]).toBeCloseTo(w, digits));
};
/** E = 2 sidecars with an ε small enough that rms([1, -1]) = [1, -1] to 1e-12. */
const tiny = (layers: number, options: CreateSidecarOptions) =>
  createSidecar(fakeBase({ embeddingSize: 2, layerCount: layers }), { rmsEps: 2 ** -40, bottleneck: 2, heads: 1, encoderGateInit: 1, gateInit: 1, ...options });
const I2 = [1, 0, 0, 1];
const h = (...v: number[]) => Float64Array.from(v);
/** Any φ: a fresh version-2 sidecar's φ weights and refusal channel are zero, so the v1 math below holds. */
const PHI = [-0.7, 0.4, 1.3];

describe('neutral gates', () => {
  test.each(ENCODER_TYPES)('%s: injection gates 0 leave x exactly unchanged, at any α', (encoder) => {
    const s = createSidecar(fakeBase({ embeddingSize: 16, layerCount: 6 }), { encoder, seed: 5, gateInit: 0, bottleneck: 8, heads: 2, targetLayers: 'all', injectLayers: [1, 4] });
    const rng = createRng(1);
    const hidden = s.config.targetLayers.map(() => Float64Array.from({ length: 16 }, () => rng.next() * 4 - 2));
    const { tokens } = referenceEncode(s, hidden, PHI);
    expect(tokens.some((c) => c.some((v) => v !== 0))).toBe(true); // the tokens are not trivial...
    for (const j of [0, 1]) {
      for (const alpha of [1, 0.37]) {
        const x = Float64Array.from({ length: 16 }, () => rng.next() * 10 - 5);
        expect(referenceInject(s, j, x, tokens, alpha)).toEqual(x); // ...and still nothing changes
      }
    }
  });

  test('encoder gates 0 give all-zero cognitive tokens', () => {
    const s = createSidecar(fakeBase(), { encoder: 'transformer', encoderGateInit: 0 });
    const { tokens } = referenceEncode(s, s.config.targetLayers.map(() => h(1, 2, 3, 4, 5, 6, 7, 8)), PHI);
    expect(tokens.every((c) => c.every((v) => v === 0))).toBe(true);
  });
});

describe('hand-computed E = 2 cases', () => {
  test('rms and the probes', () => {
    close(rmsNorm([3, 4], 0), [3 / Math.sqrt(12.5), 4 / Math.sqrt(12.5)], 12);
    const s = tiny(2, { targetLayers: [0, 1], tensors: { 'probe.weight': [1, 2, 0, -1], 'probe.bias': [0.5, 0] } });
    // n_0 = [1, -1]; n_1 = rms([2, 2]) = [1, 1]
    const p = referenceProbes(s, [h(1, -1), h(2, 2)], PHI);
    close(p, [sig(1 - 2 + 0.5), sig(-1)]);
    const enc = referenceEncode(s, [h(1, -1), h(2, 2)], PHI);
    expect(enc.confidence).toBeCloseTo((sig(-0.5) + sig(-1)) / 2, 12);
    expect(enc.refuse).toBe(true); // below the default threshold 0.5
  });

  test('selective: c = tanh(g) · (W n + b)', () => {
    // W rows [2, 0] and [1, 1] (ggml [E, E]: row r at r·E)
    const s = tiny(1, { encoder: 'selective', targetLayers: [0], tensors: { 'enc.0.weight': [2, 0, 1, 1], 'enc.0.bias': [0.5, -0.5] } });
    close(referenceEncode(s, [h(1, -1)], PHI).tokens[0], [2.5 * t1, -0.5 * t1]);
  });

  test('multi_token: one query attends 1:3 over two layer states', () => {
    // n_0 = [1, -1], n_1 = [1, 1]; k = v = n (identity weights); q = [0, b] with q·k/√2 = ∓ln3/2
    const b = (Math.SQRT2 * Math.log(3)) / 2;
    const s = tiny(2, {
      encoder: 'multi_token', tokens: 1, targetLayers: [0, 1],
      tensors: { 'enc.layer_embd': [0, 0, 0, 0], 'enc.queries': [0, b], 'enc.k.weight': I2, 'enc.v.weight': I2, 'enc.o.weight': [1, 0, 0, 2] },
    });
    // a = [1/4, 3/4]: Σ a v = [1, 0.5]; W_o doubles the second value
    close(referenceEncode(s, [h(1, -1), h(2, 2)], PHI).tokens[0], [t1, t1], 6); // b is stored as f32
  });

  test('multi_token: the layer embedding is added before the projections', () => {
    const s = tiny(1, {
      encoder: 'multi_token', tokens: 2, targetLayers: [0],
      tensors: { 'enc.layer_embd': [1, 2], 'enc.queries': [1, 0, 0, 1], 'enc.k.weight': I2, 'enc.v.weight': I2, 'enc.o.weight': I2, 'enc.gate': [1, 0] },
    });
    // one state: attention weight 1; x = [1, -1] + [1, 2] = [2, 1]
    const { tokens } = referenceEncode(s, [h(1, -1)], PHI);
    close(tokens[0], [2 * t1, t1]);
    close(tokens[1], [0, 0]);
  });

  test('transformer, one state: pre-norm attention, residual, SiLU MLP, residual', () => {
    // x = u = [1, -1]; one state so o = W_v u = u; y = x + W_o o = [1, -1] + [1, -2] = [2, -3]
    // up = W_up rms(y) = 2/√6.5 (F = 1); z = y + W_down silu(up) = y + [3, -1]·silu(up)
    const s = tiny(1, {
      encoder: 'transformer', encoderHeads: 1, ff: 1, targetLayers: [0],
      tensors: {
        'enc.layer_embd': [0, 0], 'enc.attn.q.weight': [5, 6, 7, 8], 'enc.attn.k.weight': [1, 1, 1, 1], 'enc.attn.v.weight': I2,
        'enc.attn.o.weight': [1, 0, 0, 2], 'enc.ff.up.weight': [1, 0], 'enc.ff.down.weight': [3, -1],
      },
    });
    const up = 2 / Math.sqrt(6.5);
    const silu = up * sig(up);
    close(referenceEncode(s, [h(1, -1)], PHI).tokens[0], [(2 + 3 * silu) * t1, (-3 - silu) * t1]);
  });

  test('transformer, two heads of size 1: each head attends with its own slice', () => {
    // x_0 = [1, -1], x_1 = [1, 1]; identity q, k, v, o; zero MLP
    // head 0: equal scores → mean of v[0] = 1; head 1: scores ±1 → ∓tanh(1)
    const s = tiny(2, {
      encoder: 'transformer', encoderHeads: 2, ff: 1, targetLayers: [0, 1],
      tensors: {
        'enc.layer_embd': [0, 0, 0, 0], 'enc.attn.q.weight': I2, 'enc.attn.k.weight': I2, 'enc.attn.v.weight': I2,
        'enc.attn.o.weight': I2, 'enc.ff.up.weight': [0, 0], 'enc.ff.down.weight': [0, 0],
      },
    });
    const { tokens } = referenceEncode(s, [h(1, -1), h(2, 2)], PHI);
    close(tokens[0], [2 * t1, (-1 - t1) * t1]);
    close(tokens[1], [2 * t1, (1 + t1) * t1]);
  });

  test('injection, one head over two tokens, with α', () => {
    // u = [1, -1]; K = V = c = e0, e1; scores ±1/√2 → a = [σ(√2), σ(-√2)]
    // (multi_token: any number of tokens N)
    const s = tiny(1, { encoder: 'multi_token', tokens: 2, tensors: { 'inj.0.q.weight': I2, 'inj.0.k.weight': I2, 'inj.0.v.weight': I2, 'inj.0.o.weight': I2 } });
    const tokens = [h(1, 0), h(0, 1)];
    close(referenceInject(s, 0, h(1, -1), tokens, 0.5), [1 + 0.5 * t1 * sig(Math.SQRT2), -1 + 0.5 * t1 * sig(-Math.SQRT2)]);
  });

  test('injection, two heads of size 1', () => {
    // head 0: q = 1, K = [1, 0] → a = [σ(1), σ(-1)], V = [1, 0] → σ(1)
    // head 1: q = -1, K = [0, 1] → a = [σ(1), σ(-1)], V = [0, 1] → σ(-1)
    const s = tiny(1, { encoder: 'multi_token', tokens: 2, heads: 2, tensors: { 'inj.0.q.weight': I2, 'inj.0.k.weight': I2, 'inj.0.v.weight': I2, 'inj.0.o.weight': I2 } });
    close(referenceInject(s, 0, h(1, -1), [h(1, 0), h(0, 1)]), [1 + t1 * sig(1), -1 + t1 * sig(-1)]);
  });

  test('injection with B = 1 ≠ E: [E, B] maps E → B, [B, E] maps B → E', () => {
    // q = [1, 2]·u = -1; K_m = c_m[0] = [1, 0]; V_m = c_m[1] = [0, 1]; a = [σ(-1), σ(1)]; o = σ(1); W_o o = [3, -2]·σ(1)
    const s = tiny(1, {
      encoder: 'multi_token', tokens: 2, bottleneck: 1,
      tensors: { 'inj.0.q.weight': [1, 2], 'inj.0.k.weight': [1, 0], 'inj.0.v.weight': [0, 1], 'inj.0.o.weight': [3, -2], 'inj.gate': [0.5] },
    });
    const g = Math.tanh(0.5);
    close(referenceInject(s, 0, h(1, -1), [h(1, 0), h(0, 1)]), [1 + 3 * g * sig(1), -1 - 2 * g * sig(1)]);
  });

  test('each injection block uses its own weights and gate', () => {
    const s = tiny(2, {
      encoder: 'multi_token', tokens: 1, injectLayers: [0, 1],
      tensors: { 'inj.0.o.weight': [0, 0, 0, 0], 'inj.1.v.weight': I2, 'inj.1.o.weight': I2, 'inj.gate': [1, 2] },
    });
    const x = h(1, -1);
    expect(referenceInject(s, 0, x, [h(3, 4)])).toEqual(x);
    close(referenceInject(s, 1, x, [h(3, 4)]), [1 + 3 * Math.tanh(2), -1 + 4 * Math.tanh(2)]);
  });
});

describe('version 2: output features φ and the refusal channel', () => {
  test('each probe reads φ through its own column of probe.out.weight (values i·3 .. i·3+2)', () => {
    const s = tiny(2, {
      targetLayers: [0, 1],
      tensors: { 'probe.weight': [1, 2, 0, -1], 'probe.bias': [0.5, 0], 'probe.out.weight': [1, 0, 0, 0, 2, -1] },
    });
    // n_0 = [1, -1], n_1 = [1, 1]; φ = [-0.5, 0.25, 1]
    // p_0 = σ(1 - 2 + 0.5 + 1·(-0.5)) = σ(-1); p_1 = σ(-1 + 2·0.25 - 1·1) = σ(-1.5)
    // (read as [L, 3] the first probe would see 1·(-0.5) + 2·1 instead)
    const phi = [-0.5, 0.25, 1];
    close(referenceProbes(s, [h(1, -1), h(2, 2)], phi), [sig(-1), sig(-1.5)], 12);
    expect(referenceEncode(s, [h(1, -1), h(2, 2)], Float32Array.from(phi)).confidences).toEqual(referenceProbes(s, [h(1, -1), h(2, 2)], phi));
  });

  test('selective: c_j = tanh(g) · (W n_j + b) + (1 − p̄) · enc.refusal[:, j]', () => {
    // identity encoder: c_j = tanh(1) · n_j before the channel; only φ moves the probes:
    // p_0 = σ(0) = 1/2, p_1 = σ(φ_0) = 3/4 for φ_0 = ln 3 → p̄ = 5/8, doubt 3/8
    const s = tiny(2, {
      encoder: 'selective', targetLayers: [0, 1],
      tensors: {
        'enc.0.weight': I2, 'enc.0.bias': [0, 0], 'enc.1.weight': I2, 'enc.1.bias': [0, 0],
        'probe.weight': [0, 0, 0, 0], 'probe.bias': [0, 0], 'probe.out.weight': [0, 0, 0, 1, 0, 0],
        'enc.refusal': [1, 2, -4, 0.5],
      },
    });
    const hidden = [h(1, -1), h(2, 2)];
    const sure = referenceEncode(s, hidden, [Math.log(3), 0, 0]);
    expect(sure.confidence).toBeCloseTo(5 / 8, 12);
    expect(sure.refuse).toBe(false);
    close(sure.tokens[0], [t1 + 3 / 8, -t1 + (3 / 8) * 2]);
    close(sure.tokens[1], [t1 + (3 / 8) * -4, t1 + (3 / 8) * 0.5]);
    // φ_0 = -ln 3: p_1 = 1/4, p̄ = 3/8, doubt 5/8, and the decision flips
    const unsure = referenceEncode(s, hidden, [-Math.log(3), 0, 0]);
    expect(unsure.refuse).toBe(true);
    close(unsure.tokens[0], [t1 + 5 / 8, -t1 + (5 / 8) * 2]);
    close(unsure.tokens[1], [t1 + (5 / 8) * -4, t1 + (5 / 8) * 0.5]);
  });

  test('multi_token with N ≠ L: one refusal column per cognitive token', () => {
    // closed encoder gates: the tokens are the channel alone; zero probes: p̄ = 1/2
    const s = tiny(1, { encoder: 'multi_token', tokens: 3, tensors: { 'enc.gate': [0, 0, 0], 'probe.weight': [0, 0], 'probe.bias': [0], 'enc.refusal': [1, 2, 3, 4, 5, 6] } });
    const { tokens } = referenceEncode(s, [h(1, -1)], PHI);
    close(tokens[0], [0.5, 1]);
    close(tokens[1], [1.5, 2]);
    close(tokens[2], [2.5, 3]);
  });

  test.each(ENCODER_TYPES)('%s: a fresh version-2 sidecar computes exactly what version 1 does, whatever φ', (encoder) => {
    const base = fakeBase({ embeddingSize: 8, layerCount: 4 });
    const options: CreateSidecarOptions = { encoder, seed: 11, targetLayers: [1, 2, 3], tokens: 2, bottleneck: 4, heads: 2 };
    const v1 = createSidecar(base, { ...options, version: 1 });
    const v2 = createSidecar(base, options);
    expect(v2.config.version).toBe(2);
    const rng = createRng(4);
    const hidden = v1.config.targetLayers.map(() => Float64Array.from({ length: 8 }, () => rng.next() * 4 - 2));
    const want = referenceEncode(v1, hidden);
    for (const phi of [[-0.1, 3, 0.2], [-9, 0, 7]]) {
      const got = referenceEncode(v2, hidden, phi);
      expect(got.confidences).toEqual(want.confidences);
      expect(got.tokens).toEqual(want.tokens);
    }
  });

  test('version 1 reads no φ: given or not, the same result', () => {
    const s = tiny(2, { version: 1, targetLayers: [0, 1], tensors: { 'probe.weight': [1, 2, 0, -1], 'probe.bias': [0.5, 0] } });
    expect(referenceProbes(s, [h(1, -1), h(2, 2)])).toEqual(referenceProbes(s, [h(1, -1), h(2, 2)], [5, 5, 5]));
    close(referenceProbes(s, [h(1, -1), h(2, 2)]), [sig(-0.5), sig(-1)], 12);
  });

  test('a version-2 sidecar without φ, or with φ of another size, is refused', () => {
    const s = tiny(1, {});
    expect(() => referenceProbes(s, [h(1, -1)])).toThrow(/phi: a version-2 sidecar needs the 3 output features of pass 1, got none/);
    expect(() => referenceEncode(s, [h(1, -1)])).toThrow(RangeError);
    expect(() => referenceEncode(s, [h(1, -1)], [1, 2])).toThrow(/phi: .* got 2 values/);
    expect(() => referenceProbes(s, [h(1, -1)], [1, 2, 3, 4])).toThrow(/got 4 values/);
  });
});

describe('AGC', () => {
  test('α(0) = 1, α(τ) = floor + (1 − floor)/e, α(∞) = floor', () => {
    expect(agcAlpha(0, 0.3, 32)).toBe(1);
    expect(agcAlpha(32, 0.3, 32)).toBeCloseTo(0.3 + 0.7 / Math.E, 12);
    expect(agcAlpha(1e6, 0.3, 32)).toBeCloseTo(0.3, 12);
    expect(agcAlpha(5, 1, 2)).toBe(1);
  });
});

test('inputs of the wrong size are refused', () => {
  const s = createSidecar(fakeBase());
  expect(() => referenceEncode(s, [h(1, 2)], PHI)).toThrow(/expected 2 hidden states/);
  expect(() => referenceInject(s, 5, new Float64Array(8), [])).toThrow(/block 5/);
});
