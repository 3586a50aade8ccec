/** buildModel on hand-made declarations: the built-in administrator, and message wording. */
import { describe, expect, it } from 'vitest';
import { buildModel } from '../../../src/model/index.ts';
import { declarationsOf } from '../../helpers/models.ts';


const POSTS = { posts: { fields: { views: { type: 'integer' }, title: { type: 'string' } } } };

describe('the built-in administrator', () => {
  it('may be named as a role policy, a parent role and a flow operation permission', () => {
    const { problems, model } = buildModel(
      declarationsOf({
        collections: POSTS,
        roles: [{ role: 'ops', policies: ['administrator'], parent: 'administrator' }],
        flows: [{ flow: 'f', trigger: { type: 'manual', collections: ['posts'] }, operations: [{ key: 'read', type: 'item-read', collection: 'posts', permissions: 'administrator' }] }],
      }),
    );
    expect(problems).toEqual([]);
    expect(model.roles.ops).toEqual({ name: 'ops', note: null, parent: 'administrator', policies: ['administrator'] });
  });

  it('cannot be declared', () => {
    const { problems } = buildModel(declarationsOf({ collections: POSTS, roles: [{ role: 'administrator', policies: [] }] }));
    expect(problems.map((p) => p.code)).toEqual(['CONFIG_RESERVED_NAME']);
  });
});

describe('filter messages', () => {
  const policyWith = (filter: unknown) =>
    buildModel(declarationsOf({ collections: POSTS, policies: [{ policy: 'p', permissions: { posts: { read: { fields: '*', filter } } } }] })).problems;

  it('use "an" before a vowel', () => {
    expect(policyWith({ views: { _contains: 'x' } })[0]!.message).toBe('an integer field has no "_contains" operator');
    expect(policyWith({ title: { _gt: 1 } })[0]!.message).toBe('a string field has no "_gt" operator');
  });

  it('say that _regex belongs in validation rules', () => {
    expect(policyWith({ title: { _regex: '^a' } })[0]).toMatchObject({
      code: 'CONFIG_INVALID_FILTER',
      path: ['permissions', 'posts', 'read', 'filter', 'title', '_regex'],
      message: '"_regex" is allowed only in validation rules, not in item filters',
    });
  });
});
