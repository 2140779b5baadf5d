// `haco start` against the real kernel: capabilities and rlimits. What the container's /proc/self/status and
// /proc/self/limits say must match the plan haco printed (`haco plan --json`), set by set.
import { CAPABILITY_NAMES } from '../../src/plan/names';
import { haco } from '../support/cli';
import { describeStart, makeWorkspace, uniqueName, type Workspace } from '../support/rootfs';

jest.setTimeout(60_000);

let ws: Workspace;

const SETS = { CapInh: 'inheritable', CapPrm: 'permitted', CapEff: 'effective', CapBnd: 'bounding', CapAmb: 'ambient' } as const;
type SetName = (typeof SETS)[keyof typeof SETS];

/** The bit mask of a list of capability names, as /proc/PID/status prints it (16 hex digits). */
function mask(names: string[]): string {
  let bits = 0n;
  for (const n of names) {
    const i = CAPABILITY_NAMES.indexOf(n as (typeof CAPABILITY_NAMES)[number]);
    if (i < 0) throw new Error(`unknown capability in the plan: ${n}`);
    bits |= 1n << BigInt(i);
  }
  return bits.toString(16).padStart(16, '0');
}

function planCaps(file: string): Record<SetName, string[]> {
  const r = haco(['plan', '--json', file], { env: ws.env });
  if (r.status !== 0) throw new Error(`haco plan failed: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { containers: Array<{ capabilities: Record<SetName, string[]> }> }).containers[0]!.capabilities;
}

function statusCaps(stdout: string): Record<SetName, string> {
  const out = {} as Record<SetName, string>;
  for (const [key, set] of Object.entries(SETS)) {
    const m = new RegExp(`^${key}:\\s+([0-9a-f]+)$`, 'm').exec(stdout);
    if (!m) throw new Error(`no ${key} line in:\n${stdout}`);
    out[set] = m[1]!;
  }
  return out;
}

describeStart('haco start: capabilities and rlimits as the kernel applies them', () => {
  beforeAll(() => {
    ws = makeWorkspace('start-priv');
  });
  afterAll(() => ws?.cleanup());

  // title, DSL chain, capabilities that must not be effective (so the sets really differ between cases)
  const cases: Array<[string, string, string[]]> = [
    ['the default set (root)', '', ['sys_admin', 'sys_module', 'net_admin']],
    ["base 'none' + net_admin, kill", `.capabilities({ base: 'none', add: ['net_admin', 'kill'] })`, ['chown', 'sys_admin']],
    ['default minus chown, plus sys_ptrace', `.dropCaps('chown').addCaps('sys_ptrace')`, ['chown']],
    ['non-root user 1000 keeping net_bind_service as ambient', `.user(1000).capabilities({ ambient: ['net_bind_service'] })`, ['chown', 'sys_admin']],
  ];

  test.each(cases)('%s: CapInh/CapPrm/CapEff/CapBnd/CapAmb match the plan', (_title, chain, absent) => {
    const file = ws.define(uniqueName('caps'), chain);
    const plan = planCaps(file);
    for (const name of absent) expect({ name, effective: plan.effective.includes(name) }).toEqual({ name, effective: false });
    const r = haco(['start', file, '--', 'cat', '/proc/self/status'], { env: ws.env });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    const inside = statusCaps(r.stdout);
    const expected = Object.fromEntries(Object.values(SETS).map((set) => [set, mask(plan[set])]));
    expect(inside).toEqual(expected);
    expect(r.stdout).toMatch(/^NoNewPrivs:\s+1$/m);
  });

  test('a capability outside the set really is missing: chown fails with EPERM without CAP_CHOWN, works with it', () => {
    const script = 'touch /tmp/owned; chown 1234 /tmp/owned; echo "rc=$?"';
    const without = haco(['start', ws.define(uniqueName('chown'), `.dropCaps('chown')`), '--', 'sh', '-c', script], { env: ws.env });
    expect(without).toExitWith(0);
    expect(without.stdout).toMatch(/rc=1\n/);
    expect(without.stdout + without.stderr).toMatch(/Operation not permitted/);
    const withCap = haco(['start', ws.define(uniqueName('chown')), '--', 'sh', '-c', script], { env: ws.env });
    expect(withCap.stdout).toBe('rc=0\n');
  });

  test("rlimit('nofile', 256, 512): ulimit -n and /proc/self/limits inside", () => {
    const file = ws.define(uniqueName('rlim'), `.rlimit('nofile', 256, 512).rlimit('nproc', 300)`);
    const r = haco(['start', file, '--', 'sh', '-c', 'echo "soft=$(ulimit -n) hard=$(ulimit -Hn)"; cat /proc/self/limits'], { env: ws.env });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    expect(r.stdout).toMatch(/^soft=256 hard=512$/m);
    expect(r.stdout).toMatch(/^Max open files\s+256\s+512\s+files\s*$/m);
    expect(r.stdout).toMatch(/^Max processes\s+300\s+300\s+processes\s*$/m);
  });
});
