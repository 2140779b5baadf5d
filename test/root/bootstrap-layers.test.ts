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

describe('layers on layers: base → layer1 → layer2', () => {
  let sb: Sandbox;
  let file: string;
  const dir = (...p: string[]) => path.join(sb.dir, ...p);
  beforeAll(() => {
    sb = makeSandbox('layers2');
    file = sb.def(
      'layers2',
      `const base = defineContainer('base').rootfs(${JSON.stringify(path.join(sb.dir, 'base/rootfs'))}).bootstrap((b) => b.busybox());
       const layer1 = defineContainer('layer1').rootfs(${JSON.stringify(path.join(sb.dir, 'layer1/merged'))}, { lower: base })
         .provision((p) => p.step('one', 'echo one > /etc/one; echo l1 >> /etc/hostname'));
       const layer2 = defineContainer('layer2').rootfs(${JSON.stringify(path.join(sb.dir, 'layer2/merged'))}, { lower: layer1 })
         .provision((p) => p.step('two', 'echo two > /etc/two; rm /bin/vi; echo l2 >> /etc/hostname'));
       export default [layer2, layer1, base];`,
    );
  });
  afterAll(() => sb.remove());

  it('the plan stacks layer1\'s upper over the base for layer2', () => {
    const r = sb.run(['plan', file, '--json']);
    expect(r).toExitWith(0);
    const plan = JSON.parse(r.stdout) as { containers: Array<{ name: string; rootfs: { overlay?: { lower: string[] } } }> };
    expect(plan.containers.find((c) => c.name === 'layer2')?.rootfs.overlay?.lower).toEqual([dir('layer1/upper'), dir('base/rootfs')]);
  });

  it('creates all three in order; each level\'s file is visible in layer2, its writes land only in its own upper', () => {
    const r = sb.run(['create', file]);
    if (r.status !== 0) throw new Error(`haco create: status ${r.status}\n${r.stderr}`);
    expect(r.stdout.trim().split('\n')).toEqual([dir('base/rootfs'), dir('layer1/merged'), dir('layer2/merged')]);
    expect(fs.readFileSync(dir('layer1/upper/etc/one'), 'utf8')).toBe('one\n');
    expect(fs.readFileSync(dir('layer2/upper/etc/two'), 'utf8')).toBe('two\n');
    expect(fs.existsSync(dir('layer1/upper/etc/two'))).toBe(false);

    const s = sb.start(file, ['/bin/sh', '-c', 'cat /etc/one /etc/two /etc/hostname; test -x /bin/busybox && echo base-ok; test -e /bin/vi || echo no-vi; echo w > /written; exit 0'], 'layer2');
    if (s.status !== 0) throw new Error(`haco start: status ${s.status}\n${s.stderr}`);
    expect(s.stdout).toBe('one\ntwo\nbase\nl1\nl2\nbase-ok\nno-vi\n');
    // layer2's delete is a whiteout in its own upper; the base below keeps the file
    expect(fs.lstatSync(dir('layer2/upper/bin/vi')).isCharacterDevice()).toBe(true);
    expect(fs.existsSync(dir('base/rootfs/bin/vi'))).toBe(true);
    expect(fs.readFileSync(dir('layer2/upper/written'), 'utf8')).toBe('w\n');
    expect(fs.existsSync(dir('layer1/upper/written'))).toBe(false);
    expect(fs.existsSync(dir('base/rootfs/written'))).toBe(false);
    expect(fs.readFileSync(dir('layer1/upper/etc/hostname'), 'utf8')).toBe('base\nl1\n');
    expect(sb.leftovers('layer2')).toEqual([]);
    // layer1 still starts on its own and never sees layer2's files
    const one = sb.start(file, ['/bin/sh', '-c', 'test -e /etc/two || echo no-two; test -e /written || echo no-written; test -e /bin/vi && echo vi; exit 0'], 'layer1');
    expect(one.stdout).toBe('no-two\nno-written\nvi\n');
    expect(sb.leftovers('layer1')).toEqual([]);
  });

  it('the mount point of a layered container as a path says to pass the container itself', () => {
    const f = sb.def(
      'bypath',
      `const layer1 = defineContainer('layer1').rootfs(${JSON.stringify(dir('layer1/merged'))}, { lower: ${JSON.stringify(dir('base/rootfs'))} });
       const bad = defineContainer('bad').rootfs(${JSON.stringify(dir('bad/merged'))}, { lower: ${JSON.stringify(dir('layer1/merged'))} });
       export default [bad, layer1];`,
    );
    const r = sb.run(['create', f, '-c', 'bad']);
    expect(r).toExitWith(5);
    expect(r.stderr).toContain('is the mount point of the layered container "layer1"');
    expect(r.stderr).toContain('{ lower: layer1 }');
    expect(fs.existsSync(dir('bad'))).toBe(false);
  });
});
