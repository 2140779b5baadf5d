/*
 * launch_test.c: whole launches against the recording fake (fake_sys.h), no
 * root needed. Each case runs launcher_main() on a spec in a forked process
 * and compares the exact sequence of kernel calls, from the launcher and its
 * child, with the one expected: the launch order, the order capabilities are
 * dropped in, and what is cleaned up after a step fails (and how the failure
 * is reported: step, path, errno, hint).
 *
 * Path resolution (resolve.c) is real: the mounts' targets are created under
 * a temp rootfs, which is what ROOT stands for in the expected lines.
 */
#include "fake_sys.h"

#include <dirent.h>
#include <errno.h>
#include <linux/filter.h>
#include <seccomp.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

static char dir[] = "/tmp/haco-launch-test.XXXXXX";
static char rootfs[256], log_path[256], err_path[256], spec_path[256];

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	static char empty[] = "";
	if (!f)
		return strdup(empty);
	char *buf = calloc(1, 1 << 20);
	size_t n = fread(buf, 1, (1 << 20) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* SPEC with ROOT replaced by the temp rootfs. */
static void write_spec(const char *spec)
{
	FILE *f = fopen(spec_path, "we");
	for (const char *p = spec; *p; p++) {
		if (strncmp(p, "ROOT", 4) == 0) {
			fputs(rootfs, f);
			p += 3;
		} else
			fputc(*p, f);
	}
	fclose(f);
}

/* Run one launch; returns its exit status. *calls and *err: what it did and printed (free them). */
static int exit_status; /* of the program the fake exec "runs" */
/* For the next launches, until changed: --trace, the PR_CAPBSET_READ questions in *calls, and the
 * fake kernel's bounding set and CAP_SETPCAP (fake_bounding; 0 = the default, every capability). */
static int trace_launch, record_questions, no_setpcap;
static unsigned long long start_bounding;
static const char *setgroups_file; /* the content of /proc/self/setgroups (fake_file) */
static const char *trace_opens; /* record the opens under this prefix too */

static int launch(const char *spec, const char *fail_prefix, int fail_err, char **calls, char **err)
{
	write_spec(spec);
	unlink(log_path);
	unlink(err_path);
	fake_setup(log_path, rootfs);
	fake_exit_status(exit_status);
	fake_record_questions(record_questions);
	fake_file("/proc/self/setgroups", setgroups_file);
	if (start_bounding || no_setpcap)
		fake_bounding(start_bounding ? start_bounding : (1ULL << 41) - 1, !no_setpcap);
	if (trace_opens)
		fake_trace_opens(trace_opens);
	if (fail_prefix)
		fake_fail(fail_prefix, fail_err);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		int e = open(err_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		dup2(e, 2);
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
		dup2(null, 0);
		/* One contiguous area, as the kernel lays out argv (the reaper renames itself in it). */
		static char area[512];
		if (trace_launch) {
			snprintf(area, sizeof(area), "haco-launch%c--trace%c--spec%c%s", 0, 0, 0, spec_path);
			char *argv[] = { area, area + 12, area + 20, area + 27, NULL };
			_exit(launcher_main(4, argv, &sys_fake));
		}
		snprintf(area, sizeof(area), "haco-launch%c--spec%c%s", 0, 0, spec_path);
		char *argv[] = { area, area + 12, area + 19, NULL };
		_exit(launcher_main(3, argv, &sys_fake));
	}
	int st;
	waitpid(pid, &st, 0);
	*calls = slurp(log_path);
	*err = slurp(err_path);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Exact match, or the first line that differs and both sequences. */
static void check_calls(const char *name, const char *got, const char *want)
{
	CHECK(strcmp(got, want) == 0, "%s: the calls differ\n--- want\n%s--- got\n%s---", name, want, got);
}

#define CG "/sys/fs/cgroup/haco/t1"

/* The head of every spec: a cgroup, then spawn into it; the cgroup is removed after the exit. */
static const char HEAD[] = "haco-launch 1\n"
	"name t1\n"
	"cleanup-cgroup " CG "\n"
	"hint mount EPERM mounting%20needs%20CAP_SYS_ADMIN\n"
	"cgroup-mkdir " CG "\n"
	"cgroup-write " CG "/memory.max 67108864\n"
	"cgroup-write " CG "/pids.max 100\n"
	"spawn mount,uts,ipc,pid,net " CG "\n"
	"release\n";

static const char ROOTFS[] = "propagation / rprivate\n"
	"bind-root ROOT\n"
	"mount proc /proc proc nosuid,nodev,noexec -\n"
	"mount tmpfs /dev tmpfs nosuid,noexec mode=755\n"
	"mknod-bind null /dev/null\n"
	"mask /secret\n"
	"hostname t1\n"
	"pivot-root ROOT\n";

static const char HEAD_CALLS[] = "mkdir " CG " 0755\n"
	"write " CG "/memory.max 67108864\n"
	"write " CG "/pids.max 100\n"
	"clone3 CLONE_NEWNS|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWPID|CLONE_NEWNET|CLONE_INTO_CGROUP cgroup=" CG "\n";

static const char ROOTFS_CALLS[] = "mount NULL / NULL REC|PRIVATE NULL\n"
	"mount ROOT ROOT NULL BIND|REC NULL\n"
	"mount proc ROOT/proc proc NOSUID|NODEV|NOEXEC NULL\n"
	"mount tmpfs ROOT/dev tmpfs NOSUID|NOEXEC mode=755\n"
	"mount /dev/null ROOT/dev/null NULL BIND NULL\n"
	"mount tmpfs ROOT/secret tmpfs RDONLY|NOSUID|NODEV|NOEXEC size=0\n"
	"sethostname t1\n"
	"chdir ROOT\n"
	"pivot_root . .\n"
	"umount2 . DETACH\n"
	"chdir /\n";

static void test_typical_launch(void)
{
	char spec[4096], want[4096], *calls, *err;
	snprintf(spec, sizeof(spec), "%s%s%s", HEAD, ROOTFS,
	         "lo-up\n"
	         "rlimit NOFILE 1024 1024\n"
	         "setsid\n"
	         "chdir /\n"
	         "env-clear\n"
	         "env PATH /bin\n"
	         "exec /bin/sh -c true\n");
	int status = launch(spec, NULL, 0, &calls, &err);
	CHECK(status == 0, "typical launch: status %d, stderr: %s", status, err);
	snprintf(want, sizeof(want), "%s%s%s", HEAD_CALLS, ROOTFS_CALLS,
	         "ioctl SIOCGIFFLAGS lo\n"
	         "ioctl SIOCSIFFLAGS lo\n"
	         "setrlimit NOFILE 1024 1024\n"
	         "setsid\n"
	         "chdir /\n"
	         "execvp /bin/sh -c true\n"
	         "rmdir " CG "\n");
	check_calls("typical launch", calls, want);
	CHECK(err[0] == '\0', "typical launch: stderr: %s", err);
	free(calls), free(err);
}

/* Credentials, then the capability sets in the order caps.c gives (bounding, then
 * effective/permitted/inheritable in one capset, then ambient), then no_new_privs,
 * then the seccomp filter right before exec. */
static void test_capability_order(void)
{
	char spec[4096], want[8192], *calls, *err;
	snprintf(spec, sizeof(spec), "%s%s", HEAD,
	         "user 1000 1000 1000,1001\n"
	         "caps 0,1,2 0,1 0,1 0,1 1\n"
	         "no-new-privs\n"
	         "seccomp allow\n"
	         "seccomp-rule errno:1 reboot -\n"
	         "seccomp-load\n"
	         "exec /bin/true\n");
	int status = launch(spec, NULL, 0, &calls, &err);
	CHECK(status == 0, "capability order: status %d, stderr: %s", status, err);
	size_t n = (size_t)snprintf(want, sizeof(want), "%s%s", HEAD_CALLS,
	                            "prctl PR_SET_KEEPCAPS 1\n"
	                            "setgroups [1000,1001]\n"
	                            "setresgid 1000 1000 1000\n"
	                            "setresuid 1000 1000 1000\n");
	for (int cap = 3; cap <= 40; cap++) /* the fake kernel knows 0-40; 0, 1, 2 stay */
		n += (size_t)snprintf(want + n, sizeof(want) - n, "prctl PR_CAPBSET_DROP %d\n", cap);
	snprintf(want + n, sizeof(want) - n, "%s",
	         "capset effective=0x3 permitted=0x3 inheritable=0x3\n"
	         "prctl PR_CAP_AMBIENT_CLEAR_ALL\n"
	         "prctl PR_CAP_AMBIENT 2 1\n" /* PR_CAP_AMBIENT_RAISE 1 */
	         "prctl PR_SET_NO_NEW_PRIVS 1\n"
	         "seccomp_load\n"
	         "execvp /bin/true\n"
	         "rmdir " CG "\n");
	check_calls("capability order", calls, want);
	free(calls), free(err);
}

/* seccomp-prepared: the first run builds the filter with libseccomp and keeps its BPF in FILE; the next
 * run with the same rules loads FILE's instructions; other rules build (and keep) a new one. */
static void test_seccomp_prepared(void)
{
	char dir[] = "/tmp/haco-launch-test-XXXXXX", file[128], spec[1024], *calls, *err;
	CHECK(mkdtemp(dir) != NULL, "seccomp-prepared: mkdtemp");
	snprintf(file, sizeof(file), "%s/seccomp.bpf", dir);
	const char *rules[] = { "errno:1", "errno:1", "errno:13" };
	struct stat before = { 0 };
	for (int i = 0; i < 3; i++) {
		snprintf(spec, sizeof(spec), "haco-launch 1\nname t2\nseccomp-prepared %s\nspawn -\nrelease\nseccomp allow\n"
		         "seccomp-rule %s reboot -\nseccomp-load\nexec /bin/true\n", file, rules[i]);
		int status = launch(spec, NULL, 0, &calls, &err);
		CHECK(status == 0, "seccomp-prepared %d: status %d, stderr: %s", i, status, err);
		CHECK(strstr(calls, "seccomp SECCOMP_SET_MODE_FILTER") != NULL && strstr(calls, "seccomp_load") == NULL,
		      "seccomp-prepared %d: calls: %s", i, calls);
		struct stat st;
		CHECK(stat(file, &st) == 0 && (st.st_mode & 0777) == 0600, "seccomp-prepared %d: %s not kept 0600", i, file);
		/* run 1 reads the file run 0 wrote (same inode); run 2's other rule replaces it */
		CHECK((st.st_ino == before.st_ino) == (i == 1), "seccomp-prepared %d: inode %lu, before %lu", i,
		      (unsigned long)st.st_ino, (unsigned long)before.st_ino);
		before = st;
		free(calls), free(err);
	}
	/* A symlink is never followed: the filter is built and a file of its own replaces the link. */
	char target[160];
	snprintf(target, sizeof(target), "%s/elsewhere", dir);
	CHECK(rename(file, target) == 0 && symlink(target, file) == 0, "seccomp-prepared: symlink");
	int status = launch(spec, NULL, 0, &calls, &err);
	struct stat st;
	CHECK(status == 0 && lstat(file, &st) == 0 && S_ISREG(st.st_mode), "seccomp-prepared: symlink followed (status %d, %s)", status, err);
	free(calls), free(err);
	/* A directory others can write: the filter is built (and loaded) but nothing is read or kept there. */
	unlink(file);
	CHECK(chmod(dir, 0777) == 0, "seccomp-prepared: chmod");
	status = launch(spec, NULL, 0, &calls, &err);
	CHECK(status == 0 && strstr(calls, "seccomp SECCOMP_SET_MODE_FILTER") != NULL, "seccomp-prepared, open dir: status %d, %s", status, err);
	CHECK(stat(file, &st) < 0 && errno == ENOENT, "seccomp-prepared: %s written in a directory others can write", file);
	free(calls), free(err);
	unlink(target);
	rmdir(dir);
}

/* The BPF kept in FILE (after its header and key), malloc'd; *len its size. NULL if unreadable. */
static char *prepared_bpf(const char *file, size_t *len)
{
	char *text = slurp(file), *nl = strchr(text, '\n');
	size_t k = 0, b = 0;
	char *bpf = NULL;
	if (nl && sscanf(text, "haco-seccomp-bpf 3 %zu %zu", &k, &b) == 2 && (bpf = malloc(b)))
		memcpy(bpf, nl + 1 + k, b), *len = b; /* slurp read up to 1 MiB: the file is far smaller */
	free(text);
	return bpf;
}

/* The rule lines are never decoded on a hit; on a miss they are decoded then. The key is their text as
 * written, so another encoding of the same rules is a miss (rebuilt), and builds the same filter. A file
 * of the old format (magic 1, its key made of decoded fields) is a miss too, and is replaced. */
static void test_seccomp_prepared_encoded(void)
{
	char dir[] = "/tmp/haco-launch-test-XXXXXX", file[128], spec[1024], *calls, *err;
	CHECK(mkdtemp(dir) != NULL, "seccomp-prepared encoded: mkdtemp");
	snprintf(file, sizeof(file), "%s/seccomp.bpf", dir);
	const char *rules[] = { "errno:13 reboot 0:eq:1", "errno:%313 %72eboot 0%3Aeq%3A1" };
	char *bpf[2] = { NULL, NULL };
	size_t len[2] = { 0, 0 };
	struct stat st[2];
	for (int i = 0; i < 2; i++) {
		snprintf(spec, sizeof(spec), "haco-launch 1\nseccomp-prepared %s\nspawn -\nrelease\nseccomp allow\n"
		         "seccomp-rule %s\nseccomp-load\nexec /bin/true\n", file, rules[i]);
		int status = launch(spec, NULL, 0, &calls, &err);
		CHECK(status == 0, "seccomp-prepared encoded %d: status %d, stderr: %s", i, status, err);
		CHECK(stat(file, &st[i]) == 0 && (bpf[i] = prepared_bpf(file, &len[i])) != NULL,
		      "seccomp-prepared encoded %d: %s not kept", i, file);
		free(calls), free(err);
	}
	CHECK(st[0].st_ino != st[1].st_ino, "seccomp-prepared encoded: other text, same file: not rebuilt");
	CHECK(len[0] > 8 && len[0] == len[1] && bpf[0] && bpf[1] && memcmp(bpf[0], bpf[1], len[0]) == 0,
	      "seccomp-prepared encoded: the decoded rules built another filter (%zu, %zu bytes)", len[0], len[1]);

	/* The old format, with the key it would have matched and one bogus instruction. */
	const struct scmp_version *v = seccomp_version();
	char key[512];
	int k = snprintf(key, sizeof(key), "libseccomp %u.%u.%u api %u arch %u\n", v->major, v->minor, v->micro,
	                 seccomp_api_get(), seccomp_arch_native());
	const char rules_v1[] = "seccomp\0allow\nseccomp-rule\0errno:13\0reboot\0" "0:eq:1\n";
	memcpy(key + k, rules_v1, sizeof(rules_v1) - 1);
	k += (int)sizeof(rules_v1) - 1;
	FILE *f = fopen(file, "we");
	fprintf(f, "haco-seccomp-bpf 1 %d 8\n", k);
	fwrite(key, 1, (size_t)k, f);
	fwrite("\x06\0\0\0\0\0\xff\x7f", 1, 8, f); /* BPF_RET ALLOW */
	fclose(f);
	chmod(file, 0600);
	snprintf(spec, sizeof(spec), "haco-launch 1\nseccomp-prepared %s\nspawn -\nrelease\nseccomp allow\n"
	         "seccomp-rule %s\nseccomp-load\nexec /bin/true\n", file, rules[0]);
	int status = launch(spec, NULL, 0, &calls, &err);
	char want[64];
	snprintf(want, sizeof(want), "seccomp SECCOMP_SET_MODE_FILTER %zu insns\n", len[0] / 8);
	size_t n = 0;
	char *again = prepared_bpf(file, &n);
	CHECK(status == 0 && strstr(calls, want) && again && n == len[0] && memcmp(again, bpf[0], n) == 0,
	      "seccomp-prepared, old format: not rebuilt (status %d, %s, calls: %s)", status, err, calls);
	free(again), free(calls), free(err);
	free(bpf[0]), free(bpf[1]);
	unlink(file);
	rmdir(dir);
}

/* A hint line is only scanned when the spec is read, yet a bad escape in it is refused
 * before the first step; a failing deferred step (a seccomp rule) still prints its hint. */
static void test_deferred_lines(void)
{
	char spec[4096], *calls, *err;
	snprintf(spec, sizeof(spec), "%s%s", HEAD, "exec /bin/true\n");
	char *bad = strstr(spec, "mounting%20needs");
	memcpy(bad, "%ZZ", 3); /* HEAD's hint, line 4: mounting needs... */
	int status = launch(spec, NULL, 0, &calls, &err);
	CHECK(status == 125 && calls[0] == '\0', "bad hint: status %d, calls: %s", status, calls);
	CHECK(strcmp(err, "haco-launch: spec: line 4: bad percent-encoding in field 4\n") == 0, "bad hint: stderr: %s", err);
	free(calls), free(err);

	snprintf(spec, sizeof(spec), "%s", "haco-launch 1\n"
	         "hint seccomp-rule EPERM not%20this%20one\n"
	         "hint seccomp-rule * a%20rule%20TS%20thought%20optional%3A%20100%25%20sure\n"
	         "spawn -\n"
	         "release\n"
	         "seccomp allow\n"
	         "seccomp-rule errno:1 %6Eo_such_call -\n"
	         "seccomp-load\n"
	         "exec /bin/true\n");
	status = launch(spec, NULL, 0, &calls, &err);
	CHECK(status == 125, "failing rule: status %d", status);
	CHECK(strcmp(err, "haco-launch: seccomp-rule: unknown system call \"no_such_call\" on this architecture\n"
	                  "hint: a rule TS thought optional: 100% sure\n") == 0, "failing rule: stderr: %s", err);
	free(calls), free(err);
}

/* A user namespace is configured from outside, in phase 2, while the child waits. */
static void test_user_namespace(void)
{
	char *calls, *err;
	int status = launch("haco-launch 1\n"
	                    "spawn user,mount\n"
	                    "setgroups deny\n"
	                    "uid-map 0:100000:65536\n"
	                    "gid-map 0:100000:65536\n"
	                    "persist-ns user ROOT/userns\n"
	                    "release\n"
	                    "unshare time\n"
	                    "exec /bin/true\n",
	                    NULL, 0, &calls, &err);
	CHECK(status == 0, "user namespace: status %d, stderr: %s", status, err);
	check_calls("user namespace", calls,
	            "clone CLONE_NEWNS|CLONE_NEWUSER\n"
	            "write /proc/PID/setgroups deny\n"
	            "write /proc/PID/uid_map 0 100000 65536\\n\n"
	            "write /proc/PID/gid_map 0 100000 65536\\n\n"
	            "create ROOT/userns 0444\n"
	            "umount2 ROOT/userns DETACH\n"
	            "mount /proc/PID/ns/user ROOT/userns NULL BIND NULL\n"
	            "unshare CLONE_NEWTIME\n"
	            "execvp /bin/true\n");
	free(calls), free(err);
}

/* idmap-mount: after the maps, the parent clones the rootfs mount, id-maps it with
 * the child's user namespace, and moves it in the child's mount namespace; then
 * back to its own namespace and cwd. A filesystem that cannot be id-mapped: the
 * step, the path and EINVAL, and nothing moved. */
static void test_idmap_mount(void)
{
	char *calls, *err, cwd[4096];
	static const char spec[] = "haco-launch 1\n"
	                           "spawn user,mount\n"
	                           "uid-map 0:231072:65536\n"
	                           "gid-map 0:231072:65536\n"
	                           "idmap-mount ROOT\n"
	                           "release\n"
	                           "bind-root ROOT\n"
	                           "exec /bin/true\n";
	CHECK(getcwd(cwd, sizeof(cwd)) && chdir("/") == 0, "idmap-mount: chdir /");
	int status = launch(spec, NULL, 0, &calls, &err);
	CHECK(status == 0, "idmap-mount: status %d, stderr: %s", status, err);
	check_calls("idmap-mount", calls,
	            "clone CLONE_NEWNS|CLONE_NEWUSER\n"
	            "write /proc/PID/uid_map 0 231072 65536\\n\n"
	            "write /proc/PID/gid_map 0 231072 65536\\n\n"
	            "open_tree ROOT CLONE\n"
	            "mount_setattr ROOT IDMAP userns=/proc/PID/ns/user\n"
	            "setns /proc/PID/ns/mnt CLONE_NEWNS\n"
	            "move_mount ROOT ROOT\n"
	            "setns /proc/self/ns/mnt CLONE_NEWNS\n"
	            "chdir /\n"
	            "mount ROOT ROOT NULL BIND|REC NULL\n"
	            "execvp /bin/true\n");
	free(calls), free(err);
	status = launch(spec, "mount_setattr", EINVAL, &calls, &err);
	CHECK(status == 125, "idmap-mount fails: status %d", status);
	CHECK(strstr(calls, "move_mount") == NULL && strstr(calls, "setns") == NULL, "idmap-mount fails: moved anyway:\n%s", calls);
	CHECK(strstr(err, "idmap-mount ") && strstr(err, "cannot be id-mapped") && strstr(err, "EINVAL"), "idmap-mount fails: stderr: %s", err);
	free(calls), free(err);
	CHECK(chdir(cwd) == 0, "idmap-mount: chdir back");
}

/* fuse-overlay: the forked daemon opens /dev/fuse with the launcher's rights,
 * joins the container's user and mount namespaces, becomes its root, mounts
 * the FUSE fs on PATH there, leaves for a mount namespace of its own, sets its
 * parent-death signal (after the id change, which clears it) and execs the
 * program with /dev/fd/N; then the child checks the mount (fuse-root). A failed
 * mount: the step, the path and the errno, and no exec. */
static void test_fuse_overlay(void)
{
	char *calls, *err;
	static const char spec[] = "haco-launch 1\n"
	                           "spawn user,mount\n"
	                           "uid-map 0:231072:65536\n"
	                           "gid-map 0:231072:65536\n"
	                           "fuse-overlay ROOT /usr/bin/fuse-overlayfs -f -o lowerdir=L,upperdir=U,workdir=W\n"
	                           "release\n"
	                           "fuse-root ROOT\n"
	                           "exec /bin/true\n";
	int status = launch(spec, NULL, 0, &calls, &err);
	CHECK(status == 0, "fuse-overlay: status %d, stderr: %s", status, err);
	const char *order[] = { "clone CLONE_NEWNS|CLONE_NEWUSER\n", "write /proc/PID/gid_map", "setns /proc/PID/ns/user CLONE_NEWUSER\n",
		                "setns /proc/PID/ns/mnt CLONE_NEWNS\n", "setresgid 0 0 0\n", "setresuid 0 0 0\n",
		                "mount fuse-overlayfs ROOT fuse.fuse-overlayfs 0 fd=", "unshare CLONE_NEWNS\n", "prctl PR_SET_PDEATHSIG",
		                "execvp /usr/bin/fuse-overlayfs -f -o lowerdir=L,upperdir=U,workdir=W /dev/fd/", "statfs ROOT\n",
		                "execvp /bin/true\n" };
	const char *at = calls;
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		const char *hit = strstr(at, order[i]);
		CHECK(hit != NULL, "fuse-overlay: \"%s\" missing or out of order in:\n%s", order[i], calls);
		if (hit)
			at = hit + strlen(order[i]);
	}
	free(calls), free(err);
	status = launch(spec, "mount fuse-overlayfs", EPERM, &calls, &err);
	CHECK(status == 125, "fuse-overlay fails: status %d", status);
	CHECK(strstr(calls, "execvp") == NULL, "fuse-overlay fails: exec'd anyway:\n%s", calls);
	CHECK(strstr(err, "fuse-overlay ") && strstr(err, ": mount fuse.fuse-overlayfs: EPERM"), "fuse-overlay fails: stderr: %s", err);
	free(calls), free(err);
}

/* A mount fails in the child: nothing after it runs, the cgroup is removed, and
 * the message names the step, the path and the errno, with the spec's hint. */
static void test_mount_fails(void)
{
	char spec[4096], want[4096], *calls, *err;
	snprintf(spec, sizeof(spec), "%s%s%s", HEAD, ROOTFS, "exec /bin/sh -c true\n");
	int status = launch(spec, "mount proc", EPERM, &calls, &err);
	CHECK(status == 125, "mount fails: status %d", status);
	snprintf(want, sizeof(want), "%s%s", HEAD_CALLS,
	         "mount NULL / NULL REC|PRIVATE NULL\n"
	         "mount ROOT ROOT NULL BIND|REC NULL\n"
	         "mount proc ROOT/proc proc NOSUID|NODEV|NOEXEC NULL = FAIL\n"
	         "rmdir " CG "\n");
	check_calls("mount fails", calls, want);
	CHECK(strcmp(err, "haco-launch: mount proc on /proc: EPERM (Operation not permitted)\n"
	                  "hint: mounting needs CAP_SYS_ADMIN\n") == 0,
	      "mount fails: stderr: %s", err);
	free(calls), free(err);
}

/*
 * `user` with no groups: setgroups(2) first; only its EPERM sends the launcher to /proc/self/setgroups
 * (a first read in the container's new /proc costs more than the call), and "deny" there (a user
 * namespace) makes that refusal no failure. With "allow", or with groups asked for, EPERM fails.
 */
static void test_setgroups(void)
{
	char spec[4096], want[4096], *calls, *err;
	snprintf(spec, sizeof(spec), "%s%s", HEAD, "user 0 0 -\nexec /bin/true\n");
	record_questions = 1;
	setgroups_file = "allow\n";
	int status = launch(spec, NULL, 0, &calls, &err);
	CHECK(status == 0, "setgroups: status %d, stderr: %s", status, err);
	snprintf(want, sizeof(want), "%s%s", HEAD_CALLS,
	         "prctl PR_SET_KEEPCAPS 1\n"
	         "setgroups []\n" /* no question before it */
	         "setresgid 0 0 0\n"
	         "setresuid 0 0 0\n"
	         "execvp /bin/true\n"
	         "rmdir " CG "\n");
	check_calls("setgroups", calls, want);
	free(calls), free(err);

	setgroups_file = "deny\n";
	status = launch(spec, "setgroups", EPERM, &calls, &err);
	CHECK(status == 0, "setgroups denied: status %d, stderr: %s", status, err);
	snprintf(want, sizeof(want), "%s%s", HEAD_CALLS,
	         "prctl PR_SET_KEEPCAPS 1\n"
	         "setgroups [] = FAIL\n"
	         "open /proc/self/setgroups\n"
	         "setresgid 0 0 0\n"
	         "setresuid 0 0 0\n"
	         "execvp /bin/true\n"
	         "rmdir " CG "\n");
	check_calls("setgroups denied", calls, want);
	free(calls), free(err);

	setgroups_file = "allow\n";
	status = launch(spec, "setgroups", EPERM, &calls, &err);
	CHECK(status == 125, "setgroups refused: status %d", status);
	CHECK(strcmp(err, "haco-launch: user: setgroups -: EPERM (Operation not permitted)\n") == 0,
	      "setgroups refused: stderr: %s", err);
	free(calls), free(err);

	setgroups_file = "deny\n"; /* groups asked for cannot be had: a failure, whatever the file says */
	snprintf(spec, sizeof(spec), "%s%s", HEAD, "user 0 0 5\nexec /bin/true\n");
	status = launch(spec, "setgroups", EPERM, &calls, &err);
	CHECK(status == 125 && strstr(calls, "open /proc/self/setgroups") == NULL, "setgroups [5] refused: status %d, calls %s",
	      status, calls);
	CHECK(strcmp(err, "haco-launch: user: setgroups 5: EPERM (Operation not permitted)\n") == 0,
	      "setgroups [5] refused: stderr: %s", err);
	free(calls), free(err);
	record_questions = 0;
	setgroups_file = NULL;
}

/* readonly and `bind ... ro`: a bind, then the remount on the target found again after it (the new
 * mount); a path that is not there is skipped; a refused bind stops the launch with step, path, errno. */
static void test_readonly_paths(void)
{
	char spec[4096], want[4096], ro[128], *calls, *err;
	struct statvfs sv;
	CHECK(statvfs(rootfs, &sv) == 0, "statvfs %s", rootfs);
	snprintf(ro, sizeof(ro), "RDONLY%s%s%s|REMOUNT|BIND%s", sv.f_flag & ST_NOSUID ? "|NOSUID" : "",
	         sv.f_flag & ST_NODEV ? "|NODEV" : "", sv.f_flag & ST_NOEXEC ? "|NOEXEC" : "",
	         sv.f_flag & ST_RELATIME ? "|RELATIME" : "");
	snprintf(spec, sizeof(spec), "%s%s", HEAD,
	         "bind-root ROOT\n"
	         "readonly /secret\n"
	         "readonly /nothere\n"
	         "bind /src /ro ro\n"
	         "exec /bin/true\n");
	int status = launch(spec, NULL, 0, &calls, &err);
	CHECK(status == 0, "readonly: status %d, stderr: %s", status, err);
	snprintf(want, sizeof(want), "%s"
	         "mount ROOT ROOT NULL BIND|REC NULL\n"
	         "mount ROOT/secret ROOT/secret NULL BIND|REC NULL\n"
	         "mount NULL ROOT/secret NULL %s NULL\n"
	         "mount /src ROOT/ro NULL BIND NULL\n"
	         "mount NULL ROOT/ro NULL %s NULL\n"
	         "execvp /bin/true\n"
	         "rmdir " CG "\n", HEAD_CALLS, ro, ro);
	check_calls("readonly", calls, want);
	free(calls), free(err);

	status = launch(spec, "mount ROOT/secret", EPERM, &calls, &err);
	CHECK(status == 125, "readonly refused: status %d", status);
	snprintf(want, sizeof(want), "%s"
	         "mount ROOT ROOT NULL BIND|REC NULL\n"
	         "mount ROOT/secret ROOT/secret NULL BIND|REC NULL = FAIL\n"
	         "rmdir " CG "\n", HEAD_CALLS);
	check_calls("readonly refused", calls, want);
	CHECK(strcmp(err, "haco-launch: readonly /secret: EPERM (Operation not permitted)\n") == 0, "readonly refused: stderr: %s", err);
	free(calls), free(err);
}

/* The filter libseccomp builds is a binary tree of syscall numbers (BPF_JGT between the number checks),
 * not a list of BPF_JEQ: the kernel walks a new filter once per syscall number when it loads it. */
static void test_seccomp_tree(void)
{
	char dir[] = "/tmp/haco-launch-test-XXXXXX", file[128], spec[4096], *calls, *err;
	CHECK(mkdtemp(dir) != NULL, "seccomp tree: mkdtemp");
	snprintf(file, sizeof(file), "%s/seccomp.bpf", dir);
	static const char *const names[] = { "read", "write", "openat", "close", "fstat", "mmap", "munmap", "brk",
		"exit_group", "getpid", "kill", "dup", "dup2", "pipe", "select", "uname" };
	size_t n = (size_t)snprintf(spec, sizeof(spec), "haco-launch 1\nname t2\nseccomp-prepared %s\nspawn -\nrelease\n"
	                            "seccomp errno:1\n", file);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		n += (size_t)snprintf(spec + n, sizeof(spec) - n, "seccomp-rule allow %s -\n", names[i]);
	snprintf(spec + n, sizeof(spec) - n, "seccomp-load\nexec /bin/true\n");
	int status = launch(spec, NULL, 0, &calls, &err);
	CHECK(status == 0, "seccomp tree: status %d, stderr: %s", status, err);
	free(calls), free(err);
	char *kept = slurp(file); /* "haco-seccomp-bpf V KEYLEN BPFLEN\n" KEY BPF */
	size_t klen = 0, blen = 0;
	char *nl = strchr(kept, '\n');
	CHECK(nl && sscanf(kept, "haco-seccomp-bpf %*u %zu %zu", &klen, &blen) == 2 && blen % 8 == 0, "seccomp tree: %s", kept);
	int jgt = 0, jeq = 0;
	if (nl && blen % 8 == 0)
		for (size_t off = 0; off < blen; off += 8) {
			unsigned short code;
			memcpy(&code, nl + 1 + klen + off, sizeof(code));
			jgt += code == (BPF_JMP | BPF_JGT | BPF_K);
			jeq += code == (BPF_JMP | BPF_JEQ | BPF_K);
		}
	CHECK(jgt > 0 && jeq >= 16, "seccomp tree: %d BPF_JGT and %d BPF_JEQ in %zu instructions", jgt, jeq, blen / 8);
	free(kept);
	unlink(file);
	rmdir(dir);
}

/* A cgroup write fails before spawn: no child, the cgroup made so far is removed. */
static void test_cgroup_write_fails(void)
{
	char spec[4096], *calls, *err;
	snprintf(spec, sizeof(spec), "%s%s", HEAD, "exec /bin/true\n");
	int status = launch(spec, "write " CG "/pids.max", EINVAL, &calls, &err);
	CHECK(status == 125, "cgroup-write fails: status %d", status);
	check_calls("cgroup-write fails", calls,
	            "mkdir " CG " 0755\n"
	            "write " CG "/memory.max 67108864\n"
	            "write " CG "/pids.max 100 = FAIL\n"
	            "rmdir " CG "\n");
	CHECK(strcmp(err, "haco-launch: cgroup-write " CG "/pids.max 100: EINVAL (Invalid argument)\n") == 0,
	      "cgroup-write fails: stderr: %s", err);
	free(calls), free(err);
}

/* clone3 itself fails: the cgroup is removed, the step is spawn. */
static void test_spawn_fails(void)
{
	char spec[4096], *calls, *err;
	snprintf(spec, sizeof(spec), "%s%s", HEAD, "exec /bin/true\n");
	int status = launch(spec, "clone3", ENOSPC, &calls, &err);
	CHECK(status == 125, "spawn fails: status %d", status);
	check_calls("spawn fails", calls,
	            "mkdir " CG " 0755\n"
	            "write " CG "/memory.max 67108864\n"
	            "write " CG "/pids.max 100\n"
	            "clone3 CLONE_NEWNS|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWPID|CLONE_NEWNET|CLONE_INTO_CGROUP cgroup=" CG " = FAIL\n"
	            "rmdir " CG "\n");
	CHECK(strstr(err, "haco-launch: spawn mount,uts,ipc,pid,net into cgroup " CG ": ENOSPC") == err,
	      "spawn fails: stderr: %s", err);
	free(calls), free(err);
}

/* exec fails: 127 like a shell's "command not found", after the cleanup. */
static void test_exec_fails(void)
{
	char spec[4096], want[4096], *calls, *err;
	snprintf(spec, sizeof(spec), "%s%s", HEAD, "exec /nonexistent\n");
	int status = launch(spec, "execvp", ENOENT, &calls, &err);
	CHECK(status == 127, "exec fails: status %d", status);
	snprintf(want, sizeof(want), "%s%s", HEAD_CALLS, "execvp /nonexistent = FAIL\nrmdir " CG "\n");
	check_calls("exec fails", calls, want);
	CHECK(strcmp(err, "haco-launch: exec /nonexistent: ENOENT (No such file or directory)\n") == 0,
	      "exec fails: stderr: %s", err);
	free(calls), free(err);
}

/* Options overlayfs could not parse, or the kernel would cut: refused before mount(2). */
static void test_overlay_options(void)
{
	char spec[16384], *calls, *err;
	snprintf(spec, sizeof(spec), "%s%s", HEAD, "overlay-root ROOT/lower ROOT/up,per ROOT/work ROOT/merged\nexec /bin/true\n");
	int status = launch(spec, NULL, 0, &calls, &err);
	CHECK(status == 125, "overlay comma: status %d", status);
	CHECK(strstr(calls, "mount") == NULL && strstr(calls, "rmdir " CG "\n") != NULL, "overlay comma: calls: %s", calls);
	CHECK(strstr(err, "overlay-root: upperdir ") && strstr(err, "/up,per contains ','"), "overlay comma: stderr: %s", err);
	free(calls), free(err);

	/* 60 lower layers of 70 bytes: more than one page of options */
	size_t n = (size_t)snprintf(spec, sizeof(spec), "%soverlay-root ", HEAD);
	for (int i = 0; i < 60; i++)
		n += (size_t)snprintf(spec + n, sizeof(spec) - n, "%s/layers/%060d", i ? ":" : "", i);
	snprintf(spec + n, sizeof(spec) - n, " /u /w ROOT/merged\nexec /bin/true\n");
	status = launch(spec, NULL, 0, &calls, &err);
	CHECK(status == 125, "overlay too long: status %d", status);
	CHECK(strstr(calls, "mount") == NULL, "overlay too long: calls: %s", calls);
	CHECK(strstr(err, "more than the 4095 mount(2) passes to overlayfs") != NULL, "overlay too long: stderr: %s", err);
	free(calls), free(err);
}

/* Phase 2 fails (the uid map is refused): the waiting child is killed, the groups go
 * deepest first, then the shared parent under the exclusive cgroup lock. */
static void test_wire_fails_cleanup_order(void)
{
	char *calls, *err;
	int status = launch("haco-launch 1\n"
	                    "cleanup-cgroup /cg/haco/t1\n"
	                    "cleanup-cgroup /cg/haco/t1/init\n"
	                    "cleanup-cgroup-parent /cg/haco\n"
	                    "cgroup-lock ROOT/cgroup.lock 1000\n"
	                    "cgroup-mkdir /cg/haco\n"
	                    "cgroup-mkdir /cg/haco/t1\n"
	                    "cgroup-mkdir /cg/haco/t1/init\n"
	                    "spawn user,mount /cg/haco/t1/init\n"
	                    "uid-map 0:100000:65536\n"
	                    "release\n"
	                    "exec /bin/true\n",
	                    "write /proc/PID/uid_map", EPERM, &calls, &err);
	CHECK(status == 125, "wire fails: status %d", status);
	check_calls("wire fails", calls,
	            "create ROOT/cgroup.lock 0600\n"
	            "flock ROOT/cgroup.lock LOCK_SH\n"
	            "mkdir /cg/haco 0755\n"
	            "mkdir /cg/haco/t1 0755\n"
	            "mkdir /cg/haco/t1/init 0755\n"
	            "clone3 CLONE_NEWNS|CLONE_NEWUSER|CLONE_INTO_CGROUP cgroup=/cg/haco/t1/init\n"
	            "write /proc/PID/uid_map 0 100000 65536\\n = FAIL\n"
	            "rmdir /cg/haco/t1/init\n"
	            "rmdir /cg/haco/t1\n"
	            "create ROOT/cgroup.lock 0600\n"
	            "flock ROOT/cgroup.lock LOCK_EX\n"
	            "rmdir /cg/haco\n");
	CHECK(strcmp(err, "haco-launch: uid-map 0:100000:65536: EPERM (Operation not permitted)\n") == 0,
	      "wire fails: stderr: %s", err);
	free(calls), free(err);
}

/* apparmor-exec writes "exec PROFILE" to the AppArmor attr file; on a kernel without it
 * (ENOENT) to the older shared one; any other failure stops the launch before exec. */
static void test_apparmor_exec(void)
{
	char spec[4096], want[4096], *calls, *err;
	snprintf(spec, sizeof(spec), "%s%s", HEAD, "apparmor-exec haco-default\nexec /bin/true\n");
	int status = launch(spec, NULL, 0, &calls, &err);
	CHECK(status == 0, "apparmor: status %d, stderr %s", status, err);
	snprintf(want, sizeof(want), "%s%s", HEAD_CALLS,
	         "write /proc/self/attr/apparmor/exec exec haco-default\n"
	         "execvp /bin/true\n"
	         "rmdir " CG "\n");
	check_calls("apparmor", calls, want);
	free(calls), free(err);

	status = launch(spec, "write /proc/self/attr/apparmor/exec", ENOENT, &calls, &err);
	CHECK(status == 0, "apparmor fallback: status %d, stderr %s", status, err);
	snprintf(want, sizeof(want), "%s%s", HEAD_CALLS,
	         "write /proc/self/attr/apparmor/exec exec haco-default = FAIL\n"
	         "write /proc/self/attr/exec exec haco-default\n"
	         "execvp /bin/true\n"
	         "rmdir " CG "\n");
	check_calls("apparmor fallback", calls, want);
	free(calls), free(err);

	status = launch(spec, "write /proc/self/attr/apparmor/exec", EACCES, &calls, &err);
	CHECK(status == 125, "apparmor refused: status %d", status);
	CHECK(strcmp(err, "haco-launch: apparmor-exec haco-default: EACCES (Permission denied)\n") == 0,
	      "apparmor refused: stderr: %s", err);
	free(calls), free(err);
}

/* A capability that cannot be dropped stops the launch before capset and exec. */
static void test_bounding_drop_fails(void)
{
	char spec[4096], want[4096], *calls, *err;
	snprintf(spec, sizeof(spec), "%s%s", HEAD, "caps 0,1,2 0 0 - -\nno-new-privs\nexec /bin/true\n");
	int status = launch(spec, "prctl PR_CAPBSET_DROP 5", EPERM, &calls, &err);
	CHECK(status == 125, "drop fails: status %d", status);
	snprintf(want, sizeof(want), "%s%s", HEAD_CALLS,
	         "prctl PR_CAPBSET_DROP 3\n"
	         "prctl PR_CAPBSET_DROP 4\n"
	         "prctl PR_CAPBSET_DROP 5 = FAIL\n"
	         "rmdir " CG "\n");
	check_calls("drop fails", calls, want);
	CHECK(strcmp(err, "haco-launch: caps: drop 5 from the bounding set: EPERM (Operation not permitted)\n") == 0,
	      "drop fails: stderr: %s", err);
	free(calls), free(err);
}

/*
 * The calls `caps` makes: the highest capability by a binary search over 0-63 (six PR_CAPBSET_READ,
 * not one per capability), then one PR_CAPBSET_DROP per capability not kept and no question before
 * each: a drop of what is already out of the set changes nothing. With --trace the set is read per
 * capability, so that the trace lists exactly what was in it and dropped.
 */
static void test_capability_calls(void)
{
	char spec[4096], want[8192], *calls, *err;
	snprintf(spec, sizeof(spec), "%s%s", HEAD, "caps 0,1,2 0,1 0,1 - -\nexec /bin/true\n");
	static const char SEARCH[] = "prctl PR_CAPBSET_READ 32\n" /* lo 0, hi 63: 32 exists */
		"prctl PR_CAPBSET_READ 48\n" /* EINVAL: hi 47 */
		"prctl PR_CAPBSET_READ 40\n" /* exists: lo 40 */
		"prctl PR_CAPBSET_READ 44\n"
		"prctl PR_CAPBSET_READ 42\n"
		"prctl PR_CAPBSET_READ 41\n"; /* EINVAL: 40 is the last */
	static const char TAIL[] = "capset effective=0x3 permitted=0x3 inheritable=0\n"
		"prctl PR_CAP_AMBIENT_CLEAR_ALL\n"
		"execvp /bin/true\n"
		"rmdir " CG "\n";
	record_questions = 1;
	start_bounding = ((1ULL << 41) - 1) & ~(1ULL << 7); /* 7 is already out */
	int status = launch(spec, NULL, 0, &calls, &err);
	CHECK(status == 0, "capability calls: status %d, stderr: %s", status, err);
	size_t n = (size_t)snprintf(want, sizeof(want), "%s%s", HEAD_CALLS, SEARCH);
	for (int cap = 3; cap <= 40; cap++)
		n += (size_t)snprintf(want + n, sizeof(want) - n, "prctl PR_CAPBSET_DROP %d\n", cap);
	snprintf(want + n, sizeof(want) - n, "%s", TAIL);
	check_calls("capability calls", calls, want);
	free(calls), free(err);

	/* Traced: a question before each drop; 7 is neither dropped nor listed. */
	trace_launch = 1;
	status = launch(spec, NULL, 0, &calls, &err);
	CHECK(status == 0, "capability calls, traced: status %d, stderr: %s", status, err);
	n = (size_t)snprintf(want, sizeof(want), "%s%s", HEAD_CALLS, SEARCH);
	for (int cap = 3; cap <= 40; cap++)
		n += (size_t)snprintf(want + n, sizeof(want) - n, cap == 7 ? "prctl PR_CAPBSET_READ %d\n"
		                      : "prctl PR_CAPBSET_READ %d\nprctl PR_CAPBSET_DROP %d\n", cap, cap);
	snprintf(want + n, sizeof(want) - n, "%s", TAIL);
	check_calls("capability calls, traced", calls, want);
	CHECK(strstr(err, "[haco] prctl(PR_CAPBSET_DROP, cap) for cap in {3,4,5,6,8,9,10,") != NULL,
	      "capability calls, traced: the dropped list: %s", err);
	free(calls), free(err);
	trace_launch = record_questions = 0;
	start_bounding = 0;
}

/*
 * Without CAP_SETPCAP every drop is refused, also of a capability already out of the bounding set:
 * such a refusal is no failure (the set already ends as asked; only then is the set read), one of a
 * capability still in the set is.
 */
static void test_bounding_without_setpcap(void)
{
	char spec[4096], want[4096], *calls, *err;
	snprintf(spec, sizeof(spec), "%s%s", HEAD, "caps 0,1,2 0 0 - -\nexec /bin/true\n");
	no_setpcap = 1;
	record_questions = 1;
	start_bounding = 0x7; /* only what is kept: nothing to drop */
	int status = launch(spec, NULL, 0, &calls, &err);
	CHECK(status == 0, "no CAP_SETPCAP, nothing to drop: status %d, stderr: %s", status, err);
	size_t n = (size_t)snprintf(want, sizeof(want), "%s%s", HEAD_CALLS,
	                            "prctl PR_CAPBSET_READ 32\nprctl PR_CAPBSET_READ 48\nprctl PR_CAPBSET_READ 40\n"
	                            "prctl PR_CAPBSET_READ 44\nprctl PR_CAPBSET_READ 42\nprctl PR_CAPBSET_READ 41\n");
	for (int cap = 3; cap <= 40; cap++)
		n += (size_t)snprintf(want + n, sizeof(want) - n, "prctl PR_CAPBSET_DROP %d EPERM\nprctl PR_CAPBSET_READ %d\n",
		                      cap, cap);
	snprintf(want + n, sizeof(want) - n, "%s", "capset effective=0x1 permitted=0x1 inheritable=0\n"
	                                           "prctl PR_CAP_AMBIENT_CLEAR_ALL\n"
	                                           "execvp /bin/true\n"
	                                           "rmdir " CG "\n");
	check_calls("no CAP_SETPCAP, nothing to drop", calls, want);
	free(calls), free(err);

	record_questions = 0;
	start_bounding = 0x7 | 1ULL << 9; /* 9 is still in the set: a real failure */
	status = launch(spec, NULL, 0, &calls, &err);
	CHECK(status == 125, "no CAP_SETPCAP, 9 to drop: status %d", status);
	CHECK(strcmp(err, "haco-launch: caps: drop 9 from the bounding set: EPERM (Operation not permitted)\n") == 0,
	      "no CAP_SETPCAP, 9 to drop: stderr: %s", err);
	CHECK(strstr(calls, "execvp") == NULL && strstr(calls, "capset") == NULL,
	      "no CAP_SETPCAP, 9 to drop: went on: %s", calls);
	free(calls), free(err);
	no_setpcap = 0;
	start_bounding = 0;
}

static int open_fds(void)
{
	int n = -1; /* the directory's own fd */
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return -1;
	for (struct dirent *e; (e = readdir(d));)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static const char *fd_names(int fd, char *buf, size_t size)
{
	char link[64];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, buf, size - 1);
	buf[n < 0 ? 0 : n] = '\0';
	return buf;
}

/*
 * resolve.c's walk starts at the root's own fd (no copy per target, never closed by a walk), hands
 * the caller an fd of its own (also for "/"), and with resolve_found() keeps the directory of the last
 * component so that reopen_mounted() finds the target again with one openat; when the name is no
 * longer what was found (here: a symlink now), the whole path is walked again, under the root.
 */
static void test_resolve_found(void)
{
	char top[300], path[400], buf[512], want[512];
	snprintf(top, sizeof(top), "%s/resolve", rootfs);
	const char *dirs[] = { "", "/a", "/a/t", "/b" };
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		snprintf(path, sizeof(path), "%s%s", top, dirs[i]), mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/a/f", top);
	close(open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
	struct ctx c;
	memset(&c, 0, sizeof(c));
	c.sys = &sys_fake;
	c.rootfd = open(top, O_PATH | O_DIRECTORY | O_CLOEXEC);
	int before = open_fds();

	struct stat st;
	int fd = resolve_stat(&c, "/a/f", R_EXISTING, &st);
	CHECK(fd >= 0 && S_ISREG(st.st_mode), "resolve_stat /a/f: fd %d mode %o", fd, (unsigned)st.st_mode);
	close(fd);
	fd = resolve_stat(&c, "/", R_EXISTING, &st);
	CHECK(fd >= 0 && fd != c.rootfd && S_ISDIR(st.st_mode) && strcmp(fd_names(fd, buf, sizeof(buf)), top) == 0,
	      "resolve_stat /: fd %d (root %d) names %s", fd, c.rootfd, buf);
	close(fd);
	CHECK(resolve(&c, "/a/missing/x", R_EXISTING, NULL, 0) < 0 && errno == ENOENT, "resolve of a missing path");

	struct found f;
	fd = resolve_found(&c, "/a/t", R_EXISTING, &f);
	snprintf(want, sizeof(want), "%s/a", top);
	CHECK(fd >= 0 && S_ISDIR(f.st.st_mode) && strcmp(f.name, "t") == 0 && strcmp(fd_names(f.dir, buf, sizeof(buf)), want) == 0,
	      "resolve_found /a/t: fd %d name %s dir %s", fd, f.name, buf);
	close(fd);
	fd = reopen_mounted(&c, "/a/t", &f);
	snprintf(want, sizeof(want), "%s/a/t", top);
	CHECK(fd >= 0 && f.dir == -1 && strcmp(fd_names(fd, buf, sizeof(buf)), want) == 0, "reopen_mounted /a/t: %s", buf);
	close(fd);

	fd = resolve_found(&c, "/a/t", R_EXISTING, &f);
	close(fd);
	snprintf(path, sizeof(path), "%s/a/t", top);
	rmdir(path);
	CHECK(symlink("/b", path) == 0, "symlink /b at %s", path);
	fd = reopen_mounted(&c, "/a/t", &f);
	snprintf(want, sizeof(want), "%s/b", top);
	CHECK(fd >= 0 && strcmp(fd_names(fd, buf, sizeof(buf)), want) == 0, "reopen_mounted after a swap: %s, not %s", buf, want);
	close(fd);

	fd = resolve_found(&c, "/b", R_EXISTING, &f); /* found in the root itself: its fd is not the caller's */
	CHECK(fd >= 0 && f.dir == c.rootfd, "resolve_found /b: dir %d, root %d", f.dir, c.rootfd);
	close(fd);
	found_close(&c, &f);
	CHECK(fcntl(c.rootfd, F_GETFD) >= 0, "the root's fd was closed");
	CHECK(open_fds() == before, "resolve: %d fds open after, %d before", open_fds(), before);
	close(c.rootfd);
}

/*
 * A run of `mask`/`readonly` steps keeps the directory of the last target (a plain path: no symlink,
 * no ".."): the next target in it is opened from there (here: still the directory it was when kept,
 * although "a" was renamed meanwhile), a link's ".." still climbs from its real depth, a target
 * elsewhere or any other step drops it, and nothing else keeps one.
 */
static void test_walk_dir_kept(void)
{
	char top[300], path[400], buf[512], want[512];
	snprintf(top, sizeof(top), "%s/walkdir", rootfs);
	const char *dirs[] = { "", "/a", "/b", "/b/c" };
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		snprintf(path, sizeof(path), "%s%s", top, dirs[i]), mkdir(path, 0755);
	const char *files[] = { "/a/f", "/a/g", "/b/x", "/b/c/y" };
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", top, files[i]);
		close(open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
	}
	snprintf(path, sizeof(path), "%s/b/c/up", top);
	CHECK(symlink("../x", path) == 0, "symlink ../x");
	snprintf(path, sizeof(path), "%s/b/c/rel", top);
	CHECK(symlink("y", path) == 0, "symlink y");
	static char mask[] = "mask", mount[] = "mount";
	struct step masking = { .name = mask, .line = 1, .argc = 1, .def = -1 }, other = { .name = mount, .line = 2, .argc = 1, .def = -1 };
	struct ctx c;
	memset(&c, 0, sizeof(c));
	c.sys = &sys_fake;
	c.rootfd = open(top, O_PATH | O_DIRECTORY | O_CLOEXEC);
	int before = open_fds();
	struct stat st;

	c.cur = &other; /* not a mask: nothing kept */
	int fd = resolve_stat(&c, "/a/f", R_EXISTING, &st);
	CHECK(fd >= 0 && c.walkdir_len == 0, "walkdir: kept for a mount step (%zu)", c.walkdir_len);
	close(fd);

	c.cur = &masking;
	fd = resolve_stat(&c, "/a/f", R_EXISTING, &st);
	snprintf(want, sizeof(want), "%s/a", top);
	CHECK(fd >= 0 && c.walkdir_len == 2 && strncmp(c.walkdir, "/a", 2) == 0 &&
	      strcmp(fd_names(c.walkdir_fd, buf, sizeof(buf)), want) == 0, "walkdir: /a not kept (%zu, %s)", c.walkdir_len, buf);
	close(fd);
	char a[400], a2[400];
	snprintf(a, sizeof(a), "%s/a", top), snprintf(a2, sizeof(a2), "%s/a2", top);
	CHECK(rename(a, a2) == 0 && mkdir(a, 0755) == 0, "rename a");
	fd = resolve_stat(&c, "/a/g", R_EXISTING, &st); /* from the kept directory, now a2 */
	snprintf(want, sizeof(want), "%s/a2/g", top);
	CHECK(fd >= 0 && strcmp(fd_names(fd, buf, sizeof(buf)), want) == 0, "walkdir: /a/g is %s, not %s", buf, want);
	close(fd);

	fd = resolve_stat(&c, "/b/c/y", R_EXISTING, &st); /* elsewhere: /b/c kept instead */
	CHECK(fd >= 0 && c.walkdir_len == 4 && strncmp(c.walkdir, "/b/c", 4) == 0, "walkdir: /b/c not kept");
	close(fd);
	fd = resolve_stat(&c, "/b/c/up", R_EXISTING, &st); /* ../x from /b/c: /b/x; through a link: dropped */
	snprintf(want, sizeof(want), "%s/b/x", top);
	CHECK(fd >= 0 && strcmp(fd_names(fd, buf, sizeof(buf)), want) == 0, "walkdir: /b/c/up is %s, not %s", buf, want);
	CHECK(c.walkdir_len == 0, "walkdir: kept after a walk through a link");
	close(fd);
	fd = resolve_stat(&c, "/b/c/y", R_EXISTING, &st); /* kept again */
	close(fd);
	struct found g; /* a link to a name in the kept directory: that fd becomes the caller's */
	int kept = c.walkdir_fd;
	fd = resolve_found(&c, "/b/c/rel", R_EXISTING, &g);
	CHECK(fd >= 0 && g.dir == kept && c.walkdir_len == 0 && strcmp(g.name, "y") == 0, "walkdir: rel: dir %d kept %d (%zu)",
	      g.dir, kept, c.walkdir_len);
	close(fd);
	found_close(&c, &g);
	CHECK(fcntl(kept, F_GETFD) < 0, "walkdir: the directory handed over was not closed by found_close");
	fd = resolve_stat(&c, "/b/c/y", R_EXISTING, &st);
	close(fd);
	struct found f; /* readonly's walk: the kept directory is the found one, not closed with it */
	fd = resolve_found(&c, "/b/c/y", R_EXISTING, &f);
	CHECK(fd >= 0 && f.dir == c.walkdir_fd, "walkdir: found dir %d, kept %d", f.dir, c.walkdir_fd);
	close(fd);
	fd = reopen_mounted(&c, "/b/c/y", &f);
	CHECK(fd >= 0 && c.walkdir_len == 4 && fcntl(c.walkdir_fd, F_GETFD) >= 0, "walkdir: reopen closed the kept directory");
	close(fd);
	fd = resolve_stat(&c, "/b/c", R_EXISTING, &st); /* the kept directory itself is a target: /b kept instead */
	CHECK(fd >= 0 && c.walkdir_len == 2 && strncmp(c.walkdir, "/b", 2) == 0, "walkdir: /b/c kept over its own mount");
	close(fd);
	fd = resolve_stat(&c, "/b/c/../x", R_EXISTING, &st); /* not plain: nothing kept */
	CHECK(fd >= 0 && c.walkdir_len == 0, "walkdir: kept for a path with ..");
	close(fd);
	fd = resolve_stat(&c, "/b/x", R_EXISTING, &st);
	CHECK(fd >= 0 && c.walkdir_len == 2, "walkdir: /b not kept");
	close(fd);
	resolve_forget(&c); /* what run_steps does before any other step */
	CHECK(c.walkdir_len == 0 && open_fds() == before, "walkdir: %d fds open after, %d before", open_fds(), before);
	close(c.rootfd);
}

/* Joining: the namespace files are opened by the launcher before clone (the child
 * may no longer reach them once it is in a new user or mount namespace). */
static void test_join_namespaces(void)
{
	char *calls, *err;
	int status = launch("haco-launch 1\n"
	                    "spawn -\n"
	                    "release\n"
	                    "setns net /run/netns/web\n"
	                    "setns uts /proc/1/ns/uts\n"
	                    "exec /bin/true\n",
	                    NULL, 0, &calls, &err);
	CHECK(status == 0, "join: status %d, stderr: %s", status, err);
	check_calls("join", calls,
	            "clone 0\n"
	            "setns /run/netns/web CLONE_NEWNET\n"
	            "setns /proc/1/ns/uts CLONE_NEWUTS\n"
	            "execvp /bin/true\n");
	free(calls), free(err);
}

/* cgroup v1: the child is born in its cgroups. The launcher opens its own cgroups'
 * tasks files (from /proc/self/cgroup: the fake's pids:/user.slice and
 * cpu,cpuacct:/), moves itself into each container cgroup (0 into tasks), clones
 * the child (its own), and moves back: no cgroup.procs write, no helper fork. */
#define V1P "/sys/fs/cgroup/pids/haco/t1"
#define V1C "/sys/fs/cgroup/cpuacct/haco/t1"
#define V1P_HOME "/sys/fs/cgroup/pids/user.slice/tasks"
#define V1C_HOME "/sys/fs/cgroup/cpuacct/tasks"
static const char V1_SPEC[] = "haco-launch 1\n"
	"name t1\n"
	"cleanup-cgroup " V1P "\n"
	"cleanup-cgroup " V1C "\n"
	"cgroup-mkdir " V1P "\n"
	"cgroup-mkdir " V1C "\n"
	"spawn-cgroup " V1P " /sys/fs/cgroup/pids pids\n"
	"spawn-cgroup " V1C " /sys/fs/cgroup/cpuacct cpuacct\n"
	"spawn mount,pid\n"
	"release\n"
	"exec /bin/true\n";

static void test_spawn_cgroup_v1(void)
{
	char *calls, *err;
	int status = launch(V1_SPEC, NULL, 0, &calls, &err);
	CHECK(status == 0, "spawn-cgroup: status %d, stderr: %s", status, err);
	check_calls("spawn-cgroup", calls,
	            "mkdir " V1P " 0755\n"
	            "mkdir " V1C " 0755\n"
	            "write " V1P "/tasks 0\n"
	            "write " V1C "/tasks 0\n"
	            "clone CLONE_NEWNS|CLONE_NEWPID\n"
	            "write " V1P_HOME " 0\n"
	            "write " V1C_HOME " 0\n"
	            "execvp /bin/true\n"
	            "rmdir " V1C "\n"
	            "rmdir " V1P "\n");
	free(calls), free(err);

	/* The launcher cannot enter the second cgroup: it returns from the first, no clone,
	 * the step and path are named, the cgroups go. */
	status = launch(V1_SPEC, "write " V1C "/tasks", ENOENT, &calls, &err);
	CHECK(status == 125, "spawn-cgroup fails: status %d", status);
	check_calls("spawn-cgroup fails", calls,
	            "mkdir " V1P " 0755\n"
	            "mkdir " V1C " 0755\n"
	            "write " V1P "/tasks 0\n"
	            "write " V1C "/tasks 0 = FAIL\n"
	            "write " V1P_HOME " 0\n"
	            "rmdir " V1C "\n"
	            "rmdir " V1P "\n");
	CHECK(strcmp(err, "haco-launch: spawn-cgroup " V1C ": move into " V1C "/tasks: ENOENT (No such file or directory)\n") == 0,
	      "spawn-cgroup fails: stderr: %s", err);
	free(calls), free(err);

	/* Its own cgroup cannot be opened: nothing is moved. */
	status = launch(V1_SPEC, "open " V1C_HOME, EACCES, &calls, &err);
	CHECK(status == 125, "spawn-cgroup home fails: status %d", status);
	check_calls("spawn-cgroup home fails", calls,
	            "mkdir " V1P " 0755\n"
	            "mkdir " V1C " 0755\n"
	            "open " V1C_HOME " = FAIL\n"
	            "rmdir " V1C "\n"
	            "rmdir " V1P "\n");
	CHECK(strstr(err, "haco-launch: spawn-cgroup " V1C ": open /sys/fs/cgroup/cpuacct//tasks") == NULL &&
	      strstr(err, "haco-launch: spawn-cgroup " V1C ": open /sys/fs/cgroup/cpuacct/tasks") == err,
	      "spawn-cgroup home fails: stderr: %s", err);
	free(calls), free(err);

	/* No line of /proc/self/cgroup has the controller: refused before any move. */
	status = launch("haco-launch 1\n"
	                "cgroup-mkdir " V1P "\n"
	                "spawn-cgroup " V1P " /sys/fs/cgroup/pids nosuch\n"
	                "spawn mount\n"
	                "release\n"
	                "exec /bin/true\n",
	                NULL, 0, &calls, &err);
	CHECK(status == 125, "spawn-cgroup unknown controller: status %d", status);
	check_calls("spawn-cgroup unknown controller", calls, "mkdir " V1P " 0755\n");
	CHECK(strstr(err, "haco-launch: spawn-cgroup " V1P ": /proc/self/cgroup has no hierarchy with the controller nosuch") == err,
	      "spawn-cgroup unknown controller: stderr: %s", err);
	free(calls), free(err);

	/* The launcher's own cgroup is outside its cgroup namespace: refused before any move, saying so. */
	status = launch("haco-launch 1\n"
	                "cgroup-mkdir " V1P "\n"
	                "spawn-cgroup " V1P " /sys/fs/cgroup/freezer freezer\n"
	                "spawn mount\n"
	                "release\n"
	                "exec /bin/true\n",
	                NULL, 0, &calls, &err);
	CHECK(status == 125, "spawn-cgroup outside the namespace: status %d", status);
	check_calls("spawn-cgroup outside the namespace", calls, "mkdir " V1P " 0755\n");
	CHECK(strstr(err, "haco-launch: spawn-cgroup " V1P ": the launcher's own cgroup (/../outside in /proc/self/cgroup) lies outside its cgroup namespace") == err,
	      "spawn-cgroup outside the namespace: stderr: %s", err);
	free(calls), free(err);

	/* The clone fails: the launcher still returns, the spawn step reports it. */
	status = launch(V1_SPEC, "clone CLONE_NEWNS", ENOSPC, &calls, &err);
	CHECK(status == 125, "spawn-cgroup clone fails: status %d", status);
	check_calls("spawn-cgroup clone fails", calls,
	            "mkdir " V1P " 0755\n"
	            "mkdir " V1C " 0755\n"
	            "write " V1P "/tasks 0\n"
	            "write " V1C "/tasks 0\n"
	            "clone CLONE_NEWNS|CLONE_NEWPID = FAIL\n"
	            "write " V1P_HOME " 0\n"
	            "write " V1C_HOME " 0\n"
	            "rmdir " V1C "\n"
	            "rmdir " V1P "\n");
	CHECK(strstr(err, "haco-launch: spawn mount,pid: ENOSPC") == err, "spawn-cgroup clone fails: stderr: %s", err);
	free(calls), free(err);

	/* It cannot return: the child is killed, the launch fails naming the cgroup. */
	status = launch(V1_SPEC, "write " V1C_HOME, EINVAL, &calls, &err);
	CHECK(status == 125, "spawn-cgroup return fails: status %d", status);
	CHECK(strstr(err, "haco-launch: spawn-cgroup " V1C ": return to " V1C_HOME ": EINVAL") == err, "spawn-cgroup return fails: stderr: %s", err);
	CHECK(strstr(calls, "execvp") == NULL, "spawn-cgroup return fails: the child ran: %s", calls);
	free(calls), free(err);
}

/* Consecutive cgroup-write steps to one file share one open; each value is its own
 * write. Another file between them opens it again; a failing write names its own
 * step, path and errno, and the rest is not written. */
#define DEV "/sys/fs/cgroup/devices/haco/t1"
static const char WRITES_SPEC[] = "haco-launch 1\n"
	"cleanup-cgroup " DEV "\n"
	"cgroup-mkdir " DEV "\n"
	"cgroup-write " DEV "/devices.deny a\n"
	"cgroup-write " DEV "/devices.allow c%201:3%20rwm\n"
	"cgroup-write " DEV "/devices.allow c%201:5%20rwm\n"
	"cgroup-write " DEV "/devices.allow c%205:0%20rwm\n"
	"cgroup-write " DEV "/notify_on_release 0\n"
	"cgroup-write " DEV "/devices.allow c%201:9%20rwm\n"
	"spawn mount\n"
	"release\n"
	"exec /bin/true\n";

static void test_cgroup_write_batch(void)
{
	char *calls, *err;
	trace_opens = DEV;
	int status = launch(WRITES_SPEC, NULL, 0, &calls, &err);
	CHECK(status == 0, "cgroup-write batch: status %d, stderr: %s", status, err);
	check_calls("cgroup-write batch", calls,
	            "mkdir " DEV " 0755\n"
	            "open " DEV "/devices.deny\n"
	            "write " DEV "/devices.deny a\n"
	            "open " DEV "/devices.allow\n"
	            "write " DEV "/devices.allow c 1:3 rwm\n"
	            "write " DEV "/devices.allow c 1:5 rwm\n"
	            "write " DEV "/devices.allow c 5:0 rwm\n"
	            "open " DEV "/notify_on_release\n"
	            "write " DEV "/notify_on_release 0\n"
	            "open " DEV "/devices.allow\n"
	            "write " DEV "/devices.allow c 1:9 rwm\n"
	            "clone CLONE_NEWNS\n"
	            "execvp /bin/true\n"
	            "rmdir " DEV "\n");
	free(calls), free(err);

	status = launch(WRITES_SPEC, "write " DEV "/devices.allow c 1:5", EINVAL, &calls, &err);
	CHECK(status == 125, "cgroup-write batch fails: status %d", status);
	check_calls("cgroup-write batch fails", calls,
	            "mkdir " DEV " 0755\n"
	            "open " DEV "/devices.deny\n"
	            "write " DEV "/devices.deny a\n"
	            "open " DEV "/devices.allow\n"
	            "write " DEV "/devices.allow c 1:3 rwm\n"
	            "write " DEV "/devices.allow c 1:5 rwm = FAIL\n"
	            "rmdir " DEV "\n");
	CHECK(strcmp(err, "haco-launch: cgroup-write " DEV "/devices.allow c 1:5 rwm: EINVAL (Invalid argument)\n") == 0,
	      "cgroup-write batch fails: stderr: %s", err);
	free(calls), free(err);
	trace_opens = NULL;
}

/* The device allow-list: a BPF program loaded, then attached to the container's cgroup, before spawn. */
static void test_devices(void)
{
	char *calls, *err;
	int status = launch("haco-launch 1\n"
	                    "cleanup-cgroup " CG "\n"
	                    "cgroup-mkdir " CG "\n"
	                    "cgroup-devices " CG " c:1:3:rwm,c:1:5:rwm\n"
	                    "spawn - " CG "\n"
	                    "release\n"
	                    "exec /bin/true\n",
	                    NULL, 0, &calls, &err);
	CHECK(status == 0, "devices: status %d, stderr: %s", status, err);
	check_calls("devices", calls,
	            "mkdir " CG " 0755\n"
	            "bpf BPF_PROG_LOAD CGROUP_DEVICE\n"
	            "bpf BPF_PROG_ATTACH " CG "\n"
	            "clone3 CLONE_INTO_CGROUP cgroup=" CG "\n"
	            "execvp /bin/true\n"
	            "rmdir " CG "\n");
	free(calls), free(err);
}

/* OCI linux.devices and process.oomScoreAdj: the OOM score is written from the host
 * side while the child waits; the nodes are made under the new root before the
 * switch (mknod, then chmod: the umask cut the mode, then chown), a FIFO without
 * numbers; a failing mknod stops the launch with the path, the type and errno. */
static void test_device_nodes(void)
{
	char *calls, *err;
	const char *spec = "haco-launch 1\n"
	                   "spawn mount\n"
	                   "oom-score-adj -17\n"
	                   "release\n"
	                   "bind-root ROOT\n"
	                   "mknod /dev/net/tun c 10 200 0666 0 0\n"
	                   "mknod /dev/fifo1 p 8 666 0640 1000 1001\n"
	                   "pivot-root ROOT\n"
	                   "exec /bin/true\n";
	int status = launch(spec, NULL, 0, &calls, &err);
	CHECK(status == 0, "device nodes: status %d, stderr: %s", status, err);
	check_calls("device nodes", calls,
	            "clone CLONE_NEWNS\n"
	            "write /proc/PID/oom_score_adj -17\n"
	            "mount ROOT ROOT NULL BIND|REC NULL\n"
	            "mknod ROOT/dev/net/tun c 0666 10:200\n"
	            "chmod ROOT/dev/net/tun 0666\n"
	            "chown ROOT/dev/net/tun 0:0\n"
	            "mknod ROOT/dev/fifo1 p 0640 0:0\n"
	            "chmod ROOT/dev/fifo1 0640\n"
	            "chown ROOT/dev/fifo1 1000:1001\n"
	            "chdir ROOT\n"
	            "pivot_root . .\n"
	            "umount2 . DETACH\n"
	            "chdir /\n"
	            "execvp /bin/true\n");
	free(calls), free(err);
	status = launch(spec, "mknod ROOT/dev/net/tun", EPERM, &calls, &err);
	CHECK(status == 125, "mknod fails: status %d", status);
	CHECK(strcmp(err, "haco-launch: mknod /dev/net/tun (c 10:200): EPERM (Operation not permitted)\n") == 0, "mknod fails: stderr: %s", err);
	free(calls), free(err);
}

/* restart on-failure 2: the whole launch (phase 1 included) runs three times, the
 * cleanup once, after the last exit, whose status is the launcher's. */
static void test_restart(void)
{
	char *calls, *err, want[4096];
	exit_status = 3;
	int status = launch("haco-launch 1\n"
	                    "restart on-failure 2 0\n"
	                    "cleanup-cgroup " CG "\n"
	                    "cgroup-mkdir " CG "\n"
	                    "spawn pid " CG "\n"
	                    "release\n"
	                    "exec /bin/false\n",
	                    NULL, 0, &calls, &err);
	exit_status = 0;
	CHECK(status == 3, "restart: status %d, stderr: %s", status, err);
	const char *run = "mkdir " CG " 0755\n"
	                  "clone3 CLONE_NEWPID|CLONE_INTO_CGROUP cgroup=" CG "\n"
	                  "execvp /bin/false\n";
	snprintf(want, sizeof(want), "%s%s%srmdir " CG "\n", run, run, run);
	check_calls("restart", calls, want);
	CHECK(strstr(err, "restart 1 after exit status 3") && strstr(err, "restart 2 after exit status 3"), "restart: stderr: %s", err);
	free(calls), free(err);
}

/* The supervisor is killed (kill -9) while the container runs: its watcher sees the
 * pipe close and removes the cgroup in its place. */
static void test_supervisor_killed(void)
{
	char *calls = NULL, *err;
	exit_status = FAKE_KILL_LAUNCHER;
	int status = launch("haco-launch 1\n"
	                    "cleanup-cgroup " CG "\n"
	                    "cgroup-mkdir " CG "\n"
	                    "spawn - " CG "\n"
	                    "release\n"
	                    "exec /bin/sleep 1000\n",
	                    NULL, 0, &calls, &err);
	exit_status = 0;
	CHECK(status == 128 + SIGKILL, "supervisor killed: status %d", status);
	/* The watcher was the launcher's child: it works on, reparented. */
	for (int i = 0; i < 100 && !strstr(calls, "rmdir"); i++) {
		usleep(50 * 1000);
		free(calls);
		calls = slurp(log_path);
	}
	check_calls("supervisor killed", calls,
	            "mkdir " CG " 0755\n"
	            "clone3 CLONE_INTO_CGROUP cgroup=" CG "\n"
	            "execvp /bin/sleep 1000\n"
	            "rmdir " CG "\n");
	free(err);
	err = slurp(err_path); /* the watcher's warning comes after the launcher's death */
	CHECK(strstr(err, "is gone: cleaning up after it") != NULL, "supervisor killed: stderr: %s", err);
	free(calls), free(err);
}

/* The hook points in launch order: phase 1 (setup first, beforeStart last), phase 2
 * (afterSpawn, afterNetworkCreated), phase 3 in the child (afterSpawnChild first,
 * beforeChroot/afterChroot around the root switch, beforeExec right before exec),
 * then the supervisor's own points: afterStart once the command runs, beforeCleanup
 * before the cgroup is removed, afterExit (cleanup-cmd) after. Each hook appends
 * "hook POINT" to the calls log, so the kernel calls and the hooks interleave. */
static void test_hook_points(void)
{
	char spec[8192], want[8192], *calls, *err, h[1][320];
	snprintf(h[0], sizeof(h[0]), "/bin/sh -c echo%%20hook%%20$HACO_POINT%%20>>%s", log_path);
	snprintf(spec, sizeof(spec),
	         "haco-launch 1\n"
	         "name t1\n"
	         "cleanup-cgroup " CG "\n"
	         "hook-timeout 5000\n"
	         "point-cmd afterStart %s\n"
	         "point-cmd beforeCleanup %s\n"
	         "cleanup-cmd /bin/sh -c echo%%20hook%%20afterExit%%20>>%s\n"
	         "hook-at setup %s\n"
	         "cgroup-mkdir " CG "\n"
	         "hook-at beforeStart %s\n"
	         "spawn mount " CG "\n"
	         "hook-at afterSpawn %s\n"
	         "hook-at afterNetworkCreated %s\n"
	         "release\n"
	         "hook-at afterSpawnChild %s\n"
	         "propagation / rprivate\n"
	         "bind-root ROOT\n"
	         "hook-at beforeChroot %s\n"
	         "pivot-root ROOT\n"
	         "hook-at afterChroot %s\n"
	         "hook-at beforeExec %s\n"
	         "exec /bin/true\n",
	         h[0], h[0], log_path, h[0], h[0], h[0], h[0], h[0], h[0], h[0], h[0]);
	int status = launch(spec, NULL, 0, &calls, &err);
	CHECK(status == 0, "hook points: status %d, stderr: %s", status, err);
	snprintf(want, sizeof(want),
	         "hook setup\n"
	         "mkdir " CG " 0755\n"
	         "hook beforeStart\n"
	         "clone3 CLONE_NEWNS|CLONE_INTO_CGROUP cgroup=" CG "\n"
	         "hook afterSpawn\n"
	         "hook afterNetworkCreated\n"
	         "hook afterSpawnChild\n"
	         "mount NULL / NULL REC|PRIVATE NULL\n"
	         "mount ROOT ROOT NULL BIND|REC NULL\n"
	         "hook beforeChroot\n"
	         "chdir ROOT\n"
	         "pivot_root . .\n"
	         "umount2 . DETACH\n"
	         "chdir /\n"
	         "hook afterChroot\n"
	         "hook beforeExec\n"
	         "execvp /bin/true\n"
	         "hook afterStart\n"
	         "hook beforeCleanup\n"
	         "rmdir " CG "\n"
	         "hook afterExit\n");
	check_calls("hook points", calls, want);
	free(calls), free(err);
}

/* A hook past its time limit: its process group is killed, the step fails with
 * ETIMEDOUT (step, command, limit in the message), and the launch is cleaned up. */
static void test_hook_timeout(void)
{
	char *calls, *err;
	int status = launch("haco-launch 1\n"
	                    "name t1\n"
	                    "cleanup-cgroup " CG "\n"
	                    "hook-timeout 100\n"
	                    "cgroup-mkdir " CG "\n"
	                    "hook-at beforeStart /bin/sh -c sleep%205%20&%20sleep%205\n"
	                    "spawn - " CG "\n"
	                    "release\n"
	                    "exec /bin/true\n",
	                    NULL, 0, &calls, &err);
	CHECK(status == 125, "hook timeout: status %d, stderr: %s", status, err);
	check_calls("hook timeout", calls, "mkdir " CG " 0755\nrmdir " CG "\n");
	CHECK(strstr(err, "hook-at") && strstr(err, "killed after 100 ms") && strstr(err, "ETIMEDOUT"), "hook timeout: stderr: %s", err);
	free(calls), free(err);
}

/* `console-socket`: the master goes to the engine's socket as SCM_RIGHTS, with the
 * ptmx's name as payload, and our copy is closed; a refused connect names the step,
 * the path and the errno, and keeps the master (the launch fails and closes it). */
static void test_console_socket(void)
{
	static char text[] = "haco-launch 1\nconsole-socket /run/engine/console.sock\npty /dev/pts/ptmx 0 0 no-stdin\n";
	char perr[256];
	struct spec sp;
	CHECK(spec_parse(strdup(text), strlen(text), &sp, perr, sizeof(perr)) == 0, "console socket: spec: %s", perr);
	for (int round = 0; round < 2; round++) {
		struct ctx c;
		memset(&c, 0, sizeof(c));
		c.sys = &sys_fake;
		c.spec = &sp;
		c.msgfd = 2;
		c.console_socket = "/run/engine/console.sock";
		int p[2];
		CHECK(pipe(p) == 0, "console socket: pipe");
		c.pty_master = p[0];
		unlink(log_path);
		fake_setup(log_path, rootfs);
		if (round == 1)
			fake_fail("connect", ENOENT);
		int rc = pty_send_console(&c);
		char *calls = slurp(log_path);
		if (round == 0) {
			CHECK(rc == 0, "console socket: rc %d: %s", rc, c.fail.msg);
			check_calls("console socket", calls,
			            "socket AF_UNIX SOCK_STREAM\n"
			            "connect socket /run/engine/console.sock\n"
			            "sendmsg socket \"/dev/pts/ptmx\" SCM_RIGHTS [1 fd]\n");
			CHECK(c.pty_master == -1 && fcntl(p[0], F_GETFD) < 0, "console socket: our copy of the master is still open");
		} else {
			CHECK(rc == -1 && c.fail.err == ENOENT && strcmp(c.fail.step, "console-socket") == 0 &&
			      strstr(c.fail.msg, "/run/engine/console.sock"),
			      "console socket refused: rc %d err %d step %s msg %s", rc, c.fail.err, c.fail.step, c.fail.msg);
			check_calls("console socket refused", calls, "socket AF_UNIX SOCK_STREAM\nconnect socket /run/engine/console.sock = FAIL\n");
			CHECK(c.pty_master == p[0], "console socket refused: the master was dropped");
			close(p[0]);
		}
		close(p[1]);
		free(calls);
	}
	spec_free(&sp);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(rootfs, sizeof(rootfs), "%s/rootfs", dir);
	snprintf(log_path, sizeof(log_path), "%s/calls", dir);
	snprintf(err_path, sizeof(err_path), "%s/stderr", dir);
	snprintf(spec_path, sizeof(spec_path), "%s/spec", dir);
	mkdir(rootfs, 0755);
	mkdir(strcat(strcpy((char[300]){ 0 }, rootfs), "/secret"), 0755);

	test_typical_launch();
	test_capability_order();
	test_seccomp_prepared();
	test_seccomp_tree();
	test_seccomp_prepared_encoded();
	test_deferred_lines();
	test_user_namespace();
	test_idmap_mount();
	test_fuse_overlay();
	test_join_namespaces();
	test_spawn_cgroup_v1();
	test_cgroup_write_batch();
	test_devices();
	test_device_nodes();
	test_restart();
	test_supervisor_killed();
	test_hook_points();
	test_hook_timeout();
	test_mount_fails();
	test_readonly_paths();
	test_setgroups();
	test_cgroup_write_fails();
	test_spawn_fails();
	test_exec_fails();
	test_overlay_options();
	test_wire_fails_cleanup_order();
	test_bounding_drop_fails();
	test_capability_calls();
	test_bounding_without_setpcap();
	test_resolve_found();
	test_walk_dir_kept();
	test_console_socket();
	test_apparmor_exec();

	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("could not remove %s\n", dir);
	printf("%d passed, %d failed   (launch_test)\n", passed, failed);
	return failed != 0;
}
