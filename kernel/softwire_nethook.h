/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Netfilter hooks registered per network namespace while they have users.
 *
 * The after-SNAT hook (softwire_after_snat.c) and the hooks after conntrack
 * (softwire_flowtable.c) are only in the namespaces that have rules needing
 * them: a rule's checkentry takes a user of the hook (the first registers
 * it), its destroy gives it back (the last unregisters it). A namespace's
 * exit unregisters what is left and sets the counts to 0, so that the rules
 * destroyed after it (by the exit of their iptables table) find nothing to
 * unregister. The memory of this struct, in the user's per-namespace data,
 * lasts until every exit has run.
 */
#ifndef SOFTWIRE_NETHOOK_H
#define SOFTWIRE_NETHOOK_H

#include <linux/mutex.h>
#include <linux/netfilter.h>
#include <net/net_namespace.h>

/* Hooks of one set: up to this many (IPv4 and IPv6). */
#define SOFTWIRE_NETHOOK_MAX 2

struct softwire_nethook {
	struct mutex			lock;	/* users, (un)registering */
	const struct nf_hook_ops	*ops;	/* n of them */
	unsigned int			n;
	unsigned int			users[SOFTWIRE_NETHOOK_MAX];
	/*
	 * NULL, or called under lock when the last user of the last hook
	 * of the set goes (put, not the namespace's exit): to reset what
	 * the hooks kept, before a new first user can come.
	 */
	void				(*idle)(struct softwire_nethook *h);
};

/* From the namespace's init: the set ops[0..n) (n <= SOFTWIRE_NETHOOK_MAX). */
void softwire_nethook_init(struct softwire_nethook *h,
			   const struct nf_hook_ops *ops, unsigned int n,
			   void (*idle)(struct softwire_nethook *h));
/* checkentry: one more user of hook i, registered in net if it is the first. */
int softwire_nethook_get(struct net *net, struct softwire_nethook *h,
			 unsigned int i);
/*
 * destroy: one user less; true if that unregistered hook i (which waits
 * for the hooks running it: nf_unregister_net_hook), false if others still
 * use it or the namespace's exit came first (the caller who must be sure
 * that no hook still runs its rule then waits for RCU itself).
 */
bool softwire_nethook_put(struct net *net, struct softwire_nethook *h,
			  unsigned int i);
/* The namespace's exit: every hook of the set unregistered, users 0. */
void softwire_nethook_exit(struct net *net, struct softwire_nethook *h);

#endif /* SOFTWIRE_NETHOOK_H */
