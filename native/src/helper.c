/*
 * helper.c: `helper FD ARGV...`, a program that runs next to the container for
 * as long as the container runs (slirp4netns or pasta give its network
 * namespace a way out: docs/network.md). A `hook` must end before the launch
 * goes on; a helper must not, so the launcher starts it, waits until it says it
 * is ready, and stops it when the container's run is over.
 *
 * Readiness: the helper gets the write end of a pipe as fd FD and writes at
 * least one byte to it once it is set up (slirp4netns --ready-fd=FD; pasta
 * writes its pid file to /proc/self/fd/FD). EOF without a byte means it failed.
 *
 * Lifetime: the launcher (the supervisor, when detached) is its parent. It
 * sends SIGTERM when the container's run is over (then SIGKILL after a second)
 * and reaps it, once per run, so a restart starts a fresh one for the new
 * namespace. PR_SET_PDEATHSIG covers a launcher killed with SIGKILL: the kernel
 * kills the helper too. Its own process group, and /dev/null as stdin: a
 * Ctrl-C at the terminal (SIGINT to the foreground group) or a signal sent to
 * the launcher's group must not take the network away while the container is
 * still shutting down, and a helper must never read the user's terminal. Only
 * the launcher stops it. (Process plumbing: fork, pipes, signals and waitpid
 * are direct calls, like the hooks' in proc.c.)
 */
#include "haco.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { HELPER_READY_MS = 10000, HELPER_STOP_MS = 1000 };

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reap pid within ms milliseconds; 1 when reaped (status in *st), 0 when still running. */
static int reap_within(pid_t pid, int ms, int *st)
{
	long long end = now_ms() + ms;
	for (;;) {
		pid_t r = waitpid(pid, st, WNOHANG);
		if (r == pid || (r < 0 && errno == ECHILD))
			return 1;
		if (now_ms() >= end)
			return 0;
		usleep(10000);
	}
}

static void helper_kill(pid_t pid)
{
	int st;
	kill(pid, SIGTERM);
	if (!reap_within(pid, HELPER_STOP_MS, &st)) {
		kill(pid, SIGKILL);
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
	}
}

int step_helper(struct ctx *c, char **argv, int argc)
{
	(void)argc;
	unsigned long long fd;
	if (parse_ulong(argv[0], &fd) < 0 || fd < 3 || fd > 9)
		return fail(c, 0, "helper: FD must be 3-9, not %s", argv[0]);
	if (c->nhelpers >= (int)(sizeof(c->helpers) / sizeof(c->helpers[0])))
		return fail(c, 0, "helper: at most %d helpers", (int)(sizeof(c->helpers) / sizeof(c->helpers[0])));
	char **cmd = argv + 1;
	char line[512];
	snprintf(line, sizeof(line), "%s", cmd[0]);
	for (char **a = cmd + 1; *a && strlen(line) + strlen(*a) + 2 < sizeof(line); a++)
		strcat(strcat(line, " "), *a);
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return fail(c, errno, "helper %s: pipe2", line);
	tracef(c, "fork() + setpgid(0, 0) + execv(\"%s\", ...)   /* helper, ready on fd %llu: %s */", cmd[0], fd, line);
	pid_t launcher = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(p[0]), close(p[1]);
		return fail(c, e, "helper %s: fork", line);
	}
	if (pid == 0) {
		/* The kernel kills us with the launcher, even when it dies by SIGKILL. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != launcher)
			_exit(125);
		signal(SIGINT, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (setpgid(0, 0) < 0)
			_exit(125);
		/* Not O_CLOEXEC: if fd 0 was closed, this is fd 0 itself (a copy >= 3 is
		 * closed at exec by fds_cloexec_from below). */
		int null = open("/dev/null", O_RDONLY);
		if (null < 0 || (null != 0 && dup2(null, 0) < 0))
			_exit(125);
		char num[32];
		snprintf(num, sizeof(num), "%d", (int)c->child); /* an int always fits */
		setenv("HACO_PID", num, 1);
		if (c->name)
			setenv("HACO_NAME", c->name, 1);
		/* dup2 clears close-on-exec on the copy: only fd FD survives the exec. */
		if (dup2(p[1], (int)fd) < 0)
			_exit(125);
		fds_cloexec_from(3);
		int keep = fcntl((int)fd, F_GETFD);
		if (keep < 0 || fcntl((int)fd, F_SETFD, keep & ~FD_CLOEXEC) < 0)
			_exit(125);
		execv(cmd[0], cmd);
		dprintf(c->msgfd, "haco-launch: helper %s: exec: %s (%s)\n", line, errno_name(errno), strerror(errno));
		_exit(127);
	}
	close(p[1]);
	c->helpers[c->nhelpers++] = pid;

	/* Wait for the first byte: ready. EOF or the time running out: it failed. */
	struct pollfd pf = { .fd = p[0], .events = POLLIN };
	long long end = now_ms() + HELPER_READY_MS;
	char b;
	ssize_t n = -1;
	for (;;) {
		long long left = end - now_ms();
		int r = left > 0 ? poll(&pf, 1, (int)left) : 0;
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		do
			n = read(p[0], &b, 1);
		while (n < 0 && errno == EINTR);
		break;
	}
	close(p[0]);
	if (n == 1) {
		tracef(c, "helper %s: ready (pid %d)", cmd[0], (int)pid);
		return 0;
	}
	int st = 0;
	c->nhelpers--;
	if (n < 0) {
		helper_kill(pid);
		return fail(c, ETIMEDOUT, "helper %s: not ready after %d ms", line, HELPER_READY_MS);
	}
	/* EOF: it exited (or closed the fd without a word); give it a moment to be reaped. */
	if (!reap_within(pid, HELPER_STOP_MS, &st)) {
		helper_kill(pid);
		return fail(c, 0, "helper %s: closed its ready fd without being ready", line);
	}
	if (WIFSIGNALED(st))
		return fail(c, 0, "helper %s: killed by signal %d before it was ready", line, WTERMSIG(st));
	return fail(c, 0, "helper %s: exited with status %d before it was ready", line, WEXITSTATUS(st));
}

void helpers_stop(struct ctx *c)
{
	while (c->nhelpers > 0) {
		pid_t pid = c->helpers[--c->nhelpers];
		tracef(c, "kill(%d, SIGTERM)   /* helper: the container's run is over */", (int)pid);
		helper_kill(pid);
	}
}
