// Lifecycle commands at scale (imported by bench/run.mjs with `--only scale`; also runs alone:
// node bench/scale.mjs [--containers N] [--haco BIN]). Starts N detached containers (a shell that exits on
// TERM, waiting for a `sleep 1000`) in a private run dir (HACO_RUN_DIR), then measures each issue-19 target
// next to its peer: `haco ps` and `node -e 0` (hyperfine), `haco attach NAME -- /bin/true` and `nsenter -a`
// (hyperfine, the prepared spec), `start -d` with no container running and with N (5 sequential starts
// each), one `haco kill -s KILL --all` and one `haco rm --all` against the 3 s target; then starts N again
// for one `haco stop --all` and `rm --all`, and checks that nothing is left (state dirs, cgroups,
// processes). Not part of the default `npm run bench`: 2N starts take a few minutes on 2 cores.
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

function hyperfine(env, runs, file, commands) {
  const args = ['-N', '--warmup', '3', '--runs', String(runs), '--export-json', file, '--style', 'basic'];
  for (const [name, cmd] of Object.entries(commands)) args.push('-n', name, cmd);
  const hf = spawnSync('hyperfine', args, { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const out = {};
  if (hf.status === 0) for (const r of JSON.parse(fs.readFileSync(file, 'utf8')).results) out[r.command] = { meanMs: r.mean * 1000, sdMs: r.stddev * 1000, minMs: r.min * 1000, medianMs: r.median * 1000 };
  return out;
}

/** Mean ms of `start -d` of each file, one after the other. */
function startEach(haco, env, files) {
  return files.reduce((sum, f) => sum + timed(haco, ['start', '-d', f], env), 0) / files.length;
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
  // 5 more, started one by one with no container running and again with N running: the start -d curve.
  const probes = Array.from({ length: 10 }, (_, i) => `${tag}-x${i}`);
  const out = {};
  const file = (n) => path.join(work, `${n}.haco.ts`);
  for (const name of [...names, ...probes]) {
    fs.writeFileSync(file(name), `import { defineContainer } from 'haco';
export default defineContainer(${JSON.stringify(name)})
  .rootfs(${JSON.stringify(rootfs)})
  .command(['/bin/sh', '-c', 'trap "exit 0" TERM; sleep 1000 & wait'])
  .unshare('mount', 'uts', 'ipc', 'pid');
`);
    spawnSync(haco, ['plan', file(name)], { env: senv }); // warm plan cache: starts time the launch, not esbuild
  }
  const ms = (v) => ({ value: `${v.toFixed(0)} ms` });
  try {
    const startAt0 = startEach(haco, senv, probes.slice(0, 5).map(file));
    timed(haco, ['kill', '-s', 'KILL', '--all'], senv);
    timed(haco, ['rm', '--all'], senv);
    await startAll(haco, work, senv, names, 4);
    const startAtN = startEach(haco, senv, probes.slice(5).map(file));
    out['start -d, none running (mean of 5)'] = { value: `${startAt0.toFixed(1)} ms` };
    out[`start -d, ${count} running (mean of 5)`] = { value: `${startAtN.toFixed(1)} ms = ${(startAtN / startAt0).toFixed(2)}× (target: flat, ~1×)` };
    Object.assign(out, hyperfine(senv, runs, path.join(work, 'scale-ps.json'), { 'node -e 0': 'node -e 0', [`haco ps (${count} containers)`]: `${haco} ps` }));
    const ps = out[`haco ps (${count} containers)`], node = out['node -e 0'];
    // Both: on a shared machine one slow run moves the mean, the median much less.
    const ratios = (a, b) => `mean ${(a.meanMs / b.meanMs).toFixed(2)}×, median ${(a.medianMs / b.medianMs).toFixed(2)}×`;
    if (ps && node) out['haco ps / node -e 0'] = { value: `${ratios(ps, node)} (target ≤ 1.5×)` };
    // attach: the first plain attach (Node) writes the prepared spec; hyperfine then times the front's path.
    const pid = /^pid=(\d+)$/m.exec(fs.readFileSync(path.join(runDir, names[0], 'state'), 'utf8'))?.[1];
    timed(haco, ['attach', names[0], '--', '/bin/true'], senv);
    Object.assign(out, hyperfine(senv, Math.max(runs, 30), path.join(work, 'scale-attach.json'), { 'nsenter -a': `nsenter -a -t ${pid} /bin/true`, 'haco attach (prepared spec)': `${haco} attach ${names[0]} -- /bin/true` }));
    const att = out['haco attach (prepared spec)'], ns = out['nsenter -a'];
    if (att && ns) out['haco attach / nsenter -a'] = { value: `${ratios(att, ns)} (target ≤ 3×)` };
    const running = count + 5;
    out[`haco kill -s KILL --all (${running})`] = ms(timed(haco, ['kill', '-s', 'KILL', '--all'], senv));
    out[`haco rm --all (${running})`] = ms(timed(haco, ['rm', '--all'], senv));
    await startAll(haco, work, senv, names, 4);
    out[`haco stop --all (${count}, TERM)`] = ms(timed(haco, ['stop', '--all'], senv));
    out[`haco rm --all (${count}) again`] = ms(timed(haco, ['rm', '--all'], senv));
    out['kill, stop, rm target'] = { value: '< 3000 ms each' };
    const leftStates = fs.existsSync(runDir) ? fs.readdirSync(runDir).length : 0;
    const leftCgroups = cgroupsOf([...names, ...probes]).length;
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
    for (const [k, v] of Object.entries(report)) console.log(`${k.padEnd(48)} ${'value' in v ? v.value : `${v.meanMs.toFixed(1)} ± ${v.sdMs.toFixed(1)} ms (median ${v.medianMs.toFixed(1)}, min ${v.minMs.toFixed(1)})`}`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
