/*
 * front_warm.c: a warm `haco start [--trace] [-d] FILE [-- CMD...]` without Node (issue 19.1).
 *
 * After a start through Node (as root, through this front) Node keeps the launch it handed over in
 * CACHE/warm/KEY (src/start/warm-spec.ts), KEY a hash of the working directory and the arguments, with
 * one line per fact it was computed from: the command line, the terminals, the euid, environment
 * variables, haco's build, the definition's files (SHA-256), what the definition and the start read
 * (src/observe/host-reads.ts). Here each line is checked against the host as it is now; if all hold,
 * the front execs the launcher on the kept spec, as front_main does with Node's handoff. It decides
 * nothing: an unknown line, a file it cannot trust, any difference, and it returns -1 and Node runs (and
 * writes the file again). Reads only, before any fork; it calls the kernel directly as front.c does
 * (the front runs before a launch context, and so before the c->sys seam, exists).
 */
#include "haco.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define WARM_FORMAT "haco-warm 1"
#define MAX_WARM_FILE (4u << 20)

void warm_key(const char *cwd, char **args, int nargs, char out[17])
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (int i = -1; i < nargs; i++) {
		const unsigned char *p = (const unsigned char *)(i < 0 ? cwd : args[i]);
		do {
			h ^= *p;
			h *= 0x100000001b3ull;
		} while (*p++);
	}
	snprintf(out, 17, "%016llx", (unsigned long long)h);
}

/* SHA-256 of a file's content; "-" when it cannot be read (as readFileSync throwing). */
static void hash_file(const char *path, char out[65])
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		strcpy(out, "-");
		return;
	}
	struct sha256 s;
	sha256_init(&s);
	char buf[65536];
	for (;;) {
		ssize_t r = read(fd, buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			close(fd);
			strcpy(out, "-");
			return;
		}
		if (r == 0)
			break;
		sha256_update(&s, buf, (size_t)r);
	}
	close(fd);
	sha256_hex(&s, out);
}

static int by_bytes(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* SHA-256 of a directory's names (no . and ..), byte-sorted, each followed by '\n'; "-" when unlistable. */
static void hash_dir(const char *path, char out[65])
{
	strcpy(out, "-");
	DIR *d = opendir(path);
	if (!d)
		return;
	size_t n = 0, cap = 64;
	char **names = malloc(cap * sizeof(*names));
	struct dirent *e;
	int ok = names != NULL;
	while (ok) {
		errno = 0;
		e = readdir(d);
		if (!e) {
			ok = errno == 0;
			break;
		}
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (n == cap) {
			char **more = realloc(names, (cap *= 2) * sizeof(*names));
			if (!more) {
				ok = 0;
				break;
			}
			names = more;
		}
		names[n] = strdup(e->d_name);
		if (!names[n]) {
			ok = 0;
			break;
		}
		n++;
	}
	closedir(d);
	if (ok) {
		qsort(names, n, sizeof(*names), by_bytes);
		struct sha256 s;
		sha256_init(&s);
		for (size_t i = 0; i < n; i++) {
			sha256_update(&s, names[i], strlen(names[i]));
			sha256_update(&s, "\n", 1);
		}
		sha256_hex(&s, out);
	}
	for (size_t i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
}

/* The stat fields a caller can look at (mode octal:uid:gid:size:mtime ns:rdev); "-" when it fails. */
static void describe_stat(const char *path, int follow, char *out, size_t len)
{
	struct stat st;
	if ((follow ? stat(path, &st) : lstat(path, &st)) < 0) {
		snprintf(out, len, "-");
		return;
	}
	snprintf(out, len, "%o:%u:%u:%lld:%lld:%llu", (unsigned)st.st_mode, (unsigned)st.st_uid, (unsigned)st.st_gid,
	         (long long)st.st_size, (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec,
	         (unsigned long long)st.st_rdev);
}

/* haco's own files: dev:ino:size:mtime ns:ctime ns (a rebuild or an install always moves the ctime). */
static void describe_ident(const char *path, char *out, size_t len)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		snprintf(out, len, "-");
		return;
	}
	snprintf(out, len, "%llu:%llu:%lld:%lld:%lld", (unsigned long long)st.st_dev, (unsigned long long)st.st_ino,
	         (long long)st.st_size, (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec,
	         (long long)st.st_ctim.tv_sec * 1000000000LL + st.st_ctim.tv_nsec);
}

/* VALUE (as written: "-" = absent, else percent-encoded) names exactly NOW (NULL = absent). */
static int same_word(char *value, const char *now)
{
	if (strcmp(value, "-") == 0)
		return now == NULL;
	return now != NULL && percent_decode(value) == 0 && strcmp(value, now) == 0;
}

/* Split LINE on single spaces into at most MAX words (in place); the count, -1 when there are more. */
static int split(char *line, char **w, int max)
{
	int n = 0;
	for (char *p = line; *p;) {
		if (n == max)
			return -1;
		w[n++] = p;
		char *sp = strchr(p, ' ');
		if (!sp)
			break;
		*sp = '\0';
		p = sp + 1;
	}
	return n;
}

/* One fact line: does it still hold? */
static int holds(char **w, int n, const char *cwd)
{
	if (n != 3)
		return 0;
	const char *kind = w[0];
	char *path = w[1], *value = w[2];
	if (strcmp(kind, "env") == 0) {
		if (strcmp(path, "@cwd") == 0)
			return same_word(value, cwd);
		if (percent_decode(path) < 0)
			return 0;
		return same_word(value, getenv(path));
	}
	if (percent_decode(path) < 0 || path[0] != '/')
		return 0;
	char got[PATH_MAX + 160];
	if (strcmp(kind, "read") == 0) {
		hash_file(path, got);
		return strcmp(got, value) == 0;
	}
	if (strcmp(kind, "readdir") == 0) {
		hash_dir(path, got);
		return strcmp(got, value) == 0;
	}
	if (strcmp(kind, "exists") == 0)
		return strcmp(value, access(path, F_OK) == 0 ? "1" : "0") == 0;
	if (strcmp(kind, "stat") == 0 || strcmp(kind, "lstat") == 0) {
		describe_stat(path, kind[0] == 's', got, sizeof(got));
		return strcmp(got, value) == 0;
	}
	if (strcmp(kind, "ident") == 0) {
		describe_ident(path, got, sizeof(got));
		return strcmp(got, value) == 0;
	}
	if (strcmp(kind, "access") == 0) {
		char *end;
		long mode = strtol(value, &end, 10);
		if (end == value || *end != ':' || mode < 0 || mode > 7)
			return 0;
		snprintf(got, sizeof(got), "%ld:%d", mode, access(path, (int)mode) == 0);
		return strcmp(got, value) == 0;
	}
	if (strcmp(kind, "readlink") == 0) {
		ssize_t l = readlink(path, got, sizeof(got) - 1);
		if (l >= 0)
			got[l] = '\0';
		return same_word(value, l >= 0 ? got : NULL);
	}
	if (strcmp(kind, "realpath") == 0) {
		char *real = realpath(path, NULL);
		int same = same_word(value, real);
		free(real);
		return same;
	}
	return 0; /* a kind this front does not know: Node decides */
}

int warm_check(char *body, size_t len, const char *cwd, char **args, int nargs, char **launch, int max_launch, char **spec)
{
	char *end = body + len, *line = body;
	int lineno = 0, seen_argv = 0, seen_cwd = 0, nlaunch = -1;
	while (line < end) {
		char *nl = memchr(line, '\n', (size_t)(end - line));
		if (!nl)
			return -1;
		*nl = '\0';
		lineno++;
		if (lineno == 1) {
			if (strcmp(line, WARM_FORMAT) != 0)
				return -1;
		} else if (strcmp(line, "spec") == 0) {
			if (!seen_argv || !seen_cwd || nlaunch < 1)
				return -1;
			*spec = nl + 1;
			return 0;
		} else if (strncmp(line, "argv ", 5) == 0) {
			char *w[256];
			int n = split(line + 5, w, 256);
			if (n != nargs)
				return -1;
			for (int i = 0; i < n; i++)
				if (percent_decode(w[i]) < 0 || strcmp(w[i], args[i]) != 0)
					return -1;
			seen_argv = 1;
		} else if (strncmp(line, "cwd ", 4) == 0) {
			if (!same_word(line + 4, cwd))
				return -1;
			seen_cwd = 1;
		} else if (strncmp(line, "tty ", 4) == 0) {
			char want[8];
			snprintf(want, sizeof(want), "%d %d %d", isatty(0), isatty(1), isatty(2));
			if (strcmp(line + 4, want) != 0)
				return -1;
		} else if (strncmp(line, "euid ", 5) == 0) {
			char want[24];
			snprintf(want, sizeof(want), "%u", (unsigned)geteuid());
			if (strcmp(line + 5, want) != 0)
				return -1;
		} else if (strncmp(line, "launch ", 7) == 0) {
			nlaunch = split(line + 7, launch, max_launch - 1);
			if (nlaunch < 1)
				return -1;
			for (int i = 0; i < nlaunch; i++)
				if (percent_decode(launch[i]) < 0)
					return -1;
			launch[nlaunch] = NULL;
		} else {
			char *w[4];
			int n = split(line, w, 4);
			if (n < 0 || !holds(w, n, cwd))
				return -1;
		}
		line = nl + 1;
	}
	return -1; /* no spec */
}

/* CACHE (HACO_CACHE_DIR, else root's /var/cache/haco) and CACHE/warm: directories of ours, writable by nobody else. */
static int trusted_dir(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid() && (st.st_mode & 022) == 0;
}

/* The file whole, only if it is a regular file of ours that nobody else may read or write (not a symlink). */
static char *read_private(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return NULL;
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077) || st.st_size <= 0 ||
	    (size_t)st.st_size > MAX_WARM_FILE) {
		close(fd);
		return NULL;
	}
	return front_read_fd(fd, MAX_WARM_FILE, len);
}

int front_warm(int argc, char **argv)
{
	/* argv: node CLI start|run ARGS... */
	if (argc < 4 || (strcmp(argv[2], "start") != 0 && strcmp(argv[2], "run") != 0))
		return -1;
	if (geteuid() != 0 || getenv("HACO_NO_FAST_START"))
		return -1;
	const char *env_root = getenv("HACO_CACHE_DIR");
	const char *root = env_root && *env_root ? env_root : "/var/cache/haco";
	char dir[PATH_MAX], file[PATH_MAX], cwd[PATH_MAX];
	if (snprintf(dir, sizeof(dir), "%s/warm", root) >= (int)sizeof(dir) || !getcwd(cwd, sizeof(cwd)))
		return -1;
	if (!trusted_dir(root) || !trusted_dir(dir))
		return -1;
	char key[17];
	warm_key(cwd, argv + 2, argc - 2, key);
	if (snprintf(file, sizeof(file), "%s/%s", dir, key) >= (int)sizeof(file))
		return -1;
	size_t len;
	char *data = read_private(file, &len);
	if (!data)
		return -1;
	/* The file's own SHA-256 first (src/cache-file.ts): a torn or edited file is not used. */
	struct sha256 s;
	char hex[65], *launch[64], *spec;
	if (len <= 65 || data[64] != '\n') {
		free(data);
		return -1;
	}
	sha256_init(&s);
	sha256_update(&s, data + 65, len - 65);
	sha256_hex(&s, hex);
	if (memcmp(hex, data, 64) != 0 || warm_check(data + 65, len - 65, cwd, argv + 2, argc - 2, launch, 62, &spec) < 0) {
		free(data);
		return -1;
	}
	/* The record is keyed by the directory and the arguments only: another haco (a second checkout, a
	 * new build elsewhere) run with the same ones must not be answered with this one's launcher. Its
	 * launcher is this front's own program, or Node decides (and keeps a record of its own). */
	struct stat self, kept;
	if (stat("/proc/self/exe", &self) < 0 || stat(launch[0], &kept) < 0 || self.st_dev != kept.st_dev || self.st_ino != kept.st_ino) {
		free(data);
		return -1;
	}
	/* As front_main after Node's handoff: the spec in a memory file above fds 3..8, then the launcher. */
	int fd = front_spec_fd(spec, len - (size_t)(spec - data));
	if (fd < 0) {
		fprintf(stderr, "haco-launch: --front: the spec's memory file: %s (%s)\n", errno_name(errno), strerror(errno));
		return 125;
	}
	int n = 0; /* at most 61 words (warm_check's bound): room for two more and the NULL */
	while (launch[n])
		n++;
	char num[16];
	snprintf(num, sizeof(num), "%d", fd);
	launch[n++] = "--spec-fd";
	launch[n++] = num;
	launch[n] = NULL;
	execv(launch[0], launch);
	fprintf(stderr, "haco-launch: --front: exec %s: %s (%s)\n", launch[0], errno_name(errno), strerror(errno));
	return errno == ENOENT ? 127 : 126;
}
