/**
 * The GraphQL schema of a model as one caller sees it: a type per readable
 * collection with only its readable fields, a list field and a `_by_id`
 * field per collection on Query. Relations are fields of the related type;
 * o2m and m2m take the list arguments (filter, sort, limit, offset, page,
 * search), which become the read's `deep`. What the caller cannot read is
 * not in the schema at all, introspection included. Resolving is left to
 * the caller of buildSchema (resolve-graphql.ts), so this file is pure.
 */
import {
  GraphQLBoolean,
  GraphQLFloat,
  GraphQLID,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLScalarType,
  GraphQLSchema,
  GraphQLString,
  type GraphQLFieldConfig,
  type GraphQLFieldConfigArgumentMap,
  type GraphQLFieldConfigMap,
  type GraphQLOutputType,
} from 'graphql';
import type { Collection, Field, Model } from '../model/index.ts';
import type { FieldAccess } from '../query/index.ts';

/** Any JSON value, passed through (filters, json fields). */
export const GraphQLJSON = new GraphQLScalarType({ name: 'JSON', description: 'Any JSON value.', serialize: (value) => value, parseValue: (value) => value });
/** 64-bit integers travel as strings, as the REST API shows them. */
const GraphQLBigInt = new GraphQLScalarType({ name: 'GraphQLBigInt', description: 'A 64-bit integer, as a string.', serialize: (value) => (value === null ? null : String(value)) });
/** Dates and times as the REST API shows them (ISO 8601 strings). */
const GraphQLDate = new GraphQLScalarType({ name: 'Date', description: 'A date, time or timestamp, as an ISO 8601 string.', serialize: (value) => value });
/** A hash field: "**********" when set. */
const GraphQLHash = new GraphQLScalarType({ name: 'Hash', description: 'A concealed hash: "**********" when set.', serialize: (value) => value });

/** The list arguments of a collection field and of o2m/m2m fields. */
export const LIST_ARGS: GraphQLFieldConfigArgumentMap = {
  filter: { type: GraphQLJSON },
  sort: { type: new GraphQLList(GraphQLString) },
  limit: { type: GraphQLInt },
  offset: { type: GraphQLInt },
  page: { type: GraphQLInt },
  search: { type: GraphQLString },
};

export interface SchemaResolvers<TContext> {
  list(collection: string): GraphQLFieldConfig<unknown, TContext>['resolve'];
  byId(collection: string): GraphQLFieldConfig<unknown, TContext>['resolve'];
}

function scalarType(field: Field): GraphQLOutputType {
  switch (field.type) {
    case 'integer':
      return GraphQLInt;
    case 'bigInteger':
      return GraphQLBigInt;
    case 'float':
    case 'decimal':
      return GraphQLFloat;
    case 'boolean':
      return GraphQLBoolean;
    case 'json':
      return GraphQLJSON;
    case 'csv':
      return new GraphQLList(GraphQLString);
    case 'uuid':
      return GraphQLID;
    case 'hash':
      return GraphQLHash;
    case 'date':
    case 'dateTime':
    case 'timestamp':
    case 'time':
      return GraphQLDate;
    default:
      return GraphQLString;
  }
}

export function buildSchema<TContext>(model: Model, access: FieldAccess | undefined, resolvers: SchemaResolvers<TContext>): GraphQLSchema {
  const readable = (collection: string) => (access ? access.readable(collection) : new Set([model.collections[collection]!.primaryKey.field, ...Object.keys(model.collections[collection]!.fields)]));
  const types = new Map<string, GraphQLObjectType>();
  const typeOf = (collection: Collection): GraphQLObjectType => {
    let type = types.get(collection.name);
    if (type) return type;
    type = new GraphQLObjectType({
      name: collection.name,
      ...(collection.note ? { description: collection.note } : {}),
      // A thunk: relations may point back at types not built yet.
      fields: () => {
        const fields: GraphQLFieldConfigMap<unknown, unknown> = {};
        const shown = readable(collection.name) ?? new Set<string>();
        if (shown.has(collection.primaryKey.field)) fields[collection.primaryKey.field] = { type: GraphQLID };
        for (const field of Object.values(collection.fields)) {
          if (!shown.has(field.name)) continue;
          const relation = field.relation;
          if (!relation) {
            fields[field.name] = { type: scalarType(field), ...(field.note ? { description: field.note } : {}) };
            continue;
          }
          const related = model.collections[relation.kind === 'm2m' ? relation.junction : relation.related]!;
          const relatedReadable = readable(related.name) !== null;
          if (relation.kind === 'm2o') fields[field.name] = { type: relatedReadable ? typeOf(related) : GraphQLID };
          else if (relatedReadable) fields[field.name] = { type: new GraphQLList(typeOf(related)), args: LIST_ARGS };
        }
        return fields;
      },
    });
    types.set(collection.name, type);
    return type;
  };

  const query: GraphQLFieldConfigMap<unknown, TContext> = {};
  for (const collection of Object.values(model.collections)) {
    if (readable(collection.name) === null) continue;
    const type = typeOf(collection);
    query[collection.name] = { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(type))), args: LIST_ARGS, resolve: resolvers.list(collection.name) };
    query[`${collection.name}_by_id`] = { type, args: { id: { type: new GraphQLNonNull(GraphQLID) } }, resolve: resolvers.byId(collection.name) };
  }
  // GraphQL needs a Query type with a field, even for a caller who may read nothing.
  if (Object.keys(query).length === 0) query._empty = { type: GraphQLBoolean, description: 'Nothing is readable to this caller.', resolve: () => null };
  return new GraphQLSchema({ query: new GraphQLObjectType({ name: 'Query', fields: query }) });
}
