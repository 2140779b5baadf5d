// The step table (src/runtime/steps.ts) is the one list of launch spec steps. These tests hold the other
// places to it: the launcher's generated table, the C functions it names, docs/launch-spec.md, and what
// the compiler really emits — so no step is emitted that the launcher ignores, and none sits unused.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defineContainer, type ContainerBuilder } from 'haco';
import type { CgroupHost } from '../../../src/cgroup/types';
import { buildPlan } from '../../../src/plan/build';
import type { ContainerPlan } from '../../../src/plan/types';
import { compileAttachSpec } from '../../../src/lifecycle/attach';
import { compileReloadSpec, type ReloadPlan } from '../../../src/lifecycle/reload';
import { compileLaunchSpec, type CompileOptions } from '../../../src/runtime/compile';
import type { HostFacts } from '../../../src/runtime/host-facts';
import { compileRestoreLimitsSpec } from '../../../src/checkpoint/restore-limits';
import { parseSpec } from '../../../src/runtime/spec-format';
import { fieldCount, STEP_NAMES, STEP_TABLE } from '../../../src/runtime/steps';
import { compileSweepSpec } from '../../../src/start/sweep';

const REPO = path.join(__dirname, '../../..');
const NATIVE = path.join(REPO, 'native/src');
const cSources = fs.readdirSync(NATIVE).filter((f) => f.endsWith('.c')).map((f) => fs.readFileSync(path.join(NATIVE, f), 'utf8'));

/** The body of the C function NAME (definition at the start of a line, up to the closing brace at column 0). */
function cFunction(name: string): string | undefined {
  const def = new RegExp(`^(?:static )?[a-z][\\w ]*\\**\\b${name}\\((?:struct|const|char|int|void|pid_t)[^;]*$`, 'm');
  for (const text of cSources) {
    const m = def.exec(text);
    if (!m) continue;
    const end = text.indexOf('\n}', m.index);
    return text.slice(m.index, end + 2);
  }
  return undefined;
}

describe('the step table', () => {
  it('generates native/src/steps.gen.h, which is up to date (node scripts/gen-steps.mjs)', () => {
    const r = spawnSync(process.execPath, [path.join(REPO, 'scripts/gen-steps.mjs'), '--check'], { encoding: 'utf8' });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    const header = fs.readFileSync(path.join(NATIVE, 'steps.gen.h'), 'utf8');
    for (const s of STEP_TABLE) expect(header).toContain(`STEP("${s.name}", `);
    expect(fs.readFileSync(path.join(NATIVE, 'main.c'), 'utf8')).toContain('#include "steps.gen.h"');
  });

  it('has unique names and field counts the launcher can check', () => {
    expect(new Set(STEP_NAMES).size).toBe(STEP_NAMES.length);
    expect(fieldCount('')).toEqual({ min: 0, max: 0 });
    expect(fieldCount('FD host|container PATH MODE [PERM]')).toEqual({ min: 4, max: 5 });
    expect(fieldCount('ARGV...')).toEqual({ min: 1, max: 'any' });
  });

  it.each(STEP_TABLE.map((s) => [s.name, s.run] as const))('%s is carried out by %s in native/src, which does something with it', (name, run) => {
    const body = cFunction(run);
    if (body === undefined) throw new Error(`no C function ${run}() in native/src (the table says it carries out "${name}")`);
    if (run.startsWith('step_')) {
      // A handler that only returns would be a step the launcher accepts and ignores.
      const statements = body
        .slice(body.indexOf('{') + 1, body.lastIndexOf('}'))
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .split(';')
        .map((s) => s.trim())
        .filter((s) => s && !/^\(void\)\s*\w+$/.test(s) && !/^return 0$/.test(s));
      expect({ run, statements: statements.length > 0 }).toEqual({ run, statements: true });
    } else {
      // Metadata and markers: the function that reads them names them.
      expect({ run, readsIt: body.includes(`"${name}"`) }).toEqual({ run, readsIt: true });
    }
  });

  it('names every step_* function of native/src (a handler outside the table would be dead code)', () => {
    const leftOver: string[] = [];
    const defined = cSources.flatMap((text) => [...text.matchAll(/^(?:static )?int (step_\w+)\(struct ctx \*c/gm)].map((m) => m[1]!));
    expect(defined.length).toBeGreaterThan(40);
    const named = new Set<string>(STEP_TABLE.map((s) => s.run));
    expect(defined.filter((f) => !named.has(f) && !leftOver.includes(f))).toEqual([]);
    expect(leftOver.filter((f) => named.has(f) || !defined.includes(f))).toEqual([]);
  });

  it('matches docs/launch-spec.md: every step documented, no documented step missing from the table', () => {
    const doc = fs.readFileSync(path.join(REPO, 'docs/launch-spec.md'), 'utf8');
    const documented = new Set([...doc.matchAll(/^\| `([a-z0-9-]+)` \|/gm)].map((m) => m[1]!));
    expect([...STEP_NAMES].filter((n) => !documented.has(n))).toEqual([]);
    expect([...documented].filter((n) => !(STEP_NAMES as readonly string[]).includes(n))).toEqual([]);
  });

  it('takes the field counts docs/launch-spec.md gives (over all the rows of a step)', () => {
    const doc = fs.readFileSync(path.join(REPO, 'docs/launch-spec.md'), 'utf8');
    const ranges = new Map<string, { min: number; max: number | 'any' }>();
    for (const m of doc.matchAll(/^\| `([a-z0-9-]+)` \|((?:[^|\\]|\\\|)*)\|/gm)) {
      const fields = m[2]!.replace(/\\\|/g, '|').replace(/`/g, '').trim();
      const count = fieldCount(fields);
      const seen = ranges.get(m[1]!);
      const max = (a: number | 'any', b: number | 'any') => (a === 'any' || b === 'any' ? 'any' : Math.max(a, b));
      ranges.set(m[1]!, seen ? { min: Math.min(seen.min, count.min), max: max(seen.max, count.max) } : count);
    }
    for (const s of STEP_TABLE) expect({ step: s.name, ...ranges.get(s.name) }).toEqual({ step: s.name, ...fieldCount(s.fields) });
  });
});

const v1Host: CgroupHost = {
  mode: 'v1',
  root: '/sys/fs/cgroup',
  v1: {
    hierarchies: { cpu: '/sys/fs/cgroup/cpu', cpuacct: '/sys/fs/cgroup/cpuacct', memory: '/sys/fs/cgroup/memory', pids: '/sys/fs/cgroup/pids', devices: '/sys/fs/cgroup/devices' },
    memswAvailable: true,
  },
};
const v2Host: CgroupHost = { mode: 'v2', root: '/sys/fs/cgroup', v2: { path: '/sys/fs/cgroup', controllers: ['cpu', 'memory', 'pids'] } };

function facts(cgroup: CgroupHost, cloneIntoCgroup = false, apparmor = false): HostFacts {
  return {
    cgroup,
    uid: 0,
    kernel: { timeNamespace: true, cgroupNamespace: true, userNamespace: true, seccomp: true, cloneIntoCgroup, apparmor },
    pathKind: (p) => (p.endsWith('.conf') || p.endsWith('hosts') ? 'file' : 'directory'),
  };
}

function planOf(builder: ContainerBuilder): ContainerPlan {
  const built = buildPlan('/tmp/x.haco.ts', builder);
  if ('notContainers' in built) throw new Error(built.notContainers);
  expect(built.issues).toEqual([]);
  return built.plan.containers[0]!;
}

/**
 * Definitions that between them use every feature the compiler has a step for. A step that only another
 * spec compiler emits (attach, and reload or the stale sweep once the launcher runs them) gets its case
 * here too, compiled by that compiler.
 */
const CASES: Array<[string, ContainerBuilder, HostFacts, CompileOptions]> = [
  [
    'v1 host, user namespace, overlay, limits, hooks, clocks',
    defineContainer('all')
      .bootstrap((b) => b.host())
      .mapRootTo(100000)
      .rootfs('/var/lib/haco/all/rootfs', { lower: '/var/lib/haco/base/rootfs', readonly: true })
      .unshare('cgroup', 'time')
      .timeOffsets({ boottime: 86400 })
      .persist('uts', '/run/haco/ns/uts')
      .memory('64M')
      .cpu('30%')
      .rlimit('nofile', 64)
      .sessionLeader()
      .preserveFds(1)
      .reaper()
      .stdio({ stdout: { host: '/tmp/out.log' }, stderr: { container: '/tmp/err.log' } })
      .bind('/srv', '/srv', { readonly: true })
      .seccomp((s) => s.block(['sethostname']))
      .hook('beforeStart', 'echo before')
      .hook('afterExit', 'echo after')
      .hook('afterFailure', 'echo failed')
      .hook('afterStart', 'echo started')
      .timer(1000, 'echo tick', { count: 3 })
      .readiness({ port: 8080 })
      .onOom('echo oom')
      .onMemoryPressure('medium', 'echo pressure')
      .onSignal('USR1', 'echo usr1'),
    facts(v1Host),
    {},
  ],
  [
    'an OCI config: device nodes made (mknod), the OOM score, a cgroupsPath',
    defineContainer('oci').deviceNode('/dev/test1', { type: 'c', major: 10, minor: 666, mode: 0o660 }).oomScoreAdj(500).cgroupPath('/cgrouptest'),
    facts(v1Host),
    {},
  ],
  [
    'v2 host, a readiness command and cgroup events through PSI and memory.events',
    defineContainer('ready').memory('64M').readiness({ command: 'true' }).onOom('echo oom').onMemoryPressure('critical', 'echo p'),
    facts(v2Host),
    {},
  ],
  [
    'v2 host with AppArmor, clone3 into the cgroup, a joined namespace, chroot, a network, detached with a console',
    defineContainer('net')
      .chroot()
      .share('ipc')
      .enter('ipc', '/proc/1/ns/ipc')
      .network({ bridge: 'haco0', bridgeAddress: '10.88.0.1/24', address: '10.88.0.2/24' }),
    facts(v2Host, true, true),
    {
      terminal: { pty: true, stdin: true },
      lifecycle: {
        stateDir: '/run/haco/net',
        keep: true,
        restart: { policy: 'on-failure', maxRetries: 3, backoffMs: 100 },
        planJson: '{}',
        meta: { plan_hash: 'x' },
        log: { path: '/run/haco/net/container.log', maxBytes: 1000 },
        console: '/run/haco/net/console.sock',
        waitStart: '/run/haco-oci/net/start.fifo', // haco runtime create's "created" (start-fifo, wait-start)
        supervisorExits: true,
        consoleSocket: '/run/podman/console.sock', // haco runtime create --console-socket
      },
    },
  ],
  [
    'rootless with subordinate ids: the setuid helpers write the maps, no cgroup',
    defineContainer('rl').mapRootTo(1001),
    { ...facts(v1Host), uid: 1001, rootless: { fullRange: true, helpers: { uid: '/usr/bin/newuidmap', gid: '/usr/bin/newgidmap' }, userOverlay: true } },
    {},
  ],
  ['a user-mode network (slirp4netns: a helper step)', defineContainer('um').network({ mode: 'slirp4netns' }), facts(v1Host), {}],
  ['an id-mapped layered rootfs (.rootfsOwner: an idmap-mount step per lower)', defineContainer('idm').rootfs('/var/lib/haco/idm/rootfs', { lower: '/var/lib/haco/base/rootfs' }).mapRootTo(231072).rootfsOwner('idmap'), facts(v1Host), {}],
  [
    "layers through fuse-overlayfs (overlay: 'fuse': fuse-overlay in the wire phase, fuse-root in the child)",
    defineContainer('fz').rootfs('/var/lib/haco/fz/rootfs', { lower: '/var/lib/haco/base/rootfs', overlay: 'fuse' }).mapRootTo(231072),
    { ...facts(v1Host), fuse: { program: '/usr/bin/fuse-overlayfs', device: 'ok' } },
    {},
  ],
];

/** The host-only compilers: `haco reload` (an rlimit and a cgroup file) and the stale-cgroup sweep. */
function hostOnlySpecs(): Array<[string, string]> {
  const reload: ReloadPlan = {
    name: 'web',
    pid: 4242,
    stateDir: '/run/haco/web',
    steps: [
      { what: 'nofile', action: { kind: 'rlimit', entry: { resource: 'NOFILE', soft: 2048, hard: 4096 } } },
      { what: 'memory', action: { kind: 'cgroup-write', path: '/sys/fs/cgroup/memory/haco/web/memory.limit_in_bytes', before: '134217728', value: '268435456' } },
    ],
    changes: [],
    next: planOf(defineContainer('web')),
  };
  return [
    ['haco reload (host-only)', compileReloadSpec(reload, [4242, 4250]).render().text],
    ['the stale-cgroup sweep (host-only)', compileSweepSpec(['/sys/fs/cgroup/pids/haco/gone']).render().text],
    // haco restore on cgroup v2: the limits and the device program again after criu
    ['haco restore (host-only)', compileRestoreLimitsSpec(planOf(defineContainer('web').memory('64M')), { mode: 'v2', root: '/sys/fs/cgroup', v2: { path: '/sys/fs/cgroup', controllers: ['memory'] } })!.render().text],
    // haco attach as root: the seccomp filter's BPF kept in the state dir between attaches
    ['haco attach', compileAttachSpec('web', 4242, planOf(defineContainer('web')), { PATH: '/bin' }, ['/sys/fs/cgroup/pids/haco/web'], ['/bin/true'], { seccompPrepared: '/run/haco/web/seccomp.bpf' })],
  ];
}

describe('what the compilers emit', () => {
  const specs: Array<[string, string]> = [...CASES.map(([label, builder, host, opts]) => [label, compileLaunchSpec(planOf(builder), host, opts).text] as [string, string]), ...hostOnlySpecs()];
  const emitted = new Map<string, string[]>();
  for (const [label, text] of specs) {
    for (const s of parseSpec(text)) emitted.set(s.step, [...(emitted.get(s.step) ?? []), label]);
  }

  it('only emits steps of the table, each with a field count the launcher accepts', () => {
    for (const [label, text] of specs) {
      for (const s of parseSpec(text)) {
        const def = STEP_TABLE.find((d) => d.name === s.step);
        const { min, max } = fieldCount(def?.fields ?? '');
        const ok = def !== undefined && s.fields.length >= min && (max === 'any' || s.fields.length <= max);
        expect({ label, line: s.line, step: s.step, fields: s.fields, ok }).toMatchObject({ ok: true });
      }
    }
  });

  it('emits every step of the table for some definition (the launcher has no step nothing uses)', () => {
    expect(STEP_NAMES.filter((n) => !emitted.has(n))).toEqual([]);
  });
});
