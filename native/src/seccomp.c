/*
 * seccomp.c: a system call filter (man 2 seccomp), built with libseccomp so
 * that syscall names and argument comparisons need no hand-written BPF.
 *
 * `seccomp` starts a filter, each `seccomp-rule` adds a rule, `seccomp-load`
 * installs it. Loading is the last step before exec: from then on every
 * system call of this process, the launcher's own included, is filtered.
 *
 * A rule with the trailing field `optional` (the default profile's) is skipped
 * when this libseccomp does not know the name or cannot add it on this
 * architecture: TypeScript cannot know which library version runs here.
 *
 * libseccomp would set no_new_privs by itself when loading; we turn that off
 * (SCMP_FLTATR_CTL_NNP) so that only the `no-new-privs` step decides it.
 * Without no_new_privs the kernel requires CAP_SYS_ADMIN to load a filter.
 */
#include "haco.h"

#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static int parse_action(const char *s, uint32_t *out)
{
	unsigned long long n;
	if (!strcmp(s, "allow")) *out = SCMP_ACT_ALLOW;
	else if (!strcmp(s, "kill_thread")) *out = SCMP_ACT_KILL_THREAD;
	else if (!strcmp(s, "kill_process")) *out = SCMP_ACT_KILL_PROCESS;
	else if (!strcmp(s, "trap")) *out = SCMP_ACT_TRAP;
	else if (!strcmp(s, "log")) *out = SCMP_ACT_LOG;
	else if (!strncmp(s, "errno:", 6) && parse_ulong(s + 6, &n) == 0 && n <= 4095)
		*out = SCMP_ACT_ERRNO((uint32_t)n);
	else
		return -1;
	return 0;
}

int step_seccomp(struct ctx *c, char **argv, int argc)
{
	(void)argc;
	uint32_t act;
	if (c->seccomp_bpf) { /* built (or read) by seccomp-prepared; its rules are in it */
		tracef(c, "seccomp %s: the prepared filter (%zu BPF instructions), its rules not added again", argv[0], c->seccomp_bpf_len / 8);
		return 0;
	}
	if (parse_action(argv[0], &act) < 0)
		return fail(c, 0, "seccomp: unknown action \"%s\" (allow kill_thread kill_process trap log errno:N)",
		            argv[0]);
	if (c->seccomp)
		seccomp_release(c->seccomp);
	c->seccomp = seccomp_init(act);
	tracef(c, "seccomp_init(%s) = %s", argv[0], c->seccomp ? "ctx" : "NULL");
	if (!c->seccomp)
		return fail(c, ENOMEM, "seccomp %s", argv[0]);
	c->seccomp_default = act;
	int rc = seccomp_attr_set(c->seccomp, SCMP_FLTATR_CTL_NNP, 0);
	if (rc < 0)
		return fail(c, -rc, "seccomp: seccomp_attr_set(SCMP_FLTATR_CTL_NNP, 0)");
	/* The syscall numbers as a binary tree, not a list (same verdicts): loading makes the kernel walk a
	 * filter once per syscall number (its cache of always-allowed ones); ~0.5 ms of CPU in the child for
	 * haco's default profile as a list, ~0.2 as a tree. docs/performance.md */
	/* Only the layout, not a verdict: where the library refuses it, the filter stays a list. */
	if ((rc = seccomp_attr_set(c->seccomp, SCMP_FLTATR_CTL_OPTIMIZE, 2)) < 0)
		tracef(c, "seccomp_attr_set(SCMP_FLTATR_CTL_OPTIMIZE, 2) = %s: the filter is built as a list", errno_name(-rc));
	return 0;
}

static const struct { const char *name; enum scmp_compare op; } OPS[] = {
	{ "eq", SCMP_CMP_EQ }, { "ne", SCMP_CMP_NE }, { "lt", SCMP_CMP_LT }, { "le", SCMP_CMP_LE },
	{ "gt", SCMP_CMP_GT }, { "ge", SCMP_CMP_GE }, { "masked_eq", SCMP_CMP_MASKED_EQ },
};

/* "INDEX:OP:VALUE[:VALUE2]" -> struct scmp_arg_cmp */
static int parse_arg(const char *s, struct scmp_arg_cmp *a)
{
	char buf[128], *part[5];
	int n = 0;
	if (snprintf(buf, sizeof(buf), "%s", s) >= (int)sizeof(buf))
		return -1;
	for (char *p = buf; n < 5;) {
		part[n++] = p;
		char *colon = strchr(p, ':');
		if (!colon)
			break;
		*colon = '\0';
		p = colon + 1;
	}
	unsigned long long idx, v1, v2 = 0;
	if (n < 3 || n > 4 || parse_ulong(part[0], &idx) < 0 || idx > 5 || parse_ulong(part[2], &v1) < 0 ||
	    (n == 4 && parse_ulong(part[3], &v2) < 0))
		return -1;
	for (size_t i = 0; i < sizeof(OPS) / sizeof(OPS[0]); i++) {
		if (strcmp(OPS[i].name, part[1]) == 0) {
			/* masked_eq: datum_a is the mask, datum_b the value compared after masking */
			*a = (struct scmp_arg_cmp){ (unsigned)idx, OPS[i].op, v1, v2 };
			return 0;
		}
	}
	return -1;
}

int step_seccomp_rule(struct ctx *c, char **argv, int argc)
{
	uint32_t act;
	if (c->seccomp_bpf)
		return 0; /* in the prepared filter */
	if (!c->seccomp)
		return fail(c, 0, "seccomp-rule before seccomp");
	if (parse_action(argv[0], &act) < 0)
		return fail(c, 0, "seccomp-rule: unknown action \"%s\"", argv[0]);
	int optional = 0;
	if (argc == 4) {
		if (strcmp(argv[3], "optional") != 0)
			return fail(c, 0, "seccomp-rule: unknown flag \"%s\" (only \"optional\")", argv[3]);
		optional = 1;
	}
	int nr = seccomp_syscall_resolve_name(argv[1]);
	if (nr == __NR_SCMP_ERROR) {
		if (optional) {
			tracef(c, "seccomp-rule %s: unknown to this libseccomp, optional: skipped", argv[1]);
			return 0;
		}
		return fail(c, 0, "seccomp-rule: unknown system call \"%s\" on this architecture", argv[1]);
	}
	if (act == c->seccomp_default) { /* libseccomp refuses it; it would change nothing */
		tracef(c, "seccomp_rule_add(%s, %s): same as the default action, skipped", argv[0], argv[1]);
		return 0;
	}
	char **v;
	int n = split_list(argv[2], &v);
	if (n < 0)
		return fail(c, errno, "seccomp-rule %s", argv[1]);
	struct scmp_arg_cmp args[6];
	if (n > 6) {
		free(v);
		return fail(c, 0, "seccomp-rule %s: at most 6 argument comparisons", argv[1]);
	}
	for (int i = 0; i < n; i++) {
		if (parse_arg(v[i], &args[i]) < 0) {
			fail(c, 0, "seccomp-rule %s: bad argument comparison \"%s\" (INDEX:OP:VALUE[:VALUE2])",
			     argv[1], v[i]);
			free(v);
			return -1;
		}
	}
	free(v);
	int rc = seccomp_rule_add_array(c->seccomp, act, nr, (unsigned)n, args);
	errno = -rc;
	traced(c, rc < 0 ? -1 : 0, "seccomp_rule_add(%s, %s, %d args: %s)", argv[0], argv[1], n, argv[2]);
	if (rc < 0 && optional) {
		tracef(c, "seccomp-rule %s: not addable here (%s), optional: skipped", argv[1], strerror(-rc));
		return 0;
	}
	if (rc < 0)
		return fail(c, -rc, "seccomp-rule %s %s %s", argv[0], argv[1], argv[2]);
	return 0;
}

int step_seccomp_load(struct ctx *c, char **argv, int argc)
{
	(void)argv, (void)argc;
	if (c->seccomp_bpf) {
		fds_mark_for_exec(c);
		if (supervise_outlive_launcher(c) < 0)
			return -1;
		if (traced(c, c->sys->seccomp_filter(c->seccomp_bpf, c->seccomp_bpf_len),
			   "seccomp(SECCOMP_SET_MODE_FILTER, 0, {%zu insns})   /* the prepared filter */", c->seccomp_bpf_len / 8) < 0)
			return fail(c, errno, "seccomp-load");
		return 0;
	}
	if (!c->seccomp)
		return fail(c, 0, "seccomp-load before seccomp");
	/* Before the filter, which might refuse (or kill on) close_range, fcntl or
	 * openat: step_exec does not do it again once a filter is loaded, and every
	 * fd the launcher opens after this point is O_CLOEXEC. */
	fds_mark_for_exec(c);
	if (supervise_outlive_launcher(c) < 0) /* prctl: before a filter that might refuse it */
		return -1;
	int rc = c->sys->seccomp_load(c->seccomp);
	errno = -rc;
	traced(c, rc < 0 ? -1 : 0, "seccomp_load()   /* seccomp(SECCOMP_SET_MODE_FILTER, ...) */");
	if (rc < 0)
		return fail(c, -rc, "seccomp-load");
	seccomp_release(c->seccomp);
	c->seccomp = NULL;
	return 0;
}

/*
 * seccomp-prepared FILE: libseccomp's build of a large filter (the default profile's 358 rules) costs
 * ~4 ms, more than the rest of an attach. The BPF it produces depends only on the rules, the library
 * (version, API level) and the architecture: those are the key kept in FILE with the instructions.
 * FILE is read and written directly, like the state files (state.c): haco's own file in its own
 * private dir (the state dir for attach, the cache dir for start), not a step acting on the container.
 * Trusted only as a regular file of the launcher's user, mode 0600, not a symlink, in a directory of
 * that user that nobody else can write: anyone else who could write it would choose the filter.
 */
/* 2: the key holds the seccomp lines as written in the spec (still encoded); 3: the BPF is built as a
 * binary tree (SCMP_FLTATR_CTL_OPTIMIZE 2). A file of another format never matches: it is rebuilt and
 * replaced, like any other miss. */
#define PREPARED_MAGIC "haco-seccomp-bpf 3"
#define PREPARED_MAX (1u << 20)

/*
 * The key: the library line, then every `seccomp` and `seccomp-rule` line as read (name, a space,
 * the still-encoded fields, a newline). The encoded text determines the decoded one, and holds no
 * newline, so equal keys mean equal rules; the lines are copied, never decoded, on every launch
 * (spec.c defers them). Returns the number of `seccomp` lines, or -1 (ENOMEM).
 */
static int filter_key(struct ctx *c, char **key, size_t *klen)
{
	const struct scmp_version *v = seccomp_version();
	size_t cap = 16384, len;
	char *k = malloc(cap);
	if (!k)
		return -1;
	len = (size_t)snprintf(k, cap, "libseccomp %u.%u.%u api %u arch %u\n", v ? v->major : 0, v ? v->minor : 0,
			       v ? v->micro : 0, seccomp_api_get(), seccomp_arch_native());
	int filters = 0;
	for (size_t i = 0; i < c->spec->n; i++) {
		const struct step *s = &c->spec->steps[i];
		if (!s->raw) /* not deferred: no seccomp line */
			continue;
		int rule = name_is(s->name, "seccomp-rule"); /* hundreds of these, one `seccomp` */
		if (!rule && !name_is(s->name, "seccomp"))
			continue;
		filters += !rule;
		size_t n = strlen(s->name), r = strlen(s->raw);
		if (len + n + r + 2 > cap) {
			char *more = realloc(k, cap = 2 * cap + n + r + 2);
			if (!more) {
				free(k);
				return -1;
			}
			k = more;
		}
		memcpy(k + len, s->name, n), len += n;
		k[len++] = ' ';
		memcpy(k + len, s->raw, r), len += r;
		k[len++] = '\n';
	}
	*key = k, *klen = len;
	return filters;
}

/*
 * FILE's directory, opened, when nobody but the launcher's user can put a file there: a real directory
 * (not a symlink) of the launcher's user, writable by nobody else (mode & 022 == 0). FILE is then opened
 * and replaced through this fd only, so a directory swapped in meanwhile is never used. -1 otherwise.
 */
static int trusted_dir(struct ctx *c, const char *file, const char **base)
{
	char dir[4096];
	const char *slash = strrchr(file, '/');
	if (!slash || slash[1] == '\0' || (size_t)(slash - file) >= sizeof(dir)) {
		tracef(c, "seccomp-prepared: %s is not an absolute file path: the filter is built, not kept", file);
		return -1;
	}
	if (slash == file)
		strcpy(dir, "/");
	else
		memcpy(dir, file, (size_t)(slash - file)), dir[slash - file] = '\0';
	*base = slash + 1;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid() && !(st.st_mode & 022))
		return fd;
	tracef(c, "seccomp-prepared: %s is %s: the filter is built, not read or kept there", dir,
	       fd < 0 ? errno_name(errno) : "not a directory of this user only it can write");
	if (fd >= 0)
		close(fd);
	return -1;
}

/* DIRFD/BASE's instructions when it is ours, private, and holds exactly KEY; else NULL. */
static unsigned char *read_prepared(int dirfd, const char *base, const char *key, size_t klen, size_t *blen)
{
	int fd = openat(dirfd, base, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct stat st;
	char *buf = NULL;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() && !(st.st_mode & 077) &&
	    st.st_size > 0 && (size_t)st.st_size <= PREPARED_MAX && (buf = malloc((size_t)st.st_size + 1))) {
		size_t n = 0;
		while (n < (size_t)st.st_size) {
			ssize_t r = read(fd, buf + n, (size_t)st.st_size - n);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			n += (size_t)r;
		}
		buf[n] = '\0';
		size_t want_k, want_b;
		int hdr = 0;
		char *nl = n == (size_t)st.st_size ? memchr(buf, '\n', n) : NULL;
		if (nl && sscanf(buf, PREPARED_MAGIC " %zu %zu%n", &want_k, &want_b, &hdr) == 2 && buf + hdr == nl) {
			size_t off = (size_t)(nl + 1 - buf);
			if (want_k == klen && want_b > 0 && want_b % 8 == 0 && off + want_k + want_b == n &&
			    memcmp(buf + off, key, klen) == 0) {
				unsigned char *bpf = malloc(want_b);
				if (bpf) {
					memcpy(bpf, buf + off + klen, want_b);
					*blen = want_b;
				}
				free(buf);
				close(fd);
				return bpf;
			}
		}
	}
	free(buf);
	close(fd);
	return NULL;
}

static void write_prepared(struct ctx *c, int dirfd, const char *file, const char *base, const char *key, size_t klen,
			   const unsigned char *bpf, size_t blen)
{
	char tmp[4096], hdr[128];
	if (snprintf(tmp, sizeof(tmp), "%s.%d.tmp", base, (int)getpid()) >= (int)sizeof(tmp))
		return;
	int h = snprintf(hdr, sizeof(hdr), PREPARED_MAGIC " %zu %zu\n", klen, blen);
	unlinkat(dirfd, tmp, 0);
	int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	int ok = fd >= 0;
	const void *parts[3] = { hdr, key, bpf };
	size_t lens[3] = { (size_t)h, klen, blen };
	for (int i = 0; ok && i < 3; i++) {
		const char *p = parts[i];
		size_t left = lens[i];
		while (ok && left > 0) {
			ssize_t w = write(fd, p, left);
			if (w < 0 && errno == EINTR)
				continue;
			ok = w > 0;
			if (ok)
				p += w, left -= (size_t)w;
		}
	}
	int e = errno;
	if (fd >= 0 && close(fd) < 0 && ok)
		ok = 0, e = errno;
	if (ok && renameat(dirfd, tmp, dirfd, base) < 0)
		ok = 0, e = errno;
	if (!ok) {
		unlinkat(dirfd, tmp, 0);
		tracef(c, "seccomp-prepared: writing %s: %s (only the next run's time is lost)", file, errno_name(e));
		return;
	}
	tracef(c, "write(\"%s\") + rename(..., \"%s\") = 0   /* %zu BPF instructions for the next run */", tmp, file, blen / 8);
}

int step_seccomp_prepared(struct ctx *c, char **argv, int argc)
{
	(void)argc;
	const char *file = argv[0];
	char *key = NULL;
	size_t klen = 0;
	int filters = filter_key(c, &key, &klen);
	if (filters < 0) {
		free(key);
		return fail(c, ENOMEM, "seccomp-prepared");
	}
	if (filters != 1) {
		free(key);
		return fail(c, 0, "seccomp-prepared: the spec has %d seccomp filters (it prepares exactly one)", filters);
	}
	size_t blen = 0;
	const char *base = NULL;
	int dirfd = trusted_dir(c, file, &base);
	unsigned char *bpf = dirfd >= 0 ? read_prepared(dirfd, base, key, klen, &blen) : NULL;
	if (bpf) {
		tracef(c, "read(\"%s\") = %zu BPF instructions   /* prepared for exactly these rules */", file, blen / 8);
		close(dirfd);
		free(key);
		c->seccomp_bpf = bpf, c->seccomp_bpf_len = blen;
		return 0;
	}
	/* Build it as the seccomp steps would, each step's failure reported as that step's. */
	const struct step *self = c->cur;
	for (size_t i = 0; i < c->spec->n; i++) {
		struct step *s = &c->spec->steps[i];
		int rc = 0;
		c->cur = s;
		int rule = name_is(s->name, "seccomp-rule");
		if (!rule && !name_is(s->name, "seccomp"))
			continue;
		char **argv = step_args(s); /* decoded only now, on a miss (spec.c) */
		if (!argv)
			rc = fail(c, ENOMEM, "line %d: %s", s->line, s->name);
		else
			rc = rule ? step_seccomp_rule(c, argv, s->argc) : step_seccomp(c, argv, s->argc);
		if (rc < 0) {
			if (dirfd >= 0)
				close(dirfd);
			free(key);
			return -1;
		}
	}
	c->cur = self;
	int fd = memfd_create("haco-seccomp", MFD_CLOEXEC);
	int rc = fd < 0 ? -errno : seccomp_export_bpf(c->seccomp, fd);
	off_t size = rc == 0 ? lseek(fd, 0, SEEK_END) : -1;
	if (rc == 0 && (size <= 0 || size % 8 || size > PREPARED_MAX || lseek(fd, 0, SEEK_SET) < 0))
		rc = -EIO;
	if (rc == 0 && !(bpf = malloc((size_t)size)))
		rc = -ENOMEM;
	for (size_t n = 0; rc == 0 && n < (size_t)size;) {
		ssize_t r = read(fd, bpf + n, (size_t)size - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			rc = r < 0 ? -errno : -EIO;
		else
			n += (size_t)r;
	}
	if (fd >= 0)
		close(fd);
	seccomp_release(c->seccomp);
	c->seccomp = NULL;
	errno = -rc;
	traced(c, rc < 0 ? -1 : 0, "seccomp_export_bpf() = %lld bytes   /* built with libseccomp, kept in %s */", (long long)size, file);
	if (rc < 0) {
		if (dirfd >= 0)
			close(dirfd);
		free(bpf);
		free(key);
		return fail(c, -rc, "seccomp-prepared %s", file);
	}
	if (dirfd >= 0) {
		write_prepared(c, dirfd, file, base, key, klen, bpf, (size_t)size);
		close(dirfd);
	}
	free(key);
	c->seccomp_bpf = bpf, c->seccomp_bpf_len = (size_t)size;
	return 0;
}
