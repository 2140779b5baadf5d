// cgroup v2 for real: launch specs compiled on the host by compileLaunchSpec() from plans made with the DSL,
// for a pure-v2 host (/sys/fs/cgroup, controllers cpuset cpu io memory hugetlb pids), run by the static
// launcher inside the cgroup-v2 VM (docs/testing.md). Whatever this machine runs (v1, hybrid), the v2 code
// path of `haco start` is checked against a v2 kernel. The rootfs is a busybox tree made inside the VM at the
// plan's rootfs path; the container switches root with chroot (pivot_root cannot leave an initramfs).
//
// One VM boot (~4.5 s + the work under TCG) runs three containers one after another:
//   vm-limits  cpu 30%, memory 64M, pids 16, io weight 200, cpuset 1/0: files, /proc/self/cgroup, cpu share
//   vm-oom     memory 16M: a hog in a subshell is OOM-killed, memory.events counts it
//   vm-pids    pids 12: fork fails at the limit, pids.events counts it
//   vm-devices the default device allow-list (a BPF program, --trace), with CAP_MKNOD: mknod of kmsg and
//              opening kmsg/mem nodes shipped in the rootfs are EPERM, /dev/null works
//   vm-devhost .devices('host'): no program, the same kmsg write goes through (to the VM's own log)
//   vm-cgfs    a cgroup namespace: cgroup2 mounted read-only at /sys/fs/cgroup shows its own memory.max
// and after each one checks that the launcher removed the container's cgroup.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defineContainer, type ContainerBuilder } from '../../src/dsl/container';
import { buildPlan } from '../../src/plan/build';
import type { CgroupHost } from '../../src/cgroup/types';
import { explainContainer } from '../../src/explain/explain';
import { compileLaunchSpec } from '../../src/runtime/compile';
import type { HostFacts } from '../../src/runtime/host-facts';
import { describeVm, runInVm, type VmAvailability, type VmResult } from '../support/vm';

jest.setTimeout(240_000);

const ROOT = path.resolve(__dirname, '..', '..');
const LAUNCHER = path.join(ROOT, 'native', 'build', 'haco-launch-static');
const ROOTFS = '/tmp/rootfs';

/** `make -C native static` (incremental), then check the result is static (the VM has no libc). */
function staticLauncher(): VmAvailability {
  const make = spawnSync('make', ['-C', path.join(ROOT, 'native'), '--no-print-directory', 'static'], { encoding: 'utf8' });
  if (make.status !== 0) return { ok: false, reason: `make -C native static failed:\n${make.stdout}${make.stderr}`.slice(0, 4000) };
  if (!fs.existsSync(LAUNCHER)) return { ok: false, reason: `make -C native static did not produce ${LAUNCHER}` };
  if (spawnSync('ldd', [LAUNCHER], { stdio: 'ignore' }).status === 0) return { ok: false, reason: `${LAUNCHER} is dynamically linked` };
  return { ok: true };
}

/** A pure cgroup-v2 host as the Debian cloud kernel in the VM shows it. */
const V2_HOST: CgroupHost = {
  mode: 'v2',
  root: '/sys/fs/cgroup',
  v2: { path: '/sys/fs/cgroup', controllers: ['cpuset', 'cpu', 'io', 'memory', 'hugetlb', 'pids'] },
};

const FACTS: HostFacts = {
  cgroup: V2_HOST,
  uid: 0,
  kernel: { timeNamespace: true, cgroupNamespace: true, userNamespace: true, seccomp: true, cloneIntoCgroup: true },
  pathKind: () => 'directory',
};

/** The spec haco would hand to the launcher for this definition on a pure-v2 host. */
function specFor(builder: ContainerBuilder): string {
  const built = buildPlan('/vm/test.haco.ts', builder);
  if ('notContainers' in built) throw new Error(built.notContainers);
  const container = built.plan.containers[0]!;
  expect(container.rootfs.switchRoot).toBe('chroot');
  return compileLaunchSpec(container, FACTS).text;
}

const base = (name: string) => defineContainer(name).rootfs(ROOTFS).chroot();

/** Container shell: signal readiness through a file in the rootfs, then wait for the VM script's stop file. */
const READY_THEN_WAIT = 'cat /proc/self/cgroup > /tmp/ready.tmp; mv /tmp/ready.tmp /tmp/ready; while [ ! -e /tmp/stop ]; do sleep 0.1; done';

const LIMITS = base('vm-limits')
  .cpu('30%')
  .memory('64M')
  .pids(16)
  .io({ weight: 200 })
  .cpuset({ cpus: '1', mems: '0' })
  .command(['/bin/sh', '-c', `yes > /dev/null & ${READY_THEN_WAIT}; kill $!`]);

const SPECS = {
  limits: specFor(LIMITS),
  oom: specFor(
    base('vm-oom')
      .memory('16M')
      .command(['/bin/sh', '-c', `( x=a; while :; do x="$x$x"; done; echo survived ) ; echo "hog=$?" > /tmp/hog; ${READY_THEN_WAIT}`]),
  ),
  pids: specFor(
    base('vm-pids')
      .pids(12)
      .command([
        '/bin/sh',
        '-c',
        `( i=0; while [ $i -lt 20 ]; do sleep 60 & i=$((i+1)); echo $i > /tmp/started; done ) 2> /tmp/fork-err; ${READY_THEN_WAIT}; kill -9 -1`,
      ]),
  ),
  devices: specFor(
    base('vm-devices')
      .addCaps('mknod')
      .command([
        '/bin/sh',
        '-c',
        [
          'mknod /tmp/kmsg c 1 11 2>> /tmp/deverr; echo "mknod-kmsg=$?" > /tmp/devres',
          '{ echo haco-vm-devices > /probe-kmsg; } 2>> /tmp/deverr; echo "kmsg-write=$?" >> /tmp/devres',
          'head -c 1 /probe-mem > /dev/null 2>> /tmp/deverr; echo "mem-read=$?" >> /tmp/devres',
          'echo hi > /dev/null; echo "null-write=$?" >> /tmp/devres',
          'echo "zero-read=$(head -c 3 /dev/zero | wc -c)" >> /tmp/devres',
          READY_THEN_WAIT,
        ].join('; '),
      ]),
  ),
  cgroupfs: specFor(
    base('vm-cgfs')
      .unshare('cgroup')
      .memory('24M')
      .command([
        '/bin/sh',
        '-c',
        `{ echo "limit=$(cat /sys/fs/cgroup/memory.max)"; if (echo 1G > /sys/fs/cgroup/memory.max) 2>/dev/null; then echo write=allowed; else echo write=denied; fi; echo "mount=$(awk '$5 == "/sys/fs/cgroup" { print $6, $9 }' /proc/self/mountinfo)"; } > /tmp/cgfs; ${READY_THEN_WAIT}`,
      ]),
  ),
  devhost: specFor(
    base('vm-devhost')
      .devices('host')
      .command(['/bin/sh', '-c', `{ echo haco-vm-devhost > /probe-kmsg; }; echo "kmsg-write=$?" > /tmp/devres; ${READY_THEN_WAIT}`]),
  ),
};

/** Device nodes an image could ship, made by the VM's host side in the rootfs before the launch. */
const SHIPPED_NODES = `mknod ${ROOTFS}/probe-kmsg c 1 11 && mknod ${ROOTFS}/probe-mem c 1 1`;

/**
 * VM script: for each container, a fresh busybox rootfs at ROOTFS, the launcher in the background, the
 * host side read while the container waits, then stop, wait, and check the cgroup is gone.
 */
function vmScript(): string {
  const run = (key: string, name: string, probe: string, launcherArgs = '', prepare = '') =>
    [
      `rm -rf ${ROOTFS} && haco-mkrootfs ${ROOTFS}`,
      prepare,
      `haco-launch ${launcherArgs}--spec /specs/${key}.spec > /tmp/${key}.log 2>&1 &`,
      'L=$!',
      `n=0; while [ ! -e ${ROOTFS}/tmp/ready ] && [ $n -lt 600 ]; do sleep 0.1; n=$((n+1)); done`,
      `CG=/sys/fs/cgroup/haco/${name}`,
      `echo "${key}.proc-cgroup: $(cat ${ROOTFS}/tmp/ready)"`,
      probe,
      `touch ${ROOTFS}/tmp/stop`,
      'wait $L; echo "' + key + '.launcher-rc: $?"',
      `if [ -e $CG ]; then echo "${key}.after: present"; else echo "${key}.after: removed"; fi`,
      `sed "s/^/${key}.log: /" /tmp/${key}.log`,
    ].join('\n');
  const show = (key: string, files: string[]) => files.map((f) => `echo "${key}.${f}: $(cat $CG/${f} | tr '\\n' ' ')"`).join('\n');
  const usage = `awk '/^usage_usec/ { print $2 }' $CG/cpu.stat`;
  return [
    'set -u',
    run(
      'limits',
      'vm-limits',
      [
        show('limits', ['cpu.max', 'memory.max', 'pids.max', 'io.weight', 'cpuset.cpus', 'cpuset.mems', 'cpuset.cpus.effective', 'cgroup.controllers']),
        'sleep 0.5',
        `u0=$(${usage}); t0=$(cut -d' ' -f1 /proc/uptime)`,
        'sleep 2',
        `u1=$(${usage}); t1=$(cut -d' ' -f1 /proc/uptime)`,
        'echo "limits.usage: $u0 $u1 $t0 $t1"',
        show('limits', ['cpu.stat']),
      ].join('\n'),
    ),
    run('oom', 'vm-oom', [`echo "oom.hog: $(cat ${ROOTFS}/tmp/hog)"`, show('oom', ['memory.max', 'memory.events'])].join('\n')),
    run(
      'pids',
      'vm-pids',
      [`echo "pids.started: $(cat ${ROOTFS}/tmp/started)"`, `echo "pids.fork-err: $(head -1 ${ROOTFS}/tmp/fork-err)"`, show('pids', ['pids.max', 'pids.current', 'pids.events'])].join('\n'),
    ),
    run('devices', 'vm-devices', `echo "devices.result: $(cat ${ROOTFS}/tmp/devres | tr '\\n' ' ')"; echo "devices.err: $(cat ${ROOTFS}/tmp/deverr | tr '\\n' ' ')"`, '--trace ', SHIPPED_NODES),
    run('devhost', 'vm-devhost', `echo "devhost.result: $(cat ${ROOTFS}/tmp/devres | tr '\\n' ' ')"`, '', SHIPPED_NODES),
    run('cgroupfs', 'vm-cgfs', `echo "cgroupfs.result: $(cat ${ROOTFS}/tmp/cgfs | tr '\\n' ' ')"`),
    'echo "devhost.dmesg: $(dmesg | grep -c -e haco-vm-devhost -e haco-vm-devices)"',
    'echo "all.haco-parent: $(ls /sys/fs/cgroup/haco | tr \'\\n\' \' \')"',
  ].join('\n');
}

function keyed(output: string): Record<string, string> {
  const kv: Record<string, string> = {};
  for (const l of output.split('\n')) {
    const m = /^([a-z]+\.[a-z0-9.-]+): ?(.*)$/.exec(l);
    if (m && !m[1]!.endsWith('.log')) kv[m[1]!] = m[2]!.trim();
  }
  return kv;
}

/** `key value` pairs of a flattened cgroup file (`usage_usec 1 user_usec 2 …`). */
function pairs(flat: string): Record<string, number> {
  const out: Record<string, number> = {};
  const parts = flat.split(/\s+/).filter(Boolean);
  for (let i = 0; i + 1 < parts.length; i += 2) out[parts[i]!] = Number(parts[i + 1]);
  return out;
}

describeVm(
  'haco start on a pure cgroup-v2 kernel: compiled specs, static launcher, VM',
  () => {
    let r: VmResult;
    let kv: Record<string, string>;

    beforeAll(async () => {
      r = await runInVm({
        files: {
          '/bin/haco-launch': LAUNCHER,
          '/specs/limits.spec': { content: SPECS.limits },
          '/specs/oom.spec': { content: SPECS.oom },
          '/specs/pids.spec': { content: SPECS.pids },
          '/specs/devices.spec': { content: SPECS.devices },
          '/specs/devhost.spec': { content: SPECS.devhost },
          '/specs/cgroupfs.spec': { content: SPECS.cgroupfs },
        },
        script: vmScript(),
        timeoutMs: 180_000,
      });
      kv = keyed(r.output);
      if (process.env.HACO_TEST_VERBOSE) console.log(r.output);
    });

    const context = () => ({ output: r.output });

    test('the compiled spec writes the v2 files: cpu.max, memory.max, pids.max, io.weight, cpuset', () => {
      expect({ ...context(), kv }).toMatchObject({
        kv: {
          'limits.cpu.max': '30000 100000',
          'limits.memory.max': String(64 * 1024 * 1024),
          'limits.pids.max': '16',
          'limits.io.weight': 'default 200',
          'limits.cpuset.cpus': '1',
          'limits.cpuset.mems': '0',
          'limits.cpuset.cpus.effective': '1',
        },
      });
      expect(kv['limits.cgroup.controllers']?.split(' ')).toEqual(expect.arrayContaining(['cpuset', 'cpu', 'io', 'memory', 'pids']));
    });

    test('the container is in its cgroup: /proc/self/cgroup is 0::/haco/NAME', () => {
      // Born there (clone3 CLONE_INTO_CGROUP, the VM kernel is 5.7+), not moved by a cgroup.procs write.
      expect(SPECS.limits).toMatch(/^spawn \S+ \/sys\/fs\/cgroup\/haco\/vm-limits$/m);
      expect(SPECS.limits).not.toMatch(/^cgroup-join /m);
      expect({ ...context(), cg: [kv['limits.proc-cgroup'], kv['oom.proc-cgroup'], kv['pids.proc-cgroup']] }).toMatchObject({
        cg: ['0::/haco/vm-limits', '0::/haco/vm-oom', '0::/haco/vm-pids'],
      });
    });

    test('haco explain, for this v2 host, names the files and values the kernel shows and the clone3 into the group', () => {
      const built = buildPlan('/vm/test.haco.ts', LIMITS);
      if ('notContainers' in built) throw new Error(built.notContainers);
      const e = explainContainer(built.plan.containers[0]!, FACTS);
      const cgroup = e.steps.find((s) => s.id === 'cgroup')!;
      for (const file of ['cpu.max', 'memory.max', 'pids.max', 'io.weight', 'cpuset.cpus']) {
        expect({ ...context(), file, told: cgroup.kernel }).toMatchObject({ told: expect.arrayContaining([`write "${kv[`limits.${file}`]}" to /sys/fs/cgroup/haco/vm-limits/${file}`]) });
      }
      expect(e.steps.find((s) => s.id === 'clone')!.kernel.join('\n')).toContain('CLONE_INTO_CGROUP, cgroup=fd of /sys/fs/cgroup/haco/vm-limits');
      expect(e.steps.map((s) => s.id)).not.toContain('cgroup-join');
      expect(kv['limits.proc-cgroup']).toBe('0::/haco/vm-limits');
    });

    test('the 30% cpu cap holds: usage_usec grows by 20–40% of the wall time over 2 s (the cgroup\'s own accounting)', () => {
      const [u0, u1, t0, t1] = (kv['limits.usage'] ?? '').split(' ').map(Number);
      const share = (u1! - u0!) / ((t1! - t0!) * 1e6);
      // Under TCG the emulated CPUs are slow but the CFS quota is enforced in guest time, so the band holds.
      expect({ ...context(), share, inBand: share > 0.2 && share < 0.4 }).toMatchObject({ inBand: true });
      expect(pairs(kv['limits.cpu.stat'] ?? '')['nr_throttled']).toBeGreaterThan(5);
    });

    test('memory.max 16M: the hog is OOM-killed (status 137) and memory.events records oom_kill', () => {
      expect({ ...context(), kv }).toMatchObject({ kv: { 'oom.hog': 'hog=137', 'oom.memory.max': String(16 * 1024 * 1024) } });
      const events = pairs(kv['oom.memory.events'] ?? '');
      expect({ ...context(), events }).toMatchObject({ events: { oom_kill: expect.any(Number) } });
      expect(events['oom_kill']).toBeGreaterThanOrEqual(1);
      expect(r.output).not.toMatch(/survived/);
    });

    test('pids.max 12: fork fails at the limit and pids.events counts it', () => {
      expect({ ...context(), kv }).toMatchObject({ kv: { 'pids.pids.max': '12', 'pids.fork-err': expect.stringMatching(/can't fork/) } });
      // sh (init) + the subshell + the sleeps ≤ 12 tasks.
      expect(Number(kv['pids.started'])).toBeGreaterThan(0);
      expect(Number(kv['pids.started'])).toBeLessThanOrEqual(10);
      expect(pairs(kv['pids.pids.events'] ?? '')['max']).toBeGreaterThanOrEqual(1);
    });

    test('devices: the default allow-list is a BPF program; mknod of kmsg and opening shipped kmsg/mem nodes are EPERM, /dev/null works', () => {
      expect(SPECS.devices).toMatch(/^cgroup-devices \/sys\/fs\/cgroup\/haco\/vm-devices c:1:3:rwm,c:1:5:rwm,/m);
      expect({ ...context(), kv }).toMatchObject({
        kv: { 'devices.result': 'mknod-kmsg=1 kmsg-write=1 mem-read=1 null-write=0 zero-read=3', 'devices.launcher-rc': '0', 'devices.after': 'removed' },
      });
      expect({ ...context(), err: kv['devices.err']?.match(/Operation not permitted/g)?.length }).toMatchObject({ err: 3 });
      // --trace shows the rules and both bpf(2) calls.
      expect(r.output).toMatch(/devices\.log: \[haco\] {3}allow c 136:\* rwm/);
      expect(r.output).toMatch(/devices\.log: \[haco\] bpf\(BPF_PROG_LOAD, \{prog_type=BPF_PROG_TYPE_CGROUP_DEVICE, insn_cnt=\d+, prog_name="haco_devices"\}\) = \d+/);
      expect(r.output).toMatch(/devices\.log: \[haco\] bpf\(BPF_PROG_ATTACH, \{target_fd=\d+, attach_bpf_fd=\d+, attach_type=BPF_CGROUP_DEVICE, attach_flags=0\}\) = 0/);
    });

    test(".devices('host'): no program is attached and the same kmsg write reaches the (VM's) kernel log", () => {
      expect(SPECS.devhost).not.toMatch(/^cgroup-devices /m);
      expect({ ...context(), kv }).toMatchObject({ kv: { 'devhost.result': 'kmsg-write=0', 'devhost.launcher-rc': '0' } });
      // Only the devhost line made it: the default container's write was refused.
      expect({ ...context(), dmesg: kv['devhost.dmesg'] }).toMatchObject({ dmesg: '1' });
    });

    test('cgroup namespace: cgroup2 read-only at /sys/fs/cgroup, memory.max is the container\'s own, writing fails', () => {
      expect({ ...context(), kv }).toMatchObject({
        kv: {
          'cgroupfs.proc-cgroup': '0::/',
          'cgroupfs.result': `limit=${24 * 1024 * 1024} write=denied mount=ro,nosuid,nodev,noexec,relatime cgroup2`,
        },
      });
    });

    test('every container exits 0 and its cgroup is gone afterwards; the shared haco parent stays empty', () => {
      expect({ ...context(), kv }).toMatchObject({
        kv: {
          'limits.launcher-rc': '0',
          'limits.after': 'removed',
          'oom.launcher-rc': '0',
          'oom.after': 'removed',
          'pids.launcher-rc': '0',
          'pids.after': 'removed',
          'cgroupfs.launcher-rc': '0',
          'cgroupfs.after': 'removed',
        },
      });
      expect(kv['all.haco-parent']?.split(' ').filter((n) => n.startsWith('vm-'))).toEqual([]);
    });
  },
  [staticLauncher],
);
