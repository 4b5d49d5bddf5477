/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The open-addressing slot table behind the softwire tables: plain C with
 * no kernel dependency (compiled into xt_LW4O6, unit-tested and fuzzed in
 * userspace). It allocates nothing: the caller gives it zeroed memory of
 * swtab_bytes() and frees it.
 *
 * Linear probing, each slot holding its entry, so that a lookup reads one
 * place in memory (an rhashtable reads a bucket, then the entry it points
 * to: with destinations spread over a million softwires, that is two cache
 * and TLB misses per packet instead of one). A slot is a 64-bit key word
 * followed by its payload (SWTAB_SW_WORDS or SWTAB_ADDR_WORDS words). Two
 * tables are made of it:
 *  - softwires: key (IPv4 address, PSID), payload the B4's IPv6 address;
 *  - addresses: key (IPv4 address, PSID 0), payload a softwire count.
 * The key word also carries what a lookup needs with the entry (PSID length
 * and offset, AFTR index): those bits are not part of the match.
 *
 * Readers take no lock (RCU in the kernel). The one writer:
 *  - adds into an empty slot: the payload first, then the key word with
 *    release semantics, so a reader that sees the key sees the payload;
 *  - deletes by turning the key word into a tombstone. A tombstone is not
 *    reused in place (a reader that has just matched the old key may still
 *    be reading its payload); it goes when the table is copied;
 *  - copies the table into a new one (to grow, to shrink, or to drop
 *    tombstones) and publishes that.
 * Used slots and tombstones together fill at most 3/4 of the table
 * (swtab_grow_size() says when to copy first), so a probe always ends at an
 * empty slot.
 *
 * In userspace (tests, benchmarks), a table of n softwires:
 *	size = swtab_clamp_size(n / 2 * 3);
 *	t = calloc(1, swtab_bytes(size, SWTAB_SW_WORDS));
 *	swtab_init(t, size, seed);
 *	swtab_put(t, swtab_key_extra(swtab_key(addr, psid), 0, len, offset),
 *		  b4, SWTAB_SW_WORDS);			(for each)
 *	s = swtab_sw_find(t, addr, psid, &key);	(the packet path's lookup)
 */
#ifndef SOFTWIRE_TABLE_CORE_H
#define SOFTWIRE_TABLE_CORE_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/stddef.h>
#include <asm/barrier.h>
#include <asm/rwonce.h>
#define swtab_load_acquire(p)		smp_load_acquire(p)
#define swtab_store_release(p, v)	smp_store_release(p, v)
#define swtab_store(p, v)		WRITE_ONCE(*(p), v)
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#define swtab_load_acquire(p)		__atomic_load_n(p, __ATOMIC_ACQUIRE)
#define swtab_store_release(p, v)	__atomic_store_n(p, v, __ATOMIC_RELEASE)
#define swtab_store(p, v)		__atomic_store_n(p, v, __ATOMIC_RELAXED)
#endif

/* The key word: IPv4 address, PSID, then what the lookup needs with them. */
#define SWTAB_ADDR_SHIFT	32			/* as in memory (be32) */
#define SWTAB_PSID_SHIFT	16
#define SWTAB_AFTR_SHIFT	12			/* 4 bits: index in aftr[] */
#define SWTAB_PSID_LEN_SHIFT	7			/* 5 bits, 0..16 */
#define SWTAB_PSID_OFFSET_SHIFT	2			/* 5 bits, 0..16 */
#define SWTAB_ID		0xffffffffffff0000ULL	/* address and PSID */
#define SWTAB_STATE		3ULL
#define SWTAB_USED		1ULL
#define SWTAB_TOMBSTONE		2ULL
#define SWTAB_MATCH		(SWTAB_ID | SWTAB_STATE)

#define SWTAB_SLOTS_MIN		64U
#define SWTAB_SLOTS_MAX		(1U << 26)	/* 48M entries */

struct swtab {
	uint32_t size;		/* slots */
	uint32_t seed;
	uint32_t used;		/* the writer's counts */
	uint32_t tombstones;
	uint64_t slot[];	/* size * words */
};

/* The two kinds of slot. */
struct swtab_sw_slot {
	uint64_t key;
	uint8_t b4[16];
};
#define SWTAB_SW_WORDS		3

struct swtab_addr_slot {
	uint64_t key;
	uint32_t softwires;	/* the writer's */
	uint32_t pad;
};
#define SWTAB_ADDR_WORDS	2

/* A key word: addr as it is in memory (network order), fields in range. */
static inline uint64_t swtab_key(uint32_t addr, uint16_t psid)
{
	return (uint64_t)addr << SWTAB_ADDR_SHIFT |
	       (uint64_t)psid << SWTAB_PSID_SHIFT | SWTAB_USED;
}

static inline uint64_t swtab_key_extra(uint64_t key, unsigned int aftr,
				       unsigned int psid_len,
				       unsigned int psid_offset)
{
	return key | (uint64_t)(aftr & 15) << SWTAB_AFTR_SHIFT |
	       (uint64_t)(psid_len & 31) << SWTAB_PSID_LEN_SHIFT |
	       (uint64_t)(psid_offset & 31) << SWTAB_PSID_OFFSET_SHIFT;
}

static inline uint32_t swtab_key_addr(uint64_t k)
{
	return k >> SWTAB_ADDR_SHIFT;
}

static inline uint16_t swtab_key_psid(uint64_t k)
{
	return k >> SWTAB_PSID_SHIFT;
}

static inline unsigned int swtab_key_aftr(uint64_t k)
{
	return (k >> SWTAB_AFTR_SHIFT) & 15;
}

static inline unsigned int swtab_key_psid_len(uint64_t k)
{
	return (k >> SWTAB_PSID_LEN_SHIFT) & 31;
}

static inline unsigned int swtab_key_psid_offset(uint64_t k)
{
	return (k >> SWTAB_PSID_OFFSET_SHIFT) & 31;
}

static inline bool swtab_key_used(uint64_t k)
{
	return (k & SWTAB_STATE) == SWTAB_USED;
}

/* Bytes for a table of size slots of words words each. */
static inline size_t swtab_bytes(uint32_t size, unsigned int words)
{
	return sizeof(struct swtab) + (size_t)size * words * sizeof(uint64_t);
}

/* size clamped to SWTAB_SLOTS_MIN..SWTAB_SLOTS_MAX */
uint32_t swtab_clamp_size(uint32_t size);
/* t: swtab_bytes(size) zeroed bytes; size from swtab_clamp_size(). */
void swtab_init(struct swtab *t, uint32_t size, uint32_t seed);

static inline uint64_t *swtab_slot(const struct swtab *t, uint32_t i,
				   unsigned int words)
{
	return (uint64_t *)&t->slot[(size_t)i * words];
}

/* The first slot of key's probe: a seeded mix of address and PSID. */
static inline uint32_t swtab_first(const struct swtab *t, uint64_t key)
{
	uint64_t h = (key & SWTAB_ID) ^ ((uint64_t)t->seed << 32 | t->seed);

	h ^= h >> 31;
	h *= 0x9e3779b97f4a7c15ULL;
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 32;
	return (uint32_t)(((uint64_t)(uint32_t)h * t->size) >> 32);
}

/*
 * The slot whose key matches want's address and PSID (want from
 * swtab_key()), its key word in *key; NULL if there is none. Readers and
 * the writer; words is a constant in the typed wrappers below.
 */
static inline uint64_t *swtab_find(const struct swtab *t, uint64_t want,
				   unsigned int words, uint64_t *key)
{
	uint32_t size = t->size, i = swtab_first(t, want), n;
	uint64_t *s, k;

	for (n = 0; n < size; n++) {
		s = swtab_slot(t, i, words);
		k = swtab_load_acquire(s);
		if ((k & SWTAB_MATCH) == want) {
			*key = k;
			return s;
		}
		if (!k)
			break;
		if (++i == size)
			i = 0;
	}
	return NULL;
}

/*
 * The writer. put: key (from swtab_key(), with swtab_key_extra()) into the
 * first empty slot of its probe, with its payload (words - 1 words); the
 * key must not be there, and swtab_grow_size() must have said there is
 * room. del: the slot found becomes a tombstone.
 */
uint64_t *swtab_put(struct swtab *t, uint64_t key, const void *payload,
		    unsigned int words);
void swtab_del(struct swtab *t, uint64_t *slot);

/*
 * 0 if t has room for one more entry (used and deleted slots fill at most
 * 3/4), else the size to copy it to (half full; many tombstones in a big
 * enough table: the same size; the allocation clamps it). Check
 * swtab_full() first: a table of SWTAB_SLOTS_MAX slots holds 3/4 of them.
 */
uint32_t swtab_grow_size(const struct swtab *t);
bool swtab_full(const struct swtab *t);
/* A table left 1/8 full after a delete: the size to shrink it to, else 0. */
uint32_t swtab_shrink_size(const struct swtab *t);

/*
 * Copies the used slots from..to-1 of src into dst (empty, or filled by
 * earlier calls): a copy in parts, so that the kernel can reschedule.
 */
void swtab_copy(struct swtab *dst, const struct swtab *src, uint32_t from,
		uint32_t to, unsigned int words);

/* Typed lookups: the packet path's. */
static inline const struct swtab_sw_slot *
swtab_sw_find(const struct swtab *t, uint32_t addr, uint16_t psid, uint64_t *key)
{
	return (const struct swtab_sw_slot *)
		swtab_find(t, swtab_key(addr, psid), SWTAB_SW_WORDS, key);
}

static inline struct swtab_addr_slot *
swtab_addr_find(const struct swtab *t, uint32_t addr, uint64_t *key)
{
	return (struct swtab_addr_slot *)
		swtab_find(t, swtab_key(addr, 0), SWTAB_ADDR_WORDS, key);
}

#endif /* SOFTWIRE_TABLE_CORE_H */
