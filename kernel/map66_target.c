// SPDX-License-Identifier: GPL-2.0
/*
 * xt_MAP66: stateless, checksum-neutral IPv6 prefix mapping (NPTv6,
 * RFC 6296) as an ip6tables target.
 *
 *   ip6tables -t mangle -A POSTROUTING -o eth0 -s fd01:203:405::/48 \
 *             -j MAP66 --to 2001:db8:1::/48
 *   ip6tables -t mangle -A PREROUTING -i eth0 -d 2001:db8:1::/48 \
 *             -j MAP66 --to fd01:203:405::/48
 *
 * The address arithmetic lives in map66_core.c (plain C, unit-tested in
 * userspace); this file finds the addresses in the packet, keeps checksums
 * valid where the arithmetic alone cannot, and maps the packet quoted in an
 * ICMPv6 error back as well.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/icmpv6.h>
#include <linux/ipv6.h>
#include <linux/module.h>
#include <linux/netfilter.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter_ipv6/ip6_tables.h>
#include <linux/skbuff.h>
#include <net/addrconf.h>
#include <net/ipv6.h>

#include "softwire_flowtable.h"
#include "softwire_stats.h"
#include "xt_MAP66.h"

#define MAP66_SRC_HOOKS ((1 << NF_INET_LOCAL_OUT) | (1 << NF_INET_POST_ROUTING))
#define MAP66_DST_HOOKS ((1 << NF_INET_PRE_ROUTING) | (1 << NF_INET_LOCAL_IN))
#define MAP66_ALL_HOOKS (MAP66_SRC_HOOKS | MAP66_DST_HOOKS | \
			 (1 << NF_INET_FORWARD))

/* What MAP66 did, per network namespace, in /proc/net/xt_MAP66. */
enum map66_stat {
	MAP66_STAT_NEUTRAL,		/* mapped, checksum-neutral */
	MAP66_STAT_CSUM_UPDATED,	/* mapped, transport checksum updated */
	MAP66_STAT_OWN_ADDRESS,		/* left alone: the interface's address */
	MAP66_STAT_QUOTED,		/* ICMPv6 error: quoted packet mapped */
	MAP66_STAT_DROPPED,		/* could not make the packet writable */
	MAP66_STAT_CT_KEPT,		/* connections kept off flowtables */
	MAP66_STAT_CT_KEEP_FAILED,	/* ... could not be: dropped */
	MAP66_STAT_MAX
};

static const char *const map66_stat_names[MAP66_STAT_MAX] = {
	[MAP66_STAT_NEUTRAL]		= "mapped_checksum_neutral",
	[MAP66_STAT_CSUM_UPDATED]	= "mapped_checksum_updated",
	[MAP66_STAT_OWN_ADDRESS]	= "skipped_interface_address",
	[MAP66_STAT_QUOTED]		= "icmp_error_quoted_mapped",
	[MAP66_STAT_DROPPED]		= "dropped_not_writable",
	[MAP66_STAT_CT_KEPT]		= "conntrack_kept_off_flowtable",
	[MAP66_STAT_CT_KEEP_FAILED]	= "dropped_conntrack_no_memory",
};

static struct softwire_stats map66_stats = {
	.proc_name	= "xt_MAP66",
	.names		= map66_stat_names,
	.count		= MAP66_STAT_MAX,
};

static void map66_count(const struct xt_action_param *par, enum map66_stat s)
{
	softwire_count(xt_net(par), &map66_stats, s);
}

/* Offset of the checksum field in transport headers whose checksum covers
 * the IPv6 pseudo-header (RFC 8200 section 8.1), or -1.
 */
static int map66_check_offset(u8 proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return 16;
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
	case IPPROTO_DCCP:
		return 6;
	case IPPROTO_ICMPV6:
		return 2;
	}
	return -1;
}

/* Where the transport header of the IPv6 packet at nhoff starts, and its
 * protocol; false when there is none to see (a later fragment, an unknown
 * header, a truncated packet).
 */
static bool map66_find_transport(const struct sk_buff *skb, unsigned int nhoff,
				 u8 nexthdr, unsigned int *thoff, u8 *proto)
{
	__be16 frag_off;
	int off;

	off = ipv6_skip_exthdr(skb, nhoff + sizeof(struct ipv6hdr), &nexthdr,
			       &frag_off);
	if (off < 0 || (ntohs(frag_off) & ~0x7))
		return false;
	*thoff = off;
	*proto = nexthdr;
	return true;
}

enum map66_csum_kind {
	MAP66_CSUM_PSEUDO,	/* our own checksum; its pseudo-header changed */
	MAP66_CSUM_PAYLOAD,	/* our own checksum; bytes it covers changed */
	MAP66_CSUM_QUOTED,	/* a checksum in a quoted packet: just bytes */
};

/*
 * Update the checksum field at check_off for a change of len bytes it covers
 * (RFC 1624). The packet's own checksum field holds only the pseudo-header
 * sum while the skb is CHECKSUM_PARTIAL: the payload is summed later, so
 * payload changes need nothing there.
 */
static int map66_update_csum(struct sk_buff *skb, unsigned int check_off,
			     u8 proto, const u8 *old, const u8 *new,
			     size_t len, enum map66_csum_kind kind)
{
	u16 check;
	u8 *p;

	if (skb_ensure_writable(skb, check_off + 2))
		return -ENOMEM;
	p = skb->data + check_off;
	check = oc16_get(p);

	if (kind != MAP66_CSUM_QUOTED && skb->ip_summed == CHECKSUM_PARTIAL) {
		if (kind == MAP66_CSUM_PSEUDO)
			oc16_put(p, oc16_update_sum(check, old, new, len));
		return 0;
	}
	/* A zero UDP checksum says "none" (RFC 6935): keep it so. */
	if (proto == IPPROTO_UDP && check == 0)
		return 0;
	check = oc16_update_field(check, old, new, len);
	if (proto == IPPROTO_UDP && check == 0)
		check = 0xffff;		/* RFC 768 */
	oc16_put(p, check);
	/* The device's sum no longer tells what the stack expects. */
	if (skb->ip_summed == CHECKSUM_COMPLETE)
		skb->ip_summed = CHECKSUM_NONE;
	return 0;
}

/* The transport checksum of a packet whose address changed from old to
 * new, for the transport header proto at thoff; nothing to do when that
 * header has no pseudo-header checksum or is cut short.
 */
static int map66_fix_transport(struct sk_buff *skb, unsigned int thoff,
			       u8 proto, const u8 *old, const u8 *new)
{
	int check = map66_check_offset(proto);

	if (check < 0 || thoff + check + 2 > skb->len)
		return 0;
	return map66_update_csum(skb, thoff + check, proto, old, new, 16,
				 MAP66_CSUM_PSEUDO);
}

/*
 * An ICMPv6 error quotes the packet that caused it (RFC 4443 section 2.4),
 * which went the other way through this mapping: when we map the outer
 * destination back, the quoted source carries the same mapped address, and
 * vice versa. Map it too, so that the host it is for recognises its own
 * packet (traceroute, Packet Too Big, port unreachable).
 *
 * A checksum-neutral rewrite of the quoted address leaves both the ICMPv6
 * checksum and the quoted packet's own checksum valid. Otherwise both are
 * updated: the quoted transport checksum for its pseudo-header, then the
 * ICMPv6 checksum for every quoted byte that changed.
 *
 * Returns 1 when the quoted packet was mapped, 0 when it was not ours to
 * map, a negative error when the skb could not be made writable.
 */
static int map66_quoted_packet(struct sk_buff *skb,
			       const struct xt_map66_tginfo *info, bool dst,
			       unsigned int icmp_off, const u8 *outer_old)
{
	unsigned int inner_off = icmp_off + sizeof(struct icmp6hdr);
	unsigned int icmp_check = icmp_off + 2;
	u8 old[16], new[16], old_field[2], new_field[2];
	unsigned int thoff;
	struct ipv6hdr *inner;
	int check_off;
	u8 proto;
	u8 *addr;
	int err;

	if (skb->len < inner_off + sizeof(*inner))
		return 0;
	if (skb_ensure_writable(skb, inner_off + sizeof(*inner)))
		return -ENOMEM;
	inner = (struct ipv6hdr *)(skb->data + inner_off);
	addr = dst ? inner->saddr.s6_addr : inner->daddr.s6_addr;
	if (!map66_prefix_match(addr, outer_old, info->map.len))
		return 0;

	memcpy(old, addr, 16);
	if (map66_rewrite(&info->map, addr) == MAP66_NEUTRAL)
		return 1;
	memcpy(new, addr, 16);
	proto = inner->nexthdr;

	/* The quoted transport header may be cut short: fix what is there. */
	if (map66_find_transport(skb, inner_off, proto, &thoff, &proto)) {
		check_off = map66_check_offset(proto);
		if (check_off >= 0 && thoff + check_off + 2 <= skb->len) {
			check_off += thoff;
			if (skb_ensure_writable(skb, check_off + 2))
				return -ENOMEM;
			memcpy(old_field, skb->data + check_off, 2);
			err = map66_update_csum(skb, check_off, proto, old,
						new, 16, MAP66_CSUM_QUOTED);
			if (err)
				return err;
			memcpy(new_field, skb->data + check_off, 2);
			err = map66_update_csum(skb, icmp_check, IPPROTO_ICMPV6,
						old_field, new_field, 2,
						MAP66_CSUM_PAYLOAD);
			if (err)
				return err;
		}
	}
	err = map66_update_csum(skb, icmp_check, IPPROTO_ICMPV6, old, new,
				16, MAP66_CSUM_PAYLOAD);
	return err ? err : 1;
}

static bool map66_is_icmp_error(const struct sk_buff *skb, unsigned int off)
{
	u8 _type, *type;

	type = skb_header_pointer(skb, off, sizeof(_type), &_type);
	return type && !(*type & ICMPV6_INFOMSG_MASK);
}

/*
 * skb_ensure_writable() without a function call when the header is already
 * pulled and not shared, as a forwarded packet's is (ip6_forward() made it
 * private with skb_cow()).
 */
static inline int map66_writable(struct sk_buff *skb, unsigned int len)
{
	if (likely(skb_headlen(skb) >= len && !skb_cloned(skb)))
		return 0;
	return skb_ensure_writable(skb, len);
}

/*
 * Is nexthdr ICMPv6, or an extension header that an ICMPv6 header may
 * follow (RFC 8200 section 4)? ipv6_ext_hdr() is not inline.
 */
static inline bool map66_may_be_icmp(u8 nexthdr)
{
	switch (nexthdr) {
	case NEXTHDR_ICMP:
	case NEXTHDR_HOP:
	case NEXTHDR_ROUTING:
	case NEXTHDR_FRAGMENT:
	case NEXTHDR_AUTH:
	case NEXTHDR_DEST:
		return true;
	}
	return false;
}

/*
 * What is left after the address was rewritten, for the packets that need
 * more than that: a transport checksum to update (no carrier word, or
 * --keep-host), an ICMPv6 error whose quoted packet goes back, extension
 * headers in front of either. Out of line: the common packet never gets
 * here.
 */
static noinline int map66_tg_rest(struct sk_buff *skb,
				  const struct xt_action_param *par,
				  bool dst, enum map66_result res, const u8 *old)
{
	const struct xt_map66_tginfo *info = par->targinfo;
	struct ipv6hdr *ip6h = ipv6_hdr(skb);
	unsigned int thoff;
	u8 new[16], proto;
	int quoted;

	/* Copied: making more of the skb writable may move the header. */
	memcpy(new, dst ? &ip6h->daddr : &ip6h->saddr, sizeof(new));

	/* Later fragments and unknown headers: no transport header to see. */
	if (!map66_find_transport(skb, skb_network_offset(skb), ip6h->nexthdr,
				  &thoff, &proto))
		return 0;
	if (res == MAP66_UPDATE_CSUM &&
	    map66_fix_transport(skb, thoff, proto, old, new))
		return -ENOMEM;
	if (proto != IPPROTO_ICMPV6 || !map66_is_icmp_error(skb, thoff))
		return 0;
	quoted = map66_quoted_packet(skb, info, dst, thoff, old);
	if (quoted > 0)
		map66_count(par, MAP66_STAT_QUOTED);
	return quoted < 0 ? quoted : 0;
}

/*
 * Per packet, as the kernel's SNPT/DNPT: the prefix, one carrier word, a
 * per-CPU counter. Plus what correctness needs: a writable header, the
 * interface's own addresses left alone (unless --nocheck), and, only for
 * the packets that have them, checksum updates and the quoted packet of an
 * ICMPv6 error (map66_tg_rest()).
 */
static unsigned int map66_tg(struct sk_buff *skb,
			     const struct xt_action_param *par)
{
	const struct xt_map66_tginfo *info = par->targinfo;
	unsigned int nhoff = skb_network_offset(skb);
	u8 old[16], nexthdr;
	struct ipv6hdr *ip6h;
	enum map66_result res;
	struct in6_addr *addr;
	bool dst;

	switch (info->mode) {
	case XT_MAP66_MODE_SRC:
		dst = false;
		break;
	case XT_MAP66_MODE_DST:
		dst = true;
		break;
	default:
		/* checkentry made sure the chain tells the direction */
		dst = !!((1 << xt_hooknum(par)) & MAP66_DST_HOOKS);
		if (!dst && !((1 << xt_hooknum(par)) & MAP66_SRC_HOOKS))
			return XT_CONTINUE;
	}

	if (unlikely(map66_writable(skb, nhoff + sizeof(*ip6h))))
		goto drop;
	ip6h = ipv6_hdr(skb);
	addr = dst ? &ip6h->daddr : &ip6h->saddr;

	/*
	 * As the original MAP66: leave the interface's own addresses alone,
	 * the incoming interface's for a destination (the outgoing one's for
	 * a source) where the hook has it.
	 */
	if (!(info->flags & XT_MAP66_NOCHECK)) {
		const struct net_device *dev = dst ? xt_in(par) ?: xt_out(par) :
						     xt_out(par) ?: xt_in(par);

		if (dev && ipv6_chk_addr(xt_net(par), addr, dev, 0)) {
			map66_count(par, MAP66_STAT_OWN_ADDRESS);
			return XT_CONTINUE;
		}
	}

	memcpy(old, addr->s6_addr, 16);
	res = map66_rewrite(&info->map, addr->s6_addr);
	/*
	 * Checksum-neutral, and the next header is neither ICMPv6 nor an
	 * extension header (which might lead to one): nothing else to do.
	 * NEXTHDR_NONE and unknown headers have no transport header to see.
	 */
	nexthdr = ip6h->nexthdr;
	if (unlikely(res != MAP66_NEUTRAL || map66_may_be_icmp(nexthdr)) &&
	    map66_tg_rest(skb, par, dst, res, old))
		goto drop;
	map66_count(par, res == MAP66_NEUTRAL ? MAP66_STAT_NEUTRAL :
						MAP66_STAT_CSUM_UPDATED);

	/*
	 * A connection whose packets are mapped must never be forwarded
	 * past this rule by a flowtable (softwire_flowtable.h). Raw
	 * PREROUTING runs before conntrack: the hook after it does it.
	 */
	if (info->before_conntrack && xt_hooknum(par) == NF_INET_PRE_ROUTING)
		softwire_flowtable_mark(xt_net(par), skb);
	else if (!softwire_flowtable_keep_off(xt_net(par), skb))
		return NF_DROP;
	return XT_CONTINUE;

drop:
	/* Only when memory is short: the address may be half done. */
	map66_count(par, MAP66_STAT_DROPPED);
	return NF_DROP;
}

/* The prefix length of a contiguous mask, or -1. */
static int map66_mask_len(const struct in6_addr *mask)
{
	int len = 0, i;

	for (i = 0; i < 16 && mask->s6_addr[i] == 0xff; i++)
		len += 8;
	if (i < 16) {
		u8 b = mask->s6_addr[i];

		while (b & 0x80) {
			len++;
			b <<= 1;
		}
		if (b)
			return -1;
		for (i++; i < 16; i++)
			if (mask->s6_addr[i])
				return -1;
	}
	return len;
}

static int map66_tg_check(const struct xt_tgchk_param *par)
{
	struct xt_map66_tginfo *info = par->targinfo;
	const struct ip6t_ip6 *e = par->entryinfo;
	const struct in6_addr *mask = NULL;
	int mlen;

	if (strcmp(par->table, "mangle") != 0 && strcmp(par->table, "raw") != 0) {
		pr_info_ratelimited("MAP66 works in the mangle and raw tables, not in %s\n",
				    par->table);
		return -EINVAL;
	}
	switch (map66_prefix_check(info->prefix.in6.s6_addr, info->prefix_len)) {
	case MAP66_PREFIX_OK:
		break;
	case MAP66_PREFIX_BAD_LENGTH:
		pr_info_ratelimited("prefix length %u is not in 1..128\n",
				    info->prefix_len);
		return -EINVAL;
	case MAP66_PREFIX_HOST_BITS:
		pr_info_ratelimited("%pI6c/%u has bits set after the prefix length\n",
				    &info->prefix.in6, info->prefix_len);
		return -EINVAL;
	}
	if (info->flags & ~XT_MAP66_FLAGS) {
		pr_info_ratelimited("unknown flags 0x%x\n", info->flags);
		return -EINVAL;
	}

	switch (info->mode) {
	case XT_MAP66_MODE_SRC:
		mask = &e->smsk;
		break;
	case XT_MAP66_MODE_DST:
		mask = &e->dmsk;
		break;
	case XT_MAP66_MODE_CHAIN:
		if (!(par->hook_mask & ~MAP66_SRC_HOOKS))
			mask = par->hook_mask ? &e->smsk : NULL;
		else if (!(par->hook_mask & ~MAP66_DST_HOOKS))
			mask = &e->dmsk;
		else {
			pr_info_ratelimited("--to needs OUTPUT/POSTROUTING (maps the source) or PREROUTING/INPUT (maps the destination); say --src-to or --dst-to\n");
			return -EINVAL;
		}
		break;
	default:
		pr_info_ratelimited("unknown mode %u\n", info->mode);
		return -EINVAL;
	}

	/*
	 * The rule's own -s/-d prefix, when the backend tells it (the nft
	 * backend does not): mapping a /48 to a /56 is not a prefix mapping.
	 */
	mlen = mask ? map66_mask_len(mask) : 0;
	if (mlen > 0 && mlen != info->prefix_len) {
		pr_info_ratelimited("the rule matches a /%d but maps to a /%u: the lengths must agree\n",
				    mlen, info->prefix_len);
		return -EINVAL;
	}

	map66_prefix_init(&info->map, info->prefix.in6.s6_addr,
			  info->prefix_len, info->flags & XT_MAP66_KEEP_HOST);

	/* Before conntrack: the connection gets kept off by the hook after. */
	info->before_conntrack = strcmp(par->table, "raw") == 0 &&
				 (par->hook_mask & (1 << NF_INET_PRE_ROUTING));
	if (info->before_conntrack)
		return softwire_flowtable_get(par->net, NFPROTO_IPV6);
	return 0;
}

static void map66_tg_destroy(const struct xt_tgdtor_param *par)
{
	const struct xt_map66_tginfo *info = par->targinfo;

	if (info->before_conntrack)
		softwire_flowtable_put(par->net, NFPROTO_IPV6);
}

static struct xt_target map66_tg_reg __read_mostly = {
	.name		= "MAP66",
	.revision	= 0,
	.family		= NFPROTO_IPV6,
	.target		= map66_tg,
	.checkentry	= map66_tg_check,
	.destroy	= map66_tg_destroy,
	.targetsize	= sizeof(struct xt_map66_tginfo),
	.usersize	= offsetof(struct xt_map66_tginfo, map),
	.hooks		= MAP66_ALL_HOOKS,
	.me		= THIS_MODULE,
};

static int __net_init map66_net_init(struct net *net)
{
	return softwire_stats_net_init(net, &map66_stats);
}

static void __net_exit map66_net_exit(struct net *net)
{
	softwire_stats_net_exit(net, &map66_stats);
}

static struct pernet_operations map66_net_ops = {
	.init	= map66_net_init,
	.exit	= map66_net_exit,
	.id	= &map66_stats.net_id,
	.size	= sizeof(struct softwire_stats_net),
};

static int __init map66_tg_init(void)
{
	int err;

	err = register_pernet_subsys(&map66_net_ops);
	if (err)
		return err;
	err = softwire_flowtable_init(&map66_stats, MAP66_STAT_CT_KEPT,
				      MAP66_STAT_CT_KEEP_FAILED);
	if (err)
		goto err_stats;
	err = xt_register_target(&map66_tg_reg);
	if (err)
		goto err_flowtable;
	return 0;

err_flowtable:
	softwire_flowtable_exit();
err_stats:
	unregister_pernet_subsys(&map66_net_ops);
	return err;
}

static void __exit map66_tg_exit(void)
{
	xt_unregister_target(&map66_tg_reg);
	softwire_flowtable_exit();
	unregister_pernet_subsys(&map66_net_ops);
}

module_init(map66_tg_init);
module_exit(map66_tg_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Xtables: stateless checksum-neutral IPv6 prefix mapping (NPTv6)");
MODULE_ALIAS("ip6t_MAP66");
