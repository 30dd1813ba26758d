# Benchmarks (bench/, issue 7): hsxmbx against POSIX mq, pipes, AF_UNIX
# SOCK_SEQPACKET and an eventfd + shared-memory ring, always as ratios of
# runs taken in the same boot, in alternating rounds (see docs/benchmarks.md).
#
#   make bench       every benchmark inside ONE rig boot, then the ratio
#                    tables and the plot into docs/benchmarks.{md,png}
#   make bench-host  the parts that need no kernel module (the peers alone,
#                    the VM interpreter bench if present) into build/bench/
#   BENCH_ROUNDS=N   alternating rounds (default 5); BENCH_ARGS for more
#
# Benchmarks are not tests: nothing here asserts on time.  `make check`
# only runs bench/smoke (tiny counts: each binary runs, prints JSON that
# parses, exits 0), inside the rig because it needs the module.

BENCH_DIR    := $(BUILD)/bench
BENCH_COMMON := bench/bench.c bench/chan.c bench/chan_hsx.c
BENCH_NAMES  := $(filter-out $(basename $(notdir $(BENCH_COMMON))),\
                $(basename $(notdir $(wildcard bench/*.c))))
BENCH_BINS   := $(addprefix $(BENCH_DIR)/,$(BENCH_NAMES))
BENCH_HDRS   := $(wildcard bench/*.h) include/uapi/hsxmbx.h lib/hsxmbx/hsxmbx.h
BENCH_LIBS   := -luring -lrt -lpthread
BENCH_ROUNDS ?= 5
BENCH_ARGS   ?=

DEB_PACKAGES += gnuplot-nox linux-perf python3
PROGRAMS     += $(BENCH_BINS)
VM_TESTS     += bench/smoke

# HSXMBX_LIB comes from mk/hsxmbx.mk, read after this file: expand late.
.SECONDEXPANSION:
$(BENCH_BINS): $(BENCH_DIR)/%: bench/%.c $(BENCH_COMMON) $(BENCH_HDRS) $$(HSXMBX_LIB) | $(BENCH_DIR)/
	$(Q)$(CC) $(CFLAGS) $(HSXMBX_CFLAGS) -o $@ $< $(BENCH_COMMON) \
		$(HSXMBX_LIB) $(HSXMBX_LDLIBS) $(BENCH_LIBS) $(LDLIBS)

# The executive's many-task workload (bench/execd), assembled with hsx-as
# from mk/vm.mk (read after this file: expand late).
BENCH_APPS := $(BENCH_DIR)/msgloop.hxe
PROGRAMS   += $(BENCH_APPS)
$(BENCH_DIR)/%.hxe: bench/apps/%.mvasm $$(HSX_AS) | $(BENCH_DIR)/
	$(Q)$(HSX_AS) --app-name $* -o $@ $<

# The rig shares build/bench read-write so the guest's results land there.
# The host's load average before and after: the cores are shared.
BENCH_LOADAVG = echo "$$(date -u +%H:%M:%SZ) $$(cut -d' ' -f1-3 /proc/loadavg)"

bench: module programs
	$(Q)$(BENCH_LOADAVG) >$(BENCH_DIR)/host-load.txt
	$(Q)tools/vm/run --timeout 3000 --share $(BENCH_DIR) -- \
		bench/run collect --rounds $(BENCH_ROUNDS) \
		--out $(BENCH_DIR)/results.jsonl $(BENCH_ARGS)
	$(Q)$(BENCH_LOADAVG) >>$(BENCH_DIR)/host-load.txt
	$(Q)$(MAKE) --no-print-directory -s bench-vm >$(BENCH_DIR)/vm.txt 2>&1 || \
		echo "make bench-vm failed" >>$(BENCH_DIR)/vm.txt
	$(Q)bench/run report $(BENCH_DIR)/results.jsonl --vm $(BENCH_DIR)/vm.txt \
		--host-load $(BENCH_DIR)/host-load.txt \
		--doc docs/benchmarks.md --plot docs/benchmarks.png

bench-host: $(BENCH_BINS)
	$(Q)bench/run collect --host --rounds $(BENCH_ROUNDS) \
		--out $(BENCH_DIR)/host.jsonl $(BENCH_ARGS)
	$(Q)$(MAKE) --no-print-directory -s bench-vm >$(BENCH_DIR)/vm.txt 2>&1 || \
		echo "make bench-vm failed" >>$(BENCH_DIR)/vm.txt
	$(Q)bench/run report $(BENCH_DIR)/host.jsonl --vm $(BENCH_DIR)/vm.txt \
		--markdown $(BENCH_DIR)/host.md --plot $(BENCH_DIR)/host.png
