import { formatSize } from '../plan/size';
import { NAMESPACE_KINDS, type ContainerPlan, type NamespaceKind } from '../plan/types';
import { allowsAllDevices, STANDARD_DEVICE_NODES } from '../plan/devices';
import type { CgroupHost, CgroupSetup } from '../cgroup/types';
import { accountingFiles, cpuShare } from './cgroup';
import { NAMESPACE_FACTS } from './knowledge';
import type { SharingRow } from './types';

const NAMESPACE_LABEL: Record<NamespaceKind, string> = {
  mount: 'mount table',
  uts: 'hostname',
  ipc: 'IPC objects',
  pid: 'processes',
  net: 'network',
  user: 'user IDs',
  cgroup: 'cgroup view',
  time: 'boot/monotonic clocks',
};

/**
 * What the container shares with the host and what it has for itself. The namespaces first, then the
 * things no namespace covers (the kernel, the wall clock) and the holes a definition opens (bind mounts,
 * the host bootstrap's binds), because learners tend to believe a container isolates more than it does.
 */
export function sharingTable(c: ContainerPlan, cgroup: CgroupSetup, host: CgroupHost, apparmorNotApplied?: string): SharingRow[] {
  const rows: SharingRow[] = [];
  for (const kind of NAMESPACE_KINDS) {
    const joined = c.namespaces.enter.find((e) => e.kind === kind);
    const facts = NAMESPACE_FACTS[kind];
    const what = `${NAMESPACE_LABEL[kind]} (${kind})`;
    if (joined) rows.push({ what, status: 'joined', detail: `the namespace of ${joined.path}`, seeIt: `\`readlink /proc/self/ns/${kind}\`` });
    else if (c.namespaces.unshare.includes(kind)) rows.push({ what, status: 'isolated', detail: facts.isolates, seeIt: facts.seeIsolated.replaceAll('NAME', c.name) });
    else rows.push({ what, status: 'shared', detail: `the host's ${NAMESPACE_LABEL[kind]}`, seeIt: facts.seeShared.replaceAll('NAME', c.name) });
  }

  const hostBinds = c.bootstrap.strategy === 'host' ? c.bootstrap.binds : [];
  const binds = c.mounts.flatMap((m) => (m.type === 'bind' || m.type === 'hostFile' ? [`${m.source}${m.type === 'bind' && !m.readonly ? ' (rw)' : ''}`] : []));
  const sharedFiles = [...hostBinds.map((b) => `${b} (ro)`), ...binds];
  rows.push({
    what: 'files',
    status: sharedFiles.length ? 'partly shared' : 'isolated',
    detail: sharedFiles.length ? `own rootfs ${c.rootfs.path}, plus the host's ${sharedFiles.join(', ')}` : `own rootfs ${c.rootfs.path}`,
    seeIt: '`findmnt` inside lists what comes from the host',
  });

  const r = c.cgroup.resources;
  const limits = [
    typeof r.cpu?.quotaUs === 'number' ? cpuShare(r.cpu.quotaUs, r.cpu.periodUs ?? 100000).text : '',
    r.cpuset?.cpus ? `CPUs ${r.cpuset.cpus}` : '',
    typeof r.memory?.max === 'number' ? `${formatSize(r.memory.max)} memory` : '',
    r.pids && r.pids.max !== 'max' ? `${r.pids.max} tasks` : '',
  ].filter(Boolean);
  rows.push({
    what: 'CPU, memory, tasks',
    status: limits.length ? 'limited' : 'shared',
    detail: limits.length ? `at most ${limits.join(', ')} (cgroup haco/${c.name})` : `the host's, without limits (cgroup haco/${c.name} only counts them)`,
    seeIt: `\`cat ${accountingFiles(cgroup, host, c.name).join(' ')}\` on the host, or \`haco ps\``,
  });
  rows.push({
    what: 'kernel',
    status: 'shared',
    detail: 'one kernel for the host and every container: a kernel bug or a module affects all',
    seeIt: '`uname -r` inside prints the host\'s kernel version',
  });
  rows.push({
    what: 'wall clock',
    status: 'shared',
    detail: 'CLOCK_REALTIME is never namespaced (the time namespace only shifts uptime clocks)',
    seeIt: '`date` inside and on the host agree',
  });
  const devMount = c.mounts.some((m) => m.type === 'standard' && m.fs === 'dev');
  const added = c.devices.filter((r) => r.path !== undefined).map((r) => r.path!);
  const allDevices = allowsAllDevices(c.devices);
  rows.push({
    what: 'devices',
    status: allDevices ? 'shared' : added.length ? 'partly shared' : 'isolated',
    detail: [
      devMount ? `a minimal /dev: ${STANDARD_DEVICE_NODES.map((d) => d.name).join(', ')}, ptmx` : 'no /dev mount: whatever /dev the rootfs holds',
      allDevices ? "every host device can be made and opened (.devices('host'))" : `the device cgroup refuses every other device${added.length ? `; plus the host's ${added.join(', ')}` : ''}`,
    ].join('; '),
    seeIt: '`ls /dev` inside; `mknod /tmp/k c 1 11` inside fails with "Operation not permitted"',
  });
  const profile = c.apparmor?.profile;
  rows.push({
    what: 'security module (AppArmor)',
    status: profile && !apparmorNotApplied ? 'limited' : 'shared',
    detail: !profile
      ? 'unconfined (.apparmor(false)): only the other fences apply'
      : apparmorNotApplied
        ? `${profile}, not applied: ${apparmorNotApplied} (the other fences still apply)`
        : `confined by the profile ${profile}`,
    seeIt: '`cat /proc/self/attr/current` inside',
  });
  return rows;
}
