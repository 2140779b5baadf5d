import { listStates, readSavedPlan, runDir } from '../state';

/** A running container's network, as far as its state directory tells. */
export interface RunningNetwork {
  container: string;
  /** `a.b.c.d/len` */
  address: string;
  bridge: string | undefined;
  vethHost: string | undefined;
}

/**
 * The networks of the containers that are alive now: the state the supervisors keep (src/state), whose
 * liveness check knows pid reuse, and the plan each one runs (STATE/plan.json). Exited and stale
 * containers are ignored, so a crash never blocks an address forever; an unreadable plan is skipped: this
 * check helps, it must never be the reason a start fails.
 */
export function runningNetworks(root: string = runDir()): RunningNetwork[] {
  const found: RunningNetwork[] = [];
  for (const state of listStates(root)) {
    if (state.status === 'exited' || state.status === 'stale') continue;
    let network;
    try {
      network = readSavedPlan(state).network;
    } catch {
      continue;
    }
    if (network) found.push({ container: state.name, address: network.address, bridge: network.bridge, vethHost: network.vethHost });
  }
  return found;
}
