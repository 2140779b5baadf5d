/**
 * Every external program haco runs, and the few files it needs from other packages: the one list that
 * `haco doctor` prints, `scripts/setup.sh` installs from (runtime entries by default, `--dev` adds the
 * test and benchmark ones), and the code looks tools up through (src/host/tools.ts). A unit test
 * (test/unit/host/tool-manifest.test.ts) scans src/, test/, bench/ and the test scripts for the programs
 * they spawn and fails when one is missing here, so a fresh machine set up by `scripts/setup.sh --dev`
 * has everything the suite calls.
 *
 * One entry per line, in this exact shape: scripts/setup.sh reads the packages with sed before Node.js
 * and the npm dependencies exist (a unit test checks that it reads the same set as TypeScript does).
 *   kind     `program` (looked up on PATH plus the sbin dirs), `header` (found by the C compiler) or
 *            `file` (an absolute path)
 *   package  the Debian/Ubuntu package that provides it; null when apt is not the way (see `fix`)
 *   need     `required`: haco's core (plan, create, start) fails without it; `optional`: only the
 *            feature named in `feature` does
 *   set      `runtime`: what users need; `dev`: only the test suite, the VM tier and the benchmarks
 */
export const TOOL_MANIFEST = [
  { name: 'node', kind: 'program', package: null, need: 'required', set: 'runtime', feature: 'everything (Node.js >= 20: see the README, Debian 12 ships 18)' },
  { name: 'npm', kind: 'program', package: null, need: 'optional', set: 'runtime', feature: 'installing haco (it comes with Node.js)' },
  { name: 'npx', kind: 'program', package: null, need: 'optional', set: 'runtime', feature: 'running an installed haco (it comes with Node.js)' },
  { name: 'sh', kind: 'program', package: 'dash', need: 'required', set: 'runtime', feature: 'the bin/haco wrapper, shell bootstrap, network hooks' },
  { name: 'cc', kind: 'program', package: 'build-essential', need: 'required', set: 'runtime', feature: 'building the native launcher (on first use)' },
  { name: 'make', kind: 'program', package: 'make', need: 'required', set: 'runtime', feature: 'building the native launcher (on first use)' },
  { name: 'seccomp.h', kind: 'header', package: 'libseccomp-dev', need: 'required', set: 'runtime', feature: 'building the native launcher (seccomp filters)' },
  { name: 'umount', kind: 'program', package: 'mount', need: 'required', set: 'runtime', feature: 'removing a rootfs with mounts left inside' },
  { name: 'flock', kind: 'program', package: 'util-linux', need: 'required', set: 'runtime', feature: 'image bootstrap: the image cache lock; tests: holding the cgroup lock the way a launch does' },
  { name: 'unshare', kind: 'program', package: 'util-linux', need: 'optional', set: 'runtime', feature: 'haco archive and export of an overlay rootfs; rootless: tarball extraction and rootfs removal in the user\'s namespace' },
  { name: 'rm', kind: 'program', package: 'coreutils', need: 'optional', set: 'runtime', feature: 'rootless: removing a rootfs whose files belong to subordinate ids' },
  { name: 'nsenter', kind: 'program', package: 'util-linux', need: 'optional', set: 'runtime', feature: 'container networks (ip inside the container netns); OCI runtime createContainer/startContainer hooks (in the container\'s namespaces)' },
  { name: 'ip', kind: 'program', package: 'iproute2', need: 'optional', set: 'runtime', feature: 'container networks: bridges, veths, addresses, routes' },
  { name: 'nft', kind: 'program', package: 'nftables', need: 'optional', set: 'runtime', feature: 'forwarded ports and outbound NAT of container networks' },
  { name: 'cp', kind: 'program', package: 'coreutils', need: 'required', set: 'runtime', feature: 'directory bootstrap' },
  { name: 'chown', kind: 'program', package: 'coreutils', need: 'required', set: 'runtime', feature: 'a layered rootfs with .mapRootTo(): upper and work handed to the mapped root' },
  { name: 'du', kind: 'program', package: 'coreutils', need: 'optional', set: 'runtime', feature: 'haco archive: rootfs size for progress' },
  { name: 'tar', kind: 'program', package: 'tar', need: 'optional', set: 'runtime', feature: 'tarball bootstrap, haco archive' },
  { name: 'gzip', kind: 'program', package: 'gzip', need: 'optional', set: 'runtime', feature: '.tar.gz tarballs' },
  { name: 'xz', kind: 'program', package: 'xz-utils', need: 'optional', set: 'runtime', feature: '.tar.xz tarballs' },
  { name: 'zstd', kind: 'program', package: 'zstd', need: 'optional', set: 'runtime', feature: '.tar.zst tarballs' },
  { name: 'bzip2', kind: 'program', package: 'bzip2', need: 'optional', set: 'runtime', feature: '.tar.bz2 tarballs' },
  { name: 'busybox', kind: 'program', package: 'busybox-static', need: 'optional', set: 'runtime', feature: 'busybox bootstrap (a static busybox)' },
  { name: 'debootstrap', kind: 'program', package: 'debootstrap', need: 'optional', set: 'runtime', feature: 'debootstrap bootstrap' },
  { name: 'lxc-create', kind: 'program', package: 'lxc', need: 'optional', set: 'runtime', feature: 'lxc bootstrap' },
  { name: '/usr/share/lxc/templates/lxc-debian', kind: 'file', package: 'lxc-templates', need: 'optional', set: 'runtime', feature: 'lxc bootstrap: the templates (debian, busybox…)' },
  { name: 'rsync', kind: 'program', package: 'rsync', need: 'optional', set: 'runtime', feature: 'lxc bootstrap: the debian template copies its cache with rsync' },
  { name: 'ps', kind: 'program', package: 'procps', need: 'optional', set: 'runtime', feature: 'the tutorial, seeing containers from the host' },
  { name: 'mount', kind: 'program', package: 'mount', need: 'required', set: 'dev', feature: 'tests: an overlayfs the launcher must refuse to id-map (rootfs owner)' },
  { name: 'runuser', kind: 'program', package: 'util-linux', need: 'required', set: 'dev', feature: 'tests: the installed package as an ordinary user' },
  { name: 'git', kind: 'program', package: 'git', need: 'required', set: 'dev', feature: 'tests: the files of this checkout, copied for a fresh user (rootless npx)' },
  { name: 'pgrep', kind: 'program', package: 'procps', need: 'required', set: 'dev', feature: 'benchmarks: finding leftover processes (tests look in their own cgroup or process group)' },
  { name: 'setpriv', kind: 'program', package: 'util-linux', need: 'required', set: 'dev', feature: 'tests: dropping privileges, the VM tier' },
  { name: 'setcap', kind: 'program', package: 'libcap2-bin', need: 'required', set: 'dev', feature: 'tests: a program with file capabilities (the exec EPERM hint)' },
  { name: 'getcap', kind: 'program', package: 'libcap2-bin', need: 'required', set: 'dev', feature: 'tests: does the host ping carry file capabilities' },
  { name: 'ipcmk', kind: 'program', package: 'util-linux', need: 'required', set: 'dev', feature: 'tests: IPC namespace checks' },
  { name: 'ipcrm', kind: 'program', package: 'util-linux', need: 'required', set: 'dev', feature: 'tests: IPC namespace checks' },
  { name: 'ldd', kind: 'program', package: 'libc-bin', need: 'required', set: 'dev', feature: 'tests: is a binary static' },
  { name: 'getconf', kind: 'program', package: 'libc-bin', need: 'required', set: 'dev', feature: 'tests: page size, clock ticks' },
  { name: 'chroot', kind: 'program', package: 'coreutils', need: 'required', set: 'dev', feature: 'tests: the chroot baseline' },
  { name: 'sleep', kind: 'program', package: 'coreutils', need: 'required', set: 'dev', feature: 'tests: long-running processes' },
  { name: 'true', kind: 'program', package: 'coreutils', need: 'required', set: 'dev', feature: 'benchmarks: the exec floor' },
  { name: 'printf', kind: 'program', package: 'coreutils', need: 'required', set: 'dev', feature: 'tests: execa loads' },
  { name: 'readlink', kind: 'program', package: 'coreutils', need: 'required', set: 'dev', feature: 'tests: which namespace a process is in' },
  { name: 'ping', kind: 'program', package: 'iputils-ping', need: 'required', set: 'dev', feature: 'network tests: reaching containers from a test netns' },
  { name: 'bridge', kind: 'program', package: 'iproute2', need: 'required', set: 'dev', feature: 'network tests: bridge ports' },
  { name: 'script', kind: 'program', package: 'bsdutils', need: 'required', set: 'dev', feature: 'native tests, terminal tests: a container on a real pty' },
  { name: 'bash', kind: 'program', package: 'bash', need: 'required', set: 'dev', feature: 'tests: the script of `haco completion bash`, run in bash' },
  { name: 'stty', kind: 'program', package: 'coreutils', need: 'required', set: 'dev', feature: 'terminal tests: window size, terminal settings' },
  { name: 'timeout', kind: 'program', package: 'coreutils', need: 'required', set: 'dev', feature: 'native tests: bounding a run' },
  { name: 'mknod', kind: 'program', package: 'coreutils', need: 'required', set: 'runtime', feature: "image bootstrap with layers: 'shared' (overlay whiteouts); tests: device nodes in a test rootfs" },
  { name: 'dmesg', kind: 'program', package: 'util-linux', need: 'required', set: 'dev', feature: 'tests: the host kernel log a container must not reach' },
  { name: 'xtables-legacy-multi', kind: 'program', package: 'iptables', need: 'required', set: 'dev', feature: 'the VM tier: criu locks, dumps and restores a net namespace with iptables-save/-restore (copied into the VM, checkpoint-net-vm)' },
  { name: 'cpio', kind: 'program', package: 'cpio', need: 'required', set: 'dev', feature: 'the VM tier: building its initramfs' },
  { name: 'qemu-system-x86_64', kind: 'program', package: 'qemu-system-x86', need: 'required', set: 'dev', feature: 'the VM tier: a pure cgroup v2 kernel' },
  { name: 'apt-get', kind: 'program', package: 'apt', need: 'required', set: 'dev', feature: 'the VM tier: downloading its kernel package' },
  { name: 'apt-cache', kind: 'program', package: 'apt', need: 'required', set: 'dev', feature: 'the VM tier: resolving its kernel package' },
  { name: 'dpkg-deb', kind: 'program', package: 'dpkg', need: 'required', set: 'dev', feature: 'the VM tier: unpacking its kernel package' },
  { name: 'clang', kind: 'program', package: 'clang', need: 'required', set: 'dev', feature: 'native tests (make -C native test): the clang build of the launcher and the spec fuzzer' },
  { name: '/usr/lib/clang/14/lib/linux/libclang_rt.fuzzer-x86_64.a', kind: 'file', package: 'libclang-rt-dev', need: 'required', set: 'dev', feature: 'native tests: the libFuzzer runtime of the spec fuzzer (the path of Debian 12\'s clang 14)' },
  { name: 'hyperfine', kind: 'program', package: 'hyperfine', need: 'optional', set: 'dev', feature: 'npm run bench: timing' },
  { name: 'bwrap', kind: 'program', package: 'bubblewrap', need: 'optional', set: 'dev', feature: 'npm run bench: a peer to compare with' },
  { name: 'runc', kind: 'program', package: 'runc', need: 'required', set: 'dev', feature: 'tests: secure-by-default compared with runc; npm run bench' },
  { name: 'skopeo', kind: 'program', package: 'skopeo', need: 'optional', set: 'runtime', feature: 'image bootstrap: copying images into the local OCI layout cache; haco export image' },
  { name: 'umoci', kind: 'program', package: 'umoci', need: 'optional', set: 'runtime', feature: 'image bootstrap: unpacking image layers (whiteouts included)' },
  { name: 'buildah', kind: 'program', package: 'buildah', need: 'required', set: 'dev', feature: 'tests: building OCI images locally (no registry here)' },
  { name: 'podman', kind: 'program', package: 'podman', need: 'required', set: 'dev', feature: 'tests: exported images and Kubernetes manifests run under podman' },
  { name: 'docker-registry', kind: 'program', package: 'docker-registry', need: 'required', set: 'dev', feature: 'tests: a registry on 127.0.0.1 for docker:// images' },
  { name: 'newuidmap', kind: 'program', package: 'uidmap', need: 'optional', set: 'runtime', feature: 'rootless: a full uid range from /etc/subuid' },
  { name: 'newgidmap', kind: 'program', package: 'uidmap', need: 'optional', set: 'runtime', feature: 'rootless: a full gid range from /etc/subgid' },
  { name: 'slirp4netns', kind: 'program', package: 'slirp4netns', need: 'optional', set: 'runtime', feature: 'rootless networks: outbound connectivity and port forwards' },
  { name: 'pasta', kind: 'program', package: 'passt', need: 'optional', set: 'runtime', feature: 'rootless networks: outbound connectivity and port forwards (pasta mode)' },
  { name: 'fuse-overlayfs', kind: 'program', package: 'fuse-overlayfs', need: 'optional', set: 'runtime', feature: "layered rootfs through FUSE: .rootfs(p, { lower, overlay: 'fuse' }), and rootless layers where the kernel cannot mount overlayfs unprivileged (before 5.11)" },
  { name: 'fusermount3', kind: 'program', package: 'fuse3', need: 'optional', set: 'runtime', feature: 'unmounting FUSE file systems (lxcfs, fuse-overlayfs)' },
  { name: 'lxcfs', kind: 'program', package: 'lxcfs', need: 'optional', set: 'runtime', feature: '.lxcfs(): /proc files that show the container\'s limits' },
  { name: 'criu', kind: 'program', package: 'criu', need: 'optional', set: 'runtime', feature: 'haco checkpoint / restore' },
  { name: 'apparmor_parser', kind: 'program', package: 'apparmor', need: 'optional', set: 'runtime', feature: '.apparmor(): loading AppArmor profiles' },
  { name: 'mmdebstrap', kind: 'program', package: 'mmdebstrap', need: 'optional', set: 'runtime', feature: 'rootless debootstrap (mmdebstrap --mode=unshare)' },
  { name: 'zsh', kind: 'program', package: 'zsh', need: 'required', set: 'dev', feature: 'tests: the script of `haco completion zsh`, run in zsh' },
  { name: '/usr/lib/go-1.22/bin/go', kind: 'file', package: 'golang-1.22-go', need: 'required', set: 'dev', feature: 'tests: building the OCI runtime conformance suite (Go >= 1.21; Debian 12: from bookworm-backports)' },
  { name: 'cppcheck', kind: 'program', package: 'cppcheck', need: 'required', set: 'dev', feature: 'npm test: static analysis of the native launcher' },
] as const satisfies readonly ToolEntry[];

export interface ToolEntry {
  /** The program as run (its basename), the header as included, or the file's absolute path. */
  name: string;
  kind: 'program' | 'header' | 'file';
  /** The Debian/Ubuntu package that provides it; null when it does not come from apt. */
  package: string | null;
  need: 'required' | 'optional';
  set: 'runtime' | 'dev';
  /** What needs it, in a few words (shown by `haco doctor`). */
  feature: string;
}

/** A name of the manifest: lookups with any other name do not type-check. */
export type ToolName = (typeof TOOL_MANIFEST)[number]['name'];

/** The manifest entry of a tool. */
export function toolEntry(name: ToolName): ToolEntry {
  return TOOL_MANIFEST.find((t) => t.name === name)!;
}

/** The packages `scripts/setup.sh` installs: the runtime set, plus the dev set with `--dev`. */
export function setupPackages(dev: boolean): string[] {
  const out = new Set<string>();
  for (const t of TOOL_MANIFEST as readonly ToolEntry[]) if (t.package && (dev || t.set === 'runtime')) out.add(t.package);
  return [...out];
}
