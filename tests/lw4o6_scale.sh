#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# One million softwires: load time, memory per softwire, and lookups that
# find the right B4. Only what cannot flake is checked: every lookup right,
# bytes per softwire, load time within an order of magnitude of the ~10 s
# measured (make check holds no throughput threshold: the AFTR's rates with
# 1, 10 000 and 1M softwires, the load's parse and kernel shares and how
# long other generic netlink requests wait meanwhile are measured by make
# bench, tests/bench/run.sh).
#
#   [gen] g0 --veth-- i0 [aftr: LW4O6 --binding-table] -> d0 (dummy)
#
# The big table: 16384 addresses 100.64.0.0/18, each shared by 64 softwires
# (PSID length 6, offset 6: ports 1024-65535 in sets of 1008), B4
# 2001:db8:I:P::1 for address number I and PSID P.

. "$(dirname "$0")/lib.sh"

CTL="$REPO/tools/softwirectl/softwirectl"
AFTR_ADDR=$SINK_AFTR

aftr_sink_topology	# the B4s behind one next hop, not on-link: see lib.sh

echo "br-address $AFTR_ADDR" >"$TMP/one"
echo "softwire ipv4 100.64.0.1 psid 5/6 b4-ipv6 2001:db8:0:5::1" >>"$TMP/one"
start=$(date +%s.%N)
awk -v aftr=$AFTR_ADDR 'BEGIN {
	print "br-address " aftr
	for (i = 0; i < 16384; i++)
		for (p = 0; p < 64; p++)
			printf "softwire ipv4 100.64.%d.%d psid %d/6 b4-ipv6 2001:db8:%x:%x::1\n",
				int(i / 256), i % 256, p, i, p
}' >"$TMP/million"
echo "# generated $(grep -c '^softwire' "$TMP/million") softwire lines in $(echo "$(date +%s.%N) - $start" | bc) s"

mem_avail() { awk '/^MemAvailable/ { print $2 * 1024 }' /proc/meminfo; }
before=$(mem_avail)
start=$(date +%s.%N)
out=$(n aftr "$CTL" load big "$TMP/million")
secs=$(echo "$(date +%s.%N) - $start" | bc)
echo "# $out"
echo "# load of 1M softwires: $secs s"
check "1M softwires load within an order of magnitude of 10 s (in $secs s, emulated CPU)" \
	test "$(echo "$secs < 100" | bc)" = 1
expect_eq "the table holds 1048576 softwires on 16384 addresses" "1048576 16384" \
	"$(n aftr "$CTL" show big | awk '$1 == "softwires" { print $2, $4 }')"
expect_eq "softwirectl show (every table, one dump) tells it too, with its count" "big 1048576" \
	"$(n aftr "$CTL" show | awk '$1 == "table" { t = $2 } $1 == "softwires" && t == "big" { print t, $2 }')"
after=$(mem_avail)
per_kernel=$(n aftr "$CTL" show big | awk '$1 == "memory" { print $2 / 1048576 }')
per_avail=$(( (before - after) / 1048576 ))
echo "# memory per softwire: $per_kernel bytes (the table's own account), $per_avail bytes (MemAvailable before and after)"
check "memory per softwire is reported and under 128 bytes ($per_kernel; MemAvailable says $per_avail)" \
	test "${per_kernel%.*}" -gt 0 -a "${per_kernel%.*}" -lt 128

# Lookups in the big table find the right B4: packets to five random
# bound ports, captured as they leave encapsulated.
n aftr iptables-legacy -t raw -A PREROUTING -i i0 -j LW4O6 --binding-table big
settle
capture_start aftr d0 "$TMP/d0.pcap" "ip6"
expected=""
for k in 1 2 3 4 5; do
	i=$((RANDOM % 16384)) port=$((1024 + RANDOM % 64512))
	psid=$(( (port >> 4) & 63 ))
	dst=100.64.$((i / 256)).$((i % 256))
	n gen $PKT send-udp4 $dst $port
	b4=$(python3 -c "import ipaddress; print(ipaddress.ip_address('2001:db8:%x:%x::1' % ($i, $psid)))")
	expected="$expected$AFTR_ADDR > $b4 4in6: 198.18.0.2 > $dst UDP 4242 > $port|"
done
capture_stop
expect_eq "lookups in 1M softwires: each packet goes to the B4 of (address, PSID of port)" "$expected" \
	"$($PKT dump4 "$TMP/d0.pcap" | sed 's/ len .*//' | paste -sd'|')|"

n aftr iptables-legacy -t raw -F	# a table in use cannot be deleted
start=$(date +%s.%N)
check "deleting the 1M table" n aftr "$CTL" delete big
echo "# delete: $(echo "$(date +%s.%N) - $start" | bc) s"

finish
