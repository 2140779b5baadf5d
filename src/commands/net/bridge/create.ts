import { Args, Flags } from '@oclif/core';
import { HacoCommand, jsonFlag } from '../../support/base-command';

export default class NetBridgeCreate extends HacoCommand {
  static override summary = 'Create a host bridge for container networks (idempotent).';
  static override description =
    'Creates bridge NAME with the gateway address CIDR and brings it up — the same `ip` commands a container ' +
    'with .network({ createBridge: true }) runs at start. Running it again changes nothing; an existing ' +
    'bridge keeps its ports and only gains the address if it lacks it. Needed for .network({ createBridge: false }).';
  static override examples = [
    '<%= config.bin %> net bridge create haco0 --address 10.88.0.1/24',
    '<%= config.bin %> net bridge create haco0 --address 10.88.0.1/24 --json',
  ];
  static override args = { name: Args.string({ description: 'Bridge name (at most 15 characters).', required: true }) };
  static override flags = {
    address: Flags.string({ char: 'a', description: 'Gateway address of the bridge with its prefix, e.g. 10.88.0.1/24.', required: true }),
    json: jsonFlag,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(NetBridgeCreate);
    const { checkBridgeArgs, createBridge } = await import('../../../network/bridge');
    checkBridgeArgs(args.name, flags.address);
    const { requireRoot } = await import('../../../bootstrap/tools');
    requireRoot('net bridge create');
    const result = await createBridge(args.name, flags.address);
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return;
    }
    for (const argv of result.commands) process.stdout.write(`+ ${argv.join(' ')}\n`);
    const state = result.created ? 'created' : result.addressAdded || result.commands.length > 0 ? 'updated' : 'already there, unchanged';
    process.stdout.write(`bridge ${result.name} ${result.addresses.join(', ') || '(no address)'} ${result.up ? 'up' : 'down'}: ${state}\n`);
  }
}
