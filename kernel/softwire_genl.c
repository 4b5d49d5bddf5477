// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink commands of the softwire tables (family "SOFTWIRE",
 * include/uapi/softwire_genl.h): attributes parsed and checked here, the
 * tables changed by softwire_tables.c.
 *
 * The family runs its requests in parallel (parallel_ops): genl_mutex,
 * which every family without parallel_ops (nl80211, devlink, ethtool,
 * nlctrl) shares, is never held here. Each request takes the mutex of its
 * network namespace (struct softwire_table_net). Dumps of softwires take
 * that mutex for each part, so the change count they check for
 * NLM_F_DUMP_INTR cannot move during a part.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ipv6.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/version.h>
#include <net/genetlink.h>
#include <net/ip.h>

#include "softwire_tables.h"

/*
 * 64 tables in a namespace: an AFTR needs one or a few (load adds one while
 * it runs); the cap bounds what a user namespace makes without a thought.
 */
static unsigned int softwire_max_tables __read_mostly = 64;
module_param_named(max_tables, softwire_max_tables, uint, 0644);
MODULE_PARM_DESC(max_tables, "binding tables per network namespace (default 64)");

static const struct nla_policy softwire_sw_policy[SOFTWIRE_SW_A_MAX + 1] = {
	[SOFTWIRE_SW_A_IPV4]	    = { .type = NLA_BE32 },
	[SOFTWIRE_SW_A_PSID]	    = { .type = NLA_U16 },
	[SOFTWIRE_SW_A_PSID_LEN]    = NLA_POLICY_MAX(NLA_U8, 16),
	[SOFTWIRE_SW_A_PSID_OFFSET] = NLA_POLICY_MAX(NLA_U8, 16),
	[SOFTWIRE_SW_A_B4]	    = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[SOFTWIRE_SW_A_AFTR]	    = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
};

static const struct nla_policy softwire_rule_policy[SOFTWIRE_RULE_A_MAX + 1] = {
	[SOFTWIRE_RULE_A_IPV6_PREFIX] = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[SOFTWIRE_RULE_A_IPV6_LEN]    = NLA_POLICY_MAX(NLA_U8, 128),
	[SOFTWIRE_RULE_A_IPV4_PREFIX] = { .type = NLA_BE32 },
	[SOFTWIRE_RULE_A_IPV4_LEN]    = NLA_POLICY_MAX(NLA_U8, 32),
	[SOFTWIRE_RULE_A_EA_LEN]      = NLA_POLICY_MAX(NLA_U8, 48),
	[SOFTWIRE_RULE_A_PSID_OFFSET] = NLA_POLICY_MAX(NLA_U8, 16),
};

static const struct nla_policy softwire_eam_policy[SOFTWIRE_EAM_A_MAX + 1] = {
	[SOFTWIRE_EAM_A_IPV4]	  = { .type = NLA_BE32 },
	[SOFTWIRE_EAM_A_IPV4_LEN] = NLA_POLICY_MAX(NLA_U8, 32),
	[SOFTWIRE_EAM_A_IPV6]	  = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[SOFTWIRE_EAM_A_IPV6_LEN] = NLA_POLICY_MAX(NLA_U8, 128),
};

static const struct nla_policy softwire_xlat_policy[SOFTWIRE_XLAT_A_MAX + 1] = {
	[SOFTWIRE_XLAT_A_DMR_PREFIX]	  = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[SOFTWIRE_XLAT_A_DMR_LEN]	  = NLA_POLICY_MAX(NLA_U8, 128),
	[SOFTWIRE_XLAT_A_EAMS]		  = NLA_POLICY_NESTED_ARRAY(softwire_eam_policy),
	[SOFTWIRE_XLAT_A_LOWEST_IPV6_MTU] = { .type = NLA_U16 },
	[SOFTWIRE_XLAT_A_FLAGS]		  = NLA_POLICY_MASK(NLA_U8, SOFTWIRE_XLAT_F_ALL),
	[SOFTWIRE_XLAT_A_ICMP_SRC4]	  = { .type = NLA_BE32 },
	[SOFTWIRE_XLAT_A_ICMP_SRC6]	  = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	/* XLAT_A_EAM (only inside EAMS), N_EAMS (reported only): refused */
};

static const struct nla_policy softwire_policy[SOFTWIRE_A_MAX + 1] = {
	[SOFTWIRE_A_NAME]      = { .type = NLA_NUL_STRING,
				   .len = SOFTWIRE_TABLE_NAME_LEN - 1 },
	[SOFTWIRE_A_NAME2]     = { .type = NLA_NUL_STRING,
				   .len = SOFTWIRE_TABLE_NAME_LEN - 1 },
	[SOFTWIRE_A_AFTR]      = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[SOFTWIRE_A_SIZE]      = { .type = NLA_U32 },
	[SOFTWIRE_A_SOFTWIRES] = NLA_POLICY_NESTED_ARRAY(softwire_sw_policy),
	[SOFTWIRE_A_RULE]      = NLA_POLICY_NESTED(softwire_rule_policy),
	[SOFTWIRE_A_XLAT]      = NLA_POLICY_NESTED(softwire_xlat_policy),
	[SOFTWIRE_A_XLAT_GEN]  = { .type = NLA_U32 },
	[SOFTWIRE_A_XLAT_MORE] = { .type = NLA_FLAG },
	[SOFTWIRE_A_XLAT_CONT] = { .type = NLA_FLAG },
};

static struct genl_family softwire_genl_family;

/*
 * One softwire from its attributes; the key is all DEL needs. *aftr is
 * set to the softwire's own AFTR address, or NULL for the table's.
 */
static int softwire_parse_sw(const struct nlattr *nla,
			     struct softwire_table_sw *sw,
			     struct in6_addr *aftr_buf,
			     const struct in6_addr **aftr, bool key_only,
			     struct netlink_ext_ack *extack)
{
	struct nlattr *tb[SOFTWIRE_SW_A_MAX + 1];
	struct psid_set set = {};
	int err;

	err = nla_parse_nested(tb, SOFTWIRE_SW_A_MAX, nla, softwire_sw_policy,
			       extack);
	if (err)
		return err;
	if (!tb[SOFTWIRE_SW_A_IPV4] || (!key_only && !tb[SOFTWIRE_SW_A_B4])) {
		NL_SET_ERR_MSG_ATTR(extack, nla, "a softwire needs an IPv4 and a B4 address");
		return -EINVAL;
	}
	memset(sw, 0, sizeof(*sw));
	sw->addr = nla_get_be32(tb[SOFTWIRE_SW_A_IPV4]);
	if (tb[SOFTWIRE_SW_A_PSID])
		set.psid = nla_get_u16(tb[SOFTWIRE_SW_A_PSID]);
	sw->psid = set.psid;
	if (key_only)
		return 0;
	if (tb[SOFTWIRE_SW_A_PSID_LEN])
		set.len = nla_get_u8(tb[SOFTWIRE_SW_A_PSID_LEN]);
	set.offset = set.len ? 6 : 0;	/* RFC 7597 section 5.1 default */
	if (set.len && tb[SOFTWIRE_SW_A_PSID_OFFSET])
		set.offset = nla_get_u8(tb[SOFTWIRE_SW_A_PSID_OFFSET]);
	if (!psid_set_valid(&set)) {
		NL_SET_ERR_MSG_ATTR(extack, nla, "the PSID does not fit its length, or offset + length > 16");
		return -EINVAL;
	}
	sw->psid_len = set.len;
	sw->psid_offset = set.offset;
	if (!softwire_table_unicast4(sw->addr)) {
		NL_SET_ERR_MSG_ATTR(extack, nla, "the IPv4 address must be unicast");
		return -EINVAL;
	}
	nla_memcpy(&sw->b4, tb[SOFTWIRE_SW_A_B4], sizeof(sw->b4));
	*aftr = NULL;
	if (tb[SOFTWIRE_SW_A_AFTR]) {
		nla_memcpy(aftr_buf, tb[SOFTWIRE_SW_A_AFTR], sizeof(*aftr_buf));
		*aftr = aftr_buf;
	}
	if (!softwire_table_unicast(&sw->b4) ||
	    (*aftr && !softwire_table_unicast(*aftr))) {
		NL_SET_ERR_MSG_ATTR(extack, nla, "B4 and AFTR addresses must be unicast");
		return -EINVAL;
	}
	return 0;
}

static struct softwire_table_net *softwire_bn_info(struct genl_info *info)
{
	return softwire_table_net(genl_info_net(info));
}

/* The table that attribute attr names; under bn->lock. */
static struct softwire_table *softwire_from_info(struct softwire_table_net *bn,
						 struct genl_info *info, int attr)
{
	struct softwire_table *bt;

	if (GENL_REQ_ATTR_CHECK(info, attr))
		return ERR_PTR(-EINVAL);
	bt = softwire_table_find_name(bn, nla_data(info->attrs[attr]));
	if (!bt) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[attr], "no such table");
		return ERR_PTR(-ENOENT);
	}
	return bt;
}

/* The contents of the table that SOFTWIRE_A_NAME names; under bn->lock. */
static struct softwire_table_data *
softwire_data_from_info(struct softwire_table_net *bn, struct genl_info *info)
{
	struct softwire_table *bt = softwire_from_info(bn, info, SOFTWIRE_A_NAME);

	return IS_ERR(bt) ? ERR_CAST(bt) : softwire_table_data_locked(bt);
}

/* May this namespace list one more table called name? Under bn->lock. */
static int softwire_table_room(struct softwire_table_net *bn,
			       struct genl_info *info, const char *name)
{
	if (softwire_table_find_name(bn, name)) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[SOFTWIRE_A_NAME],
				    "a table of this name exists");
		return -EEXIST;
	}
	if (bn->n_tables >= READ_ONCE(softwire_max_tables)) {
		NL_SET_ERR_MSG(info->extack,
			       "this network namespace holds max_tables tables (a parameter of module xt_LW4O6)");
		return -ENOSPC;
	}
	return 0;
}

static int softwire_table_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct softwire_table_net *bn = softwire_bn_info(info);
	struct softwire_table *bt;
	struct in6_addr aftr, *own = NULL;
	const char *name;
	u32 size = 0;
	int err;

	/* No AFTR: a translator's table (MAPT), which needs none. */
	if (GENL_REQ_ATTR_CHECK(info, SOFTWIRE_A_NAME))
		return -EINVAL;
	name = nla_data(info->attrs[SOFTWIRE_A_NAME]);
	if (info->attrs[SOFTWIRE_A_AFTR]) {
		nla_memcpy(&aftr, info->attrs[SOFTWIRE_A_AFTR], sizeof(aftr));
		own = &aftr;
	}
	if (!name[0] || (own && !softwire_table_unicast(own))) {
		NL_SET_ERR_MSG(info->extack, "a table needs a name, and its AFTR address must be unicast");
		return -EINVAL;
	}
	/* Refused before allocating anything; checked again to list it. */
	mutex_lock(&bn->lock);
	err = softwire_table_room(bn, info, name);
	mutex_unlock(&bn->lock);
	if (err)
		return err;

	/*
	 * The expected size is honoured from CAP_NET_ADMIN in the initial
	 * user namespace only: anyone else's table (the root of a user
	 * namespace's) starts small and grows as it is filled, so that no
	 * memory is asked for before the entries that need it (a 16M hint
	 * is ~576 MiB, zeroed, of an empty table).
	 */
	if (info->attrs[SOFTWIRE_A_SIZE] && netlink_capable(skb, CAP_NET_ADMIN))
		size = nla_get_u32(info->attrs[SOFTWIRE_A_SIZE]);
	/* Allocated without the lock: a big table takes a while. */
	bt = softwire_table_new(name, own, size, &bn->lock);
	if (!bt) {
		NL_SET_ERR_MSG(info->extack, "cannot allocate the table (memory cgroup limit?)");
		return -ENOMEM;
	}

	mutex_lock(&bn->lock);
	err = softwire_table_room(bn, info, name);
	if (!err) {
		list_add_tail(&bt->list, &bn->tables);
		bn->n_tables++;
	}
	mutex_unlock(&bn->lock);
	if (err)
		softwire_table_free(bt);
	return err;
}

static int softwire_table_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct softwire_table_net *bn = softwire_bn_info(info);
	struct softwire_table *bt;
	int err = 0;

	mutex_lock(&bn->lock);
	bt = softwire_from_info(bn, info, SOFTWIRE_A_NAME);
	if (IS_ERR(bt)) {
		err = PTR_ERR(bt);
	} else if (atomic_read(&bt->users)) {
		NL_SET_ERR_MSG(info->extack, "the table is used by iptables rules");
		err = -EBUSY;
	} else {
		list_del(&bt->list);
		bn->n_tables--;
	}
	mutex_unlock(&bn->lock);
	if (!err && refcount_dec_and_test(&bt->refs))
		softwire_table_free(bt);
	return err;
}

static int softwire_table_swap_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct softwire_table_net *bn = softwire_bn_info(info);
	struct softwire_table *bt1, *bt2;
	int err;

	mutex_lock(&bn->lock);
	bt1 = softwire_from_info(bn, info, SOFTWIRE_A_NAME);
	bt2 = softwire_from_info(bn, info, SOFTWIRE_A_NAME2);
	if (IS_ERR(bt1) || IS_ERR(bt2))
		err = IS_ERR(bt1) ? PTR_ERR(bt1) : PTR_ERR(bt2);
	else
		err = softwire_table_swap(bt1, bt2, info->extack);
	mutex_unlock(&bn->lock);
	return err;
}

static int softwire_sw_one(struct softwire_table_data *d, bool add,
			   const struct nlattr *nla,
			   struct netlink_ext_ack *extack)
{
	const struct in6_addr *aftr;
	struct softwire_table_sw sw;
	struct in6_addr aftr_buf;
	int err;

	err = softwire_parse_sw(nla, &sw, &aftr_buf, &aftr, !add, extack);
	if (err)
		return err;
	return add ? softwire_table_sw_add(d, &sw, aftr, nla, extack) :
		     softwire_table_sw_del(d, &sw, nla, extack);
}

static int softwire_sw_change_doit(struct sk_buff *skb, struct genl_info *info)
{
	bool add = info->genlhdr->cmd == SOFTWIRE_CMD_SW_ADD;
	struct softwire_table_net *bn = softwire_bn_info(info);
	struct softwire_table_data *d;
	struct nlattr *nla;
	int err = 0, rem;

	if (GENL_REQ_ATTR_CHECK(info, SOFTWIRE_A_SOFTWIRES))
		return -EINVAL;
	mutex_lock(&bn->lock);
	d = softwire_data_from_info(bn, info);
	if (IS_ERR(d)) {
		err = PTR_ERR(d);
		goto out;
	}
	/* Softwires before the one refused stay changed: the tool loads into
	 * a fresh table and swaps, so a failed load changes nothing live.
	 */
	nla_for_each_nested(nla, info->attrs[SOFTWIRE_A_SOFTWIRES], rem) {
		err = softwire_sw_one(d, add, nla, info->extack);
		if (err)
			break;
		cond_resched();
	}
out:
	mutex_unlock(&bn->lock);
	return err;
}

static int softwire_parse_rule(const struct nlattr *nla, struct map_rule *r,
			       struct netlink_ext_ack *extack)
{
	struct nlattr *tb[SOFTWIRE_RULE_A_MAX + 1];
	struct map_ce ce;
	int err;

	err = nla_parse_nested(tb, SOFTWIRE_RULE_A_MAX, nla, softwire_rule_policy,
			       extack);
	if (err)
		return err;
	if (!tb[SOFTWIRE_RULE_A_IPV6_PREFIX] || !tb[SOFTWIRE_RULE_A_IPV6_LEN] ||
	    !tb[SOFTWIRE_RULE_A_IPV4_PREFIX] || !tb[SOFTWIRE_RULE_A_IPV4_LEN] ||
	    !tb[SOFTWIRE_RULE_A_EA_LEN]) {
		NL_SET_ERR_MSG_ATTR(extack, nla, "a rule needs both prefixes and the EA-bits length");
		return -EINVAL;
	}
	memset(r, 0, sizeof(*r));
	nla_memcpy(r->ip6_prefix, tb[SOFTWIRE_RULE_A_IPV6_PREFIX], 16);
	r->ip6_len = nla_get_u8(tb[SOFTWIRE_RULE_A_IPV6_LEN]);
	r->ip4_prefix = ntohl(nla_get_be32(tb[SOFTWIRE_RULE_A_IPV4_PREFIX]));
	r->ip4_len = nla_get_u8(tb[SOFTWIRE_RULE_A_IPV4_LEN]);
	r->ea_len = nla_get_u8(tb[SOFTWIRE_RULE_A_EA_LEN]);
	r->psid_offset = tb[SOFTWIRE_RULE_A_PSID_OFFSET] ?
			 nla_get_u8(tb[SOFTWIRE_RULE_A_PSID_OFFSET]) : 6;
	/* RFC 7597 section 5.2: the EA bits must at least fill the IPv4
	 * suffix, the PSID must fit with its offset, the prefixes must have
	 * no bits past their lengths. The CE for the rule's first address
	 * proves the lengths.
	 */
	if (map_rule_ce_for(r, r->ip4_prefix, 0xffff, &ce) != MAP_RULE_OK ||
	    r->ip6_len + r->ea_len > 64) {
		NL_SET_ERR_MSG_ATTR(extack, nla,
				    "the rule's lengths give no CE address (RFC 7597 section 5.2)");
		return -EINVAL;
	}
	return 0;
}

static int softwire_rule_change_doit(struct sk_buff *skb, struct genl_info *info)
{
	bool add = info->genlhdr->cmd == SOFTWIRE_CMD_RULE_ADD;
	struct softwire_table_net *bn = softwire_bn_info(info);
	struct softwire_table_data *d;
	struct map_rule r;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, SOFTWIRE_A_RULE))
		return -EINVAL;
	err = softwire_parse_rule(info->attrs[SOFTWIRE_A_RULE], &r, info->extack);
	if (err)
		return err;
	mutex_lock(&bn->lock);
	d = softwire_data_from_info(bn, info);
	err = IS_ERR(d) ? PTR_ERR(d) :
	      softwire_table_rule_change(d, &r, add, info->extack);
	mutex_unlock(&bn->lock);
	return err;
}

static int softwire_aftr_add_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct softwire_table_net *bn = softwire_bn_info(info);
	struct softwire_table_data *d;
	struct in6_addr a;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, SOFTWIRE_A_AFTR))
		return -EINVAL;
	nla_memcpy(&a, info->attrs[SOFTWIRE_A_AFTR], sizeof(a));
	if (!softwire_table_unicast(&a))
		return -EINVAL;
	mutex_lock(&bn->lock);
	d = softwire_data_from_info(bn, info);
	err = IS_ERR(d) ? PTR_ERR(d) : softwire_table_aftr_add(d, &a, info->extack);
	mutex_unlock(&bn->lock);
	return err;
}

/* --- the translator's lines (MAPT) ------------------------------------ */

/* An EAM, RFC 7757 (two EAMs of one prefix: the index build). */
static int softwire_parse_eam(const struct nlattr *nla, struct xlat_eam *e,
			      struct netlink_ext_ack *extack)
{
	struct nlattr *tb[SOFTWIRE_EAM_A_MAX + 1];
	int err;

	err = nla_parse_nested(tb, SOFTWIRE_EAM_A_MAX, nla, softwire_eam_policy,
			       extack);
	if (err)
		return err;
	if (!tb[SOFTWIRE_EAM_A_IPV4] || !tb[SOFTWIRE_EAM_A_IPV4_LEN] ||
	    !tb[SOFTWIRE_EAM_A_IPV6] || !tb[SOFTWIRE_EAM_A_IPV6_LEN]) {
		NL_SET_ERR_MSG_ATTR(extack, nla, "an EAM needs an IPv4 and an IPv6 prefix, each with its length");
		return -EINVAL;
	}
	e->ip4 = ntohl(nla_get_be32(tb[SOFTWIRE_EAM_A_IPV4]));
	e->ip4_len = nla_get_u8(tb[SOFTWIRE_EAM_A_IPV4_LEN]);
	nla_memcpy(e->ip6, tb[SOFTWIRE_EAM_A_IPV6], sizeof(e->ip6));
	e->ip6_len = nla_get_u8(tb[SOFTWIRE_EAM_A_IPV6_LEN]);
	/* RFC 7757 section 3.2: the suffixes are as long as each other. */
	if (32 - e->ip4_len > 128 - e->ip6_len) {
		NL_SET_ERR_MSG_ATTR(extack, nla, "an EAM's IPv6 prefix must leave at least the IPv4 prefix's suffix bits: 32 - IPv4 length <= 128 - IPv6 length (RFC 7757 section 3.2)");
		return -EINVAL;
	}
	if (!xlat_eam_valid(e)) {
		NL_SET_ERR_MSG_ATTR(extack, nla, "an EAM prefix has bits set past its length");
		return -EINVAL;
	}
	return 0;
}

/* The EAMs of one SOFTWIRE_XLAT_A_EAMS: how many, at most one part's. */
static int softwire_count_eams(const struct nlattr *eams,
			       struct netlink_ext_ack *extack)
{
	const struct nlattr *nla;
	int n = 0, rem;

	/* One part's fit one attribute (nla_len is 16 bits), both ways. */
	BUILD_BUG_ON(SOFTWIRE_EAMS_PER_MSG * (NLA_HDRLEN + 3 * NLA_ALIGN(NLA_HDRLEN + 4) +
					      NLA_HDRLEN + 16) > U16_MAX);
	if (!eams)
		return 0;
	nla_for_each_nested(nla, eams, rem)
		n++;
	if (n > SOFTWIRE_EAMS_PER_MSG) {
		NL_SET_ERR_MSG_ATTR(extack, eams, "more than " __stringify(SOFTWIRE_EAMS_PER_MSG) " EAMs in one message: send them in parts (SOFTWIRE_A_XLAT_MORE)");
		return -ENOSPC;
	}
	return n;
}

static int softwire_parse_dmr(struct nlattr **tb, struct xlat_prefix6 *dmr,
			      struct netlink_ext_ack *extack)
{
	struct nlattr *pfx = tb[SOFTWIRE_XLAT_A_DMR_PREFIX];
	struct nlattr *len = tb[SOFTWIRE_XLAT_A_DMR_LEN];

	if (!pfx && !len)
		return 0;
	if (!pfx || !len) {
		NL_SET_ERR_MSG_ATTR(extack, pfx ?: len, "a DMR needs its prefix and its length");
		return -EINVAL;
	}
	nla_memcpy(dmr->a, pfx, sizeof(dmr->a));
	dmr->len = nla_get_u8(len);
	if (!rfc6052_len_ok(dmr->len)) {
		NL_SET_ERR_MSG_ATTR(extack, len, "a DMR is 32, 40, 48, 56, 64 or 96 bits long (RFC 6052 section 2.2)");
		return -EINVAL;
	}
	if (!xlat_prefix6_clean(dmr->a, dmr->len)) {
		NL_SET_ERR_MSG_ATTR(extack, pfx, "the DMR has bits set past its length");
		return -EINVAL;
	}
	/* Bits 64-71 (the u-octet) of a /96 must be zero: RFC 6052 section 2.2. */
	if (dmr->len == 96 && dmr->a[8]) {
		NL_SET_ERR_MSG_ATTR(extack, pfx, "bits 64 to 71 of a /96 DMR must be zero (RFC 6052 section 2.2)");
		return -EINVAL;
	}
	if (dmr->a[0] == 0xff) {
		NL_SET_ERR_MSG_ATTR(extack, pfx, "a DMR cannot be multicast");
		return -EINVAL;
	}
	return 0;
}

/* The translator's lines other than the EAMs. */
static int softwire_parse_xlat_fields(struct nlattr **tb,
				      struct softwire_table_xlat *x,
				      struct netlink_ext_ack *extack)
{
	struct nlattr *a;
	int err;

	err = softwire_parse_dmr(tb, &x->dmr, extack);
	if (err)
		return err;
	x->lowest_ipv6_mtu = SOFTWIRE_XLAT_DEFAULT_MTU;
	a = tb[SOFTWIRE_XLAT_A_LOWEST_IPV6_MTU];
	if (a) {
		x->lowest_ipv6_mtu = nla_get_u16(a);
		/* RFC 8200 section 5: no IPv6 link has a smaller MTU. */
		if (x->lowest_ipv6_mtu < SOFTWIRE_XLAT_DEFAULT_MTU) {
			NL_SET_ERR_MSG_ATTR(extack, a, "lowest-ipv6-mtu is at least 1280 (RFC 8200 section 5)");
			return -EINVAL;
		}
	}
	BUILD_BUG_ON(SOFTWIRE_XLAT_UDP_ZERO_COMPUTE != SOFTWIRE_XLAT_F_UDP_ZERO_COMPUTE);
	BUILD_BUG_ON(SOFTWIRE_XLAT_UDP_ZERO_SILENT != SOFTWIRE_XLAT_F_UDP_ZERO_SILENT);
	a = tb[SOFTWIRE_XLAT_A_FLAGS];
	if (a) {
		x->flags = nla_get_u8(a);
		if ((x->flags & SOFTWIRE_XLAT_UDP_ZERO_COMPUTE) &&
		    (x->flags & SOFTWIRE_XLAT_UDP_ZERO_SILENT)) {
			NL_SET_ERR_MSG_ATTR(extack, a, "udp-zero-checksum is one of drop, drop-silent, compute");
			return -EINVAL;
		}
	}
	a = tb[SOFTWIRE_XLAT_A_ICMP_SRC4];
	if (a) {
		x->icmp_src4 = nla_get_be32(a);
		if (!softwire_table_unicast4(x->icmp_src4)) {
			NL_SET_ERR_MSG_ATTR(extack, a, "icmp-source-ipv4 must be a unicast address (RFC 6791)");
			return -EINVAL;
		}
	}
	a = tb[SOFTWIRE_XLAT_A_ICMP_SRC6];
	if (a) {
		nla_memcpy(&x->icmp_src6, a, sizeof(x->icmp_src6));
		if (!softwire_table_unicast(&x->icmp_src6)) {
			NL_SET_ERR_MSG_ATTR(extack, a, "icmp-source-ipv6 must be a unicast address (RFC 6791)");
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * The lines of one XLAT_SET part, in a block without index (cont: a part
 * that continues a set, EAMs only); ERR_PTR and extack on error.
 */
static struct softwire_table_xlat *
softwire_parse_xlat(const struct nlattr *nla, bool cont,
		    struct netlink_ext_ack *extack)
{
	struct nlattr *tb[SOFTWIRE_XLAT_A_MAX + 1], *a;
	struct softwire_table_xlat *x;
	int err, n, rem, i;

	err = nla_parse_nested(tb, SOFTWIRE_XLAT_A_MAX, nla, softwire_xlat_policy,
			       extack);
	if (err)
		return ERR_PTR(err);
	n = softwire_count_eams(tb[SOFTWIRE_XLAT_A_EAMS], extack);
	if (n < 0)
		return ERR_PTR(n);
	x = kvzalloc(softwire_table_xlat_part_size(n), GFP_KERNEL_ACCOUNT);
	if (!x)
		return ERR_PTR(-ENOMEM);
	if (!cont) {
		err = softwire_parse_xlat_fields(tb, x, extack);
		if (err)
			goto free;
	}
	for (i = 1; cont && i <= SOFTWIRE_XLAT_A_MAX; i++) {
		if (i != SOFTWIRE_XLAT_A_EAMS && tb[i]) {
			NL_SET_ERR_MSG_ATTR(extack, tb[i], "a part that continues the translator's lines (XLAT_CONT) holds EAMs only");
			err = -EINVAL;
			goto free;
		}
	}
	i = 0;
	if (tb[SOFTWIRE_XLAT_A_EAMS]) {
		nla_for_each_nested(a, tb[SOFTWIRE_XLAT_A_EAMS], rem) {
			err = softwire_parse_eam(a, &x->eam[i], extack);
			if (err)
				goto free;
			i++;
		}
	}
	x->n_eam = i;
	return x;
free:
	kvfree(x);
	return ERR_PTR(err);
}

static void softwire_xlat_part_drop(struct softwire_table_data *d)
{
	kvfree(d->xlat_part);
	d->xlat_part = NULL;
}

/* The EAMs of p added to the set under way from portid. */
static int softwire_xlat_append(struct softwire_table_data *d,
				const struct softwire_table_xlat *p, u32 portid,
				struct netlink_ext_ack *extack)
{
	struct softwire_table_xlat *x = d->xlat_part, *y;
	unsigned int n, cap;

	if (!x || d->xlat_part_portid != portid) {
		NL_SET_ERR_MSG(extack, "no change of the translator's lines under way from this socket (another one replaced it?): start again");
		return -EAGAIN;
	}
	n = x->n_eam + p->n_eam;
	if (n > SOFTWIRE_MAX_EAMS) {
		NL_SET_ERR_MSG(extack, "more than " __stringify(SOFTWIRE_MAX_EAMS) " EAMs in one table");
		return -ENOSPC;
	}
	if (n > d->xlat_part_cap) {
		/* Doubling: a set of n EAMs in parts copies O(n) in all. */
		cap = min(max(n, 2 * d->xlat_part_cap), SOFTWIRE_MAX_EAMS);
		y = kvmalloc(softwire_table_xlat_part_size(cap), GFP_KERNEL_ACCOUNT);
		if (!y)
			return -ENOMEM;
		memcpy(y, x, softwire_table_xlat_part_size(x->n_eam));
		kvfree(x);
		d->xlat_part = x = y;
		d->xlat_part_cap = cap;
	}
	memcpy(&x->eam[x->n_eam], p->eam, p->n_eam * sizeof(p->eam[0]));
	x->n_eam = n;
	return 0;
}

/*
 * The set under way, indexed and published at once. The index build also
 * finds a prefix mapped twice (RFC 7757 section 3.2: each is mapped once).
 */
static int softwire_xlat_commit(struct softwire_table_data *d,
				const struct nlattr *eams,
				struct netlink_ext_ack *extack)
{
	struct softwire_table_xlat *p = d->xlat_part, *x;
	void *scratch;
	int err;

	x = kvmalloc(softwire_table_xlat_size(p->n_eam), GFP_KERNEL_ACCOUNT);
	scratch = kvmalloc(xlat_index_scratch_bytes(p->n_eam), GFP_KERNEL_ACCOUNT);
	err = -ENOMEM;
	if (!x || !scratch)
		goto out;
	memcpy(x, p, softwire_table_xlat_part_size(p->n_eam));
	if (xlat_index_build_eam(&x->eam_ix, &x->eam[x->n_eam], scratch,
				 x->eam, x->n_eam) >= 0) {
		NL_SET_ERR_MSG_ATTR(extack, eams, "two EAMs with the same IPv4 or the same IPv6 prefix");
		err = -EEXIST;
		goto out;
	}
	err = softwire_table_xlat_set(d, x, d->xlat_part_has_gen ?
				      &d->xlat_part_gen : NULL, extack);
	if (!err)
		x = NULL;
out:
	kvfree(scratch);
	kvfree(x);
	softwire_xlat_part_drop(d);
	return err;
}

static int softwire_xlat_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct softwire_table_net *bn = softwire_bn_info(info);
	struct nlattr *xa = info->attrs[SOFTWIRE_A_XLAT], *eams = NULL;
	struct nlattr *ga = info->attrs[SOFTWIRE_A_XLAT_GEN];
	bool more = nla_get_flag(info->attrs[SOFTWIRE_A_XLAT_MORE]);
	bool cont = nla_get_flag(info->attrs[SOFTWIRE_A_XLAT_CONT]);
	struct softwire_table_xlat *p = NULL;
	struct softwire_table_data *d;
	u32 gen;
	int err;

	if (cont && (!xa || ga)) {
		NL_SET_ERR_MSG(info->extack, "a part that continues the translator's lines (XLAT_CONT) holds XLAT { EAMS }, and no XLAT_GEN (the first part's counts)");
		return -EINVAL;
	}
	if (more && !xa) {
		NL_SET_ERR_MSG(info->extack, "more parts (XLAT_MORE) of no translator's lines");
		return -EINVAL;
	}
	if (xa) {
		p = softwire_parse_xlat(xa, cont, info->extack);
		if (IS_ERR(p))
			return PTR_ERR(p);
		eams = nla_find_nested(xa, SOFTWIRE_XLAT_A_EAMS);
	}
	mutex_lock(&bn->lock);
	d = softwire_data_from_info(bn, info);
	if (IS_ERR(d)) {
		err = PTR_ERR(d);
		goto unlock;
	}
	if (cont) {
		err = softwire_xlat_append(d, p, info->snd_portid, info->extack);
		if (err) {
			softwire_xlat_part_drop(d);
			goto unlock;
		}
	} else {
		/* A new set replaces any under way. */
		softwire_xlat_part_drop(d);
		if (!p) {	/* no translator lines at all */
			gen = ga ? nla_get_u32(ga) : 0;
			err = softwire_table_xlat_set(d, NULL, ga ? &gen : NULL,
						      info->extack);
			goto unlock;
		}
		d->xlat_part = p;
		d->xlat_part_cap = p->n_eam;
		d->xlat_part_portid = info->snd_portid;
		d->xlat_part_has_gen = !!ga;
		d->xlat_part_gen = ga ? nla_get_u32(ga) : 0;
		p = NULL;
	}
	err = more ? 0 : softwire_xlat_commit(d, eams, info->extack);
unlock:
	mutex_unlock(&bn->lock);
	kvfree(p);
	return err;
}

/* The translator's lines but the EAMs, which EAM_GET dumps. */
static int softwire_put_xlat(struct sk_buff *msg,
			     const struct softwire_table_xlat *x)
{
	struct nlattr *nest = nla_nest_start(msg, SOFTWIRE_A_XLAT);

	if (!nest ||
	    (x->dmr.len &&
	     (nla_put(msg, SOFTWIRE_XLAT_A_DMR_PREFIX, 16, x->dmr.a) ||
	      nla_put_u8(msg, SOFTWIRE_XLAT_A_DMR_LEN, x->dmr.len))) ||
	    nla_put_u16(msg, SOFTWIRE_XLAT_A_LOWEST_IPV6_MTU, x->lowest_ipv6_mtu) ||
	    nla_put_u8(msg, SOFTWIRE_XLAT_A_FLAGS, x->flags) ||
	    (x->icmp_src4 &&
	     nla_put_be32(msg, SOFTWIRE_XLAT_A_ICMP_SRC4, x->icmp_src4)) ||
	    (!ipv6_addr_any(&x->icmp_src6) &&
	     nla_put_in6_addr(msg, SOFTWIRE_XLAT_A_ICMP_SRC6, &x->icmp_src6)) ||
	    nla_put_u32(msg, SOFTWIRE_XLAT_A_N_EAMS, x->n_eam))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

/*
 * Room for a TABLE_GET message of a table of n rules: the counters and
 * addresses fit in NLMSG_GOODSIZE; 64 rules would not.
 */
static size_t softwire_table_msg_room(unsigned int n)
{
	size_t one_rule = nla_total_size(0) + nla_total_size(16) +
			  5 * nla_total_size(4);

	return NLMSG_GOODSIZE + n * one_rule;
}

static size_t softwire_table_msg_size(struct softwire_table *bt)
{
	struct softwire_table_data *d = softwire_table_data_locked(bt);
	const struct softwire_table_rules *rules;

	rules = rcu_dereference_protected(d->rules, lockdep_is_held(d->lock));
	return softwire_table_msg_room(rules ? rules->n : 0);
}

static int softwire_put_rule(struct sk_buff *msg, const struct map_rule *r)
{
	struct nlattr *nest = nla_nest_start(msg, SOFTWIRE_A_RULE);

	if (!nest ||
	    nla_put(msg, SOFTWIRE_RULE_A_IPV6_PREFIX, 16, r->ip6_prefix) ||
	    nla_put_u8(msg, SOFTWIRE_RULE_A_IPV6_LEN, r->ip6_len) ||
	    nla_put_be32(msg, SOFTWIRE_RULE_A_IPV4_PREFIX, htonl(r->ip4_prefix)) ||
	    nla_put_u8(msg, SOFTWIRE_RULE_A_IPV4_LEN, r->ip4_len) ||
	    nla_put_u8(msg, SOFTWIRE_RULE_A_EA_LEN, r->ea_len) ||
	    nla_put_u8(msg, SOFTWIRE_RULE_A_PSID_OFFSET, r->psid_offset))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

/* What a table is and did: a TABLE_GET message. Under the namespace's mutex. */
static int softwire_put_table(struct sk_buff *msg, struct softwire_table *bt,
			      u32 portid, u32 seq, int flags)
{
	struct softwire_table_data *d = softwire_table_data_locked(bt);
	const struct softwire_table_xlat *x = softwire_table_xlat_locked(d);
	const struct softwire_table_rules *rules;
	struct nlattr *stats;
	unsigned int i;
	void *hdr;
	int cpu;

	hdr = genlmsg_put(msg, portid, seq, &softwire_genl_family, flags,
			  SOFTWIRE_CMD_TABLE_GET);
	if (!hdr)
		return -EMSGSIZE;
	rules = rcu_dereference_protected(d->rules, lockdep_is_held(d->lock));
	if (nla_put_string(msg, SOFTWIRE_A_NAME, bt->name) ||
	    nla_put_u32(msg, SOFTWIRE_A_N_SOFTWIRES, softwire_table_n_softwires(d)) ||
	    nla_put_u32(msg, SOFTWIRE_A_N_ADDRESSES, softwire_table_n_addrs(d)) ||
	    nla_put_u32(msg, SOFTWIRE_A_N_RULES, rules ? rules->n : 0) ||
	    nla_put_u32(msg, SOFTWIRE_A_REFS, atomic_read(&bt->users)) ||
	    nla_put_u64_64bit(msg, SOFTWIRE_A_MEMORY, softwire_table_memory(bt),
			      SOFTWIRE_A_PAD) ||
	    nla_put_u32(msg, SOFTWIRE_A_XLAT_GEN, d->xlat_gen) ||
	    (x && softwire_put_xlat(msg, x)))
		goto cancel;
	for (i = 0; i < d->n_aftr; i++)
		if (nla_put_in6_addr(msg, SOFTWIRE_A_AFTR, &d->aftr[i]))
			goto cancel;
	for (i = 0; rules && i < rules->n; i++)
		if (softwire_put_rule(msg, &rules->r[i]))
			goto cancel;
	stats = nla_nest_start(msg, SOFTWIRE_A_STATS);
	if (!stats)
		goto cancel;
	for (i = 0; i < __SOFTWIRE_TABLE_STAT_MAX; i++) {
		u64 sum = 0;

		for_each_possible_cpu(cpu)
			sum += per_cpu_ptr(bt->stats, cpu)[i];
		if (nla_put_u64_64bit(msg, i + 1, sum, SOFTWIRE_A_PAD))
			goto cancel;
	}
	nla_nest_end(msg, stats);
	genlmsg_end(msg, hdr);
	return 0;
cancel:
	genlmsg_cancel(msg, hdr);
	return -EMSGSIZE;
}

static int softwire_table_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct softwire_table_net *bn = softwire_bn_info(info);
	struct softwire_table *bt;
	struct sk_buff *msg;
	int err;

	mutex_lock(&bn->lock);
	bt = softwire_from_info(bn, info, SOFTWIRE_A_NAME);
	if (IS_ERR(bt)) {
		mutex_unlock(&bn->lock);
		return PTR_ERR(bt);
	}
	/* Sized under the mutex: the table cannot grow meanwhile. */
	msg = nlmsg_new(softwire_table_msg_size(bt), GFP_KERNEL);
	err = !msg ? -ENOMEM :
	      softwire_put_table(msg, bt, info->snd_portid, info->snd_seq, 0);
	mutex_unlock(&bn->lock);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

/*
 * A dump of every table, one message each: every part's buffer is made
 * big enough for the biggest table (a socket that has received little
 * gets NLMSG_GOODSIZE, which a table of many rules outgrows, and a table
 * that fits no part would end the dump silently, the rest untold).
 */
static int softwire_table_get_start(struct netlink_callback *cb)
{
	cb->min_dump_alloc = softwire_table_msg_room(SOFTWIRE_MAX_RULES);
	return 0;
}

static int softwire_table_get_dumpit(struct sk_buff *skb,
				     struct netlink_callback *cb)
{
	struct softwire_table_net *bn = softwire_table_net(sock_net(skb->sk));
	struct softwire_table *bt;
	long i = 0, skip = cb->args[0];
	int err = 0;

	mutex_lock(&bn->lock);
	list_for_each_entry(bt, &bn->tables, list) {
		if (i++ < skip)
			continue;
		if (softwire_put_table(skb, bt, NETLINK_CB(cb->skb).portid,
				       cb->nlh->nlmsg_seq, NLM_F_MULTI)) {
			/* Not even alone in a part: say so, do not skip it. */
			if (!skb->len)
				err = -EMSGSIZE;
			i--;
			break;
		}
	}
	mutex_unlock(&bn->lock);
	cb->args[0] = i;
	return err ?: skb->len;
}

/*
 * Dumping softwires or EAMs: the walk keeps a reference to the contents it
 * walks, so a swap or a table deletion between two parts of the dump is
 * safe. A change to the contents between two parts (the slots may have
 * moved, the EAMs be others) marks the messages NLM_F_DUMP_INTR. cb->args:
 * the contents, the next slot or EAM. Contents are only ever in tables of
 * the namespace they were made in, the dumping socket's, whose mutex each
 * part holds.
 */
static int softwire_data_dump_start(struct netlink_callback *cb)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
	struct nlattr *name = genl_info_dump(cb)->attrs[SOFTWIRE_A_NAME];
#else
	struct nlattr *name = genl_dumpit_info(cb)->attrs[SOFTWIRE_A_NAME];
#endif
	struct softwire_table_net *bn = softwire_table_net(sock_net(cb->skb->sk));
	struct softwire_table_data *d = NULL;
	struct softwire_table *bt;

	if (!name) {
		NL_SET_ERR_MSG(cb->extack, "which table?");
		return -EINVAL;
	}
	mutex_lock(&bn->lock);
	bt = softwire_table_find_name(bn, nla_data(name));
	if (bt) {
		d = softwire_table_data_locked(bt);
		softwire_table_data_hold(d);
	}
	mutex_unlock(&bn->lock);
	if (!d) {
		NL_SET_ERR_MSG(cb->extack, "no such table");
		return -ENOENT;
	}
	cb->args[0] = (long)d;
	cb->args[1] = 0;
	return 0;
}

static int softwire_data_dump_done(struct netlink_callback *cb)
{
	softwire_table_data_put((struct softwire_table_data *)cb->args[0]);
	return 0;
}

static int softwire_put_sw(struct sk_buff *msg, struct netlink_callback *cb,
			   const struct softwire_table_data *d,
			   const struct softwire_table_sw *sw)
{
	struct nlattr *nest;
	void *hdr;

	hdr = genlmsg_put(msg, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &softwire_genl_family, NLM_F_MULTI, SOFTWIRE_CMD_SW_GET);
	if (!hdr)
		return -EMSGSIZE;
	genl_dump_check_consistent(cb, hdr);
	nest = nla_nest_start(msg, SOFTWIRE_A_SOFTWIRE);
	if (!nest ||
	    nla_put_be32(msg, SOFTWIRE_SW_A_IPV4, sw->addr) ||
	    nla_put_u16(msg, SOFTWIRE_SW_A_PSID, sw->psid) ||
	    nla_put_u8(msg, SOFTWIRE_SW_A_PSID_LEN, sw->psid_len) ||
	    nla_put_u8(msg, SOFTWIRE_SW_A_PSID_OFFSET, sw->psid_offset) ||
	    nla_put_in6_addr(msg, SOFTWIRE_SW_A_B4, &sw->b4) ||
	    (sw->aftr && nla_put_in6_addr(msg, SOFTWIRE_SW_A_AFTR,
					  &d->aftr[sw->aftr]))) {
		genlmsg_cancel(msg, hdr);
		return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	return 0;
}

static int softwire_sw_get_dumpit(struct sk_buff *skb,
				  struct netlink_callback *cb)
{
	struct softwire_table_net *bn = softwire_table_net(sock_net(skb->sk));
	struct softwire_table_data *d = (void *)cb->args[0];
	struct softwire_table_sw sw;
	unsigned long i;
	u32 n;

	/* Changes are made under the namespace's mutex: none during this part. */
	mutex_lock(&bn->lock);
	cb->seq = d->gen + 1;
	n = softwire_table_n_slots(d);
	for (i = cb->args[1]; i < n; i++) {
		if (!(i % SOFTWIRE_RESCHED_SLOTS))
			cond_resched();
		if (!softwire_table_slot(d, i, &sw))
			continue;
		if (softwire_put_sw(skb, cb, d, &sw))
			break;
	}
	mutex_unlock(&bn->lock);
	cb->args[1] = i;
	return skb->len;
}

static int softwire_put_eam(struct sk_buff *msg, const struct xlat_eam *e)
{
	struct nlattr *nest = nla_nest_start(msg, SOFTWIRE_XLAT_A_EAM);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_be32(msg, SOFTWIRE_EAM_A_IPV4, htonl(e->ip4)) ||
	    nla_put_u8(msg, SOFTWIRE_EAM_A_IPV4_LEN, e->ip4_len) ||
	    nla_put(msg, SOFTWIRE_EAM_A_IPV6, 16, e->ip6) ||
	    nla_put_u8(msg, SOFTWIRE_EAM_A_IPV6_LEN, e->ip6_len)) {
		nla_nest_cancel(msg, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	return 0;
}

/*
 * One EAM_GET message: the EAMs of x from first on, as many as fit and at
 * most SOFTWIRE_EAMS_PER_MSG; how many (0: none fit).
 */
static unsigned int softwire_put_eams(struct sk_buff *msg,
				      struct netlink_callback *cb,
				      const struct softwire_table_data *d,
				      const struct softwire_table_xlat *x,
				      unsigned int first)
{
	unsigned int i, end = min(x->n_eam, first + SOFTWIRE_EAMS_PER_MSG);
	struct nlattr *nest, *eams;
	void *hdr;

	hdr = genlmsg_put(msg, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &softwire_genl_family, NLM_F_MULTI, SOFTWIRE_CMD_EAM_GET);
	if (!hdr)
		return 0;
	genl_dump_check_consistent(cb, hdr);
	if (nla_put_u32(msg, SOFTWIRE_A_XLAT_GEN, d->xlat_gen))
		goto cancel;
	nest = nla_nest_start(msg, SOFTWIRE_A_XLAT);
	eams = nest ? nla_nest_start(msg, SOFTWIRE_XLAT_A_EAMS) : NULL;
	if (!eams)
		goto cancel;
	for (i = first; i < end; i++)
		if (softwire_put_eam(msg, &x->eam[i]))
			break;
	if (i == first)
		goto cancel;
	nla_nest_end(msg, eams);
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	return i - first;
cancel:
	genlmsg_cancel(msg, hdr);
	return 0;
}

static int softwire_eam_get_dumpit(struct sk_buff *skb,
				   struct netlink_callback *cb)
{
	struct softwire_table_net *bn = softwire_table_net(sock_net(skb->sk));
	struct softwire_table_data *d = (void *)cb->args[0];
	const struct softwire_table_xlat *x;
	unsigned long i = cb->args[1];
	unsigned int n;

	mutex_lock(&bn->lock);
	x = softwire_table_xlat_locked(d);
	cb->seq = d->xlat_gen + 1;
	while (x && i < x->n_eam) {
		n = softwire_put_eams(skb, cb, d, x, i);
		if (!n)
			break;
		i += n;
	}
	mutex_unlock(&bn->lock);
	cb->args[1] = i;
	return skb->len;
}

static const struct genl_ops softwire_genl_ops[] = {
	{ .cmd = SOFTWIRE_CMD_TABLE_NEW,  .doit = softwire_table_new_doit,
	  .flags = GENL_UNS_ADMIN_PERM },
	{ .cmd = SOFTWIRE_CMD_TABLE_DEL,  .doit = softwire_table_del_doit,
	  .flags = GENL_UNS_ADMIN_PERM },
	{ .cmd = SOFTWIRE_CMD_TABLE_GET,  .doit = softwire_table_get_doit,
	  .start = softwire_table_get_start,
	  .dumpit = softwire_table_get_dumpit, .flags = GENL_UNS_ADMIN_PERM },
	{ .cmd = SOFTWIRE_CMD_TABLE_SWAP, .doit = softwire_table_swap_doit,
	  .flags = GENL_UNS_ADMIN_PERM },
	{ .cmd = SOFTWIRE_CMD_SW_ADD,     .doit = softwire_sw_change_doit,
	  .flags = GENL_UNS_ADMIN_PERM },
	{ .cmd = SOFTWIRE_CMD_SW_DEL,     .doit = softwire_sw_change_doit,
	  .flags = GENL_UNS_ADMIN_PERM },
	{ .cmd = SOFTWIRE_CMD_SW_GET,     .start = softwire_data_dump_start,
	  .dumpit = softwire_sw_get_dumpit, .done = softwire_data_dump_done,
	  .flags = GENL_UNS_ADMIN_PERM },
	{ .cmd = SOFTWIRE_CMD_RULE_ADD,   .doit = softwire_rule_change_doit,
	  .flags = GENL_UNS_ADMIN_PERM },
	{ .cmd = SOFTWIRE_CMD_RULE_DEL,   .doit = softwire_rule_change_doit,
	  .flags = GENL_UNS_ADMIN_PERM },
	{ .cmd = SOFTWIRE_CMD_AFTR_ADD,   .doit = softwire_aftr_add_doit,
	  .flags = GENL_UNS_ADMIN_PERM },
	{ .cmd = SOFTWIRE_CMD_XLAT_SET,   .doit = softwire_xlat_set_doit,
	  .flags = GENL_UNS_ADMIN_PERM },
	{ .cmd = SOFTWIRE_CMD_EAM_GET,    .start = softwire_data_dump_start,
	  .dumpit = softwire_eam_get_dumpit, .done = softwire_data_dump_done,
	  .flags = GENL_UNS_ADMIN_PERM },
};

static struct genl_family softwire_genl_family __ro_after_init = {
	.name		= SOFTWIRE_GENL_NAME,
	.version	= SOFTWIRE_GENL_VERSION,
	.maxattr	= SOFTWIRE_A_MAX,
	.policy		= softwire_policy,
	.netnsok	= true,
	.module		= THIS_MODULE,
	.ops		= softwire_genl_ops,
	.n_ops		= ARRAY_SIZE(softwire_genl_ops),
	/* Strict validation of every command (resv_start_op 0), and no
	 * genl_mutex: the namespace's mutex serializes our changes.
	 */
	.parallel_ops	= true,
};

/* softwirectl loads the module by the family's name. */
MODULE_ALIAS_GENL_FAMILY(SOFTWIRE_GENL_NAME);

int softwire_genl_init(void)
{
	return genl_register_family(&softwire_genl_family);
}

void softwire_genl_exit(void)
{
	genl_unregister_family(&softwire_genl_family);
}
