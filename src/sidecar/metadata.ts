/**
 * SidecarConfig ↔ GGUF key/values. Decoding checks that every key FORMAT.md requires is present
 * with exactly its type (u32 is not i32, f32 is not f64); the rules between values live in validate.ts.
 */
import type { GgufKeyValue, GgufMetadataEntry } from '../engine/gguf';
import { InvalidSidecarError } from './errors';
import { checkVersion } from './validate';
import { KEYS, SIDECAR_ARCHITECTURE, type EncoderType, type Gating, type SidecarConfig, type SidecarKind } from './format';

/** The GGUF key/values that describe `config`, in FORMAT.md's order. */
export function configToMetadata(c: SidecarConfig): GgufKeyValue[] {
  const kv = (key: string, type: string, value: unknown): GgufKeyValue => ({ key, type, value });
  return [
    kv(KEYS.architecture, 'string', SIDECAR_ARCHITECTURE),
    kv(KEYS.version, 'u32', c.version),
    kv(KEYS.kind, 'string', c.kind),
    kv(KEYS.baseFingerprint, 'string', c.base.fingerprint),
    kv(KEYS.baseArchitecture, 'string', c.base.architecture),
    kv(KEYS.baseNEmbd, 'u32', c.base.nEmbd),
    kv(KEYS.baseNLayer, 'u32', c.base.nLayer),
    kv(KEYS.encoderType, 'string', c.encoder.type),
    kv(KEYS.encoderNTokens, 'u32', c.encoder.nTokens),
    kv(KEYS.encoderHeads, 'u32', c.encoder.heads),
    kv(KEYS.encoderFf, 'u32', c.encoder.ff),
    kv(KEYS.targetLayers, 'i32[]', c.targetLayers),
    kv(KEYS.injectLayers, 'i32[]', c.injectLayers),
    kv(KEYS.bottleneck, 'u32', c.bottleneck),
    kv(KEYS.heads, 'u32', c.heads),
    kv(KEYS.gateInit, 'f32', c.gateInit),
    kv(KEYS.rmsEps, 'f32', c.rmsEps),
    kv(KEYS.refusal, 'string', c.refusal),
    kv(KEYS.agcFloor, 'f32', c.agc.floor),
    kv(KEYS.agcTau, 'f32', c.agc.tau),
    kv(KEYS.threshold, 'f32', c.threshold),
    ...(c.gating !== undefined ? [kv(KEYS.gating, 'string', c.gating)] : []),
  ];
}

/** Reads the typed keys out of a GGUF's metadata (as `readGguf` reports it); throws InvalidSidecarError. */
export function configFromMetadata(meta: Record<string, GgufMetadataEntry>, file: string | null = null): SidecarConfig {
  const entry = (key: string, type: string): GgufMetadataEntry => {
    const e = Object.prototype.hasOwnProperty.call(meta, key) ? meta[key] : undefined;
    if (!e) throw new InvalidSidecarError(`missing key '${key}'`, file);
    if (e.type !== type) throw new InvalidSidecarError(`key '${key}' is ${e.type}, expected ${type}`, file);
    return e;
  };
  const str = (key: string): string => entry(key, 'str').value as string;
  const u32 = (key: string): number => entry(key, 'u32').value as number;
  const f32 = (key: string): number => entry(key, 'f32').value as number;
  const i32s = (key: string): number[] => {
    const e = entry(key, 'array<i32>');
    const values = e.value as number[];
    // readGguf cuts long arrays; a layer list longer than what came back cannot be a real one
    if (e.length !== values.length) throw new InvalidSidecarError(`key '${key}' has ${e.length} values, far more than any model's layers`, file);
    return values.slice();
  };

  const architecture = str(KEYS.architecture);
  if (architecture !== SIDECAR_ARCHITECTURE) {
    throw new InvalidSidecarError(`key '${KEYS.architecture}' is ${JSON.stringify(architecture)}, not a cogito sidecar ("${SIDECAR_ARCHITECTURE}")`, file);
  }
  // the version first: a newer file should say "unknown version", not "missing key"
  const version = u32(KEYS.version);
  checkVersion(version, file);
  return {
    kind: str(KEYS.kind) as SidecarKind,
    version,
    base: {
      fingerprint: str(KEYS.baseFingerprint),
      architecture: str(KEYS.baseArchitecture),
      nEmbd: u32(KEYS.baseNEmbd),
      nLayer: u32(KEYS.baseNLayer),
    },
    encoder: {
      type: str(KEYS.encoderType) as EncoderType,
      nTokens: u32(KEYS.encoderNTokens),
      heads: u32(KEYS.encoderHeads),
      ff: u32(KEYS.encoderFf),
    },
    targetLayers: i32s(KEYS.targetLayers),
    injectLayers: i32s(KEYS.injectLayers),
    bottleneck: u32(KEYS.bottleneck),
    heads: u32(KEYS.heads),
    gateInit: f32(KEYS.gateInit),
    rmsEps: f32(KEYS.rmsEps),
    refusal: str(KEYS.refusal),
    agc: { floor: f32(KEYS.agcFloor), tau: f32(KEYS.agcTau) },
    threshold: f32(KEYS.threshold),
    // optional: absent in older files
    ...(Object.prototype.hasOwnProperty.call(meta, KEYS.gating) ? { gating: str(KEYS.gating) as Gating } : {}),
  };
}
