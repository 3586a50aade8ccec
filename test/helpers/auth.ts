/** Users for auth tests, made through the users service as an admin would. */
import type { Context } from '../../src/context/index.ts';
import { adminAccountability, createUsers } from '../../src/services/index.ts';

export async function createUser(context: Context, user: Record<string, unknown>): Promise<string> {
  const [id] = await createUsers({ context, accountability: adminAccountability(), items: [user] });
  return id!;
}

/** The claims of a JWT, without verifying it. */
export function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}
