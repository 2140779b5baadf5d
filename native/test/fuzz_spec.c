/*
 * fuzz_spec.c: libFuzzer harness for the spec reader (spec.c) and the checks
 * the launcher makes before its first system call (validate() and
 * read_metadata() in main.c): the part of the launcher that reads text it did
 * not write. Any input must give either a checked spec or an error message:
 * no crash, no out-of-bounds access, no undefined behaviour, no leak. `make -C native fuzz` runs it for FUZZ_SECONDS
 * from the seeds in test/fuzz-corpus (real specs from `haco plan --launch`).
 */
/* main.c's checks are static: take the file whole (main() itself is in entry.c). */
#include "main.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* As read_spec() hands it over: a malloc'd copy with one spare byte. */
	char *buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	struct spec sp;
	char err[512];
	if (spec_parse(buf, size, &sp, err, sizeof(err)) == 0) {
		/* Every field of a parsed spec is a C string the steps may split as a list. */
		for (size_t i = 0; i < sp.n; i++) {
			struct step *s = &sp.steps[i];
			/* A deferred line was only scanned: decoding it later must not fail. */
			char **argv = step_args(s);
			if (!s->name || !argv || argv[s->argc] != NULL)
				abort();
			for (int a = 0; a < s->argc; a++) {
				char **v;
				int n = split_list(argv[a], &v);
				if (n >= 0) {
					for (int k = 0; k < n; k++)
						if (!v[k])
							abort();
					free(v);
				}
			}
		}
		/* What main() does next: check steps, fields and phases, read the metadata. */
		static struct ctx c;
		memset(&c, 0, sizeof(c));
		c.spec = &sp;
		c.msgfd = -1;
		size_t spawn, release, exec;
		if (host_only(&sp)) {
			if (validate_host_only(&c) < 0 && c.fail.msg[0] == '\0')
				abort();
		} else if (validate(&c, &spawn, &release, &exec) == 0) {
			if (spawn >= release || release >= exec || exec >= sp.n)
				abort(); /* validate() promised the three markers, in order */
			if (read_metadata(&c) < 0 && c.fail.msg[0] == '\0')
				abort();
		} else if (c.fail.msg[0] == '\0') {
			abort();
		}
	} else if (!memchr(err, '\0', sizeof(err)) || err[0] == '\0') {
		abort(); /* an error always comes with a message */
	}
	spec_free(&sp);
	return 0;
}
