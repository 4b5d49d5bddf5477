/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TEMPORARY: the two plain-C types of kernel/xlat_addr.h (docs/mapt-design.md,
 * "Plain-C types") that struct softwire_table_xlat holds, until xlat_addr.h
 * is on this branch. Then softwire_tables.h includes "xlat_addr.h" and this
 * file goes. Skipped when xlat_addr.h (guard XLAT_ADDR_H) came first.
 */
#ifndef SOFTWIRE_XLAT_TYPES_H
#define SOFTWIRE_XLAT_TYPES_H
#ifndef XLAT_ADDR_H

#include "psid_core.h"

struct xlat_prefix6 {
	uint8_t a[16];
	uint8_t len;		/* 0: none */
};

struct xlat_eam {
	uint32_t ip4;		/* host order */
	uint8_t ip4_len;
	uint8_t ip6[16];
	uint8_t ip6_len;
};

#endif /* XLAT_ADDR_H */
#endif /* SOFTWIRE_XLAT_TYPES_H */
