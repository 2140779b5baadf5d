/**
 * haco for programs and tests (docs/api.md): load a definition, build its rootfs, start a container in
 * the background and talk to it through a handle — the commands of the CLI, as functions that resolve
 * with typed results and reject with a HacoError (its `code` is the one the CLI prints).
 */
import * as path from 'node:path';
import { requireRootFor } from '../bootstrap/tools';
import { EXIT, HacoError } from '../errors';
import { pickContainers } from '../plan/pick';
import type { Reporter } from '../progress/reporter';
import { Container } from './container';
import { runLauncher } from './launch';
import type { CreateOptions, CreateResult, Definition, DefinitionInput, ProgressEvent, RunResult, StartOptions } from './types';

export { Container } from './container';
export { HacoError, EXIT } from '../errors';
export type * from './types';

/** Evaluates a .haco.ts file into its validated plan (`haco plan FILE --json`). */
export async function load(file: string): Promise<Definition> {
  const { loadDefinition } = await import('../load/load');
  const loaded = await loadDefinition(file);
  return { file: loaded.file, plan: loaded.plan, containers: loaded.plan.containers.map((c) => c.name) };
}

async function definition(input: DefinitionInput): Promise<Definition> {
  return typeof input === 'string' ? load(input) : input;
}

/** Progress events to a callback, in the shape of `haco create --json`'s. */
function callbackReporter(onProgress: ((e: ProgressEvent) => void) | undefined): Reporter {
  const emit = (e: ProgressEvent) => onProgress?.(e);
  return {
    begin: (container, phase) => emit({ container, kind: 'begin', phase, text: '' }),
    line: (container, phase, text) => emit({ container, kind: 'output', phase, text }),
    end: (container, phase, outcome) => emit({ container, kind: 'end', phase, text: outcome }),
    result: () => undefined,
    warn: (container, text) => emit({ container, kind: 'warning', phase: '', text }),
    close: () => undefined,
  };
}

/** Builds the rootfs of the definition's containers and provisions them (`haco create FILE`). Root only. */
export async function create(input: DefinitionInput, options: CreateOptions = {}): Promise<CreateResult[]> {
  const def = await definition(input);
  requireRootFor('create', pickContainers(def.plan, def.file, options.container));
  const { createRootfs } = await import('../bootstrap/create');
  const { orderByLayers } = await import('../bootstrap/layers');
  const { provisionRootfs } = await import('../provision/provision');
  const { clearRecord } = await import('../provision/record');
  const reporter = callbackReporter(options.onProgress);
  const baseDir = path.dirname(def.file);
  const results: CreateResult[] = [];
  for (const container of orderByLayers(pickContainers(def.plan, def.file, options.container))) {
    const created = await createRootfs(container, { force: options.force ?? false, reporter, baseDir, others: def.plan.containers });
    if (created.outcome === 'created') clearRecord(container.name);
    const provisioned = options.provision === false ? { ran: [], skipped: [] } : await provisionRootfs(container, { reporter, baseDir });
    results.push({ container: container.name, rootfs: created.rootfs, outcome: created.outcome, provisioned: provisioned.ran, unchanged: provisioned.skipped, ms: created.ms });
  }
  return results;
}

/**
 * Starts a container of the definition (`haco start FILE`). Detached (the default) it resolves with the
 * container's handle once its command started; with `detach: false` it resolves when the container
 * exited, with its exit code and output. Root only, like the CLI.
 */
export async function start(input: DefinitionInput, options?: StartOptions & { detach?: true }): Promise<Container>;
export async function start(input: DefinitionInput, options: StartOptions & { detach: false }): Promise<RunResult>;
export async function start(input: DefinitionInput, options: StartOptions = {}): Promise<Container | RunResult> {
  const def = await definition(input);
  const detach = options.detach ?? true;
  const { prepareStart } = await import('../start/start');
  const prepared = await prepareStart(def.plan, {
    file: def.file,
    ...(options.container ? { container: options.container } : {}),
    ...(options.command ? { command: options.command } : {}),
    trace: false,
    detach,
  });
  const result = await runLauncher(prepared.argv, prepared.spec, prepared.preserveFds);
  if (!detach) return result;
  if (result.exitCode !== 0) {
    throw new HacoError('E_START_FAILED', `container "${prepared.name}" did not start (launcher exit ${result.exitCode}): ${result.stderr.trim() || result.stdout.trim()}`, {
      hint: `run \`haco start -d ${def.file}${options.container ? ` -c ${options.container}` : ''}\` to see the same failure, or \`haco plan ${def.file} --launch\``,
      exitCode: result.exitCode === EXIT.launch ? EXIT.launch : EXIT.failure,
    });
  }
  return new Container(prepared.name);
}

/** The handle of a container started earlier (by `haco start -d` or another program), by name. */
export function container(name: string): Container {
  return new Container(name);
}
