/** Public API of the logic module. */
export * from './ast';
export { FormulaParseError, ProblemFileError, SolverError, UnsupportedFormulaError } from './errors';
export { parseFormula, tokenize, formulaDepth, MAX_FORMULA_DEPTH } from './parser';
export { formulaToString, termToString } from './print';
export { canonicalForm } from './canonical';
export type { Verdict, EntailmentResult, EntailmentOptions } from './classical';
export { checkEntailment, checkConsistency } from './classical';
export type { GroundModel } from './model';
export { solve, solverNote, defaultSolvers, checkAgreement } from './smt/portfolio';
export type { SolveOptions, SolveResult, SolverReport } from './smt/portfolio';
export type { SolverName, SatStatus } from './smt/session';
export { shutdownZ3 } from './smt/z3wasm';
export { renderProblem, renderFormula } from './smt/render';
export { runFolio, readFolioFile, repairFolioFormula } from './folio';
export type { FolioExample, FolioReport, FolioDisagreement, FolioSkipped } from './folio';
export type { ModalLogic, FrameCondition } from './modal/frames';
export { MODAL_LOGICS, FRAME_CONDITIONS, isModalLogic } from './modal/frames';
export type { KripkeModel, CountermodelCheck } from './modal/kripke';
export { evaluate as evaluateKripke, checkCountermodel } from './modal/kripke';
export type { ModalOptions, ModalResult } from './modal/check';
export { checkModal } from './modal/check';
export type { ModalMethod } from './modal/check';
export { finiteModelBound } from './modal/bound';
export { decideByTableau, tableauApplies } from './modal/tableau';
export type { TableauLogic, TableauResult } from './modal/tableau';
export { decideByTreeModel, encodeTreeModel, treeModelApplies, treeModelShape } from './modal/treemodel';
export type { TreeModelLogic, TreeModelResult, TreeModelOptions, TreeShape } from './modal/treemodel';
export { runQmltp, readQmltpProblem, readStatements, confirmVerdict, QMLTP_LOGICS } from './qmltp';
export type { QmltpLogic, QmltpReport, QmltpCase, QmltpProblem, QmltpStatus, QmltpConfirmation, QmltpSkipped } from './qmltp';
export type { Belnap, ParaconsistentResult, ParaconsistentLogic } from './paraconsistent';
export { checkParaconsistent } from './paraconsistent';
export type { Default, DefeasibleTheory, DefeasibleResult, DefaultInstance } from './defeasible';
export { checkDefeasible } from './defeasible';
export type { Axiom, Microtheory, TheoryVerdict, ConsistencyResult, ConflictPart } from './microtheory';
export { microtheory, checkClaimPerTheory, crossTheoryConsistency, maximalConsistentSubsets } from './microtheory';
export type { Argument, ArgumentLogic, ArgumentVerdict, ArgumentResult, Premise } from './argument';
export { verifyArgument } from './argument';
export { ARGUMENTS, libraryArgument } from './library/arguments';
export { INVALID_ARGUMENTS } from './library/fallacies';
export { MIND_BACKGROUND, MIND_THEORIES, CONTRADICTING_PAIRS, COMPATIBLE_PAIRS, mindTheory } from './library/mind';
export { englishToFormula, englishReadings, MAX_ENGLISH_WORDS } from './english';
export type { ArgumentQuestion, ArgumentDecision, ArgumentNotation, DecideOptions } from './question';
export {
  readArgumentQuestion,
  decideArgumentQuestion,
  reencodeArgument,
  resolveLogic,
  findLibraryArgument,
  ARGUMENT_LOGICS,
  ARGUMENT_LIMITS,
} from './question';
// the error root (docs/errors.md), so `instanceof CogitoError` needs no other import
export { CogitoError, ERROR_CATEGORIES, errorCategory, type ErrorCategory, type ErrorCode } from '../util/errors';
