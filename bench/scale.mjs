// Lifecycle commands at scale (imported by bench/run.mjs with `--only scale`; also runs alone:
// node bench/scale.mjs [--containers N] [--haco BIN]). Starts N detached `sleep 1000` containers in a
// private run dir (HACO_RUN_DIR), then times `haco ps` next to `node -e 0` (hyperfine), one
// `haco kill -s KILL --all` and one `haco rm --all`, and checks that nothing is left (state dirs,
// cgroups, processes). Not part of the default `npm run bench`: 300 starts take a minute on 2 cores.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { busyboxRootfs } from './busybox-rootfs.mjs';

function startAll(haco, work, env, names, concurrency) {
  let next = 0;
  const worker = async () => {
    while (next < names.length) {
      const n = names[next++];
      await new Promise((resolve, reject) => {
        const p = spawn(haco, ['start', '-d', path.join(work, `${n}.haco.ts`)], { env, stdio: ['ignore', 'ignore', 'pipe'] });
        let err = '';
        p.stderr.on('data', (d) => (err += d));
        p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`start ${n}: exit ${code}: ${err}`))));
      });
    }
  };
  return Promise.all(Array.from({ length: concurrency }, worker));
}

function timed(haco, args, env) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(haco, args, { env, encoding: 'utf8', maxBuffer: 64 << 20 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`haco ${args.join(' ')}: exit ${r.status}: ${r.stderr.slice(-2000)}`);
  return ms;
}

/** The haco cgroups named after these containers, on any hierarchy. */
function cgroupsOf(names) {
  const set = new Set(names);
  const found = [];
  const roots = fs.existsSync('/sys/fs/cgroup/cgroup.controllers') ? ['/sys/fs/cgroup'] : fs.readdirSync('/sys/fs/cgroup').map((h) => path.join('/sys/fs/cgroup', h));
  for (const r of roots) {
    try {
      for (const e of fs.readdirSync(path.join(r, 'haco'))) if (set.has(e)) found.push(path.join(r, 'haco', e));
    } catch {
      // no haco parent on this hierarchy
    }
  }
  return found;
}

export async function scaleReport({ haco, work, env, rootfs, count = 300, runs = 10 }) {
  if (process.getuid() !== 0) return { 'scale: skipped': { value: 'needs root' } };
  const runDir = path.join(work, 'scale-run');
  const senv = { ...env, HACO_RUN_DIR: runDir };
  const tag = `sc${process.pid}`;
  const names = Array.from({ length: count }, (_, i) => `${tag}-${i}`);
  const out = {};
  for (const name of names) {
    fs.writeFileSync(path.join(work, `${name}.haco.ts`), `import { defineContainer } from 'haco';
export default defineContainer(${JSON.stringify(name)})
  .rootfs(${JSON.stringify(rootfs)})
  .command(['/bin/sleep', '1000'])
  .unshare('mount', 'uts', 'ipc', 'pid');
`);
    spawnSync(haco, ['plan', path.join(work, `${name}.haco.ts`)], { env: senv }); // warm plan cache: starts time the launch, not esbuild
  }
  try {
    await startAll(haco, work, senv, names, 4);
    const file = path.join(work, 'scale-ps.json');
    const hf = spawnSync('hyperfine', ['-N', '--warmup', '2', '--runs', String(runs), '--export-json', file, '--style', 'basic', '-n', 'node -e 0', 'node -e 0', '-n', `haco ps (${count} containers)`, `${haco} ps`], { env: senv, stdio: ['ignore', 'ignore', 'inherit'] });
    if (hf.status === 0) {
      for (const r of JSON.parse(fs.readFileSync(file, 'utf8')).results) out[r.command] = { meanMs: r.mean * 1000, sdMs: r.stddev * 1000, minMs: r.min * 1000 };
    }
    out[`haco kill -s KILL --all (${count})`] = { value: `${timed(haco, ['kill', '-s', 'KILL', '--all'], senv).toFixed(0)} ms` };
    out[`haco rm --all (${count})`] = { value: `${timed(haco, ['rm', '--all'], senv).toFixed(0)} ms` };
    const leftStates = fs.existsSync(runDir) ? fs.readdirSync(runDir).length : 0;
    const leftCgroups = cgroupsOf(names).length;
    const leftProcs = spawnSync('pgrep', ['-c', '-f', `${tag}-`], { encoding: 'utf8' }).stdout.trim();
    out['left after rm --all (states, cgroups, processes)'] = { value: `${leftStates}, ${leftCgroups}, ${leftProcs || 0}` };
  } finally {
    // Whatever a failure left: the same commands, best effort.
    spawnSync(haco, ['kill', '-s', 'KILL', '--all'], { env: senv });
    spawnSync(haco, ['rm', '--all'], { env: senv });
  }
  out['load average (1 min) after'] = { value: fs.readFileSync('/proc/loadavg', 'utf8').split(' ')[0] };
  return out;
}

// Alone: build a busybox rootfs in a temp dir and print the report.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const opt = (k) => (args.includes(k) ? args[args.indexOf(k) + 1] : undefined);
  const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'haco-scale-'));
  try {
    const rootfs = busyboxRootfs(path.join(work, 'rootfs'));
    const env = { ...process.env, NO_COLOR: '1', HACO_CACHE_DIR: path.join(work, 'cache') };
    delete env.NODE_EXTRA_CA_CERTS;
    const report = await scaleReport({ haco: opt('--haco') ?? path.join(root, 'bin/haco'), work, env, rootfs, count: Number(opt('--containers') ?? 300), runs: Number(opt('--runs') ?? 10) });
    for (const [k, v] of Object.entries(report)) console.log(`${k.padEnd(48)} ${'value' in v ? v.value : `${v.meanMs.toFixed(1)} ± ${v.sdMs.toFixed(1)} ms (min ${v.minMs.toFixed(1)})`}`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
