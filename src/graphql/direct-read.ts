/**
 * When a query's answer is exactly the JSON PostgreSQL builds for the same
 * REST read, answer that JSON as it is, as REST does, instead of parsing it
 * and having graphql-js walk and serialise every value again.
 *
 * That holds for a query whose root fields are collection lists or reads by
 * key (no version) and whose selections, at every level, are plain fields
 * and relations: no fragments, directives or aliases below the root, no
 * `__typename`, no function fields, no field twice, and no column whose
 * REST JSON differs from its GraphQL value (a decimal). Two differences are
 * closed in the read itself: keys come in the selection's order, and ID
 * columns are read as text. Anything else, and any error, goes through
 * graphql-js. Pure.
 */
import { getNamedType, getOperationAST, GraphQLObjectType, Kind, type DocumentNode, type FieldNode, type GraphQLSchema, type SelectionSetNode } from 'graphql';
import type { ReadQuery } from '../query/index.ts';
import { cairnExtension } from './build-schema.ts';

/** What a selection asks of one level of the read: the keys in order, which are IDs, and the relations below. */
export interface ReadShape {
  order: readonly string[];
  text: ReadonlySet<string>;
  children: ReadonlyMap<string, ReadShape>;
}

export interface DirectRead {
  responseName: string;
  collection: string;
  byId: boolean;
  node: FieldNode;
  type: GraphQLObjectType;
  shape: ReadShape;
}

/** The root reads of the operation that would run, or null when its answer is not just REST's JSON. */
export function planDirectReads(schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined): DirectRead[] | null {
  const operation = getOperationAST(document, operationName);
  const query = schema.getQueryType();
  if (!operation || operation.operation !== 'query' || !query) return null;
  const reads: DirectRead[] = [];
  const names = new Set<string>();
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind !== Kind.FIELD || (selection.directives?.length ?? 0) > 0) return null;
    const definition = query.getFields()[selection.name.value];
    const extension = cairnExtension(definition);
    if (!definition || extension?.kind !== 'root') return null;
    if (selection.arguments?.some((argument) => argument.name.value === 'version')) return null;
    const responseName = selection.alias?.value ?? selection.name.value;
    if (names.has(responseName)) return null;
    names.add(responseName);
    const type = getNamedType(definition.type);
    if (!(type instanceof GraphQLObjectType)) return null;
    const shape = shapeOf(selection.selectionSet, type);
    if (!shape) return null;
    reads.push({ responseName, collection: extension.collection, byId: extension.read === 'byId', node: selection, type, shape });
  }
  return reads.length > 0 ? reads : null;
}

function shapeOf(set: SelectionSetNode | undefined, type: GraphQLObjectType): ReadShape | null {
  const order: string[] = [];
  const text = new Set<string>();
  const children = new Map<string, ReadShape>();
  for (const selection of set?.selections ?? []) {
    if (selection.kind !== Kind.FIELD || selection.alias || (selection.directives?.length ?? 0) > 0) return null;
    const name = selection.name.value;
    if (name.startsWith('__') || order.includes(name)) return null;
    const definition = type.getFields()[name];
    const extension = cairnExtension(definition);
    if (!definition || !extension) return null;
    if (extension.kind === 'relation') {
      const related = getNamedType(definition.type);
      const child = related instanceof GraphQLObjectType ? shapeOf(selection.selectionSet, related) : null;
      if (!child) return null;
      children.set(name, child);
    } else if (extension.kind === 'column' && extension.direct !== null) {
      if (extension.direct === 'text') text.add(name);
    } else {
      return null;
    }
    order.push(name);
  }
  return order.length > 0 ? { order, text, children } : null;
}

/** The read with its keys in the selection's order, ID columns as text, and the same below. */
export function shapeRead(read: ReadQuery, shape: ReadShape): ReadQuery {
  const position = new Map(shape.order.map((name, index) => [name, index]));
  const fields = [...read.fields]
    .sort((a, b) => (position.get(a.as) ?? Number.MAX_SAFE_INTEGER) - (position.get(b.as) ?? Number.MAX_SAFE_INTEGER))
    .map((node) => {
      if (node.kind === 'column' && shape.text.has(node.as)) return { ...node, text: true };
      const child = shape.children.get(node.as);
      if (child && (node.kind === 'm2o' || node.kind === 'many')) return { ...node, read: shapeRead(node.read, child) };
      return node;
    });
  return { ...read, fields };
}
