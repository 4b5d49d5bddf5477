// SPDX-License-Identifier: GPL-2.0
/*
 * Options shared by the softwire targets' extensions: softwire_xt.h.
 */
#include <arpa/inet.h>
#include <string.h>
#include <xtables.h>

#include "prefix_parse.h"
#include "softwire_xt.h"

void softwire_xt_eu_prefix(const char *target, const char *arg,
			   struct in6_addr *prefix, unsigned int *len)
{
	const char *len_str;
	enum prefix_error e;

	e = prefix_parse(arg, AF_INET6, prefix, len, 1, 64, &len_str);
	if (e == PREFIX_NO_SLASH)
		xtables_error(PARAMETER_PROBLEM,
			      "%s: --end-user-prefix \"%s\": write PREFIX/LENGTH, e.g. 2001:db8:12:3400::/56",
			      target, arg);
	if (e == PREFIX_BAD_ADDRESS)
		xtables_error(PARAMETER_PROBLEM,
			      "%s: --end-user-prefix \"%s\": \"%.*s\" is not an IPv6 address",
			      target, arg, (int)(len_str - arg - 1), arg);
	/* Bits past the length are the CE's to ignore (RFC 7597 section 6). */
	if (e != PREFIX_OK && e != PREFIX_HOST_BITS)
		xtables_error(PARAMETER_PROBLEM,
			      "%s: --end-user-prefix \"%s\": an IPv6 prefix of length 1 to 64 is needed",
			      target, arg);
}

void softwire_xt_table_name(const char *target, const char *arg, char *field,
			    size_t size)
{
	size_t n = strlen(arg);

	if (!n || n >= size)
		xtables_error(PARAMETER_PROBLEM,
			      "%s: --binding-table \"%s\": a table name has 1 to %zu characters",
			      target, arg, size - 1);
	memset(field, 0, size);
	memcpy(field, arg, n);
}
