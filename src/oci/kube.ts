import type { CapabilityName, ContainerPlan } from '../plan/types';
import { capName, type Unmapped } from './runtime-config';
import { exposedPorts } from './image-export';

/**
 * A haco container as a Kubernetes Pod (core/v1): the fields Kubernetes has, and the rest listed as
 * unmapped. Kubernetes runs images, not rootfs paths: `image` is the image the container was exported
 * as (`haco export image`), or its docker:// bootstrap reference.
 */
export interface KubePod {
  apiVersion: 'v1';
  kind: 'Pod';
  metadata: { name: string; labels: Record<string, string> };
  spec: Record<string, unknown>;
}

/** The same Pod as an apps/v1 Deployment of one replica (`haco export kube --kind deployment`). */
export interface KubeDeployment {
  apiVersion: 'apps/v1';
  kind: 'Deployment';
  metadata: { name: string; labels: Record<string, string> };
  spec: { replicas: 1; selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> }; spec: Record<string, unknown> } };
}

/**
 * Wraps the Pod in a Deployment: one replica, selected by an `app` label. A Deployment's Pods must
 * restart always (Kubernetes refuses anything else), so another restart policy is listed as unmapped.
 */
export function toKubeDeployment(c: ContainerPlan, image: string): { deployment: KubeDeployment; unmapped: Unmapped[] } {
  const { pod, unmapped } = toKubePod(c, image);
  if (pod.spec['restartPolicy'] !== 'Always') {
    unmapped.push({ field: 'restart', reason: `a Deployment restarts its Pods always; the policy "${c.restart.policy}" needs a Pod (--kind pod) or a Job` });
  }
  const labels = { ...pod.metadata.labels, app: pod.metadata.name };
  return {
    deployment: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: pod.metadata,
      spec: { replicas: 1, selector: { matchLabels: { app: pod.metadata.name } }, template: { metadata: { labels }, spec: { ...pod.spec, restartPolicy: 'Always' } } },
    },
    unmapped,
  };
}

/** Kubernetes object names are DNS labels: lower case, digits and '-'. */
export function kubeName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63) || 'haco';
}

/** CFS quota/period as Kubernetes CPU (millicores). */
function cpuLimit(c: ContainerPlan): string | undefined {
  const cpu = c.cgroup.resources.cpu;
  if (cpu?.quotaUs === undefined || cpu.quotaUs === 'max') return undefined;
  return `${Math.max(1, Math.round((cpu.quotaUs / (cpu.periodUs ?? 100000)) * 1000))}m`;
}

export function toKubePod(c: ContainerPlan, image: string): { pod: KubePod; unmapped: Unmapped[] } {
  const unmapped: Unmapped[] = [];
  const name = kubeName(c.name);
  const ns = c.namespaces.unshare;
  const shared = (k: 'net' | 'pid' | 'ipc') => !ns.includes(k) && !c.namespaces.enter.some((e) => e.kind === k);
  const bounding = new Set<CapabilityName>(c.capabilities.bounding);
  const binds = c.mounts.flatMap((m, i) => (m.type === 'bind' || m.type === 'hostFile' ? [{ i, source: m.source, target: m.target, readonly: m.type === 'hostFile' || m.readonly }] : []));
  const tmpfs = c.mounts.flatMap((m, i) => (m.type === 'tmpfs' ? [{ i, target: m.target, size: m.size }] : []));
  for (const m of c.mounts) if (m.type === 'fs') unmapped.push({ field: `mounts ${m.target}`, reason: `a ${m.fstype} mount has no Pod volume type; use a CSI or hostPath volume` });
  const limits: Record<string, string> = {};
  const cpu = cpuLimit(c);
  if (cpu) limits['cpu'] = cpu;
  const mem = c.cgroup.resources.memory?.max;
  if (typeof mem === 'number') limits['memory'] = String(mem);
  if (c.cgroup.resources.pids) unmapped.push({ field: 'cgroup.resources.pids', reason: 'Kubernetes sets pid limits per node (kubelet podPidsLimit), not per Pod' });
  if (c.cgroup.resources.io) unmapped.push({ field: 'cgroup.resources.io', reason: 'Kubernetes has no block I/O limits' });
  if (c.rlimits.length) unmapped.push({ field: 'rlimits', reason: 'Kubernetes has no rlimits; they come from the container runtime\'s defaults' });
  if (c.namespaces.unshare.includes('user')) unmapped.push({ field: 'namespaces.user', reason: 'a user namespace is `hostUsers: false` (Kubernetes ≥ 1.25, feature gate), with the node\'s own id ranges' });
  if (c.seccomp && c.seccomp.profile !== 'default') unmapped.push({ field: 'seccomp', reason: 'a custom filter needs a Localhost seccomp profile file on the node; RuntimeDefault is written instead' });
  if (c.seccomp?.profile === 'default' && c.seccomp.rules.some((r) => !r.optional)) unmapped.push({ field: 'seccomp rules', reason: 'the definition\'s own rules need a Localhost profile; RuntimeDefault is written' });
  if (c.hooks.length) unmapped.push({ field: 'hooks', reason: 'host-side hooks have no Pod form (lifecycle postStart/preStop run inside the container)' });
  if (c.devices.some((d) => d.path !== undefined)) unmapped.push({ field: 'devices', reason: 'device access in Kubernetes goes through device plugins' });
  if (c.network) unmapped.push({ field: 'network', reason: 'Pod networking is the cluster\'s CNI; only the ports are kept' });
  if (c.lxcfs) unmapped.push({ field: 'lxcfs', reason: 'lxcfs is a node daemon: hostPath volumes of its /proc files, where the nodes run it' });
  const restart = c.restart.policy === 'always' ? 'Always' : c.restart.policy === 'on-failure' ? 'OnFailure' : 'Never';
  const container: Record<string, unknown> = {
    name,
    image,
    command: [...c.process.args],
    env: Object.entries(c.process.env).map(([k, v]) => ({ name: k, value: v })),
    workingDir: c.process.cwd,
    ...(Object.keys(limits).length ? { resources: { limits } } : {}),
    securityContext: {
      runAsUser: c.process.user.uid,
      runAsGroup: c.process.user.gid,
      readOnlyRootFilesystem: c.rootfs.readonly,
      allowPrivilegeEscalation: !c.noNewPrivileges,
      // Bounding set as drop ALL + add: the same set whatever the cluster's runtime default is.
      capabilities: { drop: ['ALL'], add: [...bounding].map((x) => capName(x).slice(4)) },
      seccompProfile: { type: c.seccomp ? 'RuntimeDefault' : 'Unconfined' },
    },
    ...(exposedPorts(c).length
      ? { ports: exposedPorts(c).map((p) => ({ containerPort: Number(p.split('/')[0]), protocol: (p.split('/')[1] ?? 'tcp').toUpperCase() })) }
      : {}),
    ...(binds.length || tmpfs.length
      ? { volumeMounts: [...binds.map((b) => ({ name: `bind-${b.i}`, mountPath: b.target, readOnly: b.readonly })), ...tmpfs.map((t) => ({ name: `tmpfs-${t.i}`, mountPath: t.target }))] }
      : {}),
  };
  const spec: Record<string, unknown> = {
    restartPolicy: restart,
    ...(ns.includes('uts') ? { hostname: kubeName(c.process.hostname) } : {}),
    ...(shared('net') ? { hostNetwork: true } : {}),
    ...(shared('pid') ? { hostPID: true } : {}),
    ...(shared('ipc') ? { hostIPC: true } : {}),
    ...(c.process.user.groups.length ? { securityContext: { supplementalGroups: [...c.process.user.groups] } } : {}),
    containers: [container],
    ...(binds.length || tmpfs.length
      ? {
          volumes: [
            ...binds.map((b) => ({ name: `bind-${b.i}`, hostPath: { path: b.source } })),
            ...tmpfs.map((t) => ({ name: `tmpfs-${t.i}`, emptyDir: { medium: 'Memory', ...(t.size !== undefined ? { sizeLimit: String(t.size) } : {}) } })),
          ],
        }
      : {}),
  };
  return { pod: { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { 'app.kubernetes.io/managed-by': 'haco' } }, spec }, unmapped };
}
