// Rootless limits on a pure cgroup-v2 kernel (issue 17, item 4), in the VM tier: inside the VM an
// unprivileged user (uid 1000) gets a subtree delegated the way systemd's Delegate=yes does it for
// user@UID.service — the directory and its cgroup.procs, cgroup.subtree_control and cgroup.threads chowned
// to the user, controllers enabled in its parent — and runs in a leaf below it (session.scope, made by the
// user, as the user's systemd would). The launch specs are compiled here by compileLaunchSpec() for that
// user (a single-id map: the VM has no newuidmap) and run by the static launcher as uid 1000:
//   rl-deleg  with the delegation: DELEGATED/haco/rl-deleg with memory.max, pids.max, cpu.max, read from
//             the VM's root side while the container runs; removed afterwards
//   rl-plain  the same definition compiled without one (the user in a root-owned session-1.scope): no
//             cgroup made, the container stays in the user's cgroup, whose memory.max stays "max"
// The ownership the VM shows is then fed to findDelegatedCgroup(), which must find the same subtree.
// One boot, ~20 s under TCG.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import type { CgroupHost } from '../../src/cgroup/types';
import { defineContainer } from '../../src/dsl/container';
import { buildPlan } from '../../src/plan/build';
import type { ContainerPlan } from '../../src/plan/types';
import { adaptContainer } from '../../src/rootless/adapt';
import { findDelegatedCgroup, type DelegatedCgroup } from '../../src/rootless/delegation';
import { ID_MAP_HELPERS, type RootlessIdentity } from '../../src/rootless/identity';
import { rootlessNotices } from '../../src/rootless/notices';
import { compileLaunchSpec } from '../../src/runtime/compile';
import type { HostFacts } from '../../src/runtime/host-facts';
import { describeVm, runInVm, type VmAvailability, type VmResult } from '../support/vm';

jest.setTimeout(240_000);

const ROOT = path.resolve(__dirname, '..', '..');
const LAUNCHER = path.join(ROOT, 'native', 'build', 'haco-launch-static');
const ROOTFS = '/tmp/rootfs';
const SLICE = '/sys/fs/cgroup/user.slice';
const DELEGATED = `${SLICE}/user@1000.service`;

function staticLauncher(): VmAvailability {
  const make = spawnSync('make', ['-C', path.join(ROOT, 'native'), '--no-print-directory', 'static'], { encoding: 'utf8' });
  if (make.status !== 0) return { ok: false, reason: `make -C native static failed:\n${make.stdout}${make.stderr}`.slice(0, 4000) };
  if (spawnSync('ldd', [LAUNCHER], { stdio: 'ignore' }).status === 0) return { ok: false, reason: `${LAUNCHER} is dynamically linked` };
  return { ok: true };
}

const V2_HOST: CgroupHost = { mode: 'v2', root: '/sys/fs/cgroup', v2: { path: '/sys/fs/cgroup', controllers: ['cpuset', 'cpu', 'io', 'memory', 'hugetlb', 'pids'] } };
const USER: RootlessIdentity = { uid: 1000, gid: 1000, user: 'u', subuid: [], subgid: [], fullRange: false, singleReason: 'u has no subordinate uids in /etc/subuid' };

function facts(delegatedCgroup?: DelegatedCgroup): HostFacts {
  return {
    cgroup: V2_HOST,
    uid: 1000,
    kernel: { timeNamespace: true, cgroupNamespace: true, userNamespace: true, seccomp: true, cloneIntoCgroup: true },
    pathKind: () => 'directory',
    rootless: { fullRange: false, helpers: ID_MAP_HELPERS, userOverlay: true, ...(delegatedCgroup ? { delegatedCgroup } : {}) },
  };
}

const READY_THEN_WAIT = '{ cat /proc/self/cgroup; cat /proc/self/uid_map; id -u; } > /tmp/ready.tmp; mv /tmp/ready.tmp /tmp/ready; while [ ! -e /tmp/stop ]; do sleep 0.1; done';

function container(name: string): ContainerPlan {
  const built = buildPlan('/vm/rootless.haco.ts', defineContainer(name).rootfs(ROOTFS).chroot().memory('48M').pids(20).cpu('25%').command(['/bin/sh', '-c', READY_THEN_WAIT]));
  if ('notContainers' in built) throw new Error(built.notContainers);
  return adaptContainer(built.plan.containers[0]!, USER, '/tmp/u-data');
}

const DELEGATION: DelegatedCgroup = { path: DELEGATED, controllers: ['cpu', 'memory', 'pids'] };
const saved = process.env['HACO_CGROUP_LOCK'];
// The user's lock, in a directory of theirs in the VM (root's /run/haco is not).
process.env['HACO_CGROUP_LOCK'] = '/tmp/u-run/.cgroup.lock';
const SPECS = { deleg: compileLaunchSpec(container('rl-deleg'), facts(DELEGATION)).text, plain: compileLaunchSpec(container('rl-plain'), facts()).text };
if (saved === undefined) delete process.env['HACO_CGROUP_LOCK'];
else process.env['HACO_CGROUP_LOCK'] = saved;

/** Run SPEC as uid 1000 from the leaf cgroup LEAF (root moves the shell there, as logind/systemd would). */
function runAsUser(key: string, leaf: string, probe: string): string {
  return [
    `rm -f ${ROOTFS}/tmp/ready ${ROOTFS}/tmp/stop`,
    `sh -c 'echo $$ > ${leaf}/cgroup.procs; exec su u -s /bin/sh -c "cat /proc/self/cgroup > /tmp/${key}.user-cgroup; exec haco-launch --spec /specs/${key}.spec > /tmp/${key}.log 2>&1"' &`,
    'L=$!',
    `n=0; while [ ! -e ${ROOTFS}/tmp/ready ] && [ $n -lt 600 ]; do sleep 0.1; n=$((n+1)); done`,
    `echo "${key}.inside: $(tr '\\n' ' ' < ${ROOTFS}/tmp/ready)"`,
    `echo "${key}.user-cgroup: $(cat /tmp/${key}.user-cgroup)"`,
    probe,
    `touch ${ROOTFS}/tmp/stop`,
    `wait $L; echo "${key}.launcher-rc: $?"`,
    `sed "s/^/${key}.log: /" /tmp/${key}.log`,
  ].join('\n');
}

function vmScript(): string {
  const CG = `${DELEGATED}/haco/rl-deleg`;
  const owners = (d: string) => `echo "owner: $(stat -c %u ${d}) $(stat -c %u ${d}/cgroup.procs) $(stat -c %u ${d}/cgroup.subtree_control) ${d}"`;
  return [
    'set -u',
    "echo 'u:x:1000:1000::/tmp:/bin/sh' >> /etc/passwd; echo 'u:x:1000:' >> /etc/group",
    // What systemd does for user@1000.service (Delegate=yes): controllers enabled in the parent, the
    // cgroup and its delegation files chowned; the user's manager makes the leaves it runs processes in.
    `mkdir -p ${DELEGATED} ${SLICE}/session-1.scope`,
    `echo '+cpu +memory +pids' > ${SLICE}/cgroup.subtree_control`,
    `chown 1000:1000 ${DELEGATED} ${DELEGATED}/cgroup.procs ${DELEGATED}/cgroup.subtree_control ${DELEGATED}/cgroup.threads`,
    `su u -s /bin/sh -c 'mkdir ${DELEGATED}/session.scope'`,
    `haco-mkrootfs ${ROOTFS} && chown -R 1000:1000 ${ROOTFS}`,
    runAsUser(
      'deleg',
      `${DELEGATED}/session.scope`,
      [
        ...['memory.max', 'pids.max', 'cpu.max'].map((f) => `echo "deleg.${f}: $(cat ${CG}/${f})"`),
        `echo "deleg.procs: $(wc -l < ${CG}/cgroup.procs)"`,
        `echo "deleg.subtree: $(cat ${DELEGATED}/cgroup.subtree_control)"`,
        owners(`${DELEGATED}/session.scope`),
        owners(DELEGATED),
        owners(SLICE),
        `echo "deleg.controllers: $(cat ${DELEGATED}/cgroup.controllers)"`,
      ].join('\n'),
    ),
    `if [ -e ${CG} ]; then echo "deleg.after: present"; else echo "deleg.after: removed"; fi`,
    `if [ -e ${DELEGATED}/haco ]; then echo "deleg.parent-after: present"; else echo "deleg.parent-after: removed"; fi`,
    runAsUser('plain', `${SLICE}/session-1.scope`, [`echo "plain.memory.max: $(cat ${SLICE}/session-1.scope/memory.max)"`, `echo "plain.haco: $(ls ${DELEGATED} | grep -c haco)"`].join('\n')),
  ].join('\n');
}

function keyed(output: string): Record<string, string> {
  const kv: Record<string, string> = {};
  for (const l of output.split('\n')) {
    const m = /^([a-z]+\.[a-z0-9.-]+): ?(.*)$/.exec(l);
    if (m && !m[1]!.endsWith('.log')) kv[m[1]!] = m[2]!.trim();
  }
  return kv;
}

describeVm(
  'rootless haco start on a pure cgroup-v2 kernel: a delegated subtree gets the limits',
  () => {
    let r: VmResult;
    let kv: Record<string, string>;
    const context = () => ({ output: r.output });

    beforeAll(async () => {
      r = await runInVm({ files: { '/bin/haco-launch': LAUNCHER, '/specs/deleg.spec': { content: SPECS.deleg }, '/specs/plain.spec': { content: SPECS.plain } }, script: vmScript(), timeoutMs: 180_000 });
      kv = keyed(r.output);
      if (process.env.HACO_TEST_VERBOSE) console.log(r.output);
    });

    test('with the delegation: the container is in DELEGATED/haco/rl-deleg, root inside is uid 1000, and the limits are the kernel\'s', () => {
      expect({ ...context(), kv }).toMatchObject({
        kv: {
          'deleg.user-cgroup': '0::/user.slice/user@1000.service/session.scope',
          'deleg.inside': expect.stringMatching(/^0::\/user\.slice\/user@1000\.service\/haco\/rl-deleg +0 +1000 +1 0$/),
          'deleg.memory.max': String(48 * 1024 * 1024),
          'deleg.pids.max': '20',
          'deleg.cpu.max': '25000 100000',
          'deleg.subtree': 'cpu memory pids',
          'deleg.launcher-rc': '0',
          'deleg.after': 'removed',
          'deleg.parent-after': 'removed',
        },
      });
      expect(Number(kv['deleg.procs'])).toBeGreaterThanOrEqual(1);
    });

    test('findDelegatedCgroup, given the ownership the VM shows, finds that same subtree', () => {
      const owner: Record<string, number> = {};
      for (const l of r.output.split('\n')) {
        const m = /^owner: (\d+) (\d+) (\d+) (\S+)$/.exec(l);
        if (m) [owner[m[4]!], owner[`${m[4]!}/cgroup.procs`], owner[`${m[4]!}/cgroup.subtree_control`]] = [Number(m[1]), Number(m[2]), Number(m[3])];
      }
      expect({ ...context(), owner }).toMatchObject({ owner: { [DELEGATED]: 1000, [`${DELEGATED}/session.scope`]: 1000, [SLICE]: 0 } });
      const userCgroup = kv['deleg.user-cgroup'] ?? '';
      const found = findDelegatedCgroup(V2_HOST, 1000, {
        read: (f) => (f === '/proc/self/cgroup' ? `${userCgroup}\n` : f === `${DELEGATED}/cgroup.controllers` ? kv['deleg.controllers'] : undefined),
        owner: (f) => owner[f],
      });
      expect(found).toEqual(DELEGATION);
    });

    test('without a delegation: no cgroup is made, the container stays in the user\'s cgroup, and the notice says so', () => {
      expect(SPECS.plain).not.toMatch(/^cgroup-(mkdir|write) /m);
      expect(SPECS.plain).toMatch(/note: rootless: \.cpu\(\), \.memory\(\), \.pids\(\) not applied: your cgroup \(\/proc\/self\/cgroup\) is not in a subtree delegated to you/);
      expect({ ...context(), kv }).toMatchObject({
        kv: {
          'plain.user-cgroup': '0::/user.slice/session-1.scope',
          'plain.inside': expect.stringMatching(/^0::\/user\.slice\/session-1\.scope +0 +1000 +1 0$/),
          'plain.memory.max': 'max',
          'plain.haco': '0',
          'plain.launcher-rc': '0',
        },
      });
      // The notice start, plan and explain print (src/start/rootless.ts, src/rootless/plan-notices.ts,
      // src/explain/explain.ts all take it from rootlessNotices); none with the delegation.
      expect(rootlessNotices(container('rl-plain'), USER, V2_HOST)).toContainEqual(expect.stringContaining('limits not applied: .cpu(), .memory(), .pids(), because your cgroup'));
      expect(rootlessNotices(container('rl-deleg'), USER, V2_HOST, DELEGATION).filter((n) => n.includes('limits not applied'))).toEqual([]);
    });
  },
  [staticLauncher],
);
