import { Args, Command, Flags } from '@oclif/core';
import chalk from 'chalk';
import { EXIT, HacoError } from '../../errors';
import { errorToJson, formatError } from './report';

/**
 * Every haco command: HacoErrors become a readable message (or JSON with --json) and their own exit
 * code. oclif's `this.error()` is not used for that because with --json it exits 1 whatever code it is
 * given (oclif/core #1423).
 */
export abstract class HacoCommand extends Command {
  static override baseFlags = {};

  /**
   * Commands whose --json output is a stream of event lines (create, provision, archive) report a
   * failure as one more event line, so a tool reading line by line gets it like every other event.
   */
  protected readonly jsonEvents: boolean = false;

  protected jsonRequested(): boolean {
    return this.argv.includes('--json');
  }

  protected override async catch(error: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    if (!(error instanceof HacoError) && error.oclif) {
      // oclif's own parse errors (unknown flag, missing argument): its wording, our exit code.
      if (error.oclif.exit === 0) return;
      process.stderr.write(`${chalk.red('error')} ${error.message}\n  ${chalk.cyan('hint')} see \`haco ${this.id ?? ''} --help\`\n`);
      process.exitCode = EXIT.usage;
      return;
    }
    if (this.jsonRequested() && this.jsonEvents) {
      const { reportJsonError } = await import('./command-support');
      reportJsonError(error);
    } else if (this.jsonRequested()) process.stdout.write(`${JSON.stringify(errorToJson(error), null, 2)}\n`);
    else process.stderr.write(`${formatError(error)}\n`);
    process.exitCode = error instanceof HacoError ? error.exitCode : EXIT.failure;
  }
}

export const jsonFlag = Flags.boolean({ description: 'Print machine-readable JSON on stdout.', default: false });

/** The FILE argument of every command that reads a definition. */
export const definitionArgs = { file: Args.string({ description: 'A .haco.ts definition file.', required: true }) };

/** `-c NAME`: one container of a file that defines several. */
export function containerFlag(description = 'Only this container of the file.') {
  return Flags.string({ char: 'c', description });
}

/** `--preserve-fds N` (start, attach): the caller's fds 3..3+N-1 reach the command (checked by preserveFdsOption). */
export const preserveFdsFlag = Flags.integer({
  description: "Pass this many of haco's fds (3, 4, …) to the command, with LISTEN_FDS/LISTEN_PID set (socket activation). Every other fd is closed.",
});
