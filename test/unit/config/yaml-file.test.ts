import { describe, expect, it } from 'vitest';
import { parseYamlFile } from '../../../src/config/index.ts';

const text = `collection: articles
fields:
  title: { type: string, maxLength: 200 }
  tags:
    - one
    - two
`;

describe('parseYamlFile', () => {
  it('locates keys and values by path', () => {
    const file = parseYamlFile('collections/articles.yaml', text);
    expect(file.diagnostics).toEqual([]);
    expect(file.locate(['collection'])).toEqual({ line: 1, col: 13 });
    expect(file.locate(['fields', 'title', 'maxLength'], 'key')).toEqual({ line: 3, col: 26 });
    expect(file.locate(['fields', 'title', 'maxLength'])).toEqual({ line: 3, col: 37 });
    expect(file.locate(['fields', 'tags', 1])).toEqual({ line: 6, col: 7 });
    expect(file.lineText(3)).toBe('  title: { type: string, maxLength: 200 }');
  });

  it('points a missing path at its nearest existing ancestor', () => {
    const file = parseYamlFile('x.yaml', text);
    expect(file.locate(['fields', 'title', 'nope', 'deeper'])).toEqual(file.locate(['fields', 'title']));
    expect(file.locate(['fields', 'tags', 9])).toEqual(file.locate(['fields', 'tags']));
  });

  it('reports a syntax error with its position instead of throwing', () => {
    const file = parseYamlFile('bad.yaml', 'collection: a\nfields: { title: [\n');
    expect(file.value).toBeUndefined();
    expect(file.diagnostics[0]).toMatchObject({ code: 'CONFIG_YAML_SYNTAX', file: 'bad.yaml' });
    expect(file.diagnostics[0]!.line).toBeGreaterThanOrEqual(2);
  });

  it('reports duplicate keys at the second occurrence', () => {
    const file = parseYamlFile('dup.yaml', 'collection: a\nnote: x\nnote: y\n');
    expect(file.diagnostics).toEqual([
      { code: 'CONFIG_DUPLICATE_KEY', file: 'dup.yaml', line: 3, col: 1, message: 'this key appears twice in the same mapping' },
    ]);
  });

  it('refuses an alias bomb instead of expanding it', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 0; i < 12; i++) bomb.push(`${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`);
    const file = parseYamlFile('bomb.yaml', bomb.join('\n'));
    expect(file.value).toBeUndefined();
    expect(file.diagnostics[0]!.code).toBe('CONFIG_YAML_SYNTAX');
  });
});
