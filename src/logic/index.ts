/** Public API of the logic module. */
export * from './ast';
export { FormulaParseError, SolverError } from './errors';
export { parseFormula, tokenize } from './parser';
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
export type { FolioExample, FolioReport, FolioDisagreement } from './folio';
