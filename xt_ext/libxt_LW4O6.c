// SPDX-License-Identifier: GPL-2.0
/*
 * iptables/ip6tables extension for the LW4O6 target: stateless
 * IPv4-in-IPv6 softwires (lw4o6, DS-Lite), B4 side. In iptables it
 * encapsulates (after SNAT), in ip6tables it decapsulates.
 * See libxt_LW4O6.man.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xtables.h>

#include "psid_core.h"
#include "xt_LW4O6.h"

enum {
	O_B4 = 0,
	O_AFTR,
	O_PSID,
	O_PSID_OFFSET,
	O_HOP_LIMIT,
};

/* iptables encapsulates: where to. */
static const struct xt_option_entry lw4o6_encap_opts[] = {
	{.name = "b4", .id = O_B4, .type = XTTYPE_STRING, .flags = XTOPT_MAND},
	{.name = "aftr", .id = O_AFTR, .type = XTTYPE_STRING, .flags = XTOPT_MAND},
	{.name = "hop-limit", .id = O_HOP_LIMIT, .type = XTTYPE_UINT8,
	 .min = 1, .max = 255, .flags = XTOPT_PUT,
	 XTOPT_POINTER(struct xt_lw4o6_tginfo, hop_limit)},
	XTOPT_TABLEEND,
};

/* ip6tables decapsulates: from whom, and for which ports. */
static const struct xt_option_entry lw4o6_decap_opts[] = {
	{.name = "b4", .id = O_B4, .type = XTTYPE_STRING, .flags = XTOPT_MAND},
	{.name = "aftr", .id = O_AFTR, .type = XTTYPE_STRING, .flags = XTOPT_MAND},
	{.name = "psid", .id = O_PSID, .type = XTTYPE_STRING},
	{.name = "psid-offset", .id = O_PSID_OFFSET, .type = XTTYPE_UINT8,
	 .min = 0, .max = 16, .flags = XTOPT_PUT,
	 XTOPT_POINTER(struct xt_lw4o6_tginfo, psid_offset)},
	XTOPT_TABLEEND,
};

static void lw4o6_tg_help(void)
{
	printf(
"LW4O6 target options (IPv4-in-IPv6 softwire, B4 side, RFC 7596/6333):\n"
"  --b4 ADDRESS         this B4's IPv6 address (the softwire's end here)\n"
"  --aftr ADDRESS       the AFTR's IPv6 address\n"
"  --hop-limit N        iptables: hop limit of the IPv6 header (default 64)\n"
"  --psid PSID/LEN      ip6tables: decapsulate only packets whose inner\n"
"                       destination port is in this port set (lw4o6)\n"
"  --psid-offset N      ip6tables: PSID offset a, 0 to 16 (default 6,\n"
"                       RFC 7597 section 5.1)\n"
"In iptables (mangle POSTROUTING) it encapsulates IPv4 packets to the AFTR,\n"
"after SNAT; in ip6tables (mangle or raw PREROUTING) it decapsulates packets\n"
"from the AFTR to the B4 address. Example, the B4 192.0.2.1, ports 4096-8191:\n"
"  iptables -t nat -A POSTROUTING -o wan -p tcp -j SNAT --to 192.0.2.1:4096-8191\n"
"  iptables -t mangle -A POSTROUTING -o wan -j LW4O6 \\\n"
"           --b4 2001:db8:b4::2 --aftr 2001:db8:b4::1\n"
"  ip6tables -t mangle -A PREROUTING -i wan -j LW4O6 \\\n"
"           --b4 2001:db8:b4::2 --aftr 2001:db8:b4::1 --psid 1/4 --psid-offset 0\n");
}

static void lw4o6_tg_init(struct xt_entry_target *t)
{
	struct xt_lw4o6_tginfo *info = (void *)t->data;

	info->psid_offset = 6;	/* RFC 7597 section 5.1 */
}

static void lw4o6_parse_addr(const char *opt, const char *arg,
			     union nf_inet_addr *a)
{
	if (inet_pton(AF_INET6, arg, &a->in6) != 1)
		xtables_error(PARAMETER_PROBLEM,
			      "LW4O6: --%s \"%s\" is not an IPv6 address", opt, arg);
	if (IN6_IS_ADDR_UNSPECIFIED(&a->in6) || IN6_IS_ADDR_MULTICAST(&a->in6))
		xtables_error(PARAMETER_PROBLEM,
			      "LW4O6: --%s %s: a unicast address is needed", opt, arg);
}

static void lw4o6_tg_parse(struct xt_option_call *cb)
{
	struct xt_lw4o6_tginfo *info = cb->data;
	unsigned int psid, len;
	char *end;

	xtables_option_parse(cb);
	switch (cb->entry->id) {
	case O_B4:
		lw4o6_parse_addr("b4", cb->arg, &info->b4);
		break;
	case O_AFTR:
		lw4o6_parse_addr("aftr", cb->arg, &info->aftr);
		break;
	case O_PSID:
		if (!xtables_strtoui(cb->arg, &end, &psid, 0, 0xffff) ||
		    *end != '/' || !xtables_strtoui(end + 1, &end, &len, 0, 16) ||
		    *end != '\0')
			xtables_error(PARAMETER_PROBLEM,
				      "LW4O6: --psid \"%s\": write PSID/LENGTH, e.g. 1/4",
				      cb->arg);
		info->psid = psid;
		info->psid_len = len;
		info->flags |= XT_LW4O6_PORT_SET;
		break;
	}
}

static void lw4o6_tg_check(struct xt_fcheck_call *cb)
{
	const struct xt_lw4o6_tginfo *info = cb->data;
	const struct psid_set set = {
		.offset = info->psid_offset,
		.len = info->psid_len,
		.psid = info->psid,
	};

	if ((info->flags & XT_LW4O6_PORT_SET) && !psid_set_valid(&set))
		xtables_error(PARAMETER_PROBLEM,
			      "LW4O6: PSID %u does not fit in %u bits, or offset %u + length %u exceeds 16",
			      info->psid, info->psid_len, info->psid_offset,
			      info->psid_len);
}

/* print and save say the same words; save puts "--" before each option. */
static void lw4o6_tg_show(const struct xt_lw4o6_tginfo *info, const char *dash)
{
	char a[INET6_ADDRSTRLEN];

	printf(" %sb4 %s", dash, inet_ntop(AF_INET6, &info->b4, a, sizeof(a)));
	printf(" %saftr %s", dash, inet_ntop(AF_INET6, &info->aftr, a, sizeof(a)));
	if (info->flags & XT_LW4O6_PORT_SET)
		printf(" %spsid %u/%u", dash, info->psid, info->psid_len);
	if (info->psid_offset != 6)
		printf(" %spsid-offset %u", dash, info->psid_offset);
	if (info->hop_limit)
		printf(" %shop-limit %u", dash, info->hop_limit);
}

static void lw4o6_tg_print(const void *ip, const struct xt_entry_target *target,
			   int numeric)
{
	lw4o6_tg_show((const void *)target->data, "");
}

static void lw4o6_tg_save(const void *ip, const struct xt_entry_target *target)
{
	lw4o6_tg_show((const void *)target->data, "--");
}

/* One target for both families: iptables encapsulates, ip6tables
 * decapsulates; the constructor makes the IPv6 copy with its own options.
 */
static struct xtables_target lw4o6_tg_reg[2] = {
	{
		.family		= NFPROTO_IPV4,
		.name		= "LW4O6",
		.version	= XTABLES_VERSION,
		.size		= XT_ALIGN(sizeof(struct xt_lw4o6_tginfo)),
		.userspacesize	= XT_ALIGN(sizeof(struct xt_lw4o6_tginfo)),
		.help		= lw4o6_tg_help,
		.init		= lw4o6_tg_init,
		.print		= lw4o6_tg_print,
		.save		= lw4o6_tg_save,
		.x6_parse	= lw4o6_tg_parse,
		.x6_fcheck	= lw4o6_tg_check,
		.x6_options	= lw4o6_encap_opts,
	},
};

static void __attribute__((constructor)) lw4o6_tg_ldr(void)
{
	lw4o6_tg_reg[1] = lw4o6_tg_reg[0];
	lw4o6_tg_reg[1].family = NFPROTO_IPV6;
	lw4o6_tg_reg[1].x6_options = lw4o6_decap_opts;
	xtables_register_targets(lw4o6_tg_reg,
				 sizeof(lw4o6_tg_reg) / sizeof(lw4o6_tg_reg[0]));
}
