/**
 * Column comparisons that need PostgreSQL knowledge: whether two default
 * expressions mean the same, and whether a type change can lose data.
 */

/**
 * A stored default with what PostgreSQL adds peeled off (parentheses, casts):
 * a quoted literal's value, or the bare expression (`now()`, `-3`, `true`).
 */
export function parseDefaultExpression(expression: string): { kind: 'string'; value: string } | { kind: 'bare'; text: string } {
  let text = expression.trim();
  for (let previous = ''; previous !== text; ) {
    previous = text;
    if (/^\(.*\)$/.test(text) && balanced(text.slice(1, -1))) text = text.slice(1, -1).trim();
    text = text.replace(/::[a-z_ ]+(\(\d+(,\s*\d+)?\))?(\[\])?$/i, '').trim();
  }
  const quoted = /^'((?:[^']|'')*)'$/.exec(text);
  return quoted ? { kind: 'string', value: quoted[1]!.replace(/''/g, "'") } : { kind: 'bare', text };
}

/** A comparable form of a default expression: two defaults mean the same when these are equal. */
export function normalizeDefault(expression: string | null): string | null {
  if (expression === null) return null;
  const parsed = parseDefaultExpression(expression);
  if (parsed.kind === 'bare') {
    if (/^CURRENT_TIMESTAMP$/i.test(parsed.text)) return 'now()';
    if (/^-?\d+(\.\d+)?$/.test(parsed.text)) return `literal:${Number(parsed.text)}`;
    return parsed.text;
  }
  const { value } = parsed;
  // jsonb defaults come back re-serialised ({"a": 1}); compare their meaning.
  try {
    const json: unknown = JSON.parse(value);
    if (typeof json === 'object' && json !== null) return `json:${JSON.stringify(json)}`;
  } catch {
    // not JSON: an array literal or a plain string
  }
  const array = parseArrayLiteral(value);
  if (array) return `json:${JSON.stringify(array)}`;
  return `literal:${value}`;
}

/**
 * A one-dimensional text array literal, `{a,"b c"}` → ['a', 'b c'].
 * PostgreSQL quotes elements only where needed, Cairn quotes every one, so
 * both spellings must read the same. Undefined for anything else (NULL
 * elements, nesting), which a csv default cannot hold.
 */
export function parseArrayLiteral(text: string): string[] | undefined {
  if (!text.startsWith('{') || !text.endsWith('}')) return undefined;
  const body = text.slice(1, -1);
  if (body === '') return [];
  const items: string[] = [];
  let index = 0;
  while (index <= body.length) {
    let item = '';
    if (body[index] === '"') {
      index++;
      while (index < body.length && body[index] !== '"') {
        if (body[index] === '\\') index++;
        item += body[index++] ?? '';
      }
      index++; // the closing quote
    } else {
      while (index < body.length && body[index] !== ',') item += body[index++];
      item = item.trim();
      if (/^null$/i.test(item) || /[{}"]/.test(item)) return undefined;
    }
    items.push(item);
    if (index < body.length && body[index] !== ',') return undefined;
    index++;
  }
  return items;
}

function balanced(text: string): boolean {
  let depth = 0;
  for (const char of text) {
    if (char === '(') depth++;
    if (char === ')' && --depth < 0) return false;
  }
  return depth === 0;
}

export type TypeChange =
  | { kind: 'widening' }
  | { kind: 'narrowing-length'; length: number }
  | { kind: 'conversion' };

/** What changing a column from `from` to `to` (format_type spellings) risks. */
export function classifyTypeChange(from: string, to: string): TypeChange {
  const varchar = (type: string) => /^character varying\((\d+)\)$/.exec(type);
  const fromVarchar = varchar(from);
  const toVarchar = varchar(to);
  if (fromVarchar && to === 'text') return { kind: 'widening' };
  if (fromVarchar && toVarchar) {
    return Number(toVarchar[1]) >= Number(fromVarchar[1]) ? { kind: 'widening' } : { kind: 'narrowing-length', length: Number(toVarchar[1]) };
  }
  if (from === 'text' && toVarchar) return { kind: 'narrowing-length', length: Number(toVarchar[1]) };
  const widerInteger: Record<string, string[]> = { smallint: ['integer', 'bigint', 'numeric'], integer: ['bigint'], real: ['double precision'] };
  if (widerInteger[from]?.includes(to)) return { kind: 'widening' };
  const numeric = (type: string) => /^numeric\((\d+),(\d+)\)$/.exec(type);
  const fromNumeric = numeric(from);
  const toNumeric = numeric(to);
  if (fromNumeric && toNumeric) {
    const [fp, fs] = [Number(fromNumeric[1]), Number(fromNumeric[2])];
    const [tp, ts] = [Number(toNumeric[1]), Number(toNumeric[2])];
    if (ts >= fs && tp - ts >= fp - fs) return { kind: 'widening' };
  }
  if (from === 'timestamp without time zone' && to === 'timestamp with time zone') return { kind: 'widening' };
  return { kind: 'conversion' };
}
