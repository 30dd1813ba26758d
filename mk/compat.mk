# Compatibility with the HSX reference toolchain (issue 18): tests/compat.
#
#   tests/compat/execd.sh   the executive and hsx tool side (embedded
#                           backend, no module): NUL bytes through listen,
#                           hsx regs, BRK pause and hsx resume

HOST_TESTS += tests/compat/execd.sh

.SECONDEXPANSION:
tests/compat/execd.sh: $$(EXECD) $$(HSX_TOOL) $$(HSX_AS)
