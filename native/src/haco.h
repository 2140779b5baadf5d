/*
 * haco-launch: executes a launch spec (docs/launch-spec.md) step by step.
 *
 * This header is the only thing the source files share: the parsed spec, the
 * launch context passed to every step, and the helpers for tracing and errors.
 * Read docs/launch-sequence.md for *why* the steps come in the order they do.
 */
#ifndef HACO_H
#define HACO_H

#define _GNU_SOURCE
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h> /* struct stat in struct found (resolve.c) */
#include <sys/types.h>
#include <termios.h>

struct statfs; /* sys->statfs, <sys/statfs.h> */

/* ---- spec.c: the line format ------------------------------------------ */

struct step {
	const char *name; /* first field, e.g. "mount" */
	int line;         /* 1-based line number in the spec, for messages */
	int argc;         /* number of fields after the name */
	char **argv;      /* the decoded fields after the name (NULL-terminated); for a deferred
	                   * line NULL until step_args() */
	char *raw;        /* deferred lines (hint, seccomp, seccomp-rule): the fields after the
	                   * name as read, still encoded; NULL for the others */
	int def;          /* main.c: its row in the step table once the line is checked, else -1 */
};

struct spec {
	struct step *steps;
	size_t n;
	char *buf; /* the text, decoded in place; steps point into it */
};

/* Decode one percent-encoded field in place. Returns 0, or -1 on a bad escape. */
int percent_decode(char *field);
/* Parse a whole spec held in buf (which it takes over and modifies).
 * On error returns -1 and writes a message into err. */
int spec_parse(char *buf, size_t len, struct spec *out, char *err, size_t errlen);
void spec_free(struct spec *s);
/* Whether a step's NAME is WANT. Most loops look for one step among a spec's hundreds of lines
 * (seccomp rules, hints): the first letter tells almost all of them apart without a call. */
static inline int name_is(const char *name, const char *want)
{
	return name[0] == want[0] && strcmp(name, want) == 0;
}
/* A step's decoded fields: argv, decoding a deferred line on first use (spec.c says
 * why some wait). NULL only when out of memory. */
char **step_args(struct step *s);
/* Split a comma list field into a NULL-terminated array ("-" = empty list).
 * One free() releases it. Returns the count, or -1 (ENOMEM). */
int split_list(const char *field, char ***out);

/* ---- sys.c: the system calls that change the kernel's state ------------------ */

/*
 * Every call a step makes to change namespaces, mounts, cgroups, credentials,
 * capabilities or limits goes through c->sys, so the unit tests can put a
 * recording fake in its place (test/fake_sys.c) and check the order of a launch
 * without root. sys_real calls the kernel. Direct calls remain for read-only
 * look-ups (stat, readlink, resolve.c's walk under the rootfs), process plumbing
 * (pipes, fork of hooks, waitpid, signals, PDEATHSIG), the terminal (pty.c, its
 * fds travel over a socket) and the launcher's own files (state.c, log.c).
 * Arguments are those of the man pages.
 */
struct clone_args;
struct rlimit;
struct __user_cap_header_struct;
struct __user_cap_data_struct;
struct mount_attr; /* <sys/mount.h> */
struct sys {
	long (*clone)(unsigned long flags); /* raw clone(2) without a new stack: returns twice, like fork */
	long (*clone3)(struct clone_args *args, size_t size);
	int (*unshare)(int flags);
	int (*setns)(int fd, int nstype);
	int (*mount)(const char *src, const char *target, const char *fstype, unsigned long flags, const void *data);
	int (*umount2)(const char *target, int flags);
	int (*statfs)(const char *path, struct statfs *buf);
	int (*pivot_root)(const char *new_root, const char *put_old);
	int (*chroot)(const char *path);
	int (*chdir)(const char *path);
	int (*open)(const char *path, int flags, mode_t mode);
	ssize_t (*write)(int fd, const void *buf, size_t len);
	ssize_t (*read)(int fd, void *buf, size_t len); /* for fds from sys->open: /proc/self/cgroup (cgroup_move.c) */
	int (*close)(int fd); /* for fds from sys->open */
	int (*flock)(int fd, int op);
	int (*mkdir)(const char *path, mode_t mode);
	int (*rmdir)(const char *path);
	int (*symlinkat)(const char *target, int dirfd, const char *name);
	int (*mknodat)(int dirfd, const char *name, mode_t mode, dev_t dev);
	int (*fchmodat)(int dirfd, const char *name, mode_t mode);
	int (*fchownat)(int dirfd, const char *name, uid_t uid, gid_t gid); /* AT_SYMLINK_NOFOLLOW */
	int (*capget)(struct __user_cap_header_struct *hdr, struct __user_cap_data_struct *data);
	int (*capset)(struct __user_cap_header_struct *hdr, struct __user_cap_data_struct *data);
	int (*prctl)(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5);
	int (*sethostname)(const char *name, size_t len);
	int (*setrlimit)(int resource, const struct rlimit *rl);
	int (*prlimit)(pid_t pid, int resource, const struct rlimit *rl);
	int (*setgroups)(size_t n, const gid_t *groups);
	int (*setresgid)(gid_t r, gid_t e, gid_t s);
	int (*setresuid)(uid_t r, uid_t e, uid_t s);
	pid_t (*setsid)(void);
	int (*ioctl)(int fd, unsigned long request, void *arg);
	long (*bpf)(int cmd, void *attr, unsigned size);
	int (*seccomp_load)(void *filter); /* libseccomp's seccomp_load(): seccomp(2) with the built filter */
	int (*seccomp_filter)(const void *insns, size_t len); /* seccomp(2) SECCOMP_SET_MODE_FILTER, flags 0: prepared BPF */
	int (*execvp)(const char *file, char *const argv[]);
	/* the new mount API, for id-mapped mounts (idmap.c) */
	int (*open_tree)(int dfd, const char *path, unsigned int flags);
	int (*mount_setattr)(int dfd, const char *path, unsigned int flags, struct mount_attr *attr, size_t size);
	int (*move_mount)(int from_dfd, const char *from_path, int to_dfd, const char *to_path, unsigned int flags);
	/* pty.c's console socket: the engine's AF_UNIX socket the master is sent on */
	int (*socket)(int domain, int type, int protocol);
	int (*connect)(int fd, const struct sockaddr *addr, socklen_t len);
	ssize_t (*sendmsg)(int fd, const struct msghdr *msg, int flags);
};
extern const struct sys sys_real;

/* ---- the launch context -------------------------------------------------- */

/* A failure, produced by fail(). Sent as is over the error pipe by the child;
 * status FAILURE_HELD is no failure: the child waits at `wait-start`. */
enum { FAILURE_HELD = -1 };
struct failure {
	int err;          /* errno, 0 if not a system call error */
	int status;       /* exit status of the launcher: 125, 126 or 127 */
	char step[32];    /* step name, for the `hint` lookup */
	char msg[1024];   /* "mount proc on /proc" */
};

struct ctx {
	const struct sys *sys;  /* the kernel (sys_real), or a test's fake */
	struct spec *spec;
	const struct step *cur; /* the step being executed */
	int trace;              /* --trace */
	int msgfd;              /* our own copy of stderr, for messages and trace */
	const char *name;       /* from the `name` step */

	pid_t launcher;         /* our pid, before clone */
	pid_t child;            /* in the parent: the container's pid */
	int spawn_flags;     /* CLONE_NEW* of the spawn step, parsed by validate() */
	int sync_r, sync_w;     /* parent -> child: "release" */
	int err_r, err_w;       /* child -> parent: a struct failure */
	int host_stdio[3];      /* fds opened by `stdio N host`, dup2'd in the child */
	sigset_t oldmask;       /* signal mask before the launcher blocked signals */

	int rootfd;             /* O_PATH fd targets are resolved under (-1 = "/") */
	char root[4096];        /* its path, for messages */
	/* resolve.c: the directory the last `mask`/`readonly` target was found in (e.g. "/proc"), kept
	 * open while only such steps run, so the next target there is one openat (0: none) */
	size_t walkdir_len;
	int walkdir_fd;
	char walkdir[256];
	void *seccomp;          /* scmp_filter_ctx while building a filter */
	unsigned char *seccomp_bpf; /* seccomp-prepared: the filter's BPF instructions, loaded by seccomp-load */
	size_t seccomp_bpf_len;
	uint32_t seccomp_default;

	struct failure fail;

	/* Phase-3 `setns` files, opened on the host before clone (ns.c): once the child
	 * has joined a user or mount namespace, /proc/PID/ns paths may no longer open. */
	struct { const struct step *step; int fd; } preopen[16];
	int npreopen;
	int preserve_fds;       /* `preserve-fds N`: fds 3..3+N-1 reach the container */
	int fds_marked;         /* fds >= 3+N already marked close-on-exec (before seccomp-load) */

	/* ---- lifecycle (state.c, supervise.c): all optional, set by metadata steps ---- */
	const char *state_dir;  /* `state-dir`: where the state file, lock and logs live */
	int state_keep;         /* keep the state dir after the exit (detached) or remove it */
	mode_t state_mode;      /* `state-dir` MODE: the state dir's permissions */
	int lockfd;             /* flock(LOCK_EX) on STATE/lock, held for our whole life */
	int cglockfd;           /* flock(LOCK_SH) on the cgroup lock, from cgroup-lock until release */
	int cgwrite_fd;         /* cgroup-write: the file open for the next step too (same PATH), or -1 */
	const char *cgwrite_path;
	int detach;             /* --detach: daemonize, report readiness on ready_w */
	int ready_w;            /* detached: pipe to the process the caller waits for */
	int start_fd;           /* `start-fifo`: read by the child at `wait-start` (OCI "created") */
	int held;               /* the child reported wait-start: the container was "created" */
	int released;           /* ... and then the start byte (a second record): the exec follows */
	int unsupervised;       /* `supervisor-exits`: leave once the program runs (OCI runtime) */
	int pdeath_cleared;     /* the child's PDEATHSIG reset for supervisor-exits */
	int watch_w;            /* write end held only by us: the watcher sees EOF if we die */
	pid_t watcher;
	long long sup_start;    /* our start time (/proc/self/stat field 22) */
	long long child_start;  /* the container init's start time */
	long long started_at;   /* epoch seconds of the current run */
	int restarts;
	int restart_policy;     /* RESTART_NO / RESTART_ON_FAILURE / RESTART_ALWAYS */
	unsigned long long restart_max, backoff_ms;

	/* ---- pty.c: the container's terminal (a `pty` step) ---- */
	int pty_sock;           /* child's end of the socketpair the master travels on */
	int pty_sock_parent;    /* launcher's end */
	int pty_master;         /* the container's terminal, in the launcher */
	int pty_input;          /* relay our stdin (`pty-input` metadata: -i) */
	struct termios host_termios; /* the user's terminal before raw mode */
	int host_termios_saved, host_raw;
	const char *console_path; /* `console`: a detached pty's socket (pty.c) */
	const char *console_socket; /* `console-socket`: the engine's socket the master goes to (OCI) */
	const char *log_path;   /* `log`: the container's one log (log.c) */
	unsigned long long log_max;
	int log_r[2], log_w[2]; /* pipes of the container's stdout and stderr */
	unsigned long long oom_seen; /* oom_kill count after the previous run */
	unsigned long long last_oom; /* OOM kills during the last run */
	char *arg_area;         /* our argv strings, contiguous: the reaper renames itself there */
	size_t arg_len;
	sigset_t forward_set;   /* `forward-signals`: what the launcher (and the reaper) pass on */
	int forward_set_given;

	/* ---- hooks.c, events.c: hooks and the supervisor's event process ---- */
	unsigned long long hook_timeout_ms; /* `hook-timeout`: 0 = none */
	const char *point;      /* HACO_POINT of the command being run */
	pid_t events;           /* the event process of the current run (0: none) */
	/* ---- helper.c: programs that run next to the container (slirp4netns, pasta) ---- */
	pid_t helpers[4];       /* started by `helper` steps in this run; stopped when it is over */
	int nhelpers;
};

enum { RESTART_NO, RESTART_ON_FAILURE, RESTART_ALWAYS };

/* ---- error.c --------------------------------------------------------------- */

/* Record a failure of the current step (err = errno, or 0) and return -1. */
int fail(struct ctx *c, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Print "[haco] <call> = <rc>" (or "= -1 EPERM (...)") when tracing. Keeps errno. */
long traced(struct ctx *c, long rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Print "[haco] <text>" when tracing. */
void tracef(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print the failure and the first matching hint to msgfd. */
void report_failure(struct ctx *c, const struct failure *f);
/* Print a warning (used by cleanup, which must not stop). */
void warnf(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print a fact the user should know about (not a failure), e.g. an OOM kill. */
void notef(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "EPERM" for EPERM. */
const char *errno_name(int err);
/* Render FLAGS as "A|B|C" using a table; returns buf. */
struct flagname { unsigned long flag; const char *name; };
const char *flags_str(char *buf, size_t sz, const struct flagname *t, unsigned long v);
/* open + one write(2) + close, traced as write("PATH", "DATA") = 0. */
int write_file(struct ctx *c, const char *path, const char *data);
/* snprintf for anything handed to the kernel (paths, values): 0, or -1 with
 * errno ENAMETOOLONG when it did not fit. A cut path would name another file. */
int strfmt(char *buf, size_t size, const char *format, ...) __attribute__((format(printf, 3, 4)));
/* Parse an unsigned decimal number; -1 if it is not one. */
int parse_ulong(const char *s, unsigned long long *out);

/* ---- the steps: each returns 0, or -1 after fail() -------------------------- */
typedef int step_fn(struct ctx *c, char **argv, int argc);

/* ns.c */
int ns_flags(struct ctx *c, const char *kinds, int *flags); /* "mount,uts" -> CLONE_* */
const char *ns_flags_str(char *buf, size_t sz, int flags);
step_fn step_setns, step_unshare, step_timens_offset, step_setgroups, step_uid_map,
	step_gid_map, step_id_map_helper, step_persist_ns;
pid_t ns_spawn(struct ctx *c, int flags, const char *cgroup); /* fork-like clone(); 0 in the child; cgroup: CLONE_INTO_CGROUP */
int ns_preopen(struct ctx *c, size_t from, size_t to); /* open the setns files of steps [from, to) */
void ns_preopen_close(struct ctx *c);

/* resolve.c: PATH inside the current root -> O_PATH fd (or -1 and errno) */
enum resolve_mode {
	R_EXISTING, /* every component must exist */
	R_DIR,      /* create missing directories, the last one too */
	R_FILE,     /* create missing directories, the last one as an empty file */
	R_PARENT,   /* stop before the last component, return its parent (creating dirs);
	             * the last component's name is copied to `last` */
};
int resolve(struct ctx *c, const char *path, enum resolve_mode mode, char *last, size_t lastsz);
/* resolve(), and the stat of the fd (no second fstat by the caller) */
int resolve_stat(struct ctx *c, const char *path, enum resolve_mode mode, struct stat *st);
/* resolve(), keeping what reopen_mounted() needs to find the target again after a
 * mount on it without walking the whole path: the directory it is in and its name */
struct found {
	struct stat st;   /* of the fd resolve_found() returned */
	int dir;          /* -1: none (found_close() or reopen_mounted() closes it) */
	char name[256];   /* NAME_MAX + 1 */
};
int resolve_found(struct ctx *c, const char *path, enum resolve_mode mode, struct found *f);
int reopen_mounted(struct ctx *c, const char *path, struct found *f);
void found_close(struct ctx *c, struct found *f);
/* Before any step but `mask` and `readonly`: the kept directory is closed (it may change). */
void resolve_forget(struct ctx *c);

/* mount.c */
step_fn step_propagation, step_bind_root, step_overlay_root, step_mount, step_bind,
	step_mknod_bind, step_symlink, step_pivot_root, step_chroot,
	step_remount_root_ro, step_mask, step_readonly;

/* idmap.c */
step_fn step_idmap_mount;
/* devnode.c */
step_fn step_mknod, step_oom_score_adj;

/* cgroup.c */
step_fn step_cgroup_lock, step_cgroup_mkdir, step_cgroup_write, step_cgroup_join, step_cgroup_rmdir;
void cgroup_cleanup(struct ctx *c, const char *path);
/* After the container's own groups: remove the shared parents (cleanup-cgroup-parent) if no other
 * container uses them and no launch is between cgroup-lock and release. */
void cgroup_remove_parents(struct ctx *c);
/* report-oom steps: say so when the OOM killer killed processes of the container. */
void cgroup_report_oom(struct ctx *c);
/* The oom_kill counts of the report-oom files, summed (0 without any). */
unsigned long long cgroup_oom_kills(struct ctx *c);

/* cgroup_move.c: `spawn-cgroup` (v1): the launcher moves itself into the container's
 * cgroups ("0" into tasks: no migration lock), clones the child there, moves back. */
enum { CGROUP_MOVES_MAX = 16 };
struct cgroup_moves {
	int n;
	int failed, err; /* the first move back that failed, its errno */
	struct cgroup_move {
		const struct step *step;
		int in, home; /* the container's tasks file, the launcher's own (to return to) */
		char in_path[1024], home_path[1024];
	} m[CGROUP_MOVES_MAX];
};
/* Before the clone: open every tasks file, then move in. 0, or -1 (failed, back where it was). */
int cgroup_move_in(struct ctx *c, struct cgroup_moves *mv);
/* In the parent after the clone (CHILD < 0: the clone failed): move back, close. -1: the
 * launcher could not return (the child, if any, is killed and reaped). */
int cgroup_move_out(struct ctx *c, struct cgroup_moves *mv, pid_t child);
/* In the child: close the tasks files (it stays where it was born). */
void cgroup_moves_close(struct ctx *c, struct cgroup_moves *mv);

/* devices.c: the cgroup v2 device allow-list, a BPF_PROG_TYPE_CGROUP_DEVICE program */
struct dev_rule {
	char type;        /* 'c', 'b' or 'a' (any) */
	long major, minor; /* -1 = any */
	int access;       /* BPF_DEVCG_ACC_* bits */
};
enum { DEVICES_MAX_RULES = 512, DEVICES_MAX_INSNS = 8 * DEVICES_MAX_RULES + 8 };
struct bpf_insn;
/* "c:1:3:rwm,b:*:*:m" -> rules; returns the count, or -1 with a message in err. */
int devices_parse(const char *list, struct dev_rule *out, int max, char *err, size_t errlen);
/* The program allowing exactly these rules; returns its length, -1 if over max. */
int devices_program(const struct dev_rule *rules, int n, struct bpf_insn *out, int max);
/* "c 1:3 rwm" */
const char *devices_rule_str(char *buf, size_t sz, const struct dev_rule *r);
step_fn step_cgroup_devices;

/* caps.c, rlimit.c, seccomp.c, net.c */
step_fn step_caps, step_rlimit, step_prlimit, step_seccomp, step_seccomp_rule, step_seccomp_load, step_seccomp_prepared, step_lo_up;

/* proc.c */
step_fn step_stdio, step_setsid, step_no_new_privs, step_apparmor_exec, step_user, step_chdir, step_env_clear,
	step_env, step_reaper, step_exec, step_hook;
int run_command(struct ctx *c, char **argv, pid_t pid, const char *what);
/* As run_command, with HACO_EXIT_CODE set (failure-cmd). */
int run_command_status(struct ctx *c, char **argv, pid_t pid, const char *what, int status);
void forward_signals(const struct ctx *c, pid_t to, int also_sigint);
int parse_forward_signals(struct ctx *c, const char *list);
void forward_set(const struct ctx *c, sigset_t *set);
/* Set by SIGTERM/SIGINT/SIGHUP/SIGQUIT and SIGRTMIN (`haco kill`): do not restart. */
int stop_requested(void);
void watch_stop_signal(void);
/* A wait(2) status as a shell reports it: the exit code, 128+N for signal N, 125 otherwise. */
int exit_status_of(int st);
/* waitpid(pid) through EINTR; exit_status_of() its status, 125 if the wait fails. */
int wait_exit_status(pid_t pid);

/* fds.c: nothing the caller had open reaches a program the launcher starts */
/* close every fd >= first except keep (-1: none): for processes that never exec.
 * Both return how ("close_range", or the fallback taken), for --trace. */
const char *fds_close_from(int first, int keep);
/* mark every fd >= first close-on-exec: right before an exec */
const char *fds_cloexec_from(int first);
/* proc.c: fds >= 3 + preserve-fds close-on-exec, once (before seccomp-load, or at exec), traced */
void fds_mark_for_exec(struct ctx *c);
/* helper.c: `helper FD ARGV...` starts a program that lives as long as the container's run */
step_fn step_helper;
step_fn step_fuse_overlay, step_fuse_root; /* fuse.c: a layered rootfs mounted by fuse-overlayfs */
int set_root(struct ctx *c, const char *path); /* mount.c: the root later targets resolve under */
void helpers_stop(struct ctx *c); /* SIGTERM (then SIGKILL) and reap every helper of this run */
/* pty.c */
step_fn step_pty;
int pty_wanted(const struct spec *sp);
int pty_socketpair(struct ctx *c);
int pty_receive(struct ctx *c);               /* the master from the child; -1 on EOF */
void pty_copy_winsize(struct ctx *c);
void pty_save_host(struct ctx *c);
void pty_restore_host(struct ctx *c);
void pty_restore_after_death(struct ctx *c);
int pty_relay(struct ctx *c, pid_t child, int input); /* until the child exits: its status */
int pty_console(struct ctx *c, pid_t child);          /* detached: the master behind a console socket */
int pty_send_console(struct ctx *c);                  /* `console-socket`: hand the master to the engine */

/* main.c: the launcher's main(), with the system calls it is to use (entry.c passes sys_real) */
int launcher_main(int argc, char **argv, const struct sys *sys);

/* front.c: `--front node CLI ARGS...` (bin/haco): node as a child, then exec of the launch it hands over */
int front_main(int argc, char **argv);
/* front_io.c: the whole of an open fd (closed after), NUL-terminated; NULL past MAX bytes or on a read error */
char *front_read_fd(int fd, size_t max, size_t *len);
int front_write_all(int fd, const char *p, size_t n);
/* PID (decimal) is alive, not a zombie, and started at START (field 22 of /proc/PID/stat), as state/proc.ts checks */
int front_same_process(const char *pid, const char *start);
/* A spec's memory file rewound and moved to fd >= 9, above the caller's fds 3..8 that --preserve-fds may
 * pass on (-1 with errno: FD closed) */
int front_spec_ready(int fd);
/* memfd_create + the whole SPEC + front_spec_ready (-1 with errno) */
int front_spec_fd(const char *spec, size_t len);
/* -1: not the plain attach, or its prepared spec no longer holds (Node decides); else exec failed. */
int front_attach(int argc, char **argv);
/* front_warm.c: -1 when no prepared launch of this `start` holds (Node decides); else exec failed. */
int front_warm(int argc, char **argv);
/* Check a prepared-launch file's body (after its hash line) against this host; on success set *launch
 * to the decoded launcher argv (NULL-terminated, in place) and *spec to the spec text. -1: it does not hold. */
int warm_check(char *body, size_t len, const char *cwd, char **args, int nargs, char **launch, int max_launch, char **spec);
/* FNV-1a 64 of CWD and ARGS, each followed by a NUL, as 16 hex digits: the file's name. */
void warm_key(const char *cwd, char **args, int nargs, char out[17]);

/* sha256.c: FIPS 180-4 SHA-256, hex digest */
struct sha256 {
	uint32_t h[8];
	uint64_t len;
	unsigned char buf[64];
	size_t fill;
};
void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t n);
void sha256_hex(struct sha256 *s, char out[65]);
/* front_ps.c: `ps [-a] [-q]` printed as src/lifecycle/ps.ts prints it; -1: let Node answer */
int front_ps(int argc, char **argv);

/* log.c */
int log_pipes(struct ctx *c);
int log_child(struct ctx *c);
void log_close_pipes(struct ctx *c, int read_ends);
int log_relay(struct ctx *c, pid_t child);
void log_output(struct ctx *c, int stream, const char *buf, size_t len);
void log_event(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* state.c: the state directory (docs/lifecycle.md). The lifecycle steps are metadata
 * (state-dir, state-file, state-meta, restart, hook-env, failure-cmd): read, not run. */
/* Parse an octal mode field (<= 07777); -1 if it is not one. */
int parse_mode(const char *s, mode_t *out);
/* Create PATH (its parent must exist) or check it: a real directory owned by us, chmod to MODE. */
int host_dir(struct ctx *c, const char *path, mode_t mode);
/* Apply the `host-dir` steps, in order; -1 after fail(). */
int host_dirs(struct ctx *c);
/* Create (host_dir) the state dir and take its lock; -1 after fail() (EAGAIN: another supervisor). */
int state_lock(struct ctx *c);
/* Atomically (temp + rename) write STATE/state. exit_code < 0: none yet. */
int state_write(struct ctx *c, const char *status, int exit_code, const char *reason);
/* Remove every file of the state dir, then the dir (foreground exit, failed first start). */
void state_remove(struct ctx *c);
/* Field 22 of /proc/PID/stat (start time in clock ticks since boot), -1 if gone. */
long long proc_start_time(pid_t pid);
/* Apply the `state-file` steps (after the lock is held). */
int state_files(struct ctx *c);

/* hooks.c: the hook points and the time limit of every command (run_command_status waits here) */
step_fn step_hook_at;
int hooks_wait(struct ctx *c, pid_t p, int *st, const char *what, const char *cmd);
/* `point-cmd POINT ...` steps of one point, in order; failures reported, not fatal. status >= 0: HACO_EXIT_CODE. */
void hooks_run_point(struct ctx *c, const char *point, int status);

/* events.c: the supervisor's event process (timers, readiness, cgroup events, signal handlers) */
/* Install the relay of the `on-signal` signals (before the first launch). */
void events_signals(struct ctx *c);
/* After a launch: fork the event process when the spec asks for one. */
int events_start(struct ctx *c);
/* After the run: SIGTERM to it, waited; its readiness record removed. */
void events_stop(struct ctx *c);
/* In the event process: a SIGTERM is pending (a hook being waited for is killed). */
int hooks_abort_requested(void);

/* state.c: DIR/NAME written through a temp file + rename(2) */
int write_atomic(struct ctx *c, const char *name, const char *data, size_t len);

/* supervise.c: detach, readiness, the cleanup watcher, restart decisions */
int supervise_detach(struct ctx *c);          /* returns in the supervisor only */
void supervise_ready(struct ctx *c, const struct failure *f, int status);
/* `start-fifo FIFO` + `wait-start` (OCI "created"): the child holds before exec until `haco runtime start` writes. */
step_fn step_start_fifo, step_wait_start;
/* supervisor-exits: the child clears its parent-death signal before the exec; -1 after fail(). */
int supervise_outlive_launcher(struct ctx *c);
int supervise_watcher(struct ctx *c, void (*cleanup)(struct ctx *));
void supervise_watcher_done(struct ctx *c);
int supervise_should_restart(struct ctx *c, int status);
void supervise_backoff(struct ctx *c);
/* Kill whatever is left in the container's cgroups (cleanup-cgroup paths), wait until empty. */
void supervise_drain_cgroups(struct ctx *c, int max_ms);

#endif
