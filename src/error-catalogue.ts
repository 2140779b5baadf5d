/**
 * Every error code haco reports, in one table: what it means and what usually fixes it. The code is what
 * `--json` prints and tests match; the throw site adds the specifics (which file, which container) and
 * its own, more precise hint. docs/errors.md is generated from this file (`node scripts/gen-error-docs.mjs`);
 * a unit test fails when it is stale or when src/ uses a code that is not here.
 *
 * Adding a code: one line in ERROR_CODES, under its area, then `node scripts/gen-error-docs.mjs`.
 * HacoError's `code` is typed as a key of this table, so a misspelt or unlisted code fails `tsc`.
 *
 * This file imports nothing: the docs generator loads it on its own.
 */

/** Exit codes shared by every command. The container's own status passes through `haco start` unchanged. */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  /** The definition file is invalid (syntax, throw, validation). */
  definition: 3,
  /** The host lacks something (root, a tool, a cgroup controller, the launcher build). */
  host: 4,
  /** A container, rootfs or state that was asked for does not exist or is in the wrong state. */
  state: 5,
  /** The launcher failed before the container's command started (see docs/launch-spec.md). */
  launch: 125,
} as const;

/** What each exit code means, for docs/errors.md. */
export const EXIT_MEANINGS: Record<keyof typeof EXIT, string> = {
  ok: 'success',
  failure: 'the command failed (a tool haco ran, a bootstrap or provision step, an internal error)',
  usage: 'bad flags or arguments on the command line',
  definition: 'the definition file is invalid: syntax, a throw while evaluating, a failed validation',
  host: 'the host lacks something: root, a tool, a kernel feature, a cgroup controller, the launcher build',
  state: 'a container, rootfs or state asked for does not exist or is in the wrong state',
  launch: 'the launcher failed before the container\'s command started (`--trace` shows the step)',
};

/** The areas docs/errors.md groups the codes by, in this order. */
export const ERROR_AREAS = {
  cli: 'Command line',
  definition: 'Definition files',
  host: 'Host: root, tools, kernel, launcher',
  cgroup: 'Cgroups',
  start: 'Starting a container',
  lifecycle: 'Running containers and their state',
  network: 'Networking',
  bootstrap: 'Building a rootfs (haco create)',
  provision: 'Provisioning, archiving, export and import',
  internal: 'Internal',
} as const;

export interface ErrorInfo {
  area: keyof typeof ERROR_AREAS;
  /** What happened, in general terms. */
  meaning: string;
  /** What usually fixes it (the message's own hint is more precise). */
  hint: string;
}

export const ERROR_CODES = {
  // cli
  E_USAGE: { area: 'cli', meaning: 'bad flags or arguments on the command line (or to an API call)', hint: '`haco COMMAND --help` lists what the command takes' },
  E_TOGGLE: { area: 'cli', meaning: 'a command-line toggle (--share, --memory, --cap-add, …) does not parse, or makes the container invalid', hint: 'fix the flag; the message names it and the rule it breaks' },
  E_EXISTS: { area: 'cli', meaning: '`haco new` would overwrite an existing file', hint: 'choose another file name, or remove the file first' },
  E_DOCTOR: { area: 'cli', meaning: 'a `haco doctor` probe failed unexpectedly', hint: 'the message says which probe; run the check by hand to see why' },

  // definition
  E_NO_FILE: { area: 'definition', meaning: 'the definition file does not exist', hint: 'check the path, or create one with `haco new FILE`' },
  E_SYNTAX: { area: 'definition', meaning: 'the definition file does not parse (TypeScript syntax)', hint: 'fix the syntax at the line shown' },
  E_THROWN: { area: 'definition', meaning: 'the definition threw while being evaluated', hint: 'fix the code at the line shown' },
  E_TIMEOUT: { area: 'definition', meaning: 'evaluating the definition took longer than HACO_EVAL_TIMEOUT_MS (default 5000 ms)', hint: 'look for an endless loop, also in promise callbacks' },
  E_HEAP: { area: 'definition', meaning: 'evaluating the definition used more memory than HACO_EVAL_HEAP_MB (default 512 MiB)', hint: 'look for a loop that keeps allocating' },
  E_DEFINITION_EXIT: { area: 'definition', meaning: 'the definition called process.exit() while being evaluated', hint: 'remove the call; throw an Error to stop with a message' },
  E_NO_DEFAULT_EXPORT: { area: 'definition', meaning: 'the definition file has no default export', hint: "end it with `export default defineContainer('name')…`" },
  E_NOT_CONTAINER: { area: 'definition', meaning: 'the default export is not a container (or an array of containers)', hint: "export default defineContainer('name')… or an array of them" },
  E_INVALID: { area: 'definition', meaning: 'the plan the definition makes breaks a rule (schema or validation); each problem names its field', hint: 'fix the fields listed; docs/plan.md has the rules' },
  E_UNKNOWN_OPTION: { area: 'definition', meaning: 'an options object given to a DSL method has a key the method does not know', hint: 'use one of the known options the message lists (docs/dsl.md)' },
  E_UNKNOWN_METHOD: { area: 'definition', meaning: 'a DSL builder has no method of that name', hint: 'use the method the message suggests (docs/dsl.md)' },

  // host
  E_NOT_ROOT: { area: 'host', meaning: 'the command needs root (namespaces, cgroups, mounts, another user\'s process)', hint: 'run it with sudo' },
  E_ROOTLESS_OVERLAY: { area: 'host', meaning: 'an overlay rootfs cannot be mounted without root on this kernel or filesystem', hint: 'run it as root or use a plain rootfs; haco never falls back to a read-only rootfs (docs/rootless.md)' },
  E_FUSE_OVERLAY: { area: 'host', meaning: 'a layered rootfs cannot be mounted through fuse-overlayfs here (no /dev/fuse, not accessible, or the container has no user namespace)', hint: 'the message names the fix: /dev/fuse (modprobe fuse, its mode), or a user namespace for the container (docs/rootfs.md "Layers through FUSE")' },
  E_ROOTLESS_UNSUPPORTED: { area: 'host', meaning: 'what the definition asks for needs root and has no rootless form yet', hint: 'run it as root, or leave that part out (docs/rootless.md lists what works without root)' },
  E_NO_TOOL: { area: 'host', meaning: 'a program haco needs is not installed', hint: 'install the package the message names (`bash scripts/setup.sh` installs them all)' },
  E_LXCFS_NOT_RUNNING: { area: 'host', meaning: 'the container binds lxcfs files (.lxcfs()) but lxcfs is not mounted on the host', hint: 'start it: `haco lxcfs start` (or `systemctl start lxcfs`)' },
  E_LXCFS_FILE: { area: 'host', meaning: 'the running lxcfs does not provide a file the container binds (an older lxcfs)', hint: 'leave that file out: .lxcfs({ files: [...] })' },
  E_LXCFS_START: { area: 'host', meaning: '`haco lxcfs start` started lxcfs but it did not mount', hint: 'its log is /run/haco/.lxcfs.log; /dev/fuse and the fuse module are needed' },
  E_LXCFS_BUSY: { area: 'host', meaning: 'running containers still read lxcfs files', hint: 'stop them first, or pass --force (their /proc files then fail with ENOTCONN)' },
  E_LXCFS_NOT_OURS: { area: 'host', meaning: 'the lxcfs running on the host was not started by `haco lxcfs start`', hint: 'stop it the way it was started (e.g. `systemctl stop lxcfs`)' },
  E_HOST_DIR: { area: 'host', meaning: 'a directory haco keeps state in is a symlink, not a directory, or owned by another user', hint: 'remove it (or chown it to root) and run the command again' },
  E_KERNEL_NAMESPACE: { area: 'host', meaning: 'the container uses a namespace this kernel does not provide', hint: 'use a kernel with it, or remove the namespace from the definition' },
  E_KERNEL_SECCOMP: { area: 'host', meaning: 'the container has a seccomp filter, but this kernel has no seccomp filter support', hint: 'add .seccomp(false) or use a kernel with CONFIG_SECCOMP_FILTER' },
  E_LAUNCHER_MISSING: { area: 'host', meaning: 'the native launcher is not there and cannot be built (no sources, no compiler, or HACO_LAUNCHER points nowhere)', hint: 'install the build tools the message names, or unset HACO_LAUNCHER' },
  E_LAUNCHER_BUILD: { area: 'host', meaning: 'building the native launcher failed', hint: 'install the build tools (cc, make, libseccomp-dev) and run the command again' },
  E_LAUNCHER_UNTRUSTED: { area: 'host', meaning: 'the cached launcher could have been changed by someone else (owner or mode)', hint: 'remove the cache dir the message names; haco builds the launcher again' },

  // cgroup
  E_CGROUP_NOT_FOUND: { area: 'cgroup', meaning: 'no cgroup filesystem is mounted where haco looks', hint: 'mount cgroup2 on /sys/fs/cgroup, or fix HACO_CGROUP_ROOT' },
  E_CGROUP_NO_V2: { area: 'cgroup', meaning: 'the plan needs cgroup v2 but the host has no v2 hierarchy', hint: 'use a host with cgroup v2 (or hybrid)' },
  E_CGROUP_NO_V1: { area: 'cgroup', meaning: 'the plan needs cgroup v1 but the host has no v1 hierarchies', hint: 'use the v2 settings of the definition instead' },
  E_CGROUP_CONTROLLER: { area: 'cgroup', meaning: 'a controller the container\'s limits need is not available to haco\'s cgroup', hint: 'enable it in the parent\'s cgroup.subtree_control (v2) or mount its hierarchy (v1), or drop the limit' },
  E_CGROUP_SWEEP: { area: 'cgroup', meaning: 'removing the leftover cgroups of stopped containers failed (the launcher says which step and why)', hint: 'see what is still in DIR/cgroup.procs; `haco prune` tries again' },
  E_CGROUP_CPUSET: { area: 'cgroup', meaning: 'the parent cpuset cgroup (v1) cannot be read', hint: 'check that the cpuset hierarchy is mounted and readable' },

  // start
  E_NO_ROOTFS: { area: 'start', meaning: 'the container\'s rootfs (or a layer) does not exist yet', hint: 'build it first: `haco create FILE`' },
  E_NO_COMMAND: { area: 'start', meaning: 'the command to run is not in the container\'s rootfs', hint: 'use a command that exists in the rootfs, or add it in the bootstrap or a provision step' },
  E_PLAN_NO_MOUNT_NS: { area: 'start', meaning: 'the container shares the host\'s mount namespace, which haco needs to switch to the rootfs', hint: "keep 'mount' unshared" },
  E_EVENTS_NO_MEMORY_CGROUP: { area: 'start', meaning: 'onOom/onMemoryPressure hooks need a memory cgroup to watch, and the container has none', hint: 'give it a memory limit, e.g. .memory({ max: \'256M\' })' },
  E_NOT_READY: { area: 'start', meaning: '`haco start -d --wait-ready` gave up: the container did not become ready in time', hint: 'see `haco logs NAME` and the readiness probe in the definition' },
  E_PTY_UNAVAILABLE: { area: 'start', meaning: 'a terminal (-t) was asked for but the container has no devpts of its own', hint: 'drop -t (--no-tty), or keep the standard devpts mount and stdio' },
  E_APPARMOR_UNAVAILABLE: { area: 'start', meaning: 'the definition names an AppArmor profile, but this kernel has no AppArmor enabled', hint: 'use a kernel with AppArmor (`haco doctor` shows it), or remove .apparmor() to get the default, which is skipped with a notice on such hosts' },
  E_ALREADY_RUNNING: { area: 'start', meaning: 'a container of that name is already running', hint: 'see it with `haco ps`; stop it with `haco kill NAME`' },
  E_START_FAILED: { area: 'start', meaning: 'the launcher did not start the container (API start)', hint: 'run `haco start -d FILE` to see the same failure with its step' },

  // lifecycle
  E_NO_CONTAINER: { area: 'lifecycle', meaning: 'no container of that name has state on this host', hint: 'list containers with `haco ps`' },
  E_NOT_RUNNING: { area: 'lifecycle', meaning: 'the container is not running (or exited meanwhile)', hint: 'see `haco ps`; start it with `haco start -d FILE`' },
  E_RUNNING: { area: 'lifecycle', meaning: 'the container is still running, so it cannot be removed', hint: 'stop it first (`haco kill NAME`), or kill and remove it at once: `haco rm -f NAME`' },
  E_KILL: { area: 'lifecycle', meaning: 'signalling a container failed for a reason other than a haco error (e.g. its state could not be read)', hint: 'the message says what failed; `haco ps -a` shows the container\'s state' },
  E_CGROUP_RM: { area: 'lifecycle', meaning: 'the launcher could not remove a container\'s cgroups (host-only spec run by haco rm)', hint: 'the step, path and errno say which; `haco rm --trace NAME` shows every rmdir and the lock' },
  E_BUSY: { area: 'lifecycle', meaning: 'the container\'s cgroups still hold processes, so they cannot be removed', hint: 'see what is left in DIR/cgroup.procs; run `haco rm NAME` again once it is gone' },
  E_KILL_TIMEOUT: { area: 'lifecycle', meaning: 'the supervisor did not exit after the container was killed', hint: 'look at the supervisor.log the message names' },
  E_NO_SAVED_PLAN: { area: 'lifecycle', meaning: 'the plan recorded for a running container is unreadable', hint: 'restart the container to record it again' },
  E_RELOAD_REFUSED: { area: 'lifecycle', meaning: 'the changed definition differs in ways a running container cannot take (only limits can be reloaded)', hint: 'restart the container for those changes' },
  E_RELOAD: { area: 'lifecycle', meaning: 'the launcher failed applying a reload (a step other than a cgroup write or prlimit)', hint: 'the message names the step; `haco reload --trace` shows each system call' },
  E_RELOAD_CGROUP: { area: 'lifecycle', meaning: 'the kernel refused a new cgroup limit during reload', hint: 'e.g. a memory limit below current usage; choose a value the container fits in' },
  E_RELOAD_RLIMIT: { area: 'lifecycle', meaning: 'changing a resource limit of the running container failed during reload', hint: 'raising a hard limit needs CAP_SYS_RESOURCE; or restart the container' },
  E_HOOK_FAILED: { area: 'lifecycle', meaning: 'a lifecycle hook (e.g. afterReload) exited non-zero', hint: 'fix the hook; what the command did before it stands' },

  // network
  E_NO_BRIDGE: { area: 'network', meaning: 'the bridge the container plugs into does not exist, and the definition does not create it', hint: 'create it: `haco net bridge create NAME --address CIDR`' },
  E_NOT_A_BRIDGE: { area: 'network', meaning: 'a link of that name exists but is not a bridge', hint: 'choose another bridge name' },
  E_BRIDGE_SUBNET: { area: 'network', meaning: 'the bridge has no address in the container\'s subnet, so the container could not reach its gateway', hint: 'add the address: `haco net bridge create NAME --address CIDR`' },
  E_BRIDGE_BUSY: { area: 'network', meaning: 'the bridge to remove still has ports', hint: 'stop the containers using it, or pass --force' },
  E_BRIDGE_MISSING: { area: 'network', meaning: 'the bridge vanished right after it was created', hint: 'another program removed it; try again' },
  E_ADDRESS_IN_USE: { area: 'network', meaning: 'the address is already used on this host (a link or a running container)', hint: 'pick another address' },
  E_SUBNET_IN_USE: { area: 'network', meaning: 'the bridge\'s subnet overlaps a subnet already on the host', hint: 'give the bridge a subnet of its own' },
  E_VETH_EXISTS: { area: 'network', meaning: 'a link with the name of the container\'s host-side veth already exists', hint: 'stop the container that owns it, or remove the stale link' },
  E_NO_NETNS: { area: 'network', meaning: 'the network namespace the container joins does not exist', hint: 'create it first (`ip netns add NAME`) or fix the path' },
  E_IP_FAILED: { area: 'network', meaning: 'an `ip` command haco ran failed', hint: 'run the same command by hand to see why; most changes need root' },

  // bootstrap
  E_NO_SOURCE: { area: 'bootstrap', meaning: 'the directory or file to copy from does not exist', hint: 'check the path in the definition' },
  E_NO_ARCHIVE: { area: 'bootstrap', meaning: 'the rootfs archive does not exist', hint: 'make one with `haco archive` or `docker export`' },
  E_TAR_LIST: { area: 'bootstrap', meaning: 'the archive cannot be read as a tar archive', hint: 'use .tar, .tar.gz, .tar.xz or .tar.zst' },
  E_TAR_UNSAFE: { area: 'bootstrap', meaning: 'the archive has entries that would land outside the rootfs (absolute paths, .., links out); nothing was extracted', hint: 'create the archive from inside the tree: `tar -C rootfs -cf out.tar .`' },
  E_TAR_EXTRACT: { area: 'bootstrap', meaning: 'extracting the archive failed', hint: 'the tar output above says why' },
  E_COPY: { area: 'bootstrap', meaning: 'copying the source directory failed', hint: 'the cp output above says why' },
  E_COPY_INTO_ITSELF: { area: 'bootstrap', meaning: 'the rootfs lies inside the directory it is copied from', hint: 'copy from a tree that does not contain the rootfs' },
  E_ROOTFS_PARENT: { area: 'bootstrap', meaning: 'the rootfs\'s parent directory cannot be created', hint: 'choose a writable place for the rootfs' },
  E_NO_LOWER: { area: 'bootstrap', meaning: 'a lower layer of an overlay rootfs does not exist yet', hint: 'create the base container first' },
  E_OVERLAY_DIRS: { area: 'bootstrap', meaning: 'the overlay upper and work directories are the same or on different filesystems', hint: 'keep them apart, on one filesystem (the DSL puts them side by side)' },
  E_NO_BUSYBOX: { area: 'bootstrap', meaning: 'the busybox binary to copy does not exist', hint: 'install busybox-static, or name a static busybox' },
  E_BUSYBOX_DYNAMIC: { area: 'bootstrap', meaning: 'the busybox binary is dynamically linked and would not run in a rootfs without /lib', hint: 'install busybox-static' },
  E_BUSYBOX_LIST: { area: 'bootstrap', meaning: '`busybox --list-full` failed', hint: 'check that the binary is a working busybox' },
  E_SCRIPT_FAILED: { area: 'bootstrap', meaning: 'a bootstrap shell script exited non-zero; the partial rootfs was removed', hint: 'fix the script; its last output lines are in the message' },
  E_NO_MIRROR: { area: 'bootstrap', meaning: 'no Debian/Ubuntu mirror for the suite is in the host\'s apt sources', hint: 'name one in b.debootstrap({ mirror })' },
  E_UNKNOWN_SUITE: { area: 'bootstrap', meaning: 'debootstrap does not know the suite', hint: 'use a suite from /usr/share/debootstrap/scripts' },
  E_SUITE_NOT_ON_MIRROR: { area: 'bootstrap', meaning: 'the mirror has no such suite, or cannot be reached', hint: 'check the suite and the mirror URL' },
  E_MIRROR_UNREACHABLE: { area: 'bootstrap', meaning: 'debootstrap could not download from the mirror', hint: 'check the network, or name a reachable mirror' },
  E_DEBOOTSTRAP: { area: 'bootstrap', meaning: 'debootstrap failed', hint: 'read the debootstrap log the message names' },
  E_LXC_TEMPLATE: { area: 'bootstrap', meaning: 'lxc has no template of that name', hint: 'use one of the templates the message lists' },
  E_LXC_NEEDS_NETWORK: { area: 'bootstrap', meaning: 'the lxc template downloads its image and the download failed', hint: 'use a template that builds locally, or another bootstrap' },
  E_LXC_CREATE: { area: 'bootstrap', meaning: 'lxc-create failed or made no rootfs', hint: 'see the [bootstrap.lxc] lines above' },
  E_IMAGE_REFERENCE: { area: 'bootstrap', meaning: 'the image reference is not one haco reads (docker://, oci-archive:, docker-archive:, oci:DIR:TAG)', hint: 'write the reference with its transport, e.g. docker://debian:bookworm' },
  E_NO_IMAGE: { area: 'bootstrap', meaning: 'the image file or directory does not exist, or the container has no image to name (export kube)', hint: 'build or save the image first, or name one with --image' },
  E_IMAGE_COPY: { area: 'bootstrap', meaning: 'skopeo could not copy the image into the image cache', hint: 'the skopeo output in the message says why (reference, network, registry)' },
  E_IMAGE_LAYOUT: { area: 'bootstrap', meaning: 'the image cache does not hold the image in the expected form (tag, platform)', hint: 'remove the cache directory the message names and run haco create again' },
  E_IMAGE_UNPACK: { area: 'bootstrap', meaning: 'umoci could not unpack the image', hint: 'the umoci output in the message says why' },
  E_IMAGE_LAYERS: { area: 'bootstrap', meaning: "an image with layers: 'shared' cannot be set up that way (post steps, too many layers, an upper dir of other layers)", hint: "the message says which; dropping { layers: 'shared' } unpacks a copy instead" },
  E_IMAGE_USER: { area: 'bootstrap', meaning: 'the image\'s configured user cannot be resolved in its rootfs', hint: 'set the user in the definition, or fix the image' },
  E_INTERRUPTED: { area: 'bootstrap', meaning: 'Ctrl-C or SIGTERM stopped a build, provision step or archive; what was half made was removed', hint: 'run the command again' },

  // provision and archive
  E_NO_STEP: { area: 'provision', meaning: 'the provision step named on the command line does not exist', hint: 'use one of the steps the message lists' },
  E_PROVISION_STEP: { area: 'provision', meaning: 'a provision step exited non-zero (haco exits with the step\'s code)', hint: 'fix the step and run `haco provision FILE` again; steps that succeeded are skipped' },
  E_PROVISION_FILE: { area: 'provision', meaning: 'copying a provision file into the rootfs failed', hint: 'the output in the message says why' },
  E_ARCHIVE: { area: 'provision', meaning: 'archiving the rootfs failed (tar, or mounting the overlay layers)', hint: 'the output in the message says why' },

  E_EXPORT_OVERLAY: { area: 'provision', meaning: 'export oci --link of a container with an overlay rootfs (its rootfs path is only a mount point outside a run)', hint: 'export without --link: the merged tree is copied' },
  E_EXPORT_COPY: { area: 'provision', meaning: 'copying the rootfs into the exported bundle failed', hint: 'the cp output in the message says why' },
  E_EXPORT_IMAGE: { area: 'provision', meaning: 'building the exported OCI image (umoci, skopeo) failed', hint: 'the tool output in the message says why' },
  E_IMPORT: { area: 'provision', meaning: 'the file to import is not an OCI runtime config (config.json or a bundle holding one)', hint: 'give a config.json (`runc spec` makes one) or its bundle directory' },
  E_BUNDLE: { area: 'provision', meaning: '`haco runtime create`: the bundle has no readable OCI runtime config.json', hint: 'give --bundle a directory holding config.json (`haco export oci` or `runc spec` make one)' },
  E_ROOT: { area: 'cli', meaning: '`haco runtime --root` is not a directory', hint: 'give --root a directory (default /run/haco-oci)' },
  E_CRIU_UNAVAILABLE: { area: 'lifecycle', meaning: '`criu check` fails on this machine: this kernel (or this criu) cannot checkpoint processes', hint: 'see `haco doctor`; checkpoint/restore needs a kernel criu supports (e.g. Debian\'s linux-image-cloud-amd64) and the criu package' },
  E_CHECKPOINT: { area: 'lifecycle', meaning: '`criu dump` failed while checkpointing a container', hint: 'read the criu log named in the message (dump.log in the image dir)' },
  E_RESTORE: { area: 'lifecycle', meaning: '`criu restore` failed, or the image dir is not a haco checkpoint', hint: 'read the criu log named in the message (restore.log in the image dir); a checkpoint restores on the machine it was taken on' },
  E_OCI_STATUS: { area: 'lifecycle', meaning: '`haco runtime start/kill/delete` on a container in the wrong status (e.g. delete of a running one)', hint: 'see `haco runtime state ID`; delete --force kills it first' },
  E_OCI_START: { area: 'lifecycle', meaning: '`haco runtime start`: the launch failed after the hold and the supervisor cleaned up', hint: 'run create with --trace to see the failing step' },
  E_OCI_HOOK: { area: 'lifecycle', meaning: '`haco runtime create/start`: a runtime-spec hook from config.json (prestart, createRuntime, createContainer, startContainer) failed, timed out or could not run', hint: 'fix the hook in config.json (its path, args, env, timeout); the message names the point, index and path' },

  // internal
  E_LAUNCH: { area: 'internal', meaning: 'the launcher failed running a host-only spec for which the caller named no code', hint: 'the message carries the launcher\'s step, path and errno' },
  E_INTERNAL: { area: 'internal', meaning: 'an error haco did not expect (a bug): `--json` reports it with this code', hint: 'please report it with the command and its output' },
} as const satisfies Record<string, ErrorInfo>;

/** A code haco may report: a key of ERROR_CODES. */
export type ErrorCode = keyof typeof ERROR_CODES;

export function isErrorCode(value: string): value is ErrorCode {
  return Object.prototype.hasOwnProperty.call(ERROR_CODES, value);
}
