// SPDX-License-Identifier: GPL-2.0
/*
 * softwirectl: the softwire tables of this network namespace (the LW4O6
 * AFTR/BR binding tables, MAP rules, the MAPT translator's lines), over
 * generic netlink with libmnl.
 * See softwirectl.8. This unit: the commands and main; table files are
 * read by file.c, requests sent by netlink.c.
 *
 *   softwirectl create bt0 br-address 2001:db8::1
 *   softwirectl load bt0 bindings.txt        # atomic replace
 *   softwirectl add bt0 softwire ipv4 192.0.2.1 psid 1/4 psid-offset 0 b4-ipv6 2001:db8:b4::2
 *   softwirectl add clat dmr 64:ff9b::/96    # a translator's table (MAPT)
 *   softwirectl list bt0                     # prints a file load reads back
 *   softwirectl show                         # sizes and counters
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <limits.h>
#include <linux/genetlink.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "softwirectl.h"

static bool quiet;
/* A temporary table to delete if the command fails half way. */
const char *cleanup_table;

void fail(const char *fmt, ...)
{
	const char *t = cleanup_table;
	va_list ap;

	read_fail_first();
	if (src_line)
		fprintf(stderr, "softwirectl: %s:%u: ", src_name, src_line);
	else
		fprintf(stderr, "softwirectl: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (t) {
		cleanup_table = NULL;
		table_del(t, true);
	}
	exit(1);
}

/* ---- printing ------------------------------------------------------------ */

static const char *ip6s(const void *a)
{
	static char buf[4][INET6_ADDRSTRLEN];
	static int i;

	i = (i + 1) % 4;
	return inet_ntop(AF_INET6, a, buf[i], sizeof(buf[i]));
}

/* mnl_attr_parse callbacks: each attribute by its type, checked. */
struct attr_valid {
	enum mnl_attr_data_type type;
	size_t len;		/* exact length, or 0: the type's */
};

struct attrs {
	const struct nlattr **tb;
	unsigned int max;
	const struct attr_valid *valid;
};

static int attrs_cb(const struct nlattr *a, void *data)
{
	const struct attrs *at = data;
	unsigned int type = mnl_attr_get_type(a);

	if (type > at->max)
		return MNL_CB_OK;
	if (at->valid[type].len ?
	    mnl_attr_validate2(a, at->valid[type].type, at->valid[type].len) < 0 :
	    mnl_attr_validate(a, at->valid[type].type) < 0)
		return MNL_CB_OK;	/* ignored, as an unknown attribute */
	at->tb[type] = a;
	return MNL_CB_OK;
}

static const struct attr_valid rule_valid[SOFTWIRE_RULE_A_MAX + 1] = {
	[SOFTWIRE_RULE_A_IPV6_PREFIX]	= { MNL_TYPE_BINARY, 16 },
	[SOFTWIRE_RULE_A_IPV6_LEN]	= { MNL_TYPE_U8 },
	[SOFTWIRE_RULE_A_IPV4_PREFIX]	= { MNL_TYPE_U32 },
	[SOFTWIRE_RULE_A_IPV4_LEN]	= { MNL_TYPE_U8 },
	[SOFTWIRE_RULE_A_EA_LEN]	= { MNL_TYPE_U8 },
	[SOFTWIRE_RULE_A_PSID_OFFSET]	= { MNL_TYPE_U8 },
};

static const struct attr_valid sw_valid[SOFTWIRE_SW_A_MAX + 1] = {
	[SOFTWIRE_SW_A_IPV4]		= { MNL_TYPE_U32 },
	[SOFTWIRE_SW_A_PSID]		= { MNL_TYPE_U16 },
	[SOFTWIRE_SW_A_PSID_LEN]	= { MNL_TYPE_U8 },
	[SOFTWIRE_SW_A_PSID_OFFSET]	= { MNL_TYPE_U8 },
	[SOFTWIRE_SW_A_B4]		= { MNL_TYPE_BINARY, 16 },
	[SOFTWIRE_SW_A_AFTR]		= { MNL_TYPE_BINARY, 16 },
};

static const struct attr_valid table_valid[SOFTWIRE_A_MAX + 1] = {
	[SOFTWIRE_A_NAME]		= { MNL_TYPE_NUL_STRING },
	[SOFTWIRE_A_AFTR]		= { MNL_TYPE_BINARY, 16 },
	[SOFTWIRE_A_SOFTWIRE]		= { MNL_TYPE_NESTED },
	[SOFTWIRE_A_RULE]		= { MNL_TYPE_NESTED },
	[SOFTWIRE_A_N_SOFTWIRES]	= { MNL_TYPE_U32 },
	[SOFTWIRE_A_N_ADDRESSES]	= { MNL_TYPE_U32 },
	[SOFTWIRE_A_N_RULES]		= { MNL_TYPE_U32 },
	[SOFTWIRE_A_REFS]		= { MNL_TYPE_U32 },
	[SOFTWIRE_A_STATS]		= { MNL_TYPE_NESTED },
	[SOFTWIRE_A_MEMORY]		= { MNL_TYPE_U64 },
	[SOFTWIRE_A_XLAT]		= { MNL_TYPE_NESTED },
	[SOFTWIRE_A_XLAT_GEN]		= { MNL_TYPE_U32 },
};

static uint32_t get_u32(const struct nlattr *a, uint32_t def)
{
	return a ? mnl_attr_get_u32(a) : def;
}

static uint8_t get_u8(const struct nlattr *a, uint8_t def)
{
	return a ? mnl_attr_get_u8(a) : def;
}

static void print_rule(const struct nlattr *nest)
{
	const struct nlattr *tb[SOFTWIRE_RULE_A_MAX + 1] = {};
	struct attrs at = { tb, SOFTWIRE_RULE_A_MAX, rule_valid };
	static const uint8_t zero[16];

	mnl_attr_parse_nested(nest, attrs_cb, &at);
	printf("rule ipv6-prefix %s/%u ipv4-prefix %s/%u ea-bits-length %u psid-offset %u\n",
	       ip6s(tb[SOFTWIRE_RULE_A_IPV6_PREFIX] ?
		    mnl_attr_get_payload(tb[SOFTWIRE_RULE_A_IPV6_PREFIX]) : zero),
	       get_u8(tb[SOFTWIRE_RULE_A_IPV6_LEN], 0),
	       inet_ntoa((struct in_addr){ get_u32(tb[SOFTWIRE_RULE_A_IPV4_PREFIX], 0) }),
	       get_u8(tb[SOFTWIRE_RULE_A_IPV4_LEN], 0),
	       get_u8(tb[SOFTWIRE_RULE_A_EA_LEN], 0),
	       get_u8(tb[SOFTWIRE_RULE_A_PSID_OFFSET], 6));
}

struct show_opts {
	bool list;	/* table file form, else a summary */
	/* One table's translator lines with every EAM (table_get), or NULL:
	 * those of the message (a dump of every table: no EAMs).
	 */
	const struct xlat_lines *xlat;
};

static const char *const stat_names[] = SOFTWIRE_TABLE_STAT_NAMES;

/* The counters: attribute type = index + 1. */
static int stats_cb(const struct nlattr *a, void *data)
{
	uint64_t *stats = data;
	unsigned int type = mnl_attr_get_type(a);

	if (type >= 1 && type <= __SOFTWIRE_TABLE_STAT_MAX &&
	    mnl_attr_validate(a, MNL_TYPE_U64) >= 0)
		stats[type - 1] = mnl_attr_get_u64(a);
	return MNL_CB_OK;
}

/* AFTR and RULE repeat: each printed in the order the kernel sent them. */
static int table_repeated_cb(const struct nlattr *a, void *data)
{
	const struct show_opts *o = data;
	static unsigned int nbr;

	if (!a) {		/* a new message */
		nbr = 0;
		return MNL_CB_OK;
	}
	if (mnl_attr_get_type(a) == SOFTWIRE_A_AFTR &&
	    mnl_attr_validate2(a, MNL_TYPE_BINARY, 16) >= 0) {
		if (o->list)
			printf("br-address %s\n", ip6s(mnl_attr_get_payload(a)));
		else
			printf("  br-address %s%s\n", ip6s(mnl_attr_get_payload(a)),
			       nbr++ ? "" : " (the table's own)");
	}
	if (o->list && mnl_attr_get_type(a) == SOFTWIRE_A_RULE &&
	    mnl_attr_validate(a, MNL_TYPE_NESTED) >= 0)
		print_rule(a);
	return MNL_CB_OK;
}

static int table_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[SOFTWIRE_A_MAX + 1] = {};
	struct attrs at = { tb, SOFTWIRE_A_MAX, table_valid };
	const struct show_opts *o = data;
	uint64_t mem, stats[__SOFTWIRE_TABLE_STAT_MAX] = {};
	uint32_t nsw, naddr, nrules, refs, n_eam = 0;
	struct xlat_lines own = {};
	const struct xlat_lines *xlat = o->xlat ? o->xlat : &own;
	const char *name;
	unsigned int i;

	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), attrs_cb, &at);
	name = tb[SOFTWIRE_A_NAME] ? mnl_attr_get_str(tb[SOFTWIRE_A_NAME]) : "?";
	nsw = get_u32(tb[SOFTWIRE_A_N_SOFTWIRES], 0);
	naddr = get_u32(tb[SOFTWIRE_A_N_ADDRESSES], 0);
	nrules = get_u32(tb[SOFTWIRE_A_N_RULES], 0);
	refs = get_u32(tb[SOFTWIRE_A_REFS], 0);
	mem = tb[SOFTWIRE_A_MEMORY] ? mnl_attr_get_u64(tb[SOFTWIRE_A_MEMORY]) : 0;
	if (tb[SOFTWIRE_A_STATS])
		mnl_attr_parse_nested(tb[SOFTWIRE_A_STATS], stats_cb, stats);
	if (tb[SOFTWIRE_A_XLAT])
		xlat_from_attr(tb[SOFTWIRE_A_XLAT], &own, &n_eam);
	table_repeated_cb(NULL, data);
	if (o->list) {
		printf("# binding table %s: %u softwires, %u rules, %u eams\n", name,
		       nsw, nrules, xlat->n_eam);
		mnl_attr_parse(nlh, sizeof(struct genlmsghdr), table_repeated_cb, data);
		print_xlat(xlat, "");
		xlat_free(&own);
		return MNL_CB_OK;
	}
	printf("table %s\n", name);
	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), table_repeated_cb, data);
	print_xlat(xlat, "  ");
	/* A dump of every table reports how many EAMs, not which. */
	if (n_eam > xlat->n_eam)
		printf("  eams %u (softwirectl show %s lists them)\n", n_eam, name);
	printf("  softwires %u on %u IPv4 addresses, rules %u, used by %u iptables rules\n",
	       nsw, naddr, nrules, refs);
	printf("  memory %llu bytes", (unsigned long long)mem);
	if (nsw)
		printf(" (%.1f bytes per softwire)", (double)mem / nsw);
	printf("\n");
	for (i = 0; i < __SOFTWIRE_TABLE_STAT_MAX; i++)
		printf("  %s %llu\n", stat_names[i], (unsigned long long)stats[i]);
	xlat_free(&own);
	return MNL_CB_OK;
}

static void print_sw(const struct nlattr *nest)
{
	const struct nlattr *tb[SOFTWIRE_SW_A_MAX + 1] = {};
	struct attrs at = { tb, SOFTWIRE_SW_A_MAX, sw_valid };
	static const uint8_t zero[16];
	uint8_t len;

	mnl_attr_parse_nested(nest, attrs_cb, &at);
	printf("softwire ipv4 %s",
	       inet_ntoa((struct in_addr){ get_u32(tb[SOFTWIRE_SW_A_IPV4], 0) }));
	len = get_u8(tb[SOFTWIRE_SW_A_PSID_LEN], 0);
	if (len)
		printf(" psid %u psid-length %u psid-offset %u",
		       tb[SOFTWIRE_SW_A_PSID] ? mnl_attr_get_u16(tb[SOFTWIRE_SW_A_PSID]) : 0,
		       len, get_u8(tb[SOFTWIRE_SW_A_PSID_OFFSET], 0));
	printf(" b4-ipv6 %s", ip6s(tb[SOFTWIRE_SW_A_B4] ?
				  mnl_attr_get_payload(tb[SOFTWIRE_SW_A_B4]) : zero));
	if (tb[SOFTWIRE_SW_A_AFTR])
		printf(" br-address %s", ip6s(mnl_attr_get_payload(tb[SOFTWIRE_SW_A_AFTR])));
	printf("\n");
}

static int sw_attr_cb(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == SOFTWIRE_A_SOFTWIRE &&
	    mnl_attr_validate(a, MNL_TYPE_NESTED) >= 0)
		print_sw(a);
	return MNL_CB_OK;
}

static int sw_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), sw_attr_cb, data);
}

static void show(const char *table, bool list)
{
	struct show_opts o = { .list = list };
	struct xlat_lines x = {};
	struct nlmsghdr *nlh;

	if (table) {
		/* TABLE_GET has no EAMs: table_get adds them (EAM_GET). */
		nlh = table_get(table, &x, NULL);
		o.xlat = &x;
		table_cb(nlh, &o);
		free(nlh);
		xlat_free(&x);
	} else if (list)
		fail("list: which table?");
	else
		talk(req(SOFTWIRE_CMD_TABLE_GET, NULL, NLM_F_DUMP), table_cb, &o, false);
	if (list) {
		nlh = req(SOFTWIRE_CMD_SW_GET, table, NLM_F_DUMP);
		talk(nlh, sw_cb, NULL, false);
	}
}

/* ---- commands ------------------------------------------------------------ */

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static void check_name(const char *t)
{
	if (!*t || strlen(t) >= SOFTWIRE_TABLE_NAME_LEN)
		fail("table name \"%s\": 1 to %d characters", t,
		     SOFTWIRE_TABLE_NAME_LEN - 1);
}

/*
 * The whole table, atomically: fill a new table, swap it with the live one
 * (one pointer in the kernel), delete the new name, which now holds the old
 * contents. Any error before the swap leaves the live table as it was.
 */
static void load(const char *table, const char *path)
{
	static struct bt_file f;
	char tmp[SOFTWIRE_TABLE_NAME_LEN];
	double t0 = now(), t1;
	const uint8_t *own;

	read_file(path, &f, true);
	t1 = now();
	/* A translator's table (MAPT) may have no address of its own. */
	own = f.n_br ? f.br[0] : NULL;
	snprintf(tmp, sizeof(tmp), "~load%u", (unsigned int)getpid() % 1000000000u);
	table_del(tmp, true);
	table_new(tmp, own, f.n_sw > UINT32_MAX ? UINT32_MAX : f.n_sw, false);
	cleanup_table = tmp;
	send_file(tmp, &f, true, 1);	/* br[0]: the table's own, given above */
	if (xlat_any(&f.xlat))
		xlat_set(tmp, &f.xlat, NULL);
	table_new(table, own, 0, true);	/* the first load creates it */
	table_swap(table, tmp);
	cleanup_table = NULL;
	table_del(tmp, false);
	if (!quiet)
		printf("%s: %zu softwires, %u rules, %u eams, %u br-addresses loaded into %s (parse %.2f s, kernel %.2f s)\n",
		       path, f.n_sw, f.n_rules, f.xlat.n_eam, f.n_br, table,
		       t1 - t0, now() - t1);
	bt_file_free(&f);
}

/*
 * The translator's lines of change added to or removed from the live
 * table: read them, change them, set them all, unless another change
 * came in between (then again).
 */
static void xlat_apply(const char *table, const struct xlat_lines *change,
		       bool add)
{
	static struct xlat_lines cur;
	uint32_t gen;
	int tries;

	for (tries = 0; tries < 10; tries++) {
		xlat_get(table, &cur, &gen);
		xlat_change(&cur, change, add);
		if (!xlat_set(table, &cur, &gen)) {
			xlat_free(&cur);
			return;
		}
	}
	fail("the translator's lines of %s keep changing: try again", table);
}

/*
 * add/del -f: every item of FILE added to or removed from the live table,
 * in batches. Not atomic: what came before a refused line stays done.
 */
static void change_file(const char *table, const char *path, bool add)
{
	static struct bt_file f;

	read_file(path, &f, false);
	send_file(table, &f, add, 0);
	if (xlat_any(&f.xlat))
		xlat_apply(table, &f.xlat, add);
	if (!quiet)
		printf("%s: %zu softwires, %u rules, %u eams %s %s\n", src_name,
		       f.n_sw, f.n_rules, f.xlat.n_eam,
		       add ? "added to" : "removed from", table);
	bt_file_free(&f);
}

/*
 * What a MAP-E CE derives from its End-user prefix and the BMR (RFC 7597
 * sections 5.2 and 6): its IPv4 address, PSID and CE IPv6 address, and
 * the LW4O6 B4-side rules that make a CE of this box.
 */
static void derive(char **w, int n)
{
	struct rule_line rl;
	struct map_ce ce;
	uint8_t eu[16] = {}, eu_len = 0;
	unsigned int i, size, block;
	char ip4[INET_ADDRSTRLEN];
	uint32_t a;
	int k;

	for (k = 0; k < n - 1; k++)
		if (!strcmp(w[k], "end-user-prefix"))
			break;
	if (k >= n - 1)
		fail("derive: end-user-prefix P/L is needed");
	parse_prefix("end-user-prefix", w[k + 1], AF_INET6, eu, &eu_len);
	memmove(w + k, w + k + 2, (n - k - 2) * sizeof(*w));
	parse_rule(w, n - 2, &rl);
	switch (map_rule_derive(&rl.r, eu, eu_len, &ce)) {
	case MAP_RULE_OK:
		break;
	case MAP_RULE_NO_MATCH:
		fail("derive: the End-user prefix is not under the rule's IPv6 prefix");
	case MAP_RULE_SHORT_PREFIX:
		fail("derive: the End-user prefix is shorter than the rule prefix + EA bits");
	default:
		fail("derive: the rule gives no IPv4 address from this prefix");
	}
	a = htonl(ce.ip4);
	inet_ntop(AF_INET, &a, ip4, sizeof(ip4));
	printf("ipv4 %s\n", ip4);
	printf("psid %u psid-length %u psid-offset %u\n", ce.ports.psid,
	       ce.ports.len, ce.ports.offset);
	/* The set is blocks of 2^m consecutive ports (m = 16 - a - k): the
	 * first eight.
	 */
	size = psid_set_size(&ce.ports);
	block = 1u << (16 - ce.ports.offset - ce.ports.len);
	printf("ports");
	for (i = 0; i < size && i < 8 * block; i += block) {
		printf("%s%u", i ? "," : " ", psid_set_port(&ce.ports, i));
		if (block > 1)
			printf("-%u", psid_set_port(&ce.ports, i + block - 1));
	}
	printf("%s\n", i < size ? ",..." : "");
	printf("ce-ipv6 %s\n", ip6s(ce.ip6));
}

static void usage(FILE *out)
{
	fprintf(out,
"usage: softwirectl COMMAND ...   (the softwire tables of this network namespace)\n"
"  create TABLE [br-address ADDR] [size N] a new, empty table (a translator's\n"
"                                         needs no br-address)\n"
"  delete TABLE                           (refused while iptables rules use it)\n"
"  load TABLE FILE                        replace TABLE with FILE (- for stdin),\n"
"                                         atomically; creates TABLE if needed\n"
"  check FILE                             only read FILE and report errors\n"
"  add TABLE LINE...                      one line of a table file:\n"
"        softwire ipv4 A [psid P/L] [psid-offset O] b4-ipv6 B [br-address R]\n"
"        rule ipv6-prefix P/L ipv4-prefix P/L ea-bits-length N [psid-offset O]\n"
"        br-address ADDR\n"
"        dmr P/L                          RFC 6052 prefix: /32 /40 /48 /56 /64 /96\n"
"        eam V4/L V6/L                    RFC 7757: 32 - V4 length <= 128 - V6 length\n"
"        lowest-ipv6-mtu N                1280..65535 (default 1280)\n"
"        udp-zero-checksum drop|drop-silent|compute   RFC 7915 section 4.5 (default drop: ICMP 3/13 back)\n"
"        icmp-source-ipv4 A               RFC 6791 source of ICMPv4 errors\n"
"        icmp-source-ipv6 A               the same for ICMPv6\n"
"  del TABLE softwire ipv4 A [psid P]     remove a softwire\n"
"  del TABLE rule ...                     remove a rule\n"
"  del TABLE dmr|eam ...                  remove the dmr, an eam; del of a\n"
"                                         policy line restores its default\n"
"  add|del TABLE -f FILE                  every line of FILE (- for stdin) added\n"
"                                         to or removed from the live TABLE\n"
"  list TABLE                             the table as a file load reads back\n"
"  show [TABLE]                           sizes, memory and counters\n"
"  swap TABLE1 TABLE2                     exchange two tables' contents\n"
"  derive RULE... end-user-prefix P/L     what a MAP-E CE derives (RFC 7597\n"
"                                         5.2, 6): IPv4, PSID, ports, CE address\n"
"A table file has one item per line, as above; # starts a comment. The\n"
"first br-address is the table's own AFTR/BR address; a translator's\n"
"table (dmr, eam or rule lines, no softwires) needs none. The PSID offset\n"
"defaults to 6 (RFC 7597 section 5.1). See softwirectl(8).\n");
}

int main(int argc, char **argv)
{
	const char *cmd;
	char *table;

	if (argc > 1 && !strcmp(argv[1], "-q")) {
		quiet = true;
		argv++;
		argc--;
	}
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2;
	}
	cmd = argv[1];
	table = argc > 2 ? argv[2] : NULL;

	if (!strcmp(cmd, "check")) {
		struct bt_file f = {};

		if (argc != 3)
			fail("usage: check FILE");
		read_file(argv[2], &f, true);
		printf("%s: %zu softwires, %u rules, %u eams, %u br-addresses: no error\n",
		       src_name, f.n_sw, f.n_rules, f.xlat.n_eam, f.n_br);
		bt_file_free(&f);
		return 0;
	}
	if (!strcmp(cmd, "derive")) {
		derive(argv + 2, argc - 2);
		return 0;
	}
	if (table && strcmp(cmd, "show"))
		check_name(table);
	nl_open();

	if (!strcmp(cmd, "create")) {
		uint8_t br[16];
		unsigned long size = 0;
		bool has_br = false;
		int i;

		if (!table)
			fail("usage: create TABLE [br-address ADDR] [size N]");
		if (*table == '~')
			fail("table names starting with '~' are load's temporary tables");
		for (i = 3; i < argc; i += 2) {
			if (i + 1 >= argc)
				fail("create: \"%s\" needs a value", argv[i]);
			if (!strcmp(argv[i], "br-address") || !strcmp(argv[i], "aftr")) {
				parse_ip6(argv[i], argv[i + 1], br);
				has_br = true;
			} else if (!strcmp(argv[i], "size")) {
				size = parse_num("size", argv[i + 1], UINT32_MAX);
			} else {
				fail("create: unknown word \"%s\" (br-address, size)", argv[i]);
			}
		}
		/* Without: a translator's table (MAPT), or one to add to. */
		table_new(table, has_br ? br : NULL, size, false);
	} else if (!strcmp(cmd, "delete")) {
		if (argc != 3)
			fail("usage: delete TABLE");
		table_del(table, false);
	} else if (!strcmp(cmd, "load")) {
		if (argc != 4)
			fail("usage: load TABLE FILE");
		if (*table == '~')
			fail("table names starting with '~' are load's temporary tables");
		load(table, argv[3]);
	} else if (!strcmp(cmd, "add") || !strcmp(cmd, "del")) {
		bool add = !strcmp(cmd, "add");
		static struct bt_file f;

		if (argc < 5)
			fail("usage: %s TABLE softwire|rule|br-address|-f ...", cmd);
		if (!strcmp(argv[3], "-f")) {
			if (argc != 5)
				fail("usage: %s TABLE -f FILE", cmd);
			change_file(table, argv[4], add);
		} else if (!strcmp(argv[3], "softwire")) {
			struct sw_line sw;

			parse_softwire(argv + 4, argc - 4, &sw, !add);
			send_softwires(table, add ? SOFTWIRE_CMD_SW_ADD : SOFTWIRE_CMD_SW_DEL,
				       &sw, 1, !add);
		} else if (!strcmp(argv[3], "rule")) {
			struct rule_line rl;

			parse_rule(argv + 4, argc - 4, &rl);
			send_rule(table, add ? SOFTWIRE_CMD_RULE_ADD : SOFTWIRE_CMD_RULE_DEL, &rl);
		} else if (add && (!strcmp(argv[3], "br-address") || !strcmp(argv[3], "aftr"))) {
			if (argc != 5)
				fail("usage: add TABLE br-address ADDR");
			parse_ip6(argv[3], argv[4], f.br[0]);
			aftr_add(table, f.br[0]);
		} else if (parse_xlat_line(&f.xlat, argv + 3, argc - 3)) {
			xlat_apply(table, &f.xlat, add);
			xlat_free(&f.xlat);
		} else {
			fail("%s: softwire, rule, %sdmr, eam, lowest-ipv6-mtu, udp-zero-checksum, icmp-source-ipv4 or icmp-source-ipv6 expected, not \"%s\"",
			     cmd, add ? "br-address, " : "", argv[3]);
		}
	} else if (!strcmp(cmd, "list")) {
		if (argc != 3)
			fail("usage: list TABLE");
		show(table, true);
	} else if (!strcmp(cmd, "show")) {
		if (argc > 3)
			fail("usage: show [TABLE]");
		show(table, false);
	} else if (!strcmp(cmd, "swap")) {
		if (argc != 4)
			fail("usage: swap TABLE1 TABLE2");
		check_name(argv[3]);
		table_swap(table, argv[3]);
	} else {
		usage(stderr);
		fail("unknown command \"%s\"", cmd);
	}
	nl_close();
	return 0;
}