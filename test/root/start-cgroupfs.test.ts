// cgroupfs inside a container with its own cgroup namespace (src/runtime/compile-cgroupfs.ts): mounted
// read-only at /sys/fs/cgroup, laid out as on this host (one directory per v1 hierarchy, or the unified
// one on v2), each rooted at the container's own cgroup, so the container reads its own limits there.
// The pure-v2 layout is also checked in a VM: start-cgroup-v2-vm.test.ts.
import { cgroupHost, leftoverCgroups } from '../support/cgroup';
import { haco } from '../support/cli';
import { describeStart, makeWorkspace, uniqueName, type Workspace } from '../support/rootfs';

jest.setTimeout(60_000);

let ws: Workspace;

const show = (r: { status: number | null; stdout: string; stderr: string }) => `status ${r.status}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;

describeStart('haco start: cgroupfs inside a cgroup namespace', () => {
  beforeAll(() => {
    ws = makeWorkspace('start-cgfs');
  });
  afterAll(() => ws?.cleanup());

  test('the container reads its own memory limit from /sys/fs/cgroup, and cannot write there (EROFS)', () => {
    const name = uniqueName('cgfs');
    const v2 = cgroupHost().mode === 'v2';
    const limitFile = v2 ? '/sys/fs/cgroup/memory.max' : '/sys/fs/cgroup/memory/memory.limit_in_bytes';
    const script = [
      `echo "limit=$(cat ${limitFile})"`,
      // The namespace root: the container's own cgroup is `/` in every hierarchy it joined.
      `echo "self=$(grep -m1 memory /proc/self/cgroup || grep -m1 '^0::' /proc/self/cgroup)"`,
      `echo "mount=$(awk '$5 == "/sys/fs/cgroup" { print $6 }' /proc/self/mountinfo | tail -n1)"`,
      `if sh -c 'echo 1G > ${limitFile}' 2>/tmp/err; then echo write=allowed; else echo "write=denied $(cat /tmp/err)"; fi`,
      `echo "limit-after=$(cat ${limitFile})"`,
    ].join('; ');
    const r = haco(['start', ws.define(name, `.unshare('cgroup').memory('48M')`), '--', 'sh', '-c', script], { env: ws.env });
    if (r.status !== 0) throw new Error(show(r));
    const rows = Object.fromEntries([...r.stdout.matchAll(/^([a-z-]+)=(.*)$/gm)].map((m) => [m[1], m[2]]));
    expect(rows['limit']).toBe(String(48 * 1024 * 1024));
    expect(rows['self']).toMatch(/:\/$/);
    expect(rows['mount']?.split(',')).toContain('ro');
    expect(rows['write']).toMatch(/^denied .*Read-only file system/);
    expect(rows['limit-after']).toBe(String(48 * 1024 * 1024));
    expect(leftoverCgroups(name)).toEqual([]);
  });

  test('v1/hybrid: every hierarchy of this host is there, read-only; without a cgroup namespace nothing is mounted', () => {
    const host = cgroupHost();
    if (host.mode === 'v2') return; // the v2 layout is the single mount checked above
    const name = uniqueName('cgfs1');
    const listing = `awk '$5 ~ "^/sys/fs/cgroup" { print $5, $6, $9 }' /proc/self/mountinfo`;
    const r = haco(['start', ws.define(name, `.unshare('cgroup')`), '--', 'sh', '-c', listing], { env: ws.env });
    if (r.status !== 0) throw new Error(show(r));
    const mounts = r.stdout.trim().split('\n').map((l) => l.split(' '));
    const hostDirs = Object.keys(host.v1?.mounts ?? {}).map((d) => d.replace(host.root, '/sys/fs/cgroup'));
    for (const dir of hostDirs) {
      const m = mounts.find(([mp]) => mp === dir);
      expect({ dir, fs: m?.[2], ro: m?.[1]?.split(',').includes('ro') }).toEqual({ dir, fs: 'cgroup', ro: true });
    }
    // The tmpfs holding them is read-only too (no new directory can be made there).
    const top = mounts.filter(([mp]) => mp === '/sys/fs/cgroup').pop();
    expect(top?.[1]?.split(',')).toContain('ro');

    const plain = haco(['start', ws.define(uniqueName('cgfs0')), '--', 'sh', '-c', listing], { env: ws.env });
    if (plain.status !== 0) throw new Error(show(plain));
    expect(plain.stdout.trim()).toBe('');
  });

  test('in a user namespace too: the limit is readable, writing still fails', () => {
    const name = uniqueName('cgfsu');
    const limitFile = cgroupHost().mode === 'v2' ? '/sys/fs/cgroup/memory.max' : '/sys/fs/cgroup/memory/memory.limit_in_bytes';
    const script = `cat ${limitFile}; if sh -c 'echo 1G > ${limitFile}' 2>/dev/null; then echo write=allowed; else echo write=denied; fi`;
    const r = haco(['start', ws.define(name, `.unshare('cgroup', 'user').mapRootTo(100000).memory('40M')`), '--', 'sh', '-c', script], { env: ws.env });
    if (r.status !== 0) throw new Error(show(r));
    expect(r.stdout.trim().split('\n')).toEqual([String(40 * 1024 * 1024), 'write=denied']);
    expect(leftoverCgroups(name)).toEqual([]);
  });
});
