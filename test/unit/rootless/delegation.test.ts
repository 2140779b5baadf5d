// Rootless cgroup v2: finding the subtree delegated to the user, and what the launch spec does there
// (docs/rootless.md, "Limits"). The VM test (test/root/rootless-cgroup-v2-vm.test.ts) runs it for real.
import type { CgroupHost } from '../../../src/cgroup/types';
import { HacoError } from '../../../src/errors';
import { adaptContainer } from '../../../src/rootless/adapt';
import { rootlessCgroupSetup } from '../../../src/rootless/cgroup';
import { findDelegatedCgroup, type DelegationProbe } from '../../../src/rootless/delegation';
import type { RootlessIdentity } from '../../../src/rootless/identity';
import { rootlessNotices } from '../../../src/rootless/notices';
import { compileLaunchSpec } from '../../../src/runtime/compile';
import type { HostFacts } from '../../../src/runtime/host-facts';
import { parseSpec } from '../../../src/runtime/spec-format';
import { planFixture } from '../../support/plan-fixture';

const v2: CgroupHost = { mode: 'v2', root: '/sys/fs/cgroup', v2: { path: '/sys/fs/cgroup', controllers: ['cpuset', 'cpu', 'io', 'memory', 'pids'] } };
const hybrid: CgroupHost = { mode: 'hybrid', root: '/sys/fs/cgroup', v2: { path: '/sys/fs/cgroup/unified', controllers: [] }, v1: { hierarchies: {}, memswAvailable: false } };
const USER = '/sys/fs/cgroup/user.slice/user-1001.slice';
const SERVICE = `${USER}/user@1001.service`;

/** A systemd-like tree: user@1001.service and everything below it belong to uid 1001, the rest to root. */
function probe(own: string, owned: string[] = [SERVICE], controllers = 'cpu memory pids'): DelegationProbe {
  return {
    read: (file) => (file === '/proc/self/cgroup' ? `0::${own.replace(/^\/sys\/fs\/cgroup/, '') || '/'}\n` : file === `${SERVICE}/cgroup.controllers` ? `${controllers}\n` : undefined),
    owner: (file) => (owned.some((o) => file === o || file.startsWith(o + '/')) ? 1001 : 0),
  };
}

const full: RootlessIdentity = { uid: 1001, gid: 1001, user: 'alice', subuid: [{ start: 100000, count: 65536 }], subgid: [{ start: 200000, count: 65536 }], fullRange: true };
const limited = () => planFixture({ cgroup: { resources: { memory: { max: 64 * 1024 * 1024 }, pids: { max: 32 }, cpu: { quotaUs: 50000, periodUs: 100000 } } } });
const lines = (text: string, step: string) => parseSpec(text).filter((s) => s.step === step).map((s) => [s.step, ...s.fields].join(' '));

function facts(cgroup: CgroupHost, delegatedCgroup?: { path: string; controllers: string[] }): HostFacts {
  return {
    cgroup,
    uid: 1001,
    kernel: { timeNamespace: true, cgroupNamespace: true, userNamespace: true, seccomp: true, cloneIntoCgroup: true },
    pathKind: () => 'directory',
    rootless: { fullRange: true, helpers: { uid: '/usr/bin/newuidmap', gid: '/usr/bin/newgidmap' }, userOverlay: true, ...(delegatedCgroup ? { delegatedCgroup } : {}) },
  };
}

describe('rootless: the delegated cgroup v2 subtree', () => {
  it('walks up from the own cgroup to the highest one delegated to the user (systemd: user@UID.service)', () => {
    const own = `${SERVICE}/app.slice/run-r1.scope`;
    expect(findDelegatedCgroup(v2, 1001, probe(own))).toEqual({ path: SERVICE, controllers: ['cpu', 'memory', 'pids'] });
    // A login over ssh runs in session-N.scope, root's: nothing is delegated there.
    expect(findDelegatedCgroup(v2, 1001, probe(`${USER}/session-3.scope`))).toBeUndefined();
    // Delegation is the directory and its cgroup.procs and cgroup.subtree_control: a directory alone is not.
    const dirOnly: DelegationProbe = { ...probe(own), owner: (f) => (f.endsWith('cgroup.procs') ? 0 : 1001) };
    expect(findDelegatedCgroup(v2, 1001, dirOnly)).toBeUndefined();
    // Never for root, never on v1/hybrid (v1 hierarchies are not delegated), never the v2 root itself.
    expect(findDelegatedCgroup(v2, 0, probe(own))).toBeUndefined();
    expect(findDelegatedCgroup(hybrid, 1001, probe(own))).toBeUndefined();
    expect(findDelegatedCgroup(v2, 1001, probe('/', ['/sys/fs/cgroup']))).toBeUndefined();
  });

  it('puts the container at DELEGATED/haco/NAME: controllers enabled on the way, limits, born there, removed after; no device program', () => {
    const c = adaptContainer(limited(), full, '/h');
    const text = compileLaunchSpec(c, facts(v2, { path: SERVICE, controllers: ['cpu', 'memory', 'pids'] })).text;
    expect(lines(text, 'cgroup-write')).toEqual([
      `cgroup-write ${SERVICE}/cgroup.subtree_control +cpu +memory +pids`,
      `cgroup-write ${SERVICE}/haco/cgroup.subtree_control +cpu +memory +pids`,
      `cgroup-write ${SERVICE}/haco/${c.name}/cpu.max 50000 100000`,
      `cgroup-write ${SERVICE}/haco/${c.name}/memory.max ${64 * 1024 * 1024}`,
      `cgroup-write ${SERVICE}/haco/${c.name}/pids.max 32`,
    ]);
    expect(lines(text, 'cgroup-mkdir')).toEqual([`cgroup-mkdir ${SERVICE}/haco`, `cgroup-mkdir ${SERVICE}/haco/${c.name}`]);
    expect(lines(text, 'cleanup-cgroup')).toEqual([`cleanup-cgroup ${SERVICE}/haco/${c.name}`]);
    expect(lines(text, 'spawn')[0]).toMatch(new RegExp(`^spawn \\S+ ${SERVICE}/haco/${c.name}$`));
    expect(lines(text, 'cgroup-devices')).toEqual([]);
    expect(text).toContain(`note: rootless: cgroup in the subtree delegated to you, ${SERVICE}`);
    // The limits apply: no notice. Without the delegation: none of it, and the notice.
    expect(rootlessNotices(c, full, v2, { path: SERVICE, controllers: ['cpu', 'memory', 'pids'] })).toEqual([]);
    const without = compileLaunchSpec(c, facts(v2)).text;
    expect(lines(without, 'cgroup-mkdir')).toEqual([]);
    expect(rootlessNotices(c, full, v2)).toEqual([expect.stringContaining('limits not applied: .cpu(), .memory(), .pids(), because your cgroup (/proc/self/cgroup) is not in a subtree delegated to you')]);
  });

  it('refuses a limit whose controller the delegation lacks, naming it and how to delegate it', () => {
    let error: unknown;
    try {
      rootlessCgroupSetup('x', planFixture({ cgroup: { resources: { io: { weight: 200, throttle: [] } } } }).cgroup, v2, { path: SERVICE, controllers: ['cpu', 'memory', 'pids'] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HacoError);
    expect((error as HacoError).code).toBe('E_CGROUP_CONTROLLER');
    expect((error as HacoError).message).toContain(`${SERVICE}/cgroup.controllers`);
    expect((error as HacoError).hint).toContain('Delegate=');
  });
});
