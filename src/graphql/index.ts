/** Public face of GraphQL: the caller's schema, built from the model and its permissions, resolved through the services. */
export { buildSchema, type CairnFieldExtension, type SchemaExtensions, type SchemaResolvers, type SchemaTypes } from './build-schema.ts';
export { buildMutations, type MutationKind, type MutationResolvers } from './build-mutations.ts';
export { createGraphqlService, type ExecuteOptions, type GraphqlResponse, type GraphqlService } from './execute-graphql.ts';
export { systemResolvers, type SystemGraphqlContext, type SystemResolverContext } from './resolve-system.ts';
export { buildSystemSchema, SYSTEM_MUTATION_FIELDS, SYSTEM_QUERY_FIELDS, systemTypeName, type SystemResolvers } from './system-schema.ts';
export { fieldSelection, selectionQuery, type SelectionQuery } from './selection.ts';
export { GraphQLBigInt, GraphQLDate, GraphQLHash, GraphQLJSON, GraphQLStringOrFloat, inputScalarType, scalarType } from './scalars.ts';
export { filterInputs, restFilter, type FilterInputs } from './filter-inputs.ts';
