// SPDX-License-Identifier: GPL-2.0
/*
 * The after-SNAT hook of the B4/CE targets: see softwire_after_snat.h and
 * docs/lw4o6-b4-design.md.
 */
#include <linux/ip.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/random.h>
#include <linux/siphash.h>
#include <linux/version.h>
#include <linux/xarray.h>
#include <net/ip.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_core.h>
#include <net/netns/generic.h>

#include "softwire_after_snat.h"
#include "softwire_flowtable.h"
#include "softwire_nethook.h"
#include "softwire_skb_mark.h"

struct softwire_after_snat_net {
	struct softwire_nethook hook;	/* its users: the rules */
	struct xarray	rules;		/* id -> rule, read under RCU */
	u32		next_id;
	siphash_key_t	key;		/* of the marks */
};

#define AFTER_SNAT_MAGIC 0x736e6174	/* "snat" */

static unsigned int after_snat_net_id __read_mostly;
static struct softwire_stats *after_snat_stats;
static unsigned int after_snat_stale;

void softwire_after_snat_mark(struct net *net, struct sk_buff *skb,
			      const struct softwire_after_snat_rule *r)
{
	struct softwire_after_snat_net *an = net_generic(net, after_snat_net_id);

	softwire_skb_mark_set(skb, AFTER_SNAT_MAGIC, r->id, &an->key);
}

/*
 * The packet leaves IPv4 here, before conntrack's own confirm hook: do
 * what that hook does (ipv4_confirm, nf_confirm), conntrack helpers and
 * TCP sequence adjustment included, so that FTP, SIP and PPTP work and a
 * new connection keeps its NAT binding.
 */
static unsigned int after_snat_confirm(struct sk_buff *skb,
				       const struct nf_hook_state *state)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
	/* nf_confirm became the confirm hook itself. */
	return nf_confirm(NULL, skb, state);
#else
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct = nf_ct_get(skb, &ctinfo);

	if (!ct || ctinfo == IP_CT_RELATED_REPLY)
		return nf_conntrack_confirm(skb);
	return nf_confirm(skb, skb_network_offset(skb) + ip_hdrlen(skb), ct,
			  ctinfo);
#endif
}

/*
 * After SNAT and every other IPv4 POSTROUTING hook but conntrack's confirm
 * (NF_IP_PRI_CONNTRACK_CONFIRM - 1), whose work it does: nftables chains
 * of any priority, SELinux's postroute hook and NAT chains after srcnat
 * see the IPv4 packet before it leaves IPv4.
 */
static unsigned int after_snat_hook(void *priv, struct sk_buff *skb,
				    const struct nf_hook_state *state)
{
	struct softwire_after_snat_rule *r;
	struct softwire_after_snat_net *an;
	unsigned int verdict;
	u32 id;

	if (!softwire_skb_mark_maybe(skb, AFTER_SNAT_MAGIC))
		return NF_ACCEPT;
	an = net_generic(state->net, after_snat_net_id);
	if (!softwire_skb_mark_take(skb, AFTER_SNAT_MAGIC, &an->key, &id))
		return NF_ACCEPT;	/* not a mark put on this skb here */

	/* Its rule went away while the packet was queued (NFQUEUE). */
	r = xa_load(&an->rules, id);
	if (!r) {
		softwire_count(state->net, after_snat_stats, after_snat_stale);
		return NF_DROP;
	}
	/*
	 * The packet leaves IPv4 past the flowtable's reach; its connection
	 * must not be offloaded (softwire_flowtable.h). Done here, the last
	 * moment before confirm, after every chain that may give it a helper.
	 */
	if (!softwire_flowtable_keep_off(state->net, skb))
		return NF_DROP;
	verdict = after_snat_confirm(skb, state);
	if (verdict != NF_ACCEPT)
		return verdict;
	r->fn(state->net, skb, r);
	return NF_STOLEN;
}

static const struct nf_hook_ops after_snat_ops = {
	.hook		= after_snat_hook,
	.pf		= NFPROTO_IPV4,
	.hooknum	= NF_INET_POST_ROUTING,
	.priority	= NF_IP_PRI_CONNTRACK_CONFIRM - 1,
};

int softwire_after_snat_add(struct net *net, struct softwire_after_snat_rule *r)
{
	struct softwire_after_snat_net *an = net_generic(net, after_snat_net_id);
	int err;

	err = xa_alloc_cyclic(&an->rules, &r->id, r, xa_limit_32b,
			      &an->next_id, GFP_KERNEL_ACCOUNT);
	if (err < 0)
		return err;
	err = softwire_nethook_get(net, &an->hook, 0);
	if (err)
		xa_erase(&an->rules, r->id);
	return err;
}

void softwire_after_snat_del(struct net *net, struct softwire_after_snat_rule *r)
{
	struct softwire_after_snat_net *an = net_generic(net, after_snat_net_id);

	xa_erase(&an->rules, r->id);
	/*
	 * A hook that found r may still be running it; unregistering the
	 * hook (the last rule) waited for it.
	 */
	if (!softwire_nethook_put(net, &an->hook, 0))
		synchronize_rcu();
}

static int __net_init after_snat_net_init(struct net *net)
{
	struct softwire_after_snat_net *an = net_generic(net, after_snat_net_id);

	softwire_nethook_init(&an->hook, &after_snat_ops, 1, NULL);
	xa_init_flags(&an->rules, XA_FLAGS_ALLOC1);
	get_random_bytes(&an->key, sizeof(an->key));
	return 0;
}

/*
 * The rules of a dying namespace may be destroyed after this, by the exit
 * of their table: they find no hook users and an empty xarray (the memory
 * of this struct lasts until every exit has run).
 */
static void __net_exit after_snat_net_exit(struct net *net)
{
	struct softwire_after_snat_net *an = net_generic(net, after_snat_net_id);

	softwire_nethook_exit(net, &an->hook);
	xa_destroy(&an->rules);
}

static struct pernet_operations after_snat_net_ops = {
	.init	= after_snat_net_init,
	.exit	= after_snat_net_exit,
	.id	= &after_snat_net_id,
	.size	= sizeof(struct softwire_after_snat_net),
};

int softwire_after_snat_init(struct softwire_stats *stats, unsigned int stale)
{
	after_snat_stats = stats;
	after_snat_stale = stale;
	return register_pernet_subsys(&after_snat_net_ops);
}

void softwire_after_snat_exit(void)
{
	unregister_pernet_subsys(&after_snat_net_ops);
}
