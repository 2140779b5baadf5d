/*
 * fds.c: which file descriptors a program started by the launcher gets.
 *
 * Whatever the caller of haco had open (a directory on fd 7, a socket...) is
 * inherited by the launcher. Reaching the container, such an fd is a way out of
 * it: /proc/self/fd/7/.. walks the host's tree (runc's CVE-2024-21626). So every
 * exec the launcher makes (the container's command, hooks, cleanup commands)
 * keeps fds 0-2 and, for the container, the `preserve-fds N` ones (3..3+N-1),
 * and nothing else. The launcher opens its own fds O_CLOEXEC as well; this is
 * the second, independent line: it also covers fds it did not open itself.
 */
#include "haco.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_close_range
#define SYS_close_range 436 /* same number on every architecture */
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* The highest fd a loop must try when neither close_range nor /proc helps: the
 * larger rlimit (an fd may have been opened before a lower limit was set). */
static int fd_ceiling(void)
{
	struct rlimit rl;
	long max = sysconf(_SC_OPEN_MAX);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_max != RLIM_INFINITY && (long)rl.rlim_max > max)
		max = (long)rl.rlim_max;
	if (max < 1024)
		max = 1024;
	if (max > 1 << 20) /* the kernel's nr_open default; beyond it a loop takes too long */
		max = 1 << 20;
	return (int)max;
}

/* close() or mark FD_CLOEXEC every fd >= first (but keep); says how. */
static const char *sweep(int first, int keep, int cloexec)
{
	/* /proc/self/fd lists exactly the open fds; without /proc (a container that
	 * does not mount it) try every number up to the limit. */
	DIR *d = opendir("/proc/self/fd");
	if (d) {
		int self = dirfd(d);
		struct dirent *e;
		/* Closing while reading is fine: each getdents call lists the fd table
		 * from where the last one stopped; fds already listed are behind it. */
		while ((e = readdir(d))) {
			char *end;
			long fd = strtol(e->d_name, &end, 10);
			if (*end || e->d_name[0] == '.' || fd < first || fd == keep || fd == self)
				continue;
			if (cloexec)
				fcntl((int)fd, F_SETFD, FD_CLOEXEC);
			else
				close((int)fd);
		}
		closedir(d);
		return "each fd of /proc/self/fd";
	}
	int max = fd_ceiling();
	for (int fd = first; fd < max; fd++) {
		if (fd == keep)
			continue;
		if (cloexec)
			fcntl(fd, F_SETFD, FD_CLOEXEC);
		else
			close(fd);
	}
	return "every fd number up to the file limit";
}

/* close_range(2) for [lo, hi]; -1 when the kernel lacks it (or the flag). */
static int range(unsigned lo, unsigned hi, unsigned flags)
{
	if (lo > hi)
		return 0;
	return (int)syscall(SYS_close_range, lo, hi, flags);
}

static const char *fds_apply(int first, int keep, int cloexec)
{
	unsigned flags = cloexec ? CLOSE_RANGE_CLOEXEC : 0;
	int rc;
	if (keep >= first)
		rc = range((unsigned)first, (unsigned)keep - 1, flags) < 0 ? -1 : range((unsigned)keep + 1, ~0U, flags);
	else
		rc = range((unsigned)first, ~0U, flags);
	/* ENOSYS: close_range is Linux 5.9+; EINVAL: CLOSE_RANGE_CLOEXEC is 5.11+.
	 * Older kernels (and seccomp filters that refuse it) get the slow sweep. */
	return rc < 0 ? sweep(first, keep, cloexec) : "close_range";
}

const char *fds_close_from(int first, int keep)
{
	return fds_apply(first, keep, 0);
}

const char *fds_cloexec_from(int first)
{
	/* Marked, not closed: the error pipe must stay open until exec succeeds, so
	 * that a failed exec is still reported; exec closes them all at once. */
	return fds_apply(first, -1, 1);
}
