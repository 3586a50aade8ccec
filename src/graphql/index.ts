/** Public face of GraphQL: the caller's schema, built from the model and its permissions, resolved through the services. */
export { buildSchema, LIST_ARGS, type SchemaExtensions, type SchemaResolvers, type SchemaTypes } from './build-schema.ts';
export { buildMutations, type MutationKind, type MutationResolvers } from './build-mutations.ts';
export { createGraphqlService, type GraphqlResponse, type GraphqlService } from './execute-graphql.ts';
export { fieldSelection, selectionQuery, type SelectionQuery } from './selection.ts';
export { GraphQLBigInt, GraphQLDate, GraphQLHash, GraphQLJSON, GraphQLStringOrFloat, inputScalarType, scalarType } from './scalars.ts';
