// SPDX-License-Identifier: GPL-2.0
/*
 * The open-addressing slot table of the softwire tables: the writer's side
 * (the lookup is inline in softwire_table_core.h).
 */
#ifdef __KERNEL__
#include <linux/string.h>
#else
#include <string.h>
#endif
#include "softwire_table_core.h"

uint32_t swtab_clamp_size(uint32_t size)
{
	if (size < SWTAB_SLOTS_MIN)
		return SWTAB_SLOTS_MIN;
	if (size > SWTAB_SLOTS_MAX)
		return SWTAB_SLOTS_MAX;
	return size;
}

void swtab_init(struct swtab *t, uint32_t size, uint32_t seed)
{
	t->size = size;
	t->seed = seed;
	t->used = 0;
	t->tombstones = 0;
}

uint64_t *swtab_put(struct swtab *t, uint64_t key, const void *payload,
		    unsigned int words)
{
	uint32_t i = swtab_first(t, key);
	uint64_t *s = swtab_slot(t, i, words);

	while (*s) {
		if (++i == t->size)
			i = 0;
		s = swtab_slot(t, i, words);
	}
	/* The payload before the key that makes it visible. */
	memcpy(s + 1, payload, (words - 1) * sizeof(uint64_t));
	swtab_store_release(s, key);
	t->used++;
	return s;
}

void swtab_del(struct swtab *t, uint64_t *slot)
{
	swtab_store(slot, SWTAB_TOMBSTONE);
	t->used--;
	t->tombstones++;
}

uint32_t swtab_grow_size(const struct swtab *t)
{
	uint64_t want = (uint64_t)t->used + 1;

	if (want + t->tombstones <= (uint64_t)t->size / 4 * 3)
		return 0;
	if (want * 2 > t->size)
		return want * 2 > SWTAB_SLOTS_MAX ? SWTAB_SLOTS_MAX : want * 2;
	return t->size;
}

bool swtab_full(const struct swtab *t)
{
	return t->used + 1 > SWTAB_SLOTS_MAX / 4 * 3;
}

uint32_t swtab_shrink_size(const struct swtab *t)
{
	if (t->size > SWTAB_SLOTS_MIN && t->used < t->size / 8)
		return t->used * 2;
	return 0;
}

void swtab_copy(struct swtab *dst, const struct swtab *src, uint32_t from,
		uint32_t to, unsigned int words)
{
	uint32_t i;

	for (i = from; i < to && i < src->size; i++) {
		const uint64_t *s = swtab_slot(src, i, words);

		if (swtab_key_used(*s))
			swtab_put(dst, *s, s + 1, words);
	}
}
