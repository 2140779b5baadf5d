/*
 * hooks.c: how the launcher and the supervisor run a hook command (docs/lifecycle.md, "Hooks").
 *
 *   hook-at POINT ARGV...   a plan hook at one of the launch points (phases 1-3), in order
 *   point-cmd POINT ARGV... a plan hook the supervisor runs itself: afterStart (the
 *                           command runs), beforeCleanup (it exited, its cgroups are
 *                           still there), systemFailure (the launch failed, or the
 *                           supervisor was killed: the watcher runs it)
 *   hook-timeout MS         every command's time limit
 *
 * Every command (these, `hook`, cleanup-cmd, failure-cmd, and the event process's)
 * goes through run_command_status (proc.c): its own process group, only stdio open,
 * HACO_POINT set, and waited for here with the time limit. A process group, so the
 * limit kills what the hook started too (`sh -c 'sleep 100 | cat'`), not only its
 * first process.
 */
#include "haco.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

/* waitpid(p) with c->hook_timeout_ms: past it, SIGKILL to p's process group.
 * 0 with *st set, or -1 after fail(). */
int hooks_wait(struct ctx *c, pid_t p, int *st, const char *what, const char *cmd)
{
	unsigned long long limit_us = c->hook_timeout_ms * 1000ULL, waited_us = 0;
	long nap_us = 1000; /* short first: most hooks are done in a few ms */
	for (;;) {
		pid_t r = waitpid(p, st, limit_us ? WNOHANG : 0);
		if (r == p)
			return 0;
		if (r < 0 && errno != EINTR)
			return fail(c, errno, "%s %s: waitpid", what, cmd);
		if (r != 0)
			continue;
		if (waited_us >= limit_us || hooks_abort_requested()) {
			/* The group first (the hook's children), then the leader if setpgid had not happened yet. */
			traced(c, kill(-p, SIGKILL), "kill(-%d, SIGKILL)   /* %s: past the %llu ms time limit */", (int)p, what,
			       c->hook_timeout_ms);
			kill(p, SIGKILL);
			while (waitpid(p, st, 0) < 0 && errno == EINTR)
				;
			if (hooks_abort_requested())
				return fail(c, ECANCELED, "%s %s: stopped (the supervisor is stopping)", what, cmd);
			return fail(c, ETIMEDOUT, "%s %s: killed after %llu ms (the hook time limit, .hookTimeout())", what, cmd,
			            c->hook_timeout_ms);
		}
		struct timespec ts = { 0, nap_us * 1000 };
		nanosleep(&ts, NULL);
		waited_us += (unsigned long long)nap_us;
		if (nap_us < 50000)
			nap_us *= 2;
	}
}

int step_hook_at(struct ctx *c, char **argv, int argc)
{
	(void)argc;
	char what[64];
	snprintf(what, sizeof(what), "hook-at %.48s", argv[0]); /* the step and its point, in messages and --trace */
	c->point = argv[0];
	/* c->child is set in phase 2 only; in phase 3 it is 0 (we are the child). */
	int rc = run_command(c, argv + 1, c->child, what);
	c->point = NULL;
	return rc;
}

void hooks_run_point(struct ctx *c, const char *point, int status)
{
	for (size_t i = 0; i < c->spec->n; i++) {
		const struct step *s = &c->spec->steps[i];
		if (!name_is(s->name, "point-cmd") || strcmp(s->argv[0], point) != 0)
			continue;
		c->cur = s;
		c->point = point;
		char what[64];
		snprintf(what, sizeof(what), "point-cmd %.48s", point);
		/* After the start nothing can be undone by failing: report it and go on. */
		if (run_command_status(c, s->argv + 1, c->child, what, status) < 0) {
			report_failure(c, &c->fail);
			log_event(c, "hook %s failed: %s", point, c->fail.msg);
			memset(&c->fail, 0, sizeof(c->fail));
		}
		c->point = NULL;
	}
}
