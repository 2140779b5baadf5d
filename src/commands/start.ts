import { Flags } from '@oclif/core';
import { containerFlag, definitionArgs, HacoCommand, preserveFdsFlag } from './support/base-command';
import { toggleFlags, togglesFromFlags } from './support/toggle-flags';

export default class Start extends HacoCommand {
  static override summary = 'Start a container in the foreground, on this terminal, or detached with -d.';
  static override description =
    'Evaluates FILE (or reuses its cached plan), checks the host and the rootfs, compiles the container into a ' +
    'launch spec and hands it to the native launcher, which replaces haco: no node process stays behind. The ' +
    "container's exit status becomes haco's; its cgroup and every host-side trace are removed when it exits. " +
    'Arguments after `--` replace the command.';
  static override aliases = ['run'];
  static override strict = false;
  static override examples = [
    '<%= config.bin %> start examples/first.haco.ts',
    '<%= config.bin %> start examples/first.haco.ts -- sh -c "hostname; ps"',
    '<%= config.bin %> start --trace examples/first.haco.ts -- true',
    '<%= config.bin %> start -d examples/reload.haco.ts',
    '<%= config.bin %> start examples/first.haco.ts --share pid --cpu 30% -- sh -c "ps | head"',
    '<%= config.bin %> start --preserve-fds 1 examples/first.haco.ts -- ls -l /proc/self/fd   # fd 3 passes, LISTEN_FDS=1',
  ];
  static override args = definitionArgs;
  static override flags = {
    container: containerFlag('Which container of the file (needed when it defines several).'),
    detach: Flags.boolean({ char: 'd', description: 'Run in the background: returns once the command started; see `haco ps`, `haco logs`.', default: false }),
    trace: Flags.boolean({ description: 'Print every step the launcher takes, as the syscalls it makes.', default: false }),
    'preserve-fds': preserveFdsFlag,
    tty: Flags.boolean({ char: 't', allowNo: true, description: "A terminal of the container's own (a pty from its devpts); default: when stdin is a terminal." }),
    interactive: Flags.boolean({ char: 'i', allowNo: true, description: "Pass this terminal's input (stdin) to the container (default; --no-interactive: stdin at end of file)." }),
    init: Flags.boolean({ allowNo: true, description: 'A tiny init as PID 1 that forwards signals and reaps zombies (default in the foreground; --no-init: the command is PID 1).' }),
    ...toggleFlags,
  };

  async run(): Promise<void> {
    const { args, flags, argv } = await this.parse(Start);
    const dashDash = this.argv.indexOf('--');
    const command = dashDash >= 0 ? this.argv.slice(dashDash + 1) : (argv as string[]).slice(1);
    const { loadDefinition } = await import('../load/load');
    const { startFromPlan } = await import('../start/start');
    const { applyToggles } = await import('../dsl/toggles');
    const toggles = togglesFromFlags(flags);
    const loaded = await loadDefinition(args.file);
    const code = await startFromPlan(loaded.plan, {
      file: args.file,
      ...(flags.container ? { container: flags.container } : {}),
      ...(command.length > 0 ? { command } : {}),
      trace: flags.trace,
      detach: flags.detach,
      ...(flags['preserve-fds'] !== undefined ? { preserveFds: flags['preserve-fds'] } : {}),
      ...(flags.tty !== undefined ? { tty: flags.tty } : {}),
      ...(flags.interactive !== undefined ? { interactive: flags.interactive } : {}),
      ...(flags.init !== undefined ? { init: flags.init } : {}),
      edit: (container) => applyToggles(container, toggles),
    });
    process.exitCode = code;
  }
}
