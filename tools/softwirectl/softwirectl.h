/* SPDX-License-Identifier: GPL-2.0 */
/*
 * softwirectl: the softwire tables (LW4O6 AFTR/BR binding tables, MAP
 * rules, the MAPT translator's lines) over generic netlink. Its units:
 *   file.c          table file lines (br-address, softwire, rule, and the
 *                   translator's: dmr, eam, lowest-ipv6-mtu,
 *                   udp-zero-checksum, icmp-source-ipv4, icmp-source-ipv6)
 *   netlink.c       netlink transport (libmnl) and the requests
 *   softwirectl.c   the commands and main
 */
#ifndef SOFTWIRECTL_H
#define SOFTWIRECTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "psid_core.h"
#include "softwire_genl.h"

/* ---- what a table file holds (file.c) ---- */

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

/* An Explicit Address Mapping line (RFC 7757). */
struct eam_line {
	uint8_t ip4[4];
	uint8_t ip4_len;
	uint8_t ip6[16];
	uint8_t ip6_len;
	unsigned int line;
};

/*
 * The translator's lines of a table (MAPT), as a file gives them or the
 * kernel reports them (then present, and has_mtu, has_udp only for values
 * other than the defaults: what is left after a del may be no block).
 * The EAMs are malloc'd (up to SOFTWIRE_MAX_EAMS): start from a zeroed
 * struct, end with xlat_free(), copy none by assignment.
 */
struct xlat_lines {
	bool present;			/* the kernel has a block */
	bool has_dmr, has_mtu, has_udp, has_src4, has_src6;
	uint8_t dmr[16], dmr_len;
	uint16_t mtu;			/* lowest-ipv6-mtu */
	uint8_t flags;			/* SOFTWIRE_XLAT_F_* */
	uint8_t src4[4], src6[16];	/* icmp-source-ipv4, -ipv6 */
	unsigned int dmr_line, mtu_line, udp_line, src4_line, src6_line;
	struct eam_line *eam;
	unsigned int n_eam, cap_eam;
};

/* Any translator line at all? */
bool xlat_any(const struct xlat_lines *x);
/* Frees x's EAMs and clears all its lines. */
void xlat_free(struct xlat_lines *x);
/* e appended to x's EAMs; more than SOFTWIRE_MAX_EAMS fails. */
void xlat_add_eam(struct xlat_lines *x, const struct eam_line *e);
/* A translator line (w[0] one of its words): true, else false. */
bool parse_xlat_line(struct xlat_lines *x, char **w, int n);
/* Prints x as table file lines, each after indent. */
void print_xlat(const struct xlat_lines *x, const char *indent);
/* cur with the lines of change added (add) or removed (!add), checked. */
void xlat_change(struct xlat_lines *cur, const struct xlat_lines *change,
		 bool add);

struct bt_file {
	uint8_t br[SOFTWIRE_MAX_AFTRS][16];
	unsigned int n_br;
	struct sw_line *sw;
	size_t n_sw, cap_sw;
	struct rule_line rules[SOFTWIRE_MAX_RULES];
	unsigned int n_rules;
	struct xlat_lines xlat;
};

/* Where the line being read comes from, for messages. */
extern const char *src_name;
extern unsigned int src_line;

/* Prints "softwirectl: [FILE:LINE: ]message", deletes the temporary table
 * of a failed load (cleanup_table), exits 1.
 */
void __attribute__((noreturn, format(printf, 1, 2))) fail(const char *fmt, ...);
extern const char *cleanup_table;

unsigned long parse_num(const char *key, const char *s, unsigned long max);
void parse_ip6(const char *key, const char *s, uint8_t a[16]);
void parse_prefix(const char *key, const char *s, int af, uint8_t *a,
		  uint8_t *len);
void parse_softwire(char **w, int n, struct sw_line *sw, bool key_only);
void parse_rule(char **w, int n, struct rule_line *rl);
/*
 * A whole table file (whole: it must name the table's own address, unless
 * it is a translator's: translator lines or rules, no softwires).
 */
void read_file(const char *path, struct bt_file *f, bool whole);
/* The same from an open stream, name for messages (a fuzzer's memory). */
void read_stream(FILE *in, const char *name, struct bt_file *f, bool whole);
/*
 * Called by fail(): an error while read_file reads a line comes after one
 * of an EAM before that line (mapped twice), which is checked only then.
 */
void read_fail_first(void);
/* Frees what read_file allocated; f is empty again. */
void bt_file_free(struct bt_file *f);

/* ---- netlink (netlink.c) ---- */

struct nlmsghdr;
struct nlattr;
typedef int (*msg_cb)(const struct nlmsghdr *nlh, void *data);

/* Finds the SOFTWIRE family (which loads xt_LW4O6), or fails. */
void nl_open(void);
void nl_close(void);
/* A request of the family for table (or none), with NLM_F_ACK (+ flags). */
struct nlmsghdr *req(uint8_t cmd, const char *table, uint16_t flags);
/*
 * Sends a request and reads until its ACK or DONE, passing each message to
 * cb. A kernel error fails with its reason (and, for softwires, the line
 * they came from), or returns -1 with errno set if may_fail.
 */
int talk(struct nlmsghdr *nlh, msg_cb cb, void *data, bool may_fail);

void send_softwires(const char *table, uint8_t cmd, const struct sw_line *sw,
		    size_t n, bool key_only);
void send_rule(const char *table, uint8_t cmd, const struct rule_line *rl);
void send_file(const char *table, const struct bt_file *f, bool add,
	       unsigned int first_br);
void aftr_add(const char *table, const uint8_t br[16]);
/* br NULL: a table without an AFTR/BR address (a translator's). */
int table_new(const char *table, const uint8_t br[16], uint32_t size,
	      bool may_fail);
/*
 * One table's TABLE_GET reply (a malloc'd copy, to free) and its
 * translator's lines (none: all false) with every EAM (an EAM_GET dump),
 * both of the same XLAT_GEN (gen, if not NULL).
 */
struct nlmsghdr *table_get(const char *table, struct xlat_lines *x,
			   uint32_t *gen);
/* The translator's lines of a table as table_get, without the reply. */
void xlat_get(const char *table, struct xlat_lines *x, uint32_t *gen);
/* Replaces them (no line: none); gen: NULL, or what xlat_get said
 * (-1 with errno EAGAIN if they changed since).
 */
int xlat_set(const char *table, const struct xlat_lines *x,
	     const uint32_t *gen);
/*
 * The translator's lines of an XLAT nest of TABLE_GET (x's EAMs freed:
 * TABLE_GET has their number only, in n_eam if not NULL).
 */
void xlat_from_attr(const struct nlattr *nest, struct xlat_lines *x,
		    uint32_t *n_eam);
int table_del(const char *table, bool may_fail);
void table_swap(const char *table, const char *other);

#endif /* SOFTWIRECTL_H */
