/** Dynamic filter values ($NOW, $NOW(-1 year), $CURRENT_USER) resolved for one request (directus-contract.md §2.4). */
import { InvalidQueryError } from '../errors/index.ts';

const UNITS: [RegExp, (date: Date, amount: number) => void][] = [
  [/^(ms|msecs?|milliseconds?)$/, (d, n) => d.setTime(d.getTime() + n)],
  [/^(s|secs?|seconds?)$/, (d, n) => d.setTime(d.getTime() + n * 1_000)],
  [/^(m|mins?|minutes?)$/, (d, n) => d.setTime(d.getTime() + n * 60_000)],
  [/^(h|hrs?|hours?)$/, (d, n) => d.setTime(d.getTime() + n * 3_600_000)],
  [/^(d|days?)?$/, (d, n) => d.setUTCDate(d.getUTCDate() + n)],
  [/^(w|weeks?)$/, (d, n) => d.setUTCDate(d.getUTCDate() + 7 * n)],
  [/^(mo|mth|months?)$/, (d, n) => d.setUTCMonth(d.getUTCMonth() + n)],
  [/^(y|yrs?|years?)$/, (d, n) => d.setUTCFullYear(d.getUTCFullYear() + n)],
];

export interface DynamicContext {
  now: Date;
  user: string | null;
  role?: string | null;
  roles?: readonly string[];
  policies?: readonly string[];
}

export function resolveDynamic(value: string, context: DynamicContext): unknown {
  if (value === '$NOW') return new Date(context.now);
  const adjusted = /^\$NOW\(\s*([+-]?\d+(?:\.\d+)?)\s*([a-z]*)\s*\)$/i.exec(value);
  if (adjusted) {
    const date = new Date(context.now);
    const unit = UNITS.find(([pattern]) => pattern.test(adjusted[2]!.toLowerCase()));
    if (!unit) throw new InvalidQueryError({ reason: `Unknown unit in ${value}` });
    unit[1](date, Number(adjusted[1]));
    return date;
  }
  if (value === '$CURRENT_USER') return context.user;
  if (value === '$CURRENT_ROLE') return context.role ?? null;
  if (value === '$CURRENT_ROLES') return [...(context.roles ?? [])];
  if (value === '$CURRENT_POLICIES') return [...(context.policies ?? [])];
  // Fields of the user or role ($CURRENT_USER.email) would need a read of their own: not resolved.
  if (/^\$(CURRENT_USER\.|CURRENT_ROLE\.)/.test(value)) return null;
  return value;
}
