import { spawnSync } from 'node:child_process';
import { HostError } from '../errors';

/** Debian's criu (package criu); run by absolute path, as root. */
export const CRIU = '/usr/sbin/criu';

export type CriuSupport = { ok: true; version: string } | { ok: false; reason: string };

/**
 * `criu check`: can criu checkpoint processes on this kernel? Its first `Error` line is the reason
 * (e.g. on a kernel whose vDSO layout this criu does not know: "vdso: Unexpected rt vDSO area bounds").
 */
export function criuSupport(run = spawnSync): CriuSupport {
  const version = run(CRIU, ['--version'], { encoding: 'utf8' });
  if (version.error || version.status !== 0) return { ok: false, reason: `${CRIU} is not installed (apt-get install criu)` };
  const v = /Version:\s*(\S+)/.exec(String(version.stdout))?.[1] ?? 'unknown';
  const check = run(CRIU, ['check'], { encoding: 'utf8' });
  if (check.status === 0) return { ok: true, version: v };
  const text = `${String(check.stdout ?? '')}\n${String(check.stderr ?? '')}`;
  const first = text.split('\n').find((l) => /Error/.test(l))?.replace(/^Error \([^)]*\):\s*/, '').trim();
  return { ok: false, reason: `criu ${v}: \`criu check\` fails on this kernel${first ? `: ${first}` : ''}` };
}

/** Throws E_CRIU_UNAVAILABLE, naming the kernel limitation, unless criu works here. */
export function requireCriu(run = spawnSync): string {
  const s = criuSupport(run);
  if (s.ok) return s.version;
  throw new HostError(
    'E_CRIU_UNAVAILABLE',
    `cannot checkpoint or restore on this machine: ${s.reason}`,
    'checkpoint/restore needs a kernel this criu supports (haco tests it on Debian\'s linux-image-cloud-amd64 in the VM tier); `haco doctor` shows the check',
  );
}
