/**
 * Renders a validation result the way compilers do: grouped by file, each
 * problem with its position, code and message, the offending line with a
 * caret, and the hint. Pure: returns text, never prints.
 */
import type { Diagnostic } from '../model/index.ts';
import type { LoadedConfig } from './load-config.ts';

export interface FormatOptions {
  color: boolean;
}

const paint = (on: boolean, code: string) => (text: string) => (on ? `\u001b[${code}m${text}\u001b[0m` : text);

export function formatValidationText(result: LoadedConfig, options: FormatOptions): string {
  const bold = paint(options.color, '1');
  const red = paint(options.color, '31');
  const dim = paint(options.color, '2');
  const green = paint(options.color, '32');
  const cyan = paint(options.color, '36');
  if (result.diagnostics.length === 0) {
    const model = result.model!;
    const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
    const collections = Object.values(model.collections).filter((c) => !c.junction).length;
    return `${green('✓')} ${result.source.description} is valid: ${[
      count(collections, 'collection'),
      count(Object.keys(model.policies).length, 'policy').replace('policys', 'policies'),
      count(Object.keys(model.roles).length, 'role'),
      count(Object.keys(model.flows).length, 'flow'),
      count(Object.keys(model.extensions).length, 'extension'),
    ].join(', ')}${model.project.environment ? ` (environment ${model.project.environment})` : ''}; model ${result.hash!.slice(0, 12)}\n`;
  }
  const lines: string[] = [];
  const byFile = new Map<string, Diagnostic[]>();
  for (const diagnostic of result.diagnostics) byFile.set(diagnostic.file, [...(byFile.get(diagnostic.file) ?? []), diagnostic]);
  for (const [file, diagnostics] of byFile) {
    lines.push(bold(file));
    for (const d of diagnostics) {
      lines.push(`  ${dim(`${d.line}:${d.col}`)}  ${red('error')}  ${d.message}  ${dim(d.code)}`);
      const source = result.files.get(file)?.lineText(d.line);
      if (source !== undefined && source.trim() !== '') {
        const gutter = String(d.line).padStart(5);
        lines.push(`${dim(`${gutter} |`)} ${source}`);
        lines.push(`${dim(`${' '.repeat(5)} |`)} ${' '.repeat(Math.max(0, d.col - 1))}${red('^')}`);
      }
      if (d.hint) lines.push(`        ${cyan('hint:')} ${d.hint}`);
    }
    lines.push('');
  }
  const errors = result.diagnostics.length;
  lines.push(red(`✗ ${errors} error${errors === 1 ? '' : 's'} in ${byFile.size} file${byFile.size === 1 ? '' : 's'}`));
  return `${lines.join('\n')}\n`;
}

export function formatValidationJson(result: LoadedConfig): string {
  return `${JSON.stringify(
    {
      valid: result.diagnostics.length === 0,
      source: result.source,
      modelHash: result.hash ?? null,
      diagnostics: result.diagnostics,
    },
    null,
    2,
  )}\n`;
}
