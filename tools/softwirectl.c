// SPDX-License-Identifier: GPL-2.0
/*
 * softwirectl: the binding tables of the LW4O6 target (AFTR/BR side), over
 * generic netlink with libmnl. See softwirectl.8.
 *
 *   softwirectl create bt0 br-address 2001:db8::1
 *   softwirectl load bt0 bindings.txt        # atomic replace
 *   softwirectl add bt0 softwire ipv4 192.0.2.1 psid 1/4 psid-offset 0 b4-ipv6 2001:db8:b4::2
 *   softwirectl list bt0                     # prints a file load reads back
 *   softwirectl show                         # sizes and counters
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <libmnl/libmnl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "softwire_genl.h"
#include "psid_core.h"

/* ---- what a binding table file holds ------------------------------------ */

struct sw_line {
	uint32_t ipv4;		/* network order */
	uint16_t psid;
	uint8_t psid_len, psid_offset;
	uint8_t b4[16];
	uint8_t br[16];
	bool has_br;
	unsigned int line;
};

struct rule_line {
	struct map_rule r;
	unsigned int line;
};

struct bt_file {
	uint8_t br[SOFTWIRE_MAX_AFTRS][16];
	unsigned int n_br;
	struct sw_line *sw;
	size_t n_sw, cap_sw;
	struct rule_line rules[SOFTWIRE_MAX_RULES];
	unsigned int n_rules;
};

static const char *src_name = "command line";
static unsigned int src_line;
static bool quiet;
/* A temporary table to delete if the command fails half way. */
static const char *cleanup_table;
static int table_del(const char *table, bool may_fail);

static void __attribute__((noreturn, format(printf, 1, 2)))
fail(const char *fmt, ...)
{
	const char *t = cleanup_table;
	va_list ap;

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

static unsigned long parse_num(const char *key, const char *s, unsigned long max)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (!*s || *end || errno || v > max || *s == '-')
		fail("%s \"%s\": a number from 0 to %lu is needed", key, s, max);
	return v;
}

static void parse_ip6(const char *key, const char *s, uint8_t a[16])
{
	if (inet_pton(AF_INET6, s, a) != 1)
		fail("%s \"%s\" is not an IPv6 address", key, s);
	if (a[0] == 0xff || !memcmp(a, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16) ||
	    !memcmp(a, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 16))
		fail("%s %s: a unicast IPv6 address is needed", key, s);
}

static uint32_t parse_ip4(const char *key, const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		fail("%s \"%s\" is not an IPv4 address", key, s);
	return a.s_addr;
}

/* ADDR/LEN with no bits set past LEN. */
static void parse_prefix(const char *key, const char *s, int af, uint8_t *a,
			 uint8_t *len)
{
	unsigned int max = af == AF_INET ? 32 : 128, i;
	char buf[INET6_ADDRSTRLEN + 8];
	char *slash;

	if (strlen(s) >= sizeof(buf) || !(slash = strchr(s, '/')))
		fail("%s \"%s\": write ADDRESS/LENGTH", key, s);
	memcpy(buf, s, strlen(s) + 1);
	buf[slash - s] = '\0';
	if (inet_pton(af, buf, a) != 1)
		fail("%s \"%s\": not an %s prefix", key, s,
		     af == AF_INET ? "IPv4" : "IPv6");
	*len = parse_num(key, slash + 1, max);
	for (i = *len; i < max; i++)
		if (a[i / 8] & (0x80 >> (i % 8)))
			fail("%s %s: bits are set past the prefix length", key, s);
}

/* "N" or "N/LEN" */
static void parse_psid(const char *s, struct sw_line *sw, bool *has_len)
{
	char buf[32], *slash;

	if (strlen(s) >= sizeof(buf))
		fail("psid \"%s\": write PSID or PSID/LENGTH", s);
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash) {
		*slash = '\0';
		sw->psid_len = parse_num("psid length", slash + 1, 16);
		*has_len = true;
	}
	sw->psid = parse_num("psid", buf, 0xffff);
}

/*
 * softwire ipv4 A [psid P[/L]] [psid-length L] [psid-offset O] b4-ipv6 B
 *          [br-address R]
 * (the Snabb lwAFTR binding table's words where it has them; "b4" and
 * "aftr" are accepted for b4-ipv6 and br-address. psid-offset is ours:
 * Snabb's reserved-ports-bit-count defaults to 0, psid-offset to 6).
 */
static void parse_softwire(char **w, int n, struct sw_line *sw, bool key_only)
{
	bool has_ip = false, has_b4 = false, has_len = false, has_off = false;
	struct psid_set set;
	int i;

	memset(sw, 0, sizeof(*sw));
	sw->line = src_line;
	for (i = 0; i < n; i += 2) {
		const char *k = w[i], *v = i + 1 < n ? w[i + 1] : NULL;

		if (!v)
			fail("softwire: \"%s\" needs a value", k);
		if (!strcmp(k, "ipv4")) {
			sw->ipv4 = parse_ip4(k, v);
			has_ip = true;
		} else if (!strcmp(k, "psid")) {
			parse_psid(v, sw, &has_len);
		} else if (!strcmp(k, "psid-length")) {
			sw->psid_len = parse_num(k, v, 16);
			has_len = true;
		} else if (!strcmp(k, "psid-offset")) {
			sw->psid_offset = parse_num(k, v, 16);
			has_off = true;
		} else if (!strcmp(k, "b4-ipv6") || !strcmp(k, "b4")) {
			parse_ip6(k, v, sw->b4);
			has_b4 = true;
		} else if (!strcmp(k, "br-address") || !strcmp(k, "aftr")) {
			parse_ip6(k, v, sw->br);
			sw->has_br = true;
		} else {
			fail("softwire: unknown word \"%s\" (ipv4, psid, psid-length, psid-offset, b4-ipv6, br-address)", k);
		}
	}
	if (!has_ip)
		fail("softwire: ipv4 ADDRESS is missing");
	if (key_only)
		return;
	if (!has_b4)
		fail("softwire: b4-ipv6 ADDRESS is missing");
	{
		uint8_t first = ntohl(sw->ipv4) >> 24;

		if (first == 0 || first == 127 || (first >= 224 && first < 240) ||
		    sw->ipv4 == 0xffffffff)
			fail("softwire: ipv4 %s is not a unicast address",
			     inet_ntoa((struct in_addr){ sw->ipv4 }));
	}
	if (!has_len && sw->psid)
		fail("softwire: psid %u needs its length (psid %u/LENGTH or psid-length)",
		     sw->psid, sw->psid);
	/* RFC 7597 section 5.1: offset 6 unless said otherwise. */
	if (!has_off)
		sw->psid_offset = sw->psid_len ? 6 : 0;
	if (!sw->psid_len)
		sw->psid_offset = 0;
	set.psid = sw->psid;
	set.len = sw->psid_len;
	set.offset = sw->psid_offset;
	if (!psid_set_valid(&set))
		fail("softwire: psid %u does not fit in %u bits, or psid-offset %u + psid-length %u > 16",
		     sw->psid, sw->psid_len, sw->psid_offset, sw->psid_len);
}

/* rule ipv6-prefix P/L ipv4-prefix P/L ea-bits-length N [psid-offset O] */
static void parse_rule(char **w, int n, struct rule_line *rl)
{
	bool has6 = false, has4 = false, hasea = false;
	struct map_rule *r = &rl->r;
	struct map_ce ce;
	uint8_t v4[4];
	int i;

	memset(rl, 0, sizeof(*rl));
	rl->line = src_line;
	r->psid_offset = 6;
	for (i = 0; i < n; i += 2) {
		const char *k = w[i], *v = i + 1 < n ? w[i + 1] : NULL;

		if (!v)
			fail("rule: \"%s\" needs a value", k);
		if (!strcmp(k, "ipv6-prefix")) {
			parse_prefix(k, v, AF_INET6, r->ip6_prefix, &r->ip6_len);
			has6 = true;
		} else if (!strcmp(k, "ipv4-prefix")) {
			parse_prefix(k, v, AF_INET, v4, &r->ip4_len);
			r->ip4_prefix = (uint32_t)v4[0] << 24 | v4[1] << 16 |
					v4[2] << 8 | v4[3];
			has4 = true;
		} else if (!strcmp(k, "ea-bits-length") || !strcmp(k, "ea-len")) {
			r->ea_len = parse_num(k, v, 48);
			hasea = true;
		} else if (!strcmp(k, "psid-offset")) {
			r->psid_offset = parse_num(k, v, 16);
		} else {
			fail("rule: unknown word \"%s\" (ipv6-prefix, ipv4-prefix, ea-bits-length, psid-offset)", k);
		}
	}
	if (!has6 || !has4 || !hasea)
		fail("rule: ipv6-prefix, ipv4-prefix and ea-bits-length are needed");
	/* RFC 7597 section 5.2 */
	if (map_rule_ce_for(r, r->ip4_prefix, 0xffff, &ce) != MAP_RULE_OK ||
	    r->ip6_len + r->ea_len > 64)
		fail("rule: ipv4-prefix /%u with ea-bits-length %u and psid-offset %u gives no CE address (RFC 7597 section 5.2: 32 - %u <= EA bits, PSID + offset <= 16, IPv6 prefix + EA bits <= 64)",
		     r->ip4_len, r->ea_len, r->psid_offset, r->ip4_len);
}

static void add_br(struct bt_file *f, const uint8_t a[16])
{
	unsigned int i;

	for (i = 0; i < f->n_br; i++)
		if (!memcmp(f->br[i], a, 16))
			return;
	if (f->n_br == SOFTWIRE_MAX_AFTRS)
		fail("more than %d br-address values in one table", SOFTWIRE_MAX_AFTRS);
	memcpy(f->br[f->n_br++], a, 16);
}

static int split(char *s, char **w, int max)
{
	int n = 0;
	char *save, *t;

	for (t = strtok_r(s, " \t\r\n", &save); t; t = strtok_r(NULL, " \t\r\n", &save)) {
		if (*t == '#')
			break;
		if (n == max)
			fail("too many words on one line");
		w[n++] = t;
	}
	return n;
}

/* One line of a table file, or of "add". */
static void parse_line(struct bt_file *f, char **w, int n)
{
	if (!strcmp(w[0], "br-address") || !strcmp(w[0], "aftr")) {
		uint8_t a[16];

		if (n != 2)
			fail("br-address takes one IPv6 address");
		parse_ip6(w[0], w[1], a);
		add_br(f, a);
	} else if (!strcmp(w[0], "softwire")) {
		if (f->n_sw == f->cap_sw) {
			f->cap_sw = f->cap_sw ? 2 * f->cap_sw : 1024;
			f->sw = realloc(f->sw, f->cap_sw * sizeof(*f->sw));
			if (!f->sw)
				fail("out of memory");
		}
		parse_softwire(w + 1, n - 1, &f->sw[f->n_sw], false);
		if (f->sw[f->n_sw].has_br)
			add_br(f, f->sw[f->n_sw].br);
		f->n_sw++;
	} else if (!strcmp(w[0], "rule")) {
		if (f->n_rules == SOFTWIRE_MAX_RULES)
			fail("more than %d rules in one table", SOFTWIRE_MAX_RULES);
		parse_rule(w + 1, n - 1, &f->rules[f->n_rules++]);
	} else {
		fail("unknown line \"%s\" (br-address, softwire, rule)", w[0]);
	}
}

static int sw_cmp(const void *a, const void *b)
{
	const struct sw_line *x = a, *y = b;
	uint32_t xa = ntohl(x->ipv4), ya = ntohl(y->ipv4);

	if (xa != ya)
		return xa < ya ? -1 : 1;
	if (x->psid != y->psid)
		return x->psid < y->psid ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* The checks the kernel makes again, with line numbers. A whole table
 * (need_br) names its own address.
 */
static void check_file(struct bt_file *f, bool need_br)
{
	size_t i;

	if (need_br && !f->n_br)
		fail("%s: no br-address line: the table needs this AFTR's IPv6 address",
		     src_name);
	qsort(f->sw, f->n_sw, sizeof(*f->sw), sw_cmp);
	for (i = 1; i < f->n_sw; i++) {
		const struct sw_line *p = &f->sw[i - 1], *s = &f->sw[i];

		if (p->ipv4 != s->ipv4)
			continue;
		src_line = s->line;
		if (p->psid == s->psid)
			fail("ipv4 %s psid %u is bound already, at line %u",
			     inet_ntoa((struct in_addr){ s->ipv4 }), s->psid, p->line);
		if (p->psid_len != s->psid_len || p->psid_offset != s->psid_offset)
			fail("softwires of %s must share psid-length and psid-offset: line %u says %u and %u",
			     inet_ntoa((struct in_addr){ s->ipv4 }), p->line,
			     p->psid_len, p->psid_offset);
	}
	src_line = 0;
}

static void read_file(const char *path, struct bt_file *f, bool need_br)
{
	FILE *in = strcmp(path, "-") ? fopen(path, "r") : stdin;
	char *buf = NULL, *w[32];
	size_t cap = 0;
	int n;

	if (!in)
		fail("%s: %s", path, strerror(errno));
	src_name = strcmp(path, "-") ? path : "stdin";
	src_line = 0;
	while (getline(&buf, &cap, in) >= 0) {
		src_line++;
		n = split(buf, w, 32);
		if (n)
			parse_line(f, w, n);
	}
	free(buf);
	if (in != stdin)
		fclose(in);
	src_line = 0;
	check_file(f, need_br);
}

/* ---- netlink ------------------------------------------------------------- */

#define TX_SIZE (64 * 1024)
#define RX_SIZE (256 * 1024)

static struct mnl_socket *nl;
static uint16_t family;
static uint32_t seq;
static char *txbuf, *rxbuf;

/* The source lines of the softwires in the message being sent, by offset. */
static struct {
	unsigned int off, line;
} where[2048];
static unsigned int n_where;

typedef int (*msg_cb)(const struct nlmsghdr *nlh, void *data);

/* Send one request and read until its ACK or DONE; kernel errors name the
 * reason (extended ACK) and, for softwires, the line they came from.
 */
static int talk(struct nlmsghdr *nlh, msg_cb cb, void *data, bool may_fail)
{
	uint32_t portid = mnl_socket_get_portid(nl);
	ssize_t len;

	nlh->nlmsg_seq = ++seq;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		fail("netlink send: %s", strerror(errno));
	for (;;) {
		struct nlmsghdr *m;
		int left;

		len = mnl_socket_recvfrom(nl, rxbuf, RX_SIZE);
		if (len < 0)
			fail("netlink receive: %s", strerror(errno));
		left = len;
		for (m = (struct nlmsghdr *)rxbuf; mnl_nlmsg_ok(m, left);
		     m = mnl_nlmsg_next(m, &left)) {
			const struct nlmsgerr *e;
			const char *msg = NULL;
			const struct nlattr *a;
			unsigned int off = 0, i, line = 0;

			if (m->nlmsg_seq != seq || m->nlmsg_pid != portid)
				continue;
			if (m->nlmsg_type == NLMSG_DONE)
				return 0;
			if (m->nlmsg_flags & NLM_F_DUMP_INTR)
				fail("the table changed while it was being listed; list it again");
			if (m->nlmsg_type != NLMSG_ERROR) {
				if (cb && cb(m, data) < 0)
					return -1;
				continue;
			}
			e = mnl_nlmsg_get_payload(m);
			if (!e->error)
				return 0;
			if (m->nlmsg_flags & NLM_F_ACK_TLVS) {
				size_t hl = sizeof(*e);

				if (!(m->nlmsg_flags & NLM_F_CAPPED))
					hl += e->msg.nlmsg_len - sizeof(e->msg);
				mnl_attr_for_each(a, m, hl) {
					if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG)
						msg = mnl_attr_get_str(a);
					if (mnl_attr_get_type(a) == NLMSGERR_ATTR_OFFS)
						off = mnl_attr_get_u32(a);
				}
			}
			errno = -e->error;
			if (may_fail)
				return -1;
			for (i = 0; off && i < n_where; i++)
				if (off >= where[i].off)
					line = where[i].line;
			if (line)
				src_line = line;
			if (errno == ENOENT && !msg)
				msg = "no such table";
			if (msg)
				fail("%s (%s)", msg, strerror(errno));
			fail("%s", strerror(errno));
		}
	}
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID)
			family = mnl_attr_get_u16(a);
	return 0;
}

static struct nlmsghdr *msg_start(uint16_t type, uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(txbuf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = type == GENL_ID_CTRL ? 1 : SOFTWIRE_GENL_VERSION;
	n_where = 0;
	return nlh;
}

static struct nlmsghdr *req(uint8_t cmd, const char *table)
{
	struct nlmsghdr *nlh = msg_start(family, cmd, NLM_F_ACK);

	if (table)
		mnl_attr_put_strz(nlh, SOFTWIRE_A_NAME, table);
	return nlh;
}

static void nl_open(void)
{
	struct nlmsghdr *nlh;
	int one = 1;

	txbuf = malloc(TX_SIZE);
	rxbuf = malloc(RX_SIZE);
	nl = mnl_socket_open(NETLINK_GENERIC);
	if (!txbuf || !rxbuf || !nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		fail("netlink: %s", strerror(errno));
	mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof(one));

	nlh = msg_start(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, NLM_F_ACK);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, SOFTWIRE_GENL_NAME);
	if (talk(nlh, family_cb, NULL, true) < 0 || !family)
		fail("the kernel has no LW4O6 binding tables: is the xt_LW4O6 module loaded? (modprobe xt_LW4O6)");
}

static void put_sw(struct nlmsghdr *nlh, const struct sw_line *s, bool key_only)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, SOFTWIRE_A_SOFTWIRE);

	if (n_where < sizeof(where) / sizeof(where[0])) {
		where[n_where].off = (char *)nest - (char *)nlh;
		where[n_where++].line = s->line;
	}
	mnl_attr_put(nlh, SOFTWIRE_SW_A_IPV4, 4, &s->ipv4);
	mnl_attr_put_u16(nlh, SOFTWIRE_SW_A_PSID, s->psid);
	if (!key_only) {
		mnl_attr_put_u8(nlh, SOFTWIRE_SW_A_PSID_LEN, s->psid_len);
		mnl_attr_put_u8(nlh, SOFTWIRE_SW_A_PSID_OFFSET, s->psid_offset);
		mnl_attr_put(nlh, SOFTWIRE_SW_A_B4, 16, s->b4);
		if (s->has_br)
			mnl_attr_put(nlh, SOFTWIRE_SW_A_AFTR, 16, s->br);
	}
	mnl_attr_nest_end(nlh, nest);
}

/* Softwires in messages of up to ~60 KB (the socket's send buffer). */
static void send_softwires(const char *table, uint8_t cmd,
			   const struct sw_line *sw, size_t n, bool key_only)
{
	size_t i = 0;

	while (i < n) {
		struct nlmsghdr *nlh = req(cmd, table);
		struct nlattr *list = mnl_attr_nest_start(nlh, SOFTWIRE_A_SOFTWIRES);
		unsigned int k;

		for (k = 0; i < n && k < sizeof(where) / sizeof(where[0]) &&
		     nlh->nlmsg_len < TX_SIZE - 256; k++, i++)
			put_sw(nlh, &sw[i], key_only);
		mnl_attr_nest_end(nlh, list);
		talk(nlh, NULL, NULL, false);
		n_where = 0;
	}
}

static void send_rule(const char *table, uint8_t cmd, const struct rule_line *rl)
{
	struct nlmsghdr *nlh = req(cmd, table);
	struct nlattr *nest = mnl_attr_nest_start(nlh, SOFTWIRE_A_RULE);
	uint32_t v4 = htonl(rl->r.ip4_prefix);

	mnl_attr_put(nlh, SOFTWIRE_RULE_A_IPV6_PREFIX, 16, rl->r.ip6_prefix);
	mnl_attr_put_u8(nlh, SOFTWIRE_RULE_A_IPV6_LEN, rl->r.ip6_len);
	mnl_attr_put(nlh, SOFTWIRE_RULE_A_IPV4_PREFIX, 4, &v4);
	mnl_attr_put_u8(nlh, SOFTWIRE_RULE_A_IPV4_LEN, rl->r.ip4_len);
	mnl_attr_put_u8(nlh, SOFTWIRE_RULE_A_EA_LEN, rl->r.ea_len);
	mnl_attr_put_u8(nlh, SOFTWIRE_RULE_A_PSID_OFFSET, rl->r.psid_offset);
	mnl_attr_nest_end(nlh, nest);
	src_line = rl->line;
	talk(nlh, NULL, NULL, false);
	src_line = 0;
}

static void aftr_add(const char *table, const uint8_t br[16])
{
	struct nlmsghdr *nlh = req(SOFTWIRE_CMD_AFTR_ADD, table);

	mnl_attr_put(nlh, SOFTWIRE_A_AFTR, 16, br);
	talk(nlh, NULL, NULL, false);
}

/* A file's items added to (br-addresses from first_br on) or removed from
 * (br-addresses stay) a table: rules first, then softwires, in batches.
 */
static void send_file(const char *table, const struct bt_file *f, bool add,
		      unsigned int first_br)
{
	unsigned int i;

	for (i = first_br; add && i < f->n_br; i++)
		aftr_add(table, f->br[i]);
	for (i = 0; i < f->n_rules; i++)
		send_rule(table, add ? SOFTWIRE_CMD_RULE_ADD : SOFTWIRE_CMD_RULE_DEL,
			  &f->rules[i]);
	send_softwires(table, add ? SOFTWIRE_CMD_SW_ADD : SOFTWIRE_CMD_SW_DEL,
		       f->sw, f->n_sw, !add);
}

static int table_new(const char *table, const uint8_t br[16], uint32_t size,
		     bool may_fail)
{
	struct nlmsghdr *nlh = req(SOFTWIRE_CMD_TABLE_NEW, table);

	mnl_attr_put(nlh, SOFTWIRE_A_AFTR, 16, br);
	mnl_attr_put_u32(nlh, SOFTWIRE_A_SIZE, size);
	return talk(nlh, NULL, NULL, may_fail);
}

static int table_del(const char *table, bool may_fail)
{
	return talk(req(SOFTWIRE_CMD_TABLE_DEL, table), NULL, NULL, may_fail);
}

/* ---- printing ------------------------------------------------------------ */

static const char *ip6s(const void *a)
{
	static char buf[4][INET6_ADDRSTRLEN];
	static int i;

	i = (i + 1) % 4;
	return inet_ntop(AF_INET6, a, buf[i], sizeof(buf[i]));
}

static void print_rule(const struct nlattr *nest)
{
	const struct nlattr *a;
	uint8_t p6[16] = {}, l6 = 0, l4 = 0, ea = 0, off = 6;
	uint32_t p4 = 0;

	mnl_attr_for_each_nested(a, nest) {
		switch (mnl_attr_get_type(a)) {
		case SOFTWIRE_RULE_A_IPV6_PREFIX:
			memcpy(p6, mnl_attr_get_payload(a), 16);
			break;
		case SOFTWIRE_RULE_A_IPV6_LEN:
			l6 = mnl_attr_get_u8(a);
			break;
		case SOFTWIRE_RULE_A_IPV4_PREFIX:
			p4 = mnl_attr_get_u32(a);
			break;
		case SOFTWIRE_RULE_A_IPV4_LEN:
			l4 = mnl_attr_get_u8(a);
			break;
		case SOFTWIRE_RULE_A_EA_LEN:
			ea = mnl_attr_get_u8(a);
			break;
		case SOFTWIRE_RULE_A_PSID_OFFSET:
			off = mnl_attr_get_u8(a);
			break;
		}
	}
	printf("rule ipv6-prefix %s/%u ipv4-prefix %s/%u ea-bits-length %u psid-offset %u\n",
	       ip6s(p6), l6, inet_ntoa((struct in_addr){ p4 }), l4, ea, off);
}

struct show_opts {
	bool list;	/* table file form, else a summary */
};

static const char *const stat_names[] = SOFTWIRE_TABLE_STAT_NAMES;

static int table_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct show_opts *o = data;
	uint32_t nsw = 0, naddr = 0, nrules = 0, refs = 0;
	uint64_t mem = 0, stats[__SOFTWIRE_TABLE_STAT_MAX] = {};
	const struct nlattr *a, *s;
	const char *name = "?";
	unsigned int i, nbr = 0;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		switch (mnl_attr_get_type(a)) {
		case SOFTWIRE_A_NAME:
			name = mnl_attr_get_str(a);
			break;
		case SOFTWIRE_A_N_SOFTWIRES:
			nsw = mnl_attr_get_u32(a);
			break;
		case SOFTWIRE_A_N_ADDRESSES:
			naddr = mnl_attr_get_u32(a);
			break;
		case SOFTWIRE_A_N_RULES:
			nrules = mnl_attr_get_u32(a);
			break;
		case SOFTWIRE_A_REFS:
			refs = mnl_attr_get_u32(a);
			break;
		case SOFTWIRE_A_MEMORY:
			mem = mnl_attr_get_u64(a);
			break;
		case SOFTWIRE_A_STATS:
			mnl_attr_for_each_nested(s, a)
				if (mnl_attr_get_type(s) >= 1 &&
				    mnl_attr_get_type(s) <= __SOFTWIRE_TABLE_STAT_MAX)
					stats[mnl_attr_get_type(s) - 1] = mnl_attr_get_u64(s);
			break;
		}
	}
	if (o->list) {
		printf("# binding table %s: %u softwires, %u rules\n", name, nsw, nrules);
		mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
			if (mnl_attr_get_type(a) == SOFTWIRE_A_AFTR)
				printf("br-address %s\n", ip6s(mnl_attr_get_payload(a)));
			if (mnl_attr_get_type(a) == SOFTWIRE_A_RULE)
				print_rule(a);
		}
		return 0;
	}
	printf("table %s\n", name);
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == SOFTWIRE_A_AFTR)
			printf("  br-address %s%s\n", ip6s(mnl_attr_get_payload(a)),
			       nbr++ ? "" : " (the table's own)");
	printf("  softwires %u on %u IPv4 addresses, rules %u, used by %u iptables rules\n",
	       nsw, naddr, nrules, refs);
	printf("  memory %llu bytes", (unsigned long long)mem);
	if (nsw)
		printf(" (%.1f bytes per softwire)", (double)mem / nsw);
	printf("\n");
	for (i = 0; i < __SOFTWIRE_TABLE_STAT_MAX; i++)
		printf("  %s %llu\n", stat_names[i], (unsigned long long)stats[i]);
	return 0;
}

static int sw_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *a, *s;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		uint32_t ip = 0;
		uint16_t psid = 0;
		uint8_t len = 0, off = 0, b4[16] = {}, br[16];
		bool has_br = false;

		if (mnl_attr_get_type(a) != SOFTWIRE_A_SOFTWIRE)
			continue;
		mnl_attr_for_each_nested(s, a) {
			switch (mnl_attr_get_type(s)) {
			case SOFTWIRE_SW_A_IPV4:
				ip = mnl_attr_get_u32(s);
				break;
			case SOFTWIRE_SW_A_PSID:
				psid = mnl_attr_get_u16(s);
				break;
			case SOFTWIRE_SW_A_PSID_LEN:
				len = mnl_attr_get_u8(s);
				break;
			case SOFTWIRE_SW_A_PSID_OFFSET:
				off = mnl_attr_get_u8(s);
				break;
			case SOFTWIRE_SW_A_B4:
				memcpy(b4, mnl_attr_get_payload(s), 16);
				break;
			case SOFTWIRE_SW_A_AFTR:
				memcpy(br, mnl_attr_get_payload(s), 16);
				has_br = true;
				break;
			}
		}
		printf("softwire ipv4 %s", inet_ntoa((struct in_addr){ ip }));
		if (len)
			printf(" psid %u psid-length %u psid-offset %u", psid, len, off);
		printf(" b4-ipv6 %s", ip6s(b4));
		if (has_br)
			printf(" br-address %s", ip6s(br));
		printf("\n");
	}
	return 0;
}

static void show(const char *table, bool list)
{
	struct show_opts o = { .list = list };
	struct nlmsghdr *nlh;

	if (table) {
		talk(req(SOFTWIRE_CMD_TABLE_GET, table), table_cb, &o, false);
	} else if (list) {
		fail("list: which table?");
	} else {
		nlh = msg_start(family, SOFTWIRE_CMD_TABLE_GET, NLM_F_DUMP | NLM_F_ACK);
		talk(nlh, table_cb, &o, false);
	}
	if (list) {
		nlh = msg_start(family, SOFTWIRE_CMD_SW_GET, NLM_F_DUMP | NLM_F_ACK);
		mnl_attr_put_strz(nlh, SOFTWIRE_A_NAME, table);
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
	struct bt_file f = {};
	char tmp[SOFTWIRE_TABLE_NAME_LEN];
	double t0 = now(), t1;

	read_file(path, &f, true);
	t1 = now();
	snprintf(tmp, sizeof(tmp), "~load%u", (unsigned int)getpid() % 1000000000u);
	table_del(tmp, true);
	table_new(tmp, f.br[0], f.n_sw > UINT32_MAX ? UINT32_MAX : f.n_sw, false);
	cleanup_table = tmp;
	send_file(tmp, &f, true, 1);	/* br[0]: the table's own, given above */
	table_new(table, f.br[0], 0, true);	/* the first load creates it */
	{
		struct nlmsghdr *nlh = req(SOFTWIRE_CMD_TABLE_SWAP, table);

		mnl_attr_put_strz(nlh, SOFTWIRE_A_NAME2, tmp);
		talk(nlh, NULL, NULL, false);
	}
	cleanup_table = NULL;
	table_del(tmp, false);
	if (!quiet)
		printf("%s: %zu softwires, %u rules, %u br-addresses loaded into %s (parse %.2f s, kernel %.2f s)\n",
		       path, f.n_sw, f.n_rules, f.n_br, table, t1 - t0, now() - t1);
	free(f.sw);
}

/*
 * add/del -f: every item of FILE added to or removed from the live table,
 * in batches. Not atomic: what came before a refused line stays done.
 */
static void change_file(const char *table, const char *path, bool add)
{
	struct bt_file f = {};

	read_file(path, &f, false);
	send_file(table, &f, add, 0);
	if (!quiet)
		printf("%s: %zu softwires, %u rules %s %s\n", src_name, f.n_sw,
		       f.n_rules, add ? "added to" : "removed from", table);
	free(f.sw);
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
"usage: softwirectl COMMAND ...   (the LW4O6 binding tables of this network namespace)\n"
"  create TABLE br-address ADDR [size N]  a new, empty table\n"
"  delete TABLE                           (refused while iptables rules use it)\n"
"  load TABLE FILE                        replace TABLE with FILE (- for stdin),\n"
"                                         atomically; creates TABLE if needed\n"
"  check FILE                             only read FILE and report errors\n"
"  add TABLE LINE...                      one line of a table file:\n"
"        softwire ipv4 A [psid P/L] [psid-offset O] b4-ipv6 B [br-address R]\n"
"        rule ipv6-prefix P/L ipv4-prefix P/L ea-bits-length N [psid-offset O]\n"
"        br-address ADDR\n"
"  del TABLE softwire ipv4 A [psid P]     remove a softwire\n"
"  del TABLE rule ...                     remove a rule\n"
"  add|del TABLE -f FILE                  every line of FILE (- for stdin) added\n"
"                                         to or removed from the live TABLE\n"
"  list TABLE                             the table as a file load reads back\n"
"  show [TABLE]                           sizes, memory and counters\n"
"  swap TABLE1 TABLE2                     exchange two tables' contents\n"
"  derive RULE... end-user-prefix P/L     what a MAP-E CE derives (RFC 7597\n"
"                                         5.2, 6): IPv4, PSID, ports, CE address\n"
"A table file has one item per line, as above; # starts a comment. The\n"
"first br-address is the table's own AFTR/BR address. The PSID offset\n"
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
		printf("%s: %zu softwires, %u rules, %u br-addresses: no error\n",
		       src_name, f.n_sw, f.n_rules, f.n_br);
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
			fail("usage: create TABLE br-address ADDR [size N]");
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
		if (!has_br)
			fail("create %s: br-address ADDR is needed (this AFTR's IPv6 address)", table);
		table_new(table, br, size, false);
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
		struct bt_file f = {};

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
		} else {
			fail("%s: softwire, rule%s expected, not \"%s\"", cmd,
			     add ? " or br-address" : "", argv[3]);
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
		struct nlmsghdr *nlh;

		if (argc != 4)
			fail("usage: swap TABLE1 TABLE2");
		check_name(argv[3]);
		nlh = req(SOFTWIRE_CMD_TABLE_SWAP, table);
		mnl_attr_put_strz(nlh, SOFTWIRE_A_NAME2, argv[3]);
		talk(nlh, NULL, NULL, false);
	} else {
		usage(stderr);
		fail("unknown command \"%s\"", cmd);
	}
	mnl_socket_close(nl);
	return 0;
}
