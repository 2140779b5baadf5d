import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HACO_BIN } from '../support/cli';
import { addWhiteoutLayers, buildBusyboxImage, startRegistry, tool, type LocalRegistry } from '../support/oci-image';
import { makeSandbox, type Sandbox } from '../unit/bootstrap/support/sandbox';

/** `haco ARGS` without waiting (sb.run is synchronous): for two creates at once. */
function hacoAsync(sb: Sandbox, args: string[], env: Record<string, string>): { done: Promise<{ status: number; stdout: string; stderr: string; command: string[] }>; stderr: () => string } {
  const child = spawn(HACO_BIN, args, { cwd: sb.dir, env: { ...process.env, NO_COLOR: '1', HACO_STATE_ROOT: sb.state, HACO_NO_CACHE: '1', CI: 'true', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ status: number; stdout: string; stderr: string; command: string[] }>((resolve) => child.on('close', (code) => resolve({ status: code ?? 128, stdout, stderr, command: ['haco', ...args] })));
  return { done, stderr: () => stderr };
}

/**
 * Images as a bootstrap: one busybox image built here (buildah from scratch), offered through every
 * transport; the container must run the image's entrypoint with its env, workdir and user.
 */
describe('bootstrap: OCI images (skopeo + umoci)', () => {
  let sb: Sandbox;
  let images: ReturnType<typeof buildBusyboxImage>;
  let registry: LocalRegistry | undefined;
  let env: Record<string, string>;
  beforeAll(() => {
    sb = makeSandbox('image');
    images = buildBusyboxImage(sb.dir, {
      entrypoint: ['/bin/sh', '-c'],
      cmd: ['echo "$GREETING from $(pwd) as $(id -u):$(id -g)"; exit 7'],
      env: ['GREETING=hello', 'PATH=/bin'],
      workdir: '/srv/app',
      user: '1234:2345',
      ports: ['8080/tcp'],
    });
    env = { HACO_IMAGE_CACHE: path.join(sb.dir, 'image-cache') };
  }, 120_000);
  afterAll(async () => {
    await registry?.stop();
    sb.remove();
  });

  const define = (name: string, image: string, extra = '') =>
    sb.def(name, `export default defineContainer('${name}').rootfs(${JSON.stringify(path.join(sb.dir, name, 'rootfs'))}).bootstrap((b) => b.image(${JSON.stringify(image)}))${extra};`);
  const start = (file: string) => {
    // sb.start() has no room for extra env; the image cache rides in through the process env.
    process.env['HACO_IMAGE_CACHE'] = env['HACO_IMAGE_CACHE'];
    try {
      return sb.start(file, []);
    } finally {
      delete process.env['HACO_IMAGE_CACHE'];
    }
  };

  it.each([
    ['oci-archive', () => 'oci-archive:./image.oci.tar'],
    ['docker-archive', () => 'docker-archive:./image.docker.tar'],
    ['oci', () => 'oci:./layout:v1'],
  ])('%s: create pins the digest, the plan takes the image config, the container runs it', (transport, ref) => {
    const name = `img-${transport}`;
    const file = define(name, ref());
    const before = sb.run(['plan', file], env);
    expect(before.stdout).toContain('not pulled yet');
    const c = sb.run(['create', file], env);
    expect(c.stderr).toMatch(/bootstrap\.image\] sha256:[0-9a-f]{64}, unpacking/);
    expect(c).toExitWith(0);
    const plan = JSON.parse(sb.run(['plan', file, '--json'], env).stdout) as { containers: Array<{ process: { args: string[]; env: Record<string, string>; cwd: string; user: { uid: number; gid: number } }; bootstrap: { pinned?: { digest: string; fromImage: string[]; exposedPorts: string[] } } }> };
    const p = plan.containers[0]!;
    expect(p.bootstrap.pinned?.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(p.bootstrap.pinned?.fromImage.sort()).toEqual(['process.args', 'process.cwd', 'process.env.GREETING', 'process.env.PATH', 'process.user']);
    expect(p.bootstrap.pinned?.exposedPorts).toEqual(['8080/tcp']);
    expect(p.process.args).toEqual(['/bin/sh', '-c', 'echo "$GREETING from $(pwd) as $(id -u):$(id -g)"; exit 7']);
    expect(sb.run(['plan', file], env).stdout).toMatch(/command .*\(from image\)/);

    const s = start(file);
    expect(s.stderr).toBe('');
    expect(s.stdout).toBe('hello from /srv/app as 1234:2345\n');
    expect(s).toExitWith(7);
    expect(sb.leftovers(name)).toEqual([]);
  });

  it('what the definition sets wins over the image config', () => {
    const file = define('img-override', 'oci-archive:./image.oci.tar', `.command(['/bin/sh', '-c', 'echo "$GREETING $MINE $(pwd) $(id -u)"']).env({ GREETING: 'mine' }).env({ MINE: 'x' }).workdir('/bin').user(0)`);
    expect(sb.run(['create', file], env)).toExitWith(0);
    const plan = JSON.parse(sb.run(['plan', file, '--json'], env).stdout) as { containers: Array<{ bootstrap: { pinned?: { fromImage: string[] } } }> };
    expect(plan.containers[0]!.bootstrap.pinned?.fromImage).toEqual(['process.env.PATH']);
    const s = start(file);
    expect(s.stderr).toBe('');
    expect(s.stdout).toBe('mine x /bin 0\n');
    expect(s).toExitWith(0);
  });

  it('the cache is one OCI layout: a second container of the same image adds no blob', () => {
    const cache = env['HACO_IMAGE_CACHE']!;
    const blobs = () => fs.readdirSync(path.join(cache, 'blobs/sha256')).sort();
    const first = blobs();
    const file = define('img-second', 'oci-archive:./image.oci.tar');
    expect(sb.run(['create', file], env)).toExitWith(0);
    expect(blobs()).toEqual(first);
    expect(fs.statSync(cache).mode & 0o777).toBe(0o700);
  });

  it('docker:// from a registry on 127.0.0.1 (started and stopped by this test)', async () => {
    registry = await startRegistry(sb.dir);
    tool('skopeo', ['copy', '--quiet', '--dest-tls-verify=false', `oci-archive:${images.ociArchive}`, `docker://${registry.address}/haco/busybox:1`]);
    const file = sb.def('img-docker', `export default defineContainer('img-docker').rootfs(${JSON.stringify(path.join(sb.dir, 'img-docker', 'rootfs'))}).bootstrap((b) => b.image('docker://${registry!.address}/haco/busybox:1', { tlsVerify: false }));`);
    const c = sb.run(['create', file], env);
    expect(c.stderr).toContain('unpacking');
    expect(c).toExitWith(0);
    await registry.stop();
    registry = undefined;
    const s = start(file);
    expect(s.stdout).toBe('hello from /srv/app as 1234:2345\n');
    expect(s).toExitWith(7);
  }, 60_000);

  it('a reference without a transport and a missing archive are clear errors', () => {
    const bad = define('img-bad', 'alpine:3.20');
    const r = sb.run(['plan', bad], env);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('"alpine:3.20" is not an image reference haco reads');
    expect(r.stderr).toContain("docker://docker.io/library/alpine:3.20");
    const missing = define('img-missing', 'oci-archive:./nope.tar');
    const m = sb.run(['create', missing], env);
    expect(m).toExitWith(1);
    expect(m.stderr).toContain('E_NO_IMAGE');
    expect(fs.existsSync(path.join(sb.dir, 'img-missing'))).toBe(false);
  });

  describe("layers: 'shared' (each layer unpacked once, the rootfs an overlay of them)", () => {
    let shared: Record<string, string>;
    let layersDir: string;
    const defineShared = (name: string) =>
      sb.def(name, `export default defineContainer('${name}').rootfs(${JSON.stringify(path.join(sb.dir, name, 'rootfs'))}).bootstrap((b) => b.image('oci:./layout:wh', { layers: 'shared' })).user(0);`);
    beforeAll(() => {
      addWhiteoutLayers(sb.dir, images.ociDir, 'wh');
      shared = { HACO_IMAGE_CACHE: path.join(sb.dir, 'shared-cache') };
      layersDir = path.join(shared['HACO_IMAGE_CACHE']!, 'layers');
    });
    const startShared = (file: string, command: string[]) => {
      process.env['HACO_IMAGE_CACHE'] = shared['HACO_IMAGE_CACHE'];
      try {
        return sb.start(file, command);
      } finally {
        delete process.env['HACO_IMAGE_CACHE'];
      }
    };

    it('two creates at once (the cache lock) unpack each layer once; whiteouts and opaque dirs hold; writes stay in each upper', async () => {
      const files = [defineShared('img-sh1'), defineShared('img-sh2')];
      const runs = await Promise.all(files.map((f) => hacoAsync(sb, ['create', f], shared).done));
      for (const r of runs) expect(r).toExitWith(0);
      const index = JSON.parse(fs.readFileSync(path.join(shared['HACO_IMAGE_CACHE']!, 'index.json'), 'utf8')) as { manifests: unknown[] };
      expect(index.manifests).toHaveLength(1);
      const layers = fs.readdirSync(layersDir).sort();
      expect(layers).toHaveLength(3); // busybox, layer-one, layer-two: once, for both containers
      expect(layers.every((l) => /^sha256-[0-9a-f]{64}$/.test(l))).toBe(true);
      const plan = JSON.parse(sb.run(['plan', files[0]!, '--json'], shared).stdout) as { containers: Array<{ rootfs: { path: string; overlay?: { lower: string[]; upper: string } } }> };
      const overlay = plan.containers[0]!.rootfs.overlay!;
      expect(overlay.lower).toHaveLength(3);
      expect(overlay.lower.every((l) => l.startsWith(`${layersDir}/`))).toBe(true);
      expect(overlay.upper).toBe(path.join(sb.dir, 'img-sh1', 'upper'));
      // The top layer carries overlayfs whiteouts: /data/gone and what /data/sub held below it.
      const top = fs.lstatSync(path.join(overlay.lower[0]!, 'data', 'gone'));
      expect(top.isCharacterDevice() && top.rdev === 0).toBe(true);

      const one = startShared(files[0]!, ['/bin/sh', '-c', 'ls /data; ls /data/sub; pwd; echo changed > /data/keep; echo mine > /new; grep " / / " /proc/self/mountinfo | cut -d" " -f9']);
      expect(one.stderr).toBe('');
      expect(one.stdout).toBe('keep\nsub\ntop\nnew\n/srv/app\noverlay\n');
      expect(one).toExitWith(0);
      const two = startShared(files[1]!, ['/bin/sh', '-c', 'cat /data/keep; test ! -e /new && echo no-new']);
      expect(two.stdout).toBe('data/keep\nno-new\n');
      expect(two).toExitWith(0);
      expect(fs.readFileSync(path.join(sb.dir, 'img-sh1', 'upper', 'new'), 'utf8')).toBe('mine\n');
      const keepBelow = overlay.lower.map((l) => path.join(l, 'data', 'keep')).find((f) => fs.existsSync(f))!;
      expect(fs.readFileSync(keepBelow, 'utf8')).toBe('data/keep\n');
      expect(sb.leftovers('img-sh1')).toEqual([]);
      expect(sb.leftovers('img-sh2')).toEqual([]);
    }, 120_000);

    it('export oci and export image copy the merged tree; --link is refused with the fix', () => {
      const file = path.join(sb.dir, 'img-sh1.haco.ts');
      const bundle = path.join(sb.dir, 'sh1.bundle');
      expect(sb.run(['export', 'oci', file, '-o', bundle], shared)).toExitWith(0);
      const rootfs = path.join(bundle, 'rootfs');
      expect(fs.readdirSync(path.join(rootfs, 'data')).sort()).toEqual(['keep', 'sub', 'top']);
      expect(fs.readdirSync(path.join(rootfs, 'data', 'sub'))).toEqual(['new']);
      expect(fs.readFileSync(path.join(rootfs, 'data', 'keep'), 'utf8')).toBe('changed\n'); // the container's own write
      expect(fs.existsSync(path.join(rootfs, 'bin', 'busybox'))).toBe(true);
      const link = sb.run(['export', 'oci', file, '-o', path.join(sb.dir, 'sh1.link'), '--link'], shared);
      expect(link).toExitWith(2);
      expect(link.stderr).toContain('E_EXPORT_OVERLAY');
      expect(link.stderr).toContain('export without --link');
      const layout = path.join(sb.dir, 'sh1.image');
      expect(sb.run(['export', 'image', file, '-o', layout, '--format', 'oci'], shared)).toExitWith(0);
      const inspected = JSON.parse(tool('skopeo', ['inspect', `oci:${layout}:latest`])) as { Layers: string[] };
      expect(inspected.Layers).toHaveLength(1);
      expect(sb.leftovers('img-sh1')).toEqual([]);
    }, 60_000);

    it('a create waits for the cache lock another process holds, then goes on', async () => {
      const lock = spawn('flock', [path.join(shared['HACO_IMAGE_CACHE']!, 'lock'), 'cat'], { stdio: ['pipe', 'ignore', 'ignore'] });
      try {
        await new Promise((r) => setTimeout(r, 300));
        const file = defineShared('img-sh3');
        const run = hacoAsync(sb, ['create', file], shared);
        let exited = false;
        void run.done.then(() => (exited = true));
        // Up to 30 s for haco to start and reach the lock (a loaded CI machine); it must then wait there.
        for (let i = 0; i < 300 && !exited && !run.stderr().includes('waiting for the image cache lock'); i += 1) await new Promise((r) => setTimeout(r, 100));
        expect(run.stderr()).toContain('waiting for the image cache lock');
        await new Promise((r) => setTimeout(r, 1000));
        expect(exited).toBe(false);
        lock.stdin.end();
        const r = await run.done;
        expect(r).toExitWith(0);
        expect(fs.readdirSync(layersDir)).toHaveLength(3);
      } finally {
        lock.kill();
      }
    }, 60_000);

    it('destroy removes the upper and work dirs, never the shared layers', () => {
      const file = path.join(sb.dir, 'img-sh3.haco.ts');
      expect(sb.run(['destroy', file, '--yes'], shared)).toExitWith(0);
      expect(fs.existsSync(path.join(sb.dir, 'img-sh3', 'upper'))).toBe(false);
      expect(fs.existsSync(path.join(sb.state, 'img-sh3', 'image.json'))).toBe(false); // the pin went with the rootfs
      expect(fs.readdirSync(layersDir)).toHaveLength(3);
    });

    it('prune --images removes the layers once no pin uses them', () => {
      // The NAME limits the cgroup sweep of prune to this test's containers.
      const used = sb.run(['prune', '--images', '--json', 'img-sh1'], shared);
      expect(used).toExitWith(0);
      expect((JSON.parse(used.stdout) as { removedLayers: string[] }).removedLayers).toEqual([]);
      for (const n of ['img-sh1', 'img-sh2']) expect(sb.run(['destroy', path.join(sb.dir, `${n}.haco.ts`), '--yes'], shared)).toExitWith(0);
      const unused = sb.run(['prune', '--images', '--json', 'img-sh1'], shared);
      expect(unused).toExitWith(0);
      expect((JSON.parse(unused.stdout) as { removedLayers: string[] }).removedLayers).toHaveLength(3);
      expect(fs.readdirSync(layersDir)).toEqual([]);
    });
  });
});
