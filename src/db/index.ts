/** Public face of the database layer: opening a database and migrating its system tables. */
export { openDatabase, type Database, type DatabaseDriver, type OpenDatabaseOptions } from './open-database.ts';
export {
  ADVISORY_LOCK_CLASS,
  loadMigrations,
  migrate,
  PLATFORM_MIGRATIONS_DIR,
  type Migration,
  type MigrationReport,
  type MigrationStep,
} from './migrations.ts';
export { runStatement } from './statements.ts';
export { translatePgError } from './translate-pg-error.ts';
