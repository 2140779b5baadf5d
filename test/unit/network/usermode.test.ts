import { defineContainer, type ContainerBuilder } from 'haco';
import { usermodeHelperCommand } from '../../../src/network/usermode';
import { buildPlan } from '../../../src/plan/build';
import { validateContainer } from '../../../src/plan/validate';
import type { ContainerPlan } from '../../../src/plan/types';

function planOf(builder: ContainerBuilder): ContainerPlan {
  const built = buildPlan('/tmp/um.haco.ts', [builder]);
  if ('notContainers' in built) throw new Error(built.notContainers);
  return built.plan.containers[0]!;
}

describe('the helper command of a user-mode network', () => {
  it('slirp4netns: --configure on the pid, ready on fd 3, host loopback closed unless asked', () => {
    const closed = usermodeHelperCommand({ tool: 'slirp4netns', hostLoopback: false }, true);
    expect(closed.argv).toEqual([
      '/bin/sh', '-c',
      'exec /usr/bin/slirp4netns --configure --mtu=65520 --ready-fd=3 --disable-host-loopback "$HACO_PID" tap0 >/dev/null 2>&1',
    ]);
    const open = usermodeHelperCommand({ tool: 'slirp4netns', hostLoopback: true }, false);
    expect(open.argv[2]).not.toContain('--disable-host-loopback');
    expect(open.why).toContain("10.0.2.2 (= the host's 127.0.0.1)");
  });

  it('pasta: foreground, pid file on fd 3, only the listed ports; as root the netns as fd 4 and uid 0', () => {
    const root = usermodeHelperCommand({ tool: 'pasta', hostLoopback: false, ports: [{ host: 8080, container: 80, protocol: 'tcp' }, { host: 5353, container: 53, protocol: 'udp' }] }, true);
    expect(root.argv[2]).toBe(
      'exec /usr/bin/pasta --foreground --quiet --config-net --pid /proc/self/fd/3 -t 8080:80 -u 5353:53 -T none -U none --no-map-gw --runas 0:0 --netns /proc/self/fd/4 4</proc/"$HACO_PID"/ns/net',
    );
    const user = usermodeHelperCommand({ tool: 'pasta', hostLoopback: true }, false);
    expect(user.argv[2]).toBe('exec /usr/bin/pasta --foreground --quiet --config-net --pid /proc/self/fd/3 -t none -u none -T none -U none "$HACO_PID"');
  });
});

describe('.network({ mode })', () => {
  it('slirp4netns and pasta: a net namespace of its own and the plan field, replacing a bridge', () => {
    const c = planOf(defineContainer('a').network({ bridge: 'b0', bridgeAddress: '10.9.0.1/24', address: '10.9.0.2/24' }).network({ mode: 'pasta', ports: [{ host: 80, container: 8080 }] }));
    expect(c.network).toBeUndefined();
    expect(c.usermodeNetwork).toEqual({ tool: 'pasta', hostLoopback: false, ports: [{ host: 80, container: 8080, protocol: 'tcp' }] });
    expect(c.namespaces.unshare).toContain('net');
    expect(validateContainer(c)).toEqual([]);
  });

  it('none: only lo; host: the host network, as share("net")', () => {
    const none = planOf(defineContainer('a').network({ mode: 'slirp4netns' }).network({ mode: 'none' }));
    expect(none.usermodeNetwork).toBeUndefined();
    expect(none.namespaces.unshare).toContain('net');
    const host = planOf(defineContainer('a').network({ mode: 'slirp4netns' }).network({ mode: 'host' }));
    expect(host.usermodeNetwork).toBeUndefined();
    expect(host.namespaces.unshare).not.toContain('net');
  });

  it('refuses an unknown option with the known ones of that mode', () => {
    expect(() => defineContainer('a').network({ mode: 'pasta', bridge: 'x' } as never)).toThrow(/unknown option "bridge"/);
  });

  it('validation: slirp4netns ports point at pasta; a port twice is refused', () => {
    const slirp = planOf(defineContainer('a').network({ mode: 'slirp4netns', ports: [{ host: 80, container: 80 }] }));
    expect(validateContainer(slirp)).toEqual([expect.objectContaining({ path: 'usermodeNetwork.ports', hint: expect.stringContaining("mode: 'pasta'") })]);
    const twice = planOf(defineContainer('a').network({ mode: 'pasta', ports: [{ host: 80, container: 80 }, { host: 80, container: 81 }] }));
    expect(validateContainer(twice).map((i) => i.message)).toEqual(['host port 80/tcp is forwarded twice']);
  });
});
