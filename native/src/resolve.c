/*
 * resolve.c: turning a path inside the rootfs into an fd, safely.
 *
 * A rootfs is untrusted data: it may contain a symlink like dev -> /etc, and
 * mounting on "ROOT/dev/pts" as a string would follow it on the host. So a
 * target is never handed to the kernel as a string. It is walked component by
 * component with openat(O_PATH|O_NOFOLLOW) from an fd of the rootfs:
 *   - a symlink is read with readlinkat() and its text is put in front of the
 *     rest of the path; an absolute link starts again at the rootfs, not at /;
 *   - ".." goes up one level but never above the rootfs (like ".." of "/");
 *   - missing components can be created on the way (mkdirat, or an empty
 *     file for the last one), so `mount` and `bind` need no separate mkdir.
 * The caller gets an O_PATH fd and mounts on /proc/self/fd/N. A walk starts at
 * the root's own fd (c->rootfd, which it never closes), not at a copy of it.
 *
 * The runs of `mask` and `readonly` steps (a dozen targets in /proc and /sys)
 * keep the directory their last target was found in: the next target in the
 * same directory is opened from it by name. Only when nothing could have
 * changed what that directory's path names: its walk met no symlink and no
 * "..", each of those steps mounts only on a name inside it (a target
 * elsewhere drops it first), and any other step drops it (resolve_forget).
 */
#include "haco.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Where a walk starts: the root's own fd (the walk never closes it: no dup per
 * target), or "/" opened when no root is set. */
static int walk_start(struct ctx *c)
{
	if (c->rootfd >= 0)
		return c->rootfd;
	return open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
}

static int kept_dir(const struct ctx *c, int fd)
{
	return c->walkdir_len > 0 && fd == c->walkdir_fd;
}

/* Close an fd of the walk, unless it is the root's or the kept directory's. */
static void put(struct ctx *c, int fd)
{
	if (fd >= 0 && fd != c->rootfd && !kept_dir(c, fd))
		close(fd);
}

/* What the caller gets is always its own fd, also when the walk ended at the root. */
static int own(struct ctx *c, int fd)
{
	return fd == c->rootfd || kept_dir(c, fd) ? fcntl(fd, F_DUPFD_CLOEXEC, 3) : fd;
}

void resolve_forget(struct ctx *c)
{
	if (c->walkdir_len > 0)
		close(c->walkdir_fd);
	c->walkdir_len = 0;
}

/* Only `mask` and `readonly` keep a directory: they mount on the name found in it, nothing else. */
static int may_keep(const struct ctx *c, enum resolve_mode mode)
{
	return mode == R_EXISTING && c->cur && (!strcmp(c->cur->name, "mask") || !strcmp(c->cur->name, "readonly"));
}

/* "/DIR/NAME" with no "." or ".." component, no "//" and no trailing "/": the length of "/DIR"
 * (0 for "/NAME"), or -1 when PATH is not that plain. */
static long plain_dir_len(const char *path)
{
	if (path[0] != '/')
		return -1;
	const char *p = path, *last = path;
	while (*p) { /* at a '/' */
		const char *name = p + 1;
		size_t n = strcspn(name, "/");
		if (n == 0 || (n == 1 && name[0] == '.') || (n == 2 && name[0] == '.' && name[1] == '.'))
			return -1;
		last = p;
		p = name + n;
	}
	return last - path;
}

/*
 * Resolve PATH under the current root; returns an O_PATH fd, or -1 and errno.
 * With R_PARENT the last component's name is copied to `last`. With F, also
 * the fd's stat and (keep_dir) the directory the last component was opened in
 * and its name there, for reopen_mounted().
 */
static int walk(struct ctx *c, const char *path, enum resolve_mode mode, char *last, size_t lastsz,
                struct found *f, int keep_dir)
{
	char rest[2 * PATH_MAX], tmp[2 * PATH_MAX];
	int links = 0, depth = 0, have_st = 0; /* depth: directories below the root; ".." stops at 0 */
	int dotdot = 0, keep = may_keep(c, mode);
	if (f)
		f->dir = -1;
	if (snprintf(rest, sizeof(rest), "%s", path) >= (int)sizeof(rest))
		return errno = ENAMETOOLONG, -1;
	long dlen = keep ? plain_dir_len(path) : -1;
	char *p = rest;
	int cur;
	if (dlen > 0 && (size_t)dlen == c->walkdir_len && memcmp(path, c->walkdir, (size_t)dlen) == 0) {
		cur = c->walkdir_fd; /* the same directory as the last target: from there */
		p = rest + dlen;
		for (long i = 0; i < dlen; i++) /* as deep as its plain path: ".." in a link goes up from it */
			depth += path[i] == '/';
	} else {
		/* A target elsewhere: its mount may cover the kept directory or what leads to it. */
		resolve_forget(c);
		if ((cur = walk_start(c)) < 0)
			return -1;
	}
	for (;;) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		char comp[NAME_MAX + 1];
		size_t len = strcspn(p, "/");
		if (len > NAME_MAX) {
			put(c, cur);
			return errno = ENAMETOOLONG, -1;
		}
		memcpy(comp, p, len);
		comp[len] = '\0';
		p += len;
		while (*p == '/')
			p++;
		int is_last = *p == '\0';

		if (mode == R_PARENT && is_last) {
			if (!strcmp(comp, ".") || !strcmp(comp, "..")) {
				put(c, cur);
				return errno = EINVAL, -1;
			}
			if (strfmt(last, lastsz, "%s", comp) < 0) {
				put(c, cur);
				return -1; /* errno ENAMETOOLONG */
			}
			return own(c, cur);
		}
		if (!strcmp(comp, "."))
			continue;
		if (!strcmp(comp, "..")) {
			if (depth == 0)
				continue; /* ".." of the root is the root, as in the kernel */
			int up = openat(cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
			if (up < 0)
				goto err;
			put(c, cur);
			cur = up;
			depth--;
			have_st = 0;
			dotdot = 1;
			continue;
		}

		int fd = openat(cur, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT && mode != R_EXISTING) {
			if (is_last && mode == R_FILE) {
				int f = openat(cur, comp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
				if (f < 0 && errno != EEXIST)
					goto err;
				if (f >= 0)
					close(f);
			} else if (mkdirat(cur, comp, 0755) < 0 && errno != EEXIST) {
				goto err;
			}
			fd = openat(cur, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		}
		if (fd < 0)
			goto err;
		struct stat st;
		if (fstat(fd, &st) < 0) {
			close(fd);
			goto err;
		}
		if (S_ISLNK(st.st_mode)) {
			/* Read the link and go on with "<link>/<rest>", under the root. */
			char target[PATH_MAX];
			ssize_t n = readlinkat(fd, "", target, sizeof(target) - 1);
			close(fd);
			if (n < 0)
				goto err;
			target[n] = '\0';
			if (++links > 40) {
				errno = ELOOP;
				goto err;
			}
			if (snprintf(tmp, sizeof(tmp), "%s/%s", target, p) >= (int)sizeof(tmp)) {
				errno = ENAMETOOLONG;
				goto err;
			}
			memcpy(rest, tmp, sizeof(rest));
			p = rest;
			if (target[0] == '/') { /* absolute: from the rootfs, not the host */
				put(c, cur);
				if ((cur = walk_start(c)) < 0)
					return -1;
				depth = 0;
			}
			continue;
		}
		if (!is_last && !S_ISDIR(st.st_mode)) {
			close(fd);
			errno = ENOTDIR;
			goto err;
		}
		if (is_last && keep && dlen > 0 && !links && !dotdot && !kept_dir(c, cur) && (size_t)dlen < sizeof(c->walkdir)) {
			/* A plain walk to DIR: keep DIR for the next target in it (resolve_forget closes it). */
			resolve_forget(c);
			memcpy(c->walkdir, path, (size_t)dlen);
			c->walkdir_fd = cur;
			c->walkdir_len = (size_t)dlen;
		}
		if (f && is_last && keep_dir) { /* the directory it is in, kept open with the name */
			put(c, f->dir);
			f->dir = cur;
			memcpy(f->name, comp, len + 1);
		} else
			put(c, cur);
		if (f) /* the stat of what the walk ends at, unless a "." or ".." follows */
			f->st = st, have_st = is_last;
		cur = fd;
		depth++;
	}
	if (mode == R_PARENT) { /* "/" has no last component */
		put(c, cur);
		return errno = EINVAL, -1;
	}
	if (f && !have_st && fstat(cur, &f->st) < 0)
		goto err;
	if ((cur = own(c, cur)) < 0)
		goto err;
	if (c->walkdir_len && (links || dotdot)) {
		/* Reached through a link or "..": the mount on it could be anywhere, the kept directory's
		 * path included. Dropped (the caller's f->dir, if it is that fd, now owns it). */
		if (f && f->dir == c->walkdir_fd)
			c->walkdir_len = 0;
		else
			resolve_forget(c);
	}
	return cur;
err:;
	int e = errno;
	put(c, cur);
	if (f) {
		put(c, f->dir);
		f->dir = -1;
	}
	errno = e;
	return -1;
}

int resolve(struct ctx *c, const char *path, enum resolve_mode mode, char *last, size_t lastsz)
{
	return walk(c, path, mode, last, lastsz, NULL, 0);
}

int resolve_stat(struct ctx *c, const char *path, enum resolve_mode mode, struct stat *st)
{
	struct found f;
	int fd = walk(c, path, mode, NULL, 0, &f, 0);
	if (fd >= 0)
		*st = f.st;
	return fd;
}

int resolve_found(struct ctx *c, const char *path, enum resolve_mode mode, struct found *f)
{
	return walk(c, path, mode, NULL, 0, f, 1);
}

/*
 * After a mount on F's target: an fd of what is there now (the new mount's
 * root; the first fd still names the covered inode). The name is opened again
 * in the directory the walk found it in, as the whole walk would: the same
 * components, the same checks. If it is no longer what was found (a symlink or
 * another kind of file now), or the walk did not end in a name (".."), the
 * whole path is walked again.
 */
int reopen_mounted(struct ctx *c, const char *path, struct found *f)
{
	int fd = -1;
	if (f->dir >= 0) {
		struct stat st;
		fd = openat(f->dir, f->name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0 && (fstat(fd, &st) < 0 || (st.st_mode & S_IFMT) != (f->st.st_mode & S_IFMT))) {
			close(fd);
			fd = -1;
		}
	}
	found_close(c, f);
	return fd >= 0 ? fd : resolve(c, path, R_EXISTING, NULL, 0);
}

void found_close(struct ctx *c, struct found *f)
{
	put(c, f->dir);
	f->dir = -1;
}
