/**
 * Running a compiled statement (with `$1`, `$2`… parameters, as the query
 * compiler writes them) through knex, which takes `?` placeholders in order:
 * each `$n` becomes a `?` and its value is bound at that position, so a
 * parameter used twice or out of order binds correctly. Used where a
 * statement must run inside a knex transaction.
 */
import type { Knex } from 'knex';

export async function runStatement<R = Record<string, unknown>>(knex: Knex | Knex.Transaction, statement: { sql: string; bindings: readonly unknown[] }): Promise<R[]> {
  const bindings: unknown[] = [];
  const sql = statement.sql.replace(/\$(\d+)/g, (_, n: string) => {
    bindings.push(statement.bindings[Number(n) - 1]);
    return '?';
  });
  const { rows } = (await knex.raw(sql, bindings as never[])) as { rows: R[] };
  return rows;
}
