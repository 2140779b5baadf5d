// The tool manifest (src/host/tool-manifest.ts) must name every program haco and its tests run, and
// scripts/setup.sh must install exactly its packages: otherwise a fresh machine finds the gap (as it did
// with rsync, which lxc's debian template needs) instead of this test.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { setupPackages, TOOL_MANIFEST, type ToolEntry } from '../../../src/host/tool-manifest';
import { findTool, installHint } from '../../../src/host/tools';

const REPO = path.resolve(__dirname, '../../..');
const MANIFEST = TOOL_MANIFEST as readonly ToolEntry[];
const NAMES = new Set(MANIFEST.map((t) => t.name));

function walk(dir: string, ext: RegExp, out: string[] = []): string[] {
  for (const e of fs.readdirSync(path.join(REPO, dir), { withFileTypes: true })) {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) walk(rel, ext, out);
    else if (ext.test(e.name)) out.push(rel);
  }
  return out;
}

/** Calls whose first argument is the program to run (node's, execa's and haco's own wrappers). */
const SPAWNERS = 'spawn|spawnSync|execFile|execFileSync|execa|execaSync|capture|runStreamed|findTool|requireTool|have';
/** Test helpers that run their argv on the host inside a network namespace (`ip netns exec NS ARGV`). */
const NETNS_HELPERS = 'inNs|mustInNs';
const PROGRAM = /^[\w@.+/-]+$/;

interface Use {
  program: string;
  where: string;
}

function lineOf(text: string, index: number): number {
  return text.slice(0, index).split('\n').length;
}

/** Every program a TS/JS file spawns with a literal name (or a `const X = … 'name'` it passes by name). */
export function spawnedIn(file: string, text: string): Use[] {
  const uses: Use[] = [];
  const add = (program: string, index: number) => {
    if (!PROGRAM.test(program)) return;
    uses.push({ program: program.startsWith('/') ? path.basename(program) : program, where: `${file}:${lineOf(text, index)}` });
  };
  const literal = new RegExp(`\\b(?:${SPAWNERS})\\(\\s*(['"\`])([^'"\`$]+)\\1`, 'g');
  for (const m of text.matchAll(literal)) add(m[2]!, m.index!);
  const named = new RegExp(`\\b(?:${SPAWNERS})\\(\\s*([A-Z][A-Z0-9_]*)\\s*,`, 'g');
  for (const m of text.matchAll(named)) {
    const decl = new RegExp(`\\bconst ${m[1]} = ([^;\\n]+)`).exec(text);
    for (const s of decl?.[1]?.matchAll(/'([^']+)'/g) ?? []) if (!s[1]!.includes('/') || s[1]!.startsWith('/')) add(s[1]!, m.index!);
  }
  const netns = new RegExp(`\\b(?:${NETNS_HELPERS})\\([^\\[\\n]{0,40}\\[\\s*'([^']+)'`, 'g');
  for (const m of text.matchAll(netns)) add(m[1]!, m.index!);
  return uses;
}

/** Programs a shell script checks for (`command -v X`, `for tool in A B; do command -v …`). */
export function checkedInScript(file: string, text: string): Use[] {
  const uses: Use[] = [];
  for (const m of text.matchAll(/command -v "?([\w.+-]+)"?/g)) if (m[1] !== 'tool') uses.push({ program: m[1]!, where: `${file}:${lineOf(text, m.index!)}` });
  for (const m of text.matchAll(/for tool in ([\w .+-]+);/g)) for (const p of m[1]!.trim().split(/\s+/)) uses.push({ program: p, where: `${file}:${lineOf(text, m.index!)}` });
  return uses;
}

function allUses(): Use[] {
  const code = [...walk('src', /\.ts$/), ...walk('test', /\.ts$/), ...walk('bench', /\.m?js$/), 'scripts/build.mjs'];
  const scripts = [...walk('test', /\.sh$/), ...walk('native/test', /\.sh$/), 'scripts/test-all.sh', 'scripts/oci-conformance.sh'];
  const self = path.relative(REPO, __filename);
  return [
    ...code.filter((f) => f !== self).flatMap((f) => spawnedIn(f, fs.readFileSync(path.join(REPO, f), 'utf8'))),
    ...scripts.flatMap((f) => checkedInScript(f, fs.readFileSync(path.join(REPO, f), 'utf8'))),
  ];
}

describe('tool manifest', () => {
  it('names every program that src/, test/, bench/ and the test scripts run', () => {
    const uses = allUses();
    // The scan must keep finding the calls it exists for: a refactoring that hides them fails here.
    for (const known of ['ip', 'tar', 'debootstrap', 'lxc-create', 'flock', 'qemu-system-x86_64', 'hyperfine']) {
      expect(uses.map((u) => u.program)).toContain(known);
    }
    const missing = uses.filter((u) => !NAMES.has(u.program)).map((u) => `${u.program} (${u.where})`);
    expect(missing).toEqual([]);
  });

  it('finds a spawned program that is not in the manifest', () => {
    const uses = spawnedIn('x.ts', "const QEMU = process.env.Q ?? 'qemu-img';\nspawnSync(QEMU, []);\nexeca('rsync', ['-a']);\ninNs(NS, ['ping', '-c', '1']);");
    expect(uses.map((u) => u.program)).toEqual(['rsync', 'qemu-img', 'ping']);
    expect(checkedInScript('x.sh', 'for tool in apt-get dpkg-deb; do\ncommand -v cpio >/dev/null').map((u) => u.program)).toEqual(['cpio', 'apt-get', 'dpkg-deb']);
  });

  it('has one entry per name, a package for every tool but Node.js\'s own, and a feature for each', () => {
    expect(NAMES.size).toBe(MANIFEST.length);
    for (const t of MANIFEST) {
      expect(t.feature.length).toBeGreaterThan(3);
      if (!['node', 'npm', 'npx'].includes(t.name)) expect({ name: t.name, package: t.package }).toEqual({ name: t.name, package: expect.stringMatching(/^[a-z0-9][a-z0-9.+-]+$/) });
      if (t.kind === 'file') expect(path.isAbsolute(t.name)).toBe(true);
    }
  });

  it('lists lxc-debian\'s rsync and the launcher build in the runtime set', () => {
    const runtime = setupPackages(false);
    for (const p of ['rsync', 'lxc', 'lxc-templates', 'build-essential', 'libseccomp-dev']) expect(runtime).toContain(p);
    for (const p of ['qemu-system-x86', 'hyperfine', 'bubblewrap', 'runc', 'clang']) expect(runtime).not.toContain(p);
  });

  it.each([false, true])('scripts/setup.sh (dev: %s) installs exactly the manifest\'s packages', (dev) => {
    const r = spawnSync('bash', [path.join(REPO, 'scripts/setup.sh'), ...(dev ? ['--dev'] : []), '--print-packages'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim().split('\n').sort()).toEqual(setupPackages(dev).sort());
  });

  it('hints name the packages, once each, and Node.js by how to get it', () => {
    expect(installHint(['cc', 'make', 'seccomp.h'])).toBe('apt-get install build-essential make libseccomp-dev');
    expect(installHint(['ip', 'bridge', 'nsenter', 'unshare'])).toBe('apt-get install iproute2 util-linux');
    expect(installHint(['node'])).toMatch(/^node: .*README/);
    expect(findTool('sh', { PATH: '' })).toMatch(/\/sh$/); // the sbin and bin dirs are searched even without PATH
  });
});
