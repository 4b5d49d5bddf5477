#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# MAP66 end to end, with the seed README's rules verbatim:
#
#   [in] fd01:203:405:1::10 --eth1-- [gw] --eth0-- [out] 2001:db8:0:1::2
#
# The gateway maps fd01:203:405::/48 to 2001:db8:1::/48 and back. Ping, a
# TCP transfer and a UDP exchange go from inside to outside and back; the
# capture on the outside must show only the mapped prefix, valid checksums,
# and the exact address RFC 6296 arithmetic gives (fd01:203:405:1::10 ->
# 2001:db8:1:d550::10). Run with both iptables backends, with transmit
# checksum offload off (captured checksums are final, receivers verify) and
# on (CHECKSUM_PARTIAL packets), and with --keep-host (the transport
# checksum is updated instead of the host part).

. "$(dirname "$0")/lib.sh"

MAPPED=2001:db8:1:d550::10

topology() {
	map66_topology
	settle
}

seed_rules() {
	# Only this backend's rules: the other's would map first.
	n gw ip6tables-legacy -t mangle -F
	n gw ip6tables-nft -t mangle -F 2>/dev/null
	# The seed's commands, word for word.
	n gw "ip6tables-$BACKEND" -t mangle -I POSTROUTING -o eth0 -s FD01:0203:0405::/48 -j MAP66 --to 2001:0DB8:0001::/48 "$@"
	n gw "ip6tables-$BACKEND" -t mangle -I PREROUTING -i eth0 -d 2001:0DB8:0001::/48 -j MAP66 --to FD01:0203:0405::/48 "$@"
}

# traffic LABEL CHECK_ARGS...: ping, TCP and UDP through the gateway while
# capturing on the outside; then check the capture.
traffic() {
	local label=$1 cap="$TMP/out.pcap"
	shift
	capture_start out eth0 "$cap" || { not_ok "$label: capture"; return; }

	check "$label: ping inside -> outside" n in ping -6 -c 3 -i 0.2 -W 3 $SERVER

	check "$label: TCP transfer (512 KiB) arrives intact" tcp_send in out $SERVER 524288 60

	udp_echo out 5002 2
	check "$label: UDP exchange" n in $PKT udp-ask $SERVER 5002 "hello from inside" 2
	capture_stop

	check "$label: outside sees no inside address, valid checksums" \
		$PKT check "$cap" --forbid fd01:203:405::/48 --min 20 "$@"
	$PKT dump "$cap" >"$TMP/dump"
	expect_eq "$label: echo requests come from $MAPPED" 3 \
		"$(grep -c "^$MAPPED > $SERVER ICMPv6" "$TMP/dump")"
	expect_eq "$label: TCP and UDP come from $MAPPED only" 0 \
		"$(grep -E ' (TCP|UDP) ' "$TMP/dump" | grep -vcE "^($MAPPED > $SERVER|$SERVER > $MAPPED) ")" ||
		grep -E ' (TCP|UDP) ' "$TMP/dump" | head -n 3 | sed 's/^/    seen: /'
	check "$label: replies go to $MAPPED" grep -q "^$SERVER > $MAPPED TCP" "$TMP/dump"
}

topology
for BACKEND in $BACKENDS; do
	seed_rules
	no_offload in eth0; no_offload gw eth0; no_offload out eth0
	traffic "$BACKEND, tx offload off"
	expect_eq "$BACKEND: both rules counted packets" 2 \
		"$(n gw "ip6tables-$BACKEND" -t mangle -L -v -n -x | awk '/MAP66/ && $1 > 0' | wc -l)"
done

rounds=$(echo $BACKENDS | wc -w)
check "counters: the gateway counted checksum-neutral mappings ($(map66_stat gw mapped_checksum_neutral) in $rounds rounds)" \
	test "$(map66_stat gw mapped_checksum_neutral)" -gt $((200 * rounds))
expect_eq "counters: and no checksum updates at /48" 0 "$(map66_stat gw mapped_checksum_updated)"

BACKEND=legacy
n in ethtool -K eth0 tx on >/dev/null; n gw ethtool -K eth0 tx on >/dev/null
n out ethtool -K eth0 tx on >/dev/null
seed_rules
traffic "tx offload on (CHECKSUM_PARTIAL)" --allow-partial

# --keep-host: the interface identifier stays, the checksum is updated.
MAPPED=2001:db8:1:1::10
seed_rules --keep-host
no_offload in eth0; no_offload gw eth0; no_offload out eth0
traffic "--keep-host, tx offload off"
n in ethtool -K eth0 tx on >/dev/null
traffic "--keep-host, tx offload on" --allow-partial
check "counters: --keep-host counted checksum updates" \
	test "$(map66_stat gw mapped_checksum_updated)" -gt 500
n gw ip6tables-legacy -t mangle -F

finish
