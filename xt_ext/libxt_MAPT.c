// SPDX-License-Identifier: GPL-2.0
/*
 * iptables/ip6tables extension for the MAPT target: stateless IPv4/IPv6
 * translation (RFC 7915) as a MAP-T CE or BR (RFC 7599), a 464XLAT CLAT
 * (RFC 6877) or an SIIT with EAM (RFC 7757). The addresses are in the
 * binding table the rule names; the rule only says which table, and for a
 * CE its End-user prefix. Both families take the same options.
 * See libxt_MAPT.man.
 */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <xtables.h>

#include "softwire_xt.h"
#include "xt_MAPT.h"

enum {
	O_TABLE = 0,
	O_EU_PREFIX,
	O_REJECT_SPOOFED,
	F_TABLE = 1 << O_TABLE,
};

static const struct xt_option_entry mapt_tg_opts[] = {
	{.name = "binding-table", .id = O_TABLE, .type = XTTYPE_STRING},
	{.name = "end-user-prefix", .id = O_EU_PREFIX, .type = XTTYPE_STRING},
	{.name = "reject-spoofed", .id = O_REJECT_SPOOFED, .type = XTTYPE_NONE},
	XTOPT_TABLEEND,
};

static void mapt_tg_help(void)
{
	printf(
"MAPT target options (stateless IPv4/IPv6 translation, RFC 7915: MAP-T CE and\n"
"BR, RFC 7599; 464XLAT CLAT, RFC 6877; SIIT with EAM, RFC 7757):\n"
"  --binding-table NAME   the table (softwirectl) of this namespace with the\n"
"                         MAP rules, EAM entries and DMR (required)\n"
"  --end-user-prefix P/L  a MAP-T CE: this CE's End-user IPv6 prefix, length 1\n"
"                         to 64; the table's first rule is the BMR, from which\n"
"                         the CE's IPv4 address, port set and IPv6 address\n"
"                         derive; every rule is an FMR (see softwirectl derive)\n"
"  --reject-spoofed       answer an IPv6 packet whose source is not the address\n"
"                         its IPv4 source and port map to (RFC 7599 8.1) with\n"
"                         ICMPv6 source address failed policy (it is dropped\n"
"                         and counted in any case)\n"
"Without --end-user-prefix: a BR, a CLAT or an SIIT; each address maps by MAP\n"
"rule, EAM entry or DMR, in that order, or the packet is left alone.\n"
"Where: iptables raw PREROUTING (IPv4 in, translated before routing) or mangle\n"
"POSTROUTING (after SNAT: a CE, a CLAT that NATs its LAN); ip6tables raw\n"
"PREROUTING (IPv6 in). Example, the MAP-T CE 2001:db8:ce:11b::/64 whose table\n"
"ce holds the BMR and the DMR (192.0.2.8, ports 55296-57343):\n"
"  iptables -t nat -A POSTROUTING -o wan -j SNATPSID \\\n"
"           --end-user-prefix 2001:db8:ce:11b::/64 --binding-table ce\n"
"  iptables -t mangle -A POSTROUTING -o wan -j MAPT \\\n"
"           --binding-table ce --end-user-prefix 2001:db8:ce:11b::/64\n"
"  ip6tables -t raw -A PREROUTING -i wan -j MAPT \\\n"
"           --binding-table ce --end-user-prefix 2001:db8:ce:11b::/64\n"
"and its BR, with the same rule (an FMR) and DMR in the table br:\n"
"  iptables -t raw -A PREROUTING -d 192.0.2.0/24 -j MAPT --binding-table br\n"
"  ip6tables -t raw -A PREROUTING -d 64:ff9b::/96 -j MAPT \\\n"
"           --binding-table br --reject-spoofed\n");
}

static void mapt_tg_parse(struct xt_option_call *cb)
{
	struct xt_mapt_tginfo *info = cb->data;
	unsigned int len;

	xtables_option_parse(cb);
	switch (cb->entry->id) {
	case O_TABLE:
		softwire_xt_table_name("MAPT", cb->arg, info->table,
				       sizeof(info->table));
		break;
	case O_EU_PREFIX:
		softwire_xt_eu_prefix("MAPT", cb->arg, &info->eu_prefix.in6,
				      &len);
		info->eu_len = len;
		info->flags |= XT_MAPT_EU_PREFIX;
		break;
	case O_REJECT_SPOOFED:
		info->flags |= XT_MAPT_REJECT_SPOOFED;
		break;
	}
}

static void mapt_tg_check(struct xt_fcheck_call *cb)
{
	if (!(cb->xflags & F_TABLE))
		xtables_error(PARAMETER_PROBLEM,
			      "MAPT: say --binding-table NAME: the table with the MAP rules, EAM entries and DMR (softwirectl)");
}

/*
 * print and save say the same words in the same order; save puts "--"
 * before each option.
 */
static void mapt_tg_show(const struct xt_mapt_tginfo *info, const char *dash)
{
	char a[INET6_ADDRSTRLEN];

	printf(" %sbinding-table %.*s", dash, (int)sizeof(info->table),
	       info->table);
	if (info->flags & XT_MAPT_EU_PREFIX)
		printf(" %send-user-prefix %s/%u", dash,
		       inet_ntop(AF_INET6, &info->eu_prefix.in6, a, sizeof(a)),
		       info->eu_len);
	if (info->flags & XT_MAPT_REJECT_SPOOFED)
		printf(" %sreject-spoofed", dash);
}

static void mapt_tg_print(const void *ip, const struct xt_entry_target *target,
			  int numeric)
{
	mapt_tg_show((const void *)target->data, "");
}

static void mapt_tg_save(const void *ip, const struct xt_entry_target *target)
{
	mapt_tg_show((const void *)target->data, "--");
}

/* One target for both families, the same options; the constructor makes
 * the IPv6 copy.
 */
static struct xtables_target mapt_tg_reg[2] = {
	{
		.family		= NFPROTO_IPV4,
		.name		= "MAPT",
		.revision	= 0,
		.version	= XTABLES_VERSION,
		.size		= XT_ALIGN(sizeof(struct xt_mapt_tginfo)),
		.userspacesize	= offsetof(struct xt_mapt_tginfo, k_rule),
		.help		= mapt_tg_help,
		.print		= mapt_tg_print,
		.save		= mapt_tg_save,
		.x6_parse	= mapt_tg_parse,
		.x6_fcheck	= mapt_tg_check,
		.x6_options	= mapt_tg_opts,
	},
};

static void __attribute__((constructor)) mapt_tg_ldr(void)
{
	mapt_tg_reg[1] = mapt_tg_reg[0];
	mapt_tg_reg[1].family = NFPROTO_IPV6;
	xtables_register_targets(mapt_tg_reg,
				 sizeof(mapt_tg_reg) / sizeof(mapt_tg_reg[0]));
}
