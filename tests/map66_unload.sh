#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Module unload under traffic: while packets stream through MAP66 rules the
# module cannot be removed (the rules hold it); once the rules are flushed,
# with the traffic still flowing, it unloads cleanly, and loads again. The
# suite then checks the kernel log for any warning.

. "$(dirname "$0")/lib.sh"

map66_topology
ip -n out route add fd01:203:405::/48 via 2001:db8:0:1::1
settle

for BACKEND in $BACKENDS; do
	n gw "ip6tables-$BACKEND" -t mangle -A POSTROUTING -o eth0 -s fd01:203:405::/48 -j MAP66 --to 2001:db8:1::/48
	n gw "ip6tables-$BACKEND" -t mangle -A PREROUTING -i eth0 -d 2001:db8:1::/48 -j MAP66 --to fd01:203:405::/48
	# A stream of pings for the whole test, both ways through the rules.
	n in ping -6 -i 0.01 -w 12 -q 2001:db8:0:1::2 >"$TMP/ping" 2>&1 &
	pinger=$!
	sleep 2
	expect_fail "$BACKEND: the module stays while rules use it" 'in use' rmmod xt_MAP66
	n gw "ip6tables-$BACKEND" -t mangle -F
	sleep 0.5
	# (nft_compat drops its reference after an RCU grace period)
	check "$BACKEND: with the rules flushed, it unloads under traffic" \
		sh -c 'for i in 1 2 3 4 5 6; do rmmod xt_MAP66 2>/dev/null && exit 0; sleep 0.5; done; rmmod xt_MAP66' 
	sleep 1
	check "$BACKEND: and loads again" insmod "$REPO/kernel/xt_MAP66.ko"
	wait $pinger
	check "$BACKEND: the traffic flowed throughout" grep -qE ' [1-9][0-9]* received' "$TMP/ping"
done

finish
