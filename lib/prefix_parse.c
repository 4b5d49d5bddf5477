// SPDX-License-Identifier: GPL-2.0
/*
 * "ADDRESS/LENGTH" prefixes for the extensions and the tool.
 */
#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

#include "prefix_parse.h"

static unsigned int prefix_bits(int af)
{
	return af == AF_INET ? 32 : 128;
}

enum prefix_error prefix_parse(const char *s, int af, void *addr,
			       unsigned int *len, unsigned int min,
			       unsigned int max, const char **len_str)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const unsigned char *a = addr;
	const char *slash, *p;
	unsigned long v = 0;
	unsigned int i;

	slash = strchr(s, '/');
	*len_str = slash ? slash + 1 : s + strlen(s);
	if (!slash || strlen(s) >= sizeof(buf))
		return PREFIX_NO_SLASH;
	memcpy(buf, s, slash - s);
	buf[slash - s] = '\0';
	if (inet_pton(af, buf, addr) != 1)
		return PREFIX_BAD_ADDRESS;
	/* Decimal digits only: no sign, no space, no octal or hex. */
	for (p = slash + 1; *p >= '0' && *p <= '9' && v <= max; p++)
		v = v * 10 + (unsigned long)(*p - '0');
	if (p == slash + 1 || *p || v < min || v > max)
		return PREFIX_BAD_LENGTH;
	*len = v;
	for (i = v; i < prefix_bits(af); i++)
		if (a[i / 8] & (0x80 >> (i % 8)))
			return PREFIX_HOST_BITS;
	return PREFIX_OK;
}

void prefix_mask(void *addr, int af, unsigned int len)
{
	unsigned char *a = addr;
	unsigned int i;

	for (i = len; i < prefix_bits(af); i++)
		a[i / 8] &= ~(0x80 >> (i % 8));
}

bool prefix_ip4_unicast(uint32_t a)
{
	uint8_t first = ntohl(a) >> 24;

	return !(first == 0 || first == 127 || (first >= 224 && first < 240) ||
		 a == 0xffffffff);
}
