# The user-facing apps (build/apps/*.hxe), hsx-run (build/hsx-run) and
# their host tests (tests/apps, tests/asm/roundtrip.sh).
#
# examples/apps/ also holds the executive's test apps (pub, sub, swarm,
# timeout, waiter), which mk/daemon.mk builds into build/examples/apps/;
# the list below names only the sources this fragment owns.  Every app
# source .includes the libraries it needs, so both rules can assemble it.
#
# This file sorts before vm.mk, mbx.mk and daemon.mk, so prerequisites that
# name their variables use second expansion ($$(HSX_AS)).
#
# Exports: HSX_RUN (the runner binary), HSX_APPS (the assembled apps).

.SECONDEXPANSION:

APPS_DIR  := $(BUILD)/apps
# build/apps/NAME.hxe <- examples/apps/NAME.mvasm
APPS_OWN  := hello echo spin pubsub-pub pubsub-sub
APPS_OWN_HXE := $(APPS_OWN:%=$(APPS_DIR)/%.hxe)
# The procon demo, linked with the libraries.
APPS_DEMO_HXE := $(APPS_DIR)/producer.hxe $(APPS_DIR)/consumer.hxe
HSX_APPS  := $(APPS_OWN_HXE) $(APPS_DEMO_HXE) $(APPS_DIR)/timeout.hxe
PROGRAMS  += $(HSX_APPS)

$(APPS_OWN_HXE): $(APPS_DIR)/%.hxe: examples/apps/%.mvasm $$(EX_LIBS) $$(HSX_AS)
	$(Q)mkdir -p $(@D) && $(HSX_AS) --app-name $* -o $@ $<

$(APPS_DIR)/timeout.hxe: examples/apps/timeout-demo.mvasm $$(EX_LIBS) $$(HSX_AS)
	$(Q)mkdir -p $(@D) && $(HSX_AS) --app-name timeout -o $@ $<

$(APPS_DEMO_HXE): $(APPS_DIR)/%.hxe: examples/demos/mailbox/%.mvasm $$(EX_LIBS) $$(HSX_AS)
	$(Q)mkdir -p $(@D) && $(HSX_AS) --app-name $* -o $@ $< $(EX_LIBS)

# --- hsx-run -------------------------------------------------------------------
HSX_RUN      := $(BUILD)/hsx-run
HSX_RUN_SRCS := $(wildcard tools/hsx-run/*.c)
PROGRAMS     += $(HSX_RUN)

$(HSX_RUN): $(HSX_RUN_SRCS) tools/hsx-run/run.h $$(VM_HDRS) $$(VM_LIB) $$(HXE_LIB) \
            $$(MBX_LIB) $$(HSXMBX_LIB) $$(SVC_LIB) $$(SVC_HDRS)
	$(Q)$(CC) $(CFLAGS) -o $@ $(HSX_RUN_SRCS) $(SVC_LIB) $(HXE_LIB) $(VM_LIB) $(MBX_LIB) \
		$(HSXMBX_LIB) $(HXE_LDLIBS) $(VM_LDLIBS) $(HSXMBX_LDLIBS)

# --- tests ---------------------------------------------------------------------
# Scripts are their own HOST_TESTS entries; these prerequisite-only rules
# make `make check-host` build what they run first.  The app tests run a
# sanitised hsx-run (same sources, libraries as sources or -san builds),
# so a leak or undefined behaviour fails them.
HOST_TESTS += tests/apps/run_apps.sh tests/asm/roundtrip.sh
HSX_RUN_SAN := $(BUILD)/tests/apps/hsx-run-san

$(HSX_RUN_SAN): $(HSX_RUN_SRCS) tools/hsx-run/run.h $$(VM_SRCS) $$(VM_HDRS) $$(HXE_SRCS) \
                $$(MBX_LIB_SAN) $$(HSXMBX_LIB) $$(SVC_SRCS) $$(SVC_HDRS)
	$(Q)mkdir -p $(@D) && $(CC) $(CFLAGS) $(SAN) -o $@ $(HSX_RUN_SRCS) $(SVC_SRCS) $(VM_SRCS) \
		$(HXE_SRCS) $(MBX_LIB_SAN) $(HSXMBX_LIB) $(HXE_LDLIBS) $(VM_LDLIBS) $(HSXMBX_LDLIBS)

tests/apps/run_apps.sh: $$(HSX_RUN) $$(HSX_RUN_SAN) $$(HSX_APPS)

tests/asm/roundtrip.sh: $$(HSX_DIS) $$(HSX_AS) $$(HSX_APPS) $$(HSX_EXAMPLES) \
                        $$(EXECD_APPS) tests/asm/meta_fixture.mvasm
