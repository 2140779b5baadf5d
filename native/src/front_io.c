/*
 * front_io.c: what the front's fast paths (front.c, front_attach.c, front_warm.c, front_ps.c) share:
 * whether a recorded process is still the same one, reading a whole small file from an open fd, and
 * handing a launch spec to the launcher on a memory file above fds 3..8 (the caller's fds, which
 * --preserve-fds may pass on).
 */
#include "haco.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* PID is alive (not a zombie) and started at START (field 22 of /proc/PID/stat), as state/proc.ts checks. */
int front_same_process(const char *pid, const char *start)
{
	char path[64];
	if (snprintf(path, sizeof(path), "/proc/%s/stat", pid) >= (int)sizeof(path))
		return 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *stat = fd < 0 ? NULL : front_read_fd(fd, 1u << 16, NULL);
	if (!stat)
		return 0;
	char *p = strrchr(stat, ')'); /* comm may hold spaces and parentheses */
	int ok = 0;
	if (p && p[1] == ' ' && p[2] != 'Z') {
		/* p+2 is field 3 (state); field 22 is 19 fields further on */
		char *f = p + 2;
		for (int i = 3; i < 22 && f; i++) {
			f = strchr(f, ' ');
			if (f)
				f++;
		}
		size_t sl = strlen(start);
		ok = f && sl > 0 && strncmp(f, start, sl) == 0 && (f[sl] == ' ' || f[sl] == '\n' || f[sl] == '\0');
	}
	free(stat);
	return ok;
}

char *front_read_fd(int fd, size_t max, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap + 1);
	while (buf) {
		if (n == cap) {
			char *nb = cap >= max ? NULL : realloc(buf, (cap *= 2) + 1);
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
		}
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(buf);
			buf = NULL;
			break;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (buf) {
		buf[n] = '\0';
		if (len)
			*len = n;
	}
	return buf;
}

int front_write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w, n -= (size_t)w;
	}
	return 0;
}

int front_spec_ready(int fd)
{
	if (lseek(fd, 0, SEEK_SET) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	if (fd >= 9)
		return fd;
	int high = fcntl(fd, F_DUPFD, 9);
	int e = errno;
	close(fd);
	errno = e;
	return high;
}

int front_spec_fd(const char *spec, size_t len)
{
	int fd = memfd_create("haco-spec", 0);
	if (fd < 0)
		return -1;
	if (front_write_all(fd, spec, len) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return front_spec_ready(fd);
}
