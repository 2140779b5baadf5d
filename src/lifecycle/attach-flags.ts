import { isatty } from 'node:tty';
import { UsageError } from '../errors';
import { CAPABILITY_NAMES } from '../plan/names';
import type { CapabilityName } from '../plan/types';
import { withHostValue } from '../plan/host-env';
import type { AttachOptions } from './attach';

export interface AttachFlagValues {
  tty?: boolean | undefined;
  interactive?: boolean | undefined;
  user?: string | undefined;
  'allow-cap'?: string[] | undefined;
  'drop-cap'?: string[] | undefined;
  env?: string[] | undefined;
}

/** `sys_admin`, `SYS_ADMIN`, `CAP_SYS_ADMIN` (comma lists too) → capability names; unknown ones are refused. */
function caps(values: string[] | undefined, flag: string): CapabilityName[] {
  const out: CapabilityName[] = [];
  for (const raw of (values ?? []).flatMap((v) => v.split(','))) {
    const name = raw.trim().toLowerCase().replace(/^cap_/, '');
    if (!(CAPABILITY_NAMES as readonly string[]).includes(name)) throw new UsageError(`${flag}: unknown capability "${raw}"`, 'names as in capabilities(7), e.g. sys_ptrace or CAP_NET_ADMIN');
    out.push(name as CapabilityName);
  }
  return out;
}

/** The command line of `haco attach` → what the attach spec changes from the init's own settings. */
export function attachFlags(flags: AttachFlagValues, stdinIsTerminal: boolean = isatty(0)): Omit<AttachOptions, 'rlimits'> {
  const opts: Omit<AttachOptions, 'rlimits'> = {};
  if (flags.user !== undefined) {
    const m = /^(\d+)(?::(\d+))?$/.exec(flags.user);
    if (!m) throw new UsageError(`--user: "${flags.user}" is not UID or UID:GID`, 'numbers as inside the container, e.g. -u 1000:1000');
    opts.user = { uid: Number(m[1]), gid: Number(m[2] ?? m[1]) };
  }
  const add = caps(flags['allow-cap'], '--allow-cap');
  const drop = caps(flags['drop-cap'], '--drop-cap');
  if (add.length) opts.addCaps = add;
  if (drop.length) opts.dropCaps = drop;
  for (const entry of (flags.env ?? []).flatMap((e) => withHostValue(e, process.env))) {
    const eq = entry.indexOf('=');
    if (eq <= 0) throw new UsageError(`--env: "${entry}" is not KEY=VALUE`, 'write -e KEY=VALUE, or -e KEY to pass haco\'s own value of KEY');
    opts.env = { ...opts.env, [entry.slice(0, eq)]: entry.slice(eq + 1) };
  }
  if (flags.tty ?? stdinIsTerminal) opts.terminal = { pty: true, stdin: flags.interactive ?? true };
  return opts;
}
