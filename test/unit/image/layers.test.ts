import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defineContainer } from '../../../src/dsl/container';
import { chainIds } from '../../../src/bootstrap/image-layers';
import { lookupMerged, makeMergedDir } from '../../../src/image/merged-view';
import { applyImageRecord, type ImageRecord } from '../../../src/plan/image-defaults';

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;

describe('shared image layers', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'haco-image-layers-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('chain IDs follow the image-spec: the first is its diff_id, then sha256 of "PARENT DIFFID"', () => {
    // `printf '%s' "$A $B" | sha256sum` by hand
    expect(chainIds([{ blob: '', digest: A, diffId: A }, { blob: '', digest: B, diffId: B }])).toEqual([A, 'sha256:ccd722928bd92476ba1745586fed6e45a102504185ad88cd89e01ff116fd146c']);
    expect(() => chainIds([{ blob: '', digest: A, diffId: 'md5:x' }])).toThrow('unexpected diff_id');
  });

  it('the merged view: the top layer wins, a non-directory on the way ends the walk', () => {
    const [top, bottom] = [path.join(dir, 'top'), path.join(dir, 'bottom')];
    fs.mkdirSync(path.join(top, 'etc'), { recursive: true });
    fs.mkdirSync(path.join(bottom, 'etc'), { recursive: true });
    fs.mkdirSync(path.join(bottom, 'opt/real'), { recursive: true });
    fs.writeFileSync(path.join(top, 'etc/passwd'), 'top\n');
    fs.writeFileSync(path.join(bottom, 'etc/passwd'), 'bottom\n');
    fs.writeFileSync(path.join(bottom, 'etc/group'), 'bottom\n');
    fs.writeFileSync(path.join(bottom, 'opt/real/file'), 'x\n');
    fs.symlinkSync('/etc', path.join(top, 'opt'));
    const layers = [top, bottom];
    expect(lookupMerged(layers, 'etc/passwd')?.file).toBe(path.join(top, 'etc/passwd'));
    expect(lookupMerged(layers, 'etc/group')?.file).toBe(path.join(bottom, 'etc/group'));
    expect(lookupMerged(layers, '/opt/real/file')).toBeUndefined(); // /opt is a symlink in the top layer
    expect(lookupMerged(layers, 'etc/../etc/passwd')).toBeUndefined();
    expect(lookupMerged(layers, 'nope')).toBeUndefined();
  });

  it("the WorkingDir is made in the upper, with a lower dir's mode where one exists, never through a symlink", () => {
    const [upper, lower] = [path.join(dir, 'upper'), path.join(dir, 'lower')];
    fs.mkdirSync(upper);
    fs.mkdirSync(path.join(lower, 'srv'), { recursive: true, mode: 0o750 });
    fs.chmodSync(path.join(lower, 'srv'), 0o750);
    fs.symlinkSync('/tmp', path.join(lower, 'link'));
    makeMergedDir(upper, [lower], '/srv/app');
    expect(fs.statSync(path.join(upper, 'srv')).mode & 0o7777).toBe(0o750);
    expect(fs.statSync(path.join(upper, 'srv/app')).isDirectory()).toBe(true);
    makeMergedDir(upper, [lower], '/link/app');
    expect(fs.existsSync(path.join(upper, 'link'))).toBe(false);
  });

  it("a pin with layers makes the rootfs an overlay of them (top first), only with layers: 'shared'", () => {
    const record: ImageRecord = { version: 1, image: 'oci:./l:t', digest: A, config: { entrypoint: [], cmd: ['/bin/sh'], env: [], workingDir: '', user: '', exposedPorts: [] }, layers: ['/c/layers/one', '/c/layers/two'] };
    const shared = defineContainer('s').rootfs('/v/s/rootfs').bootstrap((b) => b.image('oci:./l:t', { layers: 'shared' })).toDraft();
    applyImageRecord(shared, record);
    expect(shared.plan.rootfs.overlay).toEqual({ lower: ['/c/layers/two', '/c/layers/one'], upper: '/v/s/upper', work: '/v/s/work' });
    const copied = defineContainer('c').rootfs('/v/c/rootfs').bootstrap((b) => b.image('oci:./l:t')).toDraft();
    applyImageRecord(copied, record);
    expect(copied.plan.rootfs.overlay).toBeUndefined();
  });
});
