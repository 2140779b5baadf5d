/*
 * log.c: one log per container (the `log PATH MAXBYTES` step), in the CRI
 * line format kubelet uses:
 *
 *     2026-11-29T20:45:01.123456789Z stdout F hello
 *     2026-11-29T20:45:01.200000000Z stderr F oops
 *     2026-11-29T20:45:02.000000000Z haco F exited status=137 oom_kill=1
 *
 * The container's fds 1 and 2 are pipes the supervisor reads; each line gets
 * the time it was read and its stream. A line longer than the buffer is cut
 * into pieces tagged P (partial), the last one F. The supervisor's own events
 * (start, exit, signal, OOM kill, restart) go in as stream `haco`. Past
 * MAXBYTES the file is renamed to PATH.1 (replacing an older one) and a new
 * one is started.
 */
#include "haco.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LINE_MAX_BYTES 16384

static int logfd = -1;
static unsigned long long logsize;
static char pending[2][LINE_MAX_BYTES];
static size_t pending_len[2];

static int wake_w = -1;
static volatile sig_atomic_t chld;

static void on_chld(int sig)
{
	(void)sig;
	int saved = errno;
	chld = 1;
	if (wake_w >= 0) {
		ssize_t w = write(wake_w, "x", 1);
		(void)w;
	}
	errno = saved;
}

static int log_open(struct ctx *c)
{
	if (logfd >= 0)
		return 0;
	logfd = (int)traced(c, open(c->log_path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600), "open(\"%s\", O_WRONLY|O_CREAT|O_APPEND)", c->log_path);
	if (logfd < 0)
		return fail(c, errno, "log: open %s", c->log_path);
	struct stat st;
	logsize = fstat(logfd, &st) == 0 ? (unsigned long long)st.st_size : 0;
	return 0;
}

static void rotate(struct ctx *c)
{
	char old[4200];
	if (strfmt(old, sizeof(old), "%s.1", c->log_path) < 0) {
		warnf(c, "log: %s.1: %s", c->log_path, errno_name(errno));
		return;
	}
	if (rename(c->log_path, old) < 0) {
		warnf(c, "log: rename %s: %s", c->log_path, errno_name(errno));
		return;
	}
	close(logfd);
	logfd = -1;
	if (log_open(c) < 0) {
		report_failure(c, &c->fail);
		memset(&c->fail, 0, sizeof(c->fail));
	}
}

/* One record: timestamp, stream, P|F, text, newline; a single write(2) so lines never mix. */
static void put(struct ctx *c, const char *stream, char tag, const char *text, size_t len)
{
	if (logfd < 0)
		return;
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	char head[96];
	int h = snprintf(head, sizeof(head), "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ %s %c ", tm.tm_year + 1900,
	                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec, stream, tag);
	if (h < 0 || (size_t)h >= sizeof(head)) /* a year past 9999: no record rather than a cut one */
		return;
	char rec[sizeof(head) + LINE_MAX_BYTES + 1];
	memcpy(rec, head, (size_t)h);
	memcpy(rec + h, text, len);
	rec[(size_t)h + len] = '\n';
	size_t n = (size_t)h + len + 1;
	ssize_t w;
	do
		w = write(logfd, rec, n);
	while (w < 0 && errno == EINTR);
	if (w > 0)
		logsize += (unsigned long long)w;
	if (c->log_max && logsize >= c->log_max)
		rotate(c);
}

void log_event(struct ctx *c, const char *fmt, ...)
{
	if (!c->log_path)
		return;
	if (log_open(c) < 0) {
		report_failure(c, &c->fail);
		memset(&c->fail, 0, sizeof(c->fail));
		return;
	}
	char text[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	put(c, "haco", 'F', text, (size_t)n < sizeof(text) ? (size_t)n : sizeof(text) - 1);
}

static void put(struct ctx *c, const char *stream, char tag, const char *text, size_t len);
static const char *const STREAM_NAMES[2] = { "stdout", "stderr" };

static void flush_partial_one(struct ctx *c, int i)
{
	if (pending_len[i]) {
		put(c, STREAM_NAMES[i], 'P', pending[i], pending_len[i]);
		pending_len[i] = 0;
	}
}

/* Split what arrived on stream i into lines; keep an unfinished one for later. */
static void consume(struct ctx *c, int i, const char *buf, size_t len)
{
	static const char *const names[2] = { "stdout", "stderr" };
	for (size_t k = 0; k < len; k++) {
		if (buf[k] == '\n') {
			put(c, names[i], 'F', pending[i], pending_len[i]);
			pending_len[i] = 0;
			continue;
		}
		if (pending_len[i] == LINE_MAX_BYTES) {
			put(c, names[i], 'P', pending[i], pending_len[i]);
			pending_len[i] = 0;
		}
		pending[i][pending_len[i]++] = buf[k];
	}
}

/* Output that is not from a pipe (a detached container's pty): into the log as stdout lines. len 0: flush. */
void log_output(struct ctx *c, int stream, const char *buf, size_t len)
{
	if (!c->log_path || log_open(c) < 0)
		return;
	if (len == 0) {
		flush_partial_one(c, stream);
		return;
	}
	/* A terminal ends lines with \r\n: the \r is not part of the text. */
	char clean[8192];
	size_t k = 0;
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\r' && (i + 1 == len || buf[i + 1] == '\n'))
			continue;
		clean[k++] = buf[i];
		if (k == sizeof(clean)) {
			consume(c, stream, clean, k);
			k = 0;
		}
	}
	consume(c, stream, clean, k);
}

static void flush_partial(struct ctx *c)
{
	static const char *const names[2] = { "stdout", "stderr" };
	for (int i = 0; i < 2; i++)
		if (pending_len[i]) {
			put(c, names[i], 'P', pending[i], pending_len[i]);
			pending_len[i] = 0;
		}
}

/* Before clone: the pipes the container's fds 1 and 2 become. */
int log_pipes(struct ctx *c)
{
	if (!c->log_path)
		return 0;
	if (log_open(c) < 0)
		return -1;
	for (int i = 0; i < 2; i++) {
		int p[2];
		if (traced(c, pipe2(p, O_CLOEXEC), "pipe2(log %s)", i ? "stderr" : "stdout") < 0)
			return fail(c, errno, "log: pipe2");
		c->log_r[i] = p[0];
		c->log_w[i] = p[1];
	}
	return 0;
}

/* In the child, right after clone: fds 1 and 2 are the pipes, unless a `stdio` step said otherwise. */
int log_child(struct ctx *c)
{
	for (int i = 0; i < 2; i++) {
		if (c->log_w[i] < 0)
			continue;
		if (c->host_stdio[i + 1] < 0 && dup2(c->log_w[i], i + 1) < 0)
			return -1;
		close(c->log_w[i]);
		close(c->log_r[i]);
	}
	return 0;
}

void log_close_pipes(struct ctx *c, int read_ends)
{
	for (int i = 0; i < 2; i++) {
		if (c->log_w[i] >= 0)
			close(c->log_w[i]), c->log_w[i] = -1;
		if (read_ends && c->log_r[i] >= 0)
			close(c->log_r[i]), c->log_r[i] = -1;
	}
}

/* Read both pipes into the log until the init exits; returns its status like wait_child. */
int log_relay(struct ctx *c, pid_t child)
{
	int wp[2];
	if (pipe2(wp, O_CLOEXEC | O_NONBLOCK) < 0)
		wp[0] = wp[1] = -1;
	wake_w = wp[1];
	struct sigaction sa, old;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_chld;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, &old);
	chld = 1;
	int status = -1;
	char buf[8192];
	for (;;) {
		if (chld) {
			chld = 0;
			int st;
			if (waitpid(child, &st, WNOHANG) == child) {
				status = exit_status_of(st);
				break;
			}
		}
		struct pollfd p[3] = {
			{ .fd = wp[0], .events = POLLIN },
			{ .fd = c->log_r[0], .events = POLLIN },
			{ .fd = c->log_r[1], .events = POLLIN },
		};
		int n = poll(p, 3, wp[0] < 0 ? 200 : -1);
		if (n < 0 && errno != EINTR)
			break;
		if (n <= 0) {
			chld = 1;
			continue;
		}
		if (p[0].revents & POLLIN)
			while (read(wp[0], buf, sizeof(buf)) > 0)
				;
		/* Lowest fd first: within one wake-up, stdout is read before stderr. */
		for (int i = 0; i < 2; i++) {
			if (!(p[i + 1].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			ssize_t r = read(c->log_r[i], buf, sizeof(buf));
			if (r > 0)
				consume(c, i, buf, (size_t)r);
			else if (r == 0 || (errno != EINTR && errno != EAGAIN))
				close(c->log_r[i]), c->log_r[i] = -1;
		}
	}
	/* What the init wrote last; a leftover process (no pid namespace) may hold the pipes: do not wait for it. */
	for (int i = 0; i < 2; i++) {
		if (c->log_r[i] < 0)
			continue;
		int fl = fcntl(c->log_r[i], F_GETFL);
		if (fl >= 0)
			fcntl(c->log_r[i], F_SETFL, fl | O_NONBLOCK);
		ssize_t r;
		while ((r = read(c->log_r[i], buf, sizeof(buf))) > 0)
			consume(c, i, buf, (size_t)r);
		close(c->log_r[i]);
		c->log_r[i] = -1;
	}
	flush_partial(c);
	sigaction(SIGCHLD, &old, NULL);
	wake_w = -1;
	if (wp[0] >= 0)
		close(wp[0]), close(wp[1]);
	if (status < 0)
		status = wait_exit_status(child);
	return status;
}
