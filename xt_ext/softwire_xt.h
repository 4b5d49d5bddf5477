/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Options that the softwire targets' extensions (libxt_LW4O6, libxt_SNATPSID,
 * libxt_MAPT) share, parsed the same way with the same messages. Each
 * function exits through xtables_error with a message that names the
 * target and the option when the argument is no good.
 */
#ifndef SOFTWIRE_XT_H
#define SOFTWIRE_XT_H

#include <stddef.h>
#include <netinet/in.h>

/*
 * --end-user-prefix PREFIX/LENGTH: a CE's End-user IPv6 prefix, length 1
 * to 64 (RFC 7597 section 5.2: the EA bits end at bit 64 at the latest).
 * Bits past the length are kept as given: the kernel ignores them.
 */
void softwire_xt_eu_prefix(const char *target, const char *arg,
			   struct in6_addr *prefix, unsigned int *len);

/*
 * --binding-table NAME into a field of size bytes, NUL-padded (the kernel
 * compares the whole field): 1 to size - 1 characters.
 */
void softwire_xt_table_name(const char *target, const char *arg, char *field,
			    size_t size);

#endif /* SOFTWIRE_XT_H */
