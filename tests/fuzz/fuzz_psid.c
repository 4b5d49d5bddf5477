// SPDX-License-Identifier: GPL-2.0
/* libFuzzer target for the port-set and MAP rule arithmetic: any offset,
 * length, PSID, port and rule. Aborts when enumeration and membership
 * disagree, a derived CE breaks its rule, or psid_pick_port() returns a
 * port that is not free and in the set, or none while one is free (its
 * scan not bounded below the set's size).
 */
#include <stdlib.h>
#include <string.h>

#include "psid_core.h"

/* Ports in use: one bit of the input per port number modulo its length. */
struct pick {
	const uint8_t *bits;
	size_t nbits;
	uint32_t rnd;
};

static bool pick_free(uint16_t port, void *ctx)
{
	const struct pick *p = ctx;
	size_t i = port % p->nbits;

	return !(p->bits[i / 8] >> (i % 8) & 1);
}

static uint32_t pick_below(uint32_t n, void *ctx)
{
	struct pick *p = ctx;

	p->rnd = p->rnd * 1103515245u + 12345u;
	return (p->rnd >> 8) % n;
}

static void check_pick(const struct psid_set *s, uint16_t orig,
		       const uint8_t *data, size_t size)
{
	const struct psid_pick_ops ops = { pick_free, pick_below };
	struct pick p = { data, size * 8, (uint32_t)size };
	unsigned int i, n = psid_set_size(s), scan;
	bool kept, any = false;
	int port;

	/* data[0]'s top bit: a scan bounded, maybe below the set's size. */
	scan = data[0] & 0x80 ? data[0] & 0x7f : 65536;
	port = psid_pick_port(s, orig, data[0] % 40, scan, &ops, &p, &kept);
	for (i = 0; i < n && !any && scan >= n; i++) {
		uint16_t q = psid_set_port(s, i);

		any = q && pick_free(q, &p);
	}
	if (port < 0) {
		if (any)
			abort();
		return;
	}
	if (!port || !psid_port_in_set(s, (uint16_t)port) ||
	    !pick_free((uint16_t)port, &p) || kept != (port == orig))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct psid_set s;
	struct map_rule r;
	struct map_ce ce;
	uint16_t port;
	unsigned int n;

	if (size < 40)
		return 0;
	s.offset = data[0] % 17;
	s.len = data[1] % 17;
	s.psid = (uint16_t)(data[2] << 8 | data[3]);
	port = (uint16_t)(data[4] << 8 | data[5]);
	if (psid_set_valid(&s)) {
		n = (unsigned int)(data[6] << 8 | data[7]) % psid_set_size(&s);
		if (!psid_port_in_set(&s, psid_set_port(&s, n)))
			abort();
		if (psid_port_in_set(&s, port) !=
		    (psid_of_port(port, s.offset, s.len) == s.psid &&
		     (!s.offset || port >> (16 - s.offset))))
			abort();
		check_pick(&s, port, data + 33, size - 33);
	}

	memcpy(r.ip6_prefix, data + 8, 16);
	r.ip6_len = data[24] % 129;
	r.ip4_prefix = (uint32_t)data[25] << 24 | (uint32_t)data[26] << 16 |
		       (uint32_t)data[27] << 8 | data[28];
	r.ip4_len = data[29] % 33;
	if (r.ip4_len < 32)
		r.ip4_prefix &= r.ip4_len ? ~0u << (32 - r.ip4_len) : 0;
	r.ea_len = data[30] % 49;
	r.psid_offset = data[31] % 17;
	if (map_rule_derive(&r, data + 8, data[32] % 129, &ce) == MAP_RULE_OK) {
		if (!psid_set_valid(&ce.ports))
			abort();
		if (r.ip4_len && (ce.ip4 ^ r.ip4_prefix) >> (32 - r.ip4_len))
			abort();
		/* The CE that owns one of its ports is itself. */
		if (data[32] % 129 >= r.ip6_len + r.ea_len) {
			struct map_ce back;
			uint16_t p = psid_set_port(&ce.ports,
				(unsigned int)port % psid_set_size(&ce.ports));

			if (map_rule_ce_for(&r, ce.ip4, p, &back) != MAP_RULE_OK ||
			    back.ports.psid != ce.ports.psid)
				abort();
		}
	}
	return 0;
}
