/*
 * pty.c: the container's terminal.
 *
 * The `pty PTMX UID GID` step runs in the child after the switch into the
 * rootfs, so PTMX is the container's own devpts instance: the terminal is
 * numbered inside the container (/dev/pts/0) and invisible to the host. The
 * child opens the master, unlocks it, opens the peer, sends the master to the
 * launcher over a socketpair (SCM_RIGHTS), then makes the peer its controlling
 * terminal (the session must be new: TS puts a `setsid` step first) and its
 * fds 0-2.
 *
 * The launcher puts the user's terminal (its fd 0) in raw mode, relays bytes
 * both ways, copies the window size at start and on SIGWINCH, and restores the
 * terminal on every way out: the normal end, a failed launch, and (through the
 * cleanup watcher, which has a copy of the saved settings) a kill -9 of the
 * launcher itself.
 */
#include "haco.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

/* Written by the SIGWINCH / SIGCHLD handlers: one byte wakes the relay's poll. */
static int wake_w = -1;
static volatile sig_atomic_t winch, chld;

static void on_wake(int sig)
{
	int saved = errno;
	if (sig == SIGWINCH)
		winch = 1;
	else
		chld = 1;
	if (wake_w >= 0) {
		ssize_t w = write(wake_w, "x", 1);
		(void)w;
	}
	errno = saved;
}

int pty_wanted(const struct spec *sp)
{
	for (size_t i = 0; i < sp->n; i++)
		if (name_is(sp->steps[i].name, "pty"))
			return 1;
	return 0;
}

/* ---- the child's side ---------------------------------------------------- */

static int send_fd(int sock, int fd)
{
	char byte = 'm';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int))]; } u;
	memset(&u, 0, sizeof(u));
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	ssize_t n;
	do
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n == 1 ? 0 : -1;
}

int step_pty(struct ctx *c, char **argv, int argc)
{
	(void)argc;
	unsigned long long uid, gid;
	if (parse_ulong(argv[1], &uid) < 0 || parse_ulong(argv[2], &gid) < 0)
		return fail(c, 0, "pty: uid and gid must be numbers, not %s %s", argv[1], argv[2]);
	if (c->pty_sock < 0)
		return fail(c, 0, "pty: no socket to the launcher (a pty step outside a launch)");
	int m = (int)traced(c, open(argv[0], O_RDWR | O_NOCTTY | O_CLOEXEC), "open(\"%s\", O_RDWR|O_NOCTTY)", argv[0]);
	if (m < 0)
		return fail(c, errno, "pty: open %s", argv[0]);
	int unlock = 0;
	if (traced(c, ioctl(m, TIOCSPTLCK, &unlock), "ioctl(%d, TIOCSPTLCK, 0)", m) < 0) {
		fail(c, errno, "pty: unlock %s", argv[0]);
		goto close_m;
	}
	/* TIOCGPTPEER opens the peer through the master, not by a path that a
	 * mount could have replaced (Linux 4.13). */
	int s = (int)traced(c, ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY), "ioctl(%d, TIOCGPTPEER, O_RDWR|O_NOCTTY)", m);
	if (s < 0) {
		fail(c, errno, "pty: open the peer of %s", argv[0]);
		goto close_m;
	}
	if (traced(c, fchown(s, (uid_t)uid, (gid_t)gid), "fchown(%d, %llu, %llu)", s, uid, gid) < 0) {
		fail(c, errno, "pty: fchown the terminal to %llu:%llu", uid, gid);
		goto close_s;
	}
	if (traced(c, send_fd(c->pty_sock, m), "sendmsg(pty_sock, SCM_RIGHTS [%d])   /* the master goes to the launcher */", m) < 0) {
		fail(c, errno, "pty: send the master to the launcher");
		goto close_s;
	}
	close(m);
	close(c->pty_sock);
	c->pty_sock = -1;
	if (traced(c, ioctl(s, TIOCSCTTY, 0), "ioctl(%d, TIOCSCTTY, 0)", s) < 0) {
		int e = errno;
		close(s);
		return fail(c, e, "pty: make it the controlling terminal (needs a setsid step first)");
	}
	for (int fd = 0; fd < 3; fd++)
		if (traced(c, dup2(s, fd), "dup2(%d, %d)", s, fd) < 0) {
			int e = errno;
			close(s);
			return fail(c, e, "pty: dup2 onto fd %d", fd);
		}
	if (s > 2)
		close(s);
	return 0;
close_s:
	close(s);
close_m:
	close(m);
	return -1;
}

/* ---- the launcher's side -------------------------------------------------- */

int pty_socketpair(struct ctx *c)
{
	int sv[2];
	if (traced(c, socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), "socketpair(AF_UNIX, SOCK_SEQPACKET) = [%d, %d]", -1, -1) < 0)
		return fail(c, errno, "pty: socketpair");
	c->pty_sock_parent = sv[0];
	c->pty_sock = sv[1];
	return 0;
}

/* Receive the master (0), or EOF: the child failed or exited before its pty step (-1, no error). */
int pty_receive(struct ctx *c)
{
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int))]; } u;
	memset(&u, 0, sizeof(u));
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	ssize_t n;
	do
		n = recvmsg(c->pty_sock_parent, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	close(c->pty_sock_parent);
	c->pty_sock_parent = -1;
	if (n <= 0)
		return -1;
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&c->pty_master, CMSG_DATA(cm), sizeof(int));
	tracef(c, "recvmsg(pty_sock) = master fd %d   /* the container's terminal */", c->pty_master);
	pty_copy_winsize(c);
	return 0;
}

void pty_copy_winsize(struct ctx *c)
{
	struct winsize ws;
	if (c->pty_master < 0)
		return;
	if (ioctl(0, TIOCGWINSZ, &ws) < 0 && ioctl(1, TIOCGWINSZ, &ws) < 0)
		return; /* not a terminal on our side: the container keeps the kernel's 0x0 */
	if (ioctl(c->pty_master, TIOCSWINSZ, &ws) < 0)
		warnf(c, "pty: TIOCSWINSZ: %s", errno_name(errno));
	else
		tracef(c, "ioctl(master, TIOCSWINSZ, {rows=%d, cols=%d}) = 0", ws.ws_row, ws.ws_col);
}

/* Before the watcher is forked, so it has a copy to restore after a kill -9 of us. */
void pty_save_host(struct ctx *c)
{
	if (isatty(0) && tcgetattr(0, &c->host_termios) == 0)
		c->host_termios_saved = 1;
}

static void host_raw(struct ctx *c)
{
	if (!c->host_termios_saved || c->host_raw)
		return;
	struct termios raw = c->host_termios;
	cfmakeraw(&raw);
	if (traced(c, tcsetattr(0, TCSADRAIN, &raw), "tcsetattr(0, TCSADRAIN, raw)   /* your terminal: keys go to the container */") < 0)
		warnf(c, "pty: raw mode on fd 0: %s", errno_name(errno));
	else
		c->host_raw = 1;
}

void pty_restore_host(struct ctx *c)
{
	if (!c->host_termios_saved || !c->host_raw)
		return;
	/* A background launcher would be stopped by SIGTTOU for this. */
	signal(SIGTTOU, SIG_IGN);
	if (tcsetattr(0, TCSADRAIN, &c->host_termios) < 0)
		warnf(c, "pty: restoring your terminal: %s", errno_name(errno));
	else
		tracef(c, "tcsetattr(0, TCSADRAIN, saved)   /* your terminal as it was */");
	c->host_raw = 0;
}

/* The watcher, after the launcher died: put the terminal back even so. */
void pty_restore_after_death(struct ctx *c)
{
	if (!c->host_termios_saved)
		return;
	signal(SIGTTOU, SIG_IGN);
	if (tcsetattr(0, TCSADRAIN, &c->host_termios) < 0)
		warnf(c, "pty: restoring your terminal: %s", errno_name(errno));
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			struct pollfd p = { .fd = fd, .events = POLLOUT };
			poll(&p, 1, 1000);
			continue;
		}
		if (n <= 0)
			return -1;
		buf += n, len -= (size_t)n;
	}
	return 0;
}

/*
 * Relay until the container's init exits; returns its status like wait_child.
 * stdin is relayed only when `input` is set (`haco start -t` without -i: the
 * container has a terminal but reads nothing from ours).
 */
int pty_relay(struct ctx *c, pid_t child, int input)
{
	int wp[2];
	if (pipe2(wp, O_CLOEXEC | O_NONBLOCK) < 0) {
		warnf(c, "pty: pipe2: %s", errno_name(errno));
		wp[0] = wp[1] = -1;
	}
	wake_w = wp[1];
	struct sigaction sa, old_winch, old_chld;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_wake;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGWINCH, &sa, &old_winch);
	sigaction(SIGCHLD, &sa, &old_chld);
	host_raw(c);
	pty_copy_winsize(c); /* it may have changed while the container started */

	int status = -1, master_open = 1, in_open = input;
	chld = 1; /* it may have exited before the handler was in place */
	char buf[8192];
	for (;;) {
		if (chld) {
			chld = 0;
			int st;
			pid_t w = waitpid(child, &st, WNOHANG);
			if (w == child) {
				status = exit_status_of(st);
				break;
			}
		}
		if (winch) {
			winch = 0;
			pty_copy_winsize(c);
		}
		struct pollfd p[3] = {
			{ .fd = wp[0], .events = POLLIN },
			{ .fd = master_open ? c->pty_master : -1, .events = POLLIN },
			{ .fd = in_open ? 0 : -1, .events = POLLIN },
		};
		int n = poll(p, 3, master_open ? -1 : 200);
		if (n < 0 && errno != EINTR) {
			warnf(c, "pty: poll: %s", errno_name(errno));
			break;
		}
		if (n <= 0) {
			chld = 1; /* without the master, check on the child from time to time */
			continue;
		}
		if (p[0].revents & POLLIN) {
			while (read(wp[0], buf, sizeof(buf)) > 0)
				;
		}
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t r = read(c->pty_master, buf, sizeof(buf));
			if (r > 0)
				write_all(1, buf, (size_t)r);
			else if (r == 0 || (errno != EINTR && errno != EAGAIN))
				master_open = 0; /* EIO: every copy of the terminal is closed */
		}
		if (p[2].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t r = read(0, buf, sizeof(buf));
			if (r > 0) {
				if (write_all(c->pty_master, buf, (size_t)r) < 0)
					in_open = 0;
			} else if (r == 0 || (errno != EINTR && errno != EAGAIN)) {
				in_open = 0;
				/* Our input ended (a pipe into `haco start -t`): tell the
				 * container as a terminal would, with its EOF character. */
				struct termios t;
				if (tcgetattr(c->pty_master, &t) == 0)
					write_all(c->pty_master, (char *)&t.c_cc[VEOF], 1);
			}
		}
	}
	/* The init is gone; what it wrote last may still be in the master. */
	if (master_open) {
		int fl = fcntl(c->pty_master, F_GETFL);
		if (fl >= 0)
			fcntl(c->pty_master, F_SETFL, fl | O_NONBLOCK);
		ssize_t r;
		while ((r = read(c->pty_master, buf, sizeof(buf))) > 0)
			write_all(1, buf, (size_t)r);
	}
	pty_restore_host(c);
	close(c->pty_master);
	c->pty_master = -1;
	sigaction(SIGWINCH, &old_winch, NULL);
	sigaction(SIGCHLD, &old_chld, NULL);
	wake_w = -1;
	if (wp[0] >= 0)
		close(wp[0]), close(wp[1]);
	if (status < 0)
		status = wait_exit_status(child);
	return status;
}

/* ---- a detached container's console (the `console PATH` step) ------------------- */

#include <sys/stat.h>
#include <sys/un.h>

/*
 * The supervisor keeps the master and listens on PATH (a unix socket, 0600).
 * `haco attach NAME` connects: what the container writes goes to the client
 * (and always into the log, as stdout lines); the client sends frames of
 * TYPE LEN_HI LEN_LO PAYLOAD: 'd' keys for the terminal, 'w' a window size
 * (rows and cols, 16 bits each, big-endian). One client at a time: a new one
 * replaces the old. Detaching is the client's business (it just closes).
 */
static int console_listen(struct ctx *c)
{
	struct sockaddr_un a;
	memset(&a, 0, sizeof(a));
	a.sun_family = AF_UNIX;
	if (strlen(c->console_path) >= sizeof(a.sun_path))
		return fail(c, 0, "console: socket path too long: %s", c->console_path);
	strcpy(a.sun_path, c->console_path);
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return fail(c, errno, "console: socket");
	unlink(c->console_path);
	if (traced(c, bind(s, (struct sockaddr *)&a, sizeof(a)), "bind(\"%s\")   /* the console: haco attach connects here */", c->console_path) < 0 ||
	    chmod(c->console_path, 0600) < 0 || listen(s, 4) < 0) {
		int e = errno;
		close(s);
		return fail(c, e, "console: listen on %s", c->console_path);
	}
	return s;
}

/* Apply the complete frames in buf[0..*len); keep a partial one. */
static void console_frames(struct ctx *c, unsigned char *buf, size_t *len)
{
	size_t off = 0;
	while (*len - off >= 3) {
		size_t n = ((size_t)buf[off + 1] << 8) | buf[off + 2];
		if (*len - off < 3 + n)
			break;
		unsigned char *p = buf + off + 3;
		if (buf[off] == 'd')
			write_all(c->pty_master, (const char *)p, n);
		else if (buf[off] == 'w' && n == 4) {
			struct winsize ws = { .ws_row = (unsigned short)(p[0] << 8 | p[1]), .ws_col = (unsigned short)(p[2] << 8 | p[3]) };
			ioctl(c->pty_master, TIOCSWINSZ, &ws);
		}
		off += 3 + n;
	}
	memmove(buf, buf + off, *len - off);
	*len -= off;
}

int pty_console(struct ctx *c, pid_t child)
{
	log_close_pipes(c, 1); /* the pty took fds 1 and 2: the pipes have no writer */
	int ls = console_listen(c);
	if (ls < 0) {
		report_failure(c, &c->fail);
		memset(&c->fail, 0, sizeof(c->fail));
	}
	int wp[2];
	if (pipe2(wp, O_CLOEXEC | O_NONBLOCK) < 0)
		wp[0] = wp[1] = -1;
	wake_w = wp[1];
	struct sigaction sa, old_chld;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_wake;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, &old_chld);
	chld = 1;
	int status = -1, client = -1, master_open = 1;
	unsigned char in[8192 + 3];
	size_t inlen = 0;
	char buf[8192];
	for (;;) {
		if (chld) {
			chld = 0;
			int st;
			if (waitpid(child, &st, WNOHANG) == child) {
				status = exit_status_of(st);
				break;
			}
		}
		struct pollfd p[4] = {
			{ .fd = wp[0], .events = POLLIN },
			{ .fd = master_open ? c->pty_master : -1, .events = POLLIN },
			{ .fd = ls, .events = POLLIN },
			{ .fd = client, .events = POLLIN },
		};
		int n = poll(p, 4, wp[0] < 0 || !master_open ? 200 : -1);
		if (n < 0 && errno != EINTR)
			break;
		if (n <= 0) {
			chld = 1;
			continue;
		}
		if (p[0].revents & POLLIN)
			while (read(wp[0], buf, sizeof(buf)) > 0)
				;
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t r = read(c->pty_master, buf, sizeof(buf));
			if (r > 0) {
				log_output(c, 0, buf, (size_t)r);
				if (client >= 0 && write_all(client, buf, (size_t)r) < 0)
					close(client), client = -1;
			} else if (r == 0 || (errno != EINTR && errno != EAGAIN))
				master_open = 0;
		}
		if (p[2].revents & POLLIN) {
			int nc = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
			if (nc >= 0) {
				if (client >= 0)
					close(client);
				client = nc, inlen = 0;
				tracef(c, "accept(console) = %d   /* haco attach */", nc);
			}
		}
		if (client >= 0 && (p[3].revents & (POLLIN | POLLHUP | POLLERR))) {
			ssize_t r = read(client, in + inlen, sizeof(in) - inlen);
			if (r > 0) {
				inlen += (size_t)r;
				console_frames(c, in, &inlen);
				if (inlen == sizeof(in)) /* a frame larger than the buffer: not ours */
					close(client), client = -1;
			} else if (r == 0 || (errno != EINTR && errno != EAGAIN))
				close(client), client = -1;
		}
	}
	if (master_open) {
		int fl = fcntl(c->pty_master, F_GETFL);
		if (fl >= 0)
			fcntl(c->pty_master, F_SETFL, fl | O_NONBLOCK);
		ssize_t r;
		while ((r = read(c->pty_master, buf, sizeof(buf))) > 0) {
			log_output(c, 0, buf, (size_t)r);
			if (client >= 0)
				write_all(client, buf, (size_t)r);
		}
	}
	log_output(c, 0, "", 0);
	if (client >= 0)
		close(client);
	if (ls >= 0) {
		close(ls);
		unlink(c->console_path);
	}
	close(c->pty_master);
	c->pty_master = -1;
	sigaction(SIGCHLD, &old_chld, NULL);
	wake_w = -1;
	if (wp[0] >= 0)
		close(wp[0]), close(wp[1]);
	if (status < 0)
		status = wait_exit_status(child);
	return status;
}

/*
 * `console-socket PATH` (OCI runtime, runtime-spec's --console-socket): the
 * master does not stay here; it goes to the engine, which listens on PATH
 * (podman's conmon). Connect to it, send the master as SCM_RIGHTS with the
 * name of the ptmx it came from as the payload (the receiver reads one message
 * and takes the fd), then close our copy: the engine holds the only one, and
 * the container's fds 0-2 are the peer (the pty step). The supervisor then has
 * no terminal to relay.
 */
int pty_send_console(struct ctx *c)
{
	const char *ptmx = "/dev/ptmx";
	for (size_t i = 0; i < c->spec->n; i++) {
		const struct step *s = &c->spec->steps[i];
		if (name_is(s->name, "console-socket"))
			c->cur = s;
		else if (name_is(s->name, "pty"))
			ptmx = s->argv[0];
	}
	struct sockaddr_un a;
	memset(&a, 0, sizeof(a));
	a.sun_family = AF_UNIX;
	if (strlen(c->console_socket) >= sizeof(a.sun_path))
		return fail(c, ENAMETOOLONG, "console-socket: path too long for a socket address: %s", c->console_socket);
	strcpy(a.sun_path, c->console_socket);
	int s = (int)traced(c, c->sys->socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), "socket(AF_UNIX, SOCK_STREAM)");
	if (s < 0)
		return fail(c, errno, "console-socket: socket for %s", c->console_socket);
	int rc = -1;
	if (traced(c, c->sys->connect(s, (const struct sockaddr *)&a, sizeof(a)), "connect(%d, \"%s\")   /* the engine's console socket */", s,
	           c->console_socket) < 0) {
		fail(c, errno, "console-socket: connect to %s", c->console_socket);
		goto out;
	}
	struct iovec iov = { .iov_base = (void *)ptmx, .iov_len = strlen(ptmx) };
	union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int))]; } u;
	memset(&u, 0, sizeof(u));
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &c->pty_master, sizeof(int));
	ssize_t n;
	do
		n = c->sys->sendmsg(s, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	tracef(c, "sendmsg(%d, \"%s\", SCM_RIGHTS [%d]) = %zd   /* the master goes to the engine */", s, ptmx, c->pty_master, n);
	if (n != (ssize_t)iov.iov_len) {
		fail(c, n < 0 ? errno : EPIPE, "console-socket: send the terminal to %s", c->console_socket);
		goto out;
	}
	close(c->pty_master);
	c->pty_master = -1;
	rc = 0;
out:
	c->sys->close(s);
	return rc;
}
