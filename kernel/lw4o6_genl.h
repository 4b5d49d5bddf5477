/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The generic netlink interface of the LW4O6 binding tables, shared by the
 * kernel module (kernel/lw4o6_bt.c) and the control tool (tools/lw4o6ctl.c).
 *
 * A binding table lives in one network namespace and has a name. It holds
 *  - the AFTR/BR IPv6 addresses of this box (the first is the table's own,
 *    softwires may name another one),
 *  - softwires (lw4o6, RFC 7596 section 6): IPv4 address + PSID -> B4 IPv6
 *    address; all softwires of one IPv4 address share a PSID length and
 *    offset (RFC 7597 section 5.1),
 *  - MAP rules (MAP-E, RFC 7597 section 5): IPv6 prefix, IPv4 prefix,
 *    EA-bits length, PSID offset; a CE's address follows from them.
 *
 * Loading a whole table atomically is done as ipset does it: fill a new
 * table, then SWAP it with the live one (one pointer exchange under RCU)
 * and delete the new name, which now holds the old contents.
 */
#ifndef LW4O6_GENL_H
#define LW4O6_GENL_H

#define LW4O6_GENL_NAME		"LW4O6"
#define LW4O6_GENL_VERSION	1
#define LW4O6_TABLE_NAME_LEN	16	/* with the NUL */
#define LW4O6_MAX_AFTRS		16	/* AFTR addresses per table */
#define LW4O6_MAX_RULES		64	/* MAP rules per table */

enum lw4o6_cmd {
	LW4O6_CMD_UNSPEC,
	LW4O6_CMD_TABLE_NEW,	/* NAME, AFTR, SIZE (expected softwires) */
	LW4O6_CMD_TABLE_DEL,	/* NAME; refused while a rule uses it */
	LW4O6_CMD_TABLE_GET,	/* dump, or NAME: NAME AFTR... COUNTS STATS */
	LW4O6_CMD_TABLE_SWAP,	/* NAME, NAME2: exchange the contents */
	LW4O6_CMD_SW_ADD,	/* NAME, SOFTWIRES { SOFTWIRE {...} ... } */
	LW4O6_CMD_SW_DEL,	/* NAME, SOFTWIRES { SOFTWIRE {IPV4 PSID} } */
	LW4O6_CMD_SW_GET,	/* dump NAME: SOFTWIRE messages */
	LW4O6_CMD_RULE_ADD,	/* NAME, RULE {...} */
	LW4O6_CMD_RULE_DEL,	/* NAME, RULE {...} */
	LW4O6_CMD_AFTR_ADD,	/* NAME, AFTR */
	__LW4O6_CMD_MAX
};
#define LW4O6_CMD_MAX (__LW4O6_CMD_MAX - 1)

enum lw4o6_attr {
	LW4O6_A_UNSPEC,
	LW4O6_A_NAME,		/* string */
	LW4O6_A_NAME2,		/* string: the other table of a swap */
	LW4O6_A_AFTR,		/* binary in6_addr; repeated in TABLE_GET */
	LW4O6_A_SIZE,		/* u32: softwires expected (hash sizing) */
	LW4O6_A_SOFTWIRES,	/* nested: SOFTWIRE... */
	LW4O6_A_SOFTWIRE,	/* nested: LW4O6_SW_A_* */
	LW4O6_A_RULE,		/* nested: LW4O6_RULE_A_* */
	LW4O6_A_N_SOFTWIRES,	/* u32 */
	LW4O6_A_N_ADDRESSES,	/* u32: distinct IPv4 addresses */
	LW4O6_A_N_RULES,	/* u32 */
	LW4O6_A_REFS,		/* u32: rules (iptables) using the table */
	LW4O6_A_STATS,		/* nested: u64 per LW4O6_BT_STAT_* (attr = stat + 1) */
	LW4O6_A_MEMORY,		/* u64: bytes held by the table (approximate) */
	LW4O6_A_PAD,
	__LW4O6_A_MAX
};
#define LW4O6_A_MAX (__LW4O6_A_MAX - 1)

enum lw4o6_sw_attr {
	LW4O6_SW_A_UNSPEC,
	LW4O6_SW_A_IPV4,	/* be32 */
	LW4O6_SW_A_PSID,	/* u16 */
	LW4O6_SW_A_PSID_LEN,	/* u8, 0..16 */
	LW4O6_SW_A_PSID_OFFSET,	/* u8, 0..16 */
	LW4O6_SW_A_B4,		/* binary in6_addr */
	LW4O6_SW_A_AFTR,	/* binary in6_addr, optional: else the table's */
	__LW4O6_SW_A_MAX
};
#define LW4O6_SW_A_MAX (__LW4O6_SW_A_MAX - 1)

enum lw4o6_rule_attr {
	LW4O6_RULE_A_UNSPEC,
	LW4O6_RULE_A_IPV6_PREFIX,	/* binary in6_addr */
	LW4O6_RULE_A_IPV6_LEN,		/* u8 */
	LW4O6_RULE_A_IPV4_PREFIX,	/* be32 */
	LW4O6_RULE_A_IPV4_LEN,		/* u8 */
	LW4O6_RULE_A_EA_LEN,		/* u8 */
	LW4O6_RULE_A_PSID_OFFSET,	/* u8 */
	__LW4O6_RULE_A_MAX
};
#define LW4O6_RULE_A_MAX (__LW4O6_RULE_A_MAX - 1)

/* Per-table counters, in LW4O6_A_STATS (attribute type = index + 1). */
enum lw4o6_bt_stat {
	LW4O6_BT_STAT_ENCAPSULATED,	/* IPv4 in, sent to a B4/CE */
	LW4O6_BT_STAT_DECAPSULATED,	/* from a B4/CE, IPv4 passed on */
	LW4O6_BT_STAT_HAIRPINNED,	/* B4 to B4 without leaving the box */
	LW4O6_BT_STAT_UNBOUND,		/* IPv4 in for no softwire: dropped */
	LW4O6_BT_STAT_SPOOFED,		/* from the wrong B4: dropped */
	/*
	 * ICMPv4/ICMPv6 errors for the above, as requested from icmp_send()
	 * and icmpv6_send(): both return void, and their rate limiters
	 * (icmp_global_allow(), the per-destination inet_peer bucket, the
	 * ratemask) are the kernel's own, so what they let through is not
	 * known here without private copies of them. The kernel counts what
	 * it sent in its ICMP MIBs (OutMsgs, nstat).
	 */
	LW4O6_BT_STAT_ICMP_REQUESTED,
	LW4O6_BT_STAT_NO_PORT,		/* from a shared address, no port to
					 * check (later fragment): dropped */
	LW4O6_BT_STAT_ICMP_POLICY,	/* ICMPv4 in, dropped by --drop-icmp */
	__LW4O6_BT_STAT_MAX
};

#define LW4O6_BT_STAT_NAMES {		\
	"encapsulated",			\
	"decapsulated",			\
	"hairpinned",			\
	"dropped_unbound",		\
	"dropped_spoofed",		\
	"icmp_errors_requested",	\
	"dropped_no_port",		\
	"dropped_icmp_policy",		\
}

#endif /* LW4O6_GENL_H */
