/*
 * state.c: the state directory of a container (docs/lifecycle.md).
 *
 * `haco ps`, `kill`, `logs` and `rm` never talk to the supervisor: they read
 * files it keeps in STATE (e.g. /run/haco/NAME). So those files must never
 * lie. Three rules:
 *   - the supervisor holds flock(LOCK_EX) on STATE/lock for its whole life,
 *     so a second start of the same name fails at once (and a crashed
 *     supervisor's lock is released by the kernel);
 *   - every write is a whole new file renamed over the old one (rename(2) is
 *     atomic), so a reader sees the old state or the new one, never half;
 *   - pids are written with their start time (/proc/PID/stat field 22), so a
 *     reader can tell "still that process" from "a new process with a reused pid".
 */
#include "haco.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

long long proc_start_time(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid); /* an int always fits */
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* The command name (field 2) may hold spaces and ')': start after the last ')'. */
	char *p = strrchr(buf, ')');
	if (!p)
		return -1;
	p++;
	for (int field = 3; field < 22 && p; field++) /* p: the space before `field`, then the next one */
		p = strchr(p + 1, ' ');
	return p ? strtoll(p + 1, NULL, 10) : -1;
}

/* An octal mode field of the spec (host-dir, state-dir). */
int parse_mode(const char *s, mode_t *out)
{
	char *end;
	if (!*s || *s == '-')
		return -1;
	errno = 0;
	unsigned long v = strtoul(s, &end, 8);
	if (errno || *end || v > 07777)
		return -1;
	*out = (mode_t)v;
	return 0;
}

/*
 * The directories haco keeps on the host (/run/haco, /run/haco/NAME): TS decides
 * their modes, we make them so. A missing one is created; an existing one must
 * be a real directory (a symlink is refused, not followed) owned by us, and gets
 * exactly MODE, so an install from before the modes were tightened is fixed by
 * its next start. Only the last component is created: its parent must exist.
 */
int host_dir(struct ctx *c, const char *path, mode_t mode)
{
	if (!path)
		return fail(c, EINVAL, "host-dir: no path");
	if (traced(c, mkdir(path, mode), "mkdir(\"%s\", 0%o)", path, (unsigned)mode) < 0 && errno != EEXIST)
		return fail(c, errno, "%s %s: mkdir", c->cur ? c->cur->name : "host-dir", path);
	int fd = (int)traced(c, open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC),
	                     "open(\"%s\", O_DIRECTORY|O_NOFOLLOW)", path);
	if (fd < 0) {
		/* O_DIRECTORY|O_NOFOLLOW on a symlink to a directory says ENOTDIR: name what it is. */
		int e = errno;
		struct stat l;
		if ((e == ENOTDIR || e == ELOOP) && lstat(path, &l) == 0 && S_ISLNK(l.st_mode))
			e = ELOOP;
		return fail(c, e, "%s %s: open (%s)", c->cur ? c->cur->name : "host-dir", path,
		            e == ELOOP ? "a symlink: refused, haco does not follow links in its own directories"
		                       : e == ENOTDIR ? "not a directory" : "cannot open the directory");
	}
	struct stat st;
	if (fstat(fd, &st) < 0) {
		int e = errno;
		close(fd);
		return fail(c, e, "host-dir %s: fstat", path);
	}
	if (st.st_uid != geteuid()) {
		close(fd);
		return fail(c, EPERM, "%s %s: owned by uid %u, not %u: another user could change what haco keeps there",
		            c->cur ? c->cur->name : "host-dir", path, (unsigned)st.st_uid, (unsigned)geteuid());
	}
	if ((st.st_mode & 07777) != mode &&
	    traced(c, fchmod(fd, mode), "fchmod(\"%s\", 0%o)   /* was 0%o */", path, (unsigned)mode,
	           (unsigned)(st.st_mode & 07777)) < 0) {
		int e = errno;
		close(fd);
		return fail(c, e, "host-dir %s: chmod 0%o", path, (unsigned)mode);
	}
	close(fd);
	return 0;
}

int host_dirs(struct ctx *c)
{
	for (size_t i = 0; i < c->spec->n; i++) {
		const struct step *s = &c->spec->steps[i];
		if (!name_is(s->name, "host-dir"))
			continue;
		c->cur = s;
		mode_t mode;
		if (s->argv[0][0] != '/' || parse_mode(s->argv[1], &mode) < 0)
			return fail(c, 0, "line %d: host-dir takes an absolute PATH and an octal MODE", s->line);
		if (host_dir(c, s->argv[0], mode) < 0)
			return -1;
	}
	c->cur = NULL;
	return 0;
}

/* With the lock held, what an earlier, finished run left (state, logs) is ours
 * to remove: a new start begins with an empty state dir. */
static void state_clear(struct ctx *c)
{
	DIR *d = opendir(c->state_dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)))
		if (e->d_type != DT_DIR && strcmp(e->d_name, "lock") != 0)
			unlinkat(dirfd(d), e->d_name, 0);
	closedir(d);
}

int state_lock(struct ctx *c)
{
	char path[4200];
	if (strfmt(path, sizeof(path), "%s/lock", c->state_dir) < 0)
		return fail(c, errno, "state-dir %s/lock", c->state_dir);
	for (int tries = 0; tries < 20; tries++) {
		if (host_dir(c, c->state_dir, c->state_mode) < 0)
			return -1;
		/* O_NOFOLLOW: a symlink planted as the lock is refused (ELOOP), never followed. */
		int fd = (int)traced(c, open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600),
		                     "open(\"%s\", O_RDWR|O_CREAT|O_NOFOLLOW, 0600)", path);
		if (fd < 0)
			return fail(c, errno, "state-dir: open %s", path);
		if (traced(c, flock(fd, LOCK_EX | LOCK_NB), "flock(%d, LOCK_EX|LOCK_NB)", fd) < 0) {
			int e = errno;
			close(fd);
			if (e == EWOULDBLOCK)
				return fail(c, EAGAIN, "container %s is already running (its supervisor holds %s)",
				            c->name ? c->name : "?", path);
			return fail(c, e, "state-dir: flock %s", path);
		}
		/* A supervisor that was exiting may have removed the dir between our open and
		 * our flock: then we hold a lock on a deleted file, which protects nothing. */
		struct stat held, now;
		if (fstat(fd, &held) == 0 && stat(path, &now) == 0 && held.st_ino == now.st_ino && held.st_dev == now.st_dev) {
			c->lockfd = fd;
			state_clear(c);
			return 0;
		}
		close(fd);
	}
	return fail(c, EAGAIN, "state-dir: %s keeps changing under us", path);
}

/* Write DATA to DIR/NAME through DIR/.NAME.PID and rename(2). */
int write_atomic(struct ctx *c, const char *name, const char *data, size_t len)
{
	char tmp[4200], path[4200];
	if (strfmt(path, sizeof(path), "%s/%s", c->state_dir, name) < 0 ||
	    strfmt(tmp, sizeof(tmp), "%s/.%s.%d", c->state_dir, name, (int)getpid()) < 0) {
		warnf(c, "state: %s/%s: %s", c->state_dir, name, errno_name(errno));
		return -1;
	}
	/* Private (plan.json holds the environment's values); a fresh file, never a
	 * link someone left at the temp name. */
	unlink(tmp);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		goto bad;
	size_t off = 0;
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			close(fd);
			unlink(tmp);
			errno = e;
			goto bad;
		}
		off += (size_t)n;
	}
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		int e = errno;
		unlink(tmp);
		errno = e;
		goto bad;
	}
	return 0;
bad:
	warnf(c, "state: write %s: %s (%s)", path, errno_name(errno), strerror(errno));
	return -1;
}

int state_write(struct ctx *c, const char *status, int exit_code, const char *reason)
{
	if (!c->state_dir)
		return 0;
	char buf[8192];
	size_t n = 0;
#define PUT(...) n += (size_t)snprintf(buf + n, n < sizeof(buf) ? sizeof(buf) - n : 0, __VA_ARGS__)
	PUT("name=%s\n", c->name ? c->name : "");
	PUT("status=%s\n", status);
	PUT("supervisor=%d\nsupervisor_start=%lld\n", (int)c->launcher, c->sup_start);
	PUT("pid=%d\npid_start=%lld\n", (int)c->child, c->child > 0 ? c->child_start : 0);
	PUT("started=%lld\n", c->started_at);
	if (exit_code >= 0)
		PUT("exit_code=%d\n", exit_code);
	else
		PUT("exit_code=\n");
	PUT("restarts=%d\n", c->restarts);
	PUT("reason=%s\n", reason ? reason : "");
	/* TS-decided extra lines (plan hash, source file, cgroup paths): `state-meta KEY VALUE`. */
	for (size_t i = 0; i < c->spec->n; i++) {
		const struct step *s = &c->spec->steps[i];
		if (!name_is(s->name, "state-meta") || strpbrk(s->argv[0], "=\n") || strchr(s->argv[1], '\n'))
			continue;
		PUT("%s=%s\n", s->argv[0], s->argv[1]);
	}
#undef PUT
	if (n >= sizeof(buf)) {
		warnf(c, "state: too much metadata for %s/state", c->state_dir);
		return -1;
	}
	tracef(c, "write(\"%s/.state.%d\") + rename(..., \"%s/state\") = 0   /* status=%s */", c->state_dir,
	       (int)getpid(), c->state_dir, status);
	return write_atomic(c, "state", buf, n);
}

int state_files(struct ctx *c)
{
	for (size_t i = 0; i < c->spec->n; i++) {
		const struct step *s = &c->spec->steps[i];
		if (!name_is(s->name, "state-file"))
			continue;
		c->cur = s;
		if (strchr(s->argv[0], '/') || s->argv[0][0] == '.' || !strcmp(s->argv[0], "state") ||
		    !strcmp(s->argv[0], "lock"))
			return fail(c, 0, "state-file: bad file name \"%s\"", s->argv[0]);
		if (write_atomic(c, s->argv[0], s->argv[1], strlen(s->argv[1])) < 0)
			return fail(c, errno, "state-file %s", s->argv[0]);
		tracef(c, "write(\"%s/%s\") = 0   /* state-file, %zu bytes */", c->state_dir, s->argv[0], strlen(s->argv[1]));
	}
	return 0;
}

void state_remove(struct ctx *c)
{
	if (!c->state_dir)
		return;
	DIR *d = opendir(c->state_dir);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)))
			if (e->d_type != DT_DIR && unlinkat(dirfd(d), e->d_name, 0) < 0 && errno != ENOENT)
				warnf(c, "state: unlink %s/%s: %s", c->state_dir, e->d_name, errno_name(errno));
		closedir(d);
	}
	if (traced(c, rmdir(c->state_dir), "rmdir(\"%s\")", c->state_dir) < 0 && errno != ENOENT)
		warnf(c, "state: rmdir %s: %s (%s)", c->state_dir, errno_name(errno), strerror(errno));
}
