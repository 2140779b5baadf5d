import { UsageError } from '../../../src/errors';
import { frame, parseDetachKeys } from '../../../src/lifecycle/console';
import { attachCapabilities } from '../../../src/lifecycle/attach';
import { attachFlags } from '../../../src/lifecycle/attach-flags';

describe('the console of a detached -t container', () => {
  it('detach keys as docker and podman write them', () => {
    expect([...parseDetachKeys('ctrl-p,ctrl-q')]).toEqual([0x10, 0x11]);
    expect([...parseDetachKeys('ctrl-a,d')]).toEqual([0x01, 0x64]);
    expect(() => parseDetachKeys('ctrl-pp')).toThrow(UsageError);
  });

  it('frames: type, 16-bit big-endian length, payload', () => {
    expect([...frame('d', Buffer.from('ab'))]).toEqual([0x64, 0, 2, 0x61, 0x62]);
    expect([...frame('w', Buffer.from([0, 24, 0, 80]))]).toEqual([0x77, 0, 4, 0, 24, 0, 80]);
  });
});

describe('attach options', () => {
  it('-u, -A, -D, -t', () => {
    const o = attachFlags({ user: '1000', 'allow-cap': ['CAP_SYS_PTRACE'], 'drop-cap': ['chown,kill'], tty: true }, false);
    expect(o).toEqual({ user: { uid: 1000, gid: 1000 }, addCaps: ['sys_ptrace'], dropCaps: ['chown', 'kill'], terminal: { pty: true, stdin: true } });
    expect(attachFlags({}, false)).toEqual({});
    expect(() => attachFlags({ user: 'bob' }, false)).toThrow(UsageError);
    expect(() => attachFlags({ 'drop-cap': ['nope'] }, false)).toThrow(UsageError);
  });

  it('-A adds to bounding/permitted/effective, -D removes from every set', () => {
    const caps = { bounding: ['chown', 'kill'], effective: ['chown'], permitted: ['chown'], inheritable: [], ambient: ['chown'] } as const;
    const r = attachCapabilities({ ...caps, bounding: [...caps.bounding], effective: [...caps.effective], permitted: [...caps.permitted], inheritable: [], ambient: [...caps.ambient] }, ['net_admin'], ['chown']);
    expect(r).toEqual({ bounding: ['kill', 'net_admin'], effective: ['net_admin'], permitted: ['net_admin'], inheritable: [], ambient: [] });
  });
});
