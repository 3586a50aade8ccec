/** Public face of the query layer: the Directus query language parsed into an AST and compiled to one SQL statement. */
export type { FieldNode, FilterNode, ReadQuery, SortNode } from './ast.ts';
export { compileRead, escapeLike, type CompiledQuery, type ReadMeta } from './compile-read.ts';
export { parseReadQuery, type ParseOptions } from './parse-query.ts';
