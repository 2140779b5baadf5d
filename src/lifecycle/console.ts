import * as fs from 'node:fs';
import * as net from 'node:net';
import { EXIT, HacoError, UsageError } from '../errors';
import { consoleSocketOf, readState, requireRunning } from '../state';

/** `ctrl-p,ctrl-q` (like docker and podman) → the bytes that detach. */
export function parseDetachKeys(spec: string): Buffer {
  const bytes = spec.split(',').map((k) => {
    const key = k.trim().toLowerCase();
    const ctrl = /^ctrl-([a-z@[\\\]^_])$/.exec(key);
    if (ctrl) return ctrl[1]!.toUpperCase().charCodeAt(0) & 0x1f;
    if (key.length === 1) return key.charCodeAt(0);
    throw new UsageError(`--detach-keys: cannot read "${k}"`, 'e.g. ctrl-p,ctrl-q or ctrl-a,d');
  });
  if (bytes.length === 0) throw new UsageError('--detach-keys: no key', 'e.g. ctrl-p,ctrl-q');
  return Buffer.from(bytes);
}

/** A frame of the console protocol (native/src/pty.c): TYPE, 16-bit length, payload. */
export function frame(type: 'd' | 'w', payload: Buffer): Buffer {
  const out = Buffer.alloc(3 + payload.length);
  out.write(type, 0, 'latin1');
  out.writeUInt16BE(payload.length, 1);
  payload.copy(out, 3);
  return out;
}

/** The container's recorded exit status, once its supervisor wrote it (0 if it does not within 2 s). */
async function exitStatus(name: string): Promise<number> {
  for (let i = 0; i < 40; i++) {
    const s = readState(name);
    if (!s || s.status === 'exited' || s.status === 'stale') return s?.recorded.exitCode ?? 0;
    await new Promise((r) => setTimeout(r, 50));
  }
  return 0;
}

/** The socket of NAME's console, or undefined when it was started without -t. */
export function consoleOf(name: string): string | undefined {
  const s = requireRunning(name);
  const sock = consoleSocketOf(s.dir);
  return fs.existsSync(sock) ? sock : undefined;
}

/**
 * `haco attach NAME` to a detached container started with -t: this terminal in raw mode, relayed to the
 * pty its supervisor keeps, until the detach keys (the container keeps running) or the container's end.
 * The terminal is restored on every way out.
 */
export async function attachConsole(name: string, socketPath: string, detachKeys: Buffer): Promise<number> {
  const stdin = process.stdin;
  const raw = stdin.isTTY === true;
  const sock = net.createConnection(socketPath);
  await new Promise<void>((resolve, reject) => {
    sock.once('connect', resolve);
    sock.once('error', (e) => reject(new HacoError('E_NOT_RUNNING', `cannot connect to the console of "${name}": ${e.message}`, { hint: 'haco ps', exitCode: EXIT.state })));
  });
  const sendSize = (): void => {
    if (!process.stdout.isTTY) return;
    const size = Buffer.alloc(4);
    size.writeUInt16BE(process.stdout.rows, 0);
    size.writeUInt16BE(process.stdout.columns, 2);
    sock.write(frame('w', size));
  };
  if (raw) stdin.setRawMode(true);
  const restore = (): void => {
    if (raw) stdin.setRawMode(false);
  };
  process.on('exit', restore);
  sendSize();
  process.stdout.on('resize', sendSize);
  let matched = 0;
  return await new Promise<number>((resolve) => {
    const end = (code: number, message?: string): void => {
      restore();
      stdin.pause();
      sock.destroy();
      if (message) process.stderr.write(message);
      resolve(code);
    };
    stdin.on('data', (chunk: Buffer) => {
      const pass: number[] = [];
      for (const b of chunk) {
        if (b === detachKeys[matched]) {
          matched += 1;
          if (matched === detachKeys.length) return end(0, `\r\ndetached from ${name} (it keeps running; haco attach ${name} to come back)\r\n`);
          continue;
        }
        for (let i = 0; i < matched; i++) pass.push(detachKeys[i]!);
        matched = 0;
        pass.push(b);
      }
      for (let i = 0; i < pass.length; i += 60_000) sock.write(frame('d', Buffer.from(pass.slice(i, i + 60_000))));
    });
    stdin.on('end', () => undefined); // the container keeps its terminal; nothing more to send
    sock.on('data', (d: Buffer) => process.stdout.write(d));
    // The supervisor closes the console when the container exits: its status becomes ours.
    const finished = (): void => void exitStatus(name).then((code) => end(code));
    sock.on('close', finished);
    sock.on('error', finished);
  });
}
