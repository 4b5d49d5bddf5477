// SPDX-License-Identifier: GPL-2.0
/*
 * xt_LW4O6: stateless IPv4-in-IPv6 softwires (lw4o6 RFC 7596, DS-Lite RFC
 * 6333, MAP-E RFC 7597).
 *
 * B4/CE side: one rule encapsulates, one decapsulates:
 *
 *   iptables  -t nat    -A POSTROUTING -o wan -p tcp -j SNAT --to 192.0.2.1:4096-8191
 *   iptables  -t mangle -A POSTROUTING -o wan -j LW4O6 --b4 B4 --aftr AFTR
 *   ip6tables -t mangle -A PREROUTING  -i wan -j LW4O6 --b4 B4 --aftr AFTR \
 *             --psid 1/4 --psid-offset 0
 *
 * Encapsulation must happen after SNAT, which runs after every iptables
 * table in POSTROUTING (docs/lw4o6-b4-design.md). So the IPv4 target only
 * marks the packet, and the after-SNAT hook (softwire_after_snat.c)
 * confirms the connection as conntrack would (helpers included; the packet
 * leaves IPv4 before conntrack's own confirm would run, and an unconfirmed
 * connection would lose its NAT binding) and hands it back here to be
 * encapsulated and sent as IPv6.
 *
 * AFTR/BR side: the rules name a binding table (kernel/softwire_tables.c, filled
 * with softwirectl) and work on the spot, statelessly, best in the raw table
 * where conntrack has not seen the packet yet:
 *
 *   iptables  -t raw -A PREROUTING -d 192.0.2.0/24 -j LW4O6 --binding-table bt0
 *   ip6tables -t raw -A PREROUTING -d AFTR -j LW4O6 --binding-table bt0
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/if_arp.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/skbuff.h>
#include <linux/version.h>
#include <net/dsfield.h>
#include <net/genetlink.h>
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
#include <net/gso.h>		/* skb_gso_validate_network_len */
#endif
#include <net/icmp.h>
#include <net/inet_ecn.h>
#include <net/ip.h>
#include <net/ip_tunnels.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/netfilter/ipv4/nf_defrag_ipv4.h>
#include <net/netfilter/ipv6/nf_defrag_ipv6.h>
#include <net/netfilter/nf_conntrack_core.h>
#include <net/netfilter/nf_conntrack_zones.h>

#include "softwire_tables.h"
#include "psid_core.h"
#include "softwire_after_snat.h"
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
	[LW4O6_STAT_TTL_EXCEEDED]	= "ttl_exceeded",
	[LW4O6_STAT_RULE_GONE]		= "encap_dropped_rule_gone",
	[LW4O6_STAT_ECN_DROPPED]	= "decap_dropped_ecn",
	[LW4O6_STAT_ICMP6_RELAYED]	= "icmp6_errors_relayed",
	[LW4O6_STAT_PMTU_LEARNED]	= "icmp6_packet_too_big_learned",
	[LW4O6_STAT_TOO_BIG_DROPPED]	= "encap_dropped_too_big",
	[LW4O6_STAT_ICMP_CSUM]		= "encap_dropped_icmp_checksum",
};

static struct softwire_stats lw4o6_stats = {
	.proc_name	= "xt_LW4O6",
	.names		= lw4o6_stat_names,
	.count		= LW4O6_STAT_MAX,
};

static void lw4o6_count(struct net *net, enum lw4o6_stat s)
{
	softwire_count(net, &lw4o6_stats, s);
}

/*
 * ICMP errors from PREROUTING: icmp_send() and icmpv6_send() need a route
 * back to the sender, which a packet not yet routed lacks (as in REJECT).
 */
static bool lw4o6_route_back(struct net *net, struct sk_buff *skb)
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

static bool lw4o6_icmp4(struct net *net, struct sk_buff *skb, int type,
			int code, u32 info)
{
	if (!lw4o6_route_back(net, skb))
		return false;
	icmp_send(skb, type, code, htonl(info));
	return true;
}

/*
 * The outer traffic class. DSCP: the inner one (RFC 2473 section 6.4), or
 * --tclass. ECN: RFC 6040 section 4.1, normal mode (RFC 7596 section 5.1
 * points to RFC 6333, which points to it): a copy of the inner ECN field,
 * CE included, also under --tclass. Not INET_ECN_encapsulate(): it turns an
 * inner CE into ECT(0), the RFC 3168 rule that RFC 6040 replaced.
 */
static u8 lw4o6_encap_dsfield(const struct iphdr *iph,
			      const struct xt_lw4o6_tginfo *info)
{
	u8 tos = ipv4_get_dsfield(iph);

	if (!(info->flags & XT_LW4O6_TCLASS))
		return tos;
	return (info->tclass & ~INET_ECN_MASK) | (tos & INET_ECN_MASK);
}

/*
 * Too big for an IPv6 path of mtu less the IPv6 header? For a GSO packet
 * each segment counts, not the whole super-packet (as ip_forward and
 * ip6tnl judge it).
 */
static bool lw4o6_too_big(const struct sk_buff *skb, unsigned int mtu)
{
	if (skb->len <= mtu)
		return false;
	if (skb_is_gso(skb))
		return !skb_gso_validate_network_len(skb, mtu);
	return true;
}

/*
 * Encapsulate an IPv4 packet and send it from saddr to daddr; consumes
 * skb. As Linux's own ip4ip6 tunnel does (ip6_tnl_xmit), the offloads
 * stay: a GSO packet leaves as one SKB_GSO_IPXIP6 super-packet, segmented
 * by the device or, late, by the stack; a CHECKSUM_PARTIAL packet keeps
 * its inner checksum to be completed (skb->encapsulation and the inner
 * headers tell where). RFC 2473 section 6.5 and RFC 6437: the flow label
 * is a hash of the inner flow unless --flowlabel.
 */
static void lw4o6_encap(struct net *net, struct sk_buff *skb,
			const struct in6_addr *saddr,
			const struct in6_addr *daddr,
			const struct xt_lw4o6_tginfo *info)
{
	struct flowi6 fl6 = {
		.daddr = *daddr,
		.saddr = *saddr,
		.flowi6_proto = IPPROTO_IPIP,
		.flowi6_mark = skb->mark,
	};
	const struct iphdr *iph = ip_hdr(skb);
	u8 tclass = lw4o6_encap_dsfield(iph, info);
	bool df = iph->frag_off & htons(IP_DF);
	struct dst_entry *dst;
	struct ipv6hdr *ip6h;
	unsigned int mtu;
	__be32 label;

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
	if (lw4o6_too_big(skb, mtu)) {
		if (df) {
			if (info->flags & XT_LW4O6_NO_ICMP_ERRORS)
				lw4o6_count(net, LW4O6_STAT_TOO_BIG_DROPPED);
			else if (lw4o6_icmp4(net, skb, ICMP_DEST_UNREACH,
					     ICMP_FRAG_NEEDED, mtu))
				lw4o6_count(net, LW4O6_STAT_FRAG_NEEDED);
			dst_release(dst);
			kfree_skb(skb);
			return;
		}
		/* ip6_finish_output fragments it (a GSO packet: its segments) */
		skb->ignore_df = 1;
	}

	if (info->flags & XT_LW4O6_FLOWLABEL) {
		label = htonl(info->flowlabel);
	} else {
		skb_get_hash(skb);	/* of the inner IPv4 flow */
		label = ip6_make_flowlabel(net, skb, 0, true, &fl6);
	}

	if (skb_cow_head(skb, sizeof(*ip6h) + LL_RESERVED_SPACE(dst->dev))) {
		dst_release(dst);
		goto drop;
	}
	/*
	 * A received CHECKSUM_COMPLETE sum would not cover the IPv6 header
	 * pushed below: the packet is being sent, so drop the sum, as
	 * ip_forward does. The AFTR encapsulates in PREROUTING and when
	 * hairpinning, before or without ip_forward.
	 */
	skb_forward_csum(skb);
	if (iptunnel_handle_offloads(skb, SKB_GSO_IPXIP6)) {
		dst_release(dst);
		goto drop;
	}
	skb_set_inner_ipproto(skb, IPPROTO_IPIP);
	skb_dst_drop(skb);
	skb_dst_set(skb, dst);
	/* The outer packet is a new IPv6 packet to conntrack. */
	nf_reset_ct(skb);
	memset(IP6CB(skb), 0, sizeof(*IP6CB(skb)));

	/* The transport header stays the inner one, as in ip6tnl: the GSO
	 * segment length counts every header before it.
	 */
	skb_push(skb, sizeof(*ip6h));
	skb_reset_network_header(skb);
	ip6h = ipv6_hdr(skb);
	ip6_flow_hdr(ip6h, tclass, label);
	ip6h->payload_len = htons(skb->len - sizeof(*ip6h));
	ip6h->nexthdr = IPPROTO_IPIP;
	ip6h->hop_limit = info->hop_limit ?: 64;
	ip6h->saddr = *saddr;
	ip6h->daddr = *daddr;
	skb->protocol = htons(ETH_P_IPV6);

	lw4o6_count(net, LW4O6_STAT_ENCAPSULATED);
	ip6_local_out(net, NULL, skb);
	return;
drop:
	lw4o6_count(net, LW4O6_STAT_ENCAP_DROPPED);
	kfree_skb(skb);
}

/* The two ends of a B4/CE rule's softwire, and its port set. */
static const struct in6_addr *lw4o6_b4_of(const struct xt_lw4o6_tginfo *info)
{
	return info->flags & XT_LW4O6_EU_PREFIX ? &info->ce : &info->b4.in6;
}

static const struct in6_addr *lw4o6_aftr_of(const struct xt_lw4o6_tginfo *info)
{
	return info->flags & XT_LW4O6_EU_PREFIX ? &info->br : &info->aftr.in6;
}

static struct psid_set lw4o6_ports_of(const struct xt_lw4o6_tginfo *info)
{
	struct psid_set set = {
		.offset = info->psid_offset,
		.len = info->psid_len,
		.psid = info->psid,
	};

	if (info->flags & XT_LW4O6_EU_PREFIX) {
		set.offset = info->ce_psid_offset;
		set.len = info->ce_psid_len;
		set.psid = info->ce_psid;
	}
	return set;
}

/* ---- the port that names a softwire ----------------------------------- */

#define LW4O6_TRUNCATED (-2)

/*
 * The port that tells which softwire an IPv4 packet belongs to (RFC 7596
 * section 8, RFC 7597 section 8.2). Towards the B4 (to_b4): the destination
 * port; from it: the source port. ICMP: the echo identifier; an ICMP error
 * is matched by the packet it quotes, which went the other way.
 * SOFTWIRE_NO_PORT for a later fragment or a protocol without ports,
 * LW4O6_TRUNCATED when the headers are cut short.
 */
static int lw4o6_port(struct sk_buff *skb, unsigned int off, bool to_b4)
{
	const struct iphdr *iph = (const struct iphdr *)(skb->data + off);
	unsigned int thoff = off + iph->ihl * 4;
	__be16 _ports[2], *ports;
	struct icmphdr _ih, *ih;
	struct iphdr _qh, *qh;

	if (iph->frag_off & htons(IP_OFFSET))
		return SOFTWIRE_NO_PORT;
	switch (iph->protocol) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
		ports = skb_header_pointer(skb, thoff, sizeof(_ports), _ports);
		return ports ? ntohs(ports[to_b4]) : LW4O6_TRUNCATED;
	case IPPROTO_ICMP:
		break;
	default:
		return SOFTWIRE_NO_PORT;
	}
	ih = skb_header_pointer(skb, thoff, sizeof(_ih), &_ih);
	if (!ih)
		return LW4O6_TRUNCATED;
	if (ih->type == ICMP_ECHOREPLY || ih->type == ICMP_ECHO)
		return ntohs(ih->un.echo.id);
	if (ih->type != ICMP_DEST_UNREACH && ih->type != ICMP_TIME_EXCEEDED &&
	    ih->type != ICMP_PARAMETERPROB)
		return SOFTWIRE_NO_PORT;
	qh = skb_header_pointer(skb, thoff + sizeof(_ih), sizeof(_qh), &_qh);
	if (!qh || qh->ihl < 5)
		return LW4O6_TRUNCATED;
	thoff += sizeof(_ih) + qh->ihl * 4;
	if (qh->protocol == IPPROTO_ICMP) {
		ih = skb_header_pointer(skb, thoff, sizeof(_ih), &_ih);
		return ih ? ntohs(ih->un.echo.id) : LW4O6_TRUNCATED;
	}
	if (qh->protocol != IPPROTO_TCP && qh->protocol != IPPROTO_UDP)
		return SOFTWIRE_NO_PORT;
	ports = skb_header_pointer(skb, thoff, sizeof(_ports), _ports);
	return ports ? ntohs(ports[!to_b4]) : LW4O6_TRUNCATED;
}

/* ---- B4/CE: encapsulation after SNAT ---------------------------------- */

/*
 * A B4/CE rule, as the after-SNAT hook finds it by its id: a copy of the
 * rule's data, which lives until the rule's destroy has made sure that no
 * hook runs it any more.
 */
struct lw4o6_b4_rule {
	struct softwire_after_snat_rule	as;
	struct xt_lw4o6_tginfo		info;
};

static unsigned int lw4o6_b4_encap_tg(struct sk_buff *skb,
				      const struct xt_action_param *par)
{
	const struct xt_lw4o6_tginfo *info = par->targinfo;

	softwire_after_snat_mark(xt_net(par), skb, &info->b4rule->as);
	return XT_CONTINUE;
}

/* After SNAT, the connection confirmed: encapsulate; consumes skb. */
static void lw4o6_b4_after_snat(struct net *net, struct sk_buff *skb,
				const struct softwire_after_snat_rule *as)
{
	const struct xt_lw4o6_tginfo *info =
		&container_of(as, struct lw4o6_b4_rule, as)->info;

	/* MAP-E mesh (RFC 7597 section 5.3): a destination under a
	 * Forwarding Mapping Rule goes straight to its CE, not to the BR.
	 */
	if (info->flags & XT_LW4O6_MESH) {
		struct softwire_bind b;
		int port = lw4o6_port(skb, skb_network_offset(skb), true);

		if (port != LW4O6_TRUNCATED &&
		    softwire_table_find(rcu_dereference(info->bt->data),
				  ip_hdr(skb)->daddr, port, &b)) {
			softwire_table_count(info->bt, SOFTWIRE_TABLE_STAT_ENCAPSULATED);
			lw4o6_encap(net, skb, lw4o6_b4_of(info), &b.b4, info);
			return;
		}
	}
	lw4o6_encap(net, skb, lw4o6_b4_of(info), lw4o6_aftr_of(info), info);
}

/* An IPv4 B4/CE rule: its copy, known to the after-SNAT hook. */
static int lw4o6_b4_rule_add(const struct xt_tgchk_param *par,
			     struct xt_lw4o6_tginfo *info)
{
	struct lw4o6_b4_rule *r = kzalloc(sizeof(*r), GFP_KERNEL_ACCOUNT);
	int err;

	if (!r)
		return -ENOMEM;
	r->as.fn = lw4o6_b4_after_snat;
	r->info = *info;
	err = softwire_after_snat_add(par->net, &r->as);
	if (err) {
		kfree(r);
		return err;
	}
	info->b4rule = r;
	return 0;
}

static void lw4o6_b4_rule_del(struct net *net, struct xt_lw4o6_tginfo *info)
{
	softwire_after_snat_del(net, &info->b4rule->as);
	kfree(info->b4rule);
	info->b4rule = NULL;
}

/* ---- decapsulation, both sides ---------------------------------------- */

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

/* A whole, valid IPv4 header at off; its total length in *len. */
static bool lw4o6_inner_valid(struct sk_buff *skb, int off, __be16 frag_off,
			      unsigned int *len)
{
	const struct iphdr *iph;

	/* Fragments were reassembled by nf_defrag_ipv6 (checkentry). */
	if (frag_off & htons(~0x7))
		return false;
	if (!pskb_may_pull(skb, off + sizeof(struct iphdr)))
		return false;
	iph = (const struct iphdr *)(skb->data + off);
	*len = ntohs(iph->tot_len);
	if (iph->version != 4 || iph->ihl < 5 || *len < iph->ihl * 4 ||
	    *len > skb->len - off || !pskb_may_pull(skb, off + iph->ihl * 4))
		return false;
	iph = (const struct iphdr *)(skb->data + off);
	return !ip_fast_csum((const u8 *)iph, iph->ihl);
}

/*
 * RFC 6040 section 4.2 (normal mode, as INET_ECN_decapsulate() has it): an
 * outer CE marks an ECN-capable inner packet CE, an outer ECT(1) turns an
 * inner ECT(0) into ECT(1), and an outer CE on a Not-ECT inner packet
 * means drop: the congestion signal cannot be passed on. ip6tnl does the
 * same in ip4ip6_dscp_ecn_decapsulate(). The inner DSCP stays.
 */
static int lw4o6_ecn_decap(struct sk_buff *skb, u8 outer)
{
	u8 inner = ip_hdr(skb)->tos;
	bool set_ce = false;

	if (__INET_ECN_decapsulate(outer, inner, &set_ce) == 2)
		return -EPROTO;
	if ((set_ce && !INET_ECN_is_ce(inner)) ||
	    ((outer & INET_ECN_MASK) == INET_ECN_ECT_1 &&
	     (inner & INET_ECN_MASK) == INET_ECN_ECT_0)) {
		/* A capture on the device may share the data. */
		if (skb_ensure_writable(skb, sizeof(struct iphdr)))
			return -ENOMEM;
		INET_ECN_decapsulate(skb, outer, inner);
	}
	return 0;
}

/*
 * Strip the IPv6 header: the skb is the inner IPv4 packet, scrubbed as a
 * tunnel scrubs what it receives (iptunnel_pull_header): no more GSO
 * tunnel type (a GRO aggregate of 4in6 packets), no flow hash of the outer
 * packet, no route, conntrack entry, secpath or other extension, no VLAN
 * tag. skb_scrub_packet(skb, false): the packet stays in this namespace,
 * with its mark. A packet that arrived with an Ethernet header gets one of
 * its own, type IPv4, the same addresses: deliver hands it to the same
 * device again, where a capture shows it as IPv4 (not the 4in6 frame a
 * second time) and -m mac sees its sender; without one, no MAC header
 * (as ip6tnl). Errors: -EPROTO dropped for ECN (counted here, also when
 * hairpinning), others malformed or no memory.
 */
static int lw4o6_strip(struct sk_buff *skb, int off, unsigned int len)
{
	u8 outer = ipv6_get_dsfield(ipv6_hdr(skb));
	struct ethhdr eth, *neth;
	bool ether;
	int err;

	ether = skb->dev && skb->dev->type == ARPHRD_ETHER &&
		skb_mac_header_was_set(skb) &&
		skb_mac_header_len(skb) == ETH_HLEN;
	if (ether)
		memcpy(&eth, skb_mac_header(skb), sizeof(eth));

	if (iptunnel_pull_offloads(skb))
		return -ENOMEM;
	skb_pull_rcsum(skb, off);
	skb_reset_network_header(skb);
	/* lw4o6_inner_valid() pulled the whole IPv4 header */
	skb_set_transport_header(skb, ip_hdr(skb)->ihl * 4);
	if (pskb_trim_rcsum(skb, len))
		return -ENOMEM;
	skb->protocol = htons(ETH_P_IP);

	err = lw4o6_ecn_decap(skb, outer);
	if (err) {
		if (err == -EPROTO && skb->dev)
			lw4o6_count(dev_net(skb->dev), LW4O6_STAT_ECN_DROPPED);
		return err;
	}

	skb_scrub_packet(skb, false);
	skb_clear_hash(skb);
	__vlan_hwaccel_clear_tag(skb);
	skb_set_queue_mapping(skb, 0);
	memset(IPCB(skb), 0, sizeof(*IPCB(skb)));

	if (ether) {
		if (skb_cow_head(skb, ETH_HLEN))
			return -ENOMEM;
		neth = (struct ethhdr *)(skb->data - ETH_HLEN);
		ether_addr_copy(neth->h_dest, eth.h_dest);
		ether_addr_copy(neth->h_source, eth.h_source);
		neth->h_proto = htons(ETH_P_IP);
		skb_set_mac_header(skb, -ETH_HLEN);
		skb->mac_len = ETH_HLEN;
	} else {
		skb_reset_mac_header(skb);
		skb->mac_len = 0;
	}
	return 0;
}

/*
 * The IPv4 packet, as if it had arrived on this interface (the wan on a
 * B4). The IPv4 stack checks it as such, rp_filter too: it looks for a
 * route back to the inner source through that interface. A B4 whose IPv4
 * default route is "dev wan" passes strict mode (rp_filter=1); one that
 * routes the softwire by policy and has another default route needs loose
 * mode (rp_filter=2) on the wan. See docs/lw4o6-b4-design.md.
 */
static unsigned int lw4o6_deliver(struct net *net, struct sk_buff *skb,
				  int off, unsigned int len)
{
	int err = lw4o6_strip(skb, off, len);

	if (err) {
		if (err != -EPROTO)
			lw4o6_count(net, LW4O6_STAT_MALFORMED);
		return NF_DROP;
	}
	lw4o6_count(net, LW4O6_STAT_DECAPSULATED);
	netif_rx(skb);
	return NF_STOLEN;
}

/*
 * Whether a B4 relays an ICMPv4 error to the source of the IPv4 packet it
 * encapsulated (skb2: that packet, routed back to its source). A source
 * behind the B4 (DS-Lite: a LAN host) is routed away from the softwire. A
 * source that SNAT made the shared address is routed back into the
 * softwire: the error reaches the LAN host only if conntrack knows the
 * packet's connection, whose NAT then rewrites the error in OUTPUT.
 * Without one (a packet the B4 did not NAT), the error would only go to
 * the AFTR as a packet from the B4's own address.
 */
static bool lw4o6_b4_relay_ok(struct net *net, struct sk_buff *skb2,
			      const struct net_device *wan)
{
	struct nf_conntrack_tuple tuple, reply;
	struct nf_conntrack_tuple_hash *h;

	if (skb_dst(skb2)->dev != wan)
		return true;
	if (!nf_ct_get_tuplepr(skb2, 0, NFPROTO_IPV4, net, &tuple) ||
	    !nf_ct_invert_tuple(&reply, &tuple))
		return false;
	h = nf_conntrack_find_get(net, &nf_ct_zone_dflt, &reply);
	if (!h)
		return false;
	nf_ct_put(nf_ct_tuplehash_to_ctrack(h));
	return true;
}

/*
 * An ICMPv6 error to one of our softwire addresses about a packet we
 * encapsulated (RFC 7596 sections 5.1 and 6.2 point to RFC 2473 section
 * 8, as Linux's ip4ip6_err does): for Packet Too Big, the path MTU towards
 * the other end of the softwire is learnt (a route exception, which the
 * next encapsulation reads: an oversized IPv4 packet then gets
 * Fragmentation Needed if it has DF, else is fragmented); and the error is
 * relayed as ICMPv4 to the source of the IPv4 packet inside the quoted one:
 * Fragmentation Needed with the MTU less the outer headers for Packet Too
 * Big (if that packet had DF), host unreachable for the others (the
 * softwire is the link that failed). icmp_send() rate limits the relayed
 * errors. The quoted packet must have left from the address the error is
 * sent to; d: the binding table that must bind the quoted packet's IPv4
 * destination to its IPv6 destination (AFTR), or NULL (B4, which relays
 * only what can reach its source: lw4o6_b4_relay_ok). relay: false to
 * learn only. The caller lets the ICMPv6 error go on to the local stack.
 */
static void lw4o6_icmp6_err(struct net *net, struct sk_buff *skb,
			    struct softwire_table_data *d, bool relay)
{
	unsigned int qoff, ioff, rel_info = 0;
	u8 nexthdr = ipv6_hdr(skb)->nexthdr;
	const struct icmp6hdr *ih;
	const struct ipv6hdr *qh;
	const struct iphdr *iph;
	struct sk_buff *skb2;
	u8 rel_code, type;
	__be16 frag_off;
	int off, port;

	off = ipv6_skip_exthdr(skb, skb_network_offset(skb) +
			       sizeof(struct ipv6hdr), &nexthdr, &frag_off);
	if (off < 0 || nexthdr != IPPROTO_ICMPV6 || frag_off)
		return;
	qoff = off + sizeof(*ih);
	if (!pskb_may_pull(skb, qoff + sizeof(*qh)))
		return;
	ih = (const struct icmp6hdr *)(skb->data + off);
	type = ih->icmp6_type;
	if ((type != ICMPV6_DEST_UNREACH && type != ICMPV6_PKT_TOOBIG &&
	     type != ICMPV6_TIME_EXCEED && type != ICMPV6_PARAMPROB) ||
	    nf_ip6_checksum(skb, NF_INET_PRE_ROUTING, off, IPPROTO_ICMPV6))
		return;
	ih = (const struct icmp6hdr *)(skb->data + off);
	qh = (const struct ipv6hdr *)(skb->data + qoff);
	if (qh->version != 6 || !ipv6_addr_equal(&qh->saddr, &ipv6_hdr(skb)->daddr))
		return;
	nexthdr = qh->nexthdr;
	off = ipv6_skip_exthdr(skb, qoff + sizeof(*qh), &nexthdr, &frag_off);
	if (off < 0 || nexthdr != IPPROTO_IPIP || (frag_off & htons(~0x7)))
		return;
	ioff = off;
	if (!pskb_may_pull(skb, ioff + sizeof(*iph)))
		return;
	iph = (const struct iphdr *)(skb->data + ioff);
	qh = (const struct ipv6hdr *)(skb->data + qoff);
	if (iph->version != 4 || iph->ihl < 5)
		return;
	if (d) {
		struct softwire_bind b;

		port = lw4o6_port(skb, ioff, true);
		if (port == LW4O6_TRUNCATED ||
		    !softwire_table_find(d, iph->daddr, port, &b) ||
		    !ipv6_addr_equal(&b.b4, &qh->daddr) ||
		    !ipv6_addr_equal(&b.aftr, &qh->saddr))
			return;
	}

	rel_code = ICMP_HOST_UNREACH;
	if (type == ICMPV6_PKT_TOOBIG) {
		u32 mtu = ntohl(ih->icmp6_mtu);

		/* ip6_update_pmtu() reads the quoted header at skb->data. */
		__skb_pull(skb, qoff);
		ip6_update_pmtu(skb, net, htonl(mtu), 0, skb->mark,
				sock_net_uid(net, NULL));
		__skb_push(skb, qoff);
		lw4o6_count(net, LW4O6_STAT_PMTU_LEARNED);
		iph = (const struct iphdr *)(skb->data + ioff);
		if (!(iph->frag_off & htons(IP_DF)) ||
		    mtu < ioff - qoff + 68)
			return;
		rel_code = ICMP_FRAG_NEEDED;
		rel_info = mtu - (ioff - qoff);
	}
	if (!relay)
		return;

	skb2 = skb_clone(skb, GFP_ATOMIC);
	if (!skb2)
		return;
	__skb_pull(skb2, ioff);
	skb_reset_network_header(skb2);
	skb2->protocol = htons(ETH_P_IP);
	skb_dst_drop(skb2);
	nf_reset_ct(skb2);
	memset(IPCB(skb2), 0, sizeof(*IPCB(skb2)));
	if (lw4o6_route_back(net, skb2) &&
	    (d || lw4o6_b4_relay_ok(net, skb2, skb->dev))) {
		icmp_send(skb2, ICMP_DEST_UNREACH, rel_code, htonl(rel_info));
		lw4o6_count(net, LW4O6_STAT_ICMP6_RELAYED);
	}
	kfree_skb(skb2);
}

/* Mesh: is the outer source the CE that owns the inner source:port? */
static bool lw4o6_from_peer(struct sk_buff *skb, int off,
			    const struct xt_lw4o6_tginfo *info)
{
	const struct iphdr *iph = (const struct iphdr *)(skb->data + off);
	struct softwire_bind b;
	int port;

	if (!(info->flags & XT_LW4O6_MESH))
		return false;
	port = lw4o6_port(skb, off, false);
	return port != LW4O6_TRUNCATED &&
	       softwire_table_find(rcu_dereference(info->bt->data), iph->saddr,
			     port, &b) &&
	       ipv6_addr_equal(&b.b4, &ipv6_hdr(skb)->saddr);
}

static unsigned int lw4o6_b4_decap_tg(struct sk_buff *skb,
				      const struct xt_action_param *par)
{
	const struct xt_lw4o6_tginfo *info = par->targinfo;
	const struct ipv6hdr *ip6h = ipv6_hdr(skb);
	struct net *net = xt_net(par);
	const struct iphdr *iph;
	unsigned int len;
	__be16 frag_off;
	bool from_aftr;
	int off;

	/* Not a softwire packet to us: none of our business. */
	if (!ipv6_addr_equal(&ip6h->daddr, lw4o6_b4_of(info)))
		return XT_CONTINUE;
	off = lw4o6_inner_offset(skb, &frag_off);
	if (off < 0) {
		lw4o6_icmp6_err(net, skb, NULL, true);
		return XT_CONTINUE;
	}

	/* Only from our AFTR (RFC 7596 section 5.1), or from the CE that an
	 * FMR gives for the inner source address and port (RFC 7597 5.3).
	 */
	from_aftr = ipv6_addr_equal(&ip6h->saddr, lw4o6_aftr_of(info));
	if (!from_aftr && !(info->flags & XT_LW4O6_MESH)) {
		lw4o6_count(net, LW4O6_STAT_WRONG_AFTR);
		return NF_DROP;
	}
	if (!lw4o6_inner_valid(skb, off, frag_off, &len)) {
		lw4o6_count(net, LW4O6_STAT_MALFORMED);
		return NF_DROP;
	}
	if (!from_aftr && !lw4o6_from_peer(skb, off, info)) {
		lw4o6_count(net, LW4O6_STAT_WRONG_AFTR);
		return NF_DROP;
	}

	if (info->flags & (XT_LW4O6_PORT_SET | XT_LW4O6_EU_PREFIX)) {
		const struct psid_set set = lw4o6_ports_of(info);
		int port;

		iph = (const struct iphdr *)(skb->data + off);
		/* A later fragment carries no port: it is let through. */
		port = lw4o6_port(skb, off, true);
		if (!(iph->frag_off & htons(IP_OFFSET)) &&
		    (port < 0 || !psid_port_in_set(&set, port))) {
			lw4o6_count(net, LW4O6_STAT_PORT_NOT_OURS);
			return NF_DROP;
		}
	}
	return lw4o6_deliver(net, skb, off, len);
}

/* ---- AFTR/BR: binding tables ------------------------------------------ */

/* Forwarding the IPv4 packet: TTL less one, or ICMP time exceeded. */
static bool lw4o6_forward_ttl(struct net *net, struct sk_buff *skb,
			      const struct xt_lw4o6_tginfo *info)
{
	if (ip_hdr(skb)->ttl <= 1) {
		if (!(info->flags & XT_LW4O6_NO_ICMP_ERRORS))
			lw4o6_icmp4(net, skb, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL, 0);
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
static unsigned int lw4o6_aftr_encap_tg(struct sk_buff *skb,
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
	if (port == LW4O6_TRUNCATED ||
	    !softwire_table_find(rcu_dereference(bt->data), ip_hdr(skb)->daddr,
			   port, &b)) {
		softwire_table_count(bt, SOFTWIRE_TABLE_STAT_UNBOUND);
		/* RFC 7596 section 8.1: an inbound ICMP message that matches
		 * no softwire is discarded, without an error.
		 */
		if ((info->flags & XT_LW4O6_ICMP) && !icmp &&
		    lw4o6_icmp4(net, skb, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, 0))
			softwire_table_count(bt, SOFTWIRE_TABLE_STAT_ICMP_REQUESTED);
		return NF_DROP;
	}
	/* Not routed yet: this is the forwarding step. */
	if (xt_hooknum(par) == NF_INET_PRE_ROUTING &&
	    !lw4o6_forward_ttl(net, skb, info))
		return NF_DROP;
	softwire_table_count(bt, SOFTWIRE_TABLE_STAT_ENCAPSULATED);
	lw4o6_encap(net, skb, &b.aftr, &b.b4, info);
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
static unsigned int lw4o6_aftr_decap_tg(struct sk_buff *skb,
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
		lw4o6_icmp6_err(net, skb, d,
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
		if ((info->flags & XT_LW4O6_ICMP) && lw4o6_route_back(net, skb)) {
			icmpv6_send(skb, ICMPV6_DEST_UNREACH, ICMPV6_POLICY_FAIL, 0);
			softwire_table_count(bt, SOFTWIRE_TABLE_STAT_ICMP_REQUESTED);
		}
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
		lw4o6_encap(net, skb, &b.aftr, &b.b4, info);
		return NF_STOLEN;
	}
	softwire_table_count(bt, SOFTWIRE_TABLE_STAT_DECAPSULATED);
	return lw4o6_deliver(net, skb, off, len);
}

static unsigned int lw4o6_encap_tg(struct sk_buff *skb,
				   const struct xt_action_param *par)
{
	const struct xt_lw4o6_tginfo *info = par->targinfo;

	if (info->flags & XT_LW4O6_TABLE)
		return lw4o6_aftr_encap_tg(skb, par);
	return lw4o6_b4_encap_tg(skb, par);
}

static unsigned int lw4o6_decap_tg(struct sk_buff *skb,
				   const struct xt_action_param *par)
{
	const struct xt_lw4o6_tginfo *info = par->targinfo;

	if (info->flags & XT_LW4O6_TABLE)
		return lw4o6_aftr_decap_tg(skb, par);
	return lw4o6_b4_decap_tg(skb, par);
}

/* ---- rules ------------------------------------------------------------- */

static int lw4o6_check_b4(const struct xt_tgchk_param *par,
			  const struct xt_lw4o6_tginfo *info)
{
	const struct psid_set set = lw4o6_ports_of(info);

	if (info->flags & XT_LW4O6_EU_PREFIX) {
		if (!(info->flags & XT_LW4O6_MESH) ||
		    (info->flags & XT_LW4O6_PORT_SET) || info->eu_len > 64) {
			pr_info_ratelimited("--end-user-prefix (up to /64) takes --binding-table, and derives the rest\n");
			return -EINVAL;
		}
	} else if (ipv6_addr_any(&info->b4.in6) || ipv6_addr_any(&info->aftr.in6) ||
	    ipv6_addr_is_multicast(&info->b4.in6) ||
	    ipv6_addr_is_multicast(&info->aftr.in6)) {
		pr_info_ratelimited("--b4 and --aftr must be unicast IPv6 addresses\n");
		return -EINVAL;
	}
	if (par->family == NFPROTO_IPV4 &&
	    (par->hook_mask & ~(1 << NF_INET_POST_ROUTING))) {
		pr_info_ratelimited("with --b4, LW4O6 encapsulates in POSTROUTING only\n");
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
	if (info->flags & (XT_LW4O6_ICMP | XT_LW4O6_NO_HAIRPIN | XT_LW4O6_DROP_ICMP |
			   XT_LW4O6_NO_ICMP_ERRORS)) {
		pr_info_ratelimited("--icmp, --no-icmp-errors, --drop-icmp and --no-hairpin are for the AFTR (--binding-table)\n");
		return -EINVAL;
	}
	if (par->family == NFPROTO_IPV6 &&
	    (info->hop_limit || (info->flags & (XT_LW4O6_TCLASS | XT_LW4O6_FLOWLABEL)))) {
		pr_info_ratelimited("a B4's ip6tables rule decapsulates: --hop-limit, --tclass and --flowlabel are for iptables\n");
		return -EINVAL;
	}
	return 0;
}

static int lw4o6_get_table(const struct xt_tgchk_param *par,
			   struct xt_lw4o6_tginfo *info)
{
	if (strnlen(info->table, sizeof(info->table)) == sizeof(info->table) ||
	    !info->table[0]) {
		pr_info_ratelimited("bad table name\n");
		return -EINVAL;
	}
	info->bt = softwire_table_get(par->net, info->table);
	if (!info->bt) {
		pr_info_ratelimited("no binding table %s in this network namespace (softwirectl create)\n",
				    info->table);
		return -ENOENT;
	}
	return 0;
}

/* A MAP-E CE: its address, port set and BR from the table's BMR. */
static int lw4o6_derive_ce(struct xt_lw4o6_tginfo *info)
{
	struct map_ce ce;
	int err;

	err = softwire_table_derive(info->bt, &info->eu_prefix.in6, info->eu_len,
			      &ce, &info->br);
	if (err) {
		pr_info_ratelimited("table %s: %s\n", info->table, err == -ENOENT ?
				    "no rule to be the BMR" :
				    "the End-user prefix is not under the BMR, or too short");
		softwire_table_put(info->bt);
		info->bt = NULL;
		return err;
	}
	memcpy(&info->ce, ce.ip6, sizeof(info->ce));
	info->ce_psid = ce.ports.psid;
	info->ce_psid_len = ce.ports.len;
	info->ce_psid_offset = ce.ports.offset;
	return 0;
}

static int lw4o6_check_aftr(const struct xt_tgchk_param *par,
			    struct xt_lw4o6_tginfo *info)
{
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
	return lw4o6_get_table(par, info);
}

static int lw4o6_tg_check(const struct xt_tgchk_param *par)
{
	struct xt_lw4o6_tginfo *info = par->targinfo;
	int err;

	if (strcmp(par->table, "mangle") != 0 && strcmp(par->table, "raw") != 0) {
		pr_info_ratelimited("LW4O6 works in the mangle and raw tables, not in %s\n",
				    par->table);
		return -EINVAL;
	}
	if (info->flags & ~XT_LW4O6_FLAGS) {
		pr_info_ratelimited("unknown flags 0x%x\n", info->flags);
		return -EINVAL;
	}
	if (info->flowlabel & ~0xfffffU) {
		pr_info_ratelimited("a flow label has 20 bits\n");
		return -EINVAL;
	}
	info->bt = NULL;
	info->b4rule = NULL;
	if ((info->flags & XT_LW4O6_TABLE) && (info->flags & XT_LW4O6_MESH)) {
		pr_info_ratelimited("a rule is for an AFTR or for a CE, not both\n");
		return -EINVAL;
	}
	if (info->flags & XT_LW4O6_TABLE) {
		err = lw4o6_check_aftr(par, info);
	} else {
		err = lw4o6_check_b4(par, info);
		if (!err && (info->flags & XT_LW4O6_MESH))
			err = lw4o6_get_table(par, info);
		if (!err && (info->flags & XT_LW4O6_EU_PREFIX))
			err = lw4o6_derive_ce(info);
	}
	if (err)
		return err;
	/*
	 * IPv6 fragments are reassembled before decapsulation. An AFTR also
	 * reassembles IPv4 fragments before looking them up: a later
	 * fragment has no port to find its softwire by (a sender that
	 * learnt the softwire's MTU fragments what it sends without DF).
	 */
	if (par->family == NFPROTO_IPV6)
		err = nf_defrag_ipv6_enable(par->net);
	else if (info->flags & XT_LW4O6_TABLE)
		err = nf_defrag_ipv4_enable(par->net);
	else
		err = lw4o6_b4_rule_add(par, info);
	if (err && info->bt) {
		softwire_table_put(info->bt);
		info->bt = NULL;
	}
	return err;
}

static void lw4o6_tg_destroy(const struct xt_tgdtor_param *par)
{
	struct xt_lw4o6_tginfo *info = par->targinfo;

	/* First: the after-SNAT hook may use the table until this returns. */
	if (info->b4rule)
		lw4o6_b4_rule_del(par->net, info);
	if (info->bt)
		softwire_table_put(info->bt);
	if (par->family == NFPROTO_IPV6)
		nf_defrag_ipv6_disable(par->net);
	else if (info->flags & XT_LW4O6_TABLE)
		nf_defrag_ipv4_disable(par->net);
}

static struct xt_target lw4o6_tg_reg[] __read_mostly = {
	{
		.name		= "LW4O6",
		.family		= NFPROTO_IPV4,
		.target		= lw4o6_encap_tg,
		.checkentry	= lw4o6_tg_check,
		.destroy	= lw4o6_tg_destroy,
		.targetsize	= sizeof(struct xt_lw4o6_tginfo),
		.usersize	= offsetof(struct xt_lw4o6_tginfo, bt),
		.hooks		= (1 << NF_INET_PRE_ROUTING) |
				  (1 << NF_INET_FORWARD) |
				  (1 << NF_INET_LOCAL_OUT) |
				  (1 << NF_INET_POST_ROUTING),
		.me		= THIS_MODULE,
	},
	{
		.name		= "LW4O6",
		.family		= NFPROTO_IPV6,
		.target		= lw4o6_decap_tg,
		.checkentry	= lw4o6_tg_check,
		.destroy	= lw4o6_tg_destroy,
		.targetsize	= sizeof(struct xt_lw4o6_tginfo),
		.usersize	= offsetof(struct xt_lw4o6_tginfo, bt),
		.hooks		= 1 << NF_INET_PRE_ROUTING,
		.me		= THIS_MODULE,
	},
};

static int __net_init lw4o6_net_init(struct net *net)
{
	return softwire_stats_net_init(net, &lw4o6_stats);
}

static void __net_exit lw4o6_net_exit(struct net *net)
{
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

	err = softwire_table_init();
	if (err)
		return err;
	err = register_pernet_subsys(&lw4o6_net_ops);
	if (err)
		goto bt;
	err = softwire_after_snat_init(&lw4o6_stats, LW4O6_STAT_RULE_GONE);
	if (err)
		goto pernet;
	err = xt_register_targets(lw4o6_tg_reg, ARRAY_SIZE(lw4o6_tg_reg));
	if (err)
		goto after_snat;
	return 0;
after_snat:
	softwire_after_snat_exit();
pernet:
	unregister_pernet_subsys(&lw4o6_net_ops);
bt:
	softwire_table_exit();
	return err;
}

static void __exit lw4o6_tg_exit(void)
{
	xt_unregister_targets(lw4o6_tg_reg, ARRAY_SIZE(lw4o6_tg_reg));
	softwire_after_snat_exit();
	unregister_pernet_subsys(&lw4o6_net_ops);
	softwire_table_exit();
}

module_init(lw4o6_tg_init);
module_exit(lw4o6_tg_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Xtables: stateless IPv4-in-IPv6 softwires (lw4o6, MAP-E, DS-Lite)");
MODULE_ALIAS("ipt_LW4O6");
MODULE_ALIAS("ip6t_LW4O6");
