/**
 * Bounds on what one GraphQL document may ask for, checked after
 * validation and before anything runs, so a hostile query costs a parse and
 * a walk, never a database round trip (issue 8):
 * - depth: how deeply selection sets nest (a relation, a function field);
 * - complexity: how many fields are selected once fragments are spread
 *   (each fragment is measured once, so a fragment bomb is measured in
 *   linear time however much it would expand);
 * - root fields: each one is a statement.
 * Introspection fields (`__schema`, `__type`) count as root fields but not
 * towards depth and complexity: their size is the schema's, not the
 * caller's to choose. Pure.
 */
import { Kind, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';

export interface GraphqlLimits {
  maxDepth: number;
  maxComplexity: number;
  maxRootFields: number;
}

interface Measure {
  depth: number;
  cost: number;
}

/** Problems with the operation that would run (all operations when it is ambiguous), as messages; empty when within bounds. */
export function checkLimits(document: DocumentNode, operationName: string | undefined, limits: GraphqlLimits): string[] {
  const fragments = new Map<string, FragmentDefinitionNode>();
  const operations: OperationDefinitionNode[] = [];
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    else if (definition.kind === Kind.OPERATION_DEFINITION && (operationName === undefined || definition.name?.value === operationName)) operations.push(definition);
  }
  const measured = new Map<string, Measure>();
  // Fragment cycles are refused by validation first; the guard keeps this total anyway.
  const visiting = new Set<string>();

  const measure = (set: SelectionSetNode | undefined): Measure => {
    let depth = 0;
    let cost = 0;
    for (const selection of set?.selections ?? []) {
      let inner: Measure;
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value.startsWith('__')) continue;
        const below = selection.selectionSet ? measure(selection.selectionSet) : { depth: 0, cost: 0 };
        inner = { depth: selection.selectionSet ? below.depth + 1 : 0, cost: below.cost + 1 };
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        inner = measure(selection.selectionSet);
      } else {
        inner = fragmentMeasure(selection.name.value);
      }
      depth = Math.max(depth, inner.depth);
      cost += inner.cost;
    }
    return { depth, cost };
  };
  const fragmentMeasure = (name: string): Measure => {
    const known = measured.get(name);
    if (known) return known;
    const fragment = fragments.get(name);
    if (!fragment || visiting.has(name)) return { depth: 0, cost: 0 };
    visiting.add(name);
    const result = measure(fragment.selectionSet);
    visiting.delete(name);
    measured.set(name, result);
    return result;
  };

  const problems: string[] = [];
  for (const operation of operations) {
    const { depth, cost } = measure(operation.selectionSet);
    const rootFields = countRootFields(operation.selectionSet, fragments);
    const label = operation.name ? `Operation "${operation.name.value}"` : 'The operation';
    if (rootFields > limits.maxRootFields) problems.push(`${label} has ${rootFields} root fields; at most ${limits.maxRootFields} (GRAPHQL_MAX_ROOT_FIELDS) are allowed.`);
    if (depth > limits.maxDepth) problems.push(`${label} nests ${depth} levels deep; at most ${limits.maxDepth} (GRAPHQL_MAX_DEPTH) are allowed.`);
    if (cost > limits.maxComplexity) problems.push(`${label} selects ${cost} fields; at most ${limits.maxComplexity} (GRAPHQL_MAX_COMPLEXITY) are allowed.`);
  }
  return problems;
}

/** Root fields after spreading fragments at the top level, introspection included. */
function countRootFields(set: SelectionSetNode, fragments: ReadonlyMap<string, FragmentDefinitionNode>, seen = new Set<string>()): number {
  let count = 0;
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) count += selection.name.value === '__typename' ? 0 : 1;
    else if (selection.kind === Kind.INLINE_FRAGMENT) count += countRootFields(selection.selectionSet, fragments, seen);
    else if (!seen.has(selection.name.value) && fragments.has(selection.name.value)) {
      seen.add(selection.name.value);
      count += countRootFields(fragments.get(selection.name.value)!.selectionSet, fragments, seen);
    }
  }
  return count;
}
