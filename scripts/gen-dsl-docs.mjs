// Writes docs/dsl.md from the TSDoc of the DSL classes, so the reference cannot drift from the code.
// Run: node scripts/gen-dsl-docs.mjs   (--check exits 1 when docs/dsl.md is stale; a unit test runs it)
import ts from 'typescript';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const files = ['container.ts', 'bootstrap.ts', 'provision.ts', 'seccomp.ts'].map((f) => join(root, 'src/dsl', f));

function docOf(node, source) {
  const ranges = ts.getLeadingCommentRanges(source.text, node.getFullStart()) ?? [];
  const last = ranges.filter((r) => source.text.slice(r.pos, r.pos + 3) === '/**').pop();
  if (!last) return '';
  return source.text
    .slice(last.pos + 3, last.end - 2)
    .split('\n')
    .map((l) => l.replace(/^\s*\* ?/, ''))
    .join('\n')
    .trim();
}

function signature(node, source) {
  const params = node.parameters.map((p) => p.getText(source).replace(/\s+/g, ' ')).join(', ');
  return `${node.name.getText(source)}(${params})`;
}

export const undocumented = [];

export function generate() {
  undocumented.length = 0;
  const out = [
    '# The haco DSL',
    '',
    'Generated from the TSDoc in `src/dsl/` by `node scripts/gen-dsl-docs.mjs` — edit the code, not this file.',
    'Every method returns a new builder (the receiver is unchanged). Each entry says which kernel feature it',
    'drives and how to see its effect.',
  ];
  for (const file of files) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    for (const statement of source.statements) {
      if (ts.isFunctionDeclaration(statement) && statement.name && statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) {
        const doc = docOf(statement, source);
        if (doc) out.push('', `## \`${signature(statement, source)}\``, '', doc);
      }
      if (!ts.isClassDeclaration(statement) || !statement.name) continue;
      out.push('', `## ${statement.name.text}`, '', docOf(statement, source));
      for (const member of statement.members) {
        if (!ts.isMethodDeclaration(member) || !member.name || ts.isPrivateIdentifier(member.name)) continue;
        const doc = docOf(member, source);
        if (!doc) undocumented.push(`${statement.name.text}.${member.name.getText(source)}`);
        if (!doc || doc.includes('@internal')) continue;
        out.push('', `### \`.${signature(member, source)}\``, '', doc);
      }
    }
  }
  return out.join('\n').replace(/\n{3,}/g, '\n\n') + '\n';
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const text = generate();
  const target = join(root, 'docs/dsl.md');
  if (process.argv.includes('--check')) {
    if (undocumented.length) {
      console.error(`DSL methods without TSDoc: ${undocumented.join(', ')}`);
      process.exit(1);
    }
    if (readFileSync(target, 'utf8') !== text) {
      console.error('docs/dsl.md is stale — run node scripts/gen-dsl-docs.mjs');
      process.exit(1);
    }
  } else {
    writeFileSync(target, text);
    console.log('wrote docs/dsl.md');
  }
}
