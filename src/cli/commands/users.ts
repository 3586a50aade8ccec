/**
 * `cairn users create | set-password | token`: user administration from a
 * shell, on the database the settings name (as the server would open it).
 * Passwords come from --password, else a prompt (terminal) or stdin (pipe),
 * so they need not appear in shell history.
 */
import type { Command } from 'commander';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { openProjectDatabase } from '../command-support.ts';

async function readPassword(given: string | undefined): Promise<string> {
  if (given !== undefined) return given;
  if (!process.stdin.isTTY) {
    let text = '';
    for await (const chunk of process.stdin) text += String(chunk);
    return text.replace(/\r?\n$/, '');
  }
  // A prompt that does not echo what is typed.
  let muted = false;
  const output = new Writable({
    write(chunk, _encoding, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  return new Promise((resolve) => {
    rl.question('Password: ', (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
    muted = true;
  });
}

/** The services need a context: the database, the applied model (to check roles) and an identity cache. */
async function withUsersContext<T>(work: (context: import('../../services/users.ts').UsersContext) => Promise<T>): Promise<T> {
  const [{ createIdentityCache }, { createLogger, createModelStore }] = await Promise.all([import('../../auth/index.ts'), import('../../context/index.ts')]);
  const db = await openProjectDatabase();
  try {
    const logger = createLogger({ level: 'silent', pretty: false });
    const models = createModelStore({ db, logger });
    await models.reload();
    return await work({ db, models, identity: createIdentityCache({ db, logger }) });
  } finally {
    await db.close();
  }
}

async function userIdOf(context: { db: import('../../db/index.ts').Database }, email: string): Promise<string> {
  const { InvalidPayloadError } = await import('../../errors/index.ts');
  const row = await context.db.knex('cairn_users').whereRaw('lower(email) = lower(?)', [email.trim()]).first('id');
  if (!row) throw new InvalidPayloadError({ reason: `No user has the email "${email}"` });
  return row.id as string;
}

export function registerUsersCommands(program: Command): void {
  const users = program.command('users').description('create users, set passwords and issue static tokens');

  users
    .command('create')
    .description('create a user (active) with a password and optionally a role')
    .requiredOption('--email <email>', 'the email the user signs in with')
    .option('--password <password>', 'the password (omit to be prompted, or pipe it on stdin)')
    .option('--role <role>', 'a role of the applied config, or "administrator"')
    .option('--first-name <name>', 'first name')
    .option('--last-name <name>', 'last name')
    .option('--json', 'print the new user as JSON')
    .action(async (options: { email: string; password?: string; role?: string; firstName?: string; lastName?: string; json?: boolean }) => {
      const password = await readPassword(options.password);
      const { adminAccountability, createUsers } = await import('../../services/index.ts');
      const id = await withUsersContext(async (context) => {
        const user = {
          email: options.email,
          password,
          ...(options.role !== undefined ? { role: options.role } : {}),
          ...(options.firstName !== undefined ? { first_name: options.firstName } : {}),
          ...(options.lastName !== undefined ? { last_name: options.lastName } : {}),
        };
        const [created] = await createUsers({ context, accountability: adminAccountability(), items: [user] });
        return created!;
      });
      process.stdout.write(options.json ? `${JSON.stringify({ id, email: options.email, role: options.role ?? null })}\n` : `Created user ${options.email} (${id}).\n`);
    });

  users
    .command('set-password')
    .description("set a user's password")
    .requiredOption('--email <email>', 'the user')
    .option('--password <password>', 'the new password (omit to be prompted, or pipe it on stdin)')
    .action(async (options: { email: string; password?: string }) => {
      const password = await readPassword(options.password);
      const { adminAccountability, updateUsers } = await import('../../services/index.ts');
      await withUsersContext(async (context) => {
        const id = await userIdOf(context, options.email);
        await updateUsers({ context, accountability: adminAccountability(), keys: [id], data: { password } });
      });
      process.stdout.write(`Password of ${options.email} changed.\n`);
    });

  users
    .command('token')
    .description('issue a new static token for a user and print it once (only its hash is stored)')
    .requiredOption('--email <email>', 'the user')
    .option('--name <name>', 'a name to recognise the token by')
    .option('--expires <duration>', 'lifetime, such as 30d or 12h (default: never expires)')
    .option('--json', 'print {"token", "id", "expires_at"} as JSON')
    .action(async (options: { email: string; name?: string; expires?: string; json?: boolean }) => {
      const [{ hashToken, newStaticToken }, { parseDuration }, { InvalidPayloadError }, { ADMIN_TOKEN_NAME }] = await Promise.all([
        import('../../auth/index.ts'),
        import('../../context/index.ts'),
        import('../../errors/index.ts'),
        import('../../services/index.ts'),
      ]);
      // Start-up owns the row of that name: it would delete this token at the next start.
      if (options.name === ADMIN_TOKEN_NAME) throw new InvalidPayloadError({ reason: `--name ${ADMIN_TOKEN_NAME} is reserved for the ADMIN_TOKEN setting` });
      const lifetime = options.expires === undefined ? undefined : parseDuration(options.expires);
      if (lifetime === 0 || (options.expires !== undefined && lifetime === undefined)) throw new InvalidPayloadError({ reason: `--expires takes a duration such as 30d, not "${options.expires}"` });
      const token = newStaticToken();
      const row = await withUsersContext(async (context) => {
        const userId = await userIdOf(context, options.email);
        const [inserted] = await context.db
          .knex('cairn_tokens')
          .insert({ token_hash: hashToken(token), user_id: userId, name: options.name ?? null, expires_at: lifetime === undefined ? null : new Date(Date.now() + lifetime) })
          .returning(['id', 'expires_at']);
        return inserted as { id: string; expires_at: Date | null };
      });
      const expiresAt = row.expires_at === null ? null : new Date(row.expires_at).toISOString();
      process.stdout.write(
        options.json
          ? `${JSON.stringify({ token, id: row.id, expires_at: expiresAt })}\n`
          : `${token}\n\nA static token for ${options.email}${expiresAt ? `, valid until ${expiresAt}` : ''}. It is shown only this once: Cairn keeps just its hash.\nUse it as: Authorization: Bearer <token>\n`,
      );
    });
}
