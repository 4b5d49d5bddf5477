// SPDX-License-Identifier: GPL-2.0
/*
 * MAPT: stateless IPv4/IPv6 translation (RFC 7915) for a MAP-T CE or BR
 * (RFC 7599), a 464XLAT CLAT (RFC 6877 section 6.3) or an SIIT with EAM
 * (RFC 7757), in the module xt_LW4O6 (whose tables hold the MAP rules,
 * EAM entries, DMR and the translator's policy). docs/mapt-design.md.
 *
 *   BR/SIIT/CLAT: iptables -t raw -A PREROUTING ... -j MAPT --binding-table T
 *                 ip6tables -t raw -A PREROUTING ... -j MAPT --binding-table T
 *   CE:           iptables -t nat -A POSTROUTING -o wan -j SNATPSID --end-user-prefix P --binding-table T
 *                 iptables -t mangle -A POSTROUTING -o wan -j MAPT --end-user-prefix P --binding-table T
 *                 ip6tables -t raw -A PREROUTING -i wan -j MAPT --end-user-prefix P --binding-table T
 *
 * In raw PREROUTING a packet is translated before routing and received
 * again on its device as the other family (netif_rx), so routing,
 * conntrack and the firewall of that family see it as if it had arrived
 * so; NF_STOLEN. In mangle POSTROUTING (IPv4) the packet is marked, and
 * the after-SNAT hook (softwire_after_snat.c) translates it after NAPT put
 * it into the CE's port set and sends it as IPv6: NAPT and translation in
 * one namespace.
 *
 * The header translation and the ICMP error translation are plain C
 * (xlat_hdr.c, xlat_icmp.c), the address mapping too (xlat_addr.c: MAP
 * rule, then EAM, then DMR). Packets other than ICMP errors are changed in
 * place: the IP header is replaced in front of the transport header, whose
 * checksum is updated incrementally, so non-linear and GSO packets keep
 * their shape. ICMP errors (small, never fragmented) are translated whole
 * into a new skb.
 *
 * Fragments: the rules turn on conntrack's defragmentation in their
 * namespace (nf_defrag_ipv4/ipv6), so the target sees whole packets and
 * every fragment reaches the right CE (reassemble first); the packet is
 * fragmented again on the way out, as any forwarded packet.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/netfilter/x_tables.h>
#include <linux/random.h>
#include <linux/skbuff.h>
#include <linux/version.h>
#include <net/icmp.h>
#include <net/ip.h>
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
#include <net/gso.h>		/* skb_gso_validate_network_len */
#endif
#include <net/ip6_checksum.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/netfilter/ipv4/nf_defrag_ipv4.h>
#include <net/netfilter/ipv6/nf_defrag_ipv6.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/route.h>

#include "xt_MAPT.h"
#include "lw4o6.h"
#include "softwire_after_snat.h"
#include "softwire_flowtable.h"
#include "softwire_icmp.h"
#include "softwire_stats.h"
#include "softwire_tables.h"
#include "xlat_addr.h"
#include "xlat_hdr.h"
#include "xlat_icmp.h"

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
	MAPT_STAT_FRAG_ICMP,		/* fragmented ICMP (no defrag) */
	MAPT_STAT_TTL,			/* TTL/hop limit exceeded */
	MAPT_STAT_FRAG_NEEDED,		/* too big with DF: ICMP sent */
	MAPT_STAT_ICMP_NO_SOURCE,	/* error from an unmappable router */
	MAPT_STAT_BAD_CSUM,		/* ICMP error with a bad checksum */
	MAPT_STAT_NO_ROUTE,		/* IPv6 out: no route */
	MAPT_STAT_NO_MEMORY,
	MAPT_STAT_MAX
};

static const char *const mapt_stat_names[MAPT_STAT_MAX] = {
	[MAPT_STAT_4TO6]		= "translated_4to6",
	[MAPT_STAT_6TO4]		= "translated_6to4",
	[MAPT_STAT_ICMP_ERR]		= "icmp_errors_translated",
	[MAPT_STAT_HAIRPIN]		= "hairpinned",
	[MAPT_STAT_MALFORMED]		= "dropped_malformed",
	[MAPT_STAT_ICMP_TYPE]		= "dropped_icmp_untranslatable",
	[MAPT_STAT_SPOOFED]		= "dropped_spoofed",
	[MAPT_STAT_PORT]		= "dropped_port_not_ours",
	[MAPT_STAT_NOT_CE]		= "dropped_source_not_ce",
	[MAPT_STAT_UNMAPPED]		= "dropped_unmapped",
	[MAPT_STAT_UDP_ZERO]		= "dropped_udp_zero_checksum",
	[MAPT_STAT_SOURCE_ROUTE]	= "dropped_source_route",
	[MAPT_STAT_SEGMENTS_LEFT]	= "dropped_segments_left",
	[MAPT_STAT_EXT_HEADERS]		= "dropped_extension_headers",
	[MAPT_STAT_FRAG_ICMP]		= "dropped_fragmented_icmp",
	[MAPT_STAT_TTL]			= "dropped_ttl_exceeded",
	[MAPT_STAT_FRAG_NEEDED]		= "frag_needed_sent",
	[MAPT_STAT_ICMP_NO_SOURCE]	= "dropped_icmp_no_source",
	[MAPT_STAT_BAD_CSUM]		= "dropped_icmp_bad_checksum",
	[MAPT_STAT_NO_ROUTE]		= "dropped_no_route",
	[MAPT_STAT_NO_MEMORY]		= "dropped_no_memory",
};

static struct softwire_stats mapt_stats = {
	.proc_name	= "xt_MAPT",
	.names		= mapt_stat_names,
	.count		= MAPT_STAT_MAX,
};

static void mapt_count(struct net *net, enum mapt_stat s)
{
	softwire_count(net, &mapt_stats, s);
}

/* What checkentry set up; lives until destroy. */
struct mapt_rule {
	struct softwire_after_snat_rule	as;	/* IPv4 mangle POSTROUTING */
	struct softwire_table		*bt;
	struct softwire_binding		ce;	/* a CE's, from its BMR */
	u32				flags;
	u8				family;
	bool				after_snat;
};

/* Where the translated packet goes. */
enum mapt_mode {
	MAPT_RECEIVE,		/* PREROUTING: received again (netif_rx) */
	MAPT_SEND,		/* after SNAT: routed and sent as IPv6 */
};

/* A packet's view of its rule's table, under RCU. */
struct mapt_ctx {
	struct net			*net;
	const struct mapt_rule		*r;
	struct xlat_map			m;
	const struct softwire_table_xlat *x;	/* NULL: defaults */
	const struct map_ce		*ce;	/* a CE's, now (the binding's) */
	enum mapt_mode			mode;
};

static const struct xlat_prefix6 mapt_no_dmr;

/* False: a CE rule whose table yields no CE now (drop, counted). */
static bool mapt_ctx_init(struct mapt_ctx *c, struct net *net,
			  const struct mapt_rule *r, enum mapt_mode mode)
{
	struct softwire_table_data *d = rcu_dereference(r->bt->data);
	struct softwire_table_rules *rules = rcu_dereference(d->rules);

	c->net = net;
	c->r = r;
	c->mode = mode;
	c->x = softwire_table_xlat(d);
	c->m.rules = rules ? rules->r : NULL;
	c->m.n_rules = rules ? rules->n : 0;
	c->m.eam = c->x ? c->x->eam : NULL;
	c->m.n_eam = c->x ? c->x->n_eam : 0;
	c->m.dmr = c->x ? &c->x->dmr : &mapt_no_dmr;
	c->ce = NULL;
	if (!(r->flags & XT_MAPT_EU_PREFIX))
		return true;
	c->ce = softwire_binding_ce(&r->ce);
	if (!c->ce)
		softwire_binding_count_none(&r->ce);
	return c->ce != NULL;
}

static bool mapt_is_ce(const struct mapt_ctx *c)
{
	return c->r->flags & XT_MAPT_EU_PREFIX;
}

static unsigned int mapt_lowest_mtu(const struct mapt_ctx *c)
{
	return c->x && c->x->lowest_ipv6_mtu ? c->x->lowest_ipv6_mtu : 1280;
}

/*
 * Is a packet that cannot be translated ours to drop and count, or
 * another's (neighbour discovery, traffic to the box itself)? Ours when its
 * destination is one the rule translates: a CE's own address; a BR's or
 * SIIT's MAP domain, EAM or DMR space. The IP header itself was checked by
 * the stack before PREROUTING; an unparsed one is left to it.
 */
static bool mapt_ours(const struct mapt_ctx *c, const struct xlat_pkt *k,
		      bool v6)
{
	static const u8 zero[16];
	u32 ip4;

	if (!memcmp(k->daddr, zero, v6 ? 16 : 4))
		return false;
	if (!v6) {
		ip4 = xlat_get32(k->daddr);
		return c->mode == MAPT_SEND ||
		       xlat_map_find4(c->m.rules, c->m.n_rules, ip4) ||
		       xlat_eam_find4(c->m.eam, c->m.n_eam, ip4) ||
		       (c->m.dmr->len && !mapt_is_ce(c));
	}
	if (mapt_is_ce(c))
		return !memcmp(k->daddr, c->ce->ip6, 16);
	return xlat_map_find6(c->m.rules, c->m.n_rules, k->daddr) ||
	       xlat_eam_find6(c->m.eam, c->m.n_eam, k->daddr) ||
	       (c->m.dmr->len && rfc6052_extract(c->m.dmr, k->daddr, &ip4));
}

static const enum mapt_stat mapt_err_stat[XLAT_E_MAX] = {
	[XLAT_E_MALFORMED]	= MAPT_STAT_MALFORMED,
	[XLAT_E_SOURCE_ROUTE]	= MAPT_STAT_SOURCE_ROUTE,
	[XLAT_E_SEGMENTS_LEFT]	= MAPT_STAT_SEGMENTS_LEFT,
	[XLAT_E_EXT_HEADERS]	= MAPT_STAT_EXT_HEADERS,
	[XLAT_E_ICMP_TYPE]	= MAPT_STAT_ICMP_TYPE,
	[XLAT_E_UDP_ZERO]	= MAPT_STAT_UDP_ZERO,
	[XLAT_E_FRAG_ICMP]	= MAPT_STAT_FRAG_ICMP,
};

/*
 * Parse the headers of skb (network header at skb->data), pulling into the
 * linear area only what the parser asks for. 0 or -enum xlat_err.
 */
static int mapt_parse(struct sk_buff *skb, bool v6, struct xlat_pkt *k)
{
	unsigned int need = v6 ? XLAT_IP6_HLEN : XLAT_IP4_HLEN;
	int ret;

	memset(k, 0, sizeof(*k));	/* no address parsed: none of ours */
	for (;;) {
		if (need > skb->len || !pskb_may_pull(skb, need))
			return -XLAT_E_MALFORMED;
		ret = v6 ? xlat6_parse(skb->data, need, skb->len, k) :
			   xlat4_parse(skb->data, need, skb->len, k);
		if (ret <= 0)
			return ret;
		if ((unsigned int)ret <= need)	/* the parser's promise */
			return -XLAT_E_MALFORMED;
		need = ret;
	}
}

/* ---- sending the translated packet ------------------------------------- */

/*
 * Received again on its device, as the other family. An Ethernet device
 * gets a MAC header of the new type (a capture, -m mac and rp_filter see
 * the frame as it came), as decapsulation does (lw4o6_eth_restore). The
 * callers made room for it: it cannot fail.
 */
static void mapt_receive(struct net *net, struct sk_buff *skb,
			 const struct ethhdr *eth)
{
	nf_reset_ct(skb);
	skb_dst_drop(skb);
	skb_clear_hash(skb);
	if (lw4o6_eth_restore(skb, eth)) {
		kfree_skb(skb);
		mapt_count(net, MAPT_STAT_NO_MEMORY);
		return;
	}
	if (skb->protocol == htons(ETH_P_IP))
		memset(IPCB(skb), 0, sizeof(*IPCB(skb)));
	else
		memset(IP6CB(skb), 0, sizeof(*IP6CB(skb)));
	/* Its connection starts in the other family's hooks: keep it off
	 * flowtables, whose fast path would skip the translation.
	 */
	softwire_flowtable_via_dev(net, skb->dev);
	netif_rx(skb);
}

static struct dst_entry *mapt_route6(struct net *net, struct sk_buff *skb,
				     const struct in6_addr *daddr,
				     const struct in6_addr *saddr)
{
	struct flowi6 fl6 = {
		.daddr = *daddr,
		.saddr = *saddr,
		.flowi6_mark = skb->mark,
	};
	struct dst_entry *dst = ip6_route_output(net, NULL, &fl6);

	if (dst->error) {
		dst_release(dst);
		return NULL;
	}
	return dst;
}

/* ---- IPv4 -> IPv6 ----------------------------------------------------- */

/* GSO: the segments become IPv6 ones. */
static void mapt_gso_4to6(struct sk_buff *skb)
{
	struct skb_shared_info *si = skb_shinfo(skb);

	if (!skb_is_gso(skb))
		return;
	if (si->gso_type & SKB_GSO_TCPV4) {
		si->gso_type &= ~(SKB_GSO_TCPV4 | SKB_GSO_TCP_FIXEDID);
		si->gso_type |= SKB_GSO_TCPV6;
	}
}

static void mapt_gso_6to4(struct sk_buff *skb)
{
	struct skb_shared_info *si = skb_shinfo(skb);

	if (!skb_is_gso(skb))
		return;
	if (si->gso_type & SKB_GSO_TCPV6) {
		si->gso_type &= ~SKB_GSO_TCPV6;
		si->gso_type |= SKB_GSO_TCPV4;
	}
}

/*
 * The checksum state the in-place translation can keep: a partial checksum
 * is updated as a pseudo-header sum (except ICMP, completed now); a
 * received full sum (CHECKSUM_COMPLETE) would not cover the new header,
 * so it is dropped and the receiver checks in software, as ip_forward
 * drops it (skb_forward_csum).
 */
static int mapt_csum_prepare(struct sk_buff *skb, const struct xlat_pkt *k,
			     enum xlat_csum *how)
{
	*how = XLAT_CSUM_FIELD;
	if (skb->ip_summed == CHECKSUM_PARTIAL) {
		if (k->proto == XLAT_PROTO_ICMP || k->proto == XLAT_PROTO_ICMPV6 ||
		    skb_checksum_start_offset(skb) != (int)k->l3_len)
			return skb_checksum_help(skb);
		*how = XLAT_CSUM_PSEUDO;
	} else if (skb->ip_summed == CHECKSUM_COMPLETE) {
		skb->ip_summed = CHECKSUM_NONE;
	}
	return 0;
}

/* RFC 7915 section 4.5, as the table says: compute the UDP checksum. */
static void mapt_udp_csum6(struct sk_buff *skb, unsigned int thoff)
{
	struct ipv6hdr *ip6h = ipv6_hdr(skb);
	unsigned int len = skb->len - thoff;
	struct udphdr *uh = (struct udphdr *)(skb->data + thoff);
	__wsum csum;

	uh->check = 0;
	csum = skb_checksum(skb, thoff, len, 0);
	uh->check = csum_ipv6_magic(&ip6h->saddr, &ip6h->daddr, len,
				    IPPROTO_UDP, csum);
	if (!uh->check)
		uh->check = CSUM_MANGLED_0;
	skb->ip_summed = CHECKSUM_NONE;
}

static bool mapt_icmp4_send(struct mapt_ctx *c, struct sk_buff *skb, int type,
			    int code, u32 info)
{
	/* After SNAT: to the source before NAT, as conntrack knows it. */
	if (c->mode == MAPT_SEND) {
		icmp_ndo_send(skb, type, code, htonl(info));
		return true;
	}
	return softwire_icmp4_send(c->net, skb, type, code, info);
}

static bool mapt_icmp6_send(struct mapt_ctx *c, struct sk_buff *skb, u8 type,
			    u8 code, u32 info)
{
	if (!softwire_route_back(c->net, skb))
		return false;
	icmpv6_send(skb, type, code, info);
	return true;
}

/*
 * The addresses of an IPv4 packet in IPv6. A CE sends only from its own
 * address and port set (after SNATPSID), to a CE by FMR or to the DMR.
 * Others translate a packet when both ends map. 0: mapped; 1: not ours
 * (XT_CONTINUE); -1: drop (counted).
 */
static int mapt_map_4to6(struct mapt_ctx *c, const struct xlat_pkt *k,
			 u8 *src6, u8 *dst6)
{
	u32 saddr = xlat_get32(k->saddr);
	u32 daddr = xlat_get32(k->daddr);
	const struct map_ce *ce = c->ce;

	if (mapt_is_ce(c)) {
		if (saddr != ce->ip4 ||
		    (ce->ports.len && (k->sport < 0 ||
				       !psid_port_in_set(&ce->ports, k->sport)))) {
			mapt_count(c->net, MAPT_STAT_NOT_CE);
			return -1;
		}
		memcpy(src6, ce->ip6, 16);
		if (xlat_addr_4to6(&c->m, daddr, k->dport, dst6) == XLAT_NONE) {
			mapt_count(c->net, MAPT_STAT_UNMAPPED);
			return -1;
		}
		return 0;
	}
	if (xlat_addr_4to6(&c->m, daddr, k->dport, dst6) == XLAT_NONE ||
	    xlat_addr_4to6(&c->m, saddr, k->sport, src6) == XLAT_NONE)
		return 1;
	return 0;
}

static void mapt_send6(struct mapt_ctx *c, struct sk_buff *skb,
		       struct dst_entry *dst)
{
	skb_dst_drop(skb);
	skb_dst_set(skb, dst);
	nf_reset_ct(skb);
	memset(IP6CB(skb), 0, sizeof(*IP6CB(skb)));
	ip6_local_out(c->net, NULL, skb);
}

/*
 * An IPv4 packet of the box's own (an ICMPv4 error): routed by its
 * destination (its source, the RFC 6791 address, need not be local) and
 * sent.
 */
static void mapt_send4(struct mapt_ctx *c, struct sk_buff *skb, u32 daddr)
{
	struct flowi4 fl4 = {
		.daddr = htonl(daddr),
		.flowi4_mark = skb->mark,
	};
	struct rtable *rt = ip_route_output_key(c->net, &fl4);

	if (IS_ERR(rt)) {
		mapt_count(c->net, MAPT_STAT_NO_ROUTE);
		kfree_skb(skb);
		return;
	}
	skb_dst_set(skb, &rt->dst);
	nf_reset_ct(skb);
	memset(IPCB(skb), 0, sizeof(*IPCB(skb)));
	ip_local_out(c->net, NULL, skb);
}

static unsigned int mapt_4to6_err(struct mapt_ctx *c, struct sk_buff *skb,
				  struct xlat_pkt *k);

/*
 * Translate the IPv4 packet skb (network header at skb->data) and send it
 * on. NF_STOLEN when it went on (or was dropped here), XT_CONTINUE when it
 * is not for this rule.
 */
static unsigned int mapt_4to6(struct mapt_ctx *c, struct sk_buff *skb)
{
	u8 src6[16], dst6[16], hdr[XLAT_IP6_HLEN + XLAT_FRAG_HLEN];
	struct ethhdr mac;
	struct dst_entry *dst = NULL;
	unsigned int hl, mtu;
	bool eth, udp_compute = false;
	int delta;	/* IPv4 options may make the old header the longer */
	struct xlat_pkt k;
	enum xlat_csum how;
	int ret;

	ret = mapt_parse(skb, false, &k);
	if (ret < 0) {
		if (!mapt_ours(c, &k, false))
			return XT_CONTINUE;
		if (ret == -XLAT_E_SOURCE_ROUTE)
			mapt_icmp4_send(c, skb, ICMP_DEST_UNREACH, ICMP_SR_FAILED, 0);
		mapt_count(c->net, mapt_err_stat[-ret]);
		goto drop;
	}
	if (pskb_trim_rcsum(skb, k.tot_len))
		goto nomem;
	if (k.icmp_error)
		return mapt_4to6_err(c, skb, &k);

	ret = mapt_map_4to6(c, &k, src6, dst6);
	if (ret > 0)
		return XT_CONTINUE;
	if (ret < 0)
		goto drop;

	/* A router (RFC 7915 section 4.1): TTL checked here, decremented
	 * by the IPv6 forwarding that receives the packet.
	 */
	if (c->mode == MAPT_RECEIVE && k.ttl <= 1) {
		mapt_icmp4_send(c, skb, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL, 0);
		mapt_count(c->net, MAPT_STAT_TTL);
		goto drop;
	}
	if (k.udp_zero && skb->ip_summed != CHECKSUM_PARTIAL) {
		if (k.frag || !c->x ||
		    !(c->x->flags & SOFTWIRE_XLAT_UDP_ZERO_COMPUTE)) {
			mapt_count(c->net, MAPT_STAT_UDP_ZERO);
			goto drop;
		}
		udp_compute = true;
	}

	/*
	 * Size (RFC 7915 section 4): DF set and too big for the IPv6 path:
	 * Fragmentation Needed with the IPv6 MTU less the header growth.
	 * DF clear: IPv6 fragments it (ignore_df). Only a packet bigger than
	 * the lowest IPv6 MTU pays the route lookup; after SNAT the route is
	 * needed anyway.
	 */
	delta = XLAT_IP6_HLEN + (k.frag ? XLAT_FRAG_HLEN : 0) - (int)k.l3_len;
	if (c->mode == MAPT_SEND ||
	    (int)skb->len + delta > (int)mapt_lowest_mtu(c)) {
		dst = mapt_route6(c->net, skb, (struct in6_addr *)dst6,
				  (struct in6_addr *)src6);
		if (!dst) {
			mapt_count(c->net, MAPT_STAT_NO_ROUTE);
			goto drop;
		}
		mtu = dst_mtu(dst);
		if ((int)skb->len + delta > (int)mtu &&
		    (!skb_is_gso(skb) ||
		     !skb_gso_validate_network_len(skb, mtu - delta))) {
			if (k.df) {
				mapt_icmp4_send(c, skb, ICMP_DEST_UNREACH,
						ICMP_FRAG_NEEDED, mtu - delta);
				mapt_count(c->net, MAPT_STAT_FRAG_NEEDED);
				dst_release(dst);
				goto drop;
			}
			skb->ignore_df = 1;
		}
		if (c->mode == MAPT_RECEIVE) {
			dst_release(dst);
			dst = NULL;
		}
	}

	eth = c->mode == MAPT_RECEIVE && lw4o6_eth_save(skb, &mac);
	if (skb_ensure_writable(skb, k.l3_len + xlat_csum_reach(k.proto)) ||
	    skb_cow_head(skb, max(delta, 0) + ETH_HLEN) ||
	    mapt_csum_prepare(skb, &k, &how))
		goto nomem_dst;

	hl = xlat_4to6_hdr(skb->data, &k, src6, dst6, how, hdr);
	__skb_pull(skb, k.l3_len);
	skb_push(skb, hl);
	memcpy(skb->data, hdr, hl);
	skb_reset_network_header(skb);
	skb_set_transport_header(skb, hl);
	skb->protocol = htons(ETH_P_IPV6);
	mapt_gso_4to6(skb);
	if (udp_compute)
		mapt_udp_csum6(skb, hl);
	mapt_count(c->net, MAPT_STAT_4TO6);

	if (c->mode == MAPT_SEND)
		mapt_send6(c, skb, dst);
	else
		mapt_receive(c->net, skb, eth ? &mac : NULL);
	return NF_STOLEN;

nomem_dst:
	if (dst)
		dst_release(dst);
nomem:
	mapt_count(c->net, MAPT_STAT_NO_MEMORY);
drop:
	kfree_skb(skb);
	return NF_STOLEN;
}

/* ---- ICMP errors ------------------------------------------------------- */

/* A new skb for a translated error of at most cap bytes, like skb. */
static struct sk_buff *mapt_err_skb(struct sk_buff *skb, unsigned int cap)
{
	struct sk_buff *nskb = alloc_skb(LL_MAX_HEADER + cap, GFP_ATOMIC);

	if (!nskb)
		return NULL;
	skb_reserve(nskb, LL_MAX_HEADER);
	nskb->dev = skb->dev;
	nskb->mark = skb->mark;
	nskb->pkt_type = skb->pkt_type;
	nskb->skb_iif = skb->skb_iif;
	return nskb;
}

/* Is the ICMP message at off (len bytes, the rest of skb) summing right? */
static bool mapt_icmp_csum_ok(struct sk_buff *skb, unsigned int off, bool v6)
{
	unsigned int len = skb->len - off;
	__wsum csum = skb_checksum(skb, off, len, 0);

	if (v6)
		return !csum_ipv6_magic(&ipv6_hdr(skb)->saddr,
					&ipv6_hdr(skb)->daddr, len,
					IPPROTO_ICMPV6, csum);
	return !csum_fold(csum);
}

/*
 * An ICMP error, linear, its checksum right (it is recomputed after
 * translation: a corrupted error must not come out valid), parsed with the
 * packet it quotes into e. false: drop, counted.
 */
static bool mapt_err_parse(struct mapt_ctx *c, struct sk_buff *skb,
			   struct xlat_icmp_err *e, bool v6)
{
	int ret;

	if (skb_linearize(skb)) {
		mapt_count(c->net, MAPT_STAT_NO_MEMORY);
		return false;
	}
	if (!mapt_icmp_csum_ok(skb, e->outer.l3_len, v6)) {
		mapt_count(c->net, MAPT_STAT_BAD_CSUM);
		return false;
	}
	ret = v6 ? xlat_icmp6_err_parse(skb->data, skb->len, e) :
		   xlat_icmp4_err_parse(skb->data, skb->len, e);
	if (ret < 0) {
		mapt_count(c->net, mapt_err_stat[-ret]);
		return false;
	}
	return true;
}

/* The new skb of a translated error: ret bytes from the core, or -error. */
static bool mapt_err_done(struct mapt_ctx *c, struct sk_buff *nskb, int ret,
			  bool to6)
{
	if (ret < 0) {
		kfree_skb(nskb);
		mapt_count(c->net, MAPT_STAT_MALFORMED);
		return false;
	}
	skb_trim(nskb, ret);
	skb_reset_network_header(nskb);
	skb_set_transport_header(nskb, to6 ? XLAT_IP6_HLEN : XLAT_IP4_HLEN);
	nskb->protocol = htons(to6 ? ETH_P_IPV6 : ETH_P_IP);
	mapt_count(c->net, to6 ? MAPT_STAT_4TO6 : MAPT_STAT_6TO4);
	mapt_count(c->net, MAPT_STAT_ICMP_ERR);
	return true;
}

/*
 * Packet Too Big / Fragmentation Needed (RFC 7915 sections 4.2, 5.2): the
 * MTU sent is also at most what the translator's own links carry: the
 * route of the translated error's destination, and the link the error came
 * in on, each seen from the other family (0: no limit).
 */
static u32 mapt_err_mtu6(struct mapt_ctx *c, struct sk_buff *skb,
			 const struct xlat_err_addrs6 *a)
{
	struct dst_entry *dst;
	u32 mtu = 0;

	if (skb->dev)
		mtu = skb->dev->mtu + XLAT_IP6_HLEN - XLAT_IP4_HLEN;
	dst = mapt_route6(c->net, skb, (const struct in6_addr *)a->dst,
			  (const struct in6_addr *)a->src);
	if (dst) {
		if (!mtu || dst_mtu(dst) < mtu)
			mtu = dst_mtu(dst);
		dst_release(dst);
	}
	return mtu;
}

static u32 mapt_err_mtu4(struct mapt_ctx *c, struct sk_buff *skb,
			 const struct xlat_err_addrs4 *a)
{
	struct flowi4 fl4 = {
		.daddr = htonl(a->dst),
		.flowi4_mark = skb->mark,
	};
	struct rtable *rt;
	u32 mtu = 0;

	if (skb->dev && skb->dev->mtu > XLAT_IP6_HLEN - XLAT_IP4_HLEN)
		mtu = skb->dev->mtu - (XLAT_IP6_HLEN - XLAT_IP4_HLEN);
	rt = ip_route_output_key(c->net, &fl4);
	if (!IS_ERR(rt)) {
		if (!mtu || dst_mtu(&rt->dst) < mtu)
			mtu = dst_mtu(&rt->dst);
		ip_rt_put(rt);
	}
	return mtu;
}

/*
 * The outer source of a translated error: mapped as any address, else the
 * table's RFC 6791 address (icmp-source-ipv6 / -ipv4).
 */
static unsigned int mapt_4to6_err(struct mapt_ctx *c, struct sk_buff *skb,
				  struct xlat_pkt *k)
{
	struct xlat_icmp_err e = { .outer = *k };
	struct xlat_err_addrs6 a = {};
	struct ethhdr mac;
	u32 osrc, odst, qsrc, qdst;
	bool eth, own = false;
	struct sk_buff *nskb;
	int ret;

	if (!mapt_err_parse(c, skb, &e, false))
		goto drop;
	osrc = xlat_get32(k->saddr);
	odst = xlat_get32(k->daddr);
	qsrc = xlat_get32(e.inner.saddr);
	qdst = xlat_get32(e.inner.daddr);

	/*
	 * The quoted packet went the other way: its source is the error's
	 * destination, its destination port the port of the error's source.
	 * A CE's errors come from its own address (after SNAT), about a
	 * packet that came to it.
	 */
	if (mapt_is_ce(c)) {
		if (osrc != c->ce->ip4 || qdst != c->ce->ip4) {
			mapt_count(c->net, MAPT_STAT_NOT_CE);
			goto drop;
		}
		memcpy(a.src, c->ce->ip6, 16);
		memcpy(a.qdst, c->ce->ip6, 16);
		if (xlat_addr_4to6(&c->m, odst, e.inner.sport, a.dst) == XLAT_NONE ||
		    xlat_addr_4to6(&c->m, qsrc, e.inner.sport, a.qsrc) == XLAT_NONE) {
			mapt_count(c->net, MAPT_STAT_UNMAPPED);
			goto drop;
		}
	} else if (xlat_addr_4to6(&c->m, odst, e.inner.sport, a.dst) == XLAT_NONE ||
		   xlat_addr_4to6(&c->m, qsrc, e.inner.sport, a.qsrc) == XLAT_NONE) {
		return XT_CONTINUE;
	} else if (xlat_addr_4to6(&c->m, qdst, e.inner.dport, a.qdst) == XLAT_NONE) {
		mapt_count(c->net, MAPT_STAT_UNMAPPED);
		goto drop;
	} else if (xlat_addr_4to6(&c->m, osrc, e.inner.dport, a.src) == XLAT_NONE) {
		/* RFC 6791 (the other way round): a configured source */
		if (!c->x || ipv6_addr_any(&c->x->icmp_src6)) {
			mapt_count(c->net, MAPT_STAT_ICMP_NO_SOURCE);
			goto drop;
		}
		memcpy(a.src, &c->x->icmp_src6, 16);
		own = true;
	}
	if (c->mode == MAPT_RECEIVE && k->ttl <= 1) {
		mapt_count(c->net, MAPT_STAT_TTL);	/* no error about an error */
		goto drop;
	}

	a.mtu6 = mapt_err_mtu6(c, skb, &a);
	nskb = mapt_err_skb(skb, XLAT_ICMP6_ERR_MAX);
	if (!nskb)
		goto nomem;
	ret = xlat_icmp4_err_to6(skb->data, skb->len, &e, &a,
				 skb_put(nskb, XLAT_ICMP6_ERR_MAX),
				 XLAT_ICMP6_ERR_MAX);
	if (!mapt_err_done(c, nskb, ret, true))
		goto drop;

	/* From the RFC 6791 address (maybe the box's own): sent by the box */
	if (c->mode == MAPT_SEND || own) {
		struct dst_entry *dst = mapt_route6(c->net, nskb,
						    (struct in6_addr *)a.dst,
						    (struct in6_addr *)a.src);
		if (!dst) {
			kfree_skb(nskb);
			mapt_count(c->net, MAPT_STAT_NO_ROUTE);
			goto drop;
		}
		if (own && c->mode == MAPT_RECEIVE)
			ipv6_hdr(nskb)->hop_limit--;	/* a router's hop */
		mapt_send6(c, nskb, dst);
	} else {
		eth = lw4o6_eth_save(skb, &mac);
		mapt_receive(c->net, nskb, eth ? &mac : NULL);
	}
	consume_skb(skb);
	return NF_STOLEN;
nomem:
	mapt_count(c->net, MAPT_STAT_NO_MEMORY);
drop:
	kfree_skb(skb);
	return NF_STOLEN;
}

/* ---- IPv6 -> IPv4 ----------------------------------------------------- */

/*
 * The addresses of an IPv6 packet in IPv4. A CE accepts only its own MAP
 * address and port set; from a CE by FMR only the address its IPv4 source
 * and port derive (RFC 7599 section 8.3). 0 mapped, 1 not ours, -1 drop.
 */
static int mapt_map_6to4(struct mapt_ctx *c, struct sk_buff *skb,
			 const struct xlat_pkt *k, u32 *saddr, u32 *daddr,
			 enum xlat_how *dhow)
{
	const struct map_ce *ce = c->ce;
	bool spoofed = false;

	*dhow = XLAT_NONE;
	if (mapt_is_ce(c)) {
		if (memcmp(k->daddr, ce->ip6, 16))
			return 1;
		if (ce->ports.len && (k->dport < 0 ||
				      !psid_port_in_set(&ce->ports, k->dport))) {
			mapt_count(c->net, MAPT_STAT_PORT);
			return -1;
		}
		*daddr = ce->ip4;
	} else {
		*dhow = xlat_addr_6to4(&c->m, k->daddr, k->dport, daddr, &spoofed);
		if (*dhow == XLAT_NONE)
			return 1;
	}
	if (xlat_addr_6to4(&c->m, k->saddr, k->sport, saddr, &spoofed) ==
	    XLAT_NONE) {
		if (spoofed) {
			if (c->r->flags & XT_MAPT_REJECT_SPOOFED)
				mapt_icmp6_send(c, skb, ICMPV6_DEST_UNREACH,
						ICMPV6_POLICY_FAIL, 0);
			mapt_count(c->net, MAPT_STAT_SPOOFED);
			return -1;
		}
		if (!mapt_is_ce(c))
			return 1;
		mapt_count(c->net, MAPT_STAT_UNMAPPED);
		return -1;
	}
	return 0;
}

static unsigned int mapt_6to4_err(struct mapt_ctx *c, struct sk_buff *skb,
				  struct xlat_pkt *k);

/*
 * BR/SIIT: an IPv6 packet sent to the DMR (pool6) embedding of an IPv4
 * address of this table's own (a CE's by MAP rule, an IPv6 host's by EAM)
 * goes back to IPv6 (RFC 7757 section 4). dhow: how the destination was
 * mapped; one mapped by MAP rule or EAM already is the IPv4 host's.
 */
static bool mapt_hairpin(const struct mapt_ctx *c, enum xlat_how dhow,
			 u32 daddr)
{
	return dhow == XLAT_DMR &&
	       (xlat_map_find4(c->m.rules, c->m.n_rules, daddr) ||
		xlat_eam_find4(c->m.eam, c->m.n_eam, daddr));
}

/*
 * The translated IPv4 packet, now IPv6 again. It is routed and sent, not
 * received again: the rule would take it for IPv6 to translate. One router
 * hop: the TTL goes down by one here (it was checked above 1).
 */
static unsigned int mapt_hairpin_4to6(struct mapt_ctx *c, struct sk_buff *skb)
{
	struct mapt_ctx out = *c;

	mapt_count(c->net, MAPT_STAT_HAIRPIN);
	out.mode = MAPT_SEND;
	ip_decrease_ttl(ip_hdr(skb));
	if (mapt_4to6(&out, skb) == XT_CONTINUE) {
		mapt_count(c->net, MAPT_STAT_UNMAPPED);
		kfree_skb(skb);
	}
	return NF_STOLEN;
}

static unsigned int mapt_6to4(struct mapt_ctx *c, struct sk_buff *skb)
{
	struct ethhdr mac;
	u8 hdr[XLAT_IP4_HLEN];
	enum xlat_how dhow;
	struct xlat_pkt k;
	enum xlat_csum how;
	u32 saddr, daddr;
	bool eth;
	int ret;

	ret = mapt_parse(skb, true, &k);
	if (ret < 0) {
		if (!mapt_ours(c, &k, true))
			return XT_CONTINUE;
		if (ret == -XLAT_E_SEGMENTS_LEFT)
			mapt_icmp6_send(c, skb, ICMPV6_PARAMPROB,
					ICMPV6_HDR_FIELD, k.bad_ptr);
		mapt_count(c->net, mapt_err_stat[-ret]);
		goto drop;
	}
	if (pskb_trim_rcsum(skb, k.tot_len))
		goto nomem;
	if (k.icmp_error)
		return mapt_6to4_err(c, skb, &k);

	ret = mapt_map_6to4(c, skb, &k, &saddr, &daddr, &dhow);
	if (ret > 0)
		return XT_CONTINUE;
	if (ret < 0)
		goto drop;
	if (k.ttl <= 1) {
		mapt_icmp6_send(c, skb, ICMPV6_TIME_EXCEED,
				ICMPV6_EXC_HOPLIMIT, 0);
		mapt_count(c->net, MAPT_STAT_TTL);
		goto drop;
	}

	eth = lw4o6_eth_save(skb, &mac);
	if (skb_ensure_writable(skb, k.l3_len + xlat_csum_reach(k.proto)) ||
	    skb_cow_head(skb, ETH_HLEN) || mapt_csum_prepare(skb, &k, &how))
		goto nomem;
	xlat_6to4_hdr(skb->data, &k, saddr, daddr, get_random_u16(), how, hdr);
	__skb_pull(skb, k.l3_len);
	skb_push(skb, XLAT_IP4_HLEN);
	memcpy(skb->data, hdr, XLAT_IP4_HLEN);
	skb_reset_network_header(skb);
	skb_set_transport_header(skb, XLAT_IP4_HLEN);
	skb->protocol = htons(ETH_P_IP);
	mapt_gso_6to4(skb);
	mapt_count(c->net, MAPT_STAT_6TO4);

	/*
	 * Hairpinning (RFC 7757 section 4; CE to CE through a BR): a destination of
	 * this translator's own IPv4 space turns around here.
	 */
	if (mapt_hairpin(c, dhow, daddr))
		return mapt_hairpin_4to6(c, skb);
	mapt_receive(c->net, skb, eth ? &mac : NULL);
	return NF_STOLEN;
nomem:
	mapt_count(c->net, MAPT_STAT_NO_MEMORY);
drop:
	kfree_skb(skb);
	return NF_STOLEN;
}

static unsigned int mapt_6to4_err(struct mapt_ctx *c, struct sk_buff *skb,
				  struct xlat_pkt *k)
{
	struct xlat_icmp_err e = { .outer = *k };
	struct xlat_err_addrs4 a = {};
	struct ethhdr mac;
	enum xlat_how dhow = XLAT_NONE;
	bool spoofed = false, eth, own = false;
	struct sk_buff *nskb;
	int ret;

	if (!mapt_err_parse(c, skb, &e, true))
		goto drop;

	/* The quoted packet went the other way: its source is our dest. */
	if (mapt_is_ce(c)) {
		if (memcmp(k->daddr, c->ce->ip6, 16) ||
		    memcmp(e.inner.saddr, c->ce->ip6, 16))
			return XT_CONTINUE;
		a.dst = c->ce->ip4;
		a.qsrc = c->ce->ip4;
	} else {
		dhow = xlat_addr_6to4(&c->m, k->daddr, e.inner.sport, &a.dst,
				      &spoofed);
		if (dhow == XLAT_NONE ||
		    xlat_addr_6to4(&c->m, e.inner.saddr, e.inner.sport, &a.qsrc,
				   &spoofed) == XLAT_NONE)
			return XT_CONTINUE;
	}
	if (xlat_addr_6to4(&c->m, e.inner.daddr, e.inner.dport, &a.qdst,
			   &spoofed) == XLAT_NONE) {
		mapt_count(c->net, MAPT_STAT_UNMAPPED);
		goto drop;
	}
	if (xlat_addr_6to4(&c->m, k->saddr, e.inner.dport, &a.src,
			   &spoofed) == XLAT_NONE) {
		/* RFC 6791: an IPv6 router's error gets the table's source */
		if (!c->x || !c->x->icmp_src4) {
			mapt_count(c->net, MAPT_STAT_ICMP_NO_SOURCE);
			goto drop;
		}
		a.src = ntohl(c->x->icmp_src4);
		own = true;
	}
	if (k->ttl <= 1) {
		mapt_count(c->net, MAPT_STAT_TTL);
		goto drop;
	}
	a.id = get_random_u16();
	a.mtu4 = mapt_err_mtu4(c, skb, &a);

	nskb = mapt_err_skb(skb, XLAT_ICMP4_ERR_MAX);
	if (!nskb)
		goto nomem;
	ret = xlat_icmp6_err_to4(skb->data, skb->len, &e, &a,
				 skb_put(nskb, XLAT_ICMP4_ERR_MAX),
				 XLAT_ICMP4_ERR_MAX);
	if (!mapt_err_done(c, nskb, ret, false))
		goto drop;
	eth = lw4o6_eth_save(skb, &mac);
	consume_skb(skb);
	if (mapt_hairpin(c, dhow, a.dst))
		return mapt_hairpin_4to6(c, nskb);
	/*
	 * From the RFC 6791 address, which may be one of the box's own (as
	 * Jool's default is): the box sends it; received, it would be a
	 * martian.
	 */
	if (own) {
		ip_decrease_ttl(ip_hdr(nskb));	/* a router's hop */
		mapt_send4(c, nskb, a.dst);
		return NF_STOLEN;
	}
	mapt_receive(c->net, nskb, eth ? &mac : NULL);
	return NF_STOLEN;
nomem:
	mapt_count(c->net, MAPT_STAT_NO_MEMORY);
drop:
	kfree_skb(skb);
	return NF_STOLEN;
}

/* ---- the target ------------------------------------------------------- */

static unsigned int mapt_tg4(struct sk_buff *skb,
			     const struct xt_action_param *par)
{
	const struct xt_mapt_tginfo *info = par->targinfo;
	struct mapt_rule *r = info->k_rule;
	struct mapt_ctx c;

	if (r->after_snat) {
		softwire_after_snat_mark(xt_net(par), skb, &r->as);
		return XT_CONTINUE;
	}
	if (!mapt_ctx_init(&c, xt_net(par), r, MAPT_RECEIVE))
		return NF_DROP;
	return mapt_4to6(&c, skb);
}

static unsigned int mapt_tg6(struct sk_buff *skb,
			     const struct xt_action_param *par)
{
	const struct xt_mapt_tginfo *info = par->targinfo;
	struct mapt_ctx c;

	if (!mapt_ctx_init(&c, xt_net(par), info->k_rule, MAPT_RECEIVE))
		return NF_DROP;
	return mapt_6to4(&c, skb);
}

/* After SNAT (a CE, a NATed CLAT): translate and send; consumes skb. */
static void mapt_after_snat(struct net *net, struct sk_buff *skb,
			    struct softwire_after_snat_rule *as)
{
	struct mapt_rule *r = container_of(as, struct mapt_rule, as);
	struct mapt_ctx c;

	if (!mapt_ctx_init(&c, net, r, MAPT_SEND)) {
		kfree_skb(skb);
		return;
	}
	if (mapt_4to6(&c, skb) == XT_CONTINUE) {
		/* Not ours to translate, and it cannot stay IPv4 here. */
		mapt_count(net, MAPT_STAT_UNMAPPED);
		kfree_skb(skb);
	}
}

static u8 mapt_other(u8 family)
{
	return family == NFPROTO_IPV4 ? NFPROTO_IPV6 : NFPROTO_IPV4;
}

static int mapt_tg_check(const struct xt_tgchk_param *par)
{
	struct xt_mapt_tginfo *info = par->targinfo;
	struct softwire_table_data *d;
	struct softwire_table_rules *rules;
	struct softwire_table *bt;
	struct mapt_rule *r;
	bool pre, post;
	int err;

	info->k_rule = NULL;
	if (info->flags & ~XT_MAPT_FLAGS) {
		pr_info_ratelimited("MAPT: unknown flags 0x%x\n", info->flags);
		return -EINVAL;
	}
	pre = !strcmp(par->table, "raw") &&
	      par->hook_mask == 1 << NF_INET_PRE_ROUTING;
	post = par->family == NFPROTO_IPV4 && !strcmp(par->table, "mangle") &&
	       par->hook_mask == 1 << NF_INET_POST_ROUTING;
	if (!pre && !post) {
		pr_info_ratelimited("MAPT works in raw PREROUTING%s, not in %s\n",
				    par->family == NFPROTO_IPV4 ?
				    " and mangle POSTROUTING" : "", par->table);
		return -EINVAL;
	}
	if ((info->flags & XT_MAPT_EU_PREFIX) && info->eu_len > 128) {
		pr_info_ratelimited("MAPT: End-user prefix length %u\n",
				    info->eu_len);
		return -EINVAL;
	}

	bt = softwire_table_get(par->net, info->table, sizeof(info->table));
	if (IS_ERR(bt))
		return PTR_ERR(bt);
	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r) {
		err = -ENOMEM;
		goto put;
	}
	r->bt = bt;
	r->flags = info->flags;
	r->family = par->family;
	r->after_snat = post;
	r->as.fn = mapt_after_snat;

	rcu_read_lock();
	d = rcu_dereference(bt->data);
	rules = rcu_dereference(d->rules);
	err = !(rules && rules->n) && !softwire_table_xlat(d) ? -EINVAL : 0;
	rcu_read_unlock();
	if (err) {
		pr_info_ratelimited("MAPT: table %s has no MAP rule, EAM or DMR\n",
				    bt->name);
		goto free;
	}
	if (info->flags & XT_MAPT_EU_PREFIX) {
		/* the CE's address, port set and MAP address, from the BMR */
		err = softwire_binding_add(bt, &r->ce, &info->eu_prefix.in6,
					   info->eu_len, 0);
		if (err) {
			err = err == -ENOMEM ? err : -EINVAL;
			goto free;
		}
	}

	err = par->family == NFPROTO_IPV4 ? nf_defrag_ipv4_enable(par->net) :
					    nf_defrag_ipv6_enable(par->net);
	if (err)
		goto unbind;
	if (post) {
		err = softwire_after_snat_add(par->net, &r->as);
	} else {
		/* what it receives again starts connections of the other family */
		err = softwire_flowtable_get(par->net, mapt_other(par->family));
	}
	if (err)
		goto defrag;
	info->k_rule = r;
	return 0;
defrag:
	if (par->family == NFPROTO_IPV4)
		nf_defrag_ipv4_disable(par->net);
	else
		nf_defrag_ipv6_disable(par->net);
unbind:
	if (info->flags & XT_MAPT_EU_PREFIX)
		softwire_binding_del(&r->ce);
free:
	kfree(r);
put:
	softwire_table_put(bt);
	return err;
}

static void mapt_tg_destroy(const struct xt_tgdtor_param *par)
{
	struct xt_mapt_tginfo *info = par->targinfo;
	struct mapt_rule *r = info->k_rule;

	if (r->after_snat)
		softwire_after_snat_del(par->net, &r->as);
	else
		softwire_flowtable_put(par->net, mapt_other(par->family));
	if (par->family == NFPROTO_IPV4)
		nf_defrag_ipv4_disable(par->net);
	else
		nf_defrag_ipv6_disable(par->net);
	if (r->flags & XT_MAPT_EU_PREFIX)
		softwire_binding_del(&r->ce);
	softwire_table_put(r->bt);
	kfree(r);
}

static struct xt_target mapt_tg_reg[] __read_mostly = {
	{
		.name		= "MAPT",
		.family		= NFPROTO_IPV4,
		.target		= mapt_tg4,
		.checkentry	= mapt_tg_check,
		.destroy	= mapt_tg_destroy,
		.targetsize	= sizeof(struct xt_mapt_tginfo),
		.usersize	= offsetof(struct xt_mapt_tginfo, k_rule),
		.hooks		= (1 << NF_INET_PRE_ROUTING) |
				  (1 << NF_INET_POST_ROUTING),
		.me		= THIS_MODULE,
	},
	{
		.name		= "MAPT",
		.family		= NFPROTO_IPV6,
		.target		= mapt_tg6,
		.checkentry	= mapt_tg_check,
		.destroy	= mapt_tg_destroy,
		.targetsize	= sizeof(struct xt_mapt_tginfo),
		.usersize	= offsetof(struct xt_mapt_tginfo, k_rule),
		.hooks		= 1 << NF_INET_PRE_ROUTING,
		.me		= THIS_MODULE,
	},
};

static int __net_init mapt_net_init(struct net *net)
{
	return softwire_stats_net_init(net, &mapt_stats);
}

static void __net_exit mapt_net_exit(struct net *net)
{
	softwire_stats_net_exit(net, &mapt_stats);
}

static struct pernet_operations mapt_net_ops = {
	.init	= mapt_net_init,
	.exit	= mapt_net_exit,
	.id	= &mapt_stats.net_id,
	.size	= sizeof(struct softwire_stats_net),
};

/* Called from the module's init and exit (lw4o6_target.c). */
int mapt_init(void)
{
	int err;

	err = register_pernet_subsys(&mapt_net_ops);
	if (err)
		return err;
	err = xt_register_targets(mapt_tg_reg, ARRAY_SIZE(mapt_tg_reg));
	if (err)
		unregister_pernet_subsys(&mapt_net_ops);
	return err;
}

void mapt_exit(void)
{
	xt_unregister_targets(mapt_tg_reg, ARRAY_SIZE(mapt_tg_reg));
	unregister_pernet_subsys(&mapt_net_ops);
}
