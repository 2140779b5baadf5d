// haco inspect's readers on fixture trees standing in for /proc and /sys/fs/cgroup: no privileges, no
// real container.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  compareNamespaces,
  decodeCapabilityMask,
  inspectState,
  readDevicesReport,
  mountTree,
  overlayLayers,
  parseCapabilities,
  parseMountTable,
  readCgroupReport,
  renderInspect,
} from '../../../src/inspect';
import { parseState } from '../../../src/state';

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'haco-inspect-'));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

function write(rel: string, text: string): string {
  const file = path.join(root, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

/** A fake /proc/PID/ns: symlinks whose targets look like the kernel's (`mnt:[4026531840]`). */
function ns(pid: number | string, inodes: Record<string, number>): void {
  fs.mkdirSync(path.join(root, 'proc', String(pid), 'ns'), { recursive: true });
  for (const [kind, inode] of Object.entries(inodes)) fs.symlinkSync(`${kind}:[${inode}]`, path.join(root, 'proc', String(pid), 'ns', kind));
}

const HOST = { user: 100, mnt: 101, uts: 102, ipc: 103, pid: 104, net: 105, cgroup: 106, time: 107 };

const STATUS = ['Name:\tsh', 'CapInh:\t0000000000000000', 'CapPrm:\t00000000a80425fb', 'CapEff:\t00000000a80425fb', 'CapBnd:\t00000000a80425fb', 'CapAmb:\t0000000000000000', ''].join('\n');

const MOUNTINFO = [
  '300 250 0:50 / / rw,relatime - overlay overlay rw,lowerdir=/var/lib/haco/base/rootfs,upperdir=/var/lib/haco/a/upper,workdir=/var/lib/haco/a/work',
  '301 300 0:51 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw',
  '302 300 0:52 / /dev rw,nosuid - tmpfs tmpfs rw,mode=755',
  '303 302 0:6 /null /dev/null rw,relatime - devtmpfs devtmpfs rw,size=100k',
  '304 300 0:53 / /mnt/with\\040space rw shared:5 - tmpfs tmpfs rw,size=16384k',
  '',
].join('\n');

describe('namespaces', () => {
  it('marks each kind shared or own by inode, against PID 1', () => {
    ns(1, HOST);
    ns(42, { ...HOST, mnt: 201, pid: 204, net: 205 });
    const cmp = compareNamespaces(path.join(root, 'proc'), 42);
    expect(cmp.map((c) => [c.kind, c.shared])).toEqual([
      ['user', true], ['mnt', false], ['uts', true], ['ipc', true], ['pid', false], ['net', false], ['cgroup', true], ['time', true],
    ]);
    expect(cmp.find((c) => c.kind === 'mnt')).toEqual({ kind: 'mnt', container: 201, host: 101, shared: false });
  });

  it('falls back to the next reference when PID 1 is unreadable, and leaves out kinds nobody has', () => {
    const { time: _time, ...noTime } = HOST;
    ns(7, noTime);
    ns(42, { ...noTime, uts: 302 });
    const cmp = compareNamespaces(path.join(root, 'proc'), 42, [1, 7]);
    expect(cmp.map((c) => c.kind)).not.toContain('time');
    expect(cmp.filter((c) => !c.shared).map((c) => c.kind)).toEqual(['uts']);
  });
});

describe('capabilities', () => {
  it('decodes Docker\'s default set', () => {
    expect(decodeCapabilityMask('00000000a80425fb')).toEqual([
      'chown', 'dac_override', 'fowner', 'fsetid', 'kill', 'setgid', 'setuid', 'setpcap', 'net_bind_service', 'net_raw',
      'sys_chroot', 'mknod', 'audit_write', 'setfcap',
    ]);
    expect(decodeCapabilityMask('0000000000000000')).toEqual([]);
    // Bit 21 is sys_admin; a bit beyond the known names keeps its number.
    expect(decodeCapabilityMask('0000000000200000')).toEqual(['sys_admin']);
    expect(decodeCapabilityMask('8000000000000000')).toEqual(['cap_63']);
  });

  it('reads all five sets from /proc/PID/status', () => {
    const caps = parseCapabilities(STATUS);
    expect(Object.keys(caps).sort()).toEqual(['ambient', 'bounding', 'effective', 'inheritable', 'permitted']);
    expect(caps.effective!.hex).toBe('00000000a80425fb');
    expect(caps.inheritable!.names).toEqual([]);
    expect(caps.bounding!.names).toContain('net_raw');
  });

  it('leaves out a set an old kernel does not print', () => {
    expect(parseCapabilities('CapEff:\t0000000000000001\n')).toEqual({ effective: { hex: '0000000000000001', names: ['chown'] } });
  });
});

describe('mounts', () => {
  it('parses mount point, type, source, options and unescapes octal', () => {
    const mounts = parseMountTable(MOUNTINFO);
    expect(mounts).toHaveLength(5);
    expect(mounts[3]).toEqual({
      id: 303, parent: 302, root: '/null', mountPoint: '/dev/null', options: ['rw', 'relatime'], fsType: 'devtmpfs', source: 'devtmpfs', superOptions: ['rw', 'size=100k'],
    });
    expect(mounts[4]!.mountPoint).toBe('/mnt/with space');
    expect(mounts[4]!.fsType).toBe('tmpfs');
  });

  it('orders the tree parents first, with depths', () => {
    const tree = mountTree(parseMountTable(MOUNTINFO)).map(({ entry, depth }) => `${depth} ${entry.mountPoint}`);
    expect(tree).toEqual(['0 /', '1 /proc', '1 /dev', '2 /dev/null', '1 /mnt/with space']);
  });

  it('finds the overlay layers of the root', () => {
    expect(overlayLayers(parseMountTable(MOUNTINFO))).toEqual([
      { mountPoint: '/', lowerdir: ['/var/lib/haco/base/rootfs'], upperdir: '/var/lib/haco/a/upper', workdir: '/var/lib/haco/a/work' },
    ]);
  });

  it('splits several lower layers and reads a read-only overlay', () => {
    const line = '5 1 0:9 / /ro rw - overlay overlay ro,lowerdir=/l/top:/l/mid:/l/bottom\n';
    expect(overlayLayers(parseMountTable(line))).toEqual([{ mountPoint: '/ro', lowerdir: ['/l/top', '/l/mid', '/l/bottom'], upperdir: null, workdir: null }]);
  });
});

describe('cgroup', () => {
  it('reads v2 limits and usage', () => {
    const dir = path.join(root, 'v2/haco/web');
    write('v2/haco/web/cgroup.controllers', 'cpu memory pids\n');
    write('v2/haco/web/cpu.max', '30000 100000\n');
    write('v2/haco/web/cpu.stat', 'usage_usec 2500000\nuser_usec 2000000\n');
    write('v2/haco/web/memory.max', '67108864\n');
    write('v2/haco/web/memory.current', '1048576\n');
    write('v2/haco/web/pids.max', 'max\n');
    write('v2/haco/web/pids.current', '3\n');
    const r = readCgroupReport([dir]);
    expect(r.cpu).toEqual({ quotaUs: 30000, periodUs: 100000, percent: 30, usageSeconds: 2.5, file: path.join(dir, 'cpu.max') });
    expect(r.memory).toEqual({ limitBytes: 67108864, currentBytes: 1048576, file: path.join(dir, 'memory.max') });
    expect(r.pids).toEqual({ max: 'max', current: 3, file: path.join(dir, 'pids.max') });
  });

  it('reads v1 limits spread over hierarchies, no limit as max', () => {
    const cpu = path.join(root, 'cpu,cpuacct/haco/web');
    const mem = path.join(root, 'memory/haco/web');
    write('cpu,cpuacct/haco/web/cpu.cfs_quota_us', '-1\n');
    write('cpu,cpuacct/haco/web/cpu.cfs_period_us', '100000\n');
    write('cpu,cpuacct/haco/web/cpuacct.usage', '1500000000\n');
    write('memory/haco/web/memory.limit_in_bytes', '9223372036854771712\n');
    write('memory/haco/web/memory.usage_in_bytes', '4096\n');
    const r = readCgroupReport([cpu, mem]);
    expect(r.cpu).toMatchObject({ quotaUs: 'max', periodUs: 100000, percent: null, usageSeconds: 1.5 });
    expect(r.memory).toMatchObject({ limitBytes: 'max', currentBytes: 4096 });
    // No pids hierarchy joined: nothing to report, which is not the same as "no limit".
    expect(r.pids).toEqual({ max: null, current: null, file: null });
  });

  it('counts CPU time from /proc when no cgroup accounts it', () => {
    const pids = path.join(root, 'pids/haco/web');
    write('pids/haco/web/cgroup.procs', '42\n43\n');
    write('pids/haco/web/pids.max', '10\n');
    // utime and stime are fields 14 and 15; the command name may hold spaces and parentheses.
    write('proc/42/stat', '42 (sh (x)) S 1 42 42 0 -1 4194560 1 0 0 0 150 50 0 0 20 0 1 0 100 0 0\n');
    write('proc/43/stat', '43 (sleep) S 42 42 42 0 -1 4194560 1 0 0 0 100 0 0 0 20 0 1 0 100 0 0\n');
    const r = readCgroupReport([pids], pids, path.join(root, 'proc'));
    expect(r.cpu.usageSeconds).toBe(3);
    expect(r.pids.max).toBe(10);
  });
});

describe('inspectState', () => {
  it('puts it all together for a state, and renders every section', () => {
    ns(1, HOST);
    ns(42, { ...HOST, mnt: 201, uts: 202 });
    write('proc/42/status', STATUS);
    write('proc/42/mountinfo', MOUNTINFO);
    write('cg/cpu.max', '50000 100000\n');
    const recorded = parseState(`name=web\nstatus=running\nsupervisor=41\npid=42\ncgroups=${path.join(root, 'cg')}\ntracking=${path.join(root, 'cg')}\n`);
    const report = inspectState({ name: 'web', dir: root, recorded, status: 'running' }, { procRoot: path.join(root, 'proc') });
    expect(report.namespaces.filter((n) => !n.shared).map((n) => n.kind)).toEqual(['mnt', 'uts']);
    expect(report.cgroup.cpu.percent).toBe(50);
    expect(report.capabilities.effective!.names).toContain('sys_chroot');
    expect(report.mounts[0]).toMatchObject({ mountPoint: '/', fsType: 'overlay', depth: 0 });
    expect(report.overlays[0]!.upperdir).toBe('/var/lib/haco/a/upper');
    const text = renderInspect(report);
    expect(text).toMatch(/^web: pid 42 \(supervisor 41\)$/m);
    expect(text).toMatch(/^ {2}mnt\s+201\s+101\s+own$/m);
    expect(text).toMatch(/^ {2}user\s+100\s+100\s+shared with the host$/m);
    expect(text).toMatch(/cpu\s+50000 us every 100000 us \(50% of a CPU\)/);
    expect(text).toMatch(/memory\s+no controller/);
    expect(text).toMatch(/effective\s+00000000a80425fb {2}chown dac_override/);
    expect(text).toMatch(/^ {6}\/dev\/null\s+devtmpfs\s+devtmpfs\[\/null\]\s+rw,relatime$/m);
    expect(text).toMatch(/upperdir\s+\/var\/lib\/haco\/a\/upper/);
    // No saved plan and no devices.list in this fake tree: nothing claimed.
    expect(report.devices).toEqual({ planned: null, enforcement: null, kernelList: null, where: null });
    expect(text).toMatch(/^devices \(device cgroup\)\n {2}no devices cgroup found for the container$/m);
  });

  it('devices: v1 devices.list next to the saved plan; v2 names the cgroup holding the BPF program', () => {
    write('dev-cg/devices.list', 'c 1:3 rwm\nc 136:* rwm\n');
    const rules = [
      { type: 'c' as const, major: 1, minor: 3, access: 'rwm' as const, allow: true as const },
      { type: 'c' as const, major: 136, minor: '*' as const, access: 'rwm' as const, allow: true as const },
    ];
    const v1 = readDevicesReport([path.join(root, 'cg'), path.join(root, 'dev-cg')], rules, 'hybrid');
    expect(v1).toEqual({ planned: ['c 1:3 rwm', 'c 136:* rwm'], enforcement: 'v1', kernelList: ['c 1:3 rwm', 'c 136:* rwm'], where: path.join(root, 'dev-cg', 'devices.list') });
    expect(readDevicesReport(['/sys/fs/cgroup/haco/x'], rules, 'v2')).toMatchObject({ enforcement: 'v2', where: '/sys/fs/cgroup/haco/x', kernelList: null });
    expect(readDevicesReport([], [{ type: 'a', major: '*', minor: '*', access: 'rwm', allow: true }], 'v2')).toMatchObject({ enforcement: 'none' });
  });
});
