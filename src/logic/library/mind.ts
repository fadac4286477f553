/**
 * Theories of consciousness as microtheories over one vocabulary, with theory-neutral
 * background facts about test cases from the literature: a silicon functional duplicate of a
 * human, the feedforward "unfolding" of a recurrent brain (functionally equivalent, zero
 * integrated information), an expander grid of logic gates (high Φ, no workspace, no
 * higher-order states), a workspace robot without self-monitoring, and a zombie twin.
 */
import type { Formula } from '../ast';
import { NotFoundError } from '../../util/errors';
import type { Microtheory } from '../microtheory';
import { microtheory } from '../microtheory';
import { parseFormula } from '../parser';

export const MIND_BACKGROUND: readonly Formula[] = [
  'Conscious(human) ∧ Biological(human) ∧ Integrated(human) ∧ Workspace(human) ∧ HigherOrder(human)',
  'FunctionalDuplicate(human, silicon) ∧ ¬Biological(silicon) ∧ Workspace(silicon) ∧ HigherOrder(silicon)',
  'FunctionalDuplicate(human, unfolded) ∧ ¬Integrated(unfolded) ∧ Workspace(unfolded) ∧ HigherOrder(unfolded)',
  'Integrated(grid) ∧ ¬Workspace(grid) ∧ ¬HigherOrder(grid) ∧ ¬Biological(grid)',
  'Workspace(robot) ∧ ¬HigherOrder(robot)',
  'PhysicalDuplicate(human, zombie)',
].map((t) => parseFormula(t));

export const MIND_THEORIES: readonly Microtheory[] = [
  microtheory('physicalism', 'everything is physical; physical duplicates are mental duplicates', {
    'no non-physical properties': '∀x ¬NonPhysical(x)',
    supervenience: '∀x ∀y (PhysicalDuplicate(x, y) → (Conscious(x) ↔ Conscious(y)))',
  }),
  microtheory('property dualism', 'consciousness is a non-physical property of physical things; zombies are possible', {
    'phenomenal properties are non-physical': '∀x (Conscious(x) → NonPhysical(x))',
    'the zombie twin lacks consciousness': '¬Conscious(zombie)',
  }),
  microtheory('substance dualism', 'a conscious being has a soul, and souls are not physical', {
    'consciousness needs a soul': '∀x (Conscious(x) → HasSoul(x))',
    'souls are non-physical': '∀x (HasSoul(x) → NonPhysical(x))',
  }),
  microtheory('functionalism', 'functional organisation fixes consciousness (organisational invariance)', {
    'organisational invariance': '∀x ∀y (FunctionalDuplicate(x, y) → (Conscious(x) ↔ Conscious(y)))',
  }),
  microtheory('identity theory', 'conscious states are biological brain states', {
    'only biological systems are conscious': '∀x (Conscious(x) → Biological(x))',
  }),
  microtheory('IIT', 'integrated information theory: consciousness is integrated information', {
    'consciousness is integration': '∀x (Conscious(x) ↔ Integrated(x))',
  }),
  microtheory('GWT', 'global workspace theory: consciousness is global broadcast', {
    'consciousness is broadcast': '∀x (Conscious(x) ↔ Workspace(x))',
  }),
  microtheory('HOT', 'higher-order theory: a state is conscious when represented by a higher-order state', {
    'consciousness is higher-order representation': '∀x (Conscious(x) ↔ HigherOrder(x))',
  }),
  microtheory('panpsychism', 'every system has some experience', {
    'experience is everywhere': '∀x Conscious(x)',
  }),
];

/** Pairs of theories that cannot both hold given the background, with the case that splits them. */
export const CONTRADICTING_PAIRS: readonly [string, string, string][] = [
  ['physicalism', 'property dualism', 'the zombie twin, and non-physical properties'],
  ['physicalism', 'substance dualism', 'a conscious human would need a non-physical soul'],
  ['functionalism', 'identity theory', 'the silicon duplicate'],
  ['functionalism', 'IIT', 'the feedforward unfolding'],
  ['IIT', 'GWT', 'the expander grid (and the unfolding)'],
  ['IIT', 'HOT', 'the expander grid'],
  ['GWT', 'HOT', 'the workspace robot without higher-order states'],
  ['GWT', 'identity theory', 'the silicon duplicate'],
  ['HOT', 'identity theory', 'the silicon duplicate'],
  ['panpsychism', 'IIT', 'the feedforward unfolding'],
];

/** Pairs that agree on every background case: their union is consistent. */
export const COMPATIBLE_PAIRS: readonly [string, string][] = [
  ['functionalism', 'GWT'],
  ['functionalism', 'HOT'],
  ['physicalism', 'functionalism'],
  ['physicalism', 'IIT'],
  ['panpsychism', 'functionalism'],
];

export function mindTheory(name: string): Microtheory {
  const t = MIND_THEORIES.find((x) => x.name === name);
  if (!t) throw new NotFoundError(`no theory of mind named ${name}`);
  return t;
}
