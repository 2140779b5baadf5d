// .lxcfs() (src/runtime/compile-lxcfs.ts) and `haco lxcfs start|stop|status` (src/lxcfs/daemon.ts): the
// container's /proc/meminfo, cpuinfo, stat, uptime and /sys/devices/system/cpu/online are the host lxcfs's,
// which answers with the container's own limits. lxcfs is a host daemon: this suite starts one only when
// none runs at /var/lib/lxcfs, and then stops it at the end and checks that no mount or process is left.
// About 15 s alone (40 s on a busy 2-core machine).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { leftoverCgroups } from '../support/cgroup';
import { haco } from '../support/cli';
import { describeStart, makeWorkspace, uniqueName, type Workspace } from '../support/rootfs';

jest.setTimeout(60_000);

const MOUNTPOINT = '/var/lib/lxcfs';
let ws: Workspace;
/** True when this suite started the lxcfs (and so must stop it). */
let startedHere = false;
const detached: string[] = [];

function lxcfsMounted(): boolean {
  return fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => l.split(' ')[4] === MOUNTPOINT && / - fuse\.lxcfs /.test(l));
}

function lxcfsProcesses(): number[] {
  return fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e)).filter((pid) => {
    try {
      const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      return path.basename(argv[0] ?? '') === 'lxcfs' && argv[argv.length - 1] === MOUNTPOINT;
    } catch {
      return false;
    }
  }).map(Number);
}

describeStart('haco start with .lxcfs(): /proc shows the container\'s limits', () => {
  beforeAll(() => {
    ws = makeWorkspace('parity-lxcfs');
  });
  afterAll(() => {
    for (const name of detached) haco(['kill', '-s', 'KILL', '--timeout', '2', name], { env: ws.env });
    // A safety net: the last test stops it and checks; this only runs when that test did not get there.
    if (startedHere && lxcfsMounted()) haco(['lxcfs', 'stop', '--force'], { env: ws.env });
    ws?.cleanup();
  });

  test('without lxcfs at the mountpoint, start refuses and says how to start it', () => {
    const nowhere = path.join(ws.dir, 'no-lxcfs');
    const r = haco(['start', ws.define(uniqueName('lxn'), `.lxcfs({ mountpoint: ${JSON.stringify(nowhere)} })`), '--', 'true'], { env: ws.env });
    expect(r).toExitWith(4);
    expect(r.stderr).toContain('E_LXCFS_NOT_RUNNING');
    expect(r.stderr).toContain(`haco lxcfs start --mountpoint ${nowhere}`);
  });

  test('haco lxcfs start mounts lxcfs (or finds the one running) and status says so', () => {
    const before = haco(['lxcfs', 'status', '--json'], { env: ws.env });
    expect(before).toExitWith(0);
    const state = (JSON.parse(before.stdout) as { state: string }).state;
    expect(state).not.toBe('stale');
    if (state === 'stopped') {
      const r = haco(['lxcfs', 'start'], { env: ws.env });
      expect(r).toExitWith(0);
      startedHere = true;
      expect(r.stdout).toMatch(/running \(pid \d+, started by haco lxcfs start\)/);
    }
    expect(lxcfsMounted()).toBe(true);
    const again = haco(['lxcfs', 'start'], { env: ws.env });
    expect(again).toExitWith(0);
    expect(again.stdout).toContain('already running, nothing started');
    expect(lxcfsProcesses()).toHaveLength(1);
  });

  test('meminfo shows the memory limit, cpuinfo/stat/online the cpuset, uptime the container\'s', () => {
    const name = uniqueName('lxm');
    const script = [
      'grep MemTotal /proc/meminfo',
      'echo "processors=$(grep -c ^processor /proc/cpuinfo)"',
      'echo "statcpus=$(grep -c "^cpu[0-9]" /proc/stat)"',
      'echo "online=$(cat /sys/devices/system/cpu/online)"',
      'echo "uptime=$(cut -d. -f1 /proc/uptime)"',
      // The file system type follows the " - " separator of the mountinfo line.
      `echo "fstype=$(grep ' /proc/meminfo ' /proc/self/mountinfo | sed 's/.* - //' | cut -d' ' -f1)"`,
      `if echo x > /proc/meminfo 2>/dev/null; then echo write=allowed; else echo write=denied; fi`,
    ].join('; ');
    const r = haco(['start', ws.define(name, `.memory('64M').cpuset({ cpus: '0' }).lxcfs()`), '--', 'sh', '-c', script], { env: ws.env });
    expect(r).toExitWith(0);
    const rows = Object.fromEntries([...r.stdout.matchAll(/^([a-zA-Z]+)[=:]\s*(.*)$/gm)].map((m) => [m[1], m[2]]));
    expect(rows['MemTotal']).toBe('65536 kB');
    expect(rows['processors']).toBe('1');
    expect(rows['statcpus']).toBe('1');
    expect(rows['online']).toBe('0');
    expect(Number(rows['uptime'])).toBeLessThan(30);
    expect(rows['fstype']).toBe('fuse.lxcfs');
    expect(rows['write']).toBe('denied');
    // The host's own files are untouched: its MemTotal is its RAM, and every CPU is there.
    expect(fs.readFileSync('/proc/meminfo', 'utf8')).not.toMatch(/^MemTotal:\s+65536 kB$/m);
    expect(leftoverCgroups(name)).toEqual([]);
  });

  test('a running container that uses it is listed, and stop refuses while it runs', () => {
    const name = uniqueName('lxb');
    expect(haco(['start', '-d', ws.define(name, `.memory('32M').lxcfs()`), '--', 'sleep', '60'], { env: ws.env })).toExitWith(0);
    detached.push(name);
    const status = haco(['lxcfs', 'status', '--json'], { env: ws.env });
    expect(status).toExitWith(0);
    expect((JSON.parse(status.stdout) as { users: string[] }).users).toEqual([name]);
    const stop = haco(['lxcfs', 'stop'], { env: ws.env });
    expect(stop).toExitWith(5);
    expect(stop.stderr).toContain('E_LXCFS_BUSY');
    expect(lxcfsMounted()).toBe(true);
    expect(haco(['kill', '-s', 'KILL', name], { env: ws.env })).toExitWith(0);
    haco(['rm', name], { env: ws.env });
    expect(leftoverCgroups(name)).toEqual([]);
  });

  test('haco lxcfs stop leaves no mount and no process behind (when this suite started it)', () => {
    if (!startedHere) {
      // An lxcfs someone else started is theirs: stop must refuse it and leave it running.
      const r = haco(['lxcfs', 'stop'], { env: ws.env });
      expect(r).toExitWith(5);
      expect(r.stderr).toContain('E_LXCFS_NOT_OURS');
      expect(lxcfsMounted()).toBe(true);
      return;
    }
    const r = haco(['lxcfs', 'stop'], { env: ws.env });
    expect(r).toExitWith(0);
    expect(r.stdout).toContain(`lxcfs at ${MOUNTPOINT} stopped`);
    expect(lxcfsMounted()).toBe(false);
    expect(lxcfsProcesses()).toEqual([]);
    expect(fs.existsSync('/run/haco/.lxcfs.pid')).toBe(false);
    expect(fs.existsSync('/run/haco/.lxcfs.log')).toBe(false);
    const again = haco(['lxcfs', 'stop'], { env: ws.env });
    expect(again).toExitWith(0);
    expect(again.stdout).toContain('nothing to stop');
  });
});
