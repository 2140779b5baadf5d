import { HacoCommand } from './base-command';

/**
 * A `haco runtime` command: runc's `--log FILE` / `--log-format` (bin/haco-oci passes an engine's global
 * flags on) are read before the command runs, so its errors — ours and the launcher's — also reach the
 * log the engine reads (src/oci-runtime/runtime-log.ts), besides stderr.
 */
export abstract class RuntimeCommand extends HacoCommand {
  override async init(): Promise<void> {
    await super.init();
    const { useRuntimeLog } = await import('../../oci-runtime/runtime-log');
    useRuntimeLog(this.argv);
  }

  protected override async catch(error: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    if (!(error.oclif?.exit === 0)) {
      const { errorLogText, logRuntime } = await import('../../oci-runtime/runtime-log');
      logRuntime('error', errorLogText(error));
    }
    return super.catch(error);
  }
}
