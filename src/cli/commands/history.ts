/**
 * `cairn history <collection> <key>` — the published history of an item from
 * the audit git repository (the one the applied model names), newest first;
 * with --from/--to, what changed in its file between two commits.
 */
import type { Command } from 'commander';
import { openProjectDatabase } from '../command-support.ts';

export function registerHistoryCommand(program: Command): void {
  program
    .command('history')
    .description("list the commits of an item's published history in the audit repository, newest first")
    .argument('<collection>', 'the collection')
    .argument('<key>', "the item's primary key")
    .option('--from <sha>', 'show what changed from this commit (default: the commit before --to)')
    .option('--to <sha>', 'show what changed up to this commit (default: the newest)')
    .option('--json', 'print {collection, key, path, commits, diff} as JSON')
    .action(async (collection: string, key: string, options: { from?: string; to?: string; json?: boolean }) => {
      const [{ readAuditHistory }, { readAppliedConfig }, { ForbiddenError }] = await Promise.all([
        import('../../audit/index.ts'),
        import('../../reconcile/index.ts'),
        import('../../errors/index.ts'),
      ]);
      const db = await openProjectDatabase();
      try {
        const applied = await readAppliedConfig(db.knex);
        if (!applied) throw new ForbiddenError({ reason: 'Nothing has been applied to this database yet, so it has no collections.' });
        if (!Object.hasOwn(applied.model.collections, collection)) throw new ForbiddenError({ reason: `The applied model has no collection "${collection}".` });
        const history = await readAuditHistory({ db, model: applied.model, collection, key, from: options.from, to: options.to });
        if (options.json) {
          process.stdout.write(`${JSON.stringify(history, null, 2)}\n`);
          return;
        }
        const lines: string[] = [];
        if (history.commits.length === 0) lines.push(`No published history for ${history.path}.`);
        for (const commit of history.commits) {
          lines.push(`${commit.sha.slice(0, 12)}  ${commit.author.date}  ${commit.author.name} <${commit.author.email}>`);
          lines.push(`    ${commit.message}`);
          for (const [name, value] of Object.entries(commit.trailers)) lines.push(`    ${name}: ${value}`);
        }
        if (history.diff) {
          const { from, to, added, removed, changed } = history.diff;
          lines.push('', `Changes ${from === null ? '(new file)' : from.slice(0, 12)} → ${to.slice(0, 12)}:`);
          for (const [field, value] of Object.entries(added)) lines.push(`  + ${field}: ${JSON.stringify(value)}`);
          for (const [field, value] of Object.entries(removed)) lines.push(`  - ${field}: ${JSON.stringify(value)}`);
          for (const [field, change] of Object.entries(changed)) lines.push(`  ~ ${field}: ${JSON.stringify(change.from)} → ${JSON.stringify(change.to)}`);
          if (Object.keys(added).length + Object.keys(removed).length + Object.keys(changed).length === 0) lines.push('  (no changes)');
        }
        process.stdout.write(`${lines.join('\n')}\n`);
      } finally {
        await db.close();
      }
    });
}
