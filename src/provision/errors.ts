import { HacoError } from '../errors';

/** A provision step exited non-zero: haco exits with the step's own code. */
export class ProvisionStepError extends HacoError {
  readonly step: string;
  constructor(container: string, step: string, exitCode: number, tail: readonly string[]) {
    const last = tail.filter((l) => !l.startsWith('+ ')).slice(-3).join('\n');
    super('E_PROVISION_STEP', `provision step "${step}" of "${container}" failed with exit code ${exitCode}`, {
      hint: `${last ? `${last}\n  ` : ''}fix the step and run \`haco provision FILE\` again: the steps that succeeded are skipped`,
      exitCode: exitCode > 0 && exitCode < 126 ? exitCode : 1,
    });
    this.step = step;
  }
}
