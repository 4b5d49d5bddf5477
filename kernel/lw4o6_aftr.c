// SPDX-License-Identifier: GPL-2.0
/*
 * xt_LW4O6, the AFTR/BR side: rules that name a binding table (kernel/
 * softwire_tables.c, filled with the control tool) and work on the spot,
 * statelessly, best in the raw table where conntrack has not seen the
 * packet yet:
 *
 *   iptables  -t raw -A PREROUTING -d 192.0.2.0/24 -j LW4O6 --binding-table bt0
 *   ip6tables -t raw -A PREROUTING -d AFTR -j LW4O6 --binding-table bt0
 *
 * lwAFTR: RFC 7596 section 6; MAP-E BR: RFC 7597 section 8.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/skbuff.h>
#include <net/icmp.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/netfilter/ipv4/nf_defrag_ipv4.h>
#include <net/netfilter/ipv6/nf_defrag_ipv6.h>

#include "lw4o6.h"
#include "softwire_flowtable.h"
#include "softwire_icmp.h"

/*
 * A packet to us whose next header, after any extension headers (such as
 * the Tunnel Encapsulation Limit option Linux ip6tnl adds), is IPv4:
 * the offset of the inner header, or -1 if not a softwire packet.
 */
static int lw4o6_inner_offset(struct sk_buff *skb, __be16 *frag_off)
{
	u8 nexthdr = ipv6_hdr(skb)->nexthdr;
	int off;

	off = ipv6_skip_exthdr(skb, skb_network_offset(skb) +
			       sizeof(struct ipv6hdr), &nexthdr, frag_off);
	if (off < 0 || nexthdr != IPPROTO_IPIP)
		return -1;
	return off;
}

/*
 * An ICMPv6 message to an AFTR address that is not a softwire packet: if
 * it is an error about a packet of one of the table's softwires, learn and
 * relay it (lw4o6_icmp6_quoted). It goes on to the local stack either way.
 */
static void lw4o6_aftr_icmp6(struct net *net, struct sk_buff *skb,
			     struct softwire_table_data *d, bool relay)
{
	u8 nexthdr = ipv6_hdr(skb)->nexthdr;
	struct lw4o6_icmp6_err e = { .d = d, .relay = relay };
	const struct icmp6hdr *ih;
	__be16 frag_off;
	int off;

	off = ipv6_skip_exthdr(skb, skb_network_offset(skb) +
			       sizeof(struct ipv6hdr), &nexthdr, &frag_off);
	if (off < 0 || nexthdr != IPPROTO_ICMPV6 || frag_off ||
	    !pskb_may_pull(skb, off + sizeof(*ih)))
		return;
	ih = (const struct icmp6hdr *)(skb->data + off);
	e.type = ih->icmp6_type;
	e.mtu = ntohl(ih->icmp6_mtu);
	e.qoff = off + sizeof(*ih);
	if ((e.type != ICMPV6_DEST_UNREACH && e.type != ICMPV6_PKT_TOOBIG &&
	     e.type != ICMPV6_TIME_EXCEED && e.type != ICMPV6_PARAMPROB) ||
	    nf_ip6_checksum(skb, NF_INET_PRE_ROUTING, off, IPPROTO_ICMPV6))
		return;
	lw4o6_icmp6_quoted(net, skb, &e);
}

/* Forwarding the IPv4 packet: TTL less one, or ICMP time exceeded. */
static bool lw4o6_forward_ttl(struct net *net, struct sk_buff *skb,
			      const struct xt_lw4o6_tginfo *info)
{
	if (ip_hdr(skb)->ttl <= 1) {
		if (!(info->flags & XT_LW4O6_NO_ICMP_ERRORS))
			softwire_icmp4_send(net, skb, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL, 0);
		lw4o6_count(net, LW4O6_STAT_TTL_EXCEEDED);
		return false;
	}
	if (skb_ensure_writable(skb, sizeof(struct iphdr)))
		return false;
	ip_decrease_ttl(ip_hdr(skb));
	return true;
}

/*
 * IPv4 in, to a softwire: RFC 7596 section 6.2 (lwAFTR), RFC 7597
 * section 8.3 (BR). Look up the destination address and the PSID of the
 * destination port; no binding: drop, and with --icmp send ICMPv4
 * Destination Unreachable, Host Unreachable (type 3, code 1), which
 * icmp_send() rate limits (net.ipv4.icmp_ratelimit).
 */
unsigned int lw4o6_aftr_encap_tg(struct sk_buff *skb,
				 const struct xt_action_param *par)
{
	const struct xt_lw4o6_tginfo *info = par->targinfo;
	struct softwire_table *bt = info->bt;
	struct net *net = xt_net(par);
	struct softwire_bind b;
	int port;

	bool icmp = ip_hdr(skb)->protocol == IPPROTO_ICMP;

	if (icmp && (info->flags & XT_LW4O6_DROP_ICMP)) {
		softwire_table_count(bt, SOFTWIRE_TABLE_STAT_ICMP_POLICY);
		return NF_DROP;
	}
	/* An ICMP message is checked before it is looked up and sent on: a
	 * corrupt one is of no use to a B4 (its quoted packet decides where
	 * an error goes). Fragments were reassembled (nf_defrag_ipv4).
	 */
	if (icmp && nf_ip_checksum(skb, xt_hooknum(par), ip_hdrlen(skb),
				   IPPROTO_ICMP)) {
		lw4o6_count(net, LW4O6_STAT_ICMP_CSUM);
		return NF_DROP;
	}
	port = lw4o6_port(skb, skb_network_offset(skb), true);
	/* b.aftr is :: for a MAP rule of a table that lost its br-address
	 * to a load (checkentry refused a table without one).
	 */
	if (port == LW4O6_TRUNCATED ||
	    !softwire_table_find(rcu_dereference(bt->data), ip_hdr(skb)->daddr,
				 port, &b) ||
	    ipv6_addr_any(&b.aftr)) {
		softwire_table_count(bt, SOFTWIRE_TABLE_STAT_UNBOUND);
		/* RFC 7596 section 8.1: an inbound ICMP message that matches
		 * no softwire is discarded, without an error.
		 */
		if ((info->flags & XT_LW4O6_ICMP) && !icmp &&
		    softwire_icmp4_send(net, skb, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, 0))
			softwire_table_count(bt, SOFTWIRE_TABLE_STAT_ICMP_REQUESTED);
		return NF_DROP;
	}
	/* Not routed yet: this is the forwarding step. */
	if (xt_hooknum(par) == NF_INET_PRE_ROUTING &&
	    !lw4o6_forward_ttl(net, skb, info))
		return NF_DROP;
	softwire_table_count(bt, SOFTWIRE_TABLE_STAT_ENCAPSULATED);
	lw4o6_encap(net, skb, &b.aftr, &b.b4, info, NULL);
	return NF_STOLEN;
}

/*
 * IPv6 in, from a softwire: RFC 7596 section 6.2, RFC 7597 section 8.3.
 * The outer source must be the B4 bound to the inner source address and
 * the PSID of the inner source port, and the outer destination the AFTR
 * address of that softwire. Otherwise drop, and with --icmp send ICMPv6
 * Destination Unreachable, Source address failed ingress/egress policy
 * (type 1, code 5), rate limited by icmpv6_send() (net.ipv6.icmp.ratelimit).
 * A packet for another softwire of the table goes straight back out
 * (hairpinning): it never needs an IPv4 route.
 */
unsigned int lw4o6_aftr_decap_tg(struct sk_buff *skb,
				 const struct xt_action_param *par)
{
	const struct xt_lw4o6_tginfo *info = par->targinfo;
	struct softwire_table *bt = info->bt;
	struct softwire_table_data *d = rcu_dereference(bt->data);
	struct net *net = xt_net(par);
	const struct ipv6hdr *ip6h;
	const struct iphdr *iph;
	struct softwire_bind b;
	unsigned int len;
	__be16 frag_off;
	int off, port;

	if (!softwire_table_is_aftr(d, &ipv6_hdr(skb)->daddr))
		return XT_CONTINUE;
	off = lw4o6_inner_offset(skb, &frag_off);
	if (off < 0) {
		lw4o6_aftr_icmp6(net, skb, d,
				 !(info->flags & XT_LW4O6_NO_ICMP_ERRORS));
		return XT_CONTINUE;
	}
	if (!lw4o6_inner_valid(skb, off, frag_off, &len)) {
		lw4o6_count(net, LW4O6_STAT_MALFORMED);
		return NF_DROP;
	}

	ip6h = ipv6_hdr(skb);
	iph = (const struct iphdr *)(skb->data + off);
	port = lw4o6_port(skb, off, false);
	if (port == LW4O6_TRUNCATED ||
	    !softwire_table_find(d, iph->saddr, port, &b) ||
	    !ipv6_addr_equal(&b.b4, &ip6h->saddr) ||
	    !ipv6_addr_equal(&b.aftr, &ip6h->daddr)) {
		/* A later fragment or a protocol without ports from a shared
		 * address cannot be told from a spoofed one: dropped, but
		 * the B4 gets no ICMPv6 error for it.
		 */
		if (port == SOFTWIRE_NO_PORT) {
			softwire_table_count(bt, SOFTWIRE_TABLE_STAT_NO_PORT);
			return NF_DROP;
		}
		softwire_table_count(bt, SOFTWIRE_TABLE_STAT_SPOOFED);
		if ((info->flags & XT_LW4O6_ICMP) &&
		    softwire_icmp6_send(net, skb, ICMPV6_DEST_UNREACH,
					ICMPV6_POLICY_FAIL, 0))
			softwire_table_count(bt, SOFTWIRE_TABLE_STAT_ICMP_REQUESTED);
		return NF_DROP;
	}

	/* Hairpinning: to another softwire of this table, unless turned off
	 * (RFC 7596 section 6.2); then IPv4 routing decides.
	 */
	port = lw4o6_port(skb, off, true);
	if (!(info->flags & XT_LW4O6_NO_HAIRPIN) && port != LW4O6_TRUNCATED &&
	    softwire_table_find(d, iph->daddr, port, &b)) {
		if (lw4o6_strip(skb, off, len) ||
		    !lw4o6_forward_ttl(net, skb, info))
			return NF_DROP;
		softwire_table_count(bt, SOFTWIRE_TABLE_STAT_HAIRPINNED);
		lw4o6_encap(net, skb, &b.aftr, &b.b4, info, NULL);
		return NF_STOLEN;
	}
	softwire_table_count(bt, SOFTWIRE_TABLE_STAT_DECAPSULATED);
	return lw4o6_deliver(net, skb, off, len) ? NF_DROP : NF_STOLEN;
}

int lw4o6_aftr_check(const struct xt_tgchk_param *par,
		     struct xt_lw4o6_tginfo *info)
{
	int err;

	if (info->flags & XT_LW4O6_PORT_SET) {
		pr_info_ratelimited("--binding-table takes the port sets from the table\n");
		return -EINVAL;
	}
	if (info->flags & (par->family == NFPROTO_IPV4 ? XT_LW4O6_NO_HAIRPIN :
						       XT_LW4O6_DROP_ICMP)) {
		pr_info_ratelimited("--no-hairpin is for ip6tables, --drop-icmp for iptables\n");
		return -EINVAL;
	}
	if ((info->flags & XT_LW4O6_ICMP) && (info->flags & XT_LW4O6_NO_ICMP_ERRORS)) {
		pr_info_ratelimited("--icmp asks for ICMP errors, --no-icmp-errors for none\n");
		return -EINVAL;
	}
	if (par->family == NFPROTO_IPV4 &&
	    (par->hook_mask & ~((1 << NF_INET_PRE_ROUTING) |
				(1 << NF_INET_FORWARD) |
				(1 << NF_INET_LOCAL_OUT)))) {
		pr_info_ratelimited("with --binding-table, LW4O6 encapsulates in PREROUTING, FORWARD or OUTPUT\n");
		return -EINVAL;
	}
	err = lw4o6_get_table(par, info);
	if (err)
		return err;
	if (!softwire_table_has_aftr(info->bt)) {
		pr_info_ratelimited("table %s has no br-address: an AFTR/BR rule needs its IPv6 address (softwirectl add %s br-address ADDR)\n",
				    info->bt->name, info->bt->name);
		softwire_table_put(info->bt);
		info->bt = NULL;
		return -EINVAL;
	}
	/*
	 * IPv6 fragments are reassembled before decapsulation; IPv4
	 * fragments before they are looked up: a later fragment has no port
	 * to find its softwire by (a sender that learnt the softwire's MTU
	 * fragments what it sends without DF).
	 */
	if (par->family == NFPROTO_IPV6)
		err = nf_defrag_ipv6_enable(par->net);
	else
		err = nf_defrag_ipv4_enable(par->net);
	/*
	 * Decapsulated packets start their connections in the IPv4 hooks:
	 * the hook after conntrack keeps them off flowtables.
	 */
	if (!err && par->family == NFPROTO_IPV6) {
		err = softwire_flowtable_get(par->net, NFPROTO_IPV4);
		if (err)
			nf_defrag_ipv6_disable(par->net);
	}
	if (err) {
		softwire_table_put(info->bt);
		info->bt = NULL;
	}
	return err;
}

void lw4o6_aftr_destroy(const struct xt_tgdtor_param *par,
			struct xt_lw4o6_tginfo *info)
{
	softwire_table_put(info->bt);
	if (par->family == NFPROTO_IPV6) {
		softwire_flowtable_put(par->net, NFPROTO_IPV4);
		nf_defrag_ipv6_disable(par->net);
	} else
		nf_defrag_ipv4_disable(par->net);
}
