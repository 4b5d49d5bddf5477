// SPDX-License-Identifier: GPL-2.0
/*
 * MAPT's ICMP: errors translated whole (RFC 7915 sections 4.2, 4.3, 5.2,
 * 5.3: the outer header, the ICMP type and code, and the packet quoted,
 * each into a new skb; small, never fragmented), and the errors the
 * translator sends itself (time exceeded, fragmentation needed / packet
 * too big, source route failed, policy). mapt.h lists the other files.
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter.h>
#include <linux/netfilter/x_tables.h>
#include <linux/random.h>
#include <linux/skbuff.h>
#include <net/icmp.h>
#include <net/ip.h>
#include <net/ip6_checksum.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/route.h>

#include "mapt.h"
#include "softwire_icmp.h"
#include "xlat_icmp.h"

/*
 * The translator's own errors, about skb (not yet translated). From raw
 * PREROUTING they need a route back to the sender first; after SNAT the
 * error goes to the source before NAT, as conntrack knows it.
 */
bool mapt_icmp4_send(struct mapt_ctx *c, struct sk_buff *skb, int type,
		     int code, u32 info)
{
	/* After SNAT: to the source before NAT, as conntrack knows it. */
	if (c->mode == MAPT_AFTER_SNAT) {
		icmp_ndo_send(skb, type, code, htonl(info));
		return true;
	}
	return softwire_icmp4_send(c->net, skb, type, code, info);
}

bool mapt_icmp6_send(struct mapt_ctx *c, struct sk_buff *skb, u8 type,
		     u8 code, u32 info)
{
	if (!softwire_route_back(c->net, skb))
		return false;
	icmpv6_send(skb, type, code, info);
	return true;
}

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
	dst = mapt_route6(c, skb, a->dst, a->src);
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
unsigned int mapt_4to6_err(struct mapt_ctx *c, struct sk_buff *skb,
			   struct xlat_pkt *k)
{
	struct xlat_icmp_err e = { .outer = *k };
	struct xlat_err_addrs6 a = {};
	struct dst_entry *dst;
	u32 osrc, odst, qsrc, qdst;
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
	}
	/*
	 * Hairpinned (RFC 7757 section 4): the CE or host that sent the
	 * error is known to the one it goes to by the DMR form of its
	 * address, as the packet it quotes was sent to.
	 */
	if (c->hairpin) {
		if (!c->m.dmr->len) {
			mapt_count(c->net, MAPT_STAT_UNMAPPED);
			goto drop;
		}
		rfc6052_embed(c->m.dmr, osrc, a.src);
		rfc6052_embed(c->m.dmr, qdst, a.qdst);
	}
	if (c->mode == MAPT_PREROUTING && k->ttl <= 1) {
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

	/*
	 * Routed and sent by the box, whatever its source (the RFC 6791
	 * address may be one of its own). A router's hop from PREROUTING,
	 * where its TTL was checked above 1.
	 */
	dst = mapt_route6(c, nskb, a.dst, a.src);
	if (!dst) {
		kfree_skb(nskb);
		goto drop;
	}
	if (c->mode == MAPT_PREROUTING && !c->hairpin)
		ipv6_hdr(nskb)->hop_limit--;
	mapt_send(c, nskb, dst, 0);
	consume_skb(skb);
	return NF_STOLEN;
nomem:
	mapt_count(c->net, MAPT_STAT_NO_MEMORY);
drop:
	kfree_skb(skb);
	return NF_STOLEN;
}

unsigned int mapt_6to4_err(struct mapt_ctx *c, struct sk_buff *skb,
			   struct xlat_pkt *k)
{
	struct xlat_icmp_err e = { .outer = *k };
	struct xlat_err_addrs4 a = {};
	struct dst_entry *dst;
	enum xlat_how dhow = XLAT_NONE;
	bool spoofed = false;
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
	consume_skb(skb);
	ip_decrease_ttl(ip_hdr(nskb));	/* a router's hop (TTL checked) */
	if (mapt_hairpin(c, dhow, a.dst))
		return mapt_hairpin_4to6(c, nskb);
	/*
	 * Routed and sent by the box, whatever its source (the RFC 6791
	 * address may be one of its own, as Jool's default is).
	 */
	dst = NULL;	/* a CE's: received, for its own address */
	if (!mapt_is_ce(c)) {
		dst = mapt_route4(c, nskb, a.dst, a.src);
		if (!dst) {
			kfree_skb(nskb);
			return NF_STOLEN;
		}
	}
	mapt_send(c, nskb, dst, 0);
	return NF_STOLEN;
nomem:
	mapt_count(c->net, MAPT_STAT_NO_MEMORY);
drop:
	kfree_skb(skb);
	return NF_STOLEN;
}

