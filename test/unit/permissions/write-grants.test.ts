import { describe, expect, it } from 'vitest';
import { writeGrantsFor } from '../../../src/permissions/index.ts';
import { accountabilityAs } from '../../helpers/accountability.ts';
import { modelOf } from '../../helpers/models.ts';

const model = modelOf(
  {
    posts: { fields: { title: { type: 'string' }, body: { type: 'text' }, labels: { type: 'm2m', related: 'labels' } } },
    labels: { fields: { name: { type: 'string' } } },
  },
  {
    policies: [
      { policy: 'author', permissions: { posts: { create: { fields: ['title'] }, update: { fields: ['title', 'labels'] } } } },
      { policy: 'editor', permissions: { posts: { create: { fields: ['body'] }, update: { fields: ['title'] }, delete: { fields: '*' } } } },
      { policy: 'labeller', permissions: { labels: { create: { fields: '*' } } } },
    ],
    roles: [
      { role: 'author', policies: ['author'] },
      { role: 'editor', policies: ['editor'] },
      { role: 'both', policies: ['author', 'editor', 'labeller'] },
    ],
  },
);
const grantsOf = (role: string | null) => writeGrantsFor(model, accountabilityAs(model, { role }));

describe('writeGrantsFor', () => {
  it('unites the fields of every permission for the action, and knows when there is none', () => {
    const both = grantsOf('both')!;
    expect(both.fields('posts', 'create')).toEqual(new Set(['title', 'body']));
    expect(both.fields('posts', 'delete')).toBe('all');
    expect(both.fields('labels', 'create')).toBe('all');
    expect(both.fields('labels', 'update')).toBeNull();
    expect(grantsOf('author')!.fields('posts', 'delete')).toBeNull();
    expect(grantsOf(null)!.fields('posts', 'create')).toBeNull();
  });

  it("grants a generated junction's rows, for every action, where an update permission grants its m2m field", () => {
    expect(grantsOf('author')!.fields('posts_labels', 'create')).toBe('all');
    expect(grantsOf('author')!.fields('posts_labels', 'delete')).toBe('all');
    // The editor may update posts, but not their labels.
    expect(grantsOf('editor')!.fields('posts_labels', 'create')).toBeNull();
  });

  it('has nothing to say for the administrator, who may write everything', () => {
    const admin = modelOf({}, { policies: [{ policy: 'root', adminAccess: true, permissions: {} }], roles: [{ role: 'root', policies: ['root'] }] });
    expect(writeGrantsFor(admin, accountabilityAs(admin, { role: 'root' }))).toBeUndefined();
  });
});
