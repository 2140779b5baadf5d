/*
 * supervise.c: what the launcher does besides launching (docs/lifecycle.md).
 *
 *   detach    `haco start -d`: the caller's process waits on a pipe until the
 *             container's exec succeeded or failed, while a daemonized copy
 *             (setsid + second fork, stdio to STATE/supervisor.log) goes on
 *             as the supervisor. No node process stays behind.
 *   watcher   a tiny fork of the supervisor that holds the read end of a pipe
 *             only the supervisor can write to. If the supervisor dies without
 *             saying "done" (kill -9), the watcher reads EOF and does its
 *             cleanup: kills what is left in the container's cgroups, removes
 *             them, runs cleanup-cmd, and records the exit in the state.
 *   restart   the restart policy with a doubling back-off.
 *   wait-start the OCI runtime's "created": the child has done everything but
 *             its exec and reads a fifo (start-fifo) until `haco runtime
 *             start` writes to it; the caller of create returns meanwhile.
 */
#include "haco.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* What the supervisor tells the process the caller waits for. */
struct ready_msg {
	int ok;
	int status;
	pid_t supervisor, pid;
	struct failure f;
};

static int logfd = -1; /* STATE/supervisor.log, for msgfd once the caller is gone */

static ssize_t read_full(int fd, void *buf, size_t len)
{
	size_t off = 0;
	while (off < len) {
		ssize_t n = read(fd, (char *)buf + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -1 : (ssize_t)off;
		off += (size_t)n;
	}
	return (ssize_t)off;
}

int supervise_detach(struct ctx *c)
{
	int p[2];
	if (traced(c, pipe2(p, O_CLOEXEC), "pipe2(ready)") < 0)
		return fail(c, errno, "detach: pipe2");
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(p[0]), close(p[1]);
		return fail(c, e, "detach: fork");
	}
	if (pid > 0) {
		/* The caller's process: report what happened, then exit. It holds no lock
		 * (flock belongs to the open file, which the supervisor keeps). */
		close(p[1]);
		close(c->lockfd);
		struct ready_msg r;
		ssize_t n = read_full(p[0], &r, sizeof(r));
		int st;
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		if (n == (ssize_t)sizeof(r) && r.ok) {
			dprintf(1, "%s started: pid %d, supervisor %d\n", c->name ? c->name : "container", (int)r.pid,
			        (int)r.supervisor);
			exit(0);
		}
		if (n == (ssize_t)sizeof(r)) {
			r.f.msg[sizeof(r.f.msg) - 1] = '\0';
			r.f.step[sizeof(r.f.step) - 1] = '\0';
			report_failure(c, &r.f);
			exit(r.status ? r.status : 125);
		}
		dprintf(c->msgfd, "haco-launch: the supervisor exited before the container started; see %s/supervisor.log\n",
		        c->state_dir);
		exit(125);
	}
	close(p[0]);
	/* A new session: no controlling terminal, and the caller's Ctrl-C or hangup
	 * never reaches us. The second fork makes sure we can never acquire one. */
	if (setsid() < 0)
		_exit(125);
	pid = fork();
	if (pid < 0)
		_exit(125);
	if (pid > 0)
		_exit(0);
	c->ready_w = p[1];
	c->launcher = getpid();
	c->sup_start = proc_start_time(c->launcher);
	if (chdir("/") < 0)
		return fail(c, errno, "detach: chdir /");
	char path[4200];
	if (strfmt(path, sizeof(path), "%s/supervisor.log", c->state_dir) < 0)
		return fail(c, errno, "detach: %s/supervisor.log", c->state_dir);
	logfd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (logfd < 0)
		return fail(c, errno, "detach: open %s", path);
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0)
		return fail(c, errno, "detach: open /dev/null");
	/* Our fds 0-2 (and so the hooks' and, unless `stdio` says otherwise, the
	 * container's) leave the caller's terminal or pipes. msgfd stays the caller's
	 * stderr until readiness, so --trace and errors show where the user looks. */
	int r = dup2(null, 0) < 0 || dup2(logfd, 1) < 0 || dup2(logfd, 2) < 0 ? -1 : 0;
	int e = errno;
	close(null);
	if (r < 0)
		return fail(c, e, "detach: dup2");
	return 0;
}

void supervise_ready(struct ctx *c, const struct failure *f, int status)
{
	if (c->ready_w < 0)
		return;
	struct ready_msg r;
	memset(&r, 0, sizeof(r));
	r.ok = f == NULL;
	r.status = status;
	r.supervisor = c->launcher;
	r.pid = c->child;
	if (f)
		r.f = *f;
	tracef(c, "write(ready_pipe, {ok=%d, pid=%d}) = %zu   /* the caller returns */", r.ok, (int)r.pid, sizeof(r));
	ssize_t w = write(c->ready_w, &r, sizeof(r));
	(void)w; /* if the caller is gone, nobody is left to tell */
	close(c->ready_w);
	c->ready_w = -1;
	/* From now on our messages go to the log: the caller's stderr must close, or a
	 * caller reading it to the end (a test, $(...)) would wait for our exit. */
	if (logfd >= 0 && dup3(logfd, c->msgfd, O_CLOEXEC) < 0)
		warnf(c, "detach: dup3: %s", errno_name(errno));
}

/* The pids in PATH/cgroup.procs, killed; returns how many were listed. */
static int kill_members(struct ctx *c, const char *dir)
{
	char path[4200], buf[4096];
	if (strfmt(path, sizeof(path), "%s/cgroup.procs", dir) < 0) {
		warnf(c, "cleanup-cgroup %s/cgroup.procs: %s", dir, errno_name(errno));
		return 0;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	int found = 0;
	ssize_t n;
	size_t keep = 0;
	while ((n = read(fd, buf + keep, sizeof(buf) - 1 - keep)) > 0) {
		buf[keep + (size_t)n] = '\0';
		char *line = buf, *nl;
		while ((nl = strchr(line, '\n'))) {
			*nl = '\0';
			long pid = strtol(line, NULL, 10);
			if (pid > 1) {
				kill((pid_t)pid, SIGKILL);
				found++;
			}
			line = nl + 1;
		}
		keep = strlen(line);
		memmove(buf, line, keep);
	}
	close(fd);
	return found;
}

void supervise_drain_cgroups(struct ctx *c, int max_ms)
{
	for (int waited = 0; waited <= max_ms; waited += 20) {
		int left = 0;
		for (size_t i = 0; i < c->spec->n; i++)
			if (name_is(c->spec->steps[i].name, "cleanup-cgroup"))
				left += kill_members(c, c->spec->steps[i].argv[0]);
		if (!left)
			return;
		if (waited == 0)
			tracef(c, "kill(SIGKILL) the %d process(es) left in the container's cgroups", left);
		struct timespec ts = { 0, 20 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	warnf(c, "processes are still in the container's cgroups after %d ms", max_ms);
}

int supervise_watcher(struct ctx *c, void (*cleanup)(struct ctx *))
{
	int p[2];
	if (traced(c, pipe2(p, O_CLOEXEC), "pipe2(watch)") < 0)
		return fail(c, errno, "watcher: pipe2");
	pid_t pid = fork();
	if (pid < 0)
		return fail(c, errno, "watcher: fork");
	if (pid == 0) {
		close(p[1]);
		if (c->ready_w >= 0)
			close(c->ready_w);
		/* Detached: our copy of msgfd is still the caller's stderr. Keeping it would
		 * keep the caller's pipe open as long as the container runs. */
		if (logfd >= 0 && dup3(logfd, c->msgfd, O_CLOEXEC) < 0)
			_exit(125);
		/* Only SIGKILL should stop us: a Ctrl-C or hangup aimed at the container's
		 * process group must not take away the one process that cleans up after it. */
		static const int ign[] = { SIGINT, SIGHUP, SIGTERM, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU, SIGUSR1, SIGUSR2 };
		for (size_t i = 0; i < sizeof(ign) / sizeof(ign[0]); i++)
			signal(ign[i], SIG_IGN);
		char b;
		ssize_t n;
		do
			n = read(p[0], &b, 1);
		while (n < 0 && errno == EINTR);
		if (n == 1)
			_exit(0); /* the supervisor cleaned up itself */
		/* EOF: the supervisor died without its cleanup (kill -9, a crash). The
		 * container got SIGKILL through PDEATHSIG; whatever else is in its cgroups
		 * (no pid namespace) is killed here, then everything is removed. */
		c->child = 0;
		pty_restore_after_death(c); /* the launcher had it raw: give the user a usable terminal back */
		warnf(c, "supervisor %d is gone: cleaning up after it", (int)c->launcher);
		supervise_drain_cgroups(c, 5000);
		cgroup_report_oom(c);
		cleanup(c);
		hooks_run_point(c, "systemFailure", -1);
		if (c->state_keep)
			state_write(c, "exited", -1, "supervisor killed");
		else
			state_remove(c);
		_exit(0);
	}
	close(p[0]);
	c->watch_w = p[1];
	c->watcher = pid;
	tracef(c, "fork() = %d   /* cleanup watcher: cleans up if we die */", (int)pid);
	return 0;
}

void supervise_watcher_done(struct ctx *c)
{
	if (c->watch_w < 0)
		return;
	ssize_t w = write(c->watch_w, "x", 1);
	(void)w;
	close(c->watch_w);
	c->watch_w = -1;
	while (waitpid(c->watcher, NULL, 0) < 0 && errno == EINTR)
		;
}

int supervise_should_restart(struct ctx *c, int status)
{
	if (stop_requested() || c->restart_policy == RESTART_NO)
		return 0;
	if (c->restart_policy == RESTART_ON_FAILURE && status == 0)
		return 0;
	return c->restart_max == 0 || (unsigned long long)c->restarts < c->restart_max;
}

void supervise_backoff(struct ctx *c)
{
	unsigned long long ms = c->backoff_ms;
	for (int i = 0; i < c->restarts && ms < 300000; i++)
		ms *= 2; /* doubled after each restart, at most 5 minutes */
	if (ms > 300000)
		ms = 300000;
	tracef(c, "restart %d in %llu ms", c->restarts + 1, ms);
	for (unsigned long long waited = 0; waited < ms && !stop_requested(); waited += 20) {
		struct timespec ts = { 0, 20 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
}

/*
 * start-fifo FIFO, phase 1 (OCI "created", with wait-start): the fifo `haco
 * runtime start` writes one byte to, made and opened O_RDWR before the spawn, so
 * the child inherits the fd and keeps it across pivot_root. O_RDWR: the open
 * does not wait for a writer, and the read in wait-start blocks until a byte
 * comes (we are a writer ourselves, so never an EOF). The launcher closes its
 * copy after the spawn: only the held child reads.
 */
int step_start_fifo(struct ctx *c, char **argv, int argc)
{
	const char *fifo = argc > 0 ? argv[0] : NULL;
	if (!fifo) /* validate() counted the field; this keeps gcc's format check sure of it */
		return fail(c, EINVAL, "start-fifo: no FIFO");
	if (traced(c, mkfifo(fifo, 0600), "mkfifo(\"%s\", 0600)", fifo) < 0 && errno != EEXIST)
		return fail(c, errno, "start-fifo: mkfifo %s", fifo);
	int fd = (int)traced(c, open(fifo, O_RDWR | O_CLOEXEC | O_NOFOLLOW), "open(\"%s\", O_RDWR|O_CLOEXEC)", fifo);
	if (fd < 0)
		return fail(c, errno, "start-fifo: open %s", fifo);
	if (c->start_fd >= 0)
		close(c->start_fd);
	c->start_fd = fd;
	return 0;
}

/*
 * wait-start, in the child, right before exec (OCI "created"): mounts,
 * pivot_root, identity and capabilities are done. The launcher learns it over
 * the error pipe (a struct failure with status HELD), reports the container
 * created and lets the caller of `create` return; the child blocks in read(2)
 * of the start-fifo fd until `haco runtime start` writes a byte.
 */
int step_wait_start(struct ctx *c, char **argv, int argc)
{
	(void)argv, (void)argc;
	if (c->start_fd < 0)
		return fail(c, EBADF, "wait-start: no start-fifo step before it");
	struct failure held;
	memset(&held, 0, sizeof(held));
	held.status = FAILURE_HELD;
	snprintf(held.step, sizeof(held.step), "wait-start");
	if (write(c->err_w, &held, sizeof(held)) != (ssize_t)sizeof(held))
		return fail(c, errno, "wait-start: tell the launcher");
	tracef(c, "read(start_fifo, 1) ...   /* created: blocked until `start` writes */");
	char b;
	ssize_t n;
	while ((n = read(c->start_fd, &b, 1)) < 0 && errno == EINTR)
		;
	int e = errno;
	close(c->start_fd);
	c->start_fd = -1;
	if (n != 1)
		return fail(c, n < 0 ? e : ECANCELED, "wait-start: read the start fifo: no start byte");
	/* Released: a second record, so an EOF from now on means the exec (or a
	 * failure record), and the launcher leaves the program to the subreaper. */
	if (write(c->err_w, &held, sizeof(held)) != (ssize_t)sizeof(held))
		return fail(c, errno, "wait-start: tell the launcher");
	return 0;
}

/*
 * Right before the exec (at seccomp-load, or at exec without a filter): with
 * supervisor-exits the program outlives the launcher (the engine's subreaper
 * reaps it), so the parent-death signal set at the spawn must not kill it.
 */
int supervise_outlive_launcher(struct ctx *c)
{
	if (!c->unsupervised || c->pdeath_cleared)
		return 0;
	if (traced(c, c->sys->prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0), "prctl(PR_SET_PDEATHSIG, 0)   /* supervisor-exits */") < 0)
		return fail(c, errno, "prctl(PR_SET_PDEATHSIG, 0): the program would die with the launcher");
	c->pdeath_cleared = 1;
	return 0;
}
