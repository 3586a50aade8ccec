/**
 * The data chain's `{{ path }}` templates, as Directus renders operation
 * options: every string of the options (recursively) is rendered before the
 * operation runs. A string that is exactly one `{{ path }}` becomes the raw
 * value (an object stays an object, a number a number); otherwise each
 * placeholder is interpolated (objects as JSON, null and undefined as "").
 * Paths use dots and brackets: `$trigger.keys[0]`, `recent[0].title`,
 * `$trigger.payload["first name"]`. Pure.
 *
 * A path whose first segment is no key of the chain is an error (a typo in a
 * flow file must not run as an empty string); deeper segments that do not
 * exist read as undefined, as a partial payload lacks fields.
 */

export type DataChain = Record<string, unknown>;

export class TemplateError extends Error {}

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const WHOLE = /^\{\{\s*([^{}]*?)\s*\}\}$/;
const SEGMENT = /^(?:\.?([A-Za-z_$][\w$-]*)|\[(\d+)\]|\[(["'])(.*?)\3\])/;

/** `a.b[0]["c d"]` → ['a', 'b', 0, 'c d']; undefined when it is no path. */
export function parsePath(text: string): (string | number)[] | undefined {
  const segments: (string | number)[] = [];
  let rest = text.trim();
  if (rest === '' || rest.startsWith('.')) return undefined;
  while (rest.length > 0) {
    const match = SEGMENT.exec(rest);
    if (!match) return undefined;
    if (match[1] !== undefined) segments.push(match[1]);
    else if (match[2] !== undefined) segments.push(Number(match[2]));
    else segments.push(match[4]!);
    rest = rest.slice(match[0].length);
  }
  return segments;
}

/** The value at `path` in the chain; own properties only, so `constructor` or `__proto__` read nothing. */
export function readPath(chain: DataChain, path: string): unknown {
  const segments = parsePath(path);
  if (!segments) throw new TemplateError(`"{{ ${path} }}" is not a path (use dots and brackets: $trigger.keys[0])`);
  const [root, ...rest] = segments;
  if (typeof root !== 'string' || !Object.hasOwn(chain, root)) {
    throw new TemplateError(`"{{ ${path} }}" reads "${String(root)}", which is not in the data chain (it has ${Object.keys(chain).join(', ')})`);
  }
  let value: unknown = chain[root];
  for (const segment of rest) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, segment)) return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}

function interpolated(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

export function renderString(text: string, chain: DataChain): unknown {
  const whole = WHOLE.exec(text);
  if (whole) return readPath(chain, whole[1]!);
  return text.replace(PLACEHOLDER, (_match, path: string) => interpolated(readPath(chain, path)));
}

/** Options with every string rendered against the chain; the input is not changed. */
export function renderOptions<T>(value: T, chain: DataChain): T {
  if (typeof value === 'string') return renderString(value, chain) as T;
  if (Array.isArray(value)) return value.map((item) => renderOptions(item, chain)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, renderOptions(item, chain)])) as T;
  }
  return value;
}

/** The `$env` names a flow's definition reads (`$env.NAME`, `$env["NAME"]`). */
export function envNamesIn(definition: unknown): string[] {
  const names = new Set<string>();
  const visit = (value: unknown): void => {
    if (typeof value === 'string') {
      for (const match of value.matchAll(/\$env(?:\.([A-Za-z_][A-Za-z0-9_]*)|\[(["'])([A-Za-z_][A-Za-z0-9_]*)\2\])/g)) names.add(match[1] ?? match[3]!);
    } else if (Array.isArray(value)) value.forEach(visit);
    else if (value !== null && typeof value === 'object') Object.values(value).forEach(visit);
  };
  visit(definition);
  return [...names].sort();
}
