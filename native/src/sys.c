/*
 * sys.c: sys_real, the table of system calls the launcher uses when it runs
 * for real (haco.h says which calls go through c->sys and why). Each entry is
 * the glibc wrapper itself where its type fits, else a one-line adapter to
 * the raw system call (pivot_root, clone, clone3, capget, capset and bpf have
 * no glibc wrapper with these arguments).
 */
#include "haco.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <linux/sched.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

/* With no stack given, the child goes on from here on a copy of our memory, as after fork(2). */
static long real_clone(unsigned long flags)
{
	return syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, 0);
}

static long real_clone3(struct clone_args *args, size_t size)
{
	return syscall(SYS_clone3, args, size);
}

static int real_pivot_root(const char *new_root, const char *put_old)
{
	return (int)syscall(SYS_pivot_root, new_root, put_old);
}

static int real_open(const char *path, int flags, mode_t mode)
{
	return open(path, flags, mode);
}

/* glibc's resource type is an enum under _GNU_SOURCE */
static int real_prlimit(pid_t pid, int resource, const struct rlimit *rl)
{
	return prlimit(pid, (__rlimit_resource_t)resource, rl, NULL);
}

static int real_setrlimit(int resource, const struct rlimit *rl)
{
	return setrlimit((__rlimit_resource_t)resource, rl);
}

static int real_capget(struct __user_cap_header_struct *hdr, struct __user_cap_data_struct *data)
{
	return (int)syscall(SYS_capget, hdr, data);
}

static int real_capset(struct __user_cap_header_struct *hdr, struct __user_cap_data_struct *data)
{
	return (int)syscall(SYS_capset, hdr, data);
}

static int real_prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5)
{
	return prctl(option, a2, a3, a4, a5);
}

static int real_ioctl(int fd, unsigned long request, void *arg)
{
	return ioctl(fd, request, arg);
}

static long real_bpf(int cmd, void *attr, unsigned size)
{
	return syscall(SYS_bpf, cmd, attr, size);
}

static int real_seccomp_load(void *filter)
{
	return seccomp_load(filter);
}

static int real_fchmodat(int dirfd, const char *name, mode_t mode)
{
	return fchmodat(dirfd, name, mode, 0);
}

static int real_fchownat(int dirfd, const char *name, uid_t uid, gid_t gid)
{
	return fchownat(dirfd, name, uid, gid, AT_SYMLINK_NOFOLLOW);
}

static int real_seccomp_filter(const void *insns, size_t len)
{
	struct sock_fprog prog = { .len = (unsigned short)(len / sizeof(struct sock_filter)), .filter = (struct sock_filter *)insns };
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

static int real_execvp(const char *file, char *const argv[])
{
	return execvp(file, argv);
}

const struct sys sys_real = {
	.clone = real_clone,
	.clone3 = real_clone3,
	.unshare = unshare,
	.setns = setns,
	.mount = mount,
	.umount2 = umount2,
	.statfs = statfs,
	.pivot_root = real_pivot_root,
	.chroot = chroot,
	.chdir = chdir,
	.open = real_open,
	.write = write,
	.read = read,
	.close = close,
	.flock = flock,
	.mkdir = mkdir,
	.rmdir = rmdir,
	.symlinkat = symlinkat,
	.mknodat = mknodat,
	.fchmodat = real_fchmodat,
	.fchownat = real_fchownat,
	.capget = real_capget,
	.capset = real_capset,
	.prctl = real_prctl,
	.sethostname = sethostname,
	.setrlimit = real_setrlimit,
	.prlimit = real_prlimit,
	.setgroups = setgroups,
	.setresgid = setresgid,
	.setresuid = setresuid,
	.setsid = setsid,
	.ioctl = real_ioctl,
	.bpf = real_bpf,
	.seccomp_load = real_seccomp_load,
	.seccomp_filter = real_seccomp_filter,
	.execvp = real_execvp,
	.open_tree = open_tree,
	.mount_setattr = mount_setattr,
	.move_mount = move_mount,
	.socket = socket,
	.connect = connect,
	.sendmsg = sendmsg,
};
