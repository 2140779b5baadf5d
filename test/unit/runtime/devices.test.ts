import * as fs from 'node:fs';
import { defineContainer } from 'haco';
import { planCgroupSetup } from '../../../src/cgroup/setup';
import type { CgroupHost } from '../../../src/cgroup/types';
import { buildPlan } from '../../../src/plan/build';
import { ALL_DEVICES_RULE, DEFAULT_DEVICE_RULES, deviceRuleText, isDefaultDeviceList, splitDeviceNumber } from '../../../src/plan/devices';
import { validatePlanSchema } from '../../../src/plan/schema';
import { validateContainer } from '../../../src/plan/validate';
import type { ContainerPlan, DeviceRule } from '../../../src/plan/types';
import { compileLaunchSpec } from '../../../src/runtime/compile';
import type { HostFacts } from '../../../src/runtime/host-facts';
import { parseSpec, type ParsedStep } from '../../../src/runtime/spec-format';
import { planFixture, type DeepPartial } from '../../support/plan-fixture';

const v2Host: CgroupHost = { mode: 'v2', root: '/sys/fs/cgroup', v2: { path: '/sys/fs/cgroup', controllers: ['cpu', 'memory', 'pids'] } };
const v1Host: CgroupHost = {
  mode: 'hybrid',
  root: '/sys/fs/cgroup',
  v1: {
    hierarchies: { pids: '/sys/fs/cgroup/pids', memory: '/sys/fs/cgroup/memory', devices: '/sys/fs/cgroup/devices' },
    memswAvailable: false,
  },
  v2: { path: '/sys/fs/cgroup/unified', controllers: [] },
};

function facts(cgroup: CgroupHost, cloneIntoCgroup = false): HostFacts {
  return {
    cgroup,
    uid: 0,
    kernel: { timeNamespace: true, cgroupNamespace: true, userNamespace: true, seccomp: true, cloneIntoCgroup },
    pathKind: () => 'directory',
  };
}
const compile = (over: DeepPartial<ContainerPlan>, host: CgroupHost, into = false) => parseSpec(compileLaunchSpec(planFixture(over), facts(host, into)).text);
const line = (s: ParsedStep) => [s.step, ...s.fields].join(' ');
const lines = (steps: ParsedStep[], step: string) => steps.filter((s) => s.step === step).map(line);
const where = (steps: ParsedStep[], text: string) => steps.findIndex((s) => line(s) === text);
const at = (steps: ParsedStep[], step: string) => steps.findIndex((s) => s.step === step);

const DEFAULT_V1_ALLOW = [
  'c 1:3 rwm',
  'c 1:5 rwm',
  'c 1:7 rwm',
  'c 1:8 rwm',
  'c 1:9 rwm',
  'c 5:0 rwm',
  'c 5:2 rwm',
  'c 136:* rwm',
];

describe('the default device allow-list', () => {
  it("is runc's list without console, tun and mknod of other nodes: the standard nodes and terminals only", () => {
    expect(DEFAULT_DEVICE_RULES.map(deviceRuleText)).toEqual(DEFAULT_V1_ALLOW);
    expect(DEFAULT_DEVICE_RULES.every((r) => r.allow === true && r.path === undefined)).toBe(true);
  });

  it('is what defineContainer() puts in the plan, schema-valid', () => {
    const built = buildPlan('/tmp/x.haco.ts', defineContainer('d'));
    if ('notContainers' in built) throw new Error(built.notContainers);
    expect(built.issues).toEqual([]);
    expect(validatePlanSchema(built.plan)).toEqual([]);
    expect(built.plan.containers[0]!.devices).toEqual(DEFAULT_DEVICE_RULES);
    expect(isDefaultDeviceList(built.plan.containers[0]!.devices)).toBe(true);
  });

  it('decodes st_rdev as the kernel encodes it', () => {
    expect(splitDeviceNumber(0x10bn)).toEqual({ major: 1, minor: 11 });
    expect(splitDeviceNumber(0x800n)).toEqual({ major: 8, minor: 0 });
    // major 259 (nvme) minor 300: minor's high bits live above the major's 12 bits.
    expect(splitDeviceNumber((259n << 8n) | (300n & 0xffn) | ((300n & ~0xffn) << 12n))).toEqual({ major: 259, minor: 300 });
  });
});

describe('compiled on a cgroup v1 (hybrid) host', () => {
  const steps = compile({}, v1Host);
  const dir = '/sys/fs/cgroup/devices/haco/demo';

  it('joins a devices cgroup of its own, denies everything, then allows rule by rule', () => {
    expect(lines(steps, 'cgroup-write')).toEqual([`cgroup-write ${dir}/devices.deny a`, ...DEFAULT_V1_ALLOW.map((r) => `cgroup-write ${dir}/devices.allow ${r}`)]);
    expect(lines(steps, 'spawn-cgroup')).toContain(`spawn-cgroup ${dir} /sys/fs/cgroup/devices devices`);
    expect(lines(steps, 'cleanup-cgroup')).toContain(`cleanup-cgroup ${dir}`);
    expect(lines(steps, 'cgroup-devices')).toEqual([]);
  });

  it('writes after the group exists and before the child is spawned', () => {
    expect(where(steps, `cgroup-mkdir ${dir}`)).toBeLessThan(where(steps, `cgroup-write ${dir}/devices.deny a`));
    expect(where(steps, `cgroup-write ${dir}/devices.allow c 136:* rwm`)).toBeLessThan(at(steps, 'spawn'));
  });

  it('refuses a v1 host without a devices hierarchy, pointing at the unsafe way out', () => {
    const noDevices: CgroupHost = { ...v1Host, v1: { ...v1Host.v1!, hierarchies: { pids: '/sys/fs/cgroup/pids' } } };
    expect(() => compile({}, noDevices)).toThrow(expect.objectContaining({ code: 'E_CGROUP_CONTROLLER', message: expect.stringContaining('controller devices') }));
    expect(() => compile({}, noDevices)).toThrow(expect.objectContaining({ hint: expect.stringContaining(".devices('host')") }));
  });
});

describe('compiled on a cgroup v2 host', () => {
  const dir = '/sys/fs/cgroup/haco/demo';
  const field = 'c:1:3:rwm,c:1:5:rwm,c:1:7:rwm,c:1:8:rwm,c:1:9:rwm,c:5:0:rwm,c:5:2:rwm,c:136:*:rwm';

  it('attaches a BPF device program to the container cgroup, after its mkdir and before spawn', () => {
    for (const into of [false, true]) {
      const steps = compile({}, v2Host, into);
      expect(lines(steps, 'cgroup-devices')).toEqual([`cgroup-devices ${dir} ${field}`]);
      expect(where(steps, `cgroup-mkdir ${dir}`)).toBeLessThan(at(steps, 'cgroup-devices'));
      expect(at(steps, 'cgroup-devices')).toBeLessThan(at(steps, 'spawn'));
      expect(lines(steps, 'cgroup-write').filter((l) => l.includes('devices.'))).toEqual([]);
    }
  });

  it('explains the rules in comments and carries hints for the bpf errors', () => {
    const text = compileLaunchSpec(planFixture(), facts(v2Host)).text;
    expect(text).toContain('#   allow c 1:3 rwm  (/dev/null)');
    expect(text).toContain('#   allow c 136:* rwm  (/dev/pts/*)');
    const hints = lines(parseSpec(text), 'hint');
    expect(hints.some((h) => h.startsWith('hint cgroup-devices EPERM'))).toBe(true);
    expect(hints.some((h) => h.startsWith('hint cgroup-devices EINVAL') && h.includes('CONFIG_CGROUP_BPF'))).toBe(true);
  });

  it('an empty list denies everything (field "-")', () => {
    expect(lines(compile({ devices: [] }, v2Host), 'cgroup-devices')).toEqual([`cgroup-devices ${dir} -`]);
  });
});

describe(".devices('host'): no device cgroup at all", () => {
  it('emits neither the v1 files nor the v2 program, nor a devices hierarchy', () => {
    const v1 = compile({ devices: [ALL_DEVICES_RULE] }, v1Host);
    expect(lines(v1, 'cgroup-write')).toEqual([]);
    expect(lines(v1, 'cgroup-join').some((l) => l.includes('/devices/'))).toBe(false);
    expect(lines(compile({ devices: [ALL_DEVICES_RULE] }, v2Host), 'cgroup-devices')).toEqual([]);
  });

  it('is what the DSL method records', () => {
    const built = buildPlan('/tmp/x.haco.ts', defineContainer('d').devices('host'));
    if ('notContainers' in built) throw new Error(built.notContainers);
    expect(built.plan.containers[0]!.devices).toEqual([ALL_DEVICES_RULE]);
    const back = buildPlan('/tmp/x.haco.ts', defineContainer('d').devices('host').devices('default'));
    if ('notContainers' in back) throw new Error(back.notContainers);
    expect(back.plan.containers[0]!.devices).toEqual(DEFAULT_DEVICE_RULES);
  });
});

describe('haco reload leaves the device cgroup alone', () => {
  it('plans no device write (a deny-all rewrite would break the running container)', () => {
    const setup = planCgroupSetup('demo', planFixture().cgroup, v1Host);
    expect(setup.devices).toBeUndefined();
    expect(setup.actions.some((a) => a.path.includes('devices'))).toBe(false);
  });
});

describe('/dev', () => {
  it('is a small nosuid,nodev,noexec tmpfs holding only the standard nodes and links', () => {
    const steps = compile({}, v2Host);
    expect(lines(steps, 'mount')).toContain('mount tmpfs /dev tmpfs nosuid,nodev,noexec mode=755,size=65536k');
    expect(lines(steps, 'mknod-bind')).toEqual(['null', 'zero', 'full', 'random', 'urandom', 'tty'].map((n) => `mknod-bind ${n} /dev/${n}`));
    expect(lines(steps, 'symlink')).toContain('symlink pts/ptmx /dev/ptmx');
    expect(lines(steps, 'mount')).toContain('mount devpts /dev/pts devpts nosuid,noexec newinstance,ptmxmode=0666,mode=620,gid=5');
  });
});

describe('.device(path)', () => {
  const problems = (exported: unknown) => {
    const built = buildPlan('/tmp/x.haco.ts', exported);
    if ('notContainers' in built) throw new Error(built.notContainers);
    return built;
  };
  // /dev/kmsg (c 1:11) exists wherever /dev is a devtmpfs; the test reads its numbers like the DSL does.
  it('finds /dev/kmsg on this machine', () => {
    expect(fs.statSync('/dev/kmsg').isCharacterDevice()).toBe(true);
  });

  it('allows the host node it names (type and numbers from stat) and binds it after /dev is mounted', () => {
    const built = problems(defineContainer('d').device('/dev/kmsg', 'r'));
    expect(built.issues).toEqual([]);
    const c = built.plan.containers[0]!;
    expect(c.devices.at(-1)).toEqual({ type: 'c', major: 1, minor: 11, access: 'r', allow: true, path: '/dev/kmsg' });
    expect(validatePlanSchema(built.plan)).toEqual([]);
    const steps = parseSpec(compileLaunchSpec(c, facts(v1Host)).text);
    expect(lines(steps, 'cgroup-write')).toContain('cgroup-write /sys/fs/cgroup/devices/haco/d/devices.allow c 1:11 r');
    expect(where(steps, 'mknod-bind kmsg /dev/kmsg')).toBeGreaterThan(where(steps, 'mount tmpfs /dev tmpfs nosuid,nodev,noexec mode=755,size=65536k'));
    expect(where(steps, 'mknod-bind kmsg /dev/kmsg')).toBeLessThan(at(steps, 'pivot-root'));
    expect(lines(parseSpec(compileLaunchSpec(c, facts(v2Host)).text), 'cgroup-devices')[0]).toMatch(/,c:1:11:r$/);
  });

  it('replaces an earlier grant of the same path', () => {
    const c = problems(defineContainer('d').device('/dev/kmsg', 'r').device('/dev/kmsg', 'rw')).plan.containers[0]!;
    expect(c.devices.filter((r) => r.path === '/dev/kmsg')).toEqual([expect.objectContaining({ access: 'rw' })]);
  });

  it('refuses what is not a device node, with the line of the call', () => {
    const built = problems(defineContainer('d').device('/dev/shm'));
    expect(built.issues).toEqual([
      expect.objectContaining({
        message: '"/dev/shm" is not a device node (it is a directory)',
        hint: expect.stringContaining('character or block device'),
        location: expect.objectContaining({ file: __filename, line: expect.any(Number) }),
      }),
    ]);
  });

  it('refuses paths outside /dev and missing nodes', () => {
    expect(problems(defineContainer('d').device('/etc/passwd')).issues[0]!.message).toContain('is not under /dev');
    expect(problems(defineContainer('d').device('/dev/../etc/passwd')).issues[0]!.message).toContain('is not under /dev');
    expect(problems(defineContainer('d').device('/dev/no-such-device-here')).issues[0]!.message).toContain('ENOENT');
  });
});

describe('plan validation of device rules', () => {
  const rules = (...devices: DeviceRule[]) => validateContainer(planFixture({ devices })).map((i) => i.message);
  it('accepts the default list and refuses numbers on type a, out-of-range numbers and paths outside /dev', () => {
    expect(rules(...DEFAULT_DEVICE_RULES)).toEqual([]);
    expect(rules({ type: 'a', major: 1, minor: '*', access: 'r', allow: true })[0]).toContain('type a');
    expect(rules({ type: 'c', major: 1.5, minor: 2, access: 'r', allow: true })[0]).toContain('not an integer');
    expect(rules({ type: 'c', major: 1, minor: 2, access: 'r', allow: true, path: '/tmp/x' })[0]).toContain('not under /dev');
  });
});

describe('device nodes of an OCI config (deviceNodes)', () => {
  const nodes: ContainerPlan['deviceNodes'] = [
    { path: '/dev/test1', type: 'c', major: 10, minor: 666, mode: 0o660, uid: 0, gid: 5 },
    { path: '/dev/test3', type: 'p', major: 0, minor: 0, mode: 0o600, uid: 0, gid: 0 },
  ];

  it('are made with mknod after /dev is mounted, before the switch, and allowed to be made (m) only', () => {
    const steps = compile({ deviceNodes: nodes }, v1Host);
    expect(lines(steps, 'mknod')).toEqual(['mknod /dev/test1 c 10 666 0660 0 5', 'mknod /dev/test3 p 0 0 0600 0 0']);
    expect(where(steps, 'mknod /dev/test1 c 10 666 0660 0 5')).toBeGreaterThan(where(steps, 'mount tmpfs /dev tmpfs nosuid,nodev,noexec mode=755,size=65536k'));
    expect(at(steps, 'mknod')).toBeLessThan(at(steps, 'pivot-root'));
    expect(lines(steps, 'cgroup-write')).toContain('cgroup-write /sys/fs/cgroup/devices/haco/demo/devices.allow c 10:666 m');
    expect(lines(steps, 'cgroup-write').filter((l) => l.includes('10:666'))).toHaveLength(1);
  });

  it('with a user namespace: a device is bound from the host, a FIFO still made', () => {
    const steps = compile({ deviceNodes: nodes, namespaces: { unshare: ['mount', 'uts', 'ipc', 'pid', 'net', 'user'], uidMap: [{ inside: 0, outside: 100000, count: 65536 }], gidMap: [{ inside: 0, outside: 100000, count: 65536 }] } }, v1Host);
    expect(lines(steps, 'bind')).toContain('bind /dev/test1 /dev/test1 file');
    expect(lines(steps, 'mknod')).toEqual(['mknod /dev/test3 p 0 0 0600 0 0']);
  });

  it('refuses a path outside the rootfs, over a mounted directory, or twice', () => {
    const problems = (deviceNodes: ContainerPlan['deviceNodes']) => validateContainer(planFixture({ deviceNodes })).map((i) => `${i.path}: ${i.message}`);
    expect(problems([{ ...nodes[0]!, path: '/../x' }])).toEqual(['deviceNodes[0].path: "/../x" escapes the rootfs ("..")']);
    expect(problems([{ ...nodes[0]!, path: '/dev/pts' }])[0]).toContain('would replace a directory haco mounts');
    expect(problems([{ ...nodes[0]!, path: '/proc/sysrq-trigger' }])[0]).toContain("/proc or /sys");
    expect(problems([nodes[0]!, { ...nodes[1]!, path: '/dev/test1' }])).toEqual(['deviceNodes[1].path: two device nodes at /dev/test1']);
  });
});
