import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeSandbox, type Sandbox } from '../unit/bootstrap/support/sandbox';

describe('bootstrap: tarball and haco archive (round trip)', () => {
  let sb: Sandbox;
  let source: string;
  beforeAll(() => {
    sb = makeSandbox('tarball');
    source = sb.def(
      'src',
      `export default defineContainer('src').rootfs(${JSON.stringify(path.join(sb.dir, 'src/rootfs'))}).bootstrap((b) => b.busybox())
        .provision((p) => p.step('motd', 'echo round-trip > /etc/motd; chown 1234:5678 /etc/motd; mkdir -p /srv; ln /etc/motd /srv/hard'));`,
    );
  });
  afterAll(() => sb.remove());

  it('--dry-run before create says the size is unknown; after, prints an estimate and writes nothing', () => {
    const before = sb.run(['archive', source, '-o', 'x.tar.gz', '--dry-run']);
    expect(before).toExitWith(5);
    expect(before.stderr).toContain('does not exist yet');
    expect(sb.run(['create', source])).toExitWith(0);
    const after = sb.run(['archive', source, '-o', 'x.tar.gz', '--dry-run']);
    expect(after).toExitWith(0);
    expect(after.stdout).toMatch(/x\.tar\.gz: about [\d.]+ MiB before gz compression, \d+ files \(dry run/);
    expect(fs.existsSync(path.join(sb.dir, 'x.tar.gz'))).toBe(false);
  });

  it.each(['gz', 'xz', 'zst'])('archives as %s and the tarball strategy re-imports it identically', (format) => {
    const out = path.join(sb.dir, `src.tar.${format}`);
    const r = sb.run(['archive', source, '-o', out]);
    expect(r).toExitWith(0);
    expect(r.stdout.trim()).toBe(out);
    expect(fs.readdirSync(sb.dir).filter((f) => f.includes('haco-new'))).toEqual([]);

    const rootfs = path.join(sb.dir, `copy-${format}`, 'rootfs');
    const copy = sb.def(`copy-${format}`, `export default defineContainer('copy-${format}').rootfs(${JSON.stringify(rootfs)}).bootstrap((b) => b.tarball('./src.tar.${format}'));`);
    const c = sb.run(['create', copy]);
    expect(c.stderr).toMatch(/entries checked, extracting/);
    expect(c).toExitWith(0);
    expect(sb.listing(`copy-${format}/rootfs`)).toEqual(sb.listing('src/rootfs'));
    const motd = fs.statSync(path.join(rootfs, 'etc/motd'));
    expect([motd.uid, motd.gid, motd.nlink]).toEqual([1234, 5678, 2]);
    expect(fs.readFileSync(path.join(rootfs, 'etc/motd'), 'utf8')).toBe('round-trip\n');
    expect(fs.readlinkSync(path.join(rootfs, 'bin/sh'))).toBe('busybox');

    // the re-imported rootfs starts for real: owners, the hard link and the content survived
    const s = sb.start(copy, ['/bin/sh', '-c', 'cat /srv/hard; busybox stat -c %u:%g:%h /etc/motd; hostname; exit 5']);
    expect(s).toExitWith(5);
    expect(s.stdout).toBe(`round-trip\n1234:5678:2\ncopy-${format}\n`);
    expect(sb.leftovers(`copy-${format}`)).toEqual([]);
  });

  it('refuses an archive with ../ or symlink-escaping entries before extracting anything', () => {
    const evil = path.join(sb.dir, 'evil');
    const victim = path.join(sb.dir, 'victim');
    fs.mkdirSync(path.join(evil, 'etc'), { recursive: true });
    fs.mkdirSync(victim);
    fs.writeFileSync(path.join(evil, 'etc/passwd'), 'pwned\n');
    fs.symlinkSync(victim, path.join(evil, 'escape'));
    // ./escape -> victim, then ./escape/passwd (written through the link), then ../outside
    execFileSync('tar', ['-cf', path.join(sb.dir, 'evil.tar'), '-C', evil, './etc', './escape']);
    execFileSync('tar', ['-rf', path.join(sb.dir, 'evil.tar'), '-P', '-C', evil, '--transform=s,^\\./etc/passwd,./escape/passwd,', './etc/passwd']);
    execFileSync('tar', ['-rf', path.join(sb.dir, 'evil.tar'), '-P', '-C', evil, '--transform=s,^\\./etc/passwd,../outside,', './etc/passwd']);
    const file = sb.def('evil', `export default defineContainer('evil').rootfs(${JSON.stringify(path.join(sb.dir, 'evil-root/rootfs'))}).bootstrap((b) => b.tarball('./evil.tar'));`);
    const r = sb.run(['create', file]);
    expect(r).toExitWith(1);
    expect(r.stderr).toContain('E_TAR_UNSAFE');
    expect(r.stderr).toContain('"./escape/passwd": written through the symlink "escape"');
    expect(r.stderr).toContain('"../outside": path with ".." leaves the rootfs');
    expect(fs.readdirSync(victim)).toEqual([]);
    expect(fs.existsSync(path.join(sb.dir, 'outside'))).toBe(false);
    expect(fs.existsSync(path.join(sb.dir, 'evil-root'))).toBe(false);
  });

  it('a missing archive and a non-archive are clear errors', () => {
    const missing = sb.def('missing', `export default defineContainer('missing').rootfs(${JSON.stringify(path.join(sb.dir, 'm/rootfs'))}).bootstrap((b) => b.tarball('./nope.tar'));`);
    expect(sb.run(['create', missing]).stderr).toContain('nope.tar: no such file');
    fs.writeFileSync(path.join(sb.dir, 'junk.tar'), 'not a tar');
    const junk = sb.def('junk', `export default defineContainer('junk').rootfs(${JSON.stringify(path.join(sb.dir, 'j/rootfs'))}).bootstrap((b) => b.tarball('./junk.tar'));`);
    const r = sb.run(['create', junk]);
    expect(r.stderr).toContain('as a tar archive');
    expect(fs.existsSync(path.join(sb.dir, 'j'))).toBe(false);
    expect(fs.existsSync(path.join(sb.dir, 'm'))).toBe(false);
  });
});
