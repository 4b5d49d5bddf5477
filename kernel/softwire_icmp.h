/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ICMP errors sent by the softwire targets (LW4O6, MAPT) about a packet
 * they hold, from any hook, PREROUTING included.
 */
#ifndef SOFTWIRE_ICMP_H
#define SOFTWIRE_ICMP_H

#include <linux/skbuff.h>
#include <net/net_namespace.h>

/*
 * icmp_send() and icmpv6_send() need a route back to the sender, which a
 * packet not yet routed (PREROUTING) lacks: this gives skb one, by its
 * source address, as REJECT does (its family: skb->protocol). False if
 * there is none.
 */
bool softwire_route_back(struct net *net, struct sk_buff *skb);

/*
 * An ICMPv4 / ICMPv6 error about skb (type, code and the 32-bit info:
 * MTU, pointer; host order), routed back first. False if it could not be
 * sent for want of a route; the kernel's own rate limits apply.
 */
bool softwire_icmp4_send(struct net *net, struct sk_buff *skb, int type,
			 int code, u32 info);
bool softwire_icmp6_send(struct net *net, struct sk_buff *skb, u8 type,
			 u8 code, u32 info);

#endif /* SOFTWIRE_ICMP_H */
