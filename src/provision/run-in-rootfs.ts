import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXIT, HacoError } from '../errors';
import type { ContainerPlan, HostFileMount, OverlayPlan } from '../plan/types';
import type { Reporter } from '../progress/reporter';
import { runStreamed, type StreamedResult } from '../progress/run-streamed';
import { compileLaunchSpec } from '../runtime/compile';
import { detectHostFacts, type HostFacts } from '../runtime/host-facts';
import { findLauncher } from '../runtime/launcher-path';
import { containerForThisUser } from '../rootless/adapt';
import { PROVISION_HOST_FILES, provisionPlan } from './provision-plan';

/**
 * Running a command inside a container's rootfs without starting the container: the plan derived by
 * provisionPlan() (src/provision/provision-plan.ts) is compiled into a launch spec and executed by haco's
 * own launcher, spawned as a child (node waits for it; this is not the `haco start` handoff). The spec
 * goes through a pipe on fd 3; stdout and stderr are streamed with the phase prefix. The launcher sets
 * everything up in a fresh mount namespace (overlay included) and tears it all down when the command
 * exits — mounts die with the namespace, the cgroup is removed — and exits with the command's status.
 */
export interface RunInRootfsOptions {
  reporter: Reporter;
  container: string;
  phase: string;
  signal?: AbortSignal;
  /** A host file fed to the command's stdin (how provision files are copied in). */
  inputFile?: string;
  /** Host facts (tests); detected once per process otherwise. */
  host?: HostFacts;
}

let factsCache: HostFacts | undefined;

/**
 * Runs `argv` inside the rootfs of `container` through the launcher, streaming its output with the
 * phase prefix. Never throws for a non-zero exit; returns it (the launcher's status is the command's,
 * 125 when the launch itself failed).
 */
export async function runInRootfs(container: ContainerPlan, argv: readonly string[], options: RunInRootfsOptions): Promise<StreamedResult> {
  const present = container.rootfs.overlay ? fs.existsSync(container.rootfs.overlay.upper) : fs.existsSync(container.rootfs.path);
  if (!present) {
    throw new HacoError('E_NO_ROOTFS', `the rootfs of "${container.name}" does not exist: ${container.rootfs.overlay?.upper ?? container.rootfs.path}`, {
      hint: 'build it first: haco create FILE',
      exitCode: EXIT.state,
    });
  }
  // Rootless: the steps run in a user namespace of their own too, so what they create is owned by the map.
  const plan = containerForThisUser(provisionPlan(container, argv, { hostFiles: bindableHostFiles(container) }));
  const host = options.host ?? (factsCache ??= detectHostFacts());
  const spec = compileLaunchSpec(plan, host, { comments: false });
  const launcher = findLauncher();
  return runStreamed(launcher, ['--spec-fd', '3'], {
    reporter: options.reporter,
    container: options.container,
    phase: options.phase,
    // The launcher needs nothing from node's environment; the command's own is in the spec.
    env: { PATH: process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin' },
    extendEnv: false,
    fd3: spec.text,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.inputFile ? { inputFile: options.inputFile } : {}),
  });
}

/**
 * The host files worth binding: present on the host, and a regular file in the rootfs (a missing one
 * would be created as an empty file, a symlink would be followed to wherever it points inside the tree).
 */
export function bindableHostFiles(container: ContainerPlan): HostFileMount['source'][] {
  return PROVISION_HOST_FILES.filter((f) => {
    if (!isFile(f, fs.statSync)) return false;
    return rootfsEntry(container, f) === 'file';
  });
}

type EntryKind = 'file' | 'other' | 'missing';

/** What PATH (inside the container) is in the rootfs, looking through the overlay layers top-down. */
export function rootfsEntry(container: ContainerPlan, inner: string): EntryKind {
  const overlay = container.rootfs.overlay;
  const trees = overlay ? [overlay.upper, ...overlay.lower] : [container.rootfs.path];
  for (const tree of trees) {
    const p = path.join(tree, inner);
    let st: fs.Stats;
    try {
      st = fs.lstatSync(p);
    } catch {
      continue;
    }
    // An overlayfs whiteout (a 0/0 character device) hides the lower layers' entry.
    if (st.isCharacterDevice() && st.rdev === 0) return 'missing';
    return st.isFile() ? 'file' : 'other';
  }
  return 'missing';
}

function isFile(p: string, stat: (p: string) => fs.Stats): boolean {
  try {
    return stat(p).isFile();
  } catch {
    return false;
  }
}

/** overlayfs mount data: `lowerdir=top:…:bottom,upperdir=U,workdir=W`. */
export function overlayOptions(overlay: OverlayPlan): string {
  return `lowerdir=${overlay.lower.join(':')},upperdir=${overlay.upper},workdir=${overlay.work}`;
}
