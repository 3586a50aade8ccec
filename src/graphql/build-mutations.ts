/**
 * The Mutation root fields of a caller's schema (contract §10): per
 * collection, create_c_items/create_c_item, update_c_items/_batch/_item,
 * delete_c_items/delete_c_item, and update_c for a singleton; each only when
 * the caller may do that at all, with input types `create_c_input` and
 * `update_c_input` that list only the fields it may set. A mutation answers
 * the written items as the collection's read type, or `Boolean` when the
 * caller may write but not read the collection (as Directus does).
 *
 * Relational inputs have Directus's shape: an m2o is the related
 * collection's input of the same action (`{id: …}` links an existing item),
 * an o2m or m2m a list of the related (junction) input. Where the caller may
 * not do that action on the related collection, the field takes keys
 * instead (`ID`, `[ID]`). All input fields are nullable: required fields are
 * the services' to check (FAILED_VALIDATION names the field), which also
 * lets a nested list name an existing item by its key alone. Special fields
 * (date-created, user-created, …) are not inputs: Cairn fills them in.
 *
 * The write guard in the services stays the real enforcement; this only
 * leaves out what it would certainly refuse. Resolving is left to the
 * caller (resolve-mutations.ts), so this file is pure.
 */
import {
  GraphQLBoolean,
  GraphQLID,
  GraphQLInputObjectType,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  type GraphQLFieldConfigMap,
  type GraphQLFieldResolver,
  type GraphQLInputFieldConfigMap,
  type GraphQLInputType,
  type GraphQLOutputType,
} from 'graphql';
import type { Collection } from '../model/index.ts';
import type { WriteGrants } from '../permissions/index.ts';
import { listOf, type SchemaTypes } from './build-schema.ts';
import { inputScalarType } from './scalars.ts';

export type MutationKind = 'createItems' | 'createItem' | 'updateItems' | 'updateBatch' | 'updateItem' | 'updateSingleton' | 'deleteItems' | 'deleteItem';

/** The resolver of one kind of mutation on one collection; `readable` false: the caller may not read it, the mutation answers `true`. */
export type MutationResolvers<TContext> = (kind: MutationKind, collection: string, readable: boolean) => GraphQLFieldResolver<unknown, TContext>;

type InputAction = 'create' | 'update';

export function buildMutations<TContext>(options: { types: SchemaTypes; grants: WriteGrants | undefined; resolvers: MutationResolvers<TContext> }): GraphQLFieldConfigMap<unknown, TContext> {
  const { types, grants, resolvers } = options;
  const { model } = types;
  const granted = (collection: string, action: InputAction | 'delete') => (grants ? grants.fields(collection, action) : 'all');

  /**
   * The fields an input lists: those granted, not special, and the key, always: it names the item of
   * an update (in a batch, or nested) and links an existing item in a nested create ({id: …}). A
   * create that sets a key it may not set is the guard's to refuse.
   */
  const inputFields = (action: InputAction, collection: Collection): string[] => {
    const fields = granted(collection.name, action);
    if (fields === null) return [];
    const settable = Object.values(collection.fields).filter((field) => field.special === null && (fields === 'all' || fields.has(field.name))).map((field) => field.name);
    // A key alone sets nothing: without another field there is no input (and no mutation).
    if (settable.length === 0) return [];
    return [collection.primaryKey.field, ...settable];
  };

  const inputs = new Map<string, GraphQLInputObjectType | null>();
  const inputOf = (action: InputAction, collection: Collection): GraphQLInputObjectType | undefined => {
    const name = `${action}_${collection.name}_input`;
    if (!inputs.has(name)) {
      const fields = inputFields(action, collection);
      inputs.set(
        name,
        fields.length === 0
          ? null
          : new GraphQLInputObjectType({
              name,
              // A thunk: relations may point back at inputs not built yet.
              fields: () => Object.fromEntries(fields.map((field) => [field, { type: inputFieldType(action, collection, field) }])) as GraphQLInputFieldConfigMap,
            }),
      );
    }
    return inputs.get(name) ?? undefined;
  };

  const inputFieldType = (action: InputAction, collection: Collection, name: string): GraphQLInputType => {
    const field = collection.fields[name];
    if (!field) return GraphQLID; // the key
    const relation = field.relation;
    if (!relation) return inputScalarType(field);
    const related = model.collections[relation.kind === 'm2m' ? relation.junction : relation.related]!;
    const input = inputOf(action, related);
    if (relation.kind === 'm2o') return input ?? GraphQLID;
    return new GraphQLList(input ?? GraphQLID);
  };

  let deleteMany: GraphQLObjectType | undefined;
  let deleteOne: GraphQLObjectType | undefined;
  const deleteTypes = () => {
    deleteMany ??= new GraphQLObjectType({ name: 'delete_many', fields: { ids: { type: new GraphQLNonNull(new GraphQLList(GraphQLID)) } } });
    deleteOne ??= new GraphQLObjectType({ name: 'delete_one', fields: { id: { type: new GraphQLNonNull(GraphQLID) } } });
    return { deleteMany, deleteOne };
  };

  const mutation: GraphQLFieldConfigMap<unknown, TContext> = {};
  for (const collection of Object.values(model.collections)) {
    const name = collection.name;
    const type = types.objectType(name);
    const readable = type !== undefined;
    const one: GraphQLOutputType = type ?? GraphQLBoolean;
    const many: GraphQLOutputType = type ? listOf(type) : GraphQLBoolean;
    // The list arguments narrow the answer: only where there is one to narrow.
    const listArgs = readable ? types.listArgs(collection.name) : {};
    const create = inputOf('create', collection);
    const update = inputOf('update', collection);
    if (collection.singleton) {
      if (update) mutation[`update_${name}`] = { type: one, args: { data: { type: new GraphQLNonNull(update) } }, resolve: resolvers('updateSingleton', name, readable) };
      continue;
    }
    if (create) {
      mutation[`create_${name}_items`] = { type: many, args: { ...listArgs, data: { type: new GraphQLList(new GraphQLNonNull(create)) } }, resolve: resolvers('createItems', name, readable) };
      mutation[`create_${name}_item`] = { type: one, args: { data: { type: new GraphQLNonNull(create) } }, resolve: resolvers('createItem', name, readable) };
    }
    if (update) {
      const ids = { type: new GraphQLNonNull(new GraphQLList(GraphQLID)) };
      mutation[`update_${name}_items`] = { type: many, args: { ...listArgs, ids, data: { type: new GraphQLNonNull(update) } }, resolve: resolvers('updateItems', name, readable) };
      mutation[`update_${name}_batch`] = { type: many, args: { ...listArgs, data: { type: new GraphQLList(new GraphQLNonNull(update)) } }, resolve: resolvers('updateBatch', name, readable) };
      mutation[`update_${name}_item`] = { type: one, args: { id: { type: new GraphQLNonNull(GraphQLID) }, data: { type: new GraphQLNonNull(update) } }, resolve: resolvers('updateItem', name, readable) };
    }
    if (granted(name, 'delete') !== null) {
      const { deleteMany, deleteOne } = deleteTypes();
      mutation[`delete_${name}_items`] = { type: deleteMany, args: { ids: { type: new GraphQLNonNull(new GraphQLList(GraphQLID)) } }, resolve: resolvers('deleteItems', name, readable) };
      mutation[`delete_${name}_item`] = { type: deleteOne, args: { id: { type: new GraphQLNonNull(GraphQLID) } }, resolve: resolvers('deleteItem', name, readable) };
    }
  }
  return mutation;
}
