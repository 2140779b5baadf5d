// The differential test of `haco export oci` (issue 15.4): each example of examples/ (loaded as it is,
// on this test's busybox rootfs; see EXAMPLES) and two extra definitions run under haco and, exported with `haco export oci`, under runc. The same probe
// (test/fixtures/security/probe.sh + test/fixtures/oci/probe-extra.sh) prints what the kernel shows from
// inside — capability sets, NoNewPrivs, seccomp mode, namespaces against the host's, every mount with
// its flags, rlimits, ids, hostname, env, cwd, cgroup — and the exit status is compared. Every row must
// be equal, except the deliberate differences docs/oci.md lists (OCI_DELIBERATE below, pinned by value).
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { haco, REPO } from '../support/cli';
import { describeStart, makeWorkspace, uniqueName, type Workspace } from '../support/rootfs';
import { normalize, parseProbe, type ProbeRows } from '../support/security-compare';

jest.setTimeout(180_000);

function runcUnavailable(): string | undefined {
  return spawnSync('runc', ['--version'], { stdio: 'ignore' }).status === 0 ? undefined : 'runc not found (apt-get install runc)';
}

function hostNamespaces(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of fs.readdirSync('/proc/self/ns')) out[n] = fs.readlinkSync(`/proc/self/ns/${n}`);
  return out;
}

/**
 * Rows where runc, running haco's export, knowingly shows something else: key → [haco, runc] values
 * (after normalization), with the reason docs/oci.md gives.
 */
export const OCI_DELIBERATE: Record<string, { why: string; match: (haco: string, runc: string) => boolean }> = {
  'mount./dev': {
    why: "haco's /dev tmpfs is also nodev (its nodes are binds of the host's); runc mknods them, so its /dev cannot be nodev",
    match: (h, r) => h === r.replace('nosuid,noexec', 'nosuid,nodev,noexec'),
  },
  mountinfo: {
    why: 'the same mount points and flags, except: /dev as above, the standard nodes are bind mounts under haco and mknod nodes under runc, and a masked path is a nosuid,nodev,noexec tmpfs or /dev/null bind under haco (runc: a plain ro tmpfs or its /dev/null)',
    match: (h, r) => mountinfoShape(h) === mountinfoShape(r),
  },
  'mount./sys/fs/cgroup': {
    why: "with its own cgroup namespace haco's /sys/fs/cgroup tmpfs is read-only too; runc leaves that holder tmpfs rw (the hierarchies in it are ro under both)",
    match: (h, r) => h === r.replace(/^rw,/, 'ro,'),
  },
  cgroup: {
    why: 'haco places the container only in the v1 controllers it uses (devices, pids, and those with a limit); runc joins every controller at cgroupsPath',
    match: (h, r) => {
      const placed = (v: string, under: string) => v.split(' ').filter((e) => e.endsWith(`:${under}`)).map((e) => e.slice(0, e.indexOf(':')));
      const runcAll = r.split(' ').filter(Boolean).every((e) => e.endsWith(':/haco-oci-NAME'));
      return runcAll && placed(h, '/haco/NAME').every((c) => r.includes(`${c}:/haco-oci-NAME`)) && placed(h, '/haco/NAME').length > 0;
    },
  },
};

const MASKED = new Set(['/proc/acpi', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list', '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware']);
const STANDARD_NODES = new Set(['/dev/null', '/dev/zero', '/dev/full', '/dev/random', '/dev/urandom', '/dev/tty']);

/**
 * A mountinfo row with the documented differences taken out (see OCI_DELIBERATE.mountinfo). cgroupfs
 * (own cgroup namespace): the same hierarchies under /sys/fs/cgroup, read-only; haco's read-only remount
 * of the holder tmpfs shows each once more, and haco also mounts the hybrid host's cgroup2 at
 * /sys/fs/cgroup/unified (runc 1.1 does not), so only the set of v1 hierarchy names is compared there.
 */
function mountinfoShape(v: string): string {
  const seen = new Set<string>();
  return v
    .split(' ')
    .filter(Boolean)
    .filter((e) => !STANDARD_NODES.has(e.slice(0, e.indexOf('('))))
    .flatMap((e) => {
      const target = e.slice(0, e.indexOf('('));
      if (target === '/sys/fs/cgroup' || target === '/sys/fs/cgroup/unified') return [];
      if (!target.startsWith('/sys/fs/cgroup/')) return [e];
      if (seen.has(target) || !e.includes(':ro,')) return [];
      seen.add(target);
      return [`${target}(cgroup:ro)`];
    })
    .map((e) => {
      const target = e.slice(0, e.indexOf('('));
      if (MASKED.has(target)) return `${target}(masked)`;
      if (target === '/dev') return e.replace(',nodev', '');
      return e;
    })
    .join(' ');
}

/**
 * The real examples/*.haco.ts, loaded as they are: a wrapper definition imports the file, picks one
 * container and keeps every setting but three — the rootfs (this test's busybox tree instead of the
 * example's path, which is outside the workspace), the bootstrap (`directory()`: use that tree; the
 * host bootstrap's binds of /usr, /lib… would only add the host's files), and the command (the probe).
 * [file, container]; every file of examples/ is either here or in EXAMPLES_EXCLUDED (checked below).
 */
const EXAMPLES: Array<[string, string]> = [
  ['first', 'my-first'],
  ['capabilities', 'caps-default'],
  ['capabilities', 'caps-admin'],
  ['capabilities', 'caps-no-chown'],
  ['capabilities', 'caps-none'],
  ['cgroup-cpu', 'cpu-30'],
  ['cgroup-memory', 'mem-32m'],
  ['cgroup-pids', 'pids-10'],
  ['cgroupfs', 'cgroupfs'],
  ['chroot', 'root-pivot'],
  ['namespaces', 'ns-share-pid'],
  ['namespaces', 'ns-share-uts'],
  ['namespaces', 'ns-share-ipc'],
  ['namespaces', 'ns-mount'],
  ['namespaces', 'ns-share-net'],
  ['multi', 'web'],
  ['multi', 'worker'],
  ['reload', 'reloadable'],
  ['rlimits', 'rlimits'],
  ['seccomp', 'seccomp'],
  ['user-namespace', 'userns'],
];

/** Example files (or containers of one) not run here, and why. */
export const EXAMPLES_EXCLUDED: Record<string, string> = {
  bridge: 'a bridge network: runtime-spec has none (a netns with only lo; CNI wires it), unmapped by design',
  nat: 'a bridge network with NAT: as bridge',
  'chroot:root-chroot': 'chroot(2) instead of pivot_root is a runc flag (`runc run --no-pivot`), not config.json: unmapped',
  hooks: "host hooks: runc passes them the state JSON on stdin, haco HACO_* variables; the example's echo lines differ by design",
  overlay: "an overlay rootfs on another container's: export oci copies the merged tree (bootstrap-image.test.ts exports one); with the rootfs replaced nothing of it is left to compare",
  layers: 'overlay layers on layers: as overlay',
  debian: 'only a bootstrap (debootstrap); its container is the default one, which first and caps-default cover',
  lxc: 'only a bootstrap (an lxc template): as debian',
  tarball: 'only a bootstrap (a tarball): as debian',
  apparmor: "an AppArmor profile: haco-default travels as an annotation runc cannot load, and this host's kernel has no AppArmor (both containers run unconfined here); the confined run is apparmor-vm's",
  checkpoint: 'a counter that runs until checkpointed: its point is `haco checkpoint`/`restore` (criu), which config.json has no field for; its namespaces and limits are the ones first, cgroup-memory and cgroup-pids cover',
  lxcfs: "binds of the host's lxcfs files: export oci lists them as not mapped (runc would need the host's lxcfs mounted the same way)",
};

/** Settings no example has, on top of the examples. */
const EXTRA_CASES: Array<[string, string]> = [
  ['readonly', `.readonlyRootfs().tmpfs('/mnt', { size: '16M' })`],
  ['user', `.user({ uid: 1000, gid: 1000, groups: [10, 20] })`],
];

/** Rows whose value names the container (its cgroup path) made comparable. */
function comparable(rows: ProbeRows, names: string[]): ProbeRows {
  const out: ProbeRows = new Map();
  for (const [k, v] of rows) {
    let value = v;
    for (const n of names) value = value.split(n).join('NAME');
    out.set(k, value);
  }
  return out;
}

describeStart(
  'haco and runc (through haco export oci) show the same container from inside',
  () => {
    let ws: Workspace;
    const host = hostNamespaces();
    beforeAll(() => {
      ws = makeWorkspace('ocidiff');
      for (const f of ['security/probe.sh', 'oci/probe-extra.sh']) {
        const to = path.join(ws.rootfs, path.basename(f));
        fs.copyFileSync(path.join(REPO, 'test/fixtures', f), to);
        fs.chmodSync(to, 0o755);
      }
    });
    afterAll(() => ws?.cleanup());

    /** Runs FILE under haco and, exported, under runc; throws with every difference that is not deliberate. */
    const compare = (name: string, file: string): void => {
      const hacoRun = haco(['start', '--no-detach', file], { cwd: ws.dir, env: ws.env });
      const bundle = path.join(ws.dir, `${name}.bundle`);
      const exported = haco(['export', 'oci', file, '-o', bundle, '--link', '--json'], { cwd: ws.dir, env: ws.env });
      if (exported.status !== 0) throw new Error(`haco export oci failed:\n${exported.stderr}`);
      const id = `${name}-runc`;
      let runcRun: SpawnSyncReturns<string>;
      try {
        runcRun = spawnSync('runc', ['run', '--bundle', bundle, id], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
      } finally {
        spawnSync('runc', ['delete', '-f', id], { stdio: 'ignore' });
        fs.rmSync(bundle, { recursive: true, force: true });
      }
      const h = comparable(normalize(parseProbe(hacoRun.stdout), host), [name]);
      const r = comparable(normalize(parseProbe(runcRun.stdout), host), [name]);
      h.set('exit', String(hacoRun.status));
      r.set('exit', String(runcRun.status));
      const differences: string[] = [];
      for (const key of new Set([...h.keys(), ...r.keys()])) {
        const [hv, rv] = [h.get(key) ?? '(missing)', r.get(key) ?? '(missing)'];
        if (hv === rv) continue;
        const deliberate = OCI_DELIBERATE[key];
        if (deliberate?.match(hv, rv)) continue;
        differences.push(`${key}:\n    haco: ${hv}\n    runc: ${rv}`);
      }
      if (differences.length > 0) {
        throw new Error(`${differences.length} difference(s):\n${differences.join('\n')}\n\nhaco stderr:\n${hacoRun.stderr}\nrunc stderr:\n${runcRun.stderr}`);
      }
      expect(h.get('exit')).toBe('3');
      // runc delete removed its cgroup leaf; nothing of either runtime is left.
      expect(fs.readdirSync('/sys/fs/cgroup').filter((c) => fs.existsSync(`/sys/fs/cgroup/${c}/haco-oci-${name}`))).toEqual([]);
    };

    it('every file of examples/ is compared or excluded with a reason', () => {
      const files = fs.readdirSync(path.join(REPO, 'examples')).filter((f) => f.endsWith('.haco.ts')).map((f) => f.replace(/\.haco\.ts$/, ''));
      const covered = new Set([...EXAMPLES.map(([f]) => f), ...Object.keys(EXAMPLES_EXCLUDED).filter((k) => !k.includes(':'))]);
      expect(files.filter((f) => !covered.has(f))).toEqual([]);
    });

    it.each(EXAMPLES)('examples/%s.haco.ts: %s', (example, container) => {
      const name = uniqueName(example.replace(/[^a-z0-9]/g, '').slice(0, 10));
      const file = path.join(ws.dir, `${name}.haco.ts`);
      fs.writeFileSync(
        file,
        `import example from ${JSON.stringify(path.join(REPO, 'examples', `${example}.haco.ts`))};\n` +
          `const picked = [example].flat().find((c) => c.name === ${JSON.stringify(container)});\n` +
          `if (!picked) throw new Error('no container ${container} in the example');\n` +
          `export default picked.extend(${JSON.stringify(name)}).rootfs(${JSON.stringify(ws.rootfs)}).bootstrap((b) => b.directory()).command(['/probe-extra.sh']);\n`,
      );
      compare(name, file);
    });

    it.each(EXTRA_CASES)('%s', (tag, chain) => {
      const name = uniqueName(tag);
      compare(name, ws.define(name, `${chain}.command(['/probe-extra.sh'])`));
    });

    it('cgroup limit files, read from the host while both run, are the same', () => {
      const name = uniqueName('cglim');
      const file = ws.define(name, `.memory({ max: '64M', swap: '0' }).pids(50).cpu('25%').command(['/bin/sleep', '60'])`);
      const bundle = path.join(ws.dir, `${name}.bundle`);
      const id = `${name}-runc`;
      let hacoLimits: Record<string, string> = {};
      let runcLimits: Record<string, string> = {};
      let hacoPid = 0;
      try {
        const started = haco(['start', '-d', file], { cwd: ws.dir, env: ws.env });
        if (started.status !== 0) throw new Error(`haco start -d failed:\n${started.stderr}`);
        const ps = JSON.parse(haco(['ps', '--json'], { cwd: ws.dir, env: ws.env }).stdout) as Array<{ name: string; pid: number }>;
        hacoPid = ps.find((c) => c.name === name)!.pid;
        hacoLimits = cgroupLimits(hacoPid);
        const exported = haco(['export', 'oci', file, '-o', bundle, '--link'], { cwd: ws.dir, env: ws.env });
        if (exported.status !== 0) throw new Error(exported.stderr);
        // No pipes: the detached container inherits them, and spawnSync would wait until it exits.
        const log = path.join(ws.dir, `${id}.log`);
        const run = spawnSync('runc', ['--log', log, 'run', '-d', '--bundle', bundle, id], { encoding: 'utf8', stdio: 'ignore' });
        if (run.status !== 0) throw new Error(`runc run -d failed:\n${fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : ''}`);
        const state = JSON.parse(spawnSync('runc', ['state', id], { encoding: 'utf8' }).stdout) as { pid: number };
        runcLimits = cgroupLimits(state.pid);
      } finally {
        spawnSync('runc', ['delete', '-f', id], { stdio: 'ignore' });
        haco(['kill', name, '-s', 'KILL'], { cwd: ws.dir, env: ws.env });
        // The supervisor records the exit a moment after the kill; rm refuses a running container.
        for (let i = 0; i < 100 && hacoPid !== 0 && fs.existsSync(`/proc/${hacoPid}`); i += 1) spawnSync('sleep', ['0.05']);
        for (let i = 0; i < 20; i += 1) {
          const rm = haco(['rm', name], { cwd: ws.dir, env: ws.env });
          if (rm.status === 0 || rm.stderr.includes('no container')) break;
          spawnSync('sleep', ['0.1']);
        }
        fs.rmSync(bundle, { recursive: true, force: true });
      }
      expect(Object.keys(hacoLimits).length).toBeGreaterThanOrEqual(3);
      expect(runcLimits).toMatchObject(hacoLimits);
      expect(fs.readdirSync('/sys/fs/cgroup').filter((c) => fs.existsSync(`/sys/fs/cgroup/${c}/haco/${name}`) || fs.existsSync(`/sys/fs/cgroup/${c}/haco-oci-${name}`))).toEqual([]);
    });
  },
  [runcUnavailable],
);

/** The limit files of the cgroups PID is in, read on the host (v1 controllers and the v2 tree). */
function cgroupLimits(pid: number): Record<string, string> {
  const files: Record<string, string[]> = {
    memory: ['memory.limit_in_bytes', 'memory.memsw.limit_in_bytes', 'memory.max', 'memory.swap.max'],
    pids: ['pids.max'],
    cpu: ['cpu.cfs_quota_us', 'cpu.cfs_period_us', 'cpu.max'],
  };
  const out: Record<string, string> = {};
  for (const line of fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim().split('\n')) {
    const [, controllers = '', where = ''] = line.split(':');
    const dirs = controllers === '' ? [['', path.join('/sys/fs/cgroup/unified', where)]] : controllers.split(',').map((c) => [c, path.join('/sys/fs/cgroup', controllers, where)]);
    for (const [controller, dir] of dirs) {
      for (const f of files[controller === '' ? 'memory' : controller!] ?? []) {
        try {
          out[f] = fs.readFileSync(path.join(dir!, f), 'utf8').trim();
        } catch {
          // not this version's file
        }
      }
    }
  }
  return out;
}
