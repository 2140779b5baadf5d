import { Args, Flags } from '@oclif/core';
import { HacoCommand, jsonFlag } from '../../support/base-command';

export default class NetBridgeRm extends HacoCommand {
  static override summary = 'Remove a host bridge (idempotent).';
  static override description =
    'Deletes bridge NAME (`ip link del dev NAME`). A missing bridge is not an error. A bridge that still has ' +
    'ports (veths of running containers) is kept unless --force is given. Links that are not bridges are never touched.';
  static override examples = ['<%= config.bin %> net bridge rm haco0', '<%= config.bin %> net bridge rm haco0 --force --json'];
  static override args = { name: Args.string({ description: 'Bridge name.', required: true }) };
  static override flags = {
    force: Flags.boolean({ char: 'f', description: 'Remove it even if containers are still plugged in.', default: false }),
    json: jsonFlag,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(NetBridgeRm);
    const { checkBridgeArgs, removeBridge } = await import('../../../network/bridge');
    checkBridgeArgs(args.name);
    const { requireRoot } = await import('../../../bootstrap/tools');
    requireRoot('net bridge rm');
    const result = await removeBridge(args.name, { force: flags.force });
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return;
    }
    for (const argv of result.commands) process.stdout.write(`+ ${argv.join(' ')}\n`);
    process.stdout.write(result.removed ? `bridge ${result.name} removed\n` : `bridge ${result.name} does not exist: nothing to do\n`);
  }
}
