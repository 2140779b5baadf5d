import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

/** Runs a tool, throwing with its stderr when it fails (a failing test shows why). */
export function tool(file: string, args: string[], env: Record<string, string> = {}): string {
  const r = spawnSync(file, args, { encoding: 'utf8', env: { ...process.env, ...env } });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} exited ${r.status}:\n${r.stderr}`);
  return r.stdout;
}

/** buildah with its own storage under DIR (vfs: no mounts), so nothing lands in the host's image store. */
export function buildahIn(dir: string): (args: string[]) => string {
  const storage = ['--root', path.join(dir, 'buildah-root'), '--runroot', path.join(dir, 'buildah-run'), '--storage-driver', 'vfs'];
  return (args) => tool('buildah', [...storage, ...args]);
}

export interface TestImageConfig {
  entrypoint: string[];
  cmd: string[];
  env: string[];
  workdir: string;
  user?: string;
  ports?: string[];
}

/**
 * A busybox image built from scratch with buildah (no registry here), committed as an oci-archive,
 * a docker-archive and an oci layout dir under DIR. Returns their paths.
 */
export function buildBusyboxImage(dir: string, config: TestImageConfig): { ociArchive: string; dockerArchive: string; ociDir: string } {
  const buildah = buildahIn(dir);
  const ctr = buildah(['from', 'scratch']).trim();
  try {
    buildah(['copy', ctr, '/bin/busybox', '/bin/busybox']);
    buildah(['run', '--isolation', 'chroot', ctr, '--', '/bin/busybox', '--install', '-s', '/bin']);
    buildah([
      'config',
      '--entrypoint', JSON.stringify(config.entrypoint),
      '--cmd', JSON.stringify(config.cmd),
      ...config.env.flatMap((e) => ['--env', e]),
      '--workingdir', config.workdir,
      ...(config.user ? ['--user', config.user] : []),
      ...(config.ports ?? []).flatMap((p) => ['--port', p]),
      ctr,
    ]);
    const out = { ociArchive: path.join(dir, 'image.oci.tar'), dockerArchive: path.join(dir, 'image.docker.tar'), ociDir: path.join(dir, 'layout') };
    buildah(['commit', '--quiet', ctr, `oci-archive:${out.ociArchive}`]);
    buildah(['commit', '--quiet', ctr, `docker-archive:${out.dockerArchive}`]);
    buildah(['commit', '--quiet', ctr, `oci:${out.ociDir}:v1`]);
    return out;
  } finally {
    buildah(['rm', ctr]);
    buildah(['rmi', '--all', '--force']);
  }
}

/** A free TCP port on 127.0.0.1 (asked from the kernel, then released). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

export interface LocalRegistry {
  address: string;
  stop(): Promise<void>;
}

/** Debian's docker-registry on 127.0.0.1 with a config and storage under DIR; stop() ends it. */
export async function startRegistry(dir: string): Promise<LocalRegistry> {
  const port = await freePort();
  const root = path.join(dir, 'registry');
  fs.mkdirSync(root, { recursive: true });
  const config = path.join(root, 'config.yml');
  fs.writeFileSync(config, `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${root}/data\nhttp:\n  addr: 127.0.0.1:${port}\n`);
  const child: ChildProcess = spawn('docker-registry', ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const address = `127.0.0.1:${port}`;
  for (let i = 0; i < 100; i += 1) {
    const up = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.end();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (up) break;
    if (child.exitCode !== null) throw new Error(`docker-registry exited ${child.exitCode}: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    address,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * Adds two hand-made layers to the image tagged `v1` in the layout dir OCI_DIR and tags the result `TAG`:
 * the first puts /data/{keep,gone,sub/{old1,old2}} in place, the second deletes /data/gone (a `.wh.`
 * whiteout), replaces /data/sub by an opaque dir holding only `new` (`.wh..wh..opq`) and adds /data/top.
 * Built with GNU tar and `umoci raw add-layer` so the whiteouts are exactly those of the image-spec.
 */
export function addWhiteoutLayers(dir: string, ociDir: string, tag: string): void {
  const one = path.join(dir, 'layer-one');
  const two = path.join(dir, 'layer-two');
  fs.mkdirSync(path.join(one, 'data/sub'), { recursive: true });
  for (const f of ['data/keep', 'data/gone', 'data/sub/old1', 'data/sub/old2']) fs.writeFileSync(path.join(one, f), `${f}\n`);
  fs.mkdirSync(path.join(two, 'data/sub'), { recursive: true });
  for (const f of ['data/.wh.gone', 'data/sub/.wh..wh..opq', 'data/sub/new', 'data/top']) fs.writeFileSync(path.join(two, f), f.includes('.wh.') ? '' : `${f}\n`);
  const tars = [path.join(dir, 'layer-one.tar'), path.join(dir, 'layer-two.tar')];
  tool('tar', ['--owner=0', '--group=0', '--numeric-owner', '-C', one, '-cf', tars[0]!, 'data']);
  tool('tar', ['--owner=0', '--group=0', '--numeric-owner', '-C', two, '-cf', tars[1]!, 'data']);
  tool('umoci', ['raw', 'add-layer', '--image', `${ociDir}:v1`, '--tag', `${tag}-mid`, tars[0]!]);
  tool('umoci', ['raw', 'add-layer', '--image', `${ociDir}:${tag}-mid`, '--tag', tag, tars[1]!]);
}
