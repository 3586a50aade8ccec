/**
 * The GraphQL schema of a model as one caller sees it (contract §10): a
 * type per readable collection with only its readable fields and their
 * `<f>_func` function fields; on Query per collection the list, `_by_id`
 * and `_aggregated` fields, and for a collection with versioning
 * `_by_version` and a `version` argument (a singleton: `<c>` and
 * `_by_version`). Relations are fields of the related type; o2m and m2m
 * take the list arguments (typed filter, sort, limit, offset, page,
 * search), which become the read's `deep`. What the caller cannot read is
 * not in the schema at all, introspection included. Resolving is left to
 * the caller of buildSchema (execute-graphql.ts), so this file is pure.
 */
import {
  GraphQLBoolean,
  GraphQLFloat,
  GraphQLID,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  type GraphQLFieldConfigArgumentMap,
  type GraphQLFieldConfigMap,
  type GraphQLFieldResolver,
  type GraphQLInputType,
  type GraphQLOutputType,
} from 'graphql';
import type { Collection, Model } from '../model/index.ts';
import type { FieldAccess } from '../query/index.ts';
import { filterInputs } from './filter-inputs.ts';
import { FUNCTION_GROUP_OF_TYPE, FUNCTION_GROUPS, GraphQLJSON, scalarType, type FunctionGroup } from './scalars.ts';

/** What a schema field stands for, read by the selection walker (selection.ts). */
export type CairnFieldExtension =
  | { kind: 'relation' }
  /** `<f>_func`: the functions of field `field` (year(f), count(f), …). */
  | { kind: 'functions'; field: string }
  /**
   * A column, and how REST's JSON of it compares with its GraphQL value:
   * `same`, `text` (GraphQL's ID: the key as a string) or null when they
   * differ otherwise (a decimal: REST's "12.50", GraphQL's Float 12.5).
   */
  | { kind: 'column'; direct: 'same' | 'text' | null }
  /** A root field reading a collection: its list or one item by key. */
  | { kind: 'root'; collection: string; read: 'list' | 'byId' };

/** What a schema field stands for (undefined: a field the walker has no use for). */
export const cairnExtension = (field: { extensions?: unknown } | undefined): CairnFieldExtension | undefined => (field?.extensions as { cairn?: CairnFieldExtension } | undefined)?.cairn;

const column = (direct: 'same' | 'text' | null) => ({ extensions: { cairn: { kind: 'column', direct } satisfies CairnFieldExtension } });
const root = (collection: string, read: 'list' | 'byId') => ({ extensions: { cairn: { kind: 'root', collection, read } satisfies CairnFieldExtension } });

export interface SchemaResolvers<TContext> {
  list(collection: string): GraphQLFieldResolver<unknown, TContext>;
  byId(collection: string): GraphQLFieldResolver<unknown, TContext>;
  /** `<c>_by_version(id, version)` and `<c>_by_id(id, version)`. */
  byVersion(collection: string): GraphQLFieldResolver<unknown, TContext>;
  /** A singleton's `<c>(version)`. */
  singleton(collection: string): GraphQLFieldResolver<unknown, TContext>;
  aggregated(collection: string): GraphQLFieldResolver<unknown, TContext>;
}

/** What the read side of a caller's schema has built, for the parts built beside it (mutations). */
export interface SchemaTypes {
  model: Model;
  /** The collection's object type, or undefined when the caller may read none of it. */
  objectType(collection: string): GraphQLObjectType | undefined;
  /** The list arguments (typed filter, sort, limit, offset, page, search) of a readable collection. */
  listArgs(collection: string): GraphQLFieldConfigArgumentMap;
}

export interface SchemaExtensions<TContext> {
  /** Root fields of the Mutation type; none → no Mutation type. */
  mutation?(types: SchemaTypes): GraphQLFieldConfigMap<unknown, TContext>;
}

const NUMERIC = new Set(['integer', 'bigInteger', 'float', 'decimal']);

/**
 * The REST alias an aliased relation is read under (`aliased__<alias>`): a
 * name no deep option (`_…`) and, in practice, no field takes.
 */
export const ALIAS_PREFIX = 'aliased__';

/**
 * A relation's value: under its GraphQL alias when one was given (the read
 * reads each aliased relation under its own REST alias, with its own
 * arguments), else under the field's name.
 */
export const relationValue: GraphQLFieldResolver<Record<string, unknown>, unknown> = (source, _args, _context, info) =>
  info.path.key !== info.fieldName && `${ALIAS_PREFIX}${info.path.key}` in source ? source[`${ALIAS_PREFIX}${info.path.key}`] : source[info.fieldName];

/** The list arguments of REST's query language, with `filter` of the given type. */
export function listArguments(filter: GraphQLInputType): GraphQLFieldConfigArgumentMap {
  return {
    filter: { type: filter },
    sort: { type: new GraphQLList(GraphQLString) },
    limit: { type: GraphQLInt },
    offset: { type: GraphQLInt },
    page: { type: GraphQLInt },
    search: { type: GraphQLString },
  };
}

/** `[type!]!`: what a list of items reads as. */
export const listOf = (type: GraphQLObjectType): GraphQLOutputType => new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(type)));

/** What marks a field as a relation for the selection walker, and reads it under its alias. */
export const RELATION = { extensions: { cairn: { kind: 'relation' } satisfies CairnFieldExtension }, resolve: relationValue as GraphQLFieldResolver<unknown, unknown> };

export function buildSchema<TContext>(model: Model, access: FieldAccess | undefined, resolvers: SchemaResolvers<TContext>, extensions: SchemaExtensions<TContext> = {}): GraphQLSchema {
  const readable = (collection: string) => (access ? access.readable(collection) : new Set([model.collections[collection]!.primaryKey.field, ...Object.keys(model.collections[collection]!.fields)]));
  const { filterOf } = filterInputs(model, readable);
  const listArgs = (collection: string): GraphQLFieldConfigArgumentMap => listArguments(filterOf(collection)!);
  const functionTypes = new Map<FunctionGroup, GraphQLObjectType>();
  const functionType = (group: FunctionGroup) => {
    let type = functionTypes.get(group);
    if (!type) {
      type = new GraphQLObjectType({ name: `${group}_functions`, fields: Object.fromEntries(FUNCTION_GROUPS[group].map((fn) => [fn, { type: GraphQLInt }])) });
      functionTypes.set(group, type);
    }
    return type;
  };

  const built = new Map<string, GraphQLObjectType>();
  const typeOf = (collection: Collection): GraphQLObjectType => {
    let type = built.get(collection.name);
    if (type) return type;
    type = new GraphQLObjectType({
      name: collection.name,
      ...(collection.note ? { description: collection.note } : {}),
      // A thunk: relations may point back at types not built yet.
      fields: () => {
        const fields: GraphQLFieldConfigMap<unknown, unknown> = {};
        const shown = readable(collection.name) ?? new Set<string>();
        if (shown.has(collection.primaryKey.field)) fields[collection.primaryKey.field] = { type: GraphQLID, ...column('text') };
        for (const field of Object.values(collection.fields)) {
          if (!shown.has(field.name)) continue;
          const relation = field.relation;
          const described = field.note ? { description: field.note } : {};
          if (!relation) {
            const type = scalarType(field);
            fields[field.name] = { type, ...column(field.type === 'decimal' ? null : type === GraphQLID ? 'text' : 'same'), ...described };
          } else {
            const related = model.collections[relation.kind === 'm2m' ? relation.junction : relation.related]!;
            const relatedReadable = readable(related.name) !== null;
            const asRelation = { ...RELATION, ...described };
            if (relation.kind === 'm2o') fields[field.name] = relatedReadable ? { type: typeOf(related), ...asRelation } : { type: GraphQLID, ...column('text'), ...described };
            else if (relatedReadable) fields[field.name] = { type: new GraphQLList(typeOf(related)), args: listArgs(related.name), ...asRelation };
            else continue;
          }
          const functions = FUNCTION_GROUP_OF_TYPE[field.type];
          if (functions && !fields[`${field.name}_func`]) {
            const name = field.name;
            fields[`${name}_func`] = {
              type: functionType(functions),
              extensions: { cairn: { kind: 'functions', field: name } satisfies CairnFieldExtension },
              resolve: (source) => Object.fromEntries(FUNCTION_GROUPS[functions].map((fn) => [fn, (source as Record<string, unknown>)[`${name}_${fn}`]])),
            };
          }
        }
        return fields;
      },
    });
    built.set(collection.name, type);
    return type;
  };

  const query: GraphQLFieldConfigMap<unknown, TContext> = {};
  for (const collection of Object.values(model.collections)) {
    const shown = readable(collection.name);
    if (shown === null) continue;
    const type = typeOf(collection);
    const name = collection.name;
    // Versions only where the collection has them (`versioning: true`).
    const version = collection.versioning ? { version: { type: GraphQLString } } : {};
    const requiredVersion = { version: { type: new GraphQLNonNull(GraphQLString) } };
    if (collection.singleton) {
      query[name] = { type, args: version, resolve: resolvers.singleton(name) };
      if (collection.versioning) query[`${name}_by_version`] = { type, args: requiredVersion, resolve: resolvers.singleton(name) };
      continue;
    }
    query[name] = { type: listOf(type), args: listArgs(name), resolve: resolvers.list(name), ...root(name, 'list') };
    query[`${name}_by_id`] = { type, args: { id: { type: new GraphQLNonNull(GraphQLID) }, ...version }, resolve: resolvers.byId(name), ...root(name, 'byId') };
    if (collection.versioning) query[`${name}_by_version`] = { type, args: { id: { type: new GraphQLNonNull(GraphQLID) }, ...requiredVersion }, resolve: resolvers.byVersion(name) };
    query[`${name}_aggregated`] = {
      type: listOf(aggregatedType(collection, shown)),
      args: { groupBy: { type: new GraphQLList(GraphQLString) }, ...listArgs(name) },
      resolve: resolvers.aggregated(name),
    };
  }
  // GraphQL needs a Query type with a field, even for a caller who may read nothing.
  if (Object.keys(query).length === 0) query._empty = { type: GraphQLBoolean, description: 'Nothing is readable to this caller.', resolve: () => null };
  const types: SchemaTypes = { model, objectType: (name) => (model.collections[name] && readable(name) !== null ? typeOf(model.collections[name]!) : undefined), listArgs };
  const mutation = extensions.mutation?.(types) ?? {};
  return new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: query }),
    ...(Object.keys(mutation).length > 0 ? { mutation: new GraphQLObjectType({ name: 'Mutation', fields: mutation }) } : {}),
  });

  /** `<c>_aggregated`: Directus's shape, over the caller's readable columns. */
  function aggregatedType(collection: Collection, shown: ReadonlySet<string>): GraphQLObjectType {
    const columns = [...shown].filter((name) => name === collection.primaryKey.field || collection.fields[name]?.dbType);
    const numeric = columns.filter((name) => NUMERIC.has(name === collection.primaryKey.field ? collection.primaryKey.type : collection.fields[name]!.type));
    const counts = new GraphQLObjectType({ name: `${collection.name}_aggregated_count`, fields: Object.fromEntries(columns.map((name) => [name, { type: GraphQLInt }])) });
    const fields: GraphQLFieldConfigMap<unknown, unknown> = { group: { type: GraphQLJSON }, countAll: { type: GraphQLInt }, count: { type: counts }, countDistinct: { type: counts } };
    if (numeric.length > 0) {
      const values = new GraphQLObjectType({ name: `${collection.name}_aggregated_fields`, fields: Object.fromEntries(numeric.map((name) => [name, { type: GraphQLFloat }])) });
      for (const fn of ['avg', 'sum', 'avgDistinct', 'sumDistinct', 'min', 'max']) fields[fn] = { type: values };
    }
    return new GraphQLObjectType({ name: `${collection.name}_aggregated`, fields });
  }
}
