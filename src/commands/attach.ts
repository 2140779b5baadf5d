import { Flags } from '@oclif/core';
import { containerNameArg, HacoCommand, preserveFdsFlag } from './support/base-command';

export default class Attach extends HacoCommand {
  static override summary = "Run a command inside a running container (its namespaces, cgroup, root, identity).";
  static override description =
    'Compiles a launch spec that joins every namespace the container has of its own (user first), its cgroup, ' +
    'root, user, capabilities, seccomp filter and environment, and hands it to the launcher: CMD (default ' +
    "/bin/sh) runs on this terminal and its exit status is haco's. --trace shows each step. The plain form " +
    "`attach [--trace] NAME -- CMD` (as root, stdin not a terminal) leaves a prepared spec in the state dir and " +
    'runs from it without Node while everything it was compiled from still holds (docs/performance.md); ' +
    'HACO_NO_FAST_ATTACH=1 always goes through Node.';
  static override strict = false;
  static override examples = ['<%= config.bin %> attach web', '<%= config.bin %> attach web -- uptime', '<%= config.bin %> attach --trace web -- true', '<%= config.bin %> attach -e DEBUG=1 web -- env'];
  static override args = { name: containerNameArg() };
  static override flags = {
    trace: Flags.boolean({ description: 'Print every step the launcher takes.', default: false }),
    'preserve-fds': preserveFdsFlag,
    tty: Flags.boolean({ char: 't', allowNo: true, description: "A terminal from the container's devpts; default: when stdin is a terminal." }),
    interactive: Flags.boolean({ char: 'i', allowNo: true, description: 'Pass this terminal\'s input to the command (default).' }),
    user: Flags.string({ char: 'u', description: "UID[:GID] to run as instead of the init's identity." }),
    'allow-cap': Flags.string({ char: 'A', description: "Add a capability to the init's sets (repeatable), e.g. sys_ptrace.", multiple: true, multipleNonGreedy: true }),
    'detach-keys': Flags.string({ description: 'Keys that leave the console of a container started with -d -t (it keeps running).', default: 'ctrl-p,ctrl-q' }),
    env: Flags.string({ char: 'e', description: 'Set KEY=VALUE for this command (repeatable); a bare KEY passes haco\'s own value.', multiple: true, multipleNonGreedy: true }),
    'drop-cap': Flags.string({ char: 'D', description: "Remove a capability from the init's sets (repeatable).", multiple: true, multipleNonGreedy: true }),
  };

  async run(): Promise<void> {
    const { args, flags, argv } = await this.parse(Attach);
    const dashDash = this.argv.indexOf('--');
    const command = dashDash >= 0 ? this.argv.slice(dashDash + 1) : (argv as string[]).slice(1);
    const { prepareAttach } = await import('../lifecycle/attach');
    const { handOver } = await import('../start/handoff');
    const { findLauncher } = await import('../runtime/launcher-path');
    if (command.length === 0) {
      // A container started with -d -t: its console (the pty its supervisor keeps), not a new shell.
      const { attachConsole, consoleOf, parseDetachKeys } = await import('../lifecycle/console');
      const keys = parseDetachKeys(flags['detach-keys']);
      const sock = consoleOf(args.name);
      if (sock) {
        process.exitCode = await attachConsole(args.name, sock, keys);
        return;
      }
    }
    const { preserveFdsOption } = await import('../plan/preserve-fds');
    const preserveFds = preserveFdsOption(flags['preserve-fds'] ?? 0);
    const { attachFlags } = await import('../lifecycle/attach-flags');
    const opts = attachFlags(flags);
    const launcher = findLauncher();
    // The plain form `attach [--trace] NAME -- CMD…` as root leaves a prepared spec the C front runs next
    // time without Node (src/lifecycle/attach-template.ts); the front reads only /run/haco or HACO_RUN_DIR.
    const plain = dashDash >= 0 && command.length > 0 && Object.keys(opts).length === 0 && preserveFds === 0 && process.geteuid?.() === 0 && !process.env['HACO_LAUNCHER'];
    const target = prepareAttach(args.name, command.length ? command : undefined, { ...opts, preserveFds }, plain ? { launcher } : undefined);
    process.exitCode = await handOver([launcher, ...(flags.trace ? ['--trace'] : [])], target.spec, preserveFds);
  }
}
