/** Public API of the logic module. */
export * from './ast';
export { FormulaParseError, SolverError } from './errors';
export { parseFormula, tokenize } from './parser';
export { formulaToString, termToString } from './print';
export { canonicalForm } from './canonical';
