/**
 * The only place the reconciler turns names and values into SQL text. DDL
 * cannot take bind parameters, so identifiers are quoted here, and only after
 * the model has vouched for them (its name rules), and default values are
 * written as escaped literals.
 */

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function qualified(schema: string, table: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(table)}`;
}

export function quoteLiteral(value: string): string {
  // standard_conforming_strings is on in every supported PostgreSQL: only quotes need doubling.
  return `'${value.replace(/'/g, "''")}'`;
}

export function columnList(columns: readonly string[]): string {
  return columns.map(quoteIdent).join(', ');
}
