/*
 * caps.c: capabilities (man 7 capabilities). Five sets, set in this order:
 *   1. bounding: prctl(PR_CAPBSET_DROP) for every capability not listed. It
 *      needs CAP_SETPCAP, so it must happen before capset() removes that.
 *      Dropping one that is already out of the set changes nothing, so the
 *      set is only read (PR_CAPBSET_READ, one call per capability) for the
 *      trace's list, or when a drop is refused (then it was no drop at all).
 *   2. effective, permitted, inheritable: one capset(2) call (v3 header: two
 *      32-bit words per set, for capabilities 0..63).
 *   3. ambient: PR_CAP_AMBIENT_RAISE; the kernel only allows capabilities
 *      that are already permitted *and* inheritable, hence last. Ambient is
 *      what lets a non-root uid keep a capability across execve().
 */
#include "haco.h"

#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

/* The highest capability this kernel knows: PR_CAPBSET_READ fails (EINVAL) after
 * it and works up to it, so a binary search over 0..63 finds it in 6 calls
 * (one per capability would be 41 on Linux 5.9+). */
static int last_cap(struct ctx *c)
{
	int lo = 0, hi = 63; /* capability 0 always exists; lo stays a known one */
	while (lo < hi) {
		int mid = lo + (hi - lo + 1) / 2;
		if (c->sys->prctl(PR_CAPBSET_READ, (unsigned long)mid, 0, 0, 0) >= 0)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

/* Whether CAP is in our bounding set (PR_CAPBSET_READ: 1, 0, or -1 on error). */
static int in_bounding(struct ctx *c, int cap)
{
	return c->sys->prctl(PR_CAPBSET_READ, (unsigned long)cap, 0, 0, 0) == 1;
}

static int parse_set(struct ctx *c, const char *list, const char *what, int last, uint64_t *out)
{
	char **v;
	int n = split_list(list, &v);
	if (n < 0)
		return fail(c, errno, "caps %s", what);
	*out = 0;
	for (int i = 0; i < n; i++) {
		unsigned long long cap;
		if (parse_ulong(v[i], &cap) < 0 || cap > (unsigned long long)last) {
			fail(c, 0, "caps: %s: \"%s\" is not a capability number this kernel knows (0-%d)",
			     what, v[i], last);
			free(v);
			return -1;
		}
		*out |= 1ULL << cap;
	}
	free(v);
	return 0;
}

int step_caps(struct ctx *c, char **argv, int argc)
{
	(void)argc;
	static const char *const names[] = { "bounding", "effective", "permitted", "inheritable", "ambient" };
	uint64_t set[5];
	int last = last_cap(c);
	for (int i = 0; i < 5; i++)
		if (parse_set(c, argv[i], names[i], last, &set[i]) < 0)
			return -1;

	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];

	/* 0. After `user` switched to a non-root uid, KEEPCAPS kept the permitted
	 *    set but the kernel emptied the effective one, and dropping from the
	 *    bounding set needs CAP_SETPCAP *effective*: raise effective to
	 *    permitted for the moment. */
	if (c->sys->capget(&hdr, data) == 0 && (data[0].effective != data[0].permitted ||
	                                             data[1].effective != data[1].permitted)) {
		data[0].effective = data[0].permitted;
		data[1].effective = data[1].permitted;
		if (traced(c, c->sys->capset(&hdr, data), "capset(effective = permitted)") < 0)
			return fail(c, errno, "caps: raise the effective set");
	}

	/* 1. bounding */
	char dropped[1024];
	size_t n = 0;
	dropped[0] = '\0';
	for (int cap = 0; cap <= last; cap++) {
		/* Traced: only what is in the set is dropped and listed, as before. */
		if (set[0] & (1ULL << cap) || (c->trace && !in_bounding(c, cap)))
			continue;
		if (c->sys->prctl(PR_CAPBSET_DROP, (unsigned long)cap, 0, 0, 0) < 0) {
			int e = errno;
			/* Without CAP_SETPCAP even a drop of what is already gone is refused:
			 * that one was never needed (the set already ends as asked). */
			if (e == EPERM && !c->trace && !in_bounding(c, cap))
				continue;
			errno = e;
			traced(c, -1, "prctl(PR_CAPBSET_DROP, %d)", cap);
			return fail(c, e, "caps: drop %d from the bounding set", cap);
		}
		if (c->trace) /* display only: 64 numbers always fit */
			n += (size_t)snprintf(dropped + n, n < sizeof(dropped) ? sizeof(dropped) - n : 0, "%s%d",
			                      n ? "," : "", cap);
	}
	tracef(c, "prctl(PR_CAPBSET_DROP, cap) for cap in {%s} = 0", dropped);

	/* 2. effective, permitted, inheritable */
	for (int w = 0; w < 2; w++) {
		data[w].effective = (uint32_t)(set[1] >> (32 * w));
		data[w].permitted = (uint32_t)(set[2] >> (32 * w));
		data[w].inheritable = (uint32_t)(set[3] >> (32 * w));
	}
	if (traced(c, c->sys->capset(&hdr, data),
	           "capset({_LINUX_CAPABILITY_VERSION_3, 0}, {effective=%#llx, permitted=%#llx, "
	           "inheritable=%#llx})",
	           (unsigned long long)set[1], (unsigned long long)set[2], (unsigned long long)set[3]) < 0)
		return fail(c, errno, "caps: capset effective=%s permitted=%s inheritable=%s", argv[1],
		            argv[2], argv[3]);

	/* 3. ambient: start from nothing, raise what is listed */
	if (traced(c, c->sys->prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0),
	           "prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL)") < 0)
		return fail(c, errno, "caps: clear ambient");
	for (int cap = 0; cap <= last; cap++) {
		if (!(set[4] & (1ULL << cap)))
			continue;
		if (traced(c, c->sys->prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (unsigned long)cap, 0, 0),
		           "prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, %d)", cap) < 0)
			return fail(c, errno, "caps: raise %d in the ambient set (it must be permitted and "
			            "inheritable)", cap);
	}
	return 0;
}
