/*
 * front_attach.c: `haco attach [--trace] NAME -- CMD...` without Node (issue 19.2).
 *
 * A plain attach through Node leaves STATE/attach.template (src/lifecycle/attach-template.ts): the
 * spec it compiled, with a token in place of the command, and every input that spec came from. Here
 * the front checks that each input is still byte for byte what it was (state, reload and plan files,
 * the init's environ and limits, the namespace links of the init and of this process) and that the
 * init and its supervisor are still the processes that started at the recorded times, puts CMD in
 * place of the token and runs the launcher on the result (in this process when it is this program, else by exec, as front_main does with Node's handoff).
 * It decides nothing: on any doubt it returns -1 and Node runs as always (and writes a fresh template).
 * Read-only /proc and state-file reads, before any fork: front.c calls the kernel directly too (the
 * front runs before a launch context, and so before the c->sys seam, exists).
 */
#include "haco.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define TOKEN "@HACO_ATTACH_COMMAND@"
#define MAX_FILE (16u << 20)

/* The whole file; NULL when absent or unreadable. fd-based so a template can be checked for its owner. */
static char *slurp(const char *path, size_t *len, int nofollow, int check_owner)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0));
	if (fd < 0)
		return NULL;
	struct stat st;
	if (check_owner && (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077))) {
		close(fd);
		return NULL;
	}
	return front_read_fd(fd, MAX_FILE, len);
}

/* Words of one header line (split in place, then percent-decoded); the count, -1 if malformed. */
static int header_words(char *line, char **w, int max)
{
	int n = 0;
	for (char *s = strtok(line, " "); s; s = strtok(NULL, " ")) {
		if (n == max || percent_decode(s) < 0)
			return -1;
		w[n++] = s;
	}
	return n;
}

/* A field as src/runtime/spec-format.ts encodeField writes it: bytes 0x00-0x20, '%', 0x7f as %XX; "" as %-. */
static size_t encode(const char *s, char *out)
{
	char *o = out;
	if (!*s) {
		memcpy(o, "%-", 2);
		return 2;
	}
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c <= 0x20 || c == '%' || c == 0x7f)
			o += sprintf(o, "%%%02X", c);
		else
			*o++ = (char)c;
	}
	return (size_t)(o - out);
}

/* Is the template in BUF still true? Then *spec points at its spec and *launcher at the launcher. */
static int template_holds(char *buf, size_t len, char **spec, char **launcher)
{
	char *p = buf, *end = buf + len;
	char *nl = memchr(p, '\n', (size_t)(end - p));
	if (!nl || (size_t)(nl - p) != strlen("haco-attach-template 1") || memcmp(p, "haco-attach-template 1", (size_t)(nl - p)) != 0)
		return 0;
	p = nl + 1;
	*launcher = NULL;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			return 0;
		*nl = '\0';
		if (strcmp(p, "spec") == 0) {
			*spec = nl + 1;
			return *launcher != NULL;
		}
		char *w[4];
		int n = header_words(p, w, 4);
		p = nl + 1;
		if (n == 2 && strcmp(w[0], "launcher") == 0) {
			*launcher = w[1];
		} else if (n == 3 && strcmp(w[0], "alive") == 0) {
			if (!front_same_process(w[1], w[2]))
				return 0;
		} else if (n == 3 && strcmp(w[0], "link") == 0) {
			char target[256];
			ssize_t t = readlink(w[1], target, sizeof(target) - 1);
			if (t < 0)
				strcpy(target, "-");
			else
				target[t] = '\0';
			if (strcmp(target, w[2]) != 0)
				return 0;
		} else if (n == 3 && strcmp(w[0], "file") == 0) {
			size_t now_len = 0;
			char *now = slurp(w[1], &now_len, 0, 0);
			int absent = strcmp(w[2], "-") == 0;
			if (absent || !now) {
				free(now);
				if (absent != !now)
					return 0;
				continue;
			}
			char *e;
			errno = 0;
			unsigned long long want = strtoull(w[2], &e, 10);
			int same = !errno && !*e && want == now_len && (size_t)(end - p) > want && memcmp(p, now, now_len) == 0 && p[want] == '\n';
			free(now);
			if (!same)
				return 0;
			p += want + 1;
		} else {
			return 0;
		}
	}
	return 0;
}

int front_attach(int argc, char **argv)
{
	/* argv: node CLI attach [--trace] NAME -- CMD... */
	if (argc < 6 || strcmp(argv[2], "attach") != 0)
		return -1;
	int i = 3, trace = 0;
	if (strcmp(argv[i], "--trace") == 0)
		trace = 1, i++;
	const char *name = argv[i++];
	if (i >= argc - 1 || strcmp(argv[i], "--") != 0)
		return -1;
	char **cmd = argv + i + 1;
	int ncmd = argc - i - 1;
	/* A name as isContainerName takes it; anything else is Node's to report. */
	if (!isalnum((unsigned char)name[0]) || strlen(name) > 128)
		return -1;
	for (const char *c = name; *c; c++)
		if (!isalnum((unsigned char)*c) && !strchr("_.-", *c))
			return -1;
	/* Node would give a terminal (stdin is one, no -t/-T given), or pick another launcher or state dir. */
	if (geteuid() != 0 || isatty(0) || getenv("HACO_LAUNCHER") || getenv("HACO_NO_FAST_ATTACH"))
		return -1;
	const char *run = getenv("HACO_RUN_DIR");
	char path[4096];
	if (snprintf(path, sizeof(path), "%s/%s/attach.template", run && *run ? run : "/run/haco", name) >= (int)sizeof(path))
		return -1;
	size_t len = 0;
	char *buf = slurp(path, &len, 1, 1);
	if (!buf)
		return -1;
	char *spec = NULL, *launcher = NULL;
	if (!template_holds(buf, len, &spec, &launcher)) {
		free(buf);
		return -1;
	}
	/* CMD in place of the token: every word after `exec`, the first word anywhere else (the ENOENT hint). */
	size_t need = 0;
	for (int k = 0; k < ncmd; k++)
		need += strlen(cmd[k]) * 3 + 3;
	int fd = memfd_create("haco-spec", 0);
	if (fd < 0) {
		free(buf);
		return -1;
	}
	char *enc = malloc(need + 1);
	int ok = enc != NULL;
	for (char *s = spec; ok && *s;) {
		char *t = strstr(s, TOKEN);
		if (!t) {
			ok = front_write_all(fd, s, strlen(s)) == 0;
			break;
		}
		ok = front_write_all(fd, s, (size_t)(t - s)) == 0;
		size_t n = 0;
		int all = t - spec >= 5 && memcmp(t - 5, "exec ", 5) == 0 && (t - spec == 5 || t[-6] == '\n');
		for (int k = 0; k < (all ? ncmd : 1); k++) {
			if (k)
				enc[n++] = ' ';
			n += encode(cmd[k], enc + n);
		}
		ok = ok && front_write_all(fd, enc, n) == 0;
		s = t + strlen(TOKEN);
	}
	free(enc);
	if (!ok) {
		close(fd);
		free(buf);
		return -1;
	}
	/* Above the caller's fds 3..8, as front_main places Node's spec. */
	fd = front_spec_ready(fd);
	if (fd < 0) {
		free(buf);
		return -1;
	}
	char num[16];
	snprintf(num, sizeof(num), "%d", fd);
	char *words[6];
	int n = 0;
	words[n++] = launcher;
	if (trace)
		words[n++] = "--trace";
	words[n++] = "--spec-fd";
	words[n++] = num;
	words[n] = NULL;
	/*
	 * The launcher named is this very program (the usual case): run it here, one exec (and its dynamic
	 * linking) fewer. Its words in one buffer, as an exec would lay them out: launcher_main may reuse
	 * that area for a process title.
	 */
	char self[4096], real[4096];
	ssize_t sl = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (sl > 0 && realpath(launcher, real)) {
		self[sl] = '\0';
		static char area[sizeof(real) + 64];
		size_t used = 0;
		if (strcmp(self, real) == 0 && strlen(real) + 40 < sizeof(area)) {
			for (int k = 0; k < n; k++) {
				const char *w = k == 0 ? real : words[k];
				size_t l = strlen(w) + 1;
				memcpy(area + used, w, l);
				words[k] = area + used;
				used += l;
			}
			free(buf);
			return launcher_main(n, words, &sys_real);
		}
	}
	execv(words[0], words);
	fprintf(stderr, "haco-launch: --front: exec %s: %s (%s)\n", words[0], errno_name(errno), strerror(errno));
	return errno == ENOENT ? 127 : 126;
}
