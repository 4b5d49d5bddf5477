#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The MAP66 demo (make demo runs it in the test VM; as root on a host with
# the modules loaded it runs as it is): an inside host with a ULA address,
# a MAP66 gateway and an outside server, with the seed README's two rules.
# Shows what crossed the gateway on the outside wire.

. "$(dirname "$0")/../tests/lib.sh"
grep -q '^xt_MAP66 ' /proc/modules || insmod "$REPO/kernel/xt_MAP66.ko"

say() { printf '\n== %s\n' "$*"; }

map66_topology
for l in "in eth0" "gw eth0" "out eth0"; do no_offload $l; done
n gw modprobe -q nf_flow_table_inet 2>/dev/null
settle

say "Topology"
cat <<'T'
   [inside host]  fd01:203:405:1::10
         | eth1
   [MAP66 gateway]  maps fd01:203:405::/48 <-> 2001:db8:1::/48
         | eth0
   [outside server] 2001:db8:0:1::2
T

say "Gateway rules (the seed README's, verbatim)"
n gw ip6tables-legacy -t mangle -I POSTROUTING -o eth0 -s FD01:0203:0405::/48 -j MAP66 --to 2001:0DB8:0001::/48
n gw ip6tables-legacy -t mangle -I PREROUTING -i eth0 -d 2001:0DB8:0001::/48 -j MAP66 --to FD01:0203:0405::/48
n gw ip6tables-legacy-save -t mangle | grep MAP66

capture_start out eth0 "$TMP/out.pcap"
say "ping from the inside host"
n in ping -6 -c 3 -i 0.3 2001:db8:0:1::2 | grep -E 'bytes from|transmitted'
say "TCP: 256 KiB from the inside host to the server"
tcp_send in out 2001:db8:0:1::2 262144 30 && echo "the server received all 262144 bytes intact"
say "UDP: a question and its answer"
udp_echo out 5002 1
n in $PKT udp-ask 2001:db8:0:1::2 5002 "hello from fd01:203:405:1::10" 1 && echo "answer received"
capture_stop

say "What the outside wire saw (packets per flow, checksum state)"
$PKT dump "$TMP/out.pcap" | grep -vE 'ICMPv6 len (24|32)' |
	sed -E 's/ len [0-9]+//' | sort | uniq -c | sort -rn | head -n 12
echo
if $PKT check "$TMP/out.pcap" --forbid fd01:203:405::/48 >/dev/null; then
	echo "No inside (fd01:203:405::/48) address appeared outside; every checksum is valid."
	echo "fd01:203:405:1::10 appears outside as 2001:db8:1:d550::10 (RFC 6296 arithmetic)."
else
	echo "UNEXPECTED: inside addresses or bad checksums on the outside wire:"
	$PKT check "$TMP/out.pcap" --forbid fd01:203:405::/48
fi
say "With an nftables flowtable on the gateway (software flow offload)"
n gw nft -f - <<'NFT'
table inet ft {
	flowtable f { hook ingress priority 0; devices = { eth0, eth1 }; }
	chain forward_ft { type filter hook forward priority 0; meta l4proto { tcp, udp } flow add @f; }
}
NFT
n gw nft list flowtables | grep -E 'flowtable|devices'
capture_start out eth0 "$TMP/ft.pcap"
tcp_send in out 2001:db8:0:1::2 1000000 30 && echo "the server received all 1000000 bytes intact"
capture_stop
n gw conntrack -L -p tcp 2>/dev/null | grep 5001 | sed -E 's/ +/ /g'
echo "(no [OFFLOAD]: MAP66 kept its connection off the flowtable; others are offloaded."
echo " The seed's rules map replies after conntrack, which sees two half connections:"
echo " README's stateful recipe gives one.)"
if $PKT check "$TMP/ft.pcap" --forbid fd01:203:405::/48 >/dev/null; then
	echo "Still no inside address on the outside wire, from the first packet to the last."
else
	echo "UNEXPECTED: inside addresses on the outside wire:"
	$PKT check "$TMP/ft.pcap" --forbid fd01:203:405::/48
fi
n gw grep conntrack_kept /proc/net/xt_MAP66

say "Rule counters on the gateway"
n gw ip6tables-legacy -t mangle -L -v -n | grep -E 'Chain (PRE|POST)|MAP66'
cleanup
