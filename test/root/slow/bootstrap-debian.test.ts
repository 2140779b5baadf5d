import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findMirror, readAptSources } from '../../../src/bootstrap/apt-mirror';
import { makeSandbox, type Sandbox } from '../../unit/bootstrap/support/sandbox';

/**
 * Real Debian from the host's configured apt mirror (~70 s cold each). Downloads are cached between CI
 * runs under /var/cache/haco-test/ (debootstrap's --cache-dir, the lxc template cache), and the
 * debootstrapped tree is archived there keyed by suite+variant+mirror for later imports. The tests
 * always run debootstrap and lxc-create for real; the caches only save the downloads.
 */
const CACHE = process.env['HACO_TEST_CACHE'] ?? '/var/cache/haco-test';
const SUITE = 'bookworm';
const mirror = findMirror(SUITE, readAptSources()) ?? 'http://deb.debian.org/debian';
const key = `${SUITE}-minbase-${createHash('sha256').update(mirror).digest('hex').slice(0, 12)}`;
const env = { HACO_DEBOOTSTRAP_CACHE: path.join(CACHE, 'debootstrap', key), HACO_LXC_CACHE: path.join(CACHE, 'lxc') };

jest.setTimeout(600_000);

describe('bootstrap: Debian (slow)', () => {
  let sb: Sandbox;
  beforeAll(() => {
    sb = makeSandbox('debian');
    fs.mkdirSync(CACHE, { recursive: true });
  });
  afterAll(() => sb.remove());

  it(`debootstrap minbase ${SUITE} from the configured mirror, provisioned with apt inside, archived to the cache`, () => {
    const rootfs = path.join(sb.dir, 'deb/rootfs');
    const file = sb.def(
      'deb',
      `export default defineContainer('deb').rootfs(${JSON.stringify(rootfs)}).bootstrap((b) => b.debootstrap({ suite: '${SUITE}' }))
        .provision((p) => p.step('apt', 'apt-get -o Acquire::Retries=3 update -q && apt-get install -y -q --no-install-recommends less && cat /etc/os-release > /root/os'));`,
    );
    const r = sb.run(['create', file], env);
    expect(r.stderr).toContain(`[bootstrap.debootstrap] suite ${SUITE} (minbase) from ${mirror}`);
    expect(r.stderr).toContain('I: Base system installed successfully.');
    expect(r).toExitWith(0);
    expect(fs.readFileSync(path.join(rootfs, 'etc/debian_version'), 'utf8')).toMatch(/^12\./);
    expect(fs.readFileSync(path.join(rootfs, 'root/os'), 'utf8')).toContain('bookworm');
    expect(fs.existsSync(path.join(rootfs, 'usr/bin/less'))).toBe(true);
    expect(fs.readdirSync(path.join(sb.dir, 'deb'))).toEqual(['rootfs']);
    // provisioned through the launcher: the apt session left no mount and no cgroup
    expect(sb.leftovers('deb')).toEqual([]);

    // started for real: Debian's os-release, the package apt installed, dpkg's view of it
    const s = sb.start(file, ['/bin/sh', '-c', 'cat /root/os; dpkg-query -W -f "\\${Status}\\n" less; hostname; exit 11']);
    expect(s).toExitWith(11);
    expect(s.stdout).toContain(`VERSION_CODENAME=${SUITE}`);
    // /root/os was written by the provision step, inside this tree
    expect(s.stdout).toContain('install ok installed\ndeb\n');
    expect(sb.leftovers('deb')).toEqual([]);

    const cached = path.join(CACHE, `debootstrap-${key}.tar.zst`);
    const a = sb.run(['archive', file, '-o', cached], env);
    expect(a).toExitWith(0);
    expect(fs.statSync(cached).size).toBeGreaterThan(20 * 1024 * 1024);
  });

  it('an unknown suite is a clear error before anything is downloaded', () => {
    const file = sb.def('badsuite', `export default defineContainer('badsuite').rootfs(${JSON.stringify(path.join(sb.dir, 'bad/rootfs'))}).bootstrap((b) => b.debootstrap({ suite: 'bookwrom' }));`);
    const r = sb.run(['create', file], env);
    expect(r).toExitWith(1);
    expect(r.stderr).toContain('debootstrap does not know the suite "bookwrom"');
    expect(r.stderr).toContain('did you mean "bookworm"');
    expect(fs.existsSync(path.join(sb.dir, 'bad'))).toBe(false);
  });

  it('a suite the mirror does not carry fails cleanly and leaves nothing', () => {
    // "jammy" is a suite debootstrap knows (Ubuntu) but a Debian mirror does not have.
    const file = sb.def('jammy', `export default defineContainer('jammy').rootfs(${JSON.stringify(path.join(sb.dir, 'jammy/rootfs'))}).bootstrap((b) => b.debootstrap({ suite: 'jammy', mirror: '${mirror}' }));`);
    const r = sb.run(['create', file], env);
    expect(r).toExitWith(1);
    expect(r.stderr).toMatch(/E_SUITE_NOT_ON_MIRROR|E_DEBOOTSTRAP/);
    expect(fs.existsSync(path.join(sb.dir, 'jammy'))).toBe(false);
  });

  it('the lxc debian template builds from the host mirror', () => {
    const rootfs = path.join(sb.dir, 'lxcdeb/rootfs');
    const file = sb.def('lxcdeb', `export default defineContainer('lxcdeb').rootfs(${JSON.stringify(rootfs)}).bootstrap((b) => b.lxc('debian', { args: ['-r', '${SUITE}'] }));`);
    const r = sb.run(['create', file], env);
    expect(r).toExitWith(0);
    expect(fs.readFileSync(path.join(rootfs, 'etc/debian_version'), 'utf8')).toMatch(/^12\./);
    expect(fs.readdirSync(path.join(sb.dir, 'lxcdeb'))).toEqual(['rootfs']);

    // started for real: the template's Debian, not the host's (same release here): a marker only the tree has
    fs.writeFileSync(path.join(rootfs, 'root/marker'), 'lxcdeb-tree\n');
    const s = sb.start(file, ['/bin/sh', '-c', 'cat /root/marker /etc/os-release; cat /etc/debian_version; exit 12']);
    expect(s).toExitWith(12);
    expect(s.stdout).toContain(`VERSION_CODENAME=${SUITE}`);
    expect(s.stdout).toMatch(/^lxcdeb-tree\n[\s\S]*\n12\.\d+\n$/);
    expect(sb.leftovers('lxcdeb')).toEqual([]);
  });
});
