/** Public face of the query layer: the Directus query language parsed into an AST and compiled to one SQL statement. */
export { AGGREGATE_FUNCTIONS, DATE_FUNCTIONS, type FieldNode, type FilterNode, type ReadQuery, type SortNode } from './ast.ts';
export { compileRead, compileRuleCheck, escapeLike, type CompiledQuery, type ReadMeta, type ReadPermission, type ReadRules } from './compile-read.ts';
export { parseReadQuery, parseRuleFilter, type FieldAccess, type ParseOptions } from './parse-query.ts';
export { resolveDynamic, type DynamicContext } from './dynamic-values.ts';
