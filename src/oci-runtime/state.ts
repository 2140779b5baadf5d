import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXIT, HacoError } from '../errors';
import { isSameProcess, parseState, type RecordedState } from '../state';
import { ociStateDir } from './paths';

/** runtime-spec's State (runtime.md "State"), what `haco runtime state ID` prints. */
export interface OciState {
  ociVersion: string;
  id: string;
  status: 'creating' | 'created' | 'running' | 'stopped';
  pid?: number;
  bundle: string;
  annotations?: Record<string, string>;
}

/** The runtime-spec version the State says it follows (the one src/oci/runtime-config.ts writes). */
export const OCI_STATE_VERSION = '1.0.2';

export interface OciEntry {
  id: string;
  dir: string;
  recorded: RecordedState;
  state: OciState;
  supervisorAlive: boolean;
}

/**
 * The launcher's state file (native/src/state.c) read as runtime-spec statuses: `starting` is
 * creating, `created` is created while its init still lives (a `kill` before `start` makes it
 * stopped), `running`/`restarting` is running while the init lives (and its supervisor, unless the
 * state says `oci_supervisor=exits`), everything else is stopped.
 */
export function toOciStatus(recorded: RecordedState, same: (pid: number, start: number) => boolean = isSameProcess): OciState['status'] {
  const supervisor = same(recorded.supervisor, recorded.supervisorStart);
  const init = recorded.pid > 0 && same(recorded.pid, recorded.pidStart);
  if (recorded.status === 'starting') return supervisor ? 'creating' : 'stopped';
  if (recorded.status === 'created') return supervisor && init ? 'created' : 'stopped';
  // With supervisor-exits (haco runtime create) the supervisor leaves once the program runs: the init alone says.
  const supervised = recorded.meta['oci_supervisor'] !== 'exits';
  if (recorded.status === 'running' || recorded.status === 'restarting') return (supervisor || !supervised) && init ? 'running' : 'stopped';
  return 'stopped';
}

export function readOciEntry(root: string, id: string): OciEntry | undefined {
  const dir = ociStateDir(root, id);
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, 'state'), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return fs.existsSync(dir) ? creatingEntry(id, dir) : undefined;
    throw error;
  }
  const recorded = parseState(text);
  const status = toOciStatus(recorded);
  let annotations: Record<string, string> | undefined;
  try {
    annotations = JSON.parse(recorded.meta['oci_annotations'] ?? '{}') as Record<string, string>;
  } catch {
    annotations = undefined;
  }
  const state: OciState = {
    ociVersion: OCI_STATE_VERSION,
    id,
    status,
    ...(status === 'stopped' ? {} : { pid: recorded.pid }),
    bundle: recorded.meta['bundle'] ?? '',
    ...(annotations && Object.keys(annotations).length ? { annotations } : {}),
  };
  return { id, dir, recorded, state, supervisorAlive: isSameProcess(recorded.supervisor, recorded.supervisorStart) };
}

/** The directory exists but the launcher has not written its first state yet. */
function creatingEntry(id: string, dir: string): OciEntry {
  const recorded = parseState('status=starting\n');
  return { id, dir, recorded, state: { ociVersion: OCI_STATE_VERSION, id, status: 'creating', bundle: '' }, supervisorAlive: true };
}

export function requireOciEntry(root: string, id: string): OciEntry {
  const entry = readOciEntry(root, id);
  if (!entry) {
    throw new HacoError('E_NO_CONTAINER', `container "${id}" does not exist in ${path.resolve(root)}`, {
      hint: 'create it first with `haco runtime create --bundle DIR ID` (and pass the same --root)',
      exitCode: EXIT.state,
    });
  }
  return entry;
}
