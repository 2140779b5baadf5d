// The lifecycle walk-through a user would do, with real containers: new → create → start -d → ps →
// attach → reload → logs → kill → ps (exited) → rm → nothing left. The container has its own user and
// net namespaces (attach must join them) and runs under a temp HACO_RUN_DIR; teardown kills whatever a
// failed check left running.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { canRun, makeLab, stateOf, until, type Lab } from './lifecycle-support';

jest.setTimeout(120_000);
const describeRoot = canRun ? describe : describe.skip;

describeRoot('haco lifecycle walk-through', () => {
  let lab: Lab;
  beforeAll(() => {
    lab = makeLab();
  });
  afterAll(() => {
    lab.cleanup();
  });

  test('new, create, start -d, ps, attach, reload, logs, kill, rm', async () => {
    const name = `${lab.tag}-walk`;
    const file = path.join(lab.work, 'walk.haco.ts');
    const created = lab.haco(['new', file, '--name', name, '--root', lab.rootfs]);
    expect(created.stderr).toBe('');
    expect(created).toExitWith(0);
    // Turn the template into a busybox container with its own user and cgroup namespaces (net is one of
    // haco's defaults) and reloadable limits.
    let text = fs.readFileSync(file, 'utf8');
    text = text
      .replace('.bootstrap((b) => b.host())', '.bootstrap((b) => b.busybox())')
      .replace(".command(['/bin/sh'])", `.command(['/bin/sh', '-c', 'echo started ${lab.tag}; echo oops >&2; while :; do sleep 1; done'])\n  .reaper()\n  .mapRootTo(100000, 65536)\n  .unshare('cgroup')`)
      .replace(".cpu('50%')", ".cpu('40%')")
      .replace(".rlimit('nofile', 1024)", ".rlimit('nofile', 2048, 4096)\n  .hook('afterReload', ['/bin/sh', '-c', 'echo reloaded $HACO_NAME pid=$HACO_PID > $HACO_STATE_DIR/reloaded'])");
    fs.writeFileSync(file, text);
    const create = lab.haco(['create', file]);
    expect(create.stderr).not.toMatch(/error/);
    expect(create).toExitWith(0);

    const t0 = Date.now();
    const start = lab.haco(['start', '-d', file]);
    const startMs = Date.now() - t0;
    expect(start.stderr).toBe('');
    expect(start.stdout).toMatch(new RegExp(`^${name} started: pid \\d+, supervisor \\d+`));
    expect(start).toExitWith(0);
    expect(startMs).toBeLessThan(10_000);
    const state = stateOf(lab, name);
    expect(state['status']).toBe('running');
    const pid = Number(state['pid']);

    // A second start of the same name fails with a clear message.
    const again = lab.haco(['start', '-d', file]);
    expect(again).not.toExitWith(0);
    expect(again.stderr).toMatch(/already running/);

    const ps = JSON.parse(lab.haco(['ps', '--json']).stdout) as Array<Record<string, unknown>>;
    const row = ps.find((r) => r['name'] === name)!;
    expect(row).toMatchObject({ status: 'running', pid });
    expect(row['namespaces']).toEqual(expect.arrayContaining(['user', 'mnt', 'uts', 'ipc', 'pid', 'net', 'cgroup']));
    expect(typeof row['memoryBytes']).toBe('number');
    expect(lab.haco(['ps']).stdout).toMatch(new RegExp(`${name}\\s+running\\s+${pid}`));

    // attach joins user, net, pid… namespaces: the container's hostname, only lo, its pid 1.
    const attach = lab.haco(['attach', name, '--', 'sh', '-c', 'uptime; hostname; ip -o link | cut -d: -f2; cat /proc/1/cmdline | tr "\\0" " "; echo; id -u; exit 3']);
    expect(attach.stderr).toBe('');
    expect(attach).toExitWith(3);
    expect(attach.stdout).toMatch(/load average/);
    expect(attach.stdout).toContain(`\n${name}\n`);
    expect(attach.stdout).toMatch(/^ lo$/m);
    expect(attach.stdout).not.toMatch(/eth0|ens/);
    expect(attach.stdout).toMatch(/^0$/m);
    const traced = lab.haco(['attach', '--trace', name, '--', 'true']);
    expect(traced).toExitWith(0);
    expect(traced.stderr).toMatch(/setns\(\d+, CLONE_NEWUSER\)/);
    expect(traced.stderr).toMatch(/setns\(\d+, CLONE_NEWNET\)/);

    // reload: cpu quota 40000 → 50000, nofile soft 2048 → 3072 (under the hard 4096: raising a hard limit
    // needs CAP_SYS_RESOURCE, which the test machine may not give).
    const cpuQuota = () => {
      const tracking = path.join('/sys/fs/cgroup/cpu/haco', name, 'cpu.cfs_quota_us');
      return fs.existsSync(tracking) ? fs.readFileSync(tracking, 'utf8').trim() : fs.readFileSync(path.join('/sys/fs/cgroup/haco', name, 'cpu.max'), 'utf8').split(' ')[0];
    };
    const nofile = () => /^Max open files\s+(\d+)\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/limits`, 'utf8'))!.slice(1, 3);
    expect(cpuQuota()).toBe('40000');
    expect(nofile()).toEqual(['2048', '4096']);
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(".cpu('40%')", ".cpu('50%')").replace(".rlimit('nofile', 2048, 4096)", ".rlimit('nofile', 3072, 4096)"));
    const planHash = () => (JSON.parse(lab.haco(['ps', '--json']).stdout) as Array<Record<string, unknown>>).find((r) => r['name'] === name)!;
    const before = planHash();
    expect(before['planHash']).toMatch(/^[0-9a-f]{16}$/);
    expect(before['reloadedAt']).toBeNull();
    const reload = lab.haco(['reload', file]);
    expect(reload.stderr).toBe('');
    expect(reload).toExitWith(0);
    expect(reload.stdout).toMatch(/cpu.cfs_quota_us: 40000 → 50000|cpu.max: 40000 100000 → 50000 100000/);
    expect(reload.stdout).toMatch(/rlimit NOFILE: 2048:4096 → 3072:4096/);
    expect(cpuQuota()).toBe('50000');
    expect(nofile()).toEqual(['3072', '4096']);
    // The state tells which plan runs now.
    const reloaded = planHash();
    expect(reloaded['planHash']).toMatch(/^[0-9a-f]{16}$/);
    expect(reloaded['planHash']).not.toBe(before['planHash']);
    expect(typeof reloaded['reloadedAt']).toBe('number');
    expect(fs.readFileSync(path.join(lab.runDir, name, 'reloaded'), 'utf8')).toBe(`reloaded ${name} pid=${pid}\n`);
    // Anything else is refused, listed.
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(`.hostname('${name}')`, ".hostname('other')"));
    const refused = lab.haco(['reload', file]);
    expect(refused).toExitWith(5);
    expect(refused.stderr).toMatch(/cannot be applied[\s\S]*process.hostname/);

    const logs = lab.haco(['logs', name]);
    expect(logs.stdout).toBe(`started ${lab.tag}\n`);
    expect(logs.stderr).toBe('oops\n');

    const kill = lab.haco(['kill', name, '--timeout', '5']);
    expect(kill.stderr).toBe('');
    expect(kill).toExitWith(0);
    expect(kill.stdout).toMatch(new RegExp(`${name} stopped: exit 143`));
    const after = JSON.parse(lab.haco(['ps', '-a', '--json']).stdout) as Array<Record<string, unknown>>;
    expect(after.find((r) => r['name'] === name)).toMatchObject({ status: 'exited', exitCode: 143 });
    expect(lab.haco(['kill', name])).toExitWith(5);
    // logs -f of an exited container ends at once.
    expect(lab.haco(['logs', '-f', name])).toExitWith(0);

    expect(lab.haco(['rm', name])).toExitWith(0);
    expect(fs.existsSync(path.join(lab.runDir, name))).toBe(false);
    expect(await until(() => lab.leftovers().length === 0)).toBe(true);
    expect(lab.leftovers()).toEqual([]);
    expect(fs.existsSync(`/proc/${pid}`)).toBe(false);
  });

  test('stop: SIGKILL after the timeout when the init ignores TERM', async () => {
    const name = `${lab.tag}-stub`;
    const file = lab.def(name, `  .command(['/bin/sh', '-c', 'sleep 1000; : ${lab.tag}'])\n  .unshare('mount', 'uts', 'ipc', 'pid')`);
    const started = lab.haco(['start', '-d', file]);
    expect(started.stderr).toBe('');
    expect(started).toExitWith(0);
    const r = lab.haco(['stop', name, '--timeout', '1']);
    expect(r).toExitWith(0);
    expect(r.stdout).toMatch(/SIGKILL after the timeout\): exit 137/);
    expect(lab.haco(['rm', name])).toExitWith(0);
    expect(await until(() => lab.leftovers().length === 0)).toBe(true);
  });
});
