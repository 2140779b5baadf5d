// haco as an OCI runtime (issue 16, first slice): a bundle from `haco export oci` goes through
// `haco runtime create / start / state / kill / delete` like an engine drives runc. Each case checks
// what the kernel shows (the init's /proc entry, the cgroup directories) and that delete leaves
// nothing: no state directory, no cgroup, no process.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { cgroupHost } from '../support/cgroup';
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
  /**
   * `create` with its stdout and stderr on files: as with runc, the container's stdio are create's, so a
   * caller reading pipes to their end would wait for the container.
   */
  const create = (args: string[]): CliResult & { out: string } => {
    const out = path.join(ws.dir, `create-${process.hrtime.bigint()}`);
    const [o, e] = [fs.openSync(`${out}.out`, 'w+'), fs.openSync(`${out}.err`, 'w+')];
    try {
      const r = spawnSync(path.join(REPO, 'bin/haco'), ['runtime', 'create', '--root', root, ...args], { cwd: ws.dir, env: { ...process.env, ...ws.env }, stdio: ['ignore', o, e], timeout: 60_000 });
      return { status: r.status ?? 128, stdout: fs.readFileSync(`${out}.out`, 'utf8'), stderr: fs.readFileSync(`${out}.err`, 'utf8'), command: ['haco', 'runtime', 'create', ...args], out: `${out}.out` };
    } finally {
      fs.closeSync(o);
      fs.closeSync(e);
    }
  };
  const state = (id: string): State => JSON.parse(ok(rt(['state', id]), `state ${id}`).stdout) as State;
  const cgroupsOf = (id: string): string[] => {
    const text = fs.readFileSync(path.join(root, id, 'state'), 'utf8');
    return (/^cgroups=(.*)$/m.exec(text)?.[1] ?? '').split(',').filter(Boolean);
  };
  /**
   * Alive and not a zombie: a started container's init outlives haco's supervisor (supervisor-exits), so
   * without a subreaper (an engine's conmon) its parent is the host's init, which may reap it late.
   */
  const alive = (pid: number) => {
    try {
      return !/^State:\s+Z/m.test(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    } catch {
      return false;
    }
  };
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
    // A killed task leaves its cgroup a moment before it is a zombie (do_exit): up to 5 s (a pid-ns init first waits for every task of its namespace; slow on a loaded machine).
    for (let i = 0; i < 500 && alive(pid); i++) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
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
    const dir = bundle('life', 'echo ran > /done; echo to-stdout; while [ ! -e /go ]; do sleep 0.05; done; exit 3');
    const id = uniqueName('oci');
    const pidFile = path.join(ws.dir, `${id}.pid`);
    const made = ok(create(['--bundle', dir, '--pid-file', pidFile, id]), 'create') as CliResult & { out: string };
    const created = state(id);
    expect(created).toMatchObject({ ociVersion: '1.0.2', id, status: 'created', bundle: dir });
    expect(created.pid).toBe(Number(fs.readFileSync(pidFile, 'utf8')));
    expect(alive(created.pid!)).toBe(true);
    const cgroups = cgroupsOf(id);
    // The init is in its cgroup already, but the program has not run.
    expect(fs.readFileSync(path.join(cgroups[0]!, 'cgroup.procs'), 'utf8')).toContain(String(created.pid));
    expect(fs.existsSync(path.join(ws.rootfs, 'done'))).toBe(false);
    // Held right before exec, as runc: the rootfs is its root already (pivot_root done), the capabilities
    // dropped, no_new_privs set; the process is still the launcher's copy.
    expect(fs.existsSync(`/proc/${created.pid}/root/bin/busybox`)).toBe(true);
    expect(fs.readlinkSync(`/proc/${created.pid}/root`)).toBe('/');
    const status = fs.readFileSync(`/proc/${created.pid}/status`, 'utf8');
    expect(status).toMatch(/^NoNewPrivs:\s+1$/m);
    expect(status).not.toMatch(/^CapEff:\s+000001ffffffffff$/m);
    const early = rt(['delete', id]);
    expect(early.status).not.toBe(0);
    expect(early.stderr).toContain('created, not stopped');

    ok(rt(['start', id]), 'start');
    const running = state(id);
    expect(running).toMatchObject({ status: 'running', pid: created.pid });
    for (let i = 0; i < 250 && !fs.existsSync(path.join(ws.rootfs, 'done')); i++) await sleep(20);
    expect(fs.readFileSync(path.join(ws.rootfs, 'done'), 'utf8')).toBe('ran\n');
    // its stdout is create's (a file here)
    for (let i = 0; i < 100 && !fs.readFileSync(made.out, 'utf8').includes('to-stdout'); i++) await sleep(20);
    expect(fs.readFileSync(made.out, 'utf8')).toBe('to-stdout\n');
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
      ok(create(['--bundle', dir, id]), 'create');
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
      ok(create(['--bundle', dir, id]), 'create');
      if (startIt) ok(rt(['start', id]), 'start');
      const { pid, status } = state(id);
      expect(status).toBe(startIt ? 'running' : 'created');
      const cgroups = cgroupsOf(id);
      ok(rt(['delete', '--force', id]), 'delete --force');
      expectGone(id, cgroups, pid!);
    }
  });

  it('exec runs a command in the running container (foreground status; --detach with --pid-file)', async () => {
    const dir = bundle('exec', 'while :; do sleep 0.05; done');
    const id = uniqueName('oci');
    ok(create(['--bundle', dir, id]), 'create');
    ok(rt(['start', id]), 'start');
    const { pid } = state(id);
    const fg = haco(['runtime', 'exec', '--root', root, id, '--', '/bin/sh', '-c', 'echo pid1-$(cat /proc/1/comm); exit 6'], { cwd: ws.dir, env: ws.env });
    expect(fg).toExitWith(6);
    expect(fg.stdout).toContain('pid1-sh');
    // On cgroup v1 the command is born in the container's cgroups: the launcher moves itself in ("0" into
    // tasks: no wait for an RCU grace period) and back (spawn-cgroup), nothing writes cgroup.procs.
    if (cgroupHost().mode !== 'v2') {
      const traced = haco(['runtime', 'exec', '--trace', '--root', root, id, '--', '/bin/true'], { cwd: ws.dir, env: ws.env });
      expect(traced).toExitWith(0);
      expect({ moved: traced.stderr.includes(`write("${cgroupsOf(id)[0]}/tasks", "0")`), joined: traced.stderr.includes('cgroup.procs') }).toEqual({ moved: true, joined: false });
    }
    const proc = path.join(ws.dir, `${id}.process.json`);
    fs.writeFileSync(proc, JSON.stringify({ args: ['/bin/sh', '-c', 'echo $GREETING > /exec-done; sleep 30'], env: ['GREETING=hi', 'PATH=/bin'], cwd: '/' }));
    const pidFile = path.join(ws.dir, `${id}.exec.pid`);
    const detached = spawnSync(path.join(REPO, 'bin/haco-oci'), ['--root', root, 'exec', '--process', proc, '--detach', '--pid-file', pidFile, id], { env: { ...process.env, ...ws.env }, stdio: 'ignore' });
    // (its stdio are the command's, which lives on: a pipe would be read until the command exits)
    expect(detached.status).toBe(0);
    const execPid = Number(fs.readFileSync(pidFile, 'utf8'));
    for (let i = 0; i < 250 && !fs.existsSync(path.join(ws.rootfs, 'exec-done')); i++) await sleep(20);
    expect(fs.readFileSync(path.join(ws.rootfs, 'exec-done'), 'utf8')).toBe('hi\n');
    // in the container's pid namespace and cgroup, outliving the launcher that started it
    expect(fs.readlinkSync(`/proc/${execPid}/ns/pid`)).toBe(fs.readlinkSync(`/proc/${pid}/ns/pid`));
    expect(fs.readFileSync(path.join(cgroupsOf(id)[0]!, 'cgroup.procs'), 'utf8')).toContain(String(execPid));
    const cgroups = cgroupsOf(id);
    ok(rt(['delete', '--force', id]), 'delete --force');
    expectGone(id, cgroups, pid!);
    expect(alive(execPid)).toBe(false);
    fs.rmSync(path.join(ws.rootfs, 'exec-done'));
  });

  it('a launch that fails after start keeps a stopped state with the step and errno', () => {
    // The program exists at create (its preflight checks), and is gone at start: the exec fails.
    fs.copyFileSync(path.join(ws.rootfs, 'bin/busybox'), path.join(ws.rootfs, 'vanishing'));
    fs.chmodSync(path.join(ws.rootfs, 'vanishing'), 0o755);
    const name = uniqueName('gone');
    const file = ws.define(name, `.command(['/vanishing', 'true'])`);
    const dir = path.join(ws.dir, `${name}.bundle`);
    ok(haco(['export', 'oci', file, '-o', dir, '--link'], { cwd: ws.dir, env: ws.env }), 'haco export oci');
    const id = uniqueName('oci');
    ok(create(['--bundle', dir, id]), 'create');
    const cgroups = cgroupsOf(id);
    fs.rmSync(path.join(ws.rootfs, 'vanishing'));
    const started = rt(['start', id]);
    expect(started).toExitWith(127);
    expect(started.stderr).toContain('launch failed: exec');
    expect(started.stderr).toContain('ENOENT');
    expect(state(id).status).toBe('stopped');
    expect(fs.readFileSync(path.join(root, id, 'state'), 'utf8')).toMatch(/^reason=launch failed: exec: .*ENOENT$/m);
    ok(rt(['delete', id]), 'delete');
    expect(fs.existsSync(path.join(root, id))).toBe(false);
    for (const d of cgroups) expect(fs.existsSync(d)).toBe(false);
  });

  it('--console-socket: the pty master reaches the engine\'s socket; a shell in the container talks through it', async () => {
    // The receiver is the engine's side (podman's conmon does the same): Node cannot take an fd off a socket.
    const receiver = path.join(ws.dir, 'console-receiver');
    const cc = spawnSync('cc', ['-Wall', '-Werror', '-o', receiver, path.join(REPO, 'test/root/fixtures/console-receiver.c')], { encoding: 'utf8' });
    expect(cc).toExitWith(0);
    const dir = bundle('tty', 'true');
    const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as { process: { args: string[]; terminal?: boolean } };
    config.process.args = ['/bin/sh'];
    config.process.terminal = true;
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
    const id = uniqueName('oci');
    // runc's rules: a terminal needs a console socket, a console socket needs a terminal
    const noSocket = create(['--bundle', dir, id]);
    expect(noSocket).toExitWith(2);
    expect(noSocket.stderr).toContain('--console-socket');
    const sock = path.join(ws.dir, `${id}.sock`);
    const recv = spawn(receiver, [sock, 'echo tty-$((6*7)); tty; exit 5\n', '60'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    recv.stdout.on('data', (d: Buffer) => (out += d.toString()));
    recv.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const done = new Promise<number | null>((resolve) => recv.on('close', resolve));
    for (let i = 0; i < 200 && !fs.existsSync(sock); i++) await sleep(10);
    ok(create(['--bundle', dir, '--console-socket', sock, id]), 'create --console-socket');
    const created = state(id);
    expect(created.status).toBe('created');
    // the container's fds 0-2 are the pty's peer, from the container's own devpts
    for (const fd of [0, 1, 2]) expect(fs.readlinkSync(`/proc/${created.pid}/fd/${fd}`)).toBe('/dev/pts/0');
    const cgroups = cgroupsOf(id);
    ok(rt(['start', id]), 'start');
    const code = await done;
    expect({ code, err }).toEqual({ code: 0, err: '' });
    expect(out).toContain('payload: /dev/pts/ptmx');
    expect(out).toContain('tty-42');
    expect(out).toMatch(/^\/dev\/pts\/0\r?$/m); // `tty` in the container: its controlling terminal
    expect((await until(id, 'stopped')).status).toBe('stopped');
    ok(rt(['delete', id]), 'delete');
    expectGone(id, cgroups, created.pid!);
  });

  it('runtime-spec hooks: each point with the State on stdin, its env and args, createContainer/startContainer inside; timeouts and failures as the spec says', async () => {
    const dir = bundle('hooks', 'echo ran > /done');
    const configFile = path.join(dir, 'config.json');
    const config = JSON.parse(fs.readFileSync(configFile, 'utf8')) as { hooks?: Record<string, unknown[]> };
    const out = path.join(ws.dir, 'hooks-out');
    fs.mkdirSync(out);
    // Each hook saves its stdin, $0 and $WHO; the container's hooks write into the container's /tmp (its root is the rootfs).
    const hook = (point: string, dest: string) => ({ path: '/bin/sh', args: ['hook-sh', '-c', `cat > ${dest}/${point}.state; echo "$0 $WHO" > ${dest}/${point}.who`], env: [`WHO=${point}`], timeout: 10 });
    const points = ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop'];
    config.hooks = Object.fromEntries(points.map((p) => [p, [hook(p, p === 'createContainer' || p === 'startContainer' ? '/tmp' : out)]]));
    // a poststart hook past its timeout is killed and only warned about: the container runs
    config.hooks['poststart']!.push({ path: '/bin/sleep', args: ['sleep', '30'], timeout: 1 });
    fs.writeFileSync(configFile, JSON.stringify(config));
    const id = uniqueName('oci');
    ok(create(['--bundle', dir, id]), 'create');
    const created = state(id);
    const cgroups = cgroupsOf(id);
    const started = rt(['start', id]);
    expect(started).toExitWith(0);
    expect(started.stderr).toContain(`hooks.poststart[1] /bin/sleep: killed after its timeout of 1 s`);
    await until(id, 'stopped');
    ok(rt(['delete', id]), 'delete');
    expectGone(id, cgroups, created.pid!);
    const read = (p: string, ext: string) => fs.readFileSync(path.join(p === 'createContainer' || p === 'startContainer' ? path.join(ws.rootfs, 'tmp') : out, `${p}.${ext}`), 'utf8');
    for (const p of points) {
      const st = JSON.parse(read(p, 'state')) as State;
      expect({ p, id: st.id, bundle: st.bundle, pid: st.pid }).toEqual({ p, id, bundle: dir, pid: p === 'poststop' ? undefined : created.pid });
      expect({ p, status: st.status }).toEqual({ p, status: p === 'poststart' ? 'running' : p === 'poststop' ? 'stopped' : 'created' });
      // args[0] is argv[0] for the host's hooks; nsenter (the container's) runs the path itself
      expect(read(p, 'who').trim()).toBe(`${p.endsWith('Container') ? '/bin/sh' : 'hook-sh'} ${p}`);
    }
    for (const p of ['createContainer', 'startContainer']) for (const ext of ['state', 'who']) fs.rmSync(path.join(ws.rootfs, 'tmp', `${p}.${ext}`));

    // a prestart hook that fails: create fails naming it, nothing of the container is left, poststop ran
    config.hooks = { prestart: [{ path: '/bin/sh', args: ['sh', '-c', 'echo no-way >&2; exit 7'] }], poststop: [hook('poststop', out)] };
    fs.writeFileSync(configFile, JSON.stringify(config));
    fs.rmSync(path.join(out, 'poststop.state'));
    const failId = uniqueName('oci');
    const failed = create(['--bundle', dir, failId]);
    expect(failed).toExitWith(1);
    expect(failed.stderr).toContain('hooks.prestart[0] /bin/sh: exited with status 7 (its stderr: no-way)');
    expect(failed.stderr).toContain('E_OCI_HOOK');
    expect(fs.existsSync(path.join(root, failId))).toBe(false);
    expect((JSON.parse(fs.readFileSync(path.join(out, 'poststop.state'), 'utf8')) as State).id).toBe(failId);
  });

  it('features prints the runtime-spec features JSON', () => {
    const f = JSON.parse(ok(rt(['features']), 'features').stdout) as { ociVersionMin: string; ociVersionMax: string; linux: { namespaces: string[] } };
    expect(f.ociVersionMin).toBe('1.0.0');
    expect(f.ociVersionMax).toBe('1.0.2');
    expect(f.linux.namespaces).toEqual(expect.arrayContaining(['mount', 'pid', 'network', 'user', 'cgroup']));
  });

  it('refuses what it cannot do with a hint: an unknown id, a bundle without config.json, an id taken', () => {
    const missing = rt(['state', 'no-such-id']);
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain('does not exist');
    const empty = path.join(ws.dir, 'empty-bundle');
    fs.mkdirSync(empty, { recursive: true });
    const bad = create(['--bundle', empty, uniqueName('oci')]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('config.json');
    const dir = bundle('taken', 'sleep 5');
    const id = uniqueName('oci');
    ok(create(['--bundle', dir, id]), 'create');
    const again = create(['--bundle', dir, id]);
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

  it('bin/haco-oci: --log/--log-format json get the error as a JSON line; create --preserve-fds passes the caller\'s fd 3', async () => {
    const log = path.join(ws.dir, 'oci-log');
    const empty = path.join(ws.dir, 'empty-bundle-2');
    fs.mkdirSync(empty, { recursive: true });
    const bad = spawnSync(path.join(REPO, 'bin/haco-oci'), ['--root', root, '--log', log, '--log-format=json', 'create', '--bundle', empty, uniqueName('oci')], { encoding: 'utf8', env: { ...process.env, ...ws.env } });
    expect(bad).toExitWith(2);
    const entry = JSON.parse(fs.readFileSync(log, 'utf8').trim()) as { level: string; msg: string; time: string };
    expect(entry.level).toBe('error');
    expect(entry.msg).toContain('config.json');
    expect(entry.msg).toContain('[E_BUNDLE] hint:');
    expect(Number.isNaN(Date.parse(entry.time))).toBe(false);
    const dir = bundle('fds', 'echo via-fd3 >&3; echo "fds=$LISTEN_FDS" >&3');
    const id = uniqueName('oci');
    const fd3 = path.join(ws.dir, `${id}.fd3`);
    const [o, f] = [fs.openSync(`${fd3}.out`, 'w+'), fs.openSync(fd3, 'w+')];
    try {
      const r = spawnSync(path.join(REPO, 'bin/haco-oci'), ['--root', root, 'create', '--bundle', dir, '--preserve-fds', '1', id], { env: { ...process.env, ...ws.env }, stdio: ['ignore', o, o, f], timeout: 60_000 });
      expect(r).toExitWith(0);
    } finally {
      fs.closeSync(o);
      fs.closeSync(f);
    }
    ok(rt(['start', id]), 'start');
    await until(id, 'stopped');
    ok(rt(['delete', id]), 'delete');
    expect(fs.readFileSync(fd3, 'utf8')).toBe('via-fd3\nfds=1\n');
  });
});
