#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The B4's after-SNAT hook (kernel/softwire_after_snat.c): where it is
# registered, which packets it takes, and that conntrack helpers work
# through it. The seed's B4 (tests/lw4o6_b4.sh) against Linux's ip4ip6
# tunnel as the AFTR:
#
#   [client] 10.0.0.2 --lan-- [b4: SNAT 192.0.2.1:4096-8191 + LW4O6]
#        --wan (IPv6 only)-- [aftr: ip4ip6 tunnel] -- [server] 198.51.100.1
#
# Checked: the hook exists only in a namespace with a B4 rule, and goes
# with its last rule; it runs after a later nftables postrouting chain
# (priority 200: its counter and its drop apply); a copy of a marked packet (TEE) is not encapsulated
# but goes where TEE sends it, while the original is; active-mode FTP with
# nf_conntrack_ftp and nf_nat_ftp: the PORT command leaves rewritten to the
# shared address, the server's data connection comes back through the
# softwire into the port set, and the control connection survives the
# sequence shift of each rewrite; a packet queued to userspace (NFQUEUE)
# between the mark and the hook while its rule is deleted is dropped and
# counted, not sent.

. "$(dirname "$0")/lib.sh"

modprobe nf_conntrack_ftp 2>/dev/null
modprobe nf_nat_ftp 2>/dev/null
modprobe xt_TEE 2>/dev/null
modprobe xt_CT 2>/dev/null
modprobe xt_NFQUEUE 2>/dev/null
modprobe nfnetlink_queue 2>/dev/null

b4_topology
ip -n aftr route add 192.0.2.1/32 dev sw	# the softwire's shared address
IPT="iptables-legacy"

# Where the hook runs: a kprobe on it counts its calls (Debian's kernel
# cannot list a namespace's hooks: no CONFIG_NETFILTER_NETLINK_HOOK).
TRACE=/sys/kernel/tracing
[ -e $TRACE/kprobe_events ] || mount -t tracefs nodev $TRACE
check "a kprobe counts the after-SNAT hook's calls" sh -c \
	"echo 'p:xtsw_after_snat after_snat_hook' >>$TRACE/kprobe_events &&
	 echo 1 >$TRACE/events/kprobes/xtsw_after_snat/enable"
trap 'echo 0 >$TRACE/events/kprobes/xtsw_after_snat/enable 2>/dev/null
	echo "-:xtsw_after_snat" >>$TRACE/kprobe_events 2>/dev/null; cleanup' EXIT
hook_calls() { awk '$1 == "xtsw_after_snat" { print $2 }' $TRACE/kprobe_profile; }
# IPv4 packets through POSTROUTING in namespace $1: pings to its own lan.
local_ipv4() { n "$1" ping -c 3 -i 0.2 -W 1 "$2" >/dev/null 2>&1; }

c0=$(hook_calls)
local_ipv4 b4 10.0.0.2
expect_eq "no after-SNAT hook runs in a namespace without B4 rules" "$c0" "$(hook_calls)"
lw4o6_b4_rules legacy
n b4 $IPT -t mangle -A POSTROUTING -o wan -p udp --dport 9 -j LW4O6 --b4 $B4 --aftr $AFTR
c1=$(hook_calls)
local_ipv4 server 198.51.100.254
expect_eq "B4 rules in one namespace: the hook does not run in another" "$c1" "$(hook_calls)"
local_ipv4 b4 10.0.0.2
check "... and runs in theirs ($c1 calls, then $(hook_calls))" test "$(hook_calls)" -gt "$c1"
n b4 $IPT -t mangle -D POSTROUTING -o wan -p udp --dport 9 -j LW4O6 --b4 $B4 --aftr $AFTR
settle
check "one of two rules deleted: the other works, ping through the B4" \
	n client ping -c 2 -i 0.3 -W 3 $SERVER4

# A copy made after the mark inherits skb->cb: TEE, after the LW4O6 rule,
# sends a copy of each UDP datagram to 10.0.0.2 on the lan. The copy must
# go there as it is; only the original is encapsulated.
n b4 $IPT -t mangle -A POSTROUTING -o wan -p udp --dport 5003 -j TEE --gateway 10.0.0.2
capture_start b4 wan "$TMP/tee-wan.pcap" "ip6"
wan_pid=$CAPTURE_PID
capture_start client eth0 "$TMP/tee-lan.pcap" \
	"udp port 5003 and ether src $(ip -n b4 -br link show lan | awk '{print $3}')"
for i in 1 2 3; do n client $PKT send-udp4 $SERVER4 5003; done
capture_stop
CAPTURE_PID=$wan_pid CAPTURE_FILE="$TMP/tee-wan.pcap" capture_stop
$PKT dump4 "$TMP/tee-wan.pcap" >"$TMP/tee-wan"
expect_eq "TEE: each original is encapsulated once (3 on the wan)" 3 \
	"$(grep -c "^$B4 > $AFTR 4in6: 192.0.2.1 > $SERVER4 UDP [0-9]* > 5003 " "$TMP/tee-wan")"
expect_eq "TEE: each copy reaches its gateway as plain IPv4 (3 on the lan)" 3 \
	"$(tcpdump -r "$TMP/tee-lan.pcap" -n 2>/dev/null | grep -c "IP 10.0.0.2.[0-9]* > $SERVER4.5003: UDP")"
n b4 $IPT -t mangle -D POSTROUTING -o wan -p udp --dport 5003 -j TEE --gateway 10.0.0.2

# A later nftables postrouting chain (priority 200, after srcnat) still
# sees the B4's IPv4 packets before they leave IPv4: its counter counts
# them (NATed to 192.0.2.1), its drop keeps one port off the wan. Before
# issue 19 the hook ran at srcnat + 1 and stole them first.
n b4 nft -f - <<'NFT'
table ip late {
	chain post {
		type filter hook postrouting priority 200;
		ip saddr 192.0.2.1 udp dport 5005 counter
		udp dport 5006 counter drop
	}
}
NFT
late_count() { n b4 nft list chain ip late post | awk -v p="dport $1" '$0 ~ p { for (i = 1; i < NF; i++) if ($i == "packets") print $(i + 1) }'; }
capture_start b4 wan "$TMP/late.pcap" "ip6"
for i in 1 2 3; do n client $PKT send-udp4 $SERVER4 5005; n client $PKT send-udp4 $SERVER4 5006; done
capture_stop
$PKT dump4 "$TMP/late.pcap" >"$TMP/late"
expect_eq "an nft postrouting chain at priority 200 counts the B4's packets, NATed (3)" 3 "$(late_count 5005)"
expect_eq "... and they are encapsulated after it (3 on the wan)" 3 \
	"$(grep -c "^$B4 > $AFTR 4in6: 192.0.2.1 > $SERVER4 UDP [0-9]* > 5005 " "$TMP/late")"
expect_eq "its drop applies: 3 counted, none of them on the wan" "3 0" \
	"$(late_count 5006) $(grep -c ' > 5006 ' "$TMP/late")"
n b4 nft delete table ip late

# Active FTP: the client offers a data port with PORT 10,0,0,2,...; the
# helper must rewrite it to 192,0,2,1 (one byte longer: every later command
# needs the sequence adjustment) and expect the server's connection back.
# The client's data port (5000) is in the port set and nf_nat_ftp keeps it.
mkdir -p "$TMP/ftp"
head -c 300000 /dev/urandom >"$TMP/ftp/file.bin"
want=$(sha256sum <"$TMP/ftp/file.bin" | cut -d' ' -f1)
n server /usr/bin/python3 -m pyftpdlib -i $SERVER4 -p 21 -d "$TMP/ftp" >"$TMP/ftpd.log" 2>&1 &
BG_PIDS+=($!)
listening server 21 tcp
n b4 $IPT -t raw -A PREROUTING -i lan -p tcp --dport 21 -j CT --helper ftp
capture_start b4 wan "$TMP/ftp.pcap" "ip6 and not icmp6"
out=$(n client /usr/bin/python3 "$REPO/tests/ftp_active.py" $SERVER4 file.bin 5000 2 2>&1)
rc=$?
capture_stop
printf '%s\n' "$out" | sed 's/^/    # /'
expect_eq "active FTP through the B4 with nf_nat_ftp: two RETR and NOOP after them" 0 "$rc"
expect_eq "both copies arrived intact" "$want $want" \
	"$(printf '%s\n' "$out" | sed -n 's/.*sha256 //p' | paste -sd' ')"
tcpdump -r "$TMP/ftp.pcap" -n -A 2>/dev/null >"$TMP/ftp.ascii"
check "the PORT commands left rewritten to the shared address, none as they were" \
	test "$(grep -c 'PORT 192,0,2,1,19,136' "$TMP/ftp.ascii")" -ge 2 -a \
	"$(grep -c 'PORT 10,0,0,2' "$TMP/ftp.ascii")" = 0
$PKT dump4 "$TMP/ftp.pcap" >"$TMP/ftp4"
check "the data connections came in through the softwire to 192.0.2.1:5000" \
	grep -q "^$AFTR > $B4 4in6: $SERVER4 > 192.0.2.1 TCP [0-9]* > 5000 " "$TMP/ftp4"
check "and their answers left encapsulated, from 192.0.2.1:5000" \
	grep -q "^$B4 > $AFTR 4in6: 192.0.2.1 > $SERVER4 TCP 5000 > " "$TMP/ftp4"
ctrl=$(grep "^$B4 > $AFTR 4in6: 192.0.2.1 > $SERVER4 TCP [0-9]* > 21 " "$TMP/ftp4" | awk '{print $9}' | sort -u)
check "the control connection left from one port of the set ($ctrl)" \
	test "$(echo "$ctrl" | wc -l)" = 1 -a "$ctrl" -ge 4096 -a "$ctrl" -le 8191
expect_eq "nothing left the wan unencapsulated" "" \
	"$(grep -vE "^($B4 > $AFTR|$AFTR > $B4) 4in6: " "$TMP/ftp4" | grep -v ' > ff02::' | head -n 3)"

# A packet queued to userspace (NFQUEUE) between the mark and the hook,
# while the rule that marked it is deleted: when it comes back, its rule id
# finds nothing, and it is dropped and counted, never sent (another B4 rule
# keeps the hook). The old design kept a pointer to the rule's data here.
n b4 $IPT -t mangle -A POSTROUTING -o wan -p udp --dport 9 -j LW4O6 --b4 $B4 --aftr $AFTR
n b4 $IPT -t mangle -A POSTROUTING -o wan -p udp --dport 5004 -j NFQUEUE --queue-num 3
n b4 /usr/bin/python3 "$REPO/tests/nfq_hold.py" 3 "$TMP/nfq.ready" "$TMP/nfq.go" >"$TMP/nfq.log" 2>&1 &
nfq=$!
BG_PIDS+=($nfq)
wait_file() { for _ in $(seq 100); do [ -e "$1" ] && return 0; sleep 0.1; done; return 1; }
check "a program holds NFQUEUE 3" wait_file "$TMP/nfq.ready.bound"
capture_start b4 wan "$TMP/nfq.pcap" "ip or ip6"
gone=$(lw4o6_stat b4 encap_dropped_rule_gone)
n client $PKT send-udp4 $SERVER4 5004
check "the marked packet sits in the queue" wait_file "$TMP/nfq.ready"
n b4 $IPT -t mangle -D POSTROUTING -o wan -j LW4O6 --b4 $B4 --aftr $AFTR --b4-ipv4 192.0.2.1 --psid 1/4 --psid-offset 0
touch "$TMP/nfq.go"
wait $nfq
capture_stop
expect_eq "requeued after its rule was deleted: dropped and counted" $((gone + 1)) \
	"$(lw4o6_stat b4 encap_dropped_rule_gone)"
expect_eq "requeued after its rule was deleted: nothing of it on the wan" 0 \
	"$($PKT dump4 "$TMP/nfq.pcap" | grep -c ' 5004 ')"

# The last B4 rule takes the hook with it.
n b4 $IPT -t mangle -F
c2=$(hook_calls)
local_ipv4 b4 10.0.0.2
expect_eq "with the last B4 rule deleted, the hook is gone" "$c2" "$(hook_calls)"

finish
