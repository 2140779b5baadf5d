import { allowedSyscallCount } from '../plan/seccomp-default';
import type { ContainerPlan, Plan, SeccompRule } from '../plan/types';
import { diffValues, equal, type Change, type JsonValue, type ListRules } from './values';

/**
 * How each list of a container plan is compared. Lists of scalars not named here are sets (namespaces,
 * capabilities, masked paths): their order carries no meaning, so only members coming and going are
 * reported.
 */
const PLAN_LIST_RULES: ListRules = {
  'process.args': { kind: 'ordered' },
  'hooks[].command': { kind: 'ordered' },
  'rootfs.overlay.lower': { kind: 'ordered' },
  'bootstrap.args': { kind: 'ordered' },
  mounts: { kind: 'keyed', key: 'target' },
  rlimits: { kind: 'keyed', key: 'resource' },
  'namespaces.enter': { kind: 'keyed', key: 'kind' },
  'namespaces.persist': { kind: 'keyed', key: 'path' },
  'provision.steps': { kind: 'keyed', key: 'name' },
  'provision.files': { kind: 'keyed', key: 'target' },
  'bootstrap.post': { kind: 'keyed', key: 'name' },
};

/** The differences of one container between the two sides. */
export interface ContainerDiff {
  /** The container's name (`a → b` when two differently named containers were compared). */
  name: string;
  /** `added`: only in B; `removed`: only in A. */
  status: 'same' | 'changed' | 'added' | 'removed';
  changes: Change[];
}

export interface PlanDiff {
  equal: boolean;
  containers: ContainerDiff[];
}

/** Field-level differences between two container plans. */
export function diffContainers(a: ContainerPlan, b: ContainerPlan): Change[] {
  const fold = foldable(a) && foldable(b);
  return diffValues(comparable(a, fold), comparable(b, fold), PLAN_LIST_RULES);
}

/**
 * Differences between two plans, container by container, matched by name. When each side holds exactly
 * one container they are compared whatever their names (comparing two example files is the common case).
 */
export function diffPlans(a: Plan, b: Plan): PlanDiff {
  const containers: ContainerDiff[] = [];
  const [onlyA, onlyB] = [a.containers, b.containers];
  if (onlyA.length === 1 && onlyB.length === 1) {
    const [x, y] = [onlyA[0]!, onlyB[0]!];
    containers.push(pair(x.name === y.name ? x.name : `${x.name} → ${y.name}`, x, y));
  } else {
    for (const x of a.containers) {
      const y = b.containers.find((c) => c.name === x.name);
      containers.push(y ? pair(x.name, x, y) : { name: x.name, status: 'removed', changes: [] });
    }
    for (const y of b.containers) {
      if (!a.containers.some((c) => c.name === y.name)) containers.push({ name: y.name, status: 'added', changes: [] });
    }
  }
  const same = a.apiVersion === b.apiVersion && containers.every((c) => c.status === 'same');
  return { equal: same, containers };
}

function pair(name: string, x: ContainerPlan, y: ContainerPlan): ContainerDiff {
  // Two differently named containers differ in every value derived from the name (hostname, rootfs
  // path…); past the `name` line itself, only the differences that remain are worth reading.
  const changes = diffContainers(x, y).filter(
    (c) => x.name === y.name || c.path === 'name' || !(c.kind === 'changed' && typeof c.before === 'string' && c.before.replaceAll(x.name, y.name) === c.after),
  );
  return { name, status: changes.length ? 'changed' : 'same', changes };
}

/**
 * The plan as compared. For root, the bounding, effective and permitted sets are one list; a single
 * `capabilities.set` line is clearer than three identical ones, so they are folded when both sides allow.
 */
function comparable(c: ContainerPlan, foldCaps: boolean): JsonValue {
  const value = JSON.parse(JSON.stringify(c)) as { [key: string]: JsonValue };
  if (foldCaps) {
    const { bounding, inheritable, ambient } = c.capabilities;
    value['capabilities'] = { set: bounding, inheritable, ambient };
  }
  const seccomp = c.seccomp;
  if (seccomp?.profile === 'default') {
    // haco's profile is derived from the capabilities: a capability change shows as a count here (the
    // capability line says why); the definition's own rules are listed one by one.
    value['seccomp'] = {
      profile: 'default',
      action: seccomp.action === 'errno' ? `errno ${seccomp.errno ?? 1}` : seccomp.action,
      allowedSyscalls: allowedSyscallCount(seccomp),
      rules: seccomp.rules.filter((r) => !r.optional).map(describeRule),
    };
  }
  return value;
}

function describeRule(r: SeccompRule): string {
  const args = r.args.length ? `(${r.args.map((a) => `arg${a.index} ${a.op} ${a.value}${a.valueTwo === undefined ? '' : ` ${a.valueTwo}`}`).join(', ')})` : '';
  return `${r.syscalls.join(',')}${args} → ${r.action === 'errno' ? `errno ${r.errno ?? 1}` : r.action}`;
}

function foldable(c: ContainerPlan): boolean {
  return equal(c.capabilities.bounding, c.capabilities.effective) && equal(c.capabilities.bounding, c.capabilities.permitted);
}
