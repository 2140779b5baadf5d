/*
 * rlimit.c: resource limits (man 2 setrlimit). They are per process and are
 * inherited across fork and exec, so setting them in the child just before
 * exec limits the container's init and everything it starts.
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

int step_rlimit(struct ctx *c, char **argv, int argc)
{
	(void)argc;
	size_t i;
	for (i = 0; i < sizeof(LIMITS) / sizeof(LIMITS[0]); i++)
		if (strcmp(LIMITS[i].name, argv[0]) == 0)
			break;
	if (i == sizeof(LIMITS) / sizeof(LIMITS[0]))
		return fail(c, 0, "rlimit: unknown resource \"%s\" (NOFILE, NPROC, CORE, ...)", argv[0]);
	struct rlimit rl;
	if (parse_limit(argv[1], &rl.rlim_cur) < 0 || parse_limit(argv[2], &rl.rlim_max) < 0)
		return fail(c, 0, "rlimit %s: limits are numbers or \"unlimited\", not %s %s", argv[0],
		            argv[1], argv[2]);
	if (traced(c, setrlimit(LIMITS[i].res, &rl), "setrlimit(RLIMIT_%s, {rlim_cur=%s, rlim_max=%s})",
	           argv[0], argv[1], argv[2]) < 0)
		return fail(c, errno, "rlimit %s %s %s", argv[0], argv[1], argv[2]);
	return 0;
}
