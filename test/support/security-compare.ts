// The verdicts of the side-by-side proof (test/root/security-vs-runc.test.ts): the security probe
// (test/fixtures/security/probe.sh) runs under `runc spec` defaults and under a default haco definition,
// and each row says whether haco is at least as closed as runc there. Pure functions, so that the rules
// themselves are unit tested (test/unit/security-compare.test.ts) without root.
import { CAPABILITY_NAMES } from '../../src/plan/names';

/** What one runtime's probe printed: key → value, in the probe's order. */
export type ProbeRows = Map<string, string>;

/**
 * `same`: haco shows what runc shows. `closed`: haco is more closed. `deliberate`: a documented difference
 * (DELIBERATE_DIFFERENCES, docs/security.md) and haco is no more open than the documented value. `info`: not a
 * security boundary, printed for the reader. `FAIL`: haco is more open than runc, a row is missing, or a
 * deliberate difference no longer matches its documented value.
 */
export type Verdict = 'same' | 'closed' | 'deliberate' | 'info' | 'FAIL';

export interface JudgedRow {
  key: string;
  runc: string;
  haco: string;
  verdict: Verdict;
  /** Why a row failed, or what a deliberate difference is. */
  note?: string;
}

/** podman's default capability set, haco's default (docs/security.md, "Defaults"). */
export const PODMAN_CAPABILITIES = [
  'chown', 'dac_override', 'fowner', 'fsetid', 'kill', 'setgid', 'setuid', 'setpcap', 'net_bind_service', 'sys_chroot', 'setfcap',
] as const;

export interface DeliberateDifference {
  /** The probe row. */
  key: string;
  /**
   * The (normalized) value haco shows: the most open it may be on this row, judged by the row's own rule.
   * A difference is pinned, never a free pass.
   */
  haco: string;
  /** One line: why haco differs from `runc spec` here. docs/security.md explains it in full. */
  why: string;
}

const podmanCaps = capNames(PODMAN_CAPABILITIES);
const capsWhy = "podman's 11 capabilities instead of runc spec's 3: what ordinary images expect (chown, setuid…), still without net_raw, mknod, audit_write";

/**
 * Rows where a default haco container is knowingly more open than `runc spec`. Each key must appear in
 * the "Deliberate differences" table of docs/security.md (a unit test checks it).
 */
export const DELIBERATE_DIFFERENCES: readonly DeliberateDifference[] = [
  { key: 'status.CapPrm', haco: podmanCaps, why: capsWhy },
  { key: 'status.CapEff', haco: podmanCaps, why: capsWhy },
  { key: 'status.CapBnd', haco: podmanCaps, why: capsWhy },
  {
    key: 'mount./',
    haco: 'rw @/',
    why: 'the rootfs is the container\'s own directory, writable like Docker\'s and podman\'s; .readonlyRootfs() gives runc spec\'s read-only root',
  },
];

/** Capability names in kernel order, comma separated; `(none)` for the empty set. */
function capNames(names: readonly string[]): string {
  const sorted = CAPABILITY_NAMES.filter((n) => names.includes(n));
  return sorted.length > 0 ? sorted.join(',') : '(none)';
}

/** A /proc/PID/status capability mask (hex) as names; unknown bits as `bitN`. */
export function capMaskToNames(hex: string): string {
  if (!/^[0-9a-f]+$/i.test(hex)) return hex;
  const bits = BigInt(`0x${hex}`);
  const names: string[] = [];
  for (let i = 0; i < 64; i++) {
    if ((bits >> BigInt(i)) & 1n) names.push(CAPABILITY_NAMES[i] ?? `bit${i}`);
  }
  return names.length > 0 ? names.join(',') : '(none)';
}

/** key=value lines as printed by the probe (anything else, e.g. a stray error line, is ignored). */
export function parseProbe(stdout: string): ProbeRows {
  const rows: ProbeRows = new Map();
  for (const line of stdout.split('\n')) {
    const m = /^([a-zA-Z_][\w./-]*)=(.*)$/.exec(line);
    if (m) rows.set(m[1]!, m[2]!);
  }
  return rows;
}

/**
 * Values made comparable across runtimes: capability masks become names, a namespace link becomes `own`
 * or `host` against the host's links (`hostNs`: ns name → link, e.g. net → `net:[4026531833]`).
 */
export function normalize(rows: ProbeRows, hostNs: Record<string, string>): ProbeRows {
  const out: ProbeRows = new Map();
  for (const [key, value] of rows) {
    if (/^status\.Cap/.test(key)) out.set(key, capMaskToNames(value));
    else if (key.startsWith('ns.')) {
      const host = hostNs[key.slice(3)];
      out.set(key, value === 'absent' ? 'absent' : host === undefined ? value : value === host ? 'host' : 'own');
    } else out.set(key, value);
  }
  return out;
}

type Rule = (runc: string, haco: string) => { verdict: Exclude<Verdict, 'deliberate'>; note?: string };

const list = (v: string): string[] => (v === '(none)' || v === 'none' || v === '' ? [] : v.split(','));

/** haco's items ⊆ runc's (capability sets, interfaces). */
const subset: Rule = (runc, haco) => {
  const r = new Set(list(runc));
  const extra = list(haco).filter((x) => !r.has(x));
  if (extra.length > 0) return { verdict: 'FAIL', note: `haco has more: ${extra.join(',')}` };
  return { verdict: list(haco).length === r.size ? 'same' : 'closed' };
};

/** A number where more is more closed (NoNewPrivs, seccomp mode, filter count). */
const atLeast: Rule = (runc, haco) => {
  const [r, h] = [Number(runc), Number(haco)];
  if (!Number.isFinite(r) || !Number.isFinite(h)) return { verdict: 'FAIL', note: 'not a number' };
  return h > r ? { verdict: 'closed' } : h === r ? { verdict: 'same' } : { verdict: 'FAIL', note: `haco ${h} < runc ${r}` };
};

/** A number where less is more closed (mounts propagating to the host). */
const atMost: Rule = (runc, haco) => atLeast(haco, runc);

/** Ordered values, first is most closed. */
const ranked =
  (order: string[]): Rule =>
  (runc, haco) => {
    const [r, h] = [order.indexOf(runc), order.indexOf(haco)];
    if (r < 0 || h < 0) return { verdict: 'FAIL', note: `unknown value (expected one of ${order.join(' ')})` };
    return h < r ? { verdict: 'closed' } : h === r ? { verdict: 'same' } : { verdict: 'FAIL', note: `${haco} is more open than ${runc}` };
  };

const namespace: Rule = (runc, haco) => {
  if (runc === haco) return { verdict: 'same' };
  if (haco === 'own') return { verdict: 'closed' };
  if (runc === 'own') return { verdict: 'FAIL', note: "runc gives the container its own namespace, haco shares the host's" };
  return { verdict: 'FAIL', note: 'unexpected value' };
};

/** allowed / denied (reason): haco must deny whatever runc denies. */
const deniedLikeRunc: Rule = (runc, haco) => {
  const [r, h] = [runc.split(' ')[0], haco.split(' ')[0]];
  if (r === h) return { verdict: 'same' };
  if (h === 'denied' || h === 'no') return { verdict: 'closed' };
  return { verdict: 'FAIL', note: 'runc denies this, haco allows it' };
};

/** A sanity row that must not differ (e.g. /dev/null stays usable). */
const equal: Rule = (runc, haco) => (runc === haco ? { verdict: 'same' } : { verdict: 'FAIL', note: 'must be equal' });

const info: Rule = (runc, haco) => ({ verdict: runc === haco ? 'same' : 'info' });

/** Inherited fds, compared by what they point at (numbers differ): haco may not keep any runc closes. */
const fds: Rule = (runc, haco) => {
  const target = (e: string) => e.slice(e.indexOf(':') + 1).replace(/\[\d+\]$/, '[]');
  const r = new Set(list(runc).map(target));
  const extra = list(haco).filter((e) => !r.has(target(e)));
  if (extra.length > 0) return { verdict: 'FAIL', note: `fds runc closes but haco passes on: ${extra.join(',')}` };
  return { verdict: list(haco).length < r.size ? 'closed' : 'same' };
};

const SECURITY_FLAGS = ['ro', 'nosuid', 'nodev', 'noexec'] as const;

/** "flags @mountpoint" of the mount holding a path: haco must carry every flag runc sets. */
const mountFlags: Rule = (runc, haco) => {
  if (haco === 'absent') return { verdict: runc === 'absent' ? 'same' : 'closed' };
  if (runc === 'absent') return { verdict: 'FAIL', note: 'exists under haco only' };
  const flags = (v: string) => new Set(v.split(' @')[0]!.split(','));
  const [r, h] = [flags(runc), flags(haco)];
  const missing = SECURITY_FLAGS.filter((f) => r.has(f) && !h.has(f));
  if (missing.length > 0) return { verdict: 'FAIL', note: `haco lacks ${missing.join(',')}` };
  const more = SECURITY_FLAGS.filter((f) => h.has(f) && !r.has(f));
  return { verdict: more.length > 0 ? 'closed' : 'same' };
};

/** A masked path: whenever runc's read gets nothing, haco's must get nothing either. */
const unreadable: Rule = (runc, haco) => {
  const open = (v: string) => v.startsWith('readable');
  if (open(haco) && !open(runc)) return { verdict: 'FAIL', note: 'readable under haco, hidden under runc' };
  if (!open(haco) && open(runc)) return { verdict: 'closed' };
  return { verdict: 'same' };
};

const uid: Rule = (runc, haco) => {
  if (runc === haco) return { verdict: 'same' };
  if (runc === '0') return { verdict: 'closed' };
  return haco === '0' ? { verdict: 'FAIL', note: 'root under haco only' } : { verdict: 'info' };
};

/** The rule of each probe key (first match). */
const RULES: Array<[RegExp, Rule]> = [
  [/^status\.Cap/, subset],
  [/^status\.(NoNewPrivs|Seccomp|Seccomp_filters)$/, atLeast],
  [/^id\.(uid|gid)$/, uid],
  [/^id\.groups$/, info],
  [/^setgroups$/, ranked(['absent', 'deny', 'allow'])],
  [/^(hostname|rlimit\.)/, info],
  [/^ns\./, namespace],
  [/^net\.interfaces$/, subset],
  [/^fds$/, fds],
  [/^dev\.null\./, equal],
  [/^dev\./, deniedLikeRunc],
  [/^(mount|readonly)\./, mountFlags],
  [/^propagation\./, ranked(['private', 'slave', 'shared', 'shared+slave'])],
  [/^mounts\.shared$/, atMost],
  [/^masked\./, unreadable],
];

export function judgeRow(key: string, runc: string | undefined, haco: string | undefined): JudgedRow {
  const row = { key, runc: runc ?? '(missing)', haco: haco ?? '(missing)' };
  if (runc === undefined || haco === undefined) return { ...row, verdict: 'FAIL', note: 'the probe printed no such row' };
  const rule = RULES.find(([re]) => re.test(key))?.[1];
  if (!rule) return { ...row, verdict: 'FAIL', note: 'no rule for this row (add one in test/support/security-compare.ts)' };
  const deliberate = DELIBERATE_DIFFERENCES.find((d) => d.key === key);
  const ruled = rule(runc, haco);
  if (!deliberate) return { ...row, ...ruled };
  if (ruled.verdict === 'same' || ruled.verdict === 'closed') {
    return { ...row, verdict: 'FAIL', note: `now ${ruled.verdict}: drop the deliberate difference here and in docs/security.md` };
  }
  // The documented value is the most open haco may be on this row: judged by the row's own rule against it.
  const bound = rule(deliberate.haco, haco);
  if (bound.verdict === 'same') return { ...row, verdict: 'deliberate', note: deliberate.why };
  if (bound.verdict === 'closed') return { ...row, verdict: 'deliberate', note: `more closed than documented (${deliberate.haco}): update docs/security.md` };
  return { ...row, verdict: 'FAIL', note: `more open than the deliberate difference allows (${deliberate.haco})${bound.note ? `: ${bound.note}` : ''}` };
}

/** Every row of either runtime, in the order runc's probe printed them (haco-only rows last). */
export function judge(runc: ProbeRows, haco: ProbeRows): JudgedRow[] {
  const keys = [...new Set([...runc.keys(), ...haco.keys()])];
  return keys.map((k) => judgeRow(k, runc.get(k), haco.get(k)));
}

/** A plain-text table: row, runc, haco, verdict (+ note). */
export function formatTable(rows: readonly JudgedRow[]): string {
  const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
  const cols = rows.map((r) => [r.key, cut(r.runc, 100), cut(r.haco, 100), r.verdict + (r.note ? `: ${r.note}` : '')]);
  const head = ['row', 'runc spec', 'haco default', 'verdict'];
  const widths = head.map((h, i) => Math.max(h.length, ...cols.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((x, i) => (i < 3 ? x.padEnd(widths[i]!) : x)).join(' | ');
  return [line(head), widths.map((w, i) => '-'.repeat(i < 3 ? w : 7)).join('-|-'), ...cols.map(line)].join('\n');
}

/** The keys of the "Deliberate differences" table in docs/security.md (first column, in backticks). */
export function deliberateKeysInDocs(markdown: string): string[] {
  const section = /^### Deliberate differences\n([\s\S]*?)(?=^#{1,3} )/m.exec(`${markdown}\n# end`)?.[1] ?? '';
  return [...section.matchAll(/^\|\s*`([^`]+)`/gm)].map((m) => m[1]!);
}
