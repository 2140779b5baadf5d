import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ContainerPlan } from '../plan/types';
import type { Reporter } from '../progress/reporter';
import { BootstrapError, RootfsStateError } from '../bootstrap/errors';
import { isPopulatedDir } from '../bootstrap/layers';
import { abortSignalName, ProvisionInterruptedError, ProvisionStepError } from './errors';
import { planSteps, readRecord, treeIdentity, writeRecord } from './record';
import { runInRootfs } from './run-in-rootfs';

export interface ProvisionOptions {
  reporter: Reporter;
  /** Directory of the definition file (relative file sources). */
  baseDir: string;
  only?: readonly string[];
  always?: boolean;
  signal?: AbortSignal;
}

export interface ProvisionResult {
  container: string;
  ran: string[];
  skipped: string[];
}

/**
 * Copies the plan's files into the rootfs, then runs each changed step inside it with `sh -xe`,
 * stopping at the first failure (a ProvisionStepError carrying the step's exit code). A step whose
 * content hash was recorded for this very tree is skipped.
 */
export async function provisionRootfs(container: ContainerPlan, options: ProvisionOptions): Promise<ProvisionResult> {
  const { reporter } = options;
  const name = container.name;
  const plan = container.provision;
  const result: ProvisionResult = { container: name, ran: [], skipped: [] };
  if (plan.steps.length === 0 && plan.files.length === 0) return result;
  if (options.only) {
    const unknown = options.only.filter((o) => !plan.steps.some((s) => s.name === o));
    if (unknown.length > 0) {
      throw new RootfsStateError('E_NO_STEP', `"${name}" has no provision step ${unknown.map((u) => `"${u}"`).join(', ')}`, `steps: ${plan.steps.map((s) => s.name).join(', ') || '(none)'}`);
    }
  }
  const changedTree = container.rootfs.overlay ? container.rootfs.overlay.upper : container.rootfs.path;
  const ready = container.rootfs.overlay ? fs.existsSync(changedTree) : isPopulatedDir(container.rootfs.path);
  if (!ready) throw new RootfsStateError('E_NO_ROOTFS', `the rootfs of "${name}" does not exist yet`, 'haco create FILE');

  const signal = options.signal;
  if (plan.files.length > 0) {
    const phase = 'provision.files';
    const started = Date.now();
    reporter.begin(name, phase);
    for (const file of plan.files) {
      const source = path.resolve(options.baseDir, file.source);
      if (!fs.existsSync(source)) throw new RootfsStateError('E_NO_SOURCE', `provision file ${source} does not exist`);
      const mode = file.mode ?? (fs.statSync(source).mode & 0o777).toString(8).padStart(4, '0');
      // Written from inside the rootfs (after the switch), so symlinks in the rootfs resolve inside it and never onto the host.
      const copy = await runInRootfs(
        container,
        ['/bin/sh', '-c', 'umask 022; mkdir -p "$(dirname "$1")" && cat > "$1" && chmod "$2" "$1"', 'copy', file.target, mode],
        { reporter, container: name, phase, inputFile: source, ...(signal ? { signal } : {}) },
      );
      if (copy.cancelled) throw new ProvisionInterruptedError(name, 'files', abortSignalName(signal));
      if (copy.exitCode !== 0) throw new BootstrapError('E_PROVISION_FILE', `copying ${source} to ${file.target} failed`, copy.tail.slice(-2).join('\n') || undefined);
      reporter.line(name, phase, `${file.source} → ${file.target} (${mode})`);
    }
    reporter.end(name, phase, 'ok', Date.now() - started);
  }

  const rootfsId = treeIdentity(changedTree);
  const record = readRecord(name, rootfsId);
  for (const { step, hash, run } of planSteps(plan.steps, record, { ...(options.only ? { only: options.only } : {}), always: Boolean(options.always) })) {
    const phase = `provision.${step.name}`;
    if (!run) {
      reporter.end(name, phase, 'skipped', 0);
      result.skipped.push(step.name);
      continue;
    }
    const started = Date.now();
    reporter.begin(name, phase);
    const out = await runInRootfs(container, ['/bin/sh', '-xec', step.script], { reporter, container: name, phase, ...(signal ? { signal } : {}) });
    if (out.cancelled) {
      reporter.end(name, phase, 'failed', Date.now() - started);
      throw new ProvisionInterruptedError(name, step.name, abortSignalName(signal));
    }
    if (out.exitCode !== 0) {
      reporter.end(name, phase, 'failed', Date.now() - started);
      // A failed step must run again next time, even if it had succeeded before with the same text.
      delete record.steps[step.name];
      writeRecord(name, record);
      throw new ProvisionStepError(name, step.name, out.exitCode, out.tail);
    }
    const ms = Date.now() - started;
    record.steps[step.name] = { hash, finishedAt: new Date().toISOString(), ms };
    writeRecord(name, record);
    reporter.end(name, phase, 'ok', ms);
    result.ran.push(step.name);
  }
  return result;
}
