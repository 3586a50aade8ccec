/**
 * The one place PostgreSQL errors become catalogue errors (Directus's codes):
 * unique, not-null and foreign-key violations, values too long or out of
 * range, text the column type cannot read. Anything else is left as it is
 * (and becomes INTERNAL_SERVER_ERROR at the edge).
 */
import {
  InvalidForeignKeyError,
  InvalidPayloadError,
  NotNullViolationError,
  RecordNotUniqueError,
  ValueOutOfRangeError,
  ValueTooLongError,
  type CairnError,
} from '../errors/index.ts';

interface PgError {
  code?: string;
  table?: string;
  column?: string;
  constraint?: string;
  detail?: string;
}

/** `<table>_<column>_key` / `_fkey` as Cairn names constraints; the field is the middle part. */
function fieldOf(error: PgError, suffix: string): string | null {
  if (error.column) return error.column;
  const table = error.table ?? '';
  const name = error.constraint ?? '';
  if (name.startsWith(`${table}_`) && name.endsWith(`_${suffix}`)) return name.slice(table.length + 1, -suffix.length - 1);
  return /Key \(([^)]+)\)=/.exec(error.detail ?? '')?.[1] ?? null;
}

function valueOf(error: PgError): string | undefined {
  return /Key \([^)]+\)=\((.*)\)/.exec(error.detail ?? '')?.[1];
}

export function translatePgError(error: unknown, where: { collection: string; primaryKey: string }): CairnError | undefined {
  const { collection } = where;
  const pg = error as PgError;
  switch (pg?.code) {
    case '23505':
      return new RecordNotUniqueError({ collection, field: pg.constraint?.endsWith('_pkey') ? where.primaryKey : fieldOf(pg, 'key'), value: valueOf(pg) });
    case '23502':
      return new NotNullViolationError({ collection, field: pg.column ?? null });
    case '23503':
      return new InvalidForeignKeyError({ collection, field: fieldOf(pg, 'fkey'), value: valueOf(pg) });
    case '22001':
      return new ValueTooLongError({ collection, field: pg.column ?? null });
    case '22003':
      return new ValueOutOfRangeError({ collection, field: pg.column ?? null });
    case '22P02':
    case '22007':
    case '22008':
      return new InvalidPayloadError({ reason: `A value does not fit its field in "${collection}"` });
    default:
      return undefined;
  }
}
