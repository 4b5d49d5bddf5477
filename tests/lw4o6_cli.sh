#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# LW4O6 on the command line, with both backends: --help in iptables and
# ip6tables, clear errors for bad input (extension) and for a wrong table or
# chain (kernel, with the reason in dmesg), save/restore round trips.

. "$(dirname "$0")/lib.sh"

ns_add cli
B="--b4 2001:db8:b4::2 --aftr 2001:db8:b4::1"
kernel_says() { dmesg | grep -qE -- "$1"; }

for BACKEND in $BACKENDS; do
	T="$BACKEND:"
	for ipt in iptables ip6tables; do
		out=$(n cli "$ipt-$BACKEND" -j LW4O6 --help 2>&1)
		check "$T $ipt -j LW4O6 --help shows the options and the seed's B4" sh -c '
			for w in "--b4 ADDRESS" "--aftr ADDRESS" "--b4-ipv4 ADDRESS" "--psid PSID/LEN" "--psid-offset" \
				"--hop-limit" "--tclass" "--flowlabel" "--binding-table NAME" "--icmp" "--end-user-prefix" \
				"--drop-icmp" "--no-hairpin" "--no-icmp-errors" \
				"SNAT --to 192.0.2.1:4096-8191" "-j LW4O6 --binding-table bt0"; do
				printf "%s\n" "$1" | grep -qF -- "$w" || { echo "missing: $w"; exit 1; }
			done' _ "$out"
	done
	I4="n cli iptables-$BACKEND -t mangle -A POSTROUTING -j LW4O6"
	I6="n cli ip6tables-$BACKEND -t mangle -A PREROUTING -j LW4O6"
	expect_fail "$T --aftr is required with --b4" '--b4 and --aftr go together' $I4 --b4 2001:db8:b4::2
	expect_fail "$T a rule says which side it is" 'say --b4 and --aftr .* or --binding-table' $I4 --hop-limit 9
	expect_fail "$T --icmp is for the AFTR" 'cannot be used together|mutually exclusive|--icmp' $I4 $B --icmp
	expect_fail "$T a flow label has 20 bits" 'flowlabel.*out of range' $I4 $B --flowlabel 1048576
	expect_fail "$T a table name has at most 15 characters" 'maximum length of 15 characters' \
		n cli "iptables-$BACKEND" -t raw -A PREROUTING -j LW4O6 --binding-table abcdefghijklmnop
	expect_fail "$T a bad address is refused" '"2001:db8::zz" is not an IPv6 address' $I4 --b4 2001:db8::zz --aftr 2001:db8:b4::1
	expect_fail "$T a multicast AFTR is refused" 'unicast' $I4 --b4 2001:db8:b4::2 --aftr ff02::1
	expect_fail "$T --psid without a length is refused" 'PSID/LENGTH' $I4 $B --psid 1
	expect_fail "$T a PSID too big for its length is refused" 'does not fit' $I4 $B --psid 16/4
	expect_fail "$T offset + length over 16 is refused" 'exceeds 16' $I4 $B --psid 1/12 --psid-offset 6
	expect_fail "$T a B4 has no ip6tables rule: its iptables rule decapsulates" \
		'a B4/CE has one rule, in iptables .*: it decapsulates too' $I6 $B --psid 1/4
	dmesg -C
	expect_fail "$T a rule naming a table that does not exist is refused" '.' \
		n cli "iptables-$BACKEND" -t raw -A PREROUTING -j LW4O6 --binding-table nosuch
	check "$T ... and the kernel says why" kernel_says 'no binding table nosuch in this network namespace'
	dmesg -C
	n cli "$REPO/tools/softwirectl/softwirectl" create bt0 br-address 2001:db8:b4::1
	expect_fail "$T an AFTR rule does not encapsulate in POSTROUTING" '.' \
		n cli "iptables-$BACKEND" -t mangle -A POSTROUTING -j LW4O6 --binding-table bt0
	check "$T ... and the kernel says where it does" kernel_says 'encapsulates in PREROUTING, FORWARD or OUTPUT' 
	expect_fail "$T --no-hairpin is for ip6tables" 'unknown option "--no-hairpin"' \
		n cli "iptables-$BACKEND" -t raw -A PREROUTING -j LW4O6 --binding-table bt0 --no-hairpin
	expect_fail "$T --drop-icmp is for iptables" 'unknown option "--drop-icmp"' \
		n cli "ip6tables-$BACKEND" -t raw -A PREROUTING -j LW4O6 --binding-table bt0 --drop-icmp
	expect_fail "$T --drop-icmp needs --binding-table" 'drop-icmp.*binding-table|binding-table.*drop-icmp|cannot be used|also' \
		$I4 $B --drop-icmp
	expect_fail "$T --psid-offset 17 is refused" 'psid-offset.*out of range \(0-16\)' $I4 $B --psid 1/4 --psid-offset 17
	expect_fail "$T --b4-ipv4 takes an IPv4 address" '"192.0.2.300" is not an IPv4 address' $I4 $B --b4-ipv4 192.0.2.300
	expect_fail "$T --b4-ipv4 is unicast" '--b4-ipv4 224.0.0.1: a unicast address is needed' $I4 $B --b4-ipv4 224.0.0.1
	expect_fail "$T --b4-ipv4 is a B4's (needs --b4)" 'b4-ipv4.*b4|also' \
		n cli "iptables-$BACKEND" -t raw -A PREROUTING -j LW4O6 --binding-table bt0 --b4-ipv4 192.0.2.1
	expect_fail "$T a CE derives its address: no --b4-ipv4 with --end-user-prefix" 'cannot be used together|mutually exclusive|--b4-ipv4' \
		$I4 --end-user-prefix 2001:db8:12:3400::/56 --binding-table bt0 --b4-ipv4 192.0.2.1

	dmesg -C
	expect_fail "$T the nat table is refused" '.' \
		n cli "iptables-$BACKEND" -t nat -A POSTROUTING -j LW4O6 $B
	check "$T ... and the kernel says why" kernel_says 'LW4O6 works in the mangle and raw tables, not in nat'
	dmesg -C
	expect_fail "$T encapsulation outside POSTROUTING is refused" '.' \
		n cli "iptables-$BACKEND" -t mangle -A PREROUTING -j LW4O6 $B
	check "$T ... and the kernel says where it belongs" kernel_says 'LW4O6.*(POSTROUTING|hook)'

	n cli "iptables-$BACKEND" -t mangle -A POSTROUTING -o wan -j LW4O6 $B --hop-limit 32
	n cli "iptables-$BACKEND" -t mangle -A POSTROUTING -o wan3 -j LW4O6 $B --psid 1/4 --psid-offset 0
	n cli "iptables-$BACKEND" -t mangle -A POSTROUTING -o wan5 -j LW4O6 $B --b4-ipv4 192.0.2.1 --psid 1/4 --psid-offset 0
	n cli "iptables-$BACKEND" -t mangle -A POSTROUTING -o wan4 -j LW4O6 $B --psid 52/8
	n cli "iptables-$BACKEND" -t mangle -A POSTROUTING -o wan2 -j LW4O6 $B --tclass 32 --flowlabel 12345 --binding-table bt0
	n cli "iptables-$BACKEND" -t raw -A PREROUTING -d 192.0.2.0/24 -j LW4O6 --binding-table bt0 --icmp --drop-icmp --hop-limit 40
	n cli "ip6tables-$BACKEND" -t raw -A PREROUTING -d 2001:db8:b4::1 -j LW4O6 --binding-table bt0 --icmp --no-hairpin
	for ipt in "iptables mangle" "iptables raw" "ip6tables mangle" "ip6tables raw"; do
		tbl=${ipt#* } ipt=${ipt% *}
		saved=$(n cli "$ipt-$BACKEND-save" -t $tbl | grep -v '^#' | sed 's/\[[0-9:]*\]//')
		n cli "$ipt-$BACKEND" -t $tbl -F
		printf '%s\n' "$saved" | n cli "$ipt-$BACKEND-restore"
		expect_eq "$T $ipt-save -t $tbl | $ipt-restore round trip" "$saved" \
			"$(n cli "$ipt-$BACKEND-save" -t $tbl | grep -v '^#' | sed 's/\[[0-9:]*\]//')"
	done
	check "$T save spells out the options" sh -c \
		"ip netns exec cli iptables-$BACKEND-save | grep -qF -- '-o wan3 -j LW4O6 --b4 2001:db8:b4::2 --aftr 2001:db8:b4::1 --psid 1/4 --psid-offset 0'"
	check "$T save spells out --b4-ipv4 after --aftr" sh -c \
		"ip netns exec cli iptables-$BACKEND-save | grep -qF -- '-o wan5 -j LW4O6 --b4 2001:db8:b4::2 --aftr 2001:db8:b4::1 --b4-ipv4 192.0.2.1 --psid 1/4 --psid-offset 0'"
	check "$T the default offset 6 is not spelled out" sh -c \
		"ip netns exec cli iptables-$BACKEND-save -t mangle | grep -qE -- '-o wan4 .*--psid 52/8\$'"
	check "$T save spells out the AFTR and CE options" sh -c "
		ip netns exec cli iptables-$BACKEND-save | grep -qF -- '-j LW4O6 --binding-table bt0 --icmp --drop-icmp --hop-limit 40' &&
		ip netns exec cli ip6tables-$BACKEND-save | grep -qF -- '-j LW4O6 --binding-table bt0 --icmp --no-hairpin' &&
		ip netns exec cli iptables-$BACKEND-save | grep -qF -- '--b4 2001:db8:b4::2 --aftr 2001:db8:b4::1 --binding-table bt0 --tclass 32 --flowlabel 12345'"
	check "$T softwirectl show counts the rules using the table (3)" sh -c \
		"ip netns exec cli $REPO/tools/softwirectl/softwirectl show bt0 | grep -q 'used by 3 iptables rules'"
	n cli "iptables-$BACKEND" -t mangle -F; n cli "ip6tables-$BACKEND" -t mangle -F
	n cli "ip6tables-$BACKEND" -t raw -F; n cli "iptables-$BACKEND" -t raw -F
	n cli "$REPO/tools/softwirectl/softwirectl" delete bt0
done

finish
