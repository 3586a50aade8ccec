/**
 * `cairn apply [dir]`: plan, confirm, apply in one transaction. With --plan,
 * applies exactly that reviewed plan, or refuses if the database moved since.
 */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { ConfirmationRequiredError, PlanFileInvalidError } from '../../errors/index.ts';
import { modelHash, type Model } from '../../model/index.ts';
import type { Plan } from '../../reconcile/index.ts';
import { collectList, loadValidModel, openProjectDatabase, useColor } from '../command-support.ts';
import { PLAN_FILE_KIND } from './plan.ts';

export function registerApplyCommand(program: Command): void {
  program
    .command('apply')
    .description('make the database match the configuration, in one transaction')
    .argument('[dir]', 'the config repository', '.')
    .option('--ref <ref>', 'apply this git branch, tag or commit')
    .option('--env <name>', 'apply the overlays of environments/<name>/')
    .option('--plan <file>', 'apply exactly this plan (from cairn plan --out)')
    .option('--auto-approve', 'do not ask for confirmation')
    .option('--allow-destructive <targets>', 'destructive changes to allow, by target (comma-separated, repeatable)', collectList)
    .action(async (dir: string, options: { ref?: string; env?: string; plan?: string; autoApprove?: boolean; allowDestructive?: string[] }) => {
      const { applyPlan, createPlan, renderApplyText, renderPlanText } = await import('../../reconcile/index.ts');
      const color = useColor(process.stdout);
      let plan: Plan;
      let model: Model;
      const db = await openProjectDatabase();
      try {
        if (options.plan !== undefined) {
          ({ plan, model } = await readPlanFile(options.plan));
        } else {
          const loaded = await loadValidModel(dir, options);
          model = loaded.model;
          plan = await createPlan({ db, model, modelHash: loaded.hash, source: loaded.source, allowDestructive: options.allowDestructive ?? [] });
        }
        process.stdout.write(renderPlanText(plan, { color }));
        if (plan.blockers.length > 0) {
          process.exitCode = 1;
          return;
        }
        if (plan.changes.length === 0 && options.plan === undefined) return;
        if (!options.autoApprove && options.plan === undefined) {
          if (!process.stdin.isTTY) throw new ConfirmationRequiredError({});
          const prompt = createInterface({ input: process.stdin, output: process.stdout });
          const answer = await prompt.question('\nApply these changes? Only "yes" is accepted: ');
          prompt.close();
          if (answer.trim() !== 'yes') {
            process.stdout.write('Apply cancelled.\n');
            process.exitCode = 1;
            return;
          }
        }
        const report = await applyPlan({
          db,
          plan,
          model,
          appliedBy: process.env.CAIRN_APPLIED_BY ?? process.env.GITHUB_ACTOR ?? os.userInfo().username,
          onStep: (step, index, total) => process.stdout.write(`  [${index + 1}/${total}] ${step.sql.split('\n')[0]}\n`),
        });
        process.stdout.write(renderApplyText(report, { color }));
        process.exitCode = report.status === 'applied' ? 0 : 1;
      } finally {
        await db.close();
      }
    });
}

async function readPlanFile(file: string): Promise<{ plan: Plan; model: Model }> {
  let parsed: { kind?: unknown; plan?: Plan; model?: Model };
  try {
    parsed = JSON.parse(await readFile(file, 'utf8')) as typeof parsed;
  } catch (error) {
    throw new PlanFileInvalidError({ file, reason: (error as Error).message });
  }
  if (parsed.kind !== PLAN_FILE_KIND || !parsed.plan || !parsed.model) throw new PlanFileInvalidError({ file, reason: 'it was not written by cairn plan --out' });
  // The recorded model must be the one the plan was made for.
  if (modelHash(parsed.model) !== parsed.plan.modelHash) throw new PlanFileInvalidError({ file, reason: 'its model does not match the plan (edited by hand?)' });
  return { plan: parsed.plan, model: parsed.model };
}
