# hsxmbx: top-level build.
#
# `make` builds the kernel module (build/hsxmbx.ko) and every userspace
# program into build/.  Each area of the tree contributes a fragment in
# mk/*.mk that appends to the lists below; this file only holds what is
# shared, so that areas never edit each other's rules.
#
#   PROGRAMS    userspace binaries/libraries built by `make`
#   HOST_TESTS  host test binaries (TAP on stdout) run by `make check-host`
#   VM_TESTS    commands (TAP on stdout) run inside the rig by `make check-vm`
#   E2E_TESTS   end-to-end commands run inside the rig after VM_TESTS
#   DEB_PACKAGES Debian packages `make deps` installs

BUILD   ?= build
CC      ?= gcc
CLANG   ?= clang
Q       ?= @

# The kernel the rig boots, and the headers the module is built against.
KVER    ?= $(shell tools/vm/kver)
KDIR    ?= /lib/modules/$(KVER)/build

# The kselftest harness comes from Debian's linux-source tarball, extracted
# at build time (never committed).
KSFT_DIR := $(BUILD)/kselftest
KSFT_HARNESS := $(KSFT_DIR)/kselftest_harness.h
KSFT_CFLAGS  := -I$(KSFT_DIR)

WARN    := -Wall -Wextra -Wno-unused-parameter -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Werror=implicit-function-declaration
CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 $(WARN) -D_GNU_SOURCE -Iinclude -Ilib -I$(BUILD)/gen
SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDLIBS  ?=

PROGRAMS     :=
HOST_TESTS   :=
VM_TESTS     :=
E2E_TESTS    :=
DEB_PACKAGES := build-essential make gcc clang llvm xz-utils perl \
                linux-headers-amd64 linux-image-amd64 linux-source-6.1 \
                qemu-system-x86 busybox-static kmod \
                liburing-dev libbpf-dev bpftool bpftrace libjson-c-dev \
                libcap-dev zlib1g-dev clang-format libclang-rt-14-dev

.PHONY: all module deps check check-host check-vm demo check-style clean bench \
        bench-host bench-vm
all: module programs

# Rules may name lists that later fragments still append to ($$(HOST_TESTS)).
.SECONDEXPANSION:
include $(sort $(wildcard mk/*.mk))

programs: $(PROGRAMS)

$(BUILD)/%/:
	$(Q)mkdir -p $@

clean:
	rm -rf $(BUILD)
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean >/dev/null 2>&1 || true
