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
import type { ApplyReport, Plan } from '../../reconcile/index.ts';
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
      const { applyPlan, createPlan, planAndApply, renderApplyText, renderPlanText } = await import('../../reconcile/index.ts');
      const color = useColor(process.stdout);
      const appliedBy = process.env.CAIRN_APPLIED_BY ?? process.env.GITHUB_ACTOR ?? os.userInfo().username;
      const onStep = (step: { sql: string }, index: number, total: number) => process.stdout.write(`  [${index + 1}/${total}] ${step.sql.split('\n')[0]}\n`);
      const db = await openProjectDatabase();
      try {
        let report: ApplyReport;
        if (options.plan !== undefined) {
          // Exactly the reviewed plan, or nothing.
          const { plan, model } = await readPlanFile(options.plan);
          process.stdout.write(renderPlanText(plan, { color }));
          report = await applyPlan({ db, plan, model, appliedBy, onStep });
        } else {
          const loaded = await loadValidModel(dir, options);
          const planOptions = { db, model: loaded.model, modelHash: loaded.hash, source: loaded.source, allowDestructive: options.allowDestructive ?? [] };
          if (options.autoApprove) {
            // Planned inside the apply's lock: a concurrent apply is waited for, then planned against.
            ({ report } = await planAndApply({ ...planOptions, appliedBy, onStep, onPlan: (plan) => process.stdout.write(renderPlanText(plan, { color })) }));
          } else {
            const plan = await createPlan(planOptions);
            process.stdout.write(renderPlanText(plan, { color }));
            if (plan.blockers.length > 0) {
              process.exitCode = 1;
              return;
            }
            // No change to confirm: applying only records the model (a note, say, changed).
            if (plan.changes.length > 0) {
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
            report = await applyPlan({ db, plan, model: loaded.model, appliedBy, onStep });
          }
        }
        process.stdout.write(renderApplyText(report, { color }));
        process.exitCode = report.status === 'applied' || report.status === 'unchanged' ? 0 : 1;
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
