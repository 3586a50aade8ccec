/**
 * Policies and roles: permissions checked against the collections (names,
 * fields, filter operators per field type), role policies and parents
 * resolved, cycles refused.
 */
import type { Declaration, Report } from './declarations.ts';
import { checkFilter } from './filter-rules.ts';
import { BUILTIN_ADMIN, didYouMean } from './names.ts';
import { ACTIONS, type Action, type Collection, type Permission, type Policy, type Role } from './types.ts';

export function buildPolicies(options: {
  declarations: readonly Declaration[];
  collections: Record<string, Collection>;
  invalidCollections: ReadonlySet<string>;
  report: Report;
}): Record<string, Policy> {
  const { collections, report } = options;
  const policies: Record<string, Policy> = {};
  let publicPolicy: string | undefined;
  for (const { origin, doc } of options.declarations) {
    const name: string = doc.policy;
    if (name === BUILTIN_ADMIN) {
      report({ code: 'CONFIG_RESERVED_NAME', origin, path: ['policy'], message: `"${BUILTIN_ADMIN}" is built in and cannot be declared` });
      continue;
    }
    if (doc.public === true) {
      if (publicPolicy !== undefined) {
        report({ code: 'CONFIG_MULTIPLE_PUBLIC_POLICIES', origin, path: ['public'], message: `policy "${publicPolicy}" is already the public policy`, hint: 'merge the two, or attach this one to a role' });
      }
      publicPolicy ??= name;
    }
    const permissions: Permission[] = [];
    for (const [collectionName, actions] of Object.entries<Record<string, any>>(doc.permissions ?? {})) {
      const collection = collections[collectionName];
      if (!collection) {
        if (!options.invalidCollections.has(collectionName)) {
          report({
            code: 'CONFIG_UNKNOWN_COLLECTION',
            origin,
            path: ['permissions', collectionName],
            target: 'key',
            message: `collection "${collectionName}" does not exist`,
            ...didYouMean(collectionName, Object.keys(collections)),
          });
        }
        continue;
      }
      const fieldNames = [collection.primaryKey.field, ...Object.keys(collection.fields)];
      for (const action of ACTIONS) {
        const rule = actions[action];
        if (rule === undefined) continue;
        const path = ['permissions', collectionName, action];
        const fields: string[] = rule.fields === undefined ? [] : rule.fields === '*' ? ['*'] : rule.fields;
        fields.forEach((field, index) => {
          if (field !== '*' && !fieldNames.includes(field)) {
            report({ code: 'CONFIG_UNKNOWN_FIELD', origin, path: [...path, 'fields', index], message: `collection "${collectionName}" has no field "${field}"`, ...didYouMean(field, fieldNames) });
          }
        });
        for (const [kind, validation] of [['filter', false], ['validation', true]] as const) {
          if (rule[kind] === undefined) continue;
          for (const issue of checkFilter({ filter: rule[kind], collection, collections, path: [...path, kind], validation })) {
            report({
              code: issue.message.includes('has no field') ? 'CONFIG_UNKNOWN_FIELD' : 'CONFIG_INVALID_FILTER',
              origin,
              path: issue.path,
              target: issue.target,
              message: issue.message,
              ...(issue.candidates ? didYouMean(String(issue.path[issue.path.length - 1]), issue.candidates) : {}),
            });
          }
        }
        for (const field of Object.keys(rule.presets ?? {})) {
          if (!fieldNames.includes(field)) {
            report({ code: 'CONFIG_UNKNOWN_FIELD', origin, path: [...path, 'presets', field], target: 'key', message: `collection "${collectionName}" has no field "${field}"`, ...didYouMean(field, fieldNames) });
          }
        }
        permissions.push({
          collection: collectionName,
          action: action as Action,
          fields,
          filter: rule.filter ?? null,
          validation: rule.validation ?? null,
          presets: rule.presets ?? null,
        });
      }
    }
    // Canonical order, whatever the order of keys in the file.
    permissions.sort((a, b) => (a.collection < b.collection ? -1 : a.collection > b.collection ? 1 : ACTIONS.indexOf(a.action) - ACTIONS.indexOf(b.action)));
    policies[name] = {
      name,
      note: doc.note ?? null,
      public: doc.public ?? false,
      adminAccess: doc.adminAccess ?? false,
      appAccess: doc.appAccess ?? false,
      ipAccess: doc.ipAccess ?? null,
      permissions,
    };
  }
  return policies;
}

export function buildRoles(options: {
  declarations: readonly Declaration[];
  policies: Record<string, Policy>;
  invalidPolicies: ReadonlySet<string>;
  invalidRoles: ReadonlySet<string>;
  report: Report;
}): Record<string, Role> {
  const { report } = options;
  const roles: Record<string, Role> = {};
  const origins = new Map<string, string>();
  for (const { origin, doc } of options.declarations) {
    const name: string = doc.role;
    if (name === BUILTIN_ADMIN) {
      report({ code: 'CONFIG_RESERVED_NAME', origin, path: ['role'], message: `"${BUILTIN_ADMIN}" is built in and cannot be declared` });
      continue;
    }
    const policies: string[] = doc.policies ?? [];
    policies.forEach((policy, index) => {
      if (policy !== BUILTIN_ADMIN && !options.policies[policy] && !options.invalidPolicies.has(policy)) {
        report({ code: 'CONFIG_UNKNOWN_POLICY', origin, path: ['policies', index], message: `policy "${policy}" does not exist`, ...didYouMean(policy, Object.keys(options.policies)) });
      }
    });
    roles[name] = { name, note: doc.note ?? null, parent: doc.parent ?? null, policies };
    origins.set(name, origin);
  }
  for (const role of Object.values(roles)) {
    const origin = origins.get(role.name)!;
    if (role.parent !== null && role.parent !== BUILTIN_ADMIN && !roles[role.parent] && !options.invalidRoles.has(role.parent)) {
      report({ code: 'CONFIG_UNKNOWN_ROLE', origin, path: ['parent'], message: `role "${role.parent}" does not exist`, ...didYouMean(role.parent, Object.keys(roles)) });
    }
    // Walk up the parents; coming back to this role is a cycle.
    const seen = [role.name];
    for (let parent = role.parent; parent !== null && roles[parent]; parent = roles[parent]!.parent) {
      if (parent === role.name) {
        report({ code: 'CONFIG_ROLE_CYCLE', origin, path: ['parent'], message: `role "${role.name}" is its own ancestor: ${[...seen, parent].join(' → ')}` });
        break;
      }
      if (seen.includes(parent)) break; // a cycle further up, reported for its own members
      seen.push(parent);
    }
  }
  return roles;
}
