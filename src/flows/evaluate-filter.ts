/**
 * A `condition` operation's filter, evaluated against the data chain in
 * memory (there is no table to compile it to). The Directus filter language
 * on JSON values: keys that start with `_` are operators (`_and`, `_or`,
 * `_eq`, …), other keys walk into the value. Pure: returns the first rule
 * that fails, or null when the value passes.
 */

export interface FilterFailure {
  /** The path of the value that failed, e.g. `$trigger.payload.status`. */
  field: string;
  operator: string;
  expected: unknown;
}

export class FilterSyntaxError extends Error {}

const compare = (a: unknown, b: unknown): number | undefined => {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') {
    // Dates and times in ISO form order as text; numbers given as text order as numbers.
    const [x, y] = [Number(a), Number(b)];
    if (a.trim() !== '' && b.trim() !== '' && Number.isFinite(x) && Number.isFinite(y)) return x - y;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if ((typeof a === 'number' && typeof b === 'string') || (typeof a === 'string' && typeof b === 'number')) {
    const [x, y] = [Number(a), Number(b)];
    return Number.isFinite(x) && Number.isFinite(y) ? x - y : undefined;
  }
  return undefined;
};

const equal = (a: unknown, b: unknown): boolean => {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  if (typeof a === 'object' || typeof b === 'object') return JSON.stringify(a) === JSON.stringify(b);
  return compare(a, b) === 0;
};

/** Values that cannot be ordered against each other (a number and a word) pass no ordering rule. */
const ordered = (a: unknown, b: unknown, test: (order: number) => boolean): boolean => {
  const order = compare(a, b);
  return order !== undefined && !Number.isNaN(order) && test(order);
};

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined);
const list = (operator: string, expected: unknown): unknown[] => {
  if (Array.isArray(expected)) return expected;
  if (typeof expected === 'string') return expected.split(',');
  throw new FilterSyntaxError(`${operator} takes a list`);
};
const isEmpty = (value: unknown): boolean =>
  value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0) || (typeof value === 'object' && !Array.isArray(value) && Object.keys(value as object).length === 0);

function stringTest(value: unknown, expected: unknown, test: (value: string, expected: string) => boolean): boolean {
  if (Array.isArray(value)) return value.some((item) => equal(item, expected));
  const [v, e] = [text(value), text(expected)];
  return v !== undefined && e !== undefined && test(v, e);
}

const OPERATORS: Record<string, (value: unknown, expected: unknown, operator: string) => boolean> = {
  _eq: (v, e) => equal(v, e),
  _neq: (v, e) => !equal(v, e),
  _lt: (v, e) => ordered(v, e, (c) => c < 0),
  _lte: (v, e) => ordered(v, e, (c) => c <= 0),
  _gt: (v, e) => ordered(v, e, (c) => c > 0),
  _gte: (v, e) => ordered(v, e, (c) => c >= 0),
  _in: (v, e, o) => list(o, e).some((item) => equal(v, item)),
  _nin: (v, e, o) => !list(o, e).some((item) => equal(v, item)),
  _null: (v, e) => (v === null || v === undefined) === (e !== false && e !== 'false'),
  _nnull: (v, e) => (v !== null && v !== undefined) === (e !== false && e !== 'false'),
  _empty: (v, e) => isEmpty(v) === (e !== false && e !== 'false'),
  _nempty: (v, e) => !isEmpty(v) === (e !== false && e !== 'false'),
  _contains: (v, e) => stringTest(v, e, (a, b) => a.includes(b)),
  _ncontains: (v, e) => !stringTest(v, e, (a, b) => a.includes(b)),
  _icontains: (v, e) => stringTest(v, e, (a, b) => a.toLowerCase().includes(b.toLowerCase())),
  _nicontains: (v, e) => !stringTest(v, e, (a, b) => a.toLowerCase().includes(b.toLowerCase())),
  _starts_with: (v, e) => stringTest(v, e, (a, b) => a.startsWith(b)),
  _nstarts_with: (v, e) => !stringTest(v, e, (a, b) => a.startsWith(b)),
  _istarts_with: (v, e) => stringTest(v, e, (a, b) => a.toLowerCase().startsWith(b.toLowerCase())),
  _nistarts_with: (v, e) => !stringTest(v, e, (a, b) => a.toLowerCase().startsWith(b.toLowerCase())),
  _ends_with: (v, e) => stringTest(v, e, (a, b) => a.endsWith(b)),
  _nends_with: (v, e) => !stringTest(v, e, (a, b) => a.endsWith(b)),
  _iends_with: (v, e) => stringTest(v, e, (a, b) => a.toLowerCase().endsWith(b.toLowerCase())),
  _niends_with: (v, e) => !stringTest(v, e, (a, b) => a.toLowerCase().endsWith(b.toLowerCase())),
  _between: (v, e, o) => {
    const [low, high] = list(o, e);
    return ordered(v, low, (c) => c >= 0) && ordered(v, high, (c) => c <= 0);
  },
  _nbetween: (v, e, o) => !OPERATORS._between!(v, e, o),
  _regex: (v, e) => {
    if (typeof e !== 'string') throw new FilterSyntaxError('_regex takes a string');
    const source = /^\/(.*)\/([a-z]*)$/s.exec(e);
    const pattern = source ? new RegExp(source[1]!, source[2]!.replace(/[^imsu]/g, '')) : new RegExp(e);
    return typeof v === 'string' && pattern.test(v);
  },
};

export const FILTER_OPERATORS: readonly string[] = Object.keys(OPERATORS);

/** The first rule of `filter` that `value` fails (`path` names where `value` sits), or null. */
export function failedRule(filter: unknown, value: unknown, path: string[] = []): FilterFailure | null {
  if (filter === null || typeof filter !== 'object' || Array.isArray(filter)) throw new FilterSyntaxError(`the filter at "${path.join('.') || '(root)'}" has to be an object`);
  for (const [key, expected] of Object.entries(filter)) {
    if (key === '_and' || key === '_or') {
      if (!Array.isArray(expected)) throw new FilterSyntaxError(`${key} takes a list of filters`);
      const failures = expected.map((part) => failedRule(part, value, path));
      if (key === '_and' && failures.some((f) => f !== null)) return failures.find((f) => f !== null)!;
      if (key === '_or' && expected.length > 0 && failures.every((f) => f !== null)) return failures[0]!;
      continue;
    }
    if (key.startsWith('_')) {
      const operator = OPERATORS[key];
      if (!operator) throw new FilterSyntaxError(`"${key}" is not a filter operator (one of ${FILTER_OPERATORS.join(', ')})`);
      if (!operator(value, expected, key)) return { field: path.join('.'), operator: key, expected };
      continue;
    }
    const child = value !== null && typeof value === 'object' && Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
    const failure = failedRule(expected, child, [...path, key]);
    if (failure) return failure;
  }
  return null;
}
