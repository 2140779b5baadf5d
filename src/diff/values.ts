/**
 * A structural diff of two JSON values (plans are plain JSON), producing field-level changes a person
 * can read: `cgroup.resources.cpu.quotaUs: 30000 → 50000`, `namespaces.unshare: + net`.
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** One difference at one path. `member` marks an element added to or removed from a set-like list. */
export type Change =
  | { path: string; kind: 'changed'; before: JsonValue; after: JsonValue }
  | { path: string; kind: 'added'; after: JsonValue; member?: true }
  | { path: string; kind: 'removed'; before: JsonValue; member?: true };

/** How a list at some path is compared. */
export type ListRule =
  /** Order matters and the list is one value (argv): shown whole when it differs. */
  | { kind: 'ordered' }
  /** A set of scalars (namespaces, capabilities): `+ x` / `- y`. */
  | { kind: 'set' }
  /** Objects identified by a field (rlimits by resource): matched by key, then compared field by field. */
  | { kind: 'keyed'; key: string };

/** Rules by path pattern: `*` matches one path segment, `[]` one list index, e.g. `hooks[].command`. */
export type ListRules = Record<string, ListRule>;

/** Every difference between `before` and `after`, in a stable order (the order of `before`'s keys, then new ones). */
export function diffValues(before: JsonValue | undefined, after: JsonValue | undefined, rules: ListRules = {}, path = ''): Change[] {
  if (before === undefined && after === undefined) return [];
  if (before === undefined) return leaves(after!, path).map(([p, v]) => ({ path: p, kind: 'added', after: v }));
  if (after === undefined) return leaves(before, path).map(([p, v]) => ({ path: p, kind: 'removed', before: v }));
  if (Array.isArray(before) && Array.isArray(after)) return diffLists(before, after, rules, path);
  if (isObject(before) && isObject(after)) {
    const keys = [...Object.keys(before), ...Object.keys(after).filter((k) => !(k in before))];
    return keys.flatMap((k) => diffValues(before[k], after[k], rules, join(path, k)));
  }
  return equal(before, after) ? [] : [{ path, kind: 'changed', before, after }];
}

function diffLists(before: JsonValue[], after: JsonValue[], rules: ListRules, path: string): Change[] {
  const rule = ruleFor(rules, path) ?? (before.concat(after).every((v) => !isObject(v) && !Array.isArray(v)) ? { kind: 'set' } : undefined);
  if (rule?.kind === 'ordered') return equal(before, after) ? [] : [{ path, kind: 'changed', before, after }];
  if (rule?.kind === 'set') {
    const removed = before.filter((b) => !after.some((a) => equal(a, b)));
    const added = after.filter((a) => !before.some((b) => equal(a, b)));
    // Same members in another order is no difference: lists whose order matters are 'ordered' or 'keyed'.
    return [
      ...removed.map((v): Change => ({ path, kind: 'removed', before: v, member: true })),
      ...added.map((v): Change => ({ path, kind: 'added', after: v, member: true })),
    ];
  }
  if (rule?.kind === 'keyed') {
    // A string key as itself (`rlimits[NPROC]`), any other as JSON (never "[object Object]").
    const keyOf = (v: JsonValue) => (isObject(v) && typeof v[rule.key] === 'string' ? (v[rule.key] as string) : JSON.stringify(isObject(v) ? v[rule.key] : v));
    const afterByKey = new Map(after.map((v) => [keyOf(v), v]));
    const beforeKeys = new Set(before.map(keyOf));
    const out: Change[] = [];
    // An element that comes or goes is one line (`rlimits[NPROC]: + {…}`), not one line per field.
    for (const b of before) {
      const a = afterByKey.get(keyOf(b));
      if (a === undefined) out.push({ path: `${path}[${keyOf(b)}]`, kind: 'removed', before: b, member: true });
      else out.push(...diffValues(b, a, rules, `${path}[${keyOf(b)}]`));
    }
    for (const a of after) if (!beforeKeys.has(keyOf(a))) out.push({ path: `${path}[${keyOf(a)}]`, kind: 'added', after: a, member: true });
    return out;
  }
  const out: Change[] = [];
  for (let i = 0; i < Math.max(before.length, after.length); i++) {
    const [b, a] = [before[i], after[i]];
    if (b === undefined) out.push({ path: `${path}[${i}]`, kind: 'added', after: a!, member: true });
    else if (a === undefined) out.push({ path: `${path}[${i}]`, kind: 'removed', before: b, member: true });
    else out.push(...diffValues(b, a, rules, `${path}[${i}]`));
  }
  return out;
}

/** The leaf values under `value`, with their paths (an empty object or list is a leaf itself). */
function leaves(value: JsonValue, path: string): Array<[string, JsonValue]> {
  if (isObject(value) && Object.keys(value).length) return Object.entries(value).flatMap(([k, v]) => leaves(v, join(path, k)));
  return [[path, value]];
}

function ruleFor(rules: ListRules, path: string): ListRule | undefined {
  const generic = path.replace(/\[[^\]]*\]/g, '[]');
  for (const [pattern, rule] of Object.entries(rules)) {
    const re = new RegExp(`^${pattern.replace(/[.[\]]/g, (c) => `\\${c}`).replace(/\*/g, '[^.]+')}$`);
    if (re.test(generic)) return rule;
  }
  return undefined;
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function isObject(v: JsonValue | undefined): v is { [key: string]: JsonValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep equality that ignores key order (`{ ...a, x }` and `{ x, ...a }` build the same plan). */
export function equal(a: JsonValue, b: JsonValue): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(v: JsonValue): JsonValue {
  if (Array.isArray(v)) return v.map(canonical);
  if (isObject(v)) return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical(v[k]!)]));
  return v;
}
