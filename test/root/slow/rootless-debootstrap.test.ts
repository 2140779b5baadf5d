// debootstrap as an ordinary user (docs/rootless.md): mmdebstrap --mode=unshare from the host's apt mirror
// writes a tar archive, unpacked as the container's root with haco's maps. Slow tier: 36 s to 2 min here
// (bookworm minbase, the mirror's speed decides; a bare mmdebstrap took 2m39s on a busy machine once),
// nothing cached between runs. A fresh user with subordinate ids.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeTestUser, type TestUser } from '../../support/rootless-user';
import { describeStart } from '../../support/rootfs';

jest.setTimeout(600_000);

describeStart('rootless: debootstrap through mmdebstrap\'s unshare mode (slow)', () => {
  let user: TestUser;
  let dir: string;
  let file: string;

  beforeAll(() => {
    user = makeTestUser(`hacorldeb${process.pid % 100000}`);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rootless-deb-'));
    fs.chmodSync(dir, 0o755);
    file = path.join(dir, 'deb.haco.ts');
    fs.writeFileSync(file, "import { defineContainer } from 'haco';\nexport default defineContainer('rl-deb').rootfs('/var/lib/haco/rl-deb/rootfs').bootstrap((b) => b.debootstrap({ suite: 'bookworm' })).command(['/bin/sh']);\n");
    fs.chmodSync(file, 0o644);
  });

  afterAll(() => {
    user?.remove();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('builds bookworm minbase as the user; root inside owns it, other ids are the subordinate range', () => {
    const created = user.haco(['create', file], 540_000);
    expect(created).toExitWith(0);
    expect(created.stderr).toContain('mmdebstrap --mode=unshare');
    const rootfs = `${user.home}/.local/share/haco/rl-deb/rootfs`;
    expect(fs.existsSync(path.join(rootfs, '.haco-mmdebstrap.tar'))).toBe(false);
    // /etc/shadow is root:shadow (0:42) inside: the user and subgid+41 on the host.
    const shadow = fs.statSync(path.join(rootfs, 'etc/shadow'));
    expect([shadow.uid, shadow.gid]).toEqual([user.uid, user.subgid + 41]);
    const r = user.haco(['start', file, '--', 'sh', '-c', 'cat /proc/self/uid_map; cat /etc/debian_version; stat -c "%u %g" /etc/shadow; apt-get --version | head -1']);
    expect(r).toExitWith(0);
    const lines = r.stdout.split('\n').map((l) => l.trim().split(/\s+/).join(' '));
    expect(lines.slice(0, 2)).toEqual([`0 ${user.uid} 1`, `1 ${user.subuid} 65536`]);
    expect(lines[2]).toMatch(/^12\.\d+$/);
    expect(lines[3]).toBe('0 42');
    expect(lines[4]).toMatch(/^apt \d/);
    expect(user.haco(['destroy', file, '--yes'], 120_000)).toExitWith(0);
    expect(fs.existsSync(rootfs)).toBe(false);
  });
});
