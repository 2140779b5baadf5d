import { HacoCommand, jsonFlag } from './support/base-command';

export default class Ps extends HacoCommand {
  static override summary = 'List containers: status, pid, uptime, CPU, memory and own namespaces.';
  static override description =
    'Reads the state the supervisors keep in /run/haco (HACO_RUN_DIR). A container whose supervisor is gone ' +
    '(crash, reboot, reused pid) is shown as stale, never as running; `haco rm NAME` clears exited and stale ones.';
  static override examples = ['<%= config.bin %> ps', '<%= config.bin %> ps --json'];
  static override flags = { json: jsonFlag };

  async run(): Promise<void> {
    const { flags } = await this.parse(Ps);
    const { psRows, renderPs } = await import('../lifecycle/ps');
    const rows = psRows();
    process.stdout.write(flags.json ? `${JSON.stringify(rows, null, 2)}\n` : renderPs(rows));
  }
}
