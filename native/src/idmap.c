/*
 * idmap.c: `idmap-mount PATH`, in the wire phase (docs/rootfs.md "Who owns the
 * rootfs"). The container's root is a host id other than 0 (`.mapRootTo()`),
 * so a rootfs owned by host root is `nobody`'s inside. An id-mapped mount of
 * PATH shows it through the container's uid/gid maps instead: a file owned by
 * host 0 is the container's root's, and what its root writes there is stored
 * as 0. Nothing in the tree is rewritten, and the mount exists only in the
 * container's mount namespace: it goes away with it, however the run ends.
 *
 * Why the parent does it: mount_setattr(MOUNT_ATTR_IDMAP) needs CAP_SYS_ADMIN
 * over the filesystem's own user namespace (the host's, for ext4 or xfs),
 * which the child, root only in its new user namespace, does not have. The
 * maps must already be written (the id map is read from the user namespace
 * when the mount is made): this step comes after uid-map/gid-map.
 *
 *   open_tree(PATH, OPEN_TREE_CLONE)           a detached copy of the mount at PATH
 *   mount_setattr(IDMAP, /proc/CHILD/ns/user)  the copy sees ids through the maps
 *   setns(/proc/CHILD/ns/mnt)                  into the child's mount namespace...
 *   move_mount(copy -> PATH)                   ...where the copy covers PATH
 *   setns(our own mount namespace), chdir back
 *
 * The child's mount namespace belongs to its user namespace, so every mount it
 * copied from ours is a slave there: the new mount does not propagate back.
 */
#include "haco.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

static int open_ns(struct ctx *c, pid_t pid, const char *kind)
{
	char path[64];
	if (pid > 0)
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, kind); /* always fits */
	else
		snprintf(path, sizeof(path), "/proc/self/ns/%s", kind);
	return (int)traced(c, c->sys->open(path, O_RDONLY | O_CLOEXEC, 0), "open(\"%s\", O_RDONLY)", path);
}

/* Into the child's mount namespace, move the copy onto PATH, and back. */
static int move_into_child(struct ctx *c, int tree, const char *path)
{
	char cwd[4096];
	if (!getcwd(cwd, sizeof(cwd)))
		return fail(c, errno, "idmap-mount %s: getcwd", path);
	int self = open_ns(c, 0, "mnt");
	if (self < 0)
		return fail(c, errno, "idmap-mount %s: open /proc/self/ns/mnt", path);
	int child = open_ns(c, c->child, "mnt");
	if (child < 0) {
		int e = errno;
		c->sys->close(self);
		return fail(c, e, "idmap-mount %s: open /proc/%d/ns/mnt", path, (int)c->child);
	}
	int rc = 0;
	if (traced(c, c->sys->setns(child, CLONE_NEWNS), "setns(%d, CLONE_NEWNS)   /* the container's mount namespace */", child) < 0) {
		rc = fail(c, errno, "idmap-mount %s: setns into the container's mount namespace", path);
	} else {
		int e = 0;
		if (traced(c, c->sys->move_mount(tree, "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH),
		           "move_mount(%d, \"\", AT_FDCWD, \"%s\", MOVE_MOUNT_F_EMPTY_PATH)", tree, path) < 0)
			e = errno;
		/* Back home before anything else: every later step runs in our namespace. */
		if (traced(c, c->sys->setns(self, CLONE_NEWNS), "setns(%d, CLONE_NEWNS)   /* back to ours */", self) < 0 ||
		    traced(c, c->sys->chdir(cwd), "chdir(\"%s\")", cwd) < 0)
			rc = fail(c, errno, "idmap-mount %s: back to the launcher's mount namespace", path);
		else if (e)
			rc = fail(c, e, "idmap-mount %s: move_mount into the container's mount namespace", path);
	}
	c->sys->close(child);
	c->sys->close(self);
	return rc;
}

int step_idmap_mount(struct ctx *c, char **argv, int argc)
{
	(void)argc;
	const char *path = argv[0];
	int userns = open_ns(c, c->child, "user");
	if (userns < 0)
		return fail(c, errno, "idmap-mount %s: open /proc/%d/ns/user", path, (int)c->child);
	int tree = (int)traced(c, c->sys->open_tree(AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC),
	                       "open_tree(AT_FDCWD, \"%s\", OPEN_TREE_CLONE)", path);
	if (tree < 0) {
		int e = errno;
		c->sys->close(userns);
		return fail(c, e, "idmap-mount %s: open_tree", path);
	}
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (unsigned)userns };
	int rc;
	if (traced(c, c->sys->mount_setattr(tree, "", AT_EMPTY_PATH, &attr, sizeof(attr)),
	           "mount_setattr(%d, \"\", AT_EMPTY_PATH, {MOUNT_ATTR_IDMAP, userns_fd=%d})", tree, userns) < 0)
		/* EINVAL: the filesystem cannot be id-mapped (tmpfs before 6.3, fuse, nfs,
		 * overlayfs itself), or PATH is not a mount of one that can. */
		rc = fail(c, errno, "idmap-mount %s: the filesystem cannot be id-mapped (mount_setattr MOUNT_ATTR_IDMAP)", path);
	else
		rc = move_into_child(c, tree, path);
	c->sys->close(tree);
	c->sys->close(userns);
	return rc;
}
