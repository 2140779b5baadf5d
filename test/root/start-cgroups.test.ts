// `haco start` against the real kernel: cgroup limits, read back from the host side of the container's own
// cgroup (haco/NAME in each v1 hierarchy on v1/hybrid hosts, /sys/fs/cgroup/haco/NAME on v2) while the
// container runs. The pure-v2 path is also covered in a VM: start-cgroup-v2-vm.test.ts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cgroupCpuUsage, cgroupHost, containerCgroupDir, leftoverCgroups, readCgroupFile, readKeyed } from '../support/cgroup';
import { haco } from '../support/cli';
import { describeStart, makeWorkspace, uniqueName, type Workspace } from '../support/rootfs';
import { startInBackground, type RunningStart } from '../support/start';

jest.setTimeout(60_000);

let ws: Workspace;
const running: RunningStart[] = [];

/** Shell for a container that waits until the host creates ROOTFS/tmp/stop-NAME. */
const waitForStop = (name: string) => `while [ ! -e /tmp/stop-${name} ]; do sleep 0.05; done`;

async function stop(run: RunningStart, name: string): Promise<{ status: number }> {
  fs.writeFileSync(path.join(ws.rootfs, 'tmp', `stop-${name}`), '');
  return run.exited;
}

function mustDir(name: string, controller: string): string {
  const dir = containerCgroupDir(name, controller);
  if (!dir) throw new Error(`this host has no ${controller} controller`);
  return dir;
}

describeStart('haco start: cgroup limits as the kernel applies them', () => {
  beforeAll(() => {
    ws = makeWorkspace('start-cg');
  });
  afterEach(async () => {
    for (const run of running.splice(0)) {
      run.kill();
      await run.exited;
    }
  });
  afterAll(() => ws?.cleanup());

  test('cpu 30%: a busy loop uses 20–40% of one CPU, measured from the cgroup\'s own accounting over 2 s', async () => {
    const name = uniqueName('cpu');
    const file = ws.define(name, `.cpu('30%')`);
    const run = startInBackground(file, ['sh', '-c', `yes > /dev/null & echo "ready $!"; ${waitForStop(name)}; kill $!`], ws.env);
    running.push(run);
    await run.waitFor(/ready \d+\n/);
    const dir = mustDir(name, 'cpu');
    if (cgroupHost().mode === 'v2') expect(readCgroupFile(dir, 'cpu.max')).toBe('30000 100000');
    else {
      expect(readCgroupFile(dir, 'cpu.cfs_quota_us')).toBe('30000');
      expect(readCgroupFile(dir, 'cpu.cfs_period_us')).toBe('100000');
    }
    await new Promise((r) => setTimeout(r, 300)); // let `yes` get going
    const u0 = cgroupCpuUsage(name);
    const t0 = process.hrtime.bigint();
    const throttled0 = readKeyed(dir, 'cpu.stat')['nr_throttled'] ?? 0;
    await new Promise((r) => setTimeout(r, 2000));
    const u1 = cgroupCpuUsage(name);
    const t1 = process.hrtime.bigint();
    const throttled1 = readKeyed(dir, 'cpu.stat')['nr_throttled'] ?? 0;
    const share = (u1.usec - u0.usec) / (Number(t1 - t0) / 1000);
    // The source (cpu.stat, cpuacct.usage or per-task times) is in the object so that a failure names it.
    expect({ source: u1.source, inBand: share > 0.2 && share < 0.4, share }).toMatchObject({ inBand: true });
    expect(throttled1 - throttled0).toBeGreaterThan(5); // the quota, not a lack of work, held it back
    expect((await stop(run, name))).toExitWith(0);
    expect(leftoverCgroups(name)).toEqual([]);
  });

  test('memory 32M: a 100 MB hog is OOM-killed and the cgroup records it; the container goes on', async () => {
    const name = uniqueName('mem');
    const file = ws.define(name, `.memory('32M')`);
    // The subshell doubles a string until it is killed: the OOM killer's obvious victim, and the only
    // process allocating. (A `head | tr` pipeline keeps charging pipe buffers while the victim's memory is
    // being freed, and the kernel then takes a second victim, often the init.)
    const hog = `( x=a; while :; do x="$x$x"; done; echo "survived \${#x}" )`;
    const run = startInBackground(file, ['sh', '-c', `${hog}; echo "hog=$?"; ${waitForStop(name)}`], ws.env);
    running.push(run);
    await run.waitFor(/hog=\d+\n/);
    // haco names the sender of the SIGKILL (report-oom) once the container is gone: checked after stop.
    expect(run.stdout()).toMatch(/^hog=137$/m); // 128 + SIGKILL
    expect(run.stdout()).not.toMatch(/survived/);
    const dir = mustDir(name, 'memory');
    if (cgroupHost().mode === 'v2') {
      expect(readCgroupFile(dir, 'memory.max')).toBe(String(32 * 1024 * 1024));
      expect(readKeyed(dir, 'memory.events')['oom_kill']).toBeGreaterThanOrEqual(1);
    } else {
      expect(readCgroupFile(dir, 'memory.limit_in_bytes')).toBe(String(32 * 1024 * 1024));
      expect(Number(readCgroupFile(dir, 'memory.failcnt'))).toBeGreaterThan(0);
      expect(Number(readCgroupFile(dir, 'memory.max_usage_in_bytes'))).toBeLessThanOrEqual(32 * 1024 * 1024);
      expect(readKeyed(dir, 'memory.oom_control')['oom_kill']).toBeGreaterThanOrEqual(1);
    }
    const stopped = await stop(run, name);
    expect(stopped).toExitWith(0);
    expect(run.stderr()).toMatch(/^haco-launch: the kernel's OOM killer killed 1 process in this container: it reached its memory limit \(oom_kill 1 in \S+\)$/m);
    expect(leftoverCgroups(name)).toEqual([]);
  });

  test('memory 32M: when the init itself is the hog, haco exits 137', () => {
    const name = uniqueName('memi');
    const r = haco(['start', ws.define(name, `.memory('32M')`), '--', 'sh', '-c', `x=$(head -c 100000000 /dev/zero | tr '\\0' a); echo survived`], { env: ws.env });
    expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 137, stdout: '' });
    expect(leftoverCgroups(name)).toEqual([]);
  });

  test('CPU time of a finished busy loop shows in haco ps and haco inspect; haco explain names this host\'s groups', async () => {
    const name = uniqueName('acct');
    const file = ws.define(name);
    // `yes` burns about 0.3 s of CPU in a child that has exited before we look: only the cgroup's own
    // accounting (cpuacct.usage on v1, cpu.stat on v2) still has it, not the /proc times of live processes.
    const burn = `sh -c 'yes > /dev/null & p=$!; sleep 0.3; kill $p; wait $p'`;
    const run = startInBackground(file, ['sh', '-c', `${burn}; echo burnt; ${waitForStop(name)}`], ws.env);
    running.push(run);
    await run.waitFor(/burnt\n/);

    const ps = haco(['ps', '--json'], { env: ws.env });
    const row = (JSON.parse(ps.stdout || '[]') as Array<{ name: string; cpuSeconds: number | null }>).find((r) => r.name === name);
    expect({ status: ps.status, stderr: ps.stderr, cpu: row?.cpuSeconds }).toEqual({ status: 0, stderr: '', cpu: expect.any(Number) });
    expect(row!.cpuSeconds!).toBeGreaterThan(0.1);
    const inspect = haco(['inspect', name, '--json'], { env: ws.env });
    expect({ status: inspect.status, stderr: inspect.stderr }).toEqual({ status: 0, stderr: '' });
    const report = JSON.parse(inspect.stdout) as { cgroup: { dirs: string[]; cpu: { usageSeconds: number | null } } };
    expect(report.cgroup.cpu.usageSeconds!).toBeGreaterThan(0.1);
    const host = cgroupHost();
    const cpuacct = host.v1?.hierarchies['cpuacct'];
    if (host.mode !== 'v2' && cpuacct) {
      // Mounted apart from cpu or not, the container is in a cpuacct group: that is where the time comes from.
      expect(report.cgroup.dirs).toContain(path.join(cpuacct, 'haco', name));
      expect(Number(readCgroupFile(path.join(cpuacct, 'haco', name), 'cpuacct.usage'))).toBeGreaterThan(0.1e9);
    }

    // explain tells the groups of this host, as the launcher will make them: every one of them, and
    // (on v1) never the v2 path /sys/fs/cgroup/haco/NAME.
    const explain = haco(['explain', file], { env: ws.env });
    expect({ status: explain.status, stderr: explain.stderr }).toEqual({ status: 0, stderr: '' });
    // (v1: the launcher moves itself into each group, 0 into tasks, clones the child there and moves back; v2 on Linux 5.7+
    // clones straight into the group.)
    for (const dir of report.cgroup.dirs) expect(explain.stdout).toContain(host.mode === 'v2' ? dir : `writes "0" to ${dir}/tasks`);
    if (host.mode !== 'v2') expect(explain.stdout).not.toContain(`${host.root}/haco/${name}`);
    expect(await stop(run, name)).toExitWith(0);
    expect(leftoverCgroups(name)).toEqual([]);
  });

  test('pids 10: fork beyond the limit fails and pids.events counts it', async () => {
    const name = uniqueName('pids');
    const file = ws.define(name, `.pids(10)`);
    const fork = `i=0; while [ $i -lt 20 ]; do sleep 30 & i=$((i+1)); echo "started $i"; done`;
    const run = startInBackground(file, ['sh', '-c', `( ${fork} ) 2>&1; echo "forks-done"; ${waitForStop(name)}; kill -9 -1`], ws.env);
    running.push(run);
    await run.waitFor(/forks-done\n/);
    const started = Math.max(0, ...[...run.stdout().matchAll(/^started (\d+)$/gm)].map((m) => Number(m[1])));
    expect(run.stdout()).toMatch(/can't fork/);
    // sh (init) + the subshell + the sleeps stay within 10 tasks.
    expect(started).toBeGreaterThan(0);
    expect(started).toBeLessThanOrEqual(8);
    const dir = mustDir(name, 'pids');
    expect(readCgroupFile(dir, 'pids.max')).toBe('10');
    expect(Number(readCgroupFile(dir, 'pids.current'))).toBeLessThanOrEqual(10);
    expect(readKeyed(dir, 'pids.events')['max']).toBeGreaterThanOrEqual(1);
    expect((await stop(run, name))).toExitWith(0);
    expect(leftoverCgroups(name)).toEqual([]);
  });
});
