// SPDX-License-Identifier: GPL-2.0
/*
 * Send prepared Ethernet frames as fast as possible, for the benchmarks
 * pktgen cannot feed (4in6 packets into a decapsulating router): the frames
 * of FILE (frames.py writes it) are sent in turn, COUNT in all, in batches
 * through sendmmsg() on a packet socket that bypasses the qdisc, as pktgen
 * bypasses it. Prints how many were sent and in how many seconds.
 *
 * Usage: sendraw IFACE FILE COUNT
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define BATCH 64
#define MAXFRAMES 65536

static struct iovec frames[MAXFRAMES];

static unsigned int read_frames(const char *path)
{
	FILE *f = fopen(path, "rb");
	unsigned char len[2];
	unsigned int n = 0;

	if (!f) {
		perror(path);
		exit(1);
	}
	while (n < MAXFRAMES && fread(len, 1, 2, f) == 2) {
		size_t l = len[0] | len[1] << 8;
		void *p = malloc(l);

		if (!p || fread(p, 1, l, f) != l) {
			fprintf(stderr, "%s: truncated\n", path);
			exit(1);
		}
		frames[n].iov_base = p;
		frames[n++].iov_len = l;
	}
	fclose(f);
	if (!n) {
		fprintf(stderr, "%s: no frames\n", path);
		exit(1);
	}
	return n;
}

int main(int argc, char **argv)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	struct mmsghdr msgs[BATCH];
	unsigned long count, sent = 0;
	unsigned int nframes, next = 0;
	struct timespec t0, t1;
	int one = 1, fd;

	if (argc != 4) {
		fprintf(stderr, "usage: sendraw IFACE FILE COUNT\n");
		return 2;
	}
	nframes = read_frames(argv[2]);
	count = strtoul(argv[3], NULL, 0);
	fd = socket(AF_PACKET, SOCK_RAW, 0);	/* protocol 0: receives nothing */
	sll.sll_ifindex = if_nametoindex(argv[1]);
	if (fd < 0 || !sll.sll_ifindex ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		perror("sendraw: socket");
		return 1;
	}
	setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	memset(msgs, 0, sizeof(msgs));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (sent < count) {
		unsigned int b = count - sent < BATCH ? count - sent : BATCH;
		int r;

		for (unsigned int i = 0; i < b; i++) {
			msgs[i].msg_hdr.msg_iov = &frames[next];
			msgs[i].msg_hdr.msg_iovlen = 1;
			next = next + 1 == nframes ? 0 : next + 1;
		}
		r = sendmmsg(fd, msgs, b, 0);
		if (r < 0) {
			if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR)
				continue;
			perror("sendraw: sendmmsg");
			return 1;
		}
		sent += r;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%lu %.6f\n", sent, (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	return 0;
}
