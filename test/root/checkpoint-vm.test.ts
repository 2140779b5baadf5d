// Checkpoint/restore for real, in the qemu VM tier (criu cannot work on this host's kernel; the Debian
// cloud kernel has what it needs). The container is examples/checkpoint.haco.ts itself (its rootfs made
// in the VM by haco-mkrootfs instead of the host bootstrap's binds); its launch spec is compiled on the
// host (compileLaunchSpec) for a pure-v2 host and run by the static launcher in the VM; the criu command lines are the ones
// `haco checkpoint` / `haco restore` build (src/checkpoint/criu-args.ts), with Debian's criu and its
// libraries in the initramfs. The VM switches its root to a tmpfs first (pivot_root and criu need a real
// root mount). One boot, ~30-60 s under TCG.
//
//   start   a counter (pid namespace, pivot_root, the default mounts, masks, seccomp; memory 64M, pids 32)
//   dump    criu dump --tree PID with haco's argv: the tree is gone, the launcher cleans its cgroup up
//   restore criu restore with haco's argv (criu stays the parent): the counter continues from where it
//           was, in /sys/fs/cgroup/haco/NAME again (its limits are not back yet: see the last test)
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { externalMountsOf, needsShellJob } from '../../src/checkpoint/checkpoint';
import { criuDumpArgs, criuRestoreArgs } from '../../src/checkpoint/criu-args';
import { CRIU } from '../../src/checkpoint/criu-check';
import type { CgroupHost } from '../../src/cgroup/types';
import { loadDefinition } from '../../src/load/load';
import type { ContainerPlan } from '../../src/plan/types';
import { compileLaunchSpec } from '../../src/runtime/compile';
import type { HostFacts } from '../../src/runtime/host-facts';
import { describeVm, runInVm, withLibraries, type VmAvailability, type VmResult } from '../support/vm';

jest.setTimeout(300_000);

const ROOT = path.resolve(__dirname, '..', '..');
const LAUNCHER = path.join(ROOT, 'native', 'build', 'haco-launch-static');
const EXAMPLE = path.join(ROOT, 'examples', 'checkpoint.haco.ts');
const NAME = 'ckpt-counter';
const ROOTFS = `/var/lib/haco/${NAME}/rootfs`;
const CG = `/sys/fs/cgroup/haco/${NAME}`;
const IMAGES = '/ckpt/criu';

function prerequisites(): VmAvailability {
  const make = spawnSync('make', ['-C', path.join(ROOT, 'native'), '--no-print-directory', 'static'], { encoding: 'utf8' });
  if (make.status !== 0) return { ok: false, reason: `make -C native static failed:\n${make.stdout}${make.stderr}`.slice(0, 4000) };
  if (!fs.existsSync(CRIU)) return { ok: false, reason: `${CRIU} not found (apt-get install criu)` };
  return { ok: true };
}

const FACTS: HostFacts = {
  cgroup: { mode: 'v2', root: '/sys/fs/cgroup', v2: { path: '/sys/fs/cgroup', controllers: ['cpuset', 'cpu', 'io', 'memory', 'hugetlb', 'pids'] } } satisfies CgroupHost,
  uid: 0,
  kernel: { timeNamespace: true, cgroupNamespace: true, userNamespace: true, seccomp: true, cloneIntoCgroup: true },
  pathKind: () => 'directory',
};

/** The example's container, with a rootfs haco-mkrootfs makes in the VM (no host binds there). */
async function examplePlan(): Promise<ContainerPlan> {
  const plan = (await loadDefinition(EXAMPLE, { cache: false })).plan.containers[0]!;
  if (plan.name !== NAME || plan.rootfs.path !== ROOTFS) throw new Error(`${EXAMPLE}: expected the container ${NAME} at ${ROOTFS}`);
  return { ...plan, bootstrap: { strategy: 'none', post: [] } };
}

interface Prepared {
  spec: string;
  dump: string[];
  restore: string[];
}

async function prepare(): Promise<Prepared> {
  const plan = await examplePlan();
  // Which masked paths are directories: the same /proc and /sys layout as this host's (the VM runs a kernel of
  // the same family; a path missing in the VM is not masked there, and criu ignores an unused external).
  const external = externalMountsOf(plan, (p) => fs.existsSync(p) && fs.statSync(p).isDirectory());
  return {
    spec: compileLaunchSpec(plan, FACTS).text,
    dump: criuDumpArgs({ pid: 0, imagesDir: IMAGES, logFile: 'dump.log', leaveRunning: false, network: false, externalMounts: external, shellJob: needsShellJob(plan) }),
    restore: criuRestoreArgs({ imagesDir: IMAGES, logFile: 'restore.log', pidFile: '/ckpt/restored.pid', rootfs: ROOTFS, network: false, externalMounts: external, inheritFds: [], shellJob: needsShellJob(plan) }),
  };
}

const sh = (argv: string[]) => argv.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');

/** criu's feature probes and socket dumps use netlink families that Debian builds as modules. */
const MODULES = [
  'kernel/fs/overlayfs/overlay.ko',
  'kernel/lib/libcrc32c.ko',
  'kernel/net/netfilter/nfnetlink.ko',
  'kernel/net/netfilter/nf_tables.ko',
  'kernel/net/unix/unix_diag.ko',
  'kernel/net/ipv4/inet_diag.ko',
  'kernel/net/ipv4/tcp_diag.ko',
  'kernel/net/ipv4/udp_diag.ko',
  'kernel/net/netlink/netlink_diag.ko',
  'kernel/net/packet/af_packet_diag.ko',
];

function vmScript({ dump, restore }: Prepared): string {
  return [
    // /init loads them in name order; a second pass in dependency order catches those that came too early.
    ...MODULES.map((m) => `insmod /lib/modules/${path.posix.basename(m)} 2>/dev/null`),
    `mkdir -p ${path.posix.dirname(ROOTFS)} ${IMAGES} && haco-mkrootfs ${ROOTFS}`,
    `${CRIU} check > /tmp/check.log 2>&1; echo "check: $?"; tail -n 3 /tmp/check.log`,
    'haco-launch --spec /specs/ckpt.spec > /tmp/launch.log 2>&1 &',
    'L=$!',
    `n=0; while [ ! -e ${ROOTFS}/counter ] && [ $n -lt 300 ]; do sleep 0.1; n=$((n+1)); done`,
    'sleep 1',
    `PID=$(cat ${CG}/cgroup.procs | head -n 1)`,
    // The container's init: the first process of the cgroup whose parent is the launcher.
    `for p in $(cat ${CG}/cgroup.procs); do if [ "$(awk '{print $4}' /proc/$p/stat)" = "$L" ]; then PID=$p; fi; done`,
    'echo "pid: $PID"',
    `echo "before: $(cat ${ROOTFS}/counter)"`,
    `${sh([CRIU, ...dump]).replace("'--tree' '0'", "'--tree' \"$PID\"")}; D=$?; echo "dump: $D"`,
    // A failed dump leaves the container running: end it so that the launcher returns.
    'if [ $D -ne 0 ]; then kill -9 $PID; fi',
    'wait $L; echo "launcher-rc: $?"',
    `if [ -e ${CG} ]; then echo "cgroup-after-dump: present"; else echo "cgroup-after-dump: removed"; fi`,
    `echo "dumped: $(cat ${ROOTFS}/counter)"`,
    'sleep 1',
    `echo "still: $(cat ${ROOTFS}/counter)"`,
    // criu stays the restored init's parent (its supervisor) until the container exits.
    `${sh([CRIU, ...restore])} & C=$!`,
    'n=0; while [ ! -s /ckpt/restored.pid ] && kill -0 $C 2>/dev/null && [ $n -lt 300 ]; do sleep 0.1; n=$((n+1)); done',
    'if [ -s /ckpt/restored.pid ]; then echo "restore: 0"; else wait $C; echo "restore: $?"; fi',
    'R=$(cat /ckpt/restored.pid 2>/dev/null); echo "restored-pid: $R"',
    'echo "restored-parent-is-criu: $([ "$(awk \'{print $4}\' /proc/$R/stat)" = "$C" ] && echo yes || echo no)"',
    'sleep 2',
    `echo "after: $(cat ${ROOTFS}/counter)"`,
    `echo "cgroup: $(cat /proc/$R/cgroup)"`,
    `echo "memory.max: $(cat ${CG}/memory.max)"`,
    `echo "pids.max: $(cat ${CG}/pids.max)"`,
    '[ -n "$R" ] && kill -9 $R; wait $C; echo "criu-rc: $?"',
    `grep -E "Error|Warn" ${IMAGES}/dump.log | head -n 20 | sed "s/^/dump.log: /"`,
    `grep -E "Error|Warn" ${IMAGES}/restore.log | head -n 20 | sed "s/^/restore.log: /"`,
    'sed "s/^/launch.log: /" /tmp/launch.log',
  ].join('\n');
}

function keyed(output: string): Record<string, string> {
  const kv: Record<string, string> = {};
  for (const l of output.split('\n')) {
    const m = /^([a-z.-]+): ?(.*)$/.exec(l);
    if (m && !(m[1]! in kv)) kv[m[1]!] = m[2]!;
  }
  return kv;
}

describeVm(
  'checkpoint/restore with criu on a kernel it supports (VM tier)',
  () => {
    let r: VmResult;
    let kv: Record<string, string>;

    beforeAll(async () => {
      const prepared = await prepare();
      r = await runInVm({
        files: {
          '/haco/switch-root': { content: '' },
          '/bin/haco-launch': LAUNCHER,
          '/specs/ckpt.spec': { content: prepared.spec },
          ...withLibraries(CRIU),
          // criu saves tmpfs contents (/dev, /dev/shm, masked dirs) with GNU tar's options; busybox tar lacks them.
          ...withLibraries('/usr/bin/tar'),
          '/bin/tar': '/usr/bin/tar',
        },
        memoryMiB: 768,
        modules: MODULES,
        script: vmScript(prepared),
        timeoutMs: 240_000,
      });
      kv = keyed(r.output);
      if (process.env.HACO_TEST_VERBOSE) console.log(r.output, `boot+run ${r.durationMs} ms, initramfs ${r.initramfsMs} ms`);
    });

    const context = () => ({ output: r.output });

    test('criu check passes on the VM kernel; the dump with haco\'s argv succeeds and ends the tree', () => {
      expect({ ...context(), kv }).toMatchObject({ kv: { check: '0', dump: '0', 'cgroup-after-dump': 'removed' } });
      expect(Number(kv['still'])).toBe(Number(kv['dumped']));
    });

    test('the restore with haco\'s argv continues the counter where it stopped', () => {
      expect({ ...context(), kv }).toMatchObject({ kv: { restore: '0', 'restored-parent-is-criu': 'yes' } });
      expect(Number(kv['after'])).toBeGreaterThan(Number(kv['dumped']));
      expect(Number(kv['dumped'])).toBeGreaterThanOrEqual(Number(kv['before']));
    });

    // Not yet: memory.max and pids.max after the restore. criu 3.17 recreates /sys/fs/cgroup/haco/NAME but
    // the controllers are not enabled in haco/'s cgroup.subtree_control again (the files are missing), so
    // the limits are NOT applied to a restored container yet (vmtier notes; docs/checkpoint.md).
    test('the restored tree is in its cgroup again (recreated by criu after the supervisor removed it)', () => {
      expect({ ...context(), kv }).toMatchObject({ kv: { 'cgroup-after-dump': 'removed', cgroup: `0::/haco/${NAME}` } });
    });
  },
  [prerequisites],
);
