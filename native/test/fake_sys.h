/*
 * fake_sys.h: a recording stand-in for sys_real (src/sys.c). Every call is
 * appended as one line to a log file, in the order the launcher makes it, by
 * the launcher and by its child alike (the fake clone forks for real, and the
 * log is opened O_APPEND for each line). Nothing reaches the kernel, so no
 * root is needed. Paths under the test's rootfs are shown as ROOT, the child's
 * pid as PID.
 */
#ifndef HACO_FAKE_SYS_H
#define HACO_FAKE_SYS_H

#include "haco.h"

extern const struct sys sys_fake;

/* Where the lines go, and what to show as ROOT. */
void fake_setup(const char *log_path, const char *root);
/* Also record opens (to read or write) of paths starting with PREFIX, as "open PATH"
 * (reset by fake_setup; "open PATH" given to fake_fail records and fails that one). */
void fake_trace_opens(const char *prefix);
/* Make the first call whose line starts with PREFIX fail with ERR. */
void fake_fail(const char *prefix, int err);
/* The exit status of the "program" a successful fake exec runs (0 unless set).
 * FAKE_KILL_LAUNCHER: the program SIGKILLs the launcher (its parent) instead. */
enum { FAKE_KILL_LAUNCHER = -1 };
void fake_exit_status(int status);
/* The bounding set the fake kernel starts with (every capability 0-40 unless set here), and whether
 * the process holds CAP_SETPCAP: without it every PR_CAPBSET_DROP fails with EPERM, as in the kernel. */
void fake_bounding(unsigned long long set, int setpcap);
/* Also record the questions that change nothing (PR_CAPBSET_READ, opening a fake_file to read), to
 * count the calls a step makes. */
void fake_record_questions(int on);
/* sys->open of PATH to read gives a real fd with CONTENT (NULL: none; one such file). */
void fake_file(const char *path, const char *content);

#endif
