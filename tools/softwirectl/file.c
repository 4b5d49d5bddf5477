// SPDX-License-Identifier: GPL-2.0
/*
 * softwirectl: the lines of a table file (and of "add"/"del"), checked as
 * the kernel will check them, with their line numbers.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "prefix_parse.h"
#include "softwirectl.h"

const char *src_name = "command line";
unsigned int src_line;

unsigned long parse_num(const char *key, const char *s, unsigned long max)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (!*s || *end || errno || v > max || *s == '-')
		fail("%s \"%s\": a number from 0 to %lu is needed", key, s, max);
	return v;
}

void parse_ip6(const char *key, const char *s, uint8_t a[16])
{
	if (inet_pton(AF_INET6, s, a) != 1)
		fail("%s \"%s\" is not an IPv6 address", key, s);
	if (a[0] == 0xff || !memcmp(a, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16) ||
	    !memcmp(a, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 16))
		fail("%s %s: a unicast IPv6 address is needed", key, s);
}

static uint32_t parse_ip4(const char *key, const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		fail("%s \"%s\" is not an IPv4 address", key, s);
	return a.s_addr;
}

/* ADDR/LEN with no bits set past LEN. */
void parse_prefix(const char *key, const char *s, int af, uint8_t *a,
		  uint8_t *len)
{
	unsigned int max = af == AF_INET ? 32 : 128, l = 0;
	const char *len_str;

	switch (prefix_parse(s, af, a, &l, 0, max, &len_str)) {
	case PREFIX_OK:
		break;
	case PREFIX_NO_SLASH:
		fail("%s \"%s\": write ADDRESS/LENGTH", key, s);
	case PREFIX_BAD_ADDRESS:
		fail("%s \"%s\": not an %s prefix", key, s,
		     af == AF_INET ? "IPv4" : "IPv6");
	case PREFIX_BAD_LENGTH:
		fail("%s \"%s\": a number from 0 to %u is needed", key,
		     len_str, max);
	case PREFIX_HOST_BITS:
		fail("%s %s: bits are set past the prefix length", key, s);
	}
	*len = l;
}

/* "N" or "N/LEN" */
static void parse_psid(const char *s, struct sw_line *sw, bool *has_len)
{
	char buf[32], *slash;

	if (strlen(s) >= sizeof(buf))
		fail("psid \"%s\": write PSID or PSID/LENGTH", s);
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash) {
		*slash = '\0';
		sw->psid_len = parse_num("psid length", slash + 1, 16);
		*has_len = true;
	}
	sw->psid = parse_num("psid", buf, 0xffff);
}

/*
 * softwire ipv4 A [psid P[/L]] [psid-length L] [psid-offset O] b4-ipv6 B
 *          [br-address R]
 * (the Snabb lwAFTR binding table's words where it has them; "b4" and
 * "aftr" are accepted for b4-ipv6 and br-address. psid-offset is ours:
 * Snabb's reserved-ports-bit-count defaults to 0, psid-offset to 6).
 */
void parse_softwire(char **w, int n, struct sw_line *sw, bool key_only)
{
	bool has_ip = false, has_b4 = false, has_len = false, has_off = false;
	struct psid_set set;
	int i;

	memset(sw, 0, sizeof(*sw));
	sw->line = src_line;
	for (i = 0; i < n; i += 2) {
		const char *k = w[i], *v = i + 1 < n ? w[i + 1] : NULL;

		if (!v)
			fail("softwire: \"%s\" needs a value", k);
		if (!strcmp(k, "ipv4")) {
			sw->ipv4 = parse_ip4(k, v);
			has_ip = true;
		} else if (!strcmp(k, "psid")) {
			parse_psid(v, sw, &has_len);
		} else if (!strcmp(k, "psid-length")) {
			sw->psid_len = parse_num(k, v, 16);
			has_len = true;
		} else if (!strcmp(k, "psid-offset")) {
			sw->psid_offset = parse_num(k, v, 16);
			has_off = true;
		} else if (!strcmp(k, "b4-ipv6") || !strcmp(k, "b4")) {
			parse_ip6(k, v, sw->b4);
			has_b4 = true;
		} else if (!strcmp(k, "br-address") || !strcmp(k, "aftr")) {
			parse_ip6(k, v, sw->br);
			sw->has_br = true;
		} else {
			fail("softwire: unknown word \"%s\" (ipv4, psid, psid-length, psid-offset, b4-ipv6, br-address)", k);
		}
	}
	if (!has_ip)
		fail("softwire: ipv4 ADDRESS is missing");
	if (key_only)
		return;
	if (!has_b4)
		fail("softwire: b4-ipv6 ADDRESS is missing");
	{
		uint8_t first = ntohl(sw->ipv4) >> 24;

		if (first == 0 || first == 127 || (first >= 224 && first < 240) ||
		    sw->ipv4 == 0xffffffff)
			fail("softwire: ipv4 %s is not a unicast address",
			     inet_ntoa((struct in_addr){ sw->ipv4 }));
	}
	if (!has_len && sw->psid)
		fail("softwire: psid %u needs its length (psid %u/LENGTH or psid-length)",
		     sw->psid, sw->psid);
	/* RFC 7597 section 5.1: offset 6 unless said otherwise. */
	if (!has_off)
		sw->psid_offset = sw->psid_len ? 6 : 0;
	if (!sw->psid_len)
		sw->psid_offset = 0;
	set.psid = sw->psid;
	set.len = sw->psid_len;
	set.offset = sw->psid_offset;
	if (!psid_set_valid(&set))
		fail("softwire: psid %u does not fit in %u bits, or psid-offset %u + psid-length %u > 16",
		     sw->psid, sw->psid_len, sw->psid_offset, sw->psid_len);
}

/* rule ipv6-prefix P/L ipv4-prefix P/L ea-bits-length N [psid-offset O] */
void parse_rule(char **w, int n, struct rule_line *rl)
{
	bool has6 = false, has4 = false, hasea = false;
	struct map_rule *r = &rl->r;
	struct map_ce ce;
	uint8_t v4[4];
	int i;

	memset(rl, 0, sizeof(*rl));
	rl->line = src_line;
	r->psid_offset = 6;
	for (i = 0; i < n; i += 2) {
		const char *k = w[i], *v = i + 1 < n ? w[i + 1] : NULL;

		if (!v)
			fail("rule: \"%s\" needs a value", k);
		if (!strcmp(k, "ipv6-prefix")) {
			parse_prefix(k, v, AF_INET6, r->ip6_prefix, &r->ip6_len);
			has6 = true;
		} else if (!strcmp(k, "ipv4-prefix")) {
			parse_prefix(k, v, AF_INET, v4, &r->ip4_len);
			r->ip4_prefix = (uint32_t)v4[0] << 24 | v4[1] << 16 |
					v4[2] << 8 | v4[3];
			has4 = true;
		} else if (!strcmp(k, "ea-bits-length") || !strcmp(k, "ea-len")) {
			r->ea_len = parse_num(k, v, 48);
			hasea = true;
		} else if (!strcmp(k, "psid-offset")) {
			r->psid_offset = parse_num(k, v, 16);
		} else {
			fail("rule: unknown word \"%s\" (ipv6-prefix, ipv4-prefix, ea-bits-length, psid-offset)", k);
		}
	}
	if (!has6 || !has4 || !hasea)
		fail("rule: ipv6-prefix, ipv4-prefix and ea-bits-length are needed");
	/* RFC 7597 section 5.2 */
	if (map_rule_ce_for(r, r->ip4_prefix, 0xffff, &ce) != MAP_RULE_OK ||
	    r->ip6_len + r->ea_len > 64)
		fail("rule: ipv4-prefix /%u with ea-bits-length %u and psid-offset %u gives no CE address (RFC 7597 section 5.2: 32 - %u <= EA bits, PSID + offset <= 16, IPv6 prefix + EA bits <= 64)",
		     r->ip4_len, r->ea_len, r->psid_offset, r->ip4_len);
}

static void add_br(struct bt_file *f, const uint8_t a[16])
{
	unsigned int i;

	for (i = 0; i < f->n_br; i++)
		if (!memcmp(f->br[i], a, 16))
			return;
	if (f->n_br == SOFTWIRE_MAX_AFTRS)
		fail("more than %d br-address values in one table", SOFTWIRE_MAX_AFTRS);
	memcpy(f->br[f->n_br++], a, 16);
}

static int split(char *s, char **w, int max)
{
	int n = 0;
	char *save, *t;

	for (t = strtok_r(s, " \t\r\n", &save); t; t = strtok_r(NULL, " \t\r\n", &save)) {
		if (*t == '#')
			break;
		if (n == max)
			fail("too many words on one line");
		w[n++] = t;
	}
	return n;
}

/* One line of a table file, or of "add". */
static void parse_line(struct bt_file *f, char **w, int n)
{
	if (!strcmp(w[0], "br-address") || !strcmp(w[0], "aftr")) {
		uint8_t a[16];

		if (n != 2)
			fail("br-address takes one IPv6 address");
		parse_ip6(w[0], w[1], a);
		add_br(f, a);
	} else if (!strcmp(w[0], "softwire")) {
		if (f->n_sw == f->cap_sw) {
			f->cap_sw = f->cap_sw ? 2 * f->cap_sw : 1024;
			f->sw = realloc(f->sw, f->cap_sw * sizeof(*f->sw));
			if (!f->sw)
				fail("out of memory");
		}
		parse_softwire(w + 1, n - 1, &f->sw[f->n_sw], false);
		if (f->sw[f->n_sw].has_br)
			add_br(f, f->sw[f->n_sw].br);
		f->n_sw++;
	} else if (!strcmp(w[0], "rule")) {
		if (f->n_rules == SOFTWIRE_MAX_RULES)
			fail("more than %d rules in one table", SOFTWIRE_MAX_RULES);
		parse_rule(w + 1, n - 1, &f->rules[f->n_rules++]);
	} else {
		fail("unknown line \"%s\" (br-address, softwire, rule)", w[0]);
	}
}

static int sw_cmp(const void *a, const void *b)
{
	const struct sw_line *x = a, *y = b;
	uint32_t xa = ntohl(x->ipv4), ya = ntohl(y->ipv4);

	if (xa != ya)
		return xa < ya ? -1 : 1;
	if (x->psid != y->psid)
		return x->psid < y->psid ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* The checks the kernel makes again, with line numbers. A whole table
 * (need_br) names its own address.
 */
static void check_file(struct bt_file *f, bool need_br)
{
	size_t i;

	if (need_br && !f->n_br)
		fail("%s: no br-address line: the table needs this AFTR's IPv6 address",
		     src_name);
	qsort(f->sw, f->n_sw, sizeof(*f->sw), sw_cmp);
	for (i = 1; i < f->n_sw; i++) {
		const struct sw_line *p = &f->sw[i - 1], *s = &f->sw[i];

		if (p->ipv4 != s->ipv4)
			continue;
		src_line = s->line;
		if (p->psid == s->psid)
			fail("ipv4 %s psid %u is bound already, at line %u",
			     inet_ntoa((struct in_addr){ s->ipv4 }), s->psid, p->line);
		if (p->psid_len != s->psid_len || p->psid_offset != s->psid_offset)
			fail("softwires of %s must share psid-length and psid-offset: line %u says %u and %u",
			     inet_ntoa((struct in_addr){ s->ipv4 }), p->line,
			     p->psid_len, p->psid_offset);
	}
	src_line = 0;
}

void read_file(const char *path, struct bt_file *f, bool need_br)
{
	FILE *in = strcmp(path, "-") ? fopen(path, "r") : stdin;
	char *buf = NULL, *w[32];
	size_t cap = 0;
	int n;

	if (!in)
		fail("%s: %s", path, strerror(errno));
	src_name = strcmp(path, "-") ? path : "stdin";
	src_line = 0;
	while (getline(&buf, &cap, in) >= 0) {
		src_line++;
		n = split(buf, w, 32);
		if (n)
			parse_line(f, w, n);
	}
	free(buf);
	if (in != stdin)
		fclose(in);
	src_line = 0;
	check_file(f, need_br);
}
