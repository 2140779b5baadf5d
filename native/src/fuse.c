/*
 * fuse.c: `fuse-overlay PATH ARGV...` (wire phase) and `fuse-root PATH` (enter
 * phase): a layered rootfs mounted by fuse-overlayfs instead of the kernel's
 * overlayfs (docs/rootfs.md "Layers through FUSE"). TS decides when (a kernel
 * that cannot mount overlayfs in a user namespace, or `.rootfs(p, { lower,
 * overlay: 'fuse' })`) and the program's argv; this file runs it.
 *
 * The daemon: forked by the launcher, in the container's user namespace, and
 * with a mount namespace of its own copied from the container's:
 *
 *   setns(/proc/CHILD/ns/user)
 *   open("/dev/fuse")                     in that namespace (FUSE wants it so), with the launcher's ids (0600 root on some hosts)
 *   setns(/proc/CHILD/ns/mnt)
 *   setresgid/setresuid(0)                the container's root: its upper and work dirs
 *   mount("fuse.fuse-overlayfs" on PATH, fd=N)   in the container's mount namespace
 *   unshare(CLONE_NEWNS)                  out of it again (a copy)
 *   PR_SET_PDEATHSIG(SIGKILL)             after the id change, which clears it
 *   execvp(ARGV..., "/dev/fd/N")          libfuse serves an fd already mounted
 *
 * Why its own mount namespace: pivot_root(2) in the container moves the root of
 * every process of that namespace whose root is the old one; the daemon would
 * end up with the FUSE mount it serves as its root and its /proc the
 * container's. Why mount before exec rather than let fuse-overlayfs do it: the
 * mount is then the container's (its namespace is owned by the container's
 * user namespace, so nothing propagates back to the host), and /dev/fuse is
 * opened while the launcher still has its own rights.
 *
 * Lifetime as for `helper` (helper.c): a child of the launcher (the supervisor
 * when detached), in its own process group, stdin /dev/null; PR_SET_PDEATHSIG
 * kills it with a launcher killed by SIGKILL; the launcher sends SIGTERM after
 * the run and reaps it. Its mount namespace then has no process left and goes
 * with its copy of the mount; the container's copy went with the container.
 * Failures before the exec come back on a close-on-exec pipe (EOF: exec'd).
 */
#include "haco.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#define FUSE_MAGIC 0x65735546 /* FUSE_SUPER_MAGIC, linux/magic.h */
#define FUSE_FSTYPE "fuse.fuse-overlayfs"

/* In the forked daemon: report "what: ERRNO (text)" on the pipe and exit. */
static void __attribute__((noreturn)) daemon_fail(int pipefd, const char *what, int err)
{
	dprintf(pipefd, "%s: %s (%s)", what, errno_name(err), strerror(err));
	_exit(125);
}

static int open_child_ns(struct ctx *c, const char *kind)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)c->child, kind); /* always fits */
	return (int)traced(c, c->sys->open(path, O_RDONLY | O_CLOEXEC, 0), "open(\"%s\", O_RDONLY)", path);
}

/* The daemon's side, up to the exec. Never returns. */
static void __attribute__((noreturn)) daemon_run(struct ctx *c, int pipefd, pid_t launcher, const char *path, char **cmd, int ncmd)
{
	int root = getuid() == 0; /* root's supplementary groups are dropped; a user's own stay (setgroups may be denied) */
	if (setpgid(0, 0) < 0)
		daemon_fail(pipefd, "setpgid", errno);
	int null = open("/dev/null", O_RDONLY);
	if (null < 0 || (null != 0 && dup2(null, 0) < 0))
		daemon_fail(pipefd, "stdin /dev/null", errno);
	fds_cloexec_from(3);
	int userns = open_child_ns(c, "user"), mntns = open_child_ns(c, "mnt");
	if (userns < 0 || mntns < 0)
		daemon_fail(pipefd, "open the container's namespaces", errno);
	if (traced(c, c->sys->setns(userns, CLONE_NEWUSER), "setns(%d, CLONE_NEWUSER)   /* the container's user namespace */", userns) < 0)
		daemon_fail(pipefd, "setns into the container's user namespace", errno);
	/* Opened in the container's user namespace (FUSE refuses, EINVAL, an fd opened in
	 * another one) but still with the launcher's ids (/dev/fuse may be 0600 root).
	 * Not close-on-exec: fuse-overlayfs serves it. */
	int dev = (int)traced(c, c->sys->open("/dev/fuse", O_RDWR, 0), "open(\"/dev/fuse\", O_RDWR)");
	if (dev < 0)
		daemon_fail(pipefd, "open /dev/fuse", errno);
	if (traced(c, c->sys->setns(mntns, CLONE_NEWNS), "setns(%d, CLONE_NEWNS)   /* the container's mount namespace */", mntns) < 0)
		daemon_fail(pipefd, "setns into the container's mount namespace", errno);
	if (root && traced(c, c->sys->setgroups(0, NULL), "setgroups(0, NULL)") < 0)
		daemon_fail(pipefd, "setgroups", errno);
	if (traced(c, c->sys->setresgid(0, 0, 0), "setresgid(0, 0, 0)") < 0 || traced(c, c->sys->setresuid(0, 0, 0), "setresuid(0, 0, 0)") < 0)
		daemon_fail(pipefd, "become the container's root", errno);
	char data[128];
	snprintf(data, sizeof(data), "fd=%d,rootmode=40000,user_id=0,group_id=0,allow_other,default_permissions", dev); /* fits */
	if (traced(c, c->sys->mount("fuse-overlayfs", path, FUSE_FSTYPE, 0, data), "mount(\"fuse-overlayfs\", \"%s\", \"%s\", 0, \"%s\")", path, FUSE_FSTYPE, data) < 0)
		daemon_fail(pipefd, "mount " FUSE_FSTYPE, errno);
	if (traced(c, c->sys->unshare(CLONE_NEWNS), "unshare(CLONE_NEWNS)   /* out of the container's mount namespace: its pivot_root must not move our root */") < 0)
		daemon_fail(pipefd, "unshare(CLONE_NEWNS)", errno);
	/* The id change above cleared any earlier parent-death signal: set it now. */
	if (traced(c, c->sys->prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0), "prctl(PR_SET_PDEATHSIG, SIGKILL)") < 0)
		daemon_fail(pipefd, "prctl(PR_SET_PDEATHSIG)", errno);
	if (getppid() != launcher)
		_exit(125);
	signal(SIGINT, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	char fdarg[32];
	snprintf(fdarg, sizeof(fdarg), "/dev/fd/%d", dev);
	char **args = calloc((size_t)ncmd + 2, sizeof(char *));
	if (!args)
		daemon_fail(pipefd, "calloc", ENOMEM);
	memcpy(args, cmd, (size_t)ncmd * sizeof(char *));
	args[ncmd] = fdarg;
	c->sys->execvp(args[0], args);
	daemon_fail(pipefd, "exec", errno);
}

int step_fuse_overlay(struct ctx *c, char **argv, int argc)
{
	const char *path = argv[0];
	char **cmd = argv + 1;
	int ncmd = argc - 1;
	if (c->nhelpers >= (int)(sizeof(c->helpers) / sizeof(c->helpers[0])))
		return fail(c, 0, "fuse-overlay %s: at most %d helpers", path, (int)(sizeof(c->helpers) / sizeof(c->helpers[0])));
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return fail(c, errno, "fuse-overlay %s: pipe2", path);
	tracef(c, "fork()   /* fuse-overlayfs for %s, in the container's user namespace */", path);
	pid_t launcher = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(p[0]), close(p[1]);
		return fail(c, e, "fuse-overlay %s: fork", path);
	}
	if (pid == 0) {
		close(p[0]);
		daemon_run(c, p[1], launcher, path, cmd, ncmd);
	}
	close(p[1]);
	c->helpers[c->nhelpers++] = pid;
	char msg[512];
	ssize_t n, got = 0;
	while ((n = read(p[0], msg + got, sizeof(msg) - 1 - (size_t)got)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		got += n;
		if ((size_t)got >= sizeof(msg) - 1)
			break;
	}
	close(p[0]);
	if (got == 0) {
		tracef(c, "fuse-overlayfs for %s: started (pid %d)", path, (int)pid);
		return 0;
	}
	msg[got] = 0;
	c->nhelpers--;
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return fail(c, 0, "fuse-overlay %s: %s", path, msg);
}

int step_fuse_root(struct ctx *c, char **argv, int argc)
{
	(void)argc;
	/* The first request waits for fuse-overlayfs to answer FUSE_INIT; ENOTCONN: it is gone (its message is above). */
	struct statfs sf;
	if (traced(c, c->sys->statfs(argv[0], &sf), "statfs(\"%s\")", argv[0]) < 0)
		return fail(c, errno, "fuse-root %s: fuse-overlayfs does not serve it", argv[0]);
	if (sf.f_type != FUSE_MAGIC)
		return fail(c, 0, "fuse-root %s: not a FUSE mount (f_type 0x%lx): no fuse-overlayfs mount there", argv[0], (unsigned long)sf.f_type);
	/* Never a silent read-only rootfs (as overlay-root): a read-only root is asked for by remount-root-ro. */
	if (sf.f_flags & ST_RDONLY)
		return fail(c, EROFS, "fuse-root %s: fuse-overlayfs mounted it read-only", argv[0]);
	if (set_root(c, argv[0]) < 0)
		return fail(c, errno, "fuse-root: open %s", argv[0]);
	return 0;
}
