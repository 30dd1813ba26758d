# hsx-execd (daemon/), the executive daemon, plus its tests and the demo.
#
#   build/hsx-execd      the daemon (both backends built in)
#   tests/e2e/           end-to-end tests: host runs use the embedded
#                        backend (HOST_TESTS), rig runs the kernel one
#                        (E2E_TESTS)
#   make demo            DEMO_CMD: tools/demo/procon.sh in the rig

EXECD          := $(BUILD)/hsx-execd
EXECD_SRCS     := $(wildcard daemon/*.c)
EXECD_OBJS     := $(patsubst daemon/%.c,$(BUILD)/daemon/%.o,$(EXECD_SRCS))
EXECD_HDRS     := $(wildcard daemon/*.h) include/uapi/hsxmbx.h lib/mbx/mbx.h \
                  lib/vm/vm.h lib/hxe/hxe.h lib/hsxmbx/hsxmbx.h lib/svc/svc.h
# Recursive: the library fragments (mbx, vm, hsxmbx, svc) are read after
# this one.
EXECD_LIBS      = $(SVC_LIB) $(VM_LIB) $(HXE_LIB) $(MBX_LIB) $(HSXMBX_LIB)
EXECD_LDLIBS    = -luring -ljson-c -lcap $(HXE_LDLIBS) $(VM_LDLIBS)

PROGRAMS += $(EXECD)

$(BUILD)/daemon/%.o: daemon/%.c $(EXECD_HDRS)
	$(Q)mkdir -p $(@D) && $(CC) $(CFLAGS) -c -o $@ $<

.SECONDEXPANSION:
$(EXECD): $(EXECD_OBJS) $$(EXECD_LIBS)
	$(Q)$(CC) $(CFLAGS) -o $@ $(EXECD_OBJS) $(EXECD_LIBS) $(EXECD_LDLIBS) $(LDLIBS)

# Self-contained MVASM test apps (examples/apps) -> build/examples/apps.
EXECD_APPS := $(patsubst examples/apps/%.mvasm,$(BUILD)/examples/apps/%.hxe,\
                $(wildcard examples/apps/*.mvasm))
PROGRAMS += $(EXECD_APPS)

$(BUILD)/examples/apps/%.hxe: examples/apps/%.mvasm $$(HSX_AS)
	$(Q)mkdir -p $(@D) && $(HSX_AS) --app-name $* -o $@ $<

# --- tests -----------------------------------------------------------------
E2E_FUZZ := $(BUILD)/tests/e2e/proto_fuzz
PROGRAMS += $(E2E_FUZZ)

$(E2E_FUZZ): tests/e2e/proto_fuzz.c
	$(Q)mkdir -p $(@D) && $(CC) $(CFLAGS) -Wno-missing-prototypes -o $@ $< -ljson-c

# The embedded backend needs no module: its end-to-end run is a host test.
HOST_TESTS += tests/e2e/execd-embedded.sh
# Kernel backend (rig): common scenarios; nodes, SIGKILL cleanup and the
# backend comparison; 10,000 idle tasks.  Each stays under the rig's
# per-program limit.
E2E_TESTS += tests/e2e/execd-kernel.sh tests/e2e/execd-nodes.sh tests/e2e/execd-scale.sh

# make demo (mk/check.mk runs $(DEMO_CMD) in the rig).
DEMO_CMD := daemon/demo.sh
