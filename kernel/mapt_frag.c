// SPDX-License-Identifier: GPL-2.0
/*
 * MAPT's fragment cache: the one piece of per-packet state of a stateless
 * translator, and only where an RFC needs it. A non-first fragment carries
 * no port; where a MAP rule shares IPv4 addresses (a port set), its port
 * decides which CE an IPv4 fragment goes to, and whether a CE's IPv6
 * fragment passes the BR's anti-spoofing or a CE's own port check. RFC
 * 7597 section 8.3.3 (which RFC 7599 section 8.3 follows): the ports come
 * from the first fragment of the same (source, destination, protocol,
 * identification). SIIT, EAM and DMR never come here.
 *
 * Bounded: a fixed array per network namespace, allocated (and charged to
 * the memory cgroup of whoever adds the namespace's first MAPT rule) at
 * that rule's checkentry, freed with the namespace. Sets of
 * MAPT_FRAG_WAYS entries; a full set gives its oldest entry to a new first
 * fragment (counted: frag_cache_evicted). An entry lives
 * mapt_frag_timeout seconds. A non-first fragment that finds no entry (its
 * first one not seen yet, dropped, or gone) is dropped and counted
 * (dropped_frag_cache_miss): nothing waits here. No allocation in the
 * packet path; one spinlock per set, taken only by fragments.
 */
#include <linux/jhash.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <net/netns/generic.h>

#include "mapt.h"

#define MAPT_FRAG_WAYS	4

static unsigned int mapt_frag_cache_entries = 1024;
module_param(mapt_frag_cache_entries, uint, 0644);
MODULE_PARM_DESC(mapt_frag_cache_entries,
		 "MAPT: first fragments cached per network namespace (read at its first MAPT rule; 0: no cache, non-first fragments that need a port are dropped)");

static unsigned int mapt_frag_timeout = 2;
module_param(mapt_frag_timeout, uint, 0644);
MODULE_PARM_DESC(mapt_frag_timeout,
		 "MAPT: seconds a first fragment's ports stay cached");

struct mapt_frag_key {
	u8	saddr[16];
	u8	daddr[16];
	u32	id;
	u8	proto;
	u8	v6;
	u8	pad[2];
};

struct mapt_frag_entry {
	struct mapt_frag_key	key;
	u8			a[16], b[16];	/* the first one's mapping */
	unsigned long		expires;	/* jiffies; 0: free */
};

struct mapt_frag_set {
	spinlock_t		lock;
	struct mapt_frag_entry	e[MAPT_FRAG_WAYS];
};

struct mapt_frag_cache {
	unsigned int		mask;		/* sets - 1 */
	u32			seed;
	struct mapt_frag_set	sets[];
};

struct mapt_frag_net {
	struct mapt_frag_cache	*cache;		/* NULL: not yet, or none */
};

static unsigned int mapt_frag_net_id __read_mostly;

static struct mapt_frag_cache *mapt_frag_cache(struct net *net)
{
	struct mapt_frag_net *fn = net_generic(net, mapt_frag_net_id);

	return READ_ONCE(fn->cache);
}

/*
 * At a MAPT rule's checkentry (process context): the namespace's cache,
 * made once, of mapt_frag_cache_entries rounded up to a power of two.
 */
int mapt_frag_cache_get(struct net *net)
{
	struct mapt_frag_net *fn = net_generic(net, mapt_frag_net_id);
	unsigned int want = READ_ONCE(mapt_frag_cache_entries);
	struct mapt_frag_cache *fc;
	unsigned int sets, i;

	if (READ_ONCE(fn->cache) || !want)
		return 0;
	if (want > 1U << 22)
		want = 1U << 22;	/* 4M entries: ~360 MiB, the most */
	sets = roundup_pow_of_two(DIV_ROUND_UP(want, MAPT_FRAG_WAYS));
	fc = kvzalloc(struct_size(fc, sets, sets), GFP_KERNEL_ACCOUNT);
	if (!fc)
		return -ENOMEM;
	fc->mask = sets - 1;
	fc->seed = get_random_u32();
	for (i = 0; i < sets; i++)
		spin_lock_init(&fc->sets[i].lock);
	if (cmpxchg(&fn->cache, NULL, fc))
		kvfree(fc);	/* another rule's checkentry made it */
	return 0;
}

static void mapt_frag_key(struct mapt_frag_key *key, const struct xlat_pkt *k,
			  bool v6)
{
	memset(key, 0, sizeof(*key));
	memcpy(key->saddr, k->saddr, v6 ? 16 : 4);
	memcpy(key->daddr, k->daddr, v6 ? 16 : 4);
	key->id = k->frag_id;
	key->proto = k->proto;
	key->v6 = v6;
}

static struct mapt_frag_set *mapt_frag_set(struct mapt_frag_cache *fc,
					   const struct mapt_frag_key *key)
{
	u32 h = jhash2((const u32 *)key, sizeof(*key) / sizeof(u32), fc->seed);

	return &fc->sets[h & fc->mask];
}

static bool mapt_frag_live(const struct mapt_frag_entry *e)
{
	return e->expires && time_before(jiffies, e->expires);
}

/* A first fragment (more to come) that passed: its mapping a, b. */
void mapt_frag_store(struct net *net, const struct xlat_pkt *k, bool v6,
		     const u8 *a, const u8 *b)
{
	struct mapt_frag_cache *fc = mapt_frag_cache(net);
	struct mapt_frag_entry *e, *victim = NULL;
	struct mapt_frag_set *set;
	struct mapt_frag_key key;
	bool evicted = false;
	int i;

	if (!fc)
		return;
	mapt_frag_key(&key, k, v6);
	set = mapt_frag_set(fc, &key);
	spin_lock_bh(&set->lock);
	for (i = 0; i < MAPT_FRAG_WAYS; i++) {
		e = &set->e[i];
		if (!mapt_frag_live(e) || !memcmp(&e->key, &key, sizeof(key))) {
			victim = e;	/* free, stale, or this one again */
			break;
		}
		if (!victim || time_before(e->expires, victim->expires))
			victim = e;
	}
	if (i == MAPT_FRAG_WAYS)
		evicted = true;
	victim->key = key;
	memcpy(victim->a, a, 16);
	memcpy(victim->b, b, 16);
	victim->expires = jiffies + READ_ONCE(mapt_frag_timeout) * HZ ?: 1;
	spin_unlock_bh(&set->lock);
	mapt_count(net, MAPT_STAT_FRAG_STORED);
	if (evicted)
		mapt_count(net, MAPT_STAT_FRAG_EVICTED);
}

/* A non-first fragment: its first one's mapping, or false (counted). */
bool mapt_frag_find(struct net *net, const struct xlat_pkt *k, bool v6,
		    u8 *a, u8 *b)
{
	struct mapt_frag_cache *fc = mapt_frag_cache(net);
	struct mapt_frag_set *set;
	struct mapt_frag_key key;
	bool found = false;
	int i;

	if (fc) {
		mapt_frag_key(&key, k, v6);
		set = mapt_frag_set(fc, &key);
		spin_lock_bh(&set->lock);
		for (i = 0; i < MAPT_FRAG_WAYS; i++) {
			struct mapt_frag_entry *e = &set->e[i];

			if (mapt_frag_live(e) &&
			    !memcmp(&e->key, &key, sizeof(key))) {
				memcpy(a, e->a, 16);
				memcpy(b, e->b, 16);
				found = true;
				break;
			}
		}
		spin_unlock_bh(&set->lock);
	}
	mapt_count(net, found ? MAPT_STAT_FRAG_HIT : MAPT_STAT_FRAG_MISS);
	return found;
}

static void __net_exit mapt_frag_net_exit(struct net *net)
{
	struct mapt_frag_net *fn = net_generic(net, mapt_frag_net_id);

	/* no rule is left, and with them no packet path */
	kvfree(fn->cache);
	fn->cache = NULL;
}

static struct pernet_operations mapt_frag_net_ops = {
	.exit	= mapt_frag_net_exit,
	.id	= &mapt_frag_net_id,
	.size	= sizeof(struct mapt_frag_net),
};

int mapt_frag_init(void)
{
	return register_pernet_subsys(&mapt_frag_net_ops);
}

void mapt_frag_exit(void)
{
	unregister_pernet_subsys(&mapt_frag_net_ops);
}
