// Workspaces for the `haco start` root tests: a temp dir with a busybox rootfs, a private HACO_CACHE_DIR
// and the test's own *.haco.ts files. Everything lives under one mkdtemp directory that cleanup() removes.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO } from './cli';

export const BUSYBOX = process.env.HACO_TEST_BUSYBOX ?? '/bin/busybox';

/** Why `haco start` root tests cannot run here, or undefined when they can. */
export function startTestsUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (namespaces, cgroups, mounts)';
  if (!fs.existsSync(BUSYBOX)) return `${BUSYBOX} not found (apt-get install busybox-static)`;
  if (spawnSync('ldd', [BUSYBOX], { stdio: 'ignore' }).status === 0) return `${BUSYBOX} is dynamically linked (apt-get install busybox-static)`;
  if (!fs.existsSync(path.join(REPO, 'dist/cli.js'))) return 'dist/cli.js is missing (node scripts/build.mjs js)';
  if (!fs.existsSync(path.join(REPO, 'native/build/haco-launch'))) return 'native/build/haco-launch is missing (make -C native)';
  return undefined;
}

const isCI = (): boolean => process.env.CI === 'true' || process.env.CI === '1';

/**
 * `describe` for tests that start real containers: outside CI, skipped with the reason in the title when
 * the machine cannot run them; under CI=true a failing test carries the reason instead (nothing skips).
 */
export function describeStart(name: string, fn: () => void, extra: Array<() => string | undefined> = []): void {
  let reason = startTestsUnavailable();
  for (const check of extra) reason ??= check();
  if (reason === undefined) describe(name, fn);
  else if (isCI()) {
    const why = reason;
    describe(name, () => {
      test('preconditions of the haco start root tests hold', () => {
        throw new Error(`cannot run under CI: ${why}`);
      });
    });
  } else describe.skip(`${name} [skipped: ${reason}]`, fn);
}

/**
 * A minimal busybox root filesystem at `root`: /bin/busybox, one link per applet (made by running the copy
 * under chroot, so the links point at /bin/busybox inside), /etc/passwd and group, empty proc sys dev tmp.
 */
export function makeBusyboxRootfs(root: string): void {
  for (const d of ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'proc', 'sys', 'dev', 'tmp', 'etc', 'root']) {
    fs.mkdirSync(path.join(root, d), { recursive: true });
  }
  fs.chmodSync(path.join(root, 'tmp'), 0o1777);
  fs.copyFileSync(fs.realpathSync(BUSYBOX), path.join(root, 'bin/busybox'));
  fs.chmodSync(path.join(root, 'bin/busybox'), 0o755);
  const r = spawnSync('chroot', [root, '/bin/busybox', '--install', '-s'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`busybox --install -s in ${root} failed: ${r.stderr}`);
  fs.writeFileSync(path.join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  fs.writeFileSync(path.join(root, 'etc/group'), 'root:x:0:\n');
}

let counter = 0;

/**
 * A container name unique to this test process (cgroups are named haco/NAME, so concurrent runs must not
 * collide). Short enough for a hostname and a veth name.
 */
export function uniqueName(tag: string): string {
  counter += 1;
  return `ht-${tag}-${process.pid.toString(36)}${counter.toString(36)}`;
}

export interface Workspace {
  /** The mkdtemp directory (mode 0755 so that a mapped uid can traverse it). */
  dir: string;
  /** The busybox rootfs at DIR/rootfs. */
  rootfs: string;
  /** HACO_CACHE_DIR for every haco run of this workspace. */
  cache: string;
  /** HACO_RUN_DIR: the state dirs of this workspace's running containers (RUN/NAME), not /run/haco. */
  run: string;
  /** Environment for haco(): HACO_CACHE_DIR and HACO_RUN_DIR set. */
  env: Record<string, string>;
  /**
   * Writes DIR/NAME.haco.ts exporting `defineContainer(NAME).rootfs(ROOTFS)` + `chain` (DSL calls starting
   * with a dot, e.g. `.hostname('x').cpu('30%')`). Returns the file's path.
   */
  define(name: string, chain?: string): string;
  /** Removes everything (call in afterAll/afterEach; safe to call twice). */
  cleanup(): void;
}

export function makeWorkspace(tag: string): Workspace {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `haco-${tag}-`));
  fs.chmodSync(dir, 0o755);
  const rootfs = path.join(dir, 'rootfs');
  const cache = path.join(dir, 'cache');
  const run = path.join(dir, 'run');
  fs.mkdirSync(cache);
  fs.mkdirSync(run);
  makeBusyboxRootfs(rootfs);
  return {
    dir,
    rootfs,
    cache,
    run,
    env: { HACO_CACHE_DIR: cache, HACO_RUN_DIR: run },
    define(name, chain = '') {
      const file = path.join(dir, `${name}.haco.ts`);
      fs.writeFileSync(
        file,
        `import { defineContainer } from 'haco';\n` +
          `export default defineContainer(${JSON.stringify(name)})\n  .rootfs(${JSON.stringify(rootfs)})${chain};\n`,
      );
      return file;
    },
    cleanup() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
