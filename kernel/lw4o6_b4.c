// SPDX-License-Identifier: GPL-2.0
/*
 * xt_LW4O6, the B4/CE side (lw4o6 RFC 7596 section 5, DS-Lite RFC 6333
 * section 5, MAP-E CE RFC 7597 sections 5 and 6): one iptables rule per
 * softwire, which encapsulates and decapsulates:
 *
 *   iptables -t nat    -A POSTROUTING -o wan -p tcp -j SNAT --to 192.0.2.1:4096-8191
 *   iptables -t mangle -A POSTROUTING -o wan -j LW4O6 --b4 B4 --aftr AFTR \
 *            --psid 1/4 --psid-offset 0
 *
 * Encapsulation must happen after SNAT, which runs after every iptables
 * table in POSTROUTING (docs/lw4o6-b4-design.md). So the target only marks
 * the packet, and the after-SNAT hook (softwire_after_snat.c) confirms the
 * connection as conntrack would (helpers included; the packet leaves IPv4
 * before conntrack's own confirm would run, and an unconfirmed connection
 * would lose its NAT binding) and hands it back here to be encapsulated
 * and sent as IPv6.
 *
 * Decapsulation is the IPv6 stack's: a 4in6 packet to one of the box's
 * addresses reaches the handlers of IPv4-in-IPv6 (tunnel6, where Linux's
 * ip4ip6 tunnel devices are too), fragments reassembled, after the ip6tables
 * INPUT chains. The rule's handler takes those to its B4 address; the rest
 * go on to the next handler. Nothing runs for other IPv6 packets, and an
 * encapsulated packet on its way out pays no ip6tables table or IPv6
 * defragmentation that a decapsulating ip6tables rule would turn on. The
 * B4 address must be an address of the box, as an ip4ip6 device's local
 * address must.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/netfilter.h>
#include <linux/skbuff.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/netfilter/nf_conntrack_core.h>
#include <net/netfilter/nf_conntrack_zones.h>
#include <net/netns/generic.h>
#include <net/xfrm.h>

#include "lw4o6.h"
#include "softwire_after_snat.h"
#include "softwire_flowtable.h"

/*
 * A B4/CE rule, as the after-SNAT hook finds it by its id and the tunnel
 * handler by its B4 address: a copy of the rule's data, which lives until
 * the rule's destroy has made sure that neither runs it any more. A MAP-E
 * CE (--end-user-prefix) has its B4 (CE) address, BR address and port set
 * from its binding to the table, which follows the table's changes
 * (softwire_tables.h); the others from the rule.
 */
struct lw4o6_b4_rule {
	struct softwire_after_snat_rule	as;
	struct list_head		list;	/* its netns's, RCU */
	struct dst_cache		route;	/* to the AFTR/BR */
	bool				route_ok; /* false: being reset */
	struct softwire_binding		ce;	/* --end-user-prefix */
	struct xt_lw4o6_tginfo		info;
};

struct lw4o6_b4_net {
	struct list_head	rules;
};

static unsigned int lw4o6_b4_net_id __read_mostly;
static DEFINE_MUTEX(lw4o6_b4_mutex);	/* the lists of rules */

/*
 * The two ends of a B4/CE rule's softwire, its port set, and what it owns
 * of IPv4: its address (own4) and the port set (own_ports), where it has
 * them; a DS-Lite B4 has neither (its AFTR NATs).
 */
struct lw4o6_b4_ends {
	const struct in6_addr	*b4;
	const struct in6_addr	*aftr;
	struct psid_set		ports;
	__be32			ip4;
	bool			own4;
	bool			own_ports;
};

static struct psid_set lw4o6_ports_of(const struct xt_lw4o6_tginfo *info)
{
	struct psid_set set = {
		.offset = info->psid_offset,
		.len = info->psid_len,
		.psid = info->psid,
	};

	return set;
}

/*
 * Under RCU. False: a MAP-E CE whose table yields no CE (or no BR) now;
 * its packets are dropped and counted (dropped_no_ce of the table).
 */
static bool lw4o6_b4_ends(const struct lw4o6_b4_rule *r,
			  struct lw4o6_b4_ends *e)
{
	const struct xt_lw4o6_tginfo *info = &r->info;
	const struct softwire_derived *d;

	if (!(info->flags & XT_LW4O6_EU_PREFIX)) {
		e->b4 = &info->b4.in6;
		e->aftr = &info->aftr.in6;
		e->ports = lw4o6_ports_of(info);
		e->ip4 = info->ipv4;
		e->own4 = !!(info->flags & XT_LW4O6_IPV4);
		e->own_ports = !!(info->flags & XT_LW4O6_PORT_SET);
		return true;
	}
	d = softwire_binding_get(&r->ce);
	if (!d)
		return false;
	/* ce.ip6 is 8 bytes into struct map_ce: aligned as an in6_addr. */
	e->b4 = (const struct in6_addr *)d->ce.ip6;
	e->aftr = &d->br;
	e->ports = d->ce.ports;
	e->ip4 = htonl(d->ce.ip4);
	e->own4 = true;
	e->own_ports = true;
	return true;
}

/*
 * Whether the packet, after SNAT, comes from what the B4/CE owns: its IPv4
 * address and, with a port set, a source port (ICMP echo identifier; the
 * port an ICMP error quotes) of the set, RFC 7596 section 5.1, RFC 7597
 * section 8.1. A packet the NAT left alone (conntrack INVALID: bad flags or
 * checksums, truncated, a protocol it cannot map) would carry a LAN address
 * or port into the provider's network: dropped and counted instead. A
 * fragment but the first, and a protocol without ports (which SNATPSID
 * maps by address unless --drop-portless), use no port: their address is
 * checked.
 */
static bool lw4o6_b4_owns(struct net *net, struct sk_buff *skb,
			  const struct lw4o6_b4_ends *e)
{
	const struct iphdr *iph = ip_hdr(skb);
	int port;

	if (e->own4 && iph->saddr != e->ip4) {
		lw4o6_count(net, LW4O6_STAT_SRC_NOT_OURS);
		return false;
	}
	if (!e->own_ports)
		return true;
	/* No port: a fragment but the first, a protocol without ports. */
	port = lw4o6_port(skb, skb_network_offset(skb), false);
	if (port == LW4O6_TRUNCATED) {
		lw4o6_count(net, LW4O6_STAT_ENCAP_MALFORMED);
		return false;
	}
	if (port == SOFTWIRE_NO_PORT)
		return true;
	if (!psid_port_in_set(&e->ports, port)) {
		lw4o6_count(net, LW4O6_STAT_SPORT_NOT_OURS);
		return false;
	}
	return true;
}

/* The cached route of the rule: NULL while a change of its BR resets it. */
static struct dst_cache *lw4o6_b4_route(struct lw4o6_b4_rule *r)
{
	return READ_ONCE(r->route_ok) ? &r->route : NULL;
}

/* ---- encapsulation after SNAT ---------------------------------------- */

unsigned int lw4o6_b4_encap_tg(struct sk_buff *skb,
			       const struct xt_action_param *par)
{
	const struct xt_lw4o6_tginfo *info = par->targinfo;

	softwire_after_snat_mark(xt_net(par), skb, &info->b4rule->as);
	return XT_CONTINUE;
}

/* After SNAT, the connection confirmed: encapsulate; consumes skb. */
static void lw4o6_b4_after_snat(struct net *net, struct sk_buff *skb,
				struct softwire_after_snat_rule *as)
{
	struct lw4o6_b4_rule *r = container_of(as, struct lw4o6_b4_rule, as);
	const struct xt_lw4o6_tginfo *info = &r->info;
	struct lw4o6_b4_ends e;

	if (!lw4o6_b4_ends(r, &e)) {
		softwire_binding_count_none(&r->ce);
		kfree_skb(skb);
		return;
	}
	if (!lw4o6_b4_owns(net, skb, &e)) {
		kfree_skb(skb);
		return;
	}
	/* MAP-E mesh (RFC 7597 section 5.3): a destination under a
	 * Forwarding Mapping Rule goes straight to its CE, not to the BR.
	 */
	if (info->flags & XT_LW4O6_MESH) {
		struct softwire_bind b;
		int port = lw4o6_port(skb, skb_network_offset(skb), true);

		if (port != LW4O6_TRUNCATED &&
		    softwire_table_find(rcu_dereference(info->bt->data),
					ip_hdr(skb)->daddr, port, &b)) {
			softwire_table_count(info->bt,
					     SOFTWIRE_TABLE_STAT_ENCAPSULATED);
			lw4o6_encap(net, skb, e.b4, &b.b4, info, NULL);
			return;
		}
	}
	lw4o6_encap(net, skb, e.b4, e.aftr, info, lw4o6_b4_route(r));
}

/* ---- decapsulation: the IPv4-in-IPv6 handler --------------------------- */

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

/* The rule whose B4/CE address is addr, and its ends; under RCU. */
static struct lw4o6_b4_rule *lw4o6_b4_find(struct net *net,
					   const struct in6_addr *addr,
					   struct lw4o6_b4_ends *e)
{
	struct lw4o6_b4_net *bn = net_generic(net, lw4o6_b4_net_id);
	struct lw4o6_b4_rule *r;

	list_for_each_entry_rcu(r, &bn->rules, list)
		if (lw4o6_b4_ends(r, e) && ipv6_addr_equal(e->b4, addr))
			return r;
	return NULL;
}

/*
 * IPv4 in IPv6 to one of our addresses (tunnel6): skb->data at the inner
 * header, the IPv6 header and its extension headers already read by the
 * IPv6 stack. Not to a B4 address of ours: -1, the next handler's. Else
 * consumed (0): decapsulated and received as IPv4, or dropped.
 */
static int lw4o6_b4_rcv(struct sk_buff *skb)
{
	struct net *net = dev_net(skb->dev);
	const struct xt_lw4o6_tginfo *info;
	struct lw4o6_b4_rule *r;
	struct lw4o6_b4_ends e;
	unsigned int len;
	bool from_aftr;
	int off;

	r = lw4o6_b4_find(net, &ipv6_hdr(skb)->daddr, &e);
	if (!r)
		return -1;
	info = &r->info;
	if (!xfrm6_policy_check(NULL, XFRM_POLICY_IN, skb))
		goto drop;
	/* Back to the IPv6 header, the checksum of a CHECKSUM_COMPLETE
	 * packet with it (the stack took it out): the offsets below are
	 * from there, as in the AFTR's PREROUTING.
	 */
	off = skb_network_header_len(skb);
	skb_push_rcsum(skb, off);

	/* Only from our AFTR (RFC 7596 section 5.1), or from the CE that an
	 * FMR gives for the inner source address and port (RFC 7597 5.3).
	 */
	from_aftr = ipv6_addr_equal(&ipv6_hdr(skb)->saddr, e.aftr);
	if (!from_aftr && !(info->flags & XT_LW4O6_MESH)) {
		lw4o6_count(net, LW4O6_STAT_WRONG_AFTR);
		goto drop;
	}
	if (!lw4o6_inner_valid(skb, off, 0, &len)) {
		lw4o6_count(net, LW4O6_STAT_MALFORMED);
		goto drop;
	}
	if (!from_aftr && !lw4o6_from_peer(skb, off, info)) {
		lw4o6_count(net, LW4O6_STAT_WRONG_AFTR);
		goto drop;
	}

	if (info->flags & (XT_LW4O6_PORT_SET | XT_LW4O6_EU_PREFIX)) {
		const struct iphdr *iph = (const struct iphdr *)(skb->data + off);
		int port;

		/* A later fragment carries no port: it is let through. */
		port = lw4o6_port(skb, off, true);
		if (!(iph->frag_off & htons(IP_OFFSET)) &&
		    (port < 0 || !psid_port_in_set(&e.ports, port))) {
			lw4o6_count(net, LW4O6_STAT_PORT_NOT_OURS);
			goto drop;
		}
	}
	if (!lw4o6_deliver(net, skb, off, len))
		return 0;
drop:
	kfree_skb(skb);
	return 0;
}

/*
 * An ICMPv6 error about a 4in6 packet (tunnel6, from icmpv6_notify):
 * skb->data at the quoted IPv6 header, the error's IPv6 header the network
 * header. One about a packet that one of our B4 rules sent: learnt and
 * relayed (lw4o6_icmp6_quoted); others go to the next handler.
 */
static int lw4o6_b4_err(struct sk_buff *skb, struct inet6_skb_parm *opt,
			u8 type, u8 code, int offset, __be32 info)
{
	const struct ipv6hdr *qh = (const struct ipv6hdr *)skb->data;
	struct lw4o6_icmp6_err e = {
		.type = type,
		.mtu = ntohl(info),
		.relay = true,
		.relay_ok = lw4o6_b4_relay_ok,
	};
	struct net *net = dev_net(skb->dev);
	struct lw4o6_b4_rule *r;
	struct lw4o6_b4_ends ends;

	r = lw4o6_b4_find(net, &qh->saddr, &ends);
	if (!r)
		return -ENOENT;
	/* A MAP-E CE also sends straight to other CEs (FMR). */
	if (!(r->info.flags & XT_LW4O6_MESH))
		e.peer = ends.aftr;
	lw4o6_icmp6_quoted(net, skb, &e);
	return 0;
}

/* Before Linux's ip4ip6 tunnels (priority 1): ours take only our addresses. */
static struct xfrm6_tunnel lw4o6_b4_handler __read_mostly = {
	.handler	= lw4o6_b4_rcv,
	.err_handler	= lw4o6_b4_err,
	.priority	= 0,
};

/* ---- rules ------------------------------------------------------------ */

static int lw4o6_b4_check_info(const struct xt_tgchk_param *par,
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
	if (par->family != NFPROTO_IPV4) {
		pr_info_ratelimited("a B4/CE has one rule, in iptables: it decapsulates too (no ip6tables rule)\n");
		return -EINVAL;
	}
	if (par->hook_mask & ~(1 << NF_INET_POST_ROUTING)) {
		pr_info_ratelimited("with --b4, LW4O6 encapsulates in POSTROUTING only\n");
		return -EINVAL;
	}
	if ((info->flags & XT_LW4O6_PORT_SET) && !psid_set_valid(&set)) {
		pr_info_ratelimited("PSID %u/%u at offset %u is not a port set\n",
				    info->psid, info->psid_len, info->psid_offset);
		return -EINVAL;
	}
	if ((info->flags & XT_LW4O6_IPV4) &&
	    ((info->flags & XT_LW4O6_EU_PREFIX) ||
	     !softwire_table_unicast4(info->ipv4))) {
		pr_info_ratelimited("--b4-ipv4 is the B4's unicast IPv4 address (a CE derives its own from --end-user-prefix)\n");
		return -EINVAL;
	}
	if (info->flags & (XT_LW4O6_ICMP | XT_LW4O6_NO_HAIRPIN | XT_LW4O6_DROP_ICMP |
			   XT_LW4O6_NO_ICMP_ERRORS)) {
		pr_info_ratelimited("--icmp, --no-icmp-errors, --drop-icmp and --no-hairpin are for the AFTR (--binding-table)\n");
		return -EINVAL;
	}
	return 0;
}

/*
 * A change of the table gave the CE another BR (or none, or again one):
 * the cached route went to the old one. The packet path does not use the
 * cache while it is reset (route_ok), once the readers that might have it
 * are done.
 */
static void lw4o6_b4_ce_changed(struct softwire_binding *b)
{
	struct lw4o6_b4_rule *r = container_of(b, struct lw4o6_b4_rule, ce);

	WRITE_ONCE(r->route_ok, false);
	synchronize_rcu();
	dst_cache_reset(&r->route);
	WRITE_ONCE(r->route_ok, true);
}

/* A MAP-E CE: its address, port set and BR from the table's BMR, kept. */
static int lw4o6_b4_bind_ce(struct lw4o6_b4_rule *r)
{
	struct xt_lw4o6_tginfo *info = &r->info;
	int err;

	r->ce.changed = lw4o6_b4_ce_changed;
	err = softwire_binding_add(info->bt, &r->ce, &info->eu_prefix.in6,
				   info->eu_len, SOFTWIRE_BINDING_NEED_BR);
	if (err == -EDESTADDRREQ)
		pr_info_ratelimited("table %s has no br-address: a MAP-E CE needs the BR's IPv6 address (softwirectl add %s br-address ADDR)\n",
				    info->bt->name, info->bt->name);
	return err == -ENOMEM ? err : err ? -EINVAL : 0;
}

/* An IPv4 B4/CE rule: its copy, known to the after-SNAT hook and the
 * tunnel handler.
 */
static int lw4o6_b4_rule_add(const struct xt_tgchk_param *par,
			     struct xt_lw4o6_tginfo *info)
{
	struct lw4o6_b4_net *bn = net_generic(par->net, lw4o6_b4_net_id);
	struct lw4o6_b4_rule *r = kzalloc(sizeof(*r), GFP_KERNEL_ACCOUNT);
	int err;

	if (!r)
		return -ENOMEM;
	r->as.fn = lw4o6_b4_after_snat;
	r->info = *info;
	r->route_ok = true;
	err = dst_cache_init(&r->route, GFP_KERNEL_ACCOUNT);
	if (err) {
		kfree(r);
		return err;
	}
	if (info->flags & XT_LW4O6_EU_PREFIX) {
		err = lw4o6_b4_bind_ce(r);
		if (err)
			goto err_route;
	}
	err = softwire_after_snat_add(par->net, &r->as);
	if (err)
		goto err_bind;
	/* Connections from the softwire (decapsulated) start in IPv4. */
	err = softwire_flowtable_get(par->net, NFPROTO_IPV4);
	if (err) {
		softwire_after_snat_del(par->net, &r->as);
		goto err_bind;
	}
	mutex_lock(&lw4o6_b4_mutex);
	list_add_tail_rcu(&r->list, &bn->rules);
	mutex_unlock(&lw4o6_b4_mutex);
	info->b4rule = r;
	return 0;

err_bind:
	if (info->flags & XT_LW4O6_EU_PREFIX)
		softwire_binding_del(&r->ce);
err_route:
	dst_cache_destroy(&r->route);
	kfree(r);
	return err;
}

int lw4o6_b4_check(const struct xt_tgchk_param *par,
		   struct xt_lw4o6_tginfo *info)
{
	int err = lw4o6_b4_check_info(par, info);

	if (!err && (info->flags & XT_LW4O6_MESH))
		err = lw4o6_get_table(par, info);
	if (!err)
		err = lw4o6_b4_rule_add(par, info);
	if (err && info->bt) {
		softwire_table_put(info->bt);
		info->bt = NULL;
	}
	return err;
}

void lw4o6_b4_destroy(const struct xt_tgdtor_param *par,
		      struct xt_lw4o6_tginfo *info)
{
	struct lw4o6_b4_rule *r = info->b4rule;

	mutex_lock(&lw4o6_b4_mutex);
	list_del_rcu(&r->list);
	mutex_unlock(&lw4o6_b4_mutex);
	/* Waits for RCU readers: after-SNAT hooks and tunnel handlers. */
	softwire_after_snat_del(par->net, &r->as);
	softwire_flowtable_put(par->net, NFPROTO_IPV4);
	if (r->info.flags & XT_LW4O6_EU_PREFIX)
		softwire_binding_del(&r->ce);
	dst_cache_destroy(&r->route);
	kfree(r);
	info->b4rule = NULL;
	/* Last: the hook and the handler may use the table until here. */
	if (info->bt)
		softwire_table_put(info->bt);
}

static int __net_init lw4o6_b4_net_init(struct net *net)
{
	struct lw4o6_b4_net *bn = net_generic(net, lw4o6_b4_net_id);

	INIT_LIST_HEAD(&bn->rules);
	return 0;
}

static struct pernet_operations lw4o6_b4_net_ops = {
	.init	= lw4o6_b4_net_init,
	.id	= &lw4o6_b4_net_id,
	.size	= sizeof(struct lw4o6_b4_net),
};

int lw4o6_b4_init(void)
{
	int err = register_pernet_subsys(&lw4o6_b4_net_ops);

	if (err)
		return err;
	err = xfrm6_tunnel_register(&lw4o6_b4_handler, AF_INET);
	if (err) {
		pr_err("cannot register the IPv4-in-IPv6 handler: %d\n", err);
		unregister_pernet_subsys(&lw4o6_b4_net_ops);
	}
	return err;
}

void lw4o6_b4_exit(void)
{
	xfrm6_tunnel_deregister(&lw4o6_b4_handler, AF_INET);
	unregister_pernet_subsys(&lw4o6_b4_net_ops);
}
