/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The generic netlink interface of the softwire tables (family "SOFTWIRE"):
 * the ABI shared by the kernel module (kernel/softwire_genl.c) and the
 * control tool (tools/softwirectl). The same tables serve LW4O6 (AFTR/BR
 * binding tables, MAP-E BR and CE mesh) and MAPT.
 *
 * A table lives in one network namespace and has a name. It holds
 *  - the AFTR/BR IPv6 addresses of this box (the first is the table's own,
 *    softwires may name another one),
 *  - softwires (lw4o6, RFC 7596 section 6): IPv4 address + PSID -> B4 IPv6
 *    address; all softwires of one IPv4 address share a PSID length and
 *    offset (RFC 7597 section 5.1),
 *  - MAP rules (MAP-E, RFC 7597 section 5): IPv6 prefix, IPv4 prefix,
 *    EA-bits length, PSID offset; a CE's address follows from them,
 *  - the translator's lines (MAPT: MAP-T RFC 7599, SIIT RFC 7915, 464XLAT
 *    CLAT RFC 6877): the DMR, Explicit Address Mappings (RFC 7757) and the
 *    translator's policy, in SOFTWIRE_A_XLAT, replaced as a whole.
 * A table of a translator needs no AFTR/BR address: TABLE_NEW without
 * SOFTWIRE_A_AFTR makes a table without one (softwires then need one).
 *
 * Loading a whole table atomically is done as ipset does it: fill a new
 * table, then SWAP it with the live one (one pointer exchange under RCU)
 * and delete the new name, which now holds the old contents.
 */
#ifndef SOFTWIRE_GENL_H
#define SOFTWIRE_GENL_H

#define SOFTWIRE_GENL_NAME	"SOFTWIRE"
#define SOFTWIRE_GENL_VERSION	1
#define SOFTWIRE_TABLE_NAME_LEN	16	/* with the NUL */
#define SOFTWIRE_MAX_AFTRS	16	/* AFTR addresses per table */
#define SOFTWIRE_MAX_RULES	64	/* MAP rules per table */
#define SOFTWIRE_MAX_EAMS	1048576	/* Explicit Address Mappings per table */
/*
 * EAMs in one XLAT_SET part or one EAM_GET message: what one nested
 * attribute holds (nla_len is 16 bits). More are sent in parts.
 */
#define SOFTWIRE_EAMS_PER_MSG	1024

enum softwire_cmd {
	SOFTWIRE_CMD_UNSPEC,
	SOFTWIRE_CMD_TABLE_NEW,	/* NAME, [AFTR], SIZE (expected softwires) */
	SOFTWIRE_CMD_TABLE_DEL,	/* NAME; refused while a rule uses it */
	SOFTWIRE_CMD_TABLE_GET,	/* dump, or NAME: NAME AFTR... COUNTS STATS */
	SOFTWIRE_CMD_TABLE_SWAP,	/* NAME, NAME2: exchange the contents */
	SOFTWIRE_CMD_SW_ADD,	/* NAME, SOFTWIRES { SOFTWIRE {...} ... } */
	SOFTWIRE_CMD_SW_DEL,	/* NAME, SOFTWIRES { SOFTWIRE {IPV4 PSID} } */
	SOFTWIRE_CMD_SW_GET,	/* dump NAME: SOFTWIRE messages */
	SOFTWIRE_CMD_RULE_ADD,	/* NAME, RULE {...} */
	SOFTWIRE_CMD_RULE_DEL,	/* NAME, RULE {...} */
	SOFTWIRE_CMD_AFTR_ADD,	/* NAME, AFTR */
	/*
	 * NAME, [XLAT {...}], [XLAT_GEN], [XLAT_MORE]: the translator's
	 * lines, replaced as a whole (no XLAT: none). With XLAT_GEN, only if
	 * they are still the ones TABLE_GET reported with that XLAT_GEN (else
	 * EAGAIN): a read-modify-write that loses no concurrent change.
	 *
	 * More EAMs than SOFTWIRE_EAMS_PER_MSG are sent in parts, all from
	 * one socket: the first with XLAT_MORE, the next ones with XLAT_CONT
	 * and XLAT { EAMS } alone, each but the last with XLAT_MORE. Only the
	 * last part replaces the lines, at once (XLAT_GEN, if the first part
	 * had it, is checked again then); until then packets see the old
	 * ones. A table holds one set under way: any XLAT_SET without
	 * XLAT_CONT drops it, and a part that continues none gets EAGAIN.
	 */
	SOFTWIRE_CMD_XLAT_SET,
	SOFTWIRE_CMD_EAM_GET,	/* dump NAME: XLAT_GEN, XLAT { EAMS } messages */
	__SOFTWIRE_CMD_MAX
};
#define SOFTWIRE_CMD_MAX (__SOFTWIRE_CMD_MAX - 1)

enum softwire_attr {
	SOFTWIRE_A_UNSPEC,
	SOFTWIRE_A_NAME,		/* string */
	SOFTWIRE_A_NAME2,		/* string: the other table of a swap */
	SOFTWIRE_A_AFTR,		/* binary in6_addr; repeated in TABLE_GET */
	SOFTWIRE_A_SIZE,		/* u32: softwires expected (hash sizing) */
	SOFTWIRE_A_SOFTWIRES,	/* nested: SOFTWIRE... */
	SOFTWIRE_A_SOFTWIRE,	/* nested: SOFTWIRE_SW_A_* */
	SOFTWIRE_A_RULE,		/* nested: SOFTWIRE_RULE_A_* */
	SOFTWIRE_A_N_SOFTWIRES,	/* u32 */
	SOFTWIRE_A_N_ADDRESSES,	/* u32: distinct IPv4 addresses */
	SOFTWIRE_A_N_RULES,	/* u32 */
	SOFTWIRE_A_REFS,		/* u32: rules (iptables) using the table */
	SOFTWIRE_A_STATS,		/* nested: u64 per SOFTWIRE_TABLE_STAT_* (attr = stat + 1) */
	SOFTWIRE_A_MEMORY,		/* u64: bytes held by the table (approximate) */
	SOFTWIRE_A_PAD,
	/*
	 * nested: SOFTWIRE_XLAT_A_*; absent: no translator lines. TABLE_GET
	 * reports the number of EAMs (XLAT_A_N_EAMS); EAM_GET dumps them,
	 * at most SOFTWIRE_EAMS_PER_MSG per message, each message with the
	 * XLAT_GEN of the lines it comes from.
	 */
	SOFTWIRE_A_XLAT,
	SOFTWIRE_A_XLAT_GEN,	/* u32: changes of the translator's lines */
	SOFTWIRE_A_XLAT_MORE,	/* flag: more parts of this XLAT_SET follow */
	SOFTWIRE_A_XLAT_CONT,	/* flag: this XLAT_SET part continues a set */
	__SOFTWIRE_A_MAX
};
#define SOFTWIRE_A_MAX (__SOFTWIRE_A_MAX - 1)

enum softwire_sw_attr {
	SOFTWIRE_SW_A_UNSPEC,
	SOFTWIRE_SW_A_IPV4,	/* be32 */
	SOFTWIRE_SW_A_PSID,	/* u16 */
	SOFTWIRE_SW_A_PSID_LEN,	/* u8, 0..16 */
	SOFTWIRE_SW_A_PSID_OFFSET,	/* u8, 0..16 */
	SOFTWIRE_SW_A_B4,		/* binary in6_addr */
	SOFTWIRE_SW_A_AFTR,	/* binary in6_addr, optional: else the table's */
	__SOFTWIRE_SW_A_MAX
};
#define SOFTWIRE_SW_A_MAX (__SOFTWIRE_SW_A_MAX - 1)

enum softwire_rule_attr {
	SOFTWIRE_RULE_A_UNSPEC,
	SOFTWIRE_RULE_A_IPV6_PREFIX,	/* binary in6_addr */
	SOFTWIRE_RULE_A_IPV6_LEN,		/* u8 */
	SOFTWIRE_RULE_A_IPV4_PREFIX,	/* be32 */
	SOFTWIRE_RULE_A_IPV4_LEN,		/* u8 */
	SOFTWIRE_RULE_A_EA_LEN,		/* u8 */
	SOFTWIRE_RULE_A_PSID_OFFSET,	/* u8 */
	__SOFTWIRE_RULE_A_MAX
};
#define SOFTWIRE_RULE_A_MAX (__SOFTWIRE_RULE_A_MAX - 1)

enum softwire_xlat_attr {
	SOFTWIRE_XLAT_A_UNSPEC,
	SOFTWIRE_XLAT_A_DMR_PREFIX,	/* binary in6_addr (RFC 6052 section 2.2) */
	SOFTWIRE_XLAT_A_DMR_LEN,		/* u8: 32, 40, 48, 56, 64 or 96 */
	SOFTWIRE_XLAT_A_EAMS,		/* nested: SOFTWIRE_XLAT_A_EAM... */
	SOFTWIRE_XLAT_A_EAM,		/* nested: SOFTWIRE_EAM_A_* */
	SOFTWIRE_XLAT_A_LOWEST_IPV6_MTU,	/* u16, 1280..65535 (default 1280) */
	SOFTWIRE_XLAT_A_FLAGS,		/* u8: SOFTWIRE_XLAT_F_* */
	SOFTWIRE_XLAT_A_ICMP_SRC4,	/* be32: RFC 6791 source of ICMPv4 errors */
	SOFTWIRE_XLAT_A_ICMP_SRC6,	/* binary in6_addr: the same for ICMPv6 */
	SOFTWIRE_XLAT_A_N_EAMS,		/* u32, reported only */
	__SOFTWIRE_XLAT_A_MAX
};
#define SOFTWIRE_XLAT_A_MAX (__SOFTWIRE_XLAT_A_MAX - 1)

/* udp-zero-checksum compute: IPv4 UDP with checksum 0 gets one computed
 * (RFC 7915 section 4.5); without it, such a datagram is dropped and
 * answered with ICMPv4 3/13 (drop), or not answered (drop-silent: both
 * flags are never set together).
 */
#define SOFTWIRE_XLAT_F_UDP_ZERO_COMPUTE	0x1
#define SOFTWIRE_XLAT_F_UDP_ZERO_SILENT		0x2
#define SOFTWIRE_XLAT_F_ALL		0x3

/* An Explicit Address Mapping (RFC 7757): 32 - IPV4_LEN == 128 - IPV6_LEN. */
enum softwire_eam_attr {
	SOFTWIRE_EAM_A_UNSPEC,
	SOFTWIRE_EAM_A_IPV4,		/* be32 */
	SOFTWIRE_EAM_A_IPV4_LEN,		/* u8 */
	SOFTWIRE_EAM_A_IPV6,		/* binary in6_addr */
	SOFTWIRE_EAM_A_IPV6_LEN,		/* u8 */
	__SOFTWIRE_EAM_A_MAX
};
#define SOFTWIRE_EAM_A_MAX (__SOFTWIRE_EAM_A_MAX - 1)

/* Per-table counters, in SOFTWIRE_A_STATS (attribute type = index + 1). */
enum softwire_table_stat {
	SOFTWIRE_TABLE_STAT_ENCAPSULATED,	/* IPv4 in, sent to a B4/CE */
	SOFTWIRE_TABLE_STAT_DECAPSULATED,	/* from a B4/CE, IPv4 passed on */
	SOFTWIRE_TABLE_STAT_HAIRPINNED,	/* B4 to B4 without leaving the box */
	SOFTWIRE_TABLE_STAT_UNBOUND,		/* IPv4 in for no softwire: dropped */
	SOFTWIRE_TABLE_STAT_SPOOFED,		/* from the wrong B4: dropped */
	/*
	 * ICMPv4/ICMPv6 errors for the above, as requested from icmp_send()
	 * and icmpv6_send(): both return void, and their rate limiters
	 * (icmp_global_allow(), the per-destination inet_peer bucket, the
	 * ratemask) are the kernel's own, so what they let through is not
	 * known here without private copies of them. The kernel counts what
	 * it sent in its ICMP MIBs (OutMsgs, nstat).
	 */
	SOFTWIRE_TABLE_STAT_ICMP_REQUESTED,
	SOFTWIRE_TABLE_STAT_NO_PORT,		/* from a shared address, no port to
					 * check (later fragment): dropped */
	SOFTWIRE_TABLE_STAT_ICMP_POLICY,	/* ICMPv4 in, dropped by --drop-icmp */
	SOFTWIRE_TABLE_STAT_NO_CE,		/* a CE rule's packet, the table
					 * yields no CE for its End-user
					 * prefix (any more): dropped */
	__SOFTWIRE_TABLE_STAT_MAX
};

#define SOFTWIRE_TABLE_STAT_NAMES {		\
	"encapsulated",			\
	"decapsulated",			\
	"hairpinned",			\
	"dropped_unbound",		\
	"dropped_spoofed",		\
	"icmp_errors_requested",	\
	"dropped_no_port",		\
	"dropped_icmp_policy",		\
	"dropped_no_ce",		\
}

#endif /* SOFTWIRE_GENL_H */
