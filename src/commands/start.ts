import { Flags } from '@oclif/core';
import { containerFlag, definitionArgs, HacoCommand, jsonFlag, preserveFdsFlag } from './support/base-command';
import { toggleFlags, togglesFromFlags } from './support/toggle-flags';
import { UsageError } from '../errors';
import { parseFileRef } from '../plan/pick';

export default class Start extends HacoCommand {
  static override summary = 'Start a container in the foreground, on this terminal, or detached with -d.';
  static override description =
    'Evaluates FILE (or reuses its cached plan), checks the host and the rootfs, compiles the container into a ' +
    'launch spec and hands it to the native launcher, which replaces haco: no node process stays behind. The ' +
    "container's exit status becomes haco's; its cgroup and every host-side trace are removed when it exits. " +
    'Arguments after `--` replace the command. FILE#NAME picks one container of a file that defines several.\n\n' +
    'As an ordinary user it runs in a user namespace of its own, with the state under $XDG_RUNTIME_DIR/haco and ' +
    'no cgroup limits on a cgroup v1 host (a notice says so; docs/rootless.md).\n\n' +
    'A foreground start leaves no state behind. A detached one (-d) keeps its record and log in /run/haco/NAME ' +
    'after the exit (see `haco ps -a`, `haco logs`, cleared by `haco rm`) unless --rm: then the supervisor removes ' +
    'them on its way out. -e and -v are the DSL\'s .env() and .bind() for this start only.\n\n' +
    'With -d --json, stdout is one JSON object, the container\'s row as `haco ps --json` prints it ' +
    '({"name","status","pid","supervisor",…,"autoRemove"}); the launcher\'s own words go to stderr. A failure ' +
    'prints {"error":{"code","message","hint"}}.\n\n' +
    'As root, `start [--trace] [-d] FILE [-- CMD]` (no other flag) keeps its launch in the cache dir; the same ' +
    'command line then runs without Node while everything the launch was computed from still holds — the ' +
    "definition's files, the environment variables and files it read, haco's build, the host facts and state " +
    'the start looked at (docs/performance.md). HACO_NO_FAST_START=1 always goes through Node.';
  static override aliases = ['run'];
  static override strict = false;
  static override examples = [
    '<%= config.bin %> start examples/first.haco.ts',
    '<%= config.bin %> start examples/first.haco.ts -- sh -c "hostname; ps"',
    '<%= config.bin %> start --create new.haco.ts   # builds the rootfs first when it is missing',
    '<%= config.bin %> start --trace examples/first.haco.ts -- true',
    '<%= config.bin %> start -d examples/reload.haco.ts',
    '<%= config.bin %> start -d --rm --json examples/reload.haco.ts',
    '<%= config.bin %> start -d --wait-ready examples/hooks.haco.ts   # returns once its .readiness() probe passes',
    '<%= config.bin %> start examples/multi.haco.ts#web',
    '<%= config.bin %> start -e GREETING=hi -e HOME -v "$PWD:/src:ro" examples/first.haco.ts -- sh -c \'echo $GREETING; ls /src\'',
    '<%= config.bin %> start examples/first.haco.ts --share pid --cpu 30% -- sh -c "ps | head"',
    '<%= config.bin %> start --preserve-fds 1 examples/first.haco.ts -- ls -l /proc/self/fd   # fd 3 passes, LISTEN_FDS=1',
  ];
  static override args = definitionArgs;
  static override flags = {
    container: containerFlag('Which container of the file (needed when it defines several; or write FILE#NAME).'),
    detach: Flags.boolean({ char: 'd', allowNo: true, description: "Run in the background: returns once the command started; see `haco ps`, `haco logs`. Default: the definition's .daemonize() (foreground when it has none); --no-detach runs it in the foreground." }),
    'wait-ready': Flags.boolean({ description: "With -d: return only once the container is ready (its .readiness() probe); exit 5 if it is not in time.", default: false }),
    rm: Flags.boolean({ description: 'With -d: remove the record and log when the container exits (a foreground start never keeps them).', default: false }),
    create: Flags.boolean({ description: 'Build the rootfs first when it does not exist (bootstrap + provision, as `haco create`), then start.', default: false }),
    json: jsonFlag,
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
    const ref = parseFileRef(args.file, flags.container);
    const { loadDefinition } = await import('../load/load');
    const { startFromPlan, prepareStart } = await import('../start/start');
    const { applyToggles } = await import('../dsl/toggles');
    const toggles = togglesFromFlags(flags);
    const loaded = await loadDefinition(ref.file);
    const { pickContainer } = await import('../plan/pick');
    const detach = flags.detach ?? pickContainer(loaded.plan, ref.file, ref.container).process.daemonize;
    if (flags.json && !detach) {
      throw new UsageError('--json needs -d: a foreground container writes its own output on stdout', `haco start -d --json ${args.file}`);
    }
    if (flags.create) {
      const { createMissingRootfs } = await import('../start/create-missing');
      await createMissingRootfs(loaded.plan, ref, loaded.file);
    }
    const request = {
      file: ref.file,
      ...(ref.container ? { container: ref.container } : {}),
      ...(command.length > 0 ? { command } : {}),
      trace: flags.trace,
      detach,
      remove: flags.rm,
      ...(flags['preserve-fds'] !== undefined ? { preserveFds: flags['preserve-fds'] } : {}),
      ...(flags.tty !== undefined ? { tty: flags.tty } : {}),
      ...(flags.interactive !== undefined ? { interactive: flags.interactive } : {}),
      ...(flags.init !== undefined ? { init: flags.init } : {}),
      edit: (container: Parameters<typeof applyToggles>[0]) => applyToggles(container, toggles),
    };
    if (flags['wait-ready'] && !detach) {
      throw new UsageError('--wait-ready needs -d: a foreground start runs until the container exits', `haco start -d --wait-ready ${args.file}`);
    }
    if (flags['wait-ready'] && !flags.json) {
      // node runs the detached launcher itself (it returns once the command runs), then waits for the readiness record.
      const prepared = await prepareStart(loaded.plan, request);
      const { runLauncher } = await import('../start/handoff');
      const code = await runLauncher(prepared.argv, prepared.spec, prepared.preserveFds);
      if (code !== 0) {
        process.exitCode = code;
        return;
      }
      const { waitReady } = await import('../start/wait-ready');
      const ms = await waitReady(prepared.name, prepared.readiness);
      process.stdout.write(`${prepared.name} ready after ${ms} ms\n`);
      return;
    }
    if (!flags.json) {
      // The plain `start [-d] FILE [-- CMD]`: its launch is kept for the native front's next run.
      const { startKeepingLaunch } = await import('../start/warm-start');
      process.exitCode = flags.create ? await startFromPlan(loaded.plan, request) : await startKeepingLaunch(loaded.plan, loaded.observed, request);
      return;
    }
    // --json: node runs the detached launcher itself (it returns once the container runs) to report after it.
    const prepared = await prepareStart(loaded.plan, request);
    const { runLauncher } = await import('../start/handoff');
    const code = await runLauncher(prepared.argv, prepared.spec, prepared.preserveFds, 'stderr');
    const { readState } = await import('../state');
    const state = code === 0 ? readState(prepared.name) : undefined;
    if (!state) {
      process.stdout.write(`${JSON.stringify({ error: { code: 'E_LAUNCH', message: `the launcher exited with status ${code}`, hint: 'its message is on stderr' } }, null, 2)}\n`);
      process.exitCode = code === 0 ? 1 : code;
      return;
    }
    if (flags['wait-ready']) {
      const { waitReady } = await import('../start/wait-ready');
      await waitReady(prepared.name, prepared.readiness);
    }
    const { psRow } = await import('../lifecycle/ps');
    process.stdout.write(`${JSON.stringify(psRow(state), null, 2)}\n`);
  }
}
