import * as fs from 'node:fs';
import * as path from 'node:path';
import { encodeField } from '../runtime/spec-format';
import { NS_FILES } from '../state/proc';

/**
 * The prepared attach spec (issue 19.2): `haco attach [--trace] NAME -- CMD…` without Node.
 *
 * After a plain attach, Node leaves STATE/attach.template: the spec it just compiled with the command
 * replaced by TOKEN, and every input that spec was compiled from, so that the C front (native/src/
 * front_attach.c) can run the next plain attach itself when, and only when, all of them are still what
 * they were: the bytes of the state, reload and plan files and of the init's /proc environ and limits,
 * the namespace links of the init and of the caller, and the liveness (pid + start time) of the init
 * and its supervisor. Anything else falls back to Node, which writes a fresh template. Written lazily
 * (at the first plain attach) rather than at `start -d`, so that it holds the init's live values.
 *
 * Format, one header line per input, then the spec:
 *   haco-attach-template 1
 *   launcher PATH
 *   alive PID START              /proc/PID/stat: start time (field 22) is START, not a zombie
 *   file PATH LEN                followed by LEN bytes and a newline; LEN `-`: the file is absent
 *   link PATH TARGET             readlink(PATH) is TARGET (`-`: unreadable)
 *   spec                         the rest of the file: the spec, TOKEN in place of the command
 * Fields are percent-encoded as in a launch spec.
 */
export const ATTACH_TEMPLATE_FILE = 'attach.template';
/** Stands for CMD in the template: `exec TOKEN` takes every word, any other occurrence the first. */
export const ATTACH_COMMAND_TOKEN = '@HACO_ATTACH_COMMAND@';

export interface TemplateInputs {
  /** The header: every input as read before the spec was compiled. */
  bytes: Buffer;
}

function readOrAbsent(file: string): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
}

function linkOrAbsent(file: string): string {
  try {
    return fs.readlinkSync(file);
  } catch {
    return '-';
  }
}

/** Read the inputs before the spec is compiled: a change while compiling then makes the template stale, never wrong. */
export function snapshotInputs(stateDir: string, pid: number, pidStart: number, supervisor: number, supervisorStart: number, launcher: string): TemplateInputs {
  const lines: string[] = ['haco-attach-template 1', `launcher ${encodeField(launcher)}`, `alive ${pid} ${pidStart}`, `alive ${supervisor} ${supervisorStart}`];
  const parts: Buffer[] = [Buffer.from(`${lines.join('\n')}\n`)];
  const files = ['state', 'reload', 'plan.json'].map((f) => path.join(stateDir, f)).concat([`/proc/${pid}/environ`, `/proc/${pid}/limits`]);
  for (const file of files) {
    const bytes = readOrAbsent(file);
    parts.push(Buffer.from(`file ${encodeField(file)} ${bytes ? bytes.length : '-'}\n`));
    if (bytes) parts.push(bytes, Buffer.from('\n'));
  }
  for (const kind of NS_FILES) {
    for (const who of [String(pid), 'self']) {
      const file = `/proc/${who}/ns/${kind}`;
      parts.push(Buffer.from(`link ${encodeField(file)} ${encodeField(linkOrAbsent(file))}\n`));
    }
  }
  return { bytes: Buffer.concat(parts) };
}

/**
 * Write the template (0600, replaced atomically). It only saves time, so a failure to write it is not
 * the attach's failure: the next attach simply goes through Node again.
 */
export function writeAttachTemplate(stateDir: string, inputs: TemplateInputs, spec: string): void {
  // The token must stand only where the command goes (the exec step and its ENOENT hint).
  if (spec.split(ATTACH_COMMAND_TOKEN).length !== 3) return;
  const file = path.join(stateDir, ATTACH_TEMPLATE_FILE);
  const tmp = `${file}.${process.pid}`;
  try {
    fs.writeFileSync(tmp, Buffer.concat([inputs.bytes, Buffer.from(`spec\n${spec}`)]), { mode: 0o600, flag: 'wx' });
    fs.renameSync(tmp, file);
  } catch {
    fs.rmSync(tmp, { force: true });
  }
}
