import { diagnose, type DoctorCheck } from '../../../src/doctor/checks';
import type { HostProbe } from '../../../src/doctor/probe';
import { HacoError } from '../../../src/errors';
import { TOOL_MANIFEST, type ToolEntry } from '../../../src/host/tool-manifest';

/** A host described by its files; every tool present unless listed in `missing`. */
function host(files: Record<string, string>, over: Partial<HostProbe> = {}, missing: string[] = []): HostProbe {
  return {
    uid: 1000,
    user: 'ada',
    kernelRelease: '6.8.0-45-generic',
    nodeVersion: '22.11.0',
    read: (f) => files[f],
    exists: (f) => f in files,
    writable: (f) => files[`${f}#writable`] !== undefined,
    cgroup: { mode: 'v2', root: '/sys/fs/cgroup', v2: { path: '/sys/fs/cgroup', controllers: ['cpu', 'memory', 'pids'] } },
    tools: (TOOL_MANIFEST as readonly ToolEntry[]).map((entry) => ({ entry, found: !missing.includes(entry.name), path: missing.includes(entry.name) ? undefined : `/usr/bin/${entry.name}` })),
    launcher: { path: '/home/ada/.cache/haco/launcher/abc/haco-launch', source: 'cache', built: false },
    missingBuildTools: missing.filter((m) => ['cc', 'make', 'seccomp.h'].includes(m)) as HostProbe['missingBuildTools'],
    ...over,
  };
}

const check = (checks: DoctorCheck[], id: string) => checks.find((c) => c.id === id)!;

const UBUNTU_2404: Record<string, string> = {
  '/proc/sys/user/max_user_namespaces': '63000\n',
  '/proc/sys/kernel/apparmor_restrict_unprivileged_userns': '1\n',
  '/sys/module/apparmor/parameters/enabled': 'Y\n',
  '/proc/sys/kernel/seccomp/actions_avail': 'kill_process kill_thread trap errno user_notif trace log allow\n',
  '/proc/filesystems': 'nodev\tcgroup2\nnodev\toverlay\n',
  '/proc/self/cgroup': '0::/user.slice/user-1000.slice/user@1000.service/app.slice/term.scope\n',
  '/etc/subuid': 'ada:100000:65536\n',
  '/etc/subgid': 'ada:100000:65536\n',
};

describe('haco doctor checks', () => {
  it('an Ubuntu 24.04 user: AppArmor userns restriction and an undelegated cgroup are warnings with their fix', () => {
    const r = diagnose(host(UBUNTU_2404));
    expect(r.ok).toBe(true);
    expect(check(r.checks, 'privileges')).toMatchObject({ status: 'info', detail: expect.stringContaining('rootless (ada, uid 1000)') });
    expect(check(r.checks, 'userns')).toMatchObject({ status: 'warn', fix: 'sysctl -w kernel.apparmor_restrict_unprivileged_userns=0' });
    expect(check(r.checks, 'subids')).toMatchObject({ status: 'ok', detail: expect.stringContaining('uids 100000+65536') });
    expect(check(r.checks, 'cgroup')).toMatchObject({ status: 'warn', fix: expect.stringContaining('Delegate=yes') });
    expect(check(r.checks, 'overlay')).toMatchObject({ status: 'ok', detail: expect.stringContaining('userxattr') });
    expect(check(r.checks, 'apparmor').status).toBe('ok');
    expect(check(r.checks, 'launcher')).toMatchObject({ status: 'ok', detail: expect.stringContaining('first create or start builds it') });
  });

  it('a delegated cgroup v2 subtree is ok', () => {
    const dir = '/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service/app.slice/term.scope';
    const r = diagnose(host({ ...UBUNTU_2404, [`${dir}/cgroup.controllers`]: 'cpu memory pids\n', [`${dir}/cgroup.subtree_control#writable`]: '' }));
    expect(check(r.checks, 'cgroup')).toMatchObject({ status: 'ok', detail: expect.stringContaining('delegated to ada') });
  });

  it('names the subtree a rootless start uses (the top of the delegation), or warns when the search found none', () => {
    const service = '/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service';
    const found = diagnose(host(UBUNTU_2404, { delegatedCgroup: { path: service, controllers: ['cpu', 'memory', 'pids'] } }));
    expect(check(found.checks, 'cgroup')).toMatchObject({ status: 'ok', detail: expect.stringContaining(`${service} is delegated to ada (controllers: cpu memory pids): rootless containers get ${service}/haco/NAME`) });
    // Looked and found none: a writable own subtree_control (by mode, not ownership) does not count.
    const dir = `${service}/app.slice/term.scope`;
    const none = diagnose(host({ ...UBUNTU_2404, [`${dir}/cgroup.controllers`]: 'cpu\n', [`${dir}/cgroup.subtree_control#writable`]: '' }, { delegatedCgroup: null }));
    expect(check(none.checks, 'cgroup').status).toBe('warn');
  });

  it('root on a cgroup v1 hybrid host without subordinate ids: all fine', () => {
    const r = diagnose(host({ '/proc/sys/user/max_user_namespaces': '1000', '/proc/sys/kernel/seccomp/actions_avail': 'allow' }, {
      uid: 0,
      user: 'root',
      cgroup: { mode: 'hybrid', root: '/sys/fs/cgroup', v1: { hierarchies: { cpu: '/sys/fs/cgroup/cpu', memory: '/sys/fs/cgroup/memory' }, memswAvailable: false }, v2: { path: '/sys/fs/cgroup/unified', controllers: [] } },
    }));
    expect(r.ok).toBe(true);
    expect(check(r.checks, 'cgroup')).toMatchObject({ status: 'ok', detail: expect.stringMatching(/^hybrid: v1 controllers cpu memory, v2 at \/sys\/fs\/cgroup\/unified/) });
    expect(check(r.checks, 'subids').status).toBe('info');
    expect(check(r.checks, 'apparmor').status).toBe('info');
  });

  it('a user without subordinate ids on Debian with unprivileged userns off, cgroup v1', () => {
    const r = diagnose(host({ '/proc/sys/kernel/unprivileged_userns_clone': '0', '/proc/sys/kernel/seccomp/actions_avail': 'allow' }, {
      cgroup: { mode: 'v1', root: '/sys/fs/cgroup', v1: { hierarchies: { pids: '/sys/fs/cgroup/pids' }, memswAvailable: false } },
    }));
    expect(check(r.checks, 'userns')).toMatchObject({ status: 'warn', fix: 'sysctl -w kernel.unprivileged_userns_clone=1' });
    expect(check(r.checks, 'subids')).toMatchObject({ status: 'warn', fix: 'usermod --add-subuids 100000-165535 --add-subgids 100000-165535 ada' });
    expect(check(r.checks, 'cgroup')).toMatchObject({ status: 'warn', detail: expect.stringContaining('need root') });
  });

  it('old Node.js, no compiler, no seccomp headers, no tar: failures, each with the command that fixes it', () => {
    const r = diagnose(host({ '/proc/sys/kernel/seccomp/actions_avail': 'allow' }, { nodeVersion: '18.19.0' }, ['cc', 'seccomp.h', 'tar', 'qemu-system-x86_64']));
    expect(r.ok).toBe(false);
    expect(check(r.checks, 'node')).toMatchObject({ status: 'fail', fix: expect.stringContaining('nodesource') });
    expect(check(r.checks, 'launcher')).toMatchObject({ status: 'fail', fix: 'apt-get install build-essential make libseccomp-dev' });
    const tool = (n: string) => r.tools.find((t) => t.name === n)!;
    expect(tool('cc')).toMatchObject({ status: 'fail', fix: 'apt-get install build-essential' });
    expect(tool('tar')).toMatchObject({ status: 'warn', fix: 'apt-get install tar' });
    expect(tool('qemu-system-x86_64')).toMatchObject({ status: 'info', fix: 'apt-get install qemu-system-x86' });
    expect(r.tools.map((t) => t.name)).toEqual(TOOL_MANIFEST.map((t) => t.name));
  });

  it('no seccomp, no user namespaces, no cgroups: failures', () => {
    const r = diagnose(host({ '/proc/sys/user/max_user_namespaces': '0' }, { cgroup: new HacoError('E_CGROUP_NOT_FOUND', 'no cgroup filesystem is mounted under /sys/fs/cgroup', { hint: 'mount one' }) }));
    expect(check(r.checks, 'seccomp').status).toBe('fail');
    expect(check(r.checks, 'userns')).toMatchObject({ status: 'fail', fix: 'sysctl -w user.max_user_namespaces=15000' });
    expect(check(r.checks, 'cgroup')).toMatchObject({ status: 'fail', fix: 'mount one' });
  });

  it('a built launcher makes missing build tools informational', () => {
    const r = diagnose(host({ '/proc/sys/kernel/seccomp/actions_avail': 'allow' }, { launcher: { path: '/x/haco-launch', source: 'cache', built: true } }, ['cc']));
    expect(r.ok).toBe(true);
    expect(r.tools.find((t) => t.name === 'cc')!.status).toBe('info');
  });

  it('leftover container cgroups are a warning whose fix is haco prune; none is ok', () => {
    const stale = ['/sys/fs/cgroup/haco/old/inner', '/sys/fs/cgroup/haco/old', '/sys/fs/cgroup/haco/older'];
    const r = diagnose(host(UBUNTU_2404, { staleCgroups: stale }));
    expect(check(r.checks, 'cgroup-leftovers')).toMatchObject({ status: 'warn', fix: 'haco prune', detail: expect.stringContaining('2 empty container cgroup(s)') });
    expect(check(diagnose(host(UBUNTU_2404, { staleCgroups: [] })).checks, 'cgroup-leftovers').status).toBe('ok');
    expect(diagnose(host(UBUNTU_2404)).checks.some((c) => c.id === 'cgroup-leftovers')).toBe(false);
  });
});
