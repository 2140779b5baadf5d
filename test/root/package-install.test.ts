// haco as a user gets it: the packed tarball (`npm pack`) installed with `npm i` into an empty project
// (its dependencies come from the npm registry), then `npx haco …` from that project — as an ordinary
// user (nobody, with a temporary HOME): plan and doctor; as root: create and start, which builds the
// launcher from the package's sources on first use. Nothing of the repository is used but the tarball.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO } from '../support/cli';
import { describeStart } from '../support/rootfs';

let work: string;
let project: string;
let packed: string[] = [];

const baseEnv = (): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', NPM_CONFIG_UPDATE_NOTIFIER: 'false', NPM_CONFIG_FUND: 'false', NPM_CONFIG_AUDIT: 'false' };
  // Nothing of the repository may leak in: the installed package must find its own launcher and cache.
  for (const k of ['HACO_LAUNCHER', 'HACO_CACHE_DIR', 'HACO_RUN_DIR', 'HACO_STATE_ROOT', 'NODE_EXTRA_CA_CERTS', 'NODE_PATH']) delete env[k];
  return env;
};

function show(r: SpawnSyncReturns<string>): string {
  return `exit ${r.status ?? r.signal}${r.error ? ` (${r.error.message})` : ''}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}

function must(r: SpawnSyncReturns<string>, what: string): SpawnSyncReturns<string> {
  if (r.status !== 0) throw new Error(`${what} failed: ${show(r)}`);
  return r;
}

/** `npx haco ARGS` in the project as nobody, HOME a fresh directory of its own. */
function asNobody(args: string[]): SpawnSyncReturns<string> {
  const home = path.join(work, 'nobody-home');
  return spawnSync('runuser', ['-u', 'nobody', '--', 'env', `HOME=${home}`, 'npx', '--no-install', 'haco', ...args], { cwd: project, env: baseEnv(), encoding: 'utf8', timeout: 120_000 });
}

/** `npx haco ARGS` in the project as root, with a private cache (where the launcher gets built) and state. */
function asRoot(args: string[]): SpawnSyncReturns<string> {
  const env = { ...baseEnv(), HACO_CACHE_DIR: path.join(work, 'root-cache'), HACO_RUN_DIR: path.join(work, 'run'), HACO_STATE_ROOT: path.join(work, 'state') };
  return spawnSync('npx', ['--no-install', 'haco', ...args], { cwd: project, env, encoding: 'utf8', input: '', timeout: 180_000 });
}

describeStart('the packed package, installed into an empty project', () => {
  const name = `pkg-${process.pid}`;

  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'haco-package-'));
    fs.chmodSync(work, 0o755); // nobody walks into the project
    const pack = must(spawnSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: REPO, env: baseEnv(), encoding: 'utf8', timeout: 120_000 }), 'npm pack');
    const info = JSON.parse(pack.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    packed = info[0]!.files.map((f) => f.path);
    project = path.join(work, 'project');
    fs.mkdirSync(project);
    fs.mkdirSync(path.join(work, 'nobody-home'));
    fs.chownSync(path.join(work, 'nobody-home'), 65534, 65534);
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'my-containers', version: '1.0.0', private: true }));
    must(spawnSync('npm', ['install', path.join(work, info[0]!.filename)], { cwd: project, env: baseEnv(), encoding: 'utf8', timeout: 300_000 }), 'npm install of the tarball');
    fs.writeFileSync(
      path.join(project, 'hello.haco.ts'),
      [
        "import { defineContainer } from 'haco';",
        '',
        `export default defineContainer('${name}')`,
        `  .rootfs('${path.join(work, 'rootfs')}')`,
        '  .bootstrap((b) => b.busybox())',
        "  .command(['/bin/sh', '-c', 'echo hello from $(hostname) as pid $$'])",
        "  .hostname('packaged')",
        "  .unshare('mount', 'uts', 'ipc', 'pid');",
        '',
      ].join('\n'),
    );
  }, 420_000);

  afterAll(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('carries LICENSE, the launcher sources, public type declarations only, and no build output or native tests', () => {
    for (const f of ['LICENSE', 'bin/haco', 'dist/cli.js', 'dist/index.js', 'dist/types/index.d.ts', 'native/Makefile', 'native/src/main.c', 'native/src/haco.h']) expect(packed).toContain(f);
    expect(packed.filter((f) => /^native\/(build|test)\//.test(f))).toEqual([]);
    expect(packed.filter((f) => /^dist\/types\/(cli|commands|start|lifecycle|bootstrap|doctor)\//.test(f))).toEqual([]);
  });

  it('as an ordinary user: npx haco plan and doctor work', () => {
    const plan = asNobody(['plan', 'hello.haco.ts', '--json']);
    expect({ status: plan.status, out: show(plan) }).toEqual({ status: 0, out: expect.any(String) });
    expect((JSON.parse(plan.stdout) as { containers: Array<{ name: string }> }).containers[0]!.name).toBe(name);

    const doctor = asNobody(['doctor', '--json']);
    if (doctor.status !== 0) throw new Error(`doctor as nobody: ${show(doctor)}`);
    const report = JSON.parse(doctor.stdout) as { ok: boolean; checks: Array<{ id: string; status: string; detail: string }>; tools: unknown[] };
    expect(report.ok).toBe(true);
    const byId = Object.fromEntries(report.checks.map((c) => [c.id, c]));
    expect(byId['privileges']).toMatchObject({ status: 'info', detail: expect.stringContaining('rootless (nobody') });
    // The package has no launcher: it will be built into nobody's cache on first use.
    expect(byId['launcher']).toMatchObject({ status: 'ok', detail: expect.stringContaining(path.join(work, 'nobody-home/.cache/haco/launcher')) });
    expect(report.tools.length).toBeGreaterThan(10);
    const text = asNobody(['doctor']);
    expect(text.stdout).toMatch(/haco can run containers on this host/);
  });

  it('programs can require it: the DSL and the Node API', () => {
    const code = "const h = require('haco'); console.log(['defineContainer', 'load', 'create', 'start', 'container', 'HacoError'].map((n) => n + ':' + typeof h[n]).join(' '))";
    const r = must(spawnSync('runuser', ['-u', 'nobody', '--', 'node', '-e', code], { cwd: project, env: baseEnv(), encoding: 'utf8' }), 'require(haco)');
    expect(r.stdout.trim()).toBe('defineContainer:function load:function create:function start:function container:function HacoError:function');
  });

  it('as root: npx haco create, then start builds the launcher once and runs the container', () => {
    must(asRoot(['create', 'hello.haco.ts']), 'haco create');
    expect(fs.existsSync(path.join(work, 'rootfs/bin/busybox'))).toBe(true);

    const first = must(asRoot(['start', 'hello.haco.ts']), 'first haco start');
    // pid 2: a foreground start has a tiny init as PID 1 (haco start --no-init: the command is PID 1).
    expect(first.stdout).toBe('hello from packaged as pid 2\n');
    expect(first.stderr).toMatch(/building the native launcher/);
    const launchers = fs.readdirSync(path.join(work, 'root-cache/launcher')).filter((d) => !d.startsWith('.'));
    expect(launchers).toHaveLength(1);
    expect(fs.existsSync(path.join(project, 'node_modules/haco/native/build'))).toBe(false);

    const second = must(asRoot(['start', 'hello.haco.ts', '--', 'sh', '-c', 'cat /proc/sys/kernel/hostname']), 'second haco start');
    expect(second.stdout).toBe('packaged\n');
    expect(second.stderr).not.toMatch(/building/);
  });
});
