# lib/mbx: the portable mailbox engine, as a userspace static library (the
# executive's embedded backend and the tests), plus its host unit tests.
# The module compiles the same sources through the root Kbuild.

MBX_SRCS     := $(sort $(wildcard lib/mbx/*.c))
MBX_HDRS     := lib/mbx/mbx.h $(wildcard lib/mbx/*_internal.h) include/uapi/hsxmbx.h
MBX_LIB      := $(BUILD)/mbx/libmbx.a
MBX_LIB_SAN  := $(BUILD)/mbx/libmbx-san.a
MBX_CFLAGS   := -ffreestanding

MBX_OBJS     := $(patsubst lib/mbx/%.c,$(BUILD)/mbx/obj/%.o,$(MBX_SRCS))
MBX_OBJS_SAN := $(patsubst lib/mbx/%.c,$(BUILD)/mbx/obj-san/%.o,$(MBX_SRCS))

$(BUILD)/mbx/obj/%.o: lib/mbx/%.c $(MBX_HDRS)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(MBX_CFLAGS) -Werror -c $< -o $@

$(BUILD)/mbx/obj-san/%.o: lib/mbx/%.c $(MBX_HDRS)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(MBX_CFLAGS) $(SAN) -Werror -c $< -o $@

$(MBX_LIB): $(MBX_OBJS)
	$(Q)$(AR) rcs $@ $^

$(MBX_LIB_SAN): $(MBX_OBJS_SAN)
	$(Q)$(AR) rcs $@ $^

MBX_TEST_SRCS  := $(sort $(wildcard tests/mbx/test_*.c))
MBX_TESTS      := $(patsubst tests/mbx/%.c,$(BUILD)/tests/mbx/%,$(MBX_TEST_SRCS))
MBX_TEST_HDRS  := $(wildcard tests/mbx/*.h)
# The kselftest harness defines non-static functions and compares signed
# literals with unsigned values; those two warnings stay off for tests.
MBX_TEST_CFLAGS := -Wno-missing-prototypes -Wno-sign-compare

$(BUILD)/tests/mbx/%: tests/mbx/%.c $(MBX_TEST_HDRS) $(MBX_LIB_SAN) $(KSFT_HARNESS)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(SAN) -Werror $(MBX_TEST_CFLAGS) $(KSFT_CFLAGS) -Itests/mbx $< $(MBX_LIB_SAN) -o $@ $(LDLIBS)

PROGRAMS   += $(MBX_LIB)
HOST_TESTS += $(MBX_TESTS)

.PHONY: mbx-tests
mbx-tests: $(MBX_TESTS)
