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
 * The caller gets an O_PATH fd and mounts on /proc/self/fd/N.
 */
#include "haco.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int root_fd(struct ctx *c)
{
	if (c->rootfd >= 0)
		return fcntl(c->rootfd, F_DUPFD_CLOEXEC, 3);
	return open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
}

/*
 * Resolve PATH under the current root; returns an O_PATH fd, or -1 and errno.
 * With R_PARENT the last component's name is copied to `last`.
 */
int resolve(struct ctx *c, const char *path, enum resolve_mode mode, char *last, size_t lastsz)
{
	char rest[2 * PATH_MAX], tmp[2 * PATH_MAX];
	int links = 0, depth = 0; /* depth: directories below the root; ".." stops at 0 */
	if (snprintf(rest, sizeof(rest), "%s", path) >= (int)sizeof(rest))
		return errno = ENAMETOOLONG, -1;
	int cur = root_fd(c);
	if (cur < 0)
		return -1;
	char *p = rest;
	for (;;) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		char comp[NAME_MAX + 1];
		size_t len = strcspn(p, "/");
		if (len > NAME_MAX) {
			close(cur);
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
				close(cur);
				return errno = EINVAL, -1;
			}
			if (strfmt(last, lastsz, "%s", comp) < 0) {
				close(cur);
				return -1; /* errno ENAMETOOLONG */
			}
			return cur;
		}
		if (!strcmp(comp, "."))
			continue;
		if (!strcmp(comp, "..")) {
			if (depth == 0)
				continue; /* ".." of the root is the root, as in the kernel */
			int up = openat(cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
			if (up < 0)
				goto err;
			close(cur);
			cur = up;
			depth--;
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
				close(cur);
				if ((cur = root_fd(c)) < 0)
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
		close(cur);
		cur = fd;
		depth++;
	}
	if (mode == R_PARENT) { /* "/" has no last component */
		close(cur);
		return errno = EINVAL, -1;
	}
	return cur;
err:;
	int e = errno;
	close(cur);
	errno = e;
	return -1;
}
