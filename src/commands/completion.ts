import { Args, type Config } from '@oclif/core';
import { argCompletion, HacoCommand } from './support/base-command';
import type { CompletionCommand } from './support/completion';
import { HACO_VERSION } from '../version';

export default class Completion extends HacoCommand {
  static override summary = 'Print a shell completion script for bash or zsh.';
  static override description =
    'Completes commands, flags, .haco.ts files and the names of the containers in the run directory ' +
    '(/run/haco, or HACO_RUN_DIR). Load it in the current shell with `source <(haco completion bash)`, or ' +
    'save it: `haco completion bash > /etc/bash_completion.d/haco`; for zsh put `source <(haco completion zsh)` ' +
    'in ~/.zshrc.';
  static override examples = ['source <(<%= config.bin %> completion bash)', '<%= config.bin %> completion zsh >> ~/.zshrc'];
  static override args = { shell: Args.string({ description: 'The shell.', options: ['bash', 'zsh'], required: true }) };

  async run(): Promise<void> {
    const { args } = await this.parse(Completion);
    const { bashCompletion, zshCompletion } = await import('./support/completion');
    const table = await completionTable(this.config);
    process.stdout.write(args.shell === 'zsh' ? zshCompletion(table, HACO_VERSION) : bashCompletion(table, HACO_VERSION));
  }
}

/** The commands as oclif loaded them (src/cli/main.ts COMMANDS): one table for help, parsing and completion. */
export async function completionTable(config: Config): Promise<CompletionCommand[]> {
  const out: CompletionCommand[] = [];
  // oclif lists each alias as a command of its own too (`run`): completion gets it through `aliases`.
  const aliases = new Set(config.commands.flatMap((c) => c.aliases.filter((a) => a !== c.id)));
  for (const command of config.commands) {
    if (command.hidden || (aliases.has(command.id) && command.aliases.includes(command.id))) continue;
    const loaded = await command.load();
    const flags = { ...(loaded.baseFlags ?? {}), ...(loaded.flags ?? {}) };
    const args = Object.values(loaded.args ?? {}).map((arg) => argCompletion(arg));
    out.push({
      id: command.id,
      aliases: command.aliases,
      flags: Object.entries(flags)
        .filter(([, f]) => !f.hidden)
        .map(([name, f]) => ({
          name,
          ...(f.char ? { char: f.char } : {}),
          value: f.type === 'option',
          ...(f.type === 'boolean' && f.allowNo ? { allowNo: true } : {}),
          ...(f.type === 'option' && f.options ? { options: f.options } : {}),
        })),
      args,
    });
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}
