import { EXIT, HacoError, HostError, type ErrorCode } from '../errors';

/** Building the rootfs failed (a tool exited non-zero, an archive was unsafe, a script failed). */
export class BootstrapError extends HacoError {
  constructor(code: ErrorCode, message: string, hint?: string, cause?: unknown) {
    super(code, message, { ...(hint === undefined ? {} : { hint }), exitCode: EXIT.failure, cause });
  }
}

/** The rootfs (or a layer it needs) is missing, or exists where it should not. */
export class RootfsStateError extends HacoError {
  constructor(code: ErrorCode, message: string, hint?: string) {
    super(code, message, { ...(hint === undefined ? {} : { hint }), exitCode: EXIT.state });
  }
}

/** Ctrl-C or SIGTERM while building: what was half made has been removed. */
export class InterruptedError extends HacoError {
  constructor(signal: string) {
    super('E_INTERRUPTED', `interrupted by ${signal}; the partial rootfs was removed`, {
      hint: 'run the command again; the previous rootfs (if any) is untouched',
      exitCode: 128 + (signal === 'SIGINT' ? 2 : signal === 'SIGHUP' ? 1 : 15),
    });
  }
}

export { HostError };
