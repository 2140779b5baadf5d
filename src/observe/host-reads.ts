import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * What a piece of code learned from the host, recorded while it ran, so that a result computed from it (a
 * cached plan, a prepared launch spec) can later be reused exactly when every observation still gives the
 * same answer: the native front (native/src/front_warm.c) and readCachedPlan re-check each one.
 *
 * Recording wraps the public `fs` functions that only read, and `process.env`. A call that could change
 * the host or that cannot be described as "this path still gives this answer" — a write, an open fd, a
 * callback or promise API, a child process, a node:os question, enumerating the whole environment, with
 * `clock` asking Date.now() — marks the recording
 * untracked: then nothing is cached from it (the Node path runs every time), never something wrong.
 */
export type Observation =
  /** The file's SHA-256 (hex), `-` when it cannot be read. */
  | { kind: 'read'; path: string; value: string }
  | { kind: 'exists'; path: string; value: string }
  /** `-`, or mode (octal):uid:gid:size:mtime ns:rdev — everything a caller of stat looks at. */
  | { kind: 'stat' | 'lstat'; path: string; value: string }
  | { kind: 'readlink' | 'realpath'; path: string; value: string }
  /** SHA-256 of the names, byte-sorted, each followed by a newline; `-` when it cannot be listed. */
  | { kind: 'readdir'; path: string; value: string }
  /** access(2) with mode M: `M:1` or `M:0`. */
  | { kind: 'access'; path: string; value: string }
  /** An environment variable's value, `-` when unset (a variable set to "" is ""). */
  | { kind: 'env'; path: string; value: string };

export interface Recording {
  observed: Observation[];
  /** Why the recording cannot be reused (the first untracked call), or undefined. */
  untracked: string | undefined;
}

function sha256(data: Uint8Array | string): string {
  const { createHash } = require('node:crypto') as typeof import('node:crypto');
  return createHash('sha256').update(data).digest('hex');
}

/** The current answer for one observation: recording and checking use the same function. */
export function describe(kind: Observation['kind'], p: string, accessMode = 0): string {
  try {
    switch (kind) {
      case 'read':
        return sha256(original.readFileSync(p));
      case 'exists':
        return original.existsSync(p) ? '1' : '0';
      case 'stat':
      case 'lstat': {
        const st = (kind === 'stat' ? original.statSync : original.lstatSync)(p, { bigint: true });
        return `${st.mode.toString(8)}:${st.uid}:${st.gid}:${st.size}:${st.mtimeNs}:${st.rdev}`;
      }
      case 'readlink':
        return encodeWord(original.readlinkSync(p, 'utf8'));
      case 'realpath':
        return encodeWord(original.realpathSync(p));
      case 'readdir': {
        const names = (original.readdirSync(p, { encoding: 'buffer' }) as Buffer[]).sort((a, b) => Buffer.compare(a, b));
        return sha256(Buffer.concat(names.flatMap((n) => [n, Buffer.from('\n')])));
      }
      case 'access':
        try {
          original.accessSync(p, accessMode);
          return `${accessMode}:1`;
        } catch {
          return `${accessMode}:0`;
        }
      case 'env': {
        if (p === CWD) return encodeWord(originalCwd());
        const v = realEnv()[p];
        return v === undefined ? '-' : encodeWord(v);
      }
    }
  } catch {
    return kind === 'access' ? `${accessMode}:0` : '-';
  }
}

/** Whether every observation still gives the answer it gave (in order; the first change ends it). */
export function stillHolds(observed: readonly Observation[]): boolean {
  return observed.every((o) => describe(o.kind, o.path, o.kind === 'access' ? Number(o.value.split(':')[0]) : 0) === o.value);
}

/** Percent-encoding as in a launch spec: bytes 0x00-0x20, %, 0x7f and above → %XX; "" → %-, "-" → %2D. */
export function encodeWord(s: string): string {
  if (s === '') return '%-';
  if (s === '-') return '%2D'; // `-` alone means "absent"

  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    out += byte <= 0x20 || byte === 0x25 || byte >= 0x7f ? `%${byte.toString(16).toUpperCase().padStart(2, '0')}` : String.fromCharCode(byte);
  }
  return out;
}

/** The one-line form front_warm.c reads: `KIND PATH VALUE`, the path percent-encoded. */
export function observationLine(o: Observation): string {
  return `${o.kind} ${encodeWord(o.path)} ${o.value}`;
}

const READERS = ['readFileSync', 'existsSync', 'statSync', 'lstatSync', 'readlinkSync', 'realpathSync', 'readdirSync', 'accessSync'] as const;
type Reader = (typeof READERS)[number];

type FsFunctions = Record<string, (...args: unknown[]) => unknown>;
// The module object itself (an `import * as` namespace is a read-only copy with getters onto it).
const fsTable = require('node:fs') as FsFunctions;
/** The real functions, taken once at load: recording swaps the module's, describe() uses these. */
const original = {
  readFileSync: fs.readFileSync,
  existsSync: fs.existsSync,
  statSync: fs.statSync,
  lstatSync: fs.lstatSync,
  readlinkSync: fs.readlinkSync,
  realpathSync: fs.realpathSync,
  readdirSync: fs.readdirSync,
  accessSync: fs.accessSync,
};

/** The pseudo-variable for the working directory (a relative path read, process.cwd()). */
export const CWD = '@cwd';
const originalCwd = process.cwd.bind(process);

let realEnvObject: NodeJS.ProcessEnv | undefined;
function realEnv(): NodeJS.ProcessEnv {
  return realEnvObject ?? process.env;
}

/** fs functions a recording may see called that neither read a path nor change anything. */
const HARMLESS = new Set(['realpathSync.native', 'Stats', 'Dirent', 'constants']);

/**
 * Runs FN with every host read it makes recorded. Paths under SKIP (haco's own files, whose identity is
 * checked separately) are not recorded. Not reentrant: one recording at a time per thread.
 */
export async function recordHostReads<T>(fn: () => Promise<T> | T, options: { skip?: readonly string[]; clock?: boolean } = {}): Promise<{ result: T; recording: Recording }> {
  const recording: Recording = { observed: [], untracked: undefined };
  const seen = new Set<string>();
  const skip = options.skip ?? [];
  const untrack = (why: string) => {
    recording.untracked ??= why;
  };
  // fs's own functions call each other (readFileSync opens through fs.openSync): only the outermost call counts.
  let depth = 0;
  const note = (kind: Observation['kind'], p: string, accessMode = 0) => {
    if (depth > 0) return;
    const key = `${kind} ${p} ${accessMode}`;
    if (seen.has(key)) return;
    seen.add(key);
    if (kind !== 'env' && skip.some((s) => p.startsWith(s))) return;
    depth++;
    try {
      recording.observed.push({ kind, path: p, value: describe(kind, p, accessMode) } as Observation);
    } finally {
      depth--;
    }
  };
  const saved = new Map<string, unknown>();
  const wrap = (name: string, replacement: (...args: unknown[]) => unknown) => {
    saved.set(name, fsTable[name]);
    fsTable[name] = replacement;
  };
  const kindOf: Record<Reader, Observation['kind']> = {
    readFileSync: 'read',
    existsSync: 'exists',
    statSync: 'stat',
    lstatSync: 'lstat',
    readlinkSync: 'readlink',
    realpathSync: 'realpath',
    readdirSync: 'readdir',
    accessSync: 'access',
  };
  for (const name of READERS) {
    const real = original[name] as (...args: unknown[]) => unknown;
    wrap(name, (...args: unknown[]) => {
      const target = args[0];
      if (typeof target !== 'string') untrack(`fs.${name} of a ${typeof target}`);
      else {
        if (!path.isAbsolute(target)) note('env', CWD);
        if (name === 'readdirSync' && typeof args[1] === 'object' && args[1] !== null && (args[1] as { withFileTypes?: boolean }).withFileTypes && depth === 0) untrack('fs.readdirSync withFileTypes');
        note(kindOf[name], path.resolve(target), name === 'accessSync' ? Number(args[1] ?? 0) : 0);
      }
      depth++;
      try {
        return real.apply(fsTable, args);
      } finally {
        depth--;
      }
    });
  }
  // Everything else fs offers either changes the host, works on fds, or answers later (callbacks,
  // promises): any call makes the recording untracked.
  for (const name of Object.keys(fsTable)) {
    if ((READERS as readonly string[]).includes(name) || HARMLESS.has(name) || typeof fsTable[name] !== 'function' || /^[A-Z]/.test(name)) continue;
    const real = fsTable[name]!;
    wrap(name, (...args: unknown[]) => {
      if (depth === 0) untrack(`fs.${name}`);
      return real.apply(fsTable, args);
    });
  }
  const childProcess = require('node:child_process') as unknown as FsFunctions;
  const savedChild = new Map<string, (...args: unknown[]) => unknown>();
  for (const name of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork']) {
    const real = childProcess[name]!;
    savedChild.set(name, real);
    childProcess[name] = (...args: unknown[]) => {
      untrack(`child_process.${name}`);
      return real.apply(childProcess, args);
    };
  }
  // node:os answers from the live host (hostname, cpus, memory, interfaces, user…): not re-checkable.
  const osModule = require('node:os') as unknown as FsFunctions;
  const savedOs = new Map<string, (...args: unknown[]) => unknown>();
  for (const name of Object.keys(osModule)) {
    const real = osModule[name];
    if (typeof real !== 'function' || name === 'EOL' || /^[A-Z]/.test(name)) continue;
    savedOs.set(name, real);
    osModule[name] = (...args: unknown[]) => {
      if (depth === 0) untrack(`os.${name}()`);
      return real.apply(osModule, args);
    };
  }
  const env = process.env;
  realEnvObject = env;
  process.env = new Proxy(env, {
    get(target, key) {
      if (typeof key === 'string') note('env', key);
      return Reflect.get(target, key) as unknown;
    },
    has(target, key) {
      if (typeof key === 'string') note('env', key);
      return Reflect.has(target, key);
    },
    getOwnPropertyDescriptor(target, key) {
      if (typeof key === 'string') note('env', key);
      return Reflect.getOwnPropertyDescriptor(target, key);
    },
    ownKeys(target) {
      untrack('the whole environment was listed');
      return Reflect.ownKeys(target);
    },
    set(target, key, value) {
      untrack('process.env was changed');
      return Reflect.set(target, key, value);
    },
    deleteProperty(target, key) {
      untrack('process.env was changed');
      return Reflect.deleteProperty(target, key);
    },
  });
  // With `clock`: a result that depends on the time cannot be reused either.
  const now = Date.now;
  if (options.clock) {
    Date.now = () => {
      untrack('Date.now()');
      return now();
    };
  }
  // eslint-disable-next-line @typescript-eslint/unbound-method -- put back below
  const cwd = process.cwd;
  process.cwd = () => {
    note('env', CWD);
    return cwd.call(process);
  };
  try {
    const result = await fn();
    return { result, recording };
  } finally {
    process.cwd = cwd;
    Date.now = now;
    process.env = env;
    realEnvObject = undefined;
    for (const [name, real] of saved) fsTable[name] = real as (...args: unknown[]) => unknown;
    for (const [name, real] of savedChild) childProcess[name] = real;
    for (const [name, real] of savedOs) osModule[name] = real;
  }
}
