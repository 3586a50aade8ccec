/**
 * The signing secret: SECRET from the environment, else one generated once
 * and kept in `<dataDir>/secret` (mode 0600) so tokens survive a restart.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from './logger.ts';

export async function resolveSecret(options: { secret: string | undefined; dataDir: string; logger: Logger }): Promise<string> {
  if (options.secret !== undefined) return options.secret;
  const file = path.join(options.dataDir, 'secret');
  try {
    const stored = (await readFile(file, 'utf8')).trim();
    if (stored.length > 0) return stored;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const generated = randomBytes(48).toString('base64url');
  await mkdir(options.dataDir, { recursive: true });
  // 'wx' so two processes starting at once cannot overwrite each other's secret.
  try {
    await writeFile(file, `${generated}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return (await readFile(file, 'utf8')).trim();
    throw error;
  }
  options.logger.warn(
    { file },
    'SECRET is not set: generated one and stored it in the data directory. Set SECRET explicitly when several servers share a database.',
  );
  return generated;
}
