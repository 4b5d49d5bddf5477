/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Keeping the connections of our targets off nftables' flowtables.
 *
 * nftables' "flow add @ft" (nft_flow_offload) moves a confirmed TCP or UDP
 * connection into a flowtable, whose hook at the devices' ingress then
 * forwards the connection's packets past every netfilter hook: past our
 * targets too. MAP66 would let inside addresses out, a B4 would send its
 * NATed IPv4 unencapsulated, an AFTR its IPv4 replies. The flowtable
 * leaves alone a connection that has a conntrack helper extension, because
 * a helper must see every packet of it. Our targets must too, so their
 * connections get that extension, empty: no helper runs, nothing changes
 * but that the flowtable does not take the connection
 * (docs/flow-offload.md). An extension can only be added before the
 * connection is confirmed, on its first packet, so:
 *
 *  - a target that runs after conntrack (mangle, filter, the after-SNAT
 *    hook) adds it: softwire_flowtable_keep_off();
 *  - a target in raw PREROUTING runs before conntrack has the connection:
 *    it marks the packet, softwire_flowtable_mark(), and a hook right after
 *    conntrack adds it. The mark is verified as the after-SNAT hook's is
 *    (a keyed hash of the skb), and only netfilter hooks run in between;
 *  - a packet that a target hands to the stack again (decapsulated IPv4)
 *    starts its connection later, in the other family's hooks, past
 *    netif_rx, tc and defragmentation, where nothing put on the skb can be
 *    trusted: the target records the device it delivers on,
 *    softwire_flowtable_via_dev(), and the hook keeps every new connection
 *    that enters through one of those devices (more than a few: all).
 *
 * A connection that conntrack does not track (NOTRACK, no conntrack in the
 * namespace) has nothing for the flowtable to take, and is left alone.
 */
#ifndef SOFTWIRE_FLOWTABLE_H
#define SOFTWIRE_FLOWTABLE_H

#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <net/net_namespace.h>

#include "softwire_stats.h"

/*
 * Module init/exit. stats/kept/failed: the counters of connections kept
 * off, and of those that could not be (no memory: the packet is dropped).
 */
int softwire_flowtable_init(struct softwire_stats *stats, unsigned int kept,
			    unsigned int failed);
void softwire_flowtable_exit(void);

/*
 * checkentry/destroy of a rule that marks packets or records devices: the
 * hook after conntrack in family pf (NFPROTO_IPV4/IPV6) of net, registered
 * while it has users.
 */
int softwire_flowtable_get(struct net *net, u8 pf);
void softwire_flowtable_put(struct net *net, u8 pf);

/*
 * The packet path. keep_off: if skb's connection is new, give it the
 * extension; false if that failed (drop the packet: its connection could
 * be offloaded). Under RCU, as netfilter hooks are.
 */
bool softwire_flowtable_keep_off(struct net *net, struct sk_buff *skb);
void softwire_flowtable_mark(struct net *net, struct sk_buff *skb);
void softwire_flowtable_via_dev(struct net *net, const struct net_device *dev);

#endif /* SOFTWIRE_FLOWTABLE_H */
