import { Args, Command, Flags, type Interfaces } from '@oclif/core';
import { stderrColours } from '../../colour';
import { EXIT, HacoError } from '../../errors';
import { errorToJson, formatError } from './report';

// oclif's own names for these are not exported from its index.
type FlagOutput = { [name: string]: unknown };
type ArgOutput = { [name: string]: unknown };

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

  /**
   * Flags and toggles go anywhere on the line: `haco start --share pid FILE -- true` as well as
   * `haco start FILE --share=pid -- true`. oclif's repeatable flags are greedy by default (`--share pid
   * FILE` would take FILE as a second value), so every repeatable flag of every command is made
   * non-greedy here, once, instead of in each definition: a value is the next word only; repeat the flag
   * or use a comma list for more. `--` still ends the flags (start's container command follows it).
   */
  protected override async parse<F extends FlagOutput, B extends FlagOutput, A extends ArgOutput>(
    options?: Interfaces.Input<F, B, A>,
    argv?: string[],
  ): Promise<Interfaces.ParserOutput<F, B, A>> {
    const input = options ?? (this.ctor as unknown as Interfaces.Input<F, B, A>);
    return super.parse<F, B, A>(
      {
        ...input,
        args: input.args,
        strict: input.strict,
        enableJsonFlag: input.enableJsonFlag,
        flags: nonGreedy(input.flags),
        baseFlags: nonGreedy(input.baseFlags),
      },
      argv,
    );
  }

  protected jsonRequested(): boolean {
    return this.argv.includes('--json');
  }

  protected override async catch(error: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    if (!(error instanceof HacoError) && error.oclif) {
      // oclif's own parse errors (unknown flag, missing argument): its wording, our exit code.
      if (error.oclif.exit === 0) return;
      const chalk = stderrColours();
      process.stderr.write(`${chalk.red('error')} ${withoutGreedyNote(error.message)}\n  ${chalk.cyan('hint')} see \`haco ${this.id ?? ''} --help\`\n`);
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

/**
 * oclif's "missing argument" message explains greedy repeatable flags ("provide all arguments before
 * those flags"), which haco's are not (HacoCommand.parse): that note would send people the wrong way.
 */
function withoutGreedyNote(message: string): string {
  return message.replace(/\n\nNote: [^\n]* multiple values\.[^\n]*\n[^\n]*"--"[^\n]*/, '').replace(/\nSee more help with --help$/, '');
}

/** A copy of FLAGS whose repeatable flags take one value per occurrence (see HacoCommand.parse). */
export function nonGreedy<T extends object | undefined>(flags: T): T {
  if (!flags) return flags;
  const out: Record<string, unknown> = {};
  for (const [name, flag] of Object.entries(flags) as [string, { type?: string; multiple?: boolean }][]) {
    out[name] = flag.type === 'option' && flag.multiple ? { ...flag, multipleNonGreedy: true } : flag;
  }
  return out as T;
}

export const jsonFlag = Flags.boolean({ description: 'Print machine-readable JSON on stdout.', default: false });

/** What shell completion (src/commands/support/completion.ts) offers for an argument: kept beside its definition. */
export type ArgCompletion = 'file' | 'container' | 'containers' | 'commands';
const ARG_COMPLETION = new WeakMap<object, ArgCompletion>();

export function argCompletion(arg: object): ArgCompletion | undefined {
  return ARG_COMPLETION.get(arg);
}

function completes<T extends object>(arg: T, kind: ArgCompletion): T {
  ARG_COMPLETION.set(arg, kind);
  return arg;
}

/** An argument naming a .haco.ts file (completed with .haco.ts files and folders). */
export function definitionFileArg(description = 'A .haco.ts definition file (FILE#NAME: one container of it).') {
  return completes(Args.string({ description, required: true }), 'file');
}

/** definitionFileArg that may be left out. */
export function optionalDefinitionFileArg(description: string) {
  return completes(Args.string({ description }), 'file');
}

/** An argument naming a container (completed with the names in the state directory). */
export function containerNameArg(description = 'Container name.') {
  return completes(Args.string({ description, required: true }), 'container');
}

/** The words of a command (`haco help net bridge create`), completed with haco's command words. */
export function commandWordsArg(description: string) {
  return completes(Args.string({ description }), 'commands');
}

/** The first of any number of container names (a command with `strict = false` reads them from argv). */
export function containerNamesArg(description = 'Container name(s).', required = true) {
  return completes(Args.string({ description, required }), 'containers');
}

/** The FILE argument of every command that reads a definition. */
export const definitionArgs = { file: definitionFileArg() };

/** `-c NAME`: one container of a file that defines several. */
export function containerFlag(description = 'Only this container of the file.') {
  return Flags.string({ char: 'c', description });
}

/** `--preserve-fds N` (start, attach): the caller's fds 3..3+N-1 reach the command (checked by preserveFdsOption). */
export const preserveFdsFlag = Flags.integer({
  description: "Pass this many of haco's fds (3, 4, …) to the command, with LISTEN_FDS/LISTEN_PID set (socket activation). Every other fd is closed.",
});
