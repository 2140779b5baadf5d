// Writes docs/errors.md from src/error-catalogue.ts (the one table of exit codes and error codes), so the
// reference cannot drift from the code.
// Run: node scripts/gen-error-docs.mjs   (--check exits 1 when docs/errors.md is stale; a unit test runs it)
import { transformSync } from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'src/error-catalogue.ts');

/** The catalogue module: it imports nothing, so esbuild's TS → CommonJS transform is enough to load it. */
export function loadCatalogue() {
  const { code } = transformSync(readFileSync(source, 'utf8'), { loader: 'ts', format: 'cjs' });
  const module = { exports: {} };
  new Function('module', 'exports', code)(module, module.exports);
  return module.exports;
}

const cell = (text) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function generate() {
  const { EXIT, EXIT_MEANINGS, ERROR_AREAS, ERROR_CODES } = loadCatalogue();
  const out = [
    '# Errors and exit codes',
    '',
    'Generated from `src/error-catalogue.ts` by `node scripts/gen-error-docs.mjs` — edit the catalogue, not this file.',
    '',
    'Every error haco reports on purpose has a stable **code** (shown in brackets after the message, and as',
    '`error.code` with `--json`), a **hint** that says what to do, and an **exit code** from the table below.',
    'Errors from a definition file also point at the file, line and column. The message and hint printed with',
    'an error are specific to the case; the table below says what each code means in general.',
    '',
    '**Adding a code** (for contributors): add one line to `ERROR_CODES` in `src/error-catalogue.ts`, under its',
    'area, then run `node scripts/gen-error-docs.mjs`. `HacoError`\'s code is typed as a key of that table, so',
    'a code that is not there fails `tsc`; `test/unit/errors/catalogue.test.ts` fails when this file is stale,',
    'when src/ uses an unlisted code, or when a listed code is no longer used.',
    '',
    '## Exit codes',
    '',
    '| Exit | Name | Meaning |',
    '|---:|---|---|',
    ...Object.entries(EXIT).map(([name, value]) => `| ${value} | \`${name}\` | ${cell(EXIT_MEANINGS[name])} |`),
    '',
    'A container started in the foreground passes its own exit status through (128+N when a signal N killed it);',
    'a failing provision step makes haco exit with the step\'s status.',
  ];
  for (const [area, title] of Object.entries(ERROR_AREAS)) {
    const codes = Object.entries(ERROR_CODES).filter(([, info]) => info.area === area);
    if (codes.length === 0) continue;
    out.push('', `## ${title}`, '', '| Code | Meaning | What usually fixes it |', '|---|---|---|');
    for (const [code, info] of codes) out.push(`| <a id="${code.toLowerCase()}"></a>\`${code}\` | ${cell(info.meaning)} | ${cell(info.hint)} |`);
  }
  return out.join('\n') + '\n';
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const text = generate();
  const target = join(root, 'docs/errors.md');
  if (process.argv.includes('--check')) {
    if (readFileSync(target, 'utf8') !== text) {
      console.error('docs/errors.md is stale — run node scripts/gen-error-docs.mjs');
      process.exit(1);
    }
  } else {
    writeFileSync(target, text);
    console.log('wrote docs/errors.md');
  }
}
