/*
 * cgroup-move.c: what a move into a cgroup v1 group costs after a quiet spell (docs/performance.md,
 * "The kernel's share"). Not part of haco; a measuring tool for the figures there.
 *
 *   cc -O2 -Wall -Wextra -Werror -o /tmp/cgroup-move bench/cgroup-move.c
 *   /tmp/cgroup-move procs ROUNDS IDLE_MS   # fork a child, write its pid to cgroup.procs in each hierarchy
 *   /tmp/cgroup-move self ROUNDS IDLE_MS    # move itself ("0" into tasks), fork, move back
 *
 * As root, on a cgroup v1 host with pids, cpuacct and devices mounted under /sys/fs/cgroup (the three a
 * default haco container joins there). It makes /sys/fs/cgroup/H/haco-bench-move in each and removes them.
 * Prints min, median, p90 and max of the timed part, in ms.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *const HIER[] = { "/sys/fs/cgroup/pids", "/sys/fs/cgroup/cpuacct", "/sys/fs/cgroup/devices" };
enum { NH = sizeof(HIER) / sizeof(HIER[0]) };

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static void put(const char *dir, const char *file, const char *value)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, value, strlen(value)) != (ssize_t)strlen(value)) {
		perror(path);
		exit(1);
	}
	close(fd);
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	if (argc != 4 || (strcmp(argv[1], "procs") && strcmp(argv[1], "self"))) {
		fprintf(stderr, "usage: %s procs|self ROUNDS IDLE_MS\n", argv[0]);
		return 2;
	}
	int self = strcmp(argv[1], "self") == 0, n = atoi(argv[2]), idle = atoi(argv[3]);
	if (n < 1)
		n = 1;
	char dir[NH][256];
	for (int h = 0; h < NH; h++) {
		snprintf(dir[h], sizeof(dir[h]), "%s/haco-bench-move", HIER[h]);
		if (mkdir(dir[h], 0755) < 0) {
			perror(dir[h]);
			return 1;
		}
	}
	double *t = calloc((size_t)n, sizeof(double));
	for (int i = 0; i < n; i++) {
		if (idle > 0)
			usleep((useconds_t)idle * 1000);
		int p[2];
		if (pipe(p) < 0)
			return perror("pipe"), 1;
		double t0 = now_ms();
		if (self) /* the thread moves itself: no cgroup_threadgroup_rwsem */
			for (int h = 0; h < NH; h++)
				put(dir[h], "tasks", "0");
		pid_t c = fork();
		if (c == 0) { /* waits until the parent is done with it */
			char b;
			close(p[1]);
			ssize_t r = read(p[0], &b, 1);
			_exit(r < 0);
		}
		if (c < 0)
			return perror("fork"), 1;
		if (self)
			for (int h = 0; h < NH; h++)
				put(HIER[h], "tasks", "0");
		else {
			t0 = now_ms(); /* the moves only */
			char pid[32];
			snprintf(pid, sizeof(pid), "%d", (int)c);
			for (int h = 0; h < NH; h++)
				put(dir[h], "cgroup.procs", pid);
		}
		t[i] = now_ms() - t0;
		close(p[1]);
		close(p[0]);
		waitpid(c, NULL, 0);
	}
	qsort(t, (size_t)n, sizeof(double), cmp);
	printf("%s, %d rounds after %d ms idle: min %.3f median %.3f p90 %.3f max %.3f ms\n", argv[1], n, idle,
	       t[0], t[n / 2], t[n * 9 / 10], t[n - 1]);
	int rc = 0;
	for (int h = 0; h < NH; h++)
		if (rmdir(dir[h]) < 0)
			perror(dir[h]), rc = 1;
	free(t);
	return rc;
}
