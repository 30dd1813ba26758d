# Compatibility with the HSX reference toolchain (issue 18): tests/compat.
#
#   tests/compat/run.sh     the corpus: tests/compat/cases/*, MVASM
#                           programs with the image bytes (written by hand
#                           from the reference, tests/compat/spec2hxe.py),
#                           output and exit status the reference gives
#   tests/compat/execd.sh   the executive and hsx tool side (embedded
#                           backend, no module): NUL bytes through listen,
#                           hsx regs, BRK pause and hsx resume

HOST_TESTS += tests/compat/run.sh tests/compat/execd.sh

.SECONDEXPANSION:
tests/compat/run.sh: $$(HSX_AS) $$(HSX_RUN) $$(HSX_RUN_SAN)
tests/compat/execd.sh: $$(EXECD) $$(HSX_TOOL) $$(HSX_AS)
