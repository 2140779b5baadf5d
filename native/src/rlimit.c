/*
 * rlimit.c: resource limits (man 2 setrlimit). They are per process and are
 * inherited across fork and exec, so setting them in the child just before
 * exec limits the container's init and everything it starts. `haco reload`
 * changes them on running processes with prlimit(2) (a host-only spec).
 */
#include "haco.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

static const struct { const char *name; int res; } LIMITS[] = {
	{ "AS", RLIMIT_AS }, { "CORE", RLIMIT_CORE }, { "CPU", RLIMIT_CPU },
	{ "DATA", RLIMIT_DATA }, { "FSIZE", RLIMIT_FSIZE }, { "LOCKS", RLIMIT_LOCKS },
	{ "MEMLOCK", RLIMIT_MEMLOCK }, { "MSGQUEUE", RLIMIT_MSGQUEUE }, { "NICE", RLIMIT_NICE },
	{ "NOFILE", RLIMIT_NOFILE }, { "NPROC", RLIMIT_NPROC }, { "RSS", RLIMIT_RSS },
	{ "RTPRIO", RLIMIT_RTPRIO }, { "RTTIME", RLIMIT_RTTIME },
	{ "SIGPENDING", RLIMIT_SIGPENDING }, { "STACK", RLIMIT_STACK },
};

static int parse_limit(const char *s, rlim_t *out)
{
	unsigned long long v;
	if (strcmp(s, "unlimited") == 0) {
		*out = RLIM_INFINITY;
		return 0;
	}
	if (parse_ulong(s, &v) < 0)
		return -1;
	*out = (rlim_t)v;
	return 0;
}

/* NAME SOFT HARD -> the resource and the limits; -1 after fail(). */
static int parse_rlimit(struct ctx *c, const char *step, char **argv, int *res, struct rlimit *rl)
{
	size_t i;
	for (i = 0; i < sizeof(LIMITS) / sizeof(LIMITS[0]); i++)
		if (strcmp(LIMITS[i].name, argv[0]) == 0)
			break;
	if (i == sizeof(LIMITS) / sizeof(LIMITS[0]))
		return fail(c, 0, "%s: unknown resource \"%s\" (NOFILE, NPROC, CORE, ...)", step, argv[0]);
	if (parse_limit(argv[1], &rl->rlim_cur) < 0 || parse_limit(argv[2], &rl->rlim_max) < 0)
		return fail(c, 0, "%s %s: limits are numbers or \"unlimited\", not %s %s", step, argv[0],
		            argv[1], argv[2]);
	*res = LIMITS[i].res;
	return 0;
}

int step_rlimit(struct ctx *c, char **argv, int argc)
{
	(void)argc;
	int res;
	struct rlimit rl;
	if (parse_rlimit(c, "rlimit", argv, &res, &rl) < 0)
		return -1;
	if (traced(c, c->sys->setrlimit(res, &rl), "setrlimit(RLIMIT_%s, {rlim_cur=%s, rlim_max=%s})",
	           argv[0], argv[1], argv[2]) < 0)
		return fail(c, errno, "rlimit %s %s %s", argv[0], argv[1], argv[2]);
	return 0;
}

/*
 * prlimit PID NAME SOFT HARD [optional]: prlimit(2) on a running process (haco
 * reload). `optional`: the process may have exited since TS listed it (ESRCH is
 * then traced, not an error); the container's init is never optional.
 */
int step_prlimit(struct ctx *c, char **argv, int argc)
{
	unsigned long long pid;
	int res, optional = argc > 4 && strcmp(argv[4], "optional") == 0;
	struct rlimit rl;
	if (argc > 4 && !optional)
		return fail(c, 0, "prlimit: the fifth field can only be \"optional\", not \"%s\"", argv[4]);
	if (parse_ulong(argv[0], &pid) < 0 || pid == 0 || pid > 4194304)
		return fail(c, 0, "prlimit: PID must be a process id, not \"%s\"", argv[0]);
	if (parse_rlimit(c, "prlimit", argv + 1, &res, &rl) < 0)
		return -1;
	if (traced(c, c->sys->prlimit((pid_t)pid, res, &rl),
	           "prlimit(%llu, RLIMIT_%s, {rlim_cur=%s, rlim_max=%s}, NULL)", pid, argv[1], argv[2], argv[3]) == 0)
		return 0;
	if (errno == ESRCH && optional) {
		tracef(c, "   /* pid %llu has exited: nothing to change */", pid);
		return 0;
	}
	return fail(c, errno, "prlimit %llu %s %s %s", pid, argv[1], argv[2], argv[3]);
}
