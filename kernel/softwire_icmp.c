// SPDX-License-Identifier: GPL-2.0
/*
 * ICMP errors sent by the softwire targets: see softwire_icmp.h.
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <net/icmp.h>
#include <net/ip.h>

#include "softwire_icmp.h"

bool softwire_route_back(struct net *net, struct sk_buff *skb)
{
	struct dst_entry *dst = NULL;
	struct flowi fl = {};

	if (skb_dst(skb))
		return true;
	if (skb->protocol == htons(ETH_P_IP)) {
		fl.u.ip4.daddr = ip_hdr(skb)->saddr;
		nf_ip_route(net, &dst, &fl, false);
	} else {
		fl.u.ip6.daddr = ipv6_hdr(skb)->saddr;
		nf_ip6_route(net, &dst, &fl, false);
	}
	if (!dst)
		return false;
	skb_dst_set(skb, dst);
	return true;
}

bool softwire_icmp4_send(struct net *net, struct sk_buff *skb, int type,
			 int code, u32 info)
{
	if (!softwire_route_back(net, skb))
		return false;
	icmp_send(skb, type, code, htonl(info));
	return true;
}

bool softwire_icmp6_send(struct net *net, struct sk_buff *skb, u8 type,
			 u8 code, u32 info)
{
	if (!softwire_route_back(net, skb))
		return false;
	icmpv6_send(skb, type, code, info);
	return true;
}
