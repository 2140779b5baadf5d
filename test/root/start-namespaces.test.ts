// `haco start` against the real kernel: namespaces. Each test writes its own definition, starts it with
// bin/haco as a user would, and compares what the container reads from /proc/self/ns (and hostname, ps,
// id) with what the host shows. Needs root and a static /bin/busybox.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { haco } from '../support/cli';
import { nsId } from '../support/procs';
import { describeStart, makeWorkspace, uniqueName, type Workspace } from '../support/rootfs';
import { childrenOf, commOf, containerInit, startInBackground, until } from '../support/start';

jest.setTimeout(60_000);

const KINDS = ['mount', 'uts', 'ipc', 'pid', 'net', 'user', 'cgroup', 'time'] as const;
type Kind = (typeof KINDS)[number];
const NS_FILE: Record<Kind, string> = { mount: 'mnt', uts: 'uts', ipc: 'ipc', pid: 'pid', net: 'net', user: 'user', cgroup: 'cgroup', time: 'time' };

/** Shell that prints `ns KIND-FILE DEV:INODE` for each namespace of the shell itself (the nsfs inode: what identifies a namespace). */
const PRINT_NS = `for k in ${KINDS.map((k) => NS_FILE[k]).join(' ')}; do echo "ns $k $(stat -L -c %d:%i /proc/self/ns/$k)"; done`;

function parseNs(output: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of output.matchAll(/^ns (\w+) (\d+:\d+)$/gm)) out[m[1]!] = m[2]!;
  return out;
}

/** The host's namespace of a kind, as the test process (on the host) sees it. */
function hostNs(kind: Kind): string {
  return nsId(`/proc/self/ns/${NS_FILE[kind]}`);
}

function nsOfPid(pid: number, kind: Kind): string {
  return nsId(`/proc/${pid}/ns/${NS_FILE[kind]}`);
}

/**
 * A process that holds new namespaces for a test to enter: `unshare FLAGS --fork --kill-child sleep 600`.
 * Returns the sleep's PID (inside the namespaces) and a release function (SIGKILL; --kill-child takes the
 * sleep along).
 */
async function holdNamespaces(flags: string[]): Promise<{ pid: number; release: () => void }> {
  const child: ChildProcess = spawn('unshare', [...flags, '--fork', '--kill-child', 'sleep', '600'], { stdio: 'ignore' });
  const release = () => {
    try {
      process.kill(child.pid!, 'SIGKILL');
    } catch {
      // gone
    }
  };
  try {
    const pid = await until(`unshare ${flags.join(' ')} to fork its sleep`, () => {
      const kid = childrenOf(child.pid!).find((p) => commOf(p) === 'sleep');
      return kid;
    });
    return { pid, release };
  } catch (e) {
    release();
    throw e;
  }
}

let ws: Workspace;

/** The tools this file uses to make namespaces for the containers to enter. */
function namespaceTools(): string | undefined {
  for (const [tool, pkg] of [['unshare', 'util-linux'], ['ip', 'iproute2']] as const) {
    if (spawnSync(tool, ['--version'], { stdio: 'ignore' }).error) return `${tool} not found (apt-get install ${pkg})`;
  }
  return undefined;
}

describeStart('haco start: namespaces as the kernel shows them', () => {
  beforeAll(() => {
    ws = makeWorkspace('start-ns');
  });
  afterAll(() => ws?.cleanup());

  describe('uts', () => {
    test('unshared: hostname is the definition\'s, the host\'s is unchanged', () => {
      const before = os.hostname();
      const name = uniqueName('uts');
      const file = ws.define(name, `.hostname('inner-${name.slice(-6)}')`);
      const r = haco(['start', file, '--', 'sh', '-c', `hostname; ${PRINT_NS}`], { env: ws.env });
      expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
      expect(r.stdout.split('\n')[0]).toBe(`inner-${name.slice(-6)}`);
      expect(parseNs(r.stdout)['uts']).not.toBe(hostNs('uts'));
      expect(os.hostname()).toBe(before);
      expect(before).not.toBe(`inner-${name.slice(-6)}`);
    });

    test("not unshared (.share('uts')): the container sees the host's hostname", () => {
      const name = uniqueName('utsh');
      const file = ws.define(name, `.share('uts')`);
      const r = haco(['start', file, '--', 'sh', '-c', `hostname; ${PRINT_NS}`], { env: ws.env });
      expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
      expect(r.stdout.split('\n')[0]).toBe(os.hostname());
      expect(parseNs(r.stdout)['uts']).toBe(hostNs('uts'));
    });

    test("hostname changes need CAP_SYS_ADMIN: EPERM with the default set, allowed with .addCaps('sys_admin') in a uts ns", () => {
      const before = os.hostname();
      const denied = haco(['start', ws.define(uniqueName('utsd')), '--', 'sh', '-c', 'hostname changed-inside; echo "rc=$?"; hostname'], { env: ws.env });
      expect(denied).toExitWith(0);
      expect(denied.stdout).toMatch(/rc=1\n/);
      expect(denied.stdout + denied.stderr).toMatch(/Operation not permitted|EPERM/);
      expect(denied.stdout).not.toMatch(/^changed-inside$/m);

      const allowed = haco(['start', ws.define(uniqueName('utsa'), `.addCaps('sys_admin')`), '--', 'sh', '-c', 'hostname changed-inside; echo "rc=$?"; hostname'], { env: ws.env });
      expect({ status: allowed.status, stdout: allowed.stdout }).toEqual({ status: 0, stdout: 'rc=0\nchanged-inside\n' });
      expect(os.hostname()).toBe(before); // changed in the container's uts namespace only
    });

    test("a hostname without the uts namespace is refused before anything runs (it would rename the host)", () => {
      const before = os.hostname();
      const r = haco(['start', ws.define(uniqueName('utsr'), `.share('uts').hostname('would-leak')`), '--', 'true'], { env: ws.env });
      expect(r).not.toExitWith(0);
      expect(r.stderr).toMatch(/uts namespace/);
      expect(os.hostname()).toBe(before);
    });
  });

  describe('pid', () => {
    test('unshared: the init is PID 1 and ps shows only the container', () => {
      // --no-init: the command itself is the init (by default a tiny init is PID 1 and the command PID 2).
      const r = haco(['start', '--no-init', ws.define(uniqueName('pid')), '--', 'sh', '-c', 'echo "self=$$"; ps -o pid,comm'], { env: ws.env });
      expect(r).toExitWith(0);
      expect(r.stdout).toMatch(/^self=1$/m);
      const pids = r.stdout
        .split('\n')
        .slice(2)
        .map((l) => l.trim().split(/\s+/)[0])
        .filter((p): p is string => !!p && /^\d+$/.test(p))
        .map(Number);
      // sh (1) and ps itself; nothing of the host (the test runner's own PID is not listed).
      expect(pids).toContain(1);
      expect(pids.length).toBeLessThanOrEqual(3);
      expect(pids).not.toContain(process.pid);
    });

    test("not unshared (.share('pid')): host processes show, the init is not PID 1", () => {
      const r = haco(['start', ws.define(uniqueName('pidsh'), `.share('pid')`), '--', 'sh', '-c', `echo "self=$$"; ps -o pid,comm`], { env: ws.env });
      expect(r).toExitWith(0);
      expect(r.stdout).not.toMatch(/^self=1$/m);
      const pids = new Set(r.stdout.split('\n').map((l) => Number(l.trim().split(/\s+/)[0])));
      expect(pids.has(process.pid)).toBe(true); // the jest process, a host process
      expect(pids.has(1)).toBe(true); // the host's init
    });
  });

  describe('each of the 8 namespaces: /proc/self/ns inside vs. the host', () => {
    test('unshared: all eight differ from the host', () => {
      const name = uniqueName('nsall');
      const file = ws.define(name, `.unshare(${KINDS.map((k) => `'${k}'`).join(', ')}).mapRootTo(100000)`);
      const r = haco(['start', file, '--', 'sh', '-c', PRINT_NS], { env: ws.env });
      expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
      const inside = parseNs(r.stdout);
      for (const kind of KINDS) {
        expect({ kind, inside: inside[NS_FILE[kind]] }).toEqual({ kind, inside: expect.stringMatching(/^\d+:\d+$/) });
        expect({ kind, same: inside[NS_FILE[kind]] === hostNs(kind) }).toEqual({ kind, same: false });
      }
    });

    test('not unshared: the seven that can be shared equal the host', () => {
      // Defaults unshare mount uts ipc pid; net user cgroup time are not unshared by default.
      const file = ws.define(uniqueName('nsnone'), `.share('uts', 'ipc', 'pid', 'net', 'user', 'cgroup', 'time')`);
      const r = haco(['start', file, '--', 'sh', '-c', PRINT_NS], { env: ws.env });
      expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
      const inside = parseNs(r.stdout);
      for (const kind of KINDS.filter((k) => k !== 'mount')) {
        expect({ kind, inside: inside[NS_FILE[kind]] }).toEqual({ kind, inside: hostNs(kind) });
      }
      expect(inside['mnt']).not.toBe(hostNs('mount'));
    });

    test("mount cannot be shared: the container switches root in its own mount namespace (refused before launch)", () => {
      const r = haco(['start', ws.define(uniqueName('nsmnt'), `.share('mount')`), '--', 'true'], { env: ws.env });
      expect(r).not.toExitWith(0);
      expect(r.stderr).toMatch(/own mount namespace/);
    });

    const ENTER_FLAGS: Record<Exclude<Kind, 'mount' | 'net'>, string[]> = {
      uts: ['--uts'],
      ipc: ['--ipc'],
      pid: ['--pid'],
      user: ['--user', '--map-root-user'],
      cgroup: ['--cgroup'],
      time: ['--time', '--boottime', '86400'],
    };

    test.each(Object.keys(ENTER_FLAGS) as Array<keyof typeof ENTER_FLAGS>)('entered (%s): equals the target namespace the test made', async (kind) => {
      const holder = await holdNamespaces(ENTER_FLAGS[kind]);
      try {
        const target = nsOfPid(holder.pid, kind);
        expect(target).not.toBe(hostNs(kind));
        // Mounting sysfs needs a net namespace owned by the joined user namespace; without one keep proc and dev.
        const extra = kind === 'user' ? `.standardMounts('proc', 'dev')` : '';
        const file = ws.define(uniqueName(`nse${kind.slice(0, 3)}`), `.share('${kind}').enter('${kind}', '/proc/${holder.pid}/ns/${NS_FILE[kind]}')${extra}`);
        const r = haco(['start', file, '--', 'sh', '-c', PRINT_NS], { env: ws.env });
        expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
        expect(parseNs(r.stdout)[NS_FILE[kind]]).toBe(target);
      } finally {
        holder.release();
      }
    });

    test('entered (net): equals a namespace made by `ip netns add` with a test-owned name', () => {
      const netns = `hacot-${process.pid.toString(36)}`;
      const add = spawnSync('ip', ['netns', 'add', netns], { encoding: 'utf8' });
      expect(add.stderr).toBe('');
      try {
        const id = nsId(`/var/run/netns/${netns}`);
        const r = haco(['start', ws.define(uniqueName('nsenet'), `.joinNetns('${netns}')`), '--', 'sh', '-c', PRINT_NS], { env: ws.env });
        expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
        expect(parseNs(r.stdout)['net']).toBe(id);
        expect(id).not.toBe(hostNs('net'));
      } finally {
        spawnSync('ip', ['netns', 'del', netns]);
      }
      expect(fs.existsSync(`/var/run/netns/${netns}`)).toBe(false);
    });

    test.each([
      ['as is', ''],
      ["after .share('mount')", ".share('mount')"],
    ])('entering a mount namespace is refused with a reason and a hint that does not lead in a circle (%s)', (_title, share) => {
      const r = haco(['start', ws.define(uniqueName('nsemnt'), `${share}.enter('mount', '/proc/1/ns/mnt')`), '--', 'true'], { env: ws.env });
      expect(r).not.toExitWith(0);
      expect(r.stderr).toMatch(/cannot enter the mount namespace \/proc\/1\/ns\/mnt/);
      // .share('mount') is itself refused, so it must not be what the hint suggests.
      expect(r.stderr).not.toMatch(/\.share\('mount'\) keeps only the enter/);
    });
  });

  describe('user', () => {
    test('mapRootTo(100000): id -u is 0 inside while the host sees uid 100000 on the container init', async () => {
      const name = uniqueName('user');
      const file = ws.define(name, `.mapRootTo(100000)`);
      const go = `/tmp/go-${name}`;
      const run = startInBackground(file, ['sh', '-c', `echo "uid=$(id -u) gid=$(id -g)"; while [ ! -e ${go} ]; do sleep 0.1; done; echo done`], ws.env);
      try {
        await run.waitFor(/uid=\d+ gid=\d+\n/);
        expect(run.stdout()).toMatch(/^uid=0 gid=0$/m);
        const init = await containerInit(run);
        const status = fs.readFileSync(`/proc/${init}/status`, 'utf8');
        expect(/^Uid:\s+(.*)$/m.exec(status)?.[1]?.split(/\s+/)).toEqual(['100000', '100000', '100000', '100000']);
        expect(/^Gid:\s+(.*)$/m.exec(status)?.[1]?.split(/\s+/)).toEqual(['100000', '100000', '100000', '100000']);
        expect(fs.readFileSync(`/proc/${init}/uid_map`, 'utf8').trim().split(/\s+/)).toEqual(['0', '100000', '65536']);
        fs.writeFileSync(`${ws.rootfs}${go}`, '');
        expect(await run.exited).toExitWith(0);
        expect(run.stdout()).toMatch(/done\n$/);
      } finally {
        run.kill();
        await run.exited;
      }
    });

    test('time namespace offsets: boottime +1 day inside, the host clock unchanged', () => {
      const r = haco(['start', ws.define(uniqueName('time'), `.timeOffsets({ boottime: 86400 })`), '--', 'cat', '/proc/uptime'], { env: ws.env });
      const host = Number(fs.readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
      expect(r).toExitWith(0);
      const inside = Number(r.stdout.split(' ')[0]);
      expect(inside - host).toBeGreaterThan(86400 - 30);
      expect(inside - host).toBeLessThan(86400 + 30);
    });
  });
}, [namespaceTools]);
