// Memory of detached containers (imported by bench/run.mjs; also runs alone: node bench/memory.mjs).
// For each running container haco keeps exactly two small C processes on the host: the supervisor
// (native/build/haco-launch --detach) and its cleanup watcher (a fork of it). No node process stays. We
// read VmRSS from /proc/PID/status and Pss from /proc/PID/smaps_rollup (RSS counts shared libc pages in
// full for every process; PSS divides them among the sharers, so it is what each container really adds).
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

export async function memoryReport({ haco, work, env, rootfs }) {
  if (process.getuid() !== 0) return { 'memory: skipped': { value: 'needs root' } };
  const count = Number(process.env.HACO_BENCH_CONTAINERS ?? 100);
  const runDir = path.join(work, 'mem-run');
  const menv = { ...env, HACO_RUN_DIR: runDir };
  const tag = `mb${process.pid}`;
  const names = Array.from({ length: count }, (_, i) => `${tag}-${i}`);
  const out = {};
  try {
    for (const name of names) {
      const def = path.join(work, `${name}.haco.ts`);
      fs.writeFileSync(def, `import { defineContainer } from 'haco';
export default defineContainer(${JSON.stringify(name)})
  .rootfs(${JSON.stringify(rootfs)})
  .command(['/bin/sleep', '1000'])
  .unshare('mount', 'uts', 'ipc', 'pid');
`);
    }
    const t0 = Date.now();
    // 8 at a time: the point is the steady state, not a start storm.
    for (let i = 0; i < names.length; i += 8) {
      await Promise.all(names.slice(i, i + 8).map((n) => new Promise((resolve, reject) => {
        const r = spawnSync(haco, ['start', '-d', path.join(work, `${n}.haco.ts`)], { env: menv, encoding: 'utf8' });
        if (r.status === 0) resolve(); else reject(new Error(`start ${n}: ${r.stderr}`));
      })));
    }
    const startMs = Date.now() - t0;
    let rss = 0, pss = 0, watcherRss = 0, watcherPss = 0, nodes = 0, supRssMax = 0;
    for (const name of names) {
      const state = fs.readFileSync(path.join(runDir, name, 'state'), 'utf8');
      const sup = Number(/^supervisor=(\d+)/m.exec(state)[1]);
      const pid = Number(/^pid=(\d+)/m.exec(state)[1]);
      rss += kib(status(sup), 'VmRSS');
      supRssMax = Math.max(supRssMax, kib(status(sup), 'VmRSS'));
      pss += kib(rollup(sup), 'Pss');
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
    const n = names.length;
    out['supervisor RSS per container'] = { value: `${mib(rss / n)} (max ${mib(supRssMax)}; target < 2 MiB)` };
    out['supervisor PSS per container'] = { value: mib(pss / n) };
    out['watcher RSS / PSS per container'] = { value: `${mib(watcherRss / n)} / ${mib(watcherPss / n)}` };
    out[`haco total for ${n} idle containers`] = { value: `RSS ${mib(rss + watcherRss)}, PSS ${mib(pss + watcherPss)}` };
    out[`node processes next to ${n} containers`] = { value: String(nodes + Number(spawnSync('pgrep', ['-c', '-f', `dist/cli.js.*${tag}`], { encoding: 'utf8' }).stdout.trim() || 0)) };
    out[`start -d of ${n} containers (8 at a time)`] = { value: `${startMs} ms` };
  } finally {
    // Its own run dir: --all is exactly these containers. KILL: sleep as PID 1 ignores TERM.
    spawnSync(haco, ['kill', '-s', 'KILL', '--all'], { env: menv });
    spawnSync(haco, ['rm', '--all'], { env: menv });
  }
  return out;
}

// Alone: build a busybox rootfs in a temp dir and print the report.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'haco-mem-'));
  try {
    const rootfs = busyboxRootfs(path.join(work, 'rootfs'));
    const env = { ...process.env, NO_COLOR: '1', HACO_CACHE_DIR: path.join(work, 'cache') };
    delete env.NODE_EXTRA_CA_CERTS;
    execFileSync('true');
    const report = await memoryReport({ haco: path.join(root, 'bin/haco'), work, env, rootfs });
    for (const [k, v] of Object.entries(report)) console.log(`${k.padEnd(44)} ${v.value}`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
