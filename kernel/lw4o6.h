/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xt_LW4O6 inside: what its three parts share.
 *  - lw4o6_target.c: the xtables targets, rule checks, module init;
 *  - lw4o6_tunnel.c: the softwire itself (encapsulation, decapsulation,
 *    the port that names a softwire, ICMP), used by both sides;
 *  - lw4o6_b4.c: the B4/CE side (encapsulation after SNAT, decapsulation
 *    as the kernel's tunnel handler for IPv4 in IPv6);
 *  - lw4o6_aftr.c: the AFTR/BR side (binding tables, in PREROUTING).
 */
#ifndef LW4O6_H
#define LW4O6_H

#include <linux/netfilter/x_tables.h>
#include <linux/if_ether.h>
#include <linux/skbuff.h>
#include <net/dst_cache.h>
#include <net/net_namespace.h>

#include "softwire_tables.h"
#include "psid_core.h"
#include "softwire_stats.h"
#include "xt_LW4O6.h"

/* What LW4O6 did, per network namespace, in /proc/net/xt_LW4O6. */
enum lw4o6_stat {
	LW4O6_STAT_ENCAPSULATED,
	LW4O6_STAT_FRAG_NEEDED,		/* DF and too big: ICMP sent */
	LW4O6_STAT_ENCAP_DROPPED,	/* no route to the AFTR, no memory */
	LW4O6_STAT_DECAPSULATED,
	LW4O6_STAT_WRONG_AFTR,
	LW4O6_STAT_PORT_NOT_OURS,
	LW4O6_STAT_MALFORMED,		/* truncated, bad IPv4 header */
	LW4O6_STAT_TTL_EXCEEDED,	/* AFTR: forwarded with TTL <= 1 */
	LW4O6_STAT_RULE_GONE,		/* B4: marked, its rule deleted since */
	LW4O6_STAT_ECN_DROPPED,		/* outer CE on a Not-ECT inner packet */
	LW4O6_STAT_ICMP6_RELAYED,	/* ICMPv6 errors about our packets */
	LW4O6_STAT_PMTU_LEARNED,	/* ... of which Packet Too Big */
	LW4O6_STAT_TOO_BIG_DROPPED,	/* DF, too big, --no-icmp-errors */
	LW4O6_STAT_ICMP_CSUM,		/* AFTR: ICMPv4 in, bad checksum */
	LW4O6_STAT_CT_KEPT,		/* connections kept off flowtables */
	LW4O6_STAT_CT_KEEP_FAILED,	/* ... could not be: dropped */
	LW4O6_STAT_SRC_NOT_OURS,	/* B4/CE: inner source not its address */
	LW4O6_STAT_SPORT_NOT_OURS,	/* ... source port not in its set */
	LW4O6_STAT_ENCAP_MALFORMED,	/* ... truncated transport header */
	LW4O6_STAT_MAX
};

extern struct softwire_stats lw4o6_stats;

static inline void lw4o6_count(struct net *net, enum lw4o6_stat s)
{
	softwire_count(net, &lw4o6_stats, s);
}

/* ---- lw4o6_tunnel.c ---- */

void lw4o6_encap(struct net *net, struct sk_buff *skb,
		 const struct in6_addr *saddr, const struct in6_addr *daddr,
		 const struct xt_lw4o6_tginfo *info, struct dst_cache *cache);

/* lw4o6_port(): no port (SOFTWIRE_NO_PORT, softwire_tables.h), or headers cut short */
#define LW4O6_TRUNCATED (-2)
int lw4o6_port(struct sk_buff *skb, unsigned int off, bool to_b4);

bool lw4o6_inner_valid(struct sk_buff *skb, int off, __be16 frag_off,
		       unsigned int *len);
bool lw4o6_eth_save(const struct sk_buff *skb, struct ethhdr *eth);
int lw4o6_eth_restore(struct sk_buff *skb, const struct ethhdr *eth);
int lw4o6_strip(struct sk_buff *skb, int off, unsigned int len);
int lw4o6_deliver(struct net *net, struct sk_buff *skb, int off,
		  unsigned int len);

/*
 * An ICMPv6 error about a packet we encapsulated: the quoted IPv6 header
 * at skb->data + qoff, the error's type and MTU (Packet Too Big). See
 * lw4o6_tunnel.c. Returns false if the quoted packet is not one of ours.
 */
struct lw4o6_icmp6_err {
	unsigned int	qoff;
	u8		type;
	u32		mtu;
	struct softwire_table_data *d;	/* AFTR: its binding table; B4: NULL */
	const struct in6_addr *peer;	/* B4: the AFTR/BR (NULL: any CE) */
	bool		relay;		/* relay as ICMPv4, or learn only */
	/* B4: may the relayed error (skb2) go to its source? NULL: yes */
	bool (*relay_ok)(struct net *net, struct sk_buff *skb2,
			 const struct net_device *in);
};
bool lw4o6_icmp6_quoted(struct net *net, struct sk_buff *skb,
			const struct lw4o6_icmp6_err *e);

/* ---- lw4o6_target.c ---- */

int lw4o6_get_table(const struct xt_tgchk_param *par,
		    struct xt_lw4o6_tginfo *info);

/* ---- lw4o6_b4.c ---- */

unsigned int lw4o6_b4_encap_tg(struct sk_buff *skb,
			       const struct xt_action_param *par);
int lw4o6_b4_check(const struct xt_tgchk_param *par,
		   struct xt_lw4o6_tginfo *info);
void lw4o6_b4_destroy(const struct xt_tgdtor_param *par,
		      struct xt_lw4o6_tginfo *info);
int lw4o6_b4_init(void);
void lw4o6_b4_exit(void);

/* ---- lw4o6_aftr.c ---- */

unsigned int lw4o6_aftr_encap_tg(struct sk_buff *skb,
				 const struct xt_action_param *par);
unsigned int lw4o6_aftr_decap_tg(struct sk_buff *skb,
				 const struct xt_action_param *par);
int lw4o6_aftr_check(const struct xt_tgchk_param *par,
		     struct xt_lw4o6_tginfo *info);
void lw4o6_aftr_destroy(const struct xt_tgdtor_param *par,
			struct xt_lw4o6_tginfo *info);

/* SNATPSID, the NAT target into a port set (snatpsid_target.c) */
int snatpsid_init(void);
void snatpsid_exit(void);

/* MAPT, the RFC 7915 translator (mapt_target.c) */
int mapt_init(void);
void mapt_exit(void);

#endif /* LW4O6_H */
