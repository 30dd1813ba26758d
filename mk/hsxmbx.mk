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
