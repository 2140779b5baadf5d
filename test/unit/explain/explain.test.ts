import { defineContainer, type ContainerBuilder } from 'haco';
import { explainContainer, renderExplanation, type ContainerExplanation } from '../../../src/explain/explain';
import { buildPlan } from '../../../src/plan/build';
import { applyToggles } from '../../../src/dsl/toggles';
import type { ContainerPlan } from '../../../src/plan/types';

function planOf(builder: ContainerBuilder): ContainerPlan {
  const built = buildPlan('/tmp/x.haco.ts', builder);
  if ('notContainers' in built) throw new Error(built.notContainers);
  expect(built.issues).toEqual([]);
  return built.plan.containers[0]!;
}

const first = planOf(defineContainer('box').bootstrap((b) => b.host()));

function step(e: ContainerExplanation, id: string) {
  const s = e.steps.find((x) => x.id === id);
  if (!s) throw new Error(`no step ${id} in ${e.steps.map((x) => x.id).join(',')}`);
  return s;
}

function text(e: ContainerExplanation, id: string): string {
  const s = step(e, id);
  return [s.title, ...s.lines, ...s.kernel, ...s.seeIt].join('\n');
}

describe('explainContainer', () => {
  it('follows the launch order', () => {
    expect(explainContainer(first).steps.map((s) => s.id)).toEqual([
      'create', 'cgroup', 'devices', 'clone', 'cgroup-join', 'network', 'rootfs', 'mounts', 'hostname', 'pivot-root', 'masks',
      'no-new-privs', 'user', 'capabilities', 'seccomp', 'exec', 'after',
    ]);
  });

  it('names every new namespace with its clone flag and how to see it', () => {
    const e = explainContainer(first);
    const clone = text(e, 'clone');
    expect(clone).toContain('clone(CLONE_NEWNS|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWPID|CLONE_NEWNET|SIGCHLD)');
    expect(clone).toContain('pid (CLONE_NEWPID): isolates process IDs');
    expect(clone).toContain('Shared with the host: user, cgroup, time.');
    expect(step(e, 'clone').seeIt.join('\n')).toContain('`ps` inside lists only the container');
  });

  it('a shared pid namespace shows up as shared, with how to see it', () => {
    const e = explainContainer(applyToggles(first, { share: ['pid'] }));
    expect(text(e, 'clone')).not.toContain('CLONE_NEWPID');
    expect(text(e, 'clone')).toContain('pid is shared: `ps ax` inside lists every process of the host');
    expect(e.sharing.find((r) => r.what === 'processes (pid)')).toMatchObject({ status: 'shared' });
    expect(text(e, 'exec')).not.toContain('PID 1');
  });

  it('lists the device allow-list with names, how each cgroup version enforces it, and how to see it', () => {
    const e = explainContainer(first);
    expect(step(e, 'devices').title).toBe('Allow only 8 device rules (device cgroup)');
    expect(text(e, 'devices')).toContain('c 1:3 rwm: /dev/null (read, write, mknod).');
    expect(text(e, 'devices')).toContain('c 136:* rwm: /dev/pts/* (read, write, mknod).');
    expect(text(e, 'devices')).toContain('BPF_PROG_TYPE_CGROUP_DEVICE');
    expect(step(e, 'devices').seeIt.join('\n')).toContain('Operation not permitted');
    expect(e.sharing.find((r) => r.what === 'devices')).toMatchObject({ status: 'isolated', detail: expect.stringContaining('the device cgroup refuses every other device') });
    const host = explainContainer(planOf(defineContainer('h').devices('host')));
    expect(step(host, 'devices').title).toContain('unsafe');
    expect(host.sharing.find((r) => r.what === 'devices')).toMatchObject({ status: 'shared' });
  });

  it('turns a CPU quota into what top will show', () => {
    const e = explainContainer(planOf(defineContainer('c').cpu('30%')));
    expect(text(e, 'cgroup')).toContain('cpu.max = 30000 100000: at most 30% of one CPU');
    expect(text(e, 'cgroup')).toContain('`yes > /dev/null &` inside: `top` shows it at about 30%');
    const two = explainContainer(planOf(defineContainer('c').cpu({ max: 1.5 })));
    expect(text(two, 'cgroup')).toContain('at most 1.5 CPUs');
    expect(e.sharing.find((r) => r.what === 'CPU, memory, tasks')).toMatchObject({ status: 'limited', detail: expect.stringContaining('30% of one CPU') });
  });

  it('explains memory and pids limits', () => {
    const e = explainContainer(planOf(defineContainer('m').memory('64M').pids(20)));
    expect(text(e, 'cgroup')).toContain('at most 64M of memory');
    expect(text(e, 'cgroup')).toContain('OOM killer');
    expect(text(e, 'cgroup')).toContain('pids.max = 20: at most 20 processes');
  });

  it('says without sys_admin `hostname x` fails, and stops saying it once added', () => {
    expect(text(explainContainer(first), 'capabilities')).toContain('without sys_admin: `hostname x` fails with "Operation not permitted"');
    const dropped = explainContainer(applyToggles(first, { dropCaps: ['chown'] }));
    expect(text(dropped, 'capabilities')).toContain('Dropped from the default set: chown');
    expect(text(dropped, 'capabilities')).toContain('without chown: `chown 1000 /tmp/f` fails');
    const added = explainContainer(applyToggles(first, { addCaps: ['sys_admin'] }));
    expect(text(added, 'capabilities')).toContain('Added beyond haco\'s default set: sys_admin');
    expect(text(added, 'capabilities')).not.toContain('without sys_admin');
  });

  it('explains chroot versus pivot_root', () => {
    expect(text(explainContainer(first), 'pivot-root')).toContain('pivot_root(".", ".")');
    const e = explainContainer(planOf(defineContainer('c').chroot()));
    expect(e.steps.some((s) => s.id === 'pivot-root')).toBe(false);
    expect(text(e, 'chroot')).toContain('climb out');
  });

  it('covers user namespaces, overlay, networks, rlimits, seccomp and hooks', () => {
    const c = planOf(
      defineContainer('all')
        .mapRootTo(100000)
        .rootfs('/var/lib/haco/all/rootfs', { lower: '/var/lib/haco/base/rootfs' })
        .network({ bridge: 'haco0', bridgeAddress: '10.88.0.1/24', address: '10.88.0.2/24' })
        .rlimit('nofile', 64)
        .seccomp((s) => s.block(['sethostname']))
        .hook('beforeStart', 'echo hi')
        .timeOffsets({ boottime: 86400 }),
    );
    const e = explainContainer(c);
    expect(text(e, 'id-maps')).toContain('uids 0–65535 inside are 100000–165535 on the host.');
    expect(text(e, 'rootfs')).toContain('lowerdir=/var/lib/haco/base/rootfs');
    expect(text(e, 'network')).toContain('veth pair');
    expect(text(e, 'rlimits')).toContain('nofile: soft 64, hard 64');
    expect(text(e, 'seccomp')).toContain('sethostname: fail with errno 1');
    expect(text(e, 'hook-beforeStart')).toContain('echo hi');
    expect(text(e, 'clone')).toContain('boottime 86400s');
    expect(text(e, 'user')).toContain('uid 100000 on the host');
    expect(e.steps.findIndex((s) => s.id === 'hook-beforeStart')).toBeLessThan(e.steps.findIndex((s) => s.id === 'clone'));
  });

  it('a net namespace without a network has only loopback', () => {
    const e = explainContainer(applyToggles(first, { unshare: ['net'] }));
    expect(text(e, 'network')).toContain('only `lo`');
    expect(e.sharing.find((r) => r.what === 'network (net)')?.status).toBe('isolated');
  });

  it('the sharing table names what is always shared', () => {
    const rows = explainContainer(first).sharing;
    expect(rows.find((r) => r.what === 'kernel')?.status).toBe('shared');
    expect(rows.find((r) => r.what === 'files')).toMatchObject({ status: 'partly shared', detail: expect.stringContaining('/usr (ro)') });
  });

  it('every step says how to see it', () => {
    for (const s of explainContainer(first).steps) expect(s.seeIt.length).toBeGreaterThan(0);
  });

  it('renders numbered steps and the table as plain text', () => {
    const out = renderExplanation(explainContainer(first));
    expect(out).toMatch(/^box: what `haco start` does, step by step\n\n 0\. /);
    expect(out).toContain(' 3. Create the container\'s first process in new namespaces: mount, uts, ipc, pid');
    expect(out).toContain('Shared with the host vs. isolated');
    expect(out).toMatch(/processes \(pid\) +isolated/);
  });
});
