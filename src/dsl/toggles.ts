import * as fs from 'node:fs';
import { EXIT, HacoError } from '../errors';
import { planFromDrafts } from '../plan/build';
import { withHostValue } from '../plan/host-env';
import type { CapabilitySpelling } from '../plan/names';
import type { Size } from '../plan/size';
import type { ContainerPlan, NamespaceKind, RlimitName } from '../plan/types';
import { validateContainer } from '../plan/validate';
import type { CpuOptions, RlimitValue } from './container';
import { builderFromPlan } from './from-plan';

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
  /** Environment variables as `KEY=VALUE` (togglesFromFlags turns a bare `KEY` into haco's own value). */
  env?: string[];
  /** Bind mounts `SRC:DST[:ro|rw]` (SRC an absolute host path that exists), replayed as `.bind(SRC, DST, { readonly })`. */
  volumes?: string[];
}

/** Which command-line flag each toggle comes from, for error messages. */
export const TOGGLE_FLAGS: Readonly<Record<keyof Toggles, string>> = {
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
  env: '--env',
  volumes: '--volume',
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
 * changed. Each toggle is the DSL call of the same name replayed on a definition rebuilt from the plan
 * (builderFromPlan), and the result goes through planFromDrafts like any definition: `--share user` is
 * `.share('user')`, `--cpu 1.5` is `.cpu({ max: '1.5' })`, and `--share mount` fails exactly like
 * `.share('mount')` would, naming the flag. Throws ToggleError.
 */
export function applyToggles(container: ContainerPlan, toggles: Toggles): ContainerPlan {
  if (!hasToggles(toggles)) return container;
  const issues: ToggleIssue[] = [];
  const problem = (key: keyof Toggles, path: string, message: string, hint?: string) =>
    issues.push({ flag: TOGGLE_FLAGS[key], path, message, ...(hint ? { hint } : {}) });

  // What only the command line can get wrong: a contradiction between two flags, and text that is not
  // a value of the DSL call's type. Everything else is the DSL's to judge.
  const share = split(toggles.share);
  const unshare = split(toggles.unshare);
  for (const kind of share.filter((k) => unshare.some((u) => sameName(u, k)))) {
    problem('share', 'namespaces.unshare', `the ${kind} namespace is both shared and unshared`, 'give each namespace to only one of --share and --unshare');
  }
  if (toggles.mapRoot !== undefined && (!Number.isInteger(toggles.mapRoot) || toggles.mapRoot < 0)) {
    problem('mapRoot', 'namespaces.uidMap', `"${toggles.mapRoot}" is not a host uid`, 'write a whole number such as 100000');
  }
  const pids = toggles.pids?.trim();
  if (pids !== undefined && pids !== 'max' && !/^-?\d+(\.\d+)?$/.test(pids)) {
    problem('pids', 'cgroup.resources.pids', `"${toggles.pids}" is not a number of tasks`, 'write e.g. --pids 20 or --pids max');
  }
  const rlimits = split(toggles.rlimits).map((raw) => ({ raw, entry: parseRlimit(raw) }));
  for (const { entry } of rlimits) {
    if (typeof entry === 'string') problem('rlimits', 'rlimits', entry, 'write NAME=SOFT[:HARD], e.g. --rlimit nofile=1024 or --rlimit nproc=64:128');
  }

  // -e and -v: what only the command line can get wrong (the text of the flag, a bind source that is
  // not there: haco never creates one); the rest is .env()'s and .bind()'s to judge.
  const vars: Record<string, string> = {};
  for (const raw of toggles.env ?? []) {
    const eq = raw.indexOf('=');
    if (eq <= 0) problem('env', 'process.env', `"${raw}" is not KEY=VALUE`, 'write -e KEY=VALUE, or -e KEY to pass haco\'s own value of KEY');
    else vars[raw.slice(0, eq)] = raw.slice(eq + 1);
  }
  const binds = (toggles.volumes ?? []).flatMap((raw) => {
    const parsed = parseVolume(raw);
    if (typeof parsed === 'string') {
      problem('volumes', 'mounts', parsed, 'write -v SRC:DST or -v SRC:DST:ro with SRC an absolute host path, e.g. -v "$PWD/data:/data:ro"');
      return [];
    }
    if (!fs.existsSync(parsed.source)) {
      problem('volumes', 'mounts', `the host path "${parsed.source}" does not exist`, `create it first (mkdir -p ${parsed.source}) or fix the path: haco does not create bind sources`);
      return [];
    }
    return [parsed];
  });

  // The replay, in the order of the flags' dependencies: namespaces first (a hostname needs uts, a map
  // needs user), then limits and capabilities (seccomp follows the final capabilities).
  let b = builderFromPlan(container);
  if (share.length) b = b.share(...(share as NamespaceKind[]));
  if (unshare.length) b = b.unshare(...(unshare as NamespaceKind[]));
  if (toggles.mapRoot !== undefined && Number.isInteger(toggles.mapRoot) && toggles.mapRoot >= 0) b = b.mapRootTo(toggles.mapRoot);
  if (toggles.hostname !== undefined) b = b.hostname(toggles.hostname);
  if (toggles.cpu !== undefined) b = b.cpu({ max: toggles.cpu as CpuOptions['max'] });
  if (toggles.memory !== undefined) b = b.memory(toggles.memory as Size | 'max');
  if (pids !== undefined && issues.every((i) => i.flag !== TOGGLE_FLAGS.pids)) b = b.pids(pids === 'max' ? 'max' : Number(pids));
  // Words from the command line: the plan's capability check names an unknown one (with a did-you-mean).
  if (toggles.addCaps?.length) b = b.addCaps(...(split(toggles.addCaps) as CapabilitySpelling[]));
  if (toggles.dropCaps?.length) b = b.dropCaps(...(split(toggles.dropCaps) as CapabilitySpelling[]));
  for (const { entry } of rlimits) if (typeof entry !== 'string') b = b.rlimit(entry.resource, entry.soft, entry.hard);
  if (Object.keys(vars).length > 0) b = b.env(vars);
  for (const v of binds) b = b.bind(v.source, v.target, { readonly: v.readonly });

  const built = planFromDrafts('', [b.toDraft()]);
  // The definition was valid, so whatever is found now comes from a toggle.
  const before = new Set(validateContainer(container).map((i) => `${i.path}\0${i.message}`));
  for (const issue of built.issues) {
    if (before.has(`${issue.path}\0${issue.message}`)) continue;
    issues.push({ flag: flagForIssue(issue, toggles), path: issue.path, message: issue.message, ...(issue.hint ? { hint: issue.hint } : {}) });
  }
  if (issues.length > 0) {
    const rank = Object.values(TOGGLE_FLAGS);
    throw new ToggleError(issues.sort((a, b) => rank.indexOf(a.flag) - rank.indexOf(b.flag)));
  }
  return built.plan.containers[0]!;
}

/** "nofile=1024", "nproc=64:128", "RLIMIT_CORE=unlimited" → the arguments of `.rlimit()`, or the reason it is wrong. */
function parseRlimit(raw: string): { resource: RlimitName; soft: RlimitValue; hard: RlimitValue } | string {
  const m = /^([A-Za-z_]+)=([^:]+)(?::(.+))?$/.exec(raw.trim());
  if (!m) return `"${raw}" is not NAME=SOFT[:HARD]`;
  const limit = (v: string): RlimitValue | undefined => (v === 'unlimited' || v === 'infinity' ? 'unlimited' : /^\d+$/.test(v) ? Number(v) : undefined);
  const soft = limit(m[2]!);
  const hard = m[3] === undefined ? soft : limit(m[3]);
  if (soft === undefined || hard === undefined) return `"${raw}": limits are whole numbers or "unlimited"`;
  // The name is checked by validateContainer, which knows the list and suggests the closest one.
  return { resource: m[1]! as RlimitName, soft, hard };
}

/** "SRC:DST", "SRC:DST:ro", "SRC:DST:rw" → the arguments of `.bind()`, or the reason it is wrong. */
function parseVolume(raw: string): { source: string; target: string; readonly: boolean } | string {
  const parts = raw.split(':');
  if (parts.length < 2 || parts.length > 3 || parts[0] === '' || parts[1] === '') return `"${raw}" is not SRC:DST[:ro]`;
  const [source, target, mode] = parts as [string, string, string | undefined];
  if (mode !== undefined && !mode.split(',').every((o) => o === 'ro' || o === 'rw')) return `"${raw}": unknown option "${mode}" (options: ro, rw)`;
  if (!source.startsWith('/')) return `the host path "${source}" in "${raw}" is not absolute`;
  if (!target.startsWith('/')) return `the container path "${target}" in "${raw}" is not absolute`;
  return { source, target, readonly: mode?.split(',').includes('ro') ?? false };
}

/** The flag most likely responsible for an issue found in the toggled container. */
function flagForIssue(issue: { path: string; message: string }, toggles: Toggles): string {
  const { path } = issue;
  const named = /"([^"]+)"/.exec(issue.message)?.[1] ?? '';
  if (path.startsWith('process.hostname')) return toggles.hostname !== undefined ? TOGGLE_FLAGS.hostname : namespaceFlag(toggles);
  if (path.startsWith('namespaces.uidMap') || path.startsWith('namespaces.gidMap')) return toggles.mapRoot !== undefined ? TOGGLE_FLAGS.mapRoot : namespaceFlag(toggles);
  if (path.startsWith('namespaces') && /^unknown namespace/.test(issue.message)) return split(toggles.share).includes(named) ? TOGGLE_FLAGS.share : TOGGLE_FLAGS.unshare;
  if (path.startsWith('namespaces') || path.startsWith('network')) return namespaceFlag(toggles);
  if (path.startsWith('cgroup.resources.cpu')) return TOGGLE_FLAGS.cpu;
  if (path.startsWith('cgroup.resources.memory')) return TOGGLE_FLAGS.memory;
  if (path.startsWith('cgroup.resources.pids')) return TOGGLE_FLAGS.pids;
  if (path.startsWith('capabilities')) return split(toggles.dropCaps).includes(named) ? TOGGLE_FLAGS.dropCaps : toggles.addCaps?.length ? TOGGLE_FLAGS.addCaps : TOGGLE_FLAGS.dropCaps;
  if (path.startsWith('rlimits')) return TOGGLE_FLAGS.rlimits;
  if (path.startsWith('process.env')) return TOGGLE_FLAGS.env;
  if (path.startsWith('mounts')) return TOGGLE_FLAGS.volumes;
  return 'a toggle';
}

function namespaceFlag(toggles: Toggles): string {
  if (toggles.share?.length && toggles.unshare?.length) return '--share/--unshare';
  return toggles.share?.length ? TOGGLE_FLAGS.share : toggles.unshare?.length ? TOGGLE_FLAGS.unshare : TOGGLE_FLAGS.mapRoot;
}

function sameName(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/** Repeated flags and comma lists are the same thing: `--unshare net --unshare user` = `--unshare net,user`. */
function split(values: string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
}

/** What the command-line flags of src/commands/support/toggle-flags.ts parse into (each absent when not given). */
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
  env?: string[];
  'env-file'?: string[];
  volume?: string[];
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
  // Values may hold commas: -e and -v are one entry per flag, never a comma list.
  const env = [...(flags['env-file'] ?? []).flatMap(readEnvFile), ...(flags.env ?? [])].flatMap((e) => withHostValue(e, process.env));
  if (env.length) t.env = env;
  if (flags.volume?.length) t.volumes = [...flags.volume];
  return t;
}

/**
 * `--env-file FILE`: one KEY=VALUE per line, blank lines and `#` comments skipped, values taken as
 * written (no quotes removed, no $ expanded: docker's format); a bare KEY takes haco's own value.
 */
export function readEnvFile(file: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new ToggleError([{ flag: '--env-file', path: 'process.env', message: `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, hint: 'give a readable file of KEY=VALUE lines' }]);
  }
  return text.split('\n').map((l) => l.replace(/\r$/, '')).filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));
}
