/**
 * Rule-based claim classifier. Each kind has weighted cues; the winner's share of the total
 * weight is the confidence. Cue lists are explicit so a wrong call can be traced to a cue.
 * A domain's names (people, works, places) are data handed in, not part of the rules.
 */
import type { DomainVocabulary } from '../corpus/types';
import type { ClaimKind, Classification } from './types';

interface Cue {
  name: string;
  re: RegExp;
  weight: number;
}

const FORMAL: Cue[] = [
  { name: 'logic-symbol', re: /[∀∃¬∧∨→↔⊕□◇⊢⊨⊥⊤]/, weight: 3 },
  { name: 'tptp-operator', re: /<=>|=>|\|-|![[]|\?\[|#box|#dia|\bqmf\(|\bfof\(/, weight: 3 },
  { name: 'predicate-application', re: /\b[A-Za-z_]\w*\([A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*\)/, weight: 1.5 },
  { name: 'validity', re: /\b(valid|invalid|validity|sound|unsound|entails?|entailment|tautolog\w*|contradiction|inconsistent|consistent|satisfiable|theorem)\b/i, weight: 2 },
  { name: 'logical-form', re: /\b(follows? from|it follows that|if and only if|modus (ponens|tollens)|syllogism|premises?|conclusion|counter-?model|implies|necessarily|possibly|it is (necessary|possible) that)\b/i, weight: 1.5 },
  { name: 'quantified-schema', re: /\b(all|every|no|some)\s+\w+s?\s+(are|is)\b/i, weight: 1 },
  { name: 'inference-marker', re: /\b(therefore|hence|thus|ergo|donc)\b/i, weight: 0.75 },
];

const FACTUAL: Cue[] = [
  { name: 'year', re: /\b1[0-9]{3}\b/, weight: 2.5 },
  { name: 'date', re: /\b\d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December)\b/i, weight: 1.5 },
  { name: 'biography', re: /\b(born|died|wrote|written|published|publish|translated|dedicated|corresponded|letter|edition|studied|educated|lived|moved|visited|met|served)\b/i, weight: 2 },
  { name: 'at-reference', re: /\bAT\s+[IVX]+(-\d)?\b|\bAdam[- ]Tannery\b/, weight: 2.5 },
];

const escape = (word: string): string => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A cue that fires on any of `words` as a whole word (none when the list is empty). */
function wordCue(name: string, words: readonly string[], flags: string): Cue[] {
  return words.length === 0 ? [] : [{ name, re: new RegExp(`\\b(${words.map(escape).join('|')})\\b`, flags), weight: 1 }];
}

/** The vocabulary's cues: people (case-insensitive; names of three letters or fewer are too ambiguous), works, places. */
function vocabularyCues(v: DomainVocabulary): Cue[] {
  return [
    ...wordCue('person', v.people.filter((p) => p.length > 3), 'i'),
    ...wordCue('work-title', v.works, ''),
    ...wordCue('place', v.places, ''),
  ];
}

const EMPTY_VOCABULARY: DomainVocabulary = { people: [], works: [], places: [], kinds: {} };
const tables = new WeakMap<DomainVocabulary, Array<[ClaimKind, Cue[]]>>();

const INTERPRETIVE: Cue[] = [
  { name: 'hedge', re: /\b(arguably|plausibly|perhaps|presumably|it seems|seems to|appears to|might be|may be read|likely)\b/i, weight: 2 },
  { name: 'reading', re: /\b(interpret\w*|read(ing)? (as|of)|understood as|best understood|can be seen as|should be seen as|in effect|amounts to|commentators?|scholars?|tension|ambigu\w*)\b/i, weight: 2.5 },
  { name: 'evaluation', re: /\b(important|significant|influential|central|radical|innovative|problematic|unclear|compelling|persuasive|weak|strong(er|est)?)\b/i, weight: 1 },
  { name: 'intent', re: /\b(meant|intended|wanted to|aims? to|tries to|sought to|his point|the point)\b/i, weight: 1.5 },
];

const META: Cue[] = [
  { name: 'self-uncertainty', re: /\b(I am not (sure|certain)|I'm not (sure|certain)|I (do not|don't) know|I cannot (verify|confirm|be sure)|I may be wrong|not confident)\b/i, weight: 3 },
  { name: 'about-answer', re: /\b(this answer|my answer|the answer above|this response|in (summary|short|conclusion)|to summari[sz]e|as (mentioned|noted|discussed) (above|earlier)|the question|you asked)\b/i, weight: 2.5 },
  { name: 'assistant-self', re: /\b(as an (AI|assistant|language model)|I will (now )?(explain|list|describe|outline|answer)|let me|I'll)\b/i, weight: 2.5 },
  { name: 'confidence-statement', re: /\b(I am (fairly |quite |very )?(confident|unsure)|with (high|low) confidence|confidence)\b/i, weight: 2 },
];

function cueTable(vocabulary: DomainVocabulary): Array<[ClaimKind, Cue[]]> {
  let table = tables.get(vocabulary);
  if (!table) {
    table = [
      ['FORMAL', FORMAL],
      ['FACTUAL', [...FACTUAL, ...vocabularyCues(vocabulary)]],
      ['INTERPRETIVE', INTERPRETIVE],
      ['META', META],
    ];
    tables.set(vocabulary, table);
  }
  return table;
}

/** Classifies one sentence; `vocabulary` names the domain's people, works and places (default none). */
export function classifyClaim(text: string, vocabulary: DomainVocabulary = EMPTY_VOCABULARY): Classification {
  const scores = new Map<ClaimKind, number>();
  const cues: string[] = [];
  for (const [kind, list] of cueTable(vocabulary)) {
    let s = 0;
    for (const cue of list) {
      if (cue.re.test(text)) {
        s += cue.weight;
        cues.push(`${kind}:${cue.name}`);
      }
    }
    scores.set(kind, s);
  }
  const total = [...scores.values()].reduce((a, b) => a + b, 0);
  if (total === 0) {
    // A plain declarative with no cue: most often a reading of the text, and a soft pass is the safe route.
    return { kind: 'INTERPRETIVE', confidence: 0.4, cues: [] };
  }
  let best: ClaimKind = 'INTERPRETIVE';
  let bestScore = -1;
  for (const [kind, s] of scores) {
    if (s > bestScore) {
      best = kind;
      bestScore = s;
    }
  }
  // Share of the evidence, shrunk towards 0.5 when the evidence is thin (one weak cue).
  const share = bestScore / total;
  const strength = Math.min(1, bestScore / 3);
  return { kind: best, confidence: Math.round((0.5 + (share - 0.5) * strength) * 1000) / 1000, cues };
}
