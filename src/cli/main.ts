import { flush, handle, run } from '@oclif/core';
import New from '../commands/new';
import PlanCommand from '../commands/plan';
import Validate from '../commands/validate';
import Version from '../commands/version';
import { packageRoot } from '../package-root';

/**
 * Every command, loaded explicitly (oclif's "explicit" discovery strategy): no directory scan and no
 * manifest at start-up. Commands import their heavy modules (esbuild, execa) inside run().
 */
export const COMMANDS = {
  new: New,
  plan: PlanCommand,
  validate: Validate,
  version: Version,
};

export async function main(argv = process.argv.slice(2)): Promise<void> {
  try {
    await run(argv, packageRoot());
  } catch (error) {
    await handle(error as Error);
  } finally {
    await flush();
  }
}

if (require.main === module && process.env['HACO_ENTRY'] !== 'fast') {
  // Stack traces of evaluated definitions point at the user's .haco.ts lines.
  process.setSourceMapsEnabled(true);
  void main();
}
