/**
 * The scalars Cairn's GraphQL shares with Directus's (contract §10), and the
 * scalar each field type is shown as. Used by the read types, the filter
 * inputs and the mutation inputs alike.
 */
import { GraphQLBoolean, GraphQLFloat, GraphQLID, GraphQLInt, GraphQLList, GraphQLScalarType, GraphQLString, Kind, valueFromASTUntyped, type GraphQLInputType, type GraphQLOutputType } from 'graphql';
import type { Field, FieldType } from '../model/index.ts';
import { DATE_FUNCTIONS } from '../query/index.ts';

/** Any JSON value, passed through (json fields, untyped filters). */
export const GraphQLJSON = new GraphQLScalarType({
  name: 'JSON',
  description: 'Any JSON value.',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: (ast, variables) => valueFromASTUntyped(ast, variables),
});
/** 64-bit integers travel as strings, as the REST API shows them. */
export const GraphQLBigInt = new GraphQLScalarType({
  name: 'GraphQLBigInt',
  description: 'A 64-bit integer, as a string.',
  serialize: (value) => (value === null ? null : String(value)),
  // A JS number past 2^53 has already lost digits: refuse it rather than compare the wrong value.
  parseValue: (value) => {
    if (typeof value === 'number' && !Number.isSafeInteger(value)) throw new TypeError('a 64-bit integer beyond 2^53 has to be sent as a string');
    return typeof value === 'number' ? String(value) : value;
  },
  parseLiteral: (ast) => (ast.kind === Kind.INT || ast.kind === Kind.STRING ? ast.value : undefined),
});
/** Dates and times as the REST API shows them (ISO 8601 strings). */
export const GraphQLDate = new GraphQLScalarType({ name: 'Date', description: 'A date, time or timestamp, as an ISO 8601 string.', serialize: (value) => value });
/** A hash field: "**********" when set. */
export const GraphQLHash = new GraphQLScalarType({ name: 'Hash', description: 'A concealed hash: "**********" when set.', serialize: (value) => value });
/** Directus's GraphQLStringOrFloat: a number, or a string such as "$NOW(-1 day)" or a decimal. */
export const GraphQLStringOrFloat = new GraphQLScalarType({
  name: 'GraphQLStringOrFloat',
  description: 'A string or a number.',
  serialize: (value) => value,
  parseValue: (value) => {
    if (typeof value !== 'string' && typeof value !== 'number') throw new TypeError('expected a string or a number');
    return value;
  },
  parseLiteral: (ast) => {
    if (ast.kind === Kind.INT || ast.kind === Kind.FLOAT) return Number(ast.value);
    if (ast.kind === Kind.STRING) return ast.value;
    throw new TypeError('expected a string or a number');
  },
});

/** The scalar a (non-relational) field reads as. */
export function scalarType(field: Field): GraphQLOutputType {
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

/**
 * The scalar a (non-relational) field is written as: what the services take for it. Decimals take
 * a string too, so "12.50" reaches the column as written; dates and hashes are strings.
 */
export function inputScalarType(field: Field): GraphQLInputType {
  if (field.type === 'decimal') return GraphQLStringOrFloat;
  const type = scalarType(field);
  return type === GraphQLDate || type === GraphQLHash ? GraphQLString : (type as GraphQLInputType);
}

/**
 * The functions a field type offers as `<f>_func`, grouped as Directus groups them: the group names
 * its types (`date_functions`, `date_function_filter_operators`, …).
 */
export const FUNCTION_GROUPS = {
  date: ['year', 'month', 'week', 'day', 'weekday'],
  time: ['hour', 'minute', 'second'],
  datetime: DATE_FUNCTIONS,
  count: ['count'],
} as const satisfies Record<string, readonly string[]>;
export type FunctionGroup = keyof typeof FUNCTION_GROUPS;
export const FUNCTION_GROUP_OF_TYPE: Partial<Record<FieldType, FunctionGroup>> = { date: 'date', time: 'time', dateTime: 'datetime', timestamp: 'datetime', o2m: 'count', m2m: 'count' };
