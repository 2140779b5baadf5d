// Memory of idle detached containers and the `start -d` time curve (imported by bench/run.mjs; also runs
// alone: node bench/memory.mjs [--containers N] [--prefix NAME]).
//
// N busybox `sleep 1000` containers (mount, uts, ipc, pid namespaces) from ONE definition file (so the plan
// is evaluated once), started one after the other with `haco start -d FILE#NAME`, each start timed.
// For each running container haco keeps two small C processes on the host: the supervisor
// (haco-launch --detach) and its cleanup watcher (a fork of it); no node process stays. Reported:
// - user space: VmRSS and Pss (/proc/PID/smaps_rollup; PSS divides shared pages among their sharers, so
//   it is what each container really adds) of the supervisor, the watcher and the container's own init;
// - kernel: the growth of Slab, SUnreclaim, PageTables, KernelStack and Percpu in /proc/meminfo from
//   before the first start to after the last, divided by N (the machine may be shared: other jobs move
//   these counters too, so the per-container figure is only as good as the machine is quiet);
// - the start -d curve: the mean of the 10 starts ending at 1, 100, 200, … N containers.
// Everything is removed afterwards (kill --all, rm --all in a private HACO_RUN_DIR) and counted: state
// dirs, cgroups named after the containers, processes.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { busyboxRootfs } from './busybox-rootfs.mjs';

const kib = (text, key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
const status = (pid) => fs.readFileSync(`/proc/${pid}/status`, 'utf8');
const rollup = (pid) => fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
const children = (pid) => {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
};
const comm = (pid) => fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
const mib = (k) => `${(k / 1024).toFixed(2)} MiB`;
const KERNEL = ['Slab', 'SUnreclaim', 'PageTables', 'KernelStack', 'Percpu'];
const meminfo = () => {
  const text = fs.readFileSync('/proc/meminfo', 'utf8');
  return Object.fromEntries(KERNEL.map((k) => [k, kib(text, k)]));
};

/** The haco cgroups named after these containers, on any v1 hierarchy or the v2 tree. */
function cgroupsOf(names) {
  const set = new Set(names);
  const roots = fs.existsSync('/sys/fs/cgroup/cgroup.controllers') ? ['/sys/fs/cgroup'] : fs.readdirSync('/sys/fs/cgroup').map((h) => path.join('/sys/fs/cgroup', h));
  let n = 0;
  for (const r of roots) {
    try {
      for (const e of fs.readdirSync(path.join(r, 'haco'))) if (set.has(e)) n++;
    } catch {
      // no haco parent on this hierarchy
    }
  }
  return n;
}

export async function memoryReport({ haco, work, env, rootfs, count = 100, prefix = `mem${process.pid}` }) {
  if (process.getuid() !== 0) return { 'memory: skipped': { value: 'needs root' } };
  const runDir = path.join(work, 'mem-run');
  const menv = { ...env, HACO_RUN_DIR: runDir };
  const names = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  // A rootfs each (haco refuses two containers on one rootfs), the busybox in them hard links of one file:
  // one inode, so its pages are shared as they would be between copies of one image.
  const roots = path.join(work, 'mem-roots');
  for (let i = 0; i < count; i++) {
    const r = path.join(roots, String(i));
    for (const d of ['bin', 'proc', 'dev', 'tmp', 'sys']) fs.mkdirSync(path.join(r, d), { recursive: true });
    fs.linkSync(path.join(rootfs, 'bin/busybox'), path.join(r, 'bin/busybox'));
    fs.symlinkSync('busybox', path.join(r, 'bin/sleep'));
  }
  const def = path.join(work, `${prefix}.haco.ts`);
  fs.writeFileSync(def, `import { defineContainer } from 'haco';
const base = defineContainer('${prefix}-base')
  .command(['/bin/sleep', '1000'])
  .unshare('mount', 'uts', 'ipc', 'pid');
export default Array.from({ length: ${count} }, (_, i) => base.extend(\`${prefix}-\${i}\`).rootfs(\`${roots}/\${i}\`));
`);
  execFileSync(haco, ['plan', def], { env: menv, stdio: ['ignore', 'ignore', 'inherit'] }); // one evaluation: the starts time the start
  const out = {};
  const before = meminfo();
  const startMs = [];
  try {
    for (const name of names) {
      const t0 = process.hrtime.bigint();
      const r = spawnSync(haco, ['start', '-d', `${def}#${name}`], { env: menv, encoding: 'utf8' });
      startMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (r.status !== 0) throw new Error(`start ${name}: exit ${r.status}: ${r.stderr}`);
    }
    const after = meminfo();
    const n = names.length;
    let rss = 0, pss = 0, supRssMax = 0, watcherRss = 0, watcherPss = 0, initRss = 0, initPss = 0, nodes = 0;
    for (const name of names) {
      const state = fs.readFileSync(path.join(runDir, name, 'state'), 'utf8');
      const sup = Number(/^supervisor=(\d+)/m.exec(state)[1]);
      const pid = Number(/^pid=(\d+)/m.exec(state)[1]);
      const supRss = kib(status(sup), 'VmRSS');
      rss += supRss;
      supRssMax = Math.max(supRssMax, supRss);
      pss += kib(rollup(sup), 'Pss');
      initRss += kib(status(pid), 'VmRSS');
      initPss += kib(rollup(pid), 'Pss');
      for (const child of children(sup)) {
        if (child === pid) continue;
        watcherRss += kib(status(child), 'VmRSS');
        watcherPss += kib(rollup(child), 'Pss');
      }
      // Walk up from the supervisor: no node between it and init.
      let p = sup;
      for (let hops = 0; p > 1 && hops < 10; hops++) {
        if (comm(p) === 'node') nodes++;
        p = Number(/^PPid:\s+(\d+)/m.exec(status(p))[1]);
      }
    }
    out['supervisor RSS / PSS per container'] = { value: `${mib(rss / n)} / ${mib(pss / n)} (RSS max ${mib(supRssMax)}; target < 2 MiB)` };
    out['watcher RSS / PSS per container'] = { value: `${mib(watcherRss / n)} / ${mib(watcherPss / n)}` };
    out['container init (busybox sleep) RSS / PSS'] = { value: `${mib(initRss / n)} / ${mib(initPss / n)}` };
    out[`haco's user space per container (PSS, ${n} containers)`] = { value: mib((pss + watcherPss) / n) };
    const delta = Object.fromEntries(KERNEL.map((k) => [k, (after[k] - before[k]) / n]));
    out['kernel per container (meminfo growth / N)'] = { value: KERNEL.map((k) => `${k} ${delta[k].toFixed(0)} KiB`).join(', ') };
    out['kernel + user space per container'] = { value: mib(delta.Slab + delta.PageTables + delta.KernelStack + delta.Percpu + (pss + watcherPss + initPss) / n) };
    out[`node processes next to ${n} containers`] = { value: String(nodes) };
    // The curve: the mean of the 10 starts that end at each checkpoint.
    const points = [1, ...Array.from({ length: Math.floor(n / 100) }, (_, i) => (i + 1) * 100)].filter((p) => p <= n);
    const at = (p) => startMs.slice(Math.max(0, p - 10), p).reduce((a, b) => a + b, 0) / Math.min(10, p);
    out[`start -d (ms) at ${points.join(', ')}`] = { value: points.map((p) => at(p).toFixed(0)).join(', ') };
    out['start -d of all (one after the other)'] = { value: `${(startMs.reduce((a, b) => a + b, 0) / 1000).toFixed(1)} s` };
  } finally {
    // Its own run dir: --all is exactly these containers. KILL: sleep as PID 1 ignores TERM.
    spawnSync(haco, ['kill', '-s', 'KILL', '--all'], { env: menv });
    spawnSync(haco, ['rm', '--all'], { env: menv });
    const leftStates = fs.existsSync(runDir) ? fs.readdirSync(runDir).filter((e) => !e.startsWith('.')).length : 0;
    const leftProcs = spawnSync('pgrep', ['-c', '-f', `${prefix}-`], { encoding: 'utf8' }).stdout.trim();
    out['left after rm --all (states, cgroups, processes)'] = { value: `${leftStates}, ${cgroupsOf(names)}, ${leftProcs || 0}` };
    out['load average (1 min) after'] = { value: fs.readFileSync('/proc/loadavg', 'utf8').split(' ')[0] };
  }
  return out;
}

// Alone: build a busybox rootfs in a temp dir and print the report.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const opt = (k) => (args.includes(k) ? args[args.indexOf(k) + 1] : undefined);
  const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'haco-mem-'));
  try {
    const rootfs = busyboxRootfs(path.join(work, 'rootfs'));
    const env = { ...process.env, NO_COLOR: '1', HACO_CACHE_DIR: path.join(work, 'cache') };
    delete env.NODE_EXTRA_CA_CERTS;
    const report = await memoryReport({ haco: path.join(root, 'bin/haco'), work, env, rootfs, count: Number(opt('--containers') ?? 100), ...(opt('--prefix') ? { prefix: opt('--prefix') } : {}) });
    for (const [k, v] of Object.entries(report)) console.log(`${k.padEnd(48)} ${v.value}`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
