/**
 * `cairn plan [dir]`: what `cairn apply` would change, and what it refuses.
 * Exit codes, terraform's -detailed-exitcode: 0 no changes, 2 changes
 * pending, 1 error or a refused plan.
 */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { collectList, loadValidModel, openProjectDatabase, useColor } from '../command-support.ts';

export const PLAN_FILE_KIND = 'cairn-plan';

export function registerPlanCommand(program: Command): void {
  program
    .command('plan')
    .description('show what apply would change in the database (exit 0: none, 2: changes, 1: error or refused)')
    .argument('[dir]', 'the config repository', '.')
    .option('--ref <ref>', 'plan from this git branch, tag or commit')
    .option('--env <name>', 'apply the overlays of environments/<name>/')
    .option('--format <format>', 'text, markdown or json', 'text')
    .option('--out <file>', 'save the plan (with its model) for `cairn apply --plan <file>`')
    .option('--allow-destructive <targets>', 'destructive changes to allow, by target (comma-separated, repeatable)', collectList)
    .action(async (dir: string, options: { ref?: string; env?: string; format: string; out?: string; allowDestructive?: string[] }) => {
      if (!['text', 'markdown', 'json'].includes(options.format)) throw new Error(`--format must be text, markdown or json, not ${options.format}`);
      const { createPlan, renderPlanJson, renderPlanMarkdown, renderPlanText } = await import('../../reconcile/index.ts');
      const loaded = await loadValidModel(dir, options);
      const db = await openProjectDatabase();
      try {
        const plan = await createPlan({ db, model: loaded.model, modelHash: loaded.hash, source: loaded.source, allowDestructive: options.allowDestructive ?? [] });
        const rendered =
          options.format === 'json' ? renderPlanJson(plan) : options.format === 'markdown' ? renderPlanMarkdown(plan) : renderPlanText(plan, { color: useColor(process.stdout) });
        process.stdout.write(rendered);
        if (options.out) await writeFile(options.out, `${JSON.stringify({ kind: PLAN_FILE_KIND, plan, model: loaded.model }, null, 2)}\n`);
        process.exitCode = plan.blockers.length > 0 ? 1 : plan.changes.length > 0 ? 2 : 0;
      } finally {
        await db.close();
      }
    });
}
