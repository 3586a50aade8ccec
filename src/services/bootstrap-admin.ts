/**
 * The first administrator and ADMIN_TOKEN, at start-up. On a database with
 * no users at all, one admin is created from ADMIN_EMAIL / ADMIN_PASSWORD,
 * or with a generated password the caller prints once; then ADMIN_TOKEN
 * becomes (or stops being) that admin's static token (admin-token.ts).
 * Safe against several servers starting at once.
 */
import { randomBytes } from 'node:crypto';
import { hash } from '@node-rs/argon2';
import type { Database } from '../db/index.ts';
import { syncAdminToken, type AdminTokenContext, type AdminTokenReport } from './admin-token.ts';

/** Built into every project: the role whose policy has adminAccess. Config cannot redefine it. */
export const ADMIN_ROLE = 'administrator';
export const DEFAULT_ADMIN_EMAIL = 'admin@example.com';

export interface BootstrapAdminResult {
  email: string;
  /** Set only when Cairn generated the password, so the caller can show it once. */
  generatedPassword: string | undefined;
}

export async function bootstrapAdmin(
  db: Database,
  options: { email: string | undefined; password: string | undefined },
): Promise<BootstrapAdminResult | undefined> {
  const existing = await db.knex('cairn_users').first(db.knex.raw('1 as one'));
  if (existing) return undefined;
  const email = options.email ?? DEFAULT_ADMIN_EMAIL;
  const generatedPassword = options.password === undefined ? randomBytes(18).toString('base64url') : undefined;
  const passwordHash = await hash(options.password ?? generatedPassword!);
  // Insert only while the table is still empty; a concurrent starter's insert wins the unique email.
  const result = await db.knex.raw(
    `insert into cairn_users (email, password, role, first_name, last_name)
     select ?, ?, ?, 'Admin', 'User'
     where not exists (select 1 from cairn_users)
     on conflict do nothing
     returning id`,
    [email, passwordHash, ADMIN_ROLE],
  );
  return (result as { rows: unknown[] }).rows.length > 0 ? { email, generatedPassword } : undefined;
}

export interface AdminAccessReport {
  /** The first admin, when this start created it. */
  created: BootstrapAdminResult | undefined;
  adminToken: AdminTokenReport;
}

/**
 * What `cairn serve` (and a test context with ADMIN_TOKEN) runs once the
 * system tables are migrated and the model loaded: the first admin, then
 * ADMIN_TOKEN as the static token of the admin user.
 */
export async function bootstrapAdminAccess(context: AdminTokenContext): Promise<AdminAccessReport> {
  const created = await bootstrapAdmin(context.db, { email: context.settings.adminEmail, password: context.settings.adminPassword });
  return { created, adminToken: await syncAdminToken(context) };
}
