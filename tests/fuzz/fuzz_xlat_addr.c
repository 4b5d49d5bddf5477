// SPDX-License-Identifier: GPL-2.0
/* libFuzzer target for the translator's address mapping: a random map
 * (up to 8 MAP rules, 8 EAM entries, a DMR; lengths in and out of range)
 * in exactly sized heap arrays, an IPv4 address and an IPv6 address often
 * drawn under one of its prefixes, and a port. Aborts when
 *  - IPv4 -> IPv6 -> IPv4 does not give the address back, for every way
 *    (MAP rule, EAM, DMR) whenever the reverse lookup lands on the same
 *    rule, entry or DMR (an overlapping table may legitimately send it
 *    elsewhere);
 *  - a MAP address passes the anti-spoofing check but is not the address
 *    the rule derives for the IPv4 address and port it was accepted for;
 *  - a lookup returns something outside its table;
 *  - the longest-prefix-match index (built over the same tables, in
 *    exactly sized memory) finds another rule or EAM than the scans, for
 *    the drawn addresses and the addresses just outside each prefix;
 * and ASan/UBSan catch any read out of bounds or undefined shift.
 */
#include <stdlib.h>
#include <string.h>

#include "xlat_addr.h"

struct in {
	const uint8_t *p;
	size_t n;
};

static uint8_t byte(struct in *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static uint32_t u32(struct in *in)
{
	uint32_t v = 0;
	int i;

	for (i = 0; i < 4; i++)
		v = v << 8 | byte(in);
	return v;
}

static void bytes(struct in *in, uint8_t *out, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = byte(in);
}

static uint32_t mask4(unsigned int len)
{
	return len >= 32 ? ~0u : len ? ~0u << (32 - len) : 0;
}

/* a := the first len bits of p, the rest from a */
static void under6(uint8_t a[16], const uint8_t p[16], unsigned int len)
{
	unsigned int i;

	if (len > 128)
		len = 128;
	for (i = 0; i < len / 8; i++)
		a[i] = p[i];
	if (len % 8) {
		uint8_t m = (uint8_t)(0xff00 >> (len % 8));

		a[i] = (uint8_t)((p[i] & m) | (a[i] & ~m));
	}
}

static void check_rule(const struct map_rule *r, uint32_t ip4, int port,
		       const uint8_t a[16])
{
	struct map_ce ce;
	uint32_t back = 0;

	if (!(map_rule_check(r, XLAT_MAP_EU_MAX) == MAP_RULE_OK))
		return;
	/* Derived addresses pass the check, with and without the port. */
	if (port >= 0 && map_rule_ce_for(r, ip4, (uint16_t)port, &ce) == MAP_RULE_OK) {
		if (!xlat_map_6to4(r, ce.ip6, port, &back) || back != ip4)
			abort();
		if (!xlat_map_6to4(r, ce.ip6, -1, &back) || back != ip4)
			abort();
	}
	/* What passes is exactly a derived address. */
	if (xlat_map_6to4(r, a, port, &back)) {
		struct psid_set s;
		uint16_t p;

		if (map_rule_ce_for(r, back, 0, &ce) == MAP_RULE_IPV4_PREFIX)
			abort();
		if (port >= 0) {
			p = (uint16_t)port;
		} else {
			/* the PSID the address names */
			s.len = (uint8_t)(r->ea_len - (32 - r->ip4_len));
			s.offset = s.len ? r->psid_offset : 0;
			s.psid = (uint16_t)(a[14] << 8 | a[15]);
			if (!psid_set_valid(&s))
				abort();
			p = psid_set_port(&s, 0);
		}
		if (map_rule_ce_for(r, back, p, &ce) != MAP_RULE_OK ||
		    memcmp(ce.ip6, a, 16))
			abort();
	}
}

static void check_eam(const struct xlat_eam *e, uint32_t ip4)
{
	uint8_t out[16];

	xlat_eam_4to6(e, ip4, out);
	if (!xlat_eam_valid(e) || (ip4 ^ e->ip4) & mask4(e->ip4_len))
		return;
	if (xlat_eam_6to4(e, out) != ip4)
		abort();
}

static void check_dmr(const struct xlat_prefix6 *p, uint32_t ip4,
		      const uint8_t a[16])
{
	uint8_t out[16], again[16];
	uint32_t back = 0;

	rfc6052_embed(p, ip4, out);
	if (!rfc6052_len_ok(p->len))
		return;
	if (!rfc6052_extract(p, out, &back) || back != ip4)
		abort();
	if (out[8] && p->len != 96)
		abort();	/* the u-octet */
	/* On the way in, the u-octet and the suffix do not matter. */
	if (rfc6052_extract(p, a, &back)) {
		rfc6052_embed(p, back, again);
		if (!rfc6052_extract(p, again, &ip4) || ip4 != back)
			abort();
	}
}

/* The index gives what the scans give (m without its indexes). */
static void check_index(const struct xlat_map *m, const struct xlat_index *ix_r,
			const struct xlat_index *ix_e, uint32_t ip4,
			const uint8_t a[16])
{
	struct xlat_map mi = *m;

	mi.rules_ix = ix_r;
	mi.eam_ix = ix_e;
	if (xlat_map_find4(&mi, ip4) != xlat_map_scan4(m->rules, m->n_rules, ip4) ||
	    xlat_map_find6(&mi, a) != xlat_map_scan6(m->rules, m->n_rules, a) ||
	    xlat_eam_find4(&mi, ip4) != xlat_eam_scan4(m->eam, m->n_eam, ip4) ||
	    xlat_eam_find6(&mi, a) != xlat_eam_scan6(m->eam, m->n_eam, a))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { data, size };
	unsigned int n_rules, n_eam, i, sel;
	struct map_rule *rules;
	struct xlat_eam *eam;
	struct xlat_prefix6 *dmr;
	struct xlat_map m;
	struct xlat_index ix_r, ix_e;
	void *mem_r, *mem_e, *scratch;
	uint8_t a[16], out[16];
	uint32_t ip4, back = 0;
	enum xlat_how how, how6;
	bool spoofed;
	int port;

	if (size < 8)
		return 0;
	n_rules = byte(&in) % 9;
	n_eam = byte(&in) % 9;
	/* exactly sized, so that ASan sees a read past the end */
	rules = malloc(n_rules ? n_rules * sizeof(*rules) : 1);
	eam = malloc(n_eam ? n_eam * sizeof(*eam) : 1);
	dmr = malloc(sizeof(*dmr));
	if (!rules || !eam || !dmr)
		abort();
	for (i = 0; i < n_rules; i++) {
		struct map_rule *r = &rules[i];

		bytes(&in, r->ip6_prefix, 16);
		r->ip6_len = byte(&in) % 130;
		r->ip4_prefix = u32(&in);
		r->ip4_len = byte(&in) % 34;
		r->ea_len = byte(&in) % 50;
		r->psid_offset = byte(&in) % 18;
	}
	for (i = 0; i < n_eam; i++) {
		struct xlat_eam *e = &eam[i];

		e->ip4 = u32(&in);
		e->ip4_len = byte(&in) % 34;
		bytes(&in, e->ip6, 16);
		e->ip6_len = byte(&in) % 130;
		if (byte(&in) & 1) {	/* mostly clean, valid entries */
			e->ip4 &= mask4(e->ip4_len);
			if (e->ip6_len > 96 + e->ip4_len)
				e->ip6_len = (uint8_t)(96 + e->ip4_len);
			memset(out, 0, 16);
			under6(out, e->ip6, e->ip6_len);
			memcpy(e->ip6, out, 16);
		}
	}
	bytes(&in, dmr->a, 16);
	dmr->len = byte(&in);
	if (dmr->len & 0x80)
		dmr->len = (uint8_t)(32 + 8 * (dmr->len % 5) +
				     (dmr->len % 7 == 0 ? 32 : 0));
	ip4 = u32(&in);
	port = byte(&in) << 8;
	port |= byte(&in);
	if (byte(&in) & 1)
		port = -1;
	bytes(&in, a, 16);

	/* Draw the addresses under a prefix of the map, often. */
	sel = byte(&in) % 20;
	if (sel < n_rules)
		ip4 = (rules[sel].ip4_prefix & mask4(rules[sel].ip4_len)) |
		      (ip4 & ~mask4(rules[sel].ip4_len));
	else if (sel >= 8 && sel - 8 < n_eam)
		ip4 = (eam[sel - 8].ip4 & mask4(eam[sel - 8].ip4_len)) |
		      (ip4 & ~mask4(eam[sel - 8].ip4_len));
	sel = byte(&in) % 20;
	if (sel < n_rules)
		under6(a, rules[sel].ip6_prefix, rules[sel].ip6_len);
	else if (sel >= 8 && sel - 8 < n_eam)
		under6(a, eam[sel - 8].ip6, eam[sel - 8].ip6_len);
	else if (sel == 16)
		under6(a, dmr->a, dmr->len);

	m.rules = rules;
	m.n_rules = n_rules;
	m.eam = eam;
	m.n_eam = n_eam;
	m.dmr = byte(&in) & 1 ? NULL : dmr;
	m.rules_ix = NULL;
	m.eam_ix = NULL;
	mem_r = malloc(xlat_index_bytes(n_rules));
	mem_e = malloc(xlat_index_bytes(n_eam));
	scratch = malloc(xlat_index_scratch_bytes(n_rules > n_eam ? n_rules : n_eam));
	if (!mem_r || !mem_e || !scratch)
		abort();
	xlat_index_build_rules(&ix_r, mem_r, scratch, rules, n_rules);
	xlat_index_build_eam(&ix_e, mem_e, scratch, eam, n_eam);
	free(scratch);
	check_index(&m, &ix_r, &ix_e, ip4, a);
	for (i = 0; i < n_rules; i++) {
		uint32_t lo = rules[i].ip4_prefix & mask4(rules[i].ip4_len % 33);

		check_index(&m, &ix_r, &ix_e, lo - 1, a);
		check_index(&m, &ix_r, &ix_e, lo | ~mask4(rules[i].ip4_len % 33), a);
		check_index(&m, &ix_r, &ix_e, (lo | ~mask4(rules[i].ip4_len % 33)) + 1, a);
	}
	for (i = 0; i < n_eam; i++) {
		uint8_t b[16];

		memset(b, 0, 16);
		under6(b, eam[i].ip6, eam[i].ip6_len);
		check_index(&m, &ix_r, &ix_e, eam[i].ip4 - 1, b);
		memset(b, 0xff, 16);
		under6(b, eam[i].ip6, eam[i].ip6_len);
		check_index(&m, &ix_r, &ix_e, eam[i].ip4 + 1, b);
		/* one past the last address under it */
		for (sel = 16; sel-- > 0 && ++b[sel] == 0;)
			;
		check_index(&m, &ix_r, &ix_e, eam[i].ip4, b);
	}
	if (byte(&in) & 1) {
		m.rules_ix = &ix_r;
		m.eam_ix = &ix_e;
	}

	for (i = 0; i < n_rules; i++)
		check_rule(&rules[i], ip4, port, a);
	for (i = 0; i < n_eam; i++)
		check_eam(&eam[i], ip4);
	check_dmr(dmr, ip4, a);

	/* IPv4 -> IPv6 -> IPv4 */
	how = xlat_addr_4to6(&m, ip4, port, out);
	how6 = xlat_addr_6to4(&m, out, port, &back, &spoofed);
	if (spoofed && how6 != XLAT_NONE)
		abort();
	switch (how) {
	case XLAT_MAP: {
		const struct map_rule *r = xlat_map_scan4(rules, n_rules, ip4);

		if (!r || xlat_map_scan6(rules, n_rules, out) != r)
			break;
		if (how6 != XLAT_MAP || back != ip4)
			abort();
		break;
	}
	case XLAT_EAM: {
		const struct xlat_eam *e = xlat_eam_scan4(eam, n_eam, ip4);

		if (!e || xlat_map_scan6(rules, n_rules, out) ||
		    xlat_eam_scan6(eam, n_eam, out) != e)
			break;
		if (how6 != XLAT_EAM || back != ip4)
			abort();
		break;
	}
	case XLAT_DMR:
		if (!m.dmr || xlat_map_scan6(rules, n_rules, out) ||
		    xlat_eam_scan6(eam, n_eam, out))
			break;
		if (how6 != XLAT_DMR || back != ip4)
			abort();
		break;
	case XLAT_NONE:
		break;
	}

	/* IPv6 -> IPv4 of the drawn address. */
	how6 = xlat_addr_6to4(&m, a, port, &back, &spoofed);
	if (how6 == XLAT_MAP) {
		const struct map_rule *r = xlat_map_scan6(rules, n_rules, a);
		struct map_ce ce;

		if (!r || spoofed || (port >= 0 &&
		    (map_rule_ce_for(r, back, (uint16_t)port, &ce) != MAP_RULE_OK ||
		     memcmp(ce.ip6, a, 16))))
			abort();
	}
	free(mem_r);
	free(mem_e);
	free(rules);
	free(eam);
	free(dmr);
	return 0;
}
