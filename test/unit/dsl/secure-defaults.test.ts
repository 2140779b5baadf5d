import { defineContainer, type ContainerBuilder } from 'haco';
import { explainContainer } from '../../../src/explain/explain';
import { buildPlan } from '../../../src/plan/build';
import { validatePlanSchema } from '../../../src/plan/schema';
import { resolveDefaultSeccomp } from '../../../src/plan/seccomp-default';
import { summarizePlan } from '../../../src/plan/summary';
import { applyToggles } from '../../../src/dsl/toggles';
import type { ContainerPlan, SeccompPlan } from '../../../src/plan/types';
import { ProvisionStepError } from '../../../src/provision/errors';
import { PROVISION_CAPABILITIES, provisionPlan } from '../../../src/provision/provision-plan';
import { compileLaunchSpec } from '../../../src/runtime/compile';
import type { HostFacts } from '../../../src/runtime/host-facts';
import { hostFacts } from '../../support/host-facts';

function planOf(builder: ContainerBuilder): ContainerPlan {
  const built = buildPlan('/tmp/x.haco.ts', builder);
  if ('notContainers' in built) throw new Error(built.notContainers);
  expect(built.issues).toEqual([]);
  expect(validatePlanSchema(built.plan)).toEqual([]);
  return built.plan.containers[0]!;
}

/** Every syscall a filter lets through without an argument check. */
function allowed(s: SeccompPlan | undefined): Set<string> {
  return new Set((s?.rules ?? []).filter((r) => r.action === 'allow' && r.args.length === 0).flatMap((r) => r.syscalls));
}

const facts: HostFacts = {
  uid: 0,
  cgroup: { mode: 'v2', root: '/sys/fs/cgroup', v2: { path: '/sys/fs/cgroup', controllers: ['cpu', 'memory', 'pids'] } },
  kernel: { timeNamespace: true, cgroupNamespace: true, userNamespace: true, seccomp: true, cloneIntoCgroup: false },
};

const base = defineContainer('box').bootstrap((b) => b.busybox());

describe('secure defaults', () => {
  const c = planOf(base);

  it('unshares the network (only lo) unless .share("net")', () => {
    expect(c.namespaces.unshare).toContain('net');
    expect(c.network).toBeUndefined();
    expect(planOf(base.share('net')).namespaces.unshare).not.toContain('net');
    expect(applyToggles(c, { share: ['net'] }).namespaces.unshare).not.toContain('net');
    const text = explainContainer(c, hostFacts()).steps.find((s) => s.id === 'network');
    expect(text?.lines.join('\n')).toContain(".share('net')");
  });

  it('keeps Podman\'s capability set: no mknod, net_raw, audit_write', () => {
    expect(c.capabilities.bounding).toEqual(['chown', 'dac_override', 'fowner', 'fsetid', 'kill', 'setgid', 'setuid', 'setpcap', 'net_bind_service', 'sys_chroot', 'setfcap']);
    expect(planOf(base.addCaps('net_raw')).capabilities.bounding).toContain('net_raw');
  });

  it('installs haco\'s default seccomp profile: an allow list, EPERM otherwise', () => {
    expect(c.seccomp).toMatchObject({ profile: 'default', action: 'errno', errno: 1 });
    const ok = allowed(c.seccomp);
    for (const s of ['read', 'execve', 'fork', 'wait4', 'socket', 'chroot', 'close_range']) expect(ok).toContain(s);
    for (const s of ['mount', 'unshare', 'setns', 'keyctl', 'add_key', 'kexec_load', 'bpf', 'ptrace', 'init_module', 'reboot', 'io_uring_setup', 'clone']) expect(ok).not.toContain(s);
    // clone without namespace flags; clone3 answers ENOSYS so that libc falls back to clone.
    expect(c.seccomp!.rules).toContainEqual({ action: 'allow', syscalls: ['clone'], args: [{ index: 0, op: 'masked_eq', value: 0x7e020000, valueTwo: 0 }], optional: true });
    expect(c.seccomp!.rules).toContainEqual({ action: 'errno', errno: 38, syscalls: ['clone3'], args: [], optional: true });
    expect(c.seccomp!.rules.every((r) => r.optional)).toBe(true);
    expect(summarizePlan({ apiVersion: 'haco.dev/v1alpha1', source: '/x', containers: [c] }, { bold: String, dim: String })).toMatch(/seccomp +haco default profile \(\d+ syscalls allowed, errno 1 \(EPERM\) otherwise\)/);
  });

  it('follows the capabilities: sys_admin allows mount, unshare and any clone', () => {
    const admin = planOf(base.addCaps('sys_admin', 'sys_ptrace'));
    const ok = allowed(admin.seccomp);
    for (const s of ['mount', 'umount2', 'unshare', 'setns', 'sethostname', 'clone', 'clone3', 'ptrace']) expect(ok).toContain(s);
    // the same from the command line: --add-cap regenerates the profile
    expect(allowed(applyToggles(c, { addCaps: ['sys_admin'] }).seccomp)).toContain('mount');
    expect(allowed(applyToggles(c, { dropCaps: ['sys_chroot'] }).seccomp)).not.toContain('chroot');
  });

  it('handles architectures in TypeScript', () => {
    expect(allowed(resolveDefaultSeccomp([], 'x64'))).toContain('arch_prctl');
    expect(allowed(resolveDefaultSeccomp([], 'arm64'))).not.toContain('arch_prctl');
    expect(resolveDefaultSeccomp([], 's390x').rules.find((r) => r.syscalls[0] === 'clone')!.args[0]!.index).toBe(1);
  });

  it('.seccomp(false) removes the filter; .seccomp("default") brings it back', () => {
    expect(planOf(base.seccomp(false)).seccomp).toBeUndefined();
    expect(planOf(base.seccomp(false).seccomp('default')).seccomp?.profile).toBe('default');
    expect(explainContainer(planOf(base.seccomp(false)), hostFacts()).steps.map((s) => s.id)).not.toContain('seccomp');
  });

  it('a definition\'s rules extend the profile and take over the syscalls they name', () => {
    const own = planOf(base.addCaps('sys_admin').seccomp((s) => s.block(['sethostname']).allow(['keyctl'])));
    expect(own.seccomp?.profile).toBe('default');
    expect(allowed(own.seccomp)).not.toContain('sethostname');
    expect(allowed(own.seccomp)).toContain('mount');
    expect(own.seccomp!.rules).toContainEqual({ action: 'errno', errno: 1, syscalls: ['sethostname'], args: [] });
    expect(own.seccomp!.rules).toContainEqual({ action: 'allow', syscalls: ['keyctl'], args: [] });
    // each syscall appears in at most one rule without arguments (libseccomp takes one action per call)
    const bare = own.seccomp!.rules.filter((r) => r.args.length === 0).flatMap((r) => r.syscalls);
    expect(new Set(bare).size).toBe(bare.length);
    // base('none'): only the definition's rules, allow for the rest
    expect(planOf(base.seccomp((s) => s.base('none').block(['mount']))).seccomp).toEqual({ action: 'allow', rules: [{ action: 'errno', errno: 1, syscalls: ['mount'], args: [] }] });
  });

  it('compiles the profile with optional rules, loaded last before exec', () => {
    const spec = compileLaunchSpec(planOf(base.reaper()), facts).lines.filter((l) => !l.startsWith('#'));
    expect(spec).toContain('seccomp errno:1');
    expect(spec).toContain('seccomp-rule allow read - optional');
    expect(spec).toContain('seccomp-rule allow clone 0:masked_eq:2114060288:0 optional');
    expect(spec.slice(-3).map((l) => l.split(' ')[0])).toEqual(['reaper', 'seccomp-load', 'exec']);
    expect(compileLaunchSpec(planOf(base.seccomp((s) => s.block(['sethostname']))), facts).lines).toContain('seccomp-rule errno:1 sethostname -');
  });

  it('provision keeps the host network (unless { network: false }) and the wider capability set', () => {
    const p = provisionPlan(c, ['/bin/true']);
    expect(p.namespaces.unshare).not.toContain('net');
    expect(p.seccomp).toBeUndefined();
    const offline = planOf(base.provision((x) => x.step('a', 'true'), { network: false }));
    expect(offline.provision.network).toBe('none');
    expect(provisionPlan(offline, ['/bin/true']).namespaces.unshare).toContain('net');
    for (const cap of ['net_raw', 'mknod', 'audit_write', 'dac_read_search'] as const) expect(PROVISION_CAPABILITIES).toContain(cap);
  });
});

describe('a provision step refused a privilege', () => {
  it('says which capabilities provision has, instead of a bare EPERM', () => {
    const e = new ProvisionStepError('web', 'seed', 1, ['+ mount -t tmpfs x /mnt', 'mount: permission denied (are you root?)']);
    expect(e.hint).toContain('no sys_admin (mount, hostname)');
    expect(e.hint).toContain('net_raw');
    expect(new ProvisionStepError('web', 'seed', 1, ['false']).hint).not.toContain('EPERM');
  });
});
