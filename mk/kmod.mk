# The kernel module, built out of tree against the rig kernel's headers
# (KDIR from the top Makefile), and its in-rig kselftests.
# Kbuild tracks its own dependencies, so it always runs; the copy only
# happens when the module changed.
.PHONY: FORCE
FORCE:

module: $(BUILD)/hsxmbx.ko

$(BUILD)/hsxmbx.ko: FORCE
	$(Q)mkdir -p $(BUILD)
	$(Q)$(MAKE) -C $(KDIR) M=$(CURDIR) modules
	$(Q)cmp -s hsxmbx.ko $@ || cp hsxmbx.ko $@

# Kbuild leaves its objects next to the sources (out-of-tree M= builds
# cannot redirect them); remove them with the rest.
.PHONY: clean-kmod
clean-kmod:
	$(Q)$(MAKE) -C $(KDIR) M=$(CURDIR) clean >/dev/null 2>&1 || true
	$(Q)rm -f kmod/*.o kmod/.*.cmd lib/mbx/*.o lib/mbx/.*.cmd
clean: clean-kmod

# In-rig kselftests: plain gcc, kselftest harness, run by the test driver.
KMOD_TEST_SRCS := $(wildcard tests/kmod/*.c)
KMOD_TESTS     := $(patsubst tests/kmod/%.c,$(BUILD)/tests/kmod/%,$(KMOD_TEST_SRCS))
KMOD_TEST_LIBS := -luring -lcap -lpthread

$(BUILD)/tests/kmod/%: tests/kmod/%.c $(wildcard tests/kmod/*.h) include/uapi/hsxmbx.h $(KSFT_HARNESS)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(KSFT_CFLAGS) -Wno-missing-prototypes -Wno-sign-compare -o $@ $< $(KMOD_TEST_LIBS)

programs: $(KMOD_TESTS)
VM_TESTS += $(KMOD_TESTS)

# Static check: lockless-read fields are written with WRITE_ONCE.
HOST_TESTS += tests/style/lockless-fields.sh
