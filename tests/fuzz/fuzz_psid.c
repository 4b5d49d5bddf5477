// SPDX-License-Identifier: GPL-2.0
/* libFuzzer target for the port-set and MAP rule arithmetic: any offset,
 * length, PSID, port and rule. Aborts when enumeration and membership
 * disagree or a derived CE breaks its rule.
 */
#include <stdlib.h>
#include <string.h>

#include "psid_core.h"

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
