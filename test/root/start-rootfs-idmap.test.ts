// .rootfsOwner('idmap') with .mapRootTo(): the launcher puts an id-mapped mount of the rootfs (a plain
// directory) or of each overlay lower over the same path in the container's mount namespace, so root inside
// owns a tree that host root owns: it can remove /bin/ls and write files. On the host, the plain tree keeps
// its owners (what root writes is stored as 0) and a layered container's writes land in its upper dir as the
// mapped root; the lower layer is unchanged. No mount of it is ever visible on the host, after a normal exit
// or a failed launch, and a filesystem that cannot be id-mapped is refused with the step and errno.
// About 4 s.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { haco } from '../support/cli';
import { describeStart, makeWorkspace, type Workspace } from '../support/rootfs';

jest.setTimeout(60_000);

const MAPPED = 231072; // the container's root on the host (an id no host user has here)
let ws: Workspace;
const hostMounts: string[] = []; // the test's own overlay mount, for the refusal case

const ours = () => fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(ws.dir));
const owner = (p: string) => {
  const st = fs.lstatSync(p);
  return [st.uid, st.gid];
};
const INSIDE = 'ls -ln /bin/busybox; touch /written && rm /bin/ls && echo root-can-write; grep -c idmapped /proc/self/mountinfo';

describeStart("haco start: .rootfsOwner('idmap') with .mapRootTo()", () => {
  beforeAll(() => {
    ws = makeWorkspace('rootless2-idm');
  });
  afterAll(() => {
    for (const m of hostMounts) spawnSync('umount', [m]);
    ws?.cleanup();
  });

  test('a plain directory rootfs: root inside owns it, the host tree keeps its owners, no mount on the host', () => {
    const tree = path.join(ws.dir, 'plain');
    const cp = spawnSync('cp', ['-a', ws.rootfs, tree], { encoding: 'utf8' });
    expect(cp.stderr).toBe('');
    const file = ws.define('rootless2-idm-plain', `.rootfs(${JSON.stringify(tree)}).mapRootTo(${MAPPED}).rootfsOwner('idmap')`);
    const plan = haco(['plan', file, '--launch'], { env: ws.env });
    expect(plan).toExitWith(0);
    expect(plan.stdout).toContain(`idmap-mount ${tree}`);
    const r = haco(['start', file, '--', 'sh', '-c', INSIDE], { env: ws.env });
    expect(r.stderr).toBe('');
    expect(r).toExitWith(0);
    expect(r.stdout).toMatch(/^-rwxr-xr-x\s+1 0\s+0\s/m); // host root's busybox is root's inside
    expect(r.stdout).toContain('root-can-write');
    expect(r.stdout.trim().split('\n').at(-1)).not.toBe('0');
    expect(owner(path.join(tree, 'written'))).toEqual([0, 0]); // stored with the tree's own owner
    expect(owner(path.join(tree, 'bin/busybox'))).toEqual([0, 0]); // nothing rewritten
    expect(fs.existsSync(path.join(tree, 'bin/ls'))).toBe(false);
    expect(ours()).toEqual([]);
  });

  test('a layered rootfs: root inside removes a lower file; writes land in upper as the mapped root; the lower is unchanged', () => {
    const dir = path.join(ws.dir, 'layered');
    for (const sub of ['upper', 'work', 'rootfs']) fs.mkdirSync(path.join(dir, sub), { recursive: true });
    const chain = `.rootfs(${JSON.stringify(path.join(dir, 'rootfs'))}, { lower: ${JSON.stringify(ws.rootfs)} }).mapRootTo(${MAPPED})`;
    // Without it, the lower layer's files are nobody's inside: root cannot remove them (the control).
    const without = haco(['start', ws.define('rootless2-idm-off', chain), '--', 'sh', '-c', 'rm /bin/ls'], { env: ws.env });
    expect(without.stderr).toContain('Permission denied');
    expect(without).toExitWith(1);
    fs.rmSync(dir, { recursive: true, force: true });
    for (const sub of ['upper', 'work', 'rootfs']) fs.mkdirSync(path.join(dir, sub), { recursive: true });
    // (the id-mapped lowers are not in the container's mountinfo: they sit outside its root, under the overlay)
    const r = haco(['start', ws.define('rootless2-idm-layers', `${chain}.rootfsOwner('idmap')`), '--', 'sh', '-c', 'ls -ln /bin/busybox; touch /written && rm /bin/ls && echo root-can-write'], { env: ws.env });
    expect(r.stderr).toBe('');
    expect(r).toExitWith(0);
    expect(r.stdout).toContain('root-can-write');
    expect(owner(path.join(dir, 'upper/written'))).toEqual([MAPPED, MAPPED]);
    expect(fs.lstatSync(path.join(dir, 'upper/bin/ls')).isCharacterDevice()).toBe(true); // overlayfs' whiteout
    expect(fs.lstatSync(path.join(ws.rootfs, 'bin/ls')).isSymbolicLink()).toBe(true);
    expect(owner(path.join(ws.rootfs, 'bin/busybox'))).toEqual([0, 0]);
    expect(ours()).toEqual([]);
  });

  test('a failed launch after the id-mapped mount leaves no mount; a filesystem that cannot be id-mapped is refused', () => {
    const tree = path.join(ws.dir, 'plain');
    // A program that is there but not executable: the launcher's exec fails (EACCES), after the idmap step.
    fs.writeFileSync(path.join(tree, 'notexec'), 'echo never\n', { mode: 0o644 });
    const missing = haco(['start', ws.define('rootless2-idm-fail', `.rootfs(${JSON.stringify(tree)}).mapRootTo(${MAPPED}).rootfsOwner('idmap')`), '--', '/notexec'], { env: ws.env });
    expect(missing).toExitWith(126);
    expect(ours()).toEqual([]);
    // An overlayfs (read-only: two lowers, no upper) cannot itself be id-mapped.
    const ovl = path.join(ws.dir, 'ovl');
    const empty = path.join(ws.dir, 'ovl-empty');
    fs.mkdirSync(ovl);
    fs.mkdirSync(empty);
    const m = spawnSync('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${empty}:${ws.rootfs}`, ovl], { encoding: 'utf8' });
    expect(m.stderr).toBe('');
    hostMounts.push(ovl);
    const r = haco(['start', ws.define('rootless2-idm-ovl', `.rootfs(${JSON.stringify(ovl)}).mapRootTo(${MAPPED}).rootfsOwner('idmap')`), '--', 'true'], { env: ws.env });
    expect(r).toExitWith(125);
    expect(r.stderr).toContain('cannot be id-mapped');
    expect(r.stderr).toContain('EINVAL');
    expect(ours().filter((l) => l.includes('idmapped'))).toEqual([]);
    expect(spawnSync('umount', [ovl]).status).toBe(0);
    hostMounts.pop();
    expect(ours()).toEqual([]);
  });
});
