// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for kernel/softwire_table_core.c: a sequence of adds,
 * deletes, lookups, copies (grow, shrink, same size) and a seed, run on the
 * slot table and on a trivial reference model (an array of entries).
 * Aborts when they disagree, or when the table's counts or its 3/4 fill
 * rule break. Keys come from a small space so that collisions, tombstones
 * and re-adds after deletes are frequent.
 */
#include <stdlib.h>
#include <string.h>

#include "softwire_table_core.h"

#define MODEL_MAX 4096

struct model {
	uint32_t addr[MODEL_MAX];
	uint16_t psid[MODEL_MAX];
	uint8_t len[MODEL_MAX];
	unsigned int n;
};

static int model_find(const struct model *m, uint32_t addr, uint16_t psid)
{
	unsigned int i;

	for (i = 0; i < m->n; i++)
		if (m->addr[i] == addr && m->psid[i] == psid)
			return i;
	return -1;
}

static struct swtab *table_new(uint32_t size, uint32_t seed)
{
	struct swtab *t;

	size = swtab_clamp_size(size);
	t = calloc(1, swtab_bytes(size, SWTAB_SW_WORDS));
	if (!t)
		abort();
	swtab_init(t, size, seed);
	return t;
}

static struct swtab *table_copy(struct swtab *old, uint32_t size, uint32_t seed,
				unsigned int part)
{
	struct swtab *t = table_new(size, seed);
	uint32_t i;

	for (i = 0; i < old->size; i += part)
		swtab_copy(t, old, i, i + part, SWTAB_SW_WORDS);
	if (t->used != old->used || t->tombstones)
		abort();
	free(old);
	return t;
}

static void payload(uint32_t addr, uint16_t psid, uint8_t b4[16])
{
	memset(b4, 0xa5, 16);
	memcpy(b4, &addr, 4);
	memcpy(b4 + 4, &psid, 2);
}

static void check_all(const struct swtab *t, const struct model *m)
{
	unsigned int i, used = 0, tomb = 0;
	uint8_t b4[16];
	uint64_t k;

	for (i = 0; i < m->n; i++) {
		const struct swtab_sw_slot *s = swtab_sw_find(t, m->addr[i],
							      m->psid[i], &k);

		payload(m->addr[i], m->psid[i], b4);
		if (!s || memcmp(s->b4, b4, 16) || swtab_key_psid_len(k) != m->len[i])
			abort();
	}
	for (i = 0; i < t->size; i++) {
		uint64_t key = *swtab_slot(t, i, SWTAB_SW_WORDS);

		used += swtab_key_used(key);
		tomb += key == SWTAB_TOMBSTONE;
	}
	if (used != t->used || tomb != t->tombstones || used != m->n ||
	    used + tomb > t->size / 4 * 3)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct model m;
	struct swtab *t;
	uint32_t seed, addr, want;
	uint16_t psid;
	uint8_t b4[16], len;
	uint64_t k, *s;
	size_t p;
	int i;

	if (size < 5)
		return 0;
	seed = (uint32_t)data[0] << 24 | data[1] << 16 | data[2] << 8 | data[3];
	t = table_new(data[4] * 4u, seed);
	m.n = 0;
	for (p = 5; p + 3 <= size; p += 3) {
		uint8_t op = data[p] & 7;

		/* 64 addresses in two /24s far apart, 16 PSIDs. */
		addr = 0x0a000000u + (data[p + 1] & 31) + (data[p + 1] & 32) * 0x10000u;
		psid = data[p + 2] & 15;
		len = (data[p + 2] >> 4) & 15;
		i = model_find(&m, addr, psid);
		switch (op) {
		case 0: case 1: case 2:		/* add */
			if (i >= 0 || m.n == MODEL_MAX || swtab_full(t))
				break;
			want = swtab_grow_size(t);
			if (want)
				t = table_copy(t, want, seed + (uint32_t)p,
					       1 + data[p + 1] % 64);
			payload(addr, psid, b4);
			swtab_put(t, swtab_key_extra(swtab_key(addr, psid),
						     psid, len, len),
				  b4, SWTAB_SW_WORDS);
			m.addr[m.n] = addr;
			m.psid[m.n] = psid;
			m.len[m.n++] = len;
			break;
		case 3: case 4:			/* delete */
			s = (uint64_t *)swtab_sw_find(t, addr, psid, &k);
			if ((s != NULL) != (i >= 0))
				abort();
			if (!s)
				break;
			swtab_del(t, s);
			m.n--;
			m.addr[i] = m.addr[m.n];
			m.psid[i] = m.psid[m.n];
			m.len[i] = m.len[m.n];
			want = swtab_shrink_size(t);
			if (want)
				t = table_copy(t, want, seed ^ (uint32_t)p, 4096);
			break;
		case 5: case 6:			/* lookup */
			s = (uint64_t *)swtab_sw_find(t, addr, psid, &k);
			if ((s != NULL) != (i >= 0))
				abort();
			if (s && (swtab_key_addr(k) != addr ||
				  swtab_key_psid(k) != psid ||
				  swtab_key_aftr(k) != psid ||
				  swtab_key_psid_offset(k) != m.len[i]))
				abort();
			break;
		case 7:				/* copy to the same size */
			t = table_copy(t, t->size, seed + 1, 1 + data[p + 2]);
			break;
		}
	}
	check_all(t, &m);
	free(t);
	return 0;
}
