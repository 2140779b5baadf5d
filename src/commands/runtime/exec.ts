import { Flags } from '@oclif/core';
import { RuntimeCommand } from '../support/runtime-command';
import { idArg, runtimeFlags } from '../support/runtime-flags';

export default class RuntimeExec extends RuntimeCommand {
  static override summary = 'Run a command in a running container (runc exec).';
  static override description =
    'The command comes from --process FILE (a runtime-spec process object: args, env, cwd, user) or after the id. ' +
    'It joins the container as `haco attach` does. With --detach the launcher leaves once the command runs (the caller reaps it) ' +
    'and --pid-file gets its pid; without, the command runs in the foreground and its exit status is haco\'s. See docs/oci-runtime.md.';
  static override strict = false;
  static override examples = ['<%= config.bin %> runtime exec app -- ls /', '<%= config.bin %> runtime exec --process proc.json --detach --pid-file /run/x.pid app'];
  static override args = idArg;
  static override flags = {
    ...runtimeFlags,
    process: Flags.string({ char: 'p', description: 'A runtime-spec process JSON file (args, env, cwd, user).' }),
    detach: Flags.boolean({ char: 'd', description: 'Return once the command runs; the caller (its subreaper) waits for it.', default: false }),
    'pid-file': Flags.string({ description: "Write the command's pid (host view) to this file." }),
    'preserve-fds': Flags.integer({ description: 'Pass this many extra fds (3, 4, …) to the command.', default: 0 }),
    tty: Flags.boolean({ char: 't', description: 'A terminal for the command (a pty from the container\'s devpts; also when the --process file says "terminal": true).', default: false }),
    'console-socket': Flags.string({ description: 'An AF_UNIX socket the terminal\'s master is sent to (SCM_RIGHTS), as runc: needed with --detach and a terminal.' }),
    cwd: Flags.string({ description: 'Working directory (with a command after the id).' }),
    trace: Flags.boolean({ description: 'Print each launcher step as the system calls it makes.', default: false }),
  };

  async run(): Promise<void> {
    const { args, flags, argv } = await this.parse(RuntimeExec);
    const dashDash = this.argv.indexOf('--');
    const rest = dashDash >= 0 ? this.argv.slice(dashDash + 1) : (argv as string[]).slice(1);
    const { execInContainer } = await import('../../oci-runtime/exec');
    process.exitCode = await execInContainer({
      root: flags.root,
      id: args.id,
      command: rest,
      detach: flags.detach,
      preserveFds: flags['preserve-fds'],
      trace: flags.trace,
      tty: flags.tty,
      ...(flags['console-socket'] ? { consoleSocket: flags['console-socket'] } : {}),
      ...(flags.process ? { processFile: flags.process } : {}),
      ...(flags['pid-file'] ? { pidFile: flags['pid-file'] } : {}),
    });
  }
}
