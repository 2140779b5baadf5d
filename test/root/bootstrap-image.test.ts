import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildBusyboxImage, startRegistry, tool, type LocalRegistry } from '../support/oci-image';
import { makeSandbox, type Sandbox } from '../unit/bootstrap/support/sandbox';

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
  });

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
});
