// SPDX-License-Identifier: MIT
/*
 * LD_PRELOAD shim: a bind() to the wildcard address binds to loopback instead.
 *
 * Bochs' RFB display (Debian's Bochs has only it and X) listens on
 * INADDR_ANY, ports 5900-5949, with no password and no option to change
 * the address.  tools/emu.py preloads this into every Bochs it starts, so
 * that the display is reachable from this host only (a VNC viewer on
 * 127.0.0.1:5900, or an ssh tunnel).  Every other address and family
 * passes through untouched.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

typedef int (*bind_fn)(int fd, const struct sockaddr *addr, socklen_t len);

static bind_fn real_bind;

/* Look up libc's bind() once, before any thread of the program can call ours. */
__attribute__((constructor)) static void find_real_bind(void)
{
	real_bind = (bind_fn)dlsym(RTLD_NEXT, "bind");
}

/*
 * If @addr is a wildcard IPv4 or IPv6 address, write its loopback
 * equivalent (same port) into @out and return its length; else return 0.
 */
static socklen_t loopback_for(const struct sockaddr *addr, socklen_t len,
			      struct sockaddr_storage *out)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)out;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)out;

	if (!addr)
		return 0;
	if (addr->sa_family == AF_INET && len >= sizeof(*in4)) {
		memcpy(in4, addr, sizeof(*in4));
		if (in4->sin_addr.s_addr != htonl(INADDR_ANY))
			return 0;
		in4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		return sizeof(*in4);
	}
	if (addr->sa_family == AF_INET6 && len >= sizeof(*in6)) {
		memcpy(in6, addr, sizeof(*in6));
		if (memcmp(&in6->sin6_addr, &in6addr_any, sizeof(in6addr_any)) != 0)
			return 0;
		in6->sin6_addr = in6addr_loopback;
		return sizeof(*in6);
	}
	return 0;
}

/* bind(2), with a wildcard address replaced by loopback. */
int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	struct sockaddr_storage loopback;
	socklen_t loopback_len;

	if (!real_bind) {
		errno = ENOSYS;
		return -1;
	}
	loopback_len = loopback_for(addr, len, &loopback);
	if (loopback_len) {
		/*
		 * Bochs' RFB server sets SO_REUSEADDR, then binds port after
		 * port on one socket and listens only after a bind succeeds:
		 * two Bochs starting together could both bind 5900, the
		 * second one's listen() fails, every later bind of that socket
		 * fails too (it is bound), and Bochs gives up ("could not bind
		 * any port").  Without the option the second bind fails at
		 * once and Bochs takes the next port.
		 */
		int off = 0;

		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &off, sizeof(off));
		return real_bind(fd, (struct sockaddr *)&loopback, loopback_len);
	}
	return real_bind(fd, addr, len);
}
