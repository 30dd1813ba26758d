# The kselftest harness and checkpatch come from Debian's linux-source-6.1
# tarball, extracted into build/ at build time.  Nothing of it is committed.
LINUX_SRC_TAR ?= $(firstword $(wildcard /usr/src/linux-source-6.1.tar.xz))
# KSFT_HARNESS and KSFT_CFLAGS are set in the top Makefile: fragments that
# sort before this one use them in prerequisite lists.

$(KSFT_HARNESS):
	@test -n "$(LINUX_SRC_TAR)" || { echo "linux-source-6.1 missing: run 'make deps'" >&2; exit 1; }
	$(Q)mkdir -p $(KSFT_DIR)
	$(Q)tar -xJf $(LINUX_SRC_TAR) -C $(KSFT_DIR) --strip-components=4 \
		linux-source-6.1/tools/testing/selftests/kselftest_harness.h \
		linux-source-6.1/tools/testing/selftests/kselftest.h
	$(Q)touch $@
