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
			for w in "--b4 ADDRESS" "--aftr ADDRESS" "--psid PSID/LEN" "--psid-offset" \
				"--hop-limit" "SNAT --to 192.0.2.1:4096-8191"; do
				printf "%s\n" "$1" | grep -qF -- "$w" || { echo "missing: $w"; exit 1; }
			done' _ "$out"
	done
	I4="n cli iptables-$BACKEND -t mangle -A POSTROUTING -j LW4O6"
	I6="n cli ip6tables-$BACKEND -t mangle -A PREROUTING -j LW4O6"
	expect_fail "$T --aftr is required" 'aftr.*must be specified|must be specified.*aftr' $I4 --b4 2001:db8:b4::2
	expect_fail "$T a bad address is refused" '"2001:db8::zz" is not an IPv6 address' $I4 --b4 2001:db8::zz --aftr 2001:db8:b4::1
	expect_fail "$T a multicast AFTR is refused" 'unicast' $I4 --b4 2001:db8:b4::2 --aftr ff02::1
	expect_fail "$T --psid without a length is refused" 'PSID/LENGTH' $I6 $B --psid 1
	expect_fail "$T a PSID too big for its length is refused" 'does not fit' $I6 $B --psid 16/4
	expect_fail "$T offset + length over 16 is refused" 'exceeds 16' $I6 $B --psid 1/12 --psid-offset 6
	expect_fail "$T --psid is not an encapsulation option" 'unknown option "--psid"' $I4 $B --psid 1/4
	expect_fail "$T --hop-limit is not a decapsulation option" 'unknown option "--hop-limit"' $I6 $B --hop-limit 9
	expect_fail "$T --psid-offset 17 is refused" 'psid-offset.*out of range \(0-16\)' $I6 $B --psid 1/4 --psid-offset 17

	dmesg -C
	expect_fail "$T the nat table is refused" '.' \
		n cli "iptables-$BACKEND" -t nat -A POSTROUTING -j LW4O6 $B
	check "$T ... and the kernel says why" kernel_says 'LW4O6 works in the mangle and raw tables, not in nat'
	dmesg -C
	expect_fail "$T encapsulation outside POSTROUTING is refused" '.' \
		n cli "iptables-$BACKEND" -t mangle -A PREROUTING -j LW4O6 $B
	check "$T ... and the kernel says where it belongs" kernel_says 'LW4O6.*(POSTROUTING|hook)'

	n cli "iptables-$BACKEND" -t mangle -A POSTROUTING -o wan -j LW4O6 $B --hop-limit 32
	n cli "ip6tables-$BACKEND" -t mangle -A PREROUTING -i wan -j LW4O6 $B --psid 1/4 --psid-offset 0
	n cli "ip6tables-$BACKEND" -t raw -A PREROUTING -i wan -j LW4O6 $B --psid 52/8
	for ipt in "iptables mangle" "ip6tables mangle" "ip6tables raw"; do
		tbl=${ipt#* } ipt=${ipt% *}
		saved=$(n cli "$ipt-$BACKEND-save" -t $tbl | grep -v '^#' | sed 's/\[[0-9:]*\]//')
		n cli "$ipt-$BACKEND" -t $tbl -F
		printf '%s\n' "$saved" | n cli "$ipt-$BACKEND-restore"
		expect_eq "$T $ipt-save -t $tbl | $ipt-restore round trip" "$saved" \
			"$(n cli "$ipt-$BACKEND-save" -t $tbl | grep -v '^#' | sed 's/\[[0-9:]*\]//')"
	done
	check "$T save spells out the options" sh -c \
		"ip netns exec cli ip6tables-$BACKEND-save | grep -qF -- '-j LW4O6 --b4 2001:db8:b4::2 --aftr 2001:db8:b4::1 --psid 1/4 --psid-offset 0'"
	check "$T the default offset 6 is not spelled out" sh -c \
		"ip netns exec cli ip6tables-$BACKEND-save -t raw | grep -qE -- '--psid 52/8\$'"
	n cli "iptables-$BACKEND" -t mangle -F; n cli "ip6tables-$BACKEND" -t mangle -F
	n cli "ip6tables-$BACKEND" -t raw -F
done

finish
