import { defineContainer } from '../../../src/dsl/container';
import { applyImageRecord } from '../../../src/plan/image-defaults';
import type { ImageRecord } from '../../../src/plan/image-defaults';
import { parseImageReference } from '../../../src/plan/image-reference';

const record: ImageRecord = {
  version: 1,
  image: 'oci-archive:./img.tar',
  digest: `sha256:${'a'.repeat(64)}`,
  config: { entrypoint: ['/entry'], cmd: ['--serve'], env: ['PATH=/opt/bin', 'MODE=prod', 'FLAG'], workingDir: '/srv', user: 'app', exposedPorts: ['80/tcp'] },
  user: { uid: 100, gid: 101 },
};

describe('image config as defaults', () => {
  it('fills every field the definition left alone and says which', () => {
    const draft = defineContainer('a').bootstrap((b) => b.image('oci-archive:./img.tar')).toDraft();
    applyImageRecord(draft, record);
    expect(draft.plan.process.args).toEqual(['/entry', '--serve']);
    expect(draft.plan.process.env).toMatchObject({ PATH: '/opt/bin', MODE: 'prod', FLAG: '', HOME: '/root' });
    expect(draft.plan.process.cwd).toBe('/srv');
    expect(draft.plan.process.user).toEqual({ uid: 100, gid: 101, groups: [] });
    expect(draft.plan.bootstrap).toMatchObject({ pinned: { digest: record.digest, exposedPorts: ['80/tcp'], fromImage: ['process.args', 'process.env.PATH', 'process.env.MODE', 'process.env.FLAG', 'process.cwd', 'process.user'] } });
  });

  it('keeps what the definition set, even through extend()', () => {
    const base = defineContainer('b').bootstrap((b) => b.image('oci-archive:./img.tar')).command(['/mine']).env({ MODE: 'dev' }).workdir('/w').user(5);
    const draft = base.extend('c').toDraft();
    applyImageRecord(draft, record);
    expect(draft.plan.process.args).toEqual(['/mine']);
    expect(draft.plan.process.env['MODE']).toBe('dev');
    expect(draft.plan.process.env['PATH']).toBe('/opt/bin');
    expect(draft.plan.process.cwd).toBe('/w');
    expect(draft.plan.process.user.uid).toBe(5);
  });

  it('env replace: the image env is not merged at all', () => {
    const draft = defineContainer('d').bootstrap((b) => b.image('oci-archive:./img.tar')).env({ ONLY: '1' }, { replace: true }).toDraft();
    applyImageRecord(draft, record);
    expect(draft.plan.process.env).toEqual({ ONLY: '1' });
  });

  it('a record for another reference (the definition changed its image) is ignored', () => {
    const draft = defineContainer('e').bootstrap((b) => b.image('oci:./other:v2')).toDraft();
    applyImageRecord(draft, record);
    expect(draft.plan.process.args).toEqual(['/bin/sh']);
    expect(draft.plan.bootstrap).not.toHaveProperty('pinned');
  });
});

describe('image references', () => {
  it.each([
    ['docker://docker.io/library/alpine:3.20', 'docker://docker.io/library/alpine:3.20'],
    ['oci-archive:img.tar', 'oci-archive:/defs/img.tar'],
    ['oci:../layout:v1', 'oci:/layout:v1'],
    ['docker-archive:./saved.tar', 'docker-archive:/defs/saved.tar'],
  ])('%s → %s', (ref, skopeo) => {
    expect(parseImageReference(ref, '/defs')?.skopeo).toBe(skopeo);
  });
  it.each(['alpine:3.20', 'docker://', 'oci:'])('refuses %s', (ref) => {
    expect(parseImageReference(ref, '/defs')).toBeUndefined();
  });
});
