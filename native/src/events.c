/*
 * events.c: the supervisor's event process (docs/lifecycle.md, "While it runs").
 *
 * When the spec has any of these metadata steps, the supervisor forks one event
 * process per run of the container, right after the start, and stops it (SIGTERM,
 * waited) when the container exits:
 *
 *   timer MS COUNT ARGV...         a host command every MS, COUNT times (0: no limit)
 *   ready-port PORT TIMEOUT INTV   ready once PORT listens in the container's net ns
 *   ready-cmd TIMEOUT INTV ARGV... ready once the host command exits 0
 *   on-oom v1|v2 DIR ARGV...       the OOM killer acted in the memory cgroup DIR
 *   on-pressure v1|v2 DIR LEVEL .. DIR's memory pressure reached LEVEL
 *   on-signal SIGNAL ARGV...       the supervisor got SIGUSR1/SIGUSR2
 *
 * A process of its own, so the supervisor's relay loops (log.c, pty.c) stay as they
 * are, and a hook that takes long delays other hooks, never the container's output.
 * One poll(2) over one fd per entry: a timerfd per timer and for the readiness
 * probe, an eventfd (v1) or inotify/PSI fd (v2) per cgroup event, a signalfd for
 * SIGUSR1, SIGUSR2 and SIGTERM (stop). Readiness is recorded in STATE/ready
 * ("ready=yes|no", the container's pid), which `haco ps` reads.
 *
 * The kernel interfaces: cgroup v1 memory.oom_control and memory.pressure_level
 * are registered by writing "EVENTFD FD [LEVEL]" to cgroup.event_control
 * (Documentation/admin-guide/cgroup-v1/memory.rst, 9 and 11); v2's memory.events
 * is watched with inotify (IN_MODIFY when a counter changes) and memory.pressure
 * takes a PSI trigger (Documentation/accounting/psi.rst) signalled with POLLPRI.
 */
#include "haco.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum kind { W_SIGNAL, W_TIMER, W_READY, W_OOM_V1, W_OOM_V2, W_PRESSURE_V1, W_PRESSURE_V2 };

struct watch {
	enum kind kind;
	int fd;
	const struct step *s;
	unsigned long long runs, count; /* timer */
	unsigned long long oom_kills;   /* v2 oom: the last oom_kill seen */
	long long last_ms;              /* pressure: the last run, for the 1 s gap */
};

static volatile pid_t relay_to; /* the event process, for the supervisor's signal handler */
static int in_event_process;

static void relay(int sig)
{
	if (relay_to > 0)
		kill(relay_to, sig);
}

static int has_step(const struct ctx *c, const char *const *names)
{
	for (size_t i = 0; i < c->spec->n; i++)
		for (const char *const *n = names; *n; n++)
			if (name_is(c->spec->steps[i].name, *n))
				return 1;
	return 0;
}

static const char *const EVENT_STEPS[] = { "timer", "ready-port", "ready-cmd", "on-oom", "on-pressure", "on-signal", NULL };

static int signal_of(const char *name)
{
	return strcmp(name, "USR1") == 0 ? SIGUSR1 : strcmp(name, "USR2") == 0 ? SIGUSR2 : 0;
}

void events_signals(struct ctx *c)
{
	for (size_t i = 0; i < c->spec->n; i++) {
		const struct step *s = &c->spec->steps[i];
		if (!name_is(s->name, "on-signal") || !signal_of(s->argv[0]))
			continue;
		/* TS took it out of forward-signals: between runs (no event process) it is dropped, never fatal. */
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = relay;
		sa.sa_flags = SA_RESTART;
		sigemptyset(&sa.sa_mask);
		sigaction(signal_of(s->argv[0]), &sa, NULL);
		tracef(c, "sigaction(SIG%s, relay to the event process)", s->argv[0]);
	}
}

int hooks_abort_requested(void)
{
	if (!in_event_process)
		return 0;
	sigset_t pending;
	return sigpending(&pending) == 0 && sigismember(&pending, SIGTERM);
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int timer_fd(struct ctx *c, unsigned long long ms)
{
	int fd = (int)traced(c, timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK), "timerfd_create(CLOCK_MONOTONIC)");
	if (fd < 0)
		return fail(c, errno, "%s: timerfd_create", c->cur->name);
	struct itimerspec it;
	it.it_value.tv_sec = it.it_interval.tv_sec = (time_t)(ms / 1000);
	it.it_value.tv_nsec = it.it_interval.tv_nsec = (long)(ms % 1000) * 1000000;
	if (traced(c, timerfd_settime(fd, 0, &it, NULL), "timerfd_settime(every %llu ms)", ms) < 0) {
		int e = errno;
		close(fd);
		return fail(c, e, "%s: timerfd_settime %llu ms", c->cur->name, ms);
	}
	return fd;
}

/* cgroup v1: "EVENTFD FD [ARGS]" into DIR/cgroup.event_control, for DIR/FILE. */
static int v1_event(struct ctx *c, const char *dir, const char *file, const char *args)
{
	char path[4200], control[4200], line[128];
	if (strfmt(path, sizeof(path), "%s/%s", dir, file) < 0 || strfmt(control, sizeof(control), "%s/cgroup.event_control", dir) < 0)
		return fail(c, errno, "%s %s", c->cur->name, dir);
	int efd = (int)traced(c, eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK), "eventfd(0)");
	if (efd < 0)
		return fail(c, errno, "%s: eventfd", c->cur->name);
	int ffd = (int)traced(c, c->sys->open(path, O_RDONLY | O_CLOEXEC, 0), "open(\"%s\", O_RDONLY)", path);
	if (ffd < 0) {
		int e = errno;
		close(efd);
		return fail(c, e, "%s: open %s", c->cur->name, path);
	}
	if (strfmt(line, sizeof(line), "%d %d%s%s", efd, ffd, args ? " " : "", args ? args : "") < 0 || write_file(c, control, line) < 0) {
		int e = errno;
		close(efd);
		c->sys->close(ffd);
		return fail(c, e, "%s: register %s in %s", c->cur->name, path, control);
	}
	/* The registration holds its own reference to FILE: our fd is not needed any more. */
	c->sys->close(ffd);
	return efd;
}

/* v2 memory.events: the oom_kill counter, 0 when unreadable. */
static unsigned long long read_oom_kills(const char *file)
{
	char buf[1024];
	int fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	const char *p = strstr(buf, "oom_kill ");
	return p ? strtoull(p + 9, NULL, 10) : 0;
}

static int watch_open(struct ctx *c, const struct step *s, struct watch *w)
{
	unsigned long long a, b;
	char path[4200];
	memset(w, 0, sizeof(*w));
	w->s = s;
	w->fd = -1;
	c->cur = s;
	if (strcmp(s->name, "timer") == 0) {
		if (parse_ulong(s->argv[0], &a) < 0 || a == 0 || parse_ulong(s->argv[1], &w->count) < 0)
			return fail(c, 0, "line %d: timer takes INTERVAL_MS (> 0) COUNT ARGV...", s->line);
		w->kind = W_TIMER;
		return w->fd = timer_fd(c, a);
	}
	if (strcmp(s->name, "ready-port") == 0 || strcmp(s->name, "ready-cmd") == 0) {
		int port = strcmp(s->name, "ready-port") == 0;
		if ((port && (parse_ulong(s->argv[0], &a) < 0 || a == 0 || a > 65535)) || parse_ulong(s->argv[port], &a) < 0 ||
		    parse_ulong(s->argv[port + 1], &b) < 0 || b == 0)
			return fail(c, 0, "line %d: %s takes %sTIMEOUT_MS INTERVAL_MS (> 0)", s->line, s->name, port ? "PORT " : "");
		w->kind = W_READY;
		return w->fd = timer_fd(c, b);
	}
	if (strcmp(s->name, "on-signal") == 0) {
		if (!signal_of(s->argv[0]))
			return fail(c, 0, "line %d: on-signal takes USR1 or USR2, not %s", s->line, s->argv[0]);
		w->kind = W_SIGNAL; /* served by the one signalfd */
		return 0;
	}
	int v2 = strcmp(s->argv[0], "v2") == 0;
	if (!v2 && strcmp(s->argv[0], "v1") != 0)
		return fail(c, 0, "line %d: %s takes v1 or v2, not %s", s->line, s->name, s->argv[0]);
	const char *dir = s->argv[1];
	if (strcmp(s->name, "on-oom") == 0) {
		if (!v2) {
			w->kind = W_OOM_V1;
			return w->fd = v1_event(c, dir, "memory.oom_control", NULL);
		}
		w->kind = W_OOM_V2;
		if (strfmt(path, sizeof(path), "%s/memory.events", dir) < 0)
			return fail(c, errno, "on-oom %s", dir);
		w->oom_kills = read_oom_kills(path);
		int fd = (int)traced(c, inotify_init1(IN_CLOEXEC | IN_NONBLOCK), "inotify_init1()");
		if (fd < 0)
			return fail(c, errno, "on-oom: inotify_init1");
		if (traced(c, inotify_add_watch(fd, path, IN_MODIFY), "inotify_add_watch(\"%s\", IN_MODIFY)", path) < 0) {
			int e = errno;
			close(fd);
			return fail(c, e, "on-oom: inotify_add_watch %s", path);
		}
		return w->fd = fd;
	}
	if (strcmp(s->name, "on-pressure") != 0)
		return fail(c, 0, "line %d: %s is no event step", s->line, s->name);
	/* on-pressure v1|v2 DIR LEVEL */
	if (!v2) {
		w->kind = W_PRESSURE_V1;
		return w->fd = v1_event(c, dir, "memory.pressure_level", s->argv[2]);
	}
	w->kind = W_PRESSURE_V2;
	if (strfmt(path, sizeof(path), "%s/memory.pressure", dir) < 0)
		return fail(c, errno, "on-pressure %s", dir);
	/* The trigger lives as long as this fd: kept open, polled for POLLPRI. */
	int fd = (int)traced(c, c->sys->open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC, 0), "open(\"%s\", O_RDWR|O_NONBLOCK)", path);
	if (fd < 0)
		return fail(c, errno, "on-pressure: open %s", path);
	size_t len = strlen(s->argv[2]) + 1; /* the kernel wants the NUL too */
	if (traced(c, c->sys->write(fd, s->argv[2], len), "write(\"%s\", \"%s\")", path, s->argv[2]) < 0) {
		int e = errno;
		c->sys->close(fd);
		return fail(c, e, "on-pressure: write \"%s\" to %s", s->argv[2], path);
	}
	return w->fd = fd;
}

/* Run an entry's command (ARGV from field `from`) with HACO_POINT; failures logged, never fatal. */
static void run_entry(struct ctx *c, const struct step *s, int from, const char *point)
{
	c->cur = s;
	c->point = point;
	if (run_command(c, s->argv + from, c->child, point) < 0) {
		report_failure(c, &c->fail);
		log_event(c, "hook %s failed: %s", point, c->fail.msg);
		memset(&c->fail, 0, sizeof(c->fail));
	}
	c->point = NULL;
}

/* Is TCP PORT in LISTEN (state 0A) in /proc/PID/net/FILE? Those files show the netns of PID. */
static int port_listens(pid_t pid, const char *file, unsigned long port)
{
	char path[64], line[512];
	snprintf(path, sizeof(path), "/proc/%d/net/%s", (int)pid, file); /* always fits */
	FILE *f = fopen(path, "re");
	if (!f)
		return 0;
	int found = 0;
	while (!found && fgets(line, sizeof(line), f)) {
		char local[80], state[8];
		/* "  sl  local_address rem_address   st ...": local is ADDR:PORT in hex */
		if (sscanf(line, " %*s %79s %*s %7s", local, state) != 2)
			continue;
		const char *colon = strrchr(local, ':');
		found = colon && strtoul(colon + 1, NULL, 16) == port && strcmp(state, "0A") == 0;
	}
	fclose(f);
	return found;
}

static void record_ready(struct ctx *c, int ready, const char *why)
{
	char buf[256];
	int n = snprintf(buf, sizeof(buf), "ready=%s\npid=%d\nat=%lld\nreason=%s\n", ready ? "yes" : "no", (int)c->child,
	                 (long long)time(NULL), why);
	if (c->state_dir && n > 0 && (size_t)n < sizeof(buf))
		write_atomic(c, "ready", buf, (size_t)n);
	tracef(c, "write(\"%s/ready\")   /* ready=%s: %s */", c->state_dir ? c->state_dir : "-", ready ? "yes" : "no", why);
	log_event(c, "%s: %s", ready ? "ready" : "gave up on readiness", why);
}

/* One readiness tick; returns 1 when the probe is over (ready or given up). */
static int ready_tick(struct ctx *c, struct watch *w, long long started)
{
	const struct step *s = w->s;
	unsigned long long timeout, port = 0;
	int is_port = strcmp(s->name, "ready-port") == 0;
	if (is_port)
		parse_ulong(s->argv[0], &port);
	parse_ulong(s->argv[is_port], &timeout);
	int ok;
	if (is_port) {
		ok = port_listens(c->child, "tcp", (unsigned long)port) || port_listens(c->child, "tcp6", (unsigned long)port);
	} else {
		c->cur = s;
		c->point = "readiness";
		ok = run_command(c, s->argv + 2, c->child, "readiness") == 0;
		c->point = NULL;
		memset(&c->fail, 0, sizeof(c->fail)); /* not ready yet is no failure */
	}
	char why[96];
	if (ok) {
		snprintf(why, sizeof(why), is_port ? "port %llu listens" : "the readiness command exited 0", port);
		record_ready(c, 1, why);
		return 1;
	}
	if ((unsigned long long)(now_ms() - started) >= timeout) {
		snprintf(why, sizeof(why), "not ready after %llu ms", timeout);
		record_ready(c, 0, why);
		return 1;
	}
	return 0;
}

/* The event process's life: never returns. */
static void event_loop(struct ctx *c, struct watch *w, size_t n, int sfd)
{
	long long started = now_ms();
	size_t nfds = n + 1;
	struct pollfd *pfd = calloc(nfds, sizeof(*pfd));
	if (!pfd)
		_exit(125);
	for (;;) {
		for (size_t i = 0; i < n; i++) {
			pfd[i].fd = w[i].kind == W_SIGNAL ? -1 : w[i].fd;
			pfd[i].events = w[i].kind == W_PRESSURE_V2 ? POLLPRI : POLLIN;
			pfd[i].revents = 0;
		}
		pfd[n].fd = sfd;
		pfd[n].events = POLLIN;
		pfd[n].revents = 0;
		if (poll(pfd, nfds, -1) < 0) {
			if (errno == EINTR)
				continue;
			_exit(125);
		}
		if (pfd[n].revents) {
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
				if (si.ssi_signo == SIGTERM)
					_exit(0);
				for (size_t i = 0; i < n; i++)
					if (w[i].kind == W_SIGNAL && signal_of(w[i].s->argv[0]) == (int)si.ssi_signo) {
						log_event(c, "signal SIG%s: running its hook", w[i].s->argv[0]);
						run_entry(c, w[i].s, 1, w[i].s->argv[0]);
					}
			}
		}
		for (size_t i = 0; i < n; i++) {
			if (!pfd[i].revents || w[i].fd < 0)
				continue;
			unsigned long long ticks = 0;
			char buf[4096];
			switch (w[i].kind) {
			case W_TIMER:
				if (read(w[i].fd, &ticks, sizeof(ticks)) != (ssize_t)sizeof(ticks))
					break;
				run_entry(c, w[i].s, 2, "timer");
				if (w[i].count && ++w[i].runs >= w[i].count) {
					close(w[i].fd); /* done: no more runs of this timer */
					w[i].fd = -1;
				}
				break;
			case W_READY:
				if (read(w[i].fd, &ticks, sizeof(ticks)) == (ssize_t)sizeof(ticks) && ready_tick(c, &w[i], started)) {
					close(w[i].fd);
					w[i].fd = -1;
				}
				break;
			case W_OOM_V1:
			case W_PRESSURE_V1:
				if (read(w[i].fd, &ticks, sizeof(ticks)) != (ssize_t)sizeof(ticks))
					break;
				/* fallthrough */
			case W_PRESSURE_V2: {
				int oom = w[i].kind == W_OOM_V1;
				const char *what = oom ? "oom" : "memoryPressure";
				/* Pressure can fire many times a second while reclaim goes on: one run a second at most. */
				if (!oom && now_ms() - w[i].last_ms < 1000 && w[i].last_ms)
					break;
				w[i].last_ms = now_ms();
				log_event(c, "event %s%s%s in %s", what, oom ? "" : " level=", oom ? "" : w[i].s->argv[2], w[i].s->argv[1]);
				notef(c, "%s event in container %s: running its hook", what, c->name ? c->name : "");
				run_entry(c, w[i].s, oom ? 2 : 3, what);
				break;
			}
			case W_OOM_V2: {
				while (read(w[i].fd, buf, sizeof(buf)) > 0) /* drain the inotify events */
					;
				char path[4200];
				if (strfmt(path, sizeof(path), "%s/memory.events", w[i].s->argv[1]) < 0)
					break;
				unsigned long long kills = read_oom_kills(path);
				if (kills <= w[i].oom_kills)
					break; /* another counter changed (high, max) */
				w[i].oom_kills = kills;
				log_event(c, "event oom oom_kill=%llu in %s", kills, w[i].s->argv[1]);
				notef(c, "oom event in container %s: running its hook", c->name ? c->name : "");
				run_entry(c, w[i].s, 2, "oom");
				break;
			}
			case W_SIGNAL:
				break;
			}
		}
	}
}

int events_start(struct ctx *c)
{
	if (!has_step(c, EVENT_STEPS))
		return 0;
	/* Blocked before the fork, so a USR1 right after it waits for the signalfd. */
	sigset_t mask, old;
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM), sigaddset(&mask, SIGUSR1), sigaddset(&mask, SIGUSR2);
	sigprocmask(SIG_BLOCK, &mask, &old);
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		sigprocmask(SIG_SETMASK, &old, NULL);
		return fail(c, e, "event process: fork");
	}
	if (pid > 0) {
		c->events = pid;
		relay_to = pid;
		sigprocmask(SIG_SETMASK, &old, NULL);
		tracef(c, "fork() = %d   /* event process: timers, readiness, cgroup events, signal hooks */", (int)pid);
		return 0;
	}
	/* ---- the event process ---- */
	in_event_process = 1;
	relay_to = 0;
	/* The supervisor's forwarding handlers would signal the container: ours are ignored, the
	 * supervisor stops us with SIGTERM (signalfd), and so does the kernel if the supervisor dies. */
	static const int ign[] = { SIGINT, SIGHUP, SIGQUIT, SIGALRM, SIGCONT, SIGWINCH, SIGPWR, SIGTSTP, SIGTTIN, SIGTTOU };
	for (size_t i = 0; i < sizeof(ign) / sizeof(ign[0]); i++)
		signal(ign[i], SIG_IGN);
	signal(SIGRTMIN, SIG_IGN);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != c->launcher)
		_exit(0);
	/* Nothing of the supervisor's but stdio and what we open here (the log is opened when needed). */
	if (c->lockfd >= 0)
		close(c->lockfd);
	if (c->watch_w >= 0)
		close(c->watch_w);
	if (c->pty_master >= 0)
		close(c->pty_master);
	for (int i = 0; i < 2; i++)
		if (c->log_r[i] >= 0)
			close(c->log_r[i]);
	int sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sfd < 0) {
		warnf(c, "event process: signalfd: %s", errno_name(errno));
		_exit(125);
	}
	size_t n = 0;
	struct watch *w = calloc(c->spec->n + 1, sizeof(*w));
	if (!w)
		_exit(125);
	for (size_t i = 0; i < c->spec->n; i++) {
		const struct step *s = &c->spec->steps[i];
		int known = 0;
		for (const char *const *k = EVENT_STEPS; *k; k++)
			known |= name_is(s->name, *k);
		if (!known)
			continue;
		if (watch_open(c, s, &w[n]) < 0) {
			/* This entry cannot work (a missing cgroup file, a kernel without PSI): say so, keep the rest. */
			report_failure(c, &c->fail);
			log_event(c, "%s: %s", s->name, c->fail.msg);
			memset(&c->fail, 0, sizeof(c->fail));
			continue;
		}
		n++;
	}
	event_loop(c, w, n, sfd);
	_exit(0);
}

void events_stop(struct ctx *c)
{
	if (c->events <= 0)
		return;
	relay_to = 0;
	traced(c, kill(c->events, SIGTERM), "kill(%d, SIGTERM)   /* the event process: the run is over */", (int)c->events);
	while (waitpid(c->events, NULL, 0) < 0 && errno == EINTR)
		;
	c->events = 0;
	if (c->state_dir) {
		char path[4200];
		if (strfmt(path, sizeof(path), "%s/ready", c->state_dir) == 0)
			unlink(path); /* readiness is per run */
	}
}
