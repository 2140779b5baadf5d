// The differential test of `haco export oci` (issue 15.4): each definition (the examples' settings on a
// busybox rootfs) runs under haco and, exported with `haco export oci`, under runc. The same probe
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

/** A mountinfo row with the documented differences taken out (see OCI_DELIBERATE.mountinfo). */
function mountinfoShape(v: string): string {
  return v
    .split(' ')
    .filter(Boolean)
    .filter((e) => !STANDARD_NODES.has(e.slice(0, e.indexOf('('))))
    .map((e) => {
      const target = e.slice(0, e.indexOf('('));
      if (MASKED.has(target)) return `${target}(masked)`;
      if (target === '/dev') return e.replace(',nodev', '');
      return e;
    })
    .join(' ');
}

const CASES: Array<[string, string]> = [
  ['first', `.hostname('first').cpu('50%').memory('256M').pids(128).rlimit('nofile', 1024).env({ FOO: 'bar baz' }).workdir('/tmp')`],
  ['caps-admin', `.addCaps('sys_admin')`],
  ['caps-none', `.capabilities({ base: 'none' })`],
  ['rlimits', `.rlimit('nofile', 64).rlimit('fsize', 1024 * 1024).rlimit('core', 0)`],
  ['seccomp', `.addCaps('sys_admin').seccomp((s) => s.block(['sethostname', 'setdomainname']).block(['mount', 'umount2'], 'EACCES'))`],
  ['share-pid-uts-ipc', `.share('pid').share('uts').share('ipc')`],
  ['readonly', `.readonlyRootfs().tmpfs('/mnt', { size: '16M' })`],
  ['user', `.user({ uid: 1000, gid: 1000, groups: [10, 20] })`],
  ['userns', `.mapRootTo(100000, 65536)`],
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

    it.each(CASES)('%s', (tag, chain) => {
      const name = uniqueName(tag);
      const file = ws.define(name, `${chain}.command(['/probe-extra.sh'])`);
      const hacoRun = haco(['start', file], { cwd: ws.dir, env: ws.env });
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
