/**
 * What a route does to the cascade's order after the draft (issue 18, item 5; docs/ask.md, "Routes").
 * The local checks — the VKS, the corpus, the solvers — run on every route: they are what makes a
 * claim [VERIFIED], and they cost no generation and no remote call. The route decides the rest:
 *
 * - SELF: the draft stands as checked; no self-repair, no oracle.
 * - HYBRID (and no route): the full order — self-repair, then the oracle.
 * - ORACLE: no self-repair; what the local checks leave open (and a refusal they cannot answer)
 *   goes straight to the oracle. Without an oracle configured it is HYBRID: skipping repair would
 *   then only lose checks.
 */
import { InvalidOptionError } from '../util/errors';
import type { RouteReport } from './types';

export interface RoutePlan {
  repair: boolean;
  oracle: boolean;
  /** Why no oracle is asked, in the words an UNVERIFIED claim or a refusal gives. */
  noOracle: string;
}

const NO_ORACLE = 'no oracle is configured';

export function routePlan(route: RouteReport | null, configured: { repair: boolean; oracle: boolean }): RoutePlan {
  const full = { repair: configured.repair, oracle: configured.oracle, noOracle: NO_ORACLE };
  if (route === null || route.advice === 'HYBRID') return full;
  if (route.advice === 'SELF') return { repair: false, oracle: false, noOracle: configured.oracle ? `routed SELF by ${route.by}: the oracle is not asked` : NO_ORACLE };
  return configured.oracle ? { repair: false, oracle: true, noOracle: NO_ORACLE } : full;
}

/** A router that always gives the same advice: `cogito ask --route`, and a caller that wants one path for every question. */
export function fixedRouter(advice: RouteReport['advice'], by = 'a fixed route'): { route(): RouteReport } {
  if (advice !== 'SELF' && advice !== 'HYBRID' && advice !== 'ORACLE') throw new InvalidOptionError(`a route is SELF, HYBRID or ORACLE, not ${JSON.stringify(advice)}`, 'INVALID_ARGUMENT');
  const report: RouteReport = Object.freeze({ advice, confidence: advice === 'SELF' ? 1 : advice === 'ORACLE' ? 0 : 0.5, by });
  return { route: () => report };
}
