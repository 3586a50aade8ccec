/**
 * Renderings of a plan and of an apply report: text for a terminal (like
 * terraform's), markdown for a pull-request comment, JSON for machines. Pure
 * functions of their input; nothing here prints.
 */
import type { ApplyReport } from './apply.ts';
import type { Change, Plan } from './plan-types.ts';

const SIGNS: Record<string, string> = { create: '+', add: '+', grant: '+', drop: '-', revoke: '-', rename: '~', alter: '~', update: '~' };

function sign(change: Change): string {
  return SIGNS[change.kind.split('.')[1]!] ?? '~';
}

export function summarize(plan: Plan): { add: number; change: number; destroy: number } {
  let add = 0;
  let change = 0;
  let destroy = 0;
  for (const c of plan.changes) {
    const s = sign(c);
    if (s === '+') add++;
    else if (s === '-') destroy++;
    else change++;
  }
  return { add, change, destroy };
}

export function renderPlanText(plan: Plan, options: { color: boolean }): string {
  const paint = (code: string) => (text: string) => (options.color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const green = paint('32');
  const red = paint('31');
  const yellow = paint('33');
  const bold = paint('1');
  const dim = paint('2');
  const colour = (s: string) => (s === '+' ? green : s === '-' ? red : yellow);
  const lines: string[] = [];
  if (plan.changes.length === 0) {
    lines.push(green('No changes. The database matches the configuration.'));
  } else {
    lines.push(bold('Cairn will perform these changes:'), '');
    for (const change of plan.changes) {
      const s = sign(change);
      const risk = change.risk === 'safe' ? '' : ` ${change.risk === 'destructive' ? red(`[${change.risk}]`) : yellow(`[${change.risk}]`)}`;
      const counts = change.checks
        .filter((check) => check.count !== undefined)
        .map((check) => (check.meaning === 'at-stake' ? `${check.count} at stake` : `${check.count} in the way`));
      lines.push(`  ${colour(s)(s)} ${change.description}${risk}${counts.length > 0 ? dim(` (${counts.join(', ')})`) : ''}`);
    }
    const { add, change, destroy } = summarize(plan);
    lines.push('', bold(`Plan: ${add} to add, ${change} to change, ${destroy} to destroy.`));
  }
  if (plan.unmanaged.tables.length + plan.unmanaged.columns.length > 0) {
    lines.push('', dim(`Not managed by Cairn, left alone: ${[...plan.unmanaged.tables, ...plan.unmanaged.columns].join(', ')} (adopt with cairn export).`));
  }
  if (plan.blockers.length > 0) {
    lines.push('', red(bold(`Refused (${plan.blockers.length}):`)));
    for (const blocker of plan.blockers) lines.push(`  ${red('✗')} ${blocker.message} ${dim(blocker.code)}`);
  }
  return `${lines.join('\n')}\n`;
}

export function renderPlanMarkdown(plan: Plan): string {
  const { add, change, destroy } = summarize(plan);
  const lines: string[] = [`### Cairn plan${plan.source.environment ? ` (${plan.source.environment})` : ''}`, ''];
  if (plan.changes.length === 0) {
    lines.push('No changes. The database matches the configuration.');
  } else {
    lines.push(`**${add} to add, ${change} to change, ${destroy} to destroy.**`, '');
    const destructive = plan.changes.filter((c) => c.risk === 'destructive');
    if (destructive.length > 0) {
      lines.push(`> [!WARNING]`, `> ${destructive.length} destructive change${destructive.length === 1 ? '' : 's'}: ${destructive.map((c) => `\`${c.target}\``).join(', ')}`, '');
    }
    lines.push('| | change | risk | rows |', '| --- | --- | --- | --- |');
    for (const c of plan.changes) {
      const rows = c.checks.map((check) => (check.count === undefined ? '' : `${check.count} ${check.meaning === 'at-stake' ? 'at stake' : 'in the way'}`)).filter(Boolean).join(', ');
      lines.push(`| ${sign(c)} | ${c.description.replace(/\|/g, '\\|')} | ${c.risk} | ${rows} |`);
    }
  }
  if (plan.blockers.length > 0) {
    lines.push('', '**Refused:**', '', ...plan.blockers.map((b) => `- ❌ ${b.message} (\`${b.code}\`)`));
  }
  if (plan.unmanaged.tables.length + plan.unmanaged.columns.length > 0) {
    lines.push('', `Not managed by Cairn, left alone: ${[...plan.unmanaged.tables, ...plan.unmanaged.columns].map((n) => `\`${n}\``).join(', ')}`);
  }
  if (plan.steps.length > 0) {
    lines.push('', '<details><summary>SQL</summary>', '', '```sql', ...plan.steps.map((s) => `${s.sql};`), '```', '', '</details>');
  }
  const commit = plan.source.commit ? ` at \`${plan.source.commit.slice(0, 7)}\`` : '';
  lines.push('', `<sub>model \`${plan.modelHash.slice(0, 12)}\`${commit}</sub>`);
  return `${lines.join('\n')}\n`;
}

export function renderPlanJson(plan: Plan): string {
  return `${JSON.stringify(plan, null, 2)}\n`;
}

export function renderApplyText(report: ApplyReport, options: { color: boolean }): string {
  const paint = (code: string) => (text: string) => (options.color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const lines: string[] = [];
  if (report.status === 'unchanged') {
    lines.push(paint('32')('Nothing to apply: the database already matches this configuration.'));
  } else if (report.status === 'applied') {
    lines.push(paint('32')(`Apply complete: ${report.steps.length} step${report.steps.length === 1 ? '' : 's'} in ${report.durationMs} ms.`));
  } else {
    const failed = report.steps.find((s) => s.status === 'failed');
    lines.push(paint('31')(`Apply ${report.status}: ${report.error?.message ?? ''}`));
    if (failed) lines.push(`  failed step: ${failed.sql}`);
  }
  return `${lines.join('\n')}\n`;
}
