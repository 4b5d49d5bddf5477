/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Acting on an IPv4 packet after SNAT, from a rule that runs before it.
 *
 * A B4 or CE must encapsulate (LW4O6) or translate (MAPT) what NAPT has put
 * into its port set, but every iptables table runs before SNAT in
 * POSTROUTING (docs/lw4o6-b4-design.md). So the rule's target only marks
 * the packet (softwire_after_snat_mark), and a hook after SNAT (the last
 * before conntrack's confirm, so that every other POSTROUTING hook runs
 * first) hands the marked packet, its connection confirmed, to the rule's
 * function.
 *
 * The mark lives at the end of skb->cb, which other layers own too, so it
 * is never trusted as it is: it carries the rule's id, not a pointer, and a
 * keyed hash (per network namespace) of that id and of the skb it was put
 * on. The hook acts only on a mark that it can verify, for a rule that
 * still exists in the packet's namespace: foreign bytes, a copy of a marked
 * packet (TEE, pskb_copy) and a packet whose rule went away while it sat in
 * a queue (NFQUEUE) are never taken for marked packets of a live rule.
 *
 * The hook is registered only in the namespaces that have such rules,
 * counted by softwire_after_snat_add/del from checkentry/destroy
 * (softwire_nethook.h).
 */
#ifndef SOFTWIRE_AFTER_SNAT_H
#define SOFTWIRE_AFTER_SNAT_H

#include <linux/skbuff.h>
#include <net/net_namespace.h>

#include "softwire_stats.h"

struct softwire_after_snat_rule;

/*
 * Called after SNAT with the connection confirmed (conntrack helpers and
 * sequence adjustment done), under RCU; consumes skb.
 */
typedef void (*softwire_after_snat_fn)(struct net *net, struct sk_buff *skb,
				       struct softwire_after_snat_rule *r);

/* One rule, embedded in what its checkentry allocates. */
struct softwire_after_snat_rule {
	softwire_after_snat_fn	fn;
	u32			id;	/* set by softwire_after_snat_add */
};

/*
 * Module init/exit. stats/stale: the counter to count a marked packet whose
 * rule went away before it reached the hook (it is dropped).
 */
int softwire_after_snat_init(struct softwire_stats *stats, unsigned int stale);
void softwire_after_snat_exit(void);

/* checkentry: an id for r, and the hook in net if r is its first rule. */
int softwire_after_snat_add(struct net *net, struct softwire_after_snat_rule *r);
/*
 * destroy: r is gone from net once this returns (no hook is running it);
 * the hook goes with the namespace's last rule.
 */
void softwire_after_snat_del(struct net *net, struct softwire_after_snat_rule *r);

/* The target: act on skb after SNAT. */
void softwire_after_snat_mark(struct net *net, struct sk_buff *skb,
			      const struct softwire_after_snat_rule *r);

#endif /* SOFTWIRE_AFTER_SNAT_H */
