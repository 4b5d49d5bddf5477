#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make demo: install what is missing, build, boot Debian's kernel under
# qemu and run the MAP66, LW4O6 and MAP-T demos there.
set -e
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh
# Debian 12's default kernel, whatever else is installed (scripts/kernels.sh)
VM_KVER=$(sh scripts/kernels.sh primary)
make -s KVER="$VM_KVER" all
VM_TIMEOUT=${VM_TIMEOUT:-420} exec tests/vm/run-vm.sh --kver "$VM_KVER" -- sh -c \
	'modprobe ip6table_mangle; modprobe iptable_nat; modprobe iptable_raw; modprobe ip6table_raw
	 bash scripts/demo-map66.sh; bash scripts/demo-lw4o6.sh; bash scripts/demo-mapt.sh' 2>&1 |
	grep -vE '^\[ *[0-9]+\.[0-9]+\]|^SeaBIOS|^Booting from|^XTSW-VM-EXIT'
