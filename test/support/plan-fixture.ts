import {
  DEFAULT_CAPABILITIES,
  DEFAULT_ENV,
  DEFAULT_MASKED_PATHS,
  DEFAULT_MOUNTS,
  DEFAULT_NAMESPACES,
  DEFAULT_READONLY_PATHS,
  namespacesUnsharing,
} from '../../src/plan/defaults';
import { DEFAULT_DEVICE_RULES } from '../../src/plan/devices';
import type { ContainerPlan } from '../../src/plan/types';

/** Objects are merged key by key; arrays and scalars replace. */
export type DeepPartial<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function merge<T>(base: T, over: DeepPartial<T> | undefined): T {
  if (over === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(over)) return over as T;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    out[k] = k in out && isPlainObject(out[k]) && isPlainObject(v) ? merge(out[k], v as DeepPartial<unknown>) : v;
  }
  return out as T;
}

/**
 * A complete, valid ContainerPlan like the DSL's defaults produce (`defineContainer(name)` with a host
 * bootstrap), with overrides merged in. For tests that need a plan without going through the DSL.
 */
export function planFixture(overrides: DeepPartial<ContainerPlan> = {}): ContainerPlan {
  const name = (overrides.name as string | undefined) ?? 'demo';
  const base: ContainerPlan = {
    name,
    process: {
      args: ['/bin/sh'],
      env: { ...DEFAULT_ENV },
      cwd: '/',
      hostname: name,
      user: { uid: 0, gid: 0, groups: [] },
      daemonize: false,
      sessionLeader: false,
      reaper: false,
      stdio: {},
    },
    rootfs: {
      path: `/var/lib/haco/${name}/rootfs`,
      readonly: false,
      switchRoot: 'pivot_root',
      propagation: 'rprivate',
      maskedPaths: [...DEFAULT_MASKED_PATHS],
      readonlyPaths: [...DEFAULT_READONLY_PATHS],
    },
    namespaces: namespacesUnsharing(DEFAULT_NAMESPACES),
    mounts: [...DEFAULT_MOUNTS],
    bootstrap: { strategy: 'host', binds: ['/usr', '/bin', '/lib'], post: [] },
    provision: { steps: [], files: [], network: 'host' },
    cgroup: { resources: {}, raw: { v1: {}, v2: {} } },
    capabilities: {
      bounding: [...DEFAULT_CAPABILITIES],
      effective: [...DEFAULT_CAPABILITIES],
      permitted: [...DEFAULT_CAPABILITIES],
      inheritable: [],
      ambient: [],
    },
    devices: structuredClone([...DEFAULT_DEVICE_RULES]),
    rlimits: [],
    noNewPrivileges: true,
    hooks: [],
    restart: { policy: 'no', maxRetries: 0, backoffMs: 1000 },
    reloadable: [],
  };
  return merge<ContainerPlan>(base, overrides);
}
