/*
 * ns.c: namespaces (man 7 namespaces). Creating them: clone(2) and unshare(2);
 * joining them: setns(2); configuring a user namespace from outside: the
 * /proc/PID/{uid_map,gid_map,setgroups} files; keeping one alive after its
 * last process is gone: a bind mount of /proc/PID/ns/KIND.
 */
#include "haco.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h> /* struct clone_args, CLONE_INTO_CGROUP */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* Spec name, file under /proc/PID/ns/, flag. */
static const struct { const char *kind, *file; int flag; const char *flagname; } KINDS[] = {
	{ "mount", "mnt", CLONE_NEWNS, "CLONE_NEWNS" },
	{ "uts", "uts", CLONE_NEWUTS, "CLONE_NEWUTS" },
	{ "ipc", "ipc", CLONE_NEWIPC, "CLONE_NEWIPC" },
	{ "pid", "pid", CLONE_NEWPID, "CLONE_NEWPID" },
	{ "net", "net", CLONE_NEWNET, "CLONE_NEWNET" },
	{ "user", "user", CLONE_NEWUSER, "CLONE_NEWUSER" },
	{ "cgroup", "cgroup", CLONE_NEWCGROUP, "CLONE_NEWCGROUP" },
	{ "time", "time", CLONE_NEWTIME, "CLONE_NEWTIME" },
};
#define NKINDS (int)(sizeof(KINDS) / sizeof(KINDS[0]))

static int kind_index(const char *kind)
{
	for (int i = 0; i < NKINDS; i++)
		if (strcmp(KINDS[i].kind, kind) == 0)
			return i;
	return -1;
}

int ns_flags(struct ctx *c, const char *kinds, int *flags)
{
	char **v;
	int n = split_list(kinds, &v);
	if (n < 0)
		return fail(c, errno, "%s %s", c->cur->name, kinds);
	*flags = 0;
	for (int i = 0; i < n; i++) {
		int k = kind_index(v[i]);
		if (k < 0) {
			fail(c, 0, "%s: unknown namespace \"%s\" (mount uts ipc pid net user cgroup time)",
			     c->cur->name, v[i]);
			free(v);
			return -1;
		}
		*flags |= KINDS[k].flag;
	}
	free(v);
	return 0;
}

const char *ns_flags_str(char *buf, size_t sz, int flags)
{
	size_t n = 0;
	buf[0] = '\0';
	for (int i = 0; i < NKINDS; i++)
		if (flags & KINDS[i].flag)
			n += (size_t)snprintf(buf + n, n < sz ? sz - n : 0, "%s%s", n ? "|" : "", KINDS[i].flagname); /* display only: may be cut */
	return buf;
}

/*
 * clone() as the raw system call, with no new stack: the child continues right
 * here on a copy of our memory, exactly like fork(2), but in the new
 * namespaces. (glibc's clone() wrapper wants a separate stack and a function.)
 * CLONE_NEWTIME cannot be given here (it only fits clone3), hence `unshare time`.
 */
/*
 * `spawn-cgroup` steps (cgroup v1, cgroup_move.c): the launcher moves itself into
 * each of the container's cgroups, clones the child there (born in them: no
 * migration of another process, no cgroup_threadgroup_rwsem), and moves back.
 */
static pid_t spawn_moved(struct ctx *c, int flags, const char *fl)
{
	struct cgroup_moves mv;
	if (cgroup_move_in(c, &mv) < 0)
		return -1;
	long pid = c->sys->clone((unsigned long)flags);
	if (pid == 0) { /* the child stays where it was born */
		cgroup_moves_close(c, &mv);
		return 0;
	}
	int e = errno;
	traced(c, pid, "clone(%s%sSIGCHLD)   /* born in the spawn-cgroup dirs */", fl, fl[0] ? "|" : "");
	if (cgroup_move_out(c, &mv, (pid_t)pid) < 0)
		return -1;
	if (pid < 0)
		return fail(c, e, "spawn %s", c->cur->argv[0]);
	return (pid_t)pid;
}

static int has_spawn_cgroup(const struct ctx *c)
{
	for (size_t i = 0; i < c->spec->n; i++)
		if (name_is(c->spec->steps[i].name, "spawn-cgroup"))
			return 1;
	return 0;
}

pid_t ns_spawn(struct ctx *c, int flags, const char *cgroup)
{
	char fl[256];
	ns_flags_str(fl, sizeof(fl), flags);
	if (has_spawn_cgroup(c)) {
		if (cgroup)
			return fail(c, 0, "spawn %s %s: a CGROUP field (clone3 into it) and spawn-cgroup steps exclude each other", c->cur->argv[0], cgroup);
		return spawn_moved(c, flags, fl);
	}
	if (!cgroup) {
		long pid = c->sys->clone((unsigned long)flags);
		if (pid == 0)
			return 0;
		traced(c, pid, "clone(%s%sSIGCHLD)", fl, fl[0] ? "|" : "");
		if (pid < 0)
			return fail(c, errno, "spawn %s", c->cur->argv[0]);
		return (pid_t)pid;
	}
	/*
	 * CLONE_INTO_CGROUP (clone3, Linux 5.7, cgroup v2): the child is born in
	 * its cgroup. Moving it there afterwards (writing cgroup.procs) takes the
	 * kernel's cgroup migration lock, whose first writer waits for an RCU
	 * grace period: milliseconds of an otherwise sub-millisecond start.
	 */
	int fd = (int)traced(c, c->sys->open(cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0), "open(\"%s\", O_RDONLY|O_DIRECTORY)", cgroup);
	if (fd < 0)
		return fail(c, errno, "spawn into cgroup %s: open", cgroup);
	struct clone_args args;
	memset(&args, 0, sizeof(args));
	args.flags = (unsigned long long)flags | CLONE_INTO_CGROUP;
	args.exit_signal = SIGCHLD;
	args.cgroup = (unsigned long long)fd;
	long pid = c->sys->clone3(&args, sizeof(args));
	if (pid == 0)
		return 0;
	int e = errno;
	c->sys->close(fd);
	errno = e;
	traced(c, pid, "clone3({flags=%s%sCLONE_INTO_CGROUP, cgroup=%d, exit_signal=SIGCHLD})", fl, fl[0] ? "|" : "", fd);
	if (pid < 0)
		return fail(c, e, "spawn %s into cgroup %s", c->cur->argv[0], cgroup);
	return (pid_t)pid;
}

int ns_preopen(struct ctx *c, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		const struct step *s = &c->spec->steps[i];
		if (!name_is(s->name, "setns"))
			continue;
		c->cur = s;
		if (c->npreopen == (int)(sizeof(c->preopen) / sizeof(c->preopen[0])))
			return fail(c, 0, "setns: more than %d setns steps after release", c->npreopen);
		int fd = (int)traced(c, c->sys->open(s->argv[1], O_RDONLY | O_CLOEXEC, 0), "open(\"%s\", O_RDONLY)   /* for the child's setns */", s->argv[1]);
		if (fd < 0)
			return fail(c, errno, "setns %s: open %s", s->argv[0], s->argv[1]);
		c->preopen[c->npreopen].step = s;
		c->preopen[c->npreopen++].fd = fd;
	}
	return 0;
}

void ns_preopen_close(struct ctx *c)
{
	for (int i = 0; i < c->npreopen; i++)
		c->sys->close(c->preopen[i].fd);
	c->npreopen = 0;
}

int step_setns(struct ctx *c, char **argv, int argc)
{
	(void)argc;
	int k = kind_index(argv[0]);
	if (k < 0)
		return fail(c, 0, "setns: unknown namespace \"%s\"", argv[0]);
	for (int i = 0; i < c->npreopen; i++) {
		if (c->preopen[i].step != c->cur)
			continue;
		int rc = (int)traced(c, c->sys->setns(c->preopen[i].fd, KINDS[k].flag), "setns(%d, %s)", c->preopen[i].fd, KINDS[k].flagname);
		if (rc < 0)
			return fail(c, errno, "setns %s %s", argv[0], argv[1]);
		return 0;
	}
	int fd = (int)traced(c, c->sys->open(argv[1], O_RDONLY | O_CLOEXEC, 0), "open(\"%s\", O_RDONLY)", argv[1]);
	if (fd < 0)
		return fail(c, errno, "setns %s: open %s", argv[0], argv[1]);
	int rc = (int)traced(c, c->sys->setns(fd, KINDS[k].flag), "setns(%d, %s)", fd, KINDS[k].flagname);
	int e = errno;
	c->sys->close(fd);
	if (rc < 0)
		return fail(c, e, "setns %s %s", argv[0], argv[1]);
	return 0;
}

int step_unshare(struct ctx *c, char **argv, int argc)
{
	(void)argc;
	int flags;
	char fl[256];
	if (ns_flags(c, argv[0], &flags) < 0)
		return -1;
	if (traced(c, c->sys->unshare(flags), "unshare(%s)", ns_flags_str(fl, sizeof(fl), flags)) < 0)
		return fail(c, errno, "unshare %s", argv[0]);
	return 0;
}

int step_timens_offset(struct ctx *c, char **argv, int argc)
{
	(void)argc;
	unsigned long long secs;
	const char *s = argv[1][0] == '-' ? argv[1] + 1 : argv[1]; /* offsets may be negative */
	if (strcmp(argv[0], "monotonic") != 0 && strcmp(argv[0], "boottime") != 0)
		return fail(c, 0, "timens-offset: clock must be monotonic or boottime, not %s", argv[0]);
	if (parse_ulong(s, &secs) < 0)
		return fail(c, 0, "timens-offset: %s is not a number of seconds", argv[1]);
	char line[128];
	if (strfmt(line, sizeof(line), "%s %s 0", argv[0], argv[1]) < 0)
		return fail(c, errno, "timens-offset %s %s: too long", argv[0], argv[1]);
	if (write_file(c, "/proc/self/timens_offsets", line) < 0)
		return fail(c, errno, "timens-offset %s %s", argv[0], argv[1]);
	return 0;
}

int step_setgroups(struct ctx *c, char **argv, int argc)
{
	(void)argc;
	char path[64];
	if (strcmp(argv[0], "allow") != 0 && strcmp(argv[0], "deny") != 0)
		return fail(c, 0, "setgroups: expected allow or deny, not %s", argv[0]);
	if (strfmt(path, sizeof(path), "/proc/%d/setgroups", (int)c->child) < 0)
		return fail(c, errno, "setgroups %s: /proc/%d/setgroups", argv[0], (int)c->child);
	if (write_file(c, path, argv[0]) < 0)
		return fail(c, errno, "setgroups %s", argv[0]);
	return 0;
}

/* "0:100000:65536,..." -> "0 100000 65536\n..." written in one go. */
static int write_map(struct ctx *c, const char *file, const char *lines)
{
	char path[64], buf[4096];
	size_t n = 0;
	char **v;
	int cnt = split_list(lines, &v);
	if (cnt < 0)
		return fail(c, errno, "%s %s", c->cur->name, lines);
	for (int i = 0; i < cnt; i++) {
		unsigned long long a, b, k;
		char extra;
		if (sscanf(v[i], "%llu:%llu:%llu%c", &a, &b, &k, &extra) != 3) {
			fail(c, 0, "%s: \"%s\" is not inside:outside:count", c->cur->name, v[i]);
			free(v);
			return -1;
		}
		n += (size_t)snprintf(buf + n, n < sizeof(buf) ? sizeof(buf) - n : 0, "%llu %llu %llu\n", a, b, k);
	}
	free(v);
	if (n >= sizeof(buf))
		return fail(c, E2BIG, "%s %s", c->cur->name, lines);
	if (strfmt(path, sizeof(path), "/proc/%d/%s", (int)c->child, file) < 0)
		return fail(c, errno, "%s: /proc/%d/%s", c->cur->name, (int)c->child, file);
	if (write_file(c, path, buf) < 0)
		return fail(c, errno, "%s %s", c->cur->name, lines);
	return 0;
}

int step_uid_map(struct ctx *c, char **argv, int argc)
{
	(void)argc;
	return write_map(c, "uid_map", argv[0]);
}

int step_gid_map(struct ctx *c, char **argv, int argc)
{
	(void)argc;
	return write_map(c, "gid_map", argv[0]);
}

/* Rootless with subordinate ids: the setuid helper (newuidmap or newgidmap,
 * named by TS) writes the child's map, as an unprivileged launcher may map
 * only its own id. Its argv: HELPER PID INSIDE OUTSIDE COUNT... */
int step_id_map_helper(struct ctx *c, char **argv, int argc)
{
	(void)argc;
	char **v;
	int cnt = split_list(argv[1], &v);
	if (cnt < 0)
		return fail(c, errno, "id-map-helper %s %s", argv[0], argv[1]);
	enum { MAX_LINES = 64 };
	if (cnt == 0 || cnt > MAX_LINES) {
		free(v);
		return fail(c, 0, "id-map-helper: %d map lines (1 to %d)", cnt, (int)MAX_LINES);
	}
	char nums[MAX_LINES][3][24], pid[24];
	char *args[3 + 3 * MAX_LINES + 1];
	int n = 0;
	snprintf(pid, sizeof(pid), "%d", (int)c->child); /* an int always fits */
	args[n++] = argv[0];
	args[n++] = pid;
	for (int i = 0; i < cnt; i++) {
		unsigned long long a, b, k;
		char extra;
		if (sscanf(v[i], "%llu:%llu:%llu%c", &a, &b, &k, &extra) != 3) {
			fail(c, 0, "id-map-helper: \"%s\" is not inside:outside:count", v[i]);
			free(v);
			return -1;
		}
		snprintf(nums[i][0], sizeof(nums[i][0]), "%llu", a);
		snprintf(nums[i][1], sizeof(nums[i][1]), "%llu", b);
		snprintf(nums[i][2], sizeof(nums[i][2]), "%llu", k);
		args[n++] = nums[i][0];
		args[n++] = nums[i][1];
		args[n++] = nums[i][2];
	}
	free(v);
	args[n] = NULL;
	return run_command(c, args, c->child, "id-map-helper");
}

int step_persist_ns(struct ctx *c, char **argv, int argc)
{
	(void)argc;
	int k = kind_index(argv[0]);
	if (k < 0)
		return fail(c, 0, "persist-ns: unknown namespace \"%s\"", argv[0]);
	/* A bind mount needs something to mount on: an empty file. */
	int fd = (int)traced(c, c->sys->open(argv[1], O_WRONLY | O_CREAT | O_CLOEXEC, 0444),
	                     "open(\"%s\", O_WRONLY|O_CREAT, 0444)", argv[1]);
	if (fd < 0)
		return fail(c, errno, "persist-ns %s: create %s", argv[0], argv[1]);
	c->sys->close(fd);
	/* A namespace an earlier run persisted here (a restart, a crash) would stay
	 * pinned under the new bind, invisible: let it go first. EINVAL = nothing
	 * is mounted there, the normal case. */
	if (traced(c, c->sys->umount2(argv[1], MNT_DETACH), "umount2(\"%s\", MNT_DETACH)", argv[1]) < 0 && errno != EINVAL)
		return fail(c, errno, "persist-ns %s: umount the earlier %s", argv[0], argv[1]);
	char src[64];
	if (strfmt(src, sizeof(src), "/proc/%d/ns/%s", (int)c->child, KINDS[k].file) < 0)
		return fail(c, errno, "persist-ns %s: /proc/%d/ns/%s", argv[0], (int)c->child, KINDS[k].file);
	if (traced(c, c->sys->mount(src, argv[1], NULL, MS_BIND, NULL), "mount(\"%s\", \"%s\", NULL, MS_BIND, NULL)",
	           src, argv[1]) < 0)
		return fail(c, errno, "persist-ns %s on %s", argv[0], argv[1]);
	return 0;
}
