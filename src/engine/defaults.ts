import * as path from 'node:path';
import { packageRoot } from './native';

/** The model `cogito generate` uses when none is given (see models/MODEL_CARD.md). */
export function defaultModelPath(): string {
  return process.env.COGITO_MODEL ?? path.join(packageRoot, 'models', 'default.gguf');
}
