/**
 * Ten subtly invalid arguments (fallacies in philosophical dress). Nine are refuted by a
 * countermodel; the masked-man fallacy is kept as the honest tenth: its flaw is substituting
 * into an intensional context, which an extensional logic cannot see, so it checks as valid.
 */
import type { Argument } from '../argument';

const fallacy = (id: string, title: string, logic: Argument['logic'], premises: string[], conclusion: string, note: string, expected: Argument['expected'] = 'invalid'): Argument => ({
  id,
  title,
  logic,
  premises: premises.map((text, i) => ({ label: `P${i + 1}`, text })),
  conclusion,
  expected,
  note,
});

export const INVALID_ARGUMENTS: readonly Argument[] = [
  fallacy('affirming-consequent', 'Affirming the consequent', 'classical', ['∀x (Zombie(x) → ¬Conscious(x))', '¬Conscious(rock)'], 'Zombie(rock)', 'A rock is not conscious without being a zombie.'),
  fallacy('denying-antecedent', 'Denying the antecedent', 'classical', ['Thinks(i) → Exists(i)', '¬Thinks(i)'], '¬Exists(i)', 'Not thinking does not mean not existing.'),
  fallacy('quantifier-shift', 'Quantifier shift (first cause)', 'classical', ['∀x ∃y Causes(y, x)'], '∃y ∀x Causes(y, x)', 'Everything having a cause is not one cause of everything.'),
  fallacy('existential', 'Existential fallacy', 'classical', ['∀x (Unicorn(x) → HasHorn(x))'], '∃x (Unicorn(x) ∧ HasHorn(x))', 'A universal does not assert that anything exists.'),
  fallacy('undistributed-middle', 'Undistributed middle', 'classical', ['∀x (Mind(x) → ProcessesInformation(x))', '∀x (Computer(x) → ProcessesInformation(x))'], '∀x (Computer(x) → Mind(x))', 'Sharing a property is not being the same kind.'),
  fallacy('composition', 'Composition', 'classical', ['∀x (PartOf(x, brain) → ¬Conscious(x))', 'Neuron(n1) ∧ PartOf(n1, brain)'], '¬Conscious(brain)', 'What holds of each part need not hold of the whole.'),
  fallacy('modal-scope', 'Necessity of the consequence read as necessity of the consequent', 'S5', ['□(Knows → True)', 'Knows'], '□True', 'What I know must be true; it need not be necessarily true.'),
  fallacy('possibility-agglomeration', 'Agglomerating possibilities', 'S5', ['◇DisembodiedMind', '◇MindlessBody'], '◇(DisembodiedMind ∧ MindlessBody)', 'Each is possible; both together need not be.'),
  fallacy('iterated-necessity', 'Iterating necessity in T', 'T', ['□Cogito'], '□□Cogito', 'Axiom 4 is not a theorem of T: necessity need not be necessarily necessary there.'),
  fallacy(
    'masked-man',
    'The masked man (Leibniz’s law in a context of doubt)',
    'classical',
    ['CanDoubtExistence(body)', '¬CanDoubtExistence(i)'],
    '¬(i = body)',
    'Invalid because "can be doubted" is intensional; an extensional logic applies Leibniz’s law and finds it valid, so it is not refuted here.',
    'valid',
  ),
];
