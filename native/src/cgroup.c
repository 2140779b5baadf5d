/*
 * cgroup.c: control groups are plain directories and files (man 7 cgroups).
 * mkdir creates a group, writing a value into a file sets a limit, writing a
 * pid into cgroup.procs moves a process, rmdir removes an empty group.
 * Which files and values (v1 or v2) is TypeScript's decision, not ours.
 */
#include "haco.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/*
 * The shared `haco` parents are removed by the last container to leave
 * (cleanup-cgroup-parent). A launch holds this lock shared from before its first
 * mkdir until its init has joined its groups, so a parent can never vanish
 * between a starting container's mkdir of it and its mkdir of the child.
 */
static int open_lock(struct ctx *c, const char *path)
{
	/* Its directory is haco's own (a `host-dir` step made it, root's, not writable
	 * by others). O_NOFOLLOW: a symlink at PATH is refused (ELOOP), never followed
	 * to create or lock some other file. */
	return (int)traced(c, c->sys->open(path, O_CREAT | O_RDWR | O_NOFOLLOW | O_CLOEXEC, 0600),
	                   "open(\"%s\", O_CREAT|O_RDWR|O_NOFOLLOW, 0600)", path);
}

/*
 * Never wait forever: a process that holds the lock exclusively and hangs would
 * hang every start. Poll with LOCK_NB (exclusive holders only hold it for an
 * rmdir) and give up after TIMEOUT_MS (decided by TS) with ETIMEDOUT.
 */
int step_cgroup_lock(struct ctx *c, char **argv, int argc)
{
	(void)argc;
	unsigned long long timeout_ms;
	if (parse_ulong(argv[1], &timeout_ms) < 0)
		return fail(c, 0, "cgroup-lock: TIMEOUT_MS must be a number of milliseconds, not \"%s\"", argv[1]);
	int fd = open_lock(c, argv[0]);
	if (fd < 0)
		return fail(c, errno, "cgroup-lock %s: open%s", argv[0],
		            errno == ELOOP ? " (a symlink: refused, not followed)" : "");
	unsigned long long waited = 0, step = 5;
	int rc;
	while ((rc = c->sys->flock(fd, LOCK_SH | LOCK_NB)) < 0 && (errno == EWOULDBLOCK || errno == EINTR) && waited < timeout_ms) {
		struct timespec ts = { 0, (long)(step * 1000 * 1000) };
		nanosleep(&ts, NULL);
		waited += step;
		if (step < 100)
			step *= 2;
	}
	if (rc < 0 && errno == EWOULDBLOCK)
		errno = ETIMEDOUT;
	if (traced(c, rc, "flock(%d, LOCK_SH|LOCK_NB)   /* waited %llu ms */", fd, waited) < 0) {
		int e = errno;
		c->sys->close(fd);
		if (e == ETIMEDOUT)
			return fail(c, e, "cgroup-lock %s: another process has held it for %llu ms", argv[0], waited);
		return fail(c, e, "cgroup-lock %s", argv[0]);
	}
	if (c->cglockfd >= 0)
		c->sys->close(c->cglockfd);
	c->cglockfd = fd;
	return 0;
}

void cgroup_remove_parents(struct ctx *c)
{
	const char *lock = NULL;
	for (size_t i = 0; i < c->spec->n; i++)
		if (name_is(c->spec->steps[i].name, "cgroup-lock"))
			lock = c->spec->steps[i].argv[0];
	if (!lock)
		return;
	int fd = -1;
	for (size_t i = 0; i < c->spec->n; i++) {
		const struct step *s = &c->spec->steps[i];
		if (!name_is(s->name, "cleanup-cgroup-parent"))
			continue;
		c->cur = s;
		if (fd < 0) {
			if ((fd = open_lock(c, lock)) < 0) {
				warnf(c, "cleanup-cgroup-parent: open %s: %s", lock, errno_name(errno));
				return;
			}
			/* Never wait here: a launch in progress needs the parent, so leave it. */
			if (traced(c, c->sys->flock(fd, LOCK_EX | LOCK_NB), "flock(%d, LOCK_EX|LOCK_NB)", fd) < 0) {
				c->sys->close(fd);
				return;
			}
		}
		if (c->sys->rmdir(s->argv[0]) == 0) {
			tracef(c, "rmdir(\"%s\") = 0   /* the last container under it */", s->argv[0]);
			continue;
		}
		if (errno == EBUSY || errno == ENOTEMPTY || errno == ENOENT)
			tracef(c, "rmdir(\"%s\") = -1 %s   /* still used by other containers */", s->argv[0], errno_name(errno));
		else
			warnf(c, "cleanup-cgroup-parent %s: %s (%s)", s->argv[0], errno_name(errno), strerror(errno));
	}
	if (fd >= 0)
		c->sys->close(fd);
}

int step_cgroup_mkdir(struct ctx *c, char **argv, int argc)
{
	(void)argc;
	if (traced(c, c->sys->mkdir(argv[0], 0755), "mkdir(\"%s\", 0755)", argv[0]) < 0 && errno != EEXIST)
		return fail(c, errno, "cgroup-mkdir %s", argv[0]);
	return 0;
}

/*
 * Consecutive cgroup-write steps to one file (a v1 devices.allow rule list: nine on
 * every start) share one open: each VALUE is still its own write(2), which the
 * kernel takes as one setting. The file stays open only while the next step writes
 * the same PATH.
 */
static void cgroup_write_close(struct ctx *c)
{
	if (c->cgwrite_fd >= 0)
		c->sys->close(c->cgwrite_fd);
	c->cgwrite_fd = -1;
	c->cgwrite_path = NULL;
}

int step_cgroup_write(struct ctx *c, char **argv, int argc)
{
	(void)argc;
	const char *path = argv[0], *value = argv[1];
	size_t at = (size_t)(c->cur - c->spec->steps);
	const struct step *next = at + 1 < c->spec->n ? c->cur + 1 : NULL;
	int keep = next && strcmp(next->name, "cgroup-write") == 0 && strcmp(next->argv[0], path) == 0;
	if (c->cgwrite_fd < 0 || strcmp(c->cgwrite_path, path) != 0) {
		cgroup_write_close(c);
		int fd = c->sys->open(path, O_WRONLY | O_CLOEXEC, 0);
		if (fd < 0) {
			traced(c, -1, "open(\"%s\", O_WRONLY)", path);
			return fail(c, errno, "cgroup-write %s %s", path, value);
		}
		if (keep)
			tracef(c, "open(\"%s\", O_WRONLY) = %d   /* once for the next cgroup-write steps to it too */", path, fd);
		c->cgwrite_fd = fd;
		c->cgwrite_path = path;
	}
	size_t len = strlen(value);
	ssize_t n = c->sys->write(c->cgwrite_fd, value, len);
	int e = n < 0 ? errno : EIO; /* a short write is a failure too */
	int rc = n == (ssize_t)len ? 0 : -1;
	errno = e;
	traced(c, rc, "write(\"%s\", \"%s\")", path, value);
	if (rc < 0 || !keep)
		cgroup_write_close(c);
	if (rc < 0)
		return fail(c, e, "cgroup-write %s %s", path, value);
	return 0;
}

/* PATH is the cgroup directory; cgroup.procs exists in v1 and v2 and moves the
 * whole process (v1's `tasks` would move a single thread). */
int step_cgroup_join(struct ctx *c, char **argv, int argc)
{
	(void)argc;
	char path[4096], pid[32];
	if (strfmt(path, sizeof(path), "%s/cgroup.procs", argv[0]) < 0)
		return fail(c, errno, "cgroup-join %s/cgroup.procs", argv[0]);
	snprintf(pid, sizeof(pid), "%d", (int)c->child); /* an int always fits */
	if (write_file(c, path, pid) < 0)
		return fail(c, errno, "cgroup-join %s", argv[0]);
	return 0;
}

/*
 * cgroup-rmdir PATH (host-only specs: the stale-cgroup sweep). TS listed PATH
 * as empty; if a process or a child group has appeared since (EBUSY, ENOTEMPTY)
 * or the group is already gone (ENOENT), it is left as it is: a sweep never
 * forces. Anything else is a failure.
 */
int step_cgroup_rmdir(struct ctx *c, char **argv, int argc)
{
	(void)argc;
	if (traced(c, c->sys->rmdir(argv[0]), "rmdir(\"%s\")", argv[0]) == 0)
		return 0;
	if (errno == ENOENT || errno == EBUSY || errno == ENOTEMPTY) {
		tracef(c, "   /* %s: left as it is */", errno == ENOENT ? "already gone" : "in use again");
		return 0;
	}
	return fail(c, errno, "cgroup-rmdir %s", argv[0]);
}

/*
 * rmdir fails with EBUSY while the group still has members. Right after the
 * container's init is reaped, the other processes of its pid namespace are
 * still being killed, and the kernel removes them from the group a moment
 * later: so retry for up to two seconds before giving up with a warning.
 */
/* A group that still holds child groups will not drain by waiting. */
static int has_children(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int found = 0;
	if (!d)
		return 0;
	while (!found && (e = readdir(d)))
		found = e->d_type == DT_DIR && strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return found;
}

void cgroup_cleanup(struct ctx *c, const char *path)
{
	for (int i = 0; i < 100; i++) {
		if (c->sys->rmdir(path) == 0) {
			tracef(c, "rmdir(\"%s\") = 0", path);
			return;
		}
		int e = errno;
		if (e == ENOENT)
			return;
		if ((e != EBUSY && e != EAGAIN) || has_children(path)) {
			errno = e;
			break;
		}
		struct timespec ts = { 0, 20 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	int e = errno;
	traced(c, -1, "rmdir(\"%s\")", path);
	warnf(c, "cleanup-cgroup %s: %s (%s)", path, errno_name(e), strerror(e));
}

/*
 * report-oom FILE: memory.events (v2) or memory.oom_control (v1) both carry an
 * "oom_kill N" line. A process the OOM killer took only shows up as "Killed" /
 * status 137, which looks like any other SIGKILL: say who sent it.
 */
unsigned long long cgroup_oom_kills(struct ctx *c)
{
	unsigned long long total = 0;
	for (size_t i = 0; i < c->spec->n; i++) {
		const struct step *s = &c->spec->steps[i];
		if (!name_is(s->name, "report-oom"))
			continue;
		FILE *f = fopen(s->argv[0], "re");
		if (!f)
			continue;
		char line[256];
		unsigned long long n = 0;
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "oom_kill %llu", &n) == 1)
				break;
		fclose(f);
		total += n;
	}
	return total;
}

void cgroup_report_oom(struct ctx *c)
{
	for (size_t i = 0; i < c->spec->n; i++) {
		const struct step *s = &c->spec->steps[i];
		if (!name_is(s->name, "report-oom"))
			continue;
		c->cur = s;
		FILE *f = fopen(s->argv[0], "re");
		if (!f) {
			traced(c, -1, "open(\"%s\")", s->argv[0]);
			continue;
		}
		char line[256];
		unsigned long long n = 0;
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "oom_kill %llu", &n) == 1)
				break;
		fclose(f);
		tracef(c, "read(\"%s\"): oom_kill %llu", s->argv[0], n);
		if (n > 0)
			notef(c, "the kernel's OOM killer killed %llu process%s in this container: it reached its memory limit (oom_kill %llu in %s)",
			      n, n == 1 ? "" : "es", n, s->argv[0]);
	}
}
