// cgroup-v2 VM tier: run a shell script inside a tiny QEMU VM (Debian cloud kernel + busybox initramfs)
// whose /sys/fs/cgroup is a pure cgroup2 hierarchy, whatever the host runs. See docs/testing.md.
//
//   const vm = vmAvailable();               // { ok: true } | { ok: false, reason }
//   const r = await runInVm({ script: 'cat /sys/fs/cgroup/cgroup.controllers', files: { '/bin/x': hostPath } });
//   r.output, r.exitCode, r.durationMs
//
// Under CI (env CI=true) vmAvailable() fetches the kernel when it is missing and tests must fail, not skip,
// when the VM cannot run. QEMU runs under `setpriv --pdeathsig SIGKILL`, so it dies with the test process;
// a run that exceeds timeoutMs is killed and reported as a VmError.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const VM_BEGIN_MARKER = '@@HACO-VM-BEGIN@@';
export const VM_END_MARKER_RE = /@@HACO-VM-END rc=(\d+)@@/;

const VM_DIR = path.resolve(__dirname, '..', 'vm');
const FETCH_KERNEL = path.join(VM_DIR, 'fetch-kernel.sh');
const BUILD_INITRAMFS = path.join(VM_DIR, 'build-initramfs.sh');
const QEMU = process.env.HACO_VM_QEMU ?? 'qemu-system-x86_64';
const BUSYBOX = process.env.HACO_VM_BUSYBOX ?? '/bin/busybox';

/** A file put into the VM: a host path (file or directory, copied) or literal content. */
export type VmFile = string | { content: string | Buffer; mode?: number };

export interface RunInVmOptions {
  /** VM absolute path → host path or content. E.g. `{ '/bin/haco-launch': 'native/build/haco-launch-static' }`. */
  files?: Record<string, VmFile>;
  /** Shell script run by busybox `sh` as /haco/test.sh (root, cwd /, stdout+stderr captured). Its exit status is `exitCode`. */
  script: string;
  /** Wall-clock limit for the VM (boot included). Default 90 s (TCG emulation; a boot takes ~5 s). */
  timeoutMs?: number;
  /** Guest memory. Default 512 MiB. */
  memoryMiB?: number;
  /** Guest CPUs. Default 2 (so cpuset has something to split). */
  cpus?: number;
  /** Kernel modules to insmod at boot, relative to the kernel's modules dir. Default: overlay only. */
  modules?: string[];
  /** More kernel command line words, e.g. `['apparmor=1', 'security=apparmor']`. */
  kernelArgs?: string[];
  /** Show kernel messages of level < 4 on the console (they may interleave with `output`). Default false: panics only. */
  kernelLog?: boolean;
}

export interface VmResult {
  /** What the script printed (stdout and stderr, merged), `\n` line endings. */
  output: string;
  /** The script's exit status. */
  exitCode: number;
  /** Boot to power-off, milliseconds. */
  durationMs: number;
  /** Time spent building the initramfs, milliseconds. */
  initramfsMs: number;
  /** Everything QEMU printed on the serial console (kernel messages included). */
  console: string;
}

export type VmAvailability = { ok: true } | { ok: false; reason: string };

/** The VM did not get to the end of the script: timeout, kernel panic, QEMU failure. */
export class VmError extends Error {
  constructor(
    message: string,
    readonly console: string,
    /** PID of the QEMU process (gone by the time this is thrown). */
    readonly pid?: number,
  ) {
    super(message);
    this.name = 'VmError';
  }
}

const isCI = (): boolean => process.env.CI === 'true' || process.env.CI === '1';

let kernelDirCache: string | undefined;
let availabilityCache: VmAvailability | undefined;

function fail(reason: string): VmAvailability {
  return { ok: false, reason };
}

/** Runs fetch-kernel.sh (idempotent; downloads only when the cache lacks the kernel) and returns the kernel dir. */
export function ensureKernel(): string {
  if (kernelDirCache) return kernelDirCache;
  const r = spawnSync('sh', [FETCH_KERNEL], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 600_000 });
  const dir = r.stdout?.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !dir || !fs.existsSync(path.join(dir, 'vmlinuz'))) {
    const why = r.error ? r.error.message : `exit ${r.status ?? r.signal}`;
    throw new Error(`test/vm/fetch-kernel.sh failed (${why}):\n${(r.stderr ?? '').trim()}`);
  }
  kernelDirCache = dir;
  return dir;
}

/** A cached kernel, without fetching (HACO_VM_NO_FETCH=1 outside CI). */
function cachedKernel(): string | undefined {
  const base = path.join(process.env.HACO_VM_CACHE ?? '/var/cache/haco-test/vm', 'kernel');
  let names: string[];
  try {
    names = fs.readdirSync(base).filter((n) => fs.existsSync(path.join(base, n, 'vmlinuz')));
  } catch {
    return undefined;
  }
  names.sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  return names.length ? path.join(base, names[names.length - 1]) : undefined;
}

/**
 * Can this machine run the VM tier? Checks QEMU, a static busybox, setpriv, and the kernel — fetching it
 * when it is missing (always under CI; elsewhere too unless HACO_VM_NO_FETCH=1). The reason says what to install.
 */
export function vmAvailable(): VmAvailability {
  if (availabilityCache) return availabilityCache;
  availabilityCache = checkAvailability();
  return availabilityCache;
}

function checkAvailability(): VmAvailability {
  if (process.arch !== 'x64') return fail(`the VM tier boots an amd64 kernel; this is ${process.arch}`);
  const q = spawnSync(QEMU, ['--version'], { encoding: 'utf8' });
  if (q.error || q.status !== 0) return fail(`${QEMU} not found (apt-get install qemu-system-x86)`);
  if (!fs.existsSync(BUSYBOX)) return fail(`${BUSYBOX} not found (apt-get install busybox-static)`);
  // ldd succeeds only on dynamically linked executables, which cannot run in the libc-less initramfs.
  if (spawnSync('ldd', [BUSYBOX], { stdio: 'ignore' }).status === 0) {
    return fail(`${BUSYBOX} is dynamically linked (apt-get install busybox-static)`);
  }
  if (spawnSync('setpriv', ['--version'], { stdio: 'ignore' }).status !== 0) {
    return fail('setpriv not found (apt-get install util-linux)');
  }
  if (process.env.HACO_VM_NO_FETCH === '1' && !isCI()) {
    const k = cachedKernel();
    if (!k) return fail('no cached VM kernel and HACO_VM_NO_FETCH=1 (run test/vm/fetch-kernel.sh)');
    kernelDirCache = k;
    return { ok: true };
  }
  try {
    ensureKernel();
  } catch (e) {
    return fail(`cannot get the VM kernel: ${(e as Error).message}`);
  }
  return { ok: true };
}

function putFile(root: string, vmPath: string, file: VmFile): void {
  if (!path.posix.isAbsolute(vmPath) || vmPath.split('/').includes('..')) {
    throw new Error(`runInVm: VM path must be absolute without '..': ${vmPath}`);
  }
  const dest = path.join(root, vmPath);
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  if (typeof file === 'string') {
    const st = fs.statSync(file); // follows symlinks: the VM gets the content
    if (st.isDirectory()) {
      fs.cpSync(file, dest, { recursive: true, dereference: true });
    } else {
      fs.copyFileSync(file, dest);
      fs.chmodSync(dest, st.mode & 0o7777);
    }
  } else {
    const content = file.content;
    const text = typeof content === 'string' ? content : content.toString('latin1', 0, 2);
    fs.writeFileSync(dest, content);
    fs.chmodSync(dest, file.mode ?? (text.startsWith('#!') ? 0o755 : 0o644));
  }
}

const live = new Set<import('node:child_process').ChildProcess>();

/** Boots the VM, runs `script` as root inside it, returns its output and exit status. Throws VmError if it never finishes. */
export async function runInVm(opts: RunInVmOptions): Promise<VmResult> {
  const avail = vmAvailable();
  if (!avail.ok) throw new Error(`cgroup-v2 VM unavailable: ${avail.reason}`);
  const kernelDir = ensureKernelOrCached();
  const timeoutMs = opts.timeoutMs ?? 90_000;

  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'haco-vm-'));
  try {
    const root = path.join(work, 'root');
    fs.mkdirSync(root);
    for (const [vmPath, file] of Object.entries(opts.files ?? {})) putFile(root, vmPath, file);
    putFile(root, '/haco/test.sh', { content: opts.script, mode: 0o755 });

    const initrd = path.join(work, 'initramfs.cpio.gz');
    const t0 = Date.now();
    const modArgs = (opts.modules ?? ['kernel/fs/overlayfs/overlay.ko']).flatMap((m) => ['-m', m]);
    const b = spawnSync('sh', [BUILD_INITRAMFS, '-k', kernelDir, ...modArgs, initrd, root], {
      encoding: 'utf8',
      env: { ...process.env, TMPDIR: work },
    });
    if (b.status !== 0) throw new Error(`test/vm/build-initramfs.sh failed:\n${b.stderr}`);
    const initramfsMs = Date.now() - t0;

    const append = ['console=ttyS0', 'quiet', 'panic=-1', opts.kernelLog ? '' : 'loglevel=1', ...(opts.kernelArgs ?? [])].filter(Boolean).join(' ');
    const qemuArgs = [
      '--pdeathsig', 'SIGKILL', '--', QEMU,
      '-accel', 'tcg', // never -enable-kvm: it hangs on the CI machine kind
      '-m', String(opts.memoryMiB ?? 512),
      '-smp', String(opts.cpus ?? 2),
      '-nodefaults', '-display', 'none', '-serial', 'stdio', '-no-reboot',
      '-kernel', path.join(kernelDir, 'vmlinuz'),
      '-initrd', initrd,
      '-append', append,
    ];
    return await new Promise<VmResult>((resolve, reject) => {
      const started = Date.now();
      const child = spawn('setpriv', qemuArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
      live.add(child);
      let out = '';
      let err = '';
      let timedOut = false;
      child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, timeoutMs);
      child.on('error', (e) => {
        clearTimeout(timer);
        live.delete(child);
        reject(e);
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        live.delete(child);
        const durationMs = Date.now() - started;
        const consoleText = out.replace(/\r\n/g, '\n').replace(/\r/g, '');
        if (timedOut) {
          reject(new VmError(`VM timed out after ${timeoutMs} ms (killed)\n${tail(consoleText)}`, consoleText, child.pid));
          return;
        }
        const begin = consoleText.indexOf(VM_BEGIN_MARKER + '\n');
        const end = VM_END_MARKER_RE.exec(consoleText);
        if (begin < 0 || !end || end.index < begin) {
          reject(
            new VmError(
              `VM ended (qemu ${signal ?? `exit ${code}`}) without the ${begin < 0 ? 'begin' : 'end'} marker` +
                `${err.trim() ? `\nqemu: ${err.trim()}` : ''}\n${tail(consoleText)}`,
              consoleText,
              child.pid,
            ),
          );
          return;
        }
        resolve({
          output: consoleText.slice(begin + VM_BEGIN_MARKER.length + 1, end.index),
          exitCode: Number(end[1]),
          durationMs,
          initramfsMs,
          console: consoleText,
        });
      });
    });
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function ensureKernelOrCached(): string {
  return kernelDirCache ?? ensureKernel();
}

function tail(text: string, lines = 40): string {
  const all = text.trimEnd().split('\n');
  return (all.length > lines ? ['…', ...all.slice(-lines)] : all).map((l) => `  | ${l}`).join('\n');
}

/**
 * A dynamically linked host program and the shared libraries `ldd` names (the dynamic loader included),
 * each at its host path: the VM's initramfs has no libc of its own. Throws when ldd fails.
 */
export function withLibraries(program: string): Record<string, VmFile> {
  const r = spawnSync('ldd', [program], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ldd ${program} failed: ${r.stderr}`);
  const files: Record<string, VmFile> = { [program]: program };
  for (const line of r.stdout.split('\n')) {
    // "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x…)" or "/lib64/ld-linux-x86-64.so.2 (0x…)"
    const m = /(?:=>\s*)?(\/\S+)\s+\(0x/.exec(line);
    if (m) files[m[1]!] = m[1]!;
  }
  return files;
}

/** Number of QEMU processes started by this module that are still running (tests assert it is 0). */
export function liveVmCount(): number {
  return live.size;
}

/**
 * `describe` for VM tests. VM unavailable: outside CI the block is skipped and its title says why; under
 * CI=true it runs one failing test carrying the reason (the VM tier must never be skipped in CI).
 * `requires` adds preconditions of the block (e.g. a built launcher), treated the same way.
 */
export function describeVm(name: string, fn: () => void, requires: Array<() => VmAvailability> = []): void {
  let avail = vmAvailable();
  for (const req of requires) {
    if (!avail.ok) break;
    avail = req();
  }
  if (avail.ok) {
    describe(name, fn);
  } else if (isCI()) {
    const reason = avail.reason;
    describe(name, () => {
      test('preconditions of the cgroup-v2 VM tests hold', () => {
        throw new Error(`cannot run under CI: ${reason}`);
      });
    });
  } else {
    describe.skip(`${name} [skipped: ${avail.reason}]`, fn);
  }
}
