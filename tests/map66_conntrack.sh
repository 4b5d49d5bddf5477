#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# MAP66 with a stateful firewall, no NOTRACK: the reverse mapping in the raw
# table's PREROUTING (before conntrack) and the forward mapping in mangle
# POSTROUTING (after conntrack recorded the inside tuple), so conntrack sees
# inside addresses both ways and --ctstate ESTABLISHED,RELATED works:
#
#   [in] fd01:203:405:1::10 --eth1-- [gw: MAP66 + stateful FORWARD] --eth0-- [out]
#
# Checked: connections from inside work and their replies are ESTABLISHED,
# an ICMPv6 error from outside is RELATED, a new connection from outside is
# dropped; and, as a control, the same rules with the reverse mapping in
# mangle PREROUTING (after conntrack) break the replies.

. "$(dirname "$0")/lib.sh"

MAPPED=2001:db8:1:d550::10

map66_topology
for l in "in eth0" "gw eth0" "out eth0"; do no_offload $l; done
n out sysctl -qw net.ipv6.icmp.ratelimit=0
settle

# firewall TABLE_FOR_REVERSE_MAPPING
firewall() {
	local ipt="ip6tables-$BACKEND"
	n gw $ipt -t raw -F; n gw $ipt -t mangle -F; n gw $ipt -F
	n gw $ipt -t "$1" -A PREROUTING -i eth0 -d 2001:db8:1::/48 -j MAP66 --to fd01:203:405::/48
	n gw $ipt -t mangle -A POSTROUTING -o eth0 -s fd01:203:405::/48 -j MAP66 --to 2001:db8:1::/48
	n gw $ipt -P FORWARD DROP
	n gw $ipt -A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
	n gw $ipt -A FORWARD -i eth1 -o eth0 -m conntrack --ctstate NEW -j ACCEPT
	n gw $ipt -A FORWARD -j DROP
}
counter() {	# packets counted by the FORWARD rule whose target is $1 [and text $2]
	n gw "ip6tables-$BACKEND" -L FORWARD -v -n -x |
		awk -v t="$1" -v pat="${2:-}" '$3 == t && $0 ~ pat { print $1 }' | tail -n 1
}
tcp_transfer() { tcp_send in out $SERVER 200000 20; }

for BACKEND in $BACKENDS; do
	T="$BACKEND:"
	firewall raw
	check "$T TCP from inside works through the stateful firewall" tcp_transfer
	established=$(counter ACCEPT ESTABLISHED)
	check "$T its replies matched --ctstate ESTABLISHED ($established packets)" test "${established:-0}" -gt 10
	udp_echo out 5002 1
	check "$T UDP exchange from inside works" n in $PKT udp-ask $SERVER 5002 hi 1
	check "$T a port unreachable from outside is RELATED and reaches the socket" \
		n in $PKT udp-refused $SERVER 9999
	dropped_before=$(counter DROP)
	check "$T a new connection from outside is dropped" \
		sh -c "! ip netns exec out timeout 5 nc -6 -z -w 2 $MAPPED 22"
	check "$T ... by the firewall's last rule" test "$(counter DROP)" -gt "${dropped_before:-0}"

	# Control: the reverse mapping after conntrack, in mangle.
	firewall mangle
	if tcp_transfer >/dev/null; then
		not_ok "$T control: with the reverse mapping in mangle, replies should not be ESTABLISHED"
	else
		ok "$T control: with the reverse mapping in mangle (after conntrack) the transfer fails"
	fi
	n gw "ip6tables-$BACKEND" -t raw -F; n gw "ip6tables-$BACKEND" -t mangle -F
	n gw "ip6tables-$BACKEND" -F; n gw "ip6tables-$BACKEND" -P FORWARD ACCEPT
done

finish
