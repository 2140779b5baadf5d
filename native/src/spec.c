/*
 * spec.c: reading the launch spec.
 *
 * The format is deliberately dumb (docs/launch-spec.md): one step per line,
 * fields separated by one space, every field percent-encoded. That is all the
 * parsing a launcher written in C should have to do: no JSON, no quoting rules.
 * Fields are decoded in place in one buffer (steps point into it).
 *
 * Most lines of a real spec are only needed when something goes wrong or a
 * cache misses: the `hint` lines (a step failed) and the seccomp profile's
 * hundreds of `seccomp-rule` lines (the prepared filter is missing). Those are
 * "deferred": checked here with one byte scan, so a malformed spec is still
 * refused before any step runs, but split and decoded only by step_args(),
 * on first use, into a copy: their text stays as read. The scan finds exactly
 * the errors decoding would.
 */
#include "haco.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	if (ch >= 'a' && ch <= 'f') /* TS writes upper case; accepting lower costs nothing */
		return ch - 'a' + 10;
	return -1;
}

int percent_decode(char *field)
{
	/* "%-" alone is the empty string. Anywhere else it is an error. */
	if (strcmp(field, "%-") == 0) {
		field[0] = '\0';
		return 0;
	}
	char *in = field, *out = field;
	while (*in) {
		if (*in != '%') {
			*out++ = *in++;
			continue;
		}
		int hi = in[1] ? hexval(in[1]) : -1;
		int lo = hi >= 0 && in[2] ? hexval(in[2]) : -1;
		/* %00 would cut the C string short: no path or argument can hold a NUL. */
		if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
			return -1;
		*out++ = (char)(hi << 4 | lo);
		in += 3;
	}
	*out = '\0';
	return 0;
}

/* Split one line into fields on single spaces; returns the count or -1. */
static int split_fields(char *line, char **fields, int max)
{
	int n = 0;
	char *p = line;
	for (;;) {
		if (n == max)
			return -1;
		fields[n++] = p;
		char *sp = strchr(p, ' ');
		if (!sp)
			return n;
		*sp = '\0';
		p = sp + 1;
	}
}

#define MAX_FIELDS 256

/* The bytes the scan stops at: the end of a field or line, an escape. */
static const unsigned char STOP[256] = { ['\0'] = 1, ['\n'] = 1, [' '] = 1, ['%'] = 1 };

/*
 * One pass over a line without changing it: its field count, or -1 with the
 * message splitting and decoding would give, in the same order (too many
 * fields first, then the first field that is empty or badly encoded).
 * *end: the '\n' or NUL that ends the line; *escaped: whether any field has a
 * %-escape (without one, decoding changes nothing).
 */
static int scan_line(char *line, int lineno, char **end, int *escaped, char *err, size_t errlen)
{
	int nf = 1, bad = 0, empty = 0;
	const char *field = line;
	char *p = line;
	*escaped = 0;
	for (;; p++) {
		while (!STOP[(unsigned char)*p])
			p++;
		if (*p == '%') {
			*escaped = 1;
			if (bad)
				continue; /* only counting now */
			if (p == field && p[1] == '-' && (STOP[(unsigned char)p[2]] && p[2] != '%')) {
				p++; /* "%-": the whole field is the empty string */
				continue;
			}
			int hi = hexval(p[1]); /* -1 for the end of the line: p[2] is only read after a digit */
			int lo = hi >= 0 ? hexval(p[2]) : -1;
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				bad = nf;
			else
				p += 2;
			continue;
		}
		if (!bad && p == field) /* a field ends: ' ', '\n' or the NUL */
			bad = nf, empty = 1;
		if (*p != ' ')
			break;
		if (++nf > MAX_FIELDS) {
			snprintf(err, errlen, "line %d: more than %d fields", lineno, MAX_FIELDS);
			return -1;
		}
		field = p + 1;
	}
	*end = p;
	if (bad && empty) {
		snprintf(err, errlen, "line %d: empty field %d (two spaces, or a trailing "
		         "space?); an empty string is written %%-", lineno, bad);
		return -1;
	}
	if (bad) {
		snprintf(err, errlen, "line %d: bad percent-encoding in field %d", lineno, bad);
		return -1;
	}
	return nf;
}

/* The steps whose fields wait for step_args(). `seccomp` is one line, but with its
 * rules it is the key of the prepared filter (seccomp.c), built from the text as read. */
static int deferred(const char *name)
{
	return name_is(name, "hint") || name_is(name, "seccomp-rule") || name_is(name, "seccomp");
}

int spec_parse(char *buf, size_t len, struct spec *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	out->buf = buf;
	if (memchr(buf, '\0', len)) {
		snprintf(err, errlen, "the spec contains a NUL byte");
		return -1;
	}
	buf[len] = '\0'; /* the reader leaves one spare byte */

	size_t cap = 64;
	out->steps = calloc(cap, sizeof(*out->steps));
	if (!out->steps)
		goto nomem;

	int lineno = 0, seen_version = 0;
	char *line = buf;
	while (line && *line) {
		lineno++;
		if (line[0] == '\n' || line[0] == '#') { /* comments are for learners */
			char *nl = strchr(line, '\n');
			line = nl ? nl + 1 : NULL;
			continue;
		}

		char *end;
		int escaped;
		int nf = scan_line(line, lineno, &end, &escaped, err, errlen);
		if (nf < 0)
			return -1;
		char *next = *end ? end + 1 : NULL;
		*end = '\0';
		/* The name is decoded first: it says whether the rest waits. */
		char *rest = nf > 1 ? strchr(line, ' ') : NULL;
		if (rest)
			*rest++ = '\0';
		if (escaped)
			percent_decode(line); /* cannot fail: scanned */
		int later = seen_version && deferred(line);

		char *fields[MAX_FIELDS];
		fields[0] = line;
		if (rest && !later) {
			split_fields(rest, fields + 1, MAX_FIELDS - 1); /* nf - 1 fields: scanned */
			for (int i = 1; escaped && i < nf; i++)
				percent_decode(fields[i]);
		}

		if (!seen_version) { /* the first real line: the format version */
			if (nf != 2 || strcmp(fields[0], "haco-launch") != 0 || strcmp(fields[1], "1") != 0) {
				snprintf(err, errlen, "line %d: expected \"haco-launch 1\" (spec format "
				         "version 1) as the first line", lineno);
				return -1;
			}
			seen_version = 1;
			line = next;
			continue;
		}

		if (out->n == cap) {
			cap *= 2;
			struct step *ns = realloc(out->steps, cap * sizeof(*ns));
			if (!ns)
				goto nomem;
			out->steps = ns;
		}
		struct step *st = &out->steps[out->n++];
		st->name = fields[0];
		st->line = lineno;
		st->argc = nf - 1;
		st->argv = NULL;
		st->raw = NULL;
		st->def = -1;
		if (later) {
			st->raw = rest ? rest : line + strlen(line); /* "" when there are no fields */
		} else {
			st->argv = calloc((size_t)nf, sizeof(char *)); /* argc + NULL */
			if (!st->argv)
				goto nomem;
			memcpy(st->argv, fields + 1, (size_t)(nf - 1) * sizeof(char *));
		}
		line = next;
	}
	if (!seen_version) {
		snprintf(err, errlen, "empty spec: expected \"haco-launch 1\"");
		return -1;
	}
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
	return -1;
}

char **step_args(struct step *s)
{
	if (s->argv || !s->raw)
		return s->argv;
	/* A decoded copy, pointers and text in one allocation (freed by spec_free): the raw
	 * text stays as read, for the prepared filter's key (seccomp.c). */
	size_t len = strlen(s->raw) + 1;
	char **v = malloc((size_t)(s->argc + 1) * sizeof(char *) + len);
	if (!v)
		return NULL;
	char *copy = (char *)(v + s->argc + 1);
	memcpy(copy, s->raw, len);
	if (s->argc > 0)
		split_fields(copy, v, s->argc); /* argc fields: scanned by spec_parse */
	for (int i = 0; i < s->argc; i++) {
		if (percent_decode(v[i]) < 0) { /* scanned: cannot happen */
			free(v);
			errno = EINVAL;
			return NULL;
		}
	}
	v[s->argc] = NULL;
	return s->argv = v;
}

void spec_free(struct spec *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->steps[i].argv);
	free(s->steps);
	free(s->buf);
	memset(s, 0, sizeof(*s));
}

int split_list(const char *field, char ***out)
{
	/* One allocation holds the pointer array and a copy of the text, so the
	 * caller frees once and the spec itself is never modified. */
	int n = 0;
	int none = strcmp(field, "-") == 0 || field[0] == '\0';
	if (!none) {
		n = 1;
		for (const char *p = field; *p; p++)
			n += *p == ',';
	}
	size_t len = strlen(field) + 1;
	char **v = malloc((size_t)(n + 1) * sizeof(char *) + len);
	if (!v)
		return -1;
	char *copy = (char *)(v + n + 1);
	memcpy(copy, field, len);
	for (int i = 0; i < n; i++) {
		v[i] = copy;
		char *comma = strchr(copy, ',');
		if (comma) {
			*comma = '\0';
			copy = comma + 1;
		}
	}
	v[n] = NULL;
	*out = v;
	return n;
}
