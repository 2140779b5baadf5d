/*
 * fake_sys.c: the recording fake of struct sys (fake_sys.h). Each entry
 * writes one line "NAME ARGS" and succeeds without touching the kernel,
 * unless fake_fail() picked it: then it returns -1 with that errno, like the
 * real call would.
 */
#include "fake_sys.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <sched.h>
#include <sys/syscall.h>

#include <signal.h>
#include <linux/bpf.h>
#include <linux/sockios.h>
#include <net/if.h>

static char log_path[4096], root[4096], fail_prefix[256], open_prefix[256];
static int fail_err, exit_status;
enum { FAKE_LAST_CAP = 40 };
static unsigned long long bounding = (1ULL << (FAKE_LAST_CAP + 1)) - 1;
static int has_setpcap = 1, questions;
static char file_path[256], file_content[256];
static pid_t child_pid;

/* Fake fds for what sys->open and sys->bpf return: above anything real. */
enum { FAKE_FD = 1000, FAKE_FDS = 64 };
static char fd_path[FAKE_FDS][512];
static int next_fd;
static size_t read_off[FAKE_FDS]; /* f_read's position in each fake fd */

void fake_setup(const char *log, const char *rootfs)
{
	snprintf(log_path, sizeof(log_path), "%s", log);
	snprintf(root, sizeof(root), "%s", rootfs);
	fail_prefix[0] = '\0';
	open_prefix[0] = '\0';
	next_fd = 0;
	exit_status = 0;
	bounding = (1ULL << (FAKE_LAST_CAP + 1)) - 1;
	has_setpcap = 1;
	questions = 0;
	file_path[0] = '\0';
}

void fake_file(const char *path, const char *content)
{
	snprintf(file_path, sizeof(file_path), "%s", content ? path : "");
	snprintf(file_content, sizeof(file_content), "%s", content ? content : "");
}

void fake_bounding(unsigned long long set, int setpcap)
{
	bounding = set;
	has_setpcap = setpcap;
}

void fake_record_questions(int on)
{
	questions = on;
}

void fake_exit_status(int status)
{
	exit_status = status;
}

void fake_trace_opens(const char *prefix)
{
	snprintf(open_prefix, sizeof(open_prefix), "%s", prefix);
}

void fake_fail(const char *prefix, int err)
{
	snprintf(fail_prefix, sizeof(fail_prefix), "%s", prefix);
	fail_err = err;
}

/* ROOT for the rootfs prefix, PID for the child's pid in /proc/N/. */
static void normalize(char *line, size_t size)
{
	char out[8192], pidpath[32];
	size_t n = 0, rl = strlen(root);
	snprintf(pidpath, sizeof(pidpath), "/proc/%d/", (int)child_pid);
	size_t pl = strlen(pidpath);
	for (const char *p = line; *p && n + 8 < sizeof(out);) {
		if (rl && strncmp(p, root, rl) == 0) {
			memcpy(out + n, "ROOT", 4), n += 4, p += rl;
		} else if (child_pid > 0 && strncmp(p, pidpath, pl) == 0) {
			memcpy(out + n, "/proc/PID/", 10), n += 10, p += pl;
		} else
			out[n++] = *p++;
	}
	out[n < size ? n : size - 1] = '\0';
	memcpy(line, out, strlen(out) + 1);
}

/* Append the line; returns 0, or -1 with errno when fake_fail() chose this call. */
static int rec(const char *format, ...) __attribute__((format(printf, 1, 2)));
static int rec(const char *format, ...)
{
	char line[8192];
	va_list ap;
	va_start(ap, format);
	vsnprintf(line, sizeof(line) - 1, format, ap);
	va_end(ap);
	normalize(line, sizeof(line) - 1);
	int failing = fail_prefix[0] && strncmp(line, fail_prefix, strlen(fail_prefix)) == 0;
	if (failing)
		fail_prefix[0] = '\0'; /* the first match only */
	strcat(line, failing ? " = FAIL\n" : "\n");
	int fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd >= 0) {
		ssize_t w = write(fd, line, strlen(line));
		(void)w;
		close(fd);
	}
	if (failing)
		return errno = fail_err, -1;
	return 0;
}

/* The path an fd stands for: a fake one's, or a real one's (resolve.c's O_PATH fds). */
static const char *fdname(int fd, char *buf, size_t size)
{
	if (fd >= FAKE_FD && fd < FAKE_FD + FAKE_FDS)
		return fd_path[fd - FAKE_FD];
	char link[64];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, buf, size - 1);
	buf[n < 0 ? 0 : n] = '\0';
	return buf;
}

/* mount(2) is given /proc/self/fd/N: show the path N stands for. */
static const char *pathname(const char *p, char *buf, size_t size)
{
	int fd;
	if (p && sscanf(p, "/proc/self/fd/%d", &fd) == 1)
		return fdname(fd, buf, size);
	return p ? p : "NULL";
}

static const struct flagname MS[] = {
	{ MS_RDONLY, "RDONLY" }, { MS_NOSUID, "NOSUID" }, { MS_NODEV, "NODEV" }, { MS_NOEXEC, "NOEXEC" },
	{ MS_REMOUNT, "REMOUNT" }, { MS_BIND, "BIND" }, { MS_REC, "REC" }, { MS_PRIVATE, "PRIVATE" },
	{ MS_SLAVE, "SLAVE" }, { MS_SHARED, "SHARED" }, { MS_RELATIME, "RELATIME" }, { 0, NULL },
};

static long f_clone(unsigned long flags)
{
	char fl[256];
	unsigned long kinds = flags & ~(unsigned long)CLONE_PARENT;
	if (rec("clone %s%s", kinds ? ns_flags_str(fl, sizeof(fl), (int)kinds) : flags ? "" : "0",
	        flags & CLONE_PARENT ? (kinds ? "|CLONE_PARENT" : "CLONE_PARENT") : "") < 0)
		return -1;
	pid_t p = fork();
	if (p > 0)
		child_pid = p;
	return p;
}

static long f_clone3(struct clone_args *args, size_t size)
{
	char fl[256], buf[512];
	(void)size;
	ns_flags_str(fl, sizeof(fl), (int)(args->flags & ~CLONE_INTO_CGROUP));
	if (rec("clone3 %s%sCLONE_INTO_CGROUP cgroup=%s", fl, fl[0] ? "|" : "", fdname((int)args->cgroup, buf, sizeof(buf))) < 0)
		return -1;
	pid_t p = fork();
	if (p > 0)
		child_pid = p;
	return p;
}

static int f_unshare(int flags)
{
	char fl[256];
	return rec("unshare %s", ns_flags_str(fl, sizeof(fl), flags));
}

static int f_setns(int fd, int nstype)
{
	char fl[256], buf[512];
	return rec("setns %s %s", fdname(fd, buf, sizeof(buf)), ns_flags_str(fl, sizeof(fl), nstype));
}

static int f_mount(const char *src, const char *target, const char *fstype, unsigned long flags, const void *data)
{
	char fl[256], b1[512], b2[512];
	return rec("mount %s %s %s %s %s", pathname(src, b1, sizeof(b1)), pathname(target, b2, sizeof(b2)),
	           fstype ? fstype : "NULL", flags_str(fl, sizeof(fl), MS, flags), data ? (const char *)data : "NULL");
}

static int f_umount2(const char *target, int flags)
{
	return rec("umount2 %s%s", target, flags & MNT_DETACH ? " DETACH" : "");
}

/* A FUSE mount, writable: what fuse-overlayfs gives (fuse-root checks it). */
static int f_statfs(const char *path, struct statfs *buf)
{
	memset(buf, 0, sizeof(*buf));
	buf->f_type = 0x65735546;
	return rec("statfs %s", path);
}

static int f_pivot_root(const char *new_root, const char *put_old)
{
	return rec("pivot_root %s %s", new_root, put_old);
}

static int f_chroot(const char *path)
{
	return rec("chroot %s", path);
}

static int f_chdir(const char *path)
{
	return rec("chdir %s", path);
}

static int new_fd(const char *path)
{
	if (next_fd == FAKE_FDS)
		return errno = EMFILE, -1;
	snprintf(fd_path[next_fd], sizeof(fd_path[0]), "%s", path);
	read_off[next_fd] = 0;
	return FAKE_FD + next_fd++;
}

/* Opening to read or write is not a change; creating a file is. An open that
 * fake_fail() names ("open PATH") is recorded and fails. */
static int f_open(const char *path, int flags, mode_t mode)
{
	if ((flags & O_CREAT) && rec("create %s 0%o", path, (unsigned)mode) < 0)
		return -1;
	if (!(flags & O_CREAT) && ((strncmp(fail_prefix, "open ", 5) == 0 && strncmp(path, fail_prefix + 5, strlen(fail_prefix + 5)) == 0) ||
	                           (open_prefix[0] && strncmp(path, open_prefix, strlen(open_prefix)) == 0)) &&
	    rec("open %s", path) < 0)
		return -1;
	if (file_path[0] && strcmp(path, file_path) == 0 && (flags & O_ACCMODE) == O_RDONLY) {
		/* a real fd to read the content from: a pipe holds it */
		int p[2];
		if ((questions && rec("open %s", path) < 0) || pipe2(p, O_CLOEXEC) < 0)
			return -1;
		ssize_t w = write(p[1], file_content, strlen(file_content));
		(void)w;
		close(p[1]);
		return p[0];
	}
	return new_fd(path);
}

/* The launcher's cgroups as /proc/self/cgroup would tell them (cgroup_move.c reads it). */
static const char SELF_CGROUP[] = "12:pids:/user.slice\n"
	"5:cpu,cpuacct:/\n"
	"4:devices:/user.slice/session-1.scope\n"
	"3:freezer:/../outside\n" /* a cgroup outside the cgroup namespace's root */
	"1:name=systemd:/user.slice\n"
	"0::/user.slice\n";

static ssize_t f_read(int fd, void *buf, size_t len)
{
	if (fd < FAKE_FD || fd >= FAKE_FD + FAKE_FDS)
		return read(fd, buf, len);
	int i = fd - FAKE_FD;
	if (strcmp(fd_path[i], "/proc/self/cgroup") != 0)
		return 0;
	size_t left = sizeof(SELF_CGROUP) - 1 - read_off[i];
	size_t n = len < left ? len : left;
	memcpy(buf, SELF_CGROUP + read_off[i], n);
	read_off[i] += n;
	return (ssize_t)n;
}

static ssize_t f_write(int fd, const void *buf, size_t len)
{
	char b[512], data[1024];
	size_t k = 0;
	for (size_t i = 0; i < len && k + 3 < sizeof(data); i++) { /* one line: newlines as \n */
		if (((const char *)buf)[i] == '\n')
			data[k++] = '\\', data[k++] = 'n';
		else
			data[k++] = ((const char *)buf)[i];
	}
	data[k] = '\0';
	if (rec("write %s %s", fdname(fd, b, sizeof(b)), data) < 0)
		return -1;
	return (ssize_t)len;
}

static int f_close(int fd)
{
	return fd >= FAKE_FD ? 0 : close(fd);
}

static int f_flock(int fd, int op)
{
	char b[512];
	return rec("flock %s %s", fdname(fd, b, sizeof(b)), (op & LOCK_EX) ? "LOCK_EX" : "LOCK_SH");
}

static int f_mkdir(const char *path, mode_t mode)
{
	return rec("mkdir %s 0%o", path, (unsigned)mode);
}

static int f_rmdir(const char *path)
{
	return rec("rmdir %s", path);
}

static int f_symlinkat(const char *target, int dirfd, const char *name)
{
	char b[512];
	return rec("symlink %s %s/%s", target, fdname(dirfd, b, sizeof(b)), name);
}

static int f_mknodat(int dirfd, const char *name, mode_t mode, dev_t dev)
{
	char b[512];
	const char *type = S_ISCHR(mode) ? "c" : S_ISBLK(mode) ? "b" : S_ISFIFO(mode) ? "p" : "?";
	return rec("mknod %s/%s %s 0%o %u:%u", fdname(dirfd, b, sizeof(b)), name, type, (unsigned)(mode & 07777), major(dev), minor(dev));
}

static int f_fchmodat(int dirfd, const char *name, mode_t mode)
{
	char b[512];
	return rec("chmod %s/%s 0%o", fdname(dirfd, b, sizeof(b)), name, (unsigned)mode);
}

static int f_fchownat(int dirfd, const char *name, uid_t uid, gid_t gid)
{
	char b[512];
	return rec("chown %s/%s %u:%u", fdname(dirfd, b, sizeof(b)), name, (unsigned)uid, (unsigned)gid);
}

/* As root before any drop: every capability of this fake kernel (0-40) in every set but ambient. */
static int f_capget(struct __user_cap_header_struct *hdr, struct __user_cap_data_struct *data)
{
	(void)hdr;
	data[0].effective = data[0].permitted = 0xffffffff;
	data[1].effective = data[1].permitted = 0x1ff;
	data[0].inheritable = data[1].inheritable = 0;
	return 0;
}

static int f_capset(struct __user_cap_header_struct *hdr, struct __user_cap_data_struct *data)
{
	(void)hdr;
	return rec("capset effective=%#llx permitted=%#llx inheritable=%#llx",
	           (unsigned long long)data[1].effective << 32 | data[0].effective,
	           (unsigned long long)data[1].permitted << 32 | data[0].permitted,
	           (unsigned long long)data[1].inheritable << 32 | data[0].inheritable);
}

static int f_prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5)
{
	(void)a4, (void)a5;
	switch (option) {
	case PR_CAPBSET_READ: /* a question, not a change: recorded only when asked */
		if (questions && rec("prctl PR_CAPBSET_READ %lu", a2) < 0)
			return -1;
		return a2 <= FAKE_LAST_CAP ? (int)(bounding >> a2 & 1) : (errno = EINVAL, -1);
	case PR_CAPBSET_DROP:
		/* The kernel checks CAP_SETPCAP first, whether or not CAP is in the set. */
		if (rec("prctl PR_CAPBSET_DROP %lu%s", a2, has_setpcap ? "" : " EPERM") < 0)
			return -1;
		if (!has_setpcap)
			return errno = EPERM, -1;
		if (a2 > FAKE_LAST_CAP)
			return errno = EINVAL, -1;
		bounding &= ~(1ULL << a2);
		return 0;
	case PR_SET_NO_NEW_PRIVS: return rec("prctl PR_SET_NO_NEW_PRIVS %lu", a2);
	case PR_SET_KEEPCAPS: return rec("prctl PR_SET_KEEPCAPS %lu", a2);
	case PR_SET_PDEATHSIG: return rec("prctl PR_SET_PDEATHSIG %lu", a2);
	case PR_CAP_AMBIENT:
		if (a2 == PR_CAP_AMBIENT_CLEAR_ALL)
			return rec("prctl PR_CAP_AMBIENT_CLEAR_ALL");
		return rec("prctl PR_CAP_AMBIENT %lu %lu", a2, a3);
	default: return rec("prctl %d %lu", option, a2);
	}
}

static int f_sethostname(const char *name, size_t len)
{
	return rec("sethostname %.*s", (int)len, name);
}

static int f_prlimit(pid_t pid, int resource, const struct rlimit *rl)
{
	return rec("prlimit %d %s %llu %llu", (int)pid, resource == RLIMIT_NOFILE ? "NOFILE" : resource == RLIMIT_NPROC ? "NPROC" : "?",
	           (unsigned long long)rl->rlim_cur, (unsigned long long)rl->rlim_max);
}

static int f_setrlimit(int resource, const struct rlimit *rl)
{
	return rec("setrlimit %s %llu %llu", resource == RLIMIT_NOFILE ? "NOFILE" : resource == RLIMIT_NPROC ? "NPROC" : "?",
	           (unsigned long long)rl->rlim_cur, (unsigned long long)rl->rlim_max);
}

static int f_setgroups(size_t n, const gid_t *groups)
{
	char list[256] = "";
	size_t k = 0;
	for (size_t i = 0; i < n && k < sizeof(list); i++)
		k += (size_t)snprintf(list + k, sizeof(list) - k, "%s%u", i ? "," : "", (unsigned)groups[i]);
	return rec("setgroups [%s]", list);
}

static int f_setresgid(gid_t r, gid_t e, gid_t s)
{
	return rec("setresgid %u %u %u", (unsigned)r, (unsigned)e, (unsigned)s);
}

static int f_setresuid(uid_t r, uid_t e, uid_t s)
{
	return rec("setresuid %u %u %u", (unsigned)r, (unsigned)e, (unsigned)s);
}

static pid_t f_setsid(void)
{
	return rec("setsid") < 0 ? -1 : getpid();
}

static int f_ioctl(int fd, unsigned long request, void *arg)
{
	(void)fd;
	const struct ifreq *ifr = arg;
	return rec("ioctl %s %s", request == SIOCGIFFLAGS ? "SIOCGIFFLAGS" : request == SIOCSIFFLAGS ? "SIOCSIFFLAGS" : "?",
	           ifr->ifr_name);
}

static long f_bpf(int cmd, void *attr, unsigned size)
{
	char b[512];
	const union bpf_attr *a = attr;
	(void)size;
	if (cmd == BPF_PROG_LOAD)
		return rec("bpf BPF_PROG_LOAD %s", a->prog_type == BPF_PROG_TYPE_CGROUP_DEVICE ? "CGROUP_DEVICE" : "?") < 0
		       ? -1 : new_fd("bpf-prog"); /* the program itself: devices_test.c */
	if (cmd == BPF_PROG_ATTACH)
		return rec("bpf BPF_PROG_ATTACH %s", fdname((int)a->target_fd, b, sizeof(b)));
	return rec("bpf %d", cmd);
}

static int f_seccomp_load(void *filter)
{
	(void)filter;
	return rec("seccomp_load") < 0 ? -errno : 0; /* libseccomp returns -errno */
}

static int f_seccomp_filter(const void *insns, size_t len)
{
	(void)insns;
	return rec("seccomp SECCOMP_SET_MODE_FILTER %zu insns", len / 8);
}

/* A real exec would not return: the "program" exits at once (0, or fake_exit_status()). */
static int f_execvp(const char *file, char *const argv[])
{
	char args[1024] = "";
	size_t k = 0;
	for (int i = 1; argv[i] && k < sizeof(args); i++)
		k += (size_t)snprintf(args + k, sizeof(args) - k, " %s", argv[i]);
	if (rec("execvp %s%s", file, args) < 0)
		return -1;
	if (exit_status == FAKE_KILL_LAUNCHER) {
		kill(getppid(), SIGKILL);
		for (;;)
			pause(); /* until PDEATHSIG */
	}
	_exit(exit_status);
}

static int f_open_tree(int dfd, const char *path, unsigned int flags)
{
	(void)dfd;
	if (rec("open_tree %s%s", path, flags & OPEN_TREE_CLONE ? " CLONE" : "") < 0)
		return -1;
	return new_fd(path);
}

static int f_mount_setattr(int dfd, const char *path, unsigned int flags, struct mount_attr *attr, size_t size)
{
	(void)path, (void)flags, (void)size;
	char b1[512], b2[512];
	return rec("mount_setattr %s%s userns=%s", fdname(dfd, b1, sizeof(b1)),
	           attr->attr_set & MOUNT_ATTR_IDMAP ? " IDMAP" : "", fdname((int)attr->userns_fd, b2, sizeof(b2)));
}

static int f_move_mount(int from_dfd, const char *from_path, int to_dfd, const char *to_path, unsigned int flags)
{
	(void)from_path, (void)to_dfd, (void)flags;
	char b[512];
	return rec("move_mount %s %s", fdname(from_dfd, b, sizeof(b)), to_path);
}

static int f_socket(int domain, int type, int protocol)
{
	(void)protocol;
	if (rec("socket %s %s", domain == AF_UNIX ? "AF_UNIX" : "?", (type & ~SOCK_CLOEXEC) == SOCK_STREAM ? "SOCK_STREAM" : "?") < 0)
		return -1;
	return new_fd("socket");
}

static int f_connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	char b[512];
	(void)len;
	const struct sockaddr_un *a = (const struct sockaddr_un *)addr;
	return rec("connect %s %s", fdname(fd, b, sizeof(b)), a->sun_path);
}

/* The payload and whether one fd travels (its number is the test's business). */
static ssize_t f_sendmsg(int fd, const struct msghdr *msg, int flags)
{
	char b[512];
	(void)flags;
	const struct cmsghdr *cm = CMSG_FIRSTHDR(msg);
	int rights = cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS && cm->cmsg_len == CMSG_LEN(sizeof(int));
	if (rec("sendmsg %s \"%.*s\"%s", fdname(fd, b, sizeof(b)), (int)msg->msg_iov[0].iov_len, (const char *)msg->msg_iov[0].iov_base,
	        rights ? " SCM_RIGHTS [1 fd]" : "") < 0)
		return -1;
	return (ssize_t)msg->msg_iov[0].iov_len;
}

const struct sys sys_fake = {
	.clone = f_clone, .clone3 = f_clone3, .unshare = f_unshare, .setns = f_setns,
	.mount = f_mount, .umount2 = f_umount2, .statfs = f_statfs, .pivot_root = f_pivot_root, .chroot = f_chroot, .chdir = f_chdir,
	.open = f_open, .write = f_write, .read = f_read, .close = f_close, .flock = f_flock,
	.mkdir = f_mkdir, .rmdir = f_rmdir, .symlinkat = f_symlinkat,
	.mknodat = f_mknodat, .fchmodat = f_fchmodat, .fchownat = f_fchownat,
	.capget = f_capget, .capset = f_capset, .prctl = f_prctl, .sethostname = f_sethostname,
	.setrlimit = f_setrlimit, .prlimit = f_prlimit, .setgroups = f_setgroups, .setresgid = f_setresgid, .setresuid = f_setresuid,
	.setsid = f_setsid, .ioctl = f_ioctl, .bpf = f_bpf, .seccomp_load = f_seccomp_load, .seccomp_filter = f_seccomp_filter, .execvp = f_execvp,
	.socket = f_socket, .connect = f_connect, .sendmsg = f_sendmsg,
	.open_tree = f_open_tree, .mount_setattr = f_mount_setattr, .move_mount = f_move_mount,
};
