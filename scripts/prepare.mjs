// npm's `prepare` for haco: the build (scripts/build.mjs), except when `npx haco` runs in a checkout.
//
// Why: with npm ≥ 9, `npx haco` in a directory whose package.json names a `haco` bin (haco's own
// checkout) does not look at node_modules/.bin first: npm exec links the checkout into the caller's npx
// cache (~/.npm/_npx/HASH/node_modules/haco → the checkout), runs its `prepare` there as the caller, then
// chmods the checkout's bin/haco (npm's bin-links). So:
// - in a checkout `scripts/setup.sh` (npm ci) already built, rebuilding is wasted work: skip it;
// - in someone else's checkout npm's chmod fails (EPERM, with npm's misleading "sudo chown -R ~/.npm"
//   advice): say what to do instead, before npm gets there.
// npm tells its scripts which command runs them (npm_command). A failed `npx` leaves npm's cache entry
// half made (later runs fail with ENOENT …/_npx/…/package.json): the message names it.
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** What bin/haco runs: without these, haco cannot start at all. The launcher is built on first use. */
const outputs = ['dist/cli.js', 'dist/cli-main.js', 'dist/oclif.js', 'dist/index.js', 'dist/evaluate-worker.js'];

if (process.env.npm_command === 'exec') {
  const bin = join(root, 'bin/haco');
  if (statSync(bin).uid !== process.getuid()) {
    tell(
      `haco: npx cannot run haco from ${root}: npm links the checkout into your npx cache and makes its\n` +
        `  bin/haco executable, which only its owner may do. Run ${bin} directly (same arguments),\n` +
        `  or clone the repository into a directory of your own and run \`bash scripts/setup.sh\` there.\n` +
        `  Then clear npm's half-made entry: rm -rf ~/.npm/_npx\n`,
    );
    process.exit(1);
  }
  if (outputs.every((f) => existsSync(join(root, f)))) process.exit(0);
}
await import('./build.mjs');

/**
 * npm exec pipes a lifecycle script's output and drops it when the script fails (npm 11.19: the npx
 * fails with status 1 and prints nothing), so the message also goes to the caller's terminal, if any.
 */
function tell(message) {
  process.stderr.write(message);
  if (process.stderr.isTTY) return;
  try {
    writeFileSync('/dev/tty', message);
  } catch {
    // no controlling terminal: the status is all npm passes on
  }
}
