// SPDX-License-Identifier: GPL-2.0
/* Unit tests of lib/prefix_parse.c, the prefix parser of the extensions
 * and softwirectl.
 */
#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

#include "prefix_parse.h"
#include "unit.h"

static enum prefix_error parse6(const char *s, unsigned int min,
				unsigned int max, unsigned char a[16],
				unsigned int *len)
{
	const char *l;

	return prefix_parse(s, AF_INET6, a, len, min, max, &l);
}

static void test_ipv6(void)
{
	unsigned char a[16], want[16];
	unsigned int len = 0;
	const char *l;

	CHECK(parse6("2001:db8:1::/48", 1, 128, a, &len) == PREFIX_OK, "ok");
	inet_pton(AF_INET6, "2001:db8:1::", want);
	CHECK(!memcmp(a, want, 16) && len == 48, "value /%u", len);
	CHECK(parse6("FD01:0203:0405::/48", 1, 128, a, &len) == PREFIX_OK, "upper");
	CHECK(parse6("::/0", 0, 128, a, &len) == PREFIX_OK && len == 0, "/0");
	CHECK(parse6("::/0", 1, 128, a, &len) == PREFIX_BAD_LENGTH, "/0 < min");
	CHECK(parse6("2001:db8::/129", 1, 128, a, &len) == PREFIX_BAD_LENGTH, "/129");
	CHECK(parse6("2001:db8::/65", 1, 64, a, &len) == PREFIX_BAD_LENGTH, "/65 > 64");
	CHECK(parse6("2001:db8::/", 1, 128, a, &len) == PREFIX_BAD_LENGTH, "empty");
	CHECK(parse6("2001:db8::/+4", 1, 128, a, &len) == PREFIX_BAD_LENGTH, "sign");
	CHECK(parse6("2001:db8::/0x20", 1, 128, a, &len) == PREFIX_BAD_LENGTH, "hex");
	CHECK(parse6("2001:db8::/32x", 1, 128, a, &len) == PREFIX_BAD_LENGTH, "junk");
	CHECK(parse6("2001:db8::/99999999999999999999", 1, 128, a, &len) ==
	      PREFIX_BAD_LENGTH, "huge");
	CHECK(parse6("2001:db8::", 1, 128, a, &len) == PREFIX_NO_SLASH, "no slash");
	CHECK(parse6("2001:db8:::/48", 1, 128, a, &len) == PREFIX_BAD_ADDRESS, ":::");
	CHECK(parse6("192.0.2.0/24", 1, 128, a, &len) == PREFIX_BAD_ADDRESS, "v4 as v6");
	CHECK(parse6("0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000/48", 1, 128, a,
		     &len) == PREFIX_NO_SLASH, "too long");
	CHECK(parse6("2001:db8:1::1/48", 1, 128, a, &len) == PREFIX_HOST_BITS &&
	      len == 48, "host bits");
	prefix_mask(a, AF_INET6, len);
	inet_pton(AF_INET6, "2001:db8:1::", want);
	CHECK(!memcmp(a, want, 16), "masked");
	CHECK(prefix_parse("2001:db8::1/128", AF_INET6, a, &len, 1, 128, &l) ==
	      PREFIX_OK && !strcmp(l, "128"), "/128, len_str %s", l);
	CHECK(prefix_parse("abc/x", AF_INET6, a, &len, 1, 128, &l) ==
	      PREFIX_BAD_ADDRESS && !strcmp(l, "x") , "len_str %s", l);
}

static void test_ipv4(void)
{
	unsigned char a[4];
	unsigned int len;
	const char *l;

	CHECK(prefix_parse("192.0.2.0/24", AF_INET, a, &len, 0, 32, &l) == PREFIX_OK &&
	      len == 24 && a[0] == 192 && a[2] == 2 && a[3] == 0, "ok");
	CHECK(prefix_parse("192.0.2.1/24", AF_INET, a, &len, 0, 32, &l) ==
	      PREFIX_HOST_BITS, "host bits");
	prefix_mask(a, AF_INET, 23);
	CHECK(a[2] == 2 && a[3] == 0, "mask /23 keeps .2: %u", a[2]);
	prefix_mask(a, AF_INET, 22);
	CHECK(a[2] == 0, "mask /22");
	CHECK(prefix_parse("192.0.2.1/32", AF_INET, a, &len, 0, 32, &l) == PREFIX_OK,
	      "/32");
	CHECK(prefix_parse("192.0.2.1/33", AF_INET, a, &len, 0, 32, &l) ==
	      PREFIX_BAD_LENGTH, "/33");
	CHECK(prefix_parse("2001:db8::/32", AF_INET, a, &len, 0, 32, &l) ==
	      PREFIX_BAD_ADDRESS, "v6 as v4");
	CHECK(prefix_parse("0.0.0.0/0", AF_INET, a, &len, 0, 32, &l) == PREFIX_OK &&
	      len == 0, "/0");
}

int main(void)
{
	RUN(test_ipv6);
	RUN(test_ipv4);
	UNIT_END();
}
