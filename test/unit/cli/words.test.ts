import { unknownCommand } from '../../../src/commands/support/command-words';
import { commandIds } from '../../../src/cli/main';
import { haco } from '../../support/cli';

describe('did-you-mean for commands', () => {
  const ids = commandIds();

  it('lets commands, aliases, topics and flags through to oclif', () => {
    for (const argv of [['plan', 'x.haco.ts'], ['run'], ['net'], ['net', 'bridge'], ['net', 'bridge', 'create', 'br0'], [], ['--help'], ['help', 'start']]) {
      expect(unknownCommand(argv, ids)).toBeUndefined();
    }
  });

  it('names the closest command at the level of the mistake', () => {
    expect(unknownCommand(['plna'], ids)?.message).toBe('unknown command "plna" (did you mean "plan"?)');
    expect(unknownCommand(['net', 'brdge', 'create'], ids)?.message).toBe('unknown command "net brdge" (did you mean "net bridge"?)');
    expect(unknownCommand(['net', 'bridge', 'crate'], ids)?.message).toBe('unknown command "net bridge crate" (did you mean "net bridge create"?)');
    expect(unknownCommand(['zzzzzz'], ids)?.hint).toContain('commands: archive, attach,');
    expect(unknownCommand(['first.haco.ts'], ids)?.hint).toContain('haco start first.haco.ts');
  });

  it('through bin/haco: exit 2 and the suggestion on stderr; help, -v and --version', () => {
    const typo = haco(['plna', 'examples/first.haco.ts']);
    expect([typo.status, typo.stderr]).toEqual([2, expect.stringContaining('unknown command "plna" (did you mean "plan"?)')]);
    const help = haco(['help']);
    expect([help.status, help.stderr]).toEqual([0, '']);
    expect(help.stdout).toMatch(/USAGE\s+\$ haco \[COMMAND\][\s\S]*\n {2}plan {2,}Evaluate a definition/);
    const helpStart = haco(['help', 'start']);
    expect(helpStart.stdout).toBe(haco(['start', '--help']).stdout);
    expect(haco(['help', 'strat']).stderr).toContain('did you mean "start"?');
    const version = haco(['version']).stdout;
    expect(version).toMatch(/^haco \d/);
    expect(haco(['-v']).stdout).toBe(version);
    expect(haco(['--version']).stdout).toBe(version);
    expect(JSON.parse(haco(['-v', '--json']).stdout)).toMatchObject({ planApiVersion: 'haco.dev/v1alpha1' });
  });

  it('a missing FILE after a repeatable toggle does not get oclif\'s note about greedy flags', () => {
    const r = haco(['plan', '--share', 'pid']);
    expect(r).toExitWith(2);
    expect(r.stderr).toContain('Missing 1 required arg');
    expect(r.stderr).not.toContain('multiple values');
  });

  it('toggles before the file, with = or a space (plan, through bin/haco)', () => {
    const json = (argv: string[]) => {
      const r = haco(argv, { env: { HACO_NO_CACHE: '1' } });
      expect(r.stderr).toBe('');
      return JSON.parse(r.stdout) as { containers: { namespaces: unknown }[] };
    };
    const after = json(['plan', 'examples/first.haco.ts', '--share', 'pid', '--json']);
    expect(json(['plan', '--share=pid', 'examples/first.haco.ts', '--json'])).toEqual(after);
    expect(json(['plan', '--share', 'pid', 'examples/first.haco.ts', '--json'])).toEqual(after);
    expect(json(['plan', 'examples/first.haco.ts', '--json'])).not.toEqual(after);
  });
});
