// SPDX-License-Identifier: GPL-2.0
/*
 * Address mapping of the translator: RFC 6052, RFC 7757, RFC 7599 MAP rules.
 *
 * IPv6 addresses are handled as two 64-bit halves, so that a bit field at
 * any offset (an EAM suffix, the EA bits) is a couple of shifts, not a loop
 * over bits: this runs for both ends of every translated packet.
 */
#ifdef __KERNEL__
#include <linux/string.h>
#else
#include <stddef.h>
#include <string.h>
#endif
#include "xlat_addr.h"

struct u128 {
	uint64_t hi, lo;
};

static struct u128 load128(const uint8_t a[16])
{
	struct u128 v = { 0, 0 };
	unsigned int i;

	for (i = 0; i < 8; i++) {
		v.hi = v.hi << 8 | a[i];
		v.lo = v.lo << 8 | a[8 + i];
	}
	return v;
}

static void store128(struct u128 v, uint8_t out[16])
{
	unsigned int i;

	for (i = 0; i < 8; i++) {
		out[7 - i] = (uint8_t)(v.hi >> (8 * i));
		out[15 - i] = (uint8_t)(v.lo >> (8 * i));
	}
}

/* x (at most 64 bits) shifted left by s (s < 128) into 128 bits */
static struct u128 shl128(uint64_t x, unsigned int s)
{
	struct u128 v;

	if (s >= 64) {
		v.hi = x << (s - 64);
		v.lo = 0;
	} else if (s) {
		v.hi = x >> (64 - s);
		v.lo = x << s;
	} else {
		v.hi = 0;
		v.lo = x;
	}
	return v;
}

static uint64_t ones64(unsigned int n)
{
	return n >= 64 ? ~0ull : (1ull << n) - 1;
}

/* Set bits [off, off + n) of *v to x; n <= 64, off + n <= 128. */
static void put_field(struct u128 *v, unsigned int off, unsigned int n,
		      uint64_t x)
{
	struct u128 m, b;

	if (!n)
		return;
	m = shl128(ones64(n), 128 - off - n);
	b = shl128(x & ones64(n), 128 - off - n);
	v->hi = (v->hi & ~m.hi) | b.hi;
	v->lo = (v->lo & ~m.lo) | b.lo;
}

/* The first len bits of an IPv6 address as a mask (len <= 128). */
static struct u128 mask128(unsigned int len)
{
	struct u128 m;

	m.hi = len >= 64 ? ~0ull : len ? ~0ull << (64 - len) : 0;
	m.lo = len >= 128 ? ~0ull : len > 64 ? ~0ull << (128 - len) : 0;
	return m;
}

static uint32_t mask32(unsigned int len)
{
	return len >= 32 ? ~0u : len ? ~0u << (32 - len) : 0;
}

/* Do the first len bits of a and p agree? (len <= 128) */
static bool match6(const uint8_t a[16], const uint8_t p[16], unsigned int len)
{
	unsigned int full = len / 8, rest = len % 8;

	if (memcmp(a, p, full))
		return false;
	return !rest || !((a[full] ^ p[full]) & (uint8_t)(0xff00 >> rest));
}

static bool match4(uint32_t a, uint32_t p, unsigned int len)
{
	return !((a ^ p) & mask32(len));
}

bool xlat_prefix6_clean(const uint8_t p[16], unsigned int len)
{
	struct u128 v = load128(p), m = mask128(len);

	return !(v.hi & ~m.hi) && !(v.lo & ~m.lo);
}

/* RFC 6052 ----------------------------------------------------------- */

bool rfc6052_len_ok(unsigned int len)
{
	return len == 32 || len == 40 || len == 48 || len == 56 || len == 64 ||
	       len == 96;
}

bool rfc6052_prefix_valid(const struct xlat_prefix6 *p)
{
	/* Section 2.2: with a /96 the u-octet is part of the prefix. */
	return rfc6052_len_ok(p->len) && xlat_prefix6_clean(p->a, p->len) &&
	       (p->len != 96 || !p->a[8]);
}

/*
 * Section 2.2: the IPv4 address follows the prefix, skipping bits 64 to 71
 * (the u-octet, byte 8). With the lengths of rfc6052_len_ok() it starts on
 * a byte boundary, so the four bytes are placed one by one.
 */
void rfc6052_embed(const struct xlat_prefix6 *p, uint32_t ip4, uint8_t out[16])
{
	unsigned int pos = p->len / 8, i;

	memset(out, 0, 16);
	if (!rfc6052_len_ok(p->len))
		return;
	memcpy(out, p->a, pos);
	for (i = 0; i < 4; i++) {
		if (pos == 8)
			pos++;		/* u-octet: zero */
		out[pos++] = (uint8_t)(ip4 >> (24 - 8 * i));
	}
}

/*
 * RFC 6052 section 2.2 says bits 64 to 71 (the u-octet) MUST be zero and
 * the suffix SHOULD be zero when an address is formed, and that a
 * translator receiving an address where the suffix bits are not zero
 * SHOULD ignore their value. We generate both as zero (rfc6052_embed) and
 * ignore both on the way in: the u-octet is not checked either, since it
 * carries no part of the IPv4 address (with a /96 it is part of the prefix
 * and compared as such).
 */
/* a/len covers ip4 (host order) */
static bool ip4_in(uint32_t ip4, uint32_t a, unsigned int len)
{
	return !((ip4 ^ a) >> (32 - len));
}

bool rfc6052_ipv4_ok(const struct xlat_prefix6 *p, uint32_t ip4)
{
	static const uint8_t wkp[12] = { 0, 0x64, 0xff, 0x9b };

	/* this network, loopback, link local, multicast, reserved, broadcast */
	if (ip4_in(ip4, 0x00000000, 8) || ip4_in(ip4, 0x7f000000, 8) ||
	    ip4_in(ip4, 0xa9fe0000, 16) || ip4_in(ip4, 0xe0000000, 3))
		return false;
	/* RFC 6052 section 3.1: the Well-Known Prefix never carries private
	 * addresses (RFC 1918) nor the shared address space (RFC 6598).
	 */
	if (p->len == 96 && !memcmp(p->a, wkp, sizeof(wkp)) &&
	    (ip4_in(ip4, 0x0a000000, 8) || ip4_in(ip4, 0xac100000, 12) ||
	     ip4_in(ip4, 0xc0a80000, 16) || ip4_in(ip4, 0x64400000, 10)))
		return false;
	return true;
}

bool rfc6052_extract(const struct xlat_prefix6 *p, const uint8_t a[16],
		     uint32_t *ip4)
{
	unsigned int pos = p->len / 8, i;
	uint32_t v = 0;

	if (!rfc6052_len_ok(p->len) || !match6(a, p->a, p->len))
		return false;
	for (i = 0; i < 4; i++) {
		if (pos == 8)
			pos++;
		v = v << 8 | a[pos++];
	}
	*ip4 = v;
	return true;
}

/* RFC 7757 ----------------------------------------------------------- */

/* Lengths alone: what the lookups need to stay in bounds. */
static bool eam_lengths_ok(const struct xlat_eam *e)
{
	return e->ip4_len <= 32 && e->ip6_len <= 128 &&
	       32 - e->ip4_len <= 128 - e->ip6_len;
}

/*
 * Section 3.2: the IPv6 prefix has at least as many suffix bits as the
 * IPv4 prefix (it may have more: the RFC's own 192.0.2.128/26 <->
 * 2001:db8:dddd::/64). Prefixes with bits set past their length are
 * refused, so that an entry reads one way only.
 */
bool xlat_eam_valid(const struct xlat_eam *e)
{
	return eam_lengths_ok(e) && !(e->ip4 & ~mask32(e->ip4_len)) &&
	       xlat_prefix6_clean(e->ip6, e->ip6_len);
}

/* Sections 3.3 and 3.4: the longest matching prefix wins. */
const struct xlat_eam *xlat_eam_scan4(const struct xlat_eam *tab,
				      unsigned int n, uint32_t ip4)
{
	const struct xlat_eam *best = NULL;
	unsigned int i;

	for (i = 0; i < n; i++) {
		const struct xlat_eam *e = &tab[i];

		if (eam_lengths_ok(e) && match4(ip4, e->ip4, e->ip4_len) &&
		    (!best || e->ip4_len > best->ip4_len))
			best = e;
	}
	return best;
}

const struct xlat_eam *xlat_eam_scan6(const struct xlat_eam *tab,
				      unsigned int n, const uint8_t a[16])
{
	const struct xlat_eam *best = NULL;
	unsigned int i;

	for (i = 0; i < n; i++) {
		const struct xlat_eam *e = &tab[i];

		if (eam_lengths_ok(e) && match6(a, e->ip6, e->ip6_len) &&
		    (!best || e->ip6_len > best->ip6_len))
			best = e;
	}
	return best;
}

/*
 * Section 3.3: the IPv6 prefix, then the suffix bits of the IPv4 address
 * right after it; any further IPv6 suffix bits are zero.
 */
void xlat_eam_4to6(const struct xlat_eam *e, uint32_t ip4, uint8_t out[16])
{
	struct u128 v, m;
	unsigned int n;

	memset(out, 0, 16);
	if (!eam_lengths_ok(e))
		return;
	n = 32 - e->ip4_len;
	v = load128(e->ip6);
	m = mask128(e->ip6_len);
	v.hi &= m.hi;
	v.lo &= m.lo;
	put_field(&v, e->ip6_len, n, ip4);
	store128(v, out);
}

/*
 * Section 3.4: the IPv4 prefix, then as many bits as the IPv4 suffix has,
 * taken right after the IPv6 prefix; further IPv6 suffix bits are ignored.
 */
uint32_t xlat_eam_6to4(const struct xlat_eam *e, const uint8_t a[16])
{
	unsigned int n;

	if (!eam_lengths_ok(e))
		return 0;
	n = 32 - e->ip4_len;
	return (e->ip4 & mask32(e->ip4_len)) |
	       (uint32_t)map_get_bits(a, e->ip6_len, n);
}

/* MAP rules (RFC 7599 section 5, RFC 7597 section 5) ------------------ */

/*
 * A rule the translator can use (map_rule_check(r, XLAT_MAP_EU_MAX)): the
 * EA bits hold the whole IPv4 suffix (o + r >= 32, RFC 7597 section 5.2:
 * each CE has one IPv4 address, maybe shared, not an IPv4 prefix), the
 * PSID fits next to its offset, and the End-user prefix (rule prefix + EA
 * bits) ends by bit 64, where the interface identifier of RFC 7597
 * section 6 begins (map_rule_ce_for() keeps no End-user bit past 64, so EA
 * bits there could not be checked).
 */
static bool xlat_rule_usable(const struct map_rule *r)
{
	return map_rule_check(r, XLAT_MAP_EU_MAX) == MAP_RULE_OK;
}

/* RFC 7599 section 8.1 and 8.4: longest IPv4 destination match. */
const struct map_rule *xlat_map_scan4(const struct map_rule *rules,
				      unsigned int n, uint32_t ip4)
{
	const struct map_rule *best = NULL;
	unsigned int i;

	for (i = 0; i < n; i++) {
		const struct map_rule *r = &rules[i];

		if (r->ip4_len <= 32 && match4(ip4, r->ip4_prefix, r->ip4_len) &&
		    (!best || r->ip4_len > best->ip4_len))
			best = r;
	}
	return best;
}

/* RFC 7599 section 8.3: longest match of the (source) IPv6 address. */
const struct map_rule *xlat_map_scan6(const struct map_rule *rules,
				      unsigned int n, const uint8_t a[16])
{
	const struct map_rule *best = NULL;
	unsigned int i;

	for (i = 0; i < n; i++) {
		const struct map_rule *r = &rules[i];

		if (r->ip6_len <= 128 && match6(a, r->ip6_prefix, r->ip6_len) &&
		    (!best || r->ip6_len > best->ip6_len))
			best = r;
	}
	return best;
}

/*
 * The EA bits after the rule's IPv6 prefix give the IPv4 suffix and the
 * PSID (RFC 7597 section 5.2). The packet is genuine only if its address
 * is the one the rule derives for that IPv4 address and port (RFC 7599
 * section 8.3 at the BR; RFC 7597 section 8.1 for MAP-E): End-user
 * prefix, subnet ID zero, and the interface identifier of
 * RFC 7597 section 6. map_rule_ce_for() derives it; it also refuses a port
 * outside every port set (A = 0 with an offset).
 */
bool xlat_map_6to4(const struct map_rule *r, const uint8_t a[16], int port,
		   uint32_t *ip4)
{
	unsigned int suffix = 32 - r->ip4_len, k;
	struct map_ce ce;
	uint64_t ea;
	uint32_t v4;
	uint16_t psid, p;

	if (!xlat_rule_usable(r) || !match6(a, r->ip6_prefix, r->ip6_len) ||
	    port > 0xffff)
		return false;
	k = r->ea_len - suffix;
	ea = map_get_bits(a, r->ip6_len, r->ea_len);
	psid = (uint16_t)(ea & ones64(k));
	v4 = (r->ip4_prefix & mask32(r->ip4_len)) |
	     (suffix ? (uint32_t)(ea >> k) : 0);
	if (port >= 0) {
		p = (uint16_t)port;
	} else {
		/* No port: any port of the PSID's set derives the address. */
		struct psid_set s = { .offset = (uint8_t)(k ? r->psid_offset : 0),
				      .len = (uint8_t)k, .psid = psid };

		p = psid_set_port(&s, 0);
	}
	if (map_rule_ce_for(r, v4, p, &ce) != MAP_RULE_OK ||
	    ce.ports.psid != psid || memcmp(ce.ip6, a, 16))
		return false;
	*ip4 = v4;
	return true;
}

/* The longest-prefix-match index --------------------------------------- */

/*
 * An index cuts the address space at every prefix's first address and
 * right after its last one (prefixes are nested or disjoint, never
 * overlapping otherwise), giving at most 2n + 1 intervals, each labelled
 * with the innermost, so longest, prefix that covers it. Built by sorting
 * the prefixes by first address then length and walking them with a stack
 * of the prefixes still open (at most one per length: 129 for IPv6). IPv4
 * prefixes are handled as IPv6 ones in the top 32 bits, and their starts
 * stored as 32 bits.
 */
struct lpm_item {
	struct u128 lo;		/* first address */
	uint32_t idx;
	uint8_t len;
};

struct lpm_open {
	struct u128 hi;		/* last address */
	uint32_t idx;
};

#define LPM_DEPTH	129

static size_t lpm_slots(unsigned int n)
{
	return 2 * (size_t)n + 1;
}

size_t xlat_index_bytes(unsigned int n)
{
	/* s6 (two halves), s4, two value arrays; 8 for alignment */
	return 8 + lpm_slots(n) * (2 * sizeof(uint64_t) + 3 * sizeof(uint32_t));
}

size_t xlat_index_scratch_bytes(unsigned int n)
{
	return 8 + (size_t)n * sizeof(struct lpm_item) +
	       LPM_DEPTH * sizeof(struct lpm_open);
}

static void *align8(void *p)
{
	return (void *)(((uintptr_t)p + 7) & ~(uintptr_t)7);
}

static int u128_cmp(struct u128 a, struct u128 b)
{
	if (a.hi != b.hi)
		return a.hi < b.hi ? -1 : 1;
	if (a.lo != b.lo)
		return a.lo < b.lo ? -1 : 1;
	return 0;
}

/* By first address, then length (the covering prefix first), then index. */
static bool item_less(const struct lpm_item *a, const struct lpm_item *b)
{
	int c = u128_cmp(a->lo, b->lo);

	if (c)
		return c < 0;
	if (a->len != b->len)
		return a->len < b->len;
	return a->idx < b->idx;
}

/* Heapsort: in place, no recursion, O(n log n) whatever the input. */
static void item_sift(struct lpm_item *v, size_t root, size_t n)
{
	struct lpm_item t;
	size_t c;

	while ((c = 2 * root + 1) < n) {
		if (c + 1 < n && item_less(&v[c], &v[c + 1]))
			c++;
		if (!item_less(&v[root], &v[c]))
			return;
		t = v[root];
		v[root] = v[c];
		v[c] = t;
		root = c;
	}
}

static void item_sort(struct lpm_item *v, size_t n)
{
	struct lpm_item t;
	size_t i;

	for (i = n / 2; i-- > 0;)
		item_sift(v, i, n);
	for (i = n; i-- > 1;) {
		t = v[0];
		v[0] = v[i];
		v[i] = t;
		item_sift(v, 0, i);
	}
}

struct lpm_out {
	struct xlat_lpm *t;
	uint32_t *s4;		/* the IPv4 index's, else NULL */
	uint64_t *s6;
	uint32_t *val;
};

static struct u128 lpm_key(const struct lpm_out *o, uint32_t i)
{
	struct u128 k;

	if (o->s4) {
		k.hi = (uint64_t)o->s4[i] << 32;
		k.lo = 0;
	} else {
		k.hi = o->s6[2 * i];
		k.lo = o->s6[2 * i + 1];
	}
	return k;
}

/* From key on (keys come in increasing order), the entry is val. */
static void lpm_emit(struct lpm_out *o, struct u128 key, uint32_t val)
{
	uint32_t n = o->t->n;

	if (n && !u128_cmp(lpm_key(o, n - 1), key))
		n--;		/* the interval before was empty */
	if (n && o->val[n - 1] == val) {
		o->t->n = n;	/* no change at key */
		return;
	}
	if (o->s4) {
		o->s4[n] = (uint32_t)(key.hi >> 32);
	} else {
		o->s6[2 * n] = key.hi;
		o->s6[2 * n + 1] = key.lo;
	}
	o->val[n] = val;
	o->t->n = n + 1;
}

static struct u128 u128_inc(struct u128 v)
{
	v.lo++;
	if (!v.lo)
		v.hi++;
	return v;
}

static bool u128_max(struct u128 v)
{
	return v.hi == ~0ull && v.lo == ~0ull;
}

/*
 * items[0..n) sorted; returns the smallest index of an entry whose prefix
 * an earlier one (smaller index) has too, or -1.
 */
static int lpm_build(struct lpm_out *o, struct lpm_item *items, size_t n,
		     struct lpm_open *stack)
{
	static const struct u128 zero;
	unsigned int sp = 0;
	int dup = -1;
	size_t i;

	o->t->n = 0;
	lpm_emit(o, zero, XLAT_LPM_NONE);
	for (i = 0; i < n; i++) {
		const struct lpm_item *p = &items[i];
		struct u128 m = mask128(p->len), hi;

		if (i && !u128_cmp(items[i - 1].lo, p->lo) &&
		    items[i - 1].len == p->len) {
			/* the same prefix: the first entry keeps it */
			if (dup < 0 || p->idx < (uint32_t)dup)
				dup = (int)p->idx;
			continue;
		}
		while (sp && u128_cmp(stack[sp - 1].hi, p->lo) < 0) {
			hi = stack[--sp].hi;
			lpm_emit(o, u128_inc(hi),
				 sp ? stack[sp - 1].idx : XLAT_LPM_NONE);
		}
		lpm_emit(o, p->lo, p->idx);
		hi.hi = p->lo.hi | ~m.hi;
		hi.lo = p->lo.lo | ~m.lo;
		if (sp == LPM_DEPTH)	/* cannot happen: one per length */
			sp--;
		stack[sp].hi = hi;
		stack[sp++].idx = p->idx;
	}
	while (sp) {
		struct u128 hi = stack[--sp].hi;

		if (!u128_max(hi))
			lpm_emit(o, u128_inc(hi),
				 sp ? stack[sp - 1].idx : XLAT_LPM_NONE);
	}
	return dup;
}

struct lpm_mem {
	uint64_t *s6;
	uint32_t *s4, *val4, *val6;
	struct lpm_item *items;
	struct lpm_open *stack;
};

static void lpm_mem(struct lpm_mem *lm, void *mem, void *scratch, unsigned int n)
{
	size_t slots = lpm_slots(n);

	lm->s6 = align8(mem);
	lm->s4 = (uint32_t *)(lm->s6 + 2 * slots);
	lm->val4 = lm->s4 + slots;
	lm->val6 = lm->val4 + slots;
	lm->items = align8(scratch);
	lm->stack = (struct lpm_open *)(lm->items + n);
}

static int dup_min(int a, int b)
{
	return a < 0 ? b : b < 0 ? a : a < b ? a : b;
}

/* Sorts items[0..k) and builds t from them. */
static int lpm_finish(struct xlat_lpm *t, struct lpm_mem *lm, size_t k,
		      bool v4, uint32_t *val)
{
	struct lpm_out o = { t, v4 ? lm->s4 : NULL, v4 ? NULL : lm->s6, val };

	item_sort(lm->items, k);
	t->s4 = v4 ? lm->s4 : NULL;
	t->s6 = v4 ? NULL : lm->s6;
	t->val = val;
	return lpm_build(&o, lm->items, k, lm->stack);
}

static void item_set4(struct lpm_item *it, uint32_t ip4, unsigned int len,
		      uint32_t idx)
{
	it->lo.hi = (uint64_t)(ip4 & mask32(len)) << 32;
	it->lo.lo = 0;
	it->len = (uint8_t)len;
	it->idx = idx;
}

static void item_set6(struct lpm_item *it, const uint8_t a[16],
		      unsigned int len, uint32_t idx)
{
	struct u128 m = mask128(len);

	it->lo = load128(a);
	it->lo.hi &= m.hi;
	it->lo.lo &= m.lo;
	it->len = (uint8_t)len;
	it->idx = idx;
}

int xlat_index_build_eam(struct xlat_index *ix, void *mem, void *scratch,
			 const struct xlat_eam *tab, unsigned int n)
{
	struct lpm_mem lm;
	unsigned int i;
	size_t k = 0;
	int dup;

	if (n > XLAT_INDEX_MAX)
		n = XLAT_INDEX_MAX;
	lpm_mem(&lm, mem, scratch, n);
	for (i = 0; i < n; i++)
		if (eam_lengths_ok(&tab[i]))
			item_set4(&lm.items[k++], tab[i].ip4, tab[i].ip4_len, i);
	dup = lpm_finish(&ix->by4, &lm, k, true, lm.val4);
	for (i = 0, k = 0; i < n; i++)
		if (eam_lengths_ok(&tab[i]))
			item_set6(&lm.items[k++], tab[i].ip6, tab[i].ip6_len, i);
	return dup_min(dup, lpm_finish(&ix->by6, &lm, k, false, lm.val6));
}

int xlat_index_build_rules(struct xlat_index *ix, void *mem, void *scratch,
			   const struct map_rule *rules, unsigned int n)
{
	struct lpm_mem lm;
	unsigned int i;
	size_t k = 0;
	int dup;

	if (n > XLAT_INDEX_MAX)
		n = XLAT_INDEX_MAX;
	lpm_mem(&lm, mem, scratch, n);
	for (i = 0; i < n; i++)
		if (rules[i].ip4_len <= 32)
			item_set4(&lm.items[k++], rules[i].ip4_prefix,
				  rules[i].ip4_len, i);
	dup = lpm_finish(&ix->by4, &lm, k, true, lm.val4);
	for (i = 0, k = 0; i < n; i++)
		if (rules[i].ip6_len <= 128)
			item_set6(&lm.items[k++], rules[i].ip6_prefix,
				  rules[i].ip6_len, i);
	return dup_min(dup, lpm_finish(&ix->by6, &lm, k, false, lm.val6));
}

/* The entry of the last interval starting at or before the address. */
static uint32_t lpm_find4(const struct xlat_lpm *t, uint32_t key)
{
	const uint32_t *s = t->s4;
	uint32_t base = 0, len = t->n, half;

	if (!len)
		return XLAT_LPM_NONE;
	while (len > 1) {
		half = len / 2;
		if (s[base + half] <= key)
			base += half;
		len -= half;
	}
	return t->val[base];
}

static uint32_t lpm_find6(const struct xlat_lpm *t, const uint8_t a[16])
{
	const uint64_t *s = t->s6;
	struct u128 k = load128(a);
	uint32_t base = 0, len = t->n, half;

	if (!len)
		return XLAT_LPM_NONE;
	while (len > 1) {
		const uint64_t *p;

		half = len / 2;
		p = &s[2 * (base + half)];
		if (p[0] < k.hi || (p[0] == k.hi && p[1] <= k.lo))
			base += half;
		len -= half;
	}
	return t->val[base];
}

const struct map_rule *xlat_map_find4(const struct xlat_map *m, uint32_t ip4)
{
	uint32_t i;

	if (!m->rules_ix)
		return xlat_map_scan4(m->rules, m->n_rules, ip4);
	i = lpm_find4(&m->rules_ix->by4, ip4);
	return i < m->n_rules ? &m->rules[i] : NULL;
}

const struct map_rule *xlat_map_find6(const struct xlat_map *m,
				      const uint8_t a[16])
{
	uint32_t i;

	if (!m->rules_ix)
		return xlat_map_scan6(m->rules, m->n_rules, a);
	i = lpm_find6(&m->rules_ix->by6, a);
	return i < m->n_rules ? &m->rules[i] : NULL;
}

const struct xlat_eam *xlat_eam_find4(const struct xlat_map *m, uint32_t ip4)
{
	uint32_t i;

	if (!m->eam_ix)
		return xlat_eam_scan4(m->eam, m->n_eam, ip4);
	i = lpm_find4(&m->eam_ix->by4, ip4);
	return i < m->n_eam ? &m->eam[i] : NULL;
}

const struct xlat_eam *xlat_eam_find6(const struct xlat_map *m,
				      const uint8_t a[16])
{
	uint32_t i;

	if (!m->eam_ix)
		return xlat_eam_scan6(m->eam, m->n_eam, a);
	i = lpm_find6(&m->eam_ix->by6, a);
	return i < m->n_eam ? &m->eam[i] : NULL;
}

/* One end of a packet ------------------------------------------------- */

static const struct xlat_prefix6 *dmr_of(const struct xlat_map *m)
{
	return m->dmr && rfc6052_len_ok(m->dmr->len) ? m->dmr : NULL;
}

/*
 * A MAP rule covering ip4 decides: if the port is missing (with address
 * sharing) or in no port set, the address has no IPv6 counterpart, and it
 * does not fall through to an EAM or the DMR (that would send the packet
 * to a place the rule does not own).
 */
enum xlat_how xlat_addr_4to6(const struct xlat_map *m, uint32_t ip4, int port,
			     uint8_t out[16])
{
	const struct map_rule *r = xlat_map_find4(m, ip4);
	const struct xlat_prefix6 *dmr;
	const struct xlat_eam *e;

	if (r) {
		struct map_ce ce;

		if (!xlat_rule_usable(r) || port > 0xffff ||
		    (port < 0 && r->ea_len != 32 - r->ip4_len) ||
		    map_rule_ce_for(r, ip4, port < 0 ? 0 : (uint16_t)port,
				    &ce) != MAP_RULE_OK)
			return XLAT_NONE;
		memcpy(out, ce.ip6, 16);
		return XLAT_MAP;
	}
	e = xlat_eam_find4(m, ip4);
	if (e) {
		xlat_eam_4to6(e, ip4, out);
		return XLAT_EAM;
	}
	dmr = dmr_of(m);
	if (dmr && rfc6052_ipv4_ok(dmr, ip4)) {
		rfc6052_embed(dmr, ip4, out);
		return XLAT_DMR;
	}
	return XLAT_NONE;
}

enum xlat_how xlat_addr_6to4(const struct xlat_map *m, const uint8_t a[16],
			     int port, uint32_t *ip4, bool *spoofed)
{
	const struct map_rule *r = xlat_map_find6(m, a);
	const struct xlat_prefix6 *dmr;
	const struct xlat_eam *e;

	*spoofed = false;
	if (r) {
		if (xlat_map_6to4(r, a, port, ip4))
			return XLAT_MAP;
		*spoofed = true;
		return XLAT_NONE;
	}
	e = xlat_eam_find6(m, a);
	if (e) {
		*ip4 = xlat_eam_6to4(e, a);
		return XLAT_EAM;
	}
	dmr = dmr_of(m);
	if (dmr && rfc6052_extract(dmr, a, ip4) && rfc6052_ipv4_ok(dmr, *ip4))
		return XLAT_DMR;
	return XLAT_NONE;
}
