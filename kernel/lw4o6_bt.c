// SPDX-License-Identifier: GPL-2.0
/*
 * LW4O6 binding tables: named, per network namespace, filled over generic
 * netlink, read under RCU by the AFTR/BR packet path (lw4o6_target.c).
 *
 * A softwire (RFC 7596 section 6, RFC 7597 section 5) binds an IPv4 address
 * and a PSID to the IPv6 address of a B4; all softwires of one IPv4 address
 * share one PSID length and offset, so a lookup is the address (its PSID
 * length and offset, in the address table), then (address, PSID of the
 * port) in the softwire table. When all addresses share one length and
 * offset, the first step is skipped. MAP rules (MAP-E BMR/FMR) are a short
 * array searched after the softwires.
 *
 * Locking. The generic netlink family runs its requests in parallel
 * (parallel_ops): genl_mutex, which every family without parallel_ops
 * (nl80211, devlink, ethtool, nlctrl) shares, is never held here. The
 * tables of a network namespace and their contents are changed under the
 * mutex of that namespace (struct softwire_table_net), so that a long request in
 * one namespace holds up only that namespace's binding tables. Long loops
 * (rebuilding a table, batches of softwires, dumps) call cond_resched().
 * Dumps of softwires take the namespace's mutex for each part, so the
 * change count they check for NLM_F_DUMP_INTR cannot move during a part.
 * A whole table is replaced by filling another one and swapping the two
 * contents pointers: one rcu_assign_pointer, so no packet sees half a table.
 * A table used by iptables rules (softwire_table_get) may outlive its namespace's
 * exit: softwire_table_put and softwire_table_derive take no namespace lock.
 *
 * Limits. Any user namespace may create tables in its network namespaces
 * (GENL_UNS_ADMIN_PERM), so what a table holds is bounded: every allocation
 * of a table (the table, its contents, its per-CPU counters, its rule
 * array, its softwire and address tables) is charged to the memory cgroup
 * of the caller (__GFP_ACCOUNT), big ones fail rather than call the OOM
 * killer (__GFP_RETRY_MAYFAIL), and the module parameters max_tables (per
 * network namespace) and max_softwires (per table) cap their numbers.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitfield.h>
#include <linux/ipv6.h>
#include <linux/jhash.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/version.h>
#include <net/genetlink.h>
#include <net/ipv6.h>
#include <net/netns/generic.h>

#include "softwire_tables.h"
#include "psid_core.h"

/*
 * 64 tables in a namespace: an AFTR needs one or a few (load adds one while
 * it runs); the cap bounds what a user namespace makes without a thought.
 * 16M softwires in a table: 16 times the 1M of tests/lw4o6_scale.sh, more
 * subscribers than one AFTR serves; the table then takes 24 bytes a slot
 * times up to 32M slots (768 MiB), and twice that during a rebuild. The
 * table itself stops at 48M (3/4 of LW4O6_SLOTS_MAX).
 */
static unsigned int lw4o6_max_tables __read_mostly = 64;
module_param_named(max_tables, lw4o6_max_tables, uint, 0644);
MODULE_PARM_DESC(max_tables, "binding tables per network namespace (default 64)");

static unsigned int lw4o6_max_softwires __read_mostly = 16 << 20;
module_param_named(max_softwires, lw4o6_max_softwires, uint, 0644);
MODULE_PARM_DESC(max_softwires, "softwires per binding table (default 16777216)");

/*
 * The softwire table: open addressing with linear probing, each slot
 * holding its softwire, so that a lookup reads one place in memory. (An
 * rhashtable reads a bucket, then the entry it points to: with destinations
 * spread over a million softwires, that is two cache and TLB misses per
 * packet instead of one.)
 *
 * Readers take no lock (RCU). The one writer (under the namespace's mutex):
 *  - adds into an empty slot: the B4 first, then the slot's key word with
 *    release semantics, so a reader that sees the key sees the B4;
 *  - deletes by turning the key word into a tombstone. A tombstone is not
 *    reused in place (a reader that has just matched the old key may still
 *    be reading its B4); it goes when the table is rebuilt;
 *  - rebuilds the table (to grow, to shrink, or to drop tombstones) into a
 *    new array published with rcu_assign_pointer; the old one is freed
 *    after a grace period.
 * Used slots and tombstones together fill at most 3/4 of the table, so a
 * probe always ends at an empty slot.
 */
struct lw4o6_slot {
	u64		key;	/* LW4O6_SLOT_*, 0 when empty */
	struct in6_addr	b4;
};

/* The key word: IPv4 address, PSID, then what the lookup needs with them. */
#define LW4O6_SLOT_ADDR		GENMASK_ULL(63, 32)
#define LW4O6_SLOT_PSID		GENMASK_ULL(31, 16)
#define LW4O6_SLOT_AFTR		GENMASK_ULL(15, 12)	/* index in aftr[] */
#define LW4O6_SLOT_PSID_LEN	GENMASK_ULL(11, 7)
#define LW4O6_SLOT_PSID_OFFSET	GENMASK_ULL(6, 2)
#define LW4O6_SLOT_STATE	GENMASK_ULL(1, 0)
#define LW4O6_SLOT_USED		1ULL
#define LW4O6_SLOT_TOMBSTONE	2ULL
#define LW4O6_SLOT_MATCH	(LW4O6_SLOT_ADDR | LW4O6_SLOT_PSID | LW4O6_SLOT_STATE)

#define LW4O6_SLOTS_MIN		64U
#define LW4O6_SLOTS_MAX		(1U << 26)	/* 1.5 GB; 48M softwires */

/* Table allocations: charged to the caller's memory cgroup, and refused
 * rather than invoking the OOM killer when it is full.
 */
#define LW4O6_GFP	(GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL | __GFP_NOWARN)

struct lw4o6_swtab {
	struct rcu_head		rcu;
	u32			size;	/* slots */
	u32			seed;
	struct lw4o6_slot	slot[];
};

/* A softwire unpacked: what netlink carries. */
struct softwire_table_sw {
	__be32		addr;
	u16		psid;
	u8		aftr;		/* index in data->aftr */
	u8		psid_len;	/* as its address's */
	u8		psid_offset;
	struct in6_addr	b4;
};

static u64 lw4o6_slot_key(__be32 addr, u16 psid)
{
	return FIELD_PREP(LW4O6_SLOT_ADDR, (__force u32)addr) |
	       FIELD_PREP(LW4O6_SLOT_PSID, psid) | LW4O6_SLOT_USED;
}

static u32 lw4o6_slot_first(const struct lw4o6_swtab *t, __be32 addr, u16 psid)
{
	return reciprocal_scale(jhash_2words((__force u32)addr, psid, t->seed),
				t->size);
}

/*
 * The slot of (addr, psid), its key word in *key; NULL if there is none.
 * Under RCU or the namespace's mutex.
 */
static const struct lw4o6_slot *lw4o6_slot_find(const struct lw4o6_swtab *t,
						__be32 addr, u16 psid, u64 *key)
{
	u64 want = lw4o6_slot_key(addr, psid), k;
	u32 i = lw4o6_slot_first(t, addr, psid), n;

	for (n = 0; n < t->size; n++) {
		k = smp_load_acquire(&t->slot[i].key);
		if ((k & LW4O6_SLOT_MATCH) == want) {
			*key = k;
			return &t->slot[i];
		}
		if (!k)
			break;
		if (++i == t->size)
			i = 0;
	}
	return NULL;
}

static void lw4o6_slot_unpack(const struct lw4o6_slot *s, u64 k,
			      struct softwire_table_sw *sw)
{
	sw->addr = (__force __be32)(u32)FIELD_GET(LW4O6_SLOT_ADDR, k);
	sw->psid = FIELD_GET(LW4O6_SLOT_PSID, k);
	sw->aftr = FIELD_GET(LW4O6_SLOT_AFTR, k);
	sw->psid_len = FIELD_GET(LW4O6_SLOT_PSID_LEN, k);
	sw->psid_offset = FIELD_GET(LW4O6_SLOT_PSID_OFFSET, k);
	sw->b4 = s->b4;
}

/* Into the first empty slot of its probe: the writer only. */
static void lw4o6_slot_put(struct lw4o6_swtab *t, const struct softwire_table_sw *sw)
{
	u32 i = lw4o6_slot_first(t, sw->addr, sw->psid);

	while (t->slot[i].key)
		if (++i == t->size)
			i = 0;
	t->slot[i].b4 = sw->b4;
	smp_store_release(&t->slot[i].key,
			  lw4o6_slot_key(sw->addr, sw->psid) |
			  FIELD_PREP(LW4O6_SLOT_AFTR, sw->aftr) |
			  FIELD_PREP(LW4O6_SLOT_PSID_LEN, sw->psid_len) |
			  FIELD_PREP(LW4O6_SLOT_PSID_OFFSET, sw->psid_offset));
}

static struct lw4o6_swtab *lw4o6_swtab_new(u32 size)
{
	struct lw4o6_swtab *t;

	size = clamp(size, LW4O6_SLOTS_MIN, LW4O6_SLOTS_MAX);
	t = kvzalloc(struct_size(t, slot, size), LW4O6_GFP);
	if (!t)
		return NULL;
	t->size = size;
	t->seed = get_random_u32();
	return t;
}

/*
 * The address table: IPv4 address -> PSID length and offset of its
 * softwires, open addressing as the softwire table (same key word, PSID
 * and AFTR index 0), so that it is allocated as that one is (an rhashtable
 * allocates its buckets uncharged) and read the same way under RCU.
 */
struct lw4o6_aslot {
	u64		key;		/* LW4O6_SLOT_*, 0 when empty */
	u32		softwires;	/* the writer's */
};

struct lw4o6_addrtab {
	struct rcu_head		rcu;
	u32			size;	/* slots */
	u32			seed;
	struct lw4o6_aslot	slot[];
};

#define LW4O6_ASLOT_MATCH	(LW4O6_SLOT_ADDR | LW4O6_SLOT_STATE)

static u64 lw4o6_aslot_key(__be32 addr, u8 psid_len, u8 psid_offset)
{
	return FIELD_PREP(LW4O6_SLOT_ADDR, (__force u32)addr) |
	       FIELD_PREP(LW4O6_SLOT_PSID_LEN, psid_len) |
	       FIELD_PREP(LW4O6_SLOT_PSID_OFFSET, psid_offset) | LW4O6_SLOT_USED;
}

static u32 lw4o6_aslot_first(const struct lw4o6_addrtab *t, __be32 addr)
{
	return reciprocal_scale(jhash_1word((__force u32)addr, t->seed), t->size);
}

/* The slot of addr, its key word in *key; NULL if none. RCU or the mutex. */
static struct lw4o6_aslot *lw4o6_aslot_find(struct lw4o6_addrtab *t,
					    __be32 addr, u64 *key)
{
	u64 want = FIELD_PREP(LW4O6_SLOT_ADDR, (__force u32)addr) | LW4O6_SLOT_USED;
	u32 i = lw4o6_aslot_first(t, addr), n;
	u64 k;

	for (n = 0; n < t->size; n++) {
		k = smp_load_acquire(&t->slot[i].key);
		if ((k & LW4O6_ASLOT_MATCH) == want) {
			*key = k;
			return &t->slot[i];
		}
		if (!k)
			break;
		if (++i == t->size)
			i = 0;
	}
	return NULL;
}

/* Into the first empty slot of its probe: the writer only. */
static struct lw4o6_aslot *lw4o6_aslot_put(struct lw4o6_addrtab *t, u64 key,
					   u32 softwires)
{
	__be32 addr = (__force __be32)(u32)FIELD_GET(LW4O6_SLOT_ADDR, key);
	u32 i = lw4o6_aslot_first(t, addr);

	while (t->slot[i].key)
		if (++i == t->size)
			i = 0;
	t->slot[i].softwires = softwires;
	smp_store_release(&t->slot[i].key, key);
	return &t->slot[i];
}

static struct lw4o6_addrtab *lw4o6_addrtab_new(u32 size)
{
	struct lw4o6_addrtab *t;

	size = clamp(size, LW4O6_SLOTS_MIN, LW4O6_SLOTS_MAX);
	t = kvzalloc(struct_size(t, slot, size), LW4O6_GFP);
	if (!t)
		return NULL;
	t->size = size;
	t->seed = get_random_u32();
	return t;
}

/* An address with its PSID length and offset: what netlink carries. */
struct softwire_table_akey {
	__be32	addr;
	u8	psid_len;
	u8	psid_offset;
};

struct softwire_table_rules {
	struct rcu_head		rcu;
	unsigned int		n;
	struct map_rule		r[];
};

static unsigned int softwire_table_net_id __read_mostly;

struct softwire_table_net {
	struct mutex	 lock;		/* the tables and their contents */
	struct list_head tables;
	unsigned int	 n_tables;	/* listed */
};

/* --- lookups (packet path, under RCU) --------------------------------- */

bool softwire_table_is_aftr(const struct softwire_table_data *d, const struct in6_addr *a)
{
	unsigned int i, n = smp_load_acquire(&d->n_aftr);

	for (i = 0; i < n; i++)
		if (ipv6_addr_equal(&d->aftr[i], a))
			return true;
	return false;
}

static bool softwire_table_find_rule(const struct softwire_table_data *d, __be32 addr,
			       int port, struct softwire_bind *b)
{
	const struct softwire_table_rules *rules = rcu_dereference(d->rules);
	struct map_ce ce;
	unsigned int i;

	if (!rules)
		return false;
	for (i = 0; i < rules->n; i++) {
		const struct map_rule *r = &rules->r[i];

		/* A later fragment only for a rule without port sets. */
		if (port == SOFTWIRE_NO_PORT &&
		    r->ea_len != (unsigned int)(32 - r->ip4_len))
			continue;
		if (map_rule_ce_for(r, ntohl(addr), port < 0 ? 0 : port, &ce) !=
		    MAP_RULE_OK)
			continue;
		memcpy(&b->b4, ce.ip6, sizeof(b->b4));
		b->aftr = d->aftr[0];
		return true;
	}
	return false;
}

/* The PSID of port in a set of length len at offset, or -1 if the port is
 * in no set (A = 0, RFC 7597 section 5.1) or unknown.
 */
static int lw4o6_psid(int port, unsigned int len, unsigned int offset)
{
	struct psid_set set = { .offset = offset, .len = len };

	if (!len)
		return 0;
	if (port == SOFTWIRE_NO_PORT)
		return -1;
	set.psid = psid_of_port(port, offset, len);
	return psid_port_in_set(&set, port) ? set.psid : -1;
}

bool softwire_table_find(struct softwire_table_data *d, __be32 addr, int port,
		   struct softwire_bind *b)
{
	const struct lw4o6_swtab *t = rcu_dereference(d->softwires);
	bool uni = READ_ONCE(d->uni_set) && !READ_ONCE(d->n_other);
	unsigned int len = 0, offset = 0, alen, aoffset;
	const struct lw4o6_slot *s;
	int psid;
	u64 k;

	/* One lookup when all addresses share PSID length and offset. */
	if (uni) {
		len = READ_ONCE(d->uni_len);
		offset = READ_ONCE(d->uni_offset);
		psid = lw4o6_psid(port, len, offset);
		if (psid >= 0) {
			s = lw4o6_slot_find(t, addr, psid, &k);
			if (s && FIELD_GET(LW4O6_SLOT_PSID_LEN, k) == len &&
			    FIELD_GET(LW4O6_SLOT_PSID_OFFSET, k) == offset)
				goto found;
		}
	}

	if (!lw4o6_aslot_find(rcu_dereference(d->addrs), addr, &k))
		return softwire_table_find_rule(d, addr, port, b);
	alen = FIELD_GET(LW4O6_SLOT_PSID_LEN, k);
	aoffset = FIELD_GET(LW4O6_SLOT_PSID_OFFSET, k);
	/* The guess above used this address's own length and offset. */
	if (uni && alen == len && aoffset == offset)
		return false;
	psid = lw4o6_psid(port, alen, aoffset);
	if (psid < 0)
		return false;
	s = lw4o6_slot_find(t, addr, psid, &k);
	if (!s)
		return false;
found:
	b->b4 = s->b4;
	b->aftr = d->aftr[FIELD_GET(LW4O6_SLOT_AFTR, k)];
	return true;
}

/* --- tables and their contents (process context) ---------------------- */

/*
 * size: the softwires expected (a hint, at most max_softwires), sized to
 * fill 2/3 of the slots. lock: the namespace's mutex.
 */
static struct softwire_table_data *lw4o6_data_new(const struct in6_addr *aftr,
					    u32 size, struct mutex *lock)
{
	struct softwire_table_data *d = kzalloc(sizeof(*d), GFP_KERNEL_ACCOUNT);
	struct lw4o6_addrtab *a;
	struct lw4o6_swtab *t;

	if (!d)
		return NULL;
	size = min3(size, READ_ONCE(lw4o6_max_softwires), LW4O6_SLOTS_MAX / 3 * 2);
	t = lw4o6_swtab_new(size / 2 * 3);
	if (!t)
		goto free;
	a = lw4o6_addrtab_new(LW4O6_SLOTS_MIN);
	if (!a)
		goto free_t;
	RCU_INIT_POINTER(d->softwires, t);
	RCU_INIT_POINTER(d->addrs, a);
	d->lock = lock;
	d->aftr[0] = *aftr;
	d->n_aftr = 1;
	refcount_set(&d->refs, 1);
	return d;
free_t:
	kvfree(t);
free:
	kfree(d);
	return NULL;
}

/* The last user of contents no longer published anywhere frees them. */
static void lw4o6_data_put(struct softwire_table_data *d)
{
	if (!d || !refcount_dec_and_test(&d->refs))
		return;
	synchronize_rcu();
	kvfree(rcu_dereference_protected(d->softwires, true));
	kvfree(rcu_dereference_protected(d->addrs, true));
	kfree(rcu_dereference_protected(d->rules, true));
	kfree(d);
}

static struct softwire_table_data *lw4o6_data_locked(struct softwire_table *bt)
{
	return rcu_dereference_protected(bt->data, lockdep_is_held(bt->lock));
}

static void softwire_table_free(struct softwire_table *bt)
{
	lw4o6_data_put(rcu_dereference_protected(bt->data, true));
	free_percpu(bt->stats);
	kfree(bt);
}

static struct softwire_table_net *softwire_table_net(struct net *net)
{
	return net_generic(net, softwire_table_net_id);
}

/* Under bn->lock. */
static struct softwire_table *softwire_table_find_name(struct softwire_table_net *bn,
					   const char *name)
{
	struct softwire_table *bt;

	lockdep_assert_held(&bn->lock);
	list_for_each_entry(bt, &bn->tables, list)
		if (!strcmp(bt->name, name))
			return bt;
	return NULL;
}

struct softwire_table *softwire_table_get(struct net *net, const char *name)
{
	struct softwire_table_net *bn = softwire_table_net(net);
	struct softwire_table *bt;

	mutex_lock(&bn->lock);
	bt = softwire_table_find_name(bn, name);
	if (bt) {
		refcount_inc(&bt->refs);
		atomic_inc(&bt->users);
	}
	mutex_unlock(&bn->lock);
	return bt;
}

/*
 * No lock: the rule may be destroyed after its namespace's exit (and the
 * mutex) is gone. TABLE_DEL reads users under the mutex, which bt_get
 * takes to raise it: a decrement it misses only makes it refuse a moment
 * early.
 */
void softwire_table_put(struct softwire_table *bt)
{
	atomic_dec(&bt->users);
	if (refcount_dec_and_test(&bt->refs))
		softwire_table_free(bt);
}

/* Under RCU: the rules and the contents are freed after a grace period. */
int softwire_table_derive(struct softwire_table *bt, const struct in6_addr *eu,
		    unsigned int eu_len, struct map_ce *ce, struct in6_addr *br)
{
	const struct softwire_table_rules *rules;
	struct softwire_table_data *d;
	int err = 0;

	rcu_read_lock();
	d = rcu_dereference(bt->data);
	rules = rcu_dereference(d->rules);
	if (!rules || !rules->n)
		err = -ENOENT;
	else if (map_rule_derive(&rules->r[0], eu->s6_addr, eu_len, ce) != MAP_RULE_OK)
		err = -EINVAL;
	*br = d->aftr[0];
	rcu_read_unlock();
	return err;
}

/* The index of a in d->aftr, or -ENOENT. */
static int lw4o6_aftr_find(const struct softwire_table_data *d,
			   const struct in6_addr *a)
{
	unsigned int i;

	for (i = 0; i < d->n_aftr; i++)
		if (ipv6_addr_equal(&d->aftr[i], a))
			return i;
	return -ENOENT;
}

/* Appends a, which is not there yet; the caller checked for room. */
static unsigned int lw4o6_aftr_append(struct softwire_table_data *d,
				      const struct in6_addr *a)
{
	unsigned int i = d->n_aftr;

	d->aftr[i] = *a;
	/* Readers see the address before the count that covers it. */
	smp_store_release(&d->n_aftr, i + 1);
	return i;
}

static bool lw4o6_unicast(const struct in6_addr *a)
{
	return !ipv6_addr_any(a) && !ipv6_addr_is_multicast(a) &&
	       !ipv6_addr_loopback(a);
}

static const struct nla_policy lw4o6_sw_policy[SOFTWIRE_SW_A_MAX + 1] = {
	[SOFTWIRE_SW_A_IPV4]	 = { .type = NLA_BE32 },
	[SOFTWIRE_SW_A_PSID]	 = { .type = NLA_U16 },
	[SOFTWIRE_SW_A_PSID_LEN]	 = NLA_POLICY_MAX(NLA_U8, 16),
	[SOFTWIRE_SW_A_PSID_OFFSET] = NLA_POLICY_MAX(NLA_U8, 16),
	[SOFTWIRE_SW_A_B4]		 = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[SOFTWIRE_SW_A_AFTR]	 = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
};

static const struct nla_policy lw4o6_rule_policy[SOFTWIRE_RULE_A_MAX + 1] = {
	[SOFTWIRE_RULE_A_IPV6_PREFIX] = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[SOFTWIRE_RULE_A_IPV6_LEN]	   = NLA_POLICY_MAX(NLA_U8, 128),
	[SOFTWIRE_RULE_A_IPV4_PREFIX] = { .type = NLA_BE32 },
	[SOFTWIRE_RULE_A_IPV4_LEN]	   = NLA_POLICY_MAX(NLA_U8, 32),
	[SOFTWIRE_RULE_A_EA_LEN]	   = NLA_POLICY_MAX(NLA_U8, 48),
	[SOFTWIRE_RULE_A_PSID_OFFSET] = NLA_POLICY_MAX(NLA_U8, 16),
};

static const struct nla_policy lw4o6_policy[SOFTWIRE_A_MAX + 1] = {
	[SOFTWIRE_A_NAME]	   = { .type = NLA_NUL_STRING,
			       .len = SOFTWIRE_TABLE_NAME_LEN - 1 },
	[SOFTWIRE_A_NAME2]	   = { .type = NLA_NUL_STRING,
			       .len = SOFTWIRE_TABLE_NAME_LEN - 1 },
	[SOFTWIRE_A_AFTR]	   = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[SOFTWIRE_A_SIZE]	   = { .type = NLA_U32 },
	[SOFTWIRE_A_SOFTWIRES] = NLA_POLICY_NESTED_ARRAY(lw4o6_sw_policy),
	[SOFTWIRE_A_RULE]	   = NLA_POLICY_NESTED(lw4o6_rule_policy),
};

/* One softwire from its attributes; the key is all DEL needs. */
static int lw4o6_parse_sw(const struct nlattr *nla, struct softwire_table_sw *sw,
			  struct softwire_table_akey *a, struct in6_addr *aftr,
			  bool *has_aftr, bool key_only,
			  struct netlink_ext_ack *extack)
{
	struct nlattr *tb[SOFTWIRE_SW_A_MAX + 1];
	struct psid_set set = {};
	int err;

	err = nla_parse_nested(tb, SOFTWIRE_SW_A_MAX, nla, lw4o6_sw_policy, extack);
	if (err)
		return err;
	if (!tb[SOFTWIRE_SW_A_IPV4] || (!key_only && !tb[SOFTWIRE_SW_A_B4])) {
		NL_SET_ERR_MSG_ATTR(extack, nla, "a softwire needs an IPv4 and a B4 address");
		return -EINVAL;
	}
	memset(sw, 0, sizeof(*sw));
	sw->addr = nla_get_be32(tb[SOFTWIRE_SW_A_IPV4]);
	a->addr = sw->addr;
	if (tb[SOFTWIRE_SW_A_PSID])
		set.psid = nla_get_u16(tb[SOFTWIRE_SW_A_PSID]);
	sw->psid = set.psid;
	if (key_only)
		return 0;
	if (tb[SOFTWIRE_SW_A_PSID_LEN])
		set.len = nla_get_u8(tb[SOFTWIRE_SW_A_PSID_LEN]);
	set.offset = set.len ? 6 : 0;	/* RFC 7597 section 5.1 default */
	if (set.len && tb[SOFTWIRE_SW_A_PSID_OFFSET])
		set.offset = nla_get_u8(tb[SOFTWIRE_SW_A_PSID_OFFSET]);
	if (!psid_set_valid(&set)) {
		NL_SET_ERR_MSG_ATTR(extack, nla, "the PSID does not fit its length, or offset + length > 16");
		return -EINVAL;
	}
	a->psid_len = set.len;
	a->psid_offset = set.offset;
	if (ipv4_is_zeronet(sw->addr) || ipv4_is_multicast(sw->addr) ||
	    ipv4_is_lbcast(sw->addr) || ipv4_is_loopback(sw->addr)) {
		NL_SET_ERR_MSG_ATTR(extack, nla, "the IPv4 address must be unicast");
		return -EINVAL;
	}
	nla_memcpy(&sw->b4, tb[SOFTWIRE_SW_A_B4], sizeof(sw->b4));
	*has_aftr = tb[SOFTWIRE_SW_A_AFTR];
	if (*has_aftr)
		nla_memcpy(aftr, tb[SOFTWIRE_SW_A_AFTR], sizeof(*aftr));
	if (!lw4o6_unicast(&sw->b4) || (*has_aftr && !lw4o6_unicast(aftr))) {
		NL_SET_ERR_MSG_ATTR(extack, nla, "B4 and AFTR addresses must be unicast");
		return -EINVAL;
	}
	return 0;
}

static struct lw4o6_swtab *lw4o6_swtab_locked(struct softwire_table_data *d)
{
	return rcu_dereference_protected(d->softwires, lockdep_is_held(d->lock));
}

static struct lw4o6_addrtab *lw4o6_addrtab_locked(struct softwire_table_data *d)
{
	return rcu_dereference_protected(d->addrs, lockdep_is_held(d->lock));
}

/* Long loops over slots let others run every this many slots. */
#define LW4O6_RESCHED_SLOTS	4096

/*
 * Copies the softwires into a new table of size slots, without the
 * tombstones, and publishes it; readers of the old one finish first.
 */
static int lw4o6_swtab_rebuild(struct softwire_table_data *d, u32 size)
{
	struct lw4o6_swtab *old = lw4o6_swtab_locked(d), *t;
	struct softwire_table_sw sw;
	u32 i;

	t = lw4o6_swtab_new(size);
	if (!t)
		return -ENOMEM;
	for (i = 0; i < old->size; i++) {
		u64 k = old->slot[i].key;

		if (!(i % LW4O6_RESCHED_SLOTS))
			cond_resched();
		if (FIELD_GET(LW4O6_SLOT_STATE, k) != LW4O6_SLOT_USED)
			continue;
		lw4o6_slot_unpack(&old->slot[i], k, &sw);
		lw4o6_slot_put(t, &sw);
	}
	rcu_assign_pointer(d->softwires, t);
	d->n_tombstones = 0;
	kvfree_rcu(old, rcu);
	return 0;
}

/* The same for the address table. */
static int lw4o6_addrtab_rebuild(struct softwire_table_data *d, u32 size)
{
	struct lw4o6_addrtab *old = lw4o6_addrtab_locked(d), *t;
	u32 i;

	t = lw4o6_addrtab_new(size);
	if (!t)
		return -ENOMEM;
	for (i = 0; i < old->size; i++) {
		u64 k = old->slot[i].key;

		if (!(i % LW4O6_RESCHED_SLOTS))
			cond_resched();
		if (FIELD_GET(LW4O6_SLOT_STATE, k) == LW4O6_SLOT_USED)
			lw4o6_aslot_put(t, k, old->slot[i].softwires);
	}
	rcu_assign_pointer(d->addrs, t);
	d->n_addr_tombstones = 0;
	kvfree_rcu(old, rcu);
	return 0;
}

/*
 * Room for one more entry in a table of size slots holding n entries and
 * tombstones: used and deleted slots fill at most 3/4. 0 if there is, else
 * the size to rebuild it to (half full; many tombstones in a big enough
 * table: the same size).
 */
static u32 lw4o6_room(u32 size, u32 n, u32 tombstones)
{
	u64 want = (u64)n + 1;

	if (want + tombstones <= (u64)size / 4 * 3)
		return 0;
	return max_t(u64, want * 2, size);
}

static int lw4o6_sw_add(struct softwire_table_data *d, const struct nlattr *nla,
			struct netlink_ext_ack *extack)
{
	struct lw4o6_aslot *a;
	struct softwire_table_akey akey;
	struct softwire_table_sw sw;
	struct in6_addr aftr;
	bool has_aftr;
	int err, idx = 0;
	u32 size;
	u64 k;

	err = lw4o6_parse_sw(nla, &sw, &akey, &aftr, &has_aftr, false, extack);
	if (err)
		return err;
	/* Every check before any change: a refused softwire changes nothing
	 * (not even the list of AFTR addresses, which has 16 places).
	 */
	if (has_aftr) {
		idx = lw4o6_aftr_find(d, &aftr);
		if (idx < 0 && d->n_aftr == SOFTWIRE_MAX_AFTRS) {
			NL_SET_ERR_MSG_ATTR(extack, nla, "too many AFTR addresses in one table");
			return -ENOSPC;
		}
	}
	a = lw4o6_aslot_find(lw4o6_addrtab_locked(d), akey.addr, &k);
	if (a && (FIELD_GET(LW4O6_SLOT_PSID_LEN, k) != akey.psid_len ||
		  FIELD_GET(LW4O6_SLOT_PSID_OFFSET, k) != akey.psid_offset)) {
		NL_SET_ERR_MSG_ATTR(extack, nla,
				    "softwires of one IPv4 address must share PSID length and offset");
		return -EINVAL;
	}
	if (lw4o6_slot_find(lw4o6_swtab_locked(d), sw.addr, sw.psid, &k)) {
		NL_SET_ERR_MSG_ATTR(extack, nla, "this IPv4 address and PSID are bound already");
		return -EEXIST;
	}
	if (d->n_softwires >= READ_ONCE(lw4o6_max_softwires)) {
		NL_SET_ERR_MSG_ATTR(extack, nla,
				    "the table holds max_softwires softwires (a parameter of module xt_LW4O6)");
		return -ENOSPC;
	}
	if (d->n_softwires + 1 > LW4O6_SLOTS_MAX / 4 * 3) {
		NL_SET_ERR_MSG_ATTR(extack, nla, "the table is full");
		return -ENOSPC;
	}
	/* Room first: a rebuild that fails leaves all as it was. */
	size = lw4o6_room(lw4o6_swtab_locked(d)->size, d->n_softwires,
			  d->n_tombstones);
	if (size && lw4o6_swtab_rebuild(d, size))
		return -ENOMEM;
	if (!a) {
		size = lw4o6_room(lw4o6_addrtab_locked(d)->size, d->n_addrs,
				  d->n_addr_tombstones);
		if (size && lw4o6_addrtab_rebuild(d, size))
			return -ENOMEM;
	}

	/* Nothing fails from here on. */
	if (has_aftr && idx < 0)
		idx = lw4o6_aftr_append(d, &aftr);
	if (!a) {
		/* The address is there before its softwire: a reader finding
		 * the softwire through the address table finds both.
		 */
		a = lw4o6_aslot_put(lw4o6_addrtab_locked(d),
				    lw4o6_aslot_key(akey.addr, akey.psid_len,
						    akey.psid_offset), 0);
		d->n_addrs++;
		if (!d->uni_set) {
			WRITE_ONCE(d->uni_len, akey.psid_len);
			WRITE_ONCE(d->uni_offset, akey.psid_offset);
			WRITE_ONCE(d->uni_set, true);
		} else if (akey.psid_len != d->uni_len ||
			   akey.psid_offset != d->uni_offset) {
			WRITE_ONCE(d->n_other, d->n_other + 1);
		}
	}
	sw.aftr = idx;
	sw.psid_len = akey.psid_len;
	sw.psid_offset = akey.psid_offset;
	lw4o6_slot_put(lw4o6_swtab_locked(d), &sw);
	a->softwires++;
	d->n_softwires++;
	d->gen++;
	return 0;
}

/*
 * Deletes one softwire; an address left without softwires becomes a
 * tombstone of the address table.
 */
static int lw4o6_sw_del(struct softwire_table_data *d, const struct nlattr *nla,
			struct netlink_ext_ack *extack)
{
	struct lw4o6_swtab *t = lw4o6_swtab_locked(d);
	struct lw4o6_addrtab *at = lw4o6_addrtab_locked(d);
	const struct lw4o6_slot *s;
	struct softwire_table_akey akey;
	struct lw4o6_aslot *a;
	struct softwire_table_sw sw;
	u64 k, ak;
	int err;

	err = lw4o6_parse_sw(nla, &sw, &akey, NULL, NULL, true, extack);
	if (err)
		return err;
	s = lw4o6_slot_find(t, sw.addr, sw.psid, &k);
	a = lw4o6_aslot_find(at, akey.addr, &ak);
	if (!s || !a) {
		NL_SET_ERR_MSG_ATTR(extack, nla, "no such softwire");
		return -ENOENT;
	}
	WRITE_ONCE(t->slot[s - t->slot].key, LW4O6_SLOT_TOMBSTONE);
	d->n_tombstones++;
	d->n_softwires--;
	d->gen++;
	if (--a->softwires == 0) {
		WRITE_ONCE(a->key, LW4O6_SLOT_TOMBSTONE);
		d->n_addr_tombstones++;
		d->n_addrs--;
		if (FIELD_GET(LW4O6_SLOT_PSID_LEN, ak) != d->uni_len ||
		    FIELD_GET(LW4O6_SLOT_PSID_OFFSET, ak) != d->uni_offset)
			WRITE_ONCE(d->n_other, d->n_other - 1);
		/* Shrink as the softwire table does (best effort). */
		if (at->size > LW4O6_SLOTS_MIN && d->n_addrs < at->size / 8)
			lw4o6_addrtab_rebuild(d, d->n_addrs * 2);
	}
	/* Shrink a table left 1/8 full to half full (best effort). */
	if (t->size > LW4O6_SLOTS_MIN && d->n_softwires < t->size / 8)
		lw4o6_swtab_rebuild(d, d->n_softwires * 2);
	return 0;
}

/* --- generic netlink ---------------------------------------------------- */

static struct genl_family lw4o6_genl_family;

static struct softwire_table_net *lw4o6_bn_info(struct genl_info *info)
{
	return softwire_table_net(genl_info_net(info));
}

/* The table that attribute attr names; under bn->lock. */
static struct softwire_table *softwire_table_from_info(struct softwire_table_net *bn,
					   struct genl_info *info, int attr)
{
	struct softwire_table *bt;

	if (GENL_REQ_ATTR_CHECK(info, attr))
		return ERR_PTR(-EINVAL);
	bt = softwire_table_find_name(bn, nla_data(info->attrs[attr]));
	if (!bt) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[attr], "no such table");
		return ERR_PTR(-ENOENT);
	}
	return bt;
}

/* The contents of the table that SOFTWIRE_A_NAME names; under bn->lock. */
static struct softwire_table_data *lw4o6_data_from_info(struct softwire_table_net *bn,
						  struct genl_info *info)
{
	struct softwire_table *bt = softwire_table_from_info(bn, info, SOFTWIRE_A_NAME);

	return IS_ERR(bt) ? ERR_CAST(bt) : lw4o6_data_locked(bt);
}

/* May this namespace list one more table called name? Under bn->lock. */
static int lw4o6_table_room(struct softwire_table_net *bn, struct genl_info *info,
			    const char *name)
{
	if (softwire_table_find_name(bn, name)) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[SOFTWIRE_A_NAME],
				    "a table of this name exists");
		return -EEXIST;
	}
	if (bn->n_tables >= READ_ONCE(lw4o6_max_tables)) {
		NL_SET_ERR_MSG(info->extack,
			       "this network namespace holds max_tables tables (a parameter of module xt_LW4O6)");
		return -ENOSPC;
	}
	return 0;
}

static int lw4o6_table_new(struct sk_buff *skb, struct genl_info *info)
{
	struct softwire_table_net *bn = lw4o6_bn_info(info);
	struct in6_addr aftr;
	struct softwire_table *bt;
	const char *name;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, SOFTWIRE_A_NAME) ||
	    GENL_REQ_ATTR_CHECK(info, SOFTWIRE_A_AFTR))
		return -EINVAL;
	name = nla_data(info->attrs[SOFTWIRE_A_NAME]);
	nla_memcpy(&aftr, info->attrs[SOFTWIRE_A_AFTR], sizeof(aftr));
	if (!name[0] || !lw4o6_unicast(&aftr)) {
		NL_SET_ERR_MSG(info->extack, "a table needs a name and a unicast AFTR address");
		return -EINVAL;
	}
	/* Refused before allocating anything; checked again to list it. */
	mutex_lock(&bn->lock);
	err = lw4o6_table_room(bn, info, name);
	mutex_unlock(&bn->lock);
	if (err)
		return err;

	/* Allocated without the lock: a big table takes a while. */
	bt = kzalloc(sizeof(*bt), GFP_KERNEL_ACCOUNT);
	if (!bt)
		return -ENOMEM;
	bt->stats = __alloc_percpu_gfp(sizeof(u64) * __SOFTWIRE_TABLE_STAT_MAX,
				       __alignof__(u64), GFP_KERNEL_ACCOUNT);
	strscpy(bt->name, name, sizeof(bt->name));
	refcount_set(&bt->refs, 1);
	bt->lock = &bn->lock;
	RCU_INIT_POINTER(bt->data,
			 lw4o6_data_new(&aftr, info->attrs[SOFTWIRE_A_SIZE] ?
					nla_get_u32(info->attrs[SOFTWIRE_A_SIZE]) : 0,
					&bn->lock));
	if (!bt->stats || !rcu_access_pointer(bt->data)) {
		softwire_table_free(bt);
		NL_SET_ERR_MSG(info->extack, "cannot allocate the table (memory cgroup limit?)");
		return -ENOMEM;
	}

	mutex_lock(&bn->lock);
	err = lw4o6_table_room(bn, info, name);
	if (!err) {
		list_add_tail(&bt->list, &bn->tables);
		bn->n_tables++;
	}
	mutex_unlock(&bn->lock);
	if (err)
		softwire_table_free(bt);
	return err;
}

static int lw4o6_table_del(struct sk_buff *skb, struct genl_info *info)
{
	struct softwire_table_net *bn = lw4o6_bn_info(info);
	struct softwire_table *bt;
	int err = 0;

	mutex_lock(&bn->lock);
	bt = softwire_table_from_info(bn, info, SOFTWIRE_A_NAME);
	if (IS_ERR(bt)) {
		err = PTR_ERR(bt);
	} else if (atomic_read(&bt->users)) {
		NL_SET_ERR_MSG(info->extack, "the table is used by iptables rules");
		err = -EBUSY;
	} else {
		list_del(&bt->list);
		bn->n_tables--;
	}
	mutex_unlock(&bn->lock);
	if (!err && refcount_dec_and_test(&bt->refs))
		softwire_table_free(bt);
	return err;
}

static int lw4o6_table_swap(struct sk_buff *skb, struct genl_info *info)
{
	struct softwire_table_net *bn = lw4o6_bn_info(info);
	struct softwire_table_data *d1, *d2;
	struct softwire_table *bt1, *bt2;
	int err = 0;

	mutex_lock(&bn->lock);
	bt1 = softwire_table_from_info(bn, info, SOFTWIRE_A_NAME);
	bt2 = softwire_table_from_info(bn, info, SOFTWIRE_A_NAME2);
	if (IS_ERR(bt1) || IS_ERR(bt2)) {
		err = IS_ERR(bt1) ? PTR_ERR(bt1) : PTR_ERR(bt2);
		goto out;
	}
	d1 = lw4o6_data_locked(bt1);
	d2 = lw4o6_data_locked(bt2);
	/* Each pointer changes at once: a packet sees one table or the other. */
	rcu_assign_pointer(bt1->data, d2);
	rcu_assign_pointer(bt2->data, d1);
out:
	mutex_unlock(&bn->lock);
	return err;
}

static int lw4o6_sw_change(struct sk_buff *skb, struct genl_info *info)
{
	bool add = info->genlhdr->cmd == SOFTWIRE_CMD_SW_ADD;
	struct softwire_table_net *bn = lw4o6_bn_info(info);
	struct softwire_table_data *d;
	struct nlattr *nla;
	int err = 0, rem;

	if (GENL_REQ_ATTR_CHECK(info, SOFTWIRE_A_SOFTWIRES))
		return -EINVAL;
	mutex_lock(&bn->lock);
	d = lw4o6_data_from_info(bn, info);
	if (IS_ERR(d)) {
		err = PTR_ERR(d);
		goto out;
	}
	/* Softwires before the one refused stay changed: the tool loads into
	 * a fresh table and swaps, so a failed load changes nothing live.
	 */
	nla_for_each_nested(nla, info->attrs[SOFTWIRE_A_SOFTWIRES], rem) {
		err = add ? lw4o6_sw_add(d, nla, info->extack) :
			    lw4o6_sw_del(d, nla, info->extack);
		if (err)
			break;
		cond_resched();
	}
out:
	mutex_unlock(&bn->lock);
	return err;
}

static int lw4o6_parse_rule(const struct nlattr *nla, struct map_rule *r,
			    struct netlink_ext_ack *extack)
{
	struct nlattr *tb[SOFTWIRE_RULE_A_MAX + 1];
	struct map_ce ce;
	int err;

	err = nla_parse_nested(tb, SOFTWIRE_RULE_A_MAX, nla, lw4o6_rule_policy, extack);
	if (err)
		return err;
	if (!tb[SOFTWIRE_RULE_A_IPV6_PREFIX] || !tb[SOFTWIRE_RULE_A_IPV6_LEN] ||
	    !tb[SOFTWIRE_RULE_A_IPV4_PREFIX] || !tb[SOFTWIRE_RULE_A_IPV4_LEN] ||
	    !tb[SOFTWIRE_RULE_A_EA_LEN]) {
		NL_SET_ERR_MSG_ATTR(extack, nla, "a rule needs both prefixes and the EA-bits length");
		return -EINVAL;
	}
	memset(r, 0, sizeof(*r));
	nla_memcpy(r->ip6_prefix, tb[SOFTWIRE_RULE_A_IPV6_PREFIX], 16);
	r->ip6_len = nla_get_u8(tb[SOFTWIRE_RULE_A_IPV6_LEN]);
	r->ip4_prefix = ntohl(nla_get_be32(tb[SOFTWIRE_RULE_A_IPV4_PREFIX]));
	r->ip4_len = nla_get_u8(tb[SOFTWIRE_RULE_A_IPV4_LEN]);
	r->ea_len = nla_get_u8(tb[SOFTWIRE_RULE_A_EA_LEN]);
	r->psid_offset = tb[SOFTWIRE_RULE_A_PSID_OFFSET] ?
			 nla_get_u8(tb[SOFTWIRE_RULE_A_PSID_OFFSET]) : 6;
	/* RFC 7597 section 5.2: the EA bits must at least fill the IPv4
	 * suffix, the PSID must fit with its offset, the prefixes must have
	 * no bits past their lengths. The CE for the rule's first address
	 * proves the lengths.
	 */
	if (map_rule_ce_for(r, r->ip4_prefix, 0xffff, &ce) != MAP_RULE_OK ||
	    r->ip6_len + r->ea_len > 64) {
		NL_SET_ERR_MSG_ATTR(extack, nla,
				    "the rule's lengths give no CE address (RFC 7597 section 5.2)");
		return -EINVAL;
	}
	return 0;
}

static bool lw4o6_rule_equal(const struct map_rule *a, const struct map_rule *b)
{
	return !memcmp(a->ip6_prefix, b->ip6_prefix, 16) &&
	       a->ip6_len == b->ip6_len && a->ip4_prefix == b->ip4_prefix &&
	       a->ip4_len == b->ip4_len && a->ea_len == b->ea_len &&
	       a->psid_offset == b->psid_offset;
}

static int lw4o6_rule_change(struct sk_buff *skb, struct genl_info *info)
{
	bool add = info->genlhdr->cmd == SOFTWIRE_CMD_RULE_ADD;
	struct softwire_table_net *bn = lw4o6_bn_info(info);
	struct softwire_table_rules *old, *new = NULL;
	struct softwire_table_data *d;
	unsigned int i, n, found;
	struct map_rule r;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, SOFTWIRE_A_RULE))
		return -EINVAL;
	err = lw4o6_parse_rule(info->attrs[SOFTWIRE_A_RULE], &r, info->extack);
	if (err)
		return err;
	mutex_lock(&bn->lock);
	d = lw4o6_data_from_info(bn, info);
	if (IS_ERR(d)) {
		err = PTR_ERR(d);
		goto out;
	}
	old = rcu_dereference_protected(d->rules, lockdep_is_held(d->lock));
	n = old ? old->n : 0;
	for (found = 0; found < n; found++)
		if (lw4o6_rule_equal(&old->r[found], &r))
			break;
	if (add && found < n) {
		err = -EEXIST;
		goto out;
	}
	if (!add && found == n) {
		NL_SET_ERR_MSG(info->extack, "no such rule");
		err = -ENOENT;
		goto out;
	}
	if (add && n == SOFTWIRE_MAX_RULES) {
		NL_SET_ERR_MSG(info->extack, "too many rules in one table");
		err = -ENOSPC;
		goto out;
	}
	new = kzalloc(struct_size(new, r, add ? n + 1 : n), GFP_KERNEL_ACCOUNT);
	if (!new) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++)
		if (i != found)
			new->r[new->n++] = old->r[i];
	if (add)
		new->r[new->n++] = r;
	rcu_assign_pointer(d->rules, new);
	if (old)
		kfree_rcu(old, rcu);
out:
	mutex_unlock(&bn->lock);
	return err;
}

static int lw4o6_aftr_add(struct sk_buff *skb, struct genl_info *info)
{
	struct softwire_table_net *bn = lw4o6_bn_info(info);
	struct softwire_table_data *d;
	struct in6_addr a;
	int err = 0;

	if (GENL_REQ_ATTR_CHECK(info, SOFTWIRE_A_AFTR))
		return -EINVAL;
	nla_memcpy(&a, info->attrs[SOFTWIRE_A_AFTR], sizeof(a));
	if (!lw4o6_unicast(&a))
		return -EINVAL;
	mutex_lock(&bn->lock);
	d = lw4o6_data_from_info(bn, info);
	if (IS_ERR(d)) {
		err = PTR_ERR(d);
	} else if (lw4o6_aftr_find(d, &a) < 0) {
		if (d->n_aftr == SOFTWIRE_MAX_AFTRS) {
			NL_SET_ERR_MSG(info->extack, "too many AFTR addresses in one table");
			err = -ENOSPC;
		} else {
			lw4o6_aftr_append(d, &a);
		}
	}
	mutex_unlock(&bn->lock);
	return err;
}

static int lw4o6_put_rule(struct sk_buff *msg, const struct map_rule *r)
{
	struct nlattr *nest = nla_nest_start(msg, SOFTWIRE_A_RULE);

	if (!nest ||
	    nla_put(msg, SOFTWIRE_RULE_A_IPV6_PREFIX, 16, r->ip6_prefix) ||
	    nla_put_u8(msg, SOFTWIRE_RULE_A_IPV6_LEN, r->ip6_len) ||
	    nla_put_be32(msg, SOFTWIRE_RULE_A_IPV4_PREFIX, htonl(r->ip4_prefix)) ||
	    nla_put_u8(msg, SOFTWIRE_RULE_A_IPV4_LEN, r->ip4_len) ||
	    nla_put_u8(msg, SOFTWIRE_RULE_A_EA_LEN, r->ea_len) ||
	    nla_put_u8(msg, SOFTWIRE_RULE_A_PSID_OFFSET, r->psid_offset))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

/* What a table is and did: a TABLE_GET message. */
static int lw4o6_put_table(struct sk_buff *msg, struct softwire_table *bt,
			   u32 portid, u32 seq, int flags)
{
	struct softwire_table_data *d = lw4o6_data_locked(bt);
	const struct softwire_table_rules *rules;
	struct nlattr *stats;
	unsigned int i;
	u64 mem;
	void *hdr;
	int cpu;

	hdr = genlmsg_put(msg, portid, seq, &lw4o6_genl_family, flags,
			  SOFTWIRE_CMD_TABLE_GET);
	if (!hdr)
		return -EMSGSIZE;
	rules = rcu_dereference_protected(d->rules, lockdep_is_held(d->lock));
	mem = sizeof(*bt) + sizeof(*d) +
	      sizeof(u64) * __SOFTWIRE_TABLE_STAT_MAX * num_possible_cpus() +
	      struct_size(lw4o6_swtab_locked(d), slot, lw4o6_swtab_locked(d)->size) +
	      struct_size(lw4o6_addrtab_locked(d), slot, lw4o6_addrtab_locked(d)->size) +
	      (rules ? struct_size(rules, r, rules->n) : 0);
	if (nla_put_string(msg, SOFTWIRE_A_NAME, bt->name) ||
	    nla_put_u32(msg, SOFTWIRE_A_N_SOFTWIRES, d->n_softwires) ||
	    nla_put_u32(msg, SOFTWIRE_A_N_ADDRESSES, d->n_addrs) ||
	    nla_put_u32(msg, SOFTWIRE_A_N_RULES, rules ? rules->n : 0) ||
	    nla_put_u32(msg, SOFTWIRE_A_REFS, atomic_read(&bt->users)) ||
	    nla_put_u64_64bit(msg, SOFTWIRE_A_MEMORY, mem, SOFTWIRE_A_PAD))
		goto cancel;
	for (i = 0; i < d->n_aftr; i++)
		if (nla_put_in6_addr(msg, SOFTWIRE_A_AFTR, &d->aftr[i]))
			goto cancel;
	for (i = 0; rules && i < rules->n; i++)
		if (lw4o6_put_rule(msg, &rules->r[i]))
			goto cancel;
	stats = nla_nest_start(msg, SOFTWIRE_A_STATS);
	if (!stats)
		goto cancel;
	for (i = 0; i < __SOFTWIRE_TABLE_STAT_MAX; i++) {
		u64 sum = 0;

		for_each_possible_cpu(cpu)
			sum += per_cpu_ptr(bt->stats, cpu)[i];
		if (nla_put_u64_64bit(msg, i + 1, sum, SOFTWIRE_A_PAD))
			goto cancel;
	}
	nla_nest_end(msg, stats);
	genlmsg_end(msg, hdr);
	return 0;
cancel:
	genlmsg_cancel(msg, hdr);
	return -EMSGSIZE;
}

static int lw4o6_table_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct softwire_table_net *bn = lw4o6_bn_info(info);
	struct softwire_table *bt;
	struct sk_buff *msg;
	int err;

	msg = nlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	mutex_lock(&bn->lock);
	bt = softwire_table_from_info(bn, info, SOFTWIRE_A_NAME);
	err = IS_ERR(bt) ? PTR_ERR(bt) :
	      lw4o6_put_table(msg, bt, info->snd_portid, info->snd_seq, 0);
	mutex_unlock(&bn->lock);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

static int lw4o6_table_get_dumpit(struct sk_buff *skb,
				  struct netlink_callback *cb)
{
	struct softwire_table_net *bn = softwire_table_net(sock_net(skb->sk));
	struct softwire_table *bt;
	long i = 0, skip = cb->args[0];

	mutex_lock(&bn->lock);
	list_for_each_entry(bt, &bn->tables, list) {
		if (i++ < skip)
			continue;
		if (lw4o6_put_table(skb, bt, NETLINK_CB(cb->skb).portid,
				    cb->nlh->nlmsg_seq, NLM_F_MULTI)) {
			i--;
			break;
		}
	}
	mutex_unlock(&bn->lock);
	cb->args[0] = i;
	return skb->len;
}

/*
 * Dumping softwires: the walk keeps a reference to the contents it walks,
 * so a swap or a table deletion between two parts of the dump is safe. A
 * change to the contents between two parts (the slots may have moved) marks
 * the messages NLM_F_DUMP_INTR. cb->args: the contents, the next slot.
 * Contents are only ever in tables of the namespace they were made in,
 * the dumping socket's, whose mutex each part holds.
 */
static int lw4o6_sw_get_start(struct netlink_callback *cb)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
	struct nlattr *name = genl_info_dump(cb)->attrs[SOFTWIRE_A_NAME];
#else
	struct nlattr *name = genl_dumpit_info(cb)->attrs[SOFTWIRE_A_NAME];
#endif
	struct softwire_table_net *bn = softwire_table_net(sock_net(cb->skb->sk));
	struct softwire_table_data *d = NULL;
	struct softwire_table *bt;

	if (!name) {
		NL_SET_ERR_MSG(cb->extack, "which table?");
		return -EINVAL;
	}
	mutex_lock(&bn->lock);
	bt = softwire_table_find_name(bn, nla_data(name));
	if (bt) {
		d = lw4o6_data_locked(bt);
		refcount_inc(&d->refs);
	}
	mutex_unlock(&bn->lock);
	if (!d) {
		NL_SET_ERR_MSG(cb->extack, "no such table");
		return -ENOENT;
	}
	cb->args[0] = (long)d;
	cb->args[1] = 0;
	return 0;
}

static int lw4o6_sw_get_done(struct netlink_callback *cb)
{
	lw4o6_data_put((struct softwire_table_data *)cb->args[0]);
	return 0;
}

static int lw4o6_put_sw(struct sk_buff *msg, struct netlink_callback *cb,
			const struct softwire_table_data *d,
			const struct softwire_table_sw *sw)
{
	struct nlattr *nest;
	void *hdr;

	hdr = genlmsg_put(msg, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &lw4o6_genl_family, NLM_F_MULTI, SOFTWIRE_CMD_SW_GET);
	if (!hdr)
		return -EMSGSIZE;
	genl_dump_check_consistent(cb, hdr);
	nest = nla_nest_start(msg, SOFTWIRE_A_SOFTWIRE);
	if (!nest ||
	    nla_put_be32(msg, SOFTWIRE_SW_A_IPV4, sw->addr) ||
	    nla_put_u16(msg, SOFTWIRE_SW_A_PSID, sw->psid) ||
	    nla_put_u8(msg, SOFTWIRE_SW_A_PSID_LEN, sw->psid_len) ||
	    nla_put_u8(msg, SOFTWIRE_SW_A_PSID_OFFSET, sw->psid_offset) ||
	    nla_put_in6_addr(msg, SOFTWIRE_SW_A_B4, &sw->b4) ||
	    (sw->aftr && nla_put_in6_addr(msg, SOFTWIRE_SW_A_AFTR,
					  &d->aftr[sw->aftr]))) {
		genlmsg_cancel(msg, hdr);
		return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	return 0;
}

static int lw4o6_sw_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct softwire_table_net *bn = softwire_table_net(sock_net(skb->sk));
	struct softwire_table_data *d = (void *)cb->args[0];
	const struct lw4o6_swtab *t;
	struct softwire_table_sw sw;
	unsigned long i;

	/* Changes are made under the namespace's mutex: none during this part. */
	mutex_lock(&bn->lock);
	cb->seq = d->gen + 1;
	t = lw4o6_swtab_locked(d);
	for (i = cb->args[1]; i < t->size; i++) {
		u64 k = t->slot[i].key;

		if (!(i % LW4O6_RESCHED_SLOTS))
			cond_resched();
		if (FIELD_GET(LW4O6_SLOT_STATE, k) != LW4O6_SLOT_USED)
			continue;
		lw4o6_slot_unpack(&t->slot[i], k, &sw);
		if (lw4o6_put_sw(skb, cb, d, &sw))
			break;
	}
	mutex_unlock(&bn->lock);
	cb->args[1] = i;
	return skb->len;
}

static const struct genl_ops lw4o6_genl_ops[] = {
	{ .cmd = SOFTWIRE_CMD_TABLE_NEW,  .doit = lw4o6_table_new,
	  .flags = GENL_UNS_ADMIN_PERM },
	{ .cmd = SOFTWIRE_CMD_TABLE_DEL,  .doit = lw4o6_table_del,
	  .flags = GENL_UNS_ADMIN_PERM },
	{ .cmd = SOFTWIRE_CMD_TABLE_GET,  .doit = lw4o6_table_get_doit,
	  .dumpit = lw4o6_table_get_dumpit, .flags = GENL_UNS_ADMIN_PERM },
	{ .cmd = SOFTWIRE_CMD_TABLE_SWAP, .doit = lw4o6_table_swap,
	  .flags = GENL_UNS_ADMIN_PERM },
	{ .cmd = SOFTWIRE_CMD_SW_ADD,     .doit = lw4o6_sw_change,
	  .flags = GENL_UNS_ADMIN_PERM },
	{ .cmd = SOFTWIRE_CMD_SW_DEL,     .doit = lw4o6_sw_change,
	  .flags = GENL_UNS_ADMIN_PERM },
	{ .cmd = SOFTWIRE_CMD_SW_GET,     .start = lw4o6_sw_get_start,
	  .dumpit = lw4o6_sw_get_dumpit, .done = lw4o6_sw_get_done,
	  .flags = GENL_UNS_ADMIN_PERM },
	{ .cmd = SOFTWIRE_CMD_RULE_ADD,   .doit = lw4o6_rule_change,
	  .flags = GENL_UNS_ADMIN_PERM },
	{ .cmd = SOFTWIRE_CMD_RULE_DEL,   .doit = lw4o6_rule_change,
	  .flags = GENL_UNS_ADMIN_PERM },
	{ .cmd = SOFTWIRE_CMD_AFTR_ADD,   .doit = lw4o6_aftr_add,
	  .flags = GENL_UNS_ADMIN_PERM },
};

MODULE_ALIAS_GENL_FAMILY(SOFTWIRE_GENL_NAME);

static struct genl_family lw4o6_genl_family __ro_after_init = {
	.name		= SOFTWIRE_GENL_NAME,
	.version	= SOFTWIRE_GENL_VERSION,
	.maxattr	= SOFTWIRE_A_MAX,
	.policy		= lw4o6_policy,
	.netnsok	= true,
	.module		= THIS_MODULE,
	.ops		= lw4o6_genl_ops,
	.n_ops		= ARRAY_SIZE(lw4o6_genl_ops),
	/* Strict validation of every command (resv_start_op 0), and no
	 * genl_mutex: the namespace's mutex serializes our changes.
	 */
	.parallel_ops	= true,
};

/* --- namespaces and module ---------------------------------------------- */

static int __net_init softwire_table_net_init(struct net *net)
{
	struct softwire_table_net *bn = softwire_table_net(net);

	mutex_init(&bn->lock);
	INIT_LIST_HEAD(&bn->tables);
	bn->n_tables = 0;
	return 0;
}

/* Tables still used by rules live on until the rules are destroyed. */
static void __net_exit softwire_table_net_exit(struct net *net)
{
	struct softwire_table_net *bn = softwire_table_net(net);
	struct softwire_table *bt, *tmp;
	LIST_HEAD(gone);

	mutex_lock(&bn->lock);
	list_splice_init(&bn->tables, &gone);
	bn->n_tables = 0;
	mutex_unlock(&bn->lock);
	list_for_each_entry_safe(bt, tmp, &gone, list) {
		list_del(&bt->list);
		if (refcount_dec_and_test(&bt->refs))
			softwire_table_free(bt);
	}
}

static struct pernet_operations softwire_table_net_ops = {
	.init	= softwire_table_net_init,
	.exit	= softwire_table_net_exit,
	.id	= &softwire_table_net_id,
	.size	= sizeof(struct softwire_table_net),
};

int softwire_table_init(void)
{
	int err;

	err = register_pernet_subsys(&softwire_table_net_ops);
	if (err)
		return err;
	err = genl_register_family(&lw4o6_genl_family);
	if (err)
		unregister_pernet_subsys(&softwire_table_net_ops);
	return err;
}

void softwire_table_exit(void)
{
	genl_unregister_family(&lw4o6_genl_family);
	unregister_pernet_subsys(&softwire_table_net_ops);
}
