/*
 * cgroup_move.c: `spawn-cgroup PATH MOUNT CONTROLLER` (cgroup v1): the child is
 * born in each PATH instead of being moved there after the clone.
 *
 * Moving another process (its pid into cgroup.procs, as `cgroup-join` does)
 * write-locks the kernel's cgroup_threadgroup_rwsem, a per-cpu rwsem whose first
 * writer after a quiet spell waits for an RCU grace period: 5-20 ms, more than
 * the rest of a launch. A thread that moves only itself ("0" into a v1 `tasks`
 * file) takes no such lock (cgroup_procs_write_start: CGRP_ATTACH_LOCK_NONE),
 * and a process forked there is born there. So the launcher moves itself into
 * each PATH, clones the child (its own child, as always), and moves itself back
 * into the cgroups it was in: the same self-move, the same absence of the lock.
 * Its cgroups to return to are read from /proc/self/cgroup (the line of the
 * hierarchy that has CONTROLLER; MOUNT is where that hierarchy is mounted), and
 * their `tasks` files are opened before the first move, so that nothing but a
 * write can fail once the launcher has left its own cgroups.
 */
#include "haco.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* The launcher's own cgroup of CONTROLLER's hierarchy, from /proc/self/cgroup
 * ("ID:CONTROLLERS:PATH" lines): a pointer into TEXT and its length (TEXT is not
 * changed, so each spawn-cgroup step looks in the same buffer), or NULL. */
static const char *own_cgroup(const char *text, const char *controller, int *len_out)
{
	size_t cl = strlen(controller);
	for (const char *line = text; line && *line;) {
		const char *end = strchr(line, '\n');
		const char *next = end ? end + 1 : NULL;
		const char *c1 = strchr(line, ':');
		const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (c2 && (!end || c2 < end)) {
			for (const char *p = c1 + 1; p < c2;) { /* the comma list of the hierarchy's controllers */
				const char *q = memchr(p, ',', (size_t)(c2 - p));
				size_t len = (size_t)((q ? q : c2) - p);
				if (len == cl && memcmp(p, controller, cl) == 0) {
					*len_out = (int)(end ? (size_t)(end - (c2 + 1)) : strlen(c2 + 1));
					return c2 + 1;
				}
				p = q ? q + 1 : c2;
			}
		}
		line = next;
	}
	return NULL;
}

static int read_self_cgroup(struct ctx *c, char *buf, size_t size)
{
	int fd = (int)traced(c, c->sys->open("/proc/self/cgroup", O_RDONLY | O_CLOEXEC, 0), "open(\"/proc/self/cgroup\", O_RDONLY)   /* the cgroups to return to */");
	if (fd < 0)
		return -1;
	size_t n = 0;
	ssize_t r;
	while (n + 1 < size && (r = c->sys->read(fd, buf + n, size - 1 - n)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			c->sys->close(fd);
			errno = e;
			return (int)traced(c, -1, "read(\"/proc/self/cgroup\")");
		}
		n += (size_t)r;
	}
	buf[n] = '\0';
	c->sys->close(fd);
	if (n + 1 >= size) /* more hierarchies than any host has: refuse rather than guess */
		return errno = EFBIG, -1;
	return 0;
}

static void close_all(struct ctx *c, struct cgroup_moves *mv)
{
	for (int i = 0; i < mv->n; i++) {
		if (mv->m[i].in >= 0)
			c->sys->close(mv->m[i].in);
		if (mv->m[i].home >= 0)
			c->sys->close(mv->m[i].home);
		mv->m[i].in = mv->m[i].home = -1;
	}
}

static int open_tasks(struct ctx *c, const char *dir, char *path, size_t size, const char *why)
{
	/* The hierarchy's root is "/" in /proc/self/cgroup: MOUNT + "/" + "tasks", not "//". */
	if (strfmt(path, size, "%s%stasks", dir, dir[strlen(dir) - 1] == '/' ? "" : "/") < 0) {
		path[0] = '\0'; /* a cut path would name another file, even in a message */
		return -1;
	}
	return (int)traced(c, c->sys->open(path, O_WRONLY | O_CLOEXEC, 0), "open(\"%s\", O_WRONLY)   /* %s */", path, why);
}

/* "0" into an open tasks file: the calling thread moves itself. */
static int move_self(struct ctx *c, int fd, const char *path, const char *why)
{
	ssize_t n = c->sys->write(fd, "0", 1);
	if (n >= 0 && n != 1)
		errno = EIO;
	return (int)traced(c, n == 1 ? 0 : -1, "write(\"%s\", \"0\")   /* %s */", path, why);
}

/* Back into the cgroups moved out of (the first K of them); 0, or -1 after a warning. */
static int move_back(struct ctx *c, struct cgroup_moves *mv, int k)
{
	int rc = 0;
	for (int i = 0; i < k; i++) {
		if (move_self(c, mv->m[i].home, mv->m[i].home_path, "the launcher returns to its own cgroup") < 0) {
			if (rc == 0)
				mv->failed = i, mv->err = errno;
			rc = -1;
		}
	}
	return rc;
}

int cgroup_move_in(struct ctx *c, struct cgroup_moves *mv)
{
	const struct step *spawn = c->cur;
	char self[8192];
	int have_self = 0;
	mv->n = 0;
	mv->failed = -1;
	for (size_t i = 0; i < c->spec->n; i++) {
		const struct step *s = &c->spec->steps[i];
		if (!name_is(s->name, "spawn-cgroup"))
			continue;
		c->cur = s;
		if (mv->n == CGROUP_MOVES_MAX) {
			close_all(c, mv);
			return fail(c, 0, "spawn-cgroup %s: more than %d spawn-cgroup steps", s->argv[0], CGROUP_MOVES_MAX);
		}
		if (!have_self) {
			if (read_self_cgroup(c, self, sizeof(self)) < 0) {
				int e = errno;
				close_all(c, mv);
				return fail(c, e, "spawn-cgroup %s: read /proc/self/cgroup (the launcher's own cgroups, to return to)", s->argv[0]);
			}
			have_self = 1;
		}
		struct cgroup_move *m = &mv->m[mv->n++];
		m->step = s;
		m->in = m->home = -1;
		m->in_path[0] = m->home_path[0] = '\0';
		int own_len = 0;
		const char *own = own_cgroup(self, s->argv[2], &own_len);
		char home[sizeof(m->home_path)];
		if (!own) {
			close_all(c, mv);
			return fail(c, 0, "spawn-cgroup %s: /proc/self/cgroup has no hierarchy with the controller %s (the launcher's own cgroup to return to)", s->argv[0], s->argv[2]);
		}
		if (strncmp(own, "/..", 3) == 0) { /* no path to it from MOUNT: the move back could not happen */
			close_all(c, mv);
			return fail(c, 0, "spawn-cgroup %s: the launcher's own cgroup (%.*s in /proc/self/cgroup) lies outside its cgroup namespace, so it could not return there after the clone: run haco from the host's cgroup namespace (e.g. not inside another container), or without cgroup limits", s->argv[0], own_len, own);
		}
		if (strfmt(home, sizeof(home), "%s%.*s", s->argv[1], own_len, own) < 0 ||
		    (m->home = open_tasks(c, home, m->home_path, sizeof(m->home_path), "the launcher's own cgroup, to return to")) < 0) {
			int e = errno;
			close_all(c, mv);
			return fail(c, e, "spawn-cgroup %s: open %s (the launcher's own cgroup, to return to)", s->argv[0], m->home_path[0] ? m->home_path : home);
		}
		if ((m->in = open_tasks(c, s->argv[0], m->in_path, sizeof(m->in_path), "the container's cgroup")) < 0) {
			int e = errno;
			close_all(c, mv);
			return fail(c, e, "spawn-cgroup %s: open %s", s->argv[0], m->in_path[0] ? m->in_path : s->argv[0]);
		}
	}
	for (int i = 0; i < mv->n; i++) {
		if (move_self(c, mv->m[i].in, mv->m[i].in_path, "the launcher moves itself in: no migration lock") < 0) {
			int e = errno;
			c->cur = mv->m[i].step;
			if (move_back(c, mv, i) < 0)
				warnf(c, "spawn-cgroup: cannot return to %s: %s (%s)", mv->m[mv->failed].home_path, errno_name(mv->err), strerror(mv->err));
			close_all(c, mv);
			return fail(c, e, "spawn-cgroup %s: move into %s", mv->m[i].step->argv[0], mv->m[i].in_path);
		}
	}
	c->cur = spawn;
	return 0;
}

void cgroup_moves_close(struct ctx *c, struct cgroup_moves *mv)
{
	close_all(c, mv);
}

int cgroup_move_out(struct ctx *c, struct cgroup_moves *mv, pid_t child)
{
	const struct step *spawn = c->cur;
	int rc = move_back(c, mv, mv->n);
	close_all(c, mv);
	if (rc == 0)
		return 0;
	/* Still in the container's cgroups: it would count as one of its processes and
	 * keep its cgroups from being removed. Give up the launch. */
	if (child > 0) {
		kill(child, SIGKILL);
		while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
			;
	}
	c->cur = mv->m[mv->failed].step;
	fail(c, mv->err, "spawn-cgroup %s: return to %s", c->cur->argv[0], mv->m[mv->failed].home_path);
	c->cur = spawn;
	return -1;
}
