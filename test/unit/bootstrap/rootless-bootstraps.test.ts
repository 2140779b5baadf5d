// Bootstraps an ordinary user runs (docs/rootless.md): debootstrap through mmdebstrap's unshare mode, lxc
// templates with haco's own id maps. Root tests: test/root/rootless-lxc.test.ts, test/root/slow/rootless-debootstrap.test.ts.
import { explainLxcFailure, lxcIdmapConfig } from '../../../src/bootstrap/lxc';
import { mmdebstrapArgs } from '../../../src/bootstrap/mmdebstrap';
import { ROOTLESS_BOOTSTRAPS } from '../../../src/bootstrap/tools';
import type { DebootstrapBootstrap } from '../../../src/plan/types';
import type { RootlessIdentity } from '../../../src/rootless/identity';

const full: RootlessIdentity = { uid: 1001, gid: 1001, user: 'alice', subuid: [{ start: 100000, count: 65536 }], subgid: [{ start: 200000, count: 65536 }], fullRange: true };
const plan = (over: Partial<DebootstrapBootstrap> = {}): DebootstrapBootstrap => ({ strategy: 'debootstrap', suite: 'bookworm', variant: 'minbase', components: [], include: [], post: [], ...over });

describe('rootless bootstraps', () => {
  it('debootstrap and lxc are among the bootstraps a user may run', () => {
    expect(ROOTLESS_BOOTSTRAPS).toEqual(expect.arrayContaining(['debootstrap', 'lxc']));
    expect(ROOTLESS_BOOTSTRAPS).not.toContain('image');
  });

  it('mmdebstrap: unshare mode, debootstrap\'s variant names translated, a tar archive as the target', () => {
    expect(mmdebstrapArgs(plan(), '/w/.haco-mmdebstrap.tar', 'http://deb.debian.org/debian')).toEqual([
      '--mode=unshare',
      '--variant=minbase',
      '--skip=output/dev',
      'bookworm',
      '/w/.haco-mmdebstrap.tar',
      'http://deb.debian.org/debian',
    ]);
    expect(mmdebstrapArgs(plan({ variant: 'default', components: ['main', 'contrib'], include: ['iproute2'], arch: 'amd64' }), '/w/t.tar', 'http://m/debian')).toEqual([
      '--mode=unshare',
      '--variant=debootstrap',
      '--skip=output/dev',
      '--components=main,contrib',
      '--include=iproute2',
      '--architectures=amd64',
      'bookworm',
      '/w/t.tar',
      'http://m/debian',
    ]);
  });

  it('lxc: the template runs with haco\'s maps (root = the user, 1… = the subordinate ranges)', () => {
    expect(lxcIdmapConfig(full)).toBe(['lxc.idmap = u 0 1001 1', 'lxc.idmap = u 1 100000 65536', 'lxc.idmap = g 0 1001 1', 'lxc.idmap = g 1 200000 65536', ''].join('\n'));
  });

  it('lxc: a template that cannot run unprivileged fails with what to use instead', () => {
    const e = explainLxcFailure('debian', 1, ['This script should be run as \'root\''], true);
    expect(e.code).toBe('E_LXC_CREATE');
    expect(e.message).toContain('as an ordinary user');
    expect(e.hint).toContain('b.busybox(), b.debootstrap()');
  });
});
