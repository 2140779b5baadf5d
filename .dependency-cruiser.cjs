// Import boundaries of src/, checked by `npm run deps` and scripts/test-all.sh (dependency-cruiser).
// The layers, bottom up: plan (the contract: types, defaults, validation) ← dsl (builds plans) ← load
// (evaluates files) and runtime/cgroup/network/state/… (carry a plan out) ← start, lifecycle, api ←
// commands ← cli (the executable's entry). An import goes down, never up, and no folder imports its way
// back to itself: a cycle between folders means a rule with two homes.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'A module that imports itself through others: one of them is in the wrong place.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'no-folder-cycle',
      comment: 'Folders form layers: when two folders import each other, move the shared rule down (e.g. into plan/).',
      severity: 'error',
      scope: 'folder',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'plan-is-the-bottom',
      comment: 'The plan (types, defaults, validation) is the contract everything else reads; it imports nothing of haco but errors.ts (and its table, error-catalogue.ts).',
      severity: 'error',
      from: { path: '^src/plan/' },
      to: { path: '^src/', pathNot: ['^src/plan/', '^src/errors\\.ts$', '^src/error-catalogue\\.ts$'] },
    },
    {
      name: 'dsl-builds-plans-only',
      comment: 'The DSL records definitions into drafts of the plan; it does not reach the host, the loader or the CLI.',
      severity: 'error',
      from: { path: '^src/dsl/' },
      to: { path: '^src/', pathNot: ['^src/dsl/', '^src/plan/', '^src/errors\\.ts$', '^src/error-catalogue\\.ts$'] },
    },
    {
      name: 'executors-do-not-know-the-cli',
      comment: 'What carries a plan out (runtime, cgroup, network, state, bootstrap, provision, start, lifecycle, …) is used by commands, never the other way round.',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/cli/', '^src/commands/'] },
      to: { path: ['^src/cli/', '^src/commands/'] },
    },
    {
      name: 'runtime-does-not-evaluate',
      comment: 'The launch spec is compiled from a plan: runtime (the launcher-facing side) never loads definitions or builds them.',
      severity: 'error',
      from: { path: ['^src/runtime/', '^src/cgroup/', '^src/network/', '^src/state/'] },
      to: { path: ['^src/load/', '^src/dsl/', '^src/start/', '^src/lifecycle/', '^src/api/'] },
    },
    {
      name: 'fast-path-never-builds',
      comment: 'Starting from a cached plan (src/cli/fast-path.ts → src/start/) must not bundle the DSL, the plan builder or the evaluator: dist/cli-main.js stays small. Command-line toggles reach start through StartRequest.edit.',
      severity: 'error',
      from: { path: ['^src/start/', '^src/cli/(fast-path|entry|boot)\\.ts$'] },
      to: { path: ['^src/dsl/', '^src/plan/build\\.ts$', '^src/plan/schema', '^src/load/(?!cache\\.ts$)'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'no-tests-from-src',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^test/' },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that does not resolve fails at run time (src/cli/entry.ts requires the built oclif bundle beside it in dist/).',
      severity: 'error',
      from: { path: '^src/' },
      to: { couldNotResolve: true, pathNot: '^\\./oclif\\.js$' },
    },
    {
      name: 'no-dev-dependencies-in-src',
      comment: 'src/ ships to users: a devDependency there is missing after `npm install haco`.',
      severity: 'error',
      from: { path: '^src/' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    // node_modules is a symlink in worktrees: never descend into it, whatever its real path.
    doNotFollow: { path: 'node_modules' },
    // The generated schema validator is emitted code (scripts/gen-schema.mjs), bundled with its ajv runtime.
    exclude: { path: ['node_modules', '\\.generated\\.js$'] },
    // Type-only imports count: a layer that needs another's types depends on it.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['require', 'node', 'default', 'import'] },
  },
};
