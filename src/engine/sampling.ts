import { InvalidOptionError } from './errors';

export interface SamplingOptions {
  /** 0 (default) is greedy decoding. */
  temperature?: number;
  topK?: number;
  topP?: number;
  minP?: number;
  repeatPenalty?: number;
  repeatLastN?: number;
  seed?: number;
  /** Never end the generation with an end-of-generation token (llama.cpp's ignore_eos; benchmarks use it to generate a fixed count). */
  ignoreEos?: boolean;
}

function check(ok: boolean, message: string): void {
  if (!ok) throw new InvalidOptionError(message, 'INVALID_ARGUMENT');
}

/** Validates sampling options and fills the defaults the addon expects. */
export function samplerConfig(o: SamplingOptions, defaultSeed: number): Record<string, number> {
  const cfg = {
    temperature: o.temperature ?? 0,
    topK: o.topK ?? 40,
    topP: o.topP ?? 0.95,
    minP: o.minP ?? 0.05,
    repeatPenalty: o.repeatPenalty ?? 1,
    repeatLastN: o.repeatLastN ?? 64,
    seed: o.seed ?? defaultSeed,
    ignoreEos: o.ignoreEos ? 1 : 0,
  };
  check(Number.isFinite(cfg.temperature) && cfg.temperature >= 0, 'temperature must be a number >= 0');
  check(Number.isInteger(cfg.topK) && cfg.topK >= 0, 'topK must be an integer >= 0');
  check(cfg.topP > 0 && cfg.topP <= 1, 'topP must be in (0, 1]');
  check(cfg.minP >= 0 && cfg.minP < 1, 'minP must be in [0, 1)');
  check(Number.isFinite(cfg.repeatPenalty) && cfg.repeatPenalty > 0, 'repeatPenalty must be > 0');
  check(Number.isInteger(cfg.repeatLastN) && cfg.repeatLastN >= 0, 'repeatLastN must be an integer >= 0');
  check(o.ignoreEos === undefined || typeof o.ignoreEos === 'boolean', 'ignoreEos must be a boolean');
  check(Number.isInteger(cfg.seed) && cfg.seed >= 0 && cfg.seed <= 0xffffffff, 'seed must be an integer in [0, 2^32)');
  return cfg;
}
