// Two projects: `unit` needs nothing special; `root` starts real containers and must run as root,
// one file at a time (they share the haco cgroup parent and the machine's namespaces).
const transform = { '^.+\\.(t|j|mj)sx?$': '<rootDir>/test/support/esbuild-transform.js' };
// execa, chalk and their dependencies ship ESM only: let the transform turn them into CommonJS.
const transformIgnorePatterns = [];
const moduleNameMapper = {
  '^haco$': '<rootDir>/src/index.ts',
  // unicorn-magic (an execa dependency) exports only an `import` condition, which jest's CommonJS
  // resolver does not match; point it at the file, which the transform turns into CommonJS.
  '^unicorn-magic$': '<rootDir>/node_modules/unicorn-magic/node.js',
};

// `expect(result).toExitWith(0)`, which shows a failed command's output (test/support/exit-matcher.ts).
const setupFilesAfterEnv = ['<rootDir>/test/support/exit-matcher.ts'];

module.exports = {
  projects: [
    {
      displayName: 'unit',
      testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
      transform,
      transformIgnorePatterns,
      moduleNameMapper,
      testEnvironment: 'node',
      setupFilesAfterEnv,
    },
    {
      displayName: 'root',
      testMatch: ['<rootDir>/test/root/**/*.test.ts'],
      transform,
      transformIgnorePatterns,
      moduleNameMapper,
      testEnvironment: 'node',
      setupFilesAfterEnv,
    },
  ],
};
