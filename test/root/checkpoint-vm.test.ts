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
//           was, in /sys/fs/cgroup/haco/NAME again (criu alone does not bring the limits back; `haco restore`
//           writes them again: the tutorial part shows memory.max and cpu.max)
//   devices criu alone leaves the cgroup without its BPF device program (a mknod of /dev/sda's number
//           succeeds in the restored container); haco restore's host-only spec (compileRestoreLimitsSpec,
//           run by the launcher) attaches it again: the mknod is refused (EPERM), /dev/null and /dev/zero
//           still work, memory.max and pids.max are back
//   tutorial the ```sh haco-test vm blocks of docs/tutorial/09-checkpoint.md, as written, with the real
//           CLI: node, dist/, bin/haco and the launcher are copied into the VM (haco start -d, haco
//           checkpoint, haco restore, haco kill/rm), each block's output compared with its ```text block.
//           The Japanese edition has the same blocks (tutorial.test.ts checks that).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { externalMountsOf, needsShellJob } from '../../src/checkpoint/checkpoint';
import { criuDumpArgs, criuRestoreArgs } from '../../src/checkpoint/criu-args';
import { CRIU } from '../../src/checkpoint/criu-check';
import { compileRestoreLimitsSpec } from '../../src/checkpoint/restore-limits';
import { APPARMOR_PARSER } from '../../src/runtime/compile-apparmor';
import type { CgroupHost } from '../../src/cgroup/types';
import { loadDefinition } from '../../src/load/load';
import type { ContainerPlan } from '../../src/plan/types';
import { matchesOutput, parseSnippets, type Snippet } from '../support/tutorial-snippets';
import { compileLaunchSpec } from '../../src/runtime/compile';
import type { HostFacts } from '../../src/runtime/host-facts';
import { describeVm, runInVm, withLibraries, type VmAvailability, type VmFile, type VmResult } from '../support/vm';

jest.setTimeout(480_000);

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
  /** haco restore's host-only spec: the limits and the device program again. */
  restoreSpec: string;
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
    restoreSpec: compileRestoreLimitsSpec(plan, FACTS.cgroup)!.render().text,
    dump: criuDumpArgs({ pid: 0, imagesDir: IMAGES, logFile: 'dump.log', leaveRunning: false, network: false, externalMounts: external, shellJob: needsShellJob(plan) }),
    restore: criuRestoreArgs({ imagesDir: IMAGES, logFile: 'restore.log', pidFile: '/ckpt/restored.pid', rootfs: ROOTFS, network: false, externalMounts: external, inheritFds: [], shellJob: needsShellJob(plan) }),
  };
}

/** The chapter whose ```sh haco-test vm blocks run here (tutorial.test.ts checks this names it). */
const CHAPTERS = ['09-checkpoint.md'];
const TUTORIAL_BLOCKS: Snippet[] = CHAPTERS.flatMap((c) => parseSnippets(c, fs.readFileSync(path.join(ROOT, 'docs/tutorial', c), 'utf8')).filter((s) => s.vm));

/** Every file under DIR (host) at the same place under /repo in the VM, source maps left out. */
function repoTree(rel: string): Record<string, VmFile> {
  const out: Record<string, VmFile> = {};
  const walk = (r: string) => {
    const full = path.join(ROOT, r);
    const st = fs.statSync(full);
    if (st.isDirectory()) for (const e of fs.readdirSync(full)) walk(path.join(r, e));
    else if (!r.endsWith('.map')) out[path.posix.join('/repo', r)] = full;
  };
  walk(rel);
  return out;
}

/** haco as a learner has it: bin/haco, dist/, the launcher, the two runtime packages dist loads, node. */
function hacoInVm(): Record<string, VmFile> {
  return {
    ...withLibraries(process.execPath),
    '/usr/bin/node': process.execPath,
    // Debian's kernel has AppArmor on: haco start loads haco-default with apparmor_parser, as on a Debian host.
    ...withLibraries(APPARMOR_PARSER),
    ...repoTree('bin'),
    ...repoTree('dist'),
    ...repoTree('package.json'),
    ...repoTree('node_modules/esbuild'),
    ...repoTree('node_modules/@esbuild/linux-x64'),
    ...repoTree('node_modules/ajv/package.json'),
    ...repoTree('node_modules/ajv/dist/runtime/ucs2length.js'),
    ...Object.fromEntries(CHAPTERS.flatMap((c) => [...fs.readFileSync(path.join(ROOT, 'docs/tutorial', c), 'utf8').matchAll(/^```ts file=(\S+)/gm)].map((m) => [`/repo/${m[1]}`, path.join(ROOT, m[1]!)]))),
    '/repo/native/build/haco-launch': LAUNCHER,
    '/usr/local/bin/haco': { content: '#!/bin/sh\nexec /repo/bin/haco "$@"\n', mode: 0o755 },
    ...TUTORIAL_BLOCKS.map((s, i) => [`/tutorial/${i}.sh`, { content: `${s.script}\n` }] as const).reduce<Record<string, VmFile>>((acc, [k, v]) => ({ ...acc, [k]: v }), {}),
  };
}

/** Each block as tutorial.test.ts runs it: sh from the repository root, stderr into stdout, haco on the PATH. */
function tutorialScript(): string {
  // securityfs, where a Debian host has it: apparmor_parser loads profiles through it.
  return ['mount -t securityfs securityfs /sys/kernel/security', ...TUTORIAL_BLOCKS.map((_, i) =>
    [
      `(cd /repo && PATH=/usr/local/bin:$PATH NO_COLOR=1 HACO_NO_CACHE=1 sh -c 'exec 2>&1; . /tutorial/${i}.sh') > /tmp/tutorial-${i}.out; echo "tutorial-${i}-rc: $?"`,
      `sed "s/^/tutorial-${i}| /" /tmp/tutorial-${i}.out`,
      // criu's own reasons when a checkpoint block failed (its log is removed by the clean-up block)
      `[ -f /tmp/tut-ckpt/criu/dump.log ] && grep -E "Error|Warn" /tmp/tut-ckpt/criu/dump.log | head -n 15 | sed "s/^/tutorial-${i}-dump.log: /"`,
    ].join('\n'),
  )].join('\n');
}

/** What block I printed (its `tutorial-I| ` lines). */
function blockOutput(output: string, i: number): string[] {
  const prefix = `tutorial-${i}| `;
  return output.split('\n').filter((l) => l.startsWith(prefix)).map((l) => l.slice(prefix.length));
}

/**
 * probe LABEL CG PID: a process in the restored container's cgroup and mount namespace (root with every
 * capability, so a refusal can only come from the device cgroup) tries a mknod of a device the allow-list
 * does not have (block 8:0, /dev/sda's number) and uses /dev/null and /dev/zero, which it has.
 */
const PROBE = `#!/bin/sh
echo $$ > "$2/cgroup.procs" || { echo "$1-join: failed"; exit 1; }
exec nsenter -t "$3" -m -- /bin/sh -c '
  l=$0
  if mknod /tmp/probe-sda b 8 0 2>/tmp/probe.err; then echo "$l-mknod-sda: ok"; else echo "$l-mknod-sda: refused $(cat /tmp/probe.err)"; fi
  rm -f /tmp/probe-sda /tmp/probe.err
  if head -c1 /dev/zero > /dev/null; then echo "$l-dev-zero: ok"; else echo "$l-dev-zero: refused"; fi
  if echo x > /dev/null; then echo "$l-dev-null: ok"; else echo "$l-dev-null: refused"; fi
' "$1"
`;

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
    // criu alone: no device program on the recreated cgroup; then haco restore's host-only spec
    `/probe.sh before-spec ${CG} "$R"`,
    'haco-launch --spec /specs/restore.spec > /tmp/restore-spec.log 2>&1; echo "restore-spec: $?"; sed "s/^/restore-spec.log: /" /tmp/restore-spec.log',
    `/probe.sh after-spec ${CG} "$R"`,
    `echo "memory.max-after-spec: $(cat ${CG}/memory.max)"`,
    `echo "pids.max-after-spec: $(cat ${CG}/pids.max)"`,
    `echo "counting-after-spec: $(cat ${ROOTFS}/counter)"`,
    '[ -n "$R" ] && kill -9 $R; wait $C; echo "criu-rc: $?"',
    `grep -E "Error|Warn" ${IMAGES}/dump.log | head -n 20 | sed "s/^/dump.log: /"`,
    `grep -E "Error|Warn" ${IMAGES}/restore.log | head -n 20 | sed "s/^/restore.log: /"`,
    'sed "s/^/launch.log: /" /tmp/launch.log',
    `rm -rf ${path.posix.dirname(ROOTFS)} /ckpt`,
    tutorialScript(),
  ].join('\n');
}

function keyed(output: string): Record<string, string> {
  const kv: Record<string, string> = {};
  for (const l of output.split('\n')) {
    const m = /^([a-z0-9.-]+): ?(.*)$/.exec(l);
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
          '/specs/restore.spec': { content: prepared.restoreSpec },
          '/probe.sh': { content: PROBE, mode: 0o755 },
          ...withLibraries(CRIU),
          // criu saves tmpfs contents (/dev, /dev/shm, masked dirs) with GNU tar's options; busybox tar lacks them.
          ...withLibraries('/usr/bin/tar'),
          '/bin/tar': '/usr/bin/tar',
          ...hacoInVm(),
        },
        memoryMiB: 1536,
        modules: MODULES,
        script: vmScript(prepared),
        timeoutMs: 420_000,
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

    // criu 3.17 recreates /sys/fs/cgroup/haco/NAME without enabling the controllers in haco/'s
    // cgroup.subtree_control (memory.max and pids.max are missing after criu alone): `haco restore` writes
    // them again (src/checkpoint/restore-limits.ts), checked by the tutorial blocks below.
    test('the restored tree is in its cgroup again (recreated by criu after the supervisor removed it)', () => {
      expect({ ...context(), kv }).toMatchObject({ kv: { 'cgroup-after-dump': 'removed', cgroup: `0::/haco/${NAME}` } });
    });

    // The security gap of a restore on cgroup v2: criu does not restore the BPF device program.
    test('haco restore\'s host-only spec attaches the device program again: a mknod outside the allow-list is refused in the restored container, /dev/null and /dev/zero work, the limits are back', () => {
      // criu alone: the probe can make the node (this is what the step closes, and shows the probe can succeed)
      expect({ ...context(), kv }).toMatchObject({ kv: { 'before-spec-mknod-sda': 'ok', 'before-spec-dev-null': 'ok', 'restore-spec': '0' } });
      expect({ ...context(), kv }).toMatchObject({
        kv: { 'after-spec-dev-null': 'ok', 'after-spec-dev-zero': 'ok', 'memory.max-after-spec': '67108864', 'pids.max-after-spec': '32' },
      });
      expect({ ...context(), mknod: kv['after-spec-mknod-sda'] }).toMatchObject({ mknod: expect.stringMatching(/^refused .*(Operation not permitted|EPERM)/) });
      expect(Number(kv['counting-after-spec'])).toBeGreaterThan(Number(kv['dumped']));
    });

    test.each(TUTORIAL_BLOCKS.map((s, i) => [`${s.chapter}:${s.line}`, s, i] as const))('tutorial %s runs as written, with haco in the VM', (_where, block, i) => {
      const output = blockOutput(r.output, i);
      const rc = kv[`tutorial-${i}-rc`];
      if (block.exit !== 'any') expect({ rc, output }).toEqual({ rc: String(block.exit), output });
      if (block.expected && !matchesOutput(block.expected, output)) expect({ output: output.join('\n') }).toEqual({ output: block.expected.join('\n') });
    });
  },
  [prerequisites],
);
