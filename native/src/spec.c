/*
 * spec.c: reading the launch spec.
 *
 * The format is deliberately dumb (docs/launch-spec.md): one step per line,
 * fields separated by one space, every field percent-encoded. That is all the
 * parsing a launcher written in C should have to do: no JSON, no quoting rules.
 * Everything is decoded in place in one buffer, so there is one free().
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
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		lineno++;
		char *next = nl ? nl + 1 : NULL;
		if (line[0] == '\0' || line[0] == '#') { /* comments are for learners */
			line = next;
			continue;
		}

		char *fields[MAX_FIELDS];
		int nf = split_fields(line, fields, MAX_FIELDS);
		if (nf < 0) {
			snprintf(err, errlen, "line %d: more than %d fields", lineno, MAX_FIELDS);
			return -1;
		}
		for (int i = 0; i < nf; i++) {
			if (fields[i][0] == '\0') {
				snprintf(err, errlen, "line %d: empty field %d (two spaces, or a trailing "
				         "space?); an empty string is written %%-", lineno, i + 1);
				return -1;
			}
			if (percent_decode(fields[i]) < 0) {
				snprintf(err, errlen, "line %d: bad percent-encoding in field %d", lineno,
				         i + 1);
				return -1;
			}
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
		st->argv = calloc((size_t)nf, sizeof(char *)); /* argc + NULL */
		if (!st->argv)
			goto nomem;
		memcpy(st->argv, fields + 1, (size_t)(nf - 1) * sizeof(char *));
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
