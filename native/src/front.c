/*
 * front.c: `haco-launch --front node CLI ARGS...`, what bin/haco execs.
 *
 * haco's own pid is this process from start to end: it runs node as a child
 * (node decides everything), passes on the signals sent to haco's pid, and
 * when node hands over a launch (on fd 3: the launcher's command line, shell-
 * quoted, then the spec) it execs that launcher in place, so no node and no
 * shell stay next to a running container, and `kill` of haco's pid always
 * reaches whoever does the work (node, then the launcher, then the container).
 */
#include "haco.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile pid_t node_pid;

/*
 * A Ctrl-C from the terminal reaches node itself (same process group): passing
 * it on too would be a second Ctrl-C, which node takes as "stop waiting". Only
 * a signal someone sent to haco's pid (SI_USER, SI_QUEUE) is passed on.
 */
static void pass_on(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if ((sig == SIGINT || sig == SIGQUIT || sig == SIGTSTP) && si && si->si_code == SI_KERNEL)
		return;
	if (node_pid > 0)
		kill(node_pid, sig);
}

/* Split the shell-quoted line node wrote (src/start/handoff.ts shellQuote) into words, in place. */
static int unquote(char *line, char **words, int max)
{
	int n = 0;
	char *in = line, *out = line;
	while (*in) {
		while (*in == ' ')
			in++;
		if (!*in)
			break;
		if (n == max - 1)
			return -1;
		words[n++] = out;
		while (*in && *in != ' ') {
			if (*in == '\'') {
				in++;
				while (*in && *in != '\'')
					*out++ = *in++;
				if (*in != '\'')
					return -1;
				in++;
			} else if (*in == '\\' && in[1]) {
				in++;
				*out++ = *in++;
			} else {
				*out++ = *in++;
			}
		}
		if (*in)
			in++;
		*out++ = '\0';
	}
	words[n] = NULL;
	return n;
}

int front_main(int argc, char **argv)
{
	if (argc < 1) {
		fprintf(stderr, "haco-launch: --front needs a command (node CLI ARGS...)\n");
		return 125;
	}
	/* The plain `attach NAME -- CMD` from its prepared spec, when it still holds (front_attach.c). */
	int fast = front_attach(argc, argv);
	if (fast >= 0)
		return fast;
	/* A warm `start` from its prepared launch, when every fact it came from still holds (front_warm.c). */
	fast = front_warm(argc, argv);
	if (fast >= 0)
		return fast;
	/* `ps [-a] [-q]` from the state files, as Node prints it (front_ps.c). */
	fast = front_ps(argc, argv);
	if (fast >= 0)
		return fast;
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0) {
		fprintf(stderr, "haco-launch: --front: pipe2: %s (%s)\n", errno_name(errno), strerror(errno));
		return 125;
	}
	sigset_t all, old;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "haco-launch: --front: fork: %s (%s)\n", errno_name(errno), strerror(errno));
		return 125;
	}
	if (pid == 0) {
		setpgid(0, 0);
		sigprocmask(SIG_SETMASK, &old, NULL);
		signal(SIGPIPE, SIG_DFL);
		if (dup2(p[1], 3) < 0)
			_exit(125);
		setenv("HACO_HANDOFF_FD", "3", 1);
		execvp(argv[0], argv);
		fprintf(stderr, "haco: cannot run %s: %s (%s); is Node.js installed?\n", argv[0], errno_name(errno), strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	node_pid = pid;
	close(p[1]);
	/*
	 * node gets a process group of its own, and the terminal (when we have it):
	 * a Ctrl-C then reaches node once, from the terminal, and a signal sent to
	 * haco's pid or group reaches it once, from us. In one group with us it
	 * would get a group-wide signal twice, and take the second as "hurry up".
	 */
	setpgid(pid, pid);
	int gave_terminal = isatty(0) && tcgetpgrp(0) == getpgrp() && tcsetpgrp(0, pid) == 0;
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = pass_on;
	sa.sa_flags = SA_RESTART | SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	sigprocmask(SIG_SETMASK, &old, NULL);

	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	for (;;) {
		if (!buf)
			break;
		if (len + 1 >= cap) {
			char *nb = realloc(buf, cap *= 2);
			if (!nb)
				free(buf);
			buf = nb;
			continue;
		}
		ssize_t n = read(p[0], buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(p[0]);
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return 125;
	node_pid = 0;
	if (gave_terminal) {
		/* Back to our group before the launcher (and its container) takes over; from the
		 * background this would stop us with SIGTTOU, which is blocked for the call. */
		sigset_t ttou, prev;
		sigemptyset(&ttou);
		sigaddset(&ttou, SIGTTOU);
		sigprocmask(SIG_BLOCK, &ttou, &prev);
		if (tcsetpgrp(0, getpgrp()) < 0)
			fprintf(stderr, "haco-launch: --front: taking the terminal back: %s (%s)\n", errno_name(errno), strerror(errno));
		sigprocmask(SIG_SETMASK, &prev, NULL);
	}
	if (!buf) {
		fprintf(stderr, "haco-launch: --front: out of memory\n");
		return 125;
	}
	buf[len] = '\0';
	if (len == 0 || exit_status_of(st) != 0) { /* no launch to hand over: node's answer is haco's */
		free(buf);
		return exit_status_of(st);
	}

	char *nl = strchr(buf, '\n');
	if (!nl) {
		fprintf(stderr, "haco-launch: --front: the handoff has no spec\n");
		return 125;
	}
	*nl = '\0';
	char *words[64];
	int n = unquote(buf, words, 60);
	if (n < 1) {
		fprintf(stderr, "haco-launch: --front: cannot read the launcher's command line\n");
		return 125;
	}
	/* The spec in a memory file: no size limit (a pipe's buffer could fill before exec). */
	const char *spec = nl + 1;
	int fd = front_spec_fd(spec, len - (size_t)(spec - buf));
	if (fd < 0) {
		fprintf(stderr, "haco-launch: --front: the spec's memory file: %s (%s)\n", errno_name(errno), strerror(errno));
		return 125;
	}
	char num[16];
	snprintf(num, sizeof(num), "%d", fd); /* an int always fits */
	words[n++] = "--spec-fd";
	words[n++] = num;
	words[n] = NULL;
	/* The launcher sets its own handlers; give it the defaults exec would keep otherwise. */
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], SIG_DFL);
	execv(words[0], words);
	fprintf(stderr, "haco-launch: --front: exec %s: %s (%s)\n", words[0], errno_name(errno), strerror(errno));
	return errno == ENOENT ? 127 : 126;
}
