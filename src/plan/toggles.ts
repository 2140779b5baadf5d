import { EXIT, HacoError } from '../errors';
import { resolveCapabilities } from './capabilities';
import { normalizeRlimit } from './names';
import { reresolveSeccomp } from './seccomp-default';
import { parseSize } from './size';
import { closest } from './suggest';
import { NAMESPACE_KINDS, type ContainerPlan, type NamespaceKind, type RlimitEntry, type RlimitName } from './types';
import { validateContainer } from './validate';

/**
 * Changes a learner makes on the command line instead of editing the definition ("what if pid were
 * shared?"). Every field is optional; absent means "as the definition says". Values are the raw strings
 * a user typed, so that the same parsers and the same validation as the DSL apply to them.
 */
export interface Toggles {
  /** Namespaces to stay in the host's (removed from `namespaces.unshare`), e.g. `['pid']`. */
  share?: string[];
  /** Namespaces to create (added to `namespaces.unshare`), e.g. `['net']`. */
  unshare?: string[];
  /** Map root inside a new user namespace to this host uid/gid (65536 ids); implies `unshare user`. */
  mapRoot?: number;
  /** CPU cap: "30%" of one CPU, a number of CPUs ("1.5"), or "max". */
  cpu?: string;
  /** Memory limit: "64M", "1G", a number of bytes, or "max". */
  memory?: string;
  /** Maximum number of tasks, or "max". */
  pids?: string;
  /** Capabilities to remove from the container's set (any spelling: `sys_admin`, `CAP_SYS_ADMIN`). */
  dropCaps?: string[];
  /** Capabilities to add to the container's set. */
  addCaps?: string[];
  /** The hostname inside the container (needs the uts namespace). */
  hostname?: string;
  /** Resource limits as `NAME=SOFT[:HARD]`, e.g. `nofile=1024` or `nproc=64:128` or `core=unlimited`. */
  rlimits?: string[];
}

/** Which command-line flag each toggle comes from, for error messages. */
const FLAG_OF: Record<keyof Toggles, string> = {
  share: '--share',
  unshare: '--unshare',
  mapRoot: '--map-root',
  cpu: '--cpu',
  memory: '--memory',
  pids: '--pids',
  dropCaps: '--drop-cap',
  addCaps: '--add-cap',
  hostname: '--hostname',
  rlimits: '--rlimit',
};

/** One problem with a toggle: which flag, what is wrong, what to write instead. */
export interface ToggleIssue {
  flag: string;
  /** Plan path the problem is about (as in validateContainer), e.g. `cgroup.resources.cpu`. */
  path: string;
  message: string;
  hint?: string;
}

/** A toggle that does not parse or makes the container invalid. Exit code 2, like any bad flag. */
export class ToggleError extends HacoError {
  readonly issues: ToggleIssue[];

  constructor(issues: ToggleIssue[]) {
    const first = issues[0]!;
    const message =
      issues.length === 1
        ? `command-line flag ${first.flag}: ${first.message}`
        : `${issues.length} problems with command-line flags:\n${issues.map((i) => `  ${i.flag}: ${i.message}${i.hint && i !== first ? ` (${i.hint})` : ''}`).join('\n')}`;
    super('E_TOGGLE', message, { exitCode: EXIT.usage, ...(first.hint ? { hint: first.hint } : {}) });
    this.issues = issues;
  }
}

/** True when no toggle is set: callers can skip re-validation entirely. */
export function hasToggles(toggles: Toggles): boolean {
  return Object.values(toggles).some((v) => (Array.isArray(v) ? v.length > 0 : v !== undefined));
}

/**
 * The container as the definition says, with the command-line toggles applied. Pure: `container` is not
 * changed. The result is re-checked with the same semantic validation as a definition, so
 * `--share mount` fails exactly like `.share('mount')` would, naming the flag. Throws ToggleError.
 */
export function applyToggles(container: ContainerPlan, toggles: Toggles): ContainerPlan {
  if (!hasToggles(toggles)) return container;
  const c = structuredClone(container);
  const issues: ToggleIssue[] = [];
  const problem = (key: keyof Toggles, path: string, message: string, hint?: string) =>
    issues.push({ flag: FLAG_OF[key], path, message, ...(hint ? { hint } : {}) });

  // Namespaces first: later checks (hostname, maps) depend on what is unshared.
  const kinds = (key: 'share' | 'unshare'): NamespaceKind[] =>
    (toggles[key] ?? []).flatMap((raw) => {
      const kind = raw.trim().toLowerCase();
      if ((NAMESPACE_KINDS as readonly string[]).includes(kind)) return [kind as NamespaceKind];
      const guess = closest(kind, NAMESPACE_KINDS);
      problem(key, 'namespaces.unshare', `unknown namespace "${raw}"`, guess ? `did you mean "${guess}"? (namespaces: ${NAMESPACE_KINDS.join(', ')})` : `namespaces: ${NAMESPACE_KINDS.join(', ')}`);
      return [];
    });
  const share = kinds('share');
  const unshare = kinds('unshare');
  for (const kind of share.filter((k) => unshare.includes(k))) {
    problem('share', 'namespaces.unshare', `the ${kind} namespace is both shared and unshared`, 'give each namespace to only one of --share and --unshare');
  }
  if (share.length || unshare.length) {
    const kept = c.namespaces.unshare.filter((k) => !share.includes(k));
    c.namespaces.unshare = NAMESPACE_KINDS.filter((k) => kept.includes(k) || unshare.includes(k));
    // Unsharing a kind replaces joining an existing namespace of that kind (like the DSL's joinNetns).
    c.namespaces.enter = c.namespaces.enter.filter((e) => !unshare.includes(e.kind));
    if (share.includes('user')) {
      c.namespaces.uidMap = [];
      c.namespaces.gidMap = [];
    }
    if (share.includes('net')) delete c.network;
    if (share.includes('time')) c.namespaces.timeOffsets = { monotonic: 0, boottime: 0 };
    // With the host's uts namespace the launcher must not call sethostname (it would rename the host);
    // the plan says so with the default hostname, which is the container's name.
    if (share.includes('uts') && toggles.hostname === undefined) c.process.hostname = c.name;
  }
  if (toggles.mapRoot !== undefined) {
    if (!Number.isInteger(toggles.mapRoot) || toggles.mapRoot < 0) {
      problem('mapRoot', 'namespaces.uidMap', `"${toggles.mapRoot}" is not a host uid`, 'write a whole number such as 100000');
    } else {
      if (!c.namespaces.unshare.includes('user')) c.namespaces.unshare = NAMESPACE_KINDS.filter((k) => k === 'user' || c.namespaces.unshare.includes(k));
      c.namespaces.uidMap = [{ inside: 0, outside: toggles.mapRoot, count: 65536 }];
      c.namespaces.gidMap = [{ inside: 0, outside: toggles.mapRoot, count: 65536 }];
    }
  }

  if (toggles.hostname !== undefined) c.process.hostname = toggles.hostname;

  // Cgroup limits, with the DSL's meaning of each notation.
  if (toggles.cpu !== undefined) {
    const period = c.cgroup.resources.cpu?.periodUs ?? 100000;
    const quota = parseCpu(toggles.cpu, period);
    if (quota === undefined) problem('cpu', 'cgroup.resources.cpu', `"${toggles.cpu}" is not a percentage or a number of CPUs`, 'write --cpu 30% (of one CPU), --cpu 1.5 (CPUs) or --cpu max');
    else c.cgroup.resources.cpu = { ...c.cgroup.resources.cpu, periodUs: period, quotaUs: quota };
  }
  if (toggles.memory !== undefined) {
    const value = toggles.memory.trim();
    const parsed = value === 'max' ? ({ ok: true, bytes: 'max' } as const) : parseSize(/^\d+$/.test(value) ? Number(value) : value);
    if (parsed.ok) c.cgroup.resources.memory = { ...c.cgroup.resources.memory, max: parsed.bytes };
    else problem('memory', 'cgroup.resources.memory', parsed.message, 'write e.g. --memory 64M, --memory 1G or --memory max');
  }
  if (toggles.pids !== undefined) {
    const value = toggles.pids.trim();
    if (value === 'max') c.cgroup.resources.pids = { max: 'max' };
    else if (/^-?\d+(\.\d+)?$/.test(value)) c.cgroup.resources.pids = { max: Number(value) };
    else problem('pids', 'cgroup.resources.pids', `"${toggles.pids}" is not a number of tasks`, 'write e.g. --pids 20 or --pids max');
  }

  // Capabilities: the current set is the base, so the resolver applies the same rules (uid 0 keeps the
  // set effective, a non-root init keeps only its ambient ones) and the same did-you-mean hints.
  if (toggles.addCaps?.length || toggles.dropCaps?.length) {
    const resolved = resolveCapabilities(
      {
        base: 'none',
        add: [...c.capabilities.bounding, ...split(toggles.addCaps)],
        drop: split(toggles.dropCaps),
        ambient: c.capabilities.ambient.filter((a) => !split(toggles.dropCaps).some((d) => sameCap(d, a))),
      },
      c.process.user.uid,
    );
    for (const p of resolved.problems) {
      const raw = /"([^"]+)"/.exec(p.message)?.[1] ?? '';
      const key = split(toggles.dropCaps).includes(raw) ? 'dropCaps' : 'addCaps';
      problem(key, 'capabilities', p.message, p.hint);
    }
    c.capabilities = resolved.plan;
    // haco's seccomp profile follows the capabilities (e.g. --add-cap sys_admin allows mount(2) again).
    const seccomp = reresolveSeccomp(c.seccomp, c.capabilities.bounding);
    if (seccomp) c.seccomp = seccomp;
  }

  for (const raw of split(toggles.rlimits)) {
    const entry = parseRlimit(raw);
    if (typeof entry === 'string') problem('rlimits', 'rlimits', entry, 'write NAME=SOFT[:HARD], e.g. --rlimit nofile=1024 or --rlimit nproc=64:128');
    else c.rlimits = [...c.rlimits.filter((r) => r.resource !== entry.resource), entry];
  }

  // The definition was valid, so whatever validation finds now comes from a toggle.
  const before = new Set(validateContainer(container).map((i) => `${i.path}\0${i.message}`));
  for (const issue of validateContainer(c)) {
    if (before.has(`${issue.path}\0${issue.message}`)) continue;
    issues.push({ flag: flagForPath(issue.path, toggles), path: issue.path, message: issue.message, ...(issue.hint ? { hint: issue.hint } : {}) });
  }
  if (issues.length > 0) throw new ToggleError(issues);
  return c;
}

/** "30%" of one CPU, "1.5" CPUs or "max" → quota in µs for the period; undefined if it does not parse. */
function parseCpu(input: string, period: number): number | 'max' | undefined {
  const value = input.trim();
  if (value === 'max') return 'max';
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(value);
  if (percent) return Math.round((Number(percent[1]) / 100) * period);
  if (/^\d+(?:\.\d+)?$/.test(value)) return Math.round(Number(value) * period);
  return undefined;
}

/** "nofile=1024", "nproc=64:128", "RLIMIT_CORE=unlimited" → an rlimit entry, or the reason it is wrong. */
function parseRlimit(raw: string): RlimitEntry | string {
  const m = /^([A-Za-z_]+)=([^:]+)(?::(.+))?$/.exec(raw.trim());
  if (!m) return `"${raw}" is not NAME=SOFT[:HARD]`;
  const limit = (v: string): number | 'unlimited' | undefined =>
    v === 'unlimited' || v === 'infinity' ? 'unlimited' : /^\d+$/.test(v) ? Number(v) : undefined;
  const soft = limit(m[2]!);
  const hard = m[3] === undefined ? soft : limit(m[3]);
  if (soft === undefined || hard === undefined) return `"${raw}": limits are whole numbers or "unlimited"`;
  // The name is checked by validateContainer, which knows the list and suggests the closest one.
  return { resource: normalizeRlimit(m[1]!) as RlimitName, soft, hard };
}

/** The flag most likely responsible for a validation issue at `path`. */
function flagForPath(path: string, toggles: Toggles): string {
  if (path.startsWith('process.hostname')) return toggles.hostname !== undefined ? FLAG_OF.hostname : namespaceFlag(toggles);
  if (path.startsWith('namespaces.uidMap') || path.startsWith('namespaces.gidMap')) return toggles.mapRoot !== undefined ? FLAG_OF.mapRoot : namespaceFlag(toggles);
  if (path.startsWith('namespaces') || path.startsWith('network')) return namespaceFlag(toggles);
  if (path.startsWith('cgroup.resources.cpu')) return FLAG_OF.cpu;
  if (path.startsWith('cgroup.resources.memory')) return FLAG_OF.memory;
  if (path.startsWith('cgroup.resources.pids')) return FLAG_OF.pids;
  if (path.startsWith('capabilities')) return toggles.addCaps?.length ? FLAG_OF.addCaps : FLAG_OF.dropCaps;
  if (path.startsWith('rlimits')) return FLAG_OF.rlimits;
  return 'a toggle';
}

function namespaceFlag(toggles: Toggles): string {
  if (toggles.share?.length && toggles.unshare?.length) return '--share/--unshare';
  return toggles.share?.length ? FLAG_OF.share : toggles.unshare?.length ? FLAG_OF.unshare : FLAG_OF.mapRoot;
}

/** Repeated flags and comma lists are the same thing: `--unshare net --unshare user` = `--unshare net,user`. */
function split(values: string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
}

function sameCap(a: string, b: string): boolean {
  return a.toLowerCase().replace(/^cap_/, '') === b;
}

/** What the command-line flags of src/cli/toggle-flags.ts parse into (each absent when not given). */
export interface ToggleFlagValues {
  share?: string[];
  unshare?: string[];
  'map-root'?: number;
  cpu?: string;
  memory?: string;
  pids?: string;
  'drop-cap'?: string[];
  'add-cap'?: string[];
  hostname?: string;
  rlimit?: string[];
}

/** Parsed flags → Toggles (extra flags of the command are ignored). */
export function togglesFromFlags(flags: ToggleFlagValues): Toggles {
  const t: Toggles = {};
  if (flags.share?.length) t.share = split(flags.share);
  if (flags.unshare?.length) t.unshare = split(flags.unshare);
  if (flags['map-root'] !== undefined) t.mapRoot = flags['map-root'];
  if (flags.cpu !== undefined) t.cpu = flags.cpu;
  if (flags.memory !== undefined) t.memory = flags.memory;
  if (flags.pids !== undefined) t.pids = flags.pids;
  if (flags['drop-cap']?.length) t.dropCaps = split(flags['drop-cap']);
  if (flags['add-cap']?.length) t.addCaps = split(flags['add-cap']);
  if (flags.hostname !== undefined) t.hostname = flags.hostname;
  if (flags.rlimit?.length) t.rlimits = split(flags.rlimit);
  return t;
}
