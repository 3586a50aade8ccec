/** parseReadQuery refuses what the model does not vouch for, with Directus's codes. */
import { describe, expect, it } from 'vitest';
import { parseReadQuery } from '../../../src/query/index.ts';
import { modelOf } from '../../helpers/models.ts';

const model = modelOf({
  authors: { fields: { name: { type: 'string' } } },
  posts: { fields: { title: { type: 'string' }, views: { type: 'integer' }, ref: { type: 'uuid' }, author: { type: 'm2o', related: 'authors' }, self: { type: 'm2o', related: 'posts' } } },
});

const error = (fn: () => unknown) => {
  try {
    fn();
  } catch (caught) {
    return caught as { code: string; message: string };
  }
  throw new Error('expected an error');
};

describe('parseReadQuery', () => {
  it('answers unknown collections and fields with FORBIDDEN, like a missing permission', () => {
    expect(error(() => parseReadQuery(model, 'nope', {}))).toMatchObject({ code: 'FORBIDDEN' });
    expect(error(() => parseReadQuery(model, 'cairn_users', {}))).toMatchObject({ code: 'FORBIDDEN' });
    expect(error(() => parseReadQuery(model, 'posts', { fields: 'title,"); drop table posts; --' }))).toMatchObject({ code: 'FORBIDDEN' });
    expect(error(() => parseReadQuery(model, 'posts', { fields: 'title.length' }))).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('answers malformed parameters with INVALID_QUERY naming the part', () => {
    expect(error(() => parseReadQuery(model, 'posts', { filter: '{not json' }))).toMatchObject({ code: 'INVALID_QUERY', message: 'Invalid query. Invalid JSON for filter object.' });
    expect(error(() => parseReadQuery(model, 'posts', { filter: { nope: { _eq: 1 } } })).message).toContain('Invalid filter key "nope" on "posts"');
    expect(error(() => parseReadQuery(model, 'posts', { filter: { views: { _contains: '1' } } })).message).toContain('"integer" field type does not contain the "_contains" filter operator');
    expect(error(() => parseReadQuery(model, 'posts', { filter: { views: { _eq: 'abc' } } })).message).toContain('Invalid numeric value');
    expect(error(() => parseReadQuery(model, 'posts', { filter: { ref: { _eq: 'not-a-uuid' } } })).message).toContain('Invalid uuid value');
    expect(error(() => parseReadQuery(model, 'posts', { filter: { views: { _in: [] } } })).message).toContain('non-empty list');
    expect(error(() => parseReadQuery(model, 'posts', { sort: 'title;drop' })).message).toContain('Invalid sort field');
    expect(error(() => parseReadQuery(model, 'posts', { limit: 'all' })).message).toContain('"limit" has to be a whole number');
    expect(error(() => parseReadQuery(model, 'posts', { offset: -1 })).message).toContain('"offset"');
  });

  it('refuses nesting deeper than the maximum relational depth', () => {
    const deep = Array.from({ length: 12 }, () => 'self').join('.');
    expect(error(() => parseReadQuery(model, 'posts', { fields: `${deep}.id` }))).toMatchObject({ code: 'INVALID_QUERY', message: 'Invalid query. Max relational depth exceeded.' });
    expect(parseReadQuery(model, 'posts', { fields: 'self.self.id' }).fields).toHaveLength(1);
  });

  it('coerces bracket-syntax strings and applies defaults', () => {
    const query = parseReadQuery(model, 'posts', { filter: { title: { _null: 'true' } }, limit: '-1' });
    expect(query.filter).toEqual({ kind: 'compare', field: 'title', operator: '_null', type: 'string', value: true });
    expect(query.limit).toBeNull();
    expect(parseReadQuery(model, 'posts', {}).limit).toBe(100);
  });
});
