import { describe, expect, it } from 'vitest';
import { ipAllowed, resolveAccess } from '../../../src/permissions/index.ts';
import { modelOf } from '../../helpers/models.ts';

const model = modelOf(
  { notes: { fields: { title: { type: 'string' } } } },
  {
    policies: [
      { policy: 'anyone', public: true, permissions: { notes: { read: { fields: '*' } } } },
      { policy: 'reader', permissions: { notes: { read: { fields: '*' } } } },
      { policy: 'writer', appAccess: true, permissions: { notes: { create: { fields: '*' } } } },
      { policy: 'office', ipAccess: ['10.0.0.0/8', '192.168.1.10', '172.16.0.1-172.16.0.9', '2001:db8::/32'], permissions: {} },
      { policy: 'ops', adminAccess: true, ipAccess: ['127.0.0.1'], permissions: {} },
    ],
    roles: [
      { role: 'base', policies: ['reader'] },
      { role: 'staff', parent: 'base', policies: ['writer', 'office'] },
      { role: 'operator', policies: ['ops'] },
    ],
  },
);

describe('resolveAccess', () => {
  it('gives a request without a role the public policies only', () => {
    expect(resolveAccess(model, { role: null, userPolicies: [], ip: '1.2.3.4' })).toEqual({ roles: [], policies: ['anyone'], admin: false, appAccess: false });
  });

  it('walks the role chain, user policies first, and drops public policies for users with a role', () => {
    const access = resolveAccess(model, { role: 'staff', userPolicies: ['reader'], ip: '10.1.2.3' });
    expect(access).toEqual({ roles: ['staff', 'base'], policies: ['reader', 'writer', 'office'], admin: false, appAccess: true });
  });

  it('ignores policies whose ipAccess does not admit the client, including when the address is unknown', () => {
    expect(resolveAccess(model, { role: 'staff', userPolicies: [], ip: '8.8.8.8' }).policies).toEqual(['writer', 'reader']);
    expect(resolveAccess(model, { role: 'staff', userPolicies: [], ip: null }).policies).not.toContain('office');
    expect(resolveAccess(model, { role: 'operator', userPolicies: [], ip: '127.0.0.1' }).admin).toBe(true);
    expect(resolveAccess(model, { role: 'operator', userPolicies: [], ip: '127.0.0.2' }).admin).toBe(false);
  });

  it('knows the built-in administrator, and grants nothing for a role the config no longer has', () => {
    expect(resolveAccess(model, { role: 'administrator', userPolicies: [], ip: null })).toMatchObject({ roles: ['administrator'], policies: ['administrator'], admin: true, appAccess: true });
    expect(resolveAccess(model, { role: 'removed', userPolicies: [], ip: null })).toEqual({ roles: [], policies: ['anyone'], admin: false, appAccess: false });
  });
});

describe('ipAllowed', () => {
  const entries = ['10.0.0.0/8', '192.168.1.10', '172.16.0.1-172.16.0.9', '2001:db8::/32', 'not an address'];
  it.each([
    ['10.200.3.4', true],
    ['11.0.0.1', false],
    ['192.168.1.10', true],
    ['192.168.1.11', false],
    ['172.16.0.5', true],
    ['172.16.0.10', false],
    ['::ffff:10.0.0.1', true],
    ['2001:db8::1', true],
    ['2001:db9::1', false],
    ['garbage', false],
  ])('%s → %s', (ip, allowed) => {
    expect(ipAllowed(entries, ip)).toBe(allowed);
  });
});
