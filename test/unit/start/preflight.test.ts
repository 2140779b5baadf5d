// The command check of `haco start` looks where the launcher will look: for an overlay rootfs that is the
// upper layer (where `haco provision` writes) and every lower layer, not only the first lower one.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findCommand } from '../../../src/start/preflight';
import { planFixture } from '../../support/plan-fixture';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'haco-preflight-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function file(p: string): void {
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, '');
}

describe('findCommand', () => {
  it('finds commands in the upper layer and in any lower layer of an overlay', () => {
    const [upper, top, base] = ['upper', 'top', 'base'].map((d) => path.join(dir, d)) as [string, string, string];
    file(path.join(upper, 'usr/local/bin/provisioned'));
    file(path.join(base, 'bin/sh'));
    fs.mkdirSync(top);
    const c = planFixture({
      rootfs: { path: path.join(dir, 'merged'), overlay: { lower: [top, base], upper, work: path.join(dir, 'work') } },
      bootstrap: { strategy: 'none', post: [] },
      mounts: [],
    });
    expect(findCommand(c, 'provisioned')).toBe(true);
    expect(findCommand(c, '/bin/sh')).toBe(true);
    expect(findCommand(c, 'sh')).toBe(true);
    expect(findCommand(c, 'missing')).toBe(false);
  });

  it('follows an absolute symlink inside the rootfs, not on the host', () => {
    const root = path.join(dir, 'root');
    file(path.join(root, 'opt/real'));
    fs.mkdirSync(path.join(root, 'bin'), { recursive: true });
    fs.symlinkSync('/opt/real', path.join(root, 'bin/tool'));
    fs.symlinkSync('/etc/hostname', path.join(root, 'bin/host-only'));
    const c = planFixture({ rootfs: { path: root }, bootstrap: { strategy: 'none', post: [] }, mounts: [] });
    expect(findCommand(c, 'tool')).toBe(true);
    expect(findCommand(c, 'host-only')).toBe(false);
  });
});
