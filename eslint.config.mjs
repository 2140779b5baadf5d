// Lint for TypeScript and the build scripts: typescript-eslint's type-aware recommended set (it catches
// floating promises and `any` leaking out of JSON.parse, which tsc does not). Type-aware costs about 40 s of
// CPU for the whole tree (measured on the 2-core dev machine); `npm run lint`, step "lint" of scripts/test-all.sh.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'native/**',
      // Generated (scripts/gen-schema.mjs): checked for freshness by a unit test, not linted.
      'src/plan/generated/**',
      // A syntax error on purpose (the loader's error report is tested with it).
      'test/fixtures/defs/syntax.haco.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // tsconfig has no noUncheckedIndexedAccess, so every `list[0]!` counts as "unnecessary" to this rule;
      // the `!` says "checked above, cannot be missing" to the reader and stays.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      // `_name` marks a parameter or binding kept for its position.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // A require() inside a function is how haco keeps `haco version` fast (node:crypto, the schema
      // validator and oclif load on first use); an `import` at the top would load them on every run.
      '@typescript-eslint/no-require-imports': 'off',
      // An async function that does not await keeps a Promise API (src/api) the same when it starts to.
      '@typescript-eslint/require-await': 'off',
      // Terminal output and launch specs are about control characters: matching them is the point.
      'no-control-regex': 'off',
    },
  },
  {
    // Tests: jest's asymmetric matchers (expect.any, objectContaining) are typed `any`, and fakes implement
    // async interfaces without awaiting anything.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    // Plain JavaScript run by node (build scripts, bench, jest config and transform): no type information.
    files: ['**/*.mjs', '**/*.js', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: globals.node },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Tutorial files are read by the docs and run by test/root/tutorial.test.ts; outside tsconfig's include.
    files: ['docs/**/*.ts'],
    ...tseslint.configs.disableTypeChecked,
  },
);
