// Docker/podman habits on real containers (issue 14.6): -e/-v as .env()/.bind(), --rm -d, ps -q/-a,
// rm -f, destroy, FILE#NAME, --json that parses, the exec EPERM hint for file capabilities, and
// start --create from nothing. Under a temp HACO_RUN_DIR/HACO_STATE_ROOT; teardown checks nothing is left.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { inPty } from '../support/pty';
import { canRun, makeLab, until, type Lab } from './lifecycle-support';

jest.setTimeout(120_000);
const describeRoot = canRun ? describe : describe.skip;

/** The command's output, shown by a failing expectation about its status. */
const shown = (r: { status: number | null; stdout: string; stderr: string }) => ({ status: r.status, stdout: r.stdout, stderr: r.stderr });
// toMatchObject on shown(r) with the status only would hide stderr: every check compares the whole triple where it can.

describeRoot('docker habits', () => {
  let lab: Lab;
  let h: Lab['haco'];
  beforeAll(() => {
    lab = makeLab();
    lab.env['HACO_STATE_ROOT'] = path.join(lab.work, 'state');
    h = lab.haco;
  });
  afterAll(() => {
    lab.cleanup();
  });

  test('-e and -v become .env() and .bind(): visible inside, ro enforced, bad SRC named', () => {
    const file = lab.def(`${lab.tag}-ev`, "  .command(['/bin/sh'])");
    const data = path.join(lab.work, 'data');
    fs.mkdirSync(data);
    fs.writeFileSync(path.join(data, 'f'), 'from the host\n');
    fs.writeFileSync(path.join(lab.work, 'env.list'), '# comment\nFROM_FILE=1\nGREETING=overridden\n');
    const r = h(['start', '-e', 'GREETING=hi, there', '--env-file', path.join(lab.work, 'env.list'), '-e', 'HACO_RUN_DIR', '-v', `${data}:/mnt/d:ro`, file, '--', 'sh', '-c', 'echo "$GREETING|$FROM_FILE|$HACO_RUN_DIR"; cat /mnt/d/f; touch /mnt/d/x 2>&1; grep " /mnt/d " /proc/self/mountinfo']);
    expect(shown(r)).toEqual(expect.objectContaining({ status: 0 }));
    expect(r.stdout).toContain(`hi, there|1|${lab.runDir}\n`);
    expect(r.stdout).toContain('from the host\n');
    expect(r.stdout).toMatch(/Read-only file system/);
    expect(r.stdout).toMatch(/ \/mnt\/d ro[, ]/);
    expect(fs.existsSync(path.join(data, 'x'))).toBe(false);
    // rw: the container writes through to the host.
    const rw = h(['start', '-v', `${data}:/mnt/d`, file, '--', 'sh', '-c', 'echo w > /mnt/d/x']);
    expect(shown(rw)).toEqual(expect.objectContaining({ status: 0 }));
    expect(fs.readFileSync(path.join(data, 'x'), 'utf8')).toBe('w\n');
    // The plan shows the same entry the DSL writes.
    const plan = JSON.parse(h(['plan', file, '-v', `${data}:/mnt/d:ro`, '--json']).stdout) as { containers: Array<{ mounts: unknown[] }> };
    expect(plan.containers[0]!.mounts).toContainEqual({ type: 'bind', source: data, target: '/mnt/d', readonly: true, recursive: true, create: true });
    const missing = h(['start', '-v', `${lab.work}/nope:/d`, file, '--', 'true']);
    expect(shown(missing)).toMatchObject({ status: 2 });
    expect(missing.stderr).toContain('--volume: the host path');
    expect(missing.stderr).toContain(`mkdir -p ${lab.work}/nope`);
    const relative = h(['start', '-v', 'data:/d', file, '--', 'true']);
    expect(shown(relative)).toMatchObject({ status: 2 });
    expect(relative.stderr).toMatch(/--volume: .*not absolute/);
  });

  test('.daemonize() starts detached without -d (also from the cached plan); --no-detach runs it in the foreground', async () => {
    const name = `${lab.tag}-dz`;
    const file = lab.def(name, "  .command(['/bin/sleep', '100'])\n  .daemonize()");
    // Twice: the first start evaluates the file (oclif's path), the second finds the cached plan (fast path).
    for (let round = 0; round < 2; round++) {
      const started = h(['start', file]);
      expect(shown(started)).toEqual(expect.objectContaining({ status: 0 }));
      expect(started.stdout).toMatch(new RegExp(`^${name} started: pid \\d+`));
      expect(h(['ps', '-q']).stdout).toBe(`${name}\n`);
      expect(shown(h(['rm', '-f', name]))).toEqual(expect.objectContaining({ status: 0 }));
      expect(await until(() => h(['ps', '-a', '-q']).stdout === '')).toBe(true);
    }
    const fg = h(['start', '--no-detach', file, '--', 'sh', '-c', 'echo in front; exit 7']);
    expect(shown(fg)).toEqual(expect.objectContaining({ status: 7, stdout: 'in front\n' }));
    expect(h(['ps', '-a', '-q']).stdout).toBe('');
  });

  test('start -d --rm --json, ps -q/-a, rm -f, kill/stop/logs/rm --json; --rm leaves nothing', async () => {
    const name = `${lab.tag}-d`;
    const file = lab.def(name, "  .command(['/bin/sh', '-c', 'echo out; echo err >&2; exec sleep 100'])");
    const started = h(['start', '-d', '--init', '--json', file]); // --init: a PID 1 that passes on the HUP below
    expect(shown(started)).toEqual(expect.objectContaining({ status: 0 }));
    const row = JSON.parse(started.stdout) as Record<string, unknown>;
    expect(row).toMatchObject({ name, status: 'running', autoRemove: false });
    expect(started.stderr).toMatch(/started: pid/);
    expect(h(['ps', '-q']).stdout).toBe(`${name}\n`);
    // reload --json: the changes applied, as a list.
    lab.def(name, "  .command(['/bin/sh', '-c', 'echo out; echo err >&2; exec sleep 100'])\n  .pids(50)");
    const reload = h(['reload', '--json', file]);
    expect(shown(reload)).toEqual(expect.objectContaining({ status: 0 }));
    expect(JSON.parse(reload.stdout)).toEqual({ name, pid: row['pid'], applied: [expect.stringMatching(/pids/) as string] });
    expect(await until(() => h(['logs', name]).stdout === 'out\n')).toBe(true);
    const logs = h(['logs', '--json', name]).stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logs.map((l) => [l['stream'], l['text']])).toEqual([['stdout', 'out'], ['stderr', 'err']]);
    const sent = JSON.parse(h(['kill', '-s', 'HUP', '--json', name]).stdout) as Array<Record<string, unknown>>;
    expect(sent).toEqual([expect.objectContaining({ name, ok: true, signal: 1 })]);
    // It died of the HUP: exited, shown only with -a.
    expect(await until(() => h(['ps', '-q']).stdout === '')).toBe(true);
    expect(h(['ps', '-aq']).stdout).toBe(`${name}\n`);
    expect((JSON.parse(h(['ps', '-a', '--json']).stdout) as Array<Record<string, unknown>>).find((r) => r['name'] === name)).toMatchObject({ status: 'exited', exitCode: 129 });
    const rm = h(['rm', '--json', name]);
    expect(shown(rm)).toEqual(expect.objectContaining({ status: 0 }));
    expect(JSON.parse(rm.stdout)).toEqual([{ name, ok: true, stopped: false, killed: 0, removedCgroups: [] }]);

    // rm -f of a running container.
    expect(shown(h(['start', '-d', file]))).toEqual(expect.objectContaining({ status: 0 }));
    // attach -e: set for that one command, on top of the init's environment.
    const attach = h(['attach', '-e', 'ONLY_HERE=yes', name, '--', 'sh', '-c', 'echo "$ONLY_HERE $PATH"']);
    expect(shown(attach)).toEqual(expect.objectContaining({ status: 0, stdout: expect.stringMatching(/^yes \//) as string }));
    const refused = h(['rm', name]);
    expect(refused).toExitWith(5);
    expect(refused.stderr).toContain(`haco rm -f ${name}`);
    const forced = h(['rm', '-f', name]);
    expect(shown(forced)).toEqual(expect.objectContaining({ status: 0 }));
    expect(forced.stdout).toMatch(/killed it first/);
    expect(fs.existsSync(path.join(lab.runDir, name))).toBe(false);

    // stop --json.
    expect(shown(h(['start', '-d', '--init', file]))).toEqual(expect.objectContaining({ status: 0 }));
    const stop = JSON.parse(h(['stop', '--json', '--timeout', '5', name]).stdout) as Array<Record<string, unknown>>;
    expect(stop).toEqual([expect.objectContaining({ name, ok: true, escalated: false, exitCode: 143 })]);
    expect(shown(h(['rm', name]))).toEqual(expect.objectContaining({ status: 0 }));

    // --rm -d: the supervisor removes the record and log on its way out.
    const rmd = h(['start', '-d', '--rm', '--json', file, '--', 'sleep', '1']);
    expect(shown(rmd)).toEqual(expect.objectContaining({ status: 0 }));
    expect(JSON.parse(rmd.stdout)).toMatchObject({ name, autoRemove: true });
    expect(fs.existsSync(path.join(lab.runDir, name, 'container.log'))).toBe(true);
    expect(await until(() => !fs.existsSync(path.join(lab.runDir, name)), 10_000)).toBe(true);
    expect(h(['ps', '-aq']).stdout).toBe('');
    expect(await until(() => lab.leftovers().length === 0)).toBe(true);
    expect(h(['start', '--json', file])).toExitWith(2); // --json needs -d
  });

  test('FILE#NAME picks a container of a two-container file in start, plan, explain, validate', () => {
    const file = path.join(lab.work, 'two.haco.ts');
    // Two containers cannot share a rootfs: b gets a copy of the lab's busybox tree.
    fs.cpSync(lab.rootfs, `${lab.rootfs}-b`, { recursive: true, verbatimSymlinks: true });
    const c = (n: string, root: string) => `defineContainer(${JSON.stringify(n)}).rootfs(${JSON.stringify(root)}).command(['/bin/sh'])`;
    fs.writeFileSync(file, `import { defineContainer } from 'haco';\nexport default [${c(`${lab.tag}-a`, lab.rootfs)}, ${c(`${lab.tag}-b`, `${lab.rootfs}-b`)}];\n`);
    const which = h(['start', `${file}#${lab.tag}-b`, '--', 'hostname']);
    expect(shown(which)).toMatchObject({ status: 0, stdout: `${lab.tag}-b\n` });
    const ambiguous = h(['start', file, '--', 'true']);
    expect(ambiguous).toExitWith(2);
    expect(ambiguous.stderr).toContain(`${file}#${lab.tag}-a`);
    const plan = JSON.parse(h(['plan', `${file}#${lab.tag}-a`, '--json']).stdout) as { containers: Array<{ name: string }> };
    expect(plan.containers.map((x) => x.name)).toEqual([`${lab.tag}-a`]);
    expect(h(['validate', `${file}#${lab.tag}-b`]).stdout).toBe(`ok: ${file} defines container ${lab.tag}-b\n`);
    const explain = JSON.parse(h(['explain', `${file}#${lab.tag}-b`, '--json']).stdout) as { containers: unknown[] };
    expect(explain.containers).toHaveLength(1);
    const unknown = h(['plan', `${file}#nope`]);
    expect(unknown).toExitWith(2);
    expect(unknown.stderr).toContain('has no container "nope"');
    const both = h(['plan', `${file}#${lab.tag}-a`, '-c', `${lab.tag}-b`]);
    expect(both).toExitWith(2);
  });

  test('exec of a program with file capabilities: EPERM with a hint; --add-cap keeps it', () => {
    const capbin = path.join(lab.rootfs, 'capbin');
    fs.mkdirSync(capbin, { recursive: true });
    fs.copyFileSync('/bin/busybox', path.join(capbin, 'echo'));
    fs.chmodSync(path.join(capbin, 'echo'), 0o755);
    const setcap = spawnSync('setcap', ['cap_net_raw+ep', path.join(capbin, 'echo')], { encoding: 'utf8' });
    expect(shown({ status: setcap.status, stdout: setcap.stdout, stderr: setcap.stderr })).toEqual(expect.objectContaining({ status: 0 }));
    const file = lab.def(`${lab.tag}-cap`, "  .command(['/bin/sh'])");
    const r = h(['start', file, '--', '/capbin/echo', 'ran']);
    expect(shown(r)).toMatchObject({ status: 126 });
    expect(r.stderr).toContain('exec /capbin/echo (it has file capabilities: security.capability): EPERM');
    expect(r.stderr).toMatch(/hint: .*file capabilities.*\.addCaps\('net_raw'\).*--add-cap net_raw/);
    const kept = h(['start', file, '--add-cap', 'net_raw', '--', '/capbin/echo', 'ran']);
    expect(shown(kept)).toMatchObject({ status: 0, stdout: 'ran\n' });
    fs.rmSync(capbin, { recursive: true });
  });

  test('start --create from nothing (the template, as the seed does it), the ping hint, then destroy', () => {
    const name = `${lab.tag}-seed`;
    const root = path.join(lab.work, 'state', name, 'rootfs');
    const file = path.join(lab.work, 'seed.haco.ts');
    expect(shown(h(['new', file, '--name', name, '--root', root]))).toEqual(expect.objectContaining({ status: 0 }));
    const without = h(['start', file, '--', 'true']);
    expect(without).toExitWith(5);
    expect(without.stderr).toContain(`haco start --create ${file}`);
    const created = h(['start', '--create', file, '--', 'sh', '-c', 'echo up']);
    expect(shown(created)).toMatchObject({ status: 0, stdout: 'up\n' });
    expect(fs.existsSync(root)).toBe(true);

    // The seed's ping step: the host's ping carries cap_net_raw, which haco's default set leaves out.
    const getcap = spawnSync('getcap', ['/usr/bin/ping'], { encoding: 'utf8' });
    expect(getcap.stdout).toContain('cap_net_raw');
    const ping = h(['start', file, '--', 'ping', '-c1', '127.0.0.1']);
    expect(shown(ping)).toMatchObject({ status: 126 });
    expect(ping.stderr).toMatch(/exec ping \(it has file capabilities/);
    expect(ping.stderr).toMatch(/hint: .*\.addCaps\('net_raw'\)/);

    const refused = h(['destroy', file], '');
    expect(refused).toExitWith(2);
    expect(refused.stderr).toContain('--yes');
    expect(fs.existsSync(root)).toBe(true);
    const destroyed = h(['destroy', file, '--yes', '--json']);
    expect(shown(destroyed)).toEqual(expect.objectContaining({ status: 0 }));
    const items = (JSON.parse(destroyed.stdout) as Array<{ name: string; items: Array<{ what: string; kept?: string }> }>)[0]!;
    expect(items.name).toBe(name);
    expect(items.items.map((i) => i.what)).toEqual(expect.arrayContaining(['rootfs', 'home']));
    expect(items.items.filter((i) => i.kept)).toEqual([]);
    expect(fs.existsSync(path.join(lab.work, 'state', name))).toBe(false);
    expect(lab.leftovers()).toEqual([]);
  });

  test('destroy on a terminal lists what goes and asks: n keeps it, y removes it', async () => {
    const name = `${lab.tag}-ask`;
    const root = path.join(lab.work, 'state', name, 'rootfs');
    const file = path.join(lab.work, 'ask.haco.ts');
    fs.writeFileSync(file, `import { defineContainer } from 'haco';\nexport default defineContainer(${JSON.stringify(name)}).rootfs(${JSON.stringify(root)}).bootstrap((b) => b.busybox());\n`);
    expect(shown(h(['create', file]))).toEqual(expect.objectContaining({ status: 0 }));
    const ask = async (answer: string) => {
      const t = inPty(`"$HACO" destroy ${file}`, lab.env);
      try {
        await t.waitFor(/Remove them\? \[y\/N\]/);
        expect(t.output()).toContain(root);
        t.send(`${answer}\r`);
        return { status: await t.exited(), output: t.output() };
      } finally {
        t.kill();
      }
    };
    const no = await ask('n');
    expect(no).toExitWith(1);
    expect(no.output).toContain('nothing removed');
    expect(fs.existsSync(root)).toBe(true);
    const yes = await ask('y');
    expect(yes).toExitWith(0);
    expect(yes.output).toContain(`${name}: removed ${root}`);
    expect(fs.existsSync(path.join(lab.work, 'state', name))).toBe(false);
  });
});
