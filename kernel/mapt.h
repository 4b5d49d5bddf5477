/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MAPT's packet path, shared by its files (docs/mapt-design.md):
 *
 *   mapt_target.c  the rules: checkentry, destroy, the target functions,
 *                  counters, routing and sending the translated packet
 *   mapt_4to6.c    IPv4 -> IPv6 (RFC 7915 section 4), fragmenting to
 *                  lowest-ipv6-mtu
 *   mapt_6to4.c    IPv6 -> IPv4 (RFC 7915 section 5), hairpinning
 *   mapt_icmp.c    ICMP errors: translated (sections 4.2, 5.2) and the
 *                  translator's own
 *   mapt_frag.c    the fragment cache (ports of non-first fragments for
 *                  MAP rules with port sets, RFC 7597 section 8.3.3)
 *
 * The header and address translation itself is plain C: xlat_hdr.c,
 * xlat_icmp.c, xlat_addr.c.
 */
#ifndef MAPT_H
#define MAPT_H

#include <linux/skbuff.h>
#include <net/dst_cache.h>
#include <net/net_namespace.h>

#include "xt_MAPT.h"
#include "softwire_after_snat.h"
#include "softwire_tables.h"
#include "xlat_addr.h"
#include "xlat_hdr.h"

enum mapt_stat {
	MAPT_STAT_4TO6,			/* translated IPv4 -> IPv6 */
	MAPT_STAT_6TO4,			/* translated IPv6 -> IPv4 */
	MAPT_STAT_ICMP_ERR,		/* ICMP errors among them */
	MAPT_STAT_HAIRPIN,		/* IPv6 -> IPv4 -> IPv6 in the BR */
	MAPT_STAT_MALFORMED,		/* truncated, bad headers */
	MAPT_STAT_ICMP_TYPE,		/* ICMP type/code RFC 7915 drops */
	MAPT_STAT_SPOOFED,		/* CE source not what it derives */
	MAPT_STAT_PORT,			/* CE: port outside its set */
	MAPT_STAT_NOT_CE,		/* CE: IPv4 source not its own */
	MAPT_STAT_UNMAPPED,		/* CE: an address maps nowhere */
	MAPT_STAT_UDP_ZERO,		/* IPv4 UDP without checksum */
	MAPT_STAT_SOURCE_ROUTE,		/* IPv4 unexpired source route */
	MAPT_STAT_SEGMENTS_LEFT,	/* IPv6 routing header */
	MAPT_STAT_EXT_HEADERS,		/* too many extension headers */
	MAPT_STAT_FRAG_ICMP,		/* fragmented ICMP */
	MAPT_STAT_TTL,			/* TTL/hop limit exceeded */
	MAPT_STAT_FRAG_NEEDED,		/* too big with DF: ICMP sent */
	MAPT_STAT_ICMP_NO_SOURCE,	/* error from an unmappable router */
	MAPT_STAT_BAD_CSUM,		/* ICMP error with a bad checksum */
	MAPT_STAT_NO_ROUTE,		/* no route in the other family */
	MAPT_STAT_NO_MEMORY,
	MAPT_STAT_PTB,			/* IPv6 too big for IPv4: PTB sent */
	MAPT_STAT_FRAGMENTED,		/* IPv4 split to lowest-ipv6-mtu */
	MAPT_STAT_FRAG_STORED,		/* first fragments cached */
	MAPT_STAT_FRAG_HIT,		/* non-first fragments found */
	MAPT_STAT_FRAG_MISS,		/* non-first, no first: dropped */
	MAPT_STAT_FRAG_EVICTED,		/* cache full: oldest replaced */
	MAPT_STAT_BRIDGED,		/* bridged frame: not translated */
	MAPT_STAT_MAX
};

void mapt_count(struct net *net, enum mapt_stat s);

/* What checkentry set up; lives until destroy. */
struct mapt_rule {
	struct softwire_after_snat_rule	as;	/* IPv4 mangle POSTROUTING */
	struct softwire_table		*bt;
	struct softwire_binding		ce;	/* a CE's, from its BMR */
	struct dst_cache		dmr_route; /* a CE's, to the DMR */
	u32				flags;
	u8				family;
	bool				after_snat;
};

/* Where the packet to translate is. */
enum mapt_mode {
	MAPT_PREROUTING,	/* raw PREROUTING: the translator is a router */
	MAPT_AFTER_SNAT,	/* after SNAT: IPv4 forwarding was done */
};

/* A packet's view of its rule's table, under RCU. */
struct mapt_ctx {
	struct net			*net;
	const struct mapt_rule		*r;
	struct xlat_map			m;
	const struct softwire_table_xlat *x;	/* NULL: defaults */
	const struct map_ce		*ce;	/* a CE's, now (the binding's) */
	enum mapt_mode			mode;
	bool				hairpin;	/* 4to6 of a hairpin */
	bool				via_dmr;	/* 4to6: to the DMR */
	struct net_device		*in;		/* it came in on */
};

static inline bool mapt_is_ce(const struct mapt_ctx *c)
{
	return c->r->flags & XT_MAPT_EU_PREFIX;
}

static inline unsigned int mapt_lowest_mtu(const struct mapt_ctx *c)
{
	return c->x && c->x->lowest_ipv6_mtu ? c->x->lowest_ipv6_mtu : 1280;
}

/* mapt_target.c */
int mapt_parse(struct sk_buff *skb, bool v6, struct xlat_pkt *k);
bool mapt_ours(const struct mapt_ctx *c, const struct xlat_pkt *k, bool v6);
extern const enum mapt_stat mapt_err_stat[XLAT_E_MAX];
int mapt_csum_prepare(struct sk_buff *skb, const struct xlat_pkt *k,
		      enum xlat_csum *how);
struct dst_entry *mapt_route6(struct mapt_ctx *c, struct sk_buff *skb,
			      const u8 *daddr, const u8 *saddr);
struct dst_entry *mapt_route4(struct mapt_ctx *c, struct sk_buff *skb,
			      u32 daddr, u32 saddr);
void mapt_send(struct mapt_ctx *c, struct sk_buff *skb,
	       struct dst_entry *dst, u16 frag_max);
unsigned int mapt_segment(struct mapt_ctx *c, struct sk_buff *skb,
			  unsigned int (*fn)(struct mapt_ctx *c,
					     struct sk_buff *skb));

/* mapt_4to6.c, mapt_6to4.c: NF_STOLEN, or XT_CONTINUE (not ours) */
unsigned int mapt_4to6(struct mapt_ctx *c, struct sk_buff *skb);
unsigned int mapt_6to4(struct mapt_ctx *c, struct sk_buff *skb);

bool mapt_hairpin(const struct mapt_ctx *c, enum xlat_how dhow, u32 daddr);
unsigned int mapt_hairpin_4to6(struct mapt_ctx *c, struct sk_buff *skb);

/* mapt_icmp.c */
unsigned int mapt_4to6_err(struct mapt_ctx *c, struct sk_buff *skb,
			   struct xlat_pkt *k);
unsigned int mapt_6to4_err(struct mapt_ctx *c, struct sk_buff *skb,
			   struct xlat_pkt *k);
bool mapt_icmp4_send(struct mapt_ctx *c, struct sk_buff *skb, int type,
		     int code, u32 info);
bool mapt_icmp6_send(struct mapt_ctx *c, struct sk_buff *skb, u8 type,
		     u8 code, u32 info);

/* mapt_frag.c */
int mapt_frag_cache_get(struct net *net);
void mapt_frag_store(struct net *net, const struct xlat_pkt *k, bool v6,
		     const u8 *a, const u8 *b);
bool mapt_frag_find(struct net *net, const struct xlat_pkt *k, bool v6,
		    u8 *a, u8 *b);
int mapt_frag_init(void);
void mapt_frag_exit(void);

#endif /* MAPT_H */
