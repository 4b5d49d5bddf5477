// SPDX-License-Identifier: GPL-2.0
/*
 * ip6tables extension for the MAP66 target: stateless, checksum-neutral
 * IPv6 prefix mapping (NPTv6, RFC 6296). See libxt_MAP66.man.
 */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <xtables.h>

#include "prefix_parse.h"
#include "xt_MAP66.h"

enum {
	O_TO = 0,
	O_SRC_TO,
	O_DST_TO,
	O_NOCHECK,
	O_KEEP_HOST,
	F_TO = 1 << O_TO,
	F_SRC_TO = 1 << O_SRC_TO,
	F_DST_TO = 1 << O_DST_TO,
	F_ANY_TO = F_TO | F_SRC_TO | F_DST_TO,
};

static const struct xt_option_entry map66_tg_opts[] = {
	{.name = "to", .id = O_TO, .type = XTTYPE_STRING,
	 .excl = F_SRC_TO | F_DST_TO},
	{.name = "src-to", .id = O_SRC_TO, .type = XTTYPE_STRING,
	 .excl = F_TO | F_DST_TO},
	{.name = "dst-to", .id = O_DST_TO, .type = XTTYPE_STRING,
	 .excl = F_TO | F_SRC_TO},
	{.name = "nocheck", .id = O_NOCHECK, .type = XTTYPE_NONE},
	{.name = "keep-host", .id = O_KEEP_HOST, .type = XTTYPE_NONE},
	XTOPT_TABLEEND,
};

static void map66_tg_help(void)
{
	printf(
"MAP66 target options (stateless IPv6 prefix mapping, RFC 6296):\n"
"  --to PREFIX/LEN      map to PREFIX: the source address in OUTPUT and\n"
"                       POSTROUTING, the destination in PREROUTING and INPUT\n"
"  --src-to PREFIX/LEN  map the source address (any chain)\n"
"  --dst-to PREFIX/LEN  map the destination address (any chain)\n"
"  --nocheck            map even addresses assigned to the in/out interface\n"
"  --keep-host          keep the host part unchanged and update the\n"
"                       transport checksum instead\n"
"The mangle and raw tables only. Example (draft-mrw-behave-nat66-02):\n"
"  ip6tables -t mangle -I POSTROUTING -o eth0 -s FD01:0203:0405::/48 \\\n"
"            -j MAP66 --to 2001:0DB8:0001::/48\n"
"  ip6tables -t mangle -I PREROUTING -i eth0 -d 2001:0DB8:0001::/48 \\\n"
"            -j MAP66 --to FD01:0203:0405::/48\n");
}

static void map66_parse_prefix(const char *opt, const char *arg,
			       struct xt_map66_tginfo *info)
{
	unsigned int len = 0, min = 1, max = 128;
	const char *len_str;
	enum prefix_error e;

#ifdef MAP66_UNCHECKED
	/* A build for the tests only: let bad prefixes reach the kernel. */
	min = 0;
	max = 255;
#endif
	e = prefix_parse(arg, AF_INET6, &info->prefix.in6, &len, min, max,
			 &len_str);
	if (e == PREFIX_NO_SLASH)
		xtables_error(PARAMETER_PROBLEM,
			      "MAP66: --%s \"%s\": write a prefix as ADDRESS/LENGTH, e.g. 2001:db8:1::/48",
			      opt, arg);
	if (e == PREFIX_BAD_ADDRESS)
		xtables_error(PARAMETER_PROBLEM,
			      "MAP66: --%s \"%s\": \"%.*s\" is not an IPv6 address",
			      opt, arg, (int)(len_str - arg - 1), arg);
	if (e == PREFIX_BAD_LENGTH)
		xtables_error(PARAMETER_PROBLEM,
			      "MAP66: --%s \"%s\": the prefix length must be 1 to 128",
			      opt, arg);
	info->prefix_len = len;
#ifdef MAP66_UNCHECKED
	return;
#endif
	if (e == PREFIX_HOST_BITS) {
		struct in6_addr pfx = info->prefix.in6;
		char want[INET6_ADDRSTRLEN];

		prefix_mask(&pfx, AF_INET6, len);
		inet_ntop(AF_INET6, &pfx, want, sizeof(want));
		xtables_error(PARAMETER_PROBLEM,
			      "MAP66: --%s \"%s\" has bits set after the first %u; did you mean %s/%u?",
			      opt, arg, len, want, len);
	}
}

static void map66_tg_parse(struct xt_option_call *cb)
{
	struct xt_map66_tginfo *info = cb->data;

	xtables_option_parse(cb);
	switch (cb->entry->id) {
	case O_TO:
		info->mode = XT_MAP66_MODE_CHAIN;
		map66_parse_prefix(cb->entry->name, cb->arg, info);
		break;
	case O_SRC_TO:
		info->mode = XT_MAP66_MODE_SRC;
		map66_parse_prefix(cb->entry->name, cb->arg, info);
		break;
	case O_DST_TO:
		info->mode = XT_MAP66_MODE_DST;
		map66_parse_prefix(cb->entry->name, cb->arg, info);
		break;
	case O_NOCHECK:
		info->flags |= XT_MAP66_NOCHECK;
		break;
	case O_KEEP_HOST:
		info->flags |= XT_MAP66_KEEP_HOST;
		break;
	}
}

static void map66_tg_check(struct xt_fcheck_call *cb)
{
	if (!(cb->xflags & F_ANY_TO))
		xtables_error(PARAMETER_PROBLEM,
			      "MAP66: say where to map: --to, --src-to or --dst-to PREFIX/LEN");
}

static const char *const map66_mode_names[] = {
	[XT_MAP66_MODE_CHAIN] = "to",
	[XT_MAP66_MODE_SRC] = "src-to",
	[XT_MAP66_MODE_DST] = "dst-to",
};

/* print and save say the same words; save puts "--" before each option. */
static void map66_tg_show(const struct xt_map66_tginfo *info, const char *dash)
{
	char addr[INET6_ADDRSTRLEN];
	const char *mode = info->mode < 3 ? map66_mode_names[info->mode] : "?";

	inet_ntop(AF_INET6, &info->prefix.in6, addr, sizeof(addr));
	printf(" %s%s %s/%u", dash, mode, addr, info->prefix_len);
	if (info->flags & XT_MAP66_NOCHECK)
		printf(" %snocheck", dash);
	if (info->flags & XT_MAP66_KEEP_HOST)
		printf(" %skeep-host", dash);
}

static void map66_tg_print(const void *ip, const struct xt_entry_target *target,
			   int numeric)
{
	map66_tg_show((const void *)target->data, "");
}

static void map66_tg_save(const void *ip, const struct xt_entry_target *target)
{
	map66_tg_show((const void *)target->data, "--");
}

static struct xtables_target map66_tg_reg = {
	.family		= NFPROTO_IPV6,
	.name		= "MAP66",
	.version	= XTABLES_VERSION,
	.revision	= 0,
	.size		= XT_ALIGN(sizeof(struct xt_map66_tginfo)),
	.userspacesize	= offsetof(struct xt_map66_tginfo, map),
	.help		= map66_tg_help,
	.print		= map66_tg_print,
	.save		= map66_tg_save,
	.x6_parse	= map66_tg_parse,
	.x6_fcheck	= map66_tg_check,
	.x6_options	= map66_tg_opts,
};

static void __attribute__((constructor)) map66_tg_ldr(void)
{
	xtables_register_target(&map66_tg_reg);
}
