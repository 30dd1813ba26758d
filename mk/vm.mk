# The HSX VM interpreter (lib/vm), the HXE loader/writer (lib/hxe), the
# MVASM assembler and disassembler (tools/hsx-as, tools/hsx-dis), the
# example apps (examples/) and their host tests (tests/{isa,hxe,asm}).
#
# Exports for other fragments: VM_LIB, VM_LDLIBS, HXE_LIB, HXE_LDLIBS,
# HSX_AS (the assembler binary) and HSX_EXAMPLES (assembled .hxe files).

VM_DIR     := $(BUILD)/vm
VM_LIB     := $(VM_DIR)/libhsxvm.a
VM_LDLIBS  := -lm
VM_SRCS    := $(wildcard lib/vm/*.c)
VM_HDRS    := $(wildcard lib/vm/*.h)
VM_OBJS    := $(patsubst lib/vm/%.c,$(VM_DIR)/%.o,$(VM_SRCS))

HXE_DIR    := $(BUILD)/hxe
HXE_LIB    := $(HXE_DIR)/libhsxhxe.a
HXE_LDLIBS := -lz -ljson-c
HXE_SRCS   := $(wildcard lib/hxe/*.c)
HXE_HDRS   := $(wildcard lib/hxe/*.h)
HXE_OBJS   := $(patsubst lib/hxe/%.c,$(HXE_DIR)/%.o,$(HXE_SRCS))

PROGRAMS += $(VM_LIB)
ifneq ($(HXE_SRCS),)
PROGRAMS += $(HXE_LIB)
endif

# The interpreter is the hot path: optimise it even in debug builds.
VM_OPT := -O2

$(VM_DIR)/%.o: lib/vm/%.c $(VM_HDRS)
	$(Q)mkdir -p $(@D) && $(CC) $(CFLAGS) $(VM_OPT) -fPIC -c -o $@ $<

$(VM_LIB): $(VM_OBJS)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(HXE_DIR)/%.o: lib/hxe/%.c $(HXE_HDRS)
	$(Q)mkdir -p $(@D) && $(CC) $(CFLAGS) -fPIC -c -o $@ $<

$(HXE_LIB): $(HXE_OBJS)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

# --- host tests -----------------------------------------------------------
# Each test links the library *sources* with $(SAN), so the code under test
# is sanitised too.
VM_TEST_DIR := $(BUILD)/tests
# The harness itself trips these two; our own code is checked by the libs.
VM_TEST_CFLAGS := -Wno-missing-prototypes -Wno-sign-compare

define vm_host_test
HOST_TESTS += $(VM_TEST_DIR)/$(1)/$(2)
$(VM_TEST_DIR)/$(1)/$(2): tests/$(1)/$(2).c $(3) $(VM_HDRS) $(HXE_HDRS) $$(wildcard tests/$(1)/*.h) $(KSFT_HARNESS) $(4)
	$$(Q)mkdir -p $$(@D) && $$(CC) $$(CFLAGS) $$(VM_TEST_CFLAGS) $$(SAN) $$(KSFT_CFLAGS) -Itests \
		-o $$@ tests/$(1)/$(2).c $(3) $(5)
endef

ISA_TESTS := $(basename $(notdir $(wildcard tests/isa/*.c)))
$(foreach t,$(ISA_TESTS),$(eval $(call vm_host_test,isa,$(t),$(VM_SRCS),,$(VM_LDLIBS))))

HXE_TESTS := $(basename $(notdir $(wildcard tests/hxe/*.c)))
$(foreach t,$(HXE_TESTS),$(eval $(call vm_host_test,hxe,$(t),$(HXE_SRCS),,$(HXE_LDLIBS))))

# --- tools -----------------------------------------------------------------
HSX_AS      := $(BUILD)/hsx-as
HSX_DIS     := $(BUILD)/hsx-dis
HSX_AS_SRCS := $(wildcard tools/hsx-as/*.c)
HSX_DIS_SRCS := $(wildcard tools/hsx-dis/*.c)
PROGRAMS += $(HSX_AS)
ifneq ($(HSX_DIS_SRCS),)
PROGRAMS += $(HSX_DIS)
endif

$(HSX_AS): $(HSX_AS_SRCS) $(wildcard tools/hsx-as/*.h tools/hsx-as/*.inc) $(HXE_LIB) $(VM_HDRS)
	$(Q)$(CC) $(CFLAGS) -o $@ $(HSX_AS_SRCS) $(HXE_LIB) $(HXE_LDLIBS)

$(HSX_DIS): $(HSX_DIS_SRCS) $(wildcard tools/hsx-dis/*.h) $(HXE_LIB) $(VM_HDRS)
	$(Q)$(CC) $(CFLAGS) -o $@ $(HSX_DIS_SRCS) $(HXE_LIB) $(HXE_LDLIBS)

# --- example apps: build/examples/*.hxe --------------------------------------
EX_DIR      := $(BUILD)/examples
EX_LIBS     := examples/lib/hsx_mailbox.mvasm examples/lib/hsx_stdio.mvasm
EX_DEMOS    := producer consumer
EX_TESTS    := $(notdir $(wildcard examples/tests/*))
HSX_EXAMPLES := $(EX_DEMOS:%=$(EX_DIR)/%.hxe) $(EX_TESTS:%=$(EX_DIR)/%.hxe)
PROGRAMS    += $(HSX_EXAMPLES)

$(EX_DIR)/%.hxe: examples/demos/mailbox/%.mvasm $(EX_LIBS) $(HSX_AS)
	$(Q)mkdir -p $(@D) && $(HSX_AS) --app-name $* -o $@ $< $(EX_LIBS)

$(EX_DIR)/%.hxe: examples/tests/%/main.mvasm $(EX_LIBS) $(HSX_AS)
	$(Q)mkdir -p $(@D) && $(HSX_AS) --app-name $* -o $@ $<

# --- assembler tests: they run the real hsx-as and the built examples ------
ASM_TESTS := $(basename $(notdir $(wildcard tests/asm/*.c)))
ASM_TEST_DEFS := -DHSX_AS_PATH='"$(CURDIR)/$(HSX_AS)"' \
                 -DHSX_EXAMPLES_DIR='"$(CURDIR)/$(EX_DIR)"' \
                 -DHSX_SRC_DIR='"$(CURDIR)"'
$(foreach t,$(ASM_TESTS),$(eval $(call vm_host_test,asm,$(t),$(VM_SRCS) $(HXE_SRCS),$(HSX_AS) $(HSX_EXAMPLES),$(VM_LDLIBS) $(HXE_LDLIBS) $(ASM_TEST_DEFS))))

# --- micro-benchmark ----------------------------------------------------------
VM_BENCH := $(VM_DIR)/bench-vm
$(VM_BENCH): lib/vm/bench/bench_vm.c $(VM_LIB)
	$(Q)$(CC) $(CFLAGS) -O2 -o $@ $< $(VM_LIB) $(VM_LDLIBS)

bench-vm: $(VM_BENCH)
	$(Q)$(VM_BENCH)
