// `haco start` against the real kernel: mounts stay inside the container's mount namespace, and after
// pivot_root the host's files are out of reach.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { haco } from '../support/cli';
import { describeStart, makeWorkspace, uniqueName, type Workspace } from '../support/rootfs';
import { containerInit, startInBackground, type RunningStart } from '../support/start';

jest.setTimeout(60_000);

let ws: Workspace;
const running: RunningStart[] = [];

const hostMountinfo = (): string => fs.readFileSync('/proc/self/mountinfo', 'utf8');

/** Mount points of a mountinfo text (field 5), unescaped enough for comparison. */
function mountPoints(text: string): string[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' ')[4]!.replace(/\\040/g, ' '));
}

describeStart('haco start: mounts as the kernel shows them', () => {
  beforeAll(() => {
    ws = makeWorkspace('start-mnt');
  });
  afterEach(async () => {
    for (const run of running.splice(0)) {
      run.kill();
      await run.exited;
    }
  });
  afterAll(() => ws?.cleanup());

  test('mounts made inside (by haco and by the container itself) never appear on the host, during or after', async () => {
    const name = uniqueName('mnt');
    const before = mountPoints(hostMountinfo());
    const file = ws.define(name, `.tmpfs('/mnt/by-haco', { size: '1M' }).addCaps('sys_admin')`);
    const script = [
      'mkdir -p /mnt/by-container && mount -t tmpfs -o size=1m none /mnt/by-container && echo "mounted rc=$?"',
      'grep -c -E " /mnt/by-(haco|container) " /proc/self/mountinfo | sed "s/^/inside-count=/"',
      'echo ready',
      `while [ ! -e /tmp/stop-${name} ]; do sleep 0.05; done`,
    ].join('; ');
    const run = startInBackground(file, ['sh', '-c', script], ws.env);
    running.push(run);
    await run.waitFor(/ready\n/);
    expect(run.stdout()).toMatch(/^mounted rc=0$/m);
    expect(run.stdout()).toMatch(/^inside-count=2$/m);

    const init = await containerInit(run);
    // The container's own mount table (read from the host through /proc/PID) has them…
    const theirs = mountPoints(fs.readFileSync(`/proc/${init}/mountinfo`, 'utf8'));
    expect(theirs).toEqual(expect.arrayContaining(['/mnt/by-haco', '/mnt/by-container', '/proc', '/dev']));
    // …the host's does not: nothing under the workspace, nothing named like them. (Other mounts may come
    // and go on the host while this runs: only those a leak would produce are looked at.)
    const leaked = (points: string[]) => points.filter((m) => !before.includes(m) && (m.startsWith(ws.dir) || m.includes('/mnt/by-')));
    expect(leaked(mountPoints(hostMountinfo()))).toEqual([]);

    fs.writeFileSync(path.join(ws.rootfs, 'tmp', `stop-${name}`), '');
    expect(await run.exited).toExitWith(0);
    expect(leaked(mountPoints(hostMountinfo()))).toEqual([]);
    expect(mountPoints(hostMountinfo()).filter((m) => m.startsWith(ws.dir))).toEqual([]);
    // The mount points the launcher created in the rootfs are plain, empty directories on the host.
    expect(fs.readdirSync(path.join(ws.rootfs, 'mnt/by-haco'))).toEqual([]);
  });

  test('after pivot_root the host\'s files are invisible: a marker outside the rootfs cannot be reached', () => {
    const marker = path.join(ws.dir, 'outside-marker');
    fs.writeFileSync(marker, 'host secret\n');
    const script = [
      `if [ -e ${marker} ]; then echo "marker: visible"; else echo "marker: invisible"; fi`,
      `cat ${marker} 2>/dev/null || echo "cat: failed"`,
      // Walking up from / cannot leave the new root either.
      `cd /../../..; echo "up: $(pwd) $(ls / | tr '\\n' ' ')"`,
      'echo "root-mount: $(awk \'$5 == "/" { print $4 }\' /proc/self/mountinfo)"',
    ].join('; ');
    const r = haco(['start', ws.define(uniqueName('pivot')), '--', 'sh', '-c', script], { env: ws.env });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    expect(r.stdout).toMatch(/^marker: invisible$/m);
    expect(r.stdout).toMatch(/^cat: failed$/m);
    expect(r.stdout).not.toMatch(/host secret/);
    // `ls /` lists the busybox rootfs, not the host's root (which has the workspace dir's parent, e.g. tmp/…).
    const up = /^up: (\S+) (.*)$/m.exec(r.stdout);
    expect(up?.[1]).toBe('/');
    expect(up?.[2]?.trim().split(' ').sort()).toEqual(fs.readdirSync(ws.rootfs).sort());
    // The root of the mount namespace is the rootfs directory (a bind mount of it), not the host's /.
    // (mountinfo's root field is relative to the filesystem holding the rootfs: check its tail.)
    const rootMount = /^root-mount: (.*)$/m.exec(r.stdout)?.[1];
    expect(rootMount?.endsWith(`/${path.basename(ws.dir)}/rootfs`)).toBe(true);
    expect(fs.readFileSync(marker, 'utf8')).toBe('host secret\n');
  });
});
