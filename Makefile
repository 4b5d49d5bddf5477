# SPDX-License-Identifier: GPL-2.0
#
#   make              build the kernel modules and the iptables extensions
#   make install      install both (modules into /lib/modules/KVER/extra)
#   make check        unit tests + the VM suite (installs what it needs)
#   make check-host   the netns suite directly on this host (root, modules
#                     loaded from this tree)
#   make demo         boot the VM and show MAP66 at work
#   make sparse       build the modules with sparse (C=1)
#   make fuzz         run the libFuzzer targets for a while
#   make bench        benchmark every target against the kernel's own paths
#                     in the VM (results in bench/results/, see scripts/bench.sh)

VERSION   := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
# KVER names the kernel to build for: a release (uname -r), or "primary"
# (Debian 12's default kernel, linux-image-amd64) or "second" (its 6.12):
# KDIR is its headers, installed or in the private cache of
# scripts/kernels.sh. Without KVER: the running kernel's headers, else the
# primary kernel's, whatever else is installed.
ifeq ($(origin KVER),undefined)
KVER      := $(shell uname -r)
KDIR      ?= $(or $(wildcard /lib/modules/$(KVER)/build),$(shell sh scripts/kernels.sh kdir primary 2>/dev/null))
else
KDIR      ?= $(shell sh scripts/kernels.sh kdir $(KVER))
endif
XTLIBDIR  ?= $(shell pkg-config --variable=xtlibdir xtables 2>/dev/null || echo /usr/lib/x86_64-linux-gnu/xtables)

CC        ?= gcc
CFLAGS    ?= -O2 -g
# make fuzz: seconds per libFuzzer target (3600 for a release); make check
# runs each for 10 s over the kept corpus.
FUZZ_SECONDS ?= 600
XT_CFLAGS := $(CFLAGS) -Wall -Wextra -Wno-unused-parameter -Werror -fPIC -Iinclude/uapi -Ikernel -Ilib \
	     $(shell pkg-config --cflags xtables 2>/dev/null)

EXTENSIONS := xt_ext/libxt_MAP66.so xt_ext/libxt_LW4O6.so xt_ext/libxt_SNATPSID.so xt_ext/libxt_MAPT.so
TOOLS      := tools/softwirectl/softwirectl
CORE_SRCS  := kernel/map66_core.c kernel/psid_core.c
CORE_HDRS  := kernel/map66_core.h kernel/psid_core.h kernel/softwire_csum.h
# Userspace only: shared by the extensions and softwirectl.
LIB_SRCS   := lib/prefix_parse.c
LIB_HDRS   := lib/prefix_parse.h
# The extensions only: the options the softwire targets share.
XT_SRCS    := xt_ext/softwire_xt.c
XT_HDRS    := xt_ext/softwire_xt.h

.PHONY: all modules extensions tools install install-modules install-extensions install-tools \
	check check-unit check-vm check-host demo sparse fuzz bench deps clean

all: modules extensions tools

deps:
	@sh scripts/install-deps.sh

modules:
	@test -n "$(KDIR)" || { echo "no kernel headers: install linux-headers-amd64 (make deps)"; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

sparse:
	$(MAKE) -C $(KDIR) M=$(CURDIR) C=2 CF="-D__CHECK_ENDIAN__" modules

extensions: $(EXTENSIONS)

tools: $(TOOLS)

TOOL_SRCS  := tools/softwirectl/softwirectl.c tools/softwirectl/file.c tools/softwirectl/netlink.c
tools/softwirectl/softwirectl: $(TOOL_SRCS) tools/softwirectl/softwirectl.h include/uapi/softwire_genl.h \
		kernel/psid_core.c kernel/psid_core.h $(LIB_SRCS) $(LIB_HDRS)
	$(CC) $(CFLAGS) -Wall -Wextra -Wno-unused-parameter -Werror -Iinclude/uapi -Ikernel -Ilib -o $@ \
		$(TOOL_SRCS) kernel/psid_core.c $(LIB_SRCS) $(shell pkg-config --libs libmnl 2>/dev/null || echo -lmnl)

xt_ext/libxt_%.so: xt_ext/libxt_%.c include/uapi/xt_%.h $(CORE_SRCS) $(CORE_HDRS) $(LIB_SRCS) $(LIB_HDRS) \
		$(XT_SRCS) $(XT_HDRS)
	$(CC) $(XT_CFLAGS) -shared -o $@ $< $(CORE_SRCS) $(LIB_SRCS) $(XT_SRCS)

install: install-modules install-extensions install-tools

install-tools: tools
	install -D -m 0755 tools/softwirectl/softwirectl $(DESTDIR)/usr/sbin/softwirectl
	install -D -m 0644 tools/softwirectl/softwirectl.8 $(DESTDIR)/usr/share/man/man8/softwirectl.8

install-modules: modules
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_DIR=extra modules_install
	depmod -a $$(sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h)

install-extensions: extensions
	install -d $(DESTDIR)$(XTLIBDIR)
	install -m 0644 $(EXTENSIONS) $(DESTDIR)$(XTLIBDIR)/
	install -d $(DESTDIR)/usr/share/man/man8
	for m in xt_ext/*.man; do \
		install -m 0644 $$m $(DESTDIR)/usr/share/man/man8/$$(basename $$m .man).8; done

# make check: the whole suite on the primary kernel, build and end-to-end
# tests on the second; make check KVER=...: everything on that kernel only.
CHECK_KVER := $(if $(filter command line environment,$(origin KVER)),$(KVER))

check:
	@bash scripts/check.sh $(if $(CHECK_KVER),--kver $(CHECK_KVER))

check-unit:
	@sh tests/unit/run.sh

check-vm:
	@bash scripts/check.sh --vm-only $(if $(CHECK_KVER),--kver $(CHECK_KVER))

check-host: all
	@bash tests/suite.sh --host

demo:
	@sh scripts/demo.sh

fuzz:
	@FUZZ_KEEP=1 sh tests/fuzz/run.sh $(FUZZ_SECONDS)

bench:
	@bash scripts/bench.sh

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null
	rm -rf build xt_ext/*.so $(TOOLS) tests/unit/*.bin tests/fuzz/*.bin
