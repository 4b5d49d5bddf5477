// SPDX-License-Identifier: GPL-2.0
/*
 * Keeping our connections off nftables' flowtables: see
 * softwire_flowtable.h and docs/flow-offload.md.
 */
#include <linux/ipv6.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/random.h>
#include <linux/siphash.h>
#include <net/ip.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_extend.h>
#include <net/netfilter/nf_conntrack_helper.h>
#include <net/netns/generic.h>

#include "softwire_flowtable.h"
#include "softwire_nethook.h"
#include "softwire_skb_mark.h"

/* Devices recorded before "every new connection" (all) takes over. */
#define FLOWTABLE_DEVS 8

struct softwire_flowtable_net {
	struct softwire_nethook hooks;	/* [0] IPv4, [1] IPv6 */
	siphash_key_t	key;		/* of the marks */
	int		devs[FLOWTABLE_DEVS];	/* ifindexes; 0: free */
	bool		all;		/* more devices than slots */
};

#define FLOWTABLE_MAGIC 0x666c6f77	/* "flow" */

static unsigned int flowtable_net_id __read_mostly;
static struct softwire_stats *flowtable_stats;
static unsigned int flowtable_kept, flowtable_failed;

static struct softwire_flowtable_net *flowtable_net(struct net *net)
{
	return net_generic(net, flowtable_net_id);
}

bool softwire_flowtable_keep_off(struct net *net, struct sk_buff *skb)
{
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct = nf_ct_get(skb, &ctinfo);

	/* Untracked (NULL), an old connection, one with a helper. */
	if (!ct || nf_ct_is_confirmed(ct) || nf_ct_is_template(ct) ||
	    nf_ct_ext_exist(ct, NF_CT_EXT_HELPER))
		return true;
	/*
	 * nft_flow_offload_eval() refuses a connection with this extension.
	 * Unconfirmed, the connection is this packet's alone: the extension
	 * may be added, as nft's "ct helper set" adds it.
	 */
	if (!nf_ct_helper_ext_add(ct, GFP_ATOMIC)) {
		softwire_count(net, flowtable_stats, flowtable_failed);
		return false;
	}
	softwire_count(net, flowtable_stats, flowtable_kept);
	return true;
}

void softwire_flowtable_mark(struct net *net, struct sk_buff *skb)
{
	softwire_skb_mark_set(skb, FLOWTABLE_MAGIC, 0, &flowtable_net(net)->key);
}

void softwire_flowtable_via_dev(struct net *net, const struct net_device *dev)
{
	struct softwire_flowtable_net *fn = flowtable_net(net);
	int ifindex = dev->ifindex;
	int i, cur;

	for (i = 0; i < FLOWTABLE_DEVS; i++) {
		cur = READ_ONCE(fn->devs[i]);
		if (!cur)
			cur = cmpxchg(&fn->devs[i], 0, ifindex) ?: ifindex;
		if (cur == ifindex)
			return;
	}
	if (!READ_ONCE(fn->all))
		WRITE_ONCE(fn->all, true);
}

static bool flowtable_from_dev(const struct softwire_flowtable_net *fn,
			       const struct net_device *in)
{
	int i, cur;

	if (READ_ONCE(fn->all))
		return true;
	for (i = 0; i < FLOWTABLE_DEVS; i++) {
		cur = READ_ONCE(fn->devs[i]);
		if (!cur)
			return false;
		if (in && cur == in->ifindex)
			return true;
	}
	return false;
}

/* Right after conntrack in PREROUTING: the connection is there, new or not. */
static unsigned int flowtable_hook(void *priv, struct sk_buff *skb,
				   const struct nf_hook_state *state)
{
	struct softwire_flowtable_net *fn = flowtable_net(state->net);
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct;
	bool marked;
	u32 id;

	marked = softwire_skb_mark_maybe(skb, FLOWTABLE_MAGIC) &&
		 softwire_skb_mark_take(skb, FLOWTABLE_MAGIC, &fn->key, &id);
	ct = nf_ct_get(skb, &ctinfo);
	if (!ct || nf_ct_is_confirmed(ct))
		return NF_ACCEPT;
	if (!marked && !flowtable_from_dev(fn, state->in))
		return NF_ACCEPT;
	return softwire_flowtable_keep_off(state->net, skb) ? NF_ACCEPT : NF_DROP;
}

static const struct nf_hook_ops flowtable_ops[2] = {
	{
		.hook		= flowtable_hook,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= NF_IP_PRI_CONNTRACK + 1,
	},
	{
		.hook		= flowtable_hook,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= NF_IP6_PRI_CONNTRACK + 1,
	},
};

static int flowtable_family(u8 pf)
{
	return pf == NFPROTO_IPV6;
}

int softwire_flowtable_get(struct net *net, u8 pf)
{
	return softwire_nethook_get(net, &flowtable_net(net)->hooks,
				    flowtable_family(pf));
}

void softwire_flowtable_put(struct net *net, u8 pf)
{
	softwire_nethook_put(net, &flowtable_net(net)->hooks,
			     flowtable_family(pf));
}

/* No more rules of either family: forget the devices (under the hooks' lock). */
static void flowtable_idle(struct softwire_nethook *h)
{
	struct softwire_flowtable_net *fn =
		container_of(h, struct softwire_flowtable_net, hooks);
	int i;

	for (i = 0; i < FLOWTABLE_DEVS; i++)
		WRITE_ONCE(fn->devs[i], 0);
	WRITE_ONCE(fn->all, false);
}

static int __net_init flowtable_net_init(struct net *net)
{
	struct softwire_flowtable_net *fn = flowtable_net(net);

	softwire_nethook_init(&fn->hooks, flowtable_ops,
			      ARRAY_SIZE(flowtable_ops), flowtable_idle);
	get_random_bytes(&fn->key, sizeof(fn->key));
	return 0;
}

/* Rules destroyed after this find no users (softwire_nethook.h). */
static void __net_exit flowtable_net_exit(struct net *net)
{
	softwire_nethook_exit(net, &flowtable_net(net)->hooks);
}

static struct pernet_operations flowtable_net_ops = {
	.init	= flowtable_net_init,
	.exit	= flowtable_net_exit,
	.id	= &flowtable_net_id,
	.size	= sizeof(struct softwire_flowtable_net),
};

int softwire_flowtable_init(struct softwire_stats *stats, unsigned int kept,
			    unsigned int failed)
{
	flowtable_stats = stats;
	flowtable_kept = kept;
	flowtable_failed = failed;
	return register_pernet_subsys(&flowtable_net_ops);
}

void softwire_flowtable_exit(void)
{
	unregister_pernet_subsys(&flowtable_net_ops);
}
