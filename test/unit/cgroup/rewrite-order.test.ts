import { orderCgroupRewrites, type CgroupRewrite } from '../../../src/cgroup/rewrite-order';

const dir = '/sys/fs/cgroup/memory/haco/web';
const GiB = 1024 ** 3;
const limit = (before: number | undefined, value: number | string): CgroupRewrite => ({ path: `${dir}/memory.limit_in_bytes`, before: before === undefined ? undefined : String(before), value: String(value) });
const memsw = (before: number | string | undefined, value: number | string): CgroupRewrite => ({ path: `${dir}/memory.memsw.limit_in_bytes`, before: before === undefined ? undefined : String(before), value: String(value) });
const names = (ws: CgroupRewrite[]) => ws.map((w) => w.path.slice(dir.length + 1));

describe('orderCgroupRewrites (the kernel keeps memory.limit_in_bytes ≤ memory.memsw.limit_in_bytes)', () => {
  it('raising the limit past the old memsw: memsw first', () => {
    expect(names(orderCgroupRewrites([limit(1 * GiB, 3 * GiB), memsw(2 * GiB, 4 * GiB)]))).toEqual(['memory.memsw.limit_in_bytes', 'memory.limit_in_bytes']);
  });

  it('raising within the old memsw: limit first (creation order)', () => {
    expect(names(orderCgroupRewrites([limit(1 * GiB, 1.5 * GiB), memsw(2 * GiB, 2.5 * GiB)]))).toEqual(['memory.limit_in_bytes', 'memory.memsw.limit_in_bytes']);
  });

  it('lowering both: limit first, so memsw never drops below the limit in force', () => {
    expect(names(orderCgroupRewrites([limit(3 * GiB, 1 * GiB), memsw(4 * GiB, 2 * GiB)]))).toEqual(['memory.limit_in_bytes', 'memory.memsw.limit_in_bytes']);
    // Given in the other order, lowering still puts the limit first.
    expect(names(orderCgroupRewrites([memsw(4 * GiB, 2 * GiB), limit(3 * GiB, 1 * GiB)]))).toEqual(['memory.limit_in_bytes', 'memory.memsw.limit_in_bytes']);
  });

  it('from unlimited (-1) memsw: the limit fits under it, limit first; to unlimited: memsw first', () => {
    expect(names(orderCgroupRewrites([limit(-1, GiB), memsw(-1, 2 * GiB)]))).toEqual(['memory.limit_in_bytes', 'memory.memsw.limit_in_bytes']);
    expect(names(orderCgroupRewrites([limit(GiB, -1), memsw(2 * GiB, -1)]))).toEqual(['memory.memsw.limit_in_bytes', 'memory.limit_in_bytes']);
    // memsw never written before = unlimited
    expect(names(orderCgroupRewrites([limit(GiB, 8 * GiB), memsw(undefined, 9 * GiB)]))).toEqual(['memory.limit_in_bytes', 'memory.memsw.limit_in_bytes']);
  });

  it('keeps every other write where it was, and a lone limit or memsw as given', () => {
    const period = { path: '/sys/fs/cgroup/cpu/haco/web/cpu.cfs_period_us', before: '100000', value: '50000' };
    const quota = { path: '/sys/fs/cgroup/cpu/haco/web/cpu.cfs_quota_us', before: '40000', value: '20000' };
    const pids = { path: '/sys/fs/cgroup/pids/haco/web/pids.max', before: '10', value: '20' };
    const out = orderCgroupRewrites([period, quota, limit(GiB, 3 * GiB), memsw(2 * GiB, 4 * GiB), pids]);
    expect(out.map((w) => w.path.split('/').pop())).toEqual(['cpu.cfs_period_us', 'cpu.cfs_quota_us', 'memory.memsw.limit_in_bytes', 'memory.limit_in_bytes', 'pids.max']);
    expect(names(orderCgroupRewrites([limit(GiB, 2 * GiB)]))).toEqual(['memory.limit_in_bytes']);
  });

  it('leaves cgroup v2 files in their order (memory.max and memory.swap.max are independent)', () => {
    const v2 = [
      { path: '/sys/fs/cgroup/haco/web/memory.max', before: String(GiB), value: String(3 * GiB) },
      { path: '/sys/fs/cgroup/haco/web/memory.swap.max', before: String(GiB), value: '0' },
    ];
    expect(orderCgroupRewrites(v2)).toEqual(v2);
  });

  it('orders from the value the kernel shows when it differs from the plan (a reload stopped half-way)', () => {
    // The plan says memsw 2G, but a stopped reload already wrote 4G: raising the limit to 3G fits under it.
    const w = [limit(GiB, 3 * GiB), { ...memsw(2 * GiB, 5 * GiB), inForce: String(4 * GiB) }];
    expect(names(orderCgroupRewrites(w))).toEqual(['memory.limit_in_bytes', 'memory.memsw.limit_in_bytes']);
  });
});
