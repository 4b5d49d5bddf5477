/* SPDX-License-Identifier: GPL-2.0 */
/*
 * LW4O6 binding tables (the AFTR/BR side): what the packet path of
 * kernel/lw4o6_target.c asks of kernel/lw4o6_bt.c. The tables are made and
 * filled over generic netlink (kernel/softwire_genl.h, tools/softwirectl).
 */
#ifndef SOFTWIRE_TABLES_H
#define SOFTWIRE_TABLES_H

#include <linux/in6.h>
#include <net/net_namespace.h>

#include "softwire_genl.h"

struct softwire_table_rules;

struct lw4o6_swtab;
struct lw4o6_addrtab;

/*
 * The contents of a table. Read under RCU in the packet path; changed under
 * the mutex of their network namespace (*lock); replaced as a whole by a
 * swap. A lookup: the IPv4 address gives the PSID length and offset of its
 * softwires (skipped when all addresses share them), the PSID of the port
 * then gives the softwire; each in an open-addressing table (lw4o6_bt.c).
 */
struct softwire_table_data {
	struct lw4o6_swtab __rcu *softwires;	/* (IPv4, PSID) -> B4 */
	u32			n_tombstones;	/* deleted slots in it */
	u32			gen;		/* changes, for dumps */
	struct lw4o6_addrtab __rcu *addrs;	/* IPv4 -> PSID length, offset */
	u32			n_addr_tombstones;
	struct mutex		*lock;		/* its namespace's */
	struct softwire_table_rules __rcu *rules;	/* MAP rules, copy on write */
	unsigned int		n_aftr;		/* append only */
	struct in6_addr		aftr[SOFTWIRE_MAX_AFTRS];
	u32			n_softwires;
	u32			n_addrs;
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
};

struct softwire_table {
	struct list_head	list;		/* in its netns */
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
 * SOFTWIRE_NO_PORT); false if there is none. Under rcu_read_lock().
 */
bool softwire_table_find(struct softwire_table_data *d, __be32 addr, int port,
		   struct softwire_bind *b);
/* Is a one of this table's own AFTR/BR addresses? */
bool softwire_table_is_aftr(const struct softwire_table_data *d, const struct in6_addr *a);

static inline void softwire_table_count(struct softwire_table *bt, enum softwire_table_stat s)
{
	this_cpu_inc(bt->stats[s]);
}

struct map_ce;
/*
 * What a MAP-E CE with End-user prefix eu/eu_len derives from the table's
 * first rule, its BMR (RFC 7597 sections 5.2 and 6), and the BR address
 * (the table's br-address). -ENOENT without a rule, -EINVAL if the prefix
 * gives nothing under it.
 */
int softwire_table_derive(struct softwire_table *bt, const struct in6_addr *eu,
		    unsigned int eu_len, struct map_ce *ce, struct in6_addr *br);

/* A rule's reference to a table (checkentry / destroy). */
struct softwire_table *softwire_table_get(struct net *net, const char *name);
void softwire_table_put(struct softwire_table *bt);

int softwire_table_init(void);
void softwire_table_exit(void);

#endif /* SOFTWIRE_TABLES_H */
