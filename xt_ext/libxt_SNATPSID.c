// SPDX-License-Identifier: GPL-2.0
/*
 * iptables extension for the SNATPSID target: source NAT into a port set
 * (a PSID, RFC 7597 section 5.1), as a lw4o6 B4 (RFC 7596) or a MAP-E/MAP-T
 * CE owns one: the source port (or ICMP echo identifier) of each new
 * connection is chosen from the whole set, which iptables' SNAT, taking one
 * range, cannot do when the PSID offset is above 0. See libxt_SNATPSID.man.
 */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <xtables.h>

#include "psid_core.h"
#include "softwire_xt.h"
#include "xt_SNATPSID.h"

enum {
	O_TO = 0,
	O_PSID,
	O_PSID_OFFSET,
	O_EU_PREFIX,
	O_TABLE,
	O_DROP_PORTLESS,
	F_TO = 1 << O_TO,
	F_PSID = 1 << O_PSID,
	F_PSID_OFFSET = 1 << O_PSID_OFFSET,
	F_EU_PREFIX = 1 << O_EU_PREFIX,
	F_TABLE = 1 << O_TABLE,
	F_EXPLICIT = F_TO | F_PSID | F_PSID_OFFSET,
	F_DERIVED = F_EU_PREFIX | F_TABLE,
};

/*
 * The exclusions are also checked by snatpsid_tg_check, which runs first
 * and says why; these are for xtables' own check.
 */
static const struct xt_option_entry snatpsid_tg_opts[] = {
	{.name = "to", .id = O_TO, .type = XTTYPE_STRING, .excl = F_DERIVED},
	{.name = "psid", .id = O_PSID, .type = XTTYPE_STRING, .excl = F_DERIVED},
	{.name = "psid-offset", .id = O_PSID_OFFSET, .type = XTTYPE_UINT8,
	 .min = 0, .max = 16, .flags = XTOPT_PUT, .excl = F_DERIVED,
	 XTOPT_POINTER(struct xt_snatpsid_tginfo, psid_offset)},
	{.name = "end-user-prefix", .id = O_EU_PREFIX, .type = XTTYPE_STRING,
	 .excl = F_EXPLICIT},
	{.name = "binding-table", .id = O_TABLE, .type = XTTYPE_STRING,
	 .excl = F_EXPLICIT},
	{.name = "drop-portless", .id = O_DROP_PORTLESS, .type = XTTYPE_NONE},
	XTOPT_TABLEEND,
};

static void snatpsid_tg_help(void)
{
	printf(
"SNATPSID target options (source NAT into a port set, RFC 7597 5.1):\n"
"  --to ADDRESS         the IPv4 address to translate the source to (no port,\n"
"                       no range: the ports are the port set's)\n"
"  --psid PSID/LEN      the port set: PSID of LEN bits, LEN 0 to 16\n"
"  --psid-offset A      PSID offset, 0 to 16 (default 6, RFC 7597 5.1; 0 for\n"
"                       lw4o6 port ranges); offset + LEN at most 16\n"
"  --end-user-prefix P/L with --binding-table NAME: instead of --to, --psid\n"
"                       and --psid-offset, derive the address and port set\n"
"                       from this MAP-E CE's End-user IPv6 prefix and the\n"
"                       table's first rule, the BMR (as -j LW4O6\n"
"                       --end-user-prefix; see softwirectl derive)\n"
"  --drop-portless      drop new connections of protocols without ports\n"
"                       (default: translate their source address only)\n"
"The nat table, POSTROUTING. Each new TCP, UDP, UDP-Lite, SCTP or DCCP\n"
"connection gets a source port, each ping an ICMP echo identifier, chosen at\n"
"random over the whole port set (the original one if it is in the set and\n"
"free); when the set is used up for a destination, the connection is dropped.\n"
"Examples: the MAP-E CE of RFC 7597 Appendix A (ports 1232-1235, 2256-2259,\n"
"... 63 blocks of 4):\n"
"  iptables -t nat -A POSTROUTING -o wan -j SNATPSID \\\n"
"           --to 192.0.2.18 --psid 52/8 --psid-offset 6\n"
"the same, derived from its End-user prefix and the BMR in table fmr:\n"
"  iptables -t nat -A POSTROUTING -o wan -j SNATPSID \\\n"
"           --end-user-prefix 2001:db8:12:3400::/56 --binding-table fmr\n"
"a lw4o6 B4 with ports 4096-8191:\n"
"  iptables -t nat -A POSTROUTING -o wan -j SNATPSID \\\n"
"           --to 192.0.2.1 --psid 1/4 --psid-offset 0\n");
}

static void snatpsid_tg_init(struct xt_entry_target *t)
{
	struct xt_snatpsid_tginfo *info = (void *)t->data;

	info->psid_offset = 6;	/* RFC 7597 section 5.1 */
}

static void snatpsid_parse_to(const char *arg, struct xt_snatpsid_tginfo *info)
{
	struct in_addr a;
	uint32_t h;

	if (strchr(arg, ':'))
		xtables_error(PARAMETER_PROBLEM,
			      "SNATPSID: --to \"%s\": an address without port: the ports are the port set's (--psid)",
			      arg);
	if (strchr(arg, '-') || strchr(arg, '/'))
		xtables_error(PARAMETER_PROBLEM,
			      "SNATPSID: --to \"%s\": one address, not a range or prefix",
			      arg);
	if (inet_pton(AF_INET, arg, &a) != 1)
		xtables_error(PARAMETER_PROBLEM,
			      "SNATPSID: --to \"%s\" is not an IPv4 address", arg);
	h = ntohl(a.s_addr);
	if (h == 0 || h == 0xffffffff || (h >> 28) == 0xe)
		xtables_error(PARAMETER_PROBLEM,
			      "SNATPSID: --to %s: a unicast address is needed", arg);
	info->addr = a.s_addr;
}

/* PSID/LEN; the bounds are checked here, the offset in snatpsid_tg_check. */
static void snatpsid_parse_psid(const char *arg, struct xt_snatpsid_tginfo *info)
{
	unsigned int psid, len;
	char *end;

	if (!xtables_strtoui(arg, &end, &psid, 0, UINT32_MAX) || *end != '/' ||
	    !xtables_strtoui(end + 1, &end, &len, 0, UINT32_MAX) || *end != '\0')
		xtables_error(PARAMETER_PROBLEM,
			      "SNATPSID: --psid \"%s\": write PSID/LENGTH, e.g. 52/8",
			      arg);
	if (len > 16)
		xtables_error(PARAMETER_PROBLEM,
			      "SNATPSID: --psid %s: a PSID of %u bits is wider than the 16-bit port space",
			      arg, len);
	if (len < 16 && psid >> len)
		xtables_error(PARAMETER_PROBLEM,
			      "SNATPSID: --psid %s: PSID %u does not fit in %u bits (at most %u)",
			      arg, psid, len, (1u << len) - 1);
	if (psid > 0xffff)
		xtables_error(PARAMETER_PROBLEM,
			      "SNATPSID: --psid %s: PSID %u does not fit in 16 bits",
			      arg, psid);
	info->psid = psid;
	info->psid_len = len;
}

static void snatpsid_tg_parse(struct xt_option_call *cb)
{
	struct xt_snatpsid_tginfo *info = cb->data;
	unsigned int len;

	xtables_option_parse(cb);
	switch (cb->entry->id) {
	case O_TO:
		snatpsid_parse_to(cb->arg, info);
		break;
	case O_PSID:
		snatpsid_parse_psid(cb->arg, info);
		break;
	case O_EU_PREFIX:
		softwire_xt_eu_prefix("SNATPSID", cb->arg, &info->eu_prefix.in6,
				      &len);
		info->eu_len = len;
		info->flags |= XT_SNATPSID_EU_PREFIX;
		break;
	case O_TABLE:
		softwire_xt_table_name("SNATPSID", cb->arg, info->table,
				       sizeof(info->table));
		break;
	case O_DROP_PORTLESS:
		info->flags |= XT_SNATPSID_DROP_PORTLESS;
		break;
	}
}

static void snatpsid_tg_check(struct xt_fcheck_call *cb)
{
	struct xt_snatpsid_tginfo *info = cb->data;
	const struct psid_set set = {
		.offset = info->psid_offset,
		.len = info->psid_len,
		.psid = info->psid,
	};
	unsigned int usable;

	if ((cb->xflags & F_DERIVED) && (cb->xflags & F_EXPLICIT))
		xtables_error(PARAMETER_PROBLEM,
			      "SNATPSID: --end-user-prefix and --binding-table derive the address and port set: leave out --to, --psid and --psid-offset");
	if ((cb->xflags & F_EU_PREFIX) && !(cb->xflags & F_TABLE))
		xtables_error(PARAMETER_PROBLEM,
			      "SNATPSID: --end-user-prefix needs --binding-table (the table whose first rule is the BMR)");
	if ((cb->xflags & F_TABLE) && !(cb->xflags & F_EU_PREFIX))
		xtables_error(PARAMETER_PROBLEM,
			      "SNATPSID: --binding-table needs --end-user-prefix (this CE's End-user IPv6 prefix)");
	if (cb->xflags & F_DERIVED)
		return;
	if ((cb->xflags & (F_TO | F_PSID)) != (F_TO | F_PSID))
		xtables_error(PARAMETER_PROBLEM,
			      "SNATPSID: say --to ADDRESS and --psid PSID/LEN (or --end-user-prefix and --binding-table)");
	if (!psid_set_valid(&set))
		xtables_error(PARAMETER_PROBLEM,
			      "SNATPSID: --psid-offset %u%s + PSID length %u exceeds the 16 bits of a port",
			      info->psid_offset,
			      cb->xflags & F_PSID_OFFSET ? "" : " (the default)",
			      info->psid_len);
	/* Port 0 is in the set when a = 0 and PSID = 0; it is never chosen. */
	usable = psid_set_size(&set) - psid_port_in_set(&set, 0);
	if (!usable)
		xtables_error(PARAMETER_PROBLEM,
			      "SNATPSID: --psid %u/%u --psid-offset %u: the port set holds no usable port (only port 0)",
			      info->psid, info->psid_len, info->psid_offset);
}

/* print and save say the same words; save puts "--" before each option. */
static void snatpsid_tg_show(const struct xt_snatpsid_tginfo *info,
			     const char *dash)
{
	char a[INET6_ADDRSTRLEN];

	if (info->flags & XT_SNATPSID_EU_PREFIX) {
		printf(" %send-user-prefix %s/%u", dash,
		       inet_ntop(AF_INET6, &info->eu_prefix, a, sizeof(a)),
		       info->eu_len);
		printf(" %sbinding-table %.*s", dash, (int)sizeof(info->table),
		       info->table);
	} else {
		/* The offset always: its default (6) is not lw4o6's (0). */
		printf(" %sto %s %spsid %u/%u %spsid-offset %u", dash,
		       inet_ntop(AF_INET, &info->addr, a, sizeof(a)), dash,
		       info->psid, info->psid_len, dash, info->psid_offset);
	}
	if (info->flags & XT_SNATPSID_DROP_PORTLESS)
		printf(" %sdrop-portless", dash);
}

static void snatpsid_tg_print(const void *ip,
			      const struct xt_entry_target *target, int numeric)
{
	snatpsid_tg_show((const void *)target->data, "");
}

static void snatpsid_tg_save(const void *ip,
			     const struct xt_entry_target *target)
{
	snatpsid_tg_show((const void *)target->data, "--");
}

static struct xtables_target snatpsid_tg_reg = {
	.family		= NFPROTO_IPV4,
	.name		= "SNATPSID",
	.revision	= 0,
	.version	= XTABLES_VERSION,
	.size		= XT_ALIGN(sizeof(struct xt_snatpsid_tginfo)),
	.userspacesize	= offsetof(struct xt_snatpsid_tginfo, k_addr),
	.help		= snatpsid_tg_help,
	.init		= snatpsid_tg_init,
	.print		= snatpsid_tg_print,
	.save		= snatpsid_tg_save,
	.x6_parse	= snatpsid_tg_parse,
	.x6_fcheck	= snatpsid_tg_check,
	.x6_options	= snatpsid_tg_opts,
};

static void __attribute__((constructor)) snatpsid_tg_ldr(void)
{
	xtables_register_target(&snatpsid_tg_reg);
}
