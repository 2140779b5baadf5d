// Issue 14.4: the namespace list `haco new` writes is the set in force. Deleting 'uts' from it puts the
// started container in the host's uts namespace (the same nsfs inode), and the hostname stays the host's.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeSandbox, type Sandbox } from '../unit/bootstrap/support/sandbox';

jest.setTimeout(60_000);

describe('the template\'s namespace list, edited the way a learner does', () => {
  let sb: Sandbox;
  const name = `tplns-${process.pid}`;
  beforeAll(() => {
    sb = makeSandbox('tplns');
  });
  afterAll(() => sb.remove());

  /** `stat -L -c %i` of /proc/self/ns/uts: the namespace's inode (readlink of nsfs names it the same way). */
  const utsInode = (pid: number | 'self') => String(fs.statSync(`/proc/${pid}/ns/uts`).ino);

  it('deleting uts from .namespaces(…) shares the host\'s uts namespace', () => {
    const file = path.join(sb.dir, `${name}.haco.ts`);
    const created = sb.run(['new', file, '--name', name, '--root', path.join(sb.dir, name, 'rootfs')]);
    expect({ status: created.status, stderr: created.stderr }).toEqual({ status: 0, stderr: '' });
    const made = sb.run(['create', file]);
    expect({ status: made.status, stderr: made.stderr.replace(/^\[.*\n/gm, '') }).toMatchObject({ status: 0 });
    const probe = ['/bin/sh', '-c', 'stat -L -c %i /proc/self/ns/uts; hostname'];

    const before = sb.start(file, probe);
    expect({ status: before.status, stderr: before.stderr }).toEqual({ status: 0, stderr: '' });
    const [ownInode, ownName] = before.stdout.trim().split('\n');
    expect(ownInode).not.toBe(utsInode('self'));
    expect(ownName).toBe(name);

    const text = fs.readFileSync(file, 'utf8');
    const edited = text.replace(/(\.namespaces\([^)]*)'uts', /, '$1');
    expect(edited).not.toBe(text);
    fs.writeFileSync(file, edited);
    const after = sb.start(file, probe);
    expect({ status: after.status, stderr: after.stderr }).toEqual({ status: 0, stderr: '' });
    expect(after.stdout.trim().split('\n')).toEqual([utsInode('self'), os.hostname()]);
    expect(sb.leftovers(name)).toEqual([]);
  });
});
