// A layered rootfs (.rootfs(dir, { lower })) with .mapRootTo(): overlayfs is mounted by the container's
// root inside its user namespace, so upper and work must belong to the mapped root or overlayfs falls
// back to read-only. haco chowns them before the spawn (prepare-phase steps) and the launcher refuses a
// read-only fallback instead of starting a container that silently cannot write. About 3 s.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { haco, REPO } from '../support/cli';
import { describeStart, makeWorkspace, type Workspace } from '../support/rootfs';

jest.setTimeout(60_000);

const MAPPED = 231072; // the container's root on the host (an id no host user has here)
let ws: Workspace;

describeStart('haco start: a layered rootfs with .mapRootTo()', () => {
  beforeAll(() => {
    ws = makeWorkspace('rootless2-mro');
  });
  afterAll(() => ws?.cleanup());

  const define = (name: string) => {
    const dir = path.join(ws.dir, name);
    return { dir, file: ws.define(name, `.rootfs(${JSON.stringify(path.join(dir, 'rootfs'))}, { lower: ${JSON.stringify(ws.rootfs)} }).mapRootTo(${MAPPED})`) };
  };

  test('the container root writes its layer; the file belongs to the mapped root on the host', () => {
    const { dir, file } = define('rootless2-mro-w');
    // What `haco create` leaves for a layered container: empty upper, work and mount point, root's.
    for (const sub of ['upper', 'work', 'rootfs']) fs.mkdirSync(path.join(dir, sub), { recursive: true });
    const r = haco(['start', file, '--', 'sh', '-c', 'echo hi > /written && grep " / " /proc/mounts'], { env: ws.env });
    expect(r.stderr).toBe('');
    expect(r).toExitWith(0);
    expect(r.stdout).toMatch(/^overlay \/ overlay rw,/);
    const st = fs.statSync(path.join(dir, 'upper/written'));
    expect([st.uid, st.gid]).toEqual([MAPPED, MAPPED]);
  });

  test('a read-only fallback of overlayfs is an error, not a silent read-only container', () => {
    const { dir, file } = define('rootless2-mro-ro');
    const plan = haco(['plan', file, '--launch'], { env: ws.env });
    expect(plan).toExitWith(0);
    expect(plan.stdout).toContain(`hook /bin/chown ${MAPPED}:${MAPPED} ${path.join(dir, 'upper')}`);
    // The same spec without the chown steps: upper and work stay root's, as before the fix.
    fs.mkdirSync(path.join(dir, 'upper'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'work'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'rootfs'), { recursive: true });
    const spec = plan.stdout.split('\n').filter((l) => !l.startsWith('hook /bin/chown ')).join('\n');
    const r = spawnSync(path.join(REPO, 'native/build/haco-launch'), ['--spec', '-'], { input: spec, encoding: 'utf8', env: { ...process.env, ...ws.env } });
    expect({ status: r.status ?? 128, stdout: r.stdout, stderr: r.stderr }).toExitWith(125);
    expect(r.stderr).toContain('overlayfs fell back to read-only');
    expect(r.stderr).toContain('EROFS');
  });
});
