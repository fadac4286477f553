/**
 * The consistency rules of FORMAT.md, shared by the reader (refuse a bad file) and the writer
 * (never write a file the reader would refuse). Each failure names the key or tensor.
 */
import { InvalidSidecarError } from './errors';
import { ENCODER_TYPES, GATINGS, KEYS, SIDECAR_KINDS, SIDECAR_VERSIONS, elementCount, layoutName, tensorSpecs, type SidecarConfig } from './format';

/** A reader refuses a version it does not know (FORMAT.md, Versioning). */
export function checkVersion(version: number, file: string | null = null): void {
  if (!(SIDECAR_VERSIONS as readonly number[]).includes(version)) {
    throw new InvalidSidecarError(
      `${KEYS.version}: unsupported sidecar format version ${version} (this cogito reads versions ${SIDECAR_VERSIONS.join(' and ')})`,
      file,
    );
  }
}

/** Throws InvalidSidecarError when the config breaks a rule of the format. */
export function validateConfig(c: SidecarConfig, file: string | null = null): void {
  const bad = (key: string, problem: string): never => {
    throw new InvalidSidecarError(`${key}: ${problem}`, file);
  };
  const positive = (key: string, v: number): void => {
    if (!Number.isInteger(v) || v < 1) bad(key, `expected a positive integer, got ${v}`);
  };
  const within = (key: string, v: number, lo: number, hi: number): void => {
    if (!Number.isFinite(v) || v < lo || v > hi) bad(key, `expected a number in [${lo}, ${hi}], got ${v}`);
  };

  checkVersion(c.version, file);
  if (!(SIDECAR_KINDS as readonly string[]).includes(c.kind)) bad(KEYS.kind, `unknown kind ${JSON.stringify(c.kind)} (known: ${SIDECAR_KINDS.join(', ')})`);
  if (typeof c.base.fingerprint !== 'string' || c.base.fingerprint === '') bad(KEYS.baseFingerprint, 'must be a non-empty string');
  if (typeof c.base.architecture !== 'string' || c.base.architecture === '') bad(KEYS.baseArchitecture, 'must be a non-empty string');
  positive(KEYS.baseNEmbd, c.base.nEmbd);
  positive(KEYS.baseNLayer, c.base.nLayer);
  layerList(KEYS.targetLayers, c.targetLayers, c.base.nLayer, bad);
  layerList(KEYS.injectLayers, c.injectLayers, c.base.nLayer, bad);

  const { type, nTokens, heads, ff } = c.encoder;
  if (!(ENCODER_TYPES as readonly string[]).includes(type)) {
    bad(KEYS.encoderType, `unknown encoder type ${JSON.stringify(type)} (known: ${ENCODER_TYPES.join(', ')})`);
  }
  positive(KEYS.encoderNTokens, nTokens);
  if (type !== 'multi_token' && nTokens !== c.targetLayers.length) {
    bad(KEYS.encoderNTokens, `a ${type} encoder has one token per target layer (${c.targetLayers.length}), got ${nTokens}`);
  }
  positive(KEYS.encoderHeads, heads);
  if (type === 'transformer') {
    if (c.base.nEmbd % heads !== 0) bad(KEYS.encoderHeads, `n_embd ${c.base.nEmbd} is not divisible by ${heads} heads`);
    positive(KEYS.encoderFf, ff);
  } else {
    if (heads !== 1) bad(KEYS.encoderHeads, `must be 1 for a ${type} encoder, got ${heads}`);
    if (ff !== 0) bad(KEYS.encoderFf, `must be 0 for a ${type} encoder, got ${ff}`);
  }

  positive(KEYS.bottleneck, c.bottleneck);
  positive(KEYS.heads, c.heads);
  if (c.bottleneck % c.heads !== 0) bad(KEYS.heads, `bottleneck ${c.bottleneck} is not divisible by ${c.heads} heads`);
  if (!Number.isFinite(c.gateInit)) bad(KEYS.gateInit, `must be finite, got ${c.gateInit}`);
  if (!Number.isFinite(c.rmsEps) || c.rmsEps <= 0) bad(KEYS.rmsEps, `must be a finite number > 0, got ${c.rmsEps}`);
  if (typeof c.refusal !== 'string') bad(KEYS.refusal, 'must be a string');
  within(KEYS.agcFloor, c.agc.floor, 0, 1);
  if (!Number.isFinite(c.agc.tau) || c.agc.tau <= 0) bad(KEYS.agcTau, `must be a finite number > 0, got ${c.agc.tau}`);
  within(KEYS.threshold, c.threshold, 0, 1);
  if (c.gating !== undefined && !(GATINGS as readonly string[]).includes(c.gating)) {
    throw new InvalidSidecarError(`${KEYS.gating}: unknown gating ${JSON.stringify(c.gating)} (expected one of ${GATINGS.join(', ')})`, file);
  }
}

function layerList(key: string, layers: number[], nLayer: number, bad: (key: string, problem: string) => never): void {
  if (!Array.isArray(layers) || layers.length === 0) bad(key, 'needs at least one layer');
  layers.forEach((l, i) => {
    if (!Number.isInteger(l) || l < 0 || l >= nLayer) bad(key, `layer ${l} is out of range [0, ${nLayer})`);
    if (i > 0 && l <= layers[i - 1]) bad(key, `layers must be strictly ascending, got ${layers[i - 1]} then ${l}`);
  });
}

/** What the file's tensor table says about one tensor (ggml trims trailing 1s from shapes). */
export interface StoredTensorInfo {
  name: string;
  type: string;
  shape: number[];
  size: number;
}

/** ggml drops trailing dimensions of size 1 (`[E, 1]` is stored as `[E]`): compare without them. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  const trim = (s: readonly number[]): number[] => {
    const out = s.slice();
    while (out.length > 1 && out[out.length - 1] === 1) out.pop();
    return out;
  };
  const [x, y] = [trim(a), trim(b)];
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** The file holds exactly the tensors its config (version and encoder) requires, each F32 of the required shape and byte size. */
export function validateTensorTable(config: SidecarConfig, stored: StoredTensorInfo[], file: string | null = null): void {
  const bad = (problem: string): never => {
    throw new InvalidSidecarError(problem, file);
  };
  const specs = tensorSpecs(config);
  const byName = new Map(stored.map((t) => [t.name, t]));
  const wanted = new Set(specs.map((s) => s.name));
  for (const t of stored) if (!wanted.has(t.name)) bad(`unexpected tensor '${t.name}' (not part of ${layoutName(config)})`);
  for (const spec of specs) {
    const t = byName.get(spec.name) ?? bad(`missing tensor '${spec.name}' [${spec.shape.join(', ')}]`);
    if (t.type !== 'f32') bad(`tensor '${spec.name}' is ${t.type}; every sidecar tensor is f32`);
    if (!sameShape(t.shape, spec.shape)) bad(`tensor '${spec.name}' has shape [${t.shape.join(', ')}], expected [${spec.shape.join(', ')}]`);
    if (t.size !== 4 * elementCount(spec.shape)) bad(`tensor '${spec.name}' holds ${t.size} bytes, expected ${4 * elementCount(spec.shape)}`);
  }
}

/** Tensor data a runtime can use: the right length and only finite values. */
export function validateTensorData(name: string, shape: readonly number[], data: Float32Array, file: string | null = null): void {
  if (data.length !== elementCount(shape)) {
    throw new InvalidSidecarError(`tensor '${name}' has ${data.length} values, expected ${elementCount(shape)} for [${shape.join(', ')}]`, file);
  }
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) throw new InvalidSidecarError(`tensor '${name}' holds a non-finite value (${data[i]}) at index ${i}`, file);
  }
}
