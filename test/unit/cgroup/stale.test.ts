import * as fs from 'node:fs';
import * as path from 'node:path';
import { detectCgroupHost } from '../../../src/cgroup/detect';
import { listStaleCgroups, staleCgroupsOf } from '../../../src/cgroup/stale';
import { fakeTree, removeTree, v1Tree } from './fake-tree';

const trees: string[] = [];
afterAll(() => trees.forEach(removeTree));

describe('listStaleCgroups', () => {
  it('lists empty cgroups of containers that are not running, deepest first', () => {
    const root = fakeTree({
      'cgroup.controllers': 'cpu memory pids',
      'haco/live/cgroup.procs': '',
      'haco/dead/cgroup.procs': '',
      'haco/dead/inner/cgroup.procs': '',
      'haco/busy/cgroup.procs': '4242\n',
      'haco/busy-child/cgroup.procs': '',
      'haco/busy-child/sub/cgroup.procs': '77\n',
      'other/cgroup.procs': '',
    });
    trees.push(root);
    const host = detectCgroupHost({ root, mountinfo: '' });
    expect(listStaleCgroups(host, ['live'])).toEqual([path.join(root, 'haco/dead/inner'), path.join(root, 'haco/dead')]);
  });

  it('looks in every v1 hierarchy and copes with a missing haco parent', () => {
    const root = v1Tree();
    trees.push(root);
    for (const h of ['pids', 'memory']) {
      fs.mkdirSync(path.join(root, h, 'haco/old'), { recursive: true });
      fs.writeFileSync(path.join(root, h, 'haco/old/cgroup.procs'), '');
    }
    const host = detectCgroupHost({ root, mountinfo: '' });
    expect(listStaleCgroups(host, []).map((p) => path.relative(root, p)).sort()).toEqual(['memory/haco/old', 'pids/haco/old']);
    expect(listStaleCgroups(host, ['old'])).toEqual([]);
  });

  it('staleCgroupsOf looks only at one name, in every hierarchy', () => {
    const root = v1Tree();
    trees.push(root);
    for (const [h, name, procs] of [['pids', 'old', ''], ['memory', 'old', ''], ['pids', 'other', ''], ['pids', 'busy', '42\n']] as const) {
      fs.mkdirSync(path.join(root, h, 'haco', name), { recursive: true });
      fs.writeFileSync(path.join(root, h, 'haco', name, 'cgroup.procs'), procs);
    }
    const host = detectCgroupHost({ root, mountinfo: '' });
    expect(staleCgroupsOf(host, 'old').map((p) => path.relative(root, p)).sort()).toEqual(['memory/haco/old', 'pids/haco/old']);
    expect(staleCgroupsOf(host, 'busy')).toEqual([]);
    expect(staleCgroupsOf(host, 'none')).toEqual([]);
  });
});
