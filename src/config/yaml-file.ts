/**
 * A YAML file parsed with its positions kept, so any path into its value can
 * be turned back into a line and column. Syntax errors and duplicate keys
 * become diagnostics instead of exceptions.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { Diagnostic } from '../model/index.ts';

export type Path = readonly (string | number)[];

export interface Position {
  line: number;
  col: number;
}

/** Finds a path of a (possibly merged) document in the file it came from. */
export type Locator = (at: Path, target?: 'key' | 'value') => Position & { file: string };

export interface YamlFile {
  path: string;
  text: string;
  /** The parsed value (undefined when the file could not be parsed). */
  value: unknown;
  diagnostics: Diagnostic[];
  /**
   * Where `at` is in the file. `key` points at the last segment's key (for
   * "unknown property"); `value` at its value. A path that does not exist
   * points at its nearest existing ancestor.
   */
  locate(at: Path, target?: 'key' | 'value'): Position;
  /** The text of a 1-based line, for showing the offending line. */
  lineText(line: number): string;
}

export function locatorOf(file: YamlFile): Locator {
  return (at, target) => ({ file: file.path, ...file.locate(at, target) });
}

export function parseYamlFile(path: string, text: string): YamlFile {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, keepSourceTokens: false });
  const lines = text.split(/\r?\n/);
  const position = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, col };
  };
  const diagnostics: Diagnostic[] = [...document.errors].map((error) => {
    const { line, col } = position(error.pos[0]);
    const duplicate = error.code === 'DUPLICATE_KEY';
    return {
      code: duplicate ? 'CONFIG_DUPLICATE_KEY' : 'CONFIG_YAML_SYNTAX',
      file: path,
      line,
      col,
      message: duplicate ? 'this key appears twice in the same mapping' : firstLine(error.message),
    };
  });
  let value: unknown;
  if (diagnostics.length === 0) {
    try {
      value = document.toJS({ maxAliasCount: 100 });
    } catch (error) {
      diagnostics.push({ code: 'CONFIG_YAML_SYNTAX', file: path, line: 1, col: 1, message: firstLine((error as Error).message) });
    }
  }
  return {
    path,
    text,
    value,
    diagnostics,
    locate: (at, target = 'value') => position(locateOffset(document, at, target)),
    lineText: (line) => lines[line - 1] ?? '',
  };
}

function locateOffset(document: Document, at: Path, target: 'key' | 'value'): number {
  let node: Node | null = document.contents;
  let offset = node?.range?.[0] ?? 0;
  for (const [index, segment] of at.entries()) {
    const last = index === at.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment));
      if (!pair) return offset;
      const key = pair.key as Node;
      if (last && target === 'key') return key.range?.[0] ?? offset;
      node = (pair.value as Node | null) ?? null;
      offset = node?.range?.[0] ?? key.range?.[0] ?? offset;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as Node | undefined;
      if (!item) return offset;
      node = item;
      offset = item.range?.[0] ?? offset;
    } else {
      return offset;
    }
  }
  return offset;
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}
