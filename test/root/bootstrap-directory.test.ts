import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeSandbox, modeOf, type Sandbox } from '../unit/bootstrap/support/sandbox';

describe('bootstrap: directory', () => {
  let sb: Sandbox;
  beforeAll(() => {
    sb = makeSandbox('directory');
    const tree = path.join(sb.dir, 'tree');
    fs.mkdirSync(path.join(tree, 'bin'), { recursive: true });
    fs.mkdirSync(path.join(tree, 'tmp'));
    fs.chmodSync(path.join(tree, 'tmp'), 0o1777);
    fs.copyFileSync('/bin/busybox', path.join(tree, 'bin/busybox'));
    fs.symlinkSync('busybox', path.join(tree, 'bin/sh'));
    fs.writeFileSync(path.join(tree, 'owned'), 'x');
    fs.chownSync(path.join(tree, 'owned'), 4321, 8765);
    fs.linkSync(path.join(tree, 'owned'), path.join(tree, 'owned-hardlink'));
  });
  afterAll(() => sb.remove());

  it('copies a tree with owners, modes, symlinks and hard links', () => {
    const rootfs = path.join(sb.dir, 'copy/rootfs');
    const file = sb.def('copy', `export default defineContainer('copy').rootfs(${JSON.stringify(rootfs)}).bootstrap((b) => b.directory('./tree'))
      .provision((p) => p.step('run', 'busybox echo inside > /ran'));`);
    const r = sb.run(['create', file]);
    expect(r).toExitWith(0);
    expect(fs.readlinkSync(path.join(rootfs, 'bin/sh'))).toBe('busybox');
    expect(modeOf(path.join(rootfs, 'tmp'))).toBe(0o1777);
    const owned = fs.statSync(path.join(rootfs, 'owned'));
    expect([owned.uid, owned.gid, owned.nlink]).toEqual([4321, 8765, 2]);
    expect(fs.readFileSync(path.join(rootfs, 'ran'), 'utf8')).toBe('inside\n');
    // the source is untouched
    expect(fs.existsSync(path.join(sb.dir, 'tree/ran'))).toBe(false);

    // started for real: the copy, not the source, with the file provision wrote
    const s = sb.start(file, ['/bin/sh', '-c', 'cat /ran; busybox stat -c %u:%g /owned; test ! -e /tree && echo root-is-copy; exit 3']);
    expect(s).toExitWith(3);
    expect(s.stdout).toBe('inside\n4321:8765\nroot-is-copy\n');
    expect(sb.leftovers('copy')).toEqual([]);
  });

  it('without a source it uses the tree already at the rootfs path', () => {
    const file = sb.def('existing', `export default defineContainer('existing').rootfs(${JSON.stringify(path.join(sb.dir, 'tree'))}).bootstrap((b) => b.directory());`);
    const r = sb.run(['create', file]);
    expect(r).toExitWith(0);
    expect(r.stdout.trim()).toBe(path.join(sb.dir, 'tree'));
  });

  it('a missing tree (no source, or a wrong source) is a clear error and leaves nothing', () => {
    const none = sb.def('none', `export default defineContainer('none').rootfs(${JSON.stringify(path.join(sb.dir, 'nothing/rootfs'))}).bootstrap((b) => b.directory());`);
    const r = sb.run(['create', none]);
    expect(r).toExitWith(5);
    expect(r.stderr).toContain('does not exist or is empty');
    const wrong = sb.def('wrong', `export default defineContainer('wrong').rootfs(${JSON.stringify(path.join(sb.dir, 'wrong/rootfs'))}).bootstrap((b) => b.directory('./no-such-tree'));`);
    const w = sb.run(['create', wrong]);
    expect(w).toExitWith(5);
    expect(w.stderr).toContain('no-such-tree: no such directory');
    expect(fs.existsSync(path.join(sb.dir, 'nothing'))).toBe(false);
    expect(fs.existsSync(path.join(sb.dir, 'wrong'))).toBe(false);
  });
});
