// attach = init: the attached process gets the init's namespaces, cgroups, resource limits, capability
// sets, seccomp state, no_new_privs and identity. Compared field by field in what the kernel shows.
import { canRun, makeLab, stateOf, until, type Lab } from './lifecycle-support';
import * as fs from 'node:fs';

jest.setTimeout(60_000);
const describeRoot = canRun ? describe : describe.skip;

const FIELDS = ['Uid', 'Gid', 'Groups', 'CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb', 'NoNewPrivs', 'Seccomp', 'Seccomp_filters'];

function fields(status: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of status.split('\n')) {
    const [k, v] = line.split(':\t');
    if (k && v !== undefined && FIELDS.includes(k)) out[k] = v.trim();
  }
  return out;
}

describeRoot('haco attach = the init', () => {
  let lab: Lab;
  let name: string;
  let pid: number;
  beforeAll(async () => {
    lab = makeLab();
    name = `${lab.tag}-att`;
    const file = lab.def(name, `  .command(['/bin/sh', '-c', 'sleep 1000; : ${lab.tag}'])\n  .unshare('mount', 'uts', 'ipc', 'pid', 'cgroup')\n  .rlimit('nofile', 1024)\n  .rlimit('nproc', 200, 300)`);
    const started = lab.haco(['start', '-d', file]);
    expect(started.stderr).toBe('');
    expect(await until(() => stateOf(lab, name)['status'] === 'running')).toBe(true);
    pid = Number(stateOf(lab, name)['pid']);
  });
  afterAll(() => {
    lab.haco(['kill', '-s', 'KILL', name]);
    lab.cleanup();
  });

  test('/proc/PID/status (ids, capability sets, no_new_privs, seccomp) and /proc/PID/limits match the init', () => {
    const a = lab.haco(['attach', name, '--', 'sh', '-c', 'cat /proc/self/status; echo =====; cat /proc/self/limits; echo =====; cat /proc/self/cgroup']);
    expect(a.stderr).toBe('');
    expect(a).toExitWith(0);
    const [status, limits, cgroup] = a.stdout.split('=====\n');
    const init = fields(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    expect(Object.keys(init).length).toBeGreaterThanOrEqual(10);
    expect(fields(status!)).toEqual(init);
    expect(limits).toBe(fs.readFileSync(`/proc/${pid}/limits`, 'utf8'));
    expect(limits).toMatch(/Max open files\s+1024\s+1024/);
    // Seen from inside its cgroup namespace, the attached process is where the init is.
    const inside = lab.haco(['attach', name, '--', 'cat', '/proc/1/cgroup']);
    expect(cgroup).toBe(inside.stdout);
  });

  test('-u and -D change the identity and the capabilities, nothing else', () => {
    const a = lab.haco(['attach', '-u', '1000:1000', '-D', 'sys_admin', name, '--', 'cat', '/proc/self/status']);
    expect(a.stderr).toBe('');
    const got = fields(a.stdout);
    const init = fields(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    expect(got['Uid']).toBe('1000\t1000\t1000\t1000');
    expect(got['Gid']).toBe('1000\t1000\t1000\t1000');
    // Bit 21 (CAP_SYS_ADMIN) is gone from the bounding set; the init still has it or not, as it had.
    expect(BigInt(`0x${got['CapBnd']}`) & (1n << 21n)).toBe(0n);
    expect(got['NoNewPrivs']).toBe(init['NoNewPrivs']);
    expect(got['Seccomp']).toBe(init['Seccomp']);
  });
});
