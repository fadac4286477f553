/** What `Cascade.open` takes, and where each default comes from. */
import * as path from 'node:path';
import { defaultModelPath, defaultSidecarPath } from '../engine/defaults';
import type { DraftGeneration } from './draft';
import type { Oracle, RouteReport } from './types';

/**
 * The meta layer's router (issue 18, item 5), consulted once per question after the draft: SELF
 * answers as drafted (cheap checks only), HYBRID verifies in full, ORACLE goes straight to the
 * oracle. The cascade stands below the meta layer, so the router is passed in (src/meta builds one).
 */
export interface Router {
  /** generation: the draft's two passes (null without a sidecar); null advice leaves the cascade's own order. */
  route(question: string, draft: { text: string; refused: boolean; generation: DraftGeneration | null }): RouteReport | null;
}

export interface CascadeOptions {
  /** GGUF model (default: models/default.gguf, or $COGITO_MODEL). */
  model?: string;
  /** Sidecar GGUF for two-pass drafting; false drafts without one (default: sidecars/default.gguf for the default model). */
  sidecar?: string | false;
  /** VKS file (default: an in-memory store that lasts as long as the cascade; the CLI passes ~/.cogito/vks.db). */
  vks?: string;
  /** Reference corpus, JSON Lines of passages (default: <model dir>/<model name>.corpus.jsonl when it exists). */
  corpus?: string;
  /** Domain pack (default: <model dir>/<model name>.domain.json when it exists). */
  domain?: string;
  /** Consulted last; none leaves undecided claims UNVERIFIED. */
  oracle?: Oracle | null;
  /** The meta layer's router; none runs every question the full way (HYBRID). */
  router?: Router | null;
  /** Self-repair before the oracle (default true). */
  repair?: boolean;
  threads?: number;
  /** Tokens the draft may use (default 32: the default model answers in a word or two). */
  maxDraftTokens?: number;
}

/** The files a cascade reads, with the defaults filled in. */
export interface ResolvedPaths {
  model: string;
  sidecar: string | null;
  vks: string;
  corpus: string | null;
  domain: string | null;
}

/** A file beside the model that shares its name: models/default.gguf → models/default.corpus.jsonl. */
export function besideModel(model: string, suffix: string): string {
  const dir = path.dirname(model);
  const base = path.basename(model).replace(/\.gguf$/i, '');
  return path.join(dir, `${base}${suffix}`);
}

export function resolvePaths(o: CascadeOptions, exists: (p: string) => boolean): ResolvedPaths {
  const model = o.model ?? defaultModelPath();
  const isDefault = o.model === undefined;
  let sidecar: string | null = null;
  if (typeof o.sidecar === 'string') sidecar = o.sidecar;
  else if (o.sidecar === undefined && isDefault && exists(defaultSidecarPath())) sidecar = defaultSidecarPath();
  const beside = (given: string | undefined, suffix: string): string | null => {
    if (given !== undefined) return given;
    const candidate = besideModel(model, suffix);
    return exists(candidate) ? candidate : null;
  };
  return { model, sidecar, vks: o.vks ?? ':memory:', corpus: beside(o.corpus, '.corpus.jsonl'), domain: beside(o.domain, '.domain.json') };
}
