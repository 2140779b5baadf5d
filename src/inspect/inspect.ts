import * as fs from 'node:fs';
import * as path from 'node:path';
import { detectCgroupHost, type CgroupMode } from '../cgroup';
import { cgroupDirs, readSavedPlan, requireRunning, type ContainerState } from '../state';
import type { DeviceRule } from '../plan/types';
import { readDevicesReport, type DevicesReport } from './devices';
import { parseCapabilities, type CapabilitySet, type DecodedCapabilities } from './capabilities';
import { readCgroupReport, type CgroupReport } from './cgroup';
import { mountTree, overlayLayers, parseMountTable, type MountEntry, type OverlayLayers } from './mounts';
import { compareNamespaces, type NamespaceComparison } from './namespaces';

/** Everything `haco inspect` shows, as `--json` prints it. */
export interface InspectReport {
  name: string;
  /** Host pid of the container's init. */
  pid: number;
  supervisor: number;
  namespaces: NamespaceComparison[];
  cgroup: CgroupReport & { mode: CgroupMode | null };
  capabilities: Partial<Record<CapabilitySet, DecodedCapabilities>>;
  devices: DevicesReport;
  /** The init's mounts in tree order, as it sees them; `depth` is the nesting under its parent mount. */
  mounts: Array<MountEntry & { depth: number }>;
  overlays: OverlayLayers[];
}

export interface InspectOptions {
  /** Where proc is mounted (fixtures in tests); default /proc. */
  procRoot?: string;
}

/** The report for a container whose state is known to be running; reads only. */
export function inspectState(state: ContainerState, options: InspectOptions = {}): InspectReport {
  const procRoot = options.procRoot ?? '/proc';
  const { pid, supervisor } = state.recorded;
  const procFile = (file: string) => fs.readFileSync(path.join(procRoot, String(pid), file), 'utf8');
  let mode: CgroupMode | null = null;
  try {
    mode = detectCgroupHost().mode;
  } catch {
    // No cgroup filesystem: the limits below are all null anyway.
  }
  return {
    name: state.name,
    pid,
    supervisor,
    // The supervisor stays in the host's namespaces: the reference when PID 1's are not readable.
    namespaces: compareNamespaces(procRoot, pid, [1, supervisor, 'self']),
    cgroup: { mode, ...readCgroupReport(cgroupDirs(state), state.recorded.meta['tracking'], procRoot) },
    capabilities: parseCapabilities(procFile('status')),
    devices: readDevicesReport(cgroupDirs(state), savedDevices(state), mode),
    mounts: mountTree(parseMountTable(procFile('mountinfo'))).map(({ entry, depth }) => ({ ...entry, depth })),
    overlays: overlayLayers(parseMountTable(procFile('mountinfo'))),
  };
}

/** The device rules of the plan the container runs; undefined when that plan is unreadable or older than the field. */
function savedDevices(state: ContainerState): DeviceRule[] | undefined {
  try {
    return readSavedPlan(state).devices;
  } catch {
    return undefined;
  }
}

/** `haco inspect NAME`: exit 5 (E_NOT_RUNNING / E_NO_CONTAINER) unless NAME is running. */
export function inspectContainer(name: string, options: InspectOptions = {}): InspectReport {
  return inspectState(requireRunning(name), options);
}
