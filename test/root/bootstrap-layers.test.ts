import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeSandbox, type Sandbox } from '../unit/bootstrap/support/sandbox';

describe('shared overlay layers', () => {
  let sb: Sandbox;
  let file: string;
  let base: string;
  beforeAll(() => {
    sb = makeSandbox('layers');
    base = path.join(sb.dir, 'base/rootfs');
    file = sb.def(
      'layers',
      `const base = defineContainer('base').rootfs(${JSON.stringify(base)}).bootstrap((b) => b.busybox());
       const child = defineContainer('child').rootfs(${JSON.stringify(path.join(sb.dir, 'child/merged'))}, { lower: base })
         .provision((p) => p.step('change', 'echo child > /etc/child; echo changed >> /etc/hostname; rm /bin/vi'));
       export default [child, base];`,
    );
  });
  afterAll(() => sb.remove());

  it('a child before its base says to create the base first', () => {
    const r = sb.run(['create', file, '-c', 'child']);
    expect(r).toExitWith(5);
    expect(r.stderr).toContain('does not exist yet');
    expect(r.stderr).toContain('haco create FILE -c base');
    expect(fs.existsSync(path.join(sb.dir, 'child'))).toBe(false);
  });

  it('creates the base first, then only upper/work/merged for the child; changes go to upper', () => {
    const r = sb.run(['create', file]);
    expect(r).toExitWith(0);
    expect(r.stdout.trim().split('\n')).toEqual([base, path.join(sb.dir, 'child/merged')]);
    expect(fs.readdirSync(path.join(sb.dir, 'child')).sort()).toEqual(['merged', 'upper', 'work']);
    expect(fs.readdirSync(path.join(sb.dir, 'child/merged'))).toEqual([]);
    const upper = path.join(sb.dir, 'child/upper');
    // new file: only in upper; modified file: copied up whole; deleted file: a whiteout (char 0:0)
    expect(fs.readFileSync(path.join(upper, 'etc/child'), 'utf8')).toBe('child\n');
    expect(fs.readFileSync(path.join(upper, 'etc/hostname'), 'utf8')).toBe('base\nchanged\n');
    const whiteout = fs.lstatSync(path.join(upper, 'bin/vi'));
    expect(whiteout.isCharacterDevice() && whiteout.rdev === 0).toBe(true);
    // the base is untouched
    expect(fs.readFileSync(path.join(base, 'etc/hostname'), 'utf8')).toBe('base\n');
    expect(fs.existsSync(path.join(base, 'bin/vi'))).toBe(true);
    expect(fs.existsSync(path.join(base, 'etc/child'))).toBe(false);
  });

  it('starts the child through the merged view: its upper writes visible, the lower unchanged', () => {
    const s = sb.start(file, ['/bin/sh', '-c', 'cat /etc/child /etc/hostname; test -e /bin/vi || echo no-vi; echo new > /started; exit 8'], 'child');
    expect(s).toExitWith(8);
    expect(s.stdout).toBe('child\nbase\nchanged\nno-vi\n');
    expect(fs.readFileSync(path.join(sb.dir, 'child/upper/started'), 'utf8')).toBe('new\n');
    expect(fs.existsSync(path.join(base, 'started'))).toBe(false);
    expect(fs.readdirSync(path.join(sb.dir, 'child/merged'))).toEqual([]);
    expect(sb.leftovers('child')).toEqual([]);
    // the base starts on its own and never saw the child's changes
    const b = sb.start(file, ['/bin/sh', '-c', 'test -e /etc/child || echo no-child; test -e /bin/vi && echo vi; exit 0'], 'base');
    expect(b).toExitWith(0);
    expect(b.stdout).toBe('no-child\nvi\n');
    expect(sb.leftovers('base')).toEqual([]);
  });

  it('archives the child flattened: its own files in, whited-out ones out', () => {
    const out = path.join(sb.dir, 'child.tar');
    const r = sb.run(['archive', file, '-c', 'child', '-o', out]);
    expect(r).toExitWith(0);
    const names = execFileSync('tar', ['-tf', out], { encoding: 'utf8' }).split('\n');
    expect(names).toContain('./etc/child');
    expect(names).toContain('./bin/busybox');
    expect(names).not.toContain('./bin/vi');
    expect(fs.readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(path.join(sb.dir, 'child'));
  });
});
