// The static native launcher applied to a real pure cgroup-v2 kernel (the cgroup-v2 VM tier): a hand-written
// launch spec (docs/launch-spec.md) creates /sys/fs/cgroup/haco/vmtest, writes v2 limits, joins the child
// to it, and the cleanup-cgroup step removes it after the container exits.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeVm, runInVm, type VmAvailability } from '../support/vm';

jest.setTimeout(180_000);

const ROOT = path.resolve(__dirname, '..', '..');
const LAUNCHER = path.join(ROOT, 'native', 'build', 'haco-launch-static');
const CG = '/sys/fs/cgroup/haco/vmtest';

/** `make -C native static` (incremental), then check the result is a static executable. */
function staticLauncher(): VmAvailability {
  const makefile = path.join(ROOT, 'native', 'Makefile');
  if (!fs.existsSync(makefile)) return { ok: false, reason: 'native/Makefile does not exist yet' };
  if (!/^static\s*:/m.test(fs.readFileSync(makefile, 'utf8'))) {
    return { ok: false, reason: 'native/Makefile has no `static` target' };
  }
  const make = spawnSync('make', ['-C', path.join(ROOT, 'native'), '--no-print-directory', 'static'], { encoding: 'utf8' });
  if (make.status !== 0) {
    return { ok: false, reason: `make -C native static failed:\n${make.stdout}${make.stderr}`.slice(0, 4000) };
  }
  if (!fs.existsSync(LAUNCHER)) return { ok: false, reason: `make -C native static did not produce ${LAUNCHER}` };
  if (spawnSync('ldd', [LAUNCHER], { stdio: 'ignore' }).status === 0) {
    return { ok: false, reason: `${LAUNCHER} is dynamically linked; the VM has no libc` };
  }
  return { ok: true };
}

/** Percent-encoding of one launch-spec field (docs/launch-spec.md, "Encoding"). */
function field(value: string): string {
  if (value === '') return '%-';
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += byte < 0x20 || byte === 0x7f || c === '%' || c === ' ' ? `%${byte.toString(16).toUpperCase().padStart(2, '0')}` : c;
  }
  return out;
}

function spec(steps: string[][]): string {
  return ['haco-launch 1', ...steps.map((s) => s.map(field).join(' '))].join('\n') + '\n';
}

/** Steps shared by the tests: the haco parent with controllers delegated, the container cgroup with limits. */
const cgroupSteps = [
  ['name', 'vmtest'],
  ['cleanup-cgroup', CG],
  ['cgroup-mkdir', '/sys/fs/cgroup/haco'],
  ['cgroup-write', '/sys/fs/cgroup/haco/cgroup.subtree_control', '+cpu +memory +pids'],
  ['cgroup-mkdir', CG],
  ['cgroup-write', `${CG}/pids.max`, '16'],
  ['cgroup-write', `${CG}/cpu.max`, '30000 100000'],
  ['cgroup-write', `${CG}/memory.max`, '67108864'],
];

/** Prints `key: value` lines; `$(cat …)` is not used for reads so that no fork is needed. */
const rd = (key: string, file: string): string => `read -r v < ${file}; echo "${key}: $v"`;

function lines(output: string): Record<string, string> {
  const kv: Record<string, string> = {};
  for (const l of output.split('\n')) {
    const m = /^([a-z0-9.-]+): (.*)$/.exec(l);
    if (m) kv[m[1]] = m[2];
  }
  return kv;
}

describeVm(
  'haco-launch-static on a pure cgroup-v2 kernel',
  () => {
    test('creates the cgroup, writes v2 limits, joins the container, removes the cgroup after exit', async () => {
      const inner = [
        rd('cgroup', '/proc/self/cgroup'),
        rd('pids.max', `${CG}/pids.max`),
        rd('cpu.max', `${CG}/cpu.max`),
        rd('memory.max', `${CG}/memory.max`),
        rd('controllers', `${CG}/cgroup.controllers`),
        `procs=''; while read -r p; do procs="$procs $p"; done < ${CG}/cgroup.procs; echo "procs:$procs"`,
        'echo "self: $$"',
        'exit 7',
      ].join('\n');
      const r = await runInVm({
        files: {
          '/bin/haco-launch': LAUNCHER,
          '/specs/limits.spec': { content: spec([...cgroupSteps, ['spawn', '-'], ['cgroup-join', CG], ['release'], ['exec', '/bin/busybox', 'sh', '-c', inner]]) },
        },
        script: [
          'haco-launch --trace --spec /specs/limits.spec',
          'echo "launcher-rc: $?"',
          `if [ -e ${CG} ]; then echo "after: present"; else echo "after: removed"; fi`,
          'if [ -d /sys/fs/cgroup/haco ]; then echo "parent: present"; fi',
        ].join('\n'),
      });
      const kv = lines(r.output);
      expect({ output: r.output, kv }).toMatchObject({
        kv: {
          cgroup: '0::/haco/vmtest',
          'pids.max': '16',
          'cpu.max': '30000 100000',
          'memory.max': '67108864',
          'launcher-rc': '7',
          after: 'removed',
          parent: 'present',
        },
      });
      expect(kv.controllers.split(' ')).toEqual(expect.arrayContaining(['cpu', 'memory', 'pids']));
      expect(kv.procs).toBe(kv.self); // the container is the only process of its cgroup
      expect(r).toExitWith(0);
    });

    test('pids.max is enforced on the container (fork fails at 16 tasks; pids.events counts it)', async () => {
      // In a new pid namespace (PID 1 = sh): a subshell starts `sleep`s until fork fails, which ends the
      // subshell (busybox sh: "can't fork"). sh + subshell + 14 sleeps = 16 tasks. `kill -9 -1` then
      // empties the namespace so that the cgroup can be removed.
      const inner = [
        '( i=0; while [ $i -lt 20 ]; do sleep 30 & i=$((i+1)); echo "$i" > /tmp/vmtest-started; done ) 2>/tmp/vmtest-err',
        'echo "subshell-rc: $?"',
        'read -r v < /tmp/vmtest-started; echo "started: $v"',
        'read -r v < /tmp/vmtest-err; echo "fork-error: $v"',
        rd('pids.current', `${CG}/pids.current`),
        rd('pids.events', `${CG}/pids.events`),
        'echo "pid1: $$"',
        'kill -9 -1',
      ].join('\n');
      const r = await runInVm({
        files: {
          '/bin/haco-launch': LAUNCHER,
          '/specs/pids.spec': { content: spec([...cgroupSteps, ['spawn', 'pid'], ['cgroup-join', CG], ['release'], ['exec', '/bin/busybox', 'sh', '-c', inner]]) },
        },
        script: [
          'haco-launch --spec /specs/pids.spec',
          'echo "launcher-rc: $?"',
          `if [ -e ${CG} ]; then echo "after: present"; else echo "after: removed"; fi`,
        ].join('\n'),
      });
      const kv = lines(r.output);
      expect({ output: r.output, kv }).toMatchObject({
        kv: {
          started: '14',
          'fork-error': expect.stringMatching(/can't fork/),
          'pids.current': '15', // the subshell is gone
          'pids.events': 'max 1',
          pid1: '1',
          'launcher-rc': '0',
          after: 'removed',
        },
      });
    });
  },
  [staticLauncher],
);
