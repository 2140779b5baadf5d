/*
 * spec_test.c: unit test of the spec reader (no root, no namespaces).
 * Built with the sanitizers by `make -C native unit`.
 */
#include "haco.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static int decode(const char *in, char *out, size_t sz)
{
	snprintf(out, sz, "%s", in);
	return percent_decode(out);
}

/* spec_parse takes over a malloc'd buffer with one spare byte. */
static int parse(const char *text, struct spec *sp, char *err, size_t errlen)
{
	size_t len = strlen(text);
	char *buf = malloc(len + 1);
	memcpy(buf, text, len);
	int rc = spec_parse(buf, len, sp, err, errlen);
	return rc;
}

int main(void)
{
	char b[256], err[256];

	/* percent decoding */
	CHECK(decode("plain", b, sizeof(b)) == 0 && !strcmp(b, "plain"), "plain: %s", b);
	CHECK(decode("a%20b", b, sizeof(b)) == 0 && !strcmp(b, "a b"), "space: %s", b);
	CHECK(decode("%25%0A%09%0D%7F", b, sizeof(b)) == 0 && !strcmp(b, "%\n\t\r\x7f"), "controls");
	CHECK(decode("%-", b, sizeof(b)) == 0 && b[0] == '\0', "empty string");
	CHECK(decode("%c3%A9", b, sizeof(b)) == 0 && !strcmp(b, "\xc3\xa9"), "lower-case hex");
	CHECK(decode("caf\xc3\xa9", b, sizeof(b)) == 0 && !strcmp(b, "caf\xc3\xa9"), "utf-8 passes");
	CHECK(decode("-", b, sizeof(b)) == 0 && !strcmp(b, "-"), "lone dash stays");
	CHECK(decode("%", b, sizeof(b)) < 0, "truncated %%");
	CHECK(decode("%4", b, sizeof(b)) < 0, "truncated %%4");
	CHECK(decode("%G0", b, sizeof(b)) < 0, "bad hex");
	CHECK(decode("%00", b, sizeof(b)) < 0, "NUL refused");
	CHECK(decode("a%-", b, sizeof(b)) < 0, "%%- only as a whole field");

	/* a good spec */
	struct spec sp;
	const char *good = "# leading comment\n"
	                   "\n"
	                   "haco-launch 1\n"
	                   "name my%20box\n"
	                   "# comment in the middle\n"
	                   "spawn mount,uts\n"
	                   "release\n"
	                   "env EMPTY %-\n"
	                   "exec /bin/sh -c echo%20a%0Ab"; /* no final newline */
	int rc = parse(good, &sp, err, sizeof(err));
	CHECK(rc == 0, "good spec: %s", err);
	if (rc == 0) {
		CHECK(sp.n == 5, "5 steps, got %zu", sp.n);
		CHECK(!strcmp(sp.steps[0].name, "name") && sp.steps[0].argc == 1 &&
		          !strcmp(sp.steps[0].argv[0], "my box"), "name decoded");
		CHECK(sp.steps[0].line == 4, "line numbers count comments: %d", sp.steps[0].line);
		CHECK(sp.steps[2].argc == 0 && sp.steps[2].argv[0] == NULL, "release has no fields");
		CHECK(sp.steps[3].argc == 2 && sp.steps[3].argv[1][0] == '\0', "empty value");
		CHECK(sp.steps[4].argc == 3 && !strcmp(sp.steps[4].argv[2], "echo a\nb") &&
		          sp.steps[4].argv[3] == NULL, "exec argv");
	}
	spec_free(&sp);

	/* bad specs */
	CHECK(parse("haco-launch 2\nexec x\n", &sp, err, sizeof(err)) < 0 && strstr(err, "version"),
	      "version 2 refused: %s", err);
	spec_free(&sp);
	CHECK(parse("", &sp, err, sizeof(err)) < 0, "empty refused");
	spec_free(&sp);
	CHECK(parse("exec /bin/sh\n", &sp, err, sizeof(err)) < 0, "missing version refused");
	spec_free(&sp);
	CHECK(parse("haco-launch 1\nenv A  b\n", &sp, err, sizeof(err)) < 0 && strstr(err, "line 2"),
	      "double space refused: %s", err);
	spec_free(&sp);
	CHECK(parse("haco-launch 1\nenv A b \n", &sp, err, sizeof(err)) < 0, "trailing space refused");
	spec_free(&sp);
	CHECK(parse("haco-launch 1\nenv A %ZZ\n", &sp, err, sizeof(err)) < 0 && strstr(err, "field 3"),
	      "bad escape: %s", err);
	spec_free(&sp);

	/* Deferred lines (hint, seccomp, seccomp-rule): scanned by spec_parse, decoded by step_args. */
	rc = parse("haco-launch 1\nhint mount EPERM needs%20CAP_SYS_ADMIN%25\nseccomp errno:1\n"
	           "seccomp-rule errno:1 %72eboot %- optional\nenv A%20B c\n", &sp, err, sizeof(err));
	CHECK(rc == 0, "deferred spec: %s", err);
	if (rc == 0) {
		struct step *h = &sp.steps[0], *r = &sp.steps[2];
		CHECK(!strcmp(h->name, "hint") && h->argc == 3 && h->argv == NULL &&
		          !strcmp(h->raw, "mount EPERM needs%20CAP_SYS_ADMIN%25"), "hint deferred, raw kept");
		CHECK(r->argc == 4 && r->argv == NULL && sp.steps[1].argv == NULL && sp.steps[1].argc == 1, "seccomp lines deferred");
		CHECK(sp.steps[3].raw == NULL && !strcmp(sp.steps[3].argv[0], "A B"), "env decoded at once");
		char **a = step_args(h);
		CHECK(a && !strcmp(a[0], "mount") && !strcmp(a[2], "needs CAP_SYS_ADMIN%") && a[3] == NULL,
		      "hint decoded on use");
		CHECK(step_args(h) == a && !strcmp(h->raw, "mount EPERM needs%20CAP_SYS_ADMIN%25"),
		      "decoded once, raw text unchanged");
		a = step_args(r);
		CHECK(a && !strcmp(a[1], "reboot") && a[2][0] == '\0' && !strcmp(a[3], "optional") && a[4] == NULL,
		      "seccomp-rule decoded on use");
	}
	spec_free(&sp);
	/* The scan refuses exactly what decoding would, with the same message, before any use. */
	const char *fields[] = { "%ZZ", "%", "%4", "a%00b", "a%-", "%-", "-", "%c3%A9", "x%20y", "%2", "%-x" };
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		char eager[256], later[256], text[128], e1[256] = "", e2[256] = "";
		struct spec a, l;
		snprintf(text, sizeof(text), "haco-launch 1\nenv A %s\n", fields[i]);
		int r1 = parse(text, &a, e1, sizeof(e1));
		snprintf(text, sizeof(text), "haco-launch 1\nhint A %s\n", fields[i]);
		int r2 = parse(text, &l, e2, sizeof(e2));
		int ok = decode(fields[i], b, sizeof(b)) == 0;
		CHECK(r1 == r2 && (r1 == 0) == ok && !strcmp(e1, e2), "\"%s\": env %d (%s), hint %d (%s)", fields[i], r1, e1, r2, e2);
		if (r1 == 0 && r2 == 0) {
			snprintf(eager, sizeof(eager), "%s", a.steps[0].argv[1]);
			char **v = step_args(&l.steps[0]);
			snprintf(later, sizeof(later), "%s", v ? v[1] : "(null)");
			CHECK(!strcmp(eager, later) && !strcmp(eager, b), "\"%s\" decoded alike: %s, %s", fields[i], eager, later);
		}
		spec_free(&a);
		spec_free(&l);
	}
	CHECK(parse("haco-launch 1\nhint mount EPERM bad%ZZ\n", &sp, err, sizeof(err)) < 0 &&
	          !strcmp(err, "line 2: bad percent-encoding in field 4"), "bad escape in a hint: %s", err);
	spec_free(&sp);
	CHECK(parse("haco-launch 1\nseccomp-rule errno:1  reboot\n", &sp, err, sizeof(err)) < 0 &&
	          strstr(err, "line 2: empty field 3"), "empty field in a seccomp-rule: %s", err);
	spec_free(&sp);
	CHECK(parse("haco-launch 1\nseccomp-rule errno:1 reboot -%\n", &sp, err, sizeof(err)) < 0 &&
	          strstr(err, "line 2: bad percent-encoding in field 4"), "escape cut at the end of a line: %s", err);
	spec_free(&sp);
	char many[1200] = "haco-launch 1\nhint";
	for (int i = 0; i < 256; i++)
		strcat(many, " x");
	CHECK(parse(many, &sp, err, sizeof(err)) < 0 && strstr(err, "more than 256 fields"), "257 fields: %s", err);
	spec_free(&sp);

	/* comma lists */
	char **v;
	int n = split_list("mount,uts,pid", &v);
	CHECK(n == 3 && !strcmp(v[0], "mount") && !strcmp(v[2], "pid") && v[3] == NULL, "list of 3");
	free(v);
	n = split_list("-", &v);
	CHECK(n == 0 && v[0] == NULL, "- is none");
	free(v);
	n = split_list("one", &v);
	CHECK(n == 1 && !strcmp(v[0], "one"), "list of 1");
	free(v);
	n = split_list("a,,b", &v);
	CHECK(n == 3 && v[1][0] == '\0', "empty element kept (the caller rejects it)");
	free(v);

	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
