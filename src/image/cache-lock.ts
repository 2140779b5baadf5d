import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { ensureImageCache } from './cache';

/**
 * Runs `fn` while holding an exclusive flock(2) on CACHE/lock, so two `haco create` of the same image
 * (or of two images) do not race on the layout's index.json or unpack one layer twice.
 *
 * Node has no flock(2), so util-linux's flock(1) holds it: `flock LOCK sh -c 'echo; exec cat'` prints a
 * line once the lock is taken and keeps it while its stdin is open. Closing that pipe releases it, and so
 * does the death of this process (even kill -9: the pipe closes with it), so a crashed create never
 * leaves the cache locked.
 */
export async function withImageCacheLock<T>(fn: () => Promise<T>, onWait?: () => void): Promise<T> {
  const lockFile = path.join(ensureImageCache(), 'lock');
  const holder = spawn('flock', ['--exclusive', lockFile, 'sh', '-c', 'echo locked; exec cat >/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  holder.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const waiting = setTimeout(() => onWait?.(), 500);
  try {
    await new Promise<void>((resolve, reject) => {
      holder.stdout.once('data', () => resolve());
      holder.once('error', reject);
      holder.once('exit', (code) => reject(new Error(`flock ${lockFile} exited (${code ?? 'signal'}) before taking the lock: ${stderr.trim()}`)));
    });
  } finally {
    clearTimeout(waiting);
  }
  try {
    return await fn();
  } finally {
    const exited = new Promise<void>((resolve) => {
      if (holder.exitCode !== null || holder.signalCode !== null) resolve();
      else holder.once('exit', () => resolve());
    });
    holder.stdin.end();
    await exited;
  }
}
