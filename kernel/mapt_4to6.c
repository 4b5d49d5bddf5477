// SPDX-License-Identifier: GPL-2.0
/*
 * MAPT, IPv4 -> IPv6 (RFC 7915 section 4): map the addresses, translate
 * the header in place, route and send; split what does not fit
 * lowest-ipv6-mtu (section 4.1). mapt.h lists the other files.
 *
 * A packet that conntrack reassembled before the raw table (a box with
 * IPv4 conntrack) is one packet here: DF clear, it leaves as IPv6
 * fragments of lowest-ipv6-mtu, as any DF-clear packet too big for it.
 */
#include <linux/icmp.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter.h>
#include <linux/netfilter/x_tables.h>
#include <linux/skbuff.h>
#include <linux/version.h>
#include <net/icmp.h>
#include <net/ip.h>
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
#include <net/gso.h>		/* skb_gso_validate_network_len */
#endif
#include <net/ip6_checksum.h>
#include <net/ip6_fib.h>
#include <net/ipv6.h>

#include "mapt.h"

/*
 * GSO: a plain TCP aggregate keeps its shape, its segments become IPv6
 * ones; anything else (tunnel types, UDP GSO, fraglists) is segmented
 * first (mapt_segment()).
 */
static bool mapt_gso_plain4(const struct sk_buff *skb)
{
	return !skb->encapsulation &&
	       !(skb_shinfo(skb)->gso_type &
		 ~(SKB_GSO_TCPV4 | SKB_GSO_TCP_FIXEDID | SKB_GSO_TCP_ECN |
		   SKB_GSO_DODGY));
}

static void mapt_gso_4to6(struct sk_buff *skb)
{
	struct skb_shared_info *si = skb_shinfo(skb);

	if (!skb_is_gso(skb))
		return;
	si->gso_type &= ~(SKB_GSO_TCPV4 | SKB_GSO_TCP_FIXEDID);
	si->gso_type |= SKB_GSO_TCPV6;
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

/* Does rule r share IPv4 addresses (a PSID of one bit or more)? */
static bool mapt_rule_shares(const struct map_rule *r)
{
	return r && r->ip4_len + r->ea_len > 32;
}

/* Do the addresses of k need its ports, which a non-first fragment lacks? */
static bool mapt_needs_ports4(const struct mapt_ctx *c,
			      const struct xlat_pkt *k)
{
	if (mapt_is_ce(c) && c->ce->ports.len)
		return true;
	return mapt_rule_shares(xlat_map_find4(&c->m, xlat_get32(k->daddr))) ||
	       (!mapt_is_ce(c) && !c->hairpin &&
		mapt_rule_shares(xlat_map_find4(&c->m, xlat_get32(k->saddr))));
}

/*
 * The addresses of an IPv4 packet in IPv6, with the ports given (-1:
 * none). A CE sends only from its own address and port set (after
 * SNATPSID), to a CE by FMR or to the DMR. Others translate a packet when
 * both ends map; a hairpinned one's source takes the DMR form of its
 * address (RFC 7757 section 4), so that the reply crosses the translator
 * too. 0: mapped; 1: not ours (XT_CONTINUE); -1: drop, *why says why.
 */
static int mapt_addrs_4to6(struct mapt_ctx *c, const struct xlat_pkt *k,
			   int sport, int dport, u8 *src6, u8 *dst6,
			   enum mapt_stat *why)
{
	u32 saddr = xlat_get32(k->saddr);
	u32 daddr = xlat_get32(k->daddr);
	const struct map_ce *ce = c->ce;
	enum xlat_how how;

	if (mapt_is_ce(c)) {
		*why = MAPT_STAT_NOT_CE;
		if (saddr != ce->ip4 ||
		    (ce->ports.len && (sport < 0 ||
				       !psid_port_in_set(&ce->ports, sport))))
			return -1;
		memcpy(src6, ce->ip6, 16);
		*why = MAPT_STAT_UNMAPPED;
		how = xlat_addr_4to6(&c->m, daddr, dport, dst6);
		if (how == XLAT_NONE)
			return -1;
		c->via_dmr = how == XLAT_DMR;
		return 0;
	}
	if (xlat_addr_4to6(&c->m, daddr, dport, dst6) == XLAT_NONE)
		return 1;
	if (c->hairpin) {
		if (!c->m.dmr->len || !rfc6052_ipv4_ok(c->m.dmr, saddr))
			return 1;
		rfc6052_embed(c->m.dmr, saddr, src6);
		return 0;
	}
	return xlat_addr_4to6(&c->m, saddr, sport, src6) == XLAT_NONE;
}

/*
 * The same for a packet that may be a fragment (RFC 7915 section 4.1:
 * each is translated on its own). A non-first fragment carries no port:
 * where its addresses need one, the first fragment's mapping comes from
 * the fragment cache (RFC 7597 section 8.3.3); with none (first not seen,
 * or gone), it is dropped and counted.
 */
static int mapt_map_4to6(struct mapt_ctx *c, const struct xlat_pkt *k,
			 u8 *src6, u8 *dst6)
{
	enum mapt_stat why = MAPT_STAT_UNMAPPED;
	int ret;

	if (k->frag_off) {
		ret = mapt_addrs_4to6(c, k, -1, -1, src6, dst6, &why);
		if (!ret)
			return 0;
		if (mapt_needs_ports4(c, k)) {
			if (mapt_frag_find(c->net, k, false, src6, dst6))
				return 0;
			return -1;	/* counted as a miss */
		}
	} else {
		ret = mapt_addrs_4to6(c, k, k->sport, k->dport, src6, dst6,
				      &why);
		if (!ret && k->mf && mapt_needs_ports4(c, k))
			mapt_frag_store(c->net, k, false, src6, dst6);
	}
	if (ret < 0)
		mapt_count(c->net, why);
	return ret;
}

/*
 * The route of a translated packet. A CE sends all it does not send to
 * another CE (FMR) to the DMR, towards the BR (RFC 7599 section 5.3): that
 * route is kept per CPU in the rule (as the B4's to its AFTR) while no
 * mark asks for policy routing; a change of the routing tables
 * invalidates it (the dst cookie). Everything else is looked up.
 */
static struct dst_entry *mapt_route6_ce(struct mapt_ctx *c,
					struct sk_buff *skb,
					const u8 *dst6, const u8 *src6)
{
	struct dst_cache *cache = &((struct mapt_rule *)c->r)->dmr_route;
	struct in6_addr saddr;
	struct dst_entry *dst;

	if (!mapt_is_ce(c) || c->mode != MAPT_AFTER_SNAT || !c->via_dmr ||
	    skb->mark)
		return mapt_route6(c, skb, dst6, src6);
	dst = dst_cache_get_ip6(cache, &saddr);
	if (dst && !memcmp(&saddr, src6, 16))
		return dst;
	if (dst)
		dst_release(dst);
	dst = mapt_route6(c, skb, dst6, src6);
	/* not a route of one destination's own (a PMTU exception) */
	if (dst && !(((struct rt6_info *)dst)->rt6i_flags & RTF_CACHE))
		dst_cache_set_ip6(cache, dst, (const struct in6_addr *)src6);
	return dst;
}

/*
 * RFC 7915 section 4.1: a DF-clear packet that does not fit
 * lowest-ipv6-mtu (or the route) leaves as IPv6 fragments that do. skb is
 * translated, with a Fragment Header (the IPv4 Identification, the
 * offset and MF of the IPv4 packet, which may itself be a fragment) right
 * after its IPv6 header, linear there; not GSO. Each piece is a new skb
 * with a copy of both headers.
 */
static void mapt_fragment6(struct mapt_ctx *c, struct sk_buff *skb,
			   struct dst_entry *dst, unsigned int mtu)
{
	const unsigned int hl = XLAT_IP6_HLEN + XLAT_FRAG_HLEN;
	unsigned int chunk = (mtu - hl) & ~7u, total, off, len;
	u16 fo, first, last_m;
	struct sk_buff *nskb;
	u8 *h;

	if (skb->ip_summed == CHECKSUM_PARTIAL && skb_checksum_help(skb))
		goto nomem;
	total = skb->len - hl;
	fo = skb->data[XLAT_IP6_HLEN + 2] << 8 | skb->data[XLAT_IP6_HLEN + 3];
	first = fo & ~7;		/* bytes */
	last_m = fo & 1;
	for (off = 0; off < total; off += len) {
		len = min(chunk, total - off);
		nskb = alloc_skb(LL_RESERVED_SPACE(dst->dev) + hl + len +
				 dst->dev->needed_tailroom, GFP_ATOMIC);
		if (!nskb)
			goto nomem;
		skb_reserve(nskb, LL_RESERVED_SPACE(dst->dev));
		h = skb_put(nskb, hl + len);
		memcpy(h, skb->data, hl);
		if (skb_copy_bits(skb, hl + off, h + hl, len)) {
			kfree_skb(nskb);
			goto nomem;
		}
		((struct ipv6hdr *)h)->payload_len = htons(XLAT_FRAG_HLEN + len);
		fo = (first + off) | (off + len < total ? 1 : last_m);
		h[XLAT_IP6_HLEN + 2] = fo >> 8;
		h[XLAT_IP6_HLEN + 3] = fo;
		skb_reset_network_header(nskb);
		skb_set_transport_header(nskb, hl);
		nskb->protocol = htons(ETH_P_IPV6);
		nskb->mark = skb->mark;
		nskb->priority = skb->priority;
		mapt_send(c, nskb, dst_clone(dst), 0);
	}
	mapt_count(c->net, MAPT_STAT_FRAGMENTED);
	dst_release(dst);
	consume_skb(skb);
	return;
nomem:
	mapt_count(c->net, MAPT_STAT_NO_MEMORY);
	dst_release(dst);
	kfree_skb(skb);
}

/*
 * Translate the IPv4 packet skb (network header at skb->data) and send it
 * on. NF_STOLEN when it went on (or was dropped here), XT_CONTINUE when it
 * is not for this rule.
 */
unsigned int mapt_4to6(struct mapt_ctx *c, struct sk_buff *skb)
{
	u8 src6[16], dst6[16], hdr[XLAT_IP6_HLEN + XLAT_FRAG_HLEN];
	unsigned int hl, mtu, limit;
	bool udp_compute = false, split = false;
	struct dst_entry *dst;
	int delta, len6;	/* IPv4 options may make the old header the longer */
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
	if (skb_is_gso(skb) && !mapt_gso_plain4(skb))
		return mapt_segment(c, skb, mapt_4to6);
	if (k.icmp_error)
		return mapt_4to6_err(c, skb, &k);

	ret = mapt_map_4to6(c, &k, src6, dst6);
	if (ret > 0)
		return XT_CONTINUE;
	if (ret < 0)
		goto drop;

	/* A router (RFC 7915 section 4.1): the TTL is checked and goes down
	 * by one here. After SNAT, IPv4 forwarding did it; a hairpinned
	 * packet had it done as IPv6.
	 */
	if (c->mode == MAPT_PREROUTING && !c->hairpin) {
		if (k.ttl <= 1) {
			mapt_icmp4_send(c, skb, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL, 0);
			mapt_count(c->net, MAPT_STAT_TTL);
			goto drop;
		}
		k.ttl--;
	}
	/*
	 * RFC 7915 section 4.5: an IPv4 UDP datagram without a checksum is
	 * dropped, answered with ICMPv4 3/13 unless the table says
	 * drop-silent, or its checksum computed (not for a fragment).
	 */
	if (k.udp_zero && skb->ip_summed != CHECKSUM_PARTIAL) {
		if (k.frag || !c->x ||
		    !(c->x->flags & SOFTWIRE_XLAT_UDP_ZERO_COMPUTE)) {
			if (!c->x || !(c->x->flags & SOFTWIRE_XLAT_UDP_ZERO_SILENT))
				mapt_icmp4_send(c, skb, ICMP_DEST_UNREACH,
						ICMP_PKT_FILTERED, 0);
			mapt_count(c->net, MAPT_STAT_UDP_ZERO);
			goto drop;
		}
		udp_compute = true;
	}

	/*
	 * Size (RFC 7915 sections 4 and 4.1). DF set and too big for the
	 * IPv6 route: Fragmentation Needed with its MTU less the header
	 * growth. DF clear: IPv6 fragments of at most lowest-ipv6-mtu (and
	 * the route's MTU), a Fragment Header with the IPv4 Identification.
	 * A GSO packet is looked at by its segments.
	 */
	dst = mapt_route6_ce(c, skb, dst6, src6);
	if (!dst)
		goto drop;
	mtu = dst_mtu(dst);
	delta = XLAT_IP6_HLEN + (k.frag ? XLAT_FRAG_HLEN : 0) - (int)k.l3_len;
	len6 = (int)skb->len + delta;
	limit = k.df ? mtu : min(mtu, mapt_lowest_mtu(c));
	if (len6 > (int)limit &&
	    (!skb_is_gso(skb) ||
	     !skb_gso_validate_network_len(skb, limit - delta))) {
		if (k.df) {
			mapt_icmp4_send(c, skb, ICMP_DEST_UNREACH,
					ICMP_FRAG_NEEDED, mtu - delta);
			mapt_count(c->net, MAPT_STAT_FRAG_NEEDED);
			dst_release(dst);
			goto drop;
		}
		if (skb_is_gso(skb)) {
			dst_release(dst);
			return mapt_segment(c, skb, mapt_4to6);
		}
		split = true;
		if (!k.frag) {
			k.frag = true;	/* offset 0, MF 0: the whole packet */
			delta += XLAT_FRAG_HLEN;
		}
	}

	if (skb_ensure_writable(skb, k.l3_len + xlat_csum_reach(k.proto)) ||
	    skb_cow_head(skb, max(delta, 0) + LL_RESERVED_SPACE(dst->dev)) ||
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

	if (split)
		mapt_fragment6(c, skb, dst, limit);
	else
		mapt_send(c, skb, dst, 0);
	return NF_STOLEN;

nomem_dst:
	dst_release(dst);
nomem:
	mapt_count(c->net, MAPT_STAT_NO_MEMORY);
drop:
	kfree_skb(skb);
	return NF_STOLEN;
}
