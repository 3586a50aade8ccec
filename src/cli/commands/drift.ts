/**
 * `cairn drift [dir]` — does the live database still match what was applied,
 * and (given a repository) does the repository? Exit 0 no drift, 2 drift, 1 error.
 * `cairn status` — what was applied, when, by whom, and whether it drifted.
 */
import type { Command } from 'commander';
import { loadValidModel, openProjectDatabase, useColor } from '../command-support.ts';

export function registerDriftCommands(program: Command): void {
  program
    .command('drift')
    .description('report how the database differs from the applied model and from the repository (exit 0: none, 2: drift)')
    .argument('[dir]', 'the config repository to compare too (omit to compare the database with the applied model only)')
    .option('--ref <ref>', 'compare this git branch, tag or commit')
    .option('--env <name>', 'apply the overlays of environments/<name>/')
    .option('--json', 'print the report as JSON')
    .action(async (dir: string | undefined, options: { ref?: string; env?: string; json?: boolean }) => {
      const { detectDrift, renderDriftText } = await import('../../reconcile/index.ts');
      const repository = dir === undefined && options.ref === undefined ? undefined : (await loadValidModel(dir ?? '.', options)).model;
      const db = await openProjectDatabase();
      try {
        const report = await detectDrift({ db, ...(repository ? { repository } : {}) });
        process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : renderDriftText(report, { color: useColor(process.stdout) }));
        process.exitCode = report.drifted ? 2 : 0;
      } finally {
        await db.close();
      }
    });

  program
    .command('status')
    .description('show the applied config (commit, when, by whom) and whether the database drifted from it')
    .option('--json', 'print the status as JSON')
    .action(async (options: { json?: boolean }) => {
      const { detectDrift } = await import('../../reconcile/index.ts');
      const db = await openProjectDatabase();
      try {
        const report = await detectDrift({ db });
        const status = {
          applied: report.applied,
          drifted: report.drifted,
          driftedChanges: report.live.length + report.unmanagedColumns.length,
        };
        if (options.json) process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
        else if (!report.applied) process.stdout.write('Nothing has been applied to this database yet.\n');
        else {
          const a = report.applied;
          process.stdout.write(
            [
              `Applied:  model ${a.modelHash.slice(0, 12)}${a.sourceCommit ? `, commit ${a.sourceCommit.slice(0, 7)}` : ''}${a.sourceRef ? ` (${a.sourceRef})` : ''}`,
              `When:     ${new Date(a.appliedAt).toISOString()}${a.durationMs === null ? '' : ` (${a.durationMs} ms)`}`,
              `By:       ${a.appliedBy ?? 'unknown'}`,
              `Drift:    ${report.drifted ? `yes, ${status.driftedChanges} difference${status.driftedChanges === 1 ? '' : 's'} (run cairn drift)` : 'none'}`,
              '',
            ].join('\n'),
          );
        }
      } finally {
        await db.close();
      }
    });
}
