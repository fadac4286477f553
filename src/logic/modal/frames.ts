/** Normal modal logics as frame conditions on the accessibility relation R. */

export type ModalLogic = 'K' | 'D' | 'T' | 'B' | 'KB' | 'K4' | 'S4' | 'S5';

export const MODAL_LOGICS: readonly ModalLogic[] = ['K', 'D', 'T', 'B', 'KB', 'K4', 'S4', 'S5'];

export type FrameCondition = 'serial' | 'reflexive' | 'symmetric' | 'transitive';

// B is KTB (reflexive, symmetric); KB is K plus the B axiom alone (symmetric).
export const FRAME_CONDITIONS: Record<ModalLogic, readonly FrameCondition[]> = {
  K: [],
  D: ['serial'],
  T: ['reflexive'],
  B: ['reflexive', 'symmetric'],
  KB: ['symmetric'],
  K4: ['transitive'],
  S4: ['reflexive', 'transitive'],
  S5: ['reflexive', 'symmetric', 'transitive'],
};

export function isModalLogic(s: string): s is ModalLogic {
  return (MODAL_LOGICS as readonly string[]).includes(s);
}

/** SMT-LIB2 axioms for the conditions, over world sort W and relation R. */
export function frameAxioms(logic: ModalLogic): string[] {
  return FRAME_CONDITIONS[logic].map((c) => {
    switch (c) {
      case 'serial':
        return '(assert (forall ((u W)) (exists ((v W)) (R u v))))';
      case 'reflexive':
        return '(assert (forall ((u W)) (R u u)))';
      case 'symmetric':
        return '(assert (forall ((u W) (v W)) (=> (R u v) (R v u))))';
      case 'transitive':
        return '(assert (forall ((u W) (v W) (x W)) (=> (and (R u v) (R v x)) (R u x))))';
    }
  });
}
