import * as fs from 'node:fs';
import * as path from 'node:path';

/** Directories every rootfs gets, with the modes a distribution would give them. */
const SKELETON_DIRS: ReadonlyArray<readonly [string, number]> = [
  ['etc', 0o755],
  ['root', 0o700],
  ['home', 0o755],
  ['tmp', 0o1777],
  ['var', 0o755],
  ['var/tmp', 0o1777],
  ['var/log', 0o755],
  ['var/lib', 0o755],
  ['var/cache', 0o755],
  ['run', 0o755],
  ['mnt', 0o755],
  // Mount points for the pseudo filesystems the launcher mounts at start.
  ['proc', 0o555],
  ['sys', 0o555],
  ['dev', 0o755],
];

/** Creates the standard directories with their modes (mkdir honours the umask, so chmod after). */
export function makeSkeletonDirs(root: string): void {
  for (const [dir, mode] of SKELETON_DIRS) {
    const p = path.join(root, dir);
    fs.mkdirSync(p, { recursive: true });
    fs.chmodSync(p, mode);
  }
}

export interface EtcOptions {
  hostname: string;
  /** Login shell of root (must exist in the rootfs). */
  shell: string;
}

/**
 * The minimal /etc a container needs to feel like a system: root and nobody users, a hostname that
 * matches the one set with sethostname(2), localhost in hosts, files-then-dns name lookup, and the
 * host's resolv.conf content (a copy, so the container may change it; with a new net namespace and a
 * loopback stub resolver such as 127.0.0.53 it will not resolve — use `.mount(hostFile('/etc/resolv.conf'))`
 * or write your own).
 */
export function writeMinimalEtc(root: string, options: EtcOptions): void {
  const etc = path.join(root, 'etc');
  fs.mkdirSync(etc, { recursive: true });
  const write = (name: string, text: string, mode = 0o644): void => {
    const file = path.join(etc, name);
    fs.writeFileSync(file, text, { mode });
    fs.chmodSync(file, mode);
  };
  write('passwd', `root:x:0:0:root:/root:${options.shell}\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n`);
  write('group', 'root:x:0:\ntty:x:5:\nnogroup:x:65534:\n');
  write('shadow', 'root:*:19000:0:99999:7:::\nnobody:*:19000:0:99999:7:::\n', 0o640);
  write('hostname', `${options.hostname}\n`);
  write('hosts', `127.0.0.1\tlocalhost\n127.0.1.1\t${options.hostname}\n::1\t\tlocalhost ip6-localhost ip6-loopback\n`);
  write('nsswitch.conf', 'passwd: files\ngroup: files\nshadow: files\nhosts: files dns\nnetworks: files\nprotocols: files\nservices: files\n');
  write('resolv.conf', hostResolvConf());
  write('profile', 'export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\nPS1=\'\\u@\\h:\\w\\$ \'\n');
  write('shells', `${options.shell}\n`);
}

function hostResolvConf(): string {
  try {
    return fs.readFileSync('/etc/resolv.conf', 'utf8');
  } catch {
    return '# no resolv.conf on the host when this rootfs was made\n';
  }
}
