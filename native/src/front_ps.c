/*
 * front_ps.c: `haco ps [-a] [-q]` without Node (issue 19.4).
 *
 * At 300 containers Node's start-up and bundle load were most of a `haco ps` (4-5x `node -e 0`); the
 * work itself is reading small files. This prints exactly what src/lifecycle/ps.ts prints for the
 * table and -q (same rows, same liveness rules as src/state/read.ts assess, same number formatting as
 * JavaScript's toFixed and Math.round), reading the same files. It decides nothing new: anything it is
 * not sure to render as Node would (--json, another flag, a non-ASCII or malformed state file, a cgroup
 * number that is not plain digits, an ordinary user's run dir) returns -1, and Node answers as before.
 * test/root/ps-native.test.ts compares both outputs. HACO_NO_FAST_PS=1 forces the Node path.
 * Read-only, before any fork: front.c calls the kernel directly too (no launch context, no c->sys yet).
 */
#include "haco.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_KV 64
#define REFUSE (-2) /* not sure: leave it to Node */

/* A small file, NUL-terminated; NULL when it cannot be opened or read (as Node's readFileSync throwing). */
static char *read_small(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	return front_read_fd(fd, 1u << 20, len);
}

/* KEY=VALUE lines as parseState reads them: split at the first '=', the last of a key wins. */
struct kv {
	int n;
	char *key[MAX_KV];
	char *val[MAX_KV];
};

static const char *kv_get(const struct kv *kv, const char *key)
{
	for (int i = kv->n - 1; i >= 0; i--)
		if (strcmp(kv->key[i], key) == 0)
			return kv->val[i];
	return NULL;
}

static int kv_set(struct kv *kv, char *key, char *val)
{
	if (kv->n == MAX_KV)
		return -1;
	kv->key[kv->n] = key;
	kv->val[kv->n++] = val;
	return 0;
}

/* Parses TEXT in place. Refuses (-1) what Node would decode differently: a NUL or a byte >= 0x80. */
static int kv_parse(char *text, size_t len, struct kv *kv)
{
	kv->n = 0;
	for (size_t i = 0; i < len; i++)
		if (text[i] == '\0' || (unsigned char)text[i] >= 0x80)
			return -1;
	for (char *line = text; line && *line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		char *eq = strchr(line, '=');
		if (eq && eq > line) {
			*eq = '\0';
			if (kv_set(kv, line, eq + 1) < 0)
				return -1;
		}
		line = nl ? nl + 1 : NULL;
	}
	return 0;
}

/* Plain decimal digits (an optional '-'), as Number() reads them exactly; "" is 0 as for Number(""). */
static int plain_int(const char *s, long long *out)
{
	const char *p = s;
	if (*p == '-')
		p++;
	size_t d = strspn(p, "0123456789");
	if (p[d] != '\0' || (d == 0 && p != s) || d > 15)
		return -1;
	*out = strtoll(s, NULL, 10);
	return 0;
}

/* `Number(kv[k] ?? 0) || 0`, for the fields the supervisor writes as integers. */
static int kv_num(const struct kv *kv, const char *key, long long *out)
{
	const char *v = kv_get(kv, key);
	*out = 0;
	return v ? plain_int(v, out) : 0;
}

static const char *const KNOWN[] = { "name", "status", "supervisor", "supervisor_start", "pid", "pid_start", "started", "exit_code", "restarts", "reason" };

static int known(const char *key)
{
	for (size_t i = 0; i < sizeof(KNOWN) / sizeof(KNOWN[0]); i++)
		if (strcmp(KNOWN[i], key) == 0)
			return 1;
	return 0;
}

/* isSameProcess (src/state/proc.ts): alive, not a zombie, started at START (field 22 of /proc/PID/stat). */
/* The ids as the state file has them, compared as front_attach compares its template's (front_io.c). */
static int same_process(long long pid, long long start)
{
	char p[24], s[24];
	if (pid <= 0)
		return 0;
	snprintf(p, sizeof(p), "%lld", pid);
	snprintf(s, sizeof(s), "%lld", start);
	return front_same_process(p, s);
}

static const char *const NS_KINDS[] = { "user", "mnt", "uts", "ipc", "pid", "net", "cgroup", "time" };
#define NNS (sizeof(NS_KINDS) / sizeof(NS_KINDS[0]))

static int ns_link(const char *pid, const char *kind, char *out, size_t size)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%s/ns/%s", pid, kind);
	ssize_t n = readlink(path, out, size - 1);
	if (n < 0)
		return -1;
	out[n] = '\0';
	return 0;
}

/* A growing output buffer. */
struct out {
	char *buf;
	size_t len, cap;
	int oom;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->oom)
		return;
	if (o->len + n + 1 > o->cap) {
		size_t cap = o->cap ? o->cap : 4096;
		while (o->len + n + 1 > cap)
			cap *= 2;
		char *nb = realloc(o->buf, cap);
		if (!nb) {
			o->oom = 1;
			return;
		}
		o->buf = nb, o->cap = cap;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

/* A cgroup file holding one number (readNumber in ps.ts): 1 found, 0 absent/unreadable, REFUSE unusual. */
static int read_number(const char *dir, const char *file, double *out)
{
	char path[4096];
	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path))
		return REFUSE;
	char *text = read_small(path, NULL);
	if (!text)
		return 0;
	char *s = text, *e = text + strlen(text);
	while (*s && isspace((unsigned char)*s))
		s++;
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	int r = REFUSE;
	if (strspn(s, "0123456789") == strlen(s) && strlen(s) <= 15) {
		*out = *s ? strtod(s, NULL) : 0;
		r = 1;
	}
	free(text);
	return r;
}

/* inHierarchy: the v1 hierarchy the dir sits in (ROOT/HIERARCHY/haco/NAME…) names CONTROLLER. */
static int in_hierarchy(const char *dir, const char *controller)
{
	/* the last path component equal to "haco", and the one before it */
	const char *at = NULL, *prev = NULL, *seg = dir, *before = NULL;
	while (1) {
		const char *slash = strchr(seg, '/');
		size_t n = slash ? (size_t)(slash - seg) : strlen(seg);
		if (n == 4 && memcmp(seg, "haco", 4) == 0 && prev)
			at = seg, before = prev;
		else if (n == 4 && memcmp(seg, "haco", 4) == 0)
			at = NULL, before = NULL; /* index 0: not > 0 */
		prev = seg;
		if (!slash)
			break;
		seg = slash + 1;
	}
	if (!at || !before)
		return 0;
	size_t blen = (size_t)(at - 1 - before), clen = strlen(controller);
	for (const char *c = before; c < before + blen;) {
		const char *comma = memchr(c, ',', (size_t)(before + blen - c));
		size_t n = comma ? (size_t)(comma - c) : (size_t)(before + blen - c);
		if (n == clen && memcmp(c, controller, n) == 0)
			return 1;
		if (!comma)
			break;
		c = comma + 1;
	}
	return 0;
}

/* cpu.stat's `usage_usec N` line (v2), as /^usage_usec (\d+)$/m finds it. */
static int v2_usage_usec(const char *dir, double *out)
{
	char path[4096];
	if (snprintf(path, sizeof(path), "%s/cpu.stat", dir) >= (int)sizeof(path))
		return REFUSE;
	char *text = read_small(path, NULL);
	if (!text)
		return 0;
	int r = 0;
	for (char *line = text; line && *line && !r;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (strncmp(line, "usage_usec ", 11) == 0) {
			const char *d = line + 11;
			size_t n = strspn(d, "0123456789");
			if (n > 0 && d[n] == '\0') {
				*out = strtod(d, NULL);
				r = 1;
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	free(text);
	return r;
}

struct row {
	char *name;
	const char *status; /* live status */
	long long pid, supervisor, uptime, exit_code, restarts;
	int has_exit, live, has_cpu, has_mem, readiness, ready; /* ready: 1 yes, 0 no, -1 null */
	double cpu, mem;
	const char *reason;
	char ns[80];
};

static const char *signal_name(long long code)
{
	switch (code - 128) {
	case 1: return "SIGHUP";
	case 2: return "SIGINT";
	case 3: return "SIGQUIT";
	case 6: return "SIGABRT";
	case 9: return "SIGKILL";
	case 11: return "SIGSEGV";
	case 13: return "SIGPIPE";
	case 15: return "SIGTERM";
	default: return NULL;
	}
}

/* floor() for the small values here (|x| < 2^62), without linking libm for one function. */
static double floor_of(double x)
{
	double t = (double)(long long)x;
	return t > x ? t - 1 : t;
}

/* JavaScript's x.toFixed(2) for 0 <= x < 1e15: printf's, except an exact tie rounds up, not to even. */
static void fixed2(double x, char *out, size_t size)
{
	double frac = x - floor_of(x);
	/* A tie at the third decimal is exactly representable only as .125, .375, .625 or .875. */
	if (x * 8 == floor_of(x * 8) && (frac == 0.125 || frac == 0.375 || frac == 0.625 || frac == 0.875))
		x += 0.001;
	snprintf(out, size, "%.2f", x);
}

/* bytes() in ps.ts: M with one decimal (toFixed(1), ties up) from 1 MiB, else rounded K. */
static void bytes_text(double n, char *out, size_t size)
{
	unsigned long long b = (unsigned long long)n;
	if (n >= (double)(1 << 20)) {
		unsigned long long tenths = (b * 10 + (1ull << 19)) >> 20;
		snprintf(out, size, "%llu.%lluM", tenths / 10, tenths % 10);
	} else {
		snprintf(out, size, "%lluK", (b + 512) >> 10);
	}
}

static void duration(long long s, char *out, size_t size)
{
	if (s < 60)
		snprintf(out, size, "%llds", s);
	else if (s < 3600)
		snprintf(out, size, "%lldm%llds", s / 60, s % 60);
	else
		snprintf(out, size, "%lldh%lldm", s / 3600, (s % 3600) / 60);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* CONTAINER_NAME_PATTERN (src/plan/names.ts): ^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$ */
static int container_name(const char *s)
{
	size_t n = strlen(s);
	if (n < 1 || n > 63 || !isalnum((unsigned char)s[0]))
		return 0;
	for (const char *c = s; *c; c++)
		if (!(isascii((unsigned char)*c) && (isalnum((unsigned char)*c) || strchr("_.-", *c))))
			return 0;
	return 1;
}

/*
 * Usage without a cpu or memory cgroup (processUsage): the tracking cgroup's processes, utime+stime from
 * /proc/PID/stat and resident pages from statm.
 */
static void process_usage(const char *tracking, double *cpu, double *mem)
{
	char path[4096];
	long long ticks = 0, pages = 0;
	*cpu = 0, *mem = 0;
	if (snprintf(path, sizeof(path), "%s/cgroup.procs", tracking) >= (int)sizeof(path))
		return;
	char *procs = read_small(path, NULL);
	if (!procs)
		return;
	for (char *line = procs; line && *line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (*line && strspn(line, "0123456789") == strlen(line) && strlen(line) < 12) {
			char p[64];
			snprintf(p, sizeof(p), "/proc/%s/stat", line);
			char *stat = read_small(p, NULL);
			if (stat) {
				char *f = strrchr(stat, ')');
				if (f && f[1]) {
					f += 2;
					/* fields 14 and 15 (utime, stime): 11 and 12 spaces on from field 3 */
					for (int i = 3; i < 14 && f; i++) {
						f = strchr(f, ' ');
						if (f)
							f++;
					}
					if (f) {
						char *g = strchr(f, ' ');
						ticks += strtoll(f, NULL, 10) + (g ? strtoll(g + 1, NULL, 10) : 0);
					}
				}
				free(stat);
				snprintf(p, sizeof(p), "/proc/%s/statm", line);
				char *statm = read_small(p, NULL);
				if (statm) {
					char *sp = strchr(statm, ' ');
					if (sp)
						pages += strtoll(sp + 1, NULL, 10);
					free(statm);
				}
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	free(procs);
	*cpu = (double)ticks / 100;
	*mem = (double)pages * (double)sysconf(_SC_PAGESIZE);
}

/* The row of one container dir; 0 none (no state file), 1 a row, REFUSE. TEXTS keeps the files' buffers. */
static int read_row(const char *run, const char *name, const char host_ns[NNS][256], int v2, long long now_ms, int all,
		    struct row *r, char **texts)
{
	char path[4096];
	struct kv st, extra;
	size_t len;
	memset(r, 0, sizeof(*r));
	if (snprintf(path, sizeof(path), "%s/%s/state", run, name) >= (int)sizeof(path))
		return REFUSE;
	char *text = texts[0] = read_small(path, &len);
	if (!text)
		return 0;
	if (kv_parse(text, len, &st) < 0)
		return REFUSE;
	/* `haco reload` writes its plan hash beside the state: its extra keys win (readState). */
	snprintf(path, sizeof(path), "%s/%s/reload", run, name);
	char *reload = texts[1] = read_small(path, &len);
	if (reload) {
		if (kv_parse(reload, len, &extra) < 0)
			return REFUSE;
		for (int i = 0; i < extra.n; i++)
			if (!known(extra.key[i]) && kv_set(&st, extra.key[i], extra.val[i]) < 0)
				return REFUSE;
	}
	long long supervisor, sup_start, pid, pid_start, started, restarts;
	if (kv_num(&st, "supervisor", &supervisor) || kv_num(&st, "supervisor_start", &sup_start) || kv_num(&st, "pid", &pid) ||
	    kv_num(&st, "pid_start", &pid_start) || kv_num(&st, "started", &started) || kv_num(&st, "restarts", &restarts))
		return REFUSE;
	const char *readiness = kv_get(&st, "readiness");
	if (readiness && *readiness) {
		snprintf(path, sizeof(path), "%s/%s/ready", run, name);
		char *ready = texts[2] = read_small(path, &len);
		if (ready) {
			if (kv_parse(ready, len, &extra) < 0)
				return REFUSE;
			long long rpid;
			if (kv_num(&extra, "pid", &rpid))
				return REFUSE;
			const char *v = kv_get(&extra, "ready");
			if (rpid == pid && kv_set(&st, "ready", (char *)(v ? v : "")) < 0)
				return REFUSE;
		}
	}
	/* assess() */
	const char *recorded = kv_get(&st, "status");
	if (!recorded)
		recorded = "unknown";
	const char *status;
	if (strcmp(recorded, "exited") == 0)
		status = "exited";
	else if (!same_process(supervisor, sup_start))
		status = "stale";
	else if (strcmp(recorded, "running") == 0 && !same_process(pid, pid_start))
		status = "restarting";
	else if (strcmp(recorded, "starting") == 0)
		status = "starting";
	else if (strcmp(recorded, "restarting") == 0)
		status = "restarting";
	else
		status = "running";
	if (!all && strcmp(status, "starting") && strcmp(status, "running") && strcmp(status, "restarting"))
		return 0;
	r->status = status;
	r->live = strcmp(status, "running") == 0;
	r->pid = pid, r->supervisor = supervisor, r->restarts = restarts;
	const char *code = kv_get(&st, "exit_code");
	if (code && *code) {
		if (plain_int(code, &r->exit_code))
			return REFUSE;
		r->has_exit = 1;
	}
	r->reason = kv_get(&st, "reason");
	if (!r->reason)
		r->reason = "";
	r->readiness = readiness != NULL;
	const char *ready = kv_get(&st, "ready");
	r->ready = r->live && ready && !strcmp(ready, "yes") ? 1 : r->live && ready && !strcmp(ready, "no") ? 0 : -1;
	if (!r->live)
		return 1;
	/* uptime: Math.max(0, Math.round(now / 1000 - started)) */
	double x = (double)now_ms / 1000 - (double)started;
	double rounded = floor_of(x);
	if (x - rounded >= 0.5)
		rounded += 1;
	r->uptime = rounded < 0 ? 0 : (long long)rounded;
	/* usage(): cpu and memory from the cgroups, else from the tracking cgroup's processes */
	const char *cgroups = kv_get(&st, "cgroups");
	char dirs[4096];
	snprintf(dirs, sizeof(dirs), "%s", cgroups ? cgroups : "");
	for (int pass = 0; pass < 2; pass++) {
		for (char *d = dirs; *d;) {
			char *comma = strchr(d, ',');
			if (comma)
				*comma = '\0';
			if (*d) {
				int got = 0;
				double v = 0;
				if (pass == 0 && !r->has_cpu) {
					if (v2) {
						got = v2_usage_usec(d, &v);
						if (got == 1)
							v /= 1e6;
					} else if (in_hierarchy(d, "cpuacct")) {
						got = read_number(d, "cpuacct.usage", &v);
						if (got == 1)
							v /= 1e9;
					}
					if (got == 1)
						r->cpu = v, r->has_cpu = 1;
				} else if (pass == 1 && !r->has_mem) {
					if (v2)
						got = read_number(d, "memory.current", &v);
					else if (in_hierarchy(d, "memory"))
						got = read_number(d, "memory.usage_in_bytes", &v);
					if (got == 1)
						r->mem = v, r->has_mem = 1;
				}
				if (got == REFUSE)
					return REFUSE;
			}
			if (comma)
				*comma = ',';
			d = comma ? comma + 1 : d + strlen(d);
		}
	}
	const char *tracking = kv_get(&st, "tracking");
	if (!(r->has_cpu && r->has_mem) && tracking && *tracking) {
		double cpu, mem;
		process_usage(tracking, &cpu, &mem);
		if (!r->has_cpu)
			r->cpu = cpu, r->has_cpu = 1;
		if (!r->has_mem)
			r->mem = mem, r->has_mem = 1;
	}
	/* namespaces the init does not share with the host */
	char pidtext[32], link[256];
	snprintf(pidtext, sizeof(pidtext), "%lld", pid);
	size_t used = 0;
	for (size_t k = 0; k < NNS; k++) {
		if (!host_ns[k][0] || ns_link(pidtext, NS_KINDS[k], link, sizeof(link)) < 0 || strcmp(link, host_ns[k]) == 0)
			continue;
		used += (size_t)snprintf(r->ns + used, sizeof(r->ns) - used, "%s%s", used ? "," : "", NS_KINDS[k]);
	}
	return 1;
}

int front_ps(int argc, char **argv)
{
	/* argv: node CLI ps [-a|--all|-q|--quiet|-aq|-qa]... (--json and anything else: Node) */
	if (argc < 3 || strcmp(argv[2], "ps") != 0)
		return -1;
	int all = 0, quiet = 0;
	for (int i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "-a") || !strcmp(argv[i], "--all"))
			all = 1;
		else if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet"))
			quiet = 1;
		else if (!strcmp(argv[i], "-aq") || !strcmp(argv[i], "-qa"))
			all = quiet = 1;
		else
			return -1;
	}
	if (getenv("HACO_NO_FAST_PS"))
		return -1;
	const char *run = getenv("HACO_RUN_DIR");
	if (!run || !*run) {
		if (geteuid() != 0) /* an ordinary user's run dir (XDG_RUNTIME_DIR…) is Node's to find */
			return -1;
		run = "/run/haco";
	}
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	long long now_ms = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	/* The host's namespaces: PID 1's, where unreadable this process's (psContext). */
	char host_ns[NNS][256];
	for (size_t k = 0; k < NNS; k++)
		if (ns_link("1", NS_KINDS[k], host_ns[k], sizeof(host_ns[k])) < 0 && ns_link("self", NS_KINDS[k], host_ns[k], sizeof(host_ns[k])) < 0)
			host_ns[k][0] = '\0';
	int v2 = access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0;

	char **names = NULL;
	size_t nnames = 0, cap = 0;
	DIR *d = opendir(run);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d))) {
			if (!container_name(e->d_name))
				continue;
			if (nnames == cap) {
				char **nn = realloc(names, (cap = cap ? cap * 2 : 64) * sizeof(*names));
				if (!nn)
					break;
				names = nn;
			}
			names[nnames++] = strdup(e->d_name);
		}
		closedir(d);
	}
	if (nnames)
		qsort(names, nnames, sizeof(*names), cmp_names);
	struct row *rows = calloc(nnames ? nnames : 1, sizeof(*rows));
	char **texts = calloc((nnames ? nnames : 1) * 3, sizeof(*texts));
	size_t nrows = 0;
	int result = rows && texts ? 0 : -1;
	for (size_t i = 0; result == 0 && i < nnames; i++) {
		if (!names[i]) {
			result = -1;
			break;
		}
		int got = read_row(run, names[i], (const char (*)[256])host_ns, v2, now_ms, all, &rows[nrows], texts + 3 * i);
		if (got == REFUSE)
			result = -1;
		else if (got == 1)
			rows[nrows++].name = names[i];
	}

	struct out o = { 0 };
	if (result == 0 && quiet) {
		for (size_t i = 0; i < nrows; i++) {
			put(&o, rows[i].name, strlen(rows[i].name));
			put(&o, "\n", 1);
		}
	} else if (result == 0) {
		/* renderPs: 7 columns padded to the widest cell, two spaces apart, the last not padded */
		size_t ncells = (nrows + 1) * 7;
		char **cells = calloc(ncells, sizeof(*cells));
		static const char *const header[] = { "NAME", "STATUS", "PID", "UPTIME", "CPU", "MEM", "NAMESPACES" };
		size_t width[7] = { 0 };
		for (size_t c = 0; cells && c < 7; c++)
			cells[c] = strdup(header[c]);
		for (size_t i = 0; cells && i < nrows; i++) {
			struct row *r = &rows[i];
			char **cell = cells + (i + 1) * 7;
			char status[512], restarts[64] = "", buf[96];
			for (const char *c = r->reason; *c; c++)
				if ((unsigned char)*c >= 0x80)
					result = -1;
			if (r->restarts > 0)
				snprintf(restarts, sizeof(restarts), ", %lld restart%s", r->restarts, r->restarts == 1 ? "" : "s");
			if (strcmp(r->status, "exited") != 0) {
				const char *ready = !strcmp(r->status, "running") && r->readiness ? (r->ready == 1 ? ", ready" : r->ready == 0 ? ", not ready" : ", starting up") : "";
				snprintf(status, sizeof(status), "%s%s%s", r->status, ready, restarts);
			} else {
				char code[32], why[400] = "";
				const char *sig = r->has_exit && r->exit_code > 128 ? signal_name(r->exit_code) : NULL;
				if (r->has_exit)
					snprintf(code, sizeof(code), "%lld", r->exit_code);
				else
					strcpy(code, "?");
				if (sig && *r->reason)
					snprintf(why, sizeof(why), ", %s, %s", sig, r->reason);
				else if (sig || *r->reason)
					snprintf(why, sizeof(why), ", %s", sig ? sig : r->reason);
				if (strlen(r->reason) > 300)
					result = -1;
				snprintf(status, sizeof(status), "exited (%s%s)%s", code, why, restarts);
			}
			cell[0] = strdup(r->name);
			cell[1] = strdup(status);
			if (r->live)
				snprintf(buf, sizeof(buf), "%lld", r->pid);
			cell[2] = strdup(r->live ? buf : "-");
			if (r->live)
				duration(r->uptime, buf, sizeof(buf));
			cell[3] = strdup(r->live ? buf : "-");
			if (r->has_cpu) {
				char f[48];
				if (r->cpu >= 1e15)
					result = -1;
				fixed2(r->cpu, f, sizeof(f));
				snprintf(buf, sizeof(buf), "%ss", f);
			}
			cell[4] = strdup(r->has_cpu ? buf : "-");
			if (r->has_mem) {
				if (r->mem >= 9007199254740992.0 || r->mem < 0)
					result = -1;
				bytes_text(r->mem, buf, sizeof(buf));
			}
			cell[5] = strdup(r->has_mem ? buf : "-");
			cell[6] = strdup(r->ns[0] ? r->ns : "-");
		}
		for (size_t c = 0; cells && c < ncells; c++) {
			if (!cells[c]) {
				result = -1;
				break;
			}
			size_t l = strlen(cells[c]);
			if (l > width[c % 7])
				width[c % 7] = l;
		}
		for (size_t i = 0; result == 0 && cells && i <= nrows; i++) {
			for (size_t c = 0; c < 7; c++) {
				const char *cell = cells[i * 7 + c];
				put(&o, cell, strlen(cell));
				if (c < 6) {
					for (size_t p = strlen(cell); p < width[c]; p++)
						put(&o, " ", 1);
					put(&o, "  ", 2);
				}
			}
			put(&o, "\n", 1);
		}
		if (!cells)
			result = -1;
		for (size_t c = 0; cells && c < ncells; c++)
			free(cells[c]);
		free(cells);
	}
	if (o.oom)
		result = -1;
	if (result == 0 && o.len > 0) {
		for (const char *p = o.buf; p < o.buf + o.len;) {
			ssize_t w = write(1, p, (size_t)(o.buf + o.len - p));
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				result = 1;
				break;
			}
			p += w;
		}
	}
	free(o.buf);
	for (size_t i = 0; texts && i < nnames * 3; i++)
		free(texts[i]);
	for (size_t i = 0; i < nnames; i++)
		free(names[i]);
	free(texts);
	free(rows);
	free(names);
	return result;
}
