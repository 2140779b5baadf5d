// Proves the cgroup-v2 VM harness (test/support/vm.ts): boot, pure cgroup2 with the controllers haco needs,
// exit status propagation, files put into the VM, timeouts killing QEMU.
import { describeVm, liveVmCount, runInVm, VmError } from '../support/vm';

jest.setTimeout(180_000);

function processGone(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

describeVm('cgroup-v2 VM harness', () => {
  afterEach(() => {
    expect(liveVmCount()).toBe(0);
  });

  test('boots a pure cgroup-v2 kernel with cpu, memory, pids, io, cpuset delegated', async () => {
    const r = await runInVm({
      script: [
        'echo "controllers: $(cat /sys/fs/cgroup/cgroup.controllers)"',
        'echo "subtree: $(cat /sys/fs/cgroup/cgroup.subtree_control)"',
        'cat /proc/self/mountinfo',
        'echo "v1: $(grep -c " - cgroup " /proc/self/mountinfo)"',
      ].join('\n'),
    });
    expect(r).toExitWith(0);
    const controllers = /^controllers: (.*)$/m.exec(r.output)?.[1].split(' ') ?? [];
    const subtree = /^subtree: (.*)$/m.exec(r.output)?.[1].split(' ') ?? [];
    for (const c of ['cpu', 'memory', 'pids', 'io', 'cpuset']) {
      expect(controllers).toContain(c);
      expect(subtree).toContain(c);
    }
    // mountinfo: "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS ... - FSTYPE SOURCE SUPEROPTS"
    const cgroupMounts = r.output
      .split('\n')
      .filter((l) => / - cgroup2? /.test(l))
      .map((l) => ({ point: l.split(' ')[4], fstype: l.split(' - ')[1].split(' ')[0] }));
    expect(cgroupMounts).toEqual([{ point: '/sys/fs/cgroup', fstype: 'cgroup2' }]);
    expect(r.output).toContain('v1: 0');
    expect(r.durationMs).toBeGreaterThan(0);
  });

  test("the script's exit status and output propagate; files are put in place", async () => {
    const r = await runInVm({
      files: {
        '/specs/hello.txt': { content: 'hello from the host\n' },
        '/opt/tool.sh': { content: '#!/bin/sh\necho "tool ran with $1"\n' },
        '/opt/bb/busybox': '/bin/busybox', // host path: copied with its mode
      },
      script: 'cat /specs/hello.txt\n/opt/tool.sh arg1\n/opt/bb/busybox echo copied-ok\nexit 42\n',
    });
    expect(r).toExitWith(42);
    expect(r.output).toBe('hello from the host\ntool ran with arg1\ncopied-ok\n');
  });

  test('a busybox rootfs can be made inside the VM (haco-mkrootfs)', async () => {
    const r = await runInVm({
      script: 'haco-mkrootfs /tmp/rootfs && chroot /tmp/rootfs /bin/sh -c "ls /bin/sh && echo in-rootfs"',
    });
    expect(r.output).toContain('in-rootfs');
    expect(r).toExitWith(0);
  });

  test('a timeout is an error and kills QEMU', async () => {
    const err = await runInVm({ script: 'echo sleeping; sleep 600', timeoutMs: 15_000 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(VmError);
    expect((err as VmError).message).toMatch(/timed out after 15000 ms/);
    expect(processGone((err as VmError).pid)).toBe(true);
  });
});
