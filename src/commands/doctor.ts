import { Flags } from '@oclif/core';
import { HacoCommand, jsonFlag } from './support/base-command';
import { EXIT } from '../errors';

export default class Doctor extends HacoCommand {
  static override summary = 'Check this host: privileges, namespaces, cgroups, overlayfs, seccomp, tools, Node.js, the launcher.';
  static override description =
    'Reads /proc, /sys and /etc and looks up every tool of the tool manifest; changes nothing. Each line says ' +
    'what works, and for what does not, the one command that fixes it. Exits 0 when haco can run containers ' +
    'here (warnings name features that will not work), 4 when something it needs is missing.';
  static override examples = ['<%= config.bin %> doctor', '<%= config.bin %> doctor --json | jq ".checks[] | select(.status != \\"ok\\")"', '<%= config.bin %> doctor --dev'];
  static override flags = {
    json: jsonFlag,
    dev: Flags.boolean({ description: 'Also list the test and benchmark tools that are installed (missing ones are always listed).', default: false }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Doctor);
    const { probeHost } = await import('../doctor/probe');
    const { diagnose } = await import('../doctor/checks');
    const report = diagnose(probeHost());
    if (flags.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else {
      const { renderDoctor } = await import('../doctor/render');
      process.stdout.write(renderDoctor(report, { dev: flags.dev }));
    }
    process.exitCode = report.ok ? EXIT.ok : EXIT.host;
  }
}
