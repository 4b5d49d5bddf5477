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

int talk(struct nlmsghdr *nlh, msg_cb cb, void *data, bool may_fail)
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
	if (!t.error && errno == EINTR)
		fail("the table changed while it was being listed; list it again");
	if (!t.error)
		fail("netlink: %s", strerror(errno));
	if (may_fail)
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

void nl_close(void)
{
	mnl_socket_close(nl);
}
