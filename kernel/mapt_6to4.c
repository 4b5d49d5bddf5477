// SPDX-License-Identifier: GPL-2.0
/*
 * MAPT, IPv6 -> IPv4 (RFC 7915 section 5): map the addresses (with the
 * BR's anti-spoofing of MAP CEs), translate the header in place, route and
 * send; a packet for the translator's own IPv4 space turns around as IPv6
 * (hairpinning). mapt.h lists the other files.
 *
 * A packet that conntrack reassembled before the raw table (a box with
 * IPv6 conntrack: IP6CB's frag_max_size says so) was a fragmented one:
 * it leaves with DF clear, and IPv4 output splits it into fragments no
 * larger than the largest one received (less the header change).
 */
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter.h>
#include <linux/netfilter/x_tables.h>
#include <linux/random.h>
#include <linux/skbuff.h>
#include <linux/version.h>
#include <net/ip.h>
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
#include <net/gso.h>		/* skb_gso_validate_network_len */
#endif
#include <net/ipv6.h>

#include "mapt.h"

static bool mapt_gso_plain6(const struct sk_buff *skb)
{
	return !skb->encapsulation &&
	       !(skb_shinfo(skb)->gso_type &
		 ~(SKB_GSO_TCPV6 | SKB_GSO_TCP_ECN | SKB_GSO_DODGY));
}

static void mapt_gso_6to4(struct sk_buff *skb)
{
	struct skb_shared_info *si = skb_shinfo(skb);

	if (!skb_is_gso(skb))
		return;
	si->gso_type &= ~SKB_GSO_TCPV6;
	/* each segment's own Identification, as TSO makes them */
	si->gso_type |= SKB_GSO_TCPV4;
}

/* Does the MAP CE address a belong to a rule that shares IPv4 addresses? */
static bool mapt_shared6(const struct mapt_ctx *c, const u8 *a)
{
	const struct map_rule *r = xlat_map_find6(&c->m, a);

	return r && r->ip4_len + r->ea_len > 32;
}

/* Do the checks of k's addresses need its ports (a non-first fragment's)? */
static bool mapt_needs_ports6(const struct mapt_ctx *c,
			      const struct xlat_pkt *k)
{
	if (mapt_is_ce(c))
		return c->ce->ports.len;
	return mapt_shared6(c, k->saddr);
}

/*
 * The addresses of an IPv6 packet in IPv4, with the ports given (-1:
 * none). A CE accepts only its own MAP address and port set; from a CE by
 * FMR only the address its IPv4 source and port derive (RFC 7599 section
 * 8.3); without a port only the address is checked. 0 mapped, 1 not
 * ours, -1 drop (counted).
 */
static int mapt_addrs_6to4(struct mapt_ctx *c, struct sk_buff *skb,
			   const struct xlat_pkt *k, int sport, int dport,
			   u32 *saddr, u32 *daddr, enum xlat_how *dhow)
{
	const struct map_ce *ce = c->ce;
	bool spoofed = false;

	*dhow = XLAT_NONE;
	if (mapt_is_ce(c)) {
		if (memcmp(k->daddr, ce->ip6, 16))
			return 1;
		/* a non-first fragment's port: the fragment cache's */
		if (ce->ports.len &&
		    (dport < 0 ? !k->frag_off :
				 !psid_port_in_set(&ce->ports, dport))) {
			mapt_count(c->net, MAPT_STAT_PORT);
			return -1;
		}
		*daddr = ce->ip4;
	} else {
		*dhow = xlat_addr_6to4(&c->m, k->daddr, dport, daddr, &spoofed);
		if (*dhow == XLAT_NONE)
			return 1;
	}
	if (xlat_addr_6to4(&c->m, k->saddr, sport, saddr, &spoofed) ==
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

/*
 * The same for a packet that may be a fragment (RFC 7915 section 5.1: each
 * is translated on its own). A non-first fragment whose checks need a
 * port (a CE's port set, the BR's anti-spoofing of a CE that shares its
 * IPv4 address) passes only if its first fragment passed (the fragment
 * cache, RFC 7597 section 8.3.3); it then gets the first one's addresses.
 */
static int mapt_map_6to4(struct mapt_ctx *c, struct sk_buff *skb,
			 const struct xlat_pkt *k, u32 *saddr, u32 *daddr,
			 enum xlat_how *dhow)
{
	u8 a[16], b[16];
	int ret;

	ret = mapt_addrs_6to4(c, skb, k, k->sport, k->dport, saddr, daddr,
			      dhow);
	if (ret || !k->frag || !mapt_needs_ports6(c, k))
		return ret;
	if (!k->frag_off) {
		if (k->mf) {
			memset(a, 0, sizeof(a));
			memset(b, 0, sizeof(b));
			xlat_put32(a, *saddr);
			xlat_put32(b, *daddr);
			mapt_frag_store(c->net, k, true, a, b);
		}
		return 0;
	}
	if (!mapt_frag_find(c->net, k, true, a, b))
		return -1;		/* counted as a miss */
	*saddr = xlat_get32(a);
	*daddr = xlat_get32(b);
	return 0;
}

/*
 * BR/SIIT: an IPv6 packet sent to the DMR (pool6) embedding of an IPv4
 * address of this table's own (a CE's by MAP rule, an IPv6 host's by EAM)
 * goes back to IPv6 (RFC 7757 section 4). dhow: how the destination was
 * mapped; one mapped by MAP rule or EAM already is the IPv4 host's.
 */
bool mapt_hairpin(const struct mapt_ctx *c, enum xlat_how dhow, u32 daddr)
{
	return dhow == XLAT_DMR &&
	       (xlat_map_find4(&c->m, daddr) ||
		xlat_eam_find4(&c->m, daddr));
}

/*
 * The translated IPv4 packet, now IPv6 again, routed and sent (one router
 * hop: the hop limit went down by one as IPv6). Consumes skb.
 */
unsigned int mapt_hairpin_4to6(struct mapt_ctx *c, struct sk_buff *skb)
{
	struct mapt_ctx out = *c;

	mapt_count(c->net, MAPT_STAT_HAIRPIN);
	out.hairpin = true;
	if (mapt_4to6(&out, skb) == XT_CONTINUE) {
		mapt_count(c->net, MAPT_STAT_UNMAPPED);
		kfree_skb(skb);
	}
	return NF_STOLEN;
}

/*
 * Where a hairpinned packet will go as IPv6, found before it is
 * translated, so that a packet too big for that route is answered with a
 * Packet Too Big to its IPv6 source (once IPv4, it has no route back).
 * 0: it fits; -1: answered or dropped (counted).
 */
static int mapt_hairpin_check(struct mapt_ctx *c, struct sk_buff *skb,
			      const struct xlat_pkt *k, u32 saddr, u32 daddr)
{
	u8 src6[16], dst6[16];
	struct dst_entry *dst;
	unsigned int len6, mtu;

	if (!c->m.dmr->len || !rfc6052_ipv4_ok(c->m.dmr, saddr) ||
	    xlat_addr_4to6(&c->m, daddr, k->dport, dst6) == XLAT_NONE) {
		mapt_count(c->net, MAPT_STAT_UNMAPPED);
		return -1;
	}
	rfc6052_embed(c->m.dmr, saddr, src6);
	dst = mapt_route6(c, skb, dst6, src6);
	if (!dst)
		return -1;
	mtu = dst_mtu(dst);
	dst_release(dst);
	len6 = skb->len - k->l3_len + XLAT_IP6_HLEN +
	       (k->frag ? XLAT_FRAG_HLEN : 0);
	if (len6 <= mtu || k->frag_hdr ||
	    (skb_is_gso(skb) && skb_gso_validate_network_len(skb, mtu)))
		return 0;
	mapt_icmp6_send(c, skb, ICMPV6_PKT_TOOBIG, 0, mtu);
	mapt_count(c->net, MAPT_STAT_PTB);
	return -1;
}

/*
 * Translate the IPv6 packet skb (network header at skb->data) and send it
 * on. NF_STOLEN when it went on (or was dropped here), XT_CONTINUE when it
 * is not for this rule.
 */
unsigned int mapt_6to4(struct mapt_ctx *c, struct sk_buff *skb)
{
	unsigned int tot4, mtu = 0;
	u8 hdr[XLAT_IP4_HLEN];
	struct dst_entry *dst = NULL;
	enum xlat_how dhow;
	bool hairpin;
	u16 frag_max = 0;
	struct xlat_pkt k;
	enum xlat_csum how;
	u32 saddr, daddr;
	int ret;

	ret = mapt_parse(skb, true, &k);
	if (ret < 0) {
		if (!mapt_ours(c, &k, true))
			return XT_CONTINUE;
		if (ret == -XLAT_E_SEGMENTS_LEFT)
			mapt_icmp6_send(c, skb, ICMPV6_PARAMPROB,
					ICMPV6_HDR_FIELD, k.bad_ptr);
		if (ret == -XLAT_E_EXT_AFTER_FRAG)	/* filtered, as Jool's */
			mapt_icmp6_send(c, skb, ICMPV6_DEST_UNREACH,
					ICMPV6_ADM_PROHIBITED, 0);
		mapt_count(c->net, mapt_err_stat[-ret]);
		goto drop;
	}
	if (pskb_trim_rcsum(skb, k.tot_len))
		goto nomem;
	if (skb_is_gso(skb) && !mapt_gso_plain6(skb))
		return mapt_segment(c, skb, mapt_6to4);
	if (k.icmp_error)
		return mapt_6to4_err(c, skb, &k);

	ret = mapt_map_6to4(c, skb, &k, &saddr, &daddr, &dhow);
	if (ret > 0)
		return XT_CONTINUE;
	if (ret < 0)
		goto drop;
	/* A router (RFC 7915 section 5.1): hop limit checked, down by one */
	if (k.ttl <= 1) {
		mapt_icmp6_send(c, skb, ICMPV6_TIME_EXCEED,
				ICMPV6_EXC_HOPLIMIT, 0);
		mapt_count(c->net, MAPT_STAT_TTL);
		goto drop;
	}
	k.ttl--;
	/* Reassembled by conntrack: it was fragmented, so DF 0 (5.1.1) */
	if (IP6CB(skb)->frag_max_size && !k.frag_hdr) {
		k.frag_hdr = true;
		k.frag_id = get_random_u16();
		frag_max = max_t(int, IP6CB(skb)->frag_max_size -
				 (XLAT_IP6_HLEN - XLAT_IP4_HLEN), 576);
	}

	/*
	 * Size (RFC 7915 section 5.1). DF will be set (no Fragment Header,
	 * over 1260 bytes) and the IPv4 route takes less, or the IPv4 total
	 * length cannot hold it: Packet Too Big with that MTU plus the
	 * header change, never below 1280. A fragment (DF 0) is split by
	 * IPv4 output as needed. A GSO packet is looked at by its segments.
	 */
	tot4 = skb->len - k.l3_len + XLAT_IP4_HLEN;
	hairpin = mapt_hairpin(c, dhow, daddr);
	if (hairpin) {
		if (mapt_hairpin_check(c, skb, &k, saddr, daddr))
			goto drop;
	} else if (!mapt_is_ce(c)) {
		dst = mapt_route4(c, skb, daddr, saddr);
		if (!dst)
			goto drop;
		mtu = min_t(unsigned int, dst_mtu(dst), IP_MAX_MTU);
	}
	/*
	 * A CE's (dst NULL): for its own IPv4 address, received as if it had
	 * come so (its NAT turns replies back, its port forwards apply),
	 * and forwarded by IPv4 from there.
	 */
	if (tot4 > IP_MAX_MTU && !skb_is_gso(skb))
		mtu = min_t(unsigned int, mtu ? mtu : IP_MAX_MTU, IP_MAX_MTU);
	else if (hairpin || !dst || k.frag_hdr || tot4 <= 1260 || tot4 <= mtu ||
		 (skb_is_gso(skb) &&
		  skb_gso_validate_network_len(skb, mtu)))
		mtu = 0;
	if (mtu) {
		mapt_icmp6_send(c, skb, ICMPV6_PKT_TOOBIG, 0,
				max_t(u32, mtu + XLAT_IP6_HLEN - XLAT_IP4_HLEN,
				      IPV6_MIN_MTU));
		mapt_count(c->net, MAPT_STAT_PTB);
		goto drop_dst;
	}

	if (skb_ensure_writable(skb, k.l3_len + xlat_csum_reach(k.proto)) ||
	    mapt_csum_prepare(skb, &k, &how))
		goto nomem_dst;
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
	 * Hairpinning (RFC 7757 section 4; CE to CE through a BR): a
	 * destination of this translator's own IPv4 space turns around here.
	 */
	if (hairpin)
		return mapt_hairpin_4to6(c, skb);
	mapt_send(c, skb, dst, frag_max);
	return NF_STOLEN;

nomem_dst:
	mapt_count(c->net, MAPT_STAT_NO_MEMORY);
drop_dst:
	if (dst)
		dst_release(dst);
	goto drop;
nomem:
	mapt_count(c->net, MAPT_STAT_NO_MEMORY);
drop:
	kfree_skb(skb);
	return NF_STOLEN;
}
