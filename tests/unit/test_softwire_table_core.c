// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of kernel/softwire_table_core.c: the open-addressing slot
 * table of the softwire tables (insert, find, delete, tombstones, copy to
 * grow or shrink, a full table, PSID lengths mixed in one table).
 */
#include <stdint.h>
#include <string.h>

#include "softwire_table_core.h"
#include "unit.h"

static struct swtab *new_table(uint32_t size, unsigned int words)
{
	struct swtab *t;

	size = swtab_clamp_size(size);
	t = calloc(1, swtab_bytes(size, words));
	if (!t)
		abort();
	swtab_init(t, size, (uint32_t)unit_rand());
	return t;
}

/* The table copied to size slots, as the kernel rebuilds it (in parts). */
static struct swtab *copy_table(struct swtab *old, uint32_t size,
				unsigned int words)
{
	struct swtab *t = new_table(size, words);
	uint32_t i;

	for (i = 0; i < old->size; i += 7)
		swtab_copy(t, old, i, i + 7, words);
	free(old);
	return t;
}

static void b4_of(uint32_t addr, uint16_t psid, uint8_t b4[16])
{
	memset(b4, 0, 16);
	b4[0] = 0x20;
	b4[1] = 0x01;
	memcpy(b4 + 8, &addr, 4);
	memcpy(b4 + 12, &psid, 2);
}

/* Adds as the kernel does: grow first when swtab_grow_size() says so. */
static struct swtab *add_sw(struct swtab *t, uint32_t addr, uint16_t psid,
			    unsigned int len, unsigned int offset)
{
	uint32_t size = swtab_grow_size(t);
	uint8_t b4[16];

	if (size)
		t = copy_table(t, size, SWTAB_SW_WORDS);
	b4_of(addr, psid, b4);
	swtab_put(t, swtab_key_extra(swtab_key(addr, psid), psid & 15, len,
				     offset), b4, SWTAB_SW_WORDS);
	return t;
}

static int has_sw(const struct swtab *t, uint32_t addr, uint16_t psid,
		  unsigned int len)
{
	const struct swtab_sw_slot *s;
	uint8_t b4[16];
	uint64_t k = 0;

	s = swtab_sw_find(t, addr, psid, &k);
	if (!s)
		return 0;
	b4_of(addr, psid, b4);
	return !memcmp(s->b4, b4, 16) && swtab_key_addr(k) == addr &&
	       swtab_key_psid(k) == psid && swtab_key_psid_len(k) == len &&
	       swtab_key_aftr(k) == (psid & 15u) && swtab_key_used(k);
}

static void test_key_fields(void)
{
	uint64_t k = swtab_key_extra(swtab_key(0xc0000201, 0xabcd), 15, 16, 16);

	CHECK(swtab_key_addr(k) == 0xc0000201, "addr %x", swtab_key_addr(k));
	CHECK(swtab_key_psid(k) == 0xabcd, "psid %x", swtab_key_psid(k));
	CHECK(swtab_key_aftr(k) == 15, "aftr %u", swtab_key_aftr(k));
	CHECK(swtab_key_psid_len(k) == 16, "len %u", swtab_key_psid_len(k));
	CHECK(swtab_key_psid_offset(k) == 16, "offset %u",
	      swtab_key_psid_offset(k));
	CHECK(swtab_key_used(k), "used");
	CHECK(!swtab_key_used(SWTAB_TOMBSTONE) && !swtab_key_used(0), "states");
	/* The extra fields are not part of the match. */
	CHECK((k & SWTAB_MATCH) == swtab_key(0xc0000201, 0xabcd), "match");
}

static void test_insert_find(void)
{
	struct swtab *t = new_table(0, SWTAB_SW_WORDS);
	uint32_t i;

	CHECK(t->size == SWTAB_SLOTS_MIN, "size %u", t->size);
	for (i = 0; i < 40; i++)
		t = add_sw(t, 0x0a000000 + i, i % 4, 2, 6);
	CHECK(t->used == 40, "used %u", t->used);
	for (i = 0; i < 40; i++)
		CHECK(has_sw(t, 0x0a000000 + i, i % 4, 2), "softwire %u", i);
	/* Same address, other PSID; same PSID, other address. */
	CHECK(!has_sw(t, 0x0a000000, 1, 2), "psid 1 of .0 is not bound");
	CHECK(!has_sw(t, 0x0a000100, 0, 2), "10.0.1.0 is not bound");
	free(t);
}

static void test_delete_tombstones(void)
{
	struct swtab *t = new_table(64, SWTAB_SW_WORDS);
	uint64_t k, *s;
	uint32_t i;

	/* 48 entries: 3/4 of 64, the most it takes without a copy. */
	for (i = 0; i < 48; i++)
		t = add_sw(t, 0xc6336400 + i, 0, 0, 0);
	CHECK(t->size == 64, "no growth yet: %u", t->size);
	CHECK(swtab_grow_size(t) == 98, "the 49th grows it: %u",
	      swtab_grow_size(t));
	for (i = 0; i < 48; i++) {
		if (i % 5 == 0)
			continue;
		s = (uint64_t *)swtab_sw_find(t, 0xc6336400 + i, 0, &k);
		CHECK(s, "found %u", i);
		if (s)
			swtab_del(t, s);
	}
	CHECK(t->used == 10 && t->tombstones == 38, "used %u tombstones %u",
	      t->used, t->tombstones);
	/* A deleted entry is gone, the others past its tombstone remain. */
	for (i = 0; i < 48; i++)
		CHECK(has_sw(t, 0xc6336400 + i, 0, 0) == (i % 5 == 0), "entry %u", i);
	/* Used + tombstones fill 3/4: the next add copies the table to the
	 * same size, without the tombstones.
	 */
	CHECK(swtab_grow_size(t) == 64, "same size: %u", swtab_grow_size(t));
	t = add_sw(t, 0xc6336400 + 100, 0, 0, 0);
	CHECK(t->size == 64, "same size after dropping tombstones: %u", t->size);
	CHECK(t->tombstones == 0, "tombstones %u", t->tombstones);
	CHECK(t->used == 11, "used %u", t->used);
	CHECK(has_sw(t, 0xc6336400 + 100, 0, 0), "the new one");
	for (i = 0; i < 48; i++)
		CHECK(has_sw(t, 0xc6336400 + i, 0, 0) == (i % 5 == 0), "entry %u", i);
	free(t);
}

static void test_grow_shrink(void)
{
	struct swtab *t = new_table(0, SWTAB_SW_WORDS);
	uint32_t i, size;
	uint64_t k, *s;

	for (i = 0; i < 5000; i++)
		t = add_sw(t, 0x64400000 + i * 7, i & 0xff, 8, 4);
	CHECK(t->used == 5000, "used %u", t->used);
	CHECK(t->size >= 5000 / 3 * 4 && t->size <= 5000 * 4, "size %u", t->size);
	for (i = 0; i < 5000; i++)
		CHECK(has_sw(t, 0x64400000 + i * 7, i & 0xff, 8), "entry %u", i);
	/* Delete down to 1/8 and shrink as the kernel does. */
	for (i = 0; i < 4900; i++) {
		s = (uint64_t *)swtab_sw_find(t, 0x64400000 + i * 7, i & 0xff, &k);
		CHECK(s, "found %u", i);
		if (!s)
			continue;
		swtab_del(t, s);
		size = swtab_shrink_size(t);
		if (size)
			t = copy_table(t, size, SWTAB_SW_WORDS);
	}
	CHECK(t->used == 100, "used %u", t->used);
	CHECK(t->size <= 1024, "shrunk: %u", t->size);
	for (i = 0; i < 5000; i++)
		CHECK(has_sw(t, 0x64400000 + i * 7, i & 0xff, 8) == (i >= 4900),
		      "entry %u", i);
	free(t);
}

/* Every slot used or a tombstone but one: a probe still ends. */
static void test_full_table(void)
{
	struct swtab *t = new_table(64, SWTAB_SW_WORDS);
	uint32_t i, n = 0;
	uint64_t k, *s;
	uint8_t b4[16] = { 0x20, 1 };

	/* Fill past 3/4 on purpose, without the growth check. */
	for (i = 0; i < 63; i++)
		swtab_put(t, swtab_key(0x01020300 + i, 0), b4, SWTAB_SW_WORDS);
	CHECK(swtab_grow_size(t) >= 128, "grow to %u", swtab_grow_size(t));
	for (i = 0; i < 63; i++)
		n += swtab_sw_find(t, 0x01020300 + i, 0, &k) != NULL;
	CHECK(n == 63, "found %u", n);
	CHECK(!swtab_sw_find(t, 0x09090909, 0, &k), "absent key");
	/* Now the last empty slot taken too: every probe covers the table. */
	swtab_put(t, swtab_key(0x01020300 + 63, 0), b4, SWTAB_SW_WORDS);
	CHECK(!swtab_sw_find(t, 0x09090909, 0, &k), "absent key, no empty slot");
	s = (uint64_t *)swtab_sw_find(t, 0x01020300 + 63, 0, &k);
	CHECK(s, "last");
	if (s)
		swtab_del(t, s);
	CHECK(!swtab_sw_find(t, 0x01020300 + 63, 0, &k), "deleted");
	CHECK(!swtab_full(t), "not full at 63");
	free(t);
	/* The cap: a table of SWTAB_SLOTS_MAX holds 3/4 of it. */
	{
		struct swtab big = { .size = SWTAB_SLOTS_MAX };

		big.used = SWTAB_SLOTS_MAX / 4 * 3 - 1;
		CHECK(!swtab_full(&big), "one more fits");
		big.used++;
		CHECK(swtab_full(&big), "full");
		CHECK(swtab_grow_size(&big) == SWTAB_SLOTS_MAX, "grow %u",
		      swtab_grow_size(&big));
	}
	CHECK(swtab_clamp_size(1u << 30) == SWTAB_SLOTS_MAX, "clamp max");
	CHECK(swtab_clamp_size(3) == SWTAB_SLOTS_MIN, "clamp min");
}

/*
 * One IPv4 address with its PSID length and offset in the address table,
 * softwires with different lengths on different addresses, and lookups
 * that check the length found, as softwire_table_find does.
 */
static void test_psid_mixes(void)
{
	struct swtab *t = new_table(0, SWTAB_SW_WORDS);
	struct swtab *at = new_table(0, SWTAB_ADDR_WORDS);
	static const unsigned int lens[] = { 0, 1, 4, 6, 8, 16 };
	struct swtab_addr_slot *a;
	unsigned int i, j, n;
	uint64_t k;

	for (i = 0; i < 6; i++) {
		uint32_t addr = 0xcb007100 + i;
		uint32_t pl[2] = { 0, 0 };
		unsigned int len = lens[i], off = len ? (len == 16 ? 0 : 6) : 0;

		n = len ? (len > 3 ? 8 : 1u << len) : 1;
		if (swtab_grow_size(at))
			at = copy_table(at, swtab_grow_size(at), SWTAB_ADDR_WORDS);
		pl[0] = n;
		swtab_put(at, swtab_key_extra(swtab_key(addr, 0), 0, len, off),
			  pl, SWTAB_ADDR_WORDS);
		for (j = 0; j < n; j++)
			t = add_sw(t, addr, len ? (uint16_t)(j * 3 % (1u << len)) : 0,
				   len, off);
	}
	for (i = 0; i < 6; i++) {
		uint32_t addr = 0xcb007100 + i;
		unsigned int len = lens[i];

		a = swtab_addr_find(at, addr, &k);
		CHECK(a && swtab_key_psid_len(k) == len, "address %u: len %u",
		      i, a ? swtab_key_psid_len(k) : 99);
		n = len ? (len > 3 ? 8 : 1u << len) : 1;
		CHECK(a && a->softwires == n, "address %u softwires", i);
		for (j = 0; j < n; j++)
			CHECK(has_sw(t, addr, len ? (uint16_t)(j * 3 % (1u << len)) : 0,
				     len), "address %u psid #%u", i, j);
	}
	/* The address table does not match on PSID bits it does not have. */
	CHECK(!swtab_addr_find(at, 0xcb007199, &k), "absent address");
	free(t);
	free(at);
}

/* The same keys in tables of both kinds do not disturb each other. */
static void test_payload_sizes(void)
{
	struct swtab *at = new_table(64, SWTAB_ADDR_WORDS);
	uint32_t pl[2] = { 7, 0 }, i;
	struct swtab_addr_slot *a;
	uint64_t k;

	for (i = 0; i < 40; i++) {
		pl[0] = i;
		swtab_put(at, swtab_key(0x0b000000 + i, 0), pl, SWTAB_ADDR_WORDS);
	}
	for (i = 0; i < 40; i++) {
		a = swtab_addr_find(at, 0x0b000000 + i, &k);
		CHECK(a && a->softwires == i, "address %u", i);
	}
	free(at);
}

int main(void)
{
	RUN(test_key_fields);
	RUN(test_insert_find);
	RUN(test_delete_tombstones);
	RUN(test_grow_shrink);
	RUN(test_full_table);
	RUN(test_psid_mixes);
	RUN(test_payload_sizes);
	UNIT_END();
}
