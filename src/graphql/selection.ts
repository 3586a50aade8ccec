/**
 * A GraphQL selection as the REST query language asks for the same data:
 * the selected fields as dot paths, the arguments of relation fields as
 * `deep` (_filter, _sort, _limit, _offset, _page, _search), a relation
 * selected under a GraphQL alias as a REST alias `aliased__<alias>` (so one
 * relation can be read twice with different arguments; nested ones through
 * `deep._alias`), and `<f>_func { year }` as `year(f)`. So a root field is
 * one read, one SQL statement, however deep the selection. Walks the
 * schema's types beside the document, so arguments are coerced as typed.
 * Pure.
 */
import {
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  GraphQLIncludeDirective,
  GraphQLObjectType,
  GraphQLSkipDirective,
  Kind,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLResolveInfo,
  type SelectionNode,
  type VariableValues,
} from 'graphql';
import { ALIAS_PREFIX, cairnExtension } from './build-schema.ts';
import { restFilter } from './filter-inputs.ts';

/** A type, not an interface, so that it is a REST query object (`Record<string, unknown>`) as it is. */
export type SelectionQuery = {
  fields: string[];
  deep: Record<string, unknown>;
  /** Only when the selection aliases a relation. */
  alias?: Record<string, string>;
};

const LIST_ARGUMENTS = ['filter', 'sort', 'limit', 'offset', 'page', 'search'] as const;

/** A relation's list arguments as REST's deep options; absent and null ones left out. */
export function deepOptions(args: Record<string, unknown>): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const name of LIST_ARGUMENTS) {
    const value = args[name];
    if (value !== undefined && value !== null) options[`_${name}`] = name === 'filter' ? restFilter(value) : value;
  }
  return options;
}

/** A list field's arguments as REST query parameters (filter, sort, limit, offset, page, search). */
export function listQuery(args: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(deepOptions(args)).map(([name, value]) => [name.slice(1), value]));
}

/** The fields of a selection, fragments spread, @skip/@include applied. */
export function* selectedFields(selections: readonly SelectionNode[], fragments: Readonly<Record<string, FragmentDefinitionNode>>, variables: VariableValues | undefined): Generator<FieldNode> {
  for (const selection of selections) {
    if (getDirectiveValues(GraphQLSkipDirective, selection, variables)?.if === true || getDirectiveValues(GraphQLIncludeDirective, selection, variables)?.if === false) continue;
    if (selection.kind === Kind.FIELD) yield selection;
    else if (selection.kind === Kind.INLINE_FRAGMENT) yield* selectedFields(selection.selectionSet.selections, fragments, variables);
    else {
      const fragment = fragments[selection.name.value];
      if (fragment) yield* selectedFields(fragment.selectionSet.selections, fragments, variables);
    }
  }
}

export function selectionQuery(
  nodes: readonly FieldNode[],
  type: GraphQLObjectType,
  fragments: Readonly<Record<string, FragmentDefinitionNode>>,
  variables: VariableValues | undefined,
): SelectionQuery {
  const fields: string[] = [];
  const fieldsOf = (selections: readonly SelectionNode[]) => selectedFields(selections, fragments, variables);

  const walk = (selections: readonly SelectionNode[], parent: GraphQLObjectType, prefix: string, deep: Record<string, unknown>, alias: Record<string, string>) => {
    const before = fields.length;
    for (const node of fieldsOf(selections)) {
      const name = node.name.value;
      if (name.startsWith('__')) continue;
      const definition = parent.getFields()[name];
      if (!definition) continue; // validation has refused it already
      const extension = cairnExtension(definition);
      if (extension?.kind === 'functions') {
        for (const fn of fieldsOf(node.selectionSet?.selections ?? [])) if (!fn.name.value.startsWith('__')) fields.push(`${prefix}${fn.name.value}(${extension.field})`);
        continue;
      }
      if (extension?.kind !== 'relation') {
        fields.push(`${prefix}${name}`);
        continue;
      }
      const responseName = node.alias?.value ?? name;
      const key = responseName === name ? name : `${ALIAS_PREFIX}${responseName}`;
      if (key !== name) alias[key] = name;
      const nested: Record<string, unknown> = deepOptions(getArgumentValues(definition, node, variables));
      const nestedAlias: Record<string, string> = {};
      const related = getNamedType(definition.type);
      if (related instanceof GraphQLObjectType) walk(node.selectionSet?.selections ?? [], related, `${prefix}${key}.`, nested, nestedAlias);
      if (Object.keys(nestedAlias).length > 0) nested._alias = nestedAlias;
      if (Object.keys(nested).length > 0) deep[key] = { ...((deep[key] as Record<string, unknown>) ?? {}), ...nested };
    }
    // A selection of only __typename still reads the item (its key).
    if (fields.length === before && prefix !== '') fields.push(prefix.slice(0, -1));
  };

  const deep: Record<string, unknown> = {};
  const alias: Record<string, string> = {};
  walk(nodes.flatMap((node) => node.selectionSet?.selections ?? []), type, '', deep, alias);
  return { fields: fields.length > 0 ? fields : ['*'], deep, ...(Object.keys(alias).length > 0 ? { alias } : {}) };
}

/** The read a resolved field's selection asks for (every node of the field: a field selected twice is merged). */
export function fieldSelection(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments' | 'variableValues' | 'returnType'>): SelectionQuery {
  return selectionQuery(info.fieldNodes, getNamedType(info.returnType) as GraphQLObjectType, info.fragments, info.variableValues);
}
