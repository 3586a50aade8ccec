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
  GraphQLID,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  type GraphQLFieldConfig,
  type GraphQLFieldConfigArgumentMap,
  type GraphQLFieldConfigMap,
} from 'graphql';
import type { Collection, Model } from '../model/index.ts';
import type { FieldAccess } from '../query/index.ts';
import { GraphQLJSON, scalarType } from './scalars.ts';

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

/** What the read side of a caller's schema has built, for the parts built beside it (mutations). */
export interface SchemaTypes {
  model: Model;
  /** The collection's object type, or undefined when the caller may read none of it. */
  objectType(collection: string): GraphQLObjectType | undefined;
}

export interface SchemaExtensions<TContext> {
  /** Root fields of the Mutation type; none → no Mutation type. */
  mutation?(types: SchemaTypes): GraphQLFieldConfigMap<unknown, TContext>;
}

export function buildSchema<TContext>(model: Model, access: FieldAccess | undefined, resolvers: SchemaResolvers<TContext>, extensions: SchemaExtensions<TContext> = {}): GraphQLSchema {
  const readable = (collection: string) => (access ? access.readable(collection) : new Set([model.collections[collection]!.primaryKey.field, ...Object.keys(model.collections[collection]!.fields)]));
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
    built.set(collection.name, type);
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
  const types: SchemaTypes = { model, objectType: (name) => (model.collections[name] && readable(name) !== null ? typeOf(model.collections[name]!) : undefined) };
  const mutation = extensions.mutation?.(types) ?? {};
  return new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: query }),
    ...(Object.keys(mutation).length > 0 ? { mutation: new GraphQLObjectType({ name: 'Mutation', fields: mutation }) } : {}),
  });
}
