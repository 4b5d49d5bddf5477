#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Differential test against the kernel's own ip6t_NPT (SNPT/DNPT): for
# random prefix pairs of lengths /1 to /64 (all that NPT accepts) and
# random addresses in them, the packets MAP66 forwards must be byte for
# byte those NPT forwards.
#
#   [src] --eth1-- [gw: SNPT/DNPT, then MAP66] --eth0-- [dst: capture]
#
# The same packets cross the gateway twice, once under an NPT rule set and
# once under the MAP66 one (same prefixes, same order); the two captures
# are compared packet by packet. Addresses whose carrier word is 0xffff
# are left out: there the RFC and MAP66 refuse the checksum-neutral
# rewrite while NPT maps irreversibly (see kernel/map66_core.c).

. "$(dirname "$0")/lib.sh"

ns_add src; ns_add gw; ns_add dst
link src eth0 gw eth1
link gw eth0 dst eth0
ip -n src addr add fd00:1::2/64 dev eth0
ip -n src route add default via fd00:1::1
ip -n gw addr add fd00:1::1/64 dev eth1
ip -n gw addr add fd00:2::1/64 dev eth0
ip -n gw route add default via fd00:2::2
n gw sysctl -qw net.ipv6.conf.all.forwarding=1
ip -n dst addr add fd00:2::2/64 dev eth0
ip -n dst route add default via fd00:2::1
for ns in src gw dst; do n $ns ethtool -K eth0 tx off >/dev/null; done
settle

SEED=${XTSW_SEED:-$RANDOM}
echo "# seed $SEED (XTSW_SEED=$SEED to repeat)"
$PKT npt-plan "$TMP" --seed "$SEED" --configs 48 --packets 6
# Let the gateway learn its neighbours before the captured runs.
n src ping -6 -c 1 -W 2 fd00:2::2 >/dev/null

run() {
	local rules=$1 cap=$2
	n gw ip6tables-legacy -t mangle -F
	n gw ip6tables-legacy -t mangle -X
	if ! n gw ip6tables-legacy-restore <"$rules"; then
		not_ok "load $(basename "$rules")"
		return 1
	fi
	capture_start dst eth0 "$cap" "udp" || return 1
	n src $PKT send-file "$TMP/packets.hex"
	capture_stop
}

run "$TMP/npt.rules" "$TMP/npt.pcap" && run "$TMP/map66.rules" "$TMP/map66.pcap"
want=$(wc -l <"$TMP/packets.hex")
expect_eq "every packet crossed under NPT" "$want" "$($PKT dump "$TMP/npt.pcap" | wc -l)"
check "MAP66 and ip6t_NPT forward identical bytes" $PKT diff "$TMP/npt.pcap" "$TMP/map66.pcap"
check "and the packets carry valid checksums" $PKT check "$TMP/map66.pcap" --min "$want"
expect_eq "every rule set hit: SNPT and DNPT rules all counted packets" 0 \
	"$(n gw ip6tables-legacy -t mangle -L -v -n -x | awk '$3 == "MAP66" && $1 == 0' | wc -l)"
n gw ip6tables-legacy -t mangle -F
n gw ip6tables-legacy -t mangle -X

finish
