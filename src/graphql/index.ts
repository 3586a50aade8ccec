/** Public face of GraphQL: the caller's schema, built from the model and its permissions, resolved through the services. */
export { buildSchema, type SchemaResolvers } from './build-schema.ts';
export { createGraphqlService, type GraphqlResponse, type GraphqlService } from './execute-graphql.ts';
export { selectionQuery, type SelectionQuery } from './selection.ts';
