// SPDX-License-Identifier: GPL-2.0
/*
 * MAPT: stateless IPv4/IPv6 translation (RFC 7915) for a MAP-T CE or BR
 * (RFC 7599), a 464XLAT CLAT (RFC 6877 section 6.3) or an SIIT with EAM
 * (RFC 7757), in the module xt_LW4O6 (whose tables hold the MAP rules,
 * EAM entries, DMR and the translator's policy). docs/mapt-design.md;
 * the files of the packet path: mapt.h.
 *
 *   BR/SIIT/CLAT: iptables -t raw -A PREROUTING ... -j MAPT --binding-table T
 *                 ip6tables -t raw -A PREROUTING ... -j MAPT --binding-table T
 *   CE:           iptables -t nat -A POSTROUTING -o wan -j SNATPSID --end-user-prefix P --binding-table T
 *                 iptables -t mangle -A POSTROUTING -o wan -j MAPT --end-user-prefix P --binding-table T
 *                 ip6tables -t raw -A PREROUTING -i wan -j MAPT --end-user-prefix P --binding-table T
 *
 * In raw PREROUTING a packet is translated before routing, as a router
 * (TTL / hop limit down by one), routed in the other family and sent
 * through its OUTPUT and POSTROUTING hooks (ip_local_out/ip6_local_out),
 * so conntrack, NAT and the firewall of that family see it there; one for
 * the box itself is received through the other family's PREROUTING hooks,
 * called from here (mapt_deliver()). Never through the backlog a second
 * time. NF_STOLEN. In mangle POSTROUTING (IPv4)
 * the packet is marked, and the after-SNAT hook (softwire_after_snat.c)
 * translates it after NAPT put it into the CE's port set: NAPT and
 * translation in one namespace.
 *
 * Fragments are translated one by one (RFC 7915 sections 4.1 and 5.1): the
 * target holds no reassembly state. The ports of a non-first fragment,
 * where a MAP rule's port set needs them, come from a small bounded cache
 * of first fragments (mapt_frag.c). Where conntrack defragments anyway
 * (before the raw table), the target sees the reassembled packet and
 * translates it whole: mapt_4to6.c/mapt_6to4.c say how.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/if_vlan.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter_bridge.h>
#include <linux/netfilter_ipv6.h>
#include <linux/skbuff.h>
#include <linux/version.h>
#include <net/ip.h>
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
#include <net/gso.h>		/* skb_gso_segment */
#endif
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/route.h>

#include "lw4o6.h"
#include "mapt.h"
#include "softwire_flowtable.h"
#include "softwire_stats.h"

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
	[MAPT_STAT_PTB]			= "packet_too_big_sent",
	[MAPT_STAT_FRAGMENTED]		= "fragmented_4to6",
	[MAPT_STAT_FRAG_STORED]		= "frag_cache_stored",
	[MAPT_STAT_FRAG_HIT]		= "frag_cache_hit",
	[MAPT_STAT_FRAG_MISS]		= "dropped_frag_cache_miss",
	[MAPT_STAT_FRAG_EVICTED]	= "frag_cache_evicted",
	[MAPT_STAT_BRIDGED]		= "passed_bridged",
};

static struct softwire_stats mapt_stats = {
	.proc_name	= "xt_MAPT",
	.names		= mapt_stat_names,
	.count		= MAPT_STAT_MAX,
};

void mapt_count(struct net *net, enum mapt_stat s)
{
	softwire_count(net, &mapt_stats, s);
}

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
	c->hairpin = false;
	c->via_dmr = false;
	c->in = NULL;
	c->x = softwire_table_xlat(d);
	c->m.rules = rules ? rules->r : NULL;
	c->m.n_rules = rules ? rules->n : 0;
	c->m.eam = c->x ? c->x->eam : NULL;
	c->m.n_eam = c->x ? c->x->n_eam : 0;
	c->m.eam_ix = c->x ? &c->x->eam_ix : NULL;
	c->m.rules_ix = rules ? &rules->ix : NULL;
	c->m.dmr = c->x ? &c->x->dmr : &mapt_no_dmr;
	c->ce = NULL;
	if (!(r->flags & XT_MAPT_EU_PREFIX))
		return true;
	c->ce = softwire_binding_ce(&r->ce);
	if (!c->ce)
		softwire_binding_count_none(&r->ce);
	return c->ce != NULL;
}

/*
 * Is a packet that cannot be translated ours to drop and count, or
 * another's (neighbour discovery, traffic to the box itself)? Ours when its
 * destination is one the rule translates: a CE's own address; a BR's or
 * SIIT's MAP domain, EAM or DMR space. The IP header itself was checked by
 * the stack before PREROUTING; an unparsed one is left to it.
 */
bool mapt_ours(const struct mapt_ctx *c, const struct xlat_pkt *k, bool v6)
{
	static const u8 zero[16];
	u32 ip4;

	if (!memcmp(k->daddr, zero, v6 ? 16 : 4))
		return false;
	if (!v6) {
		ip4 = xlat_get32(k->daddr);
		return c->mode == MAPT_AFTER_SNAT ||
		       xlat_map_find4(&c->m, ip4) ||
		       xlat_eam_find4(&c->m, ip4) ||
		       (c->m.dmr->len && !mapt_is_ce(c));
	}
	if (mapt_is_ce(c))
		return !memcmp(k->daddr, c->ce->ip6, 16);
	return xlat_map_find6(&c->m, k->daddr) ||
	       xlat_eam_find6(&c->m, k->daddr) ||
	       (c->m.dmr->len && rfc6052_extract(c->m.dmr, k->daddr, &ip4));
}

const enum mapt_stat mapt_err_stat[XLAT_E_MAX] = {
	[XLAT_E_MALFORMED]	= MAPT_STAT_MALFORMED,
	[XLAT_E_SOURCE_ROUTE]	= MAPT_STAT_SOURCE_ROUTE,
	[XLAT_E_SEGMENTS_LEFT]	= MAPT_STAT_SEGMENTS_LEFT,
	[XLAT_E_EXT_HEADERS]	= MAPT_STAT_EXT_HEADERS,
	[XLAT_E_ICMP_TYPE]	= MAPT_STAT_ICMP_TYPE,
	[XLAT_E_UDP_ZERO]	= MAPT_STAT_UDP_ZERO,
	[XLAT_E_FRAG_ICMP]	= MAPT_STAT_FRAG_ICMP,
	[XLAT_E_EXT_AFTER_FRAG]	= MAPT_STAT_EXT_HEADERS,
};

/*
 * Parse the headers of skb (network header at skb->data), pulling into the
 * linear area only what the parser asks for. 0 or -enum xlat_err.
 */
int mapt_parse(struct sk_buff *skb, bool v6, struct xlat_pkt *k)
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

/*
 * The checksum state the in-place translation can keep: a partial checksum
 * is updated as a pseudo-header sum (except ICMP, completed now); a
 * received full sum (CHECKSUM_COMPLETE) would not cover the new header,
 * so it is dropped and the receiver checks in software, as ip_forward
 * drops it (skb_forward_csum).
 */
int mapt_csum_prepare(struct sk_buff *skb, const struct xlat_pkt *k,
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

/* ---- routing and sending the translated packet ------------------------ */

/*
 * The route of a translated packet: by both its addresses (a source need
 * not be local: FLOWI_FLAG_ANYSRC) and its mark, as the forwarding of the
 * other family would have it. NULL: none (counted).
 */
struct dst_entry *mapt_route6(struct mapt_ctx *c, struct sk_buff *skb,
			      const u8 *daddr, const u8 *saddr)
{
	struct flowi6 fl6 = {
		.flowi6_mark	= skb->mark,
		.flowi6_flags	= FLOWI_FLAG_ANYSRC,
	};
	struct dst_entry *dst;

	memcpy(&fl6.daddr, daddr, 16);
	memcpy(&fl6.saddr, saddr, 16);
	dst = ip6_route_output(c->net, NULL, &fl6);
	if (dst->error) {
		dst_release(dst);
		mapt_count(c->net, MAPT_STAT_NO_ROUTE);
		return NULL;
	}
	return dst;
}

struct dst_entry *mapt_route4(struct mapt_ctx *c, struct sk_buff *skb,
			      u32 daddr, u32 saddr)
{
	struct flowi4 fl4 = {
		.daddr		= htonl(daddr),
		.saddr		= htonl(saddr),
		.flowi4_mark	= skb->mark,
		.flowi4_flags	= FLOWI_FLAG_ANYSRC,
	};
	struct rtable *rt = ip_route_output_key(c->net, &fl4);

	if (IS_ERR(rt)) {
		mapt_count(c->net, MAPT_STAT_NO_ROUTE);
		return NULL;
	}
	return &rt->dst;
}

/*
 * Set while a translated packet crosses the other family's PREROUTING
 * hooks (mapt_deliver()): the MAPT rules there leave it alone, so a
 * translated packet is never translated back (a one-armed translator whose
 * rules of both families match the same device).
 */
static DEFINE_PER_CPU(unsigned int, mapt_delivering);

static int mapt_rcv_finish4(struct net *net, struct sock *sk,
			    struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);

	if (ip_route_input_noref(skb, iph->daddr, iph->saddr, iph->tos,
				 skb->dev)) {
		kfree_skb(skb);
		return NET_RX_DROP;
	}
	return dst_input(skb);
}

static int mapt_rcv_finish6(struct net *net, struct sock *sk,
			    struct sk_buff *skb)
{
	const struct nf_ipv6_ops *v6ops = nf_get_ipv6_ops();

	/* ip6_route_input, as br_netfilter reaches it */
	if (!v6ops || !v6ops->route_input) {
		kfree_skb(skb);
		return NET_RX_DROP;
	}
	v6ops->route_input(skb);
	return dst_input(skb);
}

/*
 * A translated packet for the box itself (the CE's own IPv4 address: the
 * replies its NAT turns back, its port forwards; a CLAT's or SIIT's own
 * address) is received, as if it had arrived so on the device the packet
 * came in on: the other family's PREROUTING hooks (conntrack, the nat
 * table's DNAT), input routing, then INPUT or FORWARD. Not through the
 * backlog a second time: called here, in this hook.
 */
static void mapt_deliver(struct mapt_ctx *c, struct sk_buff *skb)
{
	struct net_device *in = c->in;

	skb->dev = in;
	skb->skb_iif = in->ifindex;
	__this_cpu_inc(mapt_delivering);
	if (skb->protocol == htons(ETH_P_IPV6)) {
		memset(IP6CB(skb), 0, sizeof(*IP6CB(skb)));
		IP6CB(skb)->iif = in->ifindex;
		IP6CB(skb)->nhoff = offsetof(struct ipv6hdr, nexthdr);
		NF_HOOK(NFPROTO_IPV6, NF_INET_PRE_ROUTING, c->net, NULL, skb,
			in, NULL, mapt_rcv_finish6);
	} else {
		memset(IPCB(skb), 0, sizeof(*IPCB(skb)));
		IPCB(skb)->iif = in->ifindex;
		NF_HOOK(NFPROTO_IPV4, NF_INET_PRE_ROUTING, c->net, NULL, skb,
			in, NULL, mapt_rcv_finish4);
	}
	__this_cpu_dec(mapt_delivering);
}

static bool mapt_dst_local(const struct dst_entry *dst, bool v6)
{
	if (v6)
		return ((const struct rt6_info *)dst)->rt6i_flags & RTF_LOCAL;
	return ((const struct rtable *)dst)->rt_type == RTN_LOCAL;
}

/*
 * Send the translated packet skb (network header at skb->data,
 * skb->protocol its new family's) on dst, which it takes. It is scrubbed
 * as a tunnel scrubs what it decapsulates: no route, conntrack entry,
 * extension (secpath, bridge info) or VLAN tag of the old family stays;
 * its mark does (the namespace is the same). frag_max (IPv4; 0: none):
 * the largest fragment IPv4 output may make of it. A packet for the box
 * itself (dst local, or NULL: a CE's IPv4, for its own address) is
 * received (mapt_deliver()); any other goes through the other
 * family's LOCAL_OUT and POSTROUTING hooks: its conntrack and firewall
 * see it there (the OUTPUT chains), not in FORWARD.
 */
void mapt_send(struct mapt_ctx *c, struct sk_buff *skb, struct dst_entry *dst,
	       u16 frag_max)
{
	bool v6 = skb->protocol == htons(ETH_P_IPV6);
	bool ignore_df = skb->ignore_df;

	skb_scrub_packet(skb, false);
	__vlan_hwaccel_clear_tag(skb);
	skb_clear_hash(skb);
	if (!dst || mapt_dst_local(dst, v6)) {
		if (dst)
			dst_release(dst);
		if (!c->in) {
			kfree_skb(skb);
			return;
		}
		mapt_deliver(c, skb);
		return;
	}
	skb->ignore_df = ignore_df;
	skb_dst_set(skb, dst);
	/* A connection started here is kept off flowtables: their fast
	 * path would skip the translation.
	 */
	softwire_flowtable_via_dev(c->net, dst->dev);
	if (v6) {
		memset(IP6CB(skb), 0, sizeof(*IP6CB(skb)));
		ip6_local_out(c->net, NULL, skb);
	} else {
		memset(IPCB(skb), 0, sizeof(*IPCB(skb)));
		IPCB(skb)->frag_max_size = frag_max;
		ip_local_out(c->net, NULL, skb);
	}
}

/*
 * A GSO packet the translation cannot keep whole (not plain TCP: tunnel
 * GSO types of a GRO aggregate, UDP GSO, fraglists; or segments too big
 * for the other side): segmented in software here, each segment
 * translated on its own by fn. NF_STOLEN.
 */
unsigned int mapt_segment(struct mapt_ctx *c, struct sk_buff *skb,
			  unsigned int (*fn)(struct mapt_ctx *c,
					     struct sk_buff *skb))
{
	struct sk_buff *segs, *seg, *next;

	segs = skb_gso_segment(skb, 0);
	if (IS_ERR_OR_NULL(segs)) {
		mapt_count(c->net, segs ? MAPT_STAT_MALFORMED :
					  MAPT_STAT_NO_MEMORY);
		kfree_skb(skb);
		return NF_STOLEN;
	}
	consume_skb(skb);
	skb_list_walk_safe(segs, seg, next) {
		skb_mark_not_on_list(seg);
		if (fn(c, seg) == XT_CONTINUE) {
			mapt_count(c->net, MAPT_STAT_UNMAPPED);
			kfree_skb(seg);
		}
	}
	return NF_STOLEN;
}

/* ---- the target ------------------------------------------------------- */

/* A frame bridged through br_netfilter is the bridge's, not ours. */
static bool mapt_bridged(struct net *net, const struct sk_buff *skb)
{
#if IS_ENABLED(CONFIG_BRIDGE_NETFILTER)
	if (nf_bridge_info_exists(skb)) {
		mapt_count(net, MAPT_STAT_BRIDGED);
		return true;
	}
#endif
	return false;
}

static unsigned int mapt_tg4(struct sk_buff *skb,
			     const struct xt_action_param *par)
{
	const struct xt_mapt_tginfo *info = par->targinfo;
	struct mapt_rule *r = info->k_rule;
	struct mapt_ctx c;

	if (mapt_bridged(xt_net(par), skb) || __this_cpu_read(mapt_delivering))
		return XT_CONTINUE;
	if (r->after_snat) {
		softwire_after_snat_mark(xt_net(par), skb, &r->as);
		return XT_CONTINUE;
	}
	if (!mapt_ctx_init(&c, xt_net(par), r, MAPT_PREROUTING))
		return NF_DROP;
	c.in = xt_in(par);
	return mapt_4to6(&c, skb);
}

static unsigned int mapt_tg6(struct sk_buff *skb,
			     const struct xt_action_param *par)
{
	const struct xt_mapt_tginfo *info = par->targinfo;
	struct mapt_ctx c;

	if (mapt_bridged(xt_net(par), skb) || __this_cpu_read(mapt_delivering))
		return XT_CONTINUE;
	if (!mapt_ctx_init(&c, xt_net(par), info->k_rule, MAPT_PREROUTING))
		return NF_DROP;
	c.in = xt_in(par);
	return mapt_6to4(&c, skb);
}

/* After SNAT (a CE, a NATed CLAT): translate and send; consumes skb. */
static void mapt_after_snat(struct net *net, struct sk_buff *skb,
			    struct softwire_after_snat_rule *as)
{
	struct mapt_rule *r = container_of(as, struct mapt_rule, as);
	struct mapt_ctx c;

	if (!mapt_ctx_init(&c, net, r, MAPT_AFTER_SNAT)) {
		kfree_skb(skb);
		return;
	}
	c.in = skb->dev;
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

	/* No reassembly (RFC 7915 sections 4.1, 5.1): a first fragment's
	 * ports for the non-first ones, where a port set needs them.
	 */
	err = mapt_frag_cache_get(par->net);
	if (err)
		goto unbind;
	err = dst_cache_init(&r->dmr_route, GFP_KERNEL_ACCOUNT);
	if (err)
		goto unbind;
	if (post) {
		err = softwire_after_snat_add(par->net, &r->as);
	} else {
		/* what it translates starts connections of the other family */
		err = softwire_flowtable_get(par->net, mapt_other(par->family));
	}
	if (err)
		goto route;
	info->k_rule = r;
	return 0;
route:
	dst_cache_destroy(&r->dmr_route);
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
	if (r->flags & XT_MAPT_EU_PREFIX)
		softwire_binding_del(&r->ce);
	softwire_table_put(r->bt);
	/* after softwire_after_snat_del(): no packet path reads it now */
	dst_cache_destroy(&r->dmr_route);
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
	err = mapt_frag_init();
	if (err)
		goto stats;
	err = xt_register_targets(mapt_tg_reg, ARRAY_SIZE(mapt_tg_reg));
	if (err)
		goto frag;
	return 0;
frag:
	mapt_frag_exit();
stats:
	unregister_pernet_subsys(&mapt_net_ops);
	return err;
}

void mapt_exit(void)
{
	xt_unregister_targets(mapt_tg_reg, ARRAY_SIZE(mapt_tg_reg));
	mapt_frag_exit();
	unregister_pernet_subsys(&mapt_net_ops);
}
