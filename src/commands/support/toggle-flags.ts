import { Flags } from '@oclif/core';

// The oclif side of command-line toggles lives here, apart from the pure applyToggles() in
// src/dsl/toggles.ts (which replays each toggle as its DSL call), so that starting from a cached plan
// never loads oclif.
export { togglesFromFlags, type ToggleFlagValues } from '../../dsl/toggles';

/**
 * The oclif flags for toggles. Add them to a command with `static flags = { ...toggleFlags, … }` and turn
 * the parsed values into Toggles with `togglesFromFlags(flags)`.
 */
export const toggleFlags = {
  share: Flags.string({ description: 'Stay in the host\'s namespace of this kind, as .share() does (repeatable or comma list): mount uts ipc pid net user cgroup time.', multiple: true, helpGroup: 'TOGGLE' }),
  unshare: Flags.string({ description: 'Create a new namespace of this kind (repeatable or comma list).', multiple: true, helpGroup: 'TOGGLE' }),
  'map-root': Flags.integer({ description: 'Unshare the user namespace and map root inside to this host uid (65536 ids).', helpGroup: 'TOGGLE' }),
  cpu: Flags.string({ description: 'CPU cap: 30% (of one CPU), 1.5 (CPUs) or max.', helpGroup: 'TOGGLE' }),
  memory: Flags.string({ description: 'Memory limit: 64M, 1G or max.', helpGroup: 'TOGGLE' }),
  pids: Flags.string({ description: 'Maximum number of tasks, or max.', helpGroup: 'TOGGLE' }),
  'drop-cap': Flags.string({ description: 'Remove a capability (repeatable or comma list), e.g. sys_admin.', multiple: true, helpGroup: 'TOGGLE' }),
  'add-cap': Flags.string({ description: 'Add a capability (repeatable or comma list), e.g. net_admin.', multiple: true, helpGroup: 'TOGGLE' }),
  hostname: Flags.string({ description: 'Hostname inside the container (needs the uts namespace).', helpGroup: 'TOGGLE' }),
  rlimit: Flags.string({ description: 'Resource limit NAME=SOFT[:HARD] (repeatable), e.g. nofile=1024.', multiple: true, helpGroup: 'TOGGLE' }),
  env: Flags.string({ char: 'e', description: 'Environment variable KEY=VALUE (repeatable); a bare KEY passes haco\'s own value (like .env()).', multiple: true, multipleNonGreedy: true, helpGroup: 'TOGGLE' }),
  'env-file': Flags.string({ description: 'Environment variables from a file of KEY=VALUE lines (# comments); -e wins over it.', multiple: true, multipleNonGreedy: true, helpGroup: 'TOGGLE' }),
  volume: Flags.string({ char: 'v', description: 'Bind-mount a host path: SRC:DST or SRC:DST:ro, SRC absolute and existing (repeatable; like .bind()).', multiple: true, multipleNonGreedy: true, helpGroup: 'TOGGLE' }),
};
