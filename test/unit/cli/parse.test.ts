import { Config } from '@oclif/core';
import Start from '../../../src/commands/start';
import PlanCommand from '../../../src/commands/plan';
import { REPO } from '../../support/cli';

// The parser as each command runs it (HacoCommand.parse), without running the command.
async function parsed(command: typeof Start | typeof PlanCommand, argv: string[]) {
  const config = await Config.load({ root: REPO });
  const probe = new (class extends (command as typeof Start) {
    override async run(): Promise<void> {}
    result() {
      return this.parse(command as typeof Start);
    }
  })(argv, config);
  const out = await probe.result();
  return { file: out.args.file, share: out.flags.share, dropCap: out.flags['drop-cap'], cpu: out.flags.cpu, argv: out.argv, raw: probe['argv'] as string[] };
}

describe('flags and toggles anywhere on the line', () => {
  it.each([
    [['--share', 'pid', 'first.haco.ts']],
    [['--share=pid', 'first.haco.ts']],
    [['first.haco.ts', '--share', 'pid']],
    [['first.haco.ts', '--share=pid']],
  ])('plan %j', async (argv) => {
    const r = await parsed(PlanCommand, argv);
    expect([r.file, r.share]).toEqual(['first.haco.ts', ['pid']]);
  });

  it('a repeatable toggle takes one value per occurrence, repeated or as a comma list', async () => {
    const r = await parsed(PlanCommand, ['--share', 'pid', '--drop-cap=sys_admin', 'f.haco.ts', '--share', 'net,uts', '--cpu', '30%']);
    expect([r.file, r.share, r.dropCap, r.cpu]).toEqual(['f.haco.ts', ['pid', 'net,uts'], ['sys_admin'], '30%']);
  });

  it('start: `--` still separates the container command, whatever is before it', async () => {
    const r = await parsed(Start, ['--share', 'pid', 'first.haco.ts', '--', 'true']);
    expect([r.file, r.share]).toEqual(['first.haco.ts', ['pid']]);
    expect(r.argv).toEqual(['first.haco.ts', 'true']);
    const after = await parsed(Start, ['first.haco.ts', '--share=pid', '--drop-cap', 'net_raw', '--', 'sh', '-c', 'echo --share x']);
    expect([after.file, after.share, after.dropCap]).toEqual(['first.haco.ts', ['pid'], ['net_raw']]);
    // Words after `--` are the command's, even when they look like haco's flags.
    expect(after.raw.slice(after.raw.indexOf('--') + 1)).toEqual(['sh', '-c', 'echo --share x']);
  });
});
