#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The two Debian 12 kernels xt-softwire is built and tested for, by name,
# whatever else is installed:
#
#   primary  Debian 12's default kernel, the one linux-image-amd64 depends
#            on (6.1), installed system-wide by scripts/install-deps.sh;
#   second   Debian 12's second kernel, the one linux-image-6.12-amd64
#            depends on (6.12: Debian 13's and bookworm-backports' series),
#            extracted privately into a cache directory, never installed.
#
# Why the second kernel is not installed: a newer linux-image becomes the
# host's default boot kernel, "the newest headers in /usr/src" changes
# meaning, and dpkg fails outright when a DKMS package that does not build
# for 6.12 (jool-dkms 4.1.9) is installed. The cache holds, per release,
# the image (boot/, lib/modules/), its headers, their -common part and
# linux-kbuild, as dpkg-deb -x leaves them, with the one absolute include
# line of the headers' Makefile pointed into the cache and depmod run.
# tests/vm/init.sh bind-mounts them at their usual paths inside the VM.
#
# Usage: scripts/kernels.sh COMMAND [ARG]
#   primary | second    print that kernel's release (uname -r)
#   release NAME        NAME (primary, second or a release) as a release
#   kdir NAME           the headers directory to build modules for NAME
#   root NAME           "/" when NAME is installed system-wide, else its
#                       directory in the cache (boot/, lib/modules/, usr/)
#   vmlinuz NAME        NAME's kernel image
#   fetch NAME          download and extract NAME into the cache (root;
#                       nothing to do when it is installed or cached)
#
# Environment: XTSW_KERNEL_CACHE (default /var/cache/xt-softwire/kernels).
set -eu

CACHE=${XTSW_KERNEL_CACHE:-/var/cache/xt-softwire/kernels}
SECOND_SERIES=6.12

die() {
	echo "kernels.sh: $*" >&2
	exit 1
}

# The release a kernel meta-package depends on: "linux-image-6.1.0-56-amd64
# (= 6.1.192-2)" gives 6.1.0-56-amd64. The installed meta-package first,
# else apt's candidate.
meta_release() {
	{
		dpkg-query -W -f='${Status} ${Depends}\n' "$1" 2>/dev/null |
			sed -n 's/^install ok installed //p'
		apt-cache depends "$1" 2>/dev/null | sed -n 's/^ *Depends: //p'
	} | tr ',|' '\n\n' | sed -n 's/^ *linux-image-\([^ ]*-amd64\)\( .*\)\{0,1\}$/\1/p' |
		sed 's/-unsigned$//' | head -n 1
}

release() {
	case $1 in
	primary)
		r=$(meta_release linux-image-amd64)
		[ -n "$r" ] || die "linux-image-amd64 is neither installed nor known to apt"
		echo "$r" ;;
	second)
		r=$(meta_release "linux-image-$SECOND_SERIES-amd64")
		if [ -z "$r" ]; then
			# apt knows no candidate (offline, no lists): the newest cached one
			r=$(ls -d "$CACHE/$SECOND_SERIES".*-amd64 2>/dev/null | sed 's|.*/||' |
				sort -V | tail -n 1)
		fi
		[ -n "$r" ] || die "linux-image-$SECOND_SERIES-amd64 is unknown to apt (apt-get update?)"
		echo "$r" ;;
	*[!A-Za-z0-9._+-]* | "") die "bad kernel name '$1'" ;;
	*) echo "$1" ;;
	esac
}

installed() {
	[ -r "/boot/vmlinuz-$1" ] && [ -d "/lib/modules/$1/kernel" ]
}

cached() {
	[ -e "$CACHE/$1/.complete" ]
}

kdir() {
	for d in "/lib/modules/$1/build" "/usr/src/linux-headers-$1" \
		 "$CACHE/$1/usr/src/linux-headers-$1"; do
		[ -f "$d/Makefile" ] && { echo "$d"; return 0; }
	done
	die "no headers for $1 (make deps, or scripts/kernels.sh fetch $1 as root)"
}

root() {
	if installed "$1"; then
		echo /
	elif cached "$1"; then
		echo "$CACHE/$1"
	else
		die "kernel $1 is neither installed nor cached (scripts/kernels.sh fetch $1 as root)"
	fi
}

fetch() {
	k=$1
	if installed "$k" && [ -f "/usr/src/linux-headers-$k/Makefile" ]; then
		return 0
	fi
	cached "$k" && return 0
	[ "$(id -u)" = 0 ] || die "kernel $k is not cached; run as root: sudo $0 fetch $k"
	case $k in *-amd64) ;; *) die "only Debian's amd64 flavour is fetched, not $k" ;; esac
	abi=${k%-amd64}
	pkgs="linux-image-$k-unsigned linux-headers-$k linux-headers-$abi-common linux-kbuild-$abi"
	echo "kernels.sh: extracting $k into $CACHE/$k ($pkgs)"
	mkdir -p "$CACHE"
	tmp=$(mktemp -d "$CACHE/.fetch.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	mkdir "$tmp/debs" "$tmp/root"
	# apt's download sandbox user must be able to write there
	chown _apt "$tmp/debs" 2>/dev/null || true
	# shellcheck disable=SC2086 # a list of package names
	if ! (cd "$tmp/debs" && apt-get download -q $pkgs >/dev/null 2>&1); then
		apt-get update -q >/dev/null
		(cd "$tmp/debs" && apt-get download -q $pkgs) >/dev/null ||
			die "apt-get download $pkgs failed"
	fi
	for deb in "$tmp"/debs/*.deb; do
		dpkg-deb -x "$deb" "$tmp/root"
	done
	hdr=$tmp/root/usr/src/linux-headers-$k
	[ -f "$hdr/Makefile" ] && [ -r "$tmp/root/boot/vmlinuz-$k" ] ||
		die "the packages of $k hold no headers Makefile or no vmlinuz"
	# The headers' Makefile includes the -common one by its absolute path.
	sed -i "s|^include /usr/src/|include $CACHE/$k/usr/src/|" "$hdr/Makefile"
	grep -q "^include $CACHE/$k/usr/src/linux-headers-$abi-common/Makefile\$" "$hdr/Makefile" ||
		die "unexpected $hdr/Makefile: $(cat "$hdr/Makefile")"
	# The image package leaves modules.dep to its postinst.
	depmod -b "$tmp/root" -F "$tmp/root/boot/System.map-$k" "$k"
	rm -rf "$tmp/debs"
	touch "$tmp/root/.complete"
	rm -rf "${CACHE:?}/$k"
	mv "$tmp/root" "$CACHE/$k"
	rm -rf "$tmp"
	trap - EXIT
}

cmd=${1:-}
case $cmd in
primary | second) release "$cmd" ;;
release | kdir | root | vmlinuz | fetch)
	[ $# -eq 2 ] || die "usage: $0 $cmd NAME"
	k=$(release "$2")
	case $cmd in
	release) echo "$k" ;;
	kdir) kdir "$k" ;;
	root) root "$k" ;;
	vmlinuz) r=$(root "$k"); echo "${r%/}/boot/vmlinuz-$k" ;;
	fetch) fetch "$k" ;;
	esac ;;
*) die "usage: $0 primary|second|release|kdir|root|vmlinuz|fetch [NAME]" ;;
esac
