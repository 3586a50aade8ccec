/**
 * Typed filter inputs, Directus's shape (contract §10): `<c>_filter` with one
 * entry per readable field, typed by the operators that field type has in
 * the REST filter language (OPERATORS_BY_TYPE, so the two can never
 * disagree), `_and`/`_or`, nested filters through m2o fields (which also
 * take the key's operators: `<c>_m2o_filter`, a Cairn addition), `_some` and
 * `_none` on o2m and m2m fields (`<c>_quantifier_filter`) and function
 * fields (`<f>_func: { year: {...} }` on dates and times,
 * `<f>_func: { count: {...} }` on o2m and m2m fields). A coerced filter
 * becomes the REST filter object with `restFilter`. Pure.
 */
import {
  GraphQLBoolean,
  GraphQLID,
  GraphQLInputObjectType,
  GraphQLList,
  GraphQLString,
  type GraphQLInputFieldConfigMap,
  type GraphQLInputType,
} from 'graphql';
import { OPERATORS_BY_TYPE, type Collection, type FieldType, type Model } from '../model/index.ts';
import { FUNCTION_GROUP_OF_TYPE, FUNCTION_GROUPS, GraphQLBigInt, GraphQLStringOrFloat, type FunctionGroup } from './scalars.ts';

type FilterType = Exclude<FieldType, 'o2m' | 'm2m'>;

/** Directus's operator input names, each with the Cairn types that share its operators. */
const OPERATOR_INPUTS: { name: string; types: FilterType[]; value: GraphQLInputType }[] = [
  { name: 'string_filter_operators', types: ['string', 'text', 'csv'], value: GraphQLString },
  { name: 'number_filter_operators', types: ['integer', 'float', 'decimal'], value: GraphQLStringOrFloat },
  { name: 'big_int_filter_operators', types: ['bigInteger'], value: GraphQLBigInt },
  { name: 'date_filter_operators', types: ['date', 'dateTime', 'time', 'timestamp'], value: GraphQLString },
  { name: 'id_filter_operators', types: ['uuid', 'm2o'], value: GraphQLID },
  { name: 'boolean_filter_operators', types: ['boolean'], value: GraphQLBoolean },
  { name: 'json_filter_operators', types: ['json'], value: GraphQLString },
  { name: 'hash_filter_operators', types: ['hash'], value: GraphQLString },
];

const BOOLEAN_OPERATORS = new Set(['_null', '_nnull', '_empty', '_nempty']);
const LIST_OPERATORS = new Set(['_in', '_nin', '_between', '_nbetween']);

export interface FilterInputs {
  /** `<c>_filter`, or undefined when the caller may read nothing of `c`. */
  filterOf(collection: string): GraphQLInputObjectType | undefined;
}

/** The filter inputs of one caller's schema: only readable collections and fields appear. */
export function filterInputs(model: Model, readable: (collection: string) => ReadonlySet<string> | null): FilterInputs {
  const operatorInputs = new Map<FilterType, GraphQLInputObjectType>();
  for (const { name, types, value } of OPERATOR_INPUTS) {
    const operators = OPERATORS_BY_TYPE[types[0]!];
    const fields: GraphQLInputFieldConfigMap = {};
    for (const operator of operators) fields[operator] = { type: BOOLEAN_OPERATORS.has(operator) ? GraphQLBoolean : LIST_OPERATORS.has(operator) ? new GraphQLList(value) : value };
    const input = new GraphQLInputObjectType({ name, fields });
    for (const type of types) operatorInputs.set(type, input);
  }
  const numberOperators = operatorInputs.get('integer')!;
  const functionInputs = new Map<FunctionGroup, GraphQLInputObjectType>();
  const functionInput = (group: FunctionGroup) => {
    let input = functionInputs.get(group);
    if (!input) {
      input = new GraphQLInputObjectType({ name: `${group}_function_filter_operators`, fields: Object.fromEntries(FUNCTION_GROUPS[group].map((fn) => [fn, { type: numberOperators }])) });
      functionInputs.set(group, input);
    }
    return input;
  };

  const filters = new Map<string, GraphQLInputObjectType>();
  const quantifiers = new Map<string, GraphQLInputObjectType>();

  /** The entries of a collection's filter: its readable fields, their functions, _and/_or. */
  const entries = (collection: Collection, self: () => GraphQLInputObjectType): GraphQLInputFieldConfigMap => {
    const shown = readable(collection.name) ?? new Set<string>();
    const fields: GraphQLInputFieldConfigMap = {};
    if (shown.has(collection.primaryKey.field)) fields[collection.primaryKey.field] = { type: operatorInputs.get(collection.primaryKey.type === 'string' ? 'string' : collection.primaryKey.type)! };
    for (const field of Object.values(collection.fields)) {
      if (!shown.has(field.name)) continue;
      const relation = field.relation;
      const functions = FUNCTION_GROUP_OF_TYPE[field.type];
      if (!relation) {
        if (field.type !== 'o2m' && field.type !== 'm2m') fields[field.name] = { type: operatorInputs.get(field.type)! };
      } else {
        const related = relation.kind === 'm2m' ? relation.junction : relation.related;
        const relatedFilter = filterOf(related);
        if (relation.kind === 'm2o') fields[field.name] = { type: (relatedFilter ? m2oFilterOf(related) : undefined) ?? operatorInputs.get('m2o')! };
        else if (relatedFilter) fields[field.name] = { type: quantifierOf(related)! };
        // count() of an o2m or m2m needs the related collection readable, as REST does.
        if (relation.kind !== 'm2o' && !relatedFilter) continue;
      }
      if (functions) fields[`${field.name}_func`] = { type: functionInput(functions) };
    }
    fields._and = { type: new GraphQLList(self()) };
    fields._or = { type: new GraphQLList(self()) };
    return fields;
  };

  const filterOf = (name: string): GraphQLInputObjectType | undefined => {
    const collection = model.collections[name];
    if (!collection || readable(name) === null) return undefined;
    let input = filters.get(name);
    if (!input) {
      const self: GraphQLInputObjectType = new GraphQLInputObjectType({ name: `${name}_filter`, fields: () => entries(collection, () => self) });
      input = self;
      filters.set(name, input);
    }
    return input;
  };

  /** Through an m2o: the related collection's filter, and its key's own operators (`{owner: {_null: true}}`, `{tags_id: {_eq: 1}}`), as REST allows both. */
  const m2oFilters = new Map<string, GraphQLInputObjectType>();
  const m2oFilterOf = (name: string): GraphQLInputObjectType | undefined => {
    const filter = filterOf(name);
    if (!filter) return undefined;
    let input = m2oFilters.get(name);
    if (!input) {
      input = new GraphQLInputObjectType({ name: `${name}_m2o_filter`, fields: () => ({ ...filter.toConfig().fields, ...operatorInputs.get('m2o')!.toConfig().fields }) });
      m2oFilters.set(name, input);
    }
    return input;
  };

  const quantifierOf = (name: string): GraphQLInputObjectType | undefined => {
    const filter = filterOf(name);
    if (!filter) return undefined;
    let input = quantifiers.get(name);
    if (!input) {
      input = new GraphQLInputObjectType({
        name: `${name}_quantifier_filter`,
        fields: () => ({ ...filter.toConfig().fields, _some: { type: filter }, _none: { type: filter } }),
      });
      quantifiers.set(name, input);
    }
    return input;
  };

  return { filterOf };
}

const FUNCTION_NAMES = new Set<string>(Object.values(FUNCTION_GROUPS).flat());

/**
 * A coerced `<c>_filter` as the REST filter object: `<f>_func: {year: x}`
 * becomes `year(f): x` (and `count(f)`); everything else is already REST's
 * shape. Null-prototype objects from graphql-js become plain ones.
 */
export function restFilter(filter: unknown): unknown {
  if (Array.isArray(filter)) return filter.map(restFilter);
  if (filter === null || typeof filter !== 'object') return filter;
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(filter)) {
    const fn = key.endsWith('_func') && value !== null && typeof value === 'object' && !Array.isArray(value) ? Object.keys(value) : [];
    if (fn.length > 0 && fn.every((name) => FUNCTION_NAMES.has(name))) {
      for (const [name, inner] of Object.entries(value as Record<string, unknown>)) rest[`${name}(${key.slice(0, -'_func'.length)})`] = restFilter(inner);
    } else {
      rest[key] = restFilter(value);
    }
  }
  return rest;
}
