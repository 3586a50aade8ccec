/**
 * A GraphQL selection set as the REST query language asks for the same
 * data: the selected fields as dot paths, and the arguments of relation
 * fields as `deep` (_filter, _sort, _limit, _offset, _page, _search). So a
 * root field is one read, one SQL statement, however deep the selection.
 * Pure.
 */
import { Kind, valueFromASTUntyped, type FieldNode, type FragmentDefinitionNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

export interface SelectionQuery {
  fields: string[];
  deep: Record<string, unknown>;
}

const DEEP_ARGS: Record<string, string> = { filter: '_filter', sort: '_sort', limit: '_limit', offset: '_offset', page: '_page', search: '_search' };

export function selectionQuery(
  selectionSet: SelectionSetNode | undefined,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
): SelectionQuery {
  const fields: string[] = [];
  const deep: Record<string, unknown> = {};
  const walk = (set: SelectionSetNode | undefined, prefix: string, into: Record<string, unknown>) => {
    for (const selection of set?.selections ?? []) {
      if (selection.kind === Kind.INLINE_FRAGMENT) walk(selection.selectionSet, prefix, into);
      else if (selection.kind === Kind.FRAGMENT_SPREAD) walk(fragments[selection.name.value]?.selectionSet, prefix, into);
      else walkField(selection, prefix, into);
    }
  };
  const walkField = (field: FieldNode, prefix: string, into: Record<string, unknown>) => {
    const name = field.name.value;
    if (name.startsWith('__')) return;
    const path = `${prefix}${name}`;
    if (!field.selectionSet) {
      fields.push(path);
      return;
    }
    const options: Record<string, unknown> = {};
    for (const argument of field.arguments ?? []) {
      const key = DEEP_ARGS[argument.name.value];
      if (key) options[key] = valueFromASTUntyped(argument.value, variables);
    }
    const nested: Record<string, unknown> = { ...options };
    walk(field.selectionSet, `${path}.`, nested);
    if (Object.keys(nested).length > 0) into[name] = { ...((into[name] as Record<string, unknown>) ?? {}), ...nested };
  };
  walk(selectionSet, '', deep);
  return { fields: fields.length > 0 ? fields : ['*'], deep };
}

/** The selections of every node of a resolved field (a field selected twice is merged), as one read's fields and deep. */
export function fieldSelection(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments' | 'variableValues'>): SelectionQuery {
  const selectionSet: SelectionSetNode = { kind: Kind.SELECTION_SET, selections: info.fieldNodes.flatMap((node) => node.selectionSet?.selections ?? []) };
  return selectionQuery(selectionSet, info.fragments, info.variableValues.coerced as Record<string, unknown>);
}
