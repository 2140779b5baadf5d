// Regression tests for "what is written is what runs": every class of value a definition can get
// wrong is refused at plan time, at the line that wrote it.
import { parseCidr } from '../../../src/plan/cidr';
import { buildPlan } from '../../../src/plan/build';
import { parseSize } from '../../../src/plan/size';
import { defineContainer } from '../../../src/dsl/container';
import { optionKeys } from '../../../src/dsl/options';
import { HacoError } from '../../../src/errors';

const problems = (exported: unknown) => {
  const built = buildPlan('/tmp/x.haco.ts', exported);
  if ('notContainers' in built) throw new Error(built.notContainers);
  return built.issues.map((i) => ({ path: i.path, message: i.message, line: i.location?.line }));
};

/** The HacoError a DSL call throws, with where it says the call was. */
function thrown(call: () => unknown): HacoError {
  try {
    call();
  } catch (error) {
    if (error instanceof HacoError) return error;
    throw error;
  }
  throw new Error('no error');
}

describe('unknown option keys', () => {
  it('are an error at the calling line with the key that was meant', () => {
    const e = thrown(() => defineContainer('x').bind('/srv', '/srv', { readOnly: true } as never));
    expect(e.code).toBe('E_UNKNOWN_OPTION');
    expect(e.message).toBe('.bind() options: unknown option "readOnly" (did you mean "readonly"?)');
    expect(e.location).toMatchObject({ file: __filename, line: expect.any(Number) });
    expect(e.hint).toContain('readonly, recursive, propagation, create');
  });

  it('are checked for every options object, nested ones and sub-builders included', () => {
    const c = defineContainer('x');
    const cases: Array<[() => unknown, string]> = [
      [() => c.tmpfs('/t', { sise: '1M' } as never), 'size'],
      [() => c.memory({ maxx: '1M' } as never), 'max'],
      [() => c.user({ uid: 1, gids: [] } as never), 'gid'],
      [() => c.network({ bridge: 'b', bridgeAddress: '10.0.0.1/24', address: '10.0.0.2/24', ports: [{ host: 1, container: 2, protocl: 'tcp' }] } as never), 'protocol'],
      [() => c.io({ throttle: [{ device: '8:0', readbps: 1 }] } as never), 'readBps'],
      [() => c.restart('always', { maxRetires: 1 } as never), 'maxRetries'],
      [() => c.bootstrap((b) => b.debootstrap({ suite: 'x', mirorr: 'y' } as never)), 'mirror'],
      [() => c.provision((p) => p.file('a', '/a', { mdoe: '0644' } as never)), 'mode'],
      [() => c.seccomp((s) => s.rule({ syscalls: ['x'], action: 'allow', args: [{ index: 0, op: 'eq', vlaue: 1 }] } as never)), 'value'],
    ];
    for (const [call, meant] of cases) {
      const e = thrown(call);
      expect([e.code, e.message]).toEqual(['E_UNKNOWN_OPTION', expect.stringContaining(`did you mean "${meant}"`)]);
    }
  });

  it('optionKeys() lists the keys of the type and nothing else (a type error otherwise)', () => {
    expect(optionKeys<{ a?: number; b: string }>()({ a: true, b: true })).toEqual(['a', 'b']);
    // @ts-expect-error a key is missing
    optionKeys<{ a?: number; b: string }>()({ a: true });
    // @ts-expect-error a key the type does not have
    optionKeys<{ a?: number }>()({ a: true, c: true });
  });
});

describe('unknown methods', () => {
  it('name the method that was meant, at the calling line', () => {
    const e = thrown(() => (defineContainer('x') as unknown as { unshre(k: string): unknown }).unshre('net'));
    expect(e.code).toBe('E_UNKNOWN_METHOD');
    expect(e.message).toBe('a container definition has no method "unshre" (did you mean unshare?)');
    expect(e.location?.file).toBe(__filename);
  });

  it('also on the bootstrap, provision and seccomp builders', () => {
    expect(thrown(() => defineContainer('x').bootstrap((b) => (b as unknown as { busybx(): never }).busybx())).message).toContain('did you mean busybox?');
    expect(thrown(() => defineContainer('x').provision((p) => (p as unknown as { stpe(): never }).stpe())).message).toContain('did you mean step?');
    expect(thrown(() => defineContainer('x').seccomp((s) => (s as unknown as { blok(): never }).blok())).message).toContain('did you mean block?');
    // .with(fn) hands fn the container itself: guarded too.
    expect(thrown(() => defineContainer('x').with((c) => (c as unknown as { hostnme(h: string): never }).hostnme('h'))).message).toContain('did you mean hostname?');
  });

  it('leave promise probes, JSON and inspection alone', async () => {
    const c = defineContainer('x');
    expect((c as unknown as { then?: unknown }).then).toBeUndefined();
    expect(await Promise.resolve(c)).toBe(c);
    expect(c.name).toBe('x');
    expect(() => JSON.stringify(c)).not.toThrow();
  });
});

describe('values within what the kernel accepts', () => {
  it('ids are whole numbers 0 … 2^32-2', () => {
    expect(problems(defineContainer('x').user(4294967295))).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'process.user.uid', message: expect.stringContaining('<= 4294967294') })]));
    expect(problems(defineContainer('x').user(4294967296))[0]!.path).toBe('process.user.uid');
    expect(problems(defineContainer('x').user({ uid: 1.5 }))[0]!.message).toContain('must be integer');
    expect(problems(defineContainer('x').user({ uid: 1, groups: [-1] }))[0]!.path).toBe('process.user.groups[0]');
    expect(problems(defineContainer('x').user(4294967294))).toEqual([]);
  });

  it('id map ranges must not run past the largest id', () => {
    const issues = problems(defineContainer('x').unshare('user').uidMap({ inside: 0, outside: 4294967000, count: 65536 }));
    expect(issues).toEqual([expect.objectContaining({ path: 'namespaces.uidMap', message: expect.stringContaining('go past the largest id') })]);
  });

  it('a hostname has 1 to 64 bytes', () => {
    expect(problems(defineContainer('x').hostname('a'.repeat(65)))[0]!.message).toContain('longer than 64 bytes');
    expect(problems(defineContainer('x').hostname('a'.repeat(64)))).toEqual([]);
    expect(problems(defineContainer('x').hostname(''))[0]!.path).toBe('process.hostname');
  });

  it('sizes are exact and refused when too large', () => {
    expect(parseSize('99999999999T')).toMatchObject({ ok: false, message: expect.stringContaining('larger than') });
    expect(parseSize('1.5G')).toEqual({ ok: true, bytes: 1.5 * 2 ** 30 });
    expect(parseSize(2 ** 60)).toMatchObject({ ok: false });
    expect(problems(defineContainer('x').memory('99999999999T'))[0]!.message).toContain('memory max: size 99999999999T is larger than');
    expect(problems(defineContainer('x').pids(99999999))[0]!.message).toContain('<= 4194304');
    expect(problems(defineContainer('x').rlimit('nofile', 2 ** 64))[0]!.path).toMatch(/^rlimits/);
    expect(problems(defineContainer('x').timeOffsets({ boottime: 1e12 }))[0]!.path).toBe('namespaces.timeOffsets.boottime');
  });

  it('cgroupRaw writes plain files of a resource controller only', () => {
    for (const file of ['../x', 'memory.high/../../x', 'cgroup.procs', 'devices.allow', 'x']) {
      expect(problems(defineContainer('x').cgroupRaw('v1', file, '1'))).toEqual([expect.objectContaining({ path: 'cgroup.raw.v1', message: expect.stringContaining(`cgroupRaw file "${file}"`) })]);
    }
    expect(problems(defineContainer('x').cgroupRaw('v2', 'memory.high', '48M').cgroupRaw('v2', 'hugetlb.2MB.max', '0'))).toEqual([]);
  });

  it('host paths are absolute and container paths stay inside the rootfs', () => {
    expect(problems(defineContainer('x').stdio({ stdout: { host: 'out.log' } }))).toEqual([expect.objectContaining({ path: 'process.stdio.stdout', message: expect.stringContaining('not an absolute host path') })]);
    expect(problems(defineContainer('x').stdio({ stdout: { container: '/../x' } }))).toEqual([expect.objectContaining({ path: 'process.stdio.stdout', message: expect.stringContaining('escapes the rootfs') })]);
    expect(problems(defineContainer('x').unshare('net').persist('net', 'netns/x'))).toEqual([expect.objectContaining({ path: 'namespaces.persist' })]);
    expect(problems(defineContainer('x').rootfs('/r/rootfs', { lower: 'base' }))).toEqual([expect.objectContaining({ message: expect.stringContaining('overlay lower layer "base"') })]);
  });

  it('overlay layers fit in the one mount option string overlayfs reads', () => {
    expect(problems(defineContainer('x').rootfs('/r/rootfs', { lower: '/l/a,b' }))).toEqual([expect.objectContaining({ path: 'rootfs', message: expect.stringContaining('overlay lower layer "/l/a,b" contains ","') })]);
    expect(problems(defineContainer('x').rootfs('/r/a:b/rootfs', { lower: '/l' }))[0]!.message).toContain('overlay upper dir');
    const many = Array.from({ length: 60 }, (_, i) => `/layers/${String(i).padStart(60, '0')}`);
    expect(problems(defineContainer('x').rootfs('/r/rootfs', { lower: many }))).toEqual([expect.objectContaining({ message: expect.stringMatching(/overlay mount options would be \d+ bytes, more than the 4095/) })]);
    expect(problems(defineContainer('x').rootfs('/r/rootfs', { lower: many.slice(0, 10) }))).toEqual([]);
  });

  it('strings carry no NUL byte (the launcher would cut them short)', () => {
    expect(problems(defineContainer('x').env({ A: 'x\0y' }))).toEqual([expect.objectContaining({ path: 'process.env.A' })]);
  });
});

describe('schema first, then semantics', () => {
  it('a value of the wrong type is a schema error at its call, not a TypeError', () => {
    const issues = problems(defineContainer('x').rootfs(123 as never));
    expect(issues).toEqual([expect.objectContaining({ path: 'rootfs.path', message: 'rootfs.path must be string' })]);
    expect(issues[0]!.line).toBeGreaterThan(0);
  });
});

describe('one strict CIDR parser', () => {
  it('refuses leading zeros and prefixes above 32, in the parser and in validation', () => {
    expect(parseCidr('10.88.0.010/24')).toBeUndefined();
    expect(parseCidr('10.88.0.10/33')).toBeUndefined();
    expect(parseCidr('10.88.0.10/24')).toEqual({ address: 0x0a58000a, prefix: 24 });
    const issues = problems(defineContainer('x').network({ bridge: 'b0', bridgeAddress: '10.88.0.1/24', address: '10.88.0.010/24' }));
    expect(issues).toEqual([expect.objectContaining({ message: expect.stringContaining('address "10.88.0.010/24" is not an IPv4 CIDR (four decimal octets 0–255 without leading zeros') })]);
  });
});
