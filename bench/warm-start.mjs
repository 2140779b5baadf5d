// The warm-start group of `npm run bench` (issue 19.1, docs/performance.md "`haco start` without Node"):
// `haco start FILE -- /bin/true` answered by the native front from its kept launch, next to `node -e 0`,
// `runc run` of the launch group's bundle (the same busybox rootfs, /bin/true) and the same start through
// Node, all in one hyperfine run. The first start (through Node) keeps the launch; the group checks that
// the measured command really runs without Node before timing it.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The runc bundle of the launch group, or one made the same way when that group did not run. */
function runcBundle(work, rootfs) {
  const dir = path.join(work, 'runc');
  if (fs.existsSync(path.join(dir, 'config.json'))) return dir;
  fs.mkdirSync(dir, { recursive: true });
  execFileSync('runc', ['spec'], { cwd: dir });
  const cfg = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
  cfg.process.args = ['/bin/true'];
  cfg.process.terminal = false;
  cfg.root = { path: rootfs, readonly: false };
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(cfg));
  return dir;
}

export function warmStartGroup({ haco, work, env, rootfs, def, measure, notes }) {
  // A run dir of the bench's own (measure() runs with ENV, so it is changed in place and put back).
  const saved = env.HACO_RUN_DIR;
  env.HACO_RUN_DIR = path.join(work, 'warm-run');
  try {
    group({ haco, work, env, rootfs, def, measure, notes });
  } finally {
    if (saved === undefined) delete env.HACO_RUN_DIR;
    else env.HACO_RUN_DIR = saved;
  }
}

function group({ haco, work, env, rootfs, def, measure, notes }) {
  const start = `${haco} start ${def} -- /bin/true`;
  execFileSync(haco, ['start', def, '--', '/bin/true'], { env, stdio: 'ignore' }); // through Node: keeps the launch
  const noNode = spawnSync('sh', ['-c', start], { env: { ...env, NODE_OPTIONS: '--require=/nonexistent-bench' }, encoding: 'utf8' });
  if (noNode.status !== 0) notes.push(`warm: the kept launch was not used (Node ran): ${noNode.stderr.trim().split('\n')[0]}`);
  measure('warm', {
    'node -e 0 (warm group)': 'node -e 0',
    'runc run (warm group)': `runc run --bundle ${runcBundle(work, rootfs)} haco-bench-warm-runc`,
    'haco start (no Node)': start,
    'haco start (through Node)': `env HACO_NO_FAST_START=1 ${start}`,
  });
}

/** The ratio lines the group adds (label, numerator, denominator, target). */
export const WARM_RATIOS = [
  ['haco start (no Node) / runc', 'haco start (no Node)', 'runc run (warm group)', 'target ≤ 0.8×'],
  ['haco start (no Node) / node', 'haco start (no Node)', 'node -e 0 (warm group)', 'target < 1×'],
  ['haco start (Node) / runc', 'haco start (through Node)', 'runc run (warm group)', ''],
];
