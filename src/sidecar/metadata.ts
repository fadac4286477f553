/**
 * SidecarConfig → GGUF key/values, in the format table's order and with its types: what the
 * writer stores. Reading is the native loader's (engine SidecarHandle.config()).
 */
import type { GgufKeyValue } from '../engine/gguf';
import { FORMAT_TABLE } from './format-table';
import { SIDECAR_ARCHITECTURE, type KeyField, type SidecarConfig } from './format';

/** The table names types as readGguf reports them; the writer takes these names. */
const WRITE_TYPE: Record<string, string> = { str: 'string', 'array<i32>': 'i32[]' };

/** The GGUF key/values that describe `config`, in FORMAT.md's order. */
export function configToMetadata(c: SidecarConfig): GgufKeyValue[] {
  // every key of the table needs its value here: a key added to format.json fails to compile until it has one
  const values: Record<KeyField, unknown> = {
    architecture: SIDECAR_ARCHITECTURE,
    version: c.version,
    kind: c.kind,
    baseFingerprint: c.base.fingerprint,
    baseArchitecture: c.base.architecture,
    baseNEmbd: c.base.nEmbd,
    baseNLayer: c.base.nLayer,
    encoderType: c.encoder.type,
    encoderNTokens: c.encoder.nTokens,
    encoderHeads: c.encoder.heads,
    encoderFf: c.encoder.ff,
    targetLayers: c.targetLayers,
    injectLayers: c.injectLayers,
    bottleneck: c.bottleneck,
    heads: c.heads,
    gateInit: c.gateInit,
    rmsEps: c.rmsEps,
    refusal: c.refusal,
    agcFloor: c.agc.floor,
    agcTau: c.agc.tau,
    threshold: c.threshold,
    gating: c.gating,
  };
  return (Object.entries(FORMAT_TABLE.keys) as [KeyField, { key: string; type: string; optional?: boolean }][])
    .filter(([field, k]) => !(k.optional && values[field] === undefined))
    .map(([field, k]) => ({ key: k.key, type: WRITE_TYPE[k.type] ?? k.type, value: values[field] }));
}
