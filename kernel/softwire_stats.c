// SPDX-License-Identifier: GPL-2.0
/* Per network namespace counters of the softwire targets, in /proc/net. */
#include <linux/proc_fs.h>
#include <linux/seq_file.h>

#include "softwire_stats.h"

static int softwire_stats_show(struct seq_file *seq, void *v)
{
	const struct softwire_stats *st = pde_data(file_inode(seq->file));
	struct softwire_stats_net *sn = net_generic(seq_file_single_net(seq),
						    st->net_id);
	unsigned int i;
	int cpu;

	for (i = 0; i < st->count; i++) {
		u64 sum = 0;

		for_each_possible_cpu(cpu)
			sum += per_cpu(sn->counters[i], cpu);
		seq_printf(seq, "%s %llu\n", st->names[i], sum);
	}
	return 0;
}

int softwire_stats_net_init(struct net *net, struct softwire_stats *st)
{
	struct softwire_stats_net *sn = net_generic(net, st->net_id);

	sn->counters = __alloc_percpu(st->count * sizeof(u64), __alignof__(u64));
	if (!sn->counters)
		return -ENOMEM;
	if (!proc_create_net_single(st->proc_name, 0444, net->proc_net,
				    softwire_stats_show, st)) {
		free_percpu(sn->counters);
		return -ENOMEM;
	}
	return 0;
}

void softwire_stats_net_exit(struct net *net, struct softwire_stats *st)
{
	struct softwire_stats_net *sn = net_generic(net, st->net_id);

	remove_proc_entry(st->proc_name, net->proc_net);
	free_percpu(sn->counters);
}
