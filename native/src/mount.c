/*
 * mount.c: the container's filesystem view (man 2 mount, man 2 pivot_root,
 * man 7 mount_namespaces).
 *
 * Every target is a path *inside* the rootfs, turned into an fd by resolve()
 * (resolve.c) without ever leaving the rootfs; mount(2) then gets
 * "/proc/self/fd/N", which names exactly that inode.
 */
#include "haco.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

static const struct flagname MS_NAMES[] = {
	{ MS_RDONLY, "MS_RDONLY" }, { MS_NOSUID, "MS_NOSUID" }, { MS_NODEV, "MS_NODEV" },
	{ MS_NOEXEC, "MS_NOEXEC" }, { MS_SYNCHRONOUS, "MS_SYNCHRONOUS" }, { MS_REMOUNT, "MS_REMOUNT" },
	{ MS_DIRSYNC, "MS_DIRSYNC" }, { MS_NOATIME, "MS_NOATIME" }, { MS_NODIRATIME, "MS_NODIRATIME" },
	{ MS_BIND, "MS_BIND" }, { MS_MOVE, "MS_MOVE" }, { MS_REC, "MS_REC" },
	{ MS_UNBINDABLE, "MS_UNBINDABLE" }, { MS_PRIVATE, "MS_PRIVATE" }, { MS_SLAVE, "MS_SLAVE" },
	{ MS_SHARED, "MS_SHARED" }, { MS_RELATIME, "MS_RELATIME" }, { MS_STRICTATIME, "MS_STRICTATIME" },
	{ 0, NULL },
};

/* Spec flag words (docs/launch-spec.md, `mount`). */
static const struct flagname SPEC_FLAGS[] = {
	{ MS_RDONLY, "ro" }, { MS_NOSUID, "nosuid" }, { MS_NODEV, "nodev" }, { MS_NOEXEC, "noexec" },
	{ MS_NOATIME, "noatime" }, { MS_NODIRATIME, "nodiratime" }, { MS_RELATIME, "relatime" },
	{ MS_STRICTATIME, "strictatime" }, { MS_SYNCHRONOUS, "sync" }, { MS_DIRSYNC, "dirsync" },
	{ MS_BIND, "bind" }, { MS_REC, "rec" }, { MS_PRIVATE, "private" },
	{ MS_PRIVATE | MS_REC, "rprivate" }, { MS_SLAVE, "slave" }, { MS_SLAVE | MS_REC, "rslave" },
	{ MS_SHARED, "shared" }, { MS_SHARED | MS_REC, "rshared" }, { MS_UNBINDABLE, "unbindable" },
	{ 0, NULL },
};
#define MS_PROPAGATION (MS_PRIVATE | MS_SLAVE | MS_SHARED | MS_UNBINDABLE)

/* A traced mount(2). Shows the rootfs-relative target, as the learner wrote it. */
static int do_mount(struct ctx *c, const char *src, const char *target, const char *shown,
                    const char *fstype, unsigned long flags, const char *data)
{
	char fl[256];
	int rc = c->sys->mount(src, target, fstype, flags, data);
	if (!c->trace) /* the rest only formats the trace line */
		return rc;
	int e = errno;
	char q1[PATH_MAX + 2], q3[64], q5[512]; /* display only: may be cut */
	snprintf(q1, sizeof(q1), src ? "\"%s\"" : "NULL", src);
	snprintf(q3, sizeof(q3), fstype ? "\"%s\"" : "NULL", fstype);
	snprintf(q5, sizeof(q5), data ? "\"%s\"" : "NULL", data);
	errno = e;
	traced(c, rc, "mount(%s, \"%s\", %s, %s, %s)", q1, shown, q3,
	       flags_str(fl, sizeof(fl), MS_NAMES, flags), q5);
	errno = e;
	return rc;
}

/* "/proc/self/fd/N": how mount(2) is given an inode we hold an fd for. (An int
 * always fits the callers' 64 bytes.) */
static const char *fdpath(char *buf, size_t sz, int fd)
{
	snprintf(buf, sz, "/proc/self/fd/%d", fd);
	return buf;
}

/* The shown path in traces: the rootfs prefix before the switch.
 * Display only (the kernel gets the fd): a cut is harmless. */
static const char *shown(struct ctx *c, char *buf, size_t sz, const char *target)
{
	buf[0] = '\0';
	if (!c->trace) /* shown nowhere else */
		return buf;
	snprintf(buf, sz, "%s%s%s", c->rootfd >= 0 ? c->root : "",
	         c->rootfd >= 0 && target[0] != '/' ? "/" : "", target);
	return buf;
}

/*
 * Flags a remount must keep. In a user namespace the kernel "locks" nosuid,
 * nodev, noexec and the atime flags of mounts inherited from the host: a
 * remount that would clear them fails with EPERM. So read and repeat them.
 */
static unsigned long locked_flags(const char *path)
{
	struct statvfs sv;
	unsigned long f = 0;
	if (statvfs(path, &sv) < 0)
		return 0;
	if (sv.f_flag & ST_NOSUID) f |= MS_NOSUID;
	if (sv.f_flag & ST_NODEV) f |= MS_NODEV;
	if (sv.f_flag & ST_NOEXEC) f |= MS_NOEXEC;
	if (sv.f_flag & ST_NOATIME) f |= MS_NOATIME;
	if (sv.f_flag & ST_NODIRATIME) f |= MS_NODIRATIME;
	if (sv.f_flag & ST_RELATIME) f |= MS_RELATIME;
	return f;
}

static int remount_ro(struct ctx *c, const char *path, const char *show)
{
	return do_mount(c, NULL, path, show, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | locked_flags(path), NULL);
}

static int parse_flags(struct ctx *c, const char *list, unsigned long *out)
{
	char **v;
	int n = split_list(list, &v);
	if (n < 0)
		return fail(c, errno, "%s: flags %s", c->cur->name, list);
	*out = 0;
	for (int i = 0; i < n; i++) {
		const struct flagname *f;
		for (f = SPEC_FLAGS; f->name && strcmp(f->name, v[i]); f++)
			;
		if (!f->name) {
			fail(c, 0, "%s: unknown mount flag \"%s\"", c->cur->name, v[i]);
			free(v);
			return -1;
		}
		*out |= f->flag;
	}
	free(v);
	return 0;
}

int step_propagation(struct ctx *c, char **argv, int argc)
{
	(void)argc;
	unsigned long f;
	if (parse_flags(c, argv[1], &f) < 0)
		return -1;
	if (!(f & MS_PROPAGATION))
		return fail(c, 0, "propagation: %s is not a propagation mode", argv[1]);
	if (do_mount(c, NULL, argv[0], argv[0], NULL, f, NULL) < 0)
		return fail(c, errno, "propagation %s of %s", argv[1], argv[0]);
	return 0;
}

/* The root used for target resolution from now on (also fuse.c's fuse-root). */
int set_root(struct ctx *c, const char *path)
{
	char root[sizeof(c->root)];
	if (strfmt(root, sizeof(root), "%s", strcmp(path, "/") ? path : "") < 0)
		return -1;
	int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (c->rootfd >= 0)
		close(c->rootfd);
	c->rootfd = fd;
	memcpy(c->root, root, sizeof(root));
	return 0;
}

int step_bind_root(struct ctx *c, char **argv, int argc)
{
	(void)argc;
	/* pivot_root(2) needs the new root to be a mount point: bind it on itself. */
	if (do_mount(c, argv[0], argv[0], argv[0], NULL, MS_BIND | MS_REC, NULL) < 0)
		return fail(c, errno, "bind-root %s", argv[0]);
	if (set_root(c, argv[0]) < 0) /* opened after the mount: the fd is in the new mount */
		return fail(c, errno, "bind-root: open %s", argv[0]);
	return 0;
}

/*
 * overlayfs reads its options as "key=value,key=value" with ':' between the
 * lower layers, and the kernel copies at most one page of mount(2) data (a
 * longer string is cut, not refused). Escaping with a backslash is understood
 * differently by the old mount(2) parser and fsconfig(2), so a directory name
 * with a comma, a colon or a backslash is refused rather than guessed at (TS
 * refuses it first, with a hint: plan/validate.ts). Not errno failures: no
 * system call was made.
 */
enum { OVERLAY_DATA_MAX = 4096 };

static int overlay_dir_ok(struct ctx *c, const char *what, const char *dir, const char *forbidden)
{
	const char *bad = strpbrk(dir, forbidden);
	if (bad)
		return fail(c, 0, "overlay-root: %s %s contains '%c', which overlayfs options cannot carry", what,
		            dir, *bad);
	return 0;
}

int step_overlay_root(struct ctx *c, char **argv, int argc)
{
	char data[OVERLAY_DATA_MAX];
	/* argv[0] is the lower list, already joined with ':' by TS */
	if (overlay_dir_ok(c, "lowerdir", argv[0], ",\\") < 0 || overlay_dir_ok(c, "upperdir", argv[1], ",:\\") < 0 ||
	    overlay_dir_ok(c, "workdir", argv[2], ",:\\") < 0)
		return -1;
	/* OPTIONS (TS decides): `userxattr` for a rootless overlay in a user namespace. */
	if (argc > 4 && strpbrk(argv[4], ":\\") != NULL)
		return fail(c, 0, "overlay-root: options %s contain ':' or '\\'", argv[4]);
	if (strfmt(data, sizeof(data), "lowerdir=%s,upperdir=%s,workdir=%s%s%s", argv[0], argv[1], argv[2],
	           argc > 4 ? "," : "", argc > 4 ? argv[4] : "") < 0)
		return fail(c, 0, "overlay-root: the options (lowerdir=..., upperdir=..., workdir=...) are %zu bytes, "
		            "more than the %d mount(2) passes to overlayfs", strlen(argv[0]) + strlen(argv[1]) +
		            strlen(argv[2]) + sizeof("lowerdir=,upperdir=,workdir=") - 1, OVERLAY_DATA_MAX - 1);
	if (do_mount(c, "overlay", argv[3], argv[3], "overlay", 0, data) < 0)
		return fail(c, errno, "overlay-root on %s", argv[3]);
	/* overlayfs mounts read-only instead of failing when it cannot use upper or
	 * work (e.g. owned by someone the container's root is not): a container that
	 * silently cannot write. A read-only root is asked for by a later
	 * remount-root-ro step, never here, so ST_RDONLY now is that fallback. */
	struct statvfs sv;
	if (statvfs(argv[3], &sv) < 0)
		return fail(c, errno, "overlay-root: statvfs %s", argv[3]);
	if (sv.f_flag & ST_RDONLY) {
		traced(c, c->sys->umount2(argv[3], MNT_DETACH), "umount2(\"%s\", MNT_DETACH)   /* overlayfs fell back to read-only */", argv[3]);
		return fail(c, EROFS, "overlay-root on %s: overlayfs fell back to read-only: the container's root cannot "
		            "use upperdir %s or workdir %s (dmesg shows overlayfs's reason)", argv[3], argv[1], argv[2]);
	}
	if (set_root(c, argv[3]) < 0)
		return fail(c, errno, "overlay-root: open %s", argv[3]);
	return 0;
}

int step_mount(struct ctx *c, char **argv, int argc)
{
	(void)argc;
	const char *src = argv[0], *target = argv[1], *fstype = argv[2];
	const char *data = strcmp(argv[4], "-") ? argv[4] : NULL;
	unsigned long f;
	char fdp[64], show[PATH_MAX * 2];
	if (parse_flags(c, argv[3], &f) < 0)
		return -1;
	/* A bind ignores MS_RDONLY on the first call; read-only is a remount. Also
	 * the propagation call needs the *new* mount: a second call on the target found again. */
	int again = (f & MS_BIND && f & MS_RDONLY) || (f & MS_PROPAGATION);
	struct found found;
	int fd = again ? resolve_found(c, target, R_DIR, &found) : resolve(c, target, R_DIR, NULL, 0);
	if (fd < 0)
		return fail(c, errno, "mount %s on %s: resolving the target", src, target);
	fdpath(fdp, sizeof(fdp), fd);
	shown(c, show, sizeof(show), target);
	/* Propagation flags cannot be combined with anything else: a second call. */
	int rc = do_mount(c, src, fdp, show, fstype, f & ~(MS_PROPAGATION | ((f & MS_BIND) ? MS_RDONLY : 0)), data);
	int e = errno;
	close(fd);
	if (rc < 0) {
		if (again)
			found_close(c, &found);
		return fail(c, e, "mount %s on %s", src, target);
	}
	if (again) {
		if ((fd = reopen_mounted(c, target, &found)) < 0)
			return fail(c, errno, "mount %s on %s: resolving the target", src, target);
		fdpath(fdp, sizeof(fdp), fd);
		rc = 0;
		if (f & MS_BIND && f & MS_RDONLY)
			rc = remount_ro(c, fdp, show);
		if (rc == 0 && (f & MS_PROPAGATION))
			rc = do_mount(c, NULL, fdp, show, NULL, f & (MS_PROPAGATION | MS_REC), NULL);
		e = errno;
		close(fd);
		if (rc < 0)
			return fail(c, e, "mount %s on %s", src, target);
	}
	return 0;
}

int step_bind(struct ctx *c, char **argv, int argc)
{
	(void)argc;
	const char *src = argv[0], *target = argv[1];
	char **v;
	int n = split_list(argv[2], &v), rec = 0, ro = 0, file = 0, optional = 0;
	if (n < 0)
		return fail(c, errno, "bind %s", src);
	for (int i = 0; i < n; i++) {
		if (!strcmp(v[i], "rec")) rec = 1;
		else if (!strcmp(v[i], "ro")) ro = 1;
		else if (!strcmp(v[i], "file")) file = 1;
		else if (!strcmp(v[i], "optional")) optional = 1;
		else {
			fail(c, 0, "bind: unknown flag \"%s\" (rec ro file optional)", v[i]);
			free(v);
			return -1;
		}
	}
	free(v);
	struct stat st;
	if (optional && stat(src, &st) < 0 && errno == ENOENT) {
		tracef(c, "bind %s: source missing, optional: skipped", src);
		return 0;
	}
	struct found found; /* ro: the target found again after the bind, for the remount */
	int fd = ro ? resolve_found(c, target, file ? R_FILE : R_DIR, &found) : resolve(c, target, file ? R_FILE : R_DIR, NULL, 0);
	if (fd < 0)
		return fail(c, errno, "bind %s on %s: resolving the target", src, target);
	char fdp[64], show[PATH_MAX * 2];
	fdpath(fdp, sizeof(fdp), fd);
	shown(c, show, sizeof(show), target);
	int rc = do_mount(c, src, fdp, show, NULL, MS_BIND | (rec ? MS_REC : 0), NULL);
	int e = errno;
	close(fd);
	if (rc < 0) {
		if (ro)
			found_close(c, &found);
		return fail(c, e, "bind %s on %s", src, target);
	}
	if (ro) {
		if ((fd = reopen_mounted(c, target, &found)) < 0)
			return fail(c, errno, "bind %s on %s: resolving the target", src, target);
		rc = remount_ro(c, fdpath(fdp, sizeof(fdp), fd), show);
		e = errno;
		close(fd);
		if (rc < 0)
			return fail(c, e, "bind %s on %s: remount read-only", src, target);
	}
	return 0;
}

int step_mknod_bind(struct ctx *c, char **argv, int argc)
{
	(void)argc;
	/* mknod(2) of a device needs CAP_MKNOD in the initial user namespace;
	 * binding the host's device node onto an empty file works everywhere. */
	char src[PATH_MAX], fdp[64], show[PATH_MAX * 2];
	if (strfmt(src, sizeof(src), "/dev/%s", argv[0]) < 0)
		return fail(c, errno, "mknod-bind /dev/%s: too long", argv[0]);
	int fd = resolve(c, argv[1], R_FILE, NULL, 0);
	if (fd < 0)
		return fail(c, errno, "mknod-bind %s on %s: resolving the target", argv[0], argv[1]);
	int rc = do_mount(c, src, fdpath(fdp, sizeof(fdp), fd), shown(c, show, sizeof(show), argv[1]),
	                  NULL, MS_BIND, NULL);
	int e = errno;
	close(fd);
	if (rc < 0)
		return fail(c, e, "mknod-bind %s on %s", src, argv[1]);
	return 0;
}

int step_symlink(struct ctx *c, char **argv, int argc)
{
	(void)argc;
	char name[NAME_MAX + 1];
	int dir = resolve(c, argv[1], R_PARENT, name, sizeof(name));
	if (dir < 0)
		return fail(c, errno, "symlink %s at %s", argv[0], argv[1]);
	int rc = (int)traced(c, c->sys->symlinkat(argv[0], dir, name), "symlinkat(\"%s\", <%s>, \"%s\")", argv[0],
	                     argv[1], name);
	int e = errno;
	close(dir);
	if (rc < 0 && e != EEXIST)
		return fail(c, e, "symlink %s at %s", argv[0], argv[1]);
	return 0;
}

int step_pivot_root(struct ctx *c, char **argv, int argc)
{
	(void)argc;
	if (traced(c, c->sys->chdir(argv[0]), "chdir(\"%s\")", argv[0]) < 0)
		return fail(c, errno, "pivot-root %s: chdir", argv[0]);
	/* pivot_root(".", "."): the new root goes on top of the old one at "/"
	 * and the old root stays mounted *under* it, at the same place. Detaching
	 * "." then removes the old root: nothing of the host is reachable. */
	if (traced(c, c->sys->pivot_root(".", "."), "pivot_root(\".\", \".\")") < 0)
		return fail(c, errno, "pivot-root %s", argv[0]);
	if (traced(c, c->sys->umount2(".", MNT_DETACH), "umount2(\".\", MNT_DETACH)") < 0)
		return fail(c, errno, "pivot-root %s: detach the old root", argv[0]);
	if (traced(c, c->sys->chdir("/"), "chdir(\"/\")") < 0 || set_root(c, "/") < 0)
		return fail(c, errno, "pivot-root %s: chdir /", argv[0]);
	return 0;
}

int step_chroot(struct ctx *c, char **argv, int argc)
{
	(void)argc;
	if (traced(c, c->sys->chdir(argv[0]), "chdir(\"%s\")", argv[0]) < 0)
		return fail(c, errno, "chroot %s: chdir", argv[0]);
	if (traced(c, c->sys->chroot("."), "chroot(\".\")") < 0)
		return fail(c, errno, "chroot %s", argv[0]);
	if (traced(c, c->sys->chdir("/"), "chdir(\"/\")") < 0 || set_root(c, "/") < 0)
		return fail(c, errno, "chroot %s: chdir /", argv[0]);
	return 0;
}

int step_remount_root_ro(struct ctx *c, char **argv, int argc)
{
	(void)argv, (void)argc;
	if (remount_ro(c, "/", "/") < 0)
		return fail(c, errno, "remount-root-ro");
	return 0;
}

int step_mask(struct ctx *c, char **argv, int argc)
{
	(void)argc;
	char fdp[64], show[PATH_MAX * 2];
	struct stat st; /* of the fd: what the walk found (no second fstat) */
	int fd = resolve_stat(c, argv[0], R_EXISTING, &st);
	if (fd < 0 && errno == ENOENT) {
		tracef(c, "mask %s: not there, nothing to hide", argv[0]);
		return 0;
	}
	if (fd < 0)
		return fail(c, errno, "mask %s", argv[0]);
	int rc;
	fdpath(fdp, sizeof(fdp), fd);
	shown(c, show, sizeof(show), argv[0]);
	if (S_ISDIR(st.st_mode)) /* an empty, read-only tmpfs over a directory */
		rc = do_mount(c, "tmpfs", fdp, show, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
		              "size=0");
	else /* /dev/null over a file: reads give nothing, writes vanish */
		rc = do_mount(c, "/dev/null", fdp, show, NULL, MS_BIND, NULL);
	int e = errno;
	close(fd);
	if (rc < 0)
		return fail(c, e, "mask %s", argv[0]);
	return 0;
}

int step_readonly(struct ctx *c, char **argv, int argc)
{
	(void)argc;
	char fdp[64], show[PATH_MAX * 2];
	struct found found;
	int fd = resolve_found(c, argv[0], R_EXISTING, &found);
	if (fd < 0 && errno == ENOENT) {
		tracef(c, "readonly %s: not there, nothing to do", argv[0]);
		return 0;
	}
	if (fd < 0)
		return fail(c, errno, "readonly %s", argv[0]);
	shown(c, show, sizeof(show), argv[0]);
	/* Only a mount point can be read-only on its own: bind the path on itself. */
	int rc = do_mount(c, fdpath(fdp, sizeof(fdp), fd), fdp, show, NULL, MS_BIND | MS_REC, NULL);
	int e = errno;
	close(fd);
	if (rc < 0) {
		found_close(c, &found);
		return fail(c, e, "readonly %s", argv[0]);
	}
	if ((fd = reopen_mounted(c, argv[0], &found)) < 0) /* now the new mount */
		return fail(c, errno, "readonly %s", argv[0]);
	rc = remount_ro(c, fdpath(fdp, sizeof(fdp), fd), show);
	e = errno;
	close(fd);
	if (rc < 0)
		return fail(c, e, "readonly %s", argv[0]);
	return 0;
}
