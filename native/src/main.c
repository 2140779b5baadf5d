/*
 * main.c: command line, the three phases, supervision and cleanup.
 *
 *   phase 1 "prepare"  launcher, on the host        start ... spawn
 *   phase 2 "wire"     launcher, child is blocked   spawn ... release
 *   phase 3 "enter"    the child                    release ... exec
 *
 * The whole spec is read and checked (step names, field counts, phases) before
 * the first system call, so a typo never leaves half a container behind.
 *
 * A spec with a `host-only` step has no container and no phases: its steps run
 * here, in order (haco reload, the stale-cgroup sweep).
 */
#include "haco.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { P1 = 1, P2 = 2, P3 = 4, META = 8, HOST = 16 }; /* HOST: allowed in a host-only spec */

struct stepdef {
	const char *name;
	int phases;       /* where the step may appear */
	int min, max;     /* field count after the name (-1 = any) */
	step_fn *fn;      /* NULL for markers and metadata (read where steps.gen.h says) */
};

static step_fn step_hostname;

/* The table itself is generated from src/runtime/steps.ts (scripts/gen-steps.mjs), the TS compiler's
 * table too, so the two cannot disagree on a step. */
static const struct stepdef STEPS[] = {
#define STEP(name, phases, min, max, fn) { name, phases, min, max, fn },
#include "steps.gen.h"
#undef STEP
	{ NULL, 0, 0, 0, NULL },
};

static const struct stepdef *find_def(const char *name)
{
	/* A spec repeats a step many times in a row (a seccomp profile: hundreds of seccomp-rule lines, each
	 * looked up when checked and when run): the last one found first, then the table. */
	static const struct stepdef *last;
	if (last && strcmp(last->name, name) == 0)
		return last;
	for (const struct stepdef *d = STEPS; d->name; d++)
		if (d->name[0] == name[0] && strcmp(d->name, name) == 0)
			return last = d;
	return NULL;
}

static int step_hostname(struct ctx *c, char **argv, int argc)
{
	(void)argc;
	if (traced(c, c->sys->sethostname(argv[0], strlen(argv[0])), "sethostname(\"%s\")", argv[0]) < 0)
		return fail(c, errno, "hostname %s", argv[0]);
	return 0;
}

/* One line against the step table: a known step with a field count it accepts. Its row is kept
 * in the step: the later passes (metadata, run) need no look-up. */
static const struct stepdef *check_line(struct ctx *c, struct step *s)
{
	const struct stepdef *d = find_def(s->name);
	c->cur = s;
	s->def = d ? (int)(d - STEPS) : -1;
	if (!d) {
		fail(c, 0, "line %d: unknown step \"%s\"", s->line, s->name);
		return NULL;
	}
	if (s->argc < d->min || (d->max >= 0 && s->argc > d->max)) {
		fail(c, 0, "line %d: %s takes %d%s field(s), got %d", s->line, s->name, d->min,
		     d->max < 0 ? " or more" : "", s->argc);
		return NULL;
	}
	return d;
}

/* Check every line before doing anything; fills the indexes of the markers. */
static int validate(struct ctx *c, size_t *spawn, size_t *release, size_t *exec)
{
	int phase = P1;
	*spawn = *release = *exec = (size_t)-1;
	for (size_t i = 0; i < c->spec->n; i++) {
		struct step *s = &c->spec->steps[i];
		const struct stepdef *d = check_line(c, s);
		if (!d)
			return -1;
		if (d->phases == HOST)
			return fail(c, 0, "line %d: %s belongs in a host-only spec", s->line, s->name);
		if (phase == 8) /* after exec */
			return fail(c, 0, "line %d: %s after exec", s->line, s->name);
		int ok = (d->phases & phase) || ((d->phases & META) && phase == P1);
		if (!ok)
			return fail(c, 0, "line %d: %s is not allowed in phase %d (%s)", s->line, s->name,
			            phase == P1 ? 1 : phase == P2 ? 2 : 3,
			            phase == P1 ? "prepare" : phase == P2 ? "wire" : "enter");
		/* The steps checked further are told apart by their function, not by name:
		 * hundreds of lines (seccomp rules, hints) pass here on every launch. */
		if (d->fn == step_stdio) {
			const char *want = phase == P1 ? "host" : "container";
			if (strcmp(s->argv[1], want) != 0)
				return fail(c, 0, "line %d: stdio %s must be in phase %s", s->line,
				            s->argv[1], phase == P1 ? "3 (after release)" : "1 (before spawn)");
		}
		/* Namespace kinds are checked here, not when the step runs: a typo must
		 * not surface after phase 1 has made cgroups and run hooks. */
		int kinds;
		if ((d->fn == step_unshare || d->fn == step_setns) && ns_flags(c, s->argv[0], &kinds) < 0)
			return -1;
		if (d->fn == step_exec) {
			*exec = i;
			phase = 8;
		} else if (d->fn || (d->phases & META)) {
			continue; /* not a marker */
		} else if (name_is(s->name, "spawn")) {
			if (strcmp(s->argv[0], "-") != 0 && ns_flags(c, s->argv[0], &c->spawn_flags) < 0)
				return -1;
			*spawn = i;
			phase = P2;
		} else if (name_is(s->name, "release")) {
			*release = i;
			phase = P3;
		}
	}
	c->cur = NULL;
	if (*exec == (size_t)-1)
		return fail(c, 0, "the spec has no %s step",
		            *spawn == (size_t)-1 ? "spawn" : *release == (size_t)-1 ? "release" : "exec");
	return 0;
}

/* Run steps [from, to) of a phase. */
static int run_steps(struct ctx *c, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		struct step *s = &c->spec->steps[i];
		const struct stepdef *d = &STEPS[s->def]; /* checked: validate() or validate_host_only() */
		c->cur = s;
		if (c->walkdir_len && !name_is(s->name, "mask") && !name_is(s->name, "readonly"))
			resolve_forget(c); /* resolve.c: kept only across mask and readonly steps */
		if (!d->fn)
			continue;
		/* The prepared filter holds every rule: their lines are never decoded (spec.c). */
		if (d->fn == step_seccomp_rule && c->seccomp_bpf)
			continue;
		char **argv = step_args(s);
		if (!argv)
			return fail(c, ENOMEM, "line %d: %s", s->line, s->name);
		if (d->fn(c, argv, s->argc) < 0)
			return -1;
	}
	return 0;
}

/* Metadata steps, wherever they are before spawn. */
static int read_metadata(struct ctx *c)
{
	for (size_t i = 0; i < c->spec->n; i++) {
		const struct step *s = &c->spec->steps[i];
		/* Only metadata is read here: its row in the step table (validate() kept it) instead of
		 * the dozen comparisons below for each seccomp rule. Hints are metadata read elsewhere. */
		const struct stepdef *d = s->def >= 0 ? &STEPS[s->def] : NULL;
		if (!d || s->raw || !((!d->fn && (d->phases & META)) || d->fn == step_pty))
			continue; /* `pty` is a step of phase 3 whose fields the relay also needs (below) */
		c->cur = s;
		if (name_is(s->name, "name"))
			c->name = s->argv[0];
		else if (name_is(s->name, "state-dir")) {
			if (s->argv[0][0] != '/' || (strcmp(s->argv[1], "keep") && strcmp(s->argv[1], "remove")) ||
			    parse_mode(s->argv[2], &c->state_mode) < 0)
				return fail(c, 0, "line %d: state-dir takes an absolute PATH, keep|remove and an octal MODE", s->line);
			c->state_dir = s->argv[0];
			c->state_keep = strcmp(s->argv[1], "keep") == 0;
		} else if (name_is(s->name, "restart")) {
			const char *p = s->argv[0];
			c->restart_policy = !strcmp(p, "no") ? RESTART_NO : !strcmp(p, "on-failure") ? RESTART_ON_FAILURE
			                  : !strcmp(p, "always") ? RESTART_ALWAYS : -1;
			if (c->restart_policy < 0 || parse_ulong(s->argv[1], &c->restart_max) < 0 ||
			    parse_ulong(s->argv[2], &c->backoff_ms) < 0)
				return fail(c, 0, "line %d: restart takes no|on-failure|always MAX BACKOFF_MS", s->line);
		} else if (name_is(s->name, "hook-timeout")) {
			if (parse_ulong(s->argv[0], &c->hook_timeout_ms) < 0)
				return fail(c, 0, "line %d: hook-timeout takes a number of ms (0 = none)", s->line);
		} else if (name_is(s->name, "preserve-fds")) {
			unsigned long long n;
			/* The bound is only a sanity check of the format; TS sets the real limit. */
			if (parse_ulong(s->argv[0], &n) < 0 || n > 1000)
				return fail(c, 0, "line %d: preserve-fds takes a number of fds, 0 to 1000", s->line);
			c->preserve_fds = (int)n;
		} else if (name_is(s->name, "supervisor-exits")) {
			c->unsupervised = 1;
		} else if (name_is(s->name, "console")) {
			if (s->argv[0][0] != '/')
				return fail(c, 0, "line %d: console takes an absolute PATH", s->line);
			c->console_path = s->argv[0];
		} else if (name_is(s->name, "console-socket")) {
			if (s->argv[0][0] != '/')
				return fail(c, 0, "line %d: console-socket takes an absolute PATH", s->line);
			c->console_socket = s->argv[0];
		} else if (name_is(s->name, "log")) {
			if (s->argv[0][0] != '/' || parse_ulong(s->argv[1], &c->log_max) < 0)
				return fail(c, 0, "line %d: log takes an absolute PATH and MAXBYTES (0 = no rotation)", s->line);
			c->log_path = s->argv[0];
		} else if (name_is(s->name, "forward-signals")) {
			if (parse_forward_signals(c, s->argv[0]) < 0)
				return -1;
		} else if (name_is(s->name, "pty")) {
			if (strcmp(s->argv[3], "stdin") && strcmp(s->argv[3], "no-stdin"))
				return fail(c, 0, "line %d: pty takes PTMX UID GID stdin|no-stdin", s->line);
			c->pty_input = strcmp(s->argv[3], "stdin") == 0;
		}
	}
	c->cur = NULL;
	return 0;
}

static int depth(const char *path)
{
	int d = 0;
	for (; *path; path++)
		d += *path == '/';
	return d;
}

/* After the container is gone: cgroups deepest first (a parent cannot be removed
 * before its children; ties in reverse listing order), then the commands. */
static void cleanup(struct ctx *c)
{
	int max = 0;
	if (c->cglockfd >= 0) { /* a launch that failed before release still holds it */
		c->sys->close(c->cglockfd);
		c->cglockfd = -1;
	}
	/* The lines from the first to the last cleanup-cgroup (together at the top of a spec
	 * TS writes): each depth looks at those only, not at every seccomp rule again. */
	size_t lo = c->spec->n, hi = 0;
	for (size_t i = 0; i < c->spec->n; i++) {
		if (name_is(c->spec->steps[i].name, "cleanup-cgroup")) {
			lo = i < lo ? i : lo, hi = i + 1;
			if (depth(c->spec->steps[i].argv[0]) > max)
				max = depth(c->spec->steps[i].argv[0]);
		}
	}
	for (int d = max; d >= 0 && lo < hi; d--) {
		for (size_t i = hi; i-- > lo;) {
			const struct step *s = &c->spec->steps[i];
			c->cur = s;
			if (name_is(s->name, "cleanup-cgroup") && depth(s->argv[0]) == d)
				cgroup_cleanup(c, s->argv[0]);
		}
	}
	cgroup_remove_parents(c);
	for (size_t i = 0; i < c->spec->n; i++) {
		const struct step *s = &c->spec->steps[i];
		c->cur = s;
		c->point = "afterExit"; /* HACO_POINT: the plan's afterExit hooks are cleanup commands */
		if (name_is(s->name, "cleanup-cmd") && run_command(c, s->argv, 0, "cleanup-cmd") < 0) {
			report_failure(c, &c->fail);
			memset(&c->fail, 0, sizeof(c->fail));
		}
	}
	c->point = NULL;
}

/* The child's side of spawn: wait for `release`, run phase 3, exec. Never returns. */
static void child_main(struct ctx *c, size_t release, size_t exec)
{
	/* The launcher blocked the forwarded signals around clone(); a blocked mask
	 * survives exec, so give the container the mask we were started with. */
	sigprocmask(SIG_SETMASK, &c->oldmask, NULL);
	signal(SIGPIPE, SIG_DFL); /* ignored dispositions survive exec */
	/* If the launcher dies (even by SIGKILL), the kernel kills us: no orphan
	 * container. Re-check the parent afterwards: it may have died before the
	 * prctl. (In a new pid ns getppid() is 0; the sync pipe's EOF covers it.) */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	pid_t pp = getppid();
	if (pp != c->launcher && pp != 0)
		_exit(125);
	close(c->sync_w);
	close(c->err_r);
	if (c->pty_sock_parent >= 0)
		close(c->pty_sock_parent);
	/* Close-on-exec would close these at exec, but a reaper never execs: it must
	 * not keep the state lock or the watcher's pipe open. */
	if (c->lockfd >= 0)
		close(c->lockfd);
	if (c->watch_w >= 0)
		close(c->watch_w);
	if (c->ready_w >= 0)
		close(c->ready_w);
	if (c->cglockfd >= 0) /* a flock lives as long as any copy: the launcher releases it at `release` */
		c->sys->close(c->cglockfd);
	for (int fd = 0; fd < 3; fd++)
		if (c->host_stdio[fd] >= 0 && dup2(c->host_stdio[fd], fd) < 0)
			_exit(125);
	if (log_child(c) < 0)
		_exit(125);

	char b;
	ssize_t n;
	do
		n = read(c->sync_r, &b, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1) /* the launcher gave up (or died) before release */
		_exit(125);
	close(c->sync_r);

	run_steps(c, release + 1, exec + 1); /* returns only on failure */
	ssize_t w = write(c->err_w, &c->fail, sizeof(c->fail));
	(void)w;
	_exit(c->fail.status ? c->fail.status : 125);
}

/*
 * One launch: phase 1, clone, phase 2, release, then wait for exec (EOF on the
 * error pipe). Returns 0 once the container runs (c->child set), -1 after a
 * failure (in c->fail; the child, if any, is already reaped).
 */
static int launch_once(struct ctx *c, size_t spawn, size_t release, size_t exec)
{
	struct spec *sp = c->spec;
	c->child = 0;
	for (int i = 0; i < 3; i++)
		c->host_stdio[i] = -1;
	c->sync_r = c->sync_w = c->err_r = c->err_w = -1;
	/* ---- phase 1: prepare, on the host ---- */
	/* Every failure before the spawn goes through close_pipes: it also closes the
	 * host-side stdio files phase 1 opened (a restart would leak them otherwise). */
	if (run_steps(c, 0, spawn) < 0 || ns_preopen(c, release + 1, exec) < 0) {
		ns_preopen_close(c);
		goto close_pipes;
	}

	/* Two CLOEXEC pipes: sync (parent -> child "go on") and err (child -> parent,
	 * a struct failure; EOF means exec succeeded because CLOEXEC closed it). */
	int sync[2], errp[2];
	c->cur = &sp->steps[spawn];
	if (pipe2(sync, O_CLOEXEC) < 0) {
		fail(c, errno, "pipe2");
		ns_preopen_close(c);
		goto close_pipes;
	}
	if (pipe2(errp, O_CLOEXEC) < 0) {
		fail(c, errno, "pipe2");
		close(sync[0]), close(sync[1]);
		ns_preopen_close(c);
		goto close_pipes;
	}
	c->sync_r = sync[0], c->sync_w = sync[1], c->err_r = errp[0], c->err_w = errp[1];
	/* The container's terminal comes back to us over this socket (pty.c). */
	if ((pty_wanted(sp) && pty_socketpair(c) < 0) || log_pipes(c) < 0) {
		ns_preopen_close(c);
		goto close_pipes;
	}

	int flags = c->spawn_flags;
	/* Block the signals we forward until the handlers are in place, so a SIGTERM
	 * right after clone() is not lost. The child restores the old mask. */
	sigset_t fwd;
	forward_set(c, &fwd);
	sigaddset(&fwd, SIGINT);
	sigprocmask(SIG_BLOCK, &fwd, &c->oldmask);

	pid_t pid = ns_spawn(c, flags, sp->steps[spawn].argc > 1 ? sp->steps[spawn].argv[1] : NULL);
	if (pid == 0)
		child_main(c, release, exec);
	if (pid < 0) {
		sigprocmask(SIG_SETMASK, &c->oldmask, NULL);
		ns_preopen_close(c);
		goto close_pipes;
	}
	c->child = pid;
	if (c->state_dir) /* only the state file needs it: one /proc read less on a plain launch */
		c->child_start = proc_start_time(pid);
	ns_preopen_close(c); /* the child has its copies */
	if (c->start_fd >= 0) /* only the held child reads the start fifo */
		close(c->start_fd), c->start_fd = -1;
	close(c->sync_r), close(c->err_w);
	c->sync_r = c->err_w = -1;
	if (c->pty_sock >= 0)
		close(c->pty_sock), c->pty_sock = -1;
	log_close_pipes(c, 0); /* the child has the write ends: EOF once every copy is gone */
	for (int i = 0; i < 3; i++)
		if (c->host_stdio[i] >= 0)
			close(c->host_stdio[i]), c->host_stdio[i] = -1;
	forward_signals(c, pid, c->detach); /* handlers in place: unblock */
	sigprocmask(SIG_SETMASK, &c->oldmask, NULL);

	/* ---- phase 2: wire, while the child waits ---- */
	if (run_steps(c, spawn + 1, release) < 0)
		goto kill_child;
	c->cur = &sp->steps[release];
	tracef(c, "write(sync_pipe, \"x\", 1) = 1   /* release: the child goes on */");
	if (write(c->sync_w, "x", 1) != 1) {
		fail(c, errno, "release: write to the sync pipe");
		goto kill_child;
	}
	close(c->sync_w);
	c->sync_w = -1;
	if (c->cglockfd >= 0) { /* joined: our cgroups have a member, their parents are safe */
		c->sys->close(c->cglockfd);
		c->cglockfd = -1;
	}

	/* ---- phase 3 runs in the child. A failure arrives on the error pipe. ---- */
	/* With a pty, the master arrives first; EOF means the child failed before
	 * its pty step, and the error pipe says why. */
	if (c->pty_sock_parent >= 0 && pty_receive(c) == 0 && c->console_socket && pty_send_console(c) < 0)
		goto kill_child;
	ssize_t n;
	for (;;) {
		do
			n = read(c->err_r, &c->fail, sizeof(c->fail));
		while (n < 0 && errno == EINTR);
		if (n != (ssize_t)sizeof(c->fail) || c->fail.status != FAILURE_HELD)
			break;
		/* wait-start: everything but the exec is done. The container is "created":
		 * the caller of create returns; the exec (or a failure) comes after `start`. */
		memset(&c->fail, 0, sizeof(c->fail));
		if (c->held) { /* the second record: `start` came, the exec follows */
			c->released = 1;
			continue;
		}
		c->held = 1;
		state_write(c, "created", -1, NULL);
		supervise_ready(c, NULL, 0);
	}
	close(c->err_r);
	c->err_r = -1;
	if (n == (ssize_t)sizeof(c->fail)) {
		if (c->pty_master >= 0)
			close(c->pty_master), c->pty_master = -1;
		log_close_pipes(c, 1);
		wait_exit_status(pid);
		helpers_stop(c);
		forward_signals(c, 0, c->detach);
		c->fail.msg[sizeof(c->fail.msg) - 1] = '\0';
		c->fail.step[sizeof(c->fail.step) - 1] = '\0';
		return -1;
	}
	return 0;

kill_child:
	kill(pid, SIGKILL);
	wait_exit_status(pid);
	helpers_stop(c);
	forward_signals(c, 0, c->detach);
close_pipes:; /* a label cannot precede a declaration before C23 (gcc allows it, clang does not) */
	int *fds[] = { &c->sync_r, &c->sync_w, &c->err_r, &c->err_w, &c->pty_sock, &c->pty_sock_parent, &c->pty_master, &c->start_fd };
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (*fds[i] >= 0)
			close(*fds[i]), *fds[i] = -1;
	for (int i = 0; i < 3; i++)
		if (c->host_stdio[i] >= 0)
			close(c->host_stdio[i]), c->host_stdio[i] = -1;
	log_close_pipes(c, 1);
	return -1;
}

/* afterFailure: `failure-cmd` steps, after the cleanup, when the status is not 0. */
static void failure_cmds(struct ctx *c, int status)
{
	for (size_t i = 0; i < c->spec->n; i++) {
		const struct step *s = &c->spec->steps[i];
		c->cur = s;
		c->point = "afterFailure";
		if (name_is(s->name, "failure-cmd") && run_command_status(c, s->argv, 0, "failure-cmd", status) < 0) {
			report_failure(c, &c->fail);
			memset(&c->fail, 0, sizeof(c->fail));
		}
	}
	c->point = NULL;
}

/* Everything after "the last run is over": drain, cleanup, state, watcher. */
static int finish(struct ctx *c, int status, const struct failure *failed, int ever_ran)
{
	pty_restore_host(c); /* before any message: the user's terminal as it was */
	supervise_drain_cgroups(c, 2000);
	if (ever_ran)
		hooks_run_point(c, "beforeCleanup", status); /* the container is gone, its cgroups (and counters) are not */
	cgroup_report_oom(c); /* before cleanup removes the counters */
	cleanup(c);
	if (status != 0)
		failure_cmds(c, status);
	if (failed)
		hooks_run_point(c, "systemFailure", status); /* the launch itself failed, not the command */
	if (!ever_ran && c->held && c->state_keep && failed) {
		/* OCI: created, then the exec failed after `start`: the state stays, stopped, with the step and errno */
		char why[sizeof(failed->msg) + 96];
		snprintf(why, sizeof(why), "launch failed: %s: %s%s%s", failed->step, failed->msg, failed->err ? ": " : "",
		         failed->err ? errno_name(failed->err) : "");
		state_write(c, "exited", status, why);
	} else if (!ever_ran || !c->state_keep)
		state_remove(c); /* a start that never ran leaves nothing; foreground: the status went to the caller */
	else
		state_write(c, "exited", status, failed ? "launch failed" : stop_requested() ? "stopped" : c->last_oom ? "oom killed" : "");
	if (ever_ran)
		log_event(c, "supervisor done status=%d%s", status, stop_requested() ? " stopped=yes" : "");
	if (!ever_ran)
		supervise_ready(c, failed, status); /* after the cleanup: the caller sees nothing left */
	supervise_watcher_done(c);
	return status;
}

/*
 * The supervisor: lock the state, detach if asked, start the watcher, then
 * launch (again, by the restart policy) until the container is done.
 */
static int supervise(struct ctx *c, size_t spawn, size_t release, size_t exec)
{
	/* haco's own host directories first: the state dir and the locks live in them. */
	if (host_dirs(c) < 0) {
		report_failure(c, &c->fail);
		return 125;
	}
	if (c->state_dir) {
		for (size_t i = 0; i < c->spec->n; i++)
			if (name_is(c->spec->steps[i].name, "state-dir"))
				c->cur = &c->spec->steps[i];
		/* Before anything else: a second start of the same name must not touch the
		 * first one's cgroups, not even through its own cleanup. */
		if (state_lock(c) < 0) {
			report_failure(c, &c->fail);
			return 125;
		}
		if (c->detach && supervise_detach(c) < 0) {
			/* Like any launch that never ran: cleanup, the state dir removed, and
			 * (when we are already the supervisor) the failure sent to the caller. */
			struct failure f = c->fail;
			report_failure(c, &f);
			return finish(c, 125, &f, 0);
		}
		if (!c->detach) /* detached, the supervisor is a new process: supervise_detach records it */
			c->sup_start = proc_start_time(c->launcher);
		if (state_files(c) < 0) {
			struct failure f = c->fail;
			report_failure(c, &f);
			return finish(c, 125, &f, 0);
		}
		c->started_at = (long long)time(NULL);
		state_write(c, "starting", -1, NULL);
	}
	watch_stop_signal();
	events_signals(c);
	if (!c->detach && pty_wanted(c->spec))
		pty_save_host(c); /* before the watcher: it restores the terminal if we are killed */
	if (supervise_watcher(c, cleanup) < 0) {
		struct failure f = c->fail;
		report_failure(c, &f);
		return finish(c, 125, &f, 0);
	}

	int status = 125, ever_ran = 0;
	for (;;) {
		c->started_at = (long long)time(NULL);
		if (launch_once(c, spawn, release, exec) < 0) {
			struct failure f = c->fail;
			status = f.status ? f.status : 125;
			if (!ever_ran) {
				if (!c->detach)
					report_failure(c, &f); /* detached: the caller prints it */
				return finish(c, status, &f, 0);
			}
			report_failure(c, &f); /* a restart that failed: into the log */
			log_event(c, "launch failed: %s", f.msg);
			memset(&c->fail, 0, sizeof(c->fail));
		} else {
			ever_ran = 1;
			state_write(c, "running", -1, NULL);
			supervise_ready(c, NULL, 0);
			int st;
			/* EOF while held, without the "released" record: the child died before
			 * `start` (killed), not an exec. Nobody else would reap it. */
			if (c->unsupervised && c->held && !c->released && waitpid(c->child, &st, 0) == c->child) {
				/* killed while held (EOF without an exec): nobody else would reap it */
				status = exit_status_of(st);
				log_event(c, "exited status=%d before its exec", status);
				break;
			}
			if (c->unsupervised) {
				/* OCI runtime: the program runs; its parent becomes the engine's subreaper
				 * (conmon), which waits for it. `haco runtime delete` removes the cgroups. */
				log_event(c, "started pid=%d; the supervisor exits (supervisor-exits)", (int)c->child);
				tracef(c, "supervisor-exits: the container runs on without us");
				supervise_watcher_done(c);
				return 0;
			}
			/* ---- supervise: the container runs ---- */
			log_event(c, "started pid=%d run=%d", (int)c->child, c->restarts + 1);
			hooks_run_point(c, "afterStart", -1);
			if (events_start(c) < 0) { /* timers, readiness and events would silently not happen: say so, go on */
				report_failure(c, &c->fail);
				log_event(c, "event process: %s", c->fail.msg);
				memset(&c->fail, 0, sizeof(c->fail));
			}
			status = c->pty_master >= 0 && c->console_path ? pty_console(c, c->child)
			       : c->pty_master >= 0 ? pty_relay(c, c->child, c->pty_input)
			       : c->log_r[0] >= 0  ? log_relay(c, c->child)
			                           : wait_exit_status(c->child);
			forward_signals(c, 0, c->detach);
			events_stop(c);
			tracef(c, "container exited: status %d", status);
			helpers_stop(c); /* its network helpers go with it; a restart starts new ones */
			unsigned long long oom = cgroup_oom_kills(c);
			c->last_oom = oom > c->oom_seen ? oom - c->oom_seen : 0;
			c->oom_seen = oom;
			if (status > 128 && status < 128 + 65)
				log_event(c, "exited status=%d signal=%d%s%s", status, status - 128, c->last_oom ? " oom_kill=" : "",
				          c->last_oom ? "yes" : "");
			else
				log_event(c, "exited status=%d", status);
		}
		if (!supervise_should_restart(c, status))
			break;
		state_write(c, "restarting", status, c->last_oom ? "oom killed" : NULL);
		notef(c, "restart %d after exit status %d%s", c->restarts + 1, status, c->last_oom ? " (the OOM killer)" : "");
		log_event(c, "restarting restart=%d", c->restarts + 1);
		supervise_backoff(c);
		if (stop_requested())
			break;
		c->restarts++;
	}
	return finish(c, status, NULL, 1);
}

static int host_only(const struct spec *sp)
{
	for (size_t i = 0; i < sp->n; i++)
		if (name_is(sp->steps[i].name, "host-only"))
			return 1;
	return 0;
}

/* A host-only spec: every line checked before the first step runs. */
static int validate_host_only(struct ctx *c)
{
	for (size_t i = 0; i < c->spec->n; i++) {
		struct step *s = &c->spec->steps[i];
		const struct stepdef *d = check_line(c, s);
		if (!d)
			return -1;
		if (!(d->phases & HOST))
			return fail(c, 0, "line %d: %s is not allowed in a host-only spec", s->line, s->name);
		if (name_is(s->name, "name"))
			c->name = s->argv[0];
	}
	c->cur = NULL;
	return 0;
}

/* Then the steps in order; the first failure stops (status 125) with its hint.
 * No state, no cleanup: TS orders the steps so that stopping anywhere leaves
 * values the kernel accepted. */
static int run_host_only(struct ctx *c)
{
	if (validate_host_only(c) < 0) {
		fprintf(stderr, "haco-launch: spec: %s\n", c->fail.msg);
		return 125;
	}
	if (c->name)
		tracef(c, "host-only spec for %s", c->name);
	if (run_steps(c, 0, c->spec->n) < 0) {
		report_failure(c, &c->fail);
		return c->fail.status ? c->fail.status : 125;
	}
	/* `haco rm`: the shared haco parents go with the last container, as after a
	 * launch: our own shared hold is dropped first, then the exclusive lock is
	 * tried without waiting (a launch in progress keeps them). */
	if (c->cglockfd >= 0) {
		close(c->cglockfd);
		c->cglockfd = -1;
	}
	cgroup_remove_parents(c);
	return 0;
}

static int read_spec(int fd, struct spec *sp, char *err, size_t errlen)
{
	size_t cap = 8192, len = 0;
	char *buf = malloc(cap);
	for (;;) {
		if (!buf) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		if (len + 1 >= cap) {
			char *nb = realloc(buf, cap *= 2);
			if (!nb)
				free(buf);
			buf = nb;
			continue;
		}
		ssize_t n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "reading the spec: %s (%s)", errno_name(errno), strerror(errno));
			free(buf);
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	int rc = spec_parse(buf, len, sp, err, errlen);
	if (rc < 0) {
		spec_free(sp);
		return -1;
	}
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: haco-launch [--trace] [--detach] [--spec-fd N | --spec FILE|-]\n"
	                "Runs a launch spec (docs/launch-spec.md); the default is --spec - (stdin).\n");
}

int launcher_main(int argc, char **argv, const struct sys *sys)
{
	static struct ctx ctx; /* lives for the whole run */
	struct ctx *c = &ctx;
	memset(c, 0, sizeof(*c));
	c->sys = sys;
	int specfd = 0;
	const char *specfile = NULL;

	/* A closed stderr (`--trace | head`) must not kill the launcher before its
	 * cleanup: writes fail with EPIPE instead. Children get SIGPIPE back. */
	signal(SIGPIPE, SIG_IGN);
	if (argc > 1 && strcmp(argv[1], "--front") == 0)
		return front_main(argc - 2, argv + 2);

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--trace") == 0)
			c->trace = 1;
		else if (strcmp(argv[i], "--detach") == 0)
			c->detach = 1;
		else if (strcmp(argv[i], "--spec-fd") == 0 && i + 1 < argc) {
			unsigned long long v;
			if (parse_ulong(argv[++i], &v) < 0 || v > 1000000) {
				usage();
				return 125;
			}
			specfd = (int)v;
			specfile = NULL;
		} else if (strcmp(argv[i], "--spec") == 0 && i + 1 < argc) {
			specfile = argv[++i];
		} else {
			usage();
			return argc == 2 && strcmp(argv[1], "--help") == 0 ? 0 : 125;
		}
	}

	/* Our own copy of stderr: `stdio` steps may redirect fd 2 for the container. */
	c->msgfd = fcntl(2, F_DUPFD_CLOEXEC, 3);
	if (c->msgfd < 0)
		return 125;
	c->rootfd = -1;
	c->sync_r = c->sync_w = c->err_r = c->err_w = -1;
	c->lockfd = c->cglockfd = c->cgwrite_fd = c->ready_w = c->watch_w = c->start_fd = -1;
	c->pty_sock = c->pty_sock_parent = c->pty_master = -1;
	c->arg_area = argv[0];
	c->arg_len = (size_t)(argv[argc - 1] + strlen(argv[argc - 1]) + 1 - argv[0]);
	c->log_r[0] = c->log_r[1] = c->log_w[0] = c->log_w[1] = -1;
	for (int i = 0; i < 3; i++)
		c->host_stdio[i] = -1;

	if (specfile && strcmp(specfile, "-") != 0) {
		specfd = open(specfile, O_RDONLY | O_CLOEXEC);
		if (specfd < 0) {
			fprintf(stderr, "haco-launch: open %s: %s (%s)\n", specfile, errno_name(errno),
			        strerror(errno));
			return 125;
		}
	} else if (!specfile && specfd == 0 && isatty(0)) {
		usage();
		return 125;
	}

	struct spec sp;
	char err[512];
	if (read_spec(specfd, &sp, err, sizeof(err)) < 0) {
		fprintf(stderr, "haco-launch: spec: %s\n", err);
		return 125;
	}
	if (specfd > 2)
		close(specfd); /* the container must not inherit it */
	c->spec = &sp;
	c->launcher = getpid();
	if (host_only(&sp)) {
		if (c->detach) {
			fprintf(stderr, "haco-launch: --detach has no meaning for a host-only spec\n");
			spec_free(&sp);
			return 125;
		}
		fds_close_from(3, c->msgfd);
		int status = run_host_only(c);
		spec_free(&sp);
		return status;
	}

	size_t spawn, release, exec;
	if (validate(c, &spawn, &release, &exec) < 0 || read_metadata(c) < 0) {
		fprintf(stderr, "haco-launch: spec: %s\n", c->fail.msg);
		spec_free(&sp);
		return 125;
	}
	/* What the caller had open stays out of the launcher itself too (the detached
	 * supervisor lives as long as the container): the preserve-fds ones only. */
	fds_close_from(3 + c->preserve_fds, c->msgfd);
	if (c->name)
		tracef(c, "container %s", c->name);
	if (c->detach && !c->state_dir) {
		fprintf(stderr, "haco-launch: --detach needs a state-dir step in the spec\n");
		spec_free(&sp);
		return 125;
	}
	int status = supervise(c, spawn, release, exec);
	spec_free(&sp);
	return status;
}
