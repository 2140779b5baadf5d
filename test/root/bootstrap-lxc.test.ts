import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeSandbox, type Sandbox } from '../unit/bootstrap/support/sandbox';

describe('bootstrap: lxc templates', () => {
  let sb: Sandbox;
  beforeAll(() => {
    sb = makeSandbox('lxc');
  });
  afterAll(() => sb.remove());

  it('the busybox template builds a rootfs; the private lxcpath is gone', () => {
    const rootfs = path.join(sb.dir, 'lx', 'rootfs');
    const file = sb.def('lx', `export default defineContainer('lx').rootfs(${JSON.stringify(rootfs)}).bootstrap((b) => b.lxc('busybox'))
      .provision((p) => p.step('probe', 'busybox true && echo ok > /root/ok'));`);
    const r = sb.run(['create', file]);
    expect(r.stderr).toContain('[bootstrap.lxc] lxc-create -P');
    expect(r).toExitWith(0);
    for (const p of ['bin/busybox', 'etc/passwd', 'etc/inittab', 'root/ok']) expect(fs.existsSync(path.join(rootfs, p))).toBe(true);
    // No lxc config and no temp dirs beside the rootfs; nothing registered with lxc.
    expect(fs.readdirSync(path.join(sb.dir, 'lx'))).toEqual(['rootfs']);
    expect(fs.existsSync(path.join(rootfs, 'config'))).toBe(false);

    // started for real: the template's busybox and inittab, the provisioned file
    const s = sb.start(file, ['/bin/sh', '-c', 'busybox | head -1; cat /root/ok; grep -c :: /etc/inittab >/dev/null && echo inittab; exit 6']);
    expect(s).toExitWith(6);
    expect(s.stdout).toMatch(/^BusyBox v[\d.]+.*\nok\ninittab\n$/);
    expect(sb.leftovers('lx')).toEqual([]);
  });

  it('an unknown template is a clear error with a suggestion, and leaves nothing', () => {
    const file = sb.def('typo', `export default defineContainer('typo').rootfs(${JSON.stringify(path.join(sb.dir, 'typo/rootfs'))}).bootstrap((b) => b.lxc('busybx'));`);
    const r = sb.run(['create', file]);
    expect(r).toExitWith(1);
    expect(r.stderr).toContain('lxc has no template "busybx"');
    expect(r.stderr).toContain('did you mean "busybox"');
    expect(fs.existsSync(path.join(sb.dir, 'typo'))).toBe(false);
  });

  it.each(['alpine', 'download'])('the %s template needs network: a clear error, and nothing left', (template) => {
    const args = template === 'download' ? "{ args: ['-d', 'alpine', '-r', '3.19', '-a', 'amd64'] }" : '{}';
    const file = sb.def(template, `export default defineContainer('${template}').rootfs(${JSON.stringify(path.join(sb.dir, template, 'rootfs'))}).bootstrap((b) => b.lxc('${template}', ${args}));`);
    const r = sb.run(['create', file]);
    expect(r).toExitWith(1);
    expect(r.stderr).toContain('E_LXC_NEEDS_NETWORK');
    expect(r.stderr).toContain(`the lxc template "${template}" needs network access`);
    expect(fs.existsSync(path.join(sb.dir, template))).toBe(false);
  });
});
