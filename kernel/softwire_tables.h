/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The softwire tables (LW4O6 AFTR/BR binding tables, MAP-E rules, MAPT's
 * translator lines): what the packet paths of kernel/lw4o6_target.c and
 * kernel/mapt_target.c ask of
 * kernel/softwire_tables.c. The tables are made and filled over generic
 * netlink (kernel/softwire_genl.c, include/uapi/softwire_genl.h,
 * tools/softwirectl).
 */
#ifndef SOFTWIRE_TABLES_H
#define SOFTWIRE_TABLES_H

#include <linux/in6.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <net/net_namespace.h>

#include "psid_core.h"
#include "softwire_genl.h"
#include "xlat_addr.h"

struct softwire_table_rules;
struct softwire_slots;

/*
 * The translator's lines of a table (MAPT; docs/mapt-design.md "The
 * table"): one block, copy on write, replaced as a whole under the
 * namespace's mutex and freed after a grace period. Checked when set
 * (softwire_genl.c): the DMR has an RFC 6052 length and no bit past it,
 * each EAM is valid (RFC 7757: 32 - ip4_len == 128 - ip6_len, no bit past
 * either prefix) and no two share their IPv4 or their IPv6 prefix, the
 * MTU is at least 1280, the RFC 6791 sources are unicast.
 */
#define SOFTWIRE_XLAT_UDP_ZERO_COMPUTE	1	/* RFC 7915 section 4.5 */
#define SOFTWIRE_XLAT_UDP_ZERO_SILENT	2	/* dropped without ICMPv4 3/13 */
#define SOFTWIRE_XLAT_DEFAULT_MTU	1280	/* RFC 8200 section 5 */

struct softwire_table_xlat {
	struct rcu_head		rcu;
	struct xlat_prefix6	dmr;		/* len 0: none */
	u16			lowest_ipv6_mtu;	/* default 1280 */
	u8			flags;		/* SOFTWIRE_XLAT_UDP_ZERO_* */
	__be32			icmp_src4;	/* 0: none */
	struct in6_addr		icmp_src6;	/* :: : none */
	unsigned int		n_eam;
	/*
	 * The longest-prefix-match index of eam[] (xlat_addr.h), in the
	 * same block: xlat_index_bytes(n_eam) right after eam[n_eam].
	 */
	struct xlat_index	eam_ix;
	struct xlat_eam		eam[];		/* n_eam */
};

/* The size of a translator block of n EAMs without their index. */
static inline size_t softwire_table_xlat_part_size(unsigned int n)
{
	return offsetof(struct softwire_table_xlat, eam[n]);
}

/* The size of a translator block of n EAMs, its index included. */
static inline size_t softwire_table_xlat_size(unsigned int n)
{
	return softwire_table_xlat_part_size(n) + xlat_index_bytes(n);
}

/*
 * The contents of a table. Read under RCU in the packet path; changed under
 * the mutex of their network namespace (*lock); replaced as a whole by a
 * swap. A lookup: the IPv4 address gives the PSID length and offset of its
 * softwires (skipped when all addresses share them), the PSID of the port
 * then gives the softwire; each in an open-addressing table
 * (softwire_table_core.h), which counts its entries and tombstones.
 */
struct softwire_table_data {
	struct softwire_slots __rcu *softwires;	/* (IPv4, PSID) -> B4 */
	u32			gen;		/* changes, for dumps */
	struct softwire_slots __rcu *addrs;	/* IPv4 -> PSID length, offset */
	struct mutex		*lock;		/* its namespace's */
	struct softwire_table_rules __rcu *rules; /* MAP rules, copy on write */
	unsigned int		n_aftr;		/* append only; 0: a translator's */
	struct in6_addr		aftr[SOFTWIRE_MAX_AFTRS];
	/*
	 * Most tables give every address the same PSID length and offset:
	 * then a lookup computes the PSID with them and needs one hash
	 * lookup, not two (the softwire found carries its own length and
	 * offset, which confirm the guess).
	 */
	u8			uni_len;
	u8			uni_offset;
	bool			uni_set;
	u32			n_other;	/* addresses with others */
	refcount_t		refs;		/* the table, netlink dumps */
	/* NULL: no translator lines. */
	struct softwire_table_xlat __rcu *xlat;
	u32			xlat_gen;	/* XLAT_SETs, for read-modify-write */
	/*
	 * An XLAT_SET under way in parts (SOFTWIRE_A_XLAT_MORE): a block with
	 * room for xlat_part_cap EAMs and no index yet, the socket sending
	 * it, and the xlat_gen it must still find (if its first part had
	 * one). Never seen by packets; under the namespace's mutex.
	 */
	struct softwire_table_xlat *xlat_part;
	unsigned int		xlat_part_cap;
	u32			xlat_part_portid;
	u32			xlat_part_gen;
	bool			xlat_part_has_gen;
	/*
	 * The table that publishes these contents (a swap moves them); only
	 * used by the changes, which reach contents through a listed table.
	 */
	struct softwire_table	*owner;
};

/* The translator block of d, or NULL; under rcu_read_lock(). */
static inline struct softwire_table_xlat *
softwire_table_xlat(struct softwire_table_data *d)
{
	return rcu_dereference(d->xlat);
}

struct softwire_table {
	struct list_head	list;		/* in its netns */
	/* What rules derived from this table: softwire_binding_add. */
	struct mutex		bind_lock;	/* bindings; inside *lock */
	struct list_head	bindings;
	refcount_t		refs;		/* the netns list, each rule */
	atomic_t		users;		/* rules: raised under *lock */
	struct mutex		*lock;		/* its namespace's, while listed */
	char			name[SOFTWIRE_TABLE_NAME_LEN];
	struct softwire_table_data __rcu *data;
	u64 __percpu		*stats;		/* [__SOFTWIRE_TABLE_STAT_MAX] */
};

/* Where a packet for a softwire goes: the B4 or CE, and our address. */
struct softwire_bind {
	struct in6_addr b4;
	struct in6_addr aftr;
};

/* No port to look at (a later fragment): only port-less softwires match. */
#define SOFTWIRE_NO_PORT (-1)

/*
 * The softwire or MAP CE that owns addr:port (port in host order, or
 * SOFTWIRE_NO_PORT); false if there is none. Under rcu_read_lock(). For a
 * MAP CE, b->aftr is the table's own address, :: if it has none.
 */
bool softwire_table_find(struct softwire_table_data *d, __be32 addr, int port,
			 struct softwire_bind *b);
/* Has the table an AFTR/BR address (a translator's table may not)? */
bool softwire_table_has_aftr(struct softwire_table *bt);
/* Is a one of this table's own AFTR/BR addresses? */
bool softwire_table_is_aftr(const struct softwire_table_data *d,
			    const struct in6_addr *a);

static inline void softwire_table_count(struct softwire_table *bt,
					enum softwire_table_stat s)
{
	this_cpu_inc(bt->stats[s]);
}

/*
 * What a MAP-E CE with End-user prefix eu/eu_len derives from the table's
 * first rule, its BMR (RFC 7597 sections 5.2 and 6), and the BR address
 * (the table's br-address, :: if it has none). -ENOENT without a rule,
 * -EINVAL if the prefix gives nothing under it; the reason goes to the
 * kernel log. Rules use a binding (below), which calls this.
 */
int softwire_table_derive(struct softwire_table *bt, const struct in6_addr *eu,
			  unsigned int eu_len, struct map_ce *ce,
			  struct in6_addr *br);

/*
 * Derived bindings: what a CE rule (MAPT, LW4O6 and SNATPSID with
 * --end-user-prefix) derives from its table, kept up to date with the
 * table. The rule registers its binding at checkentry; every change of
 * the table that can change a derivation (a rule added or deleted, the
 * first br-address, the contents swapped: softwirectl load) derives each
 * binding of the table again, in process context under the namespace's
 * mutex, and publishes the result as a new struct (RCU) if it differs.
 * A table that yields no CE for the prefix any more does not refuse the
 * change: the binding then has none (cur NULL), and the rule drops its
 * packets and counts them in the table's dropped_no_ce
 * (SOFTWIRE_TABLE_STAT_NO_CE) until a change gives it one again. Only
 * running out of memory refuses a change (-ENOMEM, nothing changed).
 */
struct softwire_derived {
	struct rcu_head		rcu;
	struct map_ce		ce;	/* address, port set, MAP IPv6 address */
	struct in6_addr		br;	/* the table's br-address, :: if none */
};

/* A binding with this flag has no CE while the table has no br-address. */
#define SOFTWIRE_BINDING_NEED_BR	1

struct softwire_binding {
	struct list_head	list;		/* bt->bindings, under bt->bind_lock */
	struct softwire_table	*bt;
	struct softwire_derived __rcu *cur;	/* NULL: no CE now */
	struct softwire_derived	*next;		/* during a change */
	/*
	 * NULL, or called after cur changed (process context, under the
	 * namespace's mutex): for what the rule keeps that depends on it.
	 */
	void			(*changed)(struct softwire_binding *b);
	struct in6_addr		eu;
	u8			eu_len;
	u8			flags;		/* SOFTWIRE_BINDING_* */
};

/*
 * checkentry: derive from bt (which the caller holds, softwire_table_get,
 * until softwire_binding_del) and register b. The derivation must succeed
 * now (errors as softwire_table_derive's; -EDESTADDRREQ: NEED_BR and the
 * table has no br-address); b->changed may be set before or after.
 */
int softwire_binding_add(struct softwire_table *bt, struct softwire_binding *b,
			 const struct in6_addr *eu, unsigned int eu_len,
			 unsigned int flags);
/* destroy, once the packet path no longer reads b (no lock needed by it). */
void softwire_binding_del(struct softwire_binding *b);

/* The packet path, under rcu_read_lock(): the derivation, NULL if none now. */
static inline const struct softwire_derived *
softwire_binding_get(const struct softwire_binding *b)
{
	return rcu_dereference(b->cur);
}

/* The CE's address, port set and MAP IPv6 address, NULL if none now. */
static inline const struct map_ce *
softwire_binding_ce(const struct softwire_binding *b)
{
	const struct softwire_derived *d = rcu_dereference(b->cur);

	return d ? &d->ce : NULL;
}

/* A packet dropped because its rule's binding has no CE now. */
static inline void softwire_binding_count_none(const struct softwire_binding *b)
{
	softwire_table_count(b->bt, SOFTWIRE_TABLE_STAT_NO_CE);
}

/*
 * A rule's reference to a table (checkentry / destroy), by the name in a
 * rule's field of size bytes: ERR_PTR(-EINVAL) for a name that does not
 * fit, ERR_PTR(-ENOENT) for no such table, the reason in the kernel log.
 */
struct softwire_table *softwire_table_get(struct net *net, const char *name,
					  size_t size);
void softwire_table_put(struct softwire_table *bt);

int softwire_table_init(void);
void softwire_table_exit(void);

/* --- for the generic netlink commands (softwire_genl.c) only --------- */

struct netlink_ext_ack;
struct nlattr;

struct softwire_table_rules {
	struct rcu_head		rcu;
	unsigned int		n;
	/*
	 * The longest-prefix-match index of r[] (MAPT's lookups), in the
	 * same block: xlat_index_bytes(n) right after r[n].
	 */
	struct xlat_index	ix;
	struct map_rule		r[];
};

/* The size of a block of n MAP rules, their index included. */
static inline size_t softwire_table_rules_size(unsigned int n)
{
	return offsetof(struct softwire_table_rules, r[n]) + xlat_index_bytes(n);
}

/* The tables of a network namespace. */
struct softwire_table_net {
	struct mutex	 lock;		/* the tables and their contents */
	struct list_head tables;
	unsigned int	 n_tables;	/* listed */
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

struct softwire_table_net *softwire_table_net(struct net *net);
/* Under bn->lock. */
struct softwire_table *softwire_table_find_name(struct softwire_table_net *bn,
						const char *name);
struct softwire_table_data *softwire_table_data_locked(struct softwire_table *bt);
/* A new table, not listed yet (aftr: its own address, or NULL for none;
 * size: softwires expected); NULL: no memory.
 */
struct softwire_table *softwire_table_new(const char *name,
					  const struct in6_addr *aftr, u32 size,
					  struct mutex *lock);
void softwire_table_free(struct softwire_table *bt);
/* Dumps keep contents alive across a swap or a delete. */
void softwire_table_data_hold(struct softwire_table_data *d);
void softwire_table_data_put(struct softwire_table_data *d);
bool softwire_table_unicast(const struct in6_addr *a);
/* a is not 0/8, 127/8, multicast or the limited broadcast address. */
bool softwire_table_unicast4(__be32 a);

/*
 * Changes, under the namespace's mutex. An error leaves the contents as
 * they were and says why in extack (about attribute nla).
 */
int softwire_table_sw_add(struct softwire_table_data *d,
			  struct softwire_table_sw *sw, const struct in6_addr *aftr,
			  const struct nlattr *nla, struct netlink_ext_ack *extack);
int softwire_table_sw_del(struct softwire_table_data *d,
			  const struct softwire_table_sw *sw,
			  const struct nlattr *nla, struct netlink_ext_ack *extack);
int softwire_table_rule_change(struct softwire_table_data *d,
			       const struct map_rule *r, bool add,
			       struct netlink_ext_ack *extack);
int softwire_table_aftr_add(struct softwire_table_data *d,
			    const struct in6_addr *a,
			    struct netlink_ext_ack *extack);
/* Exchanges the contents of two tables (their bindings derived again). */
int softwire_table_swap(struct softwire_table *bt1, struct softwire_table *bt2,
			struct netlink_ext_ack *extack);
/* Publishes x (NULL: none) as d's translator block; the old one is freed
 * after a grace period. gen: NULL, or the xlat_gen x was made from
 * (-EAGAIN if it changed since). Under the namespace's mutex.
 */
int softwire_table_xlat_set(struct softwire_table_data *d,
			    struct softwire_table_xlat *x, const u32 *gen,
			    struct netlink_ext_ack *extack);
struct softwire_table_xlat *softwire_table_xlat_locked(struct softwire_table_data *d);

/* Reading, under the namespace's mutex. */
u64 softwire_table_memory(struct softwire_table *bt);
u32 softwire_table_n_softwires(struct softwire_table_data *d);
u32 softwire_table_n_addrs(struct softwire_table_data *d);
/* Slots of the softwire table; slot i unpacked into *sw if it is used. */
u32 softwire_table_n_slots(struct softwire_table_data *d);
bool softwire_table_slot(struct softwire_table_data *d, u32 i,
			 struct softwire_table_sw *sw);
/* Long loops over slots let others run every this many slots. */
#define SOFTWIRE_RESCHED_SLOTS	4096

int softwire_genl_init(void);
void softwire_genl_exit(void);

#endif /* SOFTWIRE_TABLES_H */
