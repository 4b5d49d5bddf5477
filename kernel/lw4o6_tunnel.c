// SPDX-License-Identifier: GPL-2.0
/*
 * xt_LW4O6: the softwire itself, for both of its ends. Encapsulation of
 * IPv4 in IPv6 (RFC 2473, as RFC 7596 section 5.1, RFC 6333 section 5 and
 * RFC 7597 section 5 have it), decapsulation, the port that tells which
 * softwire a packet belongs to, and ICMP errors.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/if_arp.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/skbuff.h>
#include <linux/version.h>
#include <net/dsfield.h>
#include <net/dst_cache.h>
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
#include <net/gso.h>		/* skb_gso_validate_network_len */
#endif
#include <net/icmp.h>
#include <net/inet_ecn.h>
#include <net/ip.h>
#include <net/ip_tunnels.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/netfilter/nf_conntrack.h>

#include "lw4o6.h"
#include "softwire_flowtable.h"
#include "softwire_icmp.h"

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
	[LW4O6_STAT_CT_KEPT]		= "conntrack_kept_off_flowtable",
	[LW4O6_STAT_CT_KEEP_FAILED]	= "dropped_conntrack_no_memory",
	[LW4O6_STAT_SRC_NOT_OURS]	= "encap_dropped_source_not_ours",
	[LW4O6_STAT_SPORT_NOT_OURS]	= "encap_dropped_port_not_in_set",
	[LW4O6_STAT_ENCAP_MALFORMED]	= "encap_dropped_malformed",
};

struct softwire_stats lw4o6_stats = {
	.proc_name	= "xt_LW4O6",
	.names		= lw4o6_stat_names,
	.count		= LW4O6_STAT_MAX,
};

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
 * The route to daddr, from cache if the caller has one for it (a B4 rule:
 * always the same two ends), as Linux's tunnels keep theirs: the cache
 * holds one route per CPU and drops it when the routing table changes
 * (dst_cache checks the route's cookie). A packet with a mark may be routed
 * otherwise by policy: it is looked up every time.
 */
static struct dst_entry *lw4o6_route(struct net *net, struct flowi6 *fl6,
				     struct dst_cache *cache)
{
	struct dst_entry *dst;
	struct in6_addr saddr;

	if (cache && !fl6->flowi6_mark) {
		local_bh_disable();
		dst = dst_cache_get_ip6(cache, &saddr);
		local_bh_enable();
		if (dst)
			return dst;
	}
	dst = ip6_route_output(net, NULL, fl6);
	if (dst->error) {
		dst_release(dst);
		return NULL;
	}
	if (cache && !fl6->flowi6_mark) {
		local_bh_disable();
		dst_cache_set_ip6(cache, dst, &fl6->saddr);
		local_bh_enable();
	}
	return dst;
}

/*
 * Encapsulate an IPv4 packet and send it from saddr to daddr, routed
 * through cache (or NULL: lw4o6_route); consumes skb. As Linux's own ip4ip6 tunnel does (ip6_tnl_xmit), the offloads
 * stay: a GSO packet leaves as one SKB_GSO_IPXIP6 super-packet, segmented
 * by the device or, late, by the stack; a CHECKSUM_PARTIAL packet keeps
 * its inner checksum to be completed (skb->encapsulation and the inner
 * headers tell where). RFC 2473 section 6.5 and RFC 6437: the flow label
 * is a hash of the inner flow unless --flowlabel.
 */
void lw4o6_encap(struct net *net, struct sk_buff *skb,
		 const struct in6_addr *saddr, const struct in6_addr *daddr,
		 const struct xt_lw4o6_tginfo *info, struct dst_cache *cache)
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

	dst = lw4o6_route(net, &fl6, cache);
	if (!dst)
		goto drop;

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
			else if (softwire_icmp4_send(net, skb, ICMP_DEST_UNREACH,
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

/* ---- the port that names a softwire ----------------------------------- */

/*
 * The port that tells which softwire an IPv4 packet belongs to (RFC 7596
 * section 8, RFC 7597 section 8.2). Towards the B4 (to_b4): the destination
 * port; from it: the source port. ICMP: the echo identifier; an ICMP error
 * is matched by the packet it quotes, which went the other way.
 * SOFTWIRE_NO_PORT for a later fragment or a protocol without ports,
 * LW4O6_TRUNCATED when the headers are cut short.
 */
int lw4o6_port(struct sk_buff *skb, unsigned int off, bool to_b4)
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

/* A whole, valid IPv4 header at off; its total length in *len. */
bool lw4o6_inner_valid(struct sk_buff *skb, int off, __be16 frag_off,
		       unsigned int *len)
{
	const struct iphdr *iph;

	/* Fragments were reassembled: by nf_defrag_ipv6 (AFTR, checkentry), by
	 * the IPv6 stack before its tunnel handlers (B4).
	 */
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
 * The Ethernet header of a received frame, kept across a change of the
 * packet's family (decapsulation here, translation in mapt_target.c): true
 * and *eth filled when skb came in with one.
 */
bool lw4o6_eth_save(const struct sk_buff *skb, struct ethhdr *eth)
{
	if (!skb->dev || skb->dev->type != ARPHRD_ETHER ||
	    !skb_mac_header_was_set(skb) || skb_mac_header_len(skb) != ETH_HLEN)
		return false;
	memcpy(eth, skb_mac_header(skb), sizeof(*eth));
	return true;
}

/*
 * The MAC header of skb (network header at skb->data) to be received again
 * as skb->protocol: eth's addresses in front, or none (eth NULL).
 */
int lw4o6_eth_restore(struct sk_buff *skb, const struct ethhdr *eth)
{
	struct ethhdr *neth;

	if (!eth) {
		skb_reset_mac_header(skb);
		skb->mac_len = 0;
		return 0;
	}
	if (skb_cow_head(skb, ETH_HLEN))
		return -ENOMEM;
	neth = (struct ethhdr *)(skb->data - ETH_HLEN);
	ether_addr_copy(neth->h_dest, eth->h_dest);
	ether_addr_copy(neth->h_source, eth->h_source);
	neth->h_proto = skb->protocol;
	skb_set_mac_header(skb, -ETH_HLEN);
	skb->mac_len = ETH_HLEN;
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
int lw4o6_strip(struct sk_buff *skb, int off, unsigned int len)
{
	u8 outer = ipv6_get_dsfield(ipv6_hdr(skb));
	struct ethhdr eth;
	bool ether = lw4o6_eth_save(skb, &eth);
	int err;

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
	return lw4o6_eth_restore(skb, ether ? &eth : NULL);
}

/*
 * The IPv4 packet, as if it had arrived on this interface (the wan on a
 * B4). The IPv4 stack checks it as such, rp_filter too: it looks for a
 * route back to the inner source through that interface. A B4 whose IPv4
 * default route is "dev wan" passes strict mode (rp_filter=1); one that
 * routes the softwire by policy and has another default route needs loose
 * mode (rp_filter=2) on the wan. See docs/lw4o6-b4-design.md. Consumes
 * skb on success (0); on an error the caller drops it.
 */
int lw4o6_deliver(struct net *net, struct sk_buff *skb, int off,
		  unsigned int len)
{
	int err = lw4o6_strip(skb, off, len);

	if (err) {
		if (err != -EPROTO)
			lw4o6_count(net, LW4O6_STAT_MALFORMED);
		return err;
	}
	lw4o6_count(net, LW4O6_STAT_DECAPSULATED);
	/* Its connection starts in the IPv4 hooks: keep it off flowtables. */
	softwire_flowtable_via_dev(net, skb->dev);
	netif_rx(skb);
	return 0;
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
 * errors.
 *
 * The quoted packet (at skb->data + e->qoff; the error's own IPv6 header
 * is the network header) must have left from the address the error is
 * sent to. An AFTR (e->d) checks that its binding table binds the quoted
 * packet's IPv4 destination to its IPv6 destination and source; a B4
 * checks that it went to its AFTR (e->peer), or anywhere for a MAP-E CE
 * (peer NULL), and relays only what can reach its source (relay_ok). The
 * caller lets the ICMPv6 error go on to the local stack, or not.
 */
bool lw4o6_icmp6_quoted(struct net *net, struct sk_buff *skb,
			const struct lw4o6_icmp6_err *e)
{
	unsigned int qoff = e->qoff, ioff, rel_info = 0;
	const struct ipv6hdr *qh;
	const struct iphdr *iph;
	struct sk_buff *skb2;
	__be16 frag_off;
	u8 rel_code, nexthdr;
	int off, port;

	if (!pskb_may_pull(skb, qoff + sizeof(*qh)))
		return false;
	qh = (const struct ipv6hdr *)(skb->data + qoff);
	if (qh->version != 6 || !ipv6_addr_equal(&qh->saddr, &ipv6_hdr(skb)->daddr) ||
	    (e->peer && !ipv6_addr_equal(&qh->daddr, e->peer)))
		return false;
	nexthdr = qh->nexthdr;
	off = ipv6_skip_exthdr(skb, qoff + sizeof(*qh), &nexthdr, &frag_off);
	if (off < 0 || nexthdr != IPPROTO_IPIP || (frag_off & htons(~0x7)))
		return false;
	ioff = off;
	if (!pskb_may_pull(skb, ioff + sizeof(*iph)))
		return false;
	iph = (const struct iphdr *)(skb->data + ioff);
	qh = (const struct ipv6hdr *)(skb->data + qoff);
	if (iph->version != 4 || iph->ihl < 5)
		return false;
	if (e->d) {
		struct softwire_bind b;

		port = lw4o6_port(skb, ioff, true);
		if (port == LW4O6_TRUNCATED ||
		    !softwire_table_find(e->d, iph->daddr, port, &b) ||
		    !ipv6_addr_equal(&b.b4, &qh->daddr) ||
		    !ipv6_addr_equal(&b.aftr, &qh->saddr))
			return false;
	}

	rel_code = ICMP_HOST_UNREACH;
	if (e->type == ICMPV6_PKT_TOOBIG) {
		/* ip6_update_pmtu() reads the quoted header at skb->data. */
		__skb_pull(skb, qoff);
		ip6_update_pmtu(skb, net, htonl(e->mtu), 0, skb->mark,
				sock_net_uid(net, NULL));
		__skb_push(skb, qoff);
		lw4o6_count(net, LW4O6_STAT_PMTU_LEARNED);
		iph = (const struct iphdr *)(skb->data + ioff);
		if (!(iph->frag_off & htons(IP_DF)) ||
		    e->mtu < ioff - qoff + 68)
			return true;
		rel_code = ICMP_FRAG_NEEDED;
		rel_info = e->mtu - (ioff - qoff);
	}
	if (!e->relay)
		return true;

	skb2 = skb_clone(skb, GFP_ATOMIC);
	if (!skb2)
		return true;
	__skb_pull(skb2, ioff);
	skb_reset_network_header(skb2);
	skb2->protocol = htons(ETH_P_IP);
	skb_dst_drop(skb2);
	nf_reset_ct(skb2);
	memset(IPCB(skb2), 0, sizeof(*IPCB(skb2)));
	if (softwire_route_back(net, skb2) &&
	    (!e->relay_ok || e->relay_ok(net, skb2, skb->dev))) {
		icmp_send(skb2, ICMP_DEST_UNREACH, rel_code, htonl(rel_info));
		lw4o6_count(net, LW4O6_STAT_ICMP6_RELAYED);
	}
	kfree_skb(skb2);
	return true;
}
