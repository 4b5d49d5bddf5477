#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The differential against Jool's SIIT (jool-dkms 4.1, RFC 7915 + RFC 7757):
# two translators configured alike, pool6/DMR 64:ff9b::/96 and the EAM
# entries 192.0.2.0/24 <-> 2001:db8:6::/120 and 203.0.113.0/24 <->
# 2001:db8:4::/120, Jool in namespace xa and ours (-j MAPT) in xb, each
# between an IPv4 side (a4, b4) and an IPv6 side (a6, b6):
#
#   [a4] eth0 --v4-- [xa: Jool SIIT] --v6-- eth0 [a6]   (IPv6 links MTU 1300)
#   [b4] eth0 --v4-- [xb: MAPT]      --v6-- eth0 [b6]
#
# tests/xlat_diff.py sends the same crafted packets through both and
# compares what comes out byte by byte: one line per case, both packets
# printed when they differ; its ALLOWED table lists the differences RFC 7915
# allows. Fragments are compared too: both translate each on its own (RFC
# 7915 sections 4.1, 5.1.1). Besides the EAMs: 203.0.113.200 is routed with
# MTU 1000 (the translator's own Packet Too Big), 2001:db8:6::3 (192.0.2.3)
# is a second IPv6 host (EAM hairpinning, RFC 7757 section 4). XTSW_MAPT_VS=jool runs Jool against Jool (the harness's own test),
# XTSW_MAPT_VS="jool ours" both.

. "$(dirname "$0")/lib.sh"

need_jool jool_siit
CTL="$REPO/tools/softwirectl/softwirectl"
VS=${XTSW_MAPT_VS:-ours}
BACKEND=${BACKENDS%% *}

# translator X: namespaces X4, xX, X6; the same addresses and MACs in each
translator() {
	local x=$1
	ns_add "${x}4"; ns_add "x$x"; ns_add "${x}6"
	link "${x}4" eth0 "x$x" v4
	link "x$x" v6 "${x}6" eth0
	ip -n "${x}4" link set eth0 address 02:00:00:00:04:02
	ip -n "x$x" link set v4 address 02:00:00:00:04:01
	ip -n "x$x" link set v6 address 02:00:00:00:06:01 mtu 1300
	ip -n "${x}6" link set eth0 address 02:00:00:00:06:02 mtu 1300
	n "${x}4" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	n "${x}6" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	ip -n "x$x" addr add 198.51.100.1/24 dev v4
	ip -n "x$x" addr add 2001:db8:6::1/64 dev v6 nodad
	ip -n "x$x" route add 203.0.113.0/24 via 198.51.100.2
	ip -n "x$x" neigh add 198.51.100.2 lladdr 02:00:00:00:04:02 dev v4 nud permanent
	ip -n "x$x" neigh add 2001:db8:6::2 lladdr 02:00:00:00:06:02 dev v6 nud permanent
	ip -n "x$x" neigh add 2001:db8:6::fe lladdr 02:00:00:00:06:02 dev v6 nud permanent
	# the hairpin cases' destination (192.0.2.3 by EAM)
	ip -n "x$x" neigh add 2001:db8:6::3 lladdr 02:00:00:00:06:02 dev v6 nud permanent
	# the packet-too-big cases: an IPv4 route with MTU 1000
	ip -n "x$x" route add 203.0.113.200/32 via 198.51.100.2 mtu 1000
	n "x$x" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	for d in "${x}4 eth0" "x$x v4" "x$x v6" "${x}6 eth0"; do no_offload $d; done
}

jool_siit_in() {
	n "$1" jool_siit instance add "$1" --netfilter --pool6 64:ff9b::/96 &&
	n "$1" jool_siit -i "$1" eamt add 192.0.2.0/24 2001:db8:6::/120 &&
	n "$1" jool_siit -i "$1" eamt add 203.0.113.0/24 2001:db8:4::/120
}

# Jool sources an ICMPv4 error from an IPv6 router it cannot map with its
# own IPv4 address; ours with the table's icmp-source-ipv4 (RFC 6791).
ours_in() {
	printf 'dmr 64:ff9b::/96\neam 192.0.2.0/24 2001:db8:6::/120\neam 203.0.113.0/24 2001:db8:4::/120\nicmp-source-ipv4 198.51.100.1\n' \
		>"$TMP/siit.txt"
	n "$1" "$CTL" load siit "$TMP/siit.txt" &&
	n "$1" "iptables-$BACKEND" -t raw -A PREROUTING -i v4 -j MAPT --binding-table siit &&
	n "$1" "ip6tables-$BACKEND" -t raw -A PREROUTING -i v6 -j MAPT --binding-table siit
}

translator a
translator b
if ! out=$(jool_siit_in xa 2>&1); then
	not_ok "Jool SIIT in xa: $out"
	finish
	exit 1
fi
for vs in $VS; do	# "jool ours" runs both, one after the other
	if [ "$vs" = jool ]; then
		setup=jool_siit_in undo="n xb jool_siit instance remove xb"
	else
		setup=ours_in undo="n xb iptables-$BACKEND -t raw -F; n xb ip6tables-$BACKEND -t raw -F"
	fi
	if ! out=$($setup xb 2>&1); then
		not_ok "$vs in xb ($BACKEND): $out"
		continue
	fi
	ok "translators set up: Jool SIIT and $vs, pool6/DMR 64:ff9b::/96, two EAM entries"
	/usr/bin/python3 "$REPO/tests/xlat_diff.py" --names "jool,$vs" ${XTSW_MAPT_CASES:+--only "$XTSW_MAPT_CASES"}
	eval "$undo"
done
# Our translator's counters that moved.
n xb awk '$2 != 0 { print "# xb " $0 }' /proc/net/xt_MAPT 2>/dev/null
# xlat_diff.py printed one ok/not ok line per case, which the suite counts.
finish >/dev/null
