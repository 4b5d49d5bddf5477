#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Install every Debian package xt-softwire needs to build, test and demo,
# and extract Debian 12's second kernel (6.12: image, headers, kbuild) into
# a private cache for the second test VM (scripts/kernels.sh says why it is
# not installed). Idempotent: what is present is not fetched again. Run as
# root (make check and make demo call it; it does nothing when all is
# present).
set -e
cd "$(dirname "$0")/.."

PKGS="build-essential make gcc pkg-config kmod dkms
	linux-image-amd64 linux-headers-amd64 dwarves
	libxtables-dev iptables libmnl-dev
	iproute2 iputils-ping ethtool tcpdump netcat-openbsd
	qemu-system-x86 busybox-static cpio
	python3 python3-pyftpdlib nftables conntrack git sparse clang libclang-rt-dev bc
	valgrind gnuplot-nox iperf3 linux-perf
	jool-dkms jool-tools python3-scapy"

missing=
for p in $PKGS; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "install-deps: missing packages:$missing" >&2
		echo "install-deps: run as root (sudo $0) to install them" >&2
		exit 1
	fi
	echo "install-deps: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	# Refresh the lists only if apt has none or a package cannot be found.
	if ! apt-get install -y -q --no-install-recommends $missing >/dev/null 2>&1; then
		apt-get update -q
		apt-get install -y -q --no-install-recommends $missing
	fi
fi

# The second kernel (6.12), privately; dwarves' pahole above generates the
# BTF of modules built for it.
if ! sh scripts/kernels.sh second >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
	apt-get update -q	# no lists yet: apt knows no 6.12 meta-package
fi
sh scripts/kernels.sh fetch second
