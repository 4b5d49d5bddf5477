// SPDX-License-Identifier: GPL-2.0
/*
 * iptables/ip6tables extension for the LW4O6 target: stateless
 * IPv4-in-IPv6 softwires (lw4o6, DS-Lite, MAP-E). A B4/CE has one iptables
 * rule, which encapsulates (after SNAT) and decapsulates; an AFTR/BR has an
 * iptables rule (encapsulate) and an ip6tables rule (decapsulate).
 * See libxt_LW4O6.man.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xtables.h>

#include "prefix_parse.h"
#include "psid_core.h"
#include "softwire_xt.h"
#include "xt_LW4O6.h"

enum {
	O_B4 = 0,
	O_AFTR,
	O_PSID,
	O_PSID_OFFSET,
	O_HOP_LIMIT,
	O_TABLE,
	O_ICMP,
	O_TCLASS,
	O_FLOWLABEL,
	O_EU_PREFIX,
	O_NO_HAIRPIN,
	O_DROP_ICMP,
	O_NO_ICMP_ERRORS,
	O_IPV4,
};

#define B4_MODE (1 << O_B4 | 1 << O_AFTR | 1 << O_PSID | 1 << O_PSID_OFFSET | \
		 1 << O_IPV4)
#define CE_OPT \
	{.name = "end-user-prefix", .id = O_EU_PREFIX, .type = XTTYPE_STRING, \
	 .excl = B4_MODE | 1 << O_ICMP}

/* What the IPv6 header of an encapsulated packet carries. */
#define OUTER_HEADER_OPTS \
	{.name = "hop-limit", .id = O_HOP_LIMIT, .type = XTTYPE_UINT8, \
	 .min = 1, .max = 255, .flags = XTOPT_PUT, \
	 XTOPT_POINTER(struct xt_lw4o6_tginfo, hop_limit)}, \
	{.name = "tclass", .id = O_TCLASS, .type = XTTYPE_UINT8, \
	 .flags = XTOPT_PUT, XTOPT_POINTER(struct xt_lw4o6_tginfo, tclass)}, \
	{.name = "flowlabel", .id = O_FLOWLABEL, .type = XTTYPE_UINT32, \
	 .max = 0xfffff, .flags = XTOPT_PUT, \
	 XTOPT_POINTER(struct xt_lw4o6_tginfo, flowlabel)}

#define TABLE_OPTS \
	{.name = "binding-table", .id = O_TABLE, .type = XTTYPE_STRING, \
	 .min = 1, .max = XT_LW4O6_TABLE_LEN - 1, \
	 .flags = XTOPT_PUT, XTOPT_POINTER(struct xt_lw4o6_tginfo, table)}, \
	{.name = "icmp", .id = O_ICMP, .type = XTTYPE_NONE, \
	 .excl = B4_MODE | 1 << O_NO_ICMP_ERRORS}, \
	{.name = "no-icmp-errors", .id = O_NO_ICMP_ERRORS, .type = XTTYPE_NONE, \
	 .excl = B4_MODE | 1 << O_ICMP | 1 << O_EU_PREFIX, .also = 1 << O_TABLE}

/* The B4/CE's softwire: its two ends, the port set it accepts. */
#define B4_OPTS \
	{.name = "b4", .id = O_B4, .type = XTTYPE_STRING, .excl = 1 << O_ICMP | 1 << O_EU_PREFIX}, \
	{.name = "aftr", .id = O_AFTR, .type = XTTYPE_STRING, .excl = 1 << O_ICMP | 1 << O_EU_PREFIX}, \
	{.name = "psid", .id = O_PSID, .type = XTTYPE_STRING, .excl = 1 << O_ICMP | 1 << O_EU_PREFIX}, \
	{.name = "b4-ipv4", .id = O_IPV4, .type = XTTYPE_STRING, .excl = 1 << O_ICMP | 1 << O_EU_PREFIX, \
	 .also = 1 << O_B4}, \
	{.name = "psid-offset", .id = O_PSID_OFFSET, .type = XTTYPE_UINT8, \
	 .min = 0, .max = 16, .flags = XTOPT_PUT, .excl = 1 << O_ICMP | 1 << O_EU_PREFIX, \
	 XTOPT_POINTER(struct xt_lw4o6_tginfo, psid_offset)}

/* iptables: a B4/CE (both ways), or an AFTR/BR encapsulating. */
static const struct xt_option_entry lw4o6_encap_opts[] = {
	B4_OPTS,
	TABLE_OPTS,
	{.name = "drop-icmp", .id = O_DROP_ICMP, .type = XTTYPE_NONE,
	 .excl = B4_MODE | 1 << O_EU_PREFIX, .also = 1 << O_TABLE},
	CE_OPT,
	OUTER_HEADER_OPTS,
	XTOPT_TABLEEND,
};

/*
 * ip6tables: an AFTR/BR decapsulating. The B4/CE options are known only to
 * say where they belong (lw4o6_tg6_check).
 */
static const struct xt_option_entry lw4o6_decap_opts[] = {
	B4_OPTS,
	TABLE_OPTS,
	{.name = "no-hairpin", .id = O_NO_HAIRPIN, .type = XTTYPE_NONE,
	 .excl = B4_MODE | 1 << O_EU_PREFIX, .also = 1 << O_TABLE},
	CE_OPT,
	OUTER_HEADER_OPTS,	/* for hairpinned packets */
	XTOPT_TABLEEND,
};

static void lw4o6_tg_help(void)
{
	printf(
"LW4O6 target options (IPv4-in-IPv6 softwires, RFC 7596/7597/6333):\n"
"B4/CE side (iptables, mangle POSTROUTING; encapsulates and decapsulates):\n"
"  --b4 ADDRESS         this B4's IPv6 address (the softwire's end here; an\n"
"                       address of this box)\n"
"  --aftr ADDRESS       the AFTR's IPv6 address\n"
"  --b4-ipv4 ADDRESS    this B4's IPv4 address (lw4o6): only packets from it\n"
"                       are encapsulated, others dropped and counted\n"
"  --psid PSID/LEN      this B4's port set (lw4o6): only packets from its ports\n"
"                       are encapsulated, only packets to them decapsulated\n"
"  --psid-offset N      PSID offset a, 0 to 16 (default 6, RFC 7597 5.1)\n"
"                       (neither --b4-ipv4 nor --psid: a DS-Lite B4, any source)\n"
"AFTR/BR side:\n"
"  --binding-table NAME the binding table (softwirectl) of this namespace;\n"
"                       with --b4/--aftr: a MAP-E CE, the table's rules are\n"
"                       its FMRs (CE-to-CE traffic goes straight to the CE)\n"
"  --icmp               answer unbound IPv4 destinations (TCP, UDP) with ICMP\n"
"                       host unreachable, spoofed IPv6 sources with ICMPv6\n"
"                       source address failed policy (rate limited); an\n"
"                       unbound ICMP message is dropped silently\n"
"  --no-icmp-errors     send no ICMP error at all: TTL exceeded, fragmentation\n"
"                       needed and relayed ICMPv6 errors are dropped silently\n"
"  --drop-icmp          iptables: drop every ICMPv4 packet for the softwires\n"
"  --no-hairpin         ip6tables: hand packets from one softwire to another\n"
"                       to IPv4 routing instead of turning them around\n"
"MAP-E CE:\n"
"  --end-user-prefix P/L with --binding-table NAME: derive this CE's IPv6\n"
"                       address and port set from the table's first rule\n"
"                       (the BMR); its br-address is the BR; all its rules\n"
"                       are FMRs (see softwirectl derive)\n"
"The IPv6 header of encapsulated packets:\n"
"  --hop-limit N        hop limit (default 64)\n"
"  --tclass N           traffic class (default: the inner TOS)\n"
"  --flowlabel N        flow label (default: a hash of the inner flow)\n"
"A B4/CE has one iptables rule (mangle POSTROUTING): it encapsulates after\n"
"SNAT, and decapsulates what its AFTR sends to its address (the IPv6 stack's\n"
"IPv4-in-IPv6 handler, after ip6tables INPUT). An AFTR/BR encapsulates in\n"
"iptables (raw or mangle PREROUTING, FORWARD, OUTPUT) and decapsulates in\n"
"ip6tables (raw or mangle PREROUTING). Example, the B4 192.0.2.1, ports 4096-8191:\n"
"  iptables -t nat -A POSTROUTING -o wan -p tcp -j SNAT --to 192.0.2.1:4096-8191\n"
"  iptables -t mangle -A POSTROUTING -o wan -j LW4O6 \\\n"
"           --b4 2001:db8:b4::2 --aftr 2001:db8:b4::1 --b4-ipv4 192.0.2.1 \\\n"
"           --psid 1/4 --psid-offset 0\n"
"and its AFTR, with the binding table bt0:\n"
"  iptables -t raw -A PREROUTING -d 192.0.2.0/24 -j LW4O6 --binding-table bt0\n"
"  ip6tables -t raw -A PREROUTING -d 2001:db8:b4::1 -j LW4O6 --binding-table bt0\n");
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
	case O_IPV4:
		if (inet_pton(AF_INET, cb->arg, &info->ipv4) != 1)
			xtables_error(PARAMETER_PROBLEM,
				      "LW4O6: --b4-ipv4 \"%s\" is not an IPv4 address", cb->arg);
		if (!prefix_ip4_unicast(info->ipv4))
			xtables_error(PARAMETER_PROBLEM,
				      "LW4O6: --b4-ipv4 %s: a unicast address is needed", cb->arg);
		info->flags |= XT_LW4O6_IPV4;
		break;
	case O_ICMP:
		info->flags |= XT_LW4O6_ICMP;
		break;
	case O_NO_HAIRPIN:
		info->flags |= XT_LW4O6_NO_HAIRPIN;
		break;
	case O_DROP_ICMP:
		info->flags |= XT_LW4O6_DROP_ICMP;
		break;
	case O_NO_ICMP_ERRORS:
		info->flags |= XT_LW4O6_NO_ICMP_ERRORS;
		break;
	case O_EU_PREFIX:
		softwire_xt_eu_prefix("LW4O6", cb->arg, &info->eu_prefix.in6,
				      &len);
		info->eu_len = len;
		info->flags |= XT_LW4O6_EU_PREFIX;
		break;
	case O_TABLE:
		info->flags |= XT_LW4O6_TABLE;
		break;
	case O_TCLASS:
		info->flags |= XT_LW4O6_TCLASS;
		break;
	case O_FLOWLABEL:
		info->flags |= XT_LW4O6_FLOWLABEL;
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
	struct xt_lw4o6_tginfo *info = cb->data;
	const struct psid_set set = {
		.offset = info->psid_offset,
		.len = info->psid_len,
		.psid = info->psid,
	};

	if ((cb->xflags & (1 << O_EU_PREFIX)) && (cb->xflags & B4_MODE))
		xtables_error(PARAMETER_PROBLEM,
			      "LW4O6: --end-user-prefix derives the CE's address and port set: leave out --b4, --aftr, --b4-ipv4, --psid and --psid-offset");
	if ((cb->xflags & (1 << O_EU_PREFIX)) && !(cb->xflags & (1 << O_TABLE)))
		xtables_error(PARAMETER_PROBLEM,
			      "LW4O6: --end-user-prefix needs --binding-table (the BMR and the BR)");
	/* --binding-table with --b4/--aftr or --end-user-prefix: a MAP-E CE,
	 * meshing by FMR.
	 */
	if ((cb->xflags & (1 << O_TABLE)) &&
	    (cb->xflags & (1 << O_B4 | 1 << O_AFTR | 1 << O_EU_PREFIX))) {
		info->flags &= ~XT_LW4O6_TABLE;
		info->flags |= XT_LW4O6_MESH;
	}
	if (!(cb->xflags & (1 << O_TABLE | 1 << O_B4 | 1 << O_AFTR)))
		xtables_error(PARAMETER_PROBLEM,
			      "LW4O6: say --b4 and --aftr (B4/CE side) or --binding-table (AFTR/BR side)");
	if ((cb->xflags & (1 << O_B4 | 1 << O_AFTR)) &&
	    (cb->xflags & (1 << O_B4 | 1 << O_AFTR)) != (1 << O_B4 | 1 << O_AFTR))
		xtables_error(PARAMETER_PROBLEM,
			      "LW4O6: --b4 and --aftr go together");
	if ((info->flags & XT_LW4O6_PORT_SET) && !psid_set_valid(&set))
		xtables_error(PARAMETER_PROBLEM,
			      "LW4O6: PSID %u does not fit in %u bits, or offset %u + length %u exceeds 16",
			      info->psid, info->psid_len, info->psid_offset,
			      info->psid_len);
}

/* ip6tables: only an AFTR/BR rule. */
static void lw4o6_tg6_check(struct xt_fcheck_call *cb)
{
	if (cb->xflags & (B4_MODE | 1 << O_EU_PREFIX))
		xtables_error(PARAMETER_PROBLEM,
			      "LW4O6: a B4/CE has one rule, in iptables (mangle POSTROUTING): it decapsulates too; in ip6tables LW4O6 is an AFTR/BR's (--binding-table)");
	lw4o6_tg_check(cb);
}

/* print and save say the same words; save puts "--" before each option. */
static void lw4o6_tg_show(const struct xt_lw4o6_tginfo *info, const char *dash)
{
	char a[INET6_ADDRSTRLEN];

	if (info->flags & XT_LW4O6_EU_PREFIX) {
		printf(" %send-user-prefix %s/%u", dash,
		       inet_ntop(AF_INET6, &info->eu_prefix, a, sizeof(a)), info->eu_len);
		printf(" %sbinding-table %.*s", dash, (int)sizeof(info->table), info->table);
	} else if (info->flags & XT_LW4O6_TABLE) {
		printf(" %sbinding-table %.*s", dash, (int)sizeof(info->table), info->table);
		if (info->flags & XT_LW4O6_ICMP)
			printf(" %sicmp", dash);
		if (info->flags & XT_LW4O6_NO_ICMP_ERRORS)
			printf(" %sno-icmp-errors", dash);
		if (info->flags & XT_LW4O6_DROP_ICMP)
			printf(" %sdrop-icmp", dash);
		if (info->flags & XT_LW4O6_NO_HAIRPIN)
			printf(" %sno-hairpin", dash);
	} else {
		printf(" %sb4 %s", dash, inet_ntop(AF_INET6, &info->b4, a, sizeof(a)));
		printf(" %saftr %s", dash, inet_ntop(AF_INET6, &info->aftr, a, sizeof(a)));
		if (info->flags & XT_LW4O6_IPV4)
			printf(" %sb4-ipv4 %s", dash, inet_ntop(AF_INET, &info->ipv4, a, sizeof(a)));
		if (info->flags & XT_LW4O6_MESH)
			printf(" %sbinding-table %.*s", dash,
			       (int)sizeof(info->table), info->table);
	}
	if (info->flags & XT_LW4O6_PORT_SET)
		printf(" %spsid %u/%u", dash, info->psid, info->psid_len);
	if (info->psid_offset != 6 && !(info->flags & XT_LW4O6_TABLE))
		printf(" %spsid-offset %u", dash, info->psid_offset);
	if (info->hop_limit)
		printf(" %shop-limit %u", dash, info->hop_limit);
	if (info->flags & XT_LW4O6_TCLASS)
		printf(" %stclass %u", dash, info->tclass);
	if (info->flags & XT_LW4O6_FLOWLABEL)
		printf(" %sflowlabel %u", dash, info->flowlabel);
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

/* One target for both families; the constructor makes the IPv6 copy
 * with its own options and check.
 */
static struct xtables_target lw4o6_tg_reg[2] = {
	{
		.family		= NFPROTO_IPV4,
		.name		= "LW4O6",
		.version	= XTABLES_VERSION,
		.size		= XT_ALIGN(sizeof(struct xt_lw4o6_tginfo)),
		.userspacesize	= offsetof(struct xt_lw4o6_tginfo, bt),
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
	lw4o6_tg_reg[1].x6_fcheck = lw4o6_tg6_check;
	xtables_register_targets(lw4o6_tg_reg,
				 sizeof(lw4o6_tg_reg) / sizeof(lw4o6_tg_reg[0]));
}
