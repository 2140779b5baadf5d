import { seccompCacheDir } from '../../../src/start/seccomp-cache';
import type { HostFacts } from '../../../src/runtime/host-facts';
import { planFixture } from '../../support/plan-fixture';

const facts = (over: Partial<HostFacts> = {}) => ({ uid: process.getuid?.() ?? 0, ...over }) as HostFacts;
const withFilter = planFixture({ seccomp: { action: 'allow', rules: [] } });

describe('seccompCacheDir: where a start keeps its seccomp filter as BPF', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('as root: CACHE/seccomp under HACO_CACHE_DIR (an ordinary user: none)', () => {
    process.env['HACO_CACHE_DIR'] = '/tmp/seccomp-lane-cache';
    delete process.env['HACO_NO_CACHE'];
    expect(seccompCacheDir(withFilter, facts())).toBe(process.getuid?.() === 0 ? '/tmp/seccomp-lane-cache/seccomp' : undefined);
  });

  it('none without a filter, rootless, or with HACO_NO_CACHE=1', () => {
    process.env['HACO_CACHE_DIR'] = '/tmp/seccomp-lane-cache';
    expect(seccompCacheDir({ ...withFilter, seccomp: undefined }, facts())).toBeUndefined();
    expect(seccompCacheDir(withFilter, facts({ rootless: {} as HostFacts['rootless'] }))).toBeUndefined();
    process.env['HACO_NO_CACHE'] = '1';
    expect(seccompCacheDir(withFilter, facts())).toBeUndefined();
  });
});
