// SPDX-License-Identifier: GPL-2.0
/*
 * SNATPSID: source NAT into a port set (in the module xt_LW4O6, whose
 * tables it derives port sets from).
 *
 * A lw4o6 B4 or a MAP-E/MAP-T CE owns one IPv4 address shared by port set
 * (RFC 7597 section 5.1; RFC 7596 section 5.1): with a PSID offset above 0
 * the set is not one range (RFC 7597 Appendix A's CE, PSID 0x34 of 8 bits
 * at offset 6, owns 1232-1235, 2256-2259, ... 63 blocks of 4 ports), which
 * SNAT's one range cannot express. This target chooses the source port of
 * every new connection (the ICMP echo identifier for ping, RFC 7596
 * section 8.1) from the whole set and sets the binding up through the
 * kernel's NAT core, nf_nat_setup_info(), with that one port: conntrack,
 * helpers, the NAT of ICMP errors and conntrack -L see an ordinary SNAT
 * binding.
 *
 * The port (psid_pick_port(), plain C, unit-tested): the original one if
 * it is in the set and gives a unique tuple (as the NAT core keeps it when
 * it can), else one drawn at random over the set (RFC 6056 section 3.3.1,
 * Algorithm 1: not predictable), checked for a unique tuple against
 * conntrack as the NAT core checks it; after SNATPSID_RANDOM_TRIES
 * collisions, a scan of the whole set from a random place finds a free
 * port if there is one. None: the set is exhausted for this destination,
 * and the new connection is dropped and counted.
 */
#include <linux/icmp.h>
#include <linux/module.h>
#include <linux/netfilter.h>
#include <linux/netfilter/x_tables.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_core.h>
#include <net/netfilter/nf_nat.h>

#include "xt_SNATPSID.h"
#include "psid_core.h"
#include "softwire_stats.h"
#include "softwire_tables.h"
#include "lw4o6.h"

enum snatpsid_stat {
	SNATPSID_STAT_TRANSLATED,	/* given a port of the set */
	SNATPSID_STAT_KEPT_PORT,	/* ... its own (counted in both) */
	SNATPSID_STAT_EXHAUSTED,	/* no free port for the destination */
	SNATPSID_STAT_PORTLESS,		/* no port: the address alone */
	SNATPSID_STAT_PORTLESS_DROPPED,	/* ... dropped (--drop-portless) */
	SNATPSID_STAT_MAX
};

static const char *const snatpsid_stat_names[SNATPSID_STAT_MAX] = {
	[SNATPSID_STAT_TRANSLATED]		= "translated",
	[SNATPSID_STAT_KEPT_PORT]		= "kept_original_port",
	[SNATPSID_STAT_EXHAUSTED]		= "dropped_set_exhausted",
	[SNATPSID_STAT_PORTLESS]		= "portless_translated",
	[SNATPSID_STAT_PORTLESS_DROPPED]	= "dropped_portless",
};

static struct softwire_stats snatpsid_stats = {
	.proc_name	= "xt_SNATPSID",
	.names		= snatpsid_stat_names,
	.count		= SNATPSID_STAT_MAX,
};

/* Random draws before the scan: a set 90% full still finds a port here. */
#define SNATPSID_RANDOM_TRIES 32
/*
 * Then at most this many ports in order, one conntrack lookup each, in
 * softirq: a set of up to 256 ports (PSID of 8 bits or more) is searched
 * whole, a larger one nearly full gives up (dropped, counted) after
 * 1 + 32 + 256 lookups instead of thousands, as the NAT core gives up
 * after its own bounded search.
 */
#define SNATPSID_SCAN_MAX 256

static void snatpsid_count(const struct xt_action_param *par,
			   enum snatpsid_stat s)
{
	softwire_count(xt_net(par), &snatpsid_stats, s);
}

/* Whether the connection's protocol has a source port (or identifier). */
static bool snatpsid_has_port(const struct nf_conntrack_tuple *t)
{
	switch (t->dst.protonum) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
	case IPPROTO_SCTP:
	case IPPROTO_DCCP:
		return true;
	case IPPROTO_ICMP:
		/* Echo: the identifier is the tuple's source "port". */
		return t->dst.u.icmp.type == ICMP_ECHO;
	}
	return false;
}

/* What psid_pick_port() asks about: the tuple after translation. */
struct snatpsid_ctx {
	struct nf_conntrack_tuple	t;	/* source address set */
	const struct nf_conn		*ct;
};

/* Would the connection's tuple with this source port be unique? */
static bool snatpsid_free(u16 port, void *ctx)
{
	struct snatpsid_ctx *c = ctx;
	struct nf_conntrack_tuple reply;

	c->t.src.u.all = htons(port);
	/* As the NAT core: conntrack knows replies; look for this one. */
	nf_ct_invert_tuple(&reply, &c->t);
	return !nf_conntrack_tuple_taken(&reply, c->ct);
}

static u32 snatpsid_below(u32 n, void *ctx)
{
	return get_random_u32_below(n);
}

static const struct psid_pick_ops snatpsid_pick_ops = {
	.free	= snatpsid_free,
	.below	= snatpsid_below,
};

static unsigned int snatpsid_tg(struct sk_buff *skb,
				const struct xt_action_param *par)
{
	const struct xt_snatpsid_tginfo *info = par->targinfo;
	const struct psid_set *ports = &info->k_ports;
	struct nf_nat_range2 range = {
		.flags = NF_NAT_RANGE_MAP_IPS,
		.min_addr.ip = info->k_addr,
		.max_addr.ip = info->k_addr,
	};
	struct snatpsid_ctx c;
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct;
	bool kept;
	int port;

	if (info->k_binding) {
		/* What the table derives now (softwire_tables.h). */
		const struct map_ce *ce = softwire_binding_ce(info->k_binding);

		if (!ce) {
			softwire_binding_count_none(info->k_binding);
			return NF_DROP;
		}
		range.min_addr.ip = htonl(ce->ip4);
		range.max_addr.ip = range.min_addr.ip;
		ports = &ce->ports;
	}
	ct = nf_ct_get(skb, &ctinfo);
	/* The nat table sees a connection's first packet only. */
	if (WARN_ON_ONCE(!ct))
		return NF_DROP;
	/* A new connection, expected (RELATED) ones too, gets a port. */
	if (ctinfo != IP_CT_NEW && ctinfo != IP_CT_RELATED)
		return nf_nat_setup_info(ct, &range, NF_NAT_MANIP_SRC);

	c.t = ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	c.ct = ct;
	if (!snatpsid_has_port(&c.t)) {
		if (info->flags & XT_SNATPSID_DROP_PORTLESS) {
			snatpsid_count(par, SNATPSID_STAT_PORTLESS_DROPPED);
			return NF_DROP;
		}
		snatpsid_count(par, SNATPSID_STAT_PORTLESS);
		return nf_nat_setup_info(ct, &range, NF_NAT_MANIP_SRC);
	}

	c.t.src.u3.ip = range.min_addr.ip;
	port = psid_pick_port(ports,
			      ntohs(ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple.src.u.all),
			      SNATPSID_RANDOM_TRIES, SNATPSID_SCAN_MAX,
			      &snatpsid_pick_ops, &c, &kept);
	if (port < 0) {
		snatpsid_count(par, SNATPSID_STAT_EXHAUSTED);
		return NF_DROP;
	}
	snatpsid_count(par, SNATPSID_STAT_TRANSLATED);
	if (kept)
		snatpsid_count(par, SNATPSID_STAT_KEPT_PORT);
	range.flags |= NF_NAT_RANGE_PROTO_SPECIFIED;
	range.min_proto.all = htons(port);
	range.max_proto.all = htons(port);
	return nf_nat_setup_info(ct, &range, NF_NAT_MANIP_SRC);
}

/*
 * --end-user-prefix with --binding-table: the CE's address and set, from a
 * binding that keeps them up to date with the table.
 */
static int snatpsid_derive(const struct xt_tgchk_param *par,
			   struct xt_snatpsid_tginfo *info)
{
	struct softwire_binding *b;
	struct softwire_table *bt;
	const struct map_ce *ce;
	int err;

	bt = softwire_table_get(par->net, info->table, sizeof(info->table));
	if (IS_ERR(bt))
		return PTR_ERR(bt);
	b = kzalloc(sizeof(*b), GFP_KERNEL_ACCOUNT);
	err = b ? softwire_binding_add(bt, b, &info->eu_prefix.in6,
				       info->eu_len, 0) : -ENOMEM;
	if (err) {
		kfree(b);
		softwire_table_put(bt);
		return err;
	}
	/* For the checks of checkentry; the packet path reads the binding. */
	rcu_read_lock();
	ce = softwire_binding_ce(b);
	info->k_addr = htonl(ce->ip4);
	info->k_ports = ce->ports;
	rcu_read_unlock();
	info->k_binding = b;
	return 0;
}

static void snatpsid_unbind(struct xt_snatpsid_tginfo *info)
{
	struct softwire_binding *b = info->k_binding;

	if (!b)
		return;
	info->k_binding = NULL;
	softwire_binding_del(b);
	softwire_table_put(b->bt);
	kfree(b);
}

static int snatpsid_tg_check(const struct xt_tgchk_param *par)
{
	struct xt_snatpsid_tginfo *info = par->targinfo;
	const struct psid_set *set = &info->k_ports;
	int err;

	info->k_binding = NULL;
	if (info->flags & ~XT_SNATPSID_FLAGS) {
		pr_info_ratelimited("unknown flags 0x%x\n", info->flags);
		return -EINVAL;
	}
	if (info->flags & XT_SNATPSID_EU_PREFIX) {
		if (info->eu_len < 1 || info->eu_len > 64) {
			pr_info_ratelimited("End-user prefix length %u is not in 1..64\n",
					    info->eu_len);
			return -EINVAL;
		}
		err = snatpsid_derive(par, info);
		if (err)
			return err;
	} else {
		info->k_addr = info->addr;
		info->k_ports = (struct psid_set){
			.psid = info->psid,
			.len = info->psid_len,
			.offset = info->psid_offset,
		};
	}
	/* RFC 7597 section 5.1: a + k <= 16, PSID < 2^k, ports left. */
	if (!psid_set_valid(set) || !psid_set_size(set)) {
		pr_info_ratelimited("PSID %u/%u at offset %u is not a port set (offset + length <= 16, PSID < 2^length)\n",
				    set->psid, set->len, set->offset);
		err = -EINVAL;
	} else if (!info->k_addr || ipv4_is_multicast(info->k_addr) ||
		   ipv4_is_lbcast(info->k_addr) || ipv4_is_loopback(info->k_addr)) {
		pr_info_ratelimited("%pI4 cannot be a source address\n",
				    &info->k_addr);
		err = -EINVAL;
	} else {
		err = nf_ct_netns_get(par->net, par->family);
	}
	if (err)
		snatpsid_unbind(info);
	return err;
}

static void snatpsid_tg_destroy(const struct xt_tgdtor_param *par)
{
	snatpsid_unbind(par->targinfo);
	nf_ct_netns_put(par->net, par->family);
}

static struct xt_target snatpsid_tg_reg __read_mostly = {
	.name		= "SNATPSID",
	.revision	= 0,
	.family		= NFPROTO_IPV4,
	.table		= "nat",
	.hooks		= (1 << NF_INET_POST_ROUTING) | (1 << NF_INET_LOCAL_IN),
	.target		= snatpsid_tg,
	.checkentry	= snatpsid_tg_check,
	.destroy	= snatpsid_tg_destroy,
	.targetsize	= sizeof(struct xt_snatpsid_tginfo),
	.usersize	= offsetof(struct xt_snatpsid_tginfo, k_addr),
	.me		= THIS_MODULE,
};

static int __net_init snatpsid_net_init(struct net *net)
{
	return softwire_stats_net_init(net, &snatpsid_stats);
}

static void __net_exit snatpsid_net_exit(struct net *net)
{
	softwire_stats_net_exit(net, &snatpsid_stats);
}

static struct pernet_operations snatpsid_net_ops = {
	.init	= snatpsid_net_init,
	.exit	= snatpsid_net_exit,
	.id	= &snatpsid_stats.net_id,
	.size	= sizeof(struct softwire_stats_net),
};

/* Called from the module's init and exit (lw4o6_target.c). */
int snatpsid_init(void)
{
	int err;

	err = register_pernet_subsys(&snatpsid_net_ops);
	if (err)
		return err;
	err = xt_register_target(&snatpsid_tg_reg);
	if (err)
		unregister_pernet_subsys(&snatpsid_net_ops);
	return err;
}

void snatpsid_exit(void)
{
	xt_unregister_target(&snatpsid_tg_reg);
	unregister_pernet_subsys(&snatpsid_net_ops);
}
