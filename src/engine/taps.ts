import { InvalidOptionError } from './errors';
import type { NativeTap } from './native';

/** Which layers to tap: explicit indices, every layer, or the upper third ("late"). */
export type LayerSelection = number[] | 'all' | 'late';

/** What to read at each tapped layer. */
export type TapMode = 'last' | 'all' | 'mean';

export interface TapRequest {
  layers: LayerSelection;
  /** last: the last evaluated token; all: every evaluated position; mean: mean over the generated span. */
  mode?: TapMode;
}

/** One tapped layer: llama.cpp's `l_out-<layer>`, as a row-major Float32Array of the given shape. */
export interface TapTensor {
  layer: number;
  shape: number[];
  data: Float32Array;
}

export function resolveLayers(selection: LayerSelection, layerCount: number): number[] {
  if (selection === 'all') return Array.from({ length: layerCount }, (_, i) => i);
  if (selection === 'late') {
    const start = layerCount - Math.max(1, Math.ceil(layerCount / 3));
    return Array.from({ length: layerCount - start }, (_, i) => start + i);
  }
  if (!Array.isArray(selection) || selection.length === 0) {
    throw new InvalidOptionError('taps.layers must be "all", "late" or a non-empty list of layer indices', 'INVALID_ARGUMENT');
  }
  for (const l of selection) {
    if (!Number.isInteger(l) || l < 0 || l >= layerCount) {
      throw new InvalidOptionError(`tap layer ${l} does not exist (the model has layers 0..${layerCount - 1})`, 'INVALID_ARGUMENT');
    }
  }
  return [...new Set(selection)].sort((a, b) => a - b);
}

export function tapModes(mode: TapMode): { last: boolean; all: boolean; mean: boolean } {
  return { last: mode === 'last', all: mode === 'all', mean: mode === 'mean' };
}

/** Shapes the addon's per-layer buffers into tensors for the requested mode. */
export function toTensors(raw: NativeTap[], mode: TapMode, embeddingSize: number): TapTensor[] {
  return raw.flatMap((t) => {
    const data = mode === 'last' ? t.last : mode === 'all' ? t.all : t.mean;
    if (!data || data.length === 0) return [];
    const shape = mode === 'all' ? [data.length / embeddingSize, embeddingSize] : [embeddingSize];
    return [{ layer: t.layer, shape, data }];
  });
}

/** Euclidean norm, used by the CLI's summaries of tapped vectors. */
export function l2norm(v: Float32Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}
