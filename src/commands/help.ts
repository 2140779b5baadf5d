import { Help } from '@oclif/core';
import { commandWordsArg, HacoCommand } from './support/base-command';
import { unknownCommand } from './support/command-words';

export default class HelpCommand extends HacoCommand {
  static override summary = 'Show help for haco or for one command (same as COMMAND --help).';
  static override examples = ['<%= config.bin %> help', '<%= config.bin %> help start', '<%= config.bin %> help net bridge create'];
  static override strict = false;
  static override args = { command: commandWordsArg('The command (words, e.g. `net bridge create`).') };

  async run(): Promise<void> {
    const { argv } = await this.parse(HelpCommand);
    const words = argv as string[];
    // The same did-you-mean as `haco plna` (src/cli/main.ts), against oclif's table of this CLI.
    const ids = this.config.commands.flatMap((c) => [c.id, ...c.aliases]);
    const unknown = unknownCommand(words, ids);
    if (unknown) throw unknown;
    await new Help(this.config).showHelp(words);
  }
}
