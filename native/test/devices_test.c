/*
 * devices_test.c: unit test of the cgroup v2 device program builder (no root).
 *
 * The kernel cannot run a BPF_PROG_TYPE_CGROUP_DEVICE program on demand
 * (BPF_PROG_TEST_RUN does not support that type), so the generated
 * instructions are run here by a small interpreter that knows exactly the
 * opcodes devices.c emits, and any other opcode fails the test. Built with
 * the sanitizers by `make -C native unit`.
 */
#include "haco.h"

#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>

#include "check.h"

/* Run PROG on one access; returns r0, or -1 for an instruction it does not know. */
static long run(const struct bpf_insn *prog, int len, int type, int access, unsigned major, unsigned minor)
{
	struct bpf_cgroup_dev_ctx ctx = { (uint32_t)(access << 16 | type), major, minor };
	uint64_t r[11] = { 0 };
	r[1] = (uint64_t)(uintptr_t)&ctx;
	for (int pc = 0, steps = 0; pc >= 0 && pc < len && steps < 100000; pc++, steps++) {
		const struct bpf_insn *i = &prog[pc];
		switch (i->code) {
		case BPF_LDX | BPF_MEM | BPF_W:
			r[i->dst_reg] = *(const uint32_t *)((const char *)(uintptr_t)r[i->src_reg] + i->off);
			break;
		case BPF_ALU64 | BPF_MOV | BPF_X: r[i->dst_reg] = r[i->src_reg]; break;
		case BPF_ALU64 | BPF_MOV | BPF_K: r[i->dst_reg] = (uint64_t)(int64_t)i->imm; break;
		case BPF_ALU64 | BPF_AND | BPF_K: r[i->dst_reg] &= (uint64_t)(int64_t)i->imm; break;
		case BPF_ALU64 | BPF_RSH | BPF_K: r[i->dst_reg] >>= i->imm; break;
		case BPF_JMP | BPF_JNE | BPF_K:
			if (r[i->dst_reg] != (uint64_t)(int64_t)i->imm)
				pc += i->off;
			break;
		case BPF_JMP | BPF_EXIT: return (long)r[0];
		default: return -1;
		}
	}
	return -1;
}

enum { C = BPF_DEVCG_DEV_CHAR, B = BPF_DEVCG_DEV_BLOCK, R = BPF_DEVCG_ACC_READ, W = BPF_DEVCG_ACC_WRITE, M = BPF_DEVCG_ACC_MKNOD };

static struct dev_rule rules[DEVICES_MAX_RULES];
static struct bpf_insn prog[DEVICES_MAX_INSNS];
static int len;

static int build(const char *list)
{
	char err[256];
	int n = devices_parse(list, rules, DEVICES_MAX_RULES, err, sizeof(err));
	if (n < 0) {
		printf("parse %s: %s\n", list, err);
		return -1;
	}
	len = devices_program(rules, n, prog, DEVICES_MAX_INSNS);
	return n;
}

#define ALLOWS(t, a, maj, min) (run(prog, len, t, a, maj, min) == 1)
#define DENIES(t, a, maj, min) (run(prog, len, t, a, maj, min) == 0)

int main(void)
{
	char err[256], buf[64];
	struct dev_rule r[4];

	/* ---- the parser */
	CHECK(devices_parse("c:1:3:rwm", r, 4, err, sizeof(err)) == 1, "one rule");
	CHECK(r[0].type == 'c' && r[0].major == 1 && r[0].minor == 3 && r[0].access == (R | W | M), "c 1:3 rwm fields");
	CHECK(strcmp(devices_rule_str(buf, sizeof(buf), &r[0]), "c 1:3 rwm") == 0, "rendered: %s", buf);
	CHECK(devices_parse("c:136:*:rw,b:*:*:m,a:*:*:r", r, 4, err, sizeof(err)) == 3, "three rules");
	CHECK(r[0].minor == -1 && r[1].major == -1 && r[1].access == M && r[2].type == 'a' && r[2].access == R, "wildcards and access bits");
	CHECK(strcmp(devices_rule_str(buf, sizeof(buf), &r[1]), "b *:* m") == 0, "rendered: %s", buf);
	CHECK(devices_parse("-", r, 4, err, sizeof(err)) == 0, "- is no rule at all");
	const char *bad[] = { "x:1:3:rwm", "c:1:3", "c:1:3:rwx", "c:1:3:", "c:a:3:r", "c:1:3:r:", "c:99999999:1:r", "c 1:3 rwm" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		CHECK(devices_parse(bad[i], r, 4, err, sizeof(err)) == -1 && strstr(err, "device") != NULL, "refuses \"%s\" (err: %s)", bad[i], err);
	}
	CHECK(devices_parse("c:1:3:r,c:1:5:r", r, 1, err, sizeof(err)) == -1, "more rules than room");

	/* ---- the program's shape: 6 loads, 2 per rule plus one per check, 2 at the end */
	CHECK(build("-") == 0 && len == 8, "no rule: 8 instructions, got %d", len);
	CHECK(build("c:1:3:rwm") == 1 && len == 6 + 3 + 2 + 2, "c 1:3 rwm: %d instructions", len);
	CHECK(build("c:1:3:r") == 1 && len == 6 + 6 + 2 + 2, "c 1:3 r: %d instructions", len);
	CHECK(build("a:*:*:rwm") == 1 && len == 6 + 2 + 2, "a *:* rwm: %d instructions", len);
	CHECK(prog[len - 1].code == (BPF_JMP | BPF_EXIT) && prog[len - 2].imm == 0, "ends with r0 = 0; exit");
	CHECK(devices_program(rules, 1, prog, 5) == -1, "too little room is refused");

	/* ---- what it decides: nothing allowed */
	build("-");
	CHECK(DENIES(C, R, 1, 3), "no rules: /dev/null denied");

	/* ---- haco's default list */
	build("c:*:*:m,b:*:*:m,c:1:3:rwm,c:1:5:rwm,c:1:7:rwm,c:1:8:rwm,c:1:9:rwm,c:5:0:rwm,c:5:2:rwm,c:136:*:rwm");
	CHECK(ALLOWS(C, R | W, 1, 3), "null rw");
	CHECK(ALLOWS(C, R, 1, 9), "urandom r");
	CHECK(ALLOWS(C, R | W, 136, 7), "pts/7 rw");
	CHECK(ALLOWS(C, M, 1, 11), "mknod of kmsg is allowed (like runc)");
	CHECK(ALLOWS(B, M, 8, 0), "mknod of sda is allowed (like runc)");
	CHECK(DENIES(C, W, 1, 11), "kmsg write denied");
	CHECK(DENIES(C, R, 1, 1), "mem read denied");
	CHECK(DENIES(B, R, 8, 0), "sda read denied");
	CHECK(DENIES(B, R | W, 1, 3), "a block device 1:3 is not /dev/null");
	CHECK(DENIES(C, R, 10, 200), "tun denied");
	CHECK(DENIES(C, R | M, 1, 11), "read+mknod of kmsg: the read part is not allowed");

	/* ---- access subsets and wildcards */
	build("c:1:5:r,b:8:*:rw");
	CHECK(ALLOWS(C, R, 1, 5), "zero r");
	CHECK(DENIES(C, W, 1, 5), "zero w");
	CHECK(DENIES(C, R | W, 1, 5), "zero rw");
	CHECK(DENIES(C, M, 1, 5), "zero m");
	CHECK(ALLOWS(B, R | W, 8, 17), "sdb1 rw (8:*)");
	CHECK(DENIES(B, M, 8, 17), "sdb1 m");
	CHECK(DENIES(B, R, 9, 0), "other major");
	CHECK(DENIES(C, R, 8, 17), "char 8:17");

	build("a:*:*:rwm");
	CHECK(ALLOWS(C, R | W | M, 1, 11) && ALLOWS(B, R, 259, 0), "a *:* rwm allows everything");

	printf("%d passed, %d failed   (devices_test)\n", passed, failed);
	return failed ? 1 : 0;
}
