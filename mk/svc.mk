# lib/svc: the SVC layer (register contract of modules 0x00, 0x01, 0x04,
# 0x05, 0x06) shared by hsx-execd (daemon/) and hsx-run (tools/hsx-run/).
#
# Exports: SVC_LIB (build/svc/libhsxsvc.a), SVC_SRCS and SVC_HDRS (for the
# sanitised hsx-run, which compiles the sources itself).  Users also link
# $(MBX_LIB), $(VM_LIB) and $(HSXMBX_LIB), which it calls.

SVC_DIR  := $(BUILD)/svc
SVC_LIB  := $(SVC_DIR)/libhsxsvc.a
SVC_SRCS := $(sort $(wildcard lib/svc/*.c))
SVC_HDRS := $(wildcard lib/svc/*.h) lib/mbx/mbx.h lib/vm/vm.h \
            lib/hsxmbx/hsxmbx.h include/uapi/hsxmbx.h
SVC_OBJS := $(patsubst lib/svc/%.c,$(SVC_DIR)/%.o,$(SVC_SRCS))

PROGRAMS += $(SVC_LIB)

$(SVC_DIR)/%.o: lib/svc/%.c $(SVC_HDRS)
	$(Q)mkdir -p $(@D) && $(CC) $(CFLAGS) -c -o $@ $<

$(SVC_LIB): $(SVC_OBJS)
	$(Q)$(AR) rcs $@ $^
