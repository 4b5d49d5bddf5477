// SPDX-License-Identifier: GPL-2.0
/*
 * xt_LW4O6: stateless IPv4-in-IPv6 softwires (lw4o6 RFC 7596, DS-Lite RFC
 * 6333, MAP-E RFC 7597). This file: the xtables targets, the checks common
 * to every rule, the module. The B4/CE side is in lw4o6_b4.c, the AFTR/BR
 * side in lw4o6_aftr.c, the softwire itself in lw4o6_tunnel.c (lw4o6.h).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/netfilter.h>
#include <linux/netfilter/x_tables.h>
#include <linux/skbuff.h>

#include "lw4o6.h"
#include "softwire_after_snat.h"
#include "softwire_flowtable.h"

static unsigned int lw4o6_encap_tg(struct sk_buff *skb,
				   const struct xt_action_param *par)
{
	const struct xt_lw4o6_tginfo *info = par->targinfo;

	if (info->flags & XT_LW4O6_TABLE)
		return lw4o6_aftr_encap_tg(skb, par);
	return lw4o6_b4_encap_tg(skb, par);
}

int lw4o6_get_table(const struct xt_tgchk_param *par,
		    struct xt_lw4o6_tginfo *info)
{
	struct softwire_table *bt;

	bt = softwire_table_get(par->net, info->table, sizeof(info->table));
	info->bt = IS_ERR(bt) ? NULL : bt;
	return PTR_ERR_OR_ZERO(bt);
}

static int lw4o6_tg_check(const struct xt_tgchk_param *par)
{
	struct xt_lw4o6_tginfo *info = par->targinfo;

	if (strcmp(par->table, "mangle") != 0 && strcmp(par->table, "raw") != 0) {
		pr_info_ratelimited("LW4O6 works in the mangle and raw tables, not in %s\n",
				    par->table);
		return -EINVAL;
	}
	if (info->flags & ~XT_LW4O6_FLAGS) {
		pr_info_ratelimited("unknown flags 0x%x\n", info->flags);
		return -EINVAL;
	}
	if (info->flowlabel & ~0xfffffU) {
		pr_info_ratelimited("a flow label has 20 bits\n");
		return -EINVAL;
	}
	info->bt = NULL;
	info->b4rule = NULL;
	if ((info->flags & XT_LW4O6_TABLE) && (info->flags & XT_LW4O6_MESH)) {
		pr_info_ratelimited("a rule is for an AFTR or for a CE, not both\n");
		return -EINVAL;
	}
	if (info->flags & XT_LW4O6_TABLE)
		return lw4o6_aftr_check(par, info);
	return lw4o6_b4_check(par, info);
}

static void lw4o6_tg_destroy(const struct xt_tgdtor_param *par)
{
	struct xt_lw4o6_tginfo *info = par->targinfo;

	if (info->flags & XT_LW4O6_TABLE)
		lw4o6_aftr_destroy(par, info);
	else
		lw4o6_b4_destroy(par, info);
}

static struct xt_target lw4o6_tg_reg[] __read_mostly = {
	{
		.name		= "LW4O6",
		.family		= NFPROTO_IPV4,
		.target		= lw4o6_encap_tg,
		.checkentry	= lw4o6_tg_check,
		.destroy	= lw4o6_tg_destroy,
		.targetsize	= sizeof(struct xt_lw4o6_tginfo),
		.usersize	= offsetof(struct xt_lw4o6_tginfo, bt),
		.hooks		= (1 << NF_INET_PRE_ROUTING) |
				  (1 << NF_INET_FORWARD) |
				  (1 << NF_INET_LOCAL_OUT) |
				  (1 << NF_INET_POST_ROUTING),
		.me		= THIS_MODULE,
	},
	{
		.name		= "LW4O6",
		.family		= NFPROTO_IPV6,
		/* only AFTR/BR rules: a B4/CE decapsulates in lw4o6_b4.c */
		.target		= lw4o6_aftr_decap_tg,
		.checkentry	= lw4o6_tg_check,
		.destroy	= lw4o6_tg_destroy,
		.targetsize	= sizeof(struct xt_lw4o6_tginfo),
		.usersize	= offsetof(struct xt_lw4o6_tginfo, bt),
		.hooks		= 1 << NF_INET_PRE_ROUTING,
		.me		= THIS_MODULE,
	},
};

static int __net_init lw4o6_net_init(struct net *net)
{
	return softwire_stats_net_init(net, &lw4o6_stats);
}

static void __net_exit lw4o6_net_exit(struct net *net)
{
	softwire_stats_net_exit(net, &lw4o6_stats);
}

static struct pernet_operations lw4o6_net_ops = {
	.init	= lw4o6_net_init,
	.exit	= lw4o6_net_exit,
	.id	= &lw4o6_stats.net_id,
	.size	= sizeof(struct softwire_stats_net),
};

static int __init lw4o6_tg_init(void)
{
	int err;

	err = softwire_table_init();
	if (err)
		return err;
	err = register_pernet_subsys(&lw4o6_net_ops);
	if (err)
		goto bt;
	err = softwire_flowtable_init(&lw4o6_stats, LW4O6_STAT_CT_KEPT,
				      LW4O6_STAT_CT_KEEP_FAILED);
	if (err)
		goto pernet;
	err = softwire_after_snat_init(&lw4o6_stats, LW4O6_STAT_RULE_GONE);
	if (err)
		goto flowtable;
	err = lw4o6_b4_init();
	if (err)
		goto after_snat;
	err = snatpsid_init();
	if (err)
		goto b4;
	err = mapt_init();
	if (err)
		goto snatpsid;
	err = xt_register_targets(lw4o6_tg_reg, ARRAY_SIZE(lw4o6_tg_reg));
	if (err)
		goto mapt;
	return 0;
mapt:
	mapt_exit();
snatpsid:
	snatpsid_exit();
b4:
	lw4o6_b4_exit();
after_snat:
	softwire_after_snat_exit();
flowtable:
	softwire_flowtable_exit();
pernet:
	unregister_pernet_subsys(&lw4o6_net_ops);
bt:
	softwire_table_exit();
	return err;
}

static void __exit lw4o6_tg_exit(void)
{
	xt_unregister_targets(lw4o6_tg_reg, ARRAY_SIZE(lw4o6_tg_reg));
	mapt_exit();
	snatpsid_exit();
	lw4o6_b4_exit();
	softwire_after_snat_exit();
	softwire_flowtable_exit();
	unregister_pernet_subsys(&lw4o6_net_ops);
	softwire_table_exit();
}

module_init(lw4o6_tg_init);
module_exit(lw4o6_tg_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Xtables: stateless IPv4-in-IPv6 softwires (lw4o6, MAP-E, DS-Lite) and IPv4/IPv6 translation (MAP-T, 464XLAT CLAT, SIIT)");
MODULE_ALIAS("ipt_LW4O6");
MODULE_ALIAS("ip6t_LW4O6");
MODULE_ALIAS("ipt_SNATPSID");
MODULE_ALIAS("ipt_MAPT");
MODULE_ALIAS("ip6t_MAPT");
