// SPDX-License-Identifier: GPL-2.0
/*
 * softwirectl: the netlink transport (libmnl: mnl_cb_run2 for replies,
 * mnl_attr_parse for attributes) and the requests that change tables.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "softwirectl.h"

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

/* One request's replies: the caller's callback, and what an error ACK
 * said (its extended ACK message and attribute offset).
 */
struct talk_ctx {
	msg_cb cb;
	void *data;
	bool error;
	const char *msg;
	unsigned int off;
};

static int data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct talk_ctx *t = data;

	return t->cb ? t->cb(nlh, t->data) : MNL_CB_OK;
}

static int ext_ack_attr_cb(const struct nlattr *a, void *data)
{
	struct talk_ctx *t = data;

	switch (mnl_attr_get_type(a)) {
	case NLMSGERR_ATTR_MSG:
		if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
			t->msg = mnl_attr_get_str(a);
		break;
	case NLMSGERR_ATTR_OFFS:
		if (mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
			t->off = mnl_attr_get_u32(a);
		break;
	}
	return MNL_CB_OK;
}

static int error_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	struct talk_ctx *t = data;
	size_t hl = sizeof(*e);

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e))) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (!e->error)
		return MNL_CB_STOP;
	t->error = true;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			hl += e->msg.nlmsg_len - sizeof(e->msg);
		mnl_attr_parse(nlh, hl, ext_ack_attr_cb, t);
	}
	errno = -e->error;
	return MNL_CB_ERROR;
}

static int done_cb(const struct nlmsghdr *nlh, void *data)
{
	return MNL_CB_STOP;
}

static int noop_cb(const struct nlmsghdr *nlh, void *data)
{
	return MNL_CB_OK;
}

static int overrun_cb(const struct nlmsghdr *nlh, void *data)
{
	errno = ENOSPC;
	return MNL_CB_ERROR;
}

/*
 * The rest of a dump that libmnl stopped reading (NLM_F_DUMP_INTR), up to
 * its DONE, read and dropped: else the next request would get it. len: the
 * bytes of rxbuf read last.
 */
static void drain(ssize_t len)
{
	const struct nlmsghdr *nlh;
	int rem;

	for (;;) {
		rem = len;
		for (nlh = (const void *)rxbuf; mnl_nlmsg_ok(nlh, rem);
		     nlh = mnl_nlmsg_next(nlh, &rem))
			if (nlh->nlmsg_seq == seq &&
			    (nlh->nlmsg_type == NLMSG_DONE ||
			     nlh->nlmsg_type == NLMSG_ERROR))
				return;
		len = mnl_socket_recvfrom(nl, rxbuf, RX_SIZE);
		if (len < 0)
			fail("netlink receive: %s", strerror(errno));
	}
}

/*
 * talk, and an error: -1 if its errno is may_fail (ANY_ERRNO: any), else
 * fail. may_fail EINTR: -1 for a dump the kernel marked NLM_F_DUMP_INTR.
 */
#define ANY_ERRNO (-1)
static int talk_errno(struct nlmsghdr *nlh, msg_cb cb, void *data, int may_fail);

int talk(struct nlmsghdr *nlh, msg_cb cb, void *data, bool may_fail)
{
	return talk_errno(nlh, cb, data, may_fail ? ANY_ERRNO : 0);
}

static int talk_errno(struct nlmsghdr *nlh, msg_cb cb, void *data, int may_fail)
{
	static mnl_cb_t ctl[NLMSG_MIN_TYPE] = {
		[NLMSG_NOOP]	= noop_cb,
		[NLMSG_ERROR]	= error_cb,
		[NLMSG_DONE]	= done_cb,
		[NLMSG_OVERRUN]	= overrun_cb,
	};
	uint32_t portid = mnl_socket_get_portid(nl);
	struct talk_ctx t = { .cb = cb, .data = data };
	unsigned int i, line = 0;
	ssize_t len;
	int ret;

	nlh->nlmsg_seq = ++seq;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		fail("netlink send: %s", strerror(errno));
	do {
		len = mnl_socket_recvfrom(nl, rxbuf, RX_SIZE);
		if (len < 0)
			fail("netlink receive: %s", strerror(errno));
		ret = mnl_cb_run2(rxbuf, len, seq, portid, data_cb, &t, ctl,
				  MNL_ARRAY_SIZE(ctl));
	} while (ret > MNL_CB_STOP);
	if (ret == MNL_CB_STOP)
		return 0;
	/* libmnl's word for a message marked NLM_F_DUMP_INTR */
	if (!t.error && errno == EINTR) {
		if (may_fail == EINTR) {
			drain(len);
			errno = EINTR;
			return -1;
		}
		fail("the table changed while it was being listed; list it again");
	}
	if (!t.error)
		fail("netlink: %s", strerror(errno));
	if (may_fail == ANY_ERRNO || (may_fail && errno == may_fail))
		return -1;
	for (i = 0; t.off && i < n_where; i++)
		if (t.off >= where[i].off)
			line = where[i].line;
	if (line)
		src_line = line;
	if (errno == ENOENT && !t.msg)
		t.msg = "no such table";
	if (t.msg)
		fail("%s (%s)", t.msg, strerror(errno));
	fail("%s", strerror(errno));
}

static int family_attr_cb(const struct nlattr *a, void *data)
{
	uint16_t *id = data;

	if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID &&
	    mnl_attr_validate(a, MNL_TYPE_U16) >= 0)
		*id = mnl_attr_get_u16(a);
	return MNL_CB_OK;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), family_attr_cb, data);
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

struct nlmsghdr *req(uint8_t cmd, const char *table, uint16_t flags)
{
	struct nlmsghdr *nlh = msg_start(family, cmd, NLM_F_ACK | flags);

	if (table)
		mnl_attr_put_strz(nlh, SOFTWIRE_A_NAME, table);
	return nlh;
}

void nl_open(void)
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
	if (talk(nlh, family_cb, &family, true) < 0 || !family)
		fail("the kernel has no softwire tables: is the xt_LW4O6 module loaded? (modprobe xt_LW4O6)");
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
void send_softwires(const char *table, uint8_t cmd,
			   const struct sw_line *sw, size_t n, bool key_only)
{
	size_t i = 0;

	while (i < n) {
		struct nlmsghdr *nlh = req(cmd, table, 0);
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

void send_rule(const char *table, uint8_t cmd, const struct rule_line *rl)
{
	struct nlmsghdr *nlh = req(cmd, table, 0);
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

void aftr_add(const char *table, const uint8_t br[16])
{
	struct nlmsghdr *nlh = req(SOFTWIRE_CMD_AFTR_ADD, table, 0);

	mnl_attr_put(nlh, SOFTWIRE_A_AFTR, 16, br);
	talk(nlh, NULL, NULL, false);
}

/* A file's items added to (br-addresses from first_br on) or removed from
 * (br-addresses stay) a table: rules first, then softwires, in batches.
 */
void send_file(const char *table, const struct bt_file *f, bool add,
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

int table_new(const char *table, const uint8_t br[16], uint32_t size,
		     bool may_fail)
{
	struct nlmsghdr *nlh = req(SOFTWIRE_CMD_TABLE_NEW, table, 0);

	if (br)
		mnl_attr_put(nlh, SOFTWIRE_A_AFTR, 16, br);
	mnl_attr_put_u32(nlh, SOFTWIRE_A_SIZE, size);
	return talk(nlh, NULL, NULL, may_fail);
}

int table_del(const char *table, bool may_fail)
{
	return talk(req(SOFTWIRE_CMD_TABLE_DEL, table, 0), NULL, NULL, may_fail);
}

void table_swap(const char *table, const char *other)
{
	struct nlmsghdr *nlh = req(SOFTWIRE_CMD_TABLE_SWAP, table, 0);

	mnl_attr_put_strz(nlh, SOFTWIRE_A_NAME2, other);
	talk(nlh, NULL, NULL, false);
}

/* ---- the translator's lines ---- */

static void put_flag(struct nlmsghdr *nlh, uint16_t type)
{
	mnl_attr_put(nlh, type, 0, "");
}

/*
 * x's lines in an XLAT nest: its fields (unless cont, a part that
 * continues a set), and its EAMs from first on, n of them.
 */
static void put_xlat(struct nlmsghdr *nlh, const struct xlat_lines *x,
		     bool cont, unsigned int first, unsigned int n)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, SOFTWIRE_A_XLAT), *eams;
	unsigned int i;

	if (x->has_dmr && !cont) {
		mnl_attr_put(nlh, SOFTWIRE_XLAT_A_DMR_PREFIX, 16, x->dmr);
		mnl_attr_put_u8(nlh, SOFTWIRE_XLAT_A_DMR_LEN, x->dmr_len);
	}
	if (x->has_mtu && !cont)
		mnl_attr_put_u16(nlh, SOFTWIRE_XLAT_A_LOWEST_IPV6_MTU, x->mtu);
	if (!cont)
		mnl_attr_put_u8(nlh, SOFTWIRE_XLAT_A_FLAGS, x->flags);
	if (x->has_src4 && !cont)
		mnl_attr_put(nlh, SOFTWIRE_XLAT_A_ICMP_SRC4, 4, x->src4);
	if (x->has_src6 && !cont)
		mnl_attr_put(nlh, SOFTWIRE_XLAT_A_ICMP_SRC6, 16, x->src6);
	if (n) {
		eams = mnl_attr_nest_start(nlh, SOFTWIRE_XLAT_A_EAMS);
		for (i = first; i < first + n; i++) {
			const struct eam_line *el = &x->eam[i];
			struct nlattr *e = mnl_attr_nest_start(nlh, SOFTWIRE_XLAT_A_EAM);

			if (el->line && n_where < sizeof(where) / sizeof(where[0])) {
				where[n_where].off = (char *)e - (char *)nlh;
				where[n_where++].line = el->line;
			}
			mnl_attr_put(nlh, SOFTWIRE_EAM_A_IPV4, 4, el->ip4);
			mnl_attr_put_u8(nlh, SOFTWIRE_EAM_A_IPV4_LEN, el->ip4_len);
			mnl_attr_put(nlh, SOFTWIRE_EAM_A_IPV6, 16, el->ip6);
			mnl_attr_put_u8(nlh, SOFTWIRE_EAM_A_IPV6_LEN, el->ip6_len);
			mnl_attr_nest_end(nlh, e);
		}
		mnl_attr_nest_end(nlh, eams);
	}
	mnl_attr_nest_end(nlh, nest);
}

/*
 * One XLAT_SET, or more EAMs than one nest holds in parts: the first with
 * the fields (and gen), each but the last with XLAT_MORE, the next ones
 * with XLAT_CONT. The kernel publishes them with the last part only.
 */
int xlat_set(const char *table, const struct xlat_lines *x, const uint32_t *gen)
{
	unsigned int first = 0, n;
	struct nlmsghdr *nlh;
	int ret;

	do {
		nlh = req(SOFTWIRE_CMD_XLAT_SET, table, 0);
		n = x->n_eam - first;
		if (n > SOFTWIRE_EAMS_PER_MSG)
			n = SOFTWIRE_EAMS_PER_MSG;
		if (first)
			put_flag(nlh, SOFTWIRE_A_XLAT_CONT);
		if (xlat_any(x))
			put_xlat(nlh, x, first != 0, first, n);
		if (gen && !first)
			mnl_attr_put_u32(nlh, SOFTWIRE_A_XLAT_GEN, *gen);
		if (first + n < x->n_eam)
			put_flag(nlh, SOFTWIRE_A_XLAT_MORE);
		/* Any part: EAGAIN if the lines changed, or another set
		 * replaced this one under way.
		 */
		ret = talk_errno(nlh, NULL, NULL, gen ? EAGAIN : 0);
		n_where = 0;
		if (ret)
			return ret;
		first += n;
	} while (first < x->n_eam);
	return 0;
}

static int eam_cb(const struct nlattr *a, void *data)
{
	struct eam_line *e = data;

	switch (mnl_attr_get_type(a)) {
	case SOFTWIRE_EAM_A_IPV4:
		if (mnl_attr_validate2(a, MNL_TYPE_BINARY, 4) >= 0)
			memcpy(e->ip4, mnl_attr_get_payload(a), 4);
		break;
	case SOFTWIRE_EAM_A_IPV4_LEN:
		if (mnl_attr_validate(a, MNL_TYPE_U8) >= 0)
			e->ip4_len = mnl_attr_get_u8(a);
		break;
	case SOFTWIRE_EAM_A_IPV6:
		if (mnl_attr_validate2(a, MNL_TYPE_BINARY, 16) >= 0)
			memcpy(e->ip6, mnl_attr_get_payload(a), 16);
		break;
	case SOFTWIRE_EAM_A_IPV6_LEN:
		if (mnl_attr_validate(a, MNL_TYPE_U8) >= 0)
			e->ip6_len = mnl_attr_get_u8(a);
		break;
	}
	return MNL_CB_OK;
}

struct xlat_parse {
	struct xlat_lines *x;
	uint32_t *n_eam;
};

static int xlat_cb(const struct nlattr *a, void *data)
{
	const struct xlat_parse *p = data;
	struct xlat_lines *x = p->x;

	switch (mnl_attr_get_type(a)) {
	case SOFTWIRE_XLAT_A_DMR_PREFIX:
		if (mnl_attr_validate2(a, MNL_TYPE_BINARY, 16) >= 0)
			memcpy(x->dmr, mnl_attr_get_payload(a), 16);
		break;
	case SOFTWIRE_XLAT_A_DMR_LEN:
		if (mnl_attr_validate(a, MNL_TYPE_U8) >= 0) {
			x->dmr_len = mnl_attr_get_u8(a);
			x->has_dmr = true;
		}
		break;
	case SOFTWIRE_XLAT_A_LOWEST_IPV6_MTU:
		if (mnl_attr_validate(a, MNL_TYPE_U16) >= 0) {
			x->mtu = mnl_attr_get_u16(a);
			x->has_mtu = x->mtu != 1280;
		}
		break;
	case SOFTWIRE_XLAT_A_FLAGS:
		if (mnl_attr_validate(a, MNL_TYPE_U8) >= 0) {
			x->flags = mnl_attr_get_u8(a);
			x->has_udp = x->flags != 0;
		}
		break;
	case SOFTWIRE_XLAT_A_ICMP_SRC4:
		if (mnl_attr_validate2(a, MNL_TYPE_BINARY, 4) >= 0) {
			memcpy(x->src4, mnl_attr_get_payload(a), 4);
			x->has_src4 = true;
		}
		break;
	case SOFTWIRE_XLAT_A_ICMP_SRC6:
		if (mnl_attr_validate2(a, MNL_TYPE_BINARY, 16) >= 0) {
			memcpy(x->src6, mnl_attr_get_payload(a), 16);
			x->has_src6 = true;
		}
		break;
	case SOFTWIRE_XLAT_A_N_EAMS:
		if (mnl_attr_validate(a, MNL_TYPE_U32) >= 0 && p->n_eam)
			*p->n_eam = mnl_attr_get_u32(a);
		break;
	}
	return MNL_CB_OK;
}

void xlat_from_attr(const struct nlattr *nest, struct xlat_lines *x,
		    uint32_t *n_eam)
{
	struct xlat_parse p = { x, n_eam };

	xlat_free(x);
	x->present = true;
	mnl_attr_parse_nested(nest, xlat_cb, &p);
}

/* A table_get: what TABLE_GET said, then what EAM_GET gave. */
struct table_get_ctx {
	struct xlat_lines *x;
	struct nlmsghdr *msg;		/* the TABLE_GET reply, copied */
	uint32_t gen, n_eam;		/* TABLE_GET's */
	uint32_t seen;			/* EAMs in the EAM_GET messages */
	bool stale;			/* one of them of other lines */
};

static int table_get_attr_cb(const struct nlattr *a, void *data)
{
	struct table_get_ctx *c = data;

	if (mnl_attr_get_type(a) == SOFTWIRE_A_XLAT &&
	    mnl_attr_validate(a, MNL_TYPE_NESTED) >= 0)
		xlat_from_attr(a, c->x, &c->n_eam);
	if (mnl_attr_get_type(a) == SOFTWIRE_A_XLAT_GEN &&
	    mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
		c->gen = mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

static int table_get_cb(const struct nlmsghdr *nlh, void *data)
{
	struct table_get_ctx *c = data;

	free(c->msg);
	c->msg = malloc(nlh->nlmsg_len);
	if (!c->msg)
		fail("out of memory");
	memcpy(c->msg, nlh, nlh->nlmsg_len);
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), table_get_attr_cb, data);
}

static int eams_cb(const struct nlattr *a, void *data)
{
	struct table_get_ctx *c = data;
	struct eam_line e = {};

	if (mnl_attr_get_type(a) != SOFTWIRE_XLAT_A_EAM ||
	    mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
		return MNL_CB_OK;
	/* More than TABLE_GET said: other lines (kept out of x). */
	if (++c->seen > c->n_eam) {
		c->stale = true;
		return MNL_CB_OK;
	}
	mnl_attr_parse_nested(a, eam_cb, &e);
	xlat_add_eam(c->x, &e);
	return MNL_CB_OK;
}

static int eam_xlat_cb(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == SOFTWIRE_XLAT_A_EAMS &&
	    mnl_attr_validate(a, MNL_TYPE_NESTED) >= 0)
		mnl_attr_parse_nested(a, eams_cb, data);
	return MNL_CB_OK;
}

static int eam_get_attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	unsigned int type = mnl_attr_get_type(a);

	if ((type == SOFTWIRE_A_XLAT_GEN &&
	     mnl_attr_validate(a, MNL_TYPE_U32) >= 0) ||
	    (type == SOFTWIRE_A_XLAT &&
	     mnl_attr_validate(a, MNL_TYPE_NESTED) >= 0))
		tb[type] = a;
	return MNL_CB_OK;
}

/* One EAM_GET message: its EAMs, if they are of TABLE_GET's lines. */
static int eam_get_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[SOFTWIRE_A_MAX + 1] = {};
	struct table_get_ctx *c = data;

	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), eam_get_attr_cb, tb);
	if (!tb[SOFTWIRE_A_XLAT_GEN] ||
	    mnl_attr_get_u32(tb[SOFTWIRE_A_XLAT_GEN]) != c->gen)
		c->stale = true;
	if (!c->stale && tb[SOFTWIRE_A_XLAT])
		mnl_attr_parse_nested(tb[SOFTWIRE_A_XLAT], eam_xlat_cb, c);
	return MNL_CB_OK;
}

/*
 * TABLE_GET has the number of EAMs and the XLAT_GEN; an EAM_GET dump the
 * EAMs, each message with its XLAT_GEN. A change in between (another
 * XLAT_GEN, NLM_F_DUMP_INTR, another number) reads both again.
 */
struct nlmsghdr *table_get(const char *table, struct xlat_lines *x,
			   uint32_t *gen)
{
	struct table_get_ctx c = { .x = x };
	int tries;

	for (tries = 0; tries < 10; tries++) {
		xlat_free(x);
		c.gen = c.n_eam = c.seen = 0;
		c.stale = false;
		talk(req(SOFTWIRE_CMD_TABLE_GET, table, 0), table_get_cb, &c, false);
		if (!c.msg)
			fail("%s: the kernel sent no table", table);
		if (c.n_eam > SOFTWIRE_MAX_EAMS)
			fail("%s: %u eams, more than the %d this softwirectl takes",
			     table, c.n_eam, SOFTWIRE_MAX_EAMS);
		if (c.n_eam &&
		    talk_errno(req(SOFTWIRE_CMD_EAM_GET, table, NLM_F_DUMP),
			       eam_get_cb, &c, EINTR) < 0)
			continue;
		if (!c.stale && c.seen == c.n_eam) {
			if (gen)
				*gen = c.gen;
			return c.msg;
		}
	}
	fail("the translator's lines of %s changed each time they were read (%d times): try again",
	     table, tries);
}

void xlat_get(const char *table, struct xlat_lines *x, uint32_t *gen)
{
	free(table_get(table, x, gen));
}

void nl_close(void)
{
	mnl_socket_close(nl);
}
