/*
 * fds_test.c: unit test of fds.c (no root). Each of its three ways is taken in
 * a child of its own: close_range(2); /proc/self/fd when a seccomp filter makes
 * close_range fail with ENOSYS as on Linux < 5.9; the plain loop when opening
 * /proc/self/fd fails as well (openat refused too).
 * Built with the sanitizers by `make -C native unit`.
 */
#include "haco.h"

#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SYS_close_range
#define SYS_close_range 436
#endif

/* Make close_range (and, with no_proc, openat) fail with ENOSYS / ENOENT. */
static void refuse(int no_proc)
{
	scmp_filter_ctx f = seccomp_init(SCMP_ACT_ALLOW);
	if (!f || seccomp_rule_add(f, SCMP_ACT_ERRNO(ENOSYS), SYS_close_range, 0) < 0)
		_exit(90);
	if (no_proc && (seccomp_rule_add(f, SCMP_ACT_ERRNO(ENOENT), SCMP_SYS(openat), 0) < 0 ||
	                seccomp_rule_add(f, SCMP_ACT_ERRNO(ENOENT), SCMP_SYS(open), 0) < 0))
		_exit(91);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || seccomp_load(f) < 0)
		_exit(92);
	seccomp_release(f);
}

/* In a child: open fds 5, 9 and 40 (not CLOEXEC), run the way under test, report
 * through the exit status which fds are in the wrong state. */
static int child(int mode, int no_proc)
{
	pid_t p = fork();
	if (p == 0) {
		int base = open("/dev/null", O_RDONLY);
		if (base < 0 || dup2(base, 5) < 0 || dup2(base, 9) < 0 || dup2(base, 40) < 0)
			_exit(93);
		close(base);
		if (mode >= 1)
			refuse(no_proc);
		int bad = 0;
		if (mode == 3 || mode == 4) {
			/* close, keeping 9 */
			fds_close_from(3, 9);
			bad |= fcntl(5, F_GETFD) != -1 ? 1 : 0;
			bad |= fcntl(9, F_GETFD) == -1 ? 2 : 0;
			bad |= fcntl(40, F_GETFD) != -1 ? 4 : 0;
		} else {
			/* mark from 6: 5 stays inheritable */
			fds_cloexec_from(6);
			bad |= fcntl(5, F_GETFD) != 0 ? 1 : 0;
			bad |= fcntl(9, F_GETFD) != FD_CLOEXEC ? 2 : 0;
			bad |= fcntl(40, F_GETFD) != FD_CLOEXEC ? 4 : 0;
		}
		_exit(bad);
	}
	int st;
	if (p < 0 || waitpid(p, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int main(void)
{
	static const struct {
		const char *what;
		int mode, no_proc;
	} cases[] = {
		{ "cloexec with close_range", 0, 0 },
		{ "cloexec through /proc/self/fd (close_range: ENOSYS)", 1, 0 },
		{ "cloexec by a loop (close_range: ENOSYS, no /proc)", 2, 1 },
		{ "close through /proc/self/fd, keeping one", 3, 0 },
		{ "close by a loop, keeping one", 4, 1 },
	};
	int failed = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = child(cases[i].mode, cases[i].no_proc);
		if (rc != 0) {
			failed++;
			printf("FAIL %s: status %d (bits: 1 = fd 5, 2 = fd 9, 4 = fd 40 in the wrong state; 90+ = setup)\n",
			       cases[i].what, rc);
		}
	}
	/* close with the real close_range, in this process: 5 goes, 9 is kept */
	int base = open("/dev/null", O_RDONLY);
	dup2(base, 5), dup2(base, 9);
	close(base);
	fds_close_from(5, 9);
	if (fcntl(5, F_GETFD) != -1 || fcntl(9, F_GETFD) == -1) {
		failed++;
		printf("FAIL close with close_range, keeping one\n");
	}
	printf("%zu passed, %d failed   (fds_test)\n", sizeof(cases) / sizeof(cases[0]) + 1 - (size_t)failed, failed);
	return failed ? 1 : 0;
}
