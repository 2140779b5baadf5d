import { externalMountsOf } from '../../../src/checkpoint/checkpoint';
import { criuDumpArgs, criuRestoreArgs, externalKey } from '../../../src/checkpoint/criu-args';
import { criuSupport } from '../../../src/checkpoint/criu-check';
import { defineContainer } from '../../../src/dsl/container';
import { buildPlan } from '../../../src/plan/build';

describe('the criu command lines of haco checkpoint / restore', () => {
  test('dump: the tree, cgroups with their limits, external mounts by key, --leave-running only when asked', () => {
    const argv = criuDumpArgs({ pid: 42, imagesDir: '/c/criu', logFile: 'dump.log', leaveRunning: false, network: false, externalMounts: [{ target: '/srv', source: '/data' }], shellJob: false });
    expect(argv).toEqual(['dump', '--tree', '42', '--images-dir', '/c/criu', '--log-file', 'dump.log', '-v4', '--manage-cgroups=full', '--file-locks', '--ext-unix-sk', '--external', 'mnt[/srv]:haco_srv']);
    const running = criuDumpArgs({ pid: 42, imagesDir: '/c', logFile: 'l', leaveRunning: true, network: true, externalMounts: [], shellJob: true });
    expect(running).toEqual(expect.arrayContaining(['--leave-running', '--tcp-established', '--shell-job']));
  });

  test('restore: criu stays the parent (pidfile), into the rootfs, mounts and veth mapped back, stdio pipes inherited', () => {
    const argv = criuRestoreArgs({
      imagesDir: '/c/criu',
      logFile: 'restore.log',
      pidFile: '/run/haco/web/restored.pid',
      rootfs: '/var/lib/haco/web/rootfs',
      network: true,
      veth: { guest: 'eth0', host: 'hweb', bridge: 'haco0' },
      externalMounts: [{ target: '/srv', source: '/data' }],
      inheritFds: [{ fd: 3, resource: 'pipe:[1234]' }],
      shellJob: false,
    });
    expect(argv.slice(0, 8)).toEqual(['restore', '--images-dir', '/c/criu', '--log-file', 'restore.log', '-v4', '--pidfile', '/run/haco/web/restored.pid']);
    expect(argv).not.toContain('--restore-detached');
    expect(argv.join(' ')).toContain('--root /var/lib/haco/web/rootfs --mntns-compat-mode --manage-cgroups=full');
    expect(argv.join(' ')).toContain('--external veth[eth0]:hweb@haco0 --external mnt[haco_srv]:/data --inherit-fd fd[3]:pipe:[1234]');
    expect(argv).toContain('--tcp-established');
  });

  test('external mounts of a default container: the /dev nodes bound from the host and the masked files', () => {
    const built = buildPlan('/t/x.haco.ts', defineContainer('x').bind('/data', '/srv'));
    if ('notContainers' in built) throw new Error(built.notContainers);
    const ext = externalMountsOf(built.plan.containers[0]!, (p) => p === '/proc/acpi');
    expect(ext).toEqual(expect.arrayContaining([{ target: '/srv', source: '/data' }, { target: '/dev/null', source: '/dev/null' }, { target: '/proc/kcore', source: '/dev/null' }]));
    expect(ext.map((m) => m.target)).not.toContain('/proc/acpi');
    expect(new Set(ext.map((m) => externalKey(m.target))).size).toBe(ext.length);
  });

  test('criu check: its first Error line is the reason', () => {
    const run = ((_: string, args: string[]) =>
      args[0] === '--version'
        ? { status: 0, stdout: 'Version: 3.17.1\n', stderr: '' }
        : { status: 1, stdout: '', stderr: 'Error (criu/vdso.c:381): vdso: Unexpected rt vDSO area bounds\nError (criu/vdso.c:613): x\n' }) as unknown as typeof import('node:child_process').spawnSync;
    expect(criuSupport(run)).toEqual({ ok: false, reason: 'criu 3.17.1: `criu check` fails on this kernel: vdso: Unexpected rt vDSO area bounds' });
  });
});
