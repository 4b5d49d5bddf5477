#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What a router admin sees of MAP66 on the command line, with both iptables
# backends: --help, listing, ip6tables-save | ip6tables-restore round trips,
# -C/-D by rule spec, clear errors for bad input from the extension, and the
# kernel's checkentry refusing what the extension cannot know (table,
# chain, -s/-d length) and what arrives without the extension's checks.

. "$(dirname "$0")/lib.sh"

ns_add cli
ip -n cli link add dummy0 type dummy
ip -n cli link set dummy0 up

# rules_unchanged: the mangle table is what it was (a failed command
# changes nothing).
snapshot() { n cli "ip6tables-$BACKEND-save" -t mangle | grep -v '^#' | sed 's/\[[0-9:]*\]//'; }

kernel_says() {
	# The kernel's message for a refused rule, from the log.
	dmesg | grep -qE -- "$1"
}

for BACKEND in $BACKENDS; do
	T="$BACKEND:"
	out=$(n cli "ip6tables-$BACKEND" -j MAP66 --help 2>&1)
	check "$T --help shows the options and the seed's example" sh -c '
		for w in "--to PREFIX/LEN" "--src-to" "--dst-to" "--nocheck" "--keep-host" \
			"-s FD01:0203:0405::/48" "-j MAP66 --to 2001:0DB8:0001::/48"; do
			printf "%s\n" "$1" | grep -qF -- "$w" || { echo "missing: $w"; exit 1; }
		done' _ "$out"

	n cli "ip6tables-$BACKEND" -t mangle -F
	before=$(snapshot)
	expect_fail "$T prefix without a length is refused" "ADDRESS/LENGTH" \
		n cli "ip6tables-$BACKEND" -t mangle -A POSTROUTING -j MAP66 --to 2001:db8:1::
	expect_fail "$T malformed address is refused" 'is not an IPv6 address' \
		n cli "ip6tables-$BACKEND" -t mangle -A POSTROUTING -j MAP66 --to 2001:db8:zz::/48
	expect_fail "$T length 129 is refused" 'length must be 1 to 128' \
		n cli "ip6tables-$BACKEND" -t mangle -A POSTROUTING -j MAP66 --to 2001:db8:1::/129
	expect_fail "$T host bits set are refused, with the prefix meant" \
		'has bits set after the first 48; did you mean 2001:db8:1::/48' \
		n cli "ip6tables-$BACKEND" -t mangle -A POSTROUTING -j MAP66 --to 2001:db8:1::1/48
	expect_fail "$T no prefix at all is refused" 'say where to map' \
		n cli "ip6tables-$BACKEND" -t mangle -A POSTROUTING -j MAP66 --nocheck
	expect_fail "$T --to with --src-to is refused" 'together|cannot' \
		n cli "ip6tables-$BACKEND" -t mangle -A POSTROUTING -j MAP66 --to 2001:db8:1::/48 --src-to 2001:db8:2::/48

	# What only the kernel knows: table, chain, and (legacy) the -s length.
	dmesg -C
	expect_fail "$T the filter table is refused" '.' \
		n cli "ip6tables-$BACKEND" -t filter -A FORWARD -j MAP66 --src-to 2001:db8:1::/48
	check "$T ... and the kernel says why" kernel_says 'MAP66 works in the mangle and raw tables, not in filter'
	dmesg -C
	expect_fail "$T --to in FORWARD is refused" '.' \
		n cli "ip6tables-$BACKEND" -t mangle -A FORWARD -j MAP66 --to 2001:db8:1::/48
	check "$T ... and the kernel says to use --src-to or --dst-to" kernel_says 'say --src-to or --dst-to'
	if [ "$BACKEND" = legacy ]; then
		dmesg -C
		expect_fail "$T -s /56 mapped to a /48 is refused" '.' \
			n cli ip6tables-legacy -t mangle -A POSTROUTING -s fd01:203:405::/56 -j MAP66 --to 2001:db8:1::/48
		check "$T ... and the kernel says the lengths must agree" kernel_says 'matches a /56 but maps to a /48'
	fi
	expect_eq "$T refused commands changed nothing" "$before" "$(snapshot)"

	# Round trip: save, flush, restore, save again.
	n cli "ip6tables-$BACKEND" -t mangle -A POSTROUTING -o dummy0 -s FD01:0203:0405::/48 -j MAP66 --to 2001:0DB8:0001::/48
	n cli "ip6tables-$BACKEND" -t mangle -A PREROUTING -i dummy0 -d 2001:db8:1::/48 -j MAP66 --to fd01:203:405::/48 --nocheck
	n cli "ip6tables-$BACKEND" -t mangle -A FORWARD -s fd02:1::/32 -j MAP66 --src-to 2001:db8::/32 --keep-host
	n cli "ip6tables-$BACKEND" -t mangle -A FORWARD -d 2001:db8:ff::/120 -j MAP66 --dst-to fd03::100/120 --nocheck --keep-host
	n cli "ip6tables-$BACKEND" -t raw -A PREROUTING -i dummy0 -d 2001:db8:1::/48 -j MAP66 --to fd01:203:405::/48
	saved=$(n cli "ip6tables-$BACKEND-save" | grep -v '^#' | sed 's/\[[0-9:]*\]//')
	check "$T save shows the canonical prefix" sh -c \
		'printf "%s\n" "$1" | grep -qF -- "-j MAP66 --to 2001:db8:1::/48"' _ "$saved"
	check "$T save shows every option" sh -c \
		'printf "%s\n" "$1" | grep -qF -- "-j MAP66 --dst-to fd03::100/120 --nocheck --keep-host"' _ "$saved"
	n cli "ip6tables-$BACKEND" -t mangle -F; n cli "ip6tables-$BACKEND" -t raw -F
	printf '%s\n' "$saved" | n cli "ip6tables-$BACKEND-restore"
	expect_eq "$T ip6tables-restore of the saved rules saves identically" "$saved" \
		"$(n cli "ip6tables-$BACKEND-save" | grep -v '^#' | sed 's/\[[0-9:]*\]//')"
	check "$T -L shows the mapping" sh -c \
		'ip netns exec cli ip6tables-'"$BACKEND"' -t mangle -L POSTROUTING -n | grep -q "MAP66 .*to 2001:db8:1::/48"'
	check "$T -C finds a rule by its spec" n cli "ip6tables-$BACKEND" -t mangle -C FORWARD -s fd02:1::/32 -j MAP66 --src-to 2001:db8::/32 --keep-host
	# iptables-legacy 1.8.9 compares no target data in -C (MARK and SNPT
	# alike), so only the nft backend can tell mappings apart there.
	[ "$BACKEND" = nft ] && expect_fail "$T -C tells a different mapping apart" 'Bad rule|does a matching rule exist' \
		n cli "ip6tables-$BACKEND" -t mangle -C FORWARD -s fd02:1::/32 -j MAP66 --src-to 2001:db8::/32
	check "$T -D deletes a rule by its spec" n cli "ip6tables-$BACKEND" -t mangle -D FORWARD -s fd02:1::/32 -j MAP66 --src-to 2001:db8::/32 --keep-host
	n cli "ip6tables-$BACKEND" -t mangle -F; n cli "ip6tables-$BACKEND" -t raw -F
done

# Rules that bypass the extension's checks (a build of it without them)
# must still be refused by the kernel, with a message and no warning.
gcc -shared -fPIC -DMAP66_UNCHECKED -I"$REPO/include/uapi" -I"$REPO/kernel" -I"$REPO/lib" \
	-o "$TMP/libxt_MAP66.so" "$REPO/lib/prefix_parse.c" \
	"$REPO/xt_ext/libxt_MAP66.c" "$REPO/kernel/map66_core.c"
for BACKEND in $BACKENDS; do
	dmesg -C
	expect_fail "$BACKEND: kernel refuses host bits set" '.' env XTABLES_LIBDIR="$TMP:$XTABLES_LIBDIR" \
		ip netns exec cli "ip6tables-$BACKEND" -t mangle -A POSTROUTING -j MAP66 --to 2001:db8:1::1/48
	check "$BACKEND: ... saying so" kernel_says 'has bits set after the prefix length'
	dmesg -C
	expect_fail "$BACKEND: kernel refuses length 0" '.' env XTABLES_LIBDIR="$TMP:$XTABLES_LIBDIR" \
		ip netns exec cli "ip6tables-$BACKEND" -t mangle -A POSTROUTING -j MAP66 --to ::/0
	check "$BACKEND: ... saying so" kernel_says 'prefix length 0 is not in 1..128'
done

finish
