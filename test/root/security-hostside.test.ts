// What other local users and other containers can reach on the host side (security issue, parts "host
// side" and "network names"), checked on the real kernel:
// - after `haco create` + `haco start -d` of a busybox container in the default place, /var/lib/haco,
//   /var/lib/haco/NAME, /run/haco, /run/haco/NAME, the state files and the logs have the modes
//   src/state/paths.ts decides, and user `nobody` can reach neither the state, the logs nor a setuid
//   binary in the rootfs; an old, looser install is tightened by the next start;
// - the cgroup lock is not in /run/lock; a symlink planted at its path (a temp dir of this test, through
//   HACO_CGROUP_LOCK) makes the launch fail instead of being followed; a held lock is a timeout, not a hang;
// - two containers `sT-c1` and `sTc1` get different host veths; a launch whose vethHost is taken fails and
//   its cleanup leaves the running container's veth and port forwards alone. All of it inside a network
//   namespace this test creates (nsenter --net=/run/netns/NS), deleted at the end.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HACO_BIN, REPO, haco } from '../support/cli';
import { BUSYBOX, describeStart, makeWorkspace, type Workspace } from '../support/rootfs';
import { until } from '../support/start';

jest.setTimeout(120_000);

const tag = randomBytes(2).toString('hex').slice(0, 3);
const LAUNCHER = path.join(REPO, 'native/build/haco-launch');

const modeOf = (p: string): string => (fs.lstatSync(p).mode & 0o7777).toString(8).padStart(4, '0');

/** `runuser -u nobody -- ARGV`: what any local user could do. */
function asNobody(argv: string[]): { status: number; out: string } {
  const r = spawnSync('runuser', ['-u', 'nobody', '--', ...argv], { encoding: 'utf8', timeout: 20_000 });
  return { status: r.status ?? 128, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

function must(r: { status: number; stdout: string; stderr: string }, what: string): string {
  if (r.status !== 0) throw new Error(`${what} failed (${r.status}):\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

describeStart('host side: haco\'s directories, files and locks are root\'s alone', () => {
  const name = `hs${tag}${randomBytes(2).toString('hex')}`;
  const home = `/var/lib/haco/${name}`;
  const state = `/run/haco/${name}`;
  let ws: Workspace;
  let file: string;
  let env: Record<string, string>;

  beforeAll(() => {
    ws = makeWorkspace('sec-host');
    // The default rootfs place (/var/lib/haco/NAME/rootfs) and the real /run/haco: what a user gets.
    file = path.join(ws.dir, `${name}.haco.ts`);
    fs.writeFileSync(
      file,
      `import { defineContainer } from 'haco';\nexport default defineContainer(${JSON.stringify(name)})\n` +
        `  .bootstrap((b) => b.busybox(${JSON.stringify({ busybox: BUSYBOX })}))\n  .env({ SECRET: 'hunter2' })\n` +
        `  .command(['sh', '-c', 'trap "exit 0" TERM; echo out; echo err >&2; sleep 60 & wait']);\n`,
    );
    env = { HACO_CACHE_DIR: ws.cache };
  });

  afterAll(() => {
    haco(['kill', name], { env });
    haco(['rm', name], { env });
    fs.rmSync(home, { recursive: true, force: true });
    ws?.cleanup();
  });

  test('create + start -d: the modes of the rootfs home, the state dir, its files and logs', async () => {
    must(haco(['create', file], { env }), 'haco create');
    expect(modeOf('/var/lib/haco')).toBe('0711');
    expect(modeOf(home)).toBe('0700');
    expect(modeOf(`${home}/rootfs`)).toBe('0755'); // the container's own / stays as a distribution has it

    // A setuid binary in the rootfs, and an install from before the fix: the home was 0755.
    // Named busybox so that `busybox true` runs the applet: exit 0 means nobody could exec it.
    const suid = `${home}/rootfs/opt/suid/busybox`;
    fs.mkdirSync(path.dirname(suid), { recursive: true });
    fs.copyFileSync(fs.realpathSync(BUSYBOX), suid);
    fs.chmodSync(suid, 0o4755);
    fs.chmodSync(home, 0o755);
    const before = asNobody([suid, 'true']);
    expect({ what: 'nobody runs the setuid binary of a 0755 home (the old layout)', ...before }).toMatchObject({ status: 0 });

    must(haco(['start', '-d', file], { env }), 'haco start -d');
    await until('the container to write its logs', () => (fs.existsSync(`${state}/container.log`) && fs.readFileSync(`${state}/container.log`, 'utf8').includes(' stdout F out') ? true : undefined));
    // The start tightened the old home.
    expect(modeOf(home)).toBe('0700');
    expect(modeOf('/run/haco')).toBe('0711');
    expect(modeOf(state)).toBe('0700');
    const files = fs.readdirSync(state).sort();
    expect(files).toEqual(expect.arrayContaining(['container.log', 'lock', 'plan.json', 'state', 'supervisor.log']));
    for (const f of files) expect(`${f} ${modeOf(path.join(state, f))}`).toBe(`${f} 0600`);
    for (const p of ['/var/lib/haco', home, '/run/haco', state, ...files.map((f) => path.join(state, f))]) expect(`${p} uid ${fs.statSync(p).uid}`).toBe(`${p} uid 0`);

    // What user nobody gets: nothing.
    const denied = (argv: string[]) => {
      const r = asNobody(argv);
      expect({ argv, status: r.status === 0 ? 'succeeded' : 'failed', out: r.out }).toMatchObject({ status: 'failed', out: expect.stringMatching(/Permission denied/) });
    };
    denied([suid, 'true']);
    denied(['cat', `${state}/plan.json`]);
    denied(['cat', `${state}/container.log`]);
    denied(['ls', '/run/haco']);
    denied(['ls', '/var/lib/haco']);
    denied(['flock', '-n', `${state}/lock`, 'true']); // a user holding the lock could block every start
    expect(fs.readFileSync(`${state}/plan.json`, 'utf8')).toContain('hunter2'); // what was protected
  });

  test('the cgroup lock lives in /run/haco, not in world-writable /run/lock', () => {
    const spec = must(haco(['plan', file, '--launch'], { env }), 'haco plan --launch');
    expect(spec).toMatch(/^host-dir \/run\/haco 0711$/m);
    expect(spec).toMatch(/^cgroup-lock \/run\/haco\/\.cgroup\.lock \d+$/m);
    expect(spec).not.toContain('/run/lock');
    expect(modeOf('/run/haco/.cgroup.lock')).toBe('0600');
  });
});

describeStart('host side: the cgroup lock is never followed through a symlink nor waited on forever', () => {
  let ws: Workspace;
  let locks: string;
  let lock: string;
  let env: Record<string, string>;
  let file: string;
  const holders: ChildProcess[] = [];

  beforeAll(() => {
    ws = makeWorkspace('sec-lock');
    // Everything in this test's own temp dir: the real lock is never touched.
    locks = path.join(ws.dir, 'locks');
    fs.mkdirSync(locks, { mode: 0o700 });
    lock = path.join(locks, 'cg.lock');
    env = { ...ws.env, HACO_CGROUP_LOCK: lock };
    file = ws.define(`hl${tag}`);
  });

  afterAll(() => {
    for (const h of holders) {
      try {
        process.kill(-h.pid!, 'SIGKILL');
      } catch {
        // gone
      }
    }
    ws?.cleanup();
  });

  test('a symlink planted at the lock path makes the launch fail, and the file it points to is untouched', () => {
    const victim = path.join(ws.dir, 'victim');
    fs.writeFileSync(victim, 'keep\n', { mode: 0o644 });
    fs.symlinkSync(victim, lock);
    const r = haco(['start', file, '--', 'true'], { env });
    expect({ status: r.status, stderr: r.stderr }).toMatchObject({ status: 125, stderr: expect.stringContaining(`cgroup-lock ${lock}`) });
    expect(r.stderr).toContain('ELOOP');
    expect(r.stderr).toMatch(/hint: .*symlink/);
    expect(fs.readFileSync(victim, 'utf8')).toBe('keep\n');
    expect(modeOf(victim)).toBe('0644');
    expect(modeOf(locks)).toBe('0711'); // the launcher's host-dir step closed the lock's directory
    fs.unlinkSync(lock);
  });

  test('a lock held by another process is a timeout error naming the lock, not a hang', async () => {
    // Its own process group: flock(1) forks sleep, which inherits the locked fd, so both must go.
    const holder = spawn('flock', ['-x', lock, 'sleep', '60'], { stdio: 'ignore', detached: true });
    holders.push(holder);
    await until('the holder to take the lock', () => (spawnSync('flock', ['-n', lock, 'true']).status !== 0 ? true : undefined));
    const t0 = Date.now();
    const r = haco(['start', file, '--', 'true'], { env });
    const took = Date.now() - t0;
    expect({ status: r.status, stderr: r.stderr }).toMatchObject({ status: 125, stderr: expect.stringContaining('ETIMEDOUT') });
    expect(r.stderr).toContain(`fuser -v ${lock}`);
    expect(took).toBeLessThan(30_000);
    process.kill(-holder.pid!, 'SIGKILL');
    // Free again: the same start goes through.
    await until('the holder to go', () => (holder.exitCode !== null || holder.signalCode !== null ? true : undefined));
    const ok = haco(['start', file, '--', 'true'], { env });
    expect({ status: ok.status, stderr: ok.stderr }).toEqual({ status: 0, stderr: '' });
  });

  test('a run dir that is a symlink or another user\'s state dir is refused, not used', () => {
    const elsewhere = path.join(ws.dir, 'elsewhere');
    fs.mkdirSync(elsewhere);
    const linked = path.join(ws.dir, 'run-link');
    fs.symlinkSync(elsewhere, linked);
    const r = haco(['start', file, '--', 'true'], { env: { ...env, HACO_RUN_DIR: linked } });
    expect({ status: r.status, stderr: r.stderr }).toMatchObject({ status: 125, stderr: expect.stringContaining(`host-dir ${linked}`) });
    expect(r.stderr).toContain('ELOOP');
    expect(fs.readdirSync(elsewhere)).toEqual([]);

    const foreign = path.join(ws.run, `hl${tag}`);
    fs.mkdirSync(foreign, { recursive: true });
    fs.chownSync(foreign, 65534, 65534);
    const r2 = haco(['start', file, '--', 'true'], { env });
    expect({ status: r2.status, stderr: r2.stderr }).toMatchObject({ status: 125, stderr: expect.stringContaining('owned by uid 65534') });
    fs.rmdirSync(foreign);
  });
});

const NS = `haco-hs-${tag}`;
const BRIDGE = `hbs${tag}`;
const SUBNET = '10.233.0';

/** `ARGV` inside the test's network namespace. */
function inNs(argv: string[], env: Record<string, string> = {}): { status: number; stdout: string; stderr: string } {
  const r = spawnSync('nsenter', [`--net=/run/netns/${NS}`, ...argv], { cwd: REPO, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env }, input: '', timeout: 60_000 });
  return { status: r.status ?? 128, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

describeStart('network names: unique host veths, and a failed launch removes only what it made', () => {
  let ws: Workspace;
  const dash = `s${tag}-c1`;
  const plain = `s${tag}c1`;
  const files: Record<string, string> = {};

  beforeAll(() => {
    ws = makeWorkspace('sec-net');
    const r = spawnSync('ip', ['netns', 'add', NS], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`ip netns add ${NS}: ${r.stderr}`);
    const net = (host: number, extra: Record<string, unknown> = {}) => `.network(${JSON.stringify({ bridge: BRIDGE, bridgeAddress: `${SUBNET}.1/24`, address: `${SUBNET}.${host}/24`, ...extra })})`;
    const wait = `.command(['sh', '-c', 'trap "exit 0" TERM; sleep 60 & wait'])`;
    files[dash] = ws.define(dash, `${net(2, { ports: [{ host: 18080, container: 80 }] })}${wait}`);
    files[plain] = ws.define(plain, `${net(3)}${wait}`);
    // Chooses the host veth name the running `dash` container holds.
    files['clash'] = ws.define(`x${tag}`, `${net(4, { vethHost: `vh-${dash}`, ports: [{ host: 18081, container: 80 }] })}${wait}`);
  });

  afterAll(() => {
    for (const n of [dash, plain]) {
      inNs([HACO_BIN, 'kill', n], ws?.env);
      inNs([HACO_BIN, 'rm', n], ws?.env);
    }
    spawnSync('ip', ['netns', 'del', NS]);
    ws?.cleanup();
    expect(spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout).not.toContain(NS);
  });

  test('s-c1 and sc1 run side by side with different host veths', () => {
    for (const n of [dash, plain]) must(inNs([HACO_BIN, 'start', '-d', files[n]!], ws.env), `haco start -d ${n}`);
    const links = must(inNs(['ip', '-o', 'link', 'show']), 'ip link');
    expect(links).toContain(`vh-${dash}@`);
    expect(links).toContain(`vh-${plain}@`);
    expect(must(inNs(['ip', '-j', 'link', 'show', 'dev', `vh-${dash}`]), 'ip link show')).toContain(`"ifalias":"haco:${dash}"`);
    expect(must(inNs(['ip', '-j', 'link', 'show', 'dev', `vh-${plain}`]), 'ip link show')).toContain(`"ifalias":"haco:${plain}"`);
  });

  test('a launch whose explicit vethHost is taken fails; the running container keeps its veth and port forward', () => {
    // haco start refuses it before the launcher (E_VETH_EXISTS) ...
    const refused = inNs([HACO_BIN, 'start', files['clash']!, '--', 'true'], ws.env);
    expect({ status: refused.status, stderr: refused.stderr }).toMatchObject({ status: 5, stderr: expect.stringContaining('E_VETH_EXISTS') });
    // ... but two starts can race past that check: the launcher itself, with the spec as compiled.
    const spec = must(inNs([HACO_BIN, 'plan', files['clash']!, '--launch'], ws.env), 'haco plan --launch');
    const specFile = path.join(ws.dir, 'clash.spec');
    fs.writeFileSync(specFile, spec);
    const r = inNs([LAUNCHER, '--spec', specFile]);
    expect({ status: r.status, stderr: r.stderr }).toMatchObject({ status: 125, stderr: expect.stringContaining('File exists') });
    const links = must(inNs(['ip', '-o', 'link', 'show']), 'ip link');
    expect(links).toContain(`vh-${dash}@`);
    expect(must(inNs(['ip', '-j', 'link', 'show', 'dev', `vh-${dash}`]), 'ip link show')).toContain(`"ifalias":"haco:${dash}"`);
    expect(must(inNs(['nft', 'list', 'chain', 'ip', 'haco', `pre-${dash}`]), 'nft list chain')).toContain(`dport 18080 dnat to ${SUBNET}.2:80`);
    expect(must(inNs(['nft', 'list', 'chain', 'ip', 'haco', `out-${dash}`]), 'nft list chain')).toContain(`dport 18080 dnat to ${SUBNET}.2:80`);
    // The running container still answers on its veth.
    expect(inNs(['ping', '-c', '1', '-W', '2', `${SUBNET}.2`])).toExitWith(0);
  });

  test('the containers\' own cleanup removes their veths and chains', async () => {
    for (const n of [dash, plain]) must(inNs([HACO_BIN, 'kill', n], ws.env), `haco kill ${n}`);
    await until('the veths to go', () => (!must(inNs(['ip', '-o', 'link', 'show']), 'ip link').includes(`vh-s${tag}`) ? true : undefined), 20_000);
    expect(inNs(['nft', 'list', 'chain', 'ip', 'haco', `pre-${dash}`]).status).not.toBe(0);
  });
});
