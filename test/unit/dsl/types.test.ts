// Type tests: checked by `npm run typecheck` (tsc), which is part of `npm test`. A change that loosens
// or breaks the public DSL types fails there. The runtime assertions are trivially true by design.
import { expectTypeOf } from 'expect-type';
import { defineContainer, type ContainerBuilder, type NamespaceKind, type Plan, type MountEntry } from 'haco';

describe('public types', () => {
  it('keeps the DSL chainable and strictly typed', () => {
    const c = defineContainer('x');
    expectTypeOf(c.unshare).parameters.toEqualTypeOf<NamespaceKind[]>();
    expectTypeOf(c.hostname('h')).toEqualTypeOf<ContainerBuilder>();
    expectTypeOf(c.bootstrap((b) => b.busybox())).toEqualTypeOf<ContainerBuilder>();
    // @ts-expect-error — a namespace that does not exist is a type error in the editor
    c.unshare('pdi');
    // @ts-expect-error — sizes with a space are not sizes
    c.memory('12 GB');
    // @ts-expect-error — an unknown hook point
    c.hook('beforeBoot', 'true');
    // @ts-expect-error — capabilities() takes an options object
    c.capabilities('sys_admin');
    expectTypeOf(c.memory('64M')).toEqualTypeOf<ContainerBuilder>();
    // @ts-expect-error — nor with a space before the unit (`${number}` alone would match "512 ")
    c.memory('512 M');
    c.memory('1.5G').memory('4096').memory(65536).memory({ max: '512MiB', swap: '0' });
    // @ts-expect-error — a percentage is written without a space
    c.cpu('30 %');
    // @ts-expect-error — nor with a leading one
    c.cpu(' 30%');
    c.cpu('30%').cpu('12.5%').cpu({ max: 1.5 });
    // @ts-expect-error — capability names are a literal union: a typo fails in the editor
    c.dropCaps('net_rwa');
    // @ts-expect-error — also in the options object
    c.capabilities({ add: ['sys_amdin'] });
    c.dropCaps('net_raw', 'SYS_ADMIN', 'cap_chown', 'CAP_KILL').addCaps('net_admin');
    // @ts-expect-error — resource limits too
    c.rlimit('nofiles', 10);
    c.rlimit('nofile', 1024).rlimit('NPROC', 64).rlimit('RLIMIT_CORE', 0);
    expect(true).toBe(true);
  });

  it('exposes plan entries as discriminated unions', () => {
    type Kinds = MountEntry['type'];
    expectTypeOf<Kinds>().toEqualTypeOf<'bind' | 'tmpfs' | 'fs' | 'standard' | 'hostFile'>();
    expectTypeOf<Plan['apiVersion']>().toEqualTypeOf<'haco.dev/v1alpha1'>();
    const narrow = (m: MountEntry): string => (m.type === 'bind' ? m.source : m.target);
    expect(narrow({ type: 'standard', fs: 'proc', target: '/proc' })).toBe('/proc');
  });
});
