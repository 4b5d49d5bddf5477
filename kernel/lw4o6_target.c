// SPDX-License-Identifier: GPL-2.0
/*
 * xt_LW4O6: stateless IPv4-in-IPv6 softwires, the B4/CE side (lw4o6 RFC
 * 7596, DS-Lite RFC 6333). One rule encapsulates, one decapsulates:
 *
 *   iptables  -t nat    -A POSTROUTING -o wan -p tcp -j SNAT --to 192.0.2.1:4096-8191
 *   iptables  -t mangle -A POSTROUTING -o wan -j LW4O6 --b4 B4 --aftr AFTR
 *   ip6tables -t mangle -A PREROUTING  -i wan -j LW4O6 --b4 B4 --aftr AFTR \
 *             --psid 1/4 --psid-offset 0
 *
 * Encapsulation must happen after SNAT, which runs after every iptables
 * table in POSTROUTING (docs/lw4o6-b4-design.md). So the IPv4 target only
 * marks the packet, and this module's own hook, right after SNAT, confirms
 * the connection (the packet leaves IPv4 before conntrack's own confirm
 * would run, and an unconfirmed connection would lose its NAT binding),
 * encapsulates and sends the packet as IPv6.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/icmp.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/icmp.h>
#include <net/ip.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/netfilter/ipv6/nf_defrag_ipv6.h>
#include <net/netfilter/nf_conntrack_core.h>

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
	LW4O6_STAT_MAX
};

static const char *const lw4o6_stat_names[LW4O6_STAT_MAX] = {
	[LW4O6_STAT_ENCAPSULATED]	= "encapsulated",
	[LW4O6_STAT_FRAG_NEEDED]	= "icmp_frag_needed_sent",
	[LW4O6_STAT_ENCAP_DROPPED]	= "encap_dropped",
	[LW4O6_STAT_DECAPSULATED]	= "decapsulated",
	[LW4O6_STAT_WRONG_AFTR]		= "decap_dropped_not_from_aftr",
	[LW4O6_STAT_PORT_NOT_OURS]	= "decap_dropped_port_not_in_set",
	[LW4O6_STAT_MALFORMED]		= "decap_dropped_malformed",
};

static struct softwire_stats lw4o6_stats = {
	.proc_name	= "xt_LW4O6",
	.names		= lw4o6_stat_names,
	.count		= LW4O6_STAT_MAX,
};

/*
 * The mark the IPv4 target leaves for the hook after SNAT: at the end of
 * skb->cb, past the IPv4 control block. The rule data it points to stays
 * valid: both run in the same traversal of the POSTROUTING hooks, under
 * one RCU read-side section, and a table is freed only after a grace period.
 */
struct lw4o6_cb {
	u32 magic;
	const struct xt_lw4o6_tginfo *info;
};

#define LW4O6_MAGIC 0x6c773436	/* "lw46" */

static struct lw4o6_cb *lw4o6_cb(struct sk_buff *skb)
{
	BUILD_BUG_ON(sizeof(struct inet_skb_parm) + sizeof(struct lw4o6_cb) >
		     sizeof(skb->cb));
	return (struct lw4o6_cb *)(skb->cb + sizeof(skb->cb) -
				   sizeof(struct lw4o6_cb));
}

static unsigned int lw4o6_encap_tg(struct sk_buff *skb,
				   const struct xt_action_param *par)
{
	struct lw4o6_cb *cb = lw4o6_cb(skb);

	cb->magic = LW4O6_MAGIC;
	cb->info = par->targinfo;
	return XT_CONTINUE;
}

/* Encapsulate one IPv4 packet to the AFTR and send it; consumes skb. */
static void lw4o6_encap_one(struct net *net, struct sk_buff *skb,
			    const struct xt_lw4o6_tginfo *info)
{
	struct flowi6 fl6 = {
		.daddr = info->aftr.in6,
		.saddr = info->b4.in6,
		.flowi6_proto = IPPROTO_IPIP,
		.flowi6_mark = skb->mark,
	};
	const struct iphdr *iph = ip_hdr(skb);
	u8 tos = iph->tos;
	bool df = iph->frag_off & htons(IP_DF);
	struct dst_entry *dst;
	struct ipv6hdr *ip6h;
	unsigned int mtu;

	if (skb->ip_summed == CHECKSUM_PARTIAL && skb_checksum_help(skb))
		goto drop;

	dst = ip6_route_output(net, NULL, &fl6);
	if (dst->error) {
		dst_release(dst);
		goto drop;
	}

	/*
	 * RFC 7596 section 5.1, RFC 6333 section 5.3: a packet too big for
	 * the IPv6 path is fragmented after encapsulation, unless DF is set:
	 * then the sender learns the MTU, less the IPv6 header.
	 */
	mtu = dst_mtu(dst) - sizeof(struct ipv6hdr);
	if (skb->len > mtu) {
		if (df) {
			icmp_send(skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED,
				  htonl(mtu));
			softwire_count(net, &lw4o6_stats, LW4O6_STAT_FRAG_NEEDED);
			dst_release(dst);
			kfree_skb(skb);
			return;
		}
		skb->ignore_df = 1;
	}

	if (skb_cow_head(skb, sizeof(*ip6h) + LL_RESERVED_SPACE(dst->dev))) {
		dst_release(dst);
		goto drop;
	}
	skb_dst_drop(skb);
	skb_dst_set(skb, dst);
	/* The outer packet is a new IPv6 packet to conntrack. */
	nf_reset_ct(skb);
	memset(IP6CB(skb), 0, sizeof(*IP6CB(skb)));

	skb_push(skb, sizeof(*ip6h));
	skb_reset_network_header(skb);
	ip6h = ipv6_hdr(skb);
	/* RFC 2473 section 6.5: the traffic class from the inner TOS. */
	ip6_flow_hdr(ip6h, tos, 0);
	ip6h->payload_len = htons(skb->len - sizeof(*ip6h));
	ip6h->nexthdr = IPPROTO_IPIP;
	ip6h->hop_limit = info->hop_limit ?: 64;
	ip6h->saddr = info->b4.in6;
	ip6h->daddr = info->aftr.in6;
	skb->protocol = htons(ETH_P_IPV6);

	softwire_count(net, &lw4o6_stats, LW4O6_STAT_ENCAPSULATED);
	ip6_local_out(net, NULL, skb);
	return;
drop:
	softwire_count(net, &lw4o6_stats, LW4O6_STAT_ENCAP_DROPPED);
	kfree_skb(skb);
}

/* After SNAT (NF_IP_PRI_NAT_SRC + 1): encapsulate what the target marked. */
static unsigned int lw4o6_out_hook(void *priv, struct sk_buff *skb,
				   const struct nf_hook_state *state)
{
	struct lw4o6_cb *cb = lw4o6_cb(skb);
	const struct xt_lw4o6_tginfo *info = cb->info;
	struct sk_buff *segs, *next;

	if (cb->magic != LW4O6_MAGIC)
		return NF_ACCEPT;
	cb->magic = 0;

	/* Keep the connection and its NAT binding: see the top of file. */
	if (nf_conntrack_confirm(skb) != NF_ACCEPT)
		return NF_DROP;

	if (!skb_is_gso(skb)) {
		lw4o6_encap_one(state->net, skb, info);
		return NF_STOLEN;
	}
	/* Segment in software: each segment gets a complete checksum. */
	segs = skb_gso_segment(skb, 0);
	if (IS_ERR_OR_NULL(segs))
		return NF_DROP;
	consume_skb(skb);
	skb_list_walk_safe(segs, skb, next) {
		skb_mark_not_on_list(skb);
		lw4o6_encap_one(state->net, skb, info);
	}
	return NF_STOLEN;
}

static const struct nf_hook_ops lw4o6_out_ops = {
	.hook		= lw4o6_out_hook,
	.pf		= NFPROTO_IPV4,
	.hooknum	= NF_INET_POST_ROUTING,
	.priority	= NF_IP_PRI_NAT_SRC + 1,
};

/*
 * The port that tells which softwire an inbound IPv4 packet is for: the
 * destination port, the identifier of an ICMP echo reply, the source port
 * (or identifier) of the packet an ICMP error quotes (RFC 7596 section 8,
 * RFC 7597 section 8.2). -1 when there is none to see; 0 when the packet
 * carries no port at all (a later fragment) and is let through.
 */
static int lw4o6_inbound_port(struct sk_buff *skb, unsigned int off)
{
	const struct iphdr *iph = (const struct iphdr *)(skb->data + off);
	unsigned int thoff = off + iph->ihl * 4;
	u8 proto = iph->protocol;
	__be16 _ports[2], *ports;
	struct icmphdr _ih, *ih;
	struct iphdr _qh, *qh;

	if (iph->frag_off & htons(IP_OFFSET))
		return 0;
	switch (proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
		ports = skb_header_pointer(skb, thoff, sizeof(_ports), _ports);
		return ports ? ntohs(ports[1]) : -1;
	case IPPROTO_ICMP:
		ih = skb_header_pointer(skb, thoff, sizeof(_ih), &_ih);
		if (!ih)
			return -1;
		if (ih->type == ICMP_ECHOREPLY)
			return ntohs(ih->un.echo.id);
		if (ih->type != ICMP_DEST_UNREACH && ih->type != ICMP_TIME_EXCEEDED &&
		    ih->type != ICMP_PARAMETERPROB)
			return -1;
		qh = skb_header_pointer(skb, thoff + sizeof(_ih), sizeof(_qh), &_qh);
		if (!qh || qh->ihl < 5)
			return -1;
		thoff += sizeof(_ih) + qh->ihl * 4;
		if (qh->protocol == IPPROTO_ICMP) {
			ih = skb_header_pointer(skb, thoff, sizeof(_ih), &_ih);
			return ih ? ntohs(ih->un.echo.id) : -1;
		}
		if (qh->protocol != IPPROTO_TCP && qh->protocol != IPPROTO_UDP)
			return -1;
		ports = skb_header_pointer(skb, thoff, sizeof(_ports), _ports);
		return ports ? ntohs(ports[0]) : -1;
	}
	return -1;
}

static unsigned int lw4o6_decap_tg(struct sk_buff *skb,
				   const struct xt_action_param *par)
{
	const struct xt_lw4o6_tginfo *info = par->targinfo;
	const struct ipv6hdr *ip6h = ipv6_hdr(skb);
	struct net *net = xt_net(par);
	u8 nexthdr = ip6h->nexthdr;
	const struct iphdr *iph;
	unsigned int len;
	__be16 frag_off;
	int off;

	/* Not a softwire packet to us: none of our business. */
	if (!ipv6_addr_equal(&ip6h->daddr, &info->b4.in6))
		return XT_CONTINUE;
	off = ipv6_skip_exthdr(skb, skb_network_offset(skb) + sizeof(*ip6h),
			       &nexthdr, &frag_off);
	if (off < 0 || nexthdr != IPPROTO_IPIP)
		return XT_CONTINUE;

	/* Only from our AFTR (RFC 7596 section 5.1). */
	if (!ipv6_addr_equal(&ip6h->saddr, &info->aftr.in6)) {
		softwire_count(net, &lw4o6_stats, LW4O6_STAT_WRONG_AFTR);
		return NF_DROP;
	}
	/* Fragments were reassembled by nf_defrag_ipv6 (checkentry). */
	if (frag_off & htons(~0x7))
		goto malformed;

	if (!pskb_may_pull(skb, off + sizeof(struct iphdr)))
		goto malformed;
	iph = (const struct iphdr *)(skb->data + off);
	len = ntohs(iph->tot_len);
	if (iph->version != 4 || iph->ihl < 5 || len < iph->ihl * 4 ||
	    len > skb->len - off || !pskb_may_pull(skb, off + iph->ihl * 4))
		goto malformed;
	iph = (const struct iphdr *)(skb->data + off);
	if (ip_fast_csum((const u8 *)iph, iph->ihl))
		goto malformed;

	if (info->flags & XT_LW4O6_PORT_SET) {
		const struct psid_set set = {
			.offset = info->psid_offset,
			.len = info->psid_len,
			.psid = info->psid,
		};
		int port = lw4o6_inbound_port(skb, off);

		if (port < 0 || (port > 0 && !psid_port_in_set(&set, port))) {
			softwire_count(net, &lw4o6_stats,
				       LW4O6_STAT_PORT_NOT_OURS);
			return NF_DROP;
		}
	}

	/* The IPv4 packet, as if it had arrived on this interface. */
	skb_pull_rcsum(skb, off);
	skb_reset_network_header(skb);
	if (pskb_trim_rcsum(skb, len))
		goto malformed;	/* cannot happen: len <= skb->len */
	skb->protocol = htons(ETH_P_IP);
	skb->pkt_type = PACKET_HOST;
	skb_dst_drop(skb);
	nf_reset_ct(skb);
	softwire_count(net, &lw4o6_stats, LW4O6_STAT_DECAPSULATED);
	netif_rx(skb);
	return NF_STOLEN;

malformed:
	softwire_count(net, &lw4o6_stats, LW4O6_STAT_MALFORMED);
	return NF_DROP;
}

static int lw4o6_tg_check(const struct xt_tgchk_param *par)
{
	const struct xt_lw4o6_tginfo *info = par->targinfo;
	const struct psid_set set = {
		.offset = info->psid_offset,
		.len = info->psid_len,
		.psid = info->psid,
	};

	if (strcmp(par->table, "mangle") != 0 && strcmp(par->table, "raw") != 0) {
		pr_info_ratelimited("LW4O6 works in the mangle and raw tables, not in %s\n",
				    par->table);
		return -EINVAL;
	}
	if (info->flags & ~XT_LW4O6_FLAGS) {
		pr_info_ratelimited("unknown flags 0x%x\n", info->flags);
		return -EINVAL;
	}
	if (ipv6_addr_any(&info->b4.in6) || ipv6_addr_any(&info->aftr.in6) ||
	    ipv6_addr_is_multicast(&info->b4.in6) ||
	    ipv6_addr_is_multicast(&info->aftr.in6)) {
		pr_info_ratelimited("--b4 and --aftr must be unicast IPv6 addresses\n");
		return -EINVAL;
	}
	if (par->family == NFPROTO_IPV4 && (info->flags & XT_LW4O6_PORT_SET)) {
		pr_info_ratelimited("a port set is for decapsulation, in ip6tables\n");
		return -EINVAL;
	}
	if ((info->flags & XT_LW4O6_PORT_SET) && !psid_set_valid(&set)) {
		pr_info_ratelimited("PSID %u/%u at offset %u is not a port set\n",
				    info->psid, info->psid_len, info->psid_offset);
		return -EINVAL;
	}
	if (par->family == NFPROTO_IPV6)
		return nf_defrag_ipv6_enable(par->net);
	return 0;
}

static struct xt_target lw4o6_tg_reg[] __read_mostly = {
	{
		.name		= "LW4O6",
		.family		= NFPROTO_IPV4,
		.target		= lw4o6_encap_tg,
		.checkentry	= lw4o6_tg_check,
		.targetsize	= sizeof(struct xt_lw4o6_tginfo),
		.hooks		= 1 << NF_INET_POST_ROUTING,
		.me		= THIS_MODULE,
	},
	{
		.name		= "LW4O6",
		.family		= NFPROTO_IPV6,
		.target		= lw4o6_decap_tg,
		.checkentry	= lw4o6_tg_check,
		.targetsize	= sizeof(struct xt_lw4o6_tginfo),
		.hooks		= 1 << NF_INET_PRE_ROUTING,
		.me		= THIS_MODULE,
	},
};

static int __net_init lw4o6_net_init(struct net *net)
{
	int err = softwire_stats_net_init(net, &lw4o6_stats);

	if (err)
		return err;
	err = nf_register_net_hook(net, &lw4o6_out_ops);
	if (err)
		softwire_stats_net_exit(net, &lw4o6_stats);
	return err;
}

static void __net_exit lw4o6_net_exit(struct net *net)
{
	nf_unregister_net_hook(net, &lw4o6_out_ops);
	softwire_stats_net_exit(net, &lw4o6_stats);
}

static struct pernet_operations lw4o6_net_ops = {
	.init	= lw4o6_net_init,
	.exit	= lw4o6_net_exit,
	.id	= &lw4o6_stats.net_id,
	.size	= sizeof(struct softwire_stats_net),
};

static int __init lw4o6_tg_init(void)
{
	int err;

	err = register_pernet_subsys(&lw4o6_net_ops);
	if (err)
		return err;
	err = xt_register_targets(lw4o6_tg_reg, ARRAY_SIZE(lw4o6_tg_reg));
	if (err)
		unregister_pernet_subsys(&lw4o6_net_ops);
	return err;
}

static void __exit lw4o6_tg_exit(void)
{
	xt_unregister_targets(lw4o6_tg_reg, ARRAY_SIZE(lw4o6_tg_reg));
	unregister_pernet_subsys(&lw4o6_net_ops);
}

module_init(lw4o6_tg_init);
module_exit(lw4o6_tg_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Xtables: stateless IPv4-in-IPv6 softwires (lw4o6, DS-Lite B4)");
MODULE_ALIAS("ipt_LW4O6");
MODULE_ALIAS("ip6t_LW4O6");
