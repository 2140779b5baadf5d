import { HacoCommand, jsonFlag } from './support/base-command';
import { PLAN_API_VERSION } from '../plan/types';
import { HACO_VERSION } from '../version';

export default class Version extends HacoCommand {
  static override summary = 'Print the versions of haco and of the plan format.';
  static override examples = ['<%= config.bin %> version', '<%= config.bin %> version --json'];
  static override flags = { json: jsonFlag };

  async run(): Promise<void> {
    const { flags } = await this.parse(Version);
    const info = { haco: HACO_VERSION, planApiVersion: PLAN_API_VERSION, node: process.version };
    if (flags.json) process.stdout.write(`${JSON.stringify(info, null, 2)}\n`);
    else process.stdout.write(`haco ${info.haco} (plan ${info.planApiVersion}, node ${info.node})\n`);
  }
}
