// npm run bench — start-up and launch latency of haco next to its peers, measured in one run with
// hyperfine on the same busybox rootfs, reported as ratios. Nothing here is asserted: numbers vary by
// machine; the ratios are what to compare (targets in README/issue notes).
//
//   node bench/run.mjs [--runs N] [--only startup|launch|attach|warm|memory|scale] [--containers N] [--prefix NAME] [--json FILE]
//
// `scale` (300 containers: ps, kill --all, rm --all; bench/scale.mjs) runs only when asked for: the starts
// take a few minutes on 2 cores. `memory` (bench/memory.mjs) starts 100 idle containers in a full run;
// `--only memory --containers 1000` gives the 1000-container figures of docs/performance.md.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 30;
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const jsonOut = args.includes('--json') ? args[args.indexOf('--json') + 1] : undefined;

// NODE_EXTRA_CA_CERTS adds ~75 ms to every node start on some machines: not haco's cost.
const env = { ...process.env };
delete env.NODE_EXTRA_CA_CERTS;
env.NO_COLOR = '1';

const have = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
if (!have('hyperfine')) {
  console.error('bench: hyperfine is missing (apt-get install hyperfine, or bash scripts/setup.sh)');
  process.exit(4);
}
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'haco-bench-'));
const results = {};
const notes = [];

function measure(group, commands) {
  const file = path.join(work, `${group}.json`);
  const list = Object.entries(commands).filter(([, c]) => {
    if (!c) return false;
    // Run each once first: a peer that cannot run here is reported and left out, not a crash.
    const probe = spawnSync('sh', ['-c', c], { env, encoding: 'utf8' });
    if (probe.status !== 0) notes.push(`left out "${c}": exit ${probe.status}: ${(probe.stderr || probe.stdout).trim().split('\n').slice(-2).join(' / ')}`);
    return probe.status === 0;
  });
  const hfArgs = ['-N', '--warmup', '3', '--runs', String(runs), '--export-json', file, '--style', 'basic'];
  for (const [name, cmd] of list) hfArgs.push('-n', name, cmd);
  const r = spawnSync('hyperfine', hfArgs, { env, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`hyperfine failed for ${group}`);
  for (const res of JSON.parse(fs.readFileSync(file, 'utf8')).results) {
    // cpuMs: user + system time of the command and the children it waited for. On a shared machine the
    // CPU time moves less than the wall time, which includes waiting for a CPU.
    results[res.command] = { meanMs: res.mean * 1000, sdMs: res.stddev * 1000, minMs: res.min * 1000, medianMs: res.median * 1000, cpuMs: (res.user + res.system) * 1000 };
  }
}

function makeBusyboxRootfs(dir) {
  fs.mkdirSync(path.join(dir, 'bin'), { recursive: true });
  for (const d of ['proc', 'sys', 'dev', 'tmp', 'etc', 'root']) fs.mkdirSync(path.join(dir, d), { recursive: true });
  fs.copyFileSync('/bin/busybox', path.join(dir, 'bin/busybox'));
  fs.chmodSync(path.join(dir, 'bin/busybox'), 0o755);
  for (const applet of ['sh', 'true', 'ps', 'hostname', 'sleep']) fs.symlinkSync('busybox', path.join(dir, 'bin', applet));
}

try {
  const haco = path.join(root, 'bin/haco');
  const launcher = path.join(root, 'native/build/haco-launch');
  const rootfs = path.join(work, 'rootfs');
  makeBusyboxRootfs(rootfs);
  const def = path.join(work, 'bench.haco.ts');
  fs.writeFileSync(def, `import { defineContainer } from 'haco';
export default defineContainer('bench-true')
  .rootfs(${JSON.stringify(rootfs)})
  .command(['/bin/true'])
  .unshare('mount', 'uts', 'ipc', 'pid', 'net', 'cgroup')
  .standardMounts('proc');
`);
  const cacheEnv = { ...env, HACO_CACHE_DIR: path.join(work, 'cache') };
  Object.assign(env, cacheEnv);
  execFileSync(haco, ['plan', def], { env }); // fill the plan cache
  execFileSync(haco, ['plan', path.join(root, 'examples/first.haco.ts')], { env });

  if (!only || only === 'startup') {
    measure('startup', {
      'node -e 0': 'node -e 0',
      'haco version': `${haco} version`,
      'haco plan (warm cache)': `${haco} plan ${path.join(root, 'examples/first.haco.ts')}`,
    });
  }

  if (!only || only === 'launch') {
    const isRoot = process.getuid() === 0;
    if (!isRoot) notes.push('launch: skipped, needs root');
    else {
      const specFile = path.join(work, 'bench.spec');
      let launcherReady = fs.existsSync(launcher);
      if (launcherReady) {
        const spec = spawnSync(haco, ['plan', def, '--launch'], { env, encoding: 'utf8' });
        if (spec.status === 0) fs.writeFileSync(specFile, spec.stdout);
        else {
          launcherReady = false;
          notes.push(`haco plan --launch failed: ${spec.stderr.trim()}`);
        }
      } else notes.push('native launcher not built: run npm run build');
      let runcBundle;
      if (have('runc')) {
        runcBundle = path.join(work, 'runc');
        fs.mkdirSync(runcBundle);
        execFileSync('runc', ['spec'], { cwd: runcBundle });
        const cfg = JSON.parse(fs.readFileSync(path.join(runcBundle, 'config.json'), 'utf8'));
        cfg.process.args = ['/bin/true'];
        cfg.process.terminal = false;
        cfg.root = { path: rootfs, readonly: false }; // runc refuses a symlinked rootfs
        fs.writeFileSync(path.join(runcBundle, 'config.json'), JSON.stringify(cfg));
      }
      measure('launch', {
        chroot: `chroot ${rootfs} /bin/true`,
        'unshare (util-linux)': `unshare --mount --uts --ipc --pid --net --cgroup --fork --mount-proc=${rootfs}/proc chroot ${rootfs} /bin/true`,
        bwrap: have('bwrap') ? `bwrap --unshare-all --bind ${rootfs} / --proc /proc --dev /dev /bin/true` : undefined,
        runc: runcBundle ? `runc run --bundle ${runcBundle} haco-bench-runc` : undefined,
        'haco-launch (launcher alone)': launcherReady ? `${launcher} --spec ${specFile}` : undefined,
        'haco start (warm cache)': launcherReady ? `${haco} start ${def}` : undefined,
        // Back to back, the kernel's cgroup migration lock stays fast; after a quiet spell (as after
        // node's start in `haco start`) its first writer waits for an RCU grace period. docs/performance.md
        'sleep 0.05': `sh -c 'sleep 0.05'`,
        'sleep 0.05; unshare': `sh -c 'sleep 0.05; unshare --mount --uts --ipc --pid --net --cgroup --fork --mount-proc=${rootfs}/proc chroot ${rootfs} /bin/true'`,
        'sleep 0.05; haco-launch': launcherReady ? `sh -c 'sleep 0.05; ${launcher} --spec ${specFile}'` : undefined,
      });
    }
  }

  if ((!only || only === 'attach') && process.getuid() === 0) {
    // `haco attach NAME -- /bin/true` from its prepared spec (the first attach, through Node, writes it),
    // next to `nsenter -a` and to the Node path. docs/performance.md, attach.
    const runDir = path.join(work, 'run');
    const attachEnv = { ...env, HACO_RUN_DIR: runDir };
    const attachDef = path.join(work, 'bench-attach.haco.ts');
    fs.writeFileSync(attachDef, `import { defineContainer } from 'haco';
export default defineContainer('bench-attach')
  .rootfs(${JSON.stringify(rootfs)})
  .command(['/bin/sh', '-c', 'sleep 1000'])
  .unshare('mount', 'uts', 'ipc', 'pid', 'net', 'cgroup');
`);
    execFileSync(haco, ['start', '-d', attachDef], { env: attachEnv, stdio: ['ignore', 'ignore', 'inherit'] });
    try {
      const pid = /^pid=(\d+)$/m.exec(fs.readFileSync(path.join(runDir, 'bench-attach', 'state'), 'utf8'))?.[1];
      execFileSync(haco, ['attach', 'bench-attach', '--', '/bin/true'], { env: attachEnv, stdio: 'ignore' });
      const saved = { ...env };
      Object.assign(env, attachEnv);
      measure('attach', {
        'nsenter -a': `nsenter -a -t ${pid} /bin/true`,
        'haco attach (prepared spec)': `${haco} attach bench-attach -- /bin/true`,
        'haco attach (through node)': `env HACO_NO_FAST_ATTACH=1 ${haco} attach bench-attach -- /bin/true`,
        // After a quiet spell (docs/performance.md, the kernel's share): a cgroup.procs write would wait for
        // an RCU grace period; the launcher's self-move (spawn-cgroup) does not.
        'sleep 0.05': 'sh -c "sleep 0.05"',
        'sleep 0.05; nsenter -a': `sh -c "sleep 0.05; nsenter -a -t ${pid} /bin/true"`,
        'sleep 0.05; haco attach': `sh -c "sleep 0.05; ${haco} attach bench-attach -- /bin/true"`,
      });
      for (const k of Object.keys(env)) delete env[k];
      Object.assign(env, saved);
    } finally {
      spawnSync(haco, ['kill', '-s', 'KILL', 'bench-attach'], { env: attachEnv, stdio: 'ignore' });
      spawnSync(haco, ['rm', 'bench-attach'], { env: attachEnv, stdio: 'ignore' });
    }
  }

  if ((!only || only === 'warm') && process.getuid() === 0 && have('runc')) {
    const { warmStartGroup } = await import('./warm-start.mjs');
    warmStartGroup({ haco, work, env, rootfs, def, measure, notes });
  }

  if (!only || only === 'memory') {
    const { memoryReport } = await import('./memory.mjs').catch(() => ({ memoryReport: undefined }));
    const count = only === 'memory' ? Number(args[args.indexOf('--containers') + 1]) || 100 : 100;
    const prefix = args.includes('--prefix') ? args[args.indexOf('--prefix') + 1] : undefined;
    if (memoryReport) Object.assign(results, await memoryReport({ haco, work, env, rootfs, count, ...(prefix ? { prefix } : {}) }));
    else notes.push('memory: bench/memory.mjs not present yet');
  }

  if (only === 'scale') {
    const { scaleReport } = await import('./scale.mjs');
    const count = Number(args[args.indexOf('--containers') + 1]) || 300;
    Object.assign(results, await scaleReport({ haco, work, env, rootfs, count, runs: Math.min(runs, 10) }));
  }

  const ratio = (a, b) => (results[a] && results[b] ? (results[a].meanMs / results[b].meanMs).toFixed(2) + '×' : 'n/a');
  console.log('\n== results (mean ± sd, ms)');
  for (const [name, r] of Object.entries(results)) {
    if ('meanMs' in r) console.log(`  ${name.padEnd(32)} ${r.meanMs.toFixed(1).padStart(7)} ± ${r.sdMs.toFixed(1)}${r.cpuMs !== undefined ? `  (median ${r.medianMs.toFixed(1)}, CPU ${r.cpuMs.toFixed(1)})` : ''}`);
    else console.log(`  ${name.padEnd(32)} ${r.value}`);
  }
  console.log('\n== ratios');
  const lines = [
    ['haco version / node -e 0', ratio('haco version', 'node -e 0'), 'target ≤ 1.5×'],
    ['haco plan (warm) / node -e 0', ratio('haco plan (warm cache)', 'node -e 0'), 'target ≤ 1.5×'],
    ['haco-launch / unshare', ratio('haco-launch (launcher alone)', 'unshare (util-linux)'), 'target ≤ 1.2× (issue 19.3)'],
    ['haco-launch / bwrap', ratio('haco-launch (launcher alone)', 'bwrap'), ''],
    ['haco-launch / runc', ratio('haco-launch (launcher alone)', 'runc'), 'far under 1×'],
    ['haco attach / nsenter -a', ratio('haco attach (prepared spec)', 'nsenter -a'), 'target ≤ 3×'],
    ['haco start (warm) / node -e 0', ratio('haco start (warm cache)', 'node -e 0'), 'target < 1× (issue 19.1)'],
    ...(await import('./warm-start.mjs')).WARM_RATIOS.map(([label, a, b, target]) => [label, ratio(a, b), target]),
    ...Object.keys(results).filter((k) => k.startsWith('haco ps (')).map((k) => [`${k} / node -e 0`, ratio(k, 'node -e 0'), 'target ≤ 1.5×']),
  ];
  for (const [k, v, t] of lines) console.log(`  ${k.padEnd(32)} ${v.padStart(7)}  ${t}`);
  const s = results['haco start (warm cache)'], n = results['node -e 0'];
  if (s && n) console.log(`  ${'haco start − node -e 0'.padEnd(32)} ${(s.meanMs - n.meanMs).toFixed(1).padStart(6)} ms  target ≤ 20 ms`);
  const cpu = (a, b) => (results[a]?.cpuMs && results[b]?.cpuMs ? results[a].cpuMs / results[b].cpuMs : undefined);
  // Medians next to the means: one run delayed by another job moves a 3 ms mean by a tenth; the target is read on both.
  const lm = results['haco-launch (launcher alone)'], um = results['unshare (util-linux)'];
  if (lm && um) console.log(`  ${'haco-launch / unshare, medians'.padEnd(32)} ${(lm.medianMs / um.medianMs).toFixed(2).padStart(6)}×  target ≤ 1.2× (${lm.medianMs.toFixed(1)} vs ${um.medianMs.toFixed(1)} ms)`);
  const launchCpu = cpu('haco-launch (launcher alone)', 'unshare (util-linux)');
  if (launchCpu) console.log(`  ${'haco-launch / unshare, CPU time'.padEnd(32)} ${launchCpu.toFixed(2).padStart(6)}×  (user + system: what the launcher itself costs)`);
  // After a quiet spell: each minus the 50 ms sleep, as a ratio (issue 19.3: the kernel's cgroup move).
  const idle = results['sleep 0.05'], idleLaunch = results['sleep 0.05; haco-launch'], idleUnshare = results['sleep 0.05; unshare'];
  if (idle && idleLaunch && idleUnshare) {
    const l = idleLaunch.meanMs - idle.meanMs, u = idleUnshare.meanMs - idle.meanMs;
    console.log(`  ${'haco-launch / unshare, 50 ms idle'.padEnd(32)} ${(l / u).toFixed(2).padStart(6)}×  target ≤ 1.2× (${l.toFixed(1)} vs ${u.toFixed(1)} ms after the sleep)`);
  }
  const idleAttach = results['sleep 0.05; haco attach'], idleNsenter = results['sleep 0.05; nsenter -a'];
  if (idle && idleAttach && idleNsenter) {
    // Medians: one slow `sleep 0.05` run moves the mean of the baseline by more than nsenter takes.
    const a = idleAttach.medianMs - idle.medianMs, n = idleNsenter.medianMs - idle.medianMs;
    const r = n > 0 ? `${(a / n).toFixed(2)}×` : 'n/a';
    console.log(`  ${'haco attach / nsenter -a, 50 ms idle'.padEnd(32)} ${r.padStart(7)}  target ≤ 3× (medians ${a.toFixed(1)} vs ${n.toFixed(1)} ms after the sleep)`);
  }
  const runc = results['runc'], start = results['haco start (warm cache)'];
  if (runc && start) console.log(`  ${'haco start (warm) / runc run'.padEnd(32)} ${(start.meanMs / runc.meanMs).toFixed(2).padStart(6)}×  target ≤ 0.8× (issue 19.1)`);
  console.log(`  load average: ${fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} (2 cores: above 2, other jobs share the CPUs)`);
  for (const note of notes) console.log(`note: ${note}`);
  if (jsonOut) fs.writeFileSync(jsonOut, JSON.stringify({ results, notes }, null, 2));
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
