import { Flags } from '@oclif/core';
import { RuntimeCommand } from '../support/runtime-command';
import { idArg, runtimeFlags } from '../support/runtime-flags';

export default class RuntimeCreate extends RuntimeCommand {
  static override summary = 'Create a container from an OCI bundle and hold it before its process runs.';
  static override description =
    'The OCI runtime interface (runtime-spec runtime.md): the bundle\'s config.json becomes a plan (as `haco import oci` maps it), ' +
    'then a launch spec; the launcher creates the namespaces and cgroups, and the container\'s init does everything but its exec ' +
    '(mounts, pivot_root, identity, capabilities) and waits at `wait-start` until `haco runtime start ID`. As with runc, the ' +
    'container\'s stdin, stdout and stderr are this command\'s. See docs/oci-runtime.md.';
  static override examples = ['<%= config.bin %> runtime create --bundle ./bundle --pid-file /run/app.pid app', '<%= config.bin %> runtime start app'];
  static override args = idArg;
  static override flags = {
    ...runtimeFlags,
    bundle: Flags.string({ char: 'b', description: 'The bundle directory (config.json and its root); default: the current directory.' }),
    'pid-file': Flags.string({ description: 'Write the container init\'s pid (host view) to this file.' }),
    'preserve-fds': Flags.integer({ description: 'Pass this many extra fds (3, 4, …) of this command to the container\'s program (LISTEN_FDS is set).', default: 0 }),
    'console-socket': Flags.string({
      description: 'With "terminal": true in config.json: an AF_UNIX socket the container\'s pty master is sent to (SCM_RIGHTS), as runc; the container\'s stdio is the pty.',
    }),
    trace: Flags.boolean({ description: 'Print each launcher step as the system calls it makes.', default: false }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(RuntimeCreate);
    const { createContainer } = await import('../../oci-runtime/create');
    const result = await createContainer({
      root: flags.root,
      id: args.id,
      bundle: flags.bundle ?? process.cwd(),
      trace: flags.trace,
      ...(flags['pid-file'] ? { pidFile: flags['pid-file'] } : {}),
      ...(flags['console-socket'] ? { consoleSocket: flags['console-socket'] } : {}),
      ...(flags['preserve-fds'] ? { preserveFds: flags['preserve-fds'] } : {}),
    });
    const { logRuntime } = await import('../../oci-runtime/runtime-log');
    for (const n of result.notes) {
      process.stderr.write(`haco: not applied from config.json: ${n}\n`);
      logRuntime('warning', `not applied from config.json: ${n}`);
    }
    if (result.failedStatus !== undefined) process.exitCode = result.failedStatus;
  }
}
