import * as fs from 'node:fs';
import * as path from 'node:path';
import { detectCgroupHost } from '../../../src/cgroup/detect';
import { parseMountinfo } from '../../../src/procfs/mountinfo';
import { DEFAULT_CGROUP_ROOT, resolveCgroupRoot } from '../../../src/cgroup/root';
import { CgroupError } from '../../../src/errors';
import { fakeTree, mountinfoFor, removeTree, v1Tree, v2Tree } from './fake-tree';

const trees: string[] = [];
const track = (t: string) => (trees.push(t), t);
afterAll(() => trees.forEach(removeTree));

describe('cgroup root', () => {
  it('defaults to /sys/fs/cgroup, then HACO_CGROUP_ROOT, then the argument', () => {
    expect(resolveCgroupRoot(undefined, {})).toBe(DEFAULT_CGROUP_ROOT);
    expect(resolveCgroupRoot(undefined, { HACO_CGROUP_ROOT: '/tmp/cg/' })).toBe('/tmp/cg');
    expect(resolveCgroupRoot('/x', { HACO_CGROUP_ROOT: '/tmp/cg' })).toBe('/x');
  });
});

describe('mountinfo parsing', () => {
  it('reads mount point, type and super options, with octal escapes', () => {
    const [e] = parseMountinfo('32 31 0:29 / /sys/fs/cgroup/cpu\\040x rw,relatime shared:9 master:2 - cgroup cgroup rw,cpu,cpuacct\n');
    expect(e).toEqual({
      id: 32, parent: 31, root: '/', mountPoint: '/sys/fs/cgroup/cpu x', options: ['rw', 'relatime'],
      fsType: 'cgroup', source: 'cgroup', superOptions: ['rw', 'cpu', 'cpuacct'],
    });
  });
});

describe('detectCgroupHost', () => {
  it('detects pure v2 from mountinfo and reads the available controllers', () => {
    const root = track(v2Tree('cpu memory pids'));
    const host = detectCgroupHost({ root, mountinfo: mountinfoFor(root, [{ dir: '', fs: 'cgroup2' }]) });
    expect(host).toEqual({ mode: 'v2', root, v2: { path: root, controllers: ['cpu', 'memory', 'pids'] } });
  });

  it('detects v2 from the tree when mountinfo says nothing about the root (HACO_CGROUP_ROOT)', () => {
    const root = track(v2Tree());
    const host = detectCgroupHost({ mountinfo: '', env: { HACO_CGROUP_ROOT: root } });
    expect(host.mode).toBe('v2');
    expect(host.v2?.controllers).toContain('io');
  });

  it('detects hybrid: v1 hierarchies plus v2 at ROOT/unified', () => {
    const root = track(v1Tree({ hybrid: true }));
    const mi = mountinfoFor(root, [
      { dir: 'cpu,cpuacct', fs: 'cgroup', opts: 'cpu,cpuacct' },
      { dir: 'cpuset', fs: 'cgroup', opts: 'cpuset' },
      { dir: 'pids', fs: 'cgroup', opts: 'pids' },
      { dir: 'systemd', fs: 'cgroup', opts: 'xattr,name=systemd' },
      { dir: 'unified', fs: 'cgroup2' },
    ]);
    const host = detectCgroupHost({ root, mountinfo: mi });
    expect(host.mode).toBe('hybrid');
    expect(host.v2).toEqual({ path: path.join(root, 'unified'), controllers: [] });
    expect(host.v1?.hierarchies).toEqual({
      cpu: path.join(root, 'cpu,cpuacct'),
      cpuacct: path.join(root, 'cpu,cpuacct'),
      cpuset: path.join(root, 'cpuset'),
      pids: path.join(root, 'pids'),
    });
    expect(host.v1?.cpusetRoot).toEqual({ cpus: '0-3', mems: '0' });
    // Every hierarchy, named ones too, with what names it again inside a cgroup namespace.
    expect(host.v1?.mounts).toEqual({
      [path.join(root, 'cpu,cpuacct')]: ['cpu', 'cpuacct'],
      [path.join(root, 'cpuset')]: ['cpuset'],
      [path.join(root, 'pids')]: ['pids'],
      [path.join(root, 'systemd')]: ['name=systemd'],
    });
  });

  it('detects v1 from the tree, with swap accounting and haco cpuset values', () => {
    const root = track(v1Tree({ memsw: true }));
    fs.mkdirSync(path.join(root, 'cpuset/haco'));
    fs.writeFileSync(path.join(root, 'cpuset/haco/cpuset.cpus'), '1-2\n');
    fs.writeFileSync(path.join(root, 'cpuset/haco/cpuset.mems'), '0\n');
    const host = detectCgroupHost({ root, mountinfo: '' });
    expect(host.mode).toBe('v1');
    expect(host.v2).toBeUndefined();
    expect(host.v1?.memswAvailable).toBe(true);
    expect(host.v1?.cpusetHaco).toEqual({ cpus: '1-2', mems: '0' });
    expect(host.v1?.hierarchies['blkio']).toBe(path.join(root, 'blkio'));
    expect(host.v1?.hierarchies['cpuacct']).toBe(path.join(root, 'cpu,cpuacct'));
    expect(Object.keys(host.v1?.hierarchies ?? {})).not.toContain('systemd');
  });

  it('fails with a coded error when there is no cgroup filesystem', () => {
    const root = track(fakeTree({ 'nothing/here': '' }));
    expect(() => detectCgroupHost({ root, mountinfo: '' })).toThrow(CgroupError);
    try {
      detectCgroupHost({ root, mountinfo: '' });
    } catch (e) {
      expect((e as CgroupError).code).toBe('E_CGROUP_NOT_FOUND');
      expect((e as CgroupError).hint).toMatch(/HACO_CGROUP_ROOT/);
    }
  });
});
