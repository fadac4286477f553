import { InvalidOptionError } from './errors';

/**
 * Attention entropy (native/attention.cpp): for the last evaluated token, the entropy (nats) of each
 * head's attention over the KV positions, averaged over the heads of one layer (`mean`) and its
 * largest head (`max`). In [0, ln(positions attended)]: 0 when one position holds all the weight.
 */
export interface LayerAttentionEntropy {
  layer: number;
  mean: number;
  max: number;
}

/** The context option: which layers' attention to read on every evaluate() and prefill. */
export interface AttentionEntropyOption {
  layers: number[];
}

/**
 * Checks the option before native code sees it: existing layer indices, a single-sequence context,
 * and a KV cache that works without flash attention (the softmaxed weights exist only without it;
 * the addon turns it off for such a context). Returns the sorted distinct layers, or null.
 */
export function attentionEntropyLayers(option: AttentionEntropyOption | undefined, layerCount: number, sequences: number, kvCacheType: string): number[] | null {
  if (option === undefined) return null;
  const layers = (option as { layers?: unknown } | null)?.layers;
  if (!Array.isArray(layers) || layers.length === 0) {
    throw new InvalidOptionError('attentionEntropy.layers must be a non-empty list of layer indices', 'INVALID_ARGUMENT');
  }
  for (const l of layers) {
    if (!Number.isInteger(l) || l < 0 || l >= layerCount) {
      throw new InvalidOptionError(`attentionEntropy: layer ${String(l)} does not exist (the model has layers 0..${layerCount - 1})`, 'INVALID_ARGUMENT');
    }
  }
  if (sequences !== 1) throw new InvalidOptionError('attentionEntropy is read on a single-sequence context (model.createContext), not a sequence pool', 'INVALID_ARGUMENT');
  if (kvCacheType === 'q8_0') {
    throw new InvalidOptionError('attentionEntropy needs flash attention off, and a q8_0 KV cache needs it on: use kvCacheType f16 or f32', 'INVALID_ARGUMENT');
  }
  return [...new Set(layers as number[])].sort((a, b) => a - b);
}

/** The last `count` layers of a model, for callers that ask for "the last layers". */
export function lastLayers(count: number, layerCount: number): number[] {
  if (!Number.isInteger(count) || count < 1 || count > layerCount) {
    throw new InvalidOptionError(`attentionEntropy must be a number of last layers in 1..${layerCount} (got ${String(count)})`, 'INVALID_ARGUMENT');
  }
  return Array.from({ length: count }, (_, i) => layerCount - count + i);
}
