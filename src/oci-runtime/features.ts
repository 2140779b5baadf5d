import { NAMESPACE_TYPES } from '../oci/runtime-config';
import { HOOK_POINTS } from './hooks';
import { CAPABILITY_NAMES } from '../plan/names';

/**
 * `haco runtime features` (runtime-spec features.md): what haco recognizes in a config.json, decided by
 * its import mapping (src/oci/import.ts), not by this host. Lists only what is applied: the config's
 * seccomp filter is not imported (haco's default profile applies), so seccomp says disabled; hooks are
 * every runtime-spec point (src/oci-runtime/hooks.ts runs them).
 */
export function runtimeFeatures(): Record<string, unknown> {
  return {
    ociVersionMin: '1.0.0',
    ociVersionMax: '1.0.2',
    hooks: [...HOOK_POINTS],
    mountOptions: ['bind', 'rbind', 'ro', 'nosuid', 'nodev', 'noexec', 'noatime', 'nodiratime', 'relatime', 'strictatime', 'sync', 'dirsync'],
    linux: {
      namespaces: Object.values(NAMESPACE_TYPES),
      capabilities: CAPABILITY_NAMES.map((c) => `CAP_${c.toUpperCase()}`),
      cgroup: { v1: true, v2: true, systemd: false, systemdUser: false, rdma: false },
      seccomp: { enabled: false },
      apparmor: { enabled: false },
      selinux: { enabled: false },
    },
  };
}
