/**
 * haco's process entry (dist/cli-main.js, loaded by dist/cli.js: src/cli/boot.ts). The hot paths — `haco version` and `haco plan`/`start` on a
 * definition whose cached plan is fresh — are answered here without loading oclif, whose start-up
 * alone costs several times node's own. Anything else, including every error and `--help`, goes to
 * the full oclif CLI (dist/oclif.js), so behaviour and messages have one source.
 */
import { tryFastPath } from './fast-path';

void (async () => {
  const argv = process.argv.slice(2);
  if (await tryFastPath(argv)) return;
  const full = require('./oclif.js') as { main(argv: string[]): Promise<void> };
  await full.main(argv);
})();
