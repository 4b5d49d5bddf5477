#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The MAP-T demo (make demo runs it in the test VM after LW4O6; as root on
# a host with the modules loaded it runs as it is): seed 002, the Jool
# MAP-T tutorial's network and addresses, where each CE is ONE namespace
# doing NAPT (SNATPSID into its port set) and translation (MAPT) - Jool
# needs two per CE. Two clients with the same address 192.168.0.4 fetch a
# file from a web server over the IPv6-only link; shows what crossed it
# and the counters.

. "$(dirname "$0")/../tests/lib.sh"
modprobe -a tunnel6 nf_conntrack nf_defrag_ipv4 nf_defrag_ipv6 nf_nat 2>/dev/null	# xt_LW4O6 needs them (insmod does not load them)
grep -q '^xt_LW4O6 ' /proc/modules || insmod "$REPO/kernel/xt_LW4O6.ko"
CTL="$REPO/tools/softwirectl/softwirectl"

say() { printf '\n== %s\n' "$*"; }

say "Topology (seed 002)"
mapt_topology
cat <<'T'
   [c1] 192.168.0.4          [c2] 192.168.0.4
        | lan                     | lan
   [CE 11b]                  [CE 774]         one namespace each: NAPT + MAP-T
   2001:db8:6::11b           2001:db8:6::774
        | wan                     | wan
   -----+---------- IPv6 only ----+------------------
        | map
   [BR] 2001:db8:6::1, 203.0.113.1
        | inet
   [s] 203.0.113.56, a web server
T

say "The table of both CEs and of the BR: the BMR (FMR at the BR) and the DMR"
printf 'rule %s\ndmr %s\n' "$MAPT_RULE" $MAPT_DMR | tee "$TMP/seed"
for ns in ce11b ce774 br; do n $ns "$CTL" load "${ns/ce*/ce}" "$TMP/seed" >/dev/null; done
echo
echo "From its End-user prefix and the BMR, each CE derives (RFC 7597 sections 5.1, 6):"
for eup in 2001:db8:ce:11b::/64 2001:db8:ce:774::/64; do
	printf '  %-22s %s\n' $eup "$("$CTL" derive $MAPT_RULE end-user-prefix $eup | paste -sd' ' | sed 's/ psid-length.*ports/, ports/')"
done
echo "(the tutorial gives CE 774 ports 28672-30719: its own BMR gives PSID 20, 40960-43007)"

say "CE 11b: three rules, no second namespace"
mapt_ce_rules legacy ce11b 2001:db8:ce:11b::/64 ce
mapt_ce_rules legacy ce774 2001:db8:ce:774::/64 ce
{ n ce11b iptables-legacy-save; n ce11b ip6tables-legacy-save; } | grep -E 'SNATPSID|MAPT'
say "The BR: two rules"
mapt_br_rules legacy br
{ n br iptables-legacy-save; n br ip6tables-legacy-save; } | grep MAPT
settle

mkdir "$TMP/www"
head -c 1048576 /dev/urandom >"$TMP/www/file"
n s python3 -m http.server 80 --bind $MAPT_SERVER --directory "$TMP/www" >/dev/null 2>&1 &
BG_PIDS+=($!)
listening s 80 tcp

capture_start link6 p-br "$TMP/link.pcap" ip6
say "c1 and c2 fetch a 1 MiB file from http://$MAPT_SERVER/ and ping it"
for c in c1 c2; do
	printf '  %s: ' $c
	n $c curl -s -o "$TMP/got" -w '%{size_download} bytes, HTTP %{http_code}' http://$MAPT_SERVER/file
	cmp -s "$TMP/got" "$TMP/www/file" && echo ", identical to the server's file" || echo ", DIFFERENT"
	printf '  %s: ' $c
	n $c ping -c 2 -i 0.3 -W 3 $MAPT_SERVER | grep transmitted
done
capture_stop

say "What the IPv6-only link saw (source > destination, protocol, ports or echo id: packets)"
$PKT dump-l4 "$TMP/link.pcap" | grep -vE ' ICMPv6-(13[3-7]|143) ' |
	awk '{ print $1, $2, $3, $4, $5, $6, $7, $8, $9 }' | sort | uniq -c | sort -rn | head -n 10
echo
echo "CE 11b is 2001:db8:ce:11b:0:c000:208:1b (192.0.2.8, ports 55296-57343), CE 774"
echo "2001:db8:ce:774:0:c000:23b:14 (192.0.2.59, ports 40960-43007); the server is"
echo "64:ff9b::cb00:7138 (the DMR and 203.0.113.56)."

say "CE 11b's NAT bindings (conntrack): one per connection, into its port set"
n ce11b conntrack -L 2>/dev/null | sed -E 's/ +/ /g' | head -n 4
say "Counters: CE 11b, then the BR (/proc/net/xt_MAPT)"
n ce11b cat /proc/net/xt_MAPT | awk '$2 != 0' | paste -sd' ' | fold -s -w 76 | sed 's/^/  /'
n br cat /proc/net/xt_MAPT | awk '$2 != 0' | paste -sd' ' | fold -s -w 76 | sed 's/^/  /'
cleanup
