/**
 * The VKS options that tie its lookup to the logic module: the canonical form of a query's formula
 * (equivalence lookup) and the confirmation of a fuzzy candidate by logic, so that a candidate
 * whose words overlap a query's answers it only when the two are the same formula.
 */
import type { OpenOptions } from '../vks/store';
import type { FormalBackend } from './formal';

export function lookupOptions(backend: FormalBackend): Pick<OpenOptions, 'canonicalise' | 'confirmEquivalent'> {
  return {
    canonicalise: (text) => backend.canonical(text),
    confirmEquivalent: (query, candidate) => {
      const a = backend.canonical(query);
      if (a === null) return false;
      return backend.canonical(candidate) === a;
    },
  };
}
