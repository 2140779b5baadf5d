/*
 * cgroup.c: control groups are plain directories and files (man 7 cgroups).
 * mkdir creates a group, writing a value into a file sets a limit, writing a
 * pid into cgroup.procs moves a process, rmdir removes an empty group.
 * Which files and values (v1 or v2) is TypeScript's decision, not ours.
 */
#include "haco.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int step_cgroup_mkdir(struct ctx *c, char **argv, int argc)
{
	(void)argc;
	if (traced(c, mkdir(argv[0], 0755), "mkdir(\"%s\", 0755)", argv[0]) < 0 && errno != EEXIST)
		return fail(c, errno, "cgroup-mkdir %s", argv[0]);
	return 0;
}

int step_cgroup_write(struct ctx *c, char **argv, int argc)
{
	(void)argc;
	if (write_file(c, argv[0], argv[1]) < 0)
		return fail(c, errno, "cgroup-write %s %s", argv[0], argv[1]);
	return 0;
}

/* PATH is the cgroup directory; cgroup.procs exists in v1 and v2 and moves the
 * whole process (v1's `tasks` would move a single thread). */
int step_cgroup_join(struct ctx *c, char **argv, int argc)
{
	(void)argc;
	char path[4096], pid[32];
	snprintf(path, sizeof(path), "%s/cgroup.procs", argv[0]);
	snprintf(pid, sizeof(pid), "%d", (int)c->child);
	if (write_file(c, path, pid) < 0)
		return fail(c, errno, "cgroup-join %s", argv[0]);
	return 0;
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
		if (rmdir(path) == 0) {
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
