/** cgroup support: detect the host's layout, plan a container's cgroup, find leftovers. */
export { detectCgroupHost, type DetectCgroupOptions } from './detect';
export { resolveCgroupRoot, DEFAULT_CGROUP_ROOT } from './root';
export { planCgroupSetup } from './setup';
export { planCgroupV1, v1FileWrites, weightToShares, clampBlkioWeight, type V1FileWrite } from './v1';
export { planCgroupV2, v2FileWrites, v2ControllersFor, type CgroupFileWrite } from './v2';
export { listStaleCgroups, hacoParents, staleCgroupsOf } from './stale';
export * from './types';
export { v1SelfMoves, pidsLimited } from './self-move';
