# Observability: hsx-trace (libbpf, tools/hsx-trace), the bpftrace scripts
# (tools/bpftrace, run as they are) and their in-rig tests (tests/trace).
#
# The BPF object is compiled with clang -target bpf and its skeleton is
# generated at build time with `bpftool gen skeleton`; neither is committed.
# clang, bpftool, libbpf-dev, bpftrace and libjson-c-dev are in the top
# DEB_PACKAGES already.

BPFTOOL        ?= $(or $(shell command -v bpftool 2>/dev/null),$(wildcard /usr/sbin/bpftool),bpftool)
HSX_TRACE      := $(BUILD)/hsx-trace
HSX_TRACE_DIR  := $(BUILD)/hsx-trace.d
HSX_TRACE_SRCS := $(filter-out %.bpf.c,$(wildcard tools/hsx-trace/*.c))
HSX_TRACE_OBJS := $(patsubst tools/hsx-trace/%.c,$(HSX_TRACE_DIR)/%.o,$(HSX_TRACE_SRCS))
HSX_TRACE_HDRS := $(wildcard tools/hsx-trace/*.h) $(HSXMBX_HDRS) lib/mbx/mbx.h
HSX_TRACE_SKEL := $(HSX_TRACE_DIR)/hsx_trace.skel.h
# <asm/types.h> for -target bpf lives in the host's multiarch directory.
BPF_CFLAGS     := -g -O2 -target bpf -Wall -I/usr/include/$(shell $(CC) -print-multiarch 2>/dev/null)

PROGRAMS += $(HSX_TRACE)

# need-tool NAME,PACKAGE: fail with a clear message when a build tool is missing.
need-tool = @command -v $(1) >/dev/null 2>&1 || { \
	echo "hsx-trace: '$(1)' not found: install Debian package $(2) (make deps)" >&2; exit 1; }

$(HSX_TRACE_DIR)/hsx_trace.bpf.o: tools/hsx-trace/hsx_trace.bpf.c tools/hsx-trace/hsx_trace.h
	$(call need-tool,$(CLANG),clang)
	$(Q)mkdir -p $(@D) && $(CLANG) $(BPF_CFLAGS) -c -o $@ $<

$(HSX_TRACE_SKEL): $(HSX_TRACE_DIR)/hsx_trace.bpf.o
	$(call need-tool,$(BPFTOOL),bpftool)
	$(Q)$(BPFTOOL) gen skeleton $< name hsx_trace > $@.tmp && mv $@.tmp $@

$(HSX_TRACE_DIR)/%.o: tools/hsx-trace/%.c $(HSX_TRACE_HDRS) $(HSX_TRACE_SKEL)
	$(Q)mkdir -p $(@D) && $(CC) $(CFLAGS) $(HSXMBX_CFLAGS) -I$(HSX_TRACE_DIR) -c -o $@ $<

$(HSX_TRACE): $(HSX_TRACE_OBJS) $(HSXMBX_LIB) $(MBX_LIB)
	$(Q)$(CC) $(CFLAGS) -o $@ $(HSX_TRACE_OBJS) $(HSXMBX_LIB) $(MBX_LIB) -lbpf -ljson-c \
		$(HSXMBX_LDLIBS) $(LDLIBS)

# --- tests (in the rig) ----------------------------------------------------
# tests/trace/trace.sh runs the workload under hsx-trace and every script.

TRACE_WORKLOAD := $(BUILD)/tests/trace/trace-workload

$(TRACE_WORKLOAD): tests/trace/workload.c $(HSXMBX_LIB) $(HSXMBX_HDRS)
	$(Q)mkdir -p $(@D) && $(CC) $(CFLAGS) $(HSXMBX_CFLAGS) -o $@ $< $(HSXMBX_LIB) \
		$(HSXMBX_LDLIBS) -lpthread

E2E_TESTS += tests/trace/trace.sh
programs: $(TRACE_WORKLOAD)
