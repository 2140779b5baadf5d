import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';

const root = path.join(__dirname, '../../..');

describe('docs/dsl.md', () => {
  it('documents every DSL method and is generated from the current TSDoc', () => {
    const r = spawnSync(process.execPath, [path.join(root, 'scripts/gen-dsl-docs.mjs'), '--check'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r).toExitWith(0);
  });

  it('lists every field of every options object (network({…}), bootstrap and provision options, …)', () => {
    const docs = fs.readFileSync(path.join(root, 'docs/dsl.md'), 'utf8');
    const missing: string[] = [];
    let checked = 0;
    for (const file of fs.readdirSync(path.join(root, 'src/dsl'))) {
      const source = ts.createSourceFile(file, fs.readFileSync(path.join(root, 'src/dsl', file), 'utf8'), ts.ScriptTarget.Latest, true);
      for (const statement of source.statements) {
        if (!ts.isInterfaceDeclaration(statement) || !statement.name.text.endsWith('Options')) continue;
        const at = docs.indexOf(`\`${statement.name.text}\`:\n`);
        if (at < 0) {
          missing.push(statement.name.text);
          continue;
        }
        const list = docs.slice(at).split('\n\n')[1] ?? '';
        for (const member of statement.members) {
          const name = member.name?.getText(source);
          checked++;
          const field = `${name}${member.questionToken ? '?' : ''}: `;
          // Inline code, in double backticks when the type holds one (`${number}`).
          if (!name || !(list.includes(`- \`${field}`) || list.includes(`- \`\` ${field}`))) missing.push(`${statement.name.text}.${name}`);
        }
      }
    }
    expect(missing).toEqual([]);
    expect(checked).toBeGreaterThan(50);
    // Inline options objects too: provision(…, { network }).
    expect(docs).toMatch(/### `\.provision\([^\n]*\n[\s\S]*?`options`:\n\n- `network\?: boolean`/);
  });
});
