# The QEMU rig (tools/vm/run) and its in-VM self-test (tests/rig/), which
# runs first in every `make check-vm` boot and proves the rig itself works.
RIG_TESTS := $(BUILD)/tests/rig/rig_test
VM_TESTS  += $(RIG_TESTS)
# qemu-system-x86, busybox-static, kmod, xz-utils: in the top DEB_PACKAGES.

$(BUILD)/tests/rig/%: tests/rig/%.c $(KSFT_HARNESS)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(KSFT_CFLAGS) -Wno-missing-prototypes -Wno-sign-compare -o $@ $<

programs: $(RIG_TESTS)
