/*
 * net.c: a new network namespace starts with only a loopback interface, and
 * it is down. Bringing it up is an ioctl on any socket: read the flags of
 * "lo" (SIOCGIFFLAGS), add IFF_UP, write them back (SIOCSIFFLAGS). Anything
 * more (veth, addresses, routes) is done by `hook` commands on the host.
 */
#include "haco.h"

#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

int step_lo_up(struct ctx *c, char **argv, int argc)
{
	(void)argv, (void)argc;
	int s = (int)traced(c, socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), "socket(AF_INET, SOCK_DGRAM)");
	if (s < 0)
		return fail(c, errno, "lo-up: socket");
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	int rc = (int)traced(c, c->sys->ioctl(s, SIOCGIFFLAGS, &ifr), "ioctl(%d, SIOCGIFFLAGS, {\"lo\"})", s);
	if (rc == 0) {
		ifr.ifr_flags |= IFF_UP;
		rc = (int)traced(c, c->sys->ioctl(s, SIOCSIFFLAGS, &ifr), "ioctl(%d, SIOCSIFFLAGS, {\"lo\", IFF_UP})", s);
	}
	int e = errno;
	close(s);
	if (rc < 0)
		return fail(c, e, "lo-up");
	return 0;
}
