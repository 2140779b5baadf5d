/*
 * warm_test.c: the warm start's pieces that need no root (front_warm.c, sha256.c): SHA-256 against
 * FIPS 180-4 test vectors, the file key against src/start/warm-spec.ts warmKey, and the line checker:
 * a body that holds gives the launcher argv and the spec; each kind of difference is refused.
 */
#include "haco.h"
#include "check.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void hex_of(const char *data, size_t n, char out[65])
{
	struct sha256 s;
	sha256_init(&s);
	sha256_update(&s, data, n);
	sha256_hex(&s, out);
}

static void test_sha256(void)
{
	char out[65];
	hex_of("", 0, out);
	CHECK(strcmp(out, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855") == 0, "empty: %s", out);
	hex_of("abc", 3, out);
	CHECK(strcmp(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") == 0, "abc: %s", out);
	const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	hex_of(two, strlen(two), out);
	CHECK(strcmp(out, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1") == 0, "448 bits: %s", out);
	/* A million 'a', fed in uneven pieces (the buffering across updates). */
	static char a[1000000];
	memset(a, 'a', sizeof(a));
	struct sha256 s;
	sha256_init(&s);
	for (size_t off = 0, step = 1; off < sizeof(a); off += step, step = step * 3 % 997 + 1)
		sha256_update(&s, a + off, off + step > sizeof(a) ? sizeof(a) - off : step);
	sha256_hex(&s, out);
	CHECK(strcmp(out, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0") == 0, "million a: %s", out);
}

static void test_key(void)
{
	char *args[] = { "start", "a b", "--", "%-" };
	char key[17];
	warm_key("/tmp/w", args, 4, key);
	/* node: warmKey('/tmp/w', ['start', 'a b', '--', '%-']) */
	CHECK(strcmp(key, "1678c85fa92955c0") == 0, "key %s", key);
}

/* Run warm_check on a copy of BODY; 0 when it holds. */
static int check_body(const char *body, char **args, int nargs, char **launch, char **spec, char **copy)
{
	*copy = strdup(body);
	return warm_check(*copy, strlen(*copy), "/w d", args, nargs, launch, 62, spec);
}

static void test_check(void)
{
	char *args[] = { "start", "f.haco.ts", "--", "a b", "" };
	char *launch[62], *spec, *copy;
	char tty[32], euid[32];
	snprintf(tty, sizeof(tty), "tty %d %d %d\n", isatty(0), isatty(1), isatty(2));
	snprintf(euid, sizeof(euid), "euid %u\n", (unsigned)geteuid());
	setenv("WARM_TEST_SET", "x y", 1);
	unsetenv("WARM_TEST_UNSET");
	char head[512];
	snprintf(head, sizeof(head), "haco-warm 1\ncwd /w%%20d\nargv start f.haco.ts -- a%%20b %%-\n%s%s", tty, euid);
	const char *tail = "launch /l/haco-launch --trace\nspec\nhaco-launch 1\nstep x\n";
	const char *good[] = {
		"env WARM_TEST_SET x%20y\n",
		"env WARM_TEST_UNSET -\n",
		"env @cwd /w%20d\n",
		"exists /proc/self 1\n",
		"exists /nonexistent-warm 0\n",
		"read /nonexistent-warm -\n",
		"readlink /nonexistent-warm -\n",
		"access /nonexistent-warm 0:0\n",
	};
	char body[2048];
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(body, sizeof(body), "%s%s%s", head, good[i], tail);
		int r = check_body(body, args, 5, launch, &spec, &copy);
		CHECK(r == 0, "holds: %s", good[i]);
		if (r == 0) {
			CHECK(strcmp(launch[0], "/l/haco-launch") == 0 && strcmp(launch[1], "--trace") == 0 && launch[2] == NULL, "launch argv");
			CHECK(strcmp(spec, "haco-launch 1\nstep x\n") == 0, "spec text");
		}
		free(copy);
	}
	const char *bad[] = {
		"env WARM_TEST_SET x\n",
		"env WARM_TEST_UNSET %-\n",
		"env WARM_TEST_SET -\n",
		"exists /proc/self 0\n",
		"read /nonexistent-warm 00\n",
		"stat relative -\n",
		"mystery /x 1\n",
		"read /x\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(body, sizeof(body), "%s%s%s", head, bad[i], tail);
		CHECK(check_body(body, args, 5, launch, &spec, &copy) < 0, "refused: %s", bad[i]);
		free(copy);
	}
	/* Another command line, another working directory, no spec line, another format. */
	char *other[] = { "start", "f.haco.ts", "--", "a b", "x" };
	snprintf(body, sizeof(body), "%s%s", head, tail);
	CHECK(check_body(body, other, 5, launch, &spec, &copy) < 0, "other argv");
	free(copy);
	CHECK(check_body(body, args, 4, launch, &spec, &copy) < 0, "fewer args");
	free(copy);
	snprintf(body, sizeof(body), "%s", head);
	CHECK(check_body(body, args, 5, launch, &spec, &copy) < 0, "no spec");
	free(copy);
	snprintf(body, sizeof(body), "haco-warm 2\n%s", tail);
	CHECK(check_body(body, args, 5, launch, &spec, &copy) < 0, "format");
	free(copy);
}

int main(void)
{
	test_sha256();
	test_key();
	test_check();
	printf("warm_test: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
