/**
 * The Directus filter language as far as the model can check it without a
 * request: which operators each field type has (directus-contract.md §2.4),
 * field names through relations, logical operators, value shapes, dynamic
 * variables. Shared by config validation and, later, the query parser.
 */
import type { Collection, FieldType } from './types.ts';
import type { DocPath } from './declarations.ts';
import { article } from './names.ts';

const STRING_OPS = ['_eq', '_neq', '_contains', '_ncontains', '_icontains', '_starts_with', '_nstarts_with', '_istarts_with', '_nistarts_with', '_ends_with', '_nends_with', '_iends_with', '_niends_with', '_empty', '_nempty', '_null', '_nnull', '_in', '_nin'];
const ORDERED_OPS = ['_eq', '_neq', '_lt', '_lte', '_gt', '_gte', '_between', '_nbetween', '_null', '_nnull', '_in', '_nin'];

export const OPERATORS_BY_TYPE: Record<Exclude<FieldType, 'o2m' | 'm2m'>, readonly string[]> = {
  string: STRING_OPS,
  text: STRING_OPS,
  csv: STRING_OPS,
  integer: ORDERED_OPS,
  bigInteger: ORDERED_OPS,
  float: ORDERED_OPS,
  decimal: ORDERED_OPS,
  date: ORDERED_OPS,
  dateTime: ORDERED_OPS,
  time: ORDERED_OPS,
  timestamp: ORDERED_OPS,
  uuid: ['_eq', '_neq', '_null', '_nnull', '_in', '_nin'],
  boolean: ['_eq', '_neq', '_null', '_nnull'],
  json: ['_null', '_nnull'],
  hash: ['_empty', '_nempty', '_null', '_nnull'],
  // An m2o compares as its key; nested field filters go through the relation.
  m2o: ['_eq', '_neq', '_null', '_nnull', '_in', '_nin'],
};

/** Operators only a validation rule (not an item filter) may use. */
const VALIDATION_ONLY = ['_regex', '_submitted'];
const BOOLEAN_VALUED = new Set(['_null', '_nnull', '_empty', '_nempty', '_submitted']);
const LIST_VALUED = new Set(['_in', '_nin']);
const PAIR_VALUED = new Set(['_between', '_nbetween']);
const DYNAMIC = /^\$(CURRENT_USER(\.[A-Za-z0-9_.]+)?|CURRENT_ROLE(\.[A-Za-z0-9_.]+)?|CURRENT_ROLES|CURRENT_POLICIES|NOW(\([^)]*\))?)$/;

export interface FilterIssue {
  path: DocPath;
  target: 'key' | 'value';
  message: string;
  /** Names the caller may suggest from. */
  candidates?: string[];
}

/**
 * Checks a filter (or validation rule) against a collection. `path` is where
 * the filter sits in its document, so issues point into it.
 */
export function checkFilter(options: {
  filter: unknown;
  collection: Collection;
  collections: Record<string, Collection>;
  path: DocPath;
  validation: boolean;
}): FilterIssue[] {
  const issues: FilterIssue[] = [];
  walk(options.filter, options.collection, options.path, true);
  return issues;

  function walk(node: unknown, collection: Collection, path: DocPath, topLevel: boolean): void {
    if (!isObject(node)) {
      issues.push({ path, target: 'value', message: 'a filter must be a mapping of field names or _and/_or to conditions' });
      return;
    }
    for (const [key, value] of Object.entries(node)) {
      const here = [...path, key];
      if (key === '_and' || key === '_or') {
        if (!Array.isArray(value) || value.length === 0) {
          issues.push({ path: here, target: 'value', message: `${key} takes a non-empty list of filters` });
          continue;
        }
        value.forEach((item, index) => walk(item, collection, [...here, index], topLevel));
        continue;
      }
      if (key.startsWith('_')) {
        issues.push({ path: here, target: 'key', message: `operator "${key}" needs a field: write { <field>: { ${key}: … } }` });
        continue;
      }
      const fieldName = functionTarget(key) ?? key;
      const field = fieldName === collection.primaryKey.field ? undefined : collection.fields[fieldName];
      if (fieldName !== collection.primaryKey.field && !field) {
        issues.push({
          path: here,
          target: 'key',
          message: `collection "${collection.name}" has no field "${fieldName}"`,
          candidates: [collection.primaryKey.field, ...Object.keys(collection.fields)],
        });
        continue;
      }
      if (functionTarget(key) !== undefined) {
        // count() counts an o2m or m2m; the date functions read a date, time or timestamp (as the query parser insists).
        const fn = key.slice(0, key.indexOf('('));
        const relational = field?.relation?.kind === 'o2m' || field?.relation?.kind === 'm2m';
        const dated = field !== undefined && ['date', 'dateTime', 'time', 'timestamp'].includes(field.type) && !(field.type === 'time' && ['year', 'month', 'week', 'day', 'weekday'].includes(fn));
        if (fn === 'count' ? !relational : !dated) {
          issues.push({ path: here, target: 'key', message: fn === 'count' ? `count() takes an o2m or m2m field, not "${fieldName}"` : `${fn}() takes a date, time or timestamp field, not "${fieldName}"` });
          continue;
        }
        conditions(value, 'integer', here);
        continue;
      }
      const relation = field?.relation;
      if (relation && (relation.kind === 'o2m' || relation.kind === 'm2m')) {
        const related = options.collections[relation.kind === 'm2m' ? relation.junction : relation.related];
        if (!related) continue;
        if (!isObject(value)) {
          issues.push({ path: here, target: 'value', message: `"${key}" is a ${relation.kind} relation: filter it with a nested filter or _some/_none` });
          continue;
        }
        for (const [inner, innerValue] of Object.entries(value)) {
          if (inner === '_some' || inner === '_none') {
            if (!topLevel) issues.push({ path: [...here, inner], target: 'key', message: `${inner} is allowed only on a relation at the top level of a filter` });
            walk(innerValue, related, [...here, inner], false);
          } else {
            walk({ [inner]: innerValue }, related, here, false);
          }
        }
        continue;
      }
      if (relation?.kind === 'm2o' && isObject(value) && Object.keys(value).some((k) => !k.startsWith('_'))) {
        const related = options.collections[relation.related];
        if (related) walk(value, related, here, false);
        continue;
      }
      const type = field ? (field.type as Exclude<FieldType, 'o2m' | 'm2m'>) : collection.primaryKey.type;
      conditions(value, type, here);
    }
  }

  function conditions(value: unknown, type: Exclude<FieldType, 'o2m' | 'm2m'>, path: DocPath): void {
    // A bare value means _eq.
    if (!isObject(value)) return checkValue('_eq', value, path);
    const allowed = [...OPERATORS_BY_TYPE[type], ...(options.validation ? VALIDATION_ONLY : [])];
    for (const [operator, operand] of Object.entries(value)) {
      const here = [...path, operator];
      if (operator === '_and' || operator === '_or') {
        issues.push({ path: here, target: 'key', message: `put ${operator} above the field, not under it` });
      } else if (!allowed.includes(operator)) {
        const known = Object.values(OPERATORS_BY_TYPE).some((ops) => ops.includes(operator));
        issues.push({
          path: here,
          target: 'key',
          message: VALIDATION_ONLY.includes(operator)
            ? `"${operator}" is allowed only in validation rules, not in item filters`
            : known
              ? `${article(type)} field has no "${operator}" operator`
              : `unknown filter operator "${operator}"`,
          candidates: allowed,
        });
      } else {
        checkValue(operator, operand, here);
      }
    }
  }

  function checkValue(operator: string, operand: unknown, path: DocPath): void {
    const fail = (message: string) => issues.push({ path, target: 'value', message });
    if (BOOLEAN_VALUED.has(operator)) {
      if (typeof operand !== 'boolean') fail(`${operator} takes true or false`);
    } else if (LIST_VALUED.has(operator)) {
      const list = typeof operand === 'string' ? operand.split(',') : operand;
      if (!Array.isArray(list) || list.length === 0) fail(`${operator} takes a non-empty list`);
      else list.forEach((item, index) => scalar(item, Array.isArray(operand) ? [...path, index] : path));
    } else if (PAIR_VALUED.has(operator)) {
      const pair = typeof operand === 'string' ? operand.split(',') : operand;
      if (!Array.isArray(pair) || pair.length !== 2) fail(`${operator} takes exactly two values`);
    } else if (operator === '_regex') {
      if (typeof operand !== 'string') fail('_regex takes a regular expression as a string');
      else {
        try {
          new RegExp(operand);
        } catch {
          fail(`"${operand}" is not a valid regular expression`);
        }
      }
    } else {
      scalar(operand, path);
    }
  }

  function scalar(operand: unknown, path: DocPath): void {
    if (operand === null || typeof operand === 'number' || typeof operand === 'boolean') return;
    if (typeof operand !== 'string') {
      issues.push({ path, target: 'value', message: 'a filter value must be a string, number, boolean or null' });
    } else if (operand.startsWith('$') && !DYNAMIC.test(operand)) {
      issues.push({
        path,
        target: 'value',
        message: `unknown dynamic variable "${operand}"; known: $CURRENT_USER, $CURRENT_ROLE, $CURRENT_ROLES, $CURRENT_POLICIES, $NOW`,
      });
    }
  }
}

/** `year(date)` → `date`; undefined for a plain field name. */
function functionTarget(key: string): string | undefined {
  const match = /^(year|month|week|day|weekday|hour|minute|second|count)\(([A-Za-z_][A-Za-z0-9_]*)\)$/.exec(key);
  return match?.[2];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
