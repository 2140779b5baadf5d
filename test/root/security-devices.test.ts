// `haco start` against the real kernel: the device allow-list. Whatever the capabilities (the tests add
// CAP_MKNOD) and whatever nodes the image ships, the device cgroup must stop the container from making or
// using a device that is not on the list (the host's disk, its kernel log), while /dev/null & co. keep working. Checked from inside
// (errno of open) and from the host (/proc/PID/cgroup, devices.list on v1). The pure-v2 path (a BPF
// program instead of devices.list) is covered in the VM: start-cgroup-v2-vm.test.ts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { cgroupHost, containerCgroupDir } from '../support/cgroup';
import { haco } from '../support/cli';
import { describeStart, makeWorkspace, uniqueName, type Workspace } from '../support/rootfs';
import { startInBackground, type RunningStart } from '../support/start';

jest.setTimeout(60_000);

let ws: Workspace;
const running: RunningStart[] = [];

/** The first block device of the host (e.g. `254 0 vda`): what the container must not be able to read. */
function hostDisk(): { major: number; minor: number; name: string } {
  const line = fs.readFileSync('/proc/partitions', 'utf8').split('\n').slice(2).find((l) => l.trim() !== '');
  if (!line) throw new Error('no block device in /proc/partitions');
  const [major, minor, , name] = line.trim().split(/\s+/);
  return { major: Number(major), minor: Number(minor), name: name! };
}

/** Run a shell script in a fresh container of this workspace; stdout and stderr kept for the messages. */
function run(name: string, chain: string, script: string): { status: number | null; stdout: string; stderr: string } {
  // The workspace's rootfs is shared by the tests: remove the nodes an earlier test made in /tmp.
  const r = haco(['start', ws.define(name, chain), '--', 'sh', '-c', `rm -f /tmp/disk /tmp/kmsg /tmp/lc\n${script}`], { env: ws.env });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The `KEY=VALUE` lines a script printed, as an object (so a failure shows all of them at once). */
function results(stdout: string): Record<string, string> {
  return Object.fromEntries([...stdout.matchAll(/^([a-z0-9-]+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]));
}

const v1 = () => cgroupHost().mode !== 'v2';

describeStart('haco start: the device allow-list (device cgroup) and /dev', () => {
  beforeAll(() => {
    ws = makeWorkspace('sec-dev');
    // Device nodes an image could ship (made on the host, as an untrusted image could carry them).
    const disk = hostDisk();
    fs.mkdirSync(path.join(ws.rootfs, 'probe-dev'));
    for (const [node, ...spec] of [
      ['disk', 'b', String(disk.major), String(disk.minor)],
      ['kmsg', 'c', '1', '11'],
      ['loop-control', 'c', '10', '237'],
    ]) {
      const r = spawnSync('mknod', [path.join(ws.rootfs, 'probe-dev', node!), ...spec], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`mknod ${node} on the host failed: ${r.stderr}`);
    }
  });
  afterEach(async () => {
    for (const r of running.splice(0)) {
      r.kill();
      await r.exited;
    }
  });
  afterAll(() => ws?.cleanup());

  test("even with CAP_MKNOD, mknod of the host's disk or kmsg is EPERM, and such nodes shipped in the image do not open; /dev/null & co. work", () => {
    const disk = hostDisk();
    const marker = `haco-devices-test-${process.pid}-${Date.now()}`;
    const script = [
      `mknod /tmp/disk b ${disk.major} ${disk.minor}; echo "mknod-disk=$?"`,
      'mknod /tmp/kmsg c 1 11; echo "mknod-kmsg=$?"',
      // A listed number may be made (and, outside the nodev /dev, used): the cgroup is selective.
      'rm -f /tmp/null2; mknod /tmp/null2 c 1 3; echo "mknod-null=$?"; echo x > /tmp/null2; echo "write-null2=$?"; rm -f /tmp/null2',
      'head -c 512 /probe-dev/disk > /dev/null; echo "read-shipped-disk=$?"',
      `{ echo ${marker} > /probe-dev/kmsg; }; echo "write-shipped-kmsg=$?"`,
      'echo hello > /dev/null; echo "write-null=$?"',
      'echo "zero-bytes=$(head -c 4 /dev/zero | wc -c)"',
      'echo "urandom-bytes=$(head -c 4 /dev/urandom | wc -c)"',
    ].join('\n');
    const r = run(uniqueName('dflt'), `.addCaps('mknod')`, script);
    expect({ status: r.status, results: results(r.stdout), stderr: r.stderr }).toEqual({
      status: 0,
      results: {
        'mknod-disk': '1',
        'mknod-kmsg': '1',
        'mknod-null': '0',
        'write-null2': '0',
        'read-shipped-disk': '1',
        'write-shipped-kmsg': '1',
        'write-null': '0',
        'zero-bytes': '4',
        'urandom-bytes': '4',
      },
      stderr: expect.any(String),
    });
    // Every refusal is the device cgroup's EPERM, not a missing node or a permission bit.
    for (const node of ['/tmp/disk', '/tmp/kmsg', '/probe-dev/disk', '/probe-dev/kmsg']) {
      expect({ node, stderr: r.stderr }).toEqual({ node, stderr: expect.stringMatching(new RegExp(`${node}.*Operation not permitted`)) });
    }
    // The host's kernel log never saw the marker.
    const dmesg = spawnSync('dmesg', [], { encoding: 'utf8' });
    expect({ status: dmesg.status, found: dmesg.stdout.includes(marker) }).toEqual({ status: 0, found: false });
  });

  test('/dev is a nosuid,nodev,noexec tmpfs with only the standard nodes; a node made in it cannot be used', () => {
    const script = [
      `grep ' /dev ' /proc/self/mountinfo | grep -v -e /dev/pts -e /dev/shm -e /dev/mqueue`,
      'ls /dev | sort | tr "\\n" " "; echo',
      'readlink /dev/ptmx',
      // /dev/null's number, made in /dev itself: the cgroup allows it, the nodev mount does not.
      'mknod /dev/null2 c 1 3; echo "mknod-null2=$?"', // needs CAP_MKNOD, added below
      'echo x > /dev/null2; echo "write-null2=$?"',
    ].join('\n');
    const r = run(uniqueName('dev'), `.addCaps('mknod')`, script);
    expect(r).toExitWith(0);
    const mount = r.stdout.split('\n')[0]!;
    expect({ mount, tmpfs: / - tmpfs /.test(mount) }).toEqual({ mount, tmpfs: true });
    const perMount = mount.split(' ')[5]!.split(',');
    expect(perMount).toEqual(expect.arrayContaining(['nosuid', 'nodev', 'noexec']));
    expect(mount).toMatch(/size=65536k/);
    expect(r.stdout.split('\n')[1]!.trim().split(' ')).toEqual(
      ['fd', 'full', 'mqueue', 'null', 'ptmx', 'pts', 'random', 'shm', 'stderr', 'stdin', 'stdout', 'tty', 'urandom', 'zero'],
    );
    expect(r.stdout.split('\n')[2]).toBe('pts/ptmx');
    expect({ results: results(r.stdout), stderr: r.stderr }).toEqual({
      results: { 'mknod-null2': '0', 'write-null2': '1' },
      stderr: expect.stringMatching(/null2.*Permission denied|Permission denied.*null2/),
    });
  });

  test(".device('/dev/loop-control') grants that one device: its node is there and opens; without it, EPERM", () => {
    // In a subshell: a failed redirection of `exec` ends a non-interactive shell.
    const open = (node: string) => `(exec 3<> ${node}) && echo "open=ok"`;
    const granted = run(uniqueName('grant'), `.device('/dev/loop-control')`, `ls -l /dev/loop-control; ${open('/dev/loop-control')}`);
    expect({ status: granted.status, stdout: granted.stdout, stderr: granted.stderr }).toEqual({
      status: 0,
      stdout: expect.stringMatching(/^c.* 10, *237 .*\/dev\/loop-control\nopen=ok\n$/),
      stderr: '',
    });
    // The same device as a node shipped in the image (outside the nodev /dev): only the device cgroup refuses it.
    const denied = run(uniqueName('nogrant'), '', `${open('/probe-dev/loop-control')}; echo "rc=$?"`);
    expect({ status: denied.status, stdout: denied.stdout, stderr: denied.stderr }).toEqual({
      status: 0,
      stdout: 'rc=1\n',
      stderr: expect.stringMatching(/\/probe-dev\/loop-control.*Operation not permitted/),
    });
  });

  test('from the host: the container sits in a devices cgroup of its own whose list is the plan\'s', async () => {
    const name = uniqueName('cg');
    const file = ws.define(name);
    const r = startInBackground(file, ['sh', '-c', `echo "ready"; while [ ! -e /tmp/stop-${name} ]; do sleep 0.05; done`], ws.env);
    running.push(r);
    await r.waitFor(/ready\n/);
    const plan = haco(['plan', '--json', file], { env: ws.env });
    const rules = (JSON.parse(plan.stdout) as { containers: Array<{ devices: Array<{ type: string; major: unknown; minor: unknown; access: string }> }> })
      .containers[0]!.devices.map((d) => `${d.type} ${String(d.major)}:${String(d.minor)} ${d.access}`);
    if (v1()) {
      const dir = containerCgroupDir(name, 'devices')!;
      const pids = fs.readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').trim().split('\n').filter(Boolean);
      expect(pids.length).toBeGreaterThan(0);
      const cgroupLine = fs.readFileSync(`/proc/${pids[0]}/cgroup`, 'utf8').split('\n').find((l) => /^\d+:devices:/.test(l));
      expect(cgroupLine).toBe(`${cgroupLine!.split(':')[0]}:devices:/haco/${name}`);
      expect(fs.readFileSync(path.join(dir, 'devices.list'), 'utf8').trim().split('\n').sort()).toEqual([...rules].sort());
    } else {
      // v2: the list lives in a BPF program; its effect is what the other tests check.
      expect(fs.existsSync(containerCgroupDir(name, 'pids')!)).toBe(true);
    }
    fs.writeFileSync(path.join(ws.rootfs, 'tmp', `stop-${name}`), '');
    expect(await r.exited).toExitWith(0);
    if (v1()) expect(fs.existsSync(containerCgroupDir(name, 'devices')!)).toBe(false);
  });

  test(".devices('host') (unsafe) turns the device cgroup off: a node of any number opens", () => {
    const r = run(uniqueName('host'), `.devices('host').addCaps('mknod')`, 'mknod /tmp/lc c 10 237 && (exec 3<> /tmp/lc) && echo "open=ok"; grep devices /proc/self/cgroup');
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    expect(r.stdout).toMatch(/^open=ok$/m);
    if (v1()) expect(r.stdout).toMatch(/^\d+:devices:\/$/m);
  });
});
