/**
 * Flows and extension bundles: operation graphs checked (unique keys, known
 * targets, everything reachable from the first operation), and every
 * collection, flow, extension and role they name resolved.
 */
import { validate as validCron } from 'node-cron';
import type { ExtensionDeclaration, Declaration, Report } from './declarations.ts';
import { BUILTIN_ADMIN, didYouMean } from './names.ts';
import type { Action, Collection, Extension, Flow, Operation, Role } from './types.ts';

const OPERATION_KEYS = new Set(['key', 'type', 'resolve', 'reject', 'permissions']);
// Those of src/flows/evaluate-filter.ts (a test keeps the two lists equal).
export const CONDITION_OPERATORS: ReadonlySet<string> = new Set([
  '_eq', '_neq', '_lt', '_lte', '_gt', '_gte', '_in', '_nin', '_null', '_nnull', '_empty', '_nempty',
  '_contains', '_ncontains', '_icontains', '_nicontains', '_starts_with', '_nstarts_with', '_istarts_with', '_nistarts_with',
  '_ends_with', '_nends_with', '_iends_with', '_niends_with', '_between', '_nbetween', '_regex',
]);
// `administrator` is the built-in role: acting as it equals $full.
const BUILTIN_PERMISSIONS = new Set(['$trigger', '$public', '$full', BUILTIN_ADMIN]);

interface Known {
  collections: Record<string, Collection>;
  invalidCollections: ReadonlySet<string>;
  roles: Record<string, Role>;
  invalidRoles: ReadonlySet<string>;
  report: Report;
}

function checkCollection(known: Known, name: string, origin: string, path: (string | number)[]): void {
  if (!known.collections[name] && !known.invalidCollections.has(name)) {
    known.report({ code: 'CONFIG_UNKNOWN_COLLECTION', origin, path, message: `collection "${name}" does not exist`, ...didYouMean(name, Object.keys(known.collections)) });
  }
}

export function buildExtensions(declarations: readonly ExtensionDeclaration[], known: Known): Record<string, Extension> {
  const extensions: Record<string, Extension> = {};
  for (const { origin, doc, bundleFiles } of declarations) {
    const name: string = doc.extension;
    const entry: string = doc.entry ?? 'index.js';
    if (!bundleFiles.includes(entry)) {
      known.report({
        code: 'CONFIG_MISSING_ENTRY_FILE',
        origin,
        path: doc.entry === undefined ? ['extension'] : ['entry'],
        message: `entry file "${entry}" does not exist beside extension.yaml`,
        ...didYouMean(entry, bundleFiles),
      });
    }
    const collections: string[] = doc.collections ?? [];
    collections.forEach((collection, index) => checkCollection(known, collection, origin, ['collections', index]));
    const items: Record<string, Action[]> = doc.grants?.items ?? {};
    for (const collection of Object.keys(items)) checkCollection(known, collection, origin, ['grants', 'items', collection]);
    extensions[name] = {
      name,
      type: doc.type,
      entry,
      events: doc.events ?? [],
      collections,
      route: doc.type === 'endpoint' ? (doc.route ?? `/${name}`) : null,
      limits: { memoryMb: doc.limits?.memoryMb ?? 32, timeoutMs: doc.limits?.timeoutMs ?? 200 },
      grants: { items, requests: doc.grants?.requests ?? [], env: doc.grants?.env ?? [] },
    };
  }
  return extensions;
}

/** What the JSON Schema cannot say about a trigger: a cron node-cron can run, filter mode only on item events. */
function checkTrigger(trigger: Flow['trigger'], origin: string, report: Report): void {
  if (trigger.type === 'schedule' && typeof trigger.cron === 'string' && !validCron(trigger.cron.trim())) {
    report({ code: 'CONFIG_INVALID_TRIGGER', origin, path: ['trigger', 'cron'], message: `"${trigger.cron}" is not a cron expression node-cron can run`, hint: 'six fields (second minute hour day month weekday) or five without the seconds, e.g. "0 0 3 * * *"' });
  }
  if (trigger.type === 'event' && trigger.mode === 'filter') {
    ((trigger.events as string[] | undefined) ?? []).forEach((event, index) => {
      if (event === 'versions.promote') report({ code: 'CONFIG_INVALID_TRIGGER', origin, path: ['trigger', 'events', index], message: 'versions.promote runs flows in action mode only (after the promote has committed)', hint: 'use mode: action, or filter on items.update, which a promote also is' });
    });
  }
}

/** The operators a condition uses (it runs on the data chain, where no field types are known). */
function checkConditionFilter(filter: unknown, origin: string, path: (string | number)[], report: Report): void {
  if (filter === null || typeof filter !== 'object') return;
  if (Array.isArray(filter)) {
    filter.forEach((part, index) => checkConditionFilter(part, origin, [...path, index], report));
    return;
  }
  for (const [key, value] of Object.entries(filter)) {
    if (key.startsWith('_') && key !== '_and' && key !== '_or' && !CONDITION_OPERATORS.has(key)) {
      report({ code: 'CONFIG_INVALID_FILTER', origin, path: [...path, key], message: `"${key}" is not a filter operator`, ...didYouMean(key, [...CONDITION_OPERATORS]) });
    } else if (!key.startsWith('_') || key === '_and' || key === '_or') checkConditionFilter(value, origin, [...path, key], report);
  }
}

export function buildFlows(options: {
  declarations: readonly Declaration[];
  extensions: Record<string, Extension>;
  invalidFlows: ReadonlySet<string>;
  invalidExtensions: ReadonlySet<string>;
  known: Known;
}): Record<string, Flow> {
  const { known } = options;
  const { report } = known;
  const flows: Record<string, Flow> = {};
  const pending: { origin: string; flow: Flow; firstIndex: Map<string, number> }[] = [];
  for (const { origin, doc } of options.declarations) {
    const trigger = { ...doc.trigger } as Flow['trigger'];
    const triggerCollections: string[] = (trigger.collections as string[] | undefined) ?? [];
    triggerCollections.forEach((collection, index) => checkCollection(known, collection, origin, ['trigger', 'collections', index]));
    checkTrigger(trigger, origin, report);

    const operations: Operation[] = [];
    const keys = new Set<string>();
    (doc.operations as Record<string, any>[]).forEach((op, index) => {
      if (keys.has(op.key)) {
        report({ code: 'CONFIG_DUPLICATE_OPERATION', origin, path: ['operations', index, 'key'], message: `another operation of this flow already has the key "${op.key}"` });
        return;
      }
      keys.add(op.key);
      const opts = Object.fromEntries(Object.entries(op).filter(([key]) => !OPERATION_KEYS.has(key)));
      operations.push({ key: op.key, type: op.type, options: opts, resolve: op.resolve ?? null, reject: op.reject ?? null, permissions: op.permissions ?? '$trigger' });
      if (typeof opts.collection === 'string') checkCollection(known, opts.collection, origin, ['operations', index, 'collection']);
      if (op.type === 'condition') checkConditionFilter(opts.filter, origin, ['operations', index, 'filter'], report);
      const permissions: string | undefined = op.permissions;
      if (permissions !== undefined && !BUILTIN_PERMISSIONS.has(permissions) && !known.roles[permissions] && !known.invalidRoles.has(permissions)) {
        report({
          code: 'CONFIG_UNKNOWN_ROLE',
          origin,
          path: ['operations', index, 'permissions'],
          message: `"${permissions}" is neither $trigger, $public, $full, administrator nor a declared role`,
          ...didYouMean(permissions, [...BUILTIN_PERMISSIONS, ...Object.keys(known.roles)]),
        });
      }
      if (op.type === 'exec') {
        const extension = options.extensions[opts.extension as string];
        if (!extension && !options.invalidExtensions.has(opts.extension as string)) {
          report({ code: 'CONFIG_UNKNOWN_EXTENSION', origin, path: ['operations', index, 'extension'], message: `extension "${String(opts.extension)}" does not exist`, ...didYouMean(String(opts.extension), Object.keys(options.extensions)) });
        } else if (extension && extension.type !== 'operation') {
          report({ code: 'CONFIG_UNKNOWN_EXTENSION', origin, path: ['operations', index, 'extension'], message: `extension "${extension.name}" is a ${extension.type}; exec runs extensions of type operation` });
        }
      }
    });

    (doc.operations as Record<string, any>[]).forEach((op, index) => {
      for (const edge of ['resolve', 'reject'] as const) {
        if (op[edge] !== undefined && !keys.has(op[edge])) {
          report({ code: 'CONFIG_UNKNOWN_OPERATION', origin, path: ['operations', index, edge], message: `this flow has no operation with the key "${op[edge]}"`, ...didYouMean(op[edge], keys) });
        }
      }
    });

    // Everything must be reachable from the first operation, where a run starts.
    const byKey = new Map(operations.map((op) => [op.key, op]));
    const reached = new Set<string>();
    const queue = operations.length > 0 ? [operations[0]!.key] : [];
    while (queue.length > 0) {
      const key = queue.pop()!;
      if (reached.has(key) || !byKey.has(key)) continue;
      reached.add(key);
      const op = byKey.get(key)!;
      if (op.resolve) queue.push(op.resolve);
      if (op.reject) queue.push(op.reject);
    }
    const firstIndex = new Map<string, number>();
    (doc.operations as Record<string, any>[]).forEach((op, index) => {
      if (!firstIndex.has(op.key)) firstIndex.set(op.key, index);
    });
    for (const op of operations) {
      if (reached.has(op.key)) continue;
      report({
        code: 'CONFIG_UNREACHABLE_OPERATION',
        origin,
        path: ['operations', firstIndex.get(op.key)!, 'key'],
        message: `operation "${op.key}" is never reached from the first operation "${operations[0]!.key}"`,
        hint: 'point a resolve or reject at it, or remove it',
      });
    }

    const flow: Flow = {
      name: doc.flow,
      note: doc.note ?? null,
      status: doc.status ?? 'active',
      accountability: doc.accountability ?? 'all',
      trigger,
      operations,
    };
    flows[flow.name] = flow;
    pending.push({ origin, flow, firstIndex });
  }

  // trigger-flow targets can be checked only once every flow is known.
  for (const { origin, flow, firstIndex } of pending) {
    flow.operations.forEach((op) => {
      if (op.type !== 'trigger-flow') return;
      const index = firstIndex.get(op.key)!;
      const target = flows[op.options.flow as string];
      if (!target && !options.invalidFlows.has(op.options.flow as string)) {
        report({ code: 'CONFIG_UNKNOWN_FLOW', origin, path: ['operations', index, 'flow'], message: `flow "${String(op.options.flow)}" does not exist`, ...didYouMean(String(op.options.flow), Object.keys(flows)) });
      } else if (target && target.trigger.type !== 'flow') {
        report({ code: 'CONFIG_UNKNOWN_FLOW', origin, path: ['operations', index, 'flow'], message: `flow "${target.name}" has a ${target.trigger.type} trigger; trigger-flow can start only flows whose trigger type is flow` });
      }
    });
  }
  return flows;
}
