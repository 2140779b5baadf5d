// The net topic has its own description in --help (oclif.topics in package.json), not the first
// command's summary, and so does its bridge subtopic.
import { haco } from '../../support/cli';

describe('haco --help: the net topic', () => {
  it('describes net and net bridge themselves', () => {
    const top = haco(['--help']);
    expect(top).toExitWith(0);
    expect(top.stdout).toMatch(/^ {2}net +Container networking: host bridges and what is plugged into them\.$/m);
    const net = haco(['net', '--help']);
    expect(net.stdout).toMatch(/^ {2}net bridge +Create and remove the host bridges/m);
    expect(net.stdout).toMatch(/^ {2}net ls +List the bridges/m);
    const bridge = haco(['net', 'bridge', '--help']);
    expect(bridge.stdout).toMatch(/^ {2}net bridge create +Create a host bridge/m);
    expect(bridge.stdout).toMatch(/^ {2}net bridge rm +Remove a host bridge/m);
  });
});
