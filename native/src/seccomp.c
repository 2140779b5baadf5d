/*
 * seccomp.c: a system call filter (man 2 seccomp), built with libseccomp so
 * that syscall names and argument comparisons need no hand-written BPF.
 *
 * `seccomp` starts a filter, each `seccomp-rule` adds a rule, `seccomp-load`
 * installs it. Loading is the last step before exec: from then on every
 * system call of this process, the launcher's own included, is filtered.
 *
 * A rule with the trailing field `optional` (the default profile's) is skipped
 * when this libseccomp does not know the name or cannot add it on this
 * architecture: TypeScript cannot know which library version runs here.
 *
 * libseccomp would set no_new_privs by itself when loading; we turn that off
 * (SCMP_FLTATR_CTL_NNP) so that only the `no-new-privs` step decides it.
 * Without no_new_privs the kernel requires CAP_SYS_ADMIN to load a filter.
 */
#include "haco.h"

#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_action(const char *s, uint32_t *out)
{
	unsigned long long n;
	if (!strcmp(s, "allow")) *out = SCMP_ACT_ALLOW;
	else if (!strcmp(s, "kill_thread")) *out = SCMP_ACT_KILL_THREAD;
	else if (!strcmp(s, "kill_process")) *out = SCMP_ACT_KILL_PROCESS;
	else if (!strcmp(s, "trap")) *out = SCMP_ACT_TRAP;
	else if (!strcmp(s, "log")) *out = SCMP_ACT_LOG;
	else if (!strncmp(s, "errno:", 6) && parse_ulong(s + 6, &n) == 0 && n <= 4095)
		*out = SCMP_ACT_ERRNO((uint32_t)n);
	else
		return -1;
	return 0;
}

int step_seccomp(struct ctx *c, char **argv, int argc)
{
	(void)argc;
	uint32_t act;
	if (parse_action(argv[0], &act) < 0)
		return fail(c, 0, "seccomp: unknown action \"%s\" (allow kill_thread kill_process trap log errno:N)",
		            argv[0]);
	if (c->seccomp)
		seccomp_release(c->seccomp);
	c->seccomp = seccomp_init(act);
	tracef(c, "seccomp_init(%s) = %s", argv[0], c->seccomp ? "ctx" : "NULL");
	if (!c->seccomp)
		return fail(c, ENOMEM, "seccomp %s", argv[0]);
	c->seccomp_default = act;
	int rc = seccomp_attr_set(c->seccomp, SCMP_FLTATR_CTL_NNP, 0);
	if (rc < 0)
		return fail(c, -rc, "seccomp: seccomp_attr_set(SCMP_FLTATR_CTL_NNP, 0)");
	return 0;
}

static const struct { const char *name; enum scmp_compare op; } OPS[] = {
	{ "eq", SCMP_CMP_EQ }, { "ne", SCMP_CMP_NE }, { "lt", SCMP_CMP_LT }, { "le", SCMP_CMP_LE },
	{ "gt", SCMP_CMP_GT }, { "ge", SCMP_CMP_GE }, { "masked_eq", SCMP_CMP_MASKED_EQ },
};

/* "INDEX:OP:VALUE[:VALUE2]" -> struct scmp_arg_cmp */
static int parse_arg(const char *s, struct scmp_arg_cmp *a)
{
	char buf[128], *part[5];
	int n = 0;
	if (snprintf(buf, sizeof(buf), "%s", s) >= (int)sizeof(buf))
		return -1;
	for (char *p = buf; n < 5;) {
		part[n++] = p;
		char *colon = strchr(p, ':');
		if (!colon)
			break;
		*colon = '\0';
		p = colon + 1;
	}
	unsigned long long idx, v1, v2 = 0;
	if (n < 3 || n > 4 || parse_ulong(part[0], &idx) < 0 || idx > 5 || parse_ulong(part[2], &v1) < 0 ||
	    (n == 4 && parse_ulong(part[3], &v2) < 0))
		return -1;
	for (size_t i = 0; i < sizeof(OPS) / sizeof(OPS[0]); i++) {
		if (strcmp(OPS[i].name, part[1]) == 0) {
			/* masked_eq: datum_a is the mask, datum_b the value compared after masking */
			*a = (struct scmp_arg_cmp){ (unsigned)idx, OPS[i].op, v1, v2 };
			return 0;
		}
	}
	return -1;
}

int step_seccomp_rule(struct ctx *c, char **argv, int argc)
{
	uint32_t act;
	if (!c->seccomp)
		return fail(c, 0, "seccomp-rule before seccomp");
	if (parse_action(argv[0], &act) < 0)
		return fail(c, 0, "seccomp-rule: unknown action \"%s\"", argv[0]);
	int optional = 0;
	if (argc == 4) {
		if (strcmp(argv[3], "optional") != 0)
			return fail(c, 0, "seccomp-rule: unknown flag \"%s\" (only \"optional\")", argv[3]);
		optional = 1;
	}
	int nr = seccomp_syscall_resolve_name(argv[1]);
	if (nr == __NR_SCMP_ERROR) {
		if (optional) {
			tracef(c, "seccomp-rule %s: unknown to this libseccomp, optional: skipped", argv[1]);
			return 0;
		}
		return fail(c, 0, "seccomp-rule: unknown system call \"%s\" on this architecture", argv[1]);
	}
	if (act == c->seccomp_default) { /* libseccomp refuses it; it would change nothing */
		tracef(c, "seccomp_rule_add(%s, %s): same as the default action, skipped", argv[0], argv[1]);
		return 0;
	}
	char **v;
	int n = split_list(argv[2], &v);
	if (n < 0)
		return fail(c, errno, "seccomp-rule %s", argv[1]);
	struct scmp_arg_cmp args[6];
	if (n > 6) {
		free(v);
		return fail(c, 0, "seccomp-rule %s: at most 6 argument comparisons", argv[1]);
	}
	for (int i = 0; i < n; i++) {
		if (parse_arg(v[i], &args[i]) < 0) {
			fail(c, 0, "seccomp-rule %s: bad argument comparison \"%s\" (INDEX:OP:VALUE[:VALUE2])",
			     argv[1], v[i]);
			free(v);
			return -1;
		}
	}
	free(v);
	int rc = seccomp_rule_add_array(c->seccomp, act, nr, (unsigned)n, args);
	errno = -rc;
	traced(c, rc < 0 ? -1 : 0, "seccomp_rule_add(%s, %s, %d args: %s)", argv[0], argv[1], n, argv[2]);
	if (rc < 0 && optional) {
		tracef(c, "seccomp-rule %s: not addable here (%s), optional: skipped", argv[1], strerror(-rc));
		return 0;
	}
	if (rc < 0)
		return fail(c, -rc, "seccomp-rule %s %s %s", argv[0], argv[1], argv[2]);
	return 0;
}

int step_seccomp_load(struct ctx *c, char **argv, int argc)
{
	(void)argv, (void)argc;
	if (!c->seccomp)
		return fail(c, 0, "seccomp-load before seccomp");
	/* Before the filter, which might refuse (or kill on) close_range, fcntl or
	 * openat: step_exec does not do it again once a filter is loaded, and every
	 * fd the launcher opens after this point is O_CLOEXEC. */
	fds_mark_for_exec(c);
	if (supervise_outlive_launcher(c) < 0) /* prctl: before a filter that might refuse it */
		return -1;
	int rc = c->sys->seccomp_load(c->seccomp);
	errno = -rc;
	traced(c, rc < 0 ? -1 : 0, "seccomp_load()   /* seccomp(SECCOMP_SET_MODE_FILTER, ...) */");
	if (rc < 0)
		return fail(c, -rc, "seccomp-load");
	seccomp_release(c->seccomp);
	c->seccomp = NULL;
	return 0;
}
