/*
 * proc.c: the process itself: stdio, identity (uid/gid/groups), session,
 * environment, exec; the optional PID-1 reaper; host commands (hooks and
 * cleanup-cmd); and the signal forwarding used while supervising.
 */
#include "haco.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/xattr.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- signal forwarding ---------------------------------------------------- */

/* The one piece of global state: a signal handler has no other way to know
 * where to forward to. */
static volatile pid_t forward_to;
/* A stop was asked for (`haco kill`, systemd, a hangup): the supervisor must
 * not restart the container after this exit. */
static volatile sig_atomic_t stopping;

static void forward(int sig)
{
	if (sig != SIGUSR1 && sig != SIGUSR2 && sig != SIGWINCH)
		stopping = 1;
	if (forward_to > 0)
		kill(forward_to, sig);
}

static void on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

int stop_requested(void)
{
	return stopping;
}

/* SIGRTMIN means "stop, do not restart" and is not forwarded: `haco kill` sends
 * it to the supervisor, then the signal the user chose to the container. */
void watch_stop_signal(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGRTMIN, &sa, NULL);
}

static const struct { const char *name; int sig; } SIGNALS[] = {
	{ "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT }, { "USR1", SIGUSR1 },
	{ "USR2", SIGUSR2 }, { "ALRM", SIGALRM }, { "TERM", SIGTERM }, { "CONT", SIGCONT },
	{ "WINCH", SIGWINCH }, { "PWR", SIGPWR }, { NULL, 0 },
};

/* `forward-signals LIST`: names without SIG (INT,TERM,...); STOP and KILL cannot be caught. */
int parse_forward_signals(struct ctx *c, const char *list)
{
	char **v;
	int n = split_list(list, &v);
	if (n < 0)
		return fail(c, errno, "forward-signals %s", list);
	sigemptyset(&c->forward_set);
	for (int i = 0; i < n; i++) {
		int found = 0;
		for (size_t k = 0; SIGNALS[k].name; k++)
			if (strcmp(SIGNALS[k].name, v[i]) == 0) {
				sigaddset(&c->forward_set, SIGNALS[k].sig);
				found = 1;
			}
		if (!found) {
			fail(c, 0, "forward-signals: unknown signal \"%s\" (HUP, INT, QUIT, USR1, USR2, ALRM, TERM, CONT, WINCH, PWR)", v[i]);
			free(v);
			return -1;
		}
	}
	free(v);
	c->forward_set_given = 1;
	return 0;
}

/* The set forwarded: the spec's `forward-signals`, or TERM HUP QUIT USR1 USR2. */
void forward_set(const struct ctx *c, sigset_t *set)
{
	if (c->forward_set_given) {
		*set = c->forward_set;
		return;
	}
	sigemptyset(set);
	sigaddset(set, SIGTERM), sigaddset(set, SIGHUP), sigaddset(set, SIGQUIT);
	sigaddset(set, SIGUSR1), sigaddset(set, SIGUSR2);
}

void forward_signals(const struct ctx *c, pid_t to, int also_sigint)
{
	sigset_t set;
	forward_set(c, &set);
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = forward;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	forward_to = to;
	for (size_t k = 0; SIGNALS[k].name; k++)
		if (SIGNALS[k].sig != SIGINT && sigismember(&set, SIGNALS[k].sig))
			sigaction(SIGNALS[k].sig, &sa, NULL);
	/* Without a pty of its own, Ctrl-C is sent by the terminal to the whole
	 * foreground process group, the container included: the launcher must not
	 * die of it, only wait. With a pty (raw terminal), a SIGINT is a kill(1)
	 * aimed at us, and TS lists INT to pass it on. */
	if (!also_sigint && !sigismember(&set, SIGINT))
		sa.sa_handler = SIG_IGN;
	sigaction(SIGINT, &sa, NULL);
}

/* ---- host commands ---------------------------------------------------------- */

/* The whole command line for messages, shell-quoted (a word with anything but
 * [A-Za-z0-9_./=:,+@%-] in single quotes), cut with "..." when it does not fit. */
static void quote_argv(char *buf, size_t size, char **argv)
{
	size_t n = 0;
	buf[0] = '\0';
	for (char **a = argv; *a; a++) {
		char w[1024];
		size_t k = 0;
		int plain = **a != '\0';
		for (const char *p = *a; *p; p++)
			if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./=:,+@%-", *p))
				plain = 0;
		if (a != argv)
			w[k++] = ' ';
		if (!plain)
			w[k++] = '\'';
		for (const char *p = *a; *p && k < sizeof(w) - 6; p++) {
			if (*p == '\'' && !plain) {
				memcpy(w + k, "'\\''", 4);
				k += 4;
			} else
				w[k++] = *p;
		}
		if (!plain)
			w[k++] = '\'';
		w[k] = '\0';
		if (n + k >= size) {
			size_t room = size - 4; /* for "..." and the NUL */
			if (n > room)
				n = room;
			memcpy(buf + n, w, room - n);
			memcpy(buf + room, "...", 4);
			return;
		}
		memcpy(buf + n, w, k + 1);
		n += k;
	}
}

/* fork + execv + wait; exit status must be 0. HACO_NAME (and HACO_PID) set. */
int run_command(struct ctx *c, char **argv, pid_t pid, const char *what)
{
	return run_command_status(c, argv, pid, what, -1);
}

int run_command_status(struct ctx *c, char **argv, pid_t pid, const char *what, int status)
{
	char cmd[512];
	quote_argv(cmd, sizeof(cmd), argv);
	tracef(c, "fork() + setpgid(0, 0) + execv(\"%s\", ...)   /* %s: %s */", argv[0], what, cmd);
	pid_t p = fork();
	if (p < 0)
		return fail(c, errno, "%s %s: fork", what, cmd);
	if (p == 0) {
		/* Undo what the launcher did to itself: exec keeps ignored and blocked signals. */
		signal(SIGINT, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		/* Its own process group: the time limit (hooks.c) kills everything it started. */
		setpgid(0, 0);
		char num[32];
		if (c->name)
			setenv("HACO_NAME", c->name, 1);
		if (c->point)
			setenv("HACO_POINT", c->point, 1);
		if (pid > 0) {
			snprintf(num, sizeof(num), "%d", (int)pid); /* an int always fits */
			setenv("HACO_PID", num, 1);
		}
		if (status >= 0) {
			snprintf(num, sizeof(num), "%d", status); /* an int always fits */
			setenv("HACO_EXIT_CODE", num, 1);
		}
		/* `hook-env KEY VALUE`: what TS wants every hook to know (HACO_ROOTFS, HACO_STATE_DIR). */
		for (size_t i = 0; i < c->spec->n; i++)
			if (name_is(c->spec->steps[i].name, "hook-env"))
				setenv(c->spec->steps[i].argv[0], c->spec->steps[i].argv[1], 1);
		/* A hook runs as root on the host (or inside the container, phase 3):
		 * it gets stdio and nothing else the caller or the launcher had open. */
		fds_cloexec_from(3);
		execv(argv[0], argv);
		dprintf(c->msgfd, "haco-launch: %s %s: exec: %s (%s)\n", what, cmd, errno_name(errno),
		        strerror(errno));
		_exit(127);
	}
	int st;
	if (hooks_wait(c, p, &st, what, cmd) < 0)
		return -1;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (WIFSIGNALED(st))
		return fail(c, 0, "%s %s: killed by signal %d", what, cmd, WTERMSIG(st));
	return fail(c, 0, "%s %s: exited with status %d", what, cmd, WEXITSTATUS(st));
}

int step_hook(struct ctx *c, char **argv, int argc)
{
	(void)argc;
	/* c->child is set in phase 2 only; in phase 3 it is 0 (we are the child). */
	return run_command(c, argv, c->child, "hook");
}

/* ---- stdio -------------------------------------------------------------------- */

int step_stdio(struct ctx *c, char **argv, int argc)
{
	int fd = argv[0][0] - '0', flags;
	if (argv[0][1] || fd < 0 || fd > 2)
		return fail(c, 0, "stdio: fd must be 0, 1 or 2, not %s", argv[0]);
	if (!strcmp(argv[3], "r")) flags = O_RDONLY;
	else if (!strcmp(argv[3], "w")) flags = O_WRONLY | O_CREAT | O_TRUNC;
	else if (!strcmp(argv[3], "a")) flags = O_WRONLY | O_CREAT | O_APPEND;
	else return fail(c, 0, "stdio: mode must be r, w or a, not %s", argv[3]);
	/* PERM: the permissions of a file this creates (TS passes 0600 for the logs in the state dir). */
	mode_t perm = 0644;
	if (argc > 4 && parse_mode(argv[4], &perm) < 0)
		return fail(c, 0, "stdio: PERM must be an octal mode, not %s", argv[4]);
	int f = (int)traced(c, open(argv[2], flags | O_CLOEXEC | O_NOCTTY, perm), "open(\"%s\", %s, 0%o)", argv[2],
	                    flags == O_RDONLY ? "O_RDONLY" : flags & O_APPEND ? "O_WRONLY|O_CREAT|O_APPEND"
	                                                                    : "O_WRONLY|O_CREAT|O_TRUNC", (unsigned)perm);
	if (f < 0)
		return fail(c, errno, "stdio %d: open %s", fd, argv[2]);
	if (c->child == 0 && strcmp(argv[1], "host") == 0) {
		/* Phase 1: keep it; the child dup2()s it after clone, so the launcher's
		 * own stdio (and the hooks') stays the terminal. */
		if (c->host_stdio[fd] >= 0)
			close(c->host_stdio[fd]);
		c->host_stdio[fd] = f;
		return 0;
	}
	int rc = (int)traced(c, dup2(f, fd), "dup2(%d, %d)", f, fd);
	int e = errno;
	close(f);
	if (rc < 0)
		return fail(c, e, "stdio %d %s", fd, argv[2]);
	return 0;
}

/* ---- identity ----------------------------------------------------------------- */

int step_setsid(struct ctx *c, char **argv, int argc)
{
	(void)argv, (void)argc;
	if (traced(c, c->sys->setsid(), "setsid()") < 0)
		return fail(c, errno, "setsid");
	return 0;
}

int step_no_new_privs(struct ctx *c, char **argv, int argc)
{
	(void)argv, (void)argc;
	if (traced(c, c->sys->prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS, 1)") < 0)
		return fail(c, errno, "no-new-privs");
	return 0;
}

/*
 * `apparmor-exec PROFILE`: AppArmor switches to PROFILE at the next execve (attr/exec is per task and
 * kept across fork, so the reaper's child gets it too). Linux 5.8+ has the AppArmor-specific file; older
 * kernels only the shared one, hence the fallback on ENOENT.
 */
int step_apparmor_exec(struct ctx *c, char **argv, int argc)
{
	(void)argc;
	char cmd[256];
	int n = snprintf(cmd, sizeof(cmd), "exec %s", argv[0]);
	if (n < 0 || (size_t)n >= sizeof(cmd))
		return fail(c, ENAMETOOLONG, "apparmor-exec: profile name too long");
	if (write_file(c, "/proc/self/attr/apparmor/exec", cmd) == 0)
		return 0;
	if (errno == ENOENT && write_file(c, "/proc/self/attr/exec", cmd) == 0)
		return 0;
	return fail(c, errno, "apparmor-exec %s", argv[0]);
}

static int setgroups_denied(struct ctx *c)
{
	char buf[16] = "";
	int fd = c->sys->open("/proc/self/setgroups", O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	c->sys->close(fd);
	return n > 0 && strncmp(buf, "deny", 4) == 0;
}

/* `user`, once the groups are parsed. */
static int set_ids(struct ctx *c, char **argv, unsigned long long uid, unsigned long long gid, const gid_t *groups, int n)
{
	/* Changing uid from 0 clears the permitted capabilities unless KEEPCAPS is
	 * set; keep them so that the `caps` step, not the uid change, decides. */
	if (traced(c, c->sys->prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0), "prctl(PR_SET_KEEPCAPS, 1)") < 0)
		return fail(c, errno, "user: keep capabilities");
	/* With setgroups "deny" (needed for an unprivileged gid_map) the kernel
	 * refuses setgroups(2), and the groups cannot change anyway: no groups
	 * asked for, that refusal is no failure. The file is read only after an
	 * EPERM: its first read in a new /proc costs more than the call itself. */
	int rc = c->sys->setgroups((size_t)n, groups);
	int e = errno;
	if (rc < 0 && e == EPERM && n == 0 && setgroups_denied(c)) {
		tracef(c, "setgroups(0, []): skipped, /proc/self/setgroups is \"deny\"");
	} else {
		errno = e;
		if (traced(c, rc, "setgroups(%d, [%s])", n, argv[2]) < 0)
			return fail(c, e, "user: setgroups %s", argv[2]);
	}
	/* gid first: after setresuid to a non-root uid we could not change it. */
	if (traced(c, c->sys->setresgid((gid_t)gid, (gid_t)gid, (gid_t)gid), "setresgid(%llu, %llu, %llu)", gid, gid, gid) < 0)
		return fail(c, errno, "user: setresgid %llu", gid);
	if (traced(c, c->sys->setresuid((uid_t)uid, (uid_t)uid, (uid_t)uid), "setresuid(%llu, %llu, %llu)", uid, uid, uid) < 0)
		return fail(c, errno, "user: setresuid %llu", uid);
	/* The kernel clears the parent-death signal when the credentials change:
	 * set it again, or `kill -9` of the launcher would leave us running (unless
	 * supervisor-exits cleared it already: the program is to outlive us). */
	if (!c->pdeath_cleared)
		prctl(PR_SET_PDEATHSIG, SIGKILL);
	return 0;
}

int step_user(struct ctx *c, char **argv, int argc)
{
	(void)argc;
	unsigned long long uid, gid, g;
	if (parse_ulong(argv[0], &uid) < 0 || parse_ulong(argv[1], &gid) < 0)
		return fail(c, 0, "user: uid and gid must be numbers, not %s %s", argv[0], argv[1]);
	char **v;
	int n = split_list(argv[2], &v);
	if (n < 0)
		return fail(c, errno, "user %s", argv[2]);
	/* On the heap: the count comes from the spec (the kernel allows 65536 groups). */
	gid_t *groups = calloc(n > 0 ? (size_t)n : 1, sizeof(*groups));
	if (!groups) {
		free(v);
		return fail(c, ENOMEM, "user %s", argv[2]);
	}
	for (int i = 0; i < n; i++) {
		if (parse_ulong(v[i], &g) < 0 || g > (gid_t)-1) {
			fail(c, 0, "user: group \"%s\" is not a number", v[i]);
			free(v);
			free(groups);
			return -1;
		}
		groups[i] = (gid_t)g;
	}
	free(v);
	int rc = set_ids(c, argv, uid, gid, groups, n);
	free(groups);
	return rc;
}

/* ---- environment and exec ------------------------------------------------------ */

int step_chdir(struct ctx *c, char **argv, int argc)
{
	(void)argc;
	if (traced(c, c->sys->chdir(argv[0]), "chdir(\"%s\")", argv[0]) < 0)
		return fail(c, errno, "chdir %s", argv[0]);
	return 0;
}

int step_env_clear(struct ctx *c, char **argv, int argc)
{
	(void)argv, (void)argc;
	if (traced(c, clearenv(), "clearenv()") != 0)
		return fail(c, errno, "env-clear");
	return 0;
}

int step_env(struct ctx *c, char **argv, int argc)
{
	(void)argc;
	if (argv[0][0] == '\0' || strchr(argv[0], '='))
		return fail(c, 0, "env: bad variable name \"%s\"", argv[0]);
	if (setenv(argv[0], argv[1], 1) < 0)
		return fail(c, errno, "env %s", argv[0]);
	tracef(c, "setenv(\"%s\", \"%s\")", argv[0], argv[1]);
	return 0;
}

void fds_mark_for_exec(struct ctx *c)
{
	if (c->fds_marked)
		return;
	const char *how = fds_cloexec_from(3 + c->preserve_fds);
	if (strcmp(how, "close_range") == 0)
		tracef(c, "close_range(%d, ~0U, CLOSE_RANGE_CLOEXEC) = 0   /* only fds 0-%d survive exec */",
		       3 + c->preserve_fds, 2 + c->preserve_fds);
	else
		tracef(c, "close_range(%d, ~0U, CLOSE_RANGE_CLOEXEC) failed: fcntl(FD_CLOEXEC) on %s instead",
		       3 + c->preserve_fds, how);
	c->fds_marked = 1;
}

/*
 * The one fact TS cannot know in advance: whether the program that failed to
 * exec carries file capabilities (the security.capability xattr). The kernel
 * refuses with EPERM to run such a program when the bounding set cannot grant
 * them all; TS's hint for (exec, EPERM) explains that. Looks the command up on
 * PATH as execvp(3) did (its default path when PATH is unset).
 */
static int has_file_caps(const char *cmd)
{
	if (strchr(cmd, '/'))
		return getxattr(cmd, "security.capability", NULL, 0) > 0;
	const char *dirs = getenv("PATH");
	if (!dirs)
		dirs = "/bin:/usr/bin";
	char path[4096];
	for (const char *p = dirs;;) {
		const char *end = strchr(p, ':');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		int n = snprintf(path, sizeof(path), "%.*s/%s", (int)len, p, cmd);
		if (n > 0 && (size_t)n < sizeof(path) && access(path, X_OK) == 0)
			return getxattr(path, "security.capability", NULL, 0) > 0;
		if (!end)
			return 0;
		p = end + 1;
	}
}

int step_exec(struct ctx *c, char **argv, int argc)
{
	char shown[1024]; /* for the trace only: may be cut */
	size_t n = 0;
	for (int i = 0; i < argc && n < sizeof(shown); i++)
		n += (size_t)snprintf(shown + n, sizeof(shown) - n, "%s\"%s\"", i ? ", " : "", argv[i]);
	/* Only stdio and the preserve-fds ones survive the exec (fds.c says why). */
	fds_mark_for_exec(c);
	if (supervise_outlive_launcher(c) < 0)
		return -1;
	if (c->preserve_fds > 0) {
		/* LISTEN_FDS convention: LISTEN_PID names the process the fds are for,
		 * which only exists now (after a reaper's fork, for one). */
		char pid[24];
		snprintf(pid, sizeof(pid), "%d", (int)getpid()); /* an int always fits */
		if (setenv("LISTEN_PID", pid, 1) < 0)
			return fail(c, errno, "exec: setenv LISTEN_PID");
		tracef(c, "setenv(\"LISTEN_PID\", \"%s\")   /* preserve-fds %d: fds 3..%d stay open */", pid,
		       c->preserve_fds, 2 + c->preserve_fds);
	}
	tracef(c, "execvp(\"%s\", [%s]) ...", argv[0], shown);
	c->sys->execvp(argv[0], argv); /* returns only on failure */
	/* Like a shell: 127 "command not found", 126 "found but cannot run". */
	int err = errno;
	c->fail.status = err == ENOENT ? 127 : 126;
	if (err == EPERM && has_file_caps(argv[0]))
		return fail(c, err, "exec %s (it has file capabilities: security.capability)", argv[0]);
	return fail(c, err, "exec %s", argv[0]);
}

/* ---- the reaper ---------------------------------------------------------------- */

/*
 * Many programs are not written to be PID 1: they never wait() for orphans
 * (zombies pile up) and they get no default signal actions (PID 1 ignores a
 * SIGTERM it has no handler for). The reaper stays behind as PID 1, forwards
 * signals to the real command, reaps everything, and exits with the
 * command's status (128+N if it was killed: PID 1 cannot kill itself).
 */
int step_reaper(struct ctx *c, char **argv, int argc)
{
	(void)argv, (void)argc;
	/* supervisor-exits: the reaper is the init that outlives the launcher (its
	 * command dies with it instead: the PDEATHSIG below). */
	if (supervise_outlive_launcher(c) < 0)
		return -1;
	pid_t pid = (pid_t)traced(c, fork(), "fork()   /* reaper: this process stays as init */");
	if (pid < 0)
		return fail(c, errno, "reaper: fork");
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL); /* not inherited across fork */
		return 0;                         /* go on to exec */
	}
	/* Our copy of the error pipe must go, or the launcher would never see EOF.
	 * The command keeps its own copy to report an exec failure. */
	close(c->err_w);
	close(c->msgfd);
	/* PID 1 of the container lives as long as it: it keeps nothing from the
	 * caller (nor a preserved fd: that is the command's). */
	fds_close_from(3, -1);
	prctl(PR_SET_CHILD_SUBREAPER, 1); /* orphans come to us even without a pid ns */
	/* We are a fork of the launcher: inside, `ps` and /proc/1/cmdline would show the
	 * launcher's host path and arguments. Show a name instead (comm and cmdline). */
	prctl(PR_SET_NAME, "haco-init");
	if (c->arg_area && c->arg_len > sizeof("haco-init")) {
		memset(c->arg_area, 0, c->arg_len);
		memcpy(c->arg_area, "haco-init", sizeof("haco-init"));
	}
	sigset_t all;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	forward_signals(c, pid, 1);
	sigprocmask(SIG_SETMASK, &c->oldmask, NULL);
	for (;;) {
		int st;
		pid_t w = wait(&st);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			_exit(125);
		if (w == pid)
			_exit(exit_status_of(st));
	}
}

/* ---- exit statuses ---------------------------------------------------------- */

int exit_status_of(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return 125;
}

int wait_exit_status(pid_t pid)
{
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return 125;
	return exit_status_of(st);
}
