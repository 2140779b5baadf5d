/*
 * devices.c: which device numbers the container may open or mknod (cgroup v2).
 *
 * cgroup v1 has a devices controller with devices.allow/devices.deny files;
 * TypeScript writes those with ordinary cgroup-write steps. cgroup v2 has no
 * such file: the kernel instead runs a BPF program of type
 * BPF_PROG_TYPE_CGROUP_DEVICE, attached to the cgroup, on every open(2) or
 * mknod(2) of a device node by a process of that cgroup. The program gets
 *
 *     struct bpf_cgroup_dev_ctx { u32 access_type; u32 major; u32 minor; }
 *
 * (access_type: device type in the low 16 bits, BPF_DEVCG_DEV_CHAR/BLOCK;
 * the requested access in the high 16, BPF_DEVCG_ACC_READ/WRITE/MKNOD) and
 * returns 1 to allow, 0 to refuse (the caller sees EPERM).
 *
 * `cgroup-devices PATH RULES` builds that program from the allow-list TS
 * decided (RULES: "c:1:3:rwm,c:136:*:rwm,b:*:*:m", see docs/launch-spec.md),
 * loads it with bpf(BPF_PROG_LOAD) and attaches it to PATH with
 * bpf(BPF_PROG_ATTACH). No libbpf: the instructions are written out below.
 * The rules are tried in order; the first that matches allows; nothing
 * matching means deny.
 */
#include "haco.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- the rules (pure: unit-tested in test/devices_test.c) ------------------ */

/* "c:1:3:rwm" -> rule. Returns 0, or -1 with a message in err. */
static int parse_rule(const char *text, struct dev_rule *r, char *err, size_t errlen)
{
	char type;
	char major[16], minor[16], access[8];
	int n = -1;
	if (sscanf(text, "%c:%15[0-9*]:%15[0-9*]:%7[rwm]%n", &type, major, minor, access, &n) != 4 ||
	    n < 0 || text[n] != '\0') {
		snprintf(err, errlen, "bad device rule \"%s\" (TYPE:MAJOR:MINOR:ACCESS, e.g. c:1:3:rwm)", text);
		return -1;
	}
	if (type != 'c' && type != 'b' && type != 'a') {
		snprintf(err, errlen, "bad device rule \"%s\": type must be c, b or a", text);
		return -1;
	}
	r->type = type;
	const char *num[2] = { major, minor };
	long *out[2] = { &r->major, &r->minor };
	for (int i = 0; i < 2; i++) {
		if (strcmp(num[i], "*") == 0) {
			*out[i] = -1;
			continue;
		}
		unsigned long long v;
		if (parse_ulong(num[i], &v) < 0 || v > 0xfffff) {
			snprintf(err, errlen, "bad device rule \"%s\": \"%s\" is not a device number or *", text, num[i]);
			return -1;
		}
		*out[i] = (long)v;
	}
	r->access = 0;
	for (const char *p = access; *p; p++)
		r->access |= *p == 'r' ? BPF_DEVCG_ACC_READ : *p == 'w' ? BPF_DEVCG_ACC_WRITE : BPF_DEVCG_ACC_MKNOD;
	return 0;
}

int devices_parse(const char *list, struct dev_rule *out, int max, char *err, size_t errlen)
{
	char **v;
	int n = split_list(list, &v);
	if (n < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (n > max) {
		snprintf(err, errlen, "%d device rules, at most %d", n, max);
		free(v);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		if (parse_rule(v[i], &out[i], err, errlen) < 0) {
			free(v);
			return -1;
		}
	}
	free(v);
	return n;
}

/* "c 1:3 rwm": the rule as cgroup v1's devices.list prints it, for traces. */
const char *devices_rule_str(char *buf, size_t sz, const struct dev_rule *r)
{
	char maj[16], min[16];
	snprintf(maj, sizeof(maj), r->major < 0 ? "*" : "%ld", r->major);
	snprintf(min, sizeof(min), r->minor < 0 ? "*" : "%ld", r->minor);
	snprintf(buf, sz, "%c %s:%s %s%s%s", r->type, maj, min, r->access & BPF_DEVCG_ACC_READ ? "r" : "",
	         r->access & BPF_DEVCG_ACC_WRITE ? "w" : "", r->access & BPF_DEVCG_ACC_MKNOD ? "m" : "");
	return buf;
}

/* ---- the program ------------------------------------------------------------- */

static struct bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	struct bpf_insn i;
	memset(&i, 0, sizeof(i));
	i.code = code;
	i.dst_reg = dst & 0xf;
	i.src_reg = src & 0xf;
	i.off = off;
	i.imm = imm;
	return i;
}

#define LDX_W(dst, src, off) insn(BPF_LDX | BPF_MEM | BPF_W, dst, src, off, 0)
#define MOV_X(dst, src) insn(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0)
#define MOV_K(dst, k) insn(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, k)
#define AND_K(dst, k) insn(BPF_ALU64 | BPF_AND | BPF_K, dst, 0, 0, k)
#define RSH_K(dst, k) insn(BPF_ALU64 | BPF_RSH | BPF_K, dst, 0, 0, k)
#define JNE_K(dst, k, off) insn(BPF_JMP | BPF_JNE | BPF_K, dst, 0, off, k)
#define EXIT() insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

enum { R0, R1, R2, R3, R4, R5 };

int devices_program(const struct dev_rule *rules, int n, struct bpf_insn *out, int max)
{
	int len = 0;
#define EMIT(i)                          \
	do {                             \
		if (len >= max)          \
			return -1;       \
		out[len++] = (i);        \
	} while (0)
	/* r2 = device type, r3 = requested access, r4 = major, r5 = minor.
	 * r1 (the context) is free afterwards and serves as scratch. */
	EMIT(LDX_W(R2, R1, offsetof(struct bpf_cgroup_dev_ctx, access_type)));
	EMIT(MOV_X(R3, R2));
	EMIT(AND_K(R2, 0xffff));
	EMIT(RSH_K(R3, 16));
	EMIT(LDX_W(R4, R1, offsetof(struct bpf_cgroup_dev_ctx, major)));
	EMIT(LDX_W(R5, R1, offsetof(struct bpf_cgroup_dev_ctx, minor)));
	for (int i = 0; i < n; i++) {
		const struct dev_rule *r = &rules[i];
		int all = BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD;
		/* Each check jumps past this rule's final "r0 = 1; exit" when it does
		 * not hold: count the checks first to know the distance. */
		int checks = (r->type != 'a') + (r->access != all ? 3 : 0) + (r->major >= 0) + (r->minor >= 0);
		int left = checks + 2; /* instructions of this rule not yet emitted */
#define SKIP() ((int16_t)(left - 1))
		if (r->type != 'a') {
			EMIT(JNE_K(R2, r->type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK, SKIP()));
			left--;
		}
		if (r->access != all) {
			/* Every requested bit must be in the rule: (access & ~allowed) == 0. */
			EMIT(MOV_X(R1, R3));
			EMIT(AND_K(R1, ~r->access & all));
			left -= 2;
			EMIT(JNE_K(R1, 0, SKIP()));
			left--;
		}
		if (r->major >= 0) {
			EMIT(JNE_K(R4, (int32_t)r->major, SKIP()));
			left--;
		}
		if (r->minor >= 0) {
			EMIT(JNE_K(R5, (int32_t)r->minor, SKIP()));
			left--;
		}
#undef SKIP
		EMIT(MOV_K(R0, 1));
		EMIT(EXIT());
	}
	EMIT(MOV_K(R0, 0));
	EMIT(EXIT());
#undef EMIT
	return len;
}

/* ---- the step ------------------------------------------------------------------ */

static long sys_bpf(struct ctx *c, int cmd, union bpf_attr *attr)
{
	return c->sys->bpf(cmd, attr, sizeof(*attr));
}

/* The verifier's last non-empty line: why it refused the program. */
static const char *last_line(char *log)
{
	size_t n = strlen(log);
	while (n > 0 && log[n - 1] == '\n')
		log[--n] = '\0';
	char *nl = strrchr(log, '\n');
	return nl ? nl + 1 : log;
}

int step_cgroup_devices(struct ctx *c, char **argv, int argc)
{
	(void)argc;
	const char *path = argv[0];
	static struct dev_rule rules[DEVICES_MAX_RULES];
	static struct bpf_insn prog[DEVICES_MAX_INSNS];
	char err[256], rule[64];
	int n = devices_parse(argv[1], rules, DEVICES_MAX_RULES, err, sizeof(err));
	if (n < 0)
		return fail(c, 0, "cgroup-devices %s: %s", path, err);
	int len = devices_program(rules, n, prog, DEVICES_MAX_INSNS);
	if (len < 0)
		return fail(c, 0, "cgroup-devices %s: the program would exceed %d instructions", path, DEVICES_MAX_INSNS);
	tracef(c, "device allow-list for %s (everything else is denied):", path);
	for (int i = 0; i < n; i++)
		tracef(c, "  allow %s", devices_rule_str(rule, sizeof(rule), &rules[i]));

	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.insns = (uint64_t)(uintptr_t)prog;
	attr.insn_cnt = (uint32_t)len;
	/* No kernel helper is called, so the license grants nothing; it names ours. */
	attr.license = (uint64_t)(uintptr_t)"GPL";
	snprintf(attr.prog_name, sizeof(attr.prog_name), "haco_devices");
	int prog_fd = (int)traced(c, sys_bpf(c, BPF_PROG_LOAD, &attr),
	                          "bpf(BPF_PROG_LOAD, {prog_type=BPF_PROG_TYPE_CGROUP_DEVICE, insn_cnt=%d, prog_name=\"haco_devices\"})", len);
	if (prog_fd < 0) {
		int e = errno;
		if (e == EINVAL || e == EACCES) {
			/* Load again with the verifier's log, to say why. */
			static char log[65536];
			log[0] = '\0';
			attr.log_buf = (uint64_t)(uintptr_t)log;
			attr.log_size = sizeof(log);
			attr.log_level = 1;
			if (sys_bpf(c, BPF_PROG_LOAD, &attr) < 0 && log[0])
				return fail(c, e, "cgroup-devices %s: BPF_PROG_LOAD (verifier: %s)", path, last_line(log));
		}
		return fail(c, e, "cgroup-devices %s: BPF_PROG_LOAD", path);
	}
	int cg = (int)traced(c, c->sys->open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0), "open(\"%s\", O_RDONLY|O_DIRECTORY)", path);
	if (cg < 0) {
		int e = errno;
		c->sys->close(prog_fd);
		return fail(c, e, "cgroup-devices %s: open", path);
	}
	memset(&attr, 0, sizeof(attr));
	attr.target_fd = (uint32_t)cg;
	attr.attach_bpf_fd = (uint32_t)prog_fd;
	attr.attach_type = BPF_CGROUP_DEVICE;
	/*
	 * attach_flags 0, not BPF_F_ALLOW_MULTI: a second attach to the same cgroup
	 * (the supervisor runs phase 1 again at each restart) then *replaces* the
	 * program instead of stacking one more copy, and no descendant cgroup can
	 * attach a program that would widen or override ours. MULTI would only be
	 * needed for a nested container manager that attaches its own programs in
	 * sub-cgroups, which a haco container (without CAP_SYS_ADMIN) cannot do.
	 */
	attr.attach_flags = 0;
	long rc = traced(c, sys_bpf(c, BPF_PROG_ATTACH, &attr),
	                 "bpf(BPF_PROG_ATTACH, {target_fd=%d, attach_bpf_fd=%d, attach_type=BPF_CGROUP_DEVICE, attach_flags=0})", cg, prog_fd);
	int e = errno;
	/* The cgroup keeps its own reference to the attached program. */
	c->sys->close(cg);
	c->sys->close(prog_fd);
	if (rc < 0)
		return fail(c, e, "cgroup-devices %s: BPF_PROG_ATTACH", path);
	return 0;
}
