/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A mark that a rule puts on a packet for a hook of ours later in the same
 * netfilter traversal (the after-SNAT hook, the hook after conntrack).
 *
 * It lives at the end of skb->cb, past the IPv4 and IPv6 control blocks,
 * which other layers own too, so it is never trusted as it is: magic only
 * makes the common case (no mark) cheap; tag, a keyed hash (the key is the
 * hook's, per network namespace) of the skb and of id, is what is trusted.
 * Foreign bytes and a copy of a marked packet (TEE, pskb_copy) are never
 * taken for a mark. The kinds (magic) share the place: each is consumed
 * before the packet can meet the next.
 */
#ifndef SOFTWIRE_SKB_MARK_H
#define SOFTWIRE_SKB_MARK_H

#include <linux/ipv6.h>
#include <linux/siphash.h>
#include <linux/skbuff.h>
#include <net/ip.h>

struct softwire_skb_mark {
	u32	magic;
	u32	id;
	u64	tag;
};

static inline struct softwire_skb_mark *softwire_skb_mark(struct sk_buff *skb)
{
	BUILD_BUG_ON(sizeof(struct inet_skb_parm) +
		     sizeof(struct softwire_skb_mark) > sizeof(skb->cb));
	BUILD_BUG_ON(sizeof(struct inet6_skb_parm) +
		     sizeof(struct softwire_skb_mark) > sizeof(skb->cb));
	return (struct softwire_skb_mark *)
	       (skb->cb + sizeof(skb->cb) - sizeof(struct softwire_skb_mark));
}

/* Binds a mark to its namespace (the key), its id and this very skb. */
static inline u64 softwire_skb_mark_tag(const siphash_key_t *key,
					const struct sk_buff *skb, u32 id)
{
	return siphash_2u64((u64)(unsigned long)skb, id, key);
}

static inline void softwire_skb_mark_set(struct sk_buff *skb, u32 magic,
					 u32 id, const siphash_key_t *key)
{
	struct softwire_skb_mark *m = softwire_skb_mark(skb);

	m->magic = magic;
	m->id = id;
	m->tag = softwire_skb_mark_tag(key, skb, id);
}

/* Whether skb may carry a mark of this kind: the cheap test first. */
static inline bool softwire_skb_mark_maybe(struct sk_buff *skb, u32 magic)
{
	return softwire_skb_mark(skb)->magic == magic;
}

/*
 * A mark of this kind put on this skb with key: its id in *id, the mark
 * cleared, true. Anything else: false, and the bytes left alone.
 */
static inline bool softwire_skb_mark_take(struct sk_buff *skb, u32 magic,
					  const siphash_key_t *key, u32 *id)
{
	struct softwire_skb_mark *m = softwire_skb_mark(skb);

	if (m->magic != magic ||
	    m->tag != softwire_skb_mark_tag(key, skb, m->id))
		return false;
	*id = m->id;
	memset(m, 0, sizeof(*m));
	return true;
}

#endif /* SOFTWIRE_SKB_MARK_H */
