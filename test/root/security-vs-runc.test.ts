// The side-by-side proof of "secure by default": the same busybox rootfs and the same probe script
// (test/fixtures/security/probe.sh) run under runc with `runc spec` defaults and under a haco definition
// written as a learner would (a name, a rootfs, a command; no security option). Row by row, haco must be
// at least as closed as runc, except the deliberate differences that docs/security.md lists (pinned to an
// exact value in test/support/security-compare.ts). The whole table is printed, and is the failure message.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HACO_BIN, REPO } from '../support/cli';
import { describeStart, makeBusyboxRootfs, uniqueName } from '../support/rootfs';
import { formatTable, judge, normalize, parseProbe, type JudgedRow } from '../support/security-compare';

jest.setTimeout(120_000);

const PROBE = path.join(REPO, 'test/fixtures/security/probe.sh');

/** The host fd both runtimes are started with: a directory fd on the host's /. Not 9: bin/haco hands the launch
 * spec over on fd 9 (replacing the caller's), and leaves the caller's fds 3-8 as they are. */
const LEAK_FD = 7;

/** Device nodes shipped inside the image, as an untrusted image could ship them: [name, type, major, minor]. */
const IMAGE_NODES: Array<[string, 'c' | 'b', number, number]> = [
  ['kmsg', 'c', 1, 11],
  ['mem', 'c', 1, 1],
  ['loop0', 'b', 7, 0],
];

function runcUnavailable(): string | undefined {
  return spawnSync('runc', ['--version'], { stdio: 'ignore' }).status === 0 ? undefined : 'runc not found (apt-get install runc)';
}

/** stdio for spawnSync: stdin closed, stdout/stderr captured, LEAK_FD on the host's / . */
function stdioWithLeak(leak: number): Array<'ignore' | 'pipe' | number> {
  const stdio: Array<'ignore' | 'pipe' | number> = ['ignore', 'pipe', 'pipe'];
  while (stdio.length < LEAK_FD) stdio.push('ignore');
  stdio.push(leak);
  return stdio;
}

function describeRun(what: string, r: SpawnSyncReturns<string>): string {
  return `${what}: exit ${r.status ?? r.signal}${r.error ? ` (${r.error.message})` : ''}\nstderr:\n${r.stderr}\nstdout:\n${r.stdout}`;
}

function hostNamespaces(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of fs.readdirSync('/proc/self/ns')) out[n] = fs.readlinkSync(`/proc/self/ns/${n}`);
  return out;
}

describeStart(
  'secure by default: a default haco container next to runc spec defaults, row by row',
  () => {
    let dir: string;
    let bundle: string;
    let rootfs: string;
    let runcRun: SpawnSyncReturns<string>;
    let hacoRun: SpawnSyncReturns<string>;

    beforeAll(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'haco-vs-runc-'));
      bundle = path.join(dir, 'bundle');
      rootfs = path.join(bundle, 'rootfs');
      makeBusyboxRootfs(rootfs);
      fs.copyFileSync(PROBE, path.join(rootfs, 'probe.sh'));
      fs.chmodSync(path.join(rootfs, 'probe.sh'), 0o755);
      fs.mkdirSync(path.join(rootfs, 'probe-dev'));
      for (const [name, type, major, minor] of IMAGE_NODES) {
        const r = spawnSync('mknod', ['-m', '600', path.join(rootfs, 'probe-dev', name), type, String(major), String(minor)], { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`mknod ${name} in the test rootfs failed: ${r.stderr}`);
      }

      // runc: `runc spec` defaults; only what the run needs changes (the probe, no terminal, the rootfs).
      const spec = spawnSync('runc', ['spec', '--bundle', bundle], { encoding: 'utf8' });
      if (spec.status !== 0) throw new Error(describeRun('runc spec', spec));
      const configPath = path.join(bundle, 'config.json');
      const config = JSON.parse(fs.readFileSync(configPath, 'utf8')) as {
        process: { args: string[]; terminal: boolean };
        root: { path: string };
      };
      config.process.args = ['/probe.sh'];
      config.process.terminal = false;
      config.root.path = rootfs;
      fs.writeFileSync(configPath, JSON.stringify(config, null, 2));

      // haco: what a learner writes.
      const name = uniqueName('vsrunc');
      const file = path.join(dir, `${name}.haco.ts`);
      fs.writeFileSync(
        file,
        `import { defineContainer } from 'haco';\n\n` +
          `export default defineContainer(${JSON.stringify(name)}).rootfs(${JSON.stringify(rootfs)}).command(['/probe.sh']);\n`,
      );
      for (const d of ['cache', 'run']) fs.mkdirSync(path.join(dir, d));

      const leak = fs.openSync('/', 'r');
      const id = `haco-vs-runc-${process.pid}-${Date.now()}`;
      try {
        runcRun = spawnSync('runc', ['run', '--bundle', bundle, id], { encoding: 'utf8', stdio: stdioWithLeak(leak), timeout: 60_000 });
      } finally {
        spawnSync('runc', ['delete', '-f', id], { stdio: 'ignore' });
      }
      try {
        const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', HACO_CACHE_DIR: path.join(dir, 'cache'), HACO_RUN_DIR: path.join(dir, 'run') };
        delete env['NODE_EXTRA_CA_CERTS'];
        hacoRun = spawnSync(HACO_BIN, ['start', file], { cwd: dir, env, encoding: 'utf8', stdio: stdioWithLeak(leak), timeout: 60_000 });
      } finally {
        fs.closeSync(leak);
      }
    });

    afterAll(() => {
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    test('runc runs the probe with its spec defaults', () => {
      if (runcRun.status !== 0 || !runcRun.stdout.includes('readonly./proc/sysrq-trigger=')) throw new Error(describeRun('runc run', runcRun));
    });

    test('haco runs the probe from a default definition', () => {
      if (hacoRun.status !== 0 || !hacoRun.stdout.includes('readonly./proc/sysrq-trigger=')) throw new Error(describeRun('haco start', hacoRun));
    });

    test('haco is at least as closed as runc on every row, except the documented deliberate differences', () => {
      const host = hostNamespaces();
      const rows: JudgedRow[] = judge(normalize(parseProbe(runcRun.stdout), host), normalize(parseProbe(hacoRun.stdout), host));
      const table = formatTable(rows);
      console.log(`runc spec vs haco default (test/root/security-vs-runc.test.ts)\n${table}`);
      const failed = rows.filter((r) => r.verdict === 'FAIL');
      if (failed.length > 0) {
        const stderr = [runcRun.stderr && `runc stderr:\n${runcRun.stderr}`, hacoRun.stderr && `haco stderr:\n${hacoRun.stderr}`].filter(Boolean).join('\n');
        throw new Error(
          `haco is more open than runc spec on ${failed.length} row(s): ${failed.map((r) => r.key).join(', ')}\n\n${table}${stderr ? `\n\n${stderr}` : ''}`,
        );
      }
    });
  },
  [runcUnavailable],
);
