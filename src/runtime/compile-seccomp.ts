import * as posix from 'node:path/posix';
import type { CapabilitiesPlan, SeccompAction, SeccompArg, SeccompPlan } from '../plan/types';
import { allowedSyscallCount } from '../plan/seccomp-default';
import { listField } from './spec-format';
import type { SpecWriter } from './spec-writer';

/** errno carries its number in the field (`errno:1`), the others are bare names. */
export function seccompActionField(a: SeccompAction): string {
  if (a.action !== 'errno') return a.action;
  // EPERM when the plan did not say; validation normally guarantees a number.
  return `errno:${a.errno ?? 1}`;
}

/** INDEX:OP:VALUE[:VALUE2]; for masked_eq VALUE is the mask, as in libseccomp's SCMP_CMP_MASKED_EQ. */
function argField(a: SeccompArg): string {
  return [a.index, a.op, a.value, ...(a.valueTwo !== undefined ? [a.valueTwo] : [])].join(':');
}

/**
 * The kernel loads a filter only with no_new_privs or CAP_SYS_ADMIN. A process with neither (an OCI
 * config with noNewPrivileges false, as podman's) gets its filter loaded before the user and caps steps,
 * while the launcher still has CAP_SYS_ADMIN, as runc does; the filter then also covers those steps.
 */
export function seccompLoadsEarly(c: { seccomp?: SeccompPlan | undefined; noNewPrivileges: boolean; capabilities: CapabilitiesPlan }): boolean {
  return c.seccomp !== undefined && !c.noNewPrivileges && !c.capabilities.effective.includes('sys_admin');
}

type SeccompStep = { step: 'seccomp' | 'seccomp-rule'; fields: string[] };

/** The `seccomp` and `seccomp-rule` steps of a filter, in order. */
function seccompSteps(seccomp: SeccompPlan): SeccompStep[] {
  const steps: SeccompStep[] = [{ step: 'seccomp', fields: [seccompActionField(seccomp)] }];
  for (const rule of seccomp.rules) {
    const action = seccompActionField(rule);
    const args = listField(rule.args.map(argField));
    for (const syscall of rule.syscalls) steps.push({ step: 'seccomp-rule', fields: [action, syscall, args, ...(rule.optional ? ['optional'] : [])] });
  }
  return steps;
}

/** The filter is built here; loading waits until just before exec (see compile.ts), or seccompLoadsEarly. */
export function emitSeccomp(w: SpecWriter, seccomp: SeccompPlan | undefined): void {
  if (!seccomp) return;
  if (seccomp.profile === 'default') {
    w.comment(`seccomp: haco's default profile (${allowedSyscallCount(seccomp)} syscalls allowed for this container's capabilities, ${seccompActionField(seccomp)} otherwise); \`optional\` names unknown to this libseccomp are skipped`);
  }
  for (const s of seccompSteps(seccomp)) w.step(s.step, ...s.fields);
}

/**
 * Where `seccomp-prepared` keeps this filter's BPF in DIR (the `seccomp` cache dir): named by the SHA-256 of
 * its steps' fields, so two different filters never share a file (the launcher also keeps the exact fields,
 * libseccomp's version and the architecture in the file and rebuilds it when they differ). node:crypto is
 * loaded by `haco start` anyway (the plan cache's check), and is faster than a BigInt FNV on ~15 KB.
 */
export function seccompCacheFile(dir: string, seccomp: SeccompPlan): string {
  const { createHash } = require('node:crypto') as typeof import('node:crypto');
  const text = seccompSteps(seccomp).map((s) => [s.step, ...s.fields].join('\0')).join('\n');
  return posix.join(dir, `${createHash('sha256').update(text).digest('hex').slice(0, 32)}.bpf`);
}
