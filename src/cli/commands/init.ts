/**
 * `cairn init <dir>`: start a config repository from the template: copy
 * schema-repo-template/ (with the JSON Schemas editors use, in .schemas/),
 * then make it a git repository with a first commit.
 */
import { cp, mkdir, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { InitTargetNotEmptyError } from '../../errors/index.ts';

const SCHEMAS_DIR = fileURLToPath(new URL('../../../platform/schemas/', import.meta.url));

export const TEMPLATE_DIR = fileURLToPath(new URL('../../../schema-repo-template/', import.meta.url));

export function registerInitCommand(program: Command): void {
  program
    .command('init')
    .description('create a config repository from the template, as a git repository with a first commit')
    .argument('<dir>', 'where to create it (must not exist, or be empty)')
    .option('--author <name>', 'author of the first commit', process.env.GIT_AUTHOR_NAME ?? os.userInfo().username)
    .option('--email <email>', 'email of the first commit', process.env.GIT_AUTHOR_EMAIL ?? `${os.userInfo().username}@localhost`)
    .action(async (dir: string, options: { author: string; email: string }) => {
      const { initRepository } = await import('../../git/index.ts');
      const target = path.resolve(dir);
      const existing = await readdir(target).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return [];
        throw error;
      });
      if (existing.length > 0) throw new InitTargetNotEmptyError({ dir: target });
      await mkdir(target, { recursive: true });
      // The template's .schemas is a link into platform/schemas (npm does not pack links): copy the real files.
      await cp(TEMPLATE_DIR, target, { recursive: true, filter: (from) => path.basename(from) !== '.schemas' });
      await cp(SCHEMAS_DIR, path.join(target, '.schemas'), { recursive: true });
      const commit = await initRepository({ dir: target, message: 'Start from the Cairn template', author: { name: options.author, email: options.email } });
      process.stdout.write(`Created ${target} (commit ${commit.slice(0, 7)}).\nNext: cd ${dir} && cairn validate\n`);
    });
}
