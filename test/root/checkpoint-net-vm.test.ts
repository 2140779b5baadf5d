// Checkpoint/restore of a networked container (its own net namespace, a veth on a host bridge), in the
// qemu VM tier (criu cannot work on this host's kernel). The container is started by the static launcher
// from a spec compiled on the host for a pure-v2 host (its network: haco's iproute2 hooks); the criu command
// lines are the ones `haco checkpoint` / `haco restore` build (src/checkpoint/criu-args.ts) with
// `network: true` and the plan's veth (`--external veth[eth0]:HOST@BRIDGE`). criu dumps and restores a net
// namespace with iproute2's `ip … save/restore` and `iptables-save/restore` run inside it, so both go into
// the VM (Debian's, with their libraries) next to criu; veth and bridge are modules of Debian's kernel.
// One boot, ~20-40 s under TCG (no tutorial part).
//
//   start    a counter in its own net namespace, 10.89.0.2/24 on eth0, bridge hacock0 10.89.0.1/24
//   dump     criu dump --tree PID with haco's argv (--tcp-established): the tree and its namespace are gone
//   restore  criu restore with haco's argv: eth0 has its address again, the new host end is on the bridge,
//            the VM pings the container, and the counter continues
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { externalMountsOf, needsShellJob } from '../../src/checkpoint/checkpoint';
import { criuDumpArgs, criuRestoreArgs } from '../../src/checkpoint/criu-args';
import { CRIU } from '../../src/checkpoint/criu-check';
import type { CgroupHost } from '../../src/cgroup/types';
import { defineContainer } from '../../src/dsl/container';
import { buildPlan } from '../../src/plan/build';
import type { ContainerPlan } from '../../src/plan/types';
import { compileLaunchSpec } from '../../src/runtime/compile';
import type { HostFacts } from '../../src/runtime/host-facts';
import { DEFAULT_NETWORK_TOOLS } from '../../src/network/tools';
import { describeVm, runInVm, withLibraries, type VmAvailability, type VmFile, type VmResult } from '../support/vm';

jest.setTimeout(300_000);

const ROOT = path.resolve(__dirname, '..', '..');
const LAUNCHER = path.join(ROOT, 'native', 'build', 'haco-launch-static');
const NAME = 'ckpt-net';
const ROOTFS = `/var/lib/haco/${NAME}/rootfs`;
const CG = `/sys/fs/cgroup/haco/${NAME}`;
const IMAGES = '/ckpt/criu';
const ADDRESS = '10.89.0.2';
const XTABLES = '/usr/sbin/xtables-legacy-multi';
const XTABLES_EXT = '/usr/lib/x86_64-linux-gnu/xtables';

function prerequisites(): VmAvailability {
  const make = spawnSync('make', ['-C', path.join(ROOT, 'native'), '--no-print-directory', 'static'], { encoding: 'utf8' });
  if (make.status !== 0) return { ok: false, reason: `make -C native static failed:\n${make.stdout}${make.stderr}`.slice(0, 4000) };
  for (const tool of [CRIU, DEFAULT_NETWORK_TOOLS.ip, DEFAULT_NETWORK_TOOLS.nsenter, XTABLES]) {
    if (!fs.existsSync(tool)) return { ok: false, reason: `${tool} not found (apt-get install criu iproute2 util-linux iptables)` };
  }
  return { ok: true };
}

const FACTS: HostFacts = {
  cgroup: { mode: 'v2', root: '/sys/fs/cgroup', v2: { path: '/sys/fs/cgroup', controllers: ['cpuset', 'cpu', 'io', 'memory', 'hugetlb', 'pids'] } } satisfies CgroupHost,
  uid: 0,
  kernel: { timeNamespace: true, cgroupNamespace: true, userNamespace: true, seccomp: true, cloneIntoCgroup: true },
  pathKind: () => 'directory',
};

const counter = 'exec > /dev/null 2>&1 < /dev/null; i=0; while :; do i=$((i+1)); echo $i > /counter.tmp; mv /counter.tmp /counter; sleep 0.2; done';

function plan(): ContainerPlan {
  const built = buildPlan(
    '/tmp/ckpt-net.haco.ts',
    defineContainer(NAME)
      .rootfs(ROOTFS)
      .network({ bridge: 'hacock0', bridgeAddress: '10.89.0.1/24', address: `${ADDRESS}/24` })
      .sessionLeader()
      .memory('64M')
      .pids(32)
      .command(['/bin/sh', '-c', counter]),
  );
  if ('notContainers' in built) throw new Error(built.notContainers);
  return built.plan.containers[0]!;
}

interface Prepared {
  spec: string;
  dump: string[];
  restore: string[];
  vethHost: string;
}

function prepare(): Prepared {
  const c = plan();
  const net = c.network!;
  const external = externalMountsOf(c, (p) => fs.existsSync(p) && fs.statSync(p).isDirectory());
  return {
    spec: compileLaunchSpec(c, FACTS).text,
    dump: criuDumpArgs({ pid: 0, imagesDir: IMAGES, logFile: 'dump.log', leaveRunning: false, network: true, externalMounts: external, shellJob: needsShellJob(c) }),
    restore: criuRestoreArgs({
      imagesDir: IMAGES,
      logFile: 'restore.log',
      pidFile: '/ckpt/restored.pid',
      rootfs: ROOTFS,
      network: true,
      veth: { guest: net.vethGuest, host: net.vethHost, bridge: net.bridge },
      externalMounts: external,
      inheritFds: [],
      shellJob: needsShellJob(c),
    }),
    vethHost: net.vethHost,
  };
}

const sh = (argv: string[]) => argv.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');

/** criu's probes and socket dumps (netlink diag), nf_tables for its nft dump, then the bridge and veth. */
const MODULES = [
  'kernel/fs/overlayfs/overlay.ko',
  'kernel/lib/libcrc32c.ko',
  'kernel/net/netfilter/nfnetlink.ko',
  'kernel/net/netfilter/nf_tables.ko',
  'kernel/net/unix/unix_diag.ko',
  'kernel/net/ipv4/inet_diag.ko',
  'kernel/net/ipv4/tcp_diag.ko',
  'kernel/net/ipv4/udp_diag.ko',
  'kernel/net/netlink/netlink_diag.ko',
  'kernel/net/packet/af_packet_diag.ko',
  // criu locks the namespace's network during the dump with iptables rules (a CRIU chain, -m mark)
  'kernel/net/netfilter/x_tables.ko',
  'kernel/net/netfilter/xt_mark.ko',
  'kernel/net/ipv4/netfilter/ip_tables.ko',
  'kernel/net/ipv4/netfilter/iptable_filter.ko',
  'kernel/net/ipv6/netfilter/ip6_tables.ko',
  'kernel/net/ipv6/netfilter/ip6table_filter.ko',
  // criu dumps the namespace's conntrack entries over ctnetlink (EINVAL from nfnetlink without it)
  'kernel/net/ipv4/netfilter/nf_defrag_ipv4.ko',
  'kernel/net/ipv6/netfilter/nf_defrag_ipv6.ko',
  'kernel/net/netfilter/nf_conntrack.ko',
  'kernel/net/netfilter/nf_conntrack_netlink.ko',
  'kernel/net/llc/llc.ko',
  'kernel/net/802/stp.ko',
  'kernel/net/bridge/bridge.ko',
  'kernel/drivers/net/veth.ko',
];

/** iproute2's ip and the legacy iptables tools criu runs (by name, from PATH: ahead of busybox's applets). */
function netTools(): Record<string, VmFile> {
  const xt = ['iptables-save', 'ip6tables-save', 'iptables-restore', 'ip6tables-restore', 'iptables-legacy-save', 'ip6tables-legacy-save', 'iptables-legacy-restore', 'ip6tables-legacy-restore', 'iptables', 'ip6tables', 'iptables-legacy', 'ip6tables-legacy'];
  return {
    ...withLibraries(DEFAULT_NETWORK_TOOLS.ip),
    '/bin/ip': DEFAULT_NETWORK_TOOLS.ip,
    '/sbin/ip': DEFAULT_NETWORK_TOOLS.ip,
    ...withLibraries(DEFAULT_NETWORK_TOOLS.nsenter),
    ...withLibraries(XTABLES),
    ...Object.fromEntries(xt.map((n) => [`/usr/sbin/${n}`, XTABLES])),
    // the match and target extensions iptables-restore loads (criu's lock rules use mark, ACCEPT, DROP)
    ...Object.fromEntries(fs.readdirSync(XTABLES_EXT).map((n) => [path.posix.join(XTABLES_EXT, n), path.join(XTABLES_EXT, n)])),
  };
}

function vmScript({ dump, restore, vethHost }: Prepared): string {
  const inNet = (pid: string) => `${DEFAULT_NETWORK_TOOLS.nsenter} -t ${pid} -n ${DEFAULT_NETWORK_TOOLS.ip}`;
  return [
    ...MODULES.map((m) => `insmod /lib/modules/${path.posix.basename(m)} 2>/dev/null`),
    `mkdir -p ${path.posix.dirname(ROOTFS)} ${IMAGES} && haco-mkrootfs ${ROOTFS}`,
    `${CRIU} check > /tmp/check.log 2>&1; echo "check: $?"; tail -n 3 /tmp/check.log`,
    'haco-launch --spec /specs/net.spec > /tmp/launch.log 2>&1 &',
    'L=$!',
    `n=0; while [ ! -e ${ROOTFS}/counter ] && [ $n -lt 300 ]; do sleep 0.1; n=$((n+1)); done`,
    'sleep 1',
    `PID=$(cat ${CG}/cgroup.procs | head -n 1)`,
    `for p in $(cat ${CG}/cgroup.procs); do if [ "$(awk '{print $4}' /proc/$p/stat)" = "$L" ]; then PID=$p; fi; done`,
    'echo "pid: $PID"',
    `echo "addr-before: $(${inNet('$PID')} -4 -o addr show dev eth0 | awk '{print $4}')"`,
    `if ping -c 1 -W 3 ${ADDRESS} > /dev/null 2>&1; then echo "ping-before: ok"; else echo "ping-before: failed"; fi`,
    `echo "before: $(cat ${ROOTFS}/counter)"`,
    `${sh([CRIU, ...dump]).replace("'--tree' '0'", "'--tree' \"$PID\"")}; D=$?; echo "dump: $D"`,
    'if [ $D -ne 0 ]; then kill -9 $PID; fi',
    'wait $L; echo "launcher-rc: $?"',
    `if ip link show ${vethHost} > /dev/null 2>&1; then echo "veth-after-dump: present"; else echo "veth-after-dump: gone"; fi`,
    `echo "dumped: $(cat ${ROOTFS}/counter)"`,
    `${sh([CRIU, ...restore])} & C=$!`,
    'n=0; while [ ! -s /ckpt/restored.pid ] && kill -0 $C 2>/dev/null && [ $n -lt 300 ]; do sleep 0.1; n=$((n+1)); done',
    'if [ -s /ckpt/restored.pid ]; then echo "restore: 0"; else wait $C; echo "restore: $?"; fi',
    'R=$(cat /ckpt/restored.pid 2>/dev/null); echo "restored-pid: $R"',
    `echo "addr-after: $(${inNet('$R')} -4 -o addr show dev eth0 | awk '{print $4}')"`,
    `echo "veth-master-after: $(ip -o link show ${vethHost} | grep -o 'master [^ ]*')"`,
    `if ping -c 1 -W 3 ${ADDRESS} > /dev/null 2>&1; then echo "ping-after: ok"; else echo "ping-after: failed"; fi`,
    'sleep 1',
    `echo "after: $(cat ${ROOTFS}/counter)"`,
    '[ -n "$R" ] && kill -9 $R; wait $C; echo "criu-rc: $?"',
    `grep -E "Error|Warn" ${IMAGES}/dump.log | head -n 20 | sed "s/^/dump.log: /"`,
    `grep -E "Error|Warn" ${IMAGES}/restore.log | head -n 20 | sed "s/^/restore.log: /"`,
    `grep -B 8 -m 1 "Error" ${IMAGES}/dump.log | sed "s/^/dump.log-context: /"`,
    'sed "s/^/launch.log: /" /tmp/launch.log | tail -n 20',
  ].join('\n');
}

function keyed(output: string): Record<string, string> {
  const kv: Record<string, string> = {};
  for (const l of output.split('\n')) {
    const m = /^([a-z0-9.-]+): ?(.*)$/.exec(l);
    if (m && !(m[1]! in kv)) kv[m[1]!] = m[2]!;
  }
  return kv;
}

describeVm(
  'checkpoint/restore of a networked container (net namespace + veth) with criu (VM tier)',
  () => {
    let r: VmResult;
    let kv: Record<string, string>;

    beforeAll(async () => {
      const prepared = prepare();
      r = await runInVm({
        files: {
          '/haco/switch-root': { content: '' },
          '/bin/haco-launch': LAUNCHER,
          '/specs/net.spec': { content: prepared.spec },
          ...withLibraries(CRIU),
          ...withLibraries('/usr/bin/tar'),
          '/bin/tar': '/usr/bin/tar',
          ...netTools(),
        },
        memoryMiB: 768,
        modules: MODULES,
        script: vmScript(prepared),
        timeoutMs: 240_000,
      });
      kv = keyed(r.output);
      if (process.env.HACO_TEST_VERBOSE) console.log(r.output, `boot+run ${r.durationMs} ms, initramfs ${r.initramfsMs} ms`);
    });

    const context = () => ({ output: r.output });

    test('the container has its address and the VM reaches it; the dump (with --tcp-established) succeeds and ends the tree and its veth', () => {
      expect({ ...context(), kv }).toMatchObject({ kv: { check: '0', 'addr-before': `${ADDRESS}/24`, 'ping-before': 'ok', dump: '0', 'veth-after-dump': 'gone' } });
    });

    test('the restore with haco\'s argv brings eth0 back with its address, its new host end on the bridge, reachable, and the counter continues', () => {
      expect({ ...context(), kv }).toMatchObject({ kv: { restore: '0', 'addr-after': `${ADDRESS}/24`, 'veth-master-after': 'master hacock0', 'ping-after': 'ok' } });
      expect(Number(kv['after'])).toBeGreaterThan(Number(kv['dumped']));
    });
  },
  [prerequisites],
);
