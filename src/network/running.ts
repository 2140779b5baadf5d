import * as fs from 'node:fs';
import * as path from 'node:path';

/** Where running containers keep their state (one directory per container, see docs/lifecycle.md). */
export const RUN_DIR = '/run/haco';

/** The state root in use: HACO_RUN_DIR when set (tests), else RUN_DIR. */
export function currentRunDir(): string {
  return process.env['HACO_RUN_DIR'] || RUN_DIR;
}

/** A running container's network, as far as its state directory tells. */
export interface RunningNetwork {
  container: string;
  /** `a.b.c.d/len` */
  address: string;
  bridge: string | undefined;
  vethHost: string | undefined;
}

/** The state files that may hold the container's network, most specific first. */
const STATE_FILES = ['state.json', 'plan.json', 'container.json'];

interface NetworkLike {
  address?: unknown;
  bridge?: unknown;
  vethHost?: unknown;
}

function pickNetwork(json: unknown): NetworkLike | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const o = json as Record<string, unknown>;
  // The state layout belongs to the lifecycle code; accept the network at the top or under plan/container.
  for (const candidate of [o['network'], (o['plan'] as Record<string, unknown> | undefined)?.['network'], (o['container'] as Record<string, unknown> | undefined)?.['network']]) {
    if (typeof candidate === 'object' && candidate !== null && typeof (candidate as NetworkLike).address === 'string') return candidate as NetworkLike;
  }
  return undefined;
}

function pidOf(json: unknown): number | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const o = json as Record<string, unknown>;
  for (const key of ['pid', 'initPid', 'launcherPid']) if (typeof o[key] === 'number') return o[key] as number;
  return undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but is not ours to signal, which still means it runs.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The launcher's `STATE/state` file (key=value lines, native/src/state.c): the supervisor's pid, the
 * container's pid and the status. Only what this check needs.
 */
function readKeyValueState(file: string): { pids: number[]; status: string | undefined } | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const kv = new Map<string, string>();
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) kv.set(line.slice(0, eq), line.slice(eq + 1));
  }
  const pids = ['supervisor', 'pid'].map((k) => Number(kv.get(k))).filter((n) => Number.isInteger(n) && n > 0);
  return { pids, status: kv.get('status') };
}

/**
 * The networks of containers that are running now, read from `RUN_DIR/NAME/`: the network from
 * `plan.json` (written by the launcher when the container starts; `state.json` and `container.json` are
 * read too), whether it runs from the `state` file. A container whose state says `exited`, or whose pids
 * no longer exist, is stale (it died without cleaning up, or was kept for `haco logs`) and is ignored, so
 * a crash never blocks an address forever. Unreadable or foreign files are skipped: this check helps, it
 * must never be the reason a start fails.
 */
export function runningNetworks(runDir: string = currentRunDir()): RunningNetwork[] {
  let names: string[];
  try {
    names = fs.readdirSync(runDir);
  } catch {
    return [];
  }
  const found: RunningNetwork[] = [];
  for (const name of names.sort()) {
    let network: NetworkLike | undefined;
    let pid: number | undefined;
    for (const file of STATE_FILES) {
      let json: unknown;
      try {
        json = JSON.parse(fs.readFileSync(path.join(runDir, name, file), 'utf8'));
      } catch {
        continue;
      }
      network ??= pickNetwork(json);
      pid ??= pidOf(json);
    }
    if (!network || (pid !== undefined && !alive(pid))) continue;
    const state = readKeyValueState(path.join(runDir, name, 'state'));
    if (state && (state.status === 'exited' || (state.pids.length > 0 && !state.pids.some(alive)))) continue;
    found.push({
      container: name,
      address: network.address as string,
      bridge: typeof network.bridge === 'string' ? network.bridge : undefined,
      vethHost: typeof network.vethHost === 'string' ? network.vethHost : undefined,
    });
  }
  return found;
}
