// SPDX-License-Identifier: GPL-2.0
/* libFuzzer target for the MAP66 core: any prefix, length, flag and
 * address. Aborts when the mapping breaks one of its promises: the new
 * prefix is in place, a neutral rewrite keeps the address sum, and the
 * reverse mapping restores the address.
 */
#include <stdlib.h>
#include <string.h>

#include "map66_core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t from[16], to[16], a[16], orig[16];
	struct map66_prefix fwd, back;
	unsigned int len, i;
	bool keep;

	if (size < 50)
		return 0;
	len = data[0] % 129;
	keep = data[1] & 1;
	memcpy(from, data + 2, 16);
	memcpy(to, data + 18, 16);
	memcpy(orig, data + 34, 16);

	if (map66_prefix_check(to, len) != MAP66_PREFIX_OK)
		return 0;
	/* from: the first len bits of the address, host bits clear */
	memset(from, 0, 16);
	memcpy(from, orig, 16);
	for (i = len; i < 128; i++)
		from[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
	if (map66_prefix_check(from, len) != MAP66_PREFIX_OK)
		abort();

	map66_prefix_init(&fwd, to, len, keep);
	map66_prefix_init(&back, from, len, keep);
	memcpy(a, orig, 16);
	if (map66_rewrite(&fwd, a) == MAP66_NEUTRAL &&
	    !oc16_equal(oc16_bytes(a, 16, 0), oc16_bytes(orig, 16, 0)))
		abort();
	if (!map66_prefix_match(a, to, len))
		abort();
	map66_rewrite(&back, a);
	if (memcmp(a, orig, 16))
		abort();
	return 0;
}
