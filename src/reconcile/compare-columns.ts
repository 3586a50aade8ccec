/**
 * Column comparisons that need PostgreSQL knowledge: whether two default
 * expressions mean the same, and whether a type change can lose data.
 */

/** Strips what PostgreSQL adds when it stores a default: casts, parentheses, quoting. */
export function normalizeDefault(expression: string | null): string | null {
  if (expression === null) return null;
  let text = expression.trim();
  for (let previous = ''; previous !== text; ) {
    previous = text;
    if (/^\(.*\)$/.test(text) && balanced(text.slice(1, -1))) text = text.slice(1, -1).trim();
    text = text.replace(/::[a-z_ ]+(\(\d+(,\s*\d+)?\))?(\[\])?$/i, '').trim();
  }
  if (/^CURRENT_TIMESTAMP$/i.test(text)) return 'now()';
  const quoted = /^'((?:[^']|'')*)'$/.exec(text);
  if (quoted) {
    const value = quoted[1]!.replace(/''/g, "'");
    // jsonb defaults come back re-serialised ({"a": 1}); compare their meaning.
    try {
      const parsed: unknown = JSON.parse(value);
      if (typeof parsed === 'object' && parsed !== null) return `json:${JSON.stringify(parsed)}`;
    } catch {
      // not JSON: a plain string literal
    }
    return `literal:${value}`;
  }
  if (/^-?\d+(\.\d+)?$/.test(text)) return `literal:${Number(text)}`;
  return text;
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
