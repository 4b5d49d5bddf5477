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
	if (!prefix_ip4_unicast(sw->ipv4))
		fail("softwire: ipv4 %s is not a unicast address",
		     inet_ntoa((struct in_addr){ sw->ipv4 }));
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

/* ---- the translator's lines (MAPT) ---- */

bool xlat_any(const struct xlat_lines *x)
{
	return x->has_dmr || x->n_eam || x->has_mtu || x->has_udp ||
	       x->has_src4 || x->has_src6;
}

void xlat_free(struct xlat_lines *x)
{
	free(x->eam);
	memset(x, 0, sizeof(*x));
}

void xlat_add_eam(struct xlat_lines *x, const struct eam_line *e)
{
	unsigned int cap;

	if (x->n_eam == x->cap_eam) {
		if (x->n_eam == SOFTWIRE_MAX_EAMS)
			fail("more than %d eam lines in one table", SOFTWIRE_MAX_EAMS);
		/* Doubling: n EAMs cost O(n) copies in all. */
		cap = x->cap_eam ? 2 * x->cap_eam : 1024;
		if (cap > SOFTWIRE_MAX_EAMS)
			cap = SOFTWIRE_MAX_EAMS;
		x->eam = realloc(x->eam, cap * sizeof(*x->eam));
		if (!x->eam)
			fail("out of memory");
		x->cap_eam = cap;
	}
	x->eam[x->n_eam++] = *e;
}

static const char *ip4s(const uint8_t a[4])
{
	static char buf[4][INET_ADDRSTRLEN];
	static int i;

	i = (i + 1) % 4;
	return inet_ntop(AF_INET, a, buf[i], sizeof(buf[i]));
}

static const char *ip6s(const uint8_t a[16])
{
	static char buf[4][INET6_ADDRSTRLEN];
	static int i;

	i = (i + 1) % 4;
	return inet_ntop(AF_INET6, a, buf[i], sizeof(buf[i]));
}

/* A line given once per table: where it was first, for the message. */
static void once(const char *what, bool had, unsigned int *line)
{
	if (had)
		fail("a second %s line (one per table; the first is at line %u)",
		     what, *line);
	*line = src_line;
}

static void need_words(char **w, int n, int want, const char *usage)
{
	if (n != want)
		fail("%s: write \"%s\"", w[0], usage);
}

/* dmr P/L: RFC 6052 section 2.2. Each line's value is checked before
 * whether it is a second one.
 */
static void parse_dmr(struct xlat_lines *x, char **w, int n)
{
	uint8_t a[16], len;

	need_words(w, n, 2, "dmr IPV6-PREFIX/LENGTH");
	parse_prefix("dmr", w[1], AF_INET6, a, &len);
	switch (len) {
	case 32: case 40: case 48: case 56: case 64: case 96:
		break;
	default:
		fail("dmr %s: the length must be 32, 40, 48, 56, 64 or 96 (RFC 6052 section 2.2)",
		     w[1]);
	}
	if (len == 96 && a[8])
		fail("dmr %s: bits 64 to 71 of a /96 must be zero (RFC 6052 section 2.2)",
		     w[1]);
	if (a[0] == 0xff)
		fail("dmr %s: a multicast prefix cannot be a DMR", w[1]);
	once("dmr", x->has_dmr, &x->dmr_line);
	memcpy(x->dmr, a, 16);
	x->dmr_len = len;
	x->has_dmr = true;
}

/*
 * EAMs are compared through arrays of their indexes, sorted: by one key,
 * then by index, so that the first of equal ones is the first given.
 */
static const struct eam_line *eam_base;

static int eam_cmp4_key(const struct eam_line *x, const struct eam_line *y)
{
	int d = memcmp(x->ip4, y->ip4, 4);

	return d ? d : x->ip4_len - y->ip4_len;
}

static int eam_cmp6_key(const struct eam_line *x, const struct eam_line *y)
{
	int d = memcmp(x->ip6, y->ip6, 16);

	return d ? d : x->ip6_len - y->ip6_len;
}

/* Both prefixes: what del looks for. */
static int eam_cmp_key(const struct eam_line *x, const struct eam_line *y)
{
	int d = eam_cmp4_key(x, y);

	return d ? d : eam_cmp6_key(x, y);
}

static int idx_cmp(unsigned int a, unsigned int b,
		   int (*key)(const struct eam_line *, const struct eam_line *))
{
	int d = key(&eam_base[a], &eam_base[b]);

	return d ? d : (a > b) - (a < b);
}

static int idx_cmp4(const void *a, const void *b)
{
	return idx_cmp(*(const unsigned int *)a, *(const unsigned int *)b,
		       eam_cmp4_key);
}

static int idx_cmp6(const void *a, const void *b)
{
	return idx_cmp(*(const unsigned int *)a, *(const unsigned int *)b,
		       eam_cmp6_key);
}

static int idx_cmp_both(const void *a, const void *b)
{
	return idx_cmp(*(const unsigned int *)a, *(const unsigned int *)b,
		       eam_cmp_key);
}

/* bsearch: an EAM (the key) against an index of eam_base. */
static int eam_find_cmp(const void *key, const void *elem)
{
	return eam_cmp_key(key, &eam_base[*(const unsigned int *)elem]);
}

static unsigned int *eam_sorted(const struct xlat_lines *x, unsigned int n,
				int (*cmp)(const void *, const void *))
{
	unsigned int i, *idx = malloc((n ? n : 1) * sizeof(*idx));

	if (!idx)
		fail("out of memory");
	for (i = 0; i < n; i++)
		idx[i] = i;
	eam_base = x->eam;
	qsort(idx, n, sizeof(*idx), cmp);
	return idx;
}

/* first[i]: the first of the EAMs 0..n-1 equal to EAM i by key. */
static unsigned int *eam_firsts(const struct xlat_lines *x, unsigned int n,
				int (*cmp)(const void *, const void *),
				int (*key)(const struct eam_line *,
					   const struct eam_line *))
{
	unsigned int i, g = 0, *idx = eam_sorted(x, n, cmp);
	unsigned int *first = malloc((n ? n : 1) * sizeof(*first));

	if (!first)
		fail("out of memory");
	for (i = 0; i < n; i++) {
		if (!i || key(&x->eam[idx[i - 1]], &x->eam[idx[i]]))
			g = idx[i];
		first[idx[i]] = g;
	}
	free(idx);
	return first;
}

/* e maps a prefix that o maps (its IPv4 one if four), o coming first. */
static void __attribute__((noreturn))
eam_dup(const struct eam_line *e, const struct eam_line *o, bool four)
{
	char at[32] = "";

	src_line = e->line;
	if (o->line)
		snprintf(at, sizeof(at), ", at line %u", o->line);
	if (four)
		fail("eam: %s/%u is mapped already (to %s/%u%s)",
		     ip4s(e->ip4), e->ip4_len, ip6s(o->ip6), o->ip6_len, at);
	fail("eam: %s/%u is mapped already (to %s/%u%s)",
	     ip6s(e->ip6), e->ip6_len, ip4s(o->ip4), o->ip4_len, at);
}

/*
 * No two of the first n EAMs of x map one IPv4 or one IPv6 prefix. Else
 * the first EAM that maps one mapped before fails, naming the first EAM
 * that maps it: the error of checking each EAM against those before it
 * as it comes, in O(n log n).
 */
static void eam_check(const struct xlat_lines *x, unsigned int n)
{
	unsigned int *f4 = eam_firsts(x, n, idx_cmp4, eam_cmp4_key);
	unsigned int *f6 = eam_firsts(x, n, idx_cmp6, eam_cmp6_key);
	unsigned int i, o;
	bool four;

	for (i = 0; i < n; i++)
		if (f4[i] != i || f6[i] != i)
			break;
	/* The first earlier EAM with either prefix; the IPv4 one on a tie. */
	four = i < n && f4[i] != i && (f6[i] == i || f4[i] <= f6[i]);
	o = i < n ? (four ? f4[i] : f6[i]) : 0;
	free(f4);
	free(f6);
	if (i < n)
		eam_dup(&x->eam[i], &x->eam[o], four);
}

/*
 * e appended to x's EAMs, checked later (eam_check). A table full already
 * fails, but after the checks of its EAMs and of e: a mapping twice is the
 * error that comes first.
 */
static void eam_append(struct xlat_lines *x, const struct eam_line *e)
{
	unsigned int i;

	if (x->n_eam == SOFTWIRE_MAX_EAMS) {
		eam_check(x, x->n_eam);
		for (i = 0; i < x->n_eam; i++) {
			if (!eam_cmp4_key(&x->eam[i], e))
				eam_dup(e, &x->eam[i], true);
			if (!eam_cmp6_key(&x->eam[i], e))
				eam_dup(e, &x->eam[i], false);
		}
		src_line = e->line;
	}
	xlat_add_eam(x, e);
}

/* eam V4/L V6/L: RFC 7757 section 3.2. */
static void parse_eam(struct eam_line *e, char **w, int n)
{
	need_words(w, n, 3, "eam IPV4-PREFIX/LENGTH IPV6-PREFIX/LENGTH");
	memset(e, 0, sizeof(*e));
	e->line = src_line;
	parse_prefix("eam", w[1], AF_INET, e->ip4, &e->ip4_len);
	parse_prefix("eam", w[2], AF_INET6, e->ip6, &e->ip6_len);
	if (32 - e->ip4_len > 128 - e->ip6_len)
		fail("eam %s %s: the IPv6 prefix leaves fewer suffix bits than the IPv4 one: 32 - %u > 128 - %u (RFC 7757 section 3.2: an IPv4 /%u needs an IPv6 prefix of /%u or shorter)",
		     w[1], w[2], e->ip4_len, e->ip6_len, e->ip4_len,
		     e->ip4_len + 96);
}

/* RFC 8200 section 5: every IPv6 link carries 1280 bytes. */
static uint16_t parse_mtu(const char *s)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (!*s || *end || errno || *s == '-' || v < 1280 || v > 65535)
		fail("lowest-ipv6-mtu \"%s\": a number from 1280 to 65535 (RFC 8200 section 5: no IPv6 link has a smaller MTU)",
		     s);
	return v;
}

bool parse_xlat_line(struct xlat_lines *x, char **w, int n)
{
	const char *k = w[0];

	if (!strcmp(k, "dmr")) {
		parse_dmr(x, w, n);
	} else if (!strcmp(k, "eam")) {
		struct eam_line e;

		parse_eam(&e, w, n);
		eam_append(x, &e);
	} else if (!strcmp(k, "lowest-ipv6-mtu")) {
		uint16_t mtu;

		need_words(w, n, 2, "lowest-ipv6-mtu 1280..65535");
		mtu = parse_mtu(w[1]);
		once(k, x->has_mtu, &x->mtu_line);
		x->mtu = mtu;
		x->has_mtu = true;
	} else if (!strcmp(k, "udp-zero-checksum")) {
		uint8_t f;

		need_words(w, n, 2, "udp-zero-checksum drop|drop-silent|compute");
		if (!strcmp(w[1], "compute"))
			f = SOFTWIRE_XLAT_F_UDP_ZERO_COMPUTE;
		else if (!strcmp(w[1], "drop-silent"))
			f = SOFTWIRE_XLAT_F_UDP_ZERO_SILENT;
		else if (!strcmp(w[1], "drop"))
			f = 0;
		else
			fail("udp-zero-checksum \"%s\": drop, drop-silent or compute (RFC 7915 section 4.5)",
			     w[1]);
		once(k, x->has_udp, &x->udp_line);
		x->flags = f;
		x->has_udp = true;
	} else if (!strcmp(k, "icmp-source-ipv4")) {
		uint32_t a;

		need_words(w, n, 2, "icmp-source-ipv4 IPV4-ADDRESS");
		a = parse_ip4(k, w[1]);
		if (!prefix_ip4_unicast(a))
			fail("icmp-source-ipv4 %s: a unicast IPv4 address is needed (RFC 6791)",
			     w[1]);
		once(k, x->has_src4, &x->src4_line);
		memcpy(x->src4, &a, 4);
		x->has_src4 = true;
	} else if (!strcmp(k, "icmp-source-ipv6")) {
		uint8_t a[16];

		need_words(w, n, 2, "icmp-source-ipv6 IPV6-ADDRESS");
		parse_ip6(k, w[1], a);
		once(k, x->has_src6, &x->src6_line);
		memcpy(x->src6, a, 16);
		x->has_src6 = true;
	} else {
		return false;
	}
	return true;
}

/* In the order of softwirectl.8; the policy lines whenever there is a block. */
void print_xlat(const struct xlat_lines *x, const char *indent)
{
	unsigned int i;

	if (!x->present && !xlat_any(x))
		return;
	if (x->has_dmr)
		printf("%sdmr %s/%u\n", indent, ip6s(x->dmr), x->dmr_len);
	for (i = 0; i < x->n_eam; i++)
		printf("%seam %s/%u %s/%u\n", indent, ip4s(x->eam[i].ip4),
		       x->eam[i].ip4_len, ip6s(x->eam[i].ip6), x->eam[i].ip6_len);
	printf("%slowest-ipv6-mtu %u\n", indent, x->has_mtu ? x->mtu : 1280);
	printf("%sudp-zero-checksum %s\n", indent,
	       x->flags & SOFTWIRE_XLAT_F_UDP_ZERO_COMPUTE ? "compute" :
	       x->flags & SOFTWIRE_XLAT_F_UDP_ZERO_SILENT ? "drop-silent" : "drop");
	if (x->has_src4)
		printf("%sicmp-source-ipv4 %s\n", indent, ip4s(x->src4));
	if (x->has_src6)
		printf("%sicmp-source-ipv6 %s\n", indent, ip6s(x->src6));
}

/*
 * c's EAMs removed from cur's, each of them there: one sort of cur's and a
 * binary search for each (a table may hold SOFTWIRE_MAX_EAMS).
 */
static void xlat_del_eams(struct xlat_lines *cur, const struct xlat_lines *c)
{
	unsigned int i, j, *idx = eam_sorted(cur, cur->n_eam, idx_cmp_both);
	bool *gone = calloc(cur->n_eam ? cur->n_eam : 1, sizeof(*gone));
	const unsigned int *hit;

	if (!gone)
		fail("out of memory");
	for (i = 0; i < c->n_eam; i++) {
		const struct eam_line *e = &c->eam[i];

		eam_base = cur->eam;
		hit = bsearch(e, idx, cur->n_eam, sizeof(*idx), eam_find_cmp);
		src_line = e->line;
		if (!hit || gone[*hit])
			fail("no such eam: %s/%u %s/%u", ip4s(e->ip4), e->ip4_len,
			     ip6s(e->ip6), e->ip6_len);
		gone[*hit] = true;
	}
	/* The others keep their order. */
	for (i = j = 0; i < cur->n_eam; i++)
		if (!gone[i])
			cur->eam[j++] = cur->eam[i];
	cur->n_eam = j;
	free(gone);
	free(idx);
}

/*
 * add: a dmr only where there is none, eams that map nothing mapped yet,
 * the policy lines replace the table's. del: the table's dmr, eams, and
 * the policy lines back to their defaults (whatever value they name).
 */
void xlat_change(struct xlat_lines *cur, const struct xlat_lines *c, bool add)
{
	unsigned int i;

	if (c->has_dmr) {
		src_line = c->dmr_line;
		if (add && cur->has_dmr)
			fail("the table has dmr %s/%u already (one per table: del it first)",
			     ip6s(cur->dmr), cur->dmr_len);
		if (!add && (!cur->has_dmr || cur->dmr_len != c->dmr_len ||
			     memcmp(cur->dmr, c->dmr, 16)))
			fail("no such dmr: the table's is %s", !cur->has_dmr ? "none" :
			     ip6s(cur->dmr));
		cur->has_dmr = add;
		memcpy(cur->dmr, c->dmr, 16);
		cur->dmr_len = c->dmr_len;
	}
	if (!add && c->n_eam) {
		xlat_del_eams(cur, c);
	} else if (c->n_eam) {
		for (i = 0; i < c->n_eam; i++)
			eam_append(cur, &c->eam[i]);
		eam_check(cur, cur->n_eam);
	}
	src_line = 0;
	if (c->has_mtu) {
		cur->has_mtu = add;
		cur->mtu = add ? c->mtu : 1280;
	}
	if (c->has_udp) {
		cur->has_udp = add && c->flags;
		cur->flags = add ? c->flags : 0;
	}
	if (c->has_src4)
		cur->has_src4 = add;
	if (add && c->has_src4)
		memcpy(cur->src4, c->src4, 4);
	if (c->has_src6)
		cur->has_src6 = add;
	if (add && c->has_src6)
		memcpy(cur->src6, c->src6, 16);
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
	} else if (!parse_xlat_line(&f->xlat, w, n)) {
		fail("unknown line \"%s\" (br-address, softwire, rule, dmr, eam, lowest-ipv6-mtu, udp-zero-checksum, icmp-source-ipv4, icmp-source-ipv6)",
		     w[0]);
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

/*
 * The checks the kernel makes again, with line numbers. A whole table
 * names its own address, unless it is a translator's (MAPT: translator
 * lines, or MAP rules and no softwires).
 */
static void check_file(struct bt_file *f, bool whole)
{
	size_t i;

	/* What was checked as each line came, before the other checks. */
	eam_check(&f->xlat, f->xlat.n_eam);
	if (whole && !f->n_br && (f->n_sw || (!f->n_rules && !xlat_any(&f->xlat))))
		fail("%s: no br-address line: the table needs this AFTR's IPv6 address%s",
		     src_name, f->n_sw ? " for its softwires" :
		     " (a translator's table needs a dmr, eam or rule line instead)");
	if (f->n_sw)	/* f->sw may be NULL, which qsort may not get */
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

/*
 * The EAMs of the file being read, checked once it is read: an error of a
 * line checks those before it first, so that the first error in the file
 * is the one reported, as if each EAM had been checked as it came.
 */
static const struct xlat_lines *reading;

void read_fail_first(void)
{
	const struct xlat_lines *x = reading;
	unsigned int line = src_line;

	if (!x)
		return;
	reading = NULL;
	eam_check(x, x->n_eam);
	src_line = line;
}

void read_stream(FILE *in, const char *name, struct bt_file *f, bool whole)
{
	/* One line buffer for the program's life: a failed line leaks none. */
	static char *buf;
	static size_t cap;
	char *w[32];
	int n;

	src_name = name;
	src_line = 0;
	reading = &f->xlat;
	while (getline(&buf, &cap, in) >= 0) {
		src_line++;
		n = split(buf, w, 32);
		if (n)
			parse_line(f, w, n);
	}
	reading = NULL;
	src_line = 0;
	check_file(f, whole);
}

void read_file(const char *path, struct bt_file *f, bool whole)
{
	FILE *in = strcmp(path, "-") ? fopen(path, "r") : stdin;

	if (!in)
		fail("%s: %s", path, strerror(errno));
	read_stream(in, in == stdin ? "stdin" : path, f, whole);
	if (in != stdin)
		fclose(in);
}

void bt_file_free(struct bt_file *f)
{
	free(f->sw);
	xlat_free(&f->xlat);
	memset(f, 0, sizeof(*f));
}
