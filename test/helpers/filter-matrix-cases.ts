/**
 * The query language's cases as data, shared by the REST filter matrix
 * (test/integration/query/filter-matrix.test.ts) and its GraphQL twin
 * (test/integration/api/graphql-parity.test.ts): a model with one field of
 * every type, fixed seed rows, and per case the rows it must match.
 *
 * Reading the expectations: SQL's three-valued logic holds throughout, so a
 * NULL is never "not equal", "not in", "not between" or "not containing"
 * anything (Directus behaves the same). LIKE operators match `%` and `_`
 * literally (Cairn escapes them; Directus does not).
 */
import { expect } from 'vitest';
import type { Database } from '../../src/db/index.ts';
import { OPERATORS_BY_TYPE, type Model } from '../../src/model/index.ts';
import { planAndApply } from '../../src/reconcile/index.ts';
import { modelOf } from './models.ts';

export const model: Model = modelOf({
  owners: { fields: { name: { type: 'string' }, specimens: { type: 'o2m', related: 'specimens', foreignKey: 'owner' } } },
  tags: { fields: { name: { type: 'string' } } },
  notes: { fields: { body: { type: 'string' }, specimen: { type: 'm2o', related: 'specimens' } } },
  specimens: {
    fields: {
      name: { type: 'string', maxLength: 20 },
      body: { type: 'text' },
      flag: { type: 'boolean' },
      qty: { type: 'integer' },
      big: { type: 'bigInteger' },
      ratio: { type: 'float' },
      price: { type: 'decimal', precision: 10, scale: 2 },
      day: { type: 'date' },
      clock: { type: 'time' },
      local_at: { type: 'dateTime' },
      seen_at: { type: 'timestamp' },
      meta: { type: 'json' },
      ref: { type: 'uuid' },
      secret: { type: 'hash' },
      labels: { type: 'csv' },
      owner: { type: 'm2o', related: 'owners' },
      notes: { type: 'o2m', related: 'notes', foreignKey: 'specimen' },
      tags: { type: 'm2m', related: 'tags' },
    },
  },
});

/** What $NOW means in every query here; seen_at is seeded around it. */
export const NOW = new Date('2024-06-15T12:00:00.000Z');
export const ALL = [1, 2, 3, 4, 5, 6, 7, 8];

export const U1 = 'c0ffee00-0000-4000-8000-000000000001';
export const U2 = '00000000-0000-4000-8000-000000000002';
export const U4 = 'ffffffff-ffff-4fff-bfff-ffffffffffff';
export const U6 = 'a0000000-0000-4000-8000-000000000006';
export const U7 = '0000000a-0000-4000-8000-000000000007';
export const U8 = '10000000-0000-4000-8000-000000000008';
/** Stand-ins for stored argon2 hashes; they sort 1 < 4 < 6. */
const argon = (n: number) => `$argon2id$v=19$m=65536,t=3,p=4$salt${n}$hash${n}`;

// json values go in as JSON text (node-postgres would send a JS array as a PostgreSQL array).
export const SPECIMENS = [
  { id: 1, name: 'Alpha', body: 'The quick brown fox', flag: true, qty: 10, big: '9007199254740993', ratio: 1.5, price: '12.50', day: '2024-06-15', clock: '12:00:00', local_at: '2024-06-15 12:00:00', seen_at: '2024-06-15T11:00:00Z' /* NOW − 1 hour */, meta: '{"a":1}', ref: U1, secret: argon(1), labels: ['red', 'green'], owner: 1 },
  { id: 2, name: 'alpha beta', body: 'lazy DOG', flag: false, qty: -5, big: '-42', ratio: -0.25, price: '-3.75', day: '2000-02-29', clock: '00:00:00', local_at: '2000-02-29 23:59:59', seen_at: '2024-06-13T12:00:00Z' /* NOW − 2 days */, meta: '[]', ref: U2, secret: '', labels: [], owner: 2 },
  { id: 3, name: 'BETA', body: '', flag: null, qty: 0, big: '0', ratio: 0, price: '0.00', day: '1970-01-01', clock: '23:59:59', local_at: '1970-01-01 00:00:00', seen_at: '2024-06-16T12:00:00Z' /* NOW + 1 day */, meta: null, ref: null, secret: null, labels: ['blue'], owner: null },
  { id: 4, name: '100% pure', body: '50%_off', flag: true, qty: 100, big: '2147483648', ratio: 100, price: '99999999.99', day: '9999-12-31', clock: '08:30:00', local_at: '2024-12-31 23:59:59', seen_at: '2023-06-14T12:00:00Z' /* NOW − 1 year − 1 day */, meta: '{"tags":["x"]}', ref: U4, secret: argon(4), labels: ['a_b', 'c'], owner: 1 },
  { id: 5, name: 'under_score', body: 'snake_case text', flag: false, qty: 7, big: null, ratio: null, price: null, day: null, clock: null, local_at: null, seen_at: null, meta: null, ref: null, secret: null, labels: null, owner: 2 },
  { id: 6, name: '', body: null, flag: null, qty: null, big: '7', ratio: 3.14, price: '7.00', day: '2024-06-14', clock: '12:00:01', local_at: '2024-06-14 12:00:00', seen_at: '2024-06-15T12:00:00Z' /* NOW */, meta: 'null' /* JSON null, not SQL NULL */, ref: U6, secret: argon(6), labels: ['Red'], owner: null },
  { id: 7, name: null, body: 'Mixed Case Text', flag: true, qty: 2147483647, big: '-9007199254740993', ratio: 1e-9, price: '0.01', day: '0001-01-01', clock: '23:59:59.999', local_at: '2024-06-15 12:00:00.001', seen_at: '2024-06-14T12:00:00Z' /* NOW − 1 day */, meta: '{"b":"x"}', ref: U7, secret: null, labels: ['50%'], owner: 3 },
  { id: 8, name: 'underXscore', body: 'ends with 50%', flag: false, qty: -2147483648, big: '10', ratio: -1e10, price: '-99999999.99', day: '2024-12-31', clock: '11:00:00', local_at: '1999-12-31 23:59:59.999', seen_at: '1970-01-01T00:00:00Z', meta: '"text"', ref: U8, secret: '', labels: ['green', 'blue'], owner: 3 },
];
export const OWNERS = [{ id: 1, name: 'Ada' }, { id: 2, name: 'Grace' }, { id: 3, name: 'linus' }, { id: 4, name: 'Nobody' }];
export const NOTES = [
  { id: 1, specimen: 1, body: 'first' },
  { id: 2, specimen: 1, body: 'Second' },
  { id: 3, specimen: 2, body: 'only note' },
  { id: 4, specimen: 4, body: '100%' },
  { id: 5, specimen: null, body: 'orphan' },
];
export const TAGS = [{ id: 1, name: 'red' }, { id: 2, name: 'green' }, { id: 3, name: 'blue' }, { id: 4, name: 'unused' }];
export const SPECIMENS_TAGS = [
  { specimens_id: 1, tags_id: 1 },
  { specimens_id: 1, tags_id: 2 },
  { specimens_id: 3, tags_id: 3 },
  { specimens_id: 8, tags_id: 2 },
  { specimens_id: 8, tags_id: 3 },
];

type Row = readonly [operator: string, value: unknown, ids: readonly number[]];

/** One field of each type and, per operator it has, the rows `{ field: { operator: value } }` matches. */
export const MATRIX: { type: keyof typeof OPERATORS_BY_TYPE; field: string; rows: Row[] }[] = [
  {
    // 1 'Alpha', 2 'alpha beta', 3 'BETA', 4 '100% pure', 5 'under_score', 6 '', 7 NULL, 8 'underXscore'
    type: 'string',
    field: 'name',
    rows: [
      ['_eq', 'Alpha', [1]],
      ['_eq', 'alpha', []],
      ['_eq', null, [7]],
      ['_neq', 'Alpha', [2, 3, 4, 5, 6, 8]],
      ['_neq', null, [1, 2, 3, 4, 5, 6, 8]],
      ['_in', ['Alpha', 'BETA', 'nope'], [1, 3]],
      ['_nin', ['Alpha', 'BETA'], [2, 4, 5, 6, 8]],
      ['_null', true, [7]],
      ['_null', false, [1, 2, 3, 4, 5, 6, 8]],
      ['_nnull', true, [1, 2, 3, 4, 5, 6, 8]],
      ['_nnull', false, [7]],
      ['_empty', true, [6, 7]],
      ['_empty', false, [1, 2, 3, 4, 5, 8]],
      ['_nempty', true, [1, 2, 3, 4, 5, 8]],
      ['_nempty', false, [6, 7]],
      ['_contains', 'lpha', [1, 2]],
      ['_contains', 'ALPHA', []],
      ['_contains', '%', [4]],
      ['_contains', '_', [5]],
      ['_contains', 'r_s', [5]],
      ['_contains', '\\', []],
      ['_ncontains', 'lpha', [3, 4, 5, 6, 8]],
      ['_ncontains', '_', [1, 2, 3, 4, 6, 8]],
      ['_icontains', 'ALPHA', [1, 2]],
      ['_icontains', 'beta', [2, 3]],
      ['_icontains', '0% P', [4]],
      ['_starts_with', 'alpha', [2]],
      ['_starts_with', '100%', [4]],
      ['_starts_with', '1%', []],
      ['_nstarts_with', 'alpha', [1, 3, 4, 5, 6, 8]],
      ['_istarts_with', 'ALPHA', [1, 2]],
      ['_istarts_with', 'UNDER_', [5]],
      ['_nistarts_with', 'alpha', [3, 4, 5, 6, 8]],
      ['_nistarts_with', 'under_', [1, 2, 3, 4, 6, 8]],
      ['_ends_with', 'score', [5, 8]],
      ['_ends_with', '_score', [5]],
      ['_nends_with', 'score', [1, 2, 3, 4, 6]],
      ['_iends_with', 'ETA', [2, 3]],
      ['_iends_with', 'R_SCORE', [5]],
      ['_niends_with', 'eta', [1, 4, 5, 6, 8]],
      ['_niends_with', 'R_SCORE', [1, 2, 3, 4, 6, 8]],
    ],
  },
  {
    // 1 'The quick brown fox', 2 'lazy DOG', 3 '', 4 '50%_off', 5 'snake_case text', 6 NULL, 7 'Mixed Case Text', 8 'ends with 50%'
    type: 'text',
    field: 'body',
    rows: [
      ['_eq', 'lazy DOG', [2]],
      ['_neq', 'lazy DOG', [1, 3, 4, 5, 7, 8]],
      ['_in', ['lazy DOG', '50%_off'], [2, 4]],
      ['_nin', ['lazy DOG', '50%_off'], [1, 3, 5, 7, 8]],
      ['_null', true, [6]],
      ['_nnull', true, [1, 2, 3, 4, 5, 7, 8]],
      ['_empty', true, [3, 6]],
      ['_nempty', true, [1, 2, 4, 5, 7, 8]],
      ['_contains', 'Text', [7]],
      ['_contains', '%_', [4]],
      ['_ncontains', 'o', [2, 3, 5, 7, 8]],
      ['_icontains', 'TEXT', [5, 7]],
      ['_icontains', 'dog', [2]],
      ['_starts_with', 'The', [1]],
      ['_starts_with', '50%', [4]],
      ['_starts_with', '5%', []],
      ['_nstarts_with', 'The', [2, 3, 4, 5, 7, 8]],
      ['_istarts_with', 'mixed', [7]],
      ['_nistarts_with', 'THE', [2, 3, 4, 5, 7, 8]],
      ['_ends_with', '50%', [8]],
      ['_ends_with', 'text', [5]],
      ['_nends_with', 'Text', [1, 2, 3, 4, 5, 8]],
      ['_iends_with', 'TEXT', [5, 7]],
      ['_niends_with', 'text', [1, 2, 3, 4, 8]],
    ],
  },
  {
    // Text operators see the comma-joined form: 1 'red,green', 2 '' ({}), 3 'blue', 4 'a_b,c', 5 NULL, 6 'Red', 7 '50%', 8 'green,blue'
    type: 'csv',
    field: 'labels',
    rows: [
      ['_eq', 'red,green', [1]],
      ['_eq', 'green', []],
      ['_neq', 'blue', [1, 2, 4, 6, 7, 8]],
      ['_in', ['blue', 'red,green'], [1, 3]],
      ['_nin', ['blue', 'red,green'], [2, 4, 6, 7, 8]],
      ['_null', true, [5]],
      ['_nnull', true, [1, 2, 3, 4, 6, 7, 8]],
      ['_empty', true, [2, 5]],
      ['_nempty', true, [1, 3, 4, 6, 7, 8]],
      ['_contains', 'green', [1, 8]],
      ['_contains', ',', [1, 4, 8]],
      ['_contains', '_', [4]],
      ['_ncontains', 'green', [2, 3, 4, 6, 7]],
      ['_icontains', 'RED', [1, 6]],
      ['_starts_with', 'green', [8]],
      ['_nstarts_with', 'green', [1, 2, 3, 4, 6, 7]],
      ['_istarts_with', 'RED', [1, 6]],
      ['_nistarts_with', 'red', [2, 3, 4, 7, 8]],
      ['_ends_with', 'blue', [3, 8]],
      ['_ends_with', '%', [7]],
      ['_nends_with', 'blue', [1, 2, 4, 6, 7]],
      ['_iends_with', 'ED', [6]],
      ['_niends_with', 'BLUE', [1, 2, 4, 6, 7]],
    ],
  },
  {
    // 1 true, 2 false, 3 NULL, 4 true, 5 false, 6 NULL, 7 true, 8 false
    type: 'boolean',
    field: 'flag',
    rows: [
      ['_eq', true, [1, 4, 7]],
      ['_eq', false, [2, 5, 8]],
      ['_eq', null, [3, 6]],
      ['_neq', true, [2, 5, 8]],
      ['_neq', null, [1, 2, 4, 5, 7, 8]],
      ['_null', true, [3, 6]],
      ['_null', false, [1, 2, 4, 5, 7, 8]],
      ['_nnull', true, [1, 2, 4, 5, 7, 8]],
    ],
  },
  {
    // 1 10, 2 -5, 3 0, 4 100, 5 7, 6 NULL, 7 2147483647, 8 -2147483648 (the int4 limits)
    type: 'integer',
    field: 'qty',
    rows: [
      ['_eq', 0, [3]],
      ['_eq', -5, [2]],
      ['_eq', 2147483647, [7]],
      ['_eq', -2147483648, [8]],
      ['_neq', 0, [1, 2, 4, 5, 7, 8]],
      ['_lt', 0, [2, 8]],
      ['_lte', 0, [2, 3, 8]],
      ['_lte', -2147483648, [8]],
      ['_gt', 10, [4, 7]],
      ['_gte', 10, [1, 4, 7]],
      ['_in', [10, -5, 42], [1, 2]],
      ['_nin', [10, -5], [3, 4, 5, 7, 8]],
      ['_between', [0, 10], [1, 3, 5]],
      // SQL BETWEEN is not symmetric: reversed bounds match nothing.
      ['_between', [10, 0], []],
      ['_nbetween', [0, 10], [2, 4, 7, 8]],
      ['_null', true, [6]],
      ['_nnull', true, [1, 2, 3, 4, 5, 7, 8]],
    ],
  },
  {
    // 1 2^53+1, 2 -42, 3 0, 4 2^31, 5 NULL, 6 7, 7 -(2^53+1), 8 10
    type: 'bigInteger',
    field: 'big',
    rows: [
      ['_eq', 2147483648, [4]],
      // Beyond 2^53 only the string form is exact (the API shows bigints as strings).
      ['_eq', '9007199254740993', [1]],
      ['_gt', '9007199254740992', [1]],
      ['_neq', 0, [1, 2, 4, 6, 7, 8]],
      ['_lt', 0, [2, 7]],
      ['_lte', 0, [2, 3, 7]],
      ['_gt', 2147483647, [1, 4]],
      ['_gte', 10, [1, 4, 8]],
      ['_in', [7, 10], [6, 8]],
      ['_nin', [7, 10], [1, 2, 3, 4, 7]],
      ['_between', [0, 10], [3, 6, 8]],
      ['_between', ['-9007199254740993', '-42'], [2, 7]],
      ['_nbetween', [0, 10], [1, 2, 4, 7]],
      ['_null', true, [5]],
      ['_nnull', true, [1, 2, 3, 4, 6, 7, 8]],
    ],
  },
  {
    // 1 1.5, 2 -0.25, 3 0, 4 100, 5 NULL, 6 3.14, 7 1e-9, 8 -1e10
    type: 'float',
    field: 'ratio',
    rows: [
      ['_eq', 1.5, [1]],
      ['_eq', 1e-9, [7]],
      ['_neq', 0, [1, 2, 4, 6, 7, 8]],
      ['_lt', 0, [2, 8]],
      ['_lte', 0, [2, 3, 8]],
      ['_gt', 0, [1, 4, 6, 7]],
      ['_gt', 1.5, [4, 6]],
      ['_gte', 1.5, [1, 4, 6]],
      ['_in', [1.5, 100], [1, 4]],
      ['_nin', [1.5, 100], [2, 3, 6, 7, 8]],
      ['_between', [0, 1.5], [1, 3, 7]],
      ['_nbetween', [0, 1.5], [2, 4, 6, 8]],
      ['_null', true, [5]],
      ['_nnull', true, [1, 2, 3, 4, 6, 7, 8]],
    ],
  },
  {
    // decimal(10,2): 1 12.50, 2 -3.75, 3 0.00, 4 99999999.99, 5 NULL, 6 7.00, 7 0.01, 8 -99999999.99
    type: 'decimal',
    field: 'price',
    rows: [
      ['_eq', 12.5, [1]],
      ['_eq', '12.50', [1]],
      // Not rounded to the column's scale.
      ['_eq', 0.001, []],
      ['_neq', 0, [1, 2, 4, 6, 7, 8]],
      ['_lt', 0, [2, 8]],
      ['_lte', 0, [2, 3, 8]],
      ['_gt', 12.5, [4]],
      ['_gt', 1e20, []],
      ['_gte', 12.5, [1, 4]],
      ['_gte', 99999999.99, [4]],
      ['_in', [0.01, 7], [6, 7]],
      ['_nin', [0.01, 7], [1, 2, 3, 4, 8]],
      ['_between', [0, 12.5], [1, 3, 6, 7]],
      ['_nbetween', [0, 12.5], [2, 4, 8]],
      ['_null', true, [5]],
      ['_nnull', true, [1, 2, 3, 4, 6, 7, 8]],
    ],
  },
  {
    // 1 2024-06-15, 2 2000-02-29, 3 1970-01-01, 4 9999-12-31, 5 NULL, 6 2024-06-14, 7 0001-01-01, 8 2024-12-31
    type: 'date',
    field: 'day',
    rows: [
      ['_eq', '2000-02-29', [2]],
      ['_neq', '2000-02-29', [1, 3, 4, 6, 7, 8]],
      ['_lt', '1970-01-01', [7]],
      ['_lte', '1970-01-01', [3, 7]],
      ['_gt', '2024-06-15', [4, 8]],
      ['_gte', '2024-06-15', [1, 4, 8]],
      ['_gte', '9999-12-31', [4]],
      ['_in', ['2024-06-15', '2024-06-14'], [1, 6]],
      ['_nin', ['2024-06-15', '2024-06-14'], [2, 3, 4, 7, 8]],
      ['_between', ['2000-01-01', '2024-06-15'], [1, 2, 6]],
      ['_nbetween', ['2000-01-01', '2024-06-15'], [3, 4, 7, 8]],
      ['_null', true, [5]],
      ['_nnull', true, [1, 2, 3, 4, 6, 7, 8]],
    ],
  },
  {
    // 1 12:00:00, 2 00:00:00, 3 23:59:59, 4 08:30:00, 5 NULL, 6 12:00:01, 7 23:59:59.999, 8 11:00:00
    type: 'time',
    field: 'clock',
    rows: [
      ['_eq', '12:00', [1]],
      ['_eq', '00:00:00', [2]],
      ['_neq', '12:00:00', [2, 3, 4, 6, 7, 8]],
      ['_lt', '08:30', [2]],
      ['_lte', '08:30', [2, 4]],
      ['_gt', '23:59:59', [7]],
      ['_gte', '23:59:59', [3, 7]],
      ['_in', ['12:00:00', '11:00'], [1, 8]],
      ['_nin', ['12:00:00', '11:00'], [2, 3, 4, 6, 7]],
      ['_between', ['11:00', '12:00'], [1, 8]],
      ['_nbetween', ['11:00', '12:00'], [2, 3, 4, 6, 7]],
      ['_null', true, [5]],
      ['_nnull', true, [1, 2, 3, 4, 6, 7, 8]],
    ],
  },
  {
    // timestamp without time zone: 1 2024-06-15 12:00, 2 2000-02-29 23:59:59, 3 1970-01-01 00:00, 4 2024-12-31 23:59:59,
    // 5 NULL, 6 2024-06-14 12:00, 7 2024-06-15 12:00:00.001, 8 1999-12-31 23:59:59.999
    type: 'dateTime',
    field: 'local_at',
    rows: [
      ['_eq', '2024-06-15T12:00:00', [1]],
      ['_eq', '2024-06-15 12:00', [1]],
      ['_neq', '2024-06-15T12:00:00', [2, 3, 4, 6, 7, 8]],
      ['_lt', '2000-01-01', [3, 8]],
      ['_lte', '1970-01-01', [3]],
      ['_gt', '2024-06-15T12:00:00', [4, 7]],
      ['_gte', '2024-06-15T12:00:00', [1, 4, 7]],
      ['_in', ['1970-01-01T00:00:00', '2024-06-14T12:00:00'], [3, 6]],
      ['_nin', ['1970-01-01T00:00:00', '2024-06-14T12:00:00'], [1, 2, 4, 7, 8]],
      ['_between', ['2000-01-01', '2024-06-15T12:00:00'], [1, 2, 6]],
      ['_nbetween', ['2000-01-01', '2024-06-15T12:00:00'], [3, 4, 7, 8]],
      ['_null', true, [5]],
      ['_nnull', true, [1, 2, 3, 4, 6, 7, 8]],
    ],
  },
  {
    // timestamptz: 1 NOW−1h, 2 NOW−2d, 3 NOW+1d, 4 NOW−1y−1d, 5 NULL, 6 NOW, 7 NOW−1d, 8 1970-01-01T00:00Z
    type: 'timestamp',
    field: 'seen_at',
    rows: [
      ['_eq', '2024-06-15T12:00:00Z', [6]],
      ['_eq', '2024-06-15T14:00:00+02:00', [6]],
      ['_eq', '2024-06-15T12:00:00.000Z', [6]],
      ['_neq', '2024-06-15T12:00:00Z', [1, 2, 3, 4, 7, 8]],
      ['_lt', '2024-06-14T12:00:00Z', [2, 4, 8]],
      ['_lte', '2024-06-14T12:00:00Z', [2, 4, 7, 8]],
      ['_gt', '2024-06-15T11:00:00Z', [3, 6]],
      ['_gte', '2024-06-15T11:00:00Z', [1, 3, 6]],
      ['_in', ['2024-06-15T11:00:00Z', '1970-01-01T00:00:00Z'], [1, 8]],
      ['_nin', ['2024-06-15T11:00:00Z', '1970-01-01T00:00:00Z'], [2, 3, 4, 6, 7]],
      ['_between', ['2024-06-13T12:00:00Z', '2024-06-15T11:00:00Z'], [1, 2, 7]],
      ['_nbetween', ['2024-06-13T12:00:00Z', '2024-06-15T11:00:00Z'], [3, 4, 6, 8]],
      ['_null', true, [5]],
      ['_nnull', true, [1, 2, 3, 4, 6, 7, 8]],
    ],
  },
  {
    // 1 {"a":1}, 2 [], 3 NULL, 4 {"tags":["x"]}, 5 NULL, 6 JSON null, 7 {"b":"x"}, 8 "text"
    type: 'json',
    field: 'meta',
    rows: [
      // A stored JSON null is a value, not SQL NULL.
      ['_null', true, [3, 5]],
      ['_null', false, [1, 2, 4, 6, 7, 8]],
      ['_nnull', true, [1, 2, 4, 6, 7, 8]],
      ['_nnull', false, [3, 5]],
    ],
  },
  {
    // 1 U1, 2 U2, 3 NULL, 4 U4, 5 NULL, 6 U6, 7 U7, 8 U8
    type: 'uuid',
    field: 'ref',
    rows: [
      ['_eq', U1, [1]],
      ['_eq', U1.toUpperCase(), [1]],
      ['_eq', null, [3, 5]],
      ['_neq', U1, [2, 4, 6, 7, 8]],
      ['_in', [U1, U2], [1, 2]],
      ['_nin', [U1, U2], [4, 6, 7, 8]],
      ['_null', true, [3, 5]],
      ['_nnull', true, [1, 2, 4, 6, 7, 8]],
    ],
  },
  {
    // 1 argon, 2 '', 3 NULL, 4 argon, 5 NULL, 6 argon, 7 NULL, 8 ''
    type: 'hash',
    field: 'secret',
    rows: [
      ['_empty', true, [2, 3, 5, 7, 8]],
      ['_empty', false, [1, 4, 6]],
      ['_nempty', true, [1, 4, 6]],
      ['_null', true, [3, 5, 7]],
      ['_nnull', true, [1, 2, 4, 6, 8]],
    ],
  },
  {
    // The m2o compared as its key: 1 →1, 2 →2, 3 NULL, 4 →1, 5 →2, 6 NULL, 7 →3, 8 →3
    type: 'm2o',
    field: 'owner',
    rows: [
      ['_eq', 1, [1, 4]],
      ['_eq', '1', [1, 4]],
      ['_eq', 4, []],
      ['_neq', 1, [2, 5, 7, 8]],
      ['_in', [1, 3], [1, 4, 7, 8]],
      ['_nin', [1], [2, 5, 7, 8]],
      ['_null', true, [3, 6]],
      ['_nnull', true, [1, 2, 4, 5, 7, 8]],
    ],
  },
];

/** Each type's operators, written out from directus-contract.md §2.4 with Cairn's choices (timestamp ordered, m2o as its key). */
const STRING_LIKE = ['_eq', '_neq', '_contains', '_ncontains', '_icontains', '_starts_with', '_nstarts_with', '_istarts_with', '_nistarts_with', '_ends_with', '_nends_with', '_iends_with', '_niends_with', '_empty', '_nempty', '_null', '_nnull', '_in', '_nin'];
const ORDERED = ['_eq', '_neq', '_lt', '_lte', '_gt', '_gte', '_between', '_nbetween', '_null', '_nnull', '_in', '_nin'];
export const EXPECTED_OPERATORS: Record<string, string[]> = {
  string: STRING_LIKE,
  text: STRING_LIKE,
  csv: STRING_LIKE,
  integer: ORDERED,
  bigInteger: ORDERED,
  float: ORDERED,
  decimal: ORDERED,
  date: ORDERED,
  time: ORDERED,
  dateTime: ORDERED,
  timestamp: ORDERED,
  uuid: ['_eq', '_neq', '_null', '_nnull', '_in', '_nin'],
  boolean: ['_eq', '_neq', '_null', '_nnull'],
  json: ['_null', '_nnull'],
  hash: ['_empty', '_nempty', '_null', '_nnull'],
  m2o: ['_eq', '_neq', '_null', '_nnull', '_in', '_nin'],
};
const EVERY_OPERATOR = ['_eq', '_neq', '_lt', '_lte', '_gt', '_gte', '_in', '_nin', '_null', '_nnull', '_empty', '_nempty', '_contains', '_ncontains', '_icontains', '_starts_with', '_nstarts_with', '_istarts_with', '_nistarts_with', '_ends_with', '_nends_with', '_iends_with', '_niends_with', '_between', '_nbetween'];

/** A value each type would accept, so that a refusal is about the operator alone. */
export const SAMPLE: Record<string, unknown> = {
  string: 'Alpha', text: 'x', csv: 'red', integer: 1, bigInteger: 1, float: 1.5, decimal: 1.5, date: '2024-06-15', time: '12:00', dateTime: '2024-06-15T12:00:00',
  timestamp: '2024-06-15T12:00:00Z', json: 'x', uuid: U1, hash: 'x', boolean: true, m2o: 1,
};
const operandFor = (operator: string, type: string): unknown =>
  ['_null', '_nnull', '_empty', '_nempty'].includes(operator) ? true : ['_in', '_nin', '_between', '_nbetween'].includes(operator) ? [SAMPLE[type], SAMPLE[type]] : SAMPLE[type];

export const REFUSED_OPERATORS = MATRIX.flatMap(({ type, field }) =>
  EVERY_OPERATOR.filter((operator) => !EXPECTED_OPERATORS[type]!.includes(operator)).map((operator) => ({
    title: `${type} ${field} has no ${operator}`,
    operator,
    filter: { [field]: { [operator]: operandFor(operator, type) } },
  })),
);

/** Values and shapes refused before the database sees them (each would otherwise be a database error or a silent mismatch). */
export const REFUSED_FILTERS: [title: string, filter: unknown][] = [
  ['an operator Directus has in SQL but not in its whitelist', { name: { _nicontains: 'a' } }],
  ['_ieq', { name: { _ieq: 'a' } }],
  ['a validation-only operator', { name: { _regex: 'a' } }],
  ['_submitted', { name: { _submitted: true } }],
  ['a geometry operator', { name: { _intersects: 'a' } }],
  ['_json (12.x) on json', { meta: { _json: { a: { _eq: 1 } } } }],
  ['an unknown operator', { name: { _foo: 'a' } }],
  ['an empty string (use _empty)', { name: { _eq: '' } }],
  ['an empty string in a list', { name: { _in: ['Alpha', ''] } }],
  ['a non-numeric integer', { qty: { _eq: 'abc' } }],
  ['a fraction for an integer', { qty: { _eq: 1.5 } }],
  ['an integer beyond int4', { qty: { _eq: 2147483648 } }],
  ['an integer below int4', { qty: { _gt: -2147483649 } }],
  ['a bigint given as an inexact JS number', { big: { _eq: 9007199254740993 } }],
  ['a bigint beyond int8', { big: { _eq: '9223372036854775808' } }],
  ['a fraction for a bigint', { big: { _eq: '1.5' } }],
  ['NaN', { ratio: { _eq: 'NaN' } }],
  ['Infinity', { ratio: { _eq: 'Infinity' } }],
  ['a non-numeric decimal', { price: { _eq: '12,50' } }],
  ['yes for a boolean', { flag: { _eq: 'yes' } }],
  ['1 for a boolean', { flag: { _eq: 1 } }],
  ['a word for a date', { day: { _eq: 'yesterday' } }],
  ['a timestamp for a date', { day: { _eq: '2024-06-15T10:00:00' } }],
  ['a word for a time', { clock: { _eq: 'noon' } }],
  ['a zone on a dateTime', { local_at: { _eq: '2024-06-15T12:00:00Z' } }],
  ['a word for a timestamp', { seen_at: { _eq: 'tomorrow' } }],
  ['a malformed uuid', { ref: { _eq: 'not-a-uuid' } }],
  ['a malformed uuid in a list', { ref: { _in: `${U1},nope` } }],
  ['a non-numeric m2o key', { owner: { _eq: 'abc' } }],
  ['a fractional m2o key', { owner: { _in: [1, 1.5] } }],
  ['an empty _in list', { qty: { _in: [] } }],
  ['_between with one value', { qty: { _between: [1] } }],
  ['_between with three values', { qty: { _between: [1, 2, 3] } }],
  ['_between as a string without a comma', { qty: { _between: '1' } }],
  ['_null with a non-boolean', { name: { _null: 'yes' } }],
  ['_empty with a number', { name: { _empty: 1 } }],
  ['an unknown $NOW unit', { seen_at: { _gt: '$NOW(-1 fortnight)' } }],
  ['an unparseable $NOW adjustment', { seen_at: { _gt: '$NOW(soon)' } }],
  ['$NOW on an integer', { qty: { _eq: '$NOW' } }],
  ['$NOW on a boolean', { flag: { _eq: '$NOW' } }],
  ['$NOW on a uuid', { ref: { _eq: '$NOW' } }],
  ['an empty _and', { _and: [] }],
  ['an _or that is not a list', { _or: { qty: { _eq: 1 } } }],
  ['a filter that is not an object', ['qty']],
  ['an unknown field', { nope: { _eq: 1 } }],
  ['an operator without a field', { _eq: 1 }],
  // Directus hoists { field: { _or: [...] } } above the field; Cairn refuses it.
  ['a logical operator under a field', { qty: { _or: [{ _eq: 1 }, { _eq: 2 }] } }],
  ['a scalar on an o2m', { notes: 1 }],
  ['an unknown field behind an o2m', { notes: { _some: { nope: { _eq: 1 } } } }],
  ['an m2m filtered as if it held the related items (it holds junction rows)', { tags: { name: { _eq: 'red' } } }],
  ['_some below the top level', { owner: { specimens: { _some: { qty: { _gt: 0 } } } } }],
  ['_none below the top level', { owner: { specimens: { _none: {} } } }],
  ['an unknown field behind an m2o', { owner: { nope: { _eq: 1 } } }],
  ['count() of a field that is not a relation', { 'count(qty)': { _gt: 1 } }],
  ['count() of an m2o', { 'count(owner)': { _gt: 1 } }],
  ['count() with a text operator', { 'count(notes)': { _contains: '1' } }],
  ['count() with a non-integer', { 'count(notes)': { _eq: 'many' } }],
];

/** As `qs` hands over bracket syntax (every scalar a string), and as a JSON string. */
export const STRING_FORMS: [title: string, filter: unknown, ids: number[]][] = [
  ['filter[qty][_eq]=10', { qty: { _eq: '10' } }, [1]],
  ['filter[qty][_gt]=-1', { qty: { _gt: '-1' } }, [1, 3, 4, 5, 7]],
  ['filter[qty][_in]=10,-5', { qty: { _in: '10,-5' } }, [1, 2]],
  ['filter[qty][_nin]=10,-5', { qty: { _nin: '10,-5' } }, [3, 4, 5, 7, 8]],
  ['filter[qty][_between]=-5,7', { qty: { _between: '-5,7' } }, [2, 3, 5]],
  ['filter[qty][_nbetween]=-5,7', { qty: { _nbetween: '-5,7' } }, [1, 4, 7, 8]],
  ['filter[big][_in]=9007199254740993,-42', { big: { _in: '9007199254740993,-42' } }, [1, 2]],
  ['filter[ratio][_between]=-1e10,-0.25', { ratio: { _between: '-1e10,-0.25' } }, [2, 8]],
  ['filter[price][_in]=0.01,7', { price: { _in: '0.01,7' } }, [6, 7]],
  ['filter[day][_between]=2000-01-01,2024-06-15', { day: { _between: '2000-01-01,2024-06-15' } }, [1, 2, 6]],
  ['filter[clock][_in]=12:00:00,11:00', { clock: { _in: '12:00:00,11:00' } }, [1, 8]],
  ['filter[local_at][_nbetween]=2000-01-01,2024-06-15T12:00:00', { local_at: { _nbetween: '2000-01-01,2024-06-15T12:00:00' } }, [3, 4, 7, 8]],
  ['filter[seen_at][_between]=<two instants>', { seen_at: { _between: '2024-06-13T12:00:00Z,2024-06-15T11:00:00Z' } }, [1, 2, 7]],
  ['filter[ref][_in]=<two uuids>', { ref: { _in: `${U1},${U2}` } }, [1, 2]],
  ['filter[owner][_in]=2,3', { owner: { _in: '2,3' } }, [2, 5, 7, 8]],
  ['filter[name][_in]=Alpha,BETA', { name: { _in: 'Alpha,BETA' } }, [1, 3]],
  ['filter[name][_nin]=Alpha,BETA', { name: { _nin: 'Alpha,BETA' } }, [2, 4, 5, 6, 8]],
  // The comma splits: a csv value that itself holds a comma cannot be named in the string form.
  ['filter[labels][_in]=blue,red', { labels: { _in: 'blue,red' } }, [3]],
  ['filter[flag][_eq]=true', { flag: { _eq: 'true' } }, [1, 4, 7]],
  ['filter[flag][_eq]=false', { flag: { _eq: 'false' } }, [2, 5, 8]],
  ['filter[flag][_neq]=true', { flag: { _neq: 'true' } }, [2, 5, 8]],
  ['filter[flag][_null]=true', { flag: { _null: 'true' } }, [3, 6]],
  ['filter[name][_null]=false', { name: { _null: 'false' } }, [1, 2, 3, 4, 5, 6, 8]],
  ['filter[name][_nnull]=true', { name: { _nnull: 'true' } }, [1, 2, 3, 4, 5, 6, 8]],
  ['filter[name][_empty]=true', { name: { _empty: 'true' } }, [6, 7]],
  ['filter[secret][_nempty]=true', { secret: { _nempty: 'true' } }, [1, 4, 6]],
  // "null" means NULL, so the literal string "null" cannot be looked for (as in Directus).
  ['filter[name][_eq]=null', { name: { _eq: 'null' } }, [7]],
  ['filter[name][_eq]=NULL', { name: { _eq: 'NULL' } }, [7]],
  ['filter[name][_neq]=null', { name: { _neq: 'null' } }, [1, 2, 3, 4, 5, 6, 8]],
  ['filter[ref][_eq]=null', { ref: { _eq: 'null' } }, [3, 5]],
  ['filter[name]=BETA (bare value means _eq)', { name: 'BETA' }, [3]],
  ['filter[flag]=true', { flag: 'true' }, [1, 4, 7]],
  ['filter[owner]=2', { owner: '2' }, [2, 5]],
  ['filter[_or][0][qty][_lt]=0&filter[_or][1][flag][_null]=true', { _or: [{ qty: { _lt: '0' } }, { flag: { _null: 'true' } }] }, [2, 3, 6, 8]],
  ['filter[owner][name][_eq]=Ada', { owner: { name: { _eq: 'Ada' } } }, [1, 4]],
  ['filter[notes][_some][body][_eq]=first', { notes: { _some: { body: { _eq: 'first' } } } }, [1]],
  ['filter={"qty":{"_gte":100}}', JSON.stringify({ qty: { _gte: 100 } }), [4, 7]],
  ['filter={"flag":{"_eq":"true"}} (coerced in JSON too)', JSON.stringify({ flag: { _eq: 'true' } }), [1, 4, 7]],
  ['filter={} matches everything', '{}', ALL],
];

export const LOGICAL: [title: string, filter: unknown, ids: number[]][] = [
  ['_or', { _or: [{ qty: { _lt: 0 } }, { flag: { _null: true } }] }, [2, 3, 6, 8]],
  ['_and', { _and: [{ flag: { _eq: true } }, { qty: { _gte: 100 } }] }, [4, 7]],
  ['several fields in one object are ANDed', { flag: { _eq: false }, qty: { _gt: 0 } }, [5]],
  ['several operators on one field are ANDed', { qty: { _gt: 0, _lt: 100 } }, [1, 5]],
  ['_or of an _and and a condition', { _or: [{ _and: [{ flag: { _eq: true } }, { qty: { _lt: 50 } }] }, { name: { _null: true } }] }, [1, 7]],
  ['_and of two _or', { _and: [{ _or: [{ name: { _icontains: 'alpha' } }, { name: { _icontains: 'beta' } }] }, { _or: [{ flag: { _eq: false } }, { flag: { _null: true } }] }] }, [2, 3]],
  [
    '_and › _or › _and, three levels',
    { _and: [{ _or: [{ _and: [{ qty: { _gte: 0 } }, { qty: { _lte: 10 } }] }, { qty: { _null: true } }] }, { _or: [{ flag: { _nnull: true } }, { ratio: { _gt: 3 } }] }] },
    [1, 5, 6],
  ],
  ['_or across relations', { _or: [{ owner: { name: { _eq: 'Ada' } } }, { notes: { _some: { body: { _eq: 'only note' } } } }] }, [1, 2, 4]],
  ['_some allowed under a top-level _and', { _and: [{ notes: { _some: {} } }, { flag: { _eq: true } }] }, [1, 4]],
];

/** Through the m2o owner (owners 1 Ada, 2 Grace, 3 linus, 4 Nobody), the o2m notes and the m2m tags (through specimens_tags). */
export const RELATIONAL: [title: string, filter: unknown, ids: number[], collection?: string][] = [
  ['m2o field _eq', { owner: { name: { _eq: 'Ada' } } }, [1, 4]],
  ['m2o field _icontains', { owner: { name: { _icontains: 'LINUS' } } }, [7, 8]],
  // Rows without an owner match no condition on the owner's fields, not even _null
  // (Directus's LEFT JOIN would also return 3 and 6 for the _null case).
  ['m2o field _neq skips rows without an owner', { owner: { name: { _neq: 'Ada' } } }, [2, 5, 7, 8]],
  ['m2o field _null needs an owner', { owner: { name: { _null: true } } }, []],
  ['m2o key through the relation', { owner: { id: { _gt: 1 } } }, [2, 5, 7, 8]],
  ['m2o then o2m (quantifier-less)', { owner: { specimens: { qty: { _gt: 50 } } } }, [1, 4, 7, 8]],
  ['two m2o hops (on notes)', { specimen: { owner: { name: { _eq: 'Ada' } } } }, [1, 2, 4], 'notes'],
  ['m2o _null (on notes)', { specimen: { _null: true } }, [5], 'notes'],
  ['o2m _some', { notes: { _some: { body: { _eq: 'first' } } } }, [1]],
  ['o2m _some {} means "has any"', { notes: { _some: {} } }, [1, 2, 4]],
  ['o2m _none {} means "has none"', { notes: { _none: {} } }, [3, 5, 6, 7, 8]],
  ['o2m _none', { notes: { _none: { body: { _icontains: 'NOTE' } } } }, [1, 3, 4, 5, 6, 7, 8]],
  ['o2m _some and _none together', { notes: { _some: { body: { _eq: '100%' } }, _none: { body: { _eq: 'first' } } } }, [4]],
  ['o2m without quantifier means _some', { notes: { body: { _contains: '%' } } }, [4]],
  ['o2m without quantifier, case-insensitive', { notes: { body: { _istarts_with: 's' } } }, [1]],
  ['o2m without quantifier on the related key', { notes: { id: { _in: [3, 4] } } }, [2, 4]],
  // Like _some (and Directus's join): both conditions hold for the same note.
  ['o2m without quantifier, two conditions on one note', { notes: { body: { _eq: 'first' }, id: { _eq: 2 } } }, []],
  ['o2m _some, two conditions on one note', { notes: { _some: { body: { _eq: 'first' }, id: { _eq: 2 } } } }, []],
  ['o2m, two conditions on any notes', { _and: [{ notes: { body: { _eq: 'first' } } }, { notes: { id: { _eq: 2 } } }] }, [1]],
  ['m2m through the junction', { tags: { tags_id: { name: { _eq: 'green' } } } }, [1, 8]],
  ['m2m _some', { tags: { _some: { tags_id: { name: { _eq: 'blue' } } } } }, [3, 8]],
  ['m2m _none', { tags: { _none: { tags_id: { name: { _eq: 'green' } } } } }, [2, 3, 4, 5, 6, 7]],
  ['m2m _none {}', { tags: { _none: {} } }, [2, 4, 5, 6, 7]],
  ['m2m on the junction key', { tags: { tags_id: { _eq: 1 } } }, [1]],
  ['m2m on the junction key, _in', { tags: { tags_id: { _in: [2, 3] } } }, [1, 3, 8]],
  ['m2m, both tags', { _and: [{ tags: { _some: { tags_id: { name: { _eq: 'green' } } } } }, { tags: { _some: { tags_id: { name: { _eq: 'blue' } } } } }] }, [8]],
];

/** `count(relation)` as a filter key. Notes per specimen: 1 → 2, 2 → 1, 4 → 1; tags: 1 → 2, 3 → 1, 8 → 2. */
export const COUNTS: [title: string, filter: unknown, ids: number[], collection?: string][] = [
  ['count(o2m) _gt', { 'count(notes)': { _gt: 1 } }, [1]],
  ['count(o2m) _eq 0', { 'count(notes)': { _eq: 0 } }, [3, 5, 6, 7, 8]],
  ['count(o2m) as a bare value', { 'count(notes)': 1 }, [2, 4]],
  ['count(o2m) _between', { 'count(notes)': { _between: [1, 2] } }, [1, 2, 4]],
  ['count(o2m) _in', { 'count(notes)': { _in: [0, 2] } }, [1, 3, 5, 6, 7, 8]],
  ['count(m2m) _gte', { 'count(tags)': { _gte: 2 } }, [1, 8]],
  ['count(m2m) _lt, with another condition', { 'count(tags)': { _lt: 2 }, qty: { _gt: 0 } }, [4, 5, 7]],
  ['count inside _or', { _or: [{ 'count(notes)': { _gt: 1 } }, { 'count(tags)': { _eq: 1 } }] }, [1, 3]],
  ['count through an m2o (on notes)', { specimen: { 'count(tags)': { _gte: 2 } } }, [1, 2], 'notes'],
];

/** Dynamic values against NOW = 2024-06-15T12:00:00Z; `user` is $CURRENT_USER. */
export const DYNAMIC: [title: string, filter: unknown, ids: number[], user?: string][] = [
  ['timestamp _eq $NOW', { seen_at: { _eq: '$NOW' } }, [6]],
  ['timestamp _lt $NOW', { seen_at: { _lt: '$NOW' } }, [1, 2, 4, 7, 8]],
  ['timestamp _gt $NOW', { seen_at: { _gt: '$NOW' } }, [3]],
  ['timestamp _gte $NOW(-1 day) includes exactly one day ago', { seen_at: { _gte: '$NOW(-1 day)' } }, [1, 3, 6, 7]],
  ['timestamp _gt $NOW(-1 day)', { seen_at: { _gt: '$NOW(-1 day)' } }, [1, 3, 6]],
  ['timestamp _lt $NOW(-1 year)', { seen_at: { _lt: '$NOW(-1 year)' } }, [4, 8]],
  ['m is minutes: $NOW(-60 m)', { seen_at: { _eq: '$NOW(-60 m)' } }, [1]],
  ['$NOW(+1d)', { seen_at: { _eq: '$NOW(+1d)' } }, [3]],
  ['days by default: $NOW(-7)', { seen_at: { _lt: '$NOW(-7)' } }, [4, 8]],
  ['fractional hours: $NOW(-1.5 hours)', { seen_at: { _gte: '$NOW(-1.5 hours)' } }, [1, 3, 6]],
  ['$NOW(-1 week)', { seen_at: { _lt: '$NOW(-1 week)' } }, [4, 8]],
  ['$NOW(-1 month)', { seen_at: { _gt: '$NOW(-1 month)' } }, [1, 2, 3, 6, 7]],
  ['each _between bound resolved', { seen_at: { _between: ['$NOW(-2 days)', '$NOW(-1 hour)'] } }, [1, 2, 7]],
  ['each _between bound resolved, string form', { seen_at: { _between: '$NOW(-2 days),$NOW(-1 hour)' } }, [1, 2, 7]],
  ['each _in item resolved', { seen_at: { _in: ['$NOW', '$NOW(-1 hours)'] } }, [1, 6]],
  ['date _eq $NOW', { day: { _eq: '$NOW' } }, [1]],
  ['date _eq $NOW(-1 day)', { day: { _eq: '$NOW(-1 day)' } }, [6]],
  ['date _lt $NOW', { day: { _lt: '$NOW' } }, [2, 3, 6, 7]],
  ['date _gte $NOW(-1 year)', { day: { _gte: '$NOW(-1 year)' } }, [1, 4, 6, 8]],
  ['time _eq $NOW (UTC time of day)', { clock: { _eq: '$NOW' } }, [1]],
  ['time _gt $NOW(-1 hour)', { clock: { _gt: '$NOW(-1 hour)' } }, [1, 3, 6, 7]],
  // A time of day wraps: 13 hours after noon is 01:00.
  ['time _lt $NOW(+13 hours) wraps past midnight', { clock: { _lt: '$NOW(+13 hours)' } }, [2]],
  ['dateTime _eq $NOW (UTC wall clock)', { local_at: { _eq: '$NOW' } }, [1]],
  ['dateTime _gte $NOW(-1 day)', { local_at: { _gte: '$NOW(-1 day)' } }, [1, 4, 6, 7]],
  ['string _eq $NOW compares the ISO text', { name: { _eq: '$NOW' } }, []],
  ['uuid _eq $CURRENT_USER', { ref: { _eq: '$CURRENT_USER' } }, [1], U1],
  // No user: $CURRENT_USER is null and _eq null means IS NULL (as knex, and so Directus, does).
  ['uuid _eq $CURRENT_USER without a user is IS NULL', { ref: { _eq: '$CURRENT_USER' } }, [3, 5]],
  ['uuid _in with $CURRENT_USER', { ref: { _in: ['$CURRENT_USER', U2] } }, [1, 2], U1],
];

/** Search: string/text LIKE (case-insensitive, literal % and _), numbers by equality on numeric fields (incl. the key), uuids by equality. */
export const SEARCHES: [term: string, ids: number[]][] = [
  ['alpha', [1, 2]],
  ['ALPHA', [1, 2]],
  ['  alpha  ', [1, 2]],
  ['TEXT', [5, 7]],
  ['%', [4, 8]],
  ['_', [4, 5]],
  ['r_s', [5]],
  // id 7, qty 7 (5), big 7 and price 7.00 (6); no string holds a 7.
  ['7', [5, 6, 7]],
  // qty 10 (1), big 10 (8), and '100% pure' as text (4).
  ['10', [1, 4, 8]],
  // qty, big, ratio and price 0 (3), and text holding a 0 (4, 8).
  ['0', [3, 4, 8]],
  ['-5', [2]],
  ['1.5', [1]],
  ['12.5', [1]],
  ['2147483648', [4]],
  ['-2147483648', [8]],
  ['9007199254740993', [1]],
  [U1, [1]],
  [U1.toUpperCase(), [1]],
  // csv, json and hash fields are not searched.
  ['green', []],
  ['argon2id', []],
  ['zzz', []],
];

/** Sort with NULLs: PostgreSQL puts them last ascending and first descending; ties fall back to the key, ascending. */
export const SORTS: [sort: string | string[], ids: number[], nullsUnderAnyCollation?: number[]][] = [
  ['id', ALL],
  ['-id', [8, 7, 6, 5, 4, 3, 2, 1]],
  // Byte order under the C collation: '' < digits < upper case < lower case; 'X' < '_'.
  ['name', [6, 4, 1, 3, 2, 8, 5, 7], [7]],
  ['-name', [7, 5, 8, 2, 3, 1, 4, 6], [7]],
  ['body', [3, 4, 7, 1, 8, 2, 5, 6], [6]],
  ['-body', [6, 5, 2, 8, 1, 7, 4, 3], [6]],
  ['flag', [2, 5, 8, 1, 4, 7, 3, 6]],
  ['-flag', [3, 6, 1, 4, 7, 2, 5, 8]],
  ['qty', [8, 2, 3, 5, 1, 4, 7, 6]],
  ['-qty', [6, 7, 4, 1, 5, 3, 2, 8]],
  ['big', [7, 2, 3, 6, 8, 4, 1, 5]],
  ['-big', [5, 1, 4, 8, 6, 3, 2, 7]],
  ['ratio', [8, 2, 3, 7, 1, 6, 4, 5]],
  ['-ratio', [5, 4, 6, 1, 7, 3, 2, 8]],
  ['price', [8, 2, 3, 7, 6, 1, 4, 5]],
  ['-price', [5, 4, 1, 6, 7, 3, 2, 8]],
  ['day', [7, 3, 2, 6, 1, 8, 4, 5]],
  ['-day', [5, 4, 8, 1, 6, 2, 3, 7]],
  ['clock', [2, 4, 8, 1, 6, 3, 7, 5]],
  ['-clock', [5, 7, 3, 6, 1, 8, 4, 2]],
  ['local_at', [3, 8, 2, 6, 1, 7, 4, 5]],
  ['-local_at', [5, 4, 7, 1, 6, 2, 8, 3]],
  ['seen_at', [8, 4, 2, 7, 1, 6, 3, 5]],
  ['-seen_at', [5, 3, 6, 1, 7, 2, 4, 8]],
  // uuids sort by their bytes, not by id.
  ['ref', [2, 7, 8, 6, 1, 4, 3, 5]],
  ['-ref', [3, 5, 4, 1, 6, 8, 7, 2]],
  // A csv is a text[]: element by element, so {} comes first.
  ['labels', [2, 7, 6, 4, 3, 8, 1, 5], [5]],
  ['-labels', [5, 1, 8, 3, 4, 6, 7, 2], [5]],
  // jsonb's own order: null < string < number < boolean < array < object, except that an empty
  // top-level array sorts before even JSON null (a PostgreSQL rule); SQL NULLs still last.
  ['meta', [2, 6, 8, 1, 7, 4, 3, 5]],
  ['-meta', [3, 5, 4, 7, 1, 8, 6, 2]],
  // A hash sorts by the stored hash, though the API conceals it.
  ['secret', [2, 8, 1, 4, 6, 3, 5, 7], [3, 5, 7]],
  ['-secret', [3, 5, 7, 6, 4, 1, 2, 8], [3, 5, 7]],
  ['owner', [1, 4, 2, 5, 7, 8, 3, 6]],
  ['-owner', [3, 6, 7, 8, 2, 5, 1, 4]],
  ['owner.name', [1, 4, 2, 5, 7, 8, 3, 6]],
  ['-owner.name', [3, 6, 7, 8, 2, 5, 1, 4]],
  [['flag', '-qty'], [5, 2, 8, 7, 4, 1, 6, 3]],
  ['flag,-qty', [5, 2, 8, 7, 4, 1, 6, 3]],
];

export const REFUSED_SORTS = ['notes', 'tags', 'nope', 'owner.nope', 'notes.body', 'tags.tags_id'];

/**
 * Applies the matrix model to a migrated database and seeds its rows. Answers whether strings
 * sort by bytes there (the C collation); elsewhere only where NULLs land is asserted.
 */
export async function applyMatrix(db: Database): Promise<{ byteOrder: boolean }> {
  const { report } = await planAndApply({ db, model, modelHash: 'matrix', source: { description: 't', commit: null, ref: null, environment: null }, appliedBy: 'test' });
  expect(report.status).toBe('applied');
  const k = db.knex;
  await k('owners').insert(OWNERS);
  await k('tags').insert(TAGS);
  await k('specimens').insert(SPECIMENS);
  await k('notes').insert(NOTES);
  await k('specimens_tags').insert(SPECIMENS_TAGS);
  const { rows } = await k.raw('select datcollate from pg_database where datname = current_database()');
  return { byteOrder: /^(C|POSIX)(\.|$)/.test(rows[0].datcollate) };
}
