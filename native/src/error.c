/*
 * error.c: messages. Every system call a step makes is checked; a failure is
 * recorded as (step, what it was doing, errno) and printed once, by the parent:
 *
 *     haco-launch: mount proc on /proc: EPERM (Operation not permitted)
 *     hint: ...
 *
 * The errno *name* is printed because that is what man pages list under
 * ERRORS, so a learner can look it up. --trace output goes through here too.
 * Everything is written to msgfd, the launcher's own copy of stderr, so the
 * `stdio` steps can redirect the container's stderr without losing messages.
 *
 * Messages and traces are cut when they do not fit (plain snprintf): they are
 * only shown. Whatever is handed to the kernel (a path, a value) is formatted
 * with strfmt(), which fails on truncation: a cut path would name another file.
 */
#include "haco.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *errno_name(int err)
{
	const char *n = strerrorname_np(err); /* glibc >= 2.32 */
	return n ? n : "E?";
}

int fail(struct ctx *c, int err, const char *fmt, ...)
{
	struct failure *f = &c->fail;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->msg, sizeof(f->msg), fmt, ap);
	va_end(ap);
	f->err = err;
	if (f->status == 0)
		f->status = 125; /* the launch failed; step_exec sets 126/127 itself */
	snprintf(f->step, sizeof(f->step), "%s", c->cur ? c->cur->name : "");
	return -1;
}

/* One write(2) per line, so lines from the parent and the child do not mix. */
static void emit(struct ctx *c, const char *prefix, const char *fmt, va_list ap, const char *suffix)
{
	char line[4096];
	int n = snprintf(line, sizeof(line), "%s", prefix);
	n += vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	if (n >= (int)sizeof(line) - 64)
		n = (int)sizeof(line) - 64;
	n += snprintf(line + n, sizeof(line) - (size_t)n, "%s\n", suffix);
	ssize_t w = write(c->msgfd, line, (size_t)n);
	(void)w; /* nowhere left to report a failing stderr */
}

long traced(struct ctx *c, long rc, const char *fmt, ...)
{
	if (!c->trace)
		return rc;
	int saved = errno;
	char res[160];
	if (rc < 0)
		snprintf(res, sizeof(res), " = -1 %s (%s)", errno_name(saved), strerror(saved));
	else
		snprintf(res, sizeof(res), " = %ld", rc);
	va_list ap;
	va_start(ap, fmt);
	emit(c, "[haco] ", fmt, ap, res);
	va_end(ap);
	errno = saved;
	return rc;
}

void tracef(struct ctx *c, const char *fmt, ...)
{
	if (!c->trace)
		return;
	int saved = errno;
	va_list ap;
	va_start(ap, fmt);
	emit(c, "[haco] ", fmt, ap, "");
	va_end(ap);
	errno = saved;
}

void warnf(struct ctx *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit(c, "haco-launch: warning: ", fmt, ap, "");
	va_end(ap);
}

void notef(struct ctx *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit(c, "haco-launch: ", fmt, ap, "");
	va_end(ap);
}

static void say(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct ctx *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit(c, "", fmt, ap, "");
	va_end(ap);
}

void report_failure(struct ctx *c, const struct failure *f)
{
	if (f->err)
		say(c, "haco-launch: %s: %s (%s)", f->msg, errno_name(f->err), strerror(f->err));
	else
		say(c, "haco-launch: %s", f->msg);

	/* `hint STEP ERRNO TEXT`: TS knows what a failure usually means; first match wins. */
	for (size_t i = 0; i < c->spec->n; i++) {
		struct step *s = &c->spec->steps[i];
		if (!name_is(s->name, "hint") || s->argc != 3)
			continue;
		char **a = step_args(s); /* hint lines wait until here to be decoded (spec.c) */
		if (!a || strcmp(a[0], f->step) != 0)
			continue;
		if (strcmp(a[1], "*") != 0 && (f->err == 0 || strcmp(a[1], errno_name(f->err)) != 0))
			continue;
		say(c, "hint: %s", a[2]);
		break;
	}
}

const char *flags_str(char *buf, size_t sz, const struct flagname *t, unsigned long v)
{
	size_t n = 0;
	buf[0] = '\0';
	for (; t->name; t++) {
		if (t->flag && (v & t->flag) == t->flag) {
			n += (size_t)snprintf(buf + n, n < sz ? sz - n : 0, "%s%s", n ? "|" : "", t->name);
			v &= ~t->flag;
		}
	}
	if (v)
		n += (size_t)snprintf(buf + n, n < sz ? sz - n : 0, "%s%#lx", n ? "|" : "", v);
	if (n == 0)
		snprintf(buf, sz, "0");
	return buf;
}

int strfmt(char *buf, size_t size, const char *format, ...)
{
	va_list ap;
	va_start(ap, format);
	int n = vsnprintf(buf, size, format, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size)
		return errno = ENAMETOOLONG, -1;
	return 0;
}

int parse_ulong(const char *s, unsigned long long *out)
{
	if (*s < '0' || *s > '9')
		return -1;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

/* Write a whole buffer to a file in one write(2): the /proc/PID/uid_map and gid_map files
 * accept exactly one write, and a cgroup file takes each write as one value. */
int write_file(struct ctx *c, const char *path, const char *data)
{
	size_t len = strlen(data);
	char shown[512]; /* for the trace: newlines as \n, the last one dropped */
	size_t j = 0;
	for (size_t i = 0; i < len && j + 3 < sizeof(shown); i++) {
		if (data[i] == '\n' && i + 1 == len)
			break;
		if (data[i] == '\n') {
			shown[j++] = '\\';
			shown[j++] = 'n';
		} else
			shown[j++] = data[i];
	}
	shown[j] = '\0';

	int fd = c->sys->open(path, O_WRONLY | O_CLOEXEC, 0);
	if (fd < 0) {
		traced(c, -1, "open(\"%s\", O_WRONLY)", path);
		return -1;
	}
	ssize_t n = c->sys->write(fd, data, len);
	int e = n < 0 ? errno : EIO; /* a short write is a failure too */
	c->sys->close(fd);
	int rc = n == (ssize_t)len ? 0 : -1;
	errno = e;
	traced(c, rc, "write(\"%s\", \"%s\")", path, shown);
	errno = e;
	return rc;
}
