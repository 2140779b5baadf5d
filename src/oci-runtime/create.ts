import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EXIT, HacoError } from '../errors';
import { loadDefinition } from '../load/load';
import { configToDefinition } from '../oci/import';
import type { RuntimeConfig } from '../oci/runtime-config';
import { compileLaunchSpec } from '../runtime/compile';
import { decideAppArmor } from '../runtime/compile-apparmor';
import { ensureDefaultProfileFile } from '../apparmor/profile-file';
import { detectHostFacts } from '../runtime/host-facts';
import { preserveFdsOption } from '../plan/preserve-fds';
import { preflight } from '../start/preflight';
import { HOST_MODES } from '../state/paths';
import { containerNameOf, ociStateDir, startFifoOf } from './paths';
import { callerStdio, runLauncher, writePidFile } from './launch';
import { deleteContainer } from './control';
import { hooksOf, runHooks } from './hooks';
import { readOciEntry, type OciState } from './state';

export interface CreateRequest {
  root: string;
  id: string;
  bundle: string;
  pidFile?: string;
  /** `--preserve-fds N`: the caller's fds 3..3+N-1 reach the program (as runc; LISTEN_FDS is set too). */
  preserveFds?: number;
  /** `--console-socket PATH`: with process.terminal, where the pty master goes. */
  consoleSocket?: string;
  trace: boolean;
}

/** Messages for what the definition could not say (a custom seccomp filter…), printed on stderr. */
export interface CreateResult {
  state: OciState;
  notes: string[];
  /** The launcher's status when it failed (it printed the error itself: step, path, errno, hint). */
  failedStatus?: number;
}

function readConfig(bundle: string): { file: string; config: RuntimeConfig } {
  const file = path.join(bundle, 'config.json');
  let config: unknown;
  try {
    config = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new HacoError('E_BUNDLE', `${file}: ${(error as Error).message}`, { hint: 'give --bundle a directory holding an OCI runtime config.json (`haco export oci` or `runc spec` make one)', exitCode: EXIT.usage });
  }
  if (typeof config !== 'object' || config === null || typeof (config as { ociVersion?: unknown }).ociVersion !== 'string') {
    throw new HacoError('E_BUNDLE', `${file} is not an OCI runtime config (no ociVersion)`, { hint: 'give --bundle a directory holding an OCI runtime config.json', exitCode: EXIT.usage });
  }
  return { file, config: config as RuntimeConfig };
}

/**
 * config.json → definition → plan, through the same mapping as `haco import oci` (one home for it):
 * the definition is evaluated like any .haco.ts, so the plan gets haco's validation and defaults.
 */
async function bundlePlan(bundle: string, id: string) {
  const { file, config } = readConfig(bundle);
  // process.terminal is the runtime's business (a pty whose master goes to --console-socket), not the definition's.
  // So are the hooks: they get the State on stdin at the spec's points (src/oci-runtime/hooks.ts).
  const own: RuntimeConfig = { ...config, ...(config.process ? { process: { ...config.process, terminal: false } } : {}) };
  delete own.hooks;
  const { source, notes } = configToDefinition(own, bundle);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'haco-oci-'));
  try {
    const def = path.join(tmp, `${id}.haco.ts`);
    fs.writeFileSync(def, source, { mode: 0o600 });
    const loaded = await loadDefinition(def, { cache: false });
    const first = loaded.plan.containers[0];
    if (!first) throw new HacoError('E_BUNDLE', `${file}: no container in it`, { hint: 'check the config.json', exitCode: EXIT.usage });
    return { file, config, notes, container: { ...first, name: containerNameOf(id) } };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * `haco runtime create`: the launcher runs detached and stops at `wait-start` (end of phase 2: the
 * child exists in its namespaces and cgroups and waits); it returns once the state says created.
 */
export async function createContainer(request: CreateRequest): Promise<CreateResult> {
  const stateDir = ociStateDir(request.root, request.id);
  if (fs.existsSync(stateDir)) {
    throw new HacoError('E_EXISTS', `container "${request.id}" already exists in ${path.resolve(request.root)}`, {
      hint: `remove it first: haco runtime delete --force ${request.id}`,
      exitCode: EXIT.state,
    });
  }
  const bundle = path.resolve(request.bundle);
  const { file, config, notes, container: planned } = await bundlePlan(bundle, request.id);
  const terminal = wantsTerminal(config, request.consoleSocket);
  // With a terminal the pty's peer is the container's stdio; without, the caller's fds are (as runc).
  if (request.preserveFds) preserveFdsOption(request.preserveFds);
  const withFds = request.preserveFds ? { ...planned, process: { ...planned.process, preserveFds: request.preserveFds } } : planned;
  const container = terminal ? withFds : { ...withFds, process: { ...withFds.process, stdio: { ...withFds.process.stdio, ...callerStdio() } } };
  preflight(container, file);
  ensureRoot(path.resolve(request.root));
  const annotations = (config as { annotations?: Record<string, string> }).annotations ?? {};
  const hooks = hooksOf(config);
  const facts = detectHostFacts();
  if (decideAppArmor(container, facts).kind === 'apply' && container.apparmor?.builtin === 'default') ensureDefaultProfileFile();
  const spec = compileLaunchSpec(container, facts, {
    comments: false,
    lifecycle: {
      stateDir,
      keep: true,
      planJson: JSON.stringify(container),
      meta: { bundle, oci_annotations: JSON.stringify(annotations), oci_supervisor: 'exits', ...(hooks ? { oci_hooks: JSON.stringify(hooks) } : {}) },
      waitStart: startFifoOf(stateDir),
      supervisorExits: true,
      ...(terminal ? { consoleSocket: path.resolve(request.consoleSocket ?? '') } : {}),
    },
    ...(terminal ? { terminal: { pty: true, stdin: false } } : {}),
  });
  const argv = [...(request.trace ? ['--trace'] : []), '--detach', '--spec', '-'];
  const run = runLauncher(argv, spec.text, request.preserveFds ?? 0);
  const entry = readOciEntry(request.root, request.id);
  if (run.status !== 0 || !entry) return { state: entry?.state ?? { ociVersion: '1.0.2', id: request.id, status: 'stopped', bundle }, notes, failedStatus: run.status ?? 125 };
  if (hooks) {
    try {
      // created: the namespaces and the cgroups exist, the program has not run (runtime.md, lifecycle 4-6)
      for (const point of ['prestart', 'createRuntime', 'createContainer'] as const) runHooks(hooks, point, entry.state);
    } catch (error) {
      await deleteContainer(request.root, request.id, true); // a failed create leaves nothing (as runc)
      throw error;
    }
  }
  if (request.pidFile && entry.state.pid) writePidFile(request.pidFile, entry.state.pid);
  return { state: entry.state, notes };
}


/**
 * runc's rule: a terminal (config.json's process.terminal) in a detached create needs --console-socket
 * (the master must go to someone), and a console socket without a terminal is a mistake too.
 */
function wantsTerminal(config: RuntimeConfig, consoleSocket: string | undefined): boolean {
  const terminal = config.process?.terminal === true;
  if (terminal && !consoleSocket) {
    throw new HacoError('E_BUNDLE', 'config.json asks for a terminal (process.terminal) but create has no --console-socket', { hint: 'give --console-socket PATH (an AF_UNIX socket that receives the pty master), or set "terminal": false', exitCode: EXIT.usage });
  }
  if (!terminal && consoleSocket) {
    throw new HacoError('E_BUNDLE', '--console-socket given but config.json has no terminal (process.terminal is false)', { hint: 'set "terminal": true in config.json\'s process, or drop --console-socket', exitCode: EXIT.usage });
  }
  return terminal;
}

/**
 * The --root directory: made (0711, like /run/haco) when missing; an existing one is left as it is —
 * an engine or a test may give its own, and tightening, say, /tmp would break the host.
 */
function ensureRoot(root: string): void {
  if (!fs.existsSync(root)) fs.mkdirSync(root, { recursive: true, mode: HOST_MODES.top });
  const st = fs.lstatSync(root);
  if (!st.isDirectory()) throw new HacoError('E_ROOT', `--root ${root} is not a directory`, { hint: 'give --root a directory (default /run/haco-oci)', exitCode: EXIT.usage });
}

