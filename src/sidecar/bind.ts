/**
 * Binding a sidecar to the base model in hand (FORMAT.md, "Binding to the base"): shapes and
 * layers must match or nothing can run; another fingerprint means other weights of the same
 * shape, which `force` lets run with a warning.
 */
import { SidecarMismatchError } from './errors';
import type { BaseModelInfo, SidecarConfig } from './format';

export interface BindOptions {
  /** Run a sidecar made for other weights of the same shape (a fingerprint mismatch becomes a warning). */
  force?: boolean;
}

/** Throws SidecarMismatchError when the sidecar cannot run on `model`; returns a warning when force let it through, else null. */
export function checkBinding(config: SidecarConfig, model: BaseModelInfo, options: BindOptions = {}): string | null {
  const { base } = config;
  const made = `this sidecar was made for a base with`;
  if (base.nEmbd !== model.embeddingSize) {
    throw new SidecarMismatchError(`${made} n_embd ${base.nEmbd}; the model has n_embd ${model.embeddingSize}`);
  }
  if (base.nLayer !== model.layerCount) {
    throw new SidecarMismatchError(`${made} ${base.nLayer} layers; the model has ${model.layerCount}`);
  }
  for (const [what, layers] of [['target', config.targetLayers], ['injection', config.injectLayers]] as const) {
    const missing = layers.filter((l) => l < 0 || l >= model.layerCount);
    if (missing.length > 0) {
      throw new SidecarMismatchError(`${what} layer(s) ${missing.join(', ')} do not exist in the model (layers 0..${model.layerCount - 1})`);
    }
  }
  if (base.fingerprint === model.fingerprint) return null;
  const differ =
    `${made} fingerprint ${base.fingerprint} (${base.architecture}); the model's is ${model.fingerprint} (${model.architecture})`;
  if (!options.force) throw new SidecarMismatchError(`${differ}. Use the base it was trained for, or run it anyway with force: true (--force on the command line).`);
  return `${differ}: running it anyway (force); it was not trained for these weights`;
}
