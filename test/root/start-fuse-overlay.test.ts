// A layered rootfs mounted by fuse-overlayfs (.rootfs(dir, { lower, overlay: 'fuse' })), docs/rootfs.md
// "Layers through FUSE": what haco does where the kernel cannot mount overlayfs in a user namespace, asked
// for explicitly so it runs on any kernel. As root with .mapRootTo() (this host's /dev/fuse is 0600 root:
// an ordinary user could not open it; the launcher opens it before the daemon joins the container's user
// namespace). Writes land in the upper dir, `rm` of a lower file leaves a whiteout and the lower unchanged;
// after the run, and after kill -9 of the launcher, no fuse-overlayfs and no mount is left. About 5 s.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { haco, HACO_BIN } from '../support/cli';
import { describeStart, makeWorkspace, type Workspace } from '../support/rootfs';

jest.setTimeout(60_000);

const MAPPED = 231072; // the container's root on the host (an id no host user has here)
let ws: Workspace;

/** Processes whose command line mentions PATH (the lane's workspace), as [pid, argv0]. */
function processesMentioning(p: string): Array<[number, string]> {
  const found: Array<[number, string]> = [];
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (Number(pid) !== process.pid && argv.some((a) => a.includes(p))) found.push([Number(pid), argv[0] ?? '']);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

const daemons = () => processesMentioning(ws.dir).filter(([, argv0]) => argv0.endsWith('fuse-overlayfs'));
const hostMounts = () => fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(ws.dir));

async function until(what: string, ok: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describeStart('haco start: a layered rootfs through fuse-overlayfs', () => {
  let extra: string;
  beforeAll(() => {
    ws = makeWorkspace('fuse-ovl');
    // A lower of our own over the busybox tree, with a file the container removes.
    extra = path.join(ws.dir, 'extra');
    fs.mkdirSync(path.join(extra, 'data'), { recursive: true });
    fs.writeFileSync(path.join(extra, 'data/gone'), 'lower\n');
  });
  afterAll(() => {
    for (const [pid] of processesMentioning(ws?.dir ?? '/nonexistent-fuse-ovl')) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    ws?.cleanup();
  });

  const define = (name: string) => {
    const dir = path.join(ws.dir, name);
    for (const sub of ['upper', 'work', 'rootfs']) fs.mkdirSync(path.join(dir, sub), { recursive: true });
    const lower = JSON.stringify([extra, ws.rootfs]);
    return { dir, file: ws.define(name, `.rootfs(${JSON.stringify(path.join(dir, 'rootfs'))}, { lower: ${lower}, overlay: 'fuse' }).mapRootTo(${MAPPED})`) };
  };

  test('writes land in the upper dir, rm leaves a whiteout, the lower is unchanged; nothing is left after the run', () => {
    const { dir, file } = define('fuse-ovl-w');
    const r = haco(['start', file, '--', 'sh', '-c', 'echo hi > /written && rm /data/gone && ls /data && grep " / " /proc/mounts && id -u'], { env: ws.env });
    expect(r).toExitWith(0);
    expect(r.stdout).toMatch(/^fuse-overlayfs \/ fuse\.fuse-overlayfs rw,/m);
    expect(r.stdout).not.toMatch(/^gone$/m);
    expect(r.stdout.trim().split('\n').at(-1)).toBe('0');
    const written = path.join(dir, 'upper/written');
    expect(fs.readFileSync(written, 'utf8')).toBe('hi\n');
    expect([fs.statSync(written).uid, fs.statSync(written).gid]).toEqual([MAPPED, MAPPED]);
    // fuse-overlayfs whiteouts: a 0/0 character device where it may mknod, else an aufs-style .wh. file.
    const upperData = fs.readdirSync(path.join(dir, 'upper/data'));
    const wh = upperData.includes('gone') ? fs.statSync(path.join(dir, 'upper/data/gone')) : undefined;
    expect(wh?.isCharacterDevice() === true && wh.rdev === 0 ? 'device 0/0' : upperData.includes('.wh.gone') ? '.wh.gone' : `none: ${upperData.join(' ')}`).toMatch(/^(device 0\/0|\.wh\.gone)$/);
    expect(fs.readFileSync(path.join(extra, 'data/gone'), 'utf8')).toBe('lower\n');
    expect(daemons()).toEqual([]);
    expect(hostMounts()).toEqual([]);
  });

  test('kill -9 of the launcher: fuse-overlayfs and the container go with it, no mount is left', async () => {
    const { file } = define('fuse-ovl-k');
    const child = spawn(HACO_BIN, ['start', file, '--', 'sleep', '6071'], { env: { ...process.env, ...ws.env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      await until('fuse-overlayfs and the container', () => daemons().length === 1 && processesMentioning('6071').some(([, a]) => a === 'sleep'));
    } catch (e) {
      throw new Error(`${(e as Error).message}; stderr: ${stderr}`);
    }
    const [daemon] = daemons()[0]!;
    const launcher = Number(/^PPid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${daemon}/status`, 'utf8'))![1]);
    expect(launcher).toBeGreaterThan(1);
    process.kill(launcher, 'SIGKILL');
    await until('fuse-overlayfs to go', () => daemons().length === 0);
    await until('the container to go', () => !processesMentioning('6071').some(([, a]) => a === 'sleep'));
    expect(hostMounts()).toEqual([]);
    if (child.exitCode === null && child.signalCode === null) await new Promise((r) => child.once('exit', r));
  });
});
