/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per network namespace counters for the softwire targets, read in
 * /proc/net/<name> as "counter value" lines. The rule counters of
 * iptables -v say what each rule saw; these say what the target did.
 */
#ifndef SOFTWIRE_STATS_H
#define SOFTWIRE_STATS_H

#include <linux/percpu.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

struct softwire_stats {
	const char *proc_name;		/* /proc/net/<proc_name> */
	const char *const *names;	/* one per counter */
	unsigned int count;
	unsigned int net_id;		/* pernet_operations.id points here */
};

/* What pernet_operations.size must be. */
struct softwire_stats_net {
	u64 __percpu *counters;
};

int softwire_stats_net_init(struct net *net, struct softwire_stats *st);
void softwire_stats_net_exit(struct net *net, struct softwire_stats *st);

/*
 * Count one event, from the packet path: the caller holds the RCU read lock
 * (netfilter hooks and targets run under it), so this is net_generic()
 * without its own rcu_read_lock()/rcu_read_unlock(), which are two calls
 * per packet with PREEMPT_RCU (Debian's kernels).
 */
static inline void softwire_count(struct net *net,
				  const struct softwire_stats *st,
				  unsigned int counter)
{
	struct softwire_stats_net *sn;

	sn = rcu_dereference(net->gen)->ptr[st->net_id];
	this_cpu_inc(sn->counters[counter]);
}

#endif /* SOFTWIRE_STATS_H */
