// haco inspect on a real detached container: its report must say what /proc and the cgroup files say.
// The container runs on an overlay root (so the layers show) with its own net namespace and limits; a
// temp HACO_RUN_DIR keeps the state private and the teardown kills whatever the test started.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { canRun, makeLab, stateOf, type Lab } from './lifecycle-support';

jest.setTimeout(120_000);
const describeRoot = canRun ? describe : describe.skip;

interface Report {
  name: string;
  pid: number;
  supervisor: number;
  namespaces: Array<{ kind: string; container: number | null; host: number | null; shared: boolean }>;
  cgroup: {
    mode: string;
    dirs: string[];
    cpu: { quotaUs: number | 'max' | null; periodUs: number | null; percent: number | null; usageSeconds: number | null };
    memory: { limitBytes: number | 'max' | null; currentBytes: number | null };
    pids: { max: number | 'max' | null; current: number | null };
  };
  capabilities: Record<string, { hex: string; names: string[] }>;
  devices: { planned: string[] | null; enforcement: string | null; kernelList: string[] | null; where: string | null };
  mounts: Array<{ mountPoint: string; fsType: string; source: string; options: string[] }>;
  overlays: Array<{ mountPoint: string; lowerdir: string[]; upperdir: string | null; workdir: string | null }>;
}

function inode(link: string): number {
  return Number(/\[(\d+)\]/.exec(link)![1]);
}

/** The host's namespace of KIND: PID 1's, or (in a sandbox that hides PID 1's) the supervisor's, which never leaves them. */
function hostInode(kind: string, supervisor: number): number {
  for (const pid of [1, supervisor]) {
    try {
      return inode(fs.readlinkSync(`/proc/${pid}/ns/${kind}`));
    } catch {
      // not readable: next reference
    }
  }
  throw new Error(`no readable host reference for ${kind}`);
}

describeRoot('haco inspect', () => {
  let lab: Lab;
  let name = '';
  beforeAll(() => {
    lab = makeLab();
    name = `${lab.tag}-insp`;
    const file = path.join(lab.work, 'insp.haco.ts');
    fs.writeFileSync(
      file,
      [
        "import { defineContainer } from 'haco';",
        `const base = defineContainer('${lab.tag}-base').rootfs(${JSON.stringify(lab.rootfs)});`,
        `export default defineContainer('${name}')`,
        `  .rootfs(${JSON.stringify(path.join(lab.work, 'ovl/rootfs'))}, { lower: base })`,
        "  .command('while :; do sleep 1; done')",
        "  .unshare('mount', 'uts', 'ipc', 'pid', 'net')",
        "  .cpu('30%').memory('64M').pids(20)",
        "  .dropCaps('net_raw');",
        '',
      ].join('\n'),
    );
    const create = lab.haco(['create', file, '-c', name]);
    if (create.status !== 0) throw new Error(`haco create: ${create.stderr}`);
    const start = lab.haco(['start', '-d', file]);
    if (start.status !== 0) throw new Error(`haco start -d: ${start.stderr}`);
  });
  afterAll(() => {
    if (!lab) return;
    lab.haco(['kill', '-s', 'KILL', name]);
    lab.cleanup();
  });

  test('reports what /proc and the cgroup files show', () => {
    const r = lab.haco(['inspect', name, '--json']);
    expect(r.stderr).toBe('');
    expect(r).toExitWith(0);
    const report = JSON.parse(r.stdout) as Report;
    const pid = Number(stateOf(lab, name)['pid']);
    expect(report.pid).toBe(pid);

    // Namespaces: the inode of every /proc/PID/ns link, same-or-not as /proc/1/ns.
    for (const n of report.namespaces) {
      expect(n.container).toBe(inode(fs.readlinkSync(`/proc/${pid}/ns/${n.kind}`)));
      expect(n.host).toBe(hostInode(n.kind, report.supervisor));
      expect(n.shared).toBe(n.container === n.host);
    }
    const own = report.namespaces.filter((n) => !n.shared).map((n) => n.kind);
    expect(own).toEqual(expect.arrayContaining(['mnt', 'uts', 'ipc', 'pid', 'net']));
    expect(own).not.toContain('user');

    // cgroup: the limits the definition asked for, as the kernel files hold them.
    expect(report.cgroup.dirs.length).toBeGreaterThan(0);
    expect(report.cgroup.cpu).toMatchObject({ quotaUs: 30000, periodUs: 100000, percent: 30 });
    expect(report.cgroup.memory.limitBytes).toBe(64 * 1024 * 1024);
    expect(report.cgroup.memory.currentBytes).toBeGreaterThan(0);
    expect(report.cgroup.pids.max).toBe(20);
    expect(report.cgroup.pids.current).toBeGreaterThanOrEqual(1);
    expect(typeof report.cgroup.cpu.usageSeconds).toBe('number');

    // Capabilities: the hex is /proc/PID/status's, and net_raw was dropped.
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    expect(report.capabilities['effective']!.hex).toBe(/^CapEff:\s*(\w+)$/m.exec(status)![1]);
    expect(report.capabilities['bounding']!.hex).toBe(/^CapBnd:\s*(\w+)$/m.exec(status)![1]);
    expect(report.capabilities['effective']!.names).toContain('chown');
    expect(report.capabilities['effective']!.names).not.toContain('net_raw');

    // Devices: the plan's allow-list, and on v1 the kernel's devices.list of the container's devices cgroup.
    expect(report.devices.planned).toContain('c 1:3 rwm');
    if (report.cgroup.mode === 'v2') expect(report.devices).toMatchObject({ enforcement: 'v2', kernelList: null });
    else {
      expect(report.devices.enforcement).toBe('v1');
      expect(report.devices.where).toMatch(/\/devices\/haco\/[^/]+\/devices\.list$/);
      expect([...report.devices.kernelList!].sort()).toEqual([...report.devices.planned!].sort());
      expect(report.devices.kernelList).toEqual(fs.readFileSync(report.devices.where!, 'utf8').trim().split('\n'));
    }

    // Mounts as the container sees them: one per mountinfo line, an overlay root, /proc inside.
    const lines = fs.readFileSync(`/proc/${pid}/mountinfo`, 'utf8').trim().split('\n');
    expect(report.mounts).toHaveLength(lines.length);
    expect(report.mounts.find((m) => m.mountPoint === '/')).toMatchObject({ fsType: 'overlay' });
    expect(report.mounts.find((m) => m.mountPoint === '/proc')).toMatchObject({ fsType: 'proc' });
    expect(report.overlays[0]).toMatchObject({ mountPoint: '/', lowerdir: [lab.rootfs] });
    expect(report.overlays[0]!.upperdir).toContain(path.join(lab.work, 'ovl'));

    const text = lab.haco(['inspect', name]);
    expect(text).toExitWith(0);
    expect(text.stdout).toMatch(/^ {2}net\s+\d+\s+\d+\s+own$/m);
    expect(text.stdout).toMatch(/^ {2}user\s+(\d+)\s+\1\s+shared with the host$/m);
    expect(text.stdout).toMatch(/30000 us every 100000 us \(30% of a CPU\)/);
    expect(text.stdout).toMatch(/overlay layers of \//);
    expect(text.stdout).toMatch(/^devices \(device cgroup\)\n {2}allowed by the plan: c 1:3 rwm, c 1:5 rwm/m);
    if (report.cgroup.mode !== 'v2') expect(text.stdout).toMatch(/devices\.list: .*\(as planned\)$/m);
  });

  test('exit 5 with a clear message once the container is gone', () => {
    const killed = lab.haco(['kill', '-s', 'KILL', name]);
    expect(killed).toExitWith(0);
    const r = lab.haco(['inspect', name]);
    expect(r).toExitWith(5);
    expect(r.stderr).toMatch(/is not running \(exited\)/);
    const missing = lab.haco(['inspect', `${lab.tag}-nothing`]);
    expect(missing).toExitWith(5);
    expect(missing.stderr).toMatch(/no container named/);
  });
});
