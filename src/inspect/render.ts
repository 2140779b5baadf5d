import type { InspectReport } from './inspect';
import type { Limit } from './cgroup';

function bytes(n: number): string {
  if (n >= 1 << 30) return `${(n / (1 << 30)).toFixed(1)}G`;
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)}M`;
  return `${(n / 1024).toFixed(0)}K`;
}

function limitText(l: Limit, unit: (n: number) => string = String): string {
  return l === null ? 'no controller' : l === 'max' ? 'no limit (max)' : unit(l);
}

function table(rows: string[][], indent = '  '): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => indent + r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd());
}

/** The human-readable report: one section per kernel feature, each saying where the numbers come from. */
export function renderInspect(r: InspectReport): string {
  const out: string[] = [`${r.name}: pid ${r.pid} (supervisor ${r.supervisor})`, ''];

  out.push('namespaces (/proc/PID/ns/* against the host\'s)');
  out.push(
    ...table([
      ['KIND', 'CONTAINER', 'HOST', ''],
      ...r.namespaces.map((n) => [n.kind, String(n.container ?? '-'), String(n.host ?? '-'), n.shared ? 'shared with the host' : 'own']),
    ]),
  );

  const c = r.cgroup;
  out.push('', `cgroup (${c.mode ?? 'none'}${c.dirs.length ? `: ${c.dirs.join(', ')}` : ''})`);
  const cpuLimit = typeof c.cpu.quotaUs === 'number' ? `${c.cpu.quotaUs} us every ${c.cpu.periodUs ?? '?'} us (${c.cpu.percent ?? '?'}% of a CPU)` : limitText(c.cpu.quotaUs);
  out.push(
    ...table([
      ['cpu', cpuLimit, `used ${c.cpu.usageSeconds === null ? '-' : `${c.cpu.usageSeconds.toFixed(2)}s`}`],
      ['memory', limitText(c.memory.limitBytes, (n) => `${bytes(n)} (${n} bytes)`), `current ${c.memory.currentBytes === null ? '-' : bytes(c.memory.currentBytes)}`],
      ['pids', limitText(c.pids.max), `current ${c.pids.current ?? '-'}`],
    ]),
  );

  out.push('', 'capabilities (/proc/PID/status)');
  for (const [set, caps] of Object.entries(r.capabilities)) {
    out.push(`  ${set.padEnd(11)} ${caps.hex}  ${caps.names.length ? caps.names.join(' ') : '(none)'}`);
  }

  const d = r.devices;
  out.push('', 'devices (device cgroup)');
  if (d.enforcement === 'none') out.push("  none: every host device can be made and opened (.devices('host'), unsafe)");
  else {
    if (d.planned) out.push(`  allowed by the plan: ${d.planned.join(', ')}`);
    if (d.enforcement === 'v1' && d.kernelList) {
      const same = d.planned !== null && [...d.planned].sort().join('|') === [...d.kernelList].sort().join('|');
      out.push(`  ${d.where}: ${d.kernelList.join(', ')}${d.planned ? (same ? '  (as planned)' : '  (differs from the plan)') : ''}`);
    } else if (d.enforcement === 'v2') {
      out.push(`  enforced by a BPF_PROG_TYPE_CGROUP_DEVICE program attached to ${d.where} (cgroupfs does not list it; \`bpftool cgroup show ${d.where}\` does)`);
    } else out.push('  no devices cgroup found for the container');
  }

  out.push('', 'mounts (/proc/PID/mountinfo, as the container sees them)');
  out.push(
    ...table([
      ['MOUNT POINT', 'TYPE', 'SOURCE', 'OPTIONS'],
      ...r.mounts.map((m) => [`${'  '.repeat(m.depth)}${m.mountPoint}`, m.fsType, m.root !== '/' ? `${m.source}[${m.root}]` : m.source, m.options.join(',')]),
    ]),
  );

  const lxcfs = r.mounts.filter((m) => m.fsType === 'fuse.lxcfs').map((m) => m.mountPoint);
  if (lxcfs.length) out.push('', `lxcfs (.lxcfs()): ${lxcfs.join(' ')} are the host lxcfs's files: they answer with this container's limits`);

  if (r.overlays.length) {
    for (const o of r.overlays) {
      out.push('', `overlay layers of ${o.mountPoint}`);
      out.push(`  upperdir  ${o.upperdir ?? '(none: read-only)'}`, `  workdir   ${o.workdir ?? '-'}`);
      o.lowerdir.forEach((l, i) => out.push(`  lowerdir  ${l}${o.lowerdir.length > 1 ? (i === 0 ? '  (top)' : i === o.lowerdir.length - 1 ? '  (bottom)' : '') : ''}`));
    }
  } else out.push('', 'overlay layers: none (the root is not an overlay)');
  return `${out.join('\n')}\n`;
}
