/** Public face of the model: its types, how it is built from declarations, and its canonical form. */
export * from './types.ts';
export { buildModel } from './build-model.ts';
export { canonicalJson, modelHash } from './canonical.ts';
export { compareDiagnostics, DIAGNOSTIC_CODES, type Diagnostic, type DiagnosticCode } from './diagnostic-codes.ts';
export type { Declaration, Declarations, DocPath, ExtensionDeclaration, Problem } from './declarations.ts';
export { checkFilter, OPERATORS_BY_TYPE, type FilterIssue } from './filter-rules.ts';
export { article, BUILTIN_ADMIN, closest, didYouMean, identifierProblem, MAX_IDENTIFIER_BYTES, RESERVED_PREFIX } from './names.ts';
export { fitsFormat, INT32_MAX, INT32_MIN, isInt32, VALUE_FORMATS } from './value-formats.ts';
export { CONDITION_OPERATORS } from './build-automation.ts';
