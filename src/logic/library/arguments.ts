/**
 * Arguments from the philosophy of mind and Descartes, formalised in cogito's formula
 * language, each with the verdict its formalisation has. The formalisations are standard
 * reconstructions kept small; the note says what the verdict shows.
 */
import type { Argument } from '../argument';
import { NotFoundError } from '../../util/errors';

export const ARGUMENTS: readonly Argument[] = [
  {
    id: 'cogito',
    title: 'The Cogito (Meditations II, AT VII 25)',
    logic: 'classical',
    premises: [
      { label: 'I doubt', text: 'Doubts(i)' },
      { label: 'doubting is thinking', text: '∀x (Doubts(x) → Thinks(x))' },
      { label: 'whatever thinks exists', text: '∀x (Thinks(x) → Exists(x))' },
    ],
    conclusion: 'Exists(i)',
    expected: 'valid',
    note: 'Valid as a syllogism; the philosophical weight is on whether the third premise is an inference or an intuition.',
  },
  {
    id: 'real-distinction',
    title: 'The Real Distinction, modal form (Meditations VI, AT VII 78), in S5',
    logic: 'S5',
    premises: [
      { label: 'mind can exist without body', text: '◇(Mind ∧ ¬Body)' },
      { label: 'identity would make them inseparable, necessarily', text: '□(Identical → □(Mind → Body))' },
    ],
    conclusion: '□¬Identical',
    expected: 'valid',
    note:
      'Valid in S5: from any world where mind and body were identical, the world where mind exists without body is still ' +
      'accessible (the relation is an equivalence). Invalid in K, T, B and S4: the necessary distinctness needs S5.',
  },
  {
    id: 'cartesian-circle',
    title: 'The Cartesian Circle (Arnauld, Fourth Objections, AT VII 214)',
    logic: 'classical',
    premises: [
      { label: 'God guarantees clear and distinct perception', text: 'KnowsGodExists → CdpReliable' },
      { label: 'God is known through clear and distinct perception', text: '(CdpReliable ∧ PerceivesGodClearly) → KnowsGodExists' },
      { label: 'I perceive God clearly', text: 'PerceivesGodClearly' },
    ],
    conclusion: 'CdpReliable',
    expected: 'invalid',
    note:
      'The two conditionals support each other but nothing anchors either: a countermodel makes both KnowsGodExists and ' +
      'CdpReliable false. It becomes valid only by assuming one of them, which is the circle.',
  },
  {
    id: 'ontological',
    title: 'The Ontological Argument (Anselm, Proslogion II; Meditations V)',
    logic: 'classical',
    premises: [
      { label: 'God exists in the understanding', text: 'InUnderstanding(god)' },
      {
        label: 'existence is a great-making predicate',
        text: '∀x ((InUnderstanding(x) ∧ ¬InReality(x)) → ∃y (Conceivable(y) ∧ Greater(y, x)))',
        condition: true,
      },
      { label: 'nothing conceivable is greater than God', text: '¬∃y (Conceivable(y) ∧ Greater(y, god))' },
    ],
    conclusion: 'InReality(god)',
    expected: 'conditional',
    note: "Valid given that existence is a predicate that makes a thing greater; without that premise (Kant's objection) it is invalid.",
  },
  {
    id: 'zombie',
    title: 'The zombie argument (Chalmers 1996)',
    logic: 'S5',
    premises: [
      { label: 'zombies are conceivable', text: 'ZombiesConceivable' },
      { label: 'conceivability entails possibility', text: 'ZombiesConceivable → ◇(PhysicalFacts ∧ ¬PhenomenalFacts)', condition: true },
      { label: 'physicalism entails necessary supervenience', text: 'Physicalism → □(PhysicalFacts → PhenomenalFacts)' },
    ],
    conclusion: '¬Physicalism',
    expected: 'conditional',
    note: 'Valid with the conceivability–possibility thesis, the premise type-B physicalists deny; invalid without it.',
  },
  {
    id: 'knowledge',
    title: 'The knowledge argument (Jackson 1982)',
    logic: 'classical',
    premises: [
      { label: 'Mary knew every physical fact', text: '∀f (Physical(f) → KnewBefore(mary, f))' },
      { label: 'Mary learns what red looks like', text: 'Learns(mary, red_quale)' },
      { label: 'learning is coming to know a fact not known before', text: '∀f (Learns(mary, f) → ¬KnewBefore(mary, f))', condition: true },
    ],
    conclusion: '∃f ¬Physical(f)',
    expected: 'conditional',
    note: 'Valid if what Mary gains is a new fact; the ability hypothesis (Lewis, Nemirow) denies that premise, and then it is invalid.',
  },
  {
    id: 'chinese-room-weak',
    title: 'The Chinese Room (Searle 1984), with "syntax is not sufficient for semantics" read existentially',
    logic: 'classical',
    premises: [
      { label: 'programs are syntactic', text: '∀x (Program(x) → Syntactic(x))' },
      { label: 'minds have semantics', text: '∀x (Mind(x) → Semantic(x))' },
      { label: 'syntax is not sufficient for semantics', text: '∃x (Syntactic(x) ∧ ¬Semantic(x))' },
    ],
    conclusion: '¬∀x (Program(x) → Mind(x))',
    expected: 'invalid',
    note: 'Invalid: the syntactic thing without semantics need not be a program. The countermodel is the standard reply.',
  },
  {
    id: 'chinese-room-strong',
    title: 'The Chinese Room, with "purely syntactic things have no semantics"',
    logic: 'classical',
    premises: [
      { label: 'programs are purely syntactic', text: '∀x (Program(x) → Syntactic(x))' },
      { label: 'minds have semantics', text: '∀x (Mind(x) → Semantic(x))' },
      { label: 'purely syntactic things lack semantics', text: '∀x (Syntactic(x) → ¬Semantic(x))', condition: true },
      { label: 'there is a program', text: '∃x Program(x)' },
    ],
    conclusion: '¬∀x (Program(x) → Mind(x))',
    expected: 'conditional',
    note: 'Valid on the strong reading of the third axiom, which is exactly what the systems reply disputes.',
  },
];

export function libraryArgument(id: string): Argument {
  const a = ARGUMENTS.find((x) => x.id === id);
  if (!a) throw new NotFoundError(`no argument ${id} in the library`);
  return a;
}
