// SPDX-License-Identifier: GPL-2.0
/*
 * Softwire tables: named, per network namespace, filled over generic
 * netlink (softwire_genl.c), read under RCU by the AFTR/BR packet path
 * (lw4o6_target.c).
 *
 * A softwire (RFC 7596 section 6, RFC 7597 section 5) binds an IPv4 address
 * and a PSID to the IPv6 address of a B4; all softwires of one IPv4 address
 * share one PSID length and offset, so a lookup is the address (its PSID
 * length and offset, in the address table), then (address, PSID of the
 * port) in the softwire table. When all addresses share one length and
 * offset, the first step is skipped. Both are open-addressing tables
 * (softwire_table_core.c). MAP rules (MAP-E BMR/FMR) are a short array
 * searched after the softwires. The translator's lines (MAPT: DMR, EAMs,
 * policy) are one block replaced as a whole; a translator's table may have
 * no AFTR/BR address (n_aftr 0).
 *
 * Locking. The tables of a network namespace and their contents are
 * changed under the mutex of that namespace (struct softwire_table_net),
 * so that a long request in one namespace holds up only that namespace's
 * tables. Long loops (rebuilding a table, batches of softwires, dumps) call
 * cond_resched(). A whole table is replaced by filling another one and
 * swapping the two contents pointers: one rcu_assign_pointer, so no packet
 * sees half a table. A table used by iptables rules (softwire_table_get)
 * may outlive its namespace's exit: softwire_table_put and
 * softwire_table_derive take no namespace lock. What CE rules derive from
 * a table (their bindings, under the table's own bind_lock, inside the
 * namespace's mutex) is derived again by every change that can change it:
 * softwire_bindings_prepare before, softwire_bindings_commit after.
 *
 * Limits. Any user namespace may create tables in its network namespaces
 * (GENL_UNS_ADMIN_PERM), so what a table holds is bounded: every allocation
 * of a table (the table, its contents, its per-CPU counters, its rule
 * array, its softwire and address tables) is charged to the memory cgroup
 * of the caller (__GFP_ACCOUNT), big ones fail rather than call the OOM
 * killer (__GFP_RETRY_MAYFAIL), and the module parameters max_tables (per
 * network namespace, softwire_genl.c) and max_softwires (per table) cap
 * their numbers.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/in.h>
#include <linux/ipv6.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <net/ipv6.h>
#include <net/netlink.h>
#include <net/netns/generic.h>

#include "softwire_table_core.h"
#include "softwire_tables.h"

/*
 * 16M softwires in a table: 16 times the 1M of tests/lw4o6_scale.sh, more
 * subscribers than one AFTR serves; the table then takes 24 bytes a slot
 * times up to 32M slots (768 MiB), and twice that during a rebuild. The
 * table itself stops at 48M (3/4 of SWTAB_SLOTS_MAX).
 */
static unsigned int softwire_max_softwires __read_mostly = 16 << 20;
module_param_named(max_softwires, softwire_max_softwires, uint, 0644);
MODULE_PARM_DESC(max_softwires, "softwires per binding table (default 16777216)");

/* Table allocations: charged to the caller's memory cgroup, and refused
 * rather than invoking the OOM killer when it is full.
 */
#define SOFTWIRE_GFP	(GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL | __GFP_NOWARN)

/* A slot table (softwires or addresses) as RCU publishes and frees it. */
struct softwire_slots {
	struct rcu_head	rcu;
	struct swtab	t;	/* ends in its slots */
};

static struct softwire_slots *softwire_slots_new(u32 size, unsigned int words)
{
	struct softwire_slots *s;

	size = swtab_clamp_size(size);
	s = kvzalloc(offsetof(struct softwire_slots, t) + swtab_bytes(size, words),
		     SOFTWIRE_GFP);
	if (s)
		swtab_init(&s->t, size, get_random_u32());
	return s;
}

static unsigned int softwire_table_net_id __read_mostly;

/* --- lookups (packet path, under RCU) --------------------------------- */

bool softwire_table_is_aftr(const struct softwire_table_data *d,
			    const struct in6_addr *a)
{
	unsigned int i, n = smp_load_acquire(&d->n_aftr);

	for (i = 0; i < n; i++)
		if (ipv6_addr_equal(&d->aftr[i], a))
			return true;
	return false;
}

bool softwire_table_has_aftr(struct softwire_table *bt)
{
	bool has;

	rcu_read_lock();
	has = smp_load_acquire(&rcu_dereference(bt->data)->n_aftr) > 0;
	rcu_read_unlock();
	return has;
}

static bool softwire_table_find_rule(const struct softwire_table_data *d,
				     __be32 addr, int port,
				     struct softwire_bind *b)
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
		/* A translator's table may have no address of its own. */
		b->aftr = smp_load_acquire(&d->n_aftr) ? d->aftr[0] : in6addr_any;
		return true;
	}
	return false;
}

/* The PSID of port in a set of length len at offset, or -1 if the port is
 * in no set (A = 0, RFC 7597 section 5.1) or unknown.
 */
static int softwire_psid(int port, unsigned int len, unsigned int offset)
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
	const struct swtab *t = &rcu_dereference(d->softwires)->t;
	bool uni = READ_ONCE(d->uni_set) && !READ_ONCE(d->n_other);
	unsigned int len = 0, offset = 0, alen, aoffset;
	u32 a = (__force u32)addr;
	const struct swtab_sw_slot *s;
	int psid;
	u64 k;

	/* One lookup when all addresses share PSID length and offset. */
	if (uni) {
		len = READ_ONCE(d->uni_len);
		offset = READ_ONCE(d->uni_offset);
		psid = softwire_psid(port, len, offset);
		if (psid >= 0) {
			s = swtab_sw_find(t, a, psid, &k);
			if (s && swtab_key_psid_len(k) == len &&
			    swtab_key_psid_offset(k) == offset)
				goto found;
		}
	}

	if (!swtab_addr_find(&rcu_dereference(d->addrs)->t, a, &k))
		return softwire_table_find_rule(d, addr, port, b);
	alen = swtab_key_psid_len(k);
	aoffset = swtab_key_psid_offset(k);
	/* The guess above used this address's own length and offset. */
	if (uni && alen == len && aoffset == offset)
		return false;
	psid = softwire_psid(port, alen, aoffset);
	if (psid < 0)
		return false;
	s = swtab_sw_find(t, a, psid, &k);
	if (!s)
		return false;
found:
	memcpy(&b->b4, s->b4, sizeof(b->b4));
	b->aftr = d->aftr[swtab_key_aftr(k)];
	return true;
}

/* --- tables and their contents (process context) ---------------------- */

/*
 * size: the softwires expected (a hint, at most max_softwires), sized to
 * fill 2/3 of the slots. lock: the namespace's mutex.
 */
static struct softwire_table_data *softwire_data_new(const struct in6_addr *aftr,
						     u32 size, struct mutex *lock)
{
	struct softwire_table_data *d = kzalloc(sizeof(*d), GFP_KERNEL_ACCOUNT);
	struct softwire_slots *t, *a;

	if (!d)
		return NULL;
	size = min3(size, READ_ONCE(softwire_max_softwires),
		    SWTAB_SLOTS_MAX / 3 * 2);
	t = softwire_slots_new(size / 2 * 3, SWTAB_SW_WORDS);
	if (!t)
		goto free;
	a = softwire_slots_new(SWTAB_SLOTS_MIN, SWTAB_ADDR_WORDS);
	if (!a)
		goto free_t;
	RCU_INIT_POINTER(d->softwires, t);
	RCU_INIT_POINTER(d->addrs, a);
	d->lock = lock;
	if (aftr) {
		d->aftr[0] = *aftr;
		d->n_aftr = 1;
	}
	refcount_set(&d->refs, 1);
	return d;
free_t:
	kvfree(t);
free:
	kfree(d);
	return NULL;
}

void softwire_table_data_hold(struct softwire_table_data *d)
{
	refcount_inc(&d->refs);
}

/* The last user of contents no longer published anywhere frees them. */
void softwire_table_data_put(struct softwire_table_data *d)
{
	if (!d || !refcount_dec_and_test(&d->refs))
		return;
	synchronize_rcu();
	kvfree(rcu_dereference_protected(d->softwires, true));
	kvfree(rcu_dereference_protected(d->addrs, true));
	kfree(rcu_dereference_protected(d->rules, true));
	kvfree(rcu_dereference_protected(d->xlat, true));
	kvfree(d->xlat_part);
	kfree(d);
}

struct softwire_table_data *softwire_table_data_locked(struct softwire_table *bt)
{
	return rcu_dereference_protected(bt->data, lockdep_is_held(bt->lock));
}

static struct swtab *softwire_sw_locked(struct softwire_table_data *d)
{
	return &rcu_dereference_protected(d->softwires,
					  lockdep_is_held(d->lock))->t;
}

static struct swtab *softwire_addrs_locked(struct softwire_table_data *d)
{
	return &rcu_dereference_protected(d->addrs, lockdep_is_held(d->lock))->t;
}

struct softwire_table *softwire_table_new(const char *name,
					  const struct in6_addr *aftr, u32 size,
					  struct mutex *lock)
{
	struct softwire_table *bt = kzalloc(sizeof(*bt), GFP_KERNEL_ACCOUNT);

	if (!bt)
		return NULL;
	bt->stats = __alloc_percpu_gfp(sizeof(u64) * __SOFTWIRE_TABLE_STAT_MAX,
				       __alignof__(u64), GFP_KERNEL_ACCOUNT);
	strscpy(bt->name, name, sizeof(bt->name));
	refcount_set(&bt->refs, 1);
	bt->lock = lock;
	mutex_init(&bt->bind_lock);
	INIT_LIST_HEAD(&bt->bindings);
	RCU_INIT_POINTER(bt->data, softwire_data_new(aftr, size, lock));
	if (!bt->stats || !rcu_access_pointer(bt->data)) {
		softwire_table_free(bt);
		return NULL;
	}
	rcu_dereference_protected(bt->data, true)->owner = bt;
	return bt;
}

void softwire_table_free(struct softwire_table *bt)
{
	/* Each binding's rule holds the table. */
	WARN_ON_ONCE(!list_empty(&bt->bindings));
	softwire_table_data_put(rcu_dereference_protected(bt->data, true));
	free_percpu(bt->stats);
	kfree(bt);
}

struct softwire_table_net *softwire_table_net(struct net *net)
{
	return net_generic(net, softwire_table_net_id);
}

struct softwire_table *softwire_table_find_name(struct softwire_table_net *bn,
						const char *name)
{
	struct softwire_table *bt;

	lockdep_assert_held(&bn->lock);
	list_for_each_entry(bt, &bn->tables, list)
		if (!strcmp(bt->name, name))
			return bt;
	return NULL;
}

struct softwire_table *softwire_table_get(struct net *net, const char *name,
					  size_t size)
{
	struct softwire_table_net *bn = softwire_table_net(net);
	struct softwire_table *bt;

	if (strnlen(name, size) == size || !name[0]) {
		pr_info_ratelimited("bad table name\n");
		return ERR_PTR(-EINVAL);
	}
	mutex_lock(&bn->lock);
	bt = softwire_table_find_name(bn, name);
	if (bt) {
		refcount_inc(&bt->refs);
		atomic_inc(&bt->users);
	}
	mutex_unlock(&bn->lock);
	if (!bt) {
		pr_info_ratelimited("no binding table %s in this network namespace (softwirectl create)\n",
				    name);
		return ERR_PTR(-ENOENT);
	}
	return bt;
}

/*
 * No lock: the rule may be destroyed after its namespace's exit (and the
 * mutex) is gone. TABLE_DEL reads users under the mutex, which
 * softwire_table_get takes to raise it: a decrement it misses only makes
 * it refuse a moment early.
 */
void softwire_table_put(struct softwire_table *bt)
{
	atomic_dec(&bt->users);
	if (refcount_dec_and_test(&bt->refs))
		softwire_table_free(bt);
}

/* Under RCU: the rules and the contents are freed after a grace period. */
static int __softwire_table_derive(struct softwire_table *bt,
				   const struct in6_addr *eu,
				   unsigned int eu_len, struct map_ce *ce,
				   struct in6_addr *br)
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
	*br = smp_load_acquire(&d->n_aftr) ? d->aftr[0] : in6addr_any;
	rcu_read_unlock();
	return err;
}

static const char *softwire_derive_why(int err)
{
	switch (err) {
	case -ENOENT:
		return "no rule to be the BMR";
	case -EDESTADDRREQ:
		return "no br-address";
	default:
		return "the End-user prefix is not under the BMR, or too short";
	}
}

int softwire_table_derive(struct softwire_table *bt, const struct in6_addr *eu,
			  unsigned int eu_len, struct map_ce *ce,
			  struct in6_addr *br)
{
	int err = __softwire_table_derive(bt, eu, eu_len, ce, br);

	if (err)
		pr_info_ratelimited("table %s: %s\n", bt->name,
				    softwire_derive_why(err));
	return err;
}

/* --- derived bindings (softwire_tables.h) ------------------------------- */

/* What b derives from its table now, into *out; an error if no CE. */
static int softwire_binding_derive(struct softwire_binding *b,
				   struct softwire_derived *out)
{
	int err = __softwire_table_derive(b->bt, &b->eu, b->eu_len, &out->ce,
					  &out->br);

	if (!err && (b->flags & SOFTWIRE_BINDING_NEED_BR) &&
	    ipv6_addr_any(&out->br))
		err = -EDESTADDRREQ;
	return err;
}

static bool softwire_derived_equal(const struct softwire_derived *a,
				   const struct softwire_derived *b)
{
	if (!a || !b)
		return a == b;
	return a->ce.ip4 == b->ce.ip4 && a->ce.ports.psid == b->ce.ports.psid &&
	       a->ce.ports.len == b->ce.ports.len &&
	       a->ce.ports.offset == b->ce.ports.offset &&
	       !memcmp(a->ce.ip6, b->ce.ip6, sizeof(a->ce.ip6)) &&
	       ipv6_addr_equal(&a->br, &b->br);
}

int softwire_binding_add(struct softwire_table *bt, struct softwire_binding *b,
			 const struct in6_addr *eu, unsigned int eu_len,
			 unsigned int flags)
{
	struct softwire_derived *d = kzalloc(sizeof(*d), GFP_KERNEL_ACCOUNT);
	int err;

	if (!d)
		return -ENOMEM;
	b->bt = bt;
	b->eu = *eu;
	b->eu_len = eu_len;
	b->flags = flags;
	b->next = NULL;
	/*
	 * Derived under bind_lock: a change publishes the contents first,
	 * then derives every binding under bind_lock, so b is derived from
	 * what the change made, either here or by the change.
	 */
	mutex_lock(&bt->bind_lock);
	err = softwire_binding_derive(b, d);
	if (!err) {
		RCU_INIT_POINTER(b->cur, d);
		list_add_tail(&b->list, &bt->bindings);
	}
	mutex_unlock(&bt->bind_lock);
	if (err) {
		pr_info_ratelimited("table %s: %s\n", bt->name,
				    softwire_derive_why(err));
		kfree(d);
	}
	return err;
}

void softwire_binding_del(struct softwire_binding *b)
{
	struct softwire_derived *d;

	mutex_lock(&b->bt->bind_lock);
	list_del(&b->list);
	d = rcu_dereference_protected(b->cur, true);
	RCU_INIT_POINTER(b->cur, NULL);
	mutex_unlock(&b->bt->bind_lock);
	if (d)
		kfree_rcu(d, rcu);
}

/*
 * Before a change of bt: room for each binding's new derivation (a change
 * that cannot have it is refused, -ENOMEM, before anything changed), and
 * bt->bind_lock, held until softwire_bindings_commit or _abort. subclass:
 * lockdep's, for the second table of a swap.
 */
static int softwire_bindings_prepare(struct softwire_table *bt,
				     unsigned int subclass)
{
	struct softwire_binding *b;

	lockdep_assert_held(bt->lock);
	mutex_lock_nested(&bt->bind_lock, subclass);
	list_for_each_entry(b, &bt->bindings, list) {
		b->next = kzalloc(sizeof(*b->next), GFP_KERNEL_ACCOUNT);
		if (b->next)
			continue;
		list_for_each_entry_continue_reverse(b, &bt->bindings, list) {
			kfree(b->next);
			b->next = NULL;
		}
		mutex_unlock(&bt->bind_lock);
		return -ENOMEM;
	}
	return 0;
}

static void softwire_bindings_abort(struct softwire_table *bt)
{
	struct softwire_binding *b;

	list_for_each_entry(b, &bt->bindings, list) {
		kfree(b->next);
		b->next = NULL;
	}
	mutex_unlock(&bt->bind_lock);
}

/*
 * After the change, its contents published: each binding derived again,
 * the result published if it differs (the packet path sees the old one or
 * the new one, whole), the old one freed after a grace period.
 */
static void softwire_bindings_commit(struct softwire_table *bt)
{
	struct softwire_derived *old, *new;
	struct softwire_binding *b;

	list_for_each_entry(b, &bt->bindings, list) {
		new = b->next;
		b->next = NULL;
		if (softwire_binding_derive(b, new)) {
			kfree(new);
			new = NULL;
		}
		old = rcu_dereference_protected(b->cur,
						lockdep_is_held(&bt->bind_lock));
		if (softwire_derived_equal(old, new)) {
			kfree(new);
			continue;
		}
		rcu_assign_pointer(b->cur, new);
		if (old)
			kfree_rcu(old, rcu);
		if (new)
			pr_info("table %s: End-user prefix %pI6c/%u now derives %pI4 PSID %u/%u at offset %u, CE %pI6c\n",
				bt->name, &b->eu, b->eu_len, &(__be32){ htonl(new->ce.ip4) },
				new->ce.ports.psid, new->ce.ports.len,
				new->ce.ports.offset, new->ce.ip6);
		else
			pr_info("table %s: End-user prefix %pI6c/%u derives no CE any more: its rules drop their packets (dropped_no_ce)\n",
				bt->name, &b->eu, b->eu_len);
		if (b->changed)
			b->changed(b);
	}
	mutex_unlock(&bt->bind_lock);
}

/* The index of a in d->aftr, or -ENOENT. */
static int softwire_aftr_find(const struct softwire_table_data *d,
			      const struct in6_addr *a)
{
	unsigned int i;

	for (i = 0; i < d->n_aftr; i++)
		if (ipv6_addr_equal(&d->aftr[i], a))
			return i;
	return -ENOENT;
}

/* Appends a, which is not there yet; the caller checked for room. */
static unsigned int softwire_aftr_append(struct softwire_table_data *d,
					 const struct in6_addr *a)
{
	unsigned int i = d->n_aftr;

	d->aftr[i] = *a;
	/* Readers see the address before the count that covers it. */
	smp_store_release(&d->n_aftr, i + 1);
	return i;
}

bool softwire_table_unicast(const struct in6_addr *a)
{
	return !ipv6_addr_any(a) && !ipv6_addr_is_multicast(a) &&
	       !ipv6_addr_loopback(a);
}

bool softwire_table_unicast4(__be32 a)
{
	return !ipv4_is_zeronet(a) && !ipv4_is_multicast(a) &&
	       !ipv4_is_lbcast(a) && !ipv4_is_loopback(a);
}

/*
 * Copies the entries of one of d's slot tables into a new one of size
 * slots, without the tombstones, and publishes it; readers of the old one
 * finish first.
 */
static int softwire_slots_rebuild(struct softwire_table_data *d,
				  struct softwire_slots __rcu **where,
				  u32 size, unsigned int words)
{
	struct softwire_slots *old, *new;
	u32 i;

	old = rcu_dereference_protected(*where, lockdep_is_held(d->lock));
	new = softwire_slots_new(size, words);
	if (!new)
		return -ENOMEM;
	for (i = 0; i < old->t.size; i += SOFTWIRE_RESCHED_SLOTS) {
		cond_resched();
		swtab_copy(&new->t, &old->t, i, i + SOFTWIRE_RESCHED_SLOTS, words);
	}
	rcu_assign_pointer(*where, new);
	kvfree_rcu(old, rcu);
	return 0;
}

int softwire_table_sw_add(struct softwire_table_data *d,
			  struct softwire_table_sw *sw, const struct in6_addr *aftr,
			  const struct nlattr *nla, struct netlink_ext_ack *extack)
{
	struct swtab *t = softwire_sw_locked(d), *at = softwire_addrs_locked(d);
	u32 a4 = (__force u32)sw->addr, size;
	struct swtab_addr_slot *a;
	struct swtab_addr_slot new_a = {};
	bool first_aftr;
	int idx = 0;
	u64 k;

	/* Every check before any change: a refused softwire changes nothing
	 * (not even the list of AFTR addresses, which has 16 places).
	 */
	if (aftr) {
		idx = softwire_aftr_find(d, aftr);
		if (idx < 0 && d->n_aftr == SOFTWIRE_MAX_AFTRS) {
			NL_SET_ERR_MSG_ATTR(extack, nla, "too many AFTR addresses in one table");
			return -ENOSPC;
		}
	} else if (!d->n_aftr) {
		NL_SET_ERR_MSG_ATTR(extack, nla,
				    "the table has no br-address: a softwire needs its AFTR address (add one to the table, or give the softwire its own)");
		return -EINVAL;
	}
	a = swtab_addr_find(at, a4, &k);
	if (a && (swtab_key_psid_len(k) != sw->psid_len ||
		  swtab_key_psid_offset(k) != sw->psid_offset)) {
		NL_SET_ERR_MSG_ATTR(extack, nla,
				    "softwires of one IPv4 address must share PSID length and offset");
		return -EINVAL;
	}
	if (swtab_sw_find(t, a4, sw->psid, &k)) {
		NL_SET_ERR_MSG_ATTR(extack, nla, "this IPv4 address and PSID are bound already");
		return -EEXIST;
	}
	if (t->used >= READ_ONCE(softwire_max_softwires)) {
		NL_SET_ERR_MSG_ATTR(extack, nla,
				    "the table holds max_softwires softwires (a parameter of module xt_LW4O6)");
		return -ENOSPC;
	}
	if (swtab_full(t)) {
		NL_SET_ERR_MSG_ATTR(extack, nla, "the table is full");
		return -ENOSPC;
	}
	/* Room first: a rebuild that fails leaves all as it was. */
	size = swtab_grow_size(t);
	if (size && softwire_slots_rebuild(d, &d->softwires, size, SWTAB_SW_WORDS))
		return -ENOMEM;
	if (!a) {
		size = swtab_grow_size(at);
		if (size && softwire_slots_rebuild(d, &d->addrs, size, SWTAB_ADDR_WORDS))
			return -ENOMEM;
	}
	t = softwire_sw_locked(d);
	at = softwire_addrs_locked(d);
	/* The first AFTR address is the br-address that bindings derive. */
	first_aftr = aftr && idx < 0 && !d->n_aftr;
	if (first_aftr && softwire_bindings_prepare(d->owner, 0))
		return -ENOMEM;

	/* Nothing fails from here on. */
	if (aftr && idx < 0)
		idx = softwire_aftr_append(d, aftr);
	if (!a) {
		/* The address is there before its softwire: a reader finding
		 * the softwire through the address table finds both.
		 */
		a = (struct swtab_addr_slot *)
		    swtab_put(at, swtab_key_extra(swtab_key(a4, 0), 0,
						  sw->psid_len, sw->psid_offset),
			      &new_a.softwires, SWTAB_ADDR_WORDS);
		if (!d->uni_set) {
			WRITE_ONCE(d->uni_len, sw->psid_len);
			WRITE_ONCE(d->uni_offset, sw->psid_offset);
			WRITE_ONCE(d->uni_set, true);
		} else if (sw->psid_len != d->uni_len ||
			   sw->psid_offset != d->uni_offset) {
			WRITE_ONCE(d->n_other, d->n_other + 1);
		}
	}
	sw->aftr = idx;
	swtab_put(t, swtab_key_extra(swtab_key(a4, sw->psid), sw->aftr,
				     sw->psid_len, sw->psid_offset),
		  &sw->b4, SWTAB_SW_WORDS);
	a->softwires++;
	d->gen++;
	if (first_aftr)
		softwire_bindings_commit(d->owner);
	return 0;
}

/*
 * Deletes one softwire; an address left without softwires becomes a
 * tombstone of the address table.
 */
int softwire_table_sw_del(struct softwire_table_data *d,
			  const struct softwire_table_sw *sw,
			  const struct nlattr *nla, struct netlink_ext_ack *extack)
{
	struct swtab *t = softwire_sw_locked(d), *at = softwire_addrs_locked(d);
	u32 a4 = (__force u32)sw->addr, size;
	struct swtab_addr_slot *a;
	const struct swtab_sw_slot *s;
	u64 k, ak;

	s = swtab_sw_find(t, a4, sw->psid, &k);
	a = swtab_addr_find(at, a4, &ak);
	if (!s || !a) {
		NL_SET_ERR_MSG_ATTR(extack, nla, "no such softwire");
		return -ENOENT;
	}
	swtab_del(t, (u64 *)&s->key);
	d->gen++;
	if (--a->softwires == 0) {
		swtab_del(at, &a->key);
		if (swtab_key_psid_len(ak) != d->uni_len ||
		    swtab_key_psid_offset(ak) != d->uni_offset)
			WRITE_ONCE(d->n_other, d->n_other - 1);
		/* Shrink as the softwire table does (best effort). */
		size = swtab_shrink_size(at);
		if (size)
			softwire_slots_rebuild(d, &d->addrs, size, SWTAB_ADDR_WORDS);
	}
	/* Shrink a table left 1/8 full to half full (best effort). */
	size = swtab_shrink_size(t);
	if (size)
		softwire_slots_rebuild(d, &d->softwires, size, SWTAB_SW_WORDS);
	return 0;
}

static bool softwire_rule_equal(const struct map_rule *a,
				const struct map_rule *b)
{
	return !memcmp(a->ip6_prefix, b->ip6_prefix, 16) &&
	       a->ip6_len == b->ip6_len && a->ip4_prefix == b->ip4_prefix &&
	       a->ip4_len == b->ip4_len && a->ea_len == b->ea_len &&
	       a->psid_offset == b->psid_offset;
}

int softwire_table_rule_change(struct softwire_table_data *d,
			       const struct map_rule *r, bool add,
			       struct netlink_ext_ack *extack)
{
	struct softwire_table_rules *old, *new = NULL;
	unsigned int i, n, m, found;
	void *scratch = NULL;

	old = rcu_dereference_protected(d->rules, lockdep_is_held(d->lock));
	n = old ? old->n : 0;
	for (found = 0; found < n; found++)
		if (softwire_rule_equal(&old->r[found], r))
			break;
	if (add && found < n)
		return -EEXIST;
	if (!add && found == n) {
		NL_SET_ERR_MSG(extack, "no such rule");
		return -ENOENT;
	}
	if (add && n == SOFTWIRE_MAX_RULES) {
		NL_SET_ERR_MSG(extack, "too many rules in one table");
		return -ENOSPC;
	}
	m = add ? n + 1 : n - 1;
	new = kzalloc(softwire_table_rules_size(m), GFP_KERNEL_ACCOUNT);
	scratch = kmalloc(xlat_index_scratch_bytes(m), GFP_KERNEL_ACCOUNT);
	if (!new || !scratch)
		goto nomem;
	/* The first rule is the BMR that bindings derive from. */
	if (softwire_bindings_prepare(d->owner, 0))
		goto nomem;
	for (i = 0; i < n; i++)
		if (i != found)
			new->r[new->n++] = old->r[i];
	if (add)
		new->r[new->n++] = *r;
	/*
	 * Two rules of one prefix: the first is found, as a scan finds it
	 * (the longest match, the first of equals).
	 */
	xlat_index_build_rules(&new->ix, &new->r[new->n], scratch, new->r, new->n);
	kfree(scratch);
	rcu_assign_pointer(d->rules, new);
	softwire_bindings_commit(d->owner);
	if (old)
		kfree_rcu(old, rcu);
	return 0;
nomem:
	kfree(scratch);
	kfree(new);
	NL_SET_ERR_MSG(extack, "no memory for the table's rules");
	return -ENOMEM;
}

int softwire_table_aftr_add(struct softwire_table_data *d,
			    const struct in6_addr *a,
			    struct netlink_ext_ack *extack)
{
	if (softwire_aftr_find(d, a) >= 0)
		return 0;
	if (d->n_aftr == SOFTWIRE_MAX_AFTRS) {
		NL_SET_ERR_MSG(extack, "too many AFTR addresses in one table");
		return -ENOSPC;
	}
	/* The first one is the br-address that bindings derive. */
	if (!d->n_aftr && softwire_bindings_prepare(d->owner, 0)) {
		NL_SET_ERR_MSG(extack, "no memory to derive the table's CE rules again");
		return -ENOMEM;
	}
	softwire_aftr_append(d, a);
	if (d->n_aftr == 1)
		softwire_bindings_commit(d->owner);
	return 0;
}

int softwire_table_swap(struct softwire_table *bt1, struct softwire_table *bt2,
			struct netlink_ext_ack *extack)
{
	struct softwire_table_data *d1, *d2;

	if (bt1 == bt2)
		return 0;
	if (softwire_bindings_prepare(bt1, 0))
		goto nomem;
	if (softwire_bindings_prepare(bt2, SINGLE_DEPTH_NESTING)) {
		softwire_bindings_abort(bt1);
		goto nomem;
	}
	d1 = softwire_table_data_locked(bt1);
	d2 = softwire_table_data_locked(bt2);
	d1->owner = bt2;
	d2->owner = bt1;
	/* Each pointer changes at once: a packet sees one table or the other. */
	rcu_assign_pointer(bt1->data, d2);
	rcu_assign_pointer(bt2->data, d1);
	softwire_bindings_commit(bt2);
	softwire_bindings_commit(bt1);
	return 0;
nomem:
	NL_SET_ERR_MSG(extack, "no memory to derive the tables' CE rules again");
	return -ENOMEM;
}

struct softwire_table_xlat *softwire_table_xlat_locked(struct softwire_table_data *d)
{
	return rcu_dereference_protected(d->xlat, lockdep_is_held(d->lock));
}

int softwire_table_xlat_set(struct softwire_table_data *d,
			    struct softwire_table_xlat *x, const u32 *gen,
			    struct netlink_ext_ack *extack)
{
	struct softwire_table_xlat *old = softwire_table_xlat_locked(d);

	if (gen && *gen != d->xlat_gen) {
		NL_SET_ERR_MSG(extack, "the translator's lines changed meanwhile: read them again");
		return -EAGAIN;
	}
	rcu_assign_pointer(d->xlat, x);
	d->xlat_gen++;
	if (old)
		kvfree_rcu(old, rcu);
	return 0;
}

u64 softwire_table_memory(struct softwire_table *bt)
{
	struct softwire_table_data *d = softwire_table_data_locked(bt);
	const struct softwire_table_xlat *x = softwire_table_xlat_locked(d);
	const struct softwire_table_rules *rules;
	const struct swtab *t = softwire_sw_locked(d);
	const struct swtab *at = softwire_addrs_locked(d);

	rules = rcu_dereference_protected(d->rules, lockdep_is_held(d->lock));
	return sizeof(*bt) + sizeof(*d) +
	       sizeof(u64) * __SOFTWIRE_TABLE_STAT_MAX * num_possible_cpus() +
	       sizeof(struct softwire_slots) * 2 +
	       swtab_bytes(t->size, SWTAB_SW_WORDS) - sizeof(*t) +
	       swtab_bytes(at->size, SWTAB_ADDR_WORDS) - sizeof(*at) +
	       (rules ? softwire_table_rules_size(rules->n) : 0) +
	       (x ? softwire_table_xlat_size(x->n_eam) : 0) +
	       (d->xlat_part ?
		softwire_table_xlat_part_size(d->xlat_part_cap) : 0);
}

u32 softwire_table_n_softwires(struct softwire_table_data *d)
{
	return softwire_sw_locked(d)->used;
}

u32 softwire_table_n_addrs(struct softwire_table_data *d)
{
	return softwire_addrs_locked(d)->used;
}

u32 softwire_table_n_slots(struct softwire_table_data *d)
{
	return softwire_sw_locked(d)->size;
}

bool softwire_table_slot(struct softwire_table_data *d, u32 i,
			 struct softwire_table_sw *sw)
{
	const struct swtab *t = softwire_sw_locked(d);
	const struct swtab_sw_slot *s;
	u64 k;

	if (i >= t->size)
		return false;
	s = (const struct swtab_sw_slot *)swtab_slot(t, i, SWTAB_SW_WORDS);
	k = s->key;
	if (!swtab_key_used(k))
		return false;
	sw->addr = (__force __be32)swtab_key_addr(k);
	sw->psid = swtab_key_psid(k);
	sw->aftr = swtab_key_aftr(k);
	sw->psid_len = swtab_key_psid_len(k);
	sw->psid_offset = swtab_key_psid_offset(k);
	memcpy(&sw->b4, s->b4, sizeof(sw->b4));
	return true;
}

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
	err = softwire_genl_init();
	if (err)
		unregister_pernet_subsys(&softwire_table_net_ops);
	return err;
}

void softwire_table_exit(void)
{
	softwire_genl_exit();
	unregister_pernet_subsys(&softwire_table_net_ops);
}
