import { defineContainer, type ContainerBuilder } from 'haco';
import { explainContainer, renderExplanation, type ContainerExplanation } from '../../../src/explain/explain';
import { STEP_PROSE } from '../../../src/explain/prose';
import { buildPlan } from '../../../src/plan/build';
import { applyToggles } from '../../../src/dsl/toggles';
import type { ContainerPlan } from '../../../src/plan/types';
import { compileLaunchSpec } from '../../../src/runtime/compile';
import type { HostFacts } from '../../../src/runtime/host-facts';
import { parseSpec } from '../../../src/runtime/spec-format';
import { STEP_TABLE } from '../../../src/runtime/steps';
import { stateDirOf } from '../../../src/state/paths';
import { hostFacts, V1_SPLIT_HOST, V2_HOST } from '../../support/host-facts';

function planOf(builder: ContainerBuilder): ContainerPlan {
  const built = buildPlan('/tmp/x.haco.ts', builder);
  if ('notContainers' in built) throw new Error(built.notContainers);
  expect(built.issues).toEqual([]);
  return built.plan.containers[0]!;
}

const v2 = hostFacts(V2_HOST);
const v1 = hostFacts(V1_SPLIT_HOST);
const first = planOf(defineContainer('box').bootstrap((b) => b.host()));
const explain = (c: ContainerPlan, host: HostFacts = v2) => explainContainer(c, host);

function step(e: ContainerExplanation, id: string) {
  const s = e.steps.find((x) => x.id === id);
  if (!s) throw new Error(`no step ${id} in ${e.steps.map((x) => x.id).join(',')}`);
  return s;
}

function text(e: ContainerExplanation, id: string): string {
  const s = step(e, id);
  return [s.title, ...s.lines, ...s.kernel, ...s.seeIt].join('\n');
}

/** The spec `haco start` would compile (foreground), as `step field…` lines. */
function specLines(c: ContainerPlan, host: HostFacts): string[] {
  const text = compileLaunchSpec(c, host, { lifecycle: { stateDir: stateDirOf(c.name), keep: false, planJson: '{}', meta: {} } }).text;
  return parseSpec(text).map((s) => [s.step, ...s.fields].join(' '));
}

const everything = planOf(
  defineContainer('all')
    .mapRootTo(100000)
    .rootfs('/var/lib/haco/all/rootfs', { lower: '/var/lib/haco/base/rootfs', readonly: true })
    .network({ bridge: 'haco0', bridgeAddress: '10.88.0.1/24', address: '10.88.0.2/24' })
    .unshare('cgroup')
    .memory('64M')
    .rlimit('nofile', 64)
    .reaper()
    .sessionLeader()
    .persist('uts', '/run/haco/ns/uts')
    .stdio({ stdout: { host: '/tmp/all.out' } })
    .seccomp((s) => s.block(['sethostname']))
    .hook('beforeStart', 'echo hi')
    .hook('afterSpawn', 'echo spawned')
    .hook('beforeExec', 'echo exec')
    .hook('afterExit', 'echo bye')
    .timeOffsets({ boottime: 86400 }),
);

describe('explainContainer: told from the launch spec', () => {
  it.each([
    ['the default container, cgroup v2', first, v2],
    ['the default container, cgroup v1 with cpu and cpuacct apart', first, v1],
    ['a container using most features, cgroup v1', everything, v1],
    ['a container using most features, cgroup v2 with clone3', everything, hostFacts(V2_HOST, { cloneIntoCgroup: true })],
  ])('%s: tells every step of the spec once, in the launcher\'s order', (_label, c, host) => {
    const e = explain(c, host);
    const spec = specLines(c, host);
    const told = e.steps.flatMap((s) => s.spec);
    expect([...told].sort()).toEqual([...spec].sort());
    // Launch steps in spec order; the metadata opens (launcher) or closes (after) the story.
    const meta = (line: string) => ['launcher', 'after'].includes(e.steps.find((s) => s.spec.includes(line))!.id);
    expect(told.filter((l) => !meta(l))).toEqual(spec.filter((l) => !meta(l)));
    for (const s of e.steps) expect({ id: s.id, seeIt: s.seeIt.length > 0 }).toEqual({ id: s.id, seeIt: true });
  });

  it('has prose for every step of the table', () => {
    for (const d of STEP_TABLE) expect(STEP_PROSE[d.name]).toBeDefined();
  });

  it('follows the launch order of the default container', () => {
    expect(explain(first).steps.map((s) => s.id)).toEqual([
      'create', 'launcher', 'cgroup', 'devices', 'clone', 'cgroup-join', 'release', 'rootfs', 'mounts', 'hostname', 'network', 'masks', 'pivot-root',
      'no-new-privs', 'user', 'capabilities', 'seccomp', 'environment', 'seccomp-load', 'exec', 'after',
    ]);
  });

  it('names every new namespace with its clone flag and how to see it', () => {
    const e = explain(first);
    const clone = text(e, 'clone');
    expect(clone).toContain('clone(CLONE_NEWNS|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWPID|CLONE_NEWNET|SIGCHLD)');
    expect(clone).toContain('pid (CLONE_NEWPID): isolates process IDs');
    expect(clone).toContain('Shared with the host: user, cgroup, time.');
    expect(step(e, 'clone').seeIt.join('\n')).toContain('`ps` inside lists only the container');
  });

  it('says clone3 with CLONE_INTO_CGROUP, and no move, where the launcher does that (cgroup v2, Linux 5.7+)', () => {
    const e = explain(first, hostFacts(V2_HOST, { cloneIntoCgroup: true }));
    expect(text(e, 'clone')).toContain('clone3({flags=CLONE_NEWNS|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWPID|CLONE_NEWNET|CLONE_INTO_CGROUP, cgroup=fd of /sys/fs/cgroup/haco/box');
    expect(text(e, 'clone')).toContain('straight inside its cgroup /sys/fs/cgroup/haco/box');
    expect(e.steps.map((s) => s.id)).not.toContain('cgroup-join');
  });

  it('a shared pid namespace shows up as shared, with how to see it', () => {
    const e = explain(applyToggles(first, { share: ['pid'] }));
    expect(text(e, 'clone')).not.toContain('CLONE_NEWPID');
    expect(text(e, 'clone')).toContain('pid is shared: `ps ax` inside lists every process of the host');
    expect(e.sharing.find((r) => r.what === 'processes (pid)')).toMatchObject({ status: 'shared' });
    expect(text(e, 'exec')).not.toContain('PID 1');
  });

  it('lists the device allow-list with names, how this host enforces it, and how to see it', () => {
    const e = explain(first);
    expect(step(e, 'devices').title).toBe('Allow only 8 device rules (device cgroup)');
    expect(text(e, 'devices')).toContain('c 1:3 rwm: /dev/null (read, write, mknod).');
    expect(text(e, 'devices')).toContain('c 136:* rwm: /dev/pts/* (read, write, mknod).');
    expect(text(e, 'devices')).toContain('BPF_PROG_TYPE_CGROUP_DEVICE) from the rules and attaches it to /sys/fs/cgroup/haco/box');
    expect(step(e, 'devices').seeIt.join('\n')).toContain('Operation not permitted');
    expect(e.sharing.find((r) => r.what === 'devices')).toMatchObject({ status: 'isolated', detail: expect.stringContaining('the device cgroup refuses every other device') });
    const onV1 = explain(first, v1);
    expect(text(onV1, 'devices')).toContain('/sys/fs/cgroup/devices/haco/box/devices.deny');
    expect(text(onV1, 'devices')).toContain('`cat /sys/fs/cgroup/devices/haco/box/devices.list` on the host');
    expect(text(onV1, 'devices')).not.toContain('BPF');
    const host = explain(planOf(defineContainer('h').devices('host')));
    expect(host.steps.map((s) => s.id)).not.toContain('devices');
    expect(text(host, 'cgroup')).toContain(".devices('host') turns the device allow-list off");
    expect(host.sharing.find((r) => r.what === 'devices')).toMatchObject({ status: 'shared' });
  });

  it('turns a CPU quota into what top will show, in the files of this host', () => {
    const c = planOf(defineContainer('c').cpu('30%'));
    const e = explain(c);
    expect(text(e, 'cgroup')).toContain('cpu.max = 30000 100000: at most 30% of one CPU');
    expect(text(e, 'cgroup')).toContain('write "30000 100000" to /sys/fs/cgroup/haco/c/cpu.max');
    expect(text(e, 'cgroup')).toContain('`yes > /dev/null &` inside: `top` shows it at about 30%');
    const onV1 = explain(c, v1);
    expect(text(onV1, 'cgroup')).toContain('cpu.cfs_quota_us = 30000: at most 30% of one CPU');
    expect(text(onV1, 'cgroup')).toContain('write "30000" to /sys/fs/cgroup/cpu/haco/c/cpu.cfs_quota_us');
    expect(text(onV1, 'cgroup')).not.toContain('cpu.max');
    const two = explain(planOf(defineContainer('c').cpu({ max: 1.5 })));
    expect(text(two, 'cgroup')).toContain('at most 1.5 CPUs');
    expect(e.sharing.find((r) => r.what === 'CPU, memory, tasks')).toMatchObject({ status: 'limited', detail: expect.stringContaining('30% of one CPU') });
  });

  it('on a v1 host with cpuacct apart from cpu, joins cpuacct and says where CPU time is counted', () => {
    const e = explain(first, v1);
    expect(step(e, 'clone').kernel.slice(0, 3)).toEqual([
      'the launcher writes "0" to /sys/fs/cgroup/pids/haco/box/tasks (moves itself: no migration lock), clones the child there, then writes "0" to its own pids cgroup\'s tasks under /sys/fs/cgroup/pids (from /proc/self/cgroup) to move back',
      'the launcher writes "0" to /sys/fs/cgroup/cpuacct/haco/box/tasks (moves itself: no migration lock), clones the child there, then writes "0" to its own cpuacct cgroup\'s tasks under /sys/fs/cgroup/cpuacct (from /proc/self/cgroup) to move back',
      'the launcher writes "0" to /sys/fs/cgroup/devices/haco/box/tasks (moves itself: no migration lock), clones the child there, then writes "0" to its own devices cgroup\'s tasks under /sys/fs/cgroup/devices (from /proc/self/cgroup) to move back',
    ]);
    expect(text(e, 'clone')).toContain('straight inside its cgroups (/sys/fs/cgroup/pids/haco/box, /sys/fs/cgroup/cpuacct/haco/box, /sys/fs/cgroup/devices/haco/box)');
    expect(text(e, 'cgroup')).toContain('cpuacct (/sys/fs/cgroup/cpuacct) counts its CPU time');
    expect(e.host).toBe('cgroup v1 hybrid (one hierarchy per controller under /sys/fs/cgroup, cpu and cpuacct apart)');
    expect(e.sharing.find((r) => r.what === 'CPU, memory, tasks')?.seeIt).toContain('/sys/fs/cgroup/cpuacct/haco/box/cpuacct.usage');
    expect(text(e, 'after')).toContain('/sys/fs/cgroup/cpuacct/haco/box');
    expect(renderExplanation(e)).not.toMatch(/\/sys\/fs\/cgroup\/haco\//);
  });

  it('explains memory and pids limits', () => {
    const e = explain(planOf(defineContainer('m').memory('64M').pids(20)));
    expect(text(e, 'cgroup')).toContain('at most 64M of memory');
    expect(text(e, 'cgroup')).toContain('OOM killer');
    expect(text(e, 'cgroup')).toContain('pids.max = 20: at most 20 processes');
    expect(text(e, 'after')).toContain('oom_kill counter of /sys/fs/cgroup/haco/m/memory.events');
  });

  it('says without sys_admin `hostname x` fails, and stops saying it once added', () => {
    expect(text(explain(first), 'capabilities')).toContain('without sys_admin: `hostname x` fails with "Operation not permitted"');
    const dropped = explain(applyToggles(first, { dropCaps: ['chown'] }));
    expect(text(dropped, 'capabilities')).toContain('Dropped from the default set: chown');
    expect(text(dropped, 'capabilities')).toContain('without chown: `chown 1000 /tmp/f` fails');
    const added = explain(applyToggles(first, { addCaps: ['sys_admin'] }));
    expect(text(added, 'capabilities')).toContain('Added beyond haco\'s default set: sys_admin');
    expect(text(added, 'capabilities')).not.toContain('without sys_admin');
  });

  it('explains chroot versus pivot_root', () => {
    expect(text(explain(first), 'pivot-root')).toContain('pivot_root(".", ".")');
    const e = explain(planOf(defineContainer('c').chroot()));
    expect(e.steps.some((s) => s.id === 'pivot-root')).toBe(false);
    expect(text(e, 'chroot')).toContain('climb out');
  });

  it('covers user namespaces, overlay, networks, rlimits, seccomp, hooks and clocks', () => {
    const e = explain(everything);
    expect(text(e, 'id-maps')).toContain('uids 0–65535 inside are 100000–165535 on the host.');
    expect(e.steps.map((s) => s.id)).toContain('mapped-root');
    expect(text(e, 'rootfs')).toContain('lowerdir=/var/lib/haco/base/rootfs');
    expect(text(e, 'network')).toContain('veth pair');
    expect(text(e, 'rlimits')).toContain('nofile: soft 64, hard 64');
    expect(text(e, 'seccomp')).toContain('sethostname: fail with errno 1');
    expect(text(e, 'hook-beforeStart')).toContain('echo hi');
    expect(text(e, 'hook-afterSpawn')).toContain('echo spawned');
    expect(text(e, 'hook-beforeExec')).toContain('echo exec');
    expect(text(e, 'after')).toContain('echo bye');
    expect(text(e, 'time')).toContain('boottime by 86400s');
    expect(text(e, 'user')).toContain('uid 100000 on the host');
    expect(text(e, 'persist')).toContain('/run/haco/ns/uts');
    expect(text(e, 'stdio-host')).toContain('/tmp/all.out');
    const order = e.steps.map((s) => s.id);
    expect(order.indexOf('time')).toBeLessThan(order.indexOf('clone'));
    expect(order.indexOf('hook-beforeStart')).toBeLessThan(order.indexOf('clone'));
    expect(order.indexOf('masks')).toBeLessThan(order.indexOf('pivot-root'));
    expect(order.indexOf('reaper')).toBeLessThan(order.indexOf('seccomp-load'));
    expect(order.indexOf('seccomp-load')).toBe(order.indexOf('exec') - 1);
  });

  it('a net namespace without a network has only loopback', () => {
    const e = explain(applyToggles(first, { unshare: ['net'] }));
    expect(text(e, 'network')).toContain('only `lo`');
    expect(e.sharing.find((r) => r.what === 'network (net)')?.status).toBe('isolated');
  });

  it('the sharing table names what is always shared', () => {
    const rows = explain(first).sharing;
    expect(rows.find((r) => r.what === 'kernel')?.status).toBe('shared');
    expect(rows.find((r) => r.what === 'files')).toMatchObject({ status: 'partly shared', detail: expect.stringContaining('/usr (ro)') });
  });

  it('renders numbered steps, the host, the spec steps each one tells and the table as plain text', () => {
    const out = renderExplanation(explain(first));
    expect(out).toMatch(/^box: what `haco start` does, step by step\non this host: cgroup v2 \(unified hierarchy at \/sys\/fs\/cgroup\)/);
    expect(out).toContain(' 4. Create the container\'s first process in new namespaces: mount, uts, ipc, pid');
    expect(out).toContain('launch spec: cgroup-lock, cgroup-mkdir ×2');
    expect(out).toContain('Shared with the host vs. isolated');
    expect(out).toMatch(/processes \(pid\) +isolated/);
  });

  it('fails like `haco start` would for what this host cannot do', () => {
    const noCpu = hostFacts({ ...V2_HOST, v2: { path: '/sys/fs/cgroup', controllers: ['pids'] } });
    expect(() => explain(planOf(defineContainer('c').cpu('30%')), noCpu)).toThrow(/needs the cgroup v2 controller cpu/);
  });
});
