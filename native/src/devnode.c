/*
 * devnode.c: device nodes an OCI config asks for (linux.devices), and the
 * init's OOM score (process.oomScoreAdj).
 *
 * `mknod PATH TYPE MAJOR MINOR MODE UID GID` makes the node under the new
 * root before the switch: mknodat(2) in the parent directory (resolved
 * without following the rootfs's symlinks, missing directories created),
 * then fchmodat(2) (mknod's mode is cut by the umask) and fchownat(2). TS
 * decides which nodes, where, and when a user namespace means binding the
 * host's node instead (mknod of a device needs CAP_MKNOD in the initial user
 * namespace); the device cgroup already allows the mknod (an `m` rule).
 *
 * `oom-score-adj VALUE` is written by the launcher into the child's
 * /proc/PID/oom_score_adj in the wire phase, from the host's side: it does
 * not depend on the container's /proc.
 */
#include "haco.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static int node_type(const char *t, mode_t *type)
{
	if (!strcmp(t, "c"))
		*type = S_IFCHR;
	else if (!strcmp(t, "b"))
		*type = S_IFBLK;
	else if (!strcmp(t, "p"))
		*type = S_IFIFO;
	else
		return -1;
	return 0;
}

/* MODE is written in octal, as ls and chmod show it. */
static int parse_octal(const char *s, unsigned long long *out)
{
	if (!*s)
		return -1;
	unsigned long long v = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '7' || v > 07777)
			return -1;
		v = v * 8 + (unsigned long long)(*s - '0');
	}
	*out = v;
	return 0;
}

int step_mknod(struct ctx *c, char **argv, int argc)
{
	(void)argc;
	const char *path = argv[0];
	mode_t type;
	unsigned long long major, minor, mode, uid, gid;
	if (node_type(argv[1], &type) < 0)
		return fail(c, 0, "mknod %s: type \"%s\" is not c, b or p", path, argv[1]);
	if (parse_ulong(argv[2], &major) < 0 || major > 0xfff || parse_ulong(argv[3], &minor) < 0 || minor > 0xfffff)
		return fail(c, 0, "mknod %s: \"%s:%s\" is not a device number", path, argv[2], argv[3]);
	if (parse_octal(argv[4], &mode) < 0 || mode > 07777)
		return fail(c, 0, "mknod %s: mode \"%s\" is not octal 0-7777", path, argv[4]);
	if (parse_ulong(argv[5], &uid) < 0 || uid > UINT_MAX - 1 || parse_ulong(argv[6], &gid) < 0 || gid > UINT_MAX - 1)
		return fail(c, 0, "mknod %s: owner \"%s:%s\" is not a uid:gid", path, argv[5], argv[6]);
	char name[NAME_MAX + 1];
	int dir = resolve(c, path, R_PARENT, name, sizeof(name));
	if (dir < 0)
		return fail(c, errno, "mknod %s: resolving its directory", path);
	dev_t dev = type == S_IFIFO ? 0 : makedev((unsigned)major, (unsigned)minor);
	int rc = (int)traced(c, c->sys->mknodat(dir, name, type | (mode_t)mode, dev), "mknodat(<%s>, \"%s\", %s|0%llo, %llu:%llu)",
	                     path, name, argv[1], mode, major, minor);
	if (rc < 0) {
		int e = errno;
		close(dir);
		return fail(c, e, "mknod %s (%s %s:%s)", path, argv[1], argv[2], argv[3]);
	}
	rc = (int)traced(c, c->sys->fchmodat(dir, name, (mode_t)mode), "fchmodat(<%s>, \"%s\", 0%llo)", path, name, mode);
	if (rc < 0) {
		int e = errno;
		close(dir);
		return fail(c, e, "mknod %s: chmod 0%llo", path, mode);
	}
	rc = (int)traced(c, c->sys->fchownat(dir, name, (uid_t)uid, (gid_t)gid), "fchownat(<%s>, \"%s\", %llu, %llu, AT_SYMLINK_NOFOLLOW)",
	                 path, name, uid, gid);
	int e = errno;
	close(dir);
	if (rc < 0)
		return fail(c, e, "mknod %s: chown %llu:%llu", path, uid, gid);
	return 0;
}

int step_oom_score_adj(struct ctx *c, char **argv, int argc)
{
	(void)argc;
	char path[64];
	const char *v = argv[0][0] == '-' ? argv[0] + 1 : argv[0];
	unsigned long long n;
	if (parse_ulong(v, &n) < 0 || n > 1000)
		return fail(c, 0, "oom-score-adj: \"%s\" is not -1000 to 1000", argv[0]);
	if (strfmt(path, sizeof(path), "/proc/%d/oom_score_adj", (int)c->child) < 0)
		return fail(c, errno, "oom-score-adj %s: /proc/%d/oom_score_adj", argv[0], (int)c->child);
	if (write_file(c, path, argv[0]) < 0)
		return fail(c, errno, "oom-score-adj %s: %s", argv[0], path);
	return 0;
}
