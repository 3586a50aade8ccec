/**
 * /graphql over the same services as REST: the caller's schema (built from
 * the applied model and its read permissions, cached per model hash and
 * policy set), each root field resolved by one read through the items
 * service. Validation errors answer 400 GRAPHQL_VALIDATION; errors while
 * resolving answer 200 with `errors[]` carrying the catalogue's codes, as in
 * Directus. /graphql/system (scope `system`) runs the same way over one
 * schema for every caller (system-schema.ts, resolve-system.ts).
 */
import {
  execute,
  getNamedType,
  getArgumentValues,
  getOperationAST,
  getVariableValues,
  NoSchemaIntrospectionCustomRule,
  parse,
  printSchema,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLError,
  type GraphQLFieldResolver,
  type GraphQLObjectType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionNode,
  type VariableValues,
} from 'graphql';
import type { AuthCookieJar } from '../auth/index.ts';
import type { Context } from '../context/index.ts';
import { ForbiddenError, GraphqlValidationError, InvalidPayloadError, isCairnError, MethodNotAllowedError } from '../errors/index.ts';
import { readAccessFor, writeGrantsFor } from '../permissions/index.ts';
import { readAtVersion, readDataJson, readItem, readItems, type Accountability } from '../services/index.ts';
import type { ReadQuery } from '../query/index.ts';
import { buildMutations } from './build-mutations.ts';
import { buildSchema } from './build-schema.ts';
import { planDirectReads, shapeRead, type DirectRead } from './direct-read.ts';
import { checkLimits } from './query-limits.ts';
import { resolveMutation } from './resolve-mutations.ts';
import { systemResolvers, type SystemGraphqlContext, type SystemResolverContext } from './resolve-system.ts';
import { fieldSelection, listQuery, selectedFields, selectionQuery } from './selection.ts';
import { buildSystemSchema } from './system-schema.ts';

type GraphqlContext = Pick<Context, 'db' | 'models' | 'events' | 'logger' | 'settings'> & SystemGraphqlContext;

interface ResolverContext extends SystemResolverContext {
  context: GraphqlContext;
  accountability: Accountability;
}

/** What a request asks beside its document: GET (queries only), the endpoint, and the request's auth cookies. */
export interface ExecuteOptions {
  queryOnly?: boolean;
  /** `items`: /graphql (the default); `system`: /graphql/system. */
  scope?: 'items' | 'system';
  cookies?: AuthCookieJar;
}

export interface GraphqlResponse {
  status: number;
  body: { data?: unknown; errors?: unknown[] };
  /** The body as JSON text, when it was built as text (PostgreSQL's JSON passed through); `body` then parses it. */
  text?: string;
}

/** Schemas per model and policy set: what a caller may read depends on nothing else. */
const SCHEMA_CACHE_SIZE = 64;
/** Accepted documents kept per schema. */
const DOCUMENT_CACHE_SIZE = 256;

/** A document that passed validation and the bounds, and the direct reads that answer it when it is answered as REST's JSON. */
interface Accepted {
  document: DocumentNode;
  /** The operation that runs; undefined when the name matches none (execute then refuses it). */
  operation: OperationDefinitionNode | undefined;
  direct: DirectRead[] | null;
  /** The direct reads' inputs, kept when the operation has no variables. */
  directInputs?: DirectInput[];
}

interface DirectInput {
  read: DirectRead;
  key?: string;
  query: Record<string, unknown>;
}

export interface GraphqlService {
  /** The caller's schema of /graphql (`items`) or /graphql/system, as SDL. */
  sdl(accountability: Accountability, scope: 'items' | 'system'): string;
  execute(accountability: Accountability, request: { query?: unknown; variables?: unknown; operationName?: unknown }, options?: ExecuteOptions): Promise<GraphqlResponse>;
}

export function createGraphqlService(context: GraphqlContext): GraphqlService {
  const schemas = new Map<string, GraphQLSchema>();
  const limits = context.settings.graphql;
  const rules = limits.introspection ? specifiedRules : [...specifiedRules, NoSchemaIntrospectionCustomRule];
  // The same for every caller: the services refuse at read time what REST refuses.
  let systemSchema: GraphQLSchema | undefined;

  const schemaFor = (accountability: Accountability): GraphQLSchema | undefined => {
    const applied = context.models.current();
    if (!applied) return undefined;
    const key = `${applied.hash}|${accountability.admin ? '*' : accountability.policies.join(',')}`;
    let schema = schemas.get(key);
    if (!schema) {
      const access = readAccessFor({ model: applied.model, accountability, now: new Date() })?.access;
      const grants = writeGrantsFor(applied.model, accountability);
      schema = buildSchema(applied.model, access, { list, byId: byVersion, byVersion, singleton, aggregated }, { mutation: (types) => buildMutations({ types, grants, resolvers: resolveMutation }) });
      if (schemas.size >= SCHEMA_CACHE_SIZE) schemas.clear();
      schemas.set(key, schema);
    }
    return schema;
  };

  /** A read, at a version when one is asked for (the version's deltas applied in a rolled-back transaction). */
  const atVersion = <T>(ctx: GraphqlContext, accountability: Accountability, collection: string, version: unknown, key: string | undefined, read: (scoped: GraphqlContext) => Promise<T>) =>
    version === undefined || version === null ? read(ctx) : readAtVersion({ context: ctx, accountability, collection, versionKey: version, ...(key !== undefined ? { key } : {}), read });

  const list = (collection: string): GraphQLFieldResolver<unknown, ResolverContext> => async (_source, args, { context: ctx, accountability }, info) =>
    (await readItems({ context: ctx, accountability, collection, query: { ...listQuery(args), ...fieldSelection(info) } })).data;

  const byVersion = (collection: string): GraphQLFieldResolver<unknown, ResolverContext> => async (_source, args, { context: ctx, accountability }, info) => {
    const { id, version } = args as { id: string; version?: string | null };
    const key = String(id);
    return atVersion(ctx, accountability, collection, version, key, async (scoped) => (await readItem({ context: scoped, accountability, collection, key, query: fieldSelection(info) })).data);
  };

  const singleton = (collection: string): GraphQLFieldResolver<unknown, ResolverContext> => async (_source, args, { context: ctx, accountability }, info) =>
    atVersion(ctx, accountability, collection, (args as { version?: string | null }).version, undefined, async (scoped) => (await readItems({ context: scoped, accountability, collection, query: fieldSelection(info) })).data);

  /** `<c>_aggregated`: the selection names the functions and fields; `group` repeats the grouped values. */
  const aggregated = (collection: string): GraphQLFieldResolver<unknown, ResolverContext> => async (_source, args, { context: ctx, accountability }, info) => {
    const { groupBy, ...rest } = args as { groupBy?: string[] | null };
    const aggregate: Record<string, string[] | string> = {};
    const fieldsOf = (selections: readonly SelectionNode[]) => [...selectedFields(selections, info.fragments, info.variableValues)].filter((field) => !field.name.value.startsWith('__'));
    for (const selection of fieldsOf(info.fieldNodes.flatMap((node) => node.selectionSet?.selections ?? []))) {
      const fn = selection.name.value;
      if (fn === 'countAll') aggregate.countAll = '*';
      else if (fn !== 'group') aggregate[fn] = [...new Set([...((aggregate[fn] as string[] | undefined) ?? []), ...fieldsOf(selection.selectionSet?.selections ?? []).map((field) => field.name.value)])];
    }
    if (Object.keys(aggregate).length === 0) aggregate.countAll = '*';
    const groups = groupBy ?? [];
    const rows = (await readItems({ context: ctx, accountability, collection, query: { ...listQuery(rest), aggregate, ...(groups.length > 0 ? { groupBy: groups } : {}) } })).data as Record<string, unknown>[];
    // A grouped row names `year(date)` as `date_year`, as REST does.
    const keys = groups.map((group) => group.replace(/^([a-zA-Z]+)\(([A-Za-z0-9_]+)\)$/, '$2_$1'));
    return rows.map((row) => ({ ...row, group: Object.fromEntries(keys.map((key) => [key, row[key]])) }));
  };

  /**
   * The document parsed, validated against the schema and measured against
   * the bounds, or the 400 that says why not. Documents that passed are
   * kept per schema (clients send the same few again and again), so a
   * repeated query skips straight to execution.
   */
  const documents = new WeakMap<GraphQLSchema, Map<string, Accepted>>();
  const accepted = (schema: GraphQLSchema, query: string, operationName: string | undefined): Accepted => {
    let known = documents.get(schema);
    const key = `${operationName ?? ''}\u0000${query}`;
    const cached = known?.get(key);
    if (cached) return cached;
    let document: DocumentNode;
    try {
      document = parse(query, { maxTokens: limits.tokenLimit });
    } catch (error) {
      throw new GraphqlValidationError({ graphqlErrors: [{ message: (error as GraphQLError).message, ...((error as GraphQLError).locations ? { locations: (error as GraphQLError).locations! } : {}) }] });
    }
    const problems = validate(schema, document, rules);
    if (problems.length > 0) throw new GraphqlValidationError({ graphqlErrors: problems.map((problem) => ({ message: problem.message, ...(problem.locations ? { locations: problem.locations } : {}) })) });
    const excess = checkLimits(document, operationName, limits);
    if (excess.length > 0) throw new GraphqlValidationError({ graphqlErrors: excess.map((message) => ({ message })) });
    if (!known) documents.set(schema, (known = new Map()));
    if (known.size >= DOCUMENT_CACHE_SIZE) known.clear();
    const entry: Accepted = { document, operation: getOperationAST(document, operationName) ?? undefined, direct: schema === systemSchema ? null : planDirectReads(schema, document, operationName) };
    known.set(key, entry);
    return entry;
  };

  /** The answer as PostgreSQL's JSON for each root field (direct-read.ts); undefined when graphql-js has to answer. */
  const directAnswer = async (schema: GraphQLSchema, accepted: Accepted, variables: Record<string, unknown>, accountability: Accountability): Promise<string | undefined> => {
    if (!accepted.direct || !accepted.operation) return undefined;
    // The reads' REST queries depend on the document and its variables only: without variables they are built once.
    let inputs = accepted.directInputs;
    if (!inputs) {
      const coerced = getVariableValues(schema, accepted.operation.variableDefinitions ?? [], variables);
      if (!('variableValues' in coerced)) return undefined;
      inputs = directInputs(schema, accepted.direct, coerced.variableValues);
      if ((accepted.operation.variableDefinitions ?? []).length === 0) accepted.directInputs = inputs;
    }
    try {
      const parts = await Promise.all(
        inputs.map(async ({ read, key, query }) => {
          const shape = (parsed: ReadQuery) => shapeRead(parsed, read.shape);
          const json = await readDataJson({ context, accountability, collection: read.collection, query, shape, ...(key !== undefined ? { key } : {}) });
          return `${JSON.stringify(read.responseName)}:${json}`;
        }),
      );
      return `{"data":{${parts.join(',')}}}`;
    } catch {
      // An error (a missing item, a value the read refuses): graphql-js answers it, with its path.
      return undefined;
    }
  };

  /** Each direct read's REST query (and key), from its arguments and selection. */
  const directInputs = (schema: GraphQLSchema, reads: readonly DirectRead[], variableValues: VariableValues): DirectInput[] =>
    reads.map((read) => {
      const args = getArgumentValues(schema.getQueryType()!.getFields()[read.node.name.value]!, read.node, variableValues);
      const selection = selectionQuery([read.node], read.type, {}, variableValues);
      return read.byId ? { read, key: String(args.id), query: selection } : { read, query: { ...listQuery(args), ...selection } };
    });

  const systemSchemaOf = () => (systemSchema ??= buildSystemSchema(systemResolvers(context, sdl)));
  /** The caller's schema as SDL (what /server/specs/graphql serves): only what it may see, as introspection shows it. */
  const sdl = (accountability: Accountability, scope: 'items' | 'system'): string => {
    // The SDL says what introspection would: switched off, both are.
    if (!limits.introspection) throw new ForbiddenError({ reason: 'GraphQL introspection is turned off (GRAPHQL_INTROSPECTION=false)' });
    const schema = scope === 'system' ? systemSchemaOf() : schemaFor(accountability);
    if (!schema) throw new InvalidPayloadError({ reason: 'No model is applied yet: there is nothing to query' });
    return printSchema(schema);
  };

  const formatError = (error: GraphQLError) => {
    const original = error.originalError;
    if (original && isCairnError(original)) {
      return { message: original.message, extensions: { ...original.details, code: original.code }, locations: error.locations, path: error.path };
    }
    if (original) context.logger.error({ err: original, path: error.path }, 'a GraphQL resolver failed');
    return { message: 'An unexpected error occurred.', extensions: { code: 'INTERNAL_SERVER_ERROR' }, locations: error.locations, path: error.path };
  };

  return {
    sdl,
    async execute(accountability, request, options = {}) {
      if (typeof request.query !== 'string' || request.query.trim() === '') throw new InvalidPayloadError({ reason: '"query" has to be a GraphQL document' });
      const variables = typeof request.variables === 'string' ? parseJson(request.variables) : (request.variables ?? {});
      if (variables === null || typeof variables !== 'object' || Array.isArray(variables)) throw new InvalidPayloadError({ reason: '"variables" has to be an object' });
      const schema = options.scope === 'system' ? systemSchemaOf() : schemaFor(accountability);
      if (!schema) throw new InvalidPayloadError({ reason: 'No model is applied yet: there is nothing to query' });
      const operationName = typeof request.operationName === 'string' ? request.operationName : undefined;
      const entry = accepted(schema, request.query, operationName);
      const document = entry.document;
      // Only the operation that would run matters (an unknown or ambiguous one is refused by execute).
      if (options.queryOnly && entry.operation?.operation === 'mutation') {
        throw new MethodNotAllowedError({ allowed: ['POST'], current: 'GET' });
      }
      const text = entry.direct ? await directAnswer(schema, entry, variables as Record<string, unknown>, accountability) : undefined;
      if (text !== undefined) {
        return {
          status: 200,
          text,
          get body() {
            return JSON.parse(text) as GraphqlResponse['body'];
          },
        };
      }
      const contextValue: ResolverContext = { context, accountability, ...(options.cookies ? { cookies: options.cookies } : {}) };
      const result = await execute({
        schema,
        document,
        contextValue,
        variableValues: variables as Record<string, unknown>,
        ...(typeof request.operationName === 'string' ? { operationName: request.operationName } : {}),
      });
      // No data at all: a request error (variables that do not fit their types, an unknown operation), which GraphQL over HTTP answers 400.
      if (result.data === undefined && result.errors && result.errors.length > 0 && result.errors.every((error) => !error.path)) {
        throw new GraphqlValidationError({ graphqlErrors: result.errors.map((error) => ({ message: error.message, ...(error.locations ? { locations: error.locations } : {}) })) });
      }
      const body: GraphqlResponse['body'] = { data: result.data ?? null };
      if (result.errors && result.errors.length > 0) body.errors = result.errors.map(formatError);
      return { status: 200, body };
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidPayloadError({ reason: '"variables" is not valid JSON' });
  }
}
