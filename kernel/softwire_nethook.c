// SPDX-License-Identifier: GPL-2.0
/*
 * Netfilter hooks registered per network namespace while they have users:
 * see softwire_nethook.h.
 */
#include "softwire_nethook.h"

void softwire_nethook_init(struct softwire_nethook *h,
			   const struct nf_hook_ops *ops, unsigned int n,
			   void (*idle)(struct softwire_nethook *h))
{
	unsigned int i;

	WARN_ON_ONCE(n > SOFTWIRE_NETHOOK_MAX);
	mutex_init(&h->lock);
	h->ops = ops;
	h->n = min_t(unsigned int, n, SOFTWIRE_NETHOOK_MAX);
	h->idle = idle;
	for (i = 0; i < SOFTWIRE_NETHOOK_MAX; i++)
		h->users[i] = 0;
}

int softwire_nethook_get(struct net *net, struct softwire_nethook *h,
			 unsigned int i)
{
	int err = 0;

	if (WARN_ON_ONCE(i >= h->n))
		return -EINVAL;
	mutex_lock(&h->lock);
	if (!h->users[i])
		err = nf_register_net_hook(net, &h->ops[i]);
	if (!err)
		h->users[i]++;
	mutex_unlock(&h->lock);
	return err;
}

static bool softwire_nethook_unused(const struct softwire_nethook *h)
{
	unsigned int i;

	for (i = 0; i < h->n; i++)
		if (h->users[i])
			return false;
	return true;
}

bool softwire_nethook_put(struct net *net, struct softwire_nethook *h,
			  unsigned int i)
{
	bool last;

	if (WARN_ON_ONCE(i >= h->n))
		return false;
	mutex_lock(&h->lock);
	/* users is 0 if the namespace's exit came first (it unhooked). */
	last = h->users[i] && !--h->users[i];
	if (last) {
		nf_unregister_net_hook(net, &h->ops[i]);	/* waits */
		if (h->idle && softwire_nethook_unused(h))
			h->idle(h);
	}
	mutex_unlock(&h->lock);
	return last;
}

void softwire_nethook_exit(struct net *net, struct softwire_nethook *h)
{
	unsigned int i;

	mutex_lock(&h->lock);
	for (i = 0; i < h->n; i++) {
		if (h->users[i]) {
			nf_unregister_net_hook(net, &h->ops[i]);
			h->users[i] = 0;
		}
	}
	mutex_unlock(&h->lock);
}
