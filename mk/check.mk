# Test driver, dependencies, style and demo targets.
#
#   make deps         install $(DEB_PACKAGES) (fast no-op when all present)
#   make check        deps, build, host tests, ONE rig boot for the in-VM
#                     and end-to-end tests; ends with "N passed, M failed"
#   make check-host   only $(HOST_TESTS)
#   make check-vm     only $(VM_TESTS) then $(E2E_TESTS), in one boot
#   make check-style  checkpatch.pl + clang-format (not part of `make check`)
#   make demo         $(DEMO_CMD) in the rig
# Counting rules: tests/driver/tap.sh.  Logs: $(BUILD)/test-logs/.

# The driver's own counting rules are a (cheap) host test.
HOST_TESTS += tests/driver/selftest

# The rig self-test runs first, so a broken rig is the first thing reported.
VM_RUN_TESTS = $(RIG_TESTS) $(filter-out $(RIG_TESTS),$(VM_TESTS)) $(E2E_TESTS)
# Words of the in-VM lists that we build (the rest are scripts).
VM_BUILT = $(filter $(BUILD)/%,$(VM_TESTS) $(E2E_TESTS))
TEST_ENV = HOST_TESTS="$(HOST_TESTS)" VM_TESTS="$(VM_RUN_TESTS)" E2E_TESTS= \
           HSXMBX_TEST_LOGS="$(BUILD)/test-logs"

.PHONY: check-build
deps:
	$(Q)tests/driver/deps $(sort $(DEB_PACKAGES))

# Sub-makes keep the order (deps, build, tests) even under -j.
check:
	$(Q)$(MAKE) --no-print-directory deps
	$(Q)$(MAKE) --no-print-directory all check-build
	$(Q)$(TEST_ENV) tests/driver/check all

check-build: $$(HOST_TESTS) $$(VM_BUILT)

check-host: $$(HOST_TESTS)
	$(Q)$(TEST_ENV) tests/driver/check host

check-vm: all $$(VM_BUILT)
	$(Q)$(TEST_ENV) tests/driver/check vm

# make demo: later fragments set DEMO_CMD to the real demo (any flavour of
# assignment works, the default is only taken when it is empty).
DEMO_DEFAULT := sh -c 'grep hsxmbx /proc/modules && ls -l /dev/hsxmbx'
demo:
	$(Q)$(MAKE) --no-print-directory deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)tools/vm/run -- $(or $(DEMO_CMD),$(DEMO_DEFAULT))

# check-style: checkpatch.pl (with its data files, from the linux-source
# tarball, never committed) and clang-format with the committed .clang-format.
CHECKPATCH_DIR := $(BUILD)/checkpatch
CHECKPATCH     := $(CHECKPATCH_DIR)/checkpatch.pl
STYLE_SRCS     ?= $(wildcard kmod/*.[ch] lib/mbx/*.[ch])

$(CHECKPATCH):
	@test -n "$(LINUX_SRC_TAR)" || { echo "linux-source-6.1 missing: run 'make deps'" >&2; exit 1; }
	$(Q)mkdir -p $(CHECKPATCH_DIR)
	$(Q)tar -xJf $(LINUX_SRC_TAR) -C $(CHECKPATCH_DIR) --strip-components=2 \
		linux-source-6.1/scripts/checkpatch.pl \
		linux-source-6.1/scripts/spelling.txt \
		linux-source-6.1/scripts/const_structs.checkpatch
	$(Q)touch $@

check-style: $(CHECKPATCH)
	$(Q)status=0; \
	echo "== checkpatch.pl"; \
	$(CHECKPATCH) --no-tree --terse --file $(STYLE_SRCS) || status=1; \
	echo "== clang-format"; \
	clang-format --dry-run --Werror $(STYLE_SRCS) || status=1; \
	exit $$status
