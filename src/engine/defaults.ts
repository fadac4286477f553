import * as path from 'node:path';
import { packageRoot } from './native';

/** The model `cogito generate` uses when none is given (see models/MODEL_CARD.md). */
export function defaultModelPath(): string {
  return process.env.COGITO_MODEL ?? path.join(packageRoot, 'models', 'default.gguf');
}

/** The sidecar shipped for the default model (see sidecars/), used by `cogito generate` unless told not to. */
export function defaultSidecarPath(): string {
  return process.env.COGITO_SIDECAR ?? path.join(packageRoot, 'sidecars', 'default.gguf');
}
