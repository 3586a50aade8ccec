/**
 * The resolvers of /graphql/system: each root field calls the service the
 * matching REST route calls, with the caller's Accountability, so it answers
 * and refuses exactly as REST does (history and versions masked by the
 * caller's read permissions, users for administrators, /users/me's refusals,
 * login's limits and its one failure answer). Reads take their fields and
 * deep from the selection, like /graphql. Auth cookies (cookie and session
 * modes) go through the AuthCookieJar the HTTP edge puts in the context.
 */
import type { GraphQLFieldResolver, GraphQLResolveInfo } from 'graphql';
import { login, logout, presentedRefreshToken, refresh, type AuthCookieJar, type AuthMode, type IssuedTokens } from '../auth/index.ts';
import type { Context } from '../context/index.ts';
import { InvalidPayloadError } from '../errors/index.ts';
import {
  checkHealth,
  openApiSpec,
  compareVersion,
  createVersions,
  deleteVersions,
  promoteVersion,
  readAtVersion,
  readItem,
  readItems,
  readMe,
  readConfig,
  readMyPermissions,
  readUser,
  readUsers,
  saveToVersion,
  serverInfo,
  updateMe,
  updateVersion,
  type Accountability,
  type ReadItemsResult,
  type RequestOrigin,
} from '../services/index.ts';
import { ACTIVITY, REVISIONS, VERSIONS } from '../services/system-collections.ts';
import { fieldSelection, listQuery } from './selection.ts';
import type { SystemResolvers } from './system-schema.ts';

export type SystemGraphqlContext = Pick<Context, 'db' | 'models' | 'events' | 'identity' | 'settings' | 'secret' | 'loginLimits' | 'version' | 'instanceId'>;

export interface SystemResolverContext {
  accountability: Accountability;
  /** The request's auth cookies; without them only json mode is served. */
  cookies?: AuthCookieJar;
}

type Args = Record<string, unknown>;
type Resolver = GraphQLFieldResolver<unknown, SystemResolverContext>;

const originOf = (accountability: Accountability): RequestOrigin => ({ ip: accountability.ip, userAgent: accountability.userAgent, origin: accountability.origin });

/** Login and refresh answers by mode, as /auth/login answers (the tokens a mode keeps in a cookie read null). */
function tokensOf(issued: IssuedTokens, cookies: AuthCookieJar | undefined) {
  switch (issued.mode) {
    case 'json':
      return { access_token: issued.accessToken, refresh_token: issued.refreshToken, expires: issued.expires };
    case 'cookie':
      cookies!.set('refresh', issued.refreshToken, issued.refreshExpires);
      return { access_token: issued.accessToken, refresh_token: null, expires: issued.expires };
    case 'session':
      cookies!.set('session', issued.accessToken, issued.refreshExpires);
      return { access_token: null, refresh_token: null, expires: issued.expires };
  }
}

/** Directus's GraphQL default is json (REST's refresh and logout guess from the body instead). */
function modeOf(args: Args, cookies: AuthCookieJar | undefined): AuthMode {
  const mode = (args.mode ?? 'json') as AuthMode;
  if (mode !== 'json' && !cookies) throw new InvalidPayloadError({ reason: `"mode" ${mode} needs the cookies of an HTTP request` });
  return mode;
}

/** The caller's schema as SDL, from the service that holds the schemas. */
export type SdlOf = (accountability: Accountability, scope: 'items' | 'system') => string;

export function systemResolvers(context: SystemGraphqlContext, sdlOf: SdlOf): SystemResolvers<SystemResolverContext> {
  const history = (collection: string): [Resolver, Resolver] => [
    async (_source, args, { accountability }, info) => (await readItems({ context, accountability, collection, query: { ...fieldSelection(info), ...listQuery(args as Args) }, system: true })).data,
    async (_source, args, { accountability }, info) => (await readItem({ context, accountability, collection, key: String((args as Args).id), query: fieldSelection(info), system: true })).data,
  ];
  const [versions, versionById] = history(VERSIONS);
  const [revisions, revisionById] = history(REVISIONS);
  const [activity, activityById] = history(ACTIVITY);
  const version = (accountability: Accountability, id: string, info: GraphQLResolveInfo) => readItem({ context, accountability, collection: VERSIONS, key: id, query: fieldSelection(info), system: true }).then((read) => read.data);
  const data = (read: ReadItemsResult | { data: unknown }) => read.data;
  const config = (kind: 'roles' | 'policies' | 'permissions'): [Resolver, Resolver] => [
    async (_source, args, { accountability }, info) => data(await readConfig({ context, accountability, kind, query: { ...fieldSelection(info), ...listQuery(args as Args) } })),
    async (_source, args, { accountability }, info) => data(await readConfig({ context, accountability, kind, key: String((args as Args).id), query: fieldSelection(info) })),
  ];
  const [roles, roleById] = config('roles');
  const [policies, policyById] = config('policies');
  const [permissions, permissionById] = config('permissions');

  const refreshToken = (args: Args, mode: AuthMode, cookies: AuthCookieJar | undefined) =>
    presentedRefreshToken(context.secret, { mode, sent: args.refresh_token, refreshCookie: cookies?.get('refresh'), sessionCookie: cookies?.get('session') });

  return {
    versions,
    versions_by_id: versionById,
    versions_compare: async (_source, args, { accountability }) => compareVersion({ context, accountability, id: String((args as Args).id), merge: (args as Args).merge === true }),
    create_versions_item: async (_source, args, { accountability }, info) => {
      const [id] = await createVersions({ context, accountability, items: [(args as Args).data] });
      return version(accountability, id!, info);
    },
    update_versions_item: async (_source, args, { accountability }, info) => {
      const id = String((args as Args).id);
      await updateVersion({ context, accountability, id, data: (args as Args).data });
      return version(accountability, id, info);
    },
    delete_versions_item: async (_source, args, { accountability }) => {
      const id = String((args as Args).id);
      await deleteVersions({ context, accountability, ids: [id] });
      return { id };
    },
    // As POST /versions/:id/save: the item as it reads with the version applied.
    versions_save: async (_source, args, { accountability }) => {
      const saved = await saveToVersion({ context, accountability, id: String((args as Args).id), payload: (args as Args).data });
      const read = (scoped: typeof context) => readItem({ context: scoped, accountability, collection: saved.collection, key: saved.item, query: {} });
      return data(await readAtVersion({ context, accountability, collection: saved.collection, versionKey: saved.key, key: saved.item, read }));
    },
    versions_promote: async (_source, args, { accountability }) => {
      const { id, mainHash, fields } = args as Args;
      return promoteVersion({ context, accountability, id: String(id), mainHash: mainHash ?? undefined, fields: fields ?? undefined });
    },

    revisions,
    revisions_by_id: revisionById,
    activity,
    activity_by_id: activityById,

    users: async (_source, args, { accountability }, info) => data(await readUsers({ context, accountability, query: { ...fieldSelection(info), ...listQuery(args as Args) } })),
    users_by_id: async (_source, args, { accountability }, info) => data(await readUser({ context, accountability, key: String((args as Args).id), query: fieldSelection(info) })),
    users_me: async (_source, _args, { accountability }, info) => data(await readMe({ context, accountability, query: fieldSelection(info) })),
    update_users_me: async (_source, args, { accountability }, info) => {
      await updateMe({ context, accountability, data: (args as Args).data });
      return data(await readMe({ context, accountability, query: fieldSelection(info) }));
    },

    roles,
    roles_by_id: roleById,
    roles_me: async (_source, _args, { accountability }, info) =>
      data(await readConfig({ context, accountability, kind: 'roles', query: fieldSelection(info), where: { kind: 'compare', field: 'id', operator: '_in', value: accountability.roles, type: 'string' } })),
    policies_me_globals: (_source, _args, { accountability }) => ({ enforce_tfa: false, app_access: accountability.appAccess, admin_access: accountability.admin }),
    policies,
    policies_by_id: policyById,
    permissions,
    permissions_by_id: permissionById,
    permissions_me: async (_source, _args, { accountability }) => data(await readMyPermissions({ context, accountability, query: {} })),

    server_ping: () => 'pong',
    server_info: () => serverInfo(context),
    server_health: () => checkHealth({ db: context.db, version: context.version, instanceId: context.instanceId }),
    server_specs_oas: (_source, _args, { accountability }) => openApiSpec({ model: context.models.current()?.model ?? null, accountability, version: context.version }),
    server_specs_graphql: (_source, args, { accountability }) => sdlOf(accountability, (args as { scope: 'items' | 'system' }).scope),

    auth_login: async (_source, args, { accountability, cookies }) => {
      const { email, password } = args as Args;
      const mode = modeOf(args as Args, cookies);
      return tokensOf(await login(context, { email, password, mode, client: originOf(accountability) }), cookies);
    },
    auth_refresh: async (_source, args, { accountability, cookies }) => {
      const mode = modeOf(args as Args, cookies);
      const token = await refreshToken(args as Args, mode, cookies);
      return tokensOf(await refresh(context, { refreshToken: token, mode, client: originOf(accountability) }), cookies);
    },
    auth_logout: async (_source, args, { accountability, cookies }) => {
      const mode = modeOf(args as Args, cookies);
      await logout(context, { refreshToken: await refreshToken(args as Args, mode, cookies), client: originOf(accountability) });
      if (cookies?.get('refresh') !== undefined) cookies.clear('refresh');
      if (cookies?.get('session') !== undefined) cookies.clear('session');
      return true;
    },
  };
}
