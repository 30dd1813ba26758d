# libhsxmbx (lib/hsxmbx), the `hsx` tool (tools/hsx) and their tests.
#
# Exports for other fragments:
#   HSXMBX_LIB     static library path (link it plus $(HSXMBX_LDLIBS))
#   HSXMBX_CFLAGS  compiler flags for users of "hsxmbx/hsxmbx.h"
#   HSXMBX_LDLIBS  libraries libhsxmbx needs
#   HSX_TOOL_LDLIBS, HSX_TOOL_DEPS  append to link more into build/hsx
#     (tools/hsx/*.c are all compiled in; add a line to the command table
#     in tools/hsx/main.c and a prototype in tools/hsx/hsx.h)

HSXMBX_SOVER   := 1
HSXMBX_VERSION := 1.0.0
HSXMBX_LIBDIR  := $(BUILD)/lib
HSXMBX_LIB     := $(HSXMBX_LIBDIR)/libhsxmbx.a
HSXMBX_SO      := $(HSXMBX_LIBDIR)/libhsxmbx.so.$(HSXMBX_SOVER)
HSXMBX_PC      := $(HSXMBX_LIBDIR)/pkgconfig/hsxmbx.pc
HSXMBX_CFLAGS  := -Iinclude -Ilib
HSXMBX_LDLIBS  := -luring

HSXMBX_SRCS := $(wildcard lib/hsxmbx/*.c)
HSXMBX_OBJS := $(patsubst lib/hsxmbx/%.c,$(BUILD)/lib/hsxmbx/%.o,$(HSXMBX_SRCS))
HSXMBX_HDRS := lib/hsxmbx/hsxmbx.h include/uapi/hsxmbx.h

PROGRAMS += $(HSXMBX_LIB) $(HSXMBX_SO) $(HSXMBX_LIBDIR)/libhsxmbx.so $(HSXMBX_PC)

$(BUILD)/lib/hsxmbx/%.o: lib/hsxmbx/%.c $(HSXMBX_HDRS)
	$(Q)mkdir -p $(@D) && $(CC) $(CFLAGS) -fPIC -fvisibility=default -c -o $@ $<

$(HSXMBX_LIB): $(HSXMBX_OBJS)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(HSXMBX_SO): $(HSXMBX_OBJS)
	$(Q)$(CC) -shared -Wl,-soname,libhsxmbx.so.$(HSXMBX_SOVER) -o $@ $^ $(HSXMBX_LDLIBS)

$(HSXMBX_LIBDIR)/libhsxmbx.so: $(HSXMBX_SO)
	$(Q)ln -sf libhsxmbx.so.$(HSXMBX_SOVER) $@

# In-tree pkg-config file: PKG_CONFIG_PATH=build/lib/pkgconfig finds the
# headers and libraries of this checkout.
$(HSXMBX_PC): mk/hsxmbx.mk
	$(Q)mkdir -p $(@D) && printf '%s\n' \
		'prefix=$(CURDIR)' \
		'libdir=$${prefix}/$(HSXMBX_LIBDIR)' \
		'includedir=$${prefix}' \
		'' \
		'Name: hsxmbx' \
		'Description: client library for the hsxmbx kernel mailboxes' \
		'Version: $(HSXMBX_VERSION)' \
		'Requires.private: liburing' \
		'Cflags: -I$${includedir}/include -I$${includedir}/lib' \
		'Libs: -L$${libdir} -lhsxmbx' \
		'Libs.private: -luring' > $@

# --- the hsx tool ----------------------------------------------------------

HSX_TOOL        := $(BUILD)/hsx
HSX_TOOL_SRCS   := $(wildcard tools/hsx/*.c)
HSX_TOOL_OBJS   := $(patsubst tools/hsx/%.c,$(BUILD)/hsx.d/%.o,$(HSX_TOOL_SRCS))
HSX_TOOL_LDLIBS += -ljson-c
HSX_TOOL_DEPS   +=

PROGRAMS += $(HSX_TOOL)

$(BUILD)/hsx.d/%.o: tools/hsx/%.c $(wildcard tools/hsx/*.h) $(HSXMBX_HDRS)
	$(Q)mkdir -p $(@D) && $(CC) $(CFLAGS) $(HSXMBX_CFLAGS) -c -o $@ $<

.SECONDEXPANSION:
$(HSX_TOOL): $(HSX_TOOL_OBJS) $(HSXMBX_LIB) $$(HSX_TOOL_DEPS)
	$(Q)$(CC) $(CFLAGS) -o $@ $(HSX_TOOL_OBJS) $(HSX_TOOL_DEPS) $(HSXMBX_LIB) \
		$(HSX_TOOL_LDLIBS) $(HSXMBX_LDLIBS) $(LDLIBS)

# --- tests -----------------------------------------------------------------
# tests/lib/parse_test.c runs on the host (pure helpers, sanitised);
# tests/lib/lib_test.c, tests/shell/*.sh and tests/stress/* need the module
# and run in the rig.  modcycle.sh reloads the module, so it runs last.

HSXMBX_TEST_DIR := $(BUILD)/tests

$(HSXMBX_TEST_DIR)/lib/parse_test: tests/lib/parse_test.c $(HSXMBX_SRCS) $(HSXMBX_HDRS) $(KSFT_HARNESS)
	$(Q)mkdir -p $(@D) && $(CC) $(CFLAGS) $(SAN) $(KSFT_CFLAGS) -Wno-missing-prototypes -Wno-sign-compare \
		-o $@ $< $(HSXMBX_SRCS) $(HSXMBX_LDLIBS)

$(HSXMBX_TEST_DIR)/lib/lib_test: tests/lib/lib_test.c $(HSXMBX_LIB) $(HSXMBX_HDRS) $(KSFT_HARNESS)
	$(Q)mkdir -p $(@D) && $(CC) $(CFLAGS) $(KSFT_CFLAGS) -Wno-missing-prototypes \
		-Wno-sign-compare -o $@ $< $(HSXMBX_LIB) $(HSXMBX_LDLIBS) -lpthread

$(HSXMBX_TEST_DIR)/stress/stress: tests/stress/stress.c $(HSXMBX_LIB) $(HSXMBX_HDRS)
	$(Q)mkdir -p $(@D) && $(CC) $(CFLAGS) -o $@ $< $(HSXMBX_LIB) $(HSXMBX_LDLIBS)

HSXMBX_HOST_TESTS := $(HSXMBX_TEST_DIR)/lib/parse_test
HSXMBX_VM_BINS    := $(if $(wildcard tests/lib/lib_test.c),$(HSXMBX_TEST_DIR)/lib/lib_test) \
                     $(if $(wildcard tests/stress/stress.c),$(HSXMBX_TEST_DIR)/stress/stress)

HOST_TESTS += $(HSXMBX_HOST_TESTS)
VM_TESTS   += $(HSXMBX_VM_BINS) $(sort $(wildcard tests/shell/*.sh)) \
              $(wildcard tests/stress/modcycle.sh)
programs: $(HSXMBX_HOST_TESTS) $(HSXMBX_VM_BINS)
