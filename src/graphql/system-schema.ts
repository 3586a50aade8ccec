/**
 * The schema of /graphql/system: Cairn's own records (versions, revisions,
 * activity, users, roles, policies, permissions), the server and auth, under
 * Directus's system names (root fields without the `directus_` prefix, types
 * with it, so clients' fragments `on directus_users` keep working). It is
 * the same for every caller: the services it resolves through refuse what
 * REST refuses, at read time. The object types of history, versions, users,
 * roles, policies and permissions come from the system model REST reads them
 * with, so a field REST returns is a field here. Resolving is left to the caller (resolve-system.ts),
 * so this file is pure.
 */
import {
  GraphQLBoolean,
  GraphQLEnumType,
  GraphQLID,
  GraphQLInputObjectType,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  type GraphQLFieldConfigArgumentMap,
  type GraphQLFieldConfigMap,
  type GraphQLFieldResolver,
  type GraphQLOutputType,
} from 'graphql';
import type { Collection, Model } from '../model/index.ts';
import { ACTIVITY, PERMISSIONS, POLICIES, REVISIONS, ROLES, systemModel, USERS, VERSIONS } from '../services/system-collections.ts';
import { GraphQLBigInt, GraphQLJSON, scalarType } from './scalars.ts';
import { listArguments, listOf, RELATION } from './build-schema.ts';

/** Query root fields, by name. */
export const SYSTEM_QUERY_FIELDS = [
  'versions', 'versions_by_id', 'versions_compare',
  'revisions', 'revisions_by_id', 'activity', 'activity_by_id',
  'users', 'users_by_id', 'users_me',
  'roles', 'roles_by_id', 'roles_me', 'policies', 'policies_by_id', 'policies_me_globals', 'permissions', 'permissions_by_id', 'permissions_me',
  'server_ping', 'server_info', 'server_health', 'server_specs_oas', 'server_specs_graphql',
] as const;
/** Mutation root fields, by name. */
export const SYSTEM_MUTATION_FIELDS = [
  'create_versions_item', 'update_versions_item', 'delete_versions_item', 'versions_save', 'versions_promote',
  'update_users_me',
  'auth_login', 'auth_refresh', 'auth_logout',
] as const;

export type SystemField = (typeof SYSTEM_QUERY_FIELDS)[number] | (typeof SYSTEM_MUTATION_FIELDS)[number];
export type SystemResolvers<TContext> = Record<SystemField, GraphQLFieldResolver<unknown, TContext>>;

/** The list arguments of REST's query language (filter as its JSON object). */
const LIST_ARGS = listArguments(GraphQLJSON);
const ID_ARG: GraphQLFieldConfigArgumentMap = { id: { type: new GraphQLNonNull(GraphQLID) } };

const strings = new GraphQLList(GraphQLString);
const ids = new GraphQLList(GraphQLID);

/** The GraphQL type name of a system collection: Directus's, e.g. cairn_users → directus_users. */
export const systemTypeName = (collection: string): string => collection.replace(/^cairn_/, 'directus_');

/** Object types of the system model's collections: their fields as REST reads them, relations as the related type. */
function modelTypes(model: Model): Map<string, GraphQLObjectType> {
  const types = new Map<string, GraphQLObjectType>();
  const typeOf = (collection: Collection): GraphQLObjectType => {
    let type = types.get(collection.name);
    if (type) return type;
    type = new GraphQLObjectType({
      name: systemTypeName(collection.name),
      fields: () => {
        const fields: GraphQLFieldConfigMap<unknown, unknown> = { [collection.primaryKey.field]: { type: GraphQLID } };
        for (const field of Object.values(collection.fields)) {
          const relation = field.relation;
          if (!relation) fields[field.name] = { type: scalarType(field) };
          else if (relation.kind === 'm2o') fields[field.name] = { type: typeOf(model.collections[relation.related]!), ...RELATION };
          else if (relation.kind === 'o2m') fields[field.name] = { type: new GraphQLList(typeOf(model.collections[relation.related]!)), args: LIST_ARGS, ...RELATION };
        }
        return fields;
      },
    });
    types.set(collection.name, type);
    return type;
  };
  for (const collection of Object.values(model.collections)) typeOf(collection);
  return types;
}

const AuthTokens = new GraphQLObjectType({
  name: 'auth_tokens',
  fields: { access_token: { type: GraphQLString }, expires: { type: GraphQLBigInt, description: 'Lifetime of the access token, in milliseconds.' }, refresh_token: { type: GraphQLString } },
});
const AuthMode = new GraphQLEnumType({ name: 'auth_mode', values: { json: { value: 'json' }, cookie: { value: 'cookie' }, session: { value: 'session' } } });
const DeleteOne = new GraphQLObjectType({ name: 'delete_one', fields: { id: { type: GraphQLID } } });
const PoliciesGlobals = new GraphQLObjectType({
  name: 'policies_me_globals_type',
  fields: { enforce_tfa: { type: GraphQLBoolean }, app_access: { type: GraphQLBoolean }, admin_access: { type: GraphQLBoolean } },
});
const SdlScope = new GraphQLEnumType({ name: 'graphql_sdl_scope', values: { items: { value: 'items' }, system: { value: 'system' } } });

const CreateVersion = new GraphQLInputObjectType({
  name: 'create_directus_versions_input',
  fields: { key: { type: new GraphQLNonNull(GraphQLString) }, name: { type: GraphQLString }, collection: { type: new GraphQLNonNull(GraphQLString) }, item: { type: GraphQLString } },
});
const UpdateVersion = new GraphQLInputObjectType({ name: 'update_directus_versions_input', fields: { key: { type: GraphQLString }, name: { type: GraphQLString } } });
/** Every field a user can be written with; /users/me refuses the ones a user may not change of itself, as PATCH /users/me does. */
const UpdateUser = new GraphQLInputObjectType({
  name: 'update_directus_users_input',
  fields: {
    email: { type: GraphQLString },
    password: { type: GraphQLString },
    first_name: { type: GraphQLString },
    last_name: { type: GraphQLString },
    role: { type: GraphQLString },
    policies: { type: strings },
    status: { type: GraphQLString },
    token: { type: GraphQLString },
  },
});

export function buildSystemSchema<TContext>(resolvers: SystemResolvers<TContext>): GraphQLSchema {
  const types = modelTypes(systemModel());
  const Version = types.get(VERSIONS)!;
  const Revision = types.get(REVISIONS)!;
  const Activity = types.get(ACTIVITY)!;
  const User = types.get(USERS)!;
  const Role = types.get(ROLES)!;
  const Policy = types.get(POLICIES)!;
  const Permission = types.get(PERMISSIONS)!;
  const mode = { type: AuthMode, description: 'Default json.' };

  const query: Record<(typeof SYSTEM_QUERY_FIELDS)[number], Omit<GraphQLFieldConfigMap<unknown, TContext>[string], 'resolve'>> = {
    versions: { type: listOf(Version), args: LIST_ARGS },
    versions_by_id: { type: Version, args: ID_ARG },
    versions_compare: { type: GraphQLJSON, args: { ...ID_ARG, merge: { type: GraphQLBoolean } }, description: "GET /versions/:id/compare's body: {outdated, mainHash, current, main} (and merge with merge: true)." },
    revisions: { type: listOf(Revision), args: LIST_ARGS },
    revisions_by_id: { type: Revision, args: ID_ARG },
    activity: { type: listOf(Activity), args: LIST_ARGS },
    activity_by_id: { type: Activity, args: ID_ARG },
    users: { type: listOf(User), args: LIST_ARGS, description: 'Administrators only.' },
    users_by_id: { type: User, args: ID_ARG, description: 'Administrators only.' },
    users_me: { type: User },
    roles: { type: listOf(Role), args: LIST_ARGS },
    roles_by_id: { type: Role, args: ID_ARG },
    roles_me: { type: listOf(Role), description: "The caller's roles: its role and the roles above it." },
    policies: { type: listOf(Policy), args: LIST_ARGS },
    policies_by_id: { type: Policy, args: ID_ARG },
    policies_me_globals: { type: PoliciesGlobals, description: "What the caller's policies grant beyond permissions (enforce_tfa is always false: Cairn has no TFA)." },
    permissions: { type: listOf(Permission), args: LIST_ARGS },
    permissions_by_id: { type: Permission, args: ID_ARG },
    permissions_me: { type: GraphQLJSON, description: "GET /permissions/me's body: the permission rows of the caller's policies." },
    server_ping: { type: GraphQLString },
    server_info: { type: GraphQLJSON },
    server_health: { type: GraphQLJSON },
    server_specs_oas: { type: GraphQLJSON, description: "The caller's OpenAPI document of the REST API, as GET /server/specs/oas answers it." },
    server_specs_graphql: { type: GraphQLString, args: { scope: { type: SdlScope, defaultValue: 'items' } }, description: "The caller's schema of /graphql (items) or /graphql/system, as SDL." },
  };
  const mutation: Record<(typeof SYSTEM_MUTATION_FIELDS)[number], Omit<GraphQLFieldConfigMap<unknown, TContext>[string], 'resolve'>> = {
    create_versions_item: { type: Version, args: { data: { type: new GraphQLNonNull(CreateVersion) } } },
    update_versions_item: { type: Version, args: { ...ID_ARG, data: { type: new GraphQLNonNull(UpdateVersion) } } },
    delete_versions_item: { type: DeleteOne, args: ID_ARG },
    versions_save: { type: GraphQLJSON, args: { ...ID_ARG, data: { type: new GraphQLNonNull(GraphQLJSON) } }, description: 'The item as it reads with the version applied, as POST /versions/:id/save answers.' },
    versions_promote: { type: GraphQLID, args: { ...ID_ARG, mainHash: { type: GraphQLString }, fields: { type: new GraphQLList(new GraphQLNonNull(GraphQLString)) } }, description: "The promoted item's key." },
    update_users_me: { type: User, args: { data: { type: new GraphQLNonNull(UpdateUser) } } },
    auth_login: { type: AuthTokens, args: { email: { type: new GraphQLNonNull(GraphQLString) }, password: { type: new GraphQLNonNull(GraphQLString) }, mode, otp: { type: GraphQLString } } },
    auth_refresh: { type: AuthTokens, args: { refresh_token: { type: GraphQLString }, mode } },
    auth_logout: { type: GraphQLBoolean, args: { refresh_token: { type: GraphQLString }, mode } },
  };
  const withResolvers = (fields: Record<string, Omit<GraphQLFieldConfigMap<unknown, TContext>[string], 'resolve'>>): GraphQLFieldConfigMap<unknown, TContext> =>
    Object.fromEntries(Object.entries(fields).map(([name, config]) => [name, { ...config, resolve: resolvers[name as SystemField] }]));
  return new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: withResolvers(query) }),
    mutation: new GraphQLObjectType({ name: 'Mutation', fields: withResolvers(mutation) }),
  });
}
