/**
 * /graphql over the same services as REST: the caller's schema (built from
 * the applied model and its read permissions, cached per model hash and
 * policy set), each root field resolved by one read through the items
 * service. Validation errors answer 400 GRAPHQL_VALIDATION; errors while
 * resolving answer 200 with `errors[]` carrying the catalogue's codes, as in
 * Directus.
 */
import { execute, Kind, parse, specifiedRules, validate, type DocumentNode, type GraphQLError, type GraphQLFieldResolver, type GraphQLSchema, type SelectionSetNode } from 'graphql';
import type { Context } from '../context/index.ts';
import { GraphqlValidationError, InvalidPayloadError, isCairnError } from '../errors/index.ts';
import { readAccessFor, writeGrantsFor } from '../permissions/index.ts';
import { readItem, readItems, type Accountability } from '../services/index.ts';
import { buildMutations } from './build-mutations.ts';
import { buildSchema } from './build-schema.ts';
import { resolveMutation } from './resolve-mutations.ts';
import { selectionQuery } from './selection.ts';

type GraphqlContext = Pick<Context, 'db' | 'models' | 'events' | 'logger'>;

interface ResolverContext {
  context: GraphqlContext;
  accountability: Accountability;
}

export interface GraphqlResponse {
  status: number;
  body: { data?: unknown; errors?: unknown[] };
}

/** Directus's GRAPHQL_QUERY_TOKEN_LIMIT: a document longer than this is refused before it is parsed further. */
const MAX_TOKENS = 5000;

/** Schemas per model and policy set: what a caller may read depends on nothing else. */
const SCHEMA_CACHE_SIZE = 64;

export interface GraphqlService {
  execute(accountability: Accountability, request: { query?: unknown; variables?: unknown; operationName?: unknown }, options?: { queryOnly?: boolean }): Promise<GraphqlResponse>;
}

export function createGraphqlService(context: GraphqlContext): GraphqlService {
  const schemas = new Map<string, GraphQLSchema>();

  const schemaFor = (accountability: Accountability): GraphQLSchema | undefined => {
    const applied = context.models.current();
    if (!applied) return undefined;
    const key = `${applied.hash}|${accountability.admin ? '*' : accountability.policies.join(',')}`;
    let schema = schemas.get(key);
    if (!schema) {
      const access = readAccessFor({ model: applied.model, accountability, now: new Date() })?.access;
      const grants = writeGrantsFor(applied.model, accountability);
      schema = buildSchema(applied.model, access, { list, byId }, { mutation: (types) => buildMutations({ types, grants, resolvers: resolveMutation }) });
      if (schemas.size >= SCHEMA_CACHE_SIZE) schemas.clear();
      schemas.set(key, schema);
    }
    return schema;
  };

  /** The selections of every node of the field (a field selected twice is merged), as one read's fields and deep. */
  const readOf = (info: Parameters<GraphQLFieldResolver<unknown, ResolverContext>>[3]) => {
    const selectionSet: SelectionSetNode = { kind: Kind.SELECTION_SET, selections: info.fieldNodes.flatMap((node) => node.selectionSet?.selections ?? []) };
    return selectionQuery(selectionSet, info.fragments, info.variableValues.coerced as Record<string, unknown>);
  };

  function list(collection: string): GraphQLFieldResolver<unknown, ResolverContext> {
    return async (_source, args, { context: ctx, accountability }, info) => {
      const { fields, deep } = readOf(info);
      const query: Record<string, unknown> = { fields, deep };
      for (const [name, value] of Object.entries(args as Record<string, unknown>)) if (value !== undefined && value !== null) query[name] = value;
      return (await readItems({ context: ctx, accountability, collection, query })).data;
    };
  }

  function byId(collection: string): GraphQLFieldResolver<unknown, ResolverContext> {
    return async (_source, args, { context: ctx, accountability }, info) => {
      const { fields, deep } = readOf(info);
      const id = String((args as { id: string }).id);
      return (await readItem({ context: ctx, accountability, collection, key: id, query: { fields, deep } })).data;
    };
  }

  const formatError = (error: GraphQLError) => {
    const original = error.originalError;
    if (original && isCairnError(original)) {
      return { message: original.message, extensions: { ...original.details, code: original.code }, locations: error.locations, path: error.path };
    }
    if (original) context.logger.error({ err: original, path: error.path }, 'a GraphQL resolver failed');
    return { message: 'An unexpected error occurred.', extensions: { code: 'INTERNAL_SERVER_ERROR' }, locations: error.locations, path: error.path };
  };

  return {
    async execute(accountability, request, options = {}) {
      if (typeof request.query !== 'string' || request.query.trim() === '') throw new InvalidPayloadError({ reason: '"query" has to be a GraphQL document' });
      const variables = typeof request.variables === 'string' ? parseJson(request.variables) : (request.variables ?? {});
      if (variables === null || typeof variables !== 'object' || Array.isArray(variables)) throw new InvalidPayloadError({ reason: '"variables" has to be an object' });
      const schema = schemaFor(accountability);
      if (!schema) throw new InvalidPayloadError({ reason: 'No model is applied yet: there is nothing to query' });
      let document: DocumentNode;
      try {
        document = parse(request.query, { maxTokens: MAX_TOKENS });
      } catch (error) {
        throw new GraphqlValidationError({ graphqlErrors: [{ message: (error as GraphQLError).message, ...((error as GraphQLError).locations ? { locations: (error as GraphQLError).locations! } : {}) }] });
      }
      const problems = validate(schema, document, specifiedRules);
      if (problems.length > 0) throw new GraphqlValidationError({ graphqlErrors: problems.map((problem) => ({ message: problem.message, ...(problem.locations ? { locations: problem.locations } : {}) })) });
      if (options.queryOnly && document.definitions.some((definition) => definition.kind === Kind.OPERATION_DEFINITION && definition.operation !== 'query')) {
        throw new InvalidPayloadError({ reason: 'Only queries can be sent with GET' });
      }
      const contextValue: ResolverContext = { context, accountability };
      const result = await execute({
        schema,
        document,
        contextValue,
        variableValues: variables as Record<string, unknown>,
        ...(typeof request.operationName === 'string' ? { operationName: request.operationName } : {}),
      });
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
