import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KNOWN_GAPS } from './oci-conformance.gaps';

/**
 * The OCI runtime-tools validation suite against runc and against haco's OCI runtime (bin/haco-oci),
 * on this host in the same run (scripts/oci-conformance.sh; docs/oci-runtime.md "Conformance").
 * Slow: ~2 min for runc's run, ~5 min for haco's (node starts per runtime command), plus ~2 min to build
 * the suite the first time (cached under /var/cache/haco-test between CI runs).
 *
 * A case is one TAP line of one validation binary: its description (and which occurrence of it). It passes when the line
 * is `ok` without a SKIP directive and the binary exited 0 (process_capabilities_fail prints the inside
 * checks as `ok` and then fails the binary, because the runtime started a container with an unknown
 * capability: those lines are no pass). Every case runc passes here, haco must pass too, but for the
 * gaps listed with their reason in oci-conformance.gaps.ts; a listed gap that haco now closes fails the
 * test as well, so the list only shrinks.
 */
const REPO = path.resolve(__dirname, '../../..');
jest.setTimeout(1_800_000);

interface Case {
  binary: string;
  /** The description, with ` [N]` for its N-th occurrence (N > 1) in the binary's output. */
  key: string;
  passed: boolean;
  /** The TAP line and its YAML diagnostic block. */
  text: string;
}

interface BinaryRun {
  rc: number;
  cases: Map<string, Case>;
  stderr: string;
}

/**
 * TAP lines of one binary's output, each with its diagnostic block (the indented lines after it), keyed
 * by description: the numbers of runtimetest's checks vary between runs (it walks Go maps).
 */
export function parseTap(binary: string, tap: string, rc: number): Map<string, Case> {
  const cases = new Map<string, Case>();
  const seen = new Map<string, number>();
  let last: Case | undefined;
  for (const line of tap.split('\n')) {
    const m = /^(not )?ok (\d+)\b ?-? ?([^#]*)(#.*)?$/.exec(line);
    if (m) {
      const skipped = /^#\s*skip/i.test(m[4] ?? '');
      const description = (m[3] ?? '').trim();
      const n = (seen.get(description) ?? 0) + 1;
      seen.set(description, n);
      last = { binary, key: n > 1 ? `${description} [${n}]` : description, passed: !m[1] && !skipped && rc === 0, text: line };
      cases.set(last.key, last);
    } else if (last && /^\s/.test(line)) last.text += `\n${line}`;
    else last = undefined;
  }
  return cases;
}

function readRuntime(dir: string): Map<string, BinaryRun> {
  const runs = new Map<string, BinaryRun>();
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.tap'))) {
    const binary = f.slice(0, -'.tap'.length);
    const rc = Number(fs.readFileSync(path.join(dir, `${binary}.rc`), 'utf8').trim());
    const stderr = fs.readFileSync(path.join(dir, `${binary}.err`), 'utf8');
    runs.set(binary, { rc, cases: parseTap(binary, fs.readFileSync(path.join(dir, f), 'utf8'), rc), stderr });
  }
  return runs;
}

function isKnownGap(binary: string, key: string): boolean {
  const gap = KNOWN_GAPS[binary];
  return gap !== undefined && (gap.cases === 'all' || gap.cases.includes(key));
}

describe('OCI runtime-tools validation suite: haco vs runc on this host (slow)', () => {
  let out: string;
  let table = '';
  let runc: Map<string, BinaryRun>;
  let haco: Map<string, BinaryRun>;

  beforeAll(() => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'conformance-oci-'));
    const r = spawnSync('bash', [path.join(REPO, 'scripts/oci-conformance.sh'), '--out', out], { encoding: 'utf8', timeout: 1_700_000 });
    table = r.stdout;
    if (r.status !== 0) throw new Error(`scripts/oci-conformance.sh exited ${r.status}:\n${r.stderr}\n${r.stdout}`);
    runc = readRuntime(path.join(out, 'runc'));
    haco = readRuntime(path.join(out, 'haco'));
  });
  afterAll(() => {
    if (out) fs.rmSync(out, { recursive: true, force: true });
  });

  it('runs every binary with both runtimes and prints both scores', () => {
    process.stdout.write(`${table}\n`);
    expect(table).toMatch(/^runc: \d+ ok, \d+ not ok, \d+ skip over \d+ binaries/m);
    expect(table).toMatch(/^haco: \d+ ok, \d+ not ok, \d+ skip over \d+ binaries/m);
    expect([...haco.keys()].sort()).toEqual([...runc.keys()].sort());
    // The suite has 58 binaries at the pinned commit; fewer means the build or the run lost some.
    expect(runc.size).toBeGreaterThanOrEqual(58);
  });

  it('haco passes every case runc passes here (but the listed gaps)', () => {
    const missing: string[] = [];
    for (const [binary, r] of runc) {
      const h = haco.get(binary);
      for (const c of r.cases.values()) {
        if (!c.passed || isKnownGap(binary, c.key)) continue;
        const hc = h?.cases.get(c.key);
        if (hc?.passed) continue;
        missing.push(`${binary}: ${c.key}\n  haco (exit ${h?.rc}): ${hc ? hc.text : '(no such TAP line)'}\n  haco's stderr: ${h?.stderr.slice(0, 800) ?? ''}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('lists no gap that haco now closes, or that runc fails too', () => {
    const stale: string[] = [];
    for (const [binary, gap] of Object.entries(KNOWN_GAPS)) {
      const r = runc.get(binary);
      const h = haco.get(binary);
      const keys = gap.cases === 'all' ? [...(r?.cases.keys() ?? [])].filter((k) => r?.cases.get(k)?.passed) : gap.cases;
      const open = keys.filter((k) => r?.cases.get(k)?.passed && !h?.cases.get(k)?.passed);
      if (open.length === 0) stale.push(`${binary}: every listed case passes in haco or fails in runc: remove it from oci-conformance.gaps.ts`);
      else if (gap.cases !== 'all' && open.length < keys.length) stale.push(`${binary}: only ${open.join(' | ')} still open of ${keys.join(' | ')}`);
    }
    const runcFailsHacoPasses = [...haco].flatMap(([binary, h]) =>
      [...h.cases.values()].filter((c) => c.passed && !runc.get(binary)?.cases.get(c.key)?.passed).map((c) => `${binary}: ${c.key}`),
    );
    process.stdout.write(`cases runc fails (or skips) here and haco passes: ${runcFailsHacoPasses.length}\n${runcFailsHacoPasses.join('\n')}\n`);
    expect(stale).toEqual([]);
  });
});
