import { HacoError } from '../errors';
import { PROVISION_CAPABILITIES } from './provision-plan';

/**
 * A bare "Operation not permitted" says nothing about why: in a provision step it is a capability the
 * session does not have (it keeps PROVISION_CAPABILITIES, never sys_admin or net_admin).
 */
function permissionHint(output: string): string {
  if (!/Operation not permitted|permission denied|EPERM/i.test(output)) return '';
  return `a command was refused a privilege (EPERM): provision steps run as root with only ${PROVISION_CAPABILITIES.join(' ')} — no sys_admin (mount, hostname), net_admin (interfaces, routes) or sys_module; see docs/rootfs.md\n  `;
}

/** A provision step exited non-zero: haco exits with the step's own code. */
export class ProvisionStepError extends HacoError {
  readonly step: string;
  constructor(container: string, step: string, exitCode: number, tail: readonly string[]) {
    const last = tail.filter((l) => !l.startsWith('+ ')).slice(-3).join('\n');
    super('E_PROVISION_STEP', `provision step "${step}" of "${container}" failed with exit code ${exitCode}`, {
      hint: `${last ? `${last}\n  ` : ''}${permissionHint(last)}fix the step and run \`haco provision FILE\` again: the steps that succeeded are skipped`,
      exitCode: exitCode > 0 && exitCode < 126 ? exitCode : 1,
    });
    this.step = step;
  }
}

/** Ctrl-C or SIGTERM during a provision step: the step was stopped (its launcher tore its mounts down). */
export class ProvisionInterruptedError extends HacoError {
  constructor(container: string, step: string, signal: string) {
    super('E_INTERRUPTED', `provision step "${step}" of "${container}" was interrupted by ${signal}`, {
      hint: 'run `haco provision FILE` again: the steps that succeeded are skipped',
      exitCode: signal === 'SIGTERM' ? 143 : 130,
    });
  }
}

/** The signal an AbortSignal was aborted for: withCancel gives its name, `haco create` an InterruptedError naming it. */
export function abortSignalName(signal: AbortSignal | undefined): string {
  const reason: unknown = signal?.reason;
  if (typeof reason === 'string' && reason.startsWith('SIG')) return reason;
  if (reason instanceof Error && /\bSIGTERM\b/.test(reason.message)) return 'SIGTERM';
  return 'SIGINT';
}
