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

export function resolveDynamic(value: string, context: { now: Date; user: string | null }): unknown {
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
  // Roles, policies and user fields arrive with authentication; until then there is no such value.
  if (/^\$(CURRENT_USER\.|CURRENT_ROLES?|CURRENT_POLICIES)/.test(value)) return null;
  return value;
}
