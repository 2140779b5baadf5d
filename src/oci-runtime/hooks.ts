import { spawnSync } from 'node:child_process';
import { EXIT, HacoError } from '../errors';
import type { RuntimeConfig, RuntimeHook } from '../oci/runtime-config';
import { requireTool } from '../host/tools';
import { logRuntime } from './runtime-log';
import type { OciState } from './state';

/**
 * runtime-spec lifecycle hooks (config.md "POSIX-platform Hooks", runtime.md "Lifecycle"), run by the
 * runtime command at the point the spec names: create runs prestart, createRuntime (the runtime's
 * namespaces) and createContainer (the container's), once the container is created and before create
 * returns; start runs startContainer (the container's namespaces) before the program is released, then
 * poststart once it runs; delete runs poststop after the container is gone. Each gets the State JSON on
 * stdin, its own `env` (nothing else: the spec's env replaces ours), `args` with args[0] as argv[0], and
 * is killed (SIGKILL) past its `timeout` seconds.
 *
 * Why here and not as launcher steps (hook-at): the State a hook reads — the pid, the status — exists
 * only once the launcher has reported "created", and start/delete are separate runtime commands the
 * launcher is no longer part of; each command is a short Node process that runs the hooks and exits,
 * nothing stays resident. The container's namespaces are entered with nsenter (util-linux).
 */
export const HOOK_POINTS = ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop'] as const;
export type HookPoint = (typeof HOOK_POINTS)[number];

export type OciHooks = NonNullable<RuntimeConfig['hooks']>;

/** Points whose failure only warns (the container runs, or is gone): the rest fail the command. */
const WARN_ONLY: readonly HookPoint[] = ['poststart', 'poststop'];
/** Points run in the container's namespaces (the rest in the runtime's, the host's). */
const IN_CONTAINER: readonly HookPoint[] = ['createContainer', 'startContainer'];

/** The config's hooks as create records them for start and delete (state-meta `oci_hooks`). */
export function hooksOf(config: RuntimeConfig): OciHooks | undefined {
  const hooks = config.hooks;
  if (!hooks || !Object.values(hooks).some((list) => (list ?? []).length > 0)) return undefined;
  return hooks;
}

export function parseHooks(text: string | undefined): OciHooks {
  if (!text) return {};
  return JSON.parse(text) as OciHooks;
}

/** The argv that runs one hook: as given, or through nsenter into the container's namespaces. */
function hookCommand(point: HookPoint, hook: RuntimeHook, pid: number | undefined): { file: string; args: string[]; argv0: string } {
  const args = hook.args && hook.args.length > 0 ? hook.args : [hook.path];
  if (!IN_CONTAINER.includes(point)) return { file: hook.path, args: args.slice(1), argv0: args[0]! };
  if (!pid) throw new HacoError('E_OCI_HOOK', `hooks.${point} ${hook.path}: the container has no process to enter`, { hint: 'the container exited before its hook could run', exitCode: EXIT.state });
  // nsenter cannot set argv[0] apart from the path: the hook gets its path as argv[0] then.
  const nsenter = requireTool('nsenter');
  return { file: nsenter, args: ['--target', String(pid), '--all', '--', hook.path, ...args.slice(1)], argv0: nsenter };
}

/**
 * Run the hooks of one point in order, with STATE on stdin. A failure (status, signal, timeout, no such
 * file) of a point that must succeed throws E_OCI_HOOK naming the point, the hook's index and path, and
 * what happened; poststart and poststop failures are warnings (stderr and --log) and the next hook runs.
 */
export function runHooks(hooks: OciHooks, point: HookPoint, state: OciState): void {
  const list = hooks[point] ?? [];
  const input = JSON.stringify(state);
  list.forEach((hook, index) => {
    const cmd = hookCommand(point, hook, state.pid);
    const timeoutMs = hook.timeout && hook.timeout > 0 ? hook.timeout * 1000 : undefined;
    const env = Object.fromEntries((hook.env ?? []).map((kv) => [kv.slice(0, Math.max(kv.indexOf('='), 0)) || kv, kv.includes('=') ? kv.slice(kv.indexOf('=') + 1) : '']));
    const run = spawnSync(cmd.file, cmd.args, {
      argv0: cmd.argv0,
      env,
      input,
      encoding: 'utf8',
      stdio: ['pipe', 'ignore', 'pipe'],
      ...(timeoutMs ? { timeout: timeoutMs, killSignal: 'SIGKILL' as const } : {}),
    });
    const what = `hooks.${point}[${index}] ${hook.path}`;
    let failure: string | undefined;
    // EPIPE: the hook exited without reading the State (it need not read it); its status says how it went.
    const errorCode = (run.error as NodeJS.ErrnoException | undefined)?.code;
    if (errorCode === 'ETIMEDOUT') failure = `killed after its timeout of ${hook.timeout} s`;
    else if (run.error && errorCode !== 'EPIPE') failure = `could not run: ${(run.error as NodeJS.ErrnoException).code ?? run.error.message}`;
    else if (run.signal) failure = `killed by ${run.signal}`;
    else if (run.status !== 0) failure = `exited with status ${run.status}`;
    if (!failure) return;
    const stderr = (run.stderr ?? '').trim().split('\n').join(' | ');
    const message = `${what}: ${failure}${stderr ? ` (its stderr: ${stderr.slice(0, 500)})` : ''}`;
    if (WARN_ONLY.includes(point)) {
      process.stderr.write(`haco: warning: ${message}\n`);
      logRuntime('warning', message);
      return;
    }
    throw new HacoError('E_OCI_HOOK', message, {
      hint: 'the container was destroyed, as runtime-spec says (its poststop hooks ran): fix the hook in config.json and create it again',
      exitCode: EXIT.failure,
    });
  });
}
