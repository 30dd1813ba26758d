# Reliability and security (docs/reliability.md): the debug kernel, the
# libFuzzer targets, soak, fault and abuse tests.
#
#   make debug-kernel   build the KASAN/UBSAN/lockdep/kmemleak kernel once
#                       per machine (tools/debug-kernel/build; 12 min on 2 idle
#                       cores, ~35 min on busy ones), cached outside the checkout
#   make debug-module   build/debug/hsxmbx.ko against that kernel
#   make check-debug    kselftests, stress, soak, faults, security, ABI fuzz
#                       and e2e on the debug kernel; any splat or kmemleak
#                       report after unload fails
#   make check-debug-quick  the kernel-facing kselftests, the stress test and
#                       a 60 s soak on the debug kernel (a change to locking
#                       in kmod/ or lib/mbx/ is proven here first)
#   make fuzz           every libFuzzer target for FUZZ_SECONDS (default 15)
#   make fuzz-long      the same, FUZZ_SECONDS=600 unless given
#   make soak           the rig soak for SOAK_SECONDS (default 600)

DEB_PACKAGES += flex bison libelf-dev libssl-dev dwarves bc

# --- debug kernel ------------------------------------------------------------
DEBUG_KERNEL_CACHE := $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/hsxmbx/debug-kernel
DEBUG_KDIR         := $(DEBUG_KERNEL_CACHE)/kdir
DEBUG_DIR          := $(BUILD)/debug
DEBUG_MODULE       := $(DEBUG_DIR)/hsxmbx.ko
DEBUG_KMOD_TREE    := $(DEBUG_DIR)/kmod-tree

.PHONY: debug-kernel debug-module check-debug check-debug-quick fuzz fuzz-long soak
debug-kernel:
	$(Q)tools/debug-kernel/build

# Kbuild puts objects next to the sources of an M= build, and the normal
# module (against Debian's headers) lives there: build the debug one from a
# copy of the sources in build/debug/, with UBSAN instrumenting it (the
# kernel itself is not, see debug.config).  Only files whose content
# changed are copied, stamped now, so Kbuild rebuilds exactly what they
# affect.  (cp -p kept the sources' times: a header changed while an
# interrupted build was compiling ended up older than the object built
# from its previous content, and a stale handle.o with the old struct
# layout crashed the debug kernel.)
debug-module: $(DEBUG_MODULE)
$(DEBUG_MODULE): FORCE
	$(Q)test -d $(DEBUG_KDIR)/ || { echo "no debug kernel: run 'make debug-kernel'" >&2; exit 1; }
	$(Q)mkdir -p $(DEBUG_KMOD_TREE)/kmod $(DEBUG_KMOD_TREE)/lib/mbx $(DEBUG_KMOD_TREE)/include/uapi
	$(Q)for f in kmod/*.[ch] lib/mbx/*.[ch] include/uapi/*.h; do \
		cmp -s $$f $(DEBUG_KMOD_TREE)/$$f || cp $$f $(DEBUG_KMOD_TREE)/$$f || exit 1; \
	done
	$(Q){ cat Kbuild; echo 'UBSAN_SANITIZE := y'; } >$(DEBUG_KMOD_TREE)/Kbuild.new
	$(Q)cmp -s $(DEBUG_KMOD_TREE)/Kbuild.new $(DEBUG_KMOD_TREE)/Kbuild || \
		mv $(DEBUG_KMOD_TREE)/Kbuild.new $(DEBUG_KMOD_TREE)/Kbuild
	$(Q)$(MAKE) -C $(DEBUG_KDIR)/ M=$(abspath $(DEBUG_KMOD_TREE)) modules
	$(Q)cmp -s $(DEBUG_KMOD_TREE)/hsxmbx.ko $@ || cp $(DEBUG_KMOD_TREE)/hsxmbx.ko $@

# The whole in-rig suite on the debug kernel, then unload + kmemleak scan.
# Tests that reload the module read HSXMBX_KO.  Left out: trace.sh, whose
# four parallel bpftrace startups did not attach within the 20 min test
# limit on the debug kernel under TCG (it runs in `make check`).
CHECK_DEBUG_OMIT := tests/trace/trace.sh
check-debug: debug-kernel
	$(Q)$(MAKE) --no-print-directory all check-build debug-module
	$(Q)$(TEST_ENV) VM_TESTS="$(filter-out $(CHECK_DEBUG_OMIT),$(VM_RUN_TESTS))" \
		HSXMBX_KO=$(abspath $(DEBUG_MODULE)) tools/debug-kernel/check

# The quick proof: every kselftest of tests/kmod, the stress test and a
# 60 s soak, then unload + kmemleak.  About a quarter of check-debug.
CHECK_DEBUG_QUICK = $(KMOD_TESTS) $(BUILD)/tests/stress/stress $(REL_DIR)/soak/soak
check-debug-quick: debug-kernel
	$(Q)$(MAKE) --no-print-directory all check-build debug-module
	$(Q)$(TEST_ENV) VM_TESTS="$(CHECK_DEBUG_QUICK)" HSXMBX_SOAK_SECONDS=60 \
		HSXMBX_KO=$(abspath $(DEBUG_MODULE)) tools/debug-kernel/check

# --- libFuzzer targets ---------------------------------------------------------
# The library source lists come from fragments read after this one: the
# prerequisites use secondary expansion ($$), the recipes expand late anyway.
FUZZ_CC      := $(CLANG)
FUZZ_CFLAGS  := -g -O1 -std=gnu11 -D_GNU_SOURCE -Iinclude -Ilib \
                -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
                -fno-omit-frame-pointer
FUZZ_DIR     := $(BUILD)/fuzz
FUZZ_NAMES   := mbx_ops target hxe vm asm proto
FUZZ_BINS    := $(patsubst %,$(FUZZ_DIR)/fuzz_%,$(FUZZ_NAMES))
FUZZ_SECONDS ?= 15

$(FUZZ_DIR)/fuzz_mbx_ops: fuzz/fuzz_mbx_ops.c $(MBX_SRCS) $(MBX_HDRS)
	$(Q)mkdir -p $(@D) && $(FUZZ_CC) $(FUZZ_CFLAGS) -ffreestanding -o $@ $< $(MBX_SRCS)

$(FUZZ_DIR)/fuzz_target: fuzz/fuzz_target.c $(MBX_SRCS) $(MBX_HDRS)
	$(Q)mkdir -p $(@D) && $(FUZZ_CC) $(FUZZ_CFLAGS) -ffreestanding -o $@ $< $(MBX_SRCS)

$(FUZZ_DIR)/fuzz_hxe: fuzz/fuzz_hxe.c $$(HXE_SRCS) $$(HXE_HDRS)
	$(Q)mkdir -p $(@D) && $(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(HXE_SRCS) $(HXE_LDLIBS)

$(FUZZ_DIR)/fuzz_vm: fuzz/fuzz_vm.c $$(VM_SRCS) $$(VM_HDRS)
	$(Q)mkdir -p $(@D) && $(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(VM_SRCS) $(VM_LDLIBS)

FUZZ_AS_SRCS := $(filter-out tools/hsx-as/main.c,$(wildcard tools/hsx-as/*.c))
$(FUZZ_DIR)/fuzz_asm: fuzz/fuzz_asm.c $(FUZZ_AS_SRCS) $(wildcard tools/hsx-as/*.h tools/hsx-as/*.inc) $$(HXE_SRCS)
	$(Q)mkdir -p $(@D) && $(FUZZ_CC) $(FUZZ_CFLAGS) -Itools/hsx-as -o $@ $< \
		$(FUZZ_AS_SRCS) $(HXE_SRCS) $(HXE_LDLIBS)

# The host test: a copy of fuzz/check that depends on the fuzzers, so
# `make check` builds them.  It prints one TAP line per target.
$(FUZZ_DIR)/check: fuzz/check $(FUZZ_BINS)
	$(Q)mkdir -p $(@D) && cp fuzz/check $@

HOST_TESTS += $(FUZZ_DIR)/check

fuzz: $(FUZZ_DIR)/check
	$(Q)FUZZ_SECONDS=$(FUZZ_SECONDS) $(FUZZ_DIR)/check

fuzz-long: $(FUZZ_DIR)/check
	$(Q)FUZZ_SECONDS=$(if $(filter command line,$(origin FUZZ_SECONDS)),$(FUZZ_SECONDS),600) \
		FUZZ_KEEP=1 $(FUZZ_DIR)/check

# --- in-rig soak, faults, security and ABI fuzzing ---------------------------
# Each prints TAP.  modfaults.sh, slab_init.sh and id_wrap.sh reload the
# module (and restore it).
REL_DIR     := $(BUILD)/tests
REL_HDRS    := tests/soak/rel.h include/uapi/hsxmbx.h
REL_CFLAGS   = $(CFLAGS) -Wno-missing-prototypes
REL_BINS    := $(REL_DIR)/soak/soak $(REL_DIR)/faults/faults \
               $(REL_DIR)/security/security $(REL_DIR)/security/abi_fuzz \
               $(REL_DIR)/security/memcg_load $(REL_DIR)/security/id_wrap
SOAK_SECONDS ?= 600

$(REL_DIR)/soak/soak: tests/soak/soak.c $(REL_HDRS)
	$(Q)mkdir -p $(@D) && $(CC) $(REL_CFLAGS) -o $@ $< -lpthread

$(REL_DIR)/faults/faults: tests/faults/faults.c $(REL_HDRS)
	$(Q)mkdir -p $(@D) && $(CC) $(REL_CFLAGS) -o $@ $< -luring

$(REL_DIR)/security/security: tests/security/security.c $(REL_HDRS)
	$(Q)mkdir -p $(@D) && $(CC) $(REL_CFLAGS) -o $@ $< -lcap

$(REL_DIR)/security/abi_fuzz: tests/security/abi_fuzz.c $(REL_HDRS)
	$(Q)mkdir -p $(@D) && $(CC) $(REL_CFLAGS) -o $@ $< -luring

# memcg.sh's workloads, one process per memory cgroup.
$(REL_DIR)/security/memcg_load: tests/security/memcg_load.c $(REL_HDRS)
	$(Q)mkdir -p $(@D) && $(CC) $(REL_CFLAGS) -o $@ $<

# Run by id_wrap.sh on the module reloaded with debug_id_start.
$(REL_DIR)/security/id_wrap: tests/security/id_wrap.c $(REL_HDRS)
	$(Q)mkdir -p $(@D) && $(CC) $(REL_CFLAGS) -o $@ $<

programs: $(REL_BINS)
VM_TESTS += $(REL_DIR)/soak/soak $(REL_DIR)/faults/faults tests/faults/execd_kill.sh \
            tests/faults/modfaults.sh \
            $(REL_DIR)/security/security $(REL_DIR)/security/abi_fuzz \
            tests/security/memcg.sh tests/security/slab_init.sh tests/security/id_wrap.sh

soak: all
	$(Q)tools/vm/run --timeout $$(($(SOAK_SECONDS) + 600)) -- \
		$(REL_DIR)/soak/soak $(SOAK_SECONDS)

# The control protocol: the daemon's own objects (all but main.c) with the
# embedded backend, in process.
FUZZ_PROTO_SRCS  = $(filter-out daemon/main.c,$(wildcard daemon/*.c)) $(MBX_SRCS) \
                   $(wildcard lib/svc/*.c) $(VM_SRCS) $(HXE_SRCS) $(wildcard lib/hsxmbx/*.c)
$(FUZZ_DIR)/fuzz_proto: fuzz/fuzz_proto.c $$(FUZZ_PROTO_SRCS) $(wildcard daemon/*.h)
	$(Q)mkdir -p $(@D) && $(FUZZ_CC) $(FUZZ_CFLAGS) -Idaemon -Wno-unused-command-line-argument \
		-o $@ $< $(FUZZ_PROTO_SRCS) -luring -ljson-c -lcap $(HXE_LDLIBS) $(VM_LDLIBS)
