// Writes docs/dsl.md from the TSDoc of the DSL classes, so the reference cannot drift from the code.
// Run: node scripts/gen-dsl-docs.mjs   (--check exits 1 when docs/dsl.md is stale; a unit test runs it)
import ts from 'typescript';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const files = ['container.ts', 'bootstrap.ts', 'provision.ts', 'seccomp.ts'].map((f) => join(root, 'src/dsl', f));
// Plan types some options are made of (SeccompArg, IdMapEntry): their fields are listed too, not their methods.
const typeFiles = [join(root, 'src/plan/types.ts'), join(root, 'src/dsl/supervision.ts')];

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
/** Option interfaces (`…Options`) that no method parameter reaches: their fields would be missing from the page. */
export const unreachedOptions = [];

/** Inline code, also for text that holds backticks (template literal types). */
function code(text) {
  return text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``;
}

/** Every interface declared in the DSL files, by name: the options objects methods take. */
function interfacesOf(sources) {
  const map = new Map();
  for (const source of sources) {
    for (const statement of source.statements) if (ts.isInterfaceDeclaration(statement)) map.set(statement.name.text, { node: statement, source });
  }
  return map;
}

/** Names of the types a type node refers to (`CpuOptions | Percent` → CpuOptions, Percent), and its inline object types. */
function referencesIn(node) {
  const names = [];
  const literals = [];
  const walk = (n) => {
    if (ts.isTypeReferenceNode(n)) names.push(n.typeName.getText());
    if (ts.isTypeLiteralNode(n)) {
      literals.push(n);
      return;
    }
    // A callback's own parameters (the builder handed to it) are not options of this method, and
    // `DebootstrapBootstrap['variant']` is one field's type, not the whole plan entry.
    if (ts.isFunctionTypeNode(n) || ts.isIndexedAccessTypeNode(n)) return;
    ts.forEachChild(n, walk);
  };
  walk(node);
  return { names, literals };
}

/** The fields of an options type as a list: name, type, and the field's TSDoc on one line. */
function fieldLines(members, source) {
  const lines = [];
  for (const m of members) {
    if (!ts.isPropertySignature(m) || !m.type) continue;
    // One line; JSON-schema tags (@asType, @minimum …) are for the schema generator, not for readers.
    const doc = docOf(m, source).replace(/\s*\n\s*/g, ' ').replace(/\s*@\w+.*$/, '');
    const text = `${m.name.getText(source)}${m.questionToken ? '?' : ''}: ${m.type.getText(source).replace(/\s+/g, ' ')}`;
    lines.push(`- ${code(text)}${doc ? ` — ${doc}` : ''}`);
  }
  return lines;
}

/** What a method's parameters accept as options, and the option types their fields refer to in turn. */
function optionsSection(member, source, interfaces, reached) {
  const out = [];
  const seen = new Set();
  const queue = [];
  for (const p of member.parameters) {
    if (!p.type) continue;
    const { names, literals } = referencesIn(p.type);
    for (const literal of literals) out.push('', `${code(p.name.getText(source))}:`, '', ...fieldLines(literal.members, source));
    queue.push(...names);
  }
  while (queue.length > 0) {
    const name = queue.shift();
    const found = interfaces.get(name);
    if (!found || seen.has(name) || name.endsWith('Draft')) continue;
    seen.add(name);
    reached.add(name);
    out.push('', `${code(name)}:`, '', ...fieldLines(found.node.members, found.source));
    for (const m of found.node.members) if (ts.isPropertySignature(m) && m.type) queue.push(...referencesIn(m.type).names);
  }
  return out;
}

export function generate() {
  undocumented.length = 0;
  const out = [
    '# The haco DSL',
    '',
    'Generated from the TSDoc in `src/dsl/` by `node scripts/gen-dsl-docs.mjs` — edit the code, not this file.',
    'Every method returns a new builder (the receiver is unchanged). Each entry says which kernel feature it',
    'drives and how to see its effect.',
  ];
  unreachedOptions.length = 0;
  const sources = files.map((file) => ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true));
  const interfaces = interfacesOf([...sources, ...typeFiles.map((file) => ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true))]);
  const reached = new Set();
  for (const source of sources) {
    for (const statement of source.statements) {
      if (ts.isFunctionDeclaration(statement) && statement.name && statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) {
        const doc = docOf(statement, source);
        if (doc) out.push('', `## ${code(signature(statement, source))}`, '', doc);
      }
      if (!ts.isClassDeclaration(statement) || !statement.name) continue;
      out.push('', `## ${statement.name.text}`, '', docOf(statement, source));
      for (const member of statement.members) {
        if (!ts.isMethodDeclaration(member) || !member.name || ts.isPrivateIdentifier(member.name)) continue;
        const doc = docOf(member, source);
        if (!doc) undocumented.push(`${statement.name.text}.${member.name.getText(source)}`);
        if (!doc || doc.includes('@internal')) continue;
        out.push('', `### ${code(`.${signature(member, source)}`)}`, '', doc, ...optionsSection(member, source, interfaces, reached));
      }
    }
  }
  for (const name of interfaces.keys()) if (name.endsWith('Options') && !reached.has(name)) unreachedOptions.push(name);
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
    if (unreachedOptions.length) {
      console.error(`options types no DSL method takes (their fields are not documented): ${unreachedOptions.join(', ')}`);
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
