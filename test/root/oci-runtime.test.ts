// haco as an OCI runtime (issue 16, first slice): a bundle from `haco export oci` goes through
// `haco runtime create / start / state / kill / delete` like an engine drives runc. Each case checks
// what the kernel shows (the init's /proc entry, the cgroup directories) and that delete leaves
// nothing: no state directory, no cgroup, no process.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { haco, REPO, type CliResult } from '../support/cli';
import { describeStart, makeWorkspace, uniqueName, type Workspace } from '../support/rootfs';

jest.setTimeout(120_000);

interface State {
  ociVersion: string;
  id: string;
  status: string;
  pid?: number;
  bundle: string;
  annotations?: Record<string, string>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeStart('haco runtime: the OCI runtime lifecycle on an exported bundle', () => {
  let ws: Workspace;
  let root: string;
  const made: string[] = [];
  const ok = (r: CliResult, what: string): CliResult => {
    if (r.status !== 0) throw new Error(`${what} failed (status ${r.status}):\n${r.stderr}`);
    return r;
  };
  const rt = (args: string[]) => haco(['runtime', ...args, '--root', root], { cwd: ws.dir, env: ws.env });
  const state = (id: string): State => JSON.parse(ok(rt(['state', id]), `state ${id}`).stdout) as State;
  const cgroupsOf = (id: string): string[] => {
    const text = fs.readFileSync(path.join(root, id, 'state'), 'utf8');
    return (/^cgroups=(.*)$/m.exec(text)?.[1] ?? '').split(',').filter(Boolean);
  };
  const alive = (pid: number) => fs.existsSync(`/proc/${pid}`);
  async function until(id: string, status: string): Promise<State> {
    for (let i = 0; i < 500; i++) {
      const s = state(id);
      if (s.status === status) return s;
      await sleep(20);
    }
    return state(id);
  }
  /** A bundle whose process writes /done in the rootfs, then waits for /go (or a signal). */
  function bundle(tag: string, script: string): string {
    const name = uniqueName(tag);
    const file = ws.define(name, `.command(['/bin/sh', '-c', ${JSON.stringify(script)}])`);
    const dir = path.join(ws.dir, `${name}.bundle`);
    ok(haco(['export', 'oci', file, '-o', dir, '--link'], { cwd: ws.dir, env: ws.env }), 'haco export oci');
    made.push(name);
    return dir;
  }
  function expectGone(id: string, cgroups: string[], pid: number): void {
    expect(fs.existsSync(path.join(root, id))).toBe(false);
    expect(cgroups.length).toBeGreaterThan(0);
    for (const dir of cgroups) expect(fs.existsSync(dir)).toBe(false);
    expect(alive(pid)).toBe(false);
    expect(fs.readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(id);
  }

  beforeAll(() => {
    ws = makeWorkspace('ocirt');
    root = path.join(ws.dir, 'oci-root');
  });
  afterAll(() => {
    if (!ws) return;
    for (const id of fs.existsSync(root) ? fs.readdirSync(root) : []) rt(['delete', '--force', id]);
    ws.cleanup();
  });

  it('create holds the process, start runs it, it exits, state says stopped, delete leaves nothing', async () => {
    const dir = bundle('life', 'echo ran > /done; while [ ! -e /go ]; do sleep 0.05; done; exit 3');
    const id = uniqueName('oci');
    const pidFile = path.join(ws.dir, `${id}.pid`);
    ok(rt(['create', '--bundle', dir, '--pid-file', pidFile, id]), 'create');
    const created = state(id);
    expect(created).toMatchObject({ ociVersion: '1.0.2', id, status: 'created', bundle: dir });
    expect(created.pid).toBe(Number(fs.readFileSync(pidFile, 'utf8')));
    expect(alive(created.pid!)).toBe(true);
    const cgroups = cgroupsOf(id);
    // The init is in its cgroup already, but the program has not run.
    expect(fs.readFileSync(path.join(cgroups[0]!, 'cgroup.procs'), 'utf8')).toContain(String(created.pid));
    expect(fs.existsSync(path.join(ws.rootfs, 'done'))).toBe(false);
    const early = rt(['delete', id]);
    expect(early.status).not.toBe(0);
    expect(early.stderr).toContain('created, not stopped');

    ok(rt(['start', id]), 'start');
    const running = state(id);
    expect(running).toMatchObject({ status: 'running', pid: created.pid });
    for (let i = 0; i < 250 && !fs.existsSync(path.join(ws.rootfs, 'done')); i++) await sleep(20);
    expect(fs.readFileSync(path.join(ws.rootfs, 'done'), 'utf8')).toBe('ran\n');
    expect(rt(['start', id]).status).not.toBe(0); // started once only

    fs.writeFileSync(path.join(ws.rootfs, 'go'), '');
    const stopped = await until(id, 'stopped');
    expect(stopped.status).toBe('stopped');
    expect(stopped.pid).toBeUndefined();
    ok(rt(['delete', id]), 'delete');
    expectGone(id, cgroups, created.pid!);
    expect(rt(['state', id]).status).not.toBe(0);
    fs.rmSync(path.join(ws.rootfs, 'done'));
    fs.rmSync(path.join(ws.rootfs, 'go'));
  });

  it('kill TERM stops a running container; KILL by number too', async () => {
    const dir = bundle('kill', 'trap "exit 0" TERM; while :; do sleep 0.05; done');
    for (const signal of ['TERM', '9']) {
      const id = uniqueName('oci');
      ok(rt(['create', '--bundle', dir, id]), 'create');
      ok(rt(['start', id]), 'start');
      const { pid } = state(id);
      const cgroups = cgroupsOf(id);
      ok(rt(['kill', id, signal]), `kill ${signal}`);
      expect((await until(id, 'stopped')).status).toBe('stopped');
      expect(rt(['kill', id, 'TERM']).status).not.toBe(0); // nothing left to signal
      ok(rt(['delete', id]), 'delete');
      expectGone(id, cgroups, pid!);
    }
  });

  it('delete --force removes a created and a running container', async () => {
    const dir = bundle('force', 'while :; do sleep 0.05; done');
    for (const startIt of [false, true]) {
      const id = uniqueName('oci');
      ok(rt(['create', '--bundle', dir, id]), 'create');
      if (startIt) ok(rt(['start', id]), 'start');
      const { pid, status } = state(id);
      expect(status).toBe(startIt ? 'running' : 'created');
      const cgroups = cgroupsOf(id);
      ok(rt(['delete', '--force', id]), 'delete --force');
      expectGone(id, cgroups, pid!);
    }
  });

  it('refuses what it cannot do with a hint: an unknown id, a bundle without config.json, an id taken', () => {
    const missing = rt(['state', 'no-such-id']);
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain('does not exist');
    const empty = path.join(ws.dir, 'empty-bundle');
    fs.mkdirSync(empty, { recursive: true });
    const bad = rt(['create', '--bundle', empty, uniqueName('oci')]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('config.json');
    const dir = bundle('taken', 'sleep 5');
    const id = uniqueName('oci');
    ok(rt(['create', '--bundle', dir, id]), 'create');
    const again = rt(['create', '--bundle', dir, id]);
    expect(again.status).not.toBe(0);
    expect(again.stderr).toContain('already exists');
    expect(state(id).status).toBe('created'); // the first one untouched
    ok(rt(['delete', '--force', id]), 'delete --force');
  });

  it('bin/haco-oci takes runc-style global flags before the command', () => {
    const r = spawnSync(path.join(REPO, 'bin/haco-oci'), ['--root', root, '--log', '/dev/null', '--log-format', 'json', 'state', 'no-such-id'], { encoding: 'utf8', env: { ...process.env, ...ws.env } });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`does not exist in ${root}`);
  });
});
