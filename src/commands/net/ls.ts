import { HacoCommand, jsonFlag } from '../support/base-command';

export default class NetLs extends HacoCommand {
  static override summary = 'List the bridges of this network namespace with their addresses and ports.';
  static override description = 'Reads `ip -j -d link` and `ip -j addr`. Ports are the host ends of containers\' veths.';
  static override examples = ['<%= config.bin %> net ls', '<%= config.bin %> net ls --json'];
  static override flags = { json: jsonFlag };

  async run(): Promise<void> {
    const { flags } = await this.parse(NetLs);
    const { listBridges } = await import('../../network/bridge');
    const bridges = await listBridges();
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(bridges, null, 2)}\n`);
      return;
    }
    if (bridges.length === 0) {
      process.stdout.write('no bridges (create one: haco net bridge create haco0 --address 10.88.0.1/24)\n');
      return;
    }
    const rows = [['BRIDGE', 'STATE', 'ADDRESSES', 'PORTS'], ...bridges.map((b) => [b.name, b.up ? 'up' : 'down', b.addresses.join(',') || '-', b.ports.join(',') || '-'])];
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    for (const r of rows) process.stdout.write(`${r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')}\n`);
  }
}
