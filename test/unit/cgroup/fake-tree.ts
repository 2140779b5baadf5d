import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** A throwaway directory tree standing in for /sys/fs/cgroup: never touch the real one in unit tests. */
export function fakeTree(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'haco-cgroup-'));
  for (const [rel, content] of Object.entries(files)) {
    const file = path.join(root, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    if (rel.endsWith('/')) fs.mkdirSync(file, { recursive: true });
    else fs.writeFileSync(file, content);
  }
  return root;
}

export function removeTree(root: string): void {
  fs.rmSync(root, { recursive: true, force: true });
}

/** A pure v2 host with the usual controllers. */
export function v2Tree(controllers = 'cpuset cpu io memory hugetlb pids rdma misc'): string {
  return fakeTree({ 'cgroup.controllers': controllers + '\n', 'cgroup.subtree_control': '', 'cgroup.procs': '' });
}

/**
 * A v1 host (optionally hybrid) with cpu,cpuacct co-mounted, as systemd used to do; `splitCpu` mounts cpu
 * and cpuacct apart instead (some hosts do, e.g. the one haco's root tests run on).
 */
export function v1Tree(opts: { hybrid?: boolean; memsw?: boolean; without?: string[]; splitCpu?: boolean } = {}): string {
  const cpu = opts.splitCpu ? ['cpu', 'cpuacct'] : ['cpu,cpuacct'];
  const hierarchies = [...cpu, 'cpuset', 'memory', 'pids', 'blkio', 'devices', 'freezer'].filter((h) => !(opts.without ?? []).includes(h));
  const files: Record<string, string> = {};
  for (const h of hierarchies) files[`${h}/cgroup.procs`] = '1\n';
  if (hierarchies.includes('cpuset')) {
    files['cpuset/cpuset.cpus'] = '0-3\n';
    files['cpuset/cpuset.mems'] = '0\n';
  }
  if (opts.memsw) files['memory/memory.memsw.limit_in_bytes'] = '9223372036854771712\n';
  files['systemd/cgroup.procs'] = '1\n';
  if (opts.hybrid) files['unified/cgroup.controllers'] = '\n';
  return fakeTree(files);
}

/** mountinfo lines describing a fake tree, like the kernel would for a real one. */
export function mountinfoFor(root: string, mounts: { dir: string; fs: 'cgroup' | 'cgroup2'; opts?: string }[]): string {
  const lines = [`30 1 0:27 / ${root.replace(/ /g, '\\040')} rw - tmpfs tmpfs rw,mode=755`];
  mounts.forEach((m, i) => {
    const point = m.dir === '' ? root : path.join(root, m.dir);
    lines.push(`${31 + i} 30 0:${28 + i} / ${point.replace(/ /g, '\\040')} rw,nosuid shared:${i + 5} - ${m.fs} ${m.fs} rw${m.opts ? ',' + m.opts : ''}`);
  });
  return lines.join('\n') + '\n';
}
