# Installation and packaging (issue 9): docs/install.md walks through it.
#
#   make install        programs, libhsxmbx (shared + static), headers,
#                       hsxmbx.pc, man pages, bash completion, udev rules,
#                       the systemd unit and the sysusers entry
#   make uninstall      removes exactly what `make install` put there
#   make modules_install  build/hsxmbx.ko into
#                       $(INSTALL_MOD_PATH)/lib/modules/$(KVER)/updates, then
#                       depmod (unsigned unless MODULE_SIGN=1)
#   make dkms-src       the module's DKMS source tree in $(BUILD)/dkms/
#   make dkms-install   dkms add/build/install it for the running kernel (root)
#   make dkms-uninstall dkms remove it again
#   make deb            hsxmbx-dkms, hsxmbx-tools, libhsxmbx-dev into
#                       $(BUILD)/deb/ (dpkg-buildpackage on a staged tree)
#
# Everything honours DESTDIR and PREFIX (default /usr/local).  The install
# targets never build: run `make` first (as your user), then install (as
# root), so a root `make install` never writes into the build tree.

PREFIX         ?= /usr/local
BINDIR         ?= $(PREFIX)/bin
SBINDIR        ?= $(PREFIX)/sbin
LIBDIR         ?= $(PREFIX)/lib
INCLUDEDIR     ?= $(PREFIX)/include
DATADIR        ?= $(PREFIX)/share
MANDIR         ?= $(DATADIR)/man
PKGCONFIGDIR   ?= $(LIBDIR)/pkgconfig
BASHCOMPDIR    ?= $(DATADIR)/bash-completion/completions
# udev, systemd and sysusers all read <prefix>/lib/... for /usr and
# /usr/local alike, so these follow PREFIX (not LIBDIR, which may be a
# multiarch directory).
SYSLIBDIR      ?= $(PREFIX)/lib
UDEVRULESDIR   ?= $(SYSLIBDIR)/udev/rules.d
SYSTEMDUNITDIR ?= $(SYSLIBDIR)/systemd/system
SYSUSERSDIR    ?= $(SYSLIBDIR)/sysusers.d
MODPROBE       ?= /sbin/modprobe
INSTALL        ?= install
# A live install (no DESTDIR) refreshes the loader cache so programs find
# the new soname in LIBDIR; staged installs leave that to the packager.
LDCONFIG       ?= /sbin/ldconfig
LDCONFIG_LIVE   = $(if $(DESTDIR),:,test "$$(id -u)" != 0 || $(LDCONFIG))

INSTALL_MOD_PATH ?=
INSTALL_MOD_DIR  ?= updates
DEPMOD           ?= /sbin/depmod
MODULE_SIGN      ?=

# Version of the packages and of the DKMS tree: the library's version
# (HSXMBX_VERSION, mk/hsxmbx.mk, read after this file: expand late).
HSXMBX_PKG_VERSION = $(HSXMBX_VERSION)

# Programs are installed when the build knows them (PROGRAMS is complete
# only after every fragment is read, hence the late expansion).
INSTALL_BIN_NAMES  := hsx hsx-as hsx-dis
INSTALL_SBIN_NAMES := hsx-execd hsx-trace
INSTALL_BINS  = $(filter $(addprefix $(BUILD)/,$(INSTALL_BIN_NAMES)),$(PROGRAMS))
INSTALL_SBINS = $(filter $(addprefix $(BUILD)/,$(INSTALL_SBIN_NAMES)),$(PROGRAMS))
INSTALL_MANS  := $(sort $(wildcard man/*.[1-8]))
INSTALL_LIBS  = $(HSXMBX_LIB) $(HSXMBX_SO)
INSTALL_INPUTS = $(INSTALL_BINS) $(INSTALL_SBINS) $(INSTALL_LIBS)

HSXMBX_SO_REAL = libhsxmbx.so.$(HSXMBX_VERSION)
INSTALL_SUBST  = sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' \
		 -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' -e 's|@SBINDIR@|$(SBINDIR)|g' \
		 -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@MODPROBE@|$(MODPROBE)|g' \
		 -e 's|@VERSION@|$(HSXMBX_PKG_VERSION)|g' \
		 -e 's|@LDLIBS@|$(HSXMBX_LDLIBS)|g'

# Every installed path, relative to DESTDIR: `make uninstall` and the
# manifest test (tests/install/) both read this list.
install_paths = \
	$(addprefix $(BINDIR)/,$(notdir $(INSTALL_BINS))) \
	$(addprefix $(SBINDIR)/,$(notdir $(INSTALL_SBINS))) \
	$(LIBDIR)/libhsxmbx.a $(LIBDIR)/$(HSXMBX_SO_REAL) \
	$(LIBDIR)/libhsxmbx.so.$(HSXMBX_SOVER) $(LIBDIR)/libhsxmbx.so \
	$(PKGCONFIGDIR)/hsxmbx.pc \
	$(INCLUDEDIR)/hsxmbx/hsxmbx.h $(INCLUDEDIR)/hsxmbx/uapi/hsxmbx.h \
	$(foreach m,$(INSTALL_MANS),$(MANDIR)/man$(subst .,,$(suffix $(m)))/$(notdir $(m))) \
	$(BASHCOMPDIR)/hsx $(UDEVRULESDIR)/60-hsxmbx.rules \
	$(SYSTEMDUNITDIR)/hsx-execd.service $(SYSUSERSDIR)/hsxmbx.conf

.PHONY: install install-programs install-lib install-headers install-man \
        install-data uninstall install-check modules_install modules_uninstall dkms-src \
        dkms-install dkms-uninstall deb print-install-paths print-install-missing
DEB_PACKAGES += debhelper dh-dkms dkms dpkg-dev fakeroot man-db groff-base \
                pkgconf bash-completion udev systemd util-linux

install: install-programs install-lib install-headers install-man install-data

# Fail early, with a hint, rather than building as root.
install-check:
	$(Q)for f in $(INSTALL_INPUTS); do \
		test -e $$f || { echo "$$f missing: run 'make' first" >&2; exit 1; }; \
	done

install-programs: install-check
	$(Q)$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR)
	$(Q)for f in $(INSTALL_BINS); do $(INSTALL) -m 755 $$f $(DESTDIR)$(BINDIR)/; done
	$(Q)for f in $(INSTALL_SBINS); do $(INSTALL) -m 755 $$f $(DESTDIR)$(SBINDIR)/; done

# The real file carries the full version; the soname and the development
# symlink point at it, as ldconfig would set them up.
install-lib: install-check
	$(Q)$(INSTALL) -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR)
	$(Q)$(INSTALL) -m 644 $(HSXMBX_LIB) $(DESTDIR)$(LIBDIR)/libhsxmbx.a
	$(Q)$(INSTALL) -m 755 $(HSXMBX_SO) $(DESTDIR)$(LIBDIR)/$(HSXMBX_SO_REAL)
	$(Q)ln -sf $(HSXMBX_SO_REAL) $(DESTDIR)$(LIBDIR)/libhsxmbx.so.$(HSXMBX_SOVER)
	$(Q)ln -sf libhsxmbx.so.$(HSXMBX_SOVER) $(DESTDIR)$(LIBDIR)/libhsxmbx.so
	$(Q)$(INSTALL_SUBST) packaging/hsxmbx.pc.in >$(DESTDIR)$(PKGCONFIGDIR)/hsxmbx.pc
	$(Q)chmod 644 $(DESTDIR)$(PKGCONFIGDIR)/hsxmbx.pc
	$(Q)$(LDCONFIG_LIVE)

# <hsxmbx/hsxmbx.h> includes "uapi/hsxmbx.h", found next to it.
install-headers:
	$(Q)$(INSTALL) -d $(DESTDIR)$(INCLUDEDIR)/hsxmbx/uapi
	$(Q)$(INSTALL) -m 644 lib/hsxmbx/hsxmbx.h $(DESTDIR)$(INCLUDEDIR)/hsxmbx/hsxmbx.h
	$(Q)$(INSTALL) -m 644 include/uapi/hsxmbx.h $(DESTDIR)$(INCLUDEDIR)/hsxmbx/uapi/hsxmbx.h

install-man:
	$(Q)for m in $(INSTALL_MANS); do \
		s=$${m##*.}; \
		$(INSTALL) -d $(DESTDIR)$(MANDIR)/man$$s && \
		$(INSTALL) -m 644 $$m $(DESTDIR)$(MANDIR)/man$$s/ || exit 1; \
	done

install-data:
	$(Q)$(INSTALL) -d $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(UDEVRULESDIR) \
		$(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(SYSUSERSDIR)
	$(Q)$(INSTALL) -m 644 packaging/bash-completion/hsx $(DESTDIR)$(BASHCOMPDIR)/hsx
	$(Q)$(INSTALL) -m 644 packaging/udev/60-hsxmbx.rules $(DESTDIR)$(UDEVRULESDIR)/
	$(Q)$(INSTALL) -m 644 packaging/sysusers/hsxmbx.conf $(DESTDIR)$(SYSUSERSDIR)/
	$(Q)$(INSTALL_SUBST) packaging/systemd/hsx-execd.service.in \
		>$(DESTDIR)$(SYSTEMDUNITDIR)/hsx-execd.service
	$(Q)chmod 644 $(DESTDIR)$(SYSTEMDUNITDIR)/hsx-execd.service

# Only what install created: shared directories (bin/, man1/, ...) stay.
uninstall:
	$(Q)for p in $(install_paths); do rm -f $(DESTDIR)$$p; done
	$(Q)rmdir $(DESTDIR)$(INCLUDEDIR)/hsxmbx/uapi $(DESTDIR)$(INCLUDEDIR)/hsxmbx 2>/dev/null || true

print-install-paths:
	@printf '%s\n' $(install_paths)

# Programs install knows by name but the build does not produce (yet).
print-install-missing:
	@printf '%s\n' $(filter-out $(notdir $(INSTALL_BINS) $(INSTALL_SBINS)),\
		$(INSTALL_BIN_NAMES) $(INSTALL_SBIN_NAMES))

# --- the kernel module -------------------------------------------------------
# Kbuild installs the hsxmbx.ko it built next to the sources (the same file
# as build/hsxmbx.ko).  Debian's headers carry no signing key, so signing
# stays off unless asked for; DKMS signs with its own MOK key instead.
modules_install:
	$(Q)test -e $(BUILD)/hsxmbx.ko -a -e hsxmbx.ko || \
		{ echo "$(BUILD)/hsxmbx.ko missing: run 'make module' first" >&2; exit 1; }
	$(Q)$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install \
		INSTALL_MOD_PATH=$(INSTALL_MOD_PATH) INSTALL_MOD_DIR=$(INSTALL_MOD_DIR) \
		$(if $(MODULE_SIGN),,CONFIG_MODULE_SIG_ALL=)
	$(Q)$(DEPMOD) $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) $(KVER)

modules_uninstall:
	$(Q)rm -f $(INSTALL_MOD_PATH)/lib/modules/$(KVER)/$(INSTALL_MOD_DIR)/hsxmbx.ko
	$(Q)$(DEPMOD) $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) $(KVER)

# --- DKMS ----------------------------------------------------------------------
# The DKMS tree holds only what Kbuild compiles: the root Kbuild, kmod/,
# lib/mbx/ and the uapi header, plus dkms.conf.  `dkms add` copies it to
# /usr/src/hsxmbx-VERSION.
DKMS_SRC_DIR = $(BUILD)/dkms/hsxmbx-$(HSXMBX_PKG_VERSION)
DKMS_SOURCES = Kbuild $(wildcard kmod/*.[ch]) $(wildcard lib/mbx/*.[ch]) include/uapi/hsxmbx.h

dkms-src:
	$(Q)rm -rf $(DKMS_SRC_DIR) && mkdir -p $(DKMS_SRC_DIR)
	$(Q)tar -cf - $(DKMS_SOURCES) | tar -xf - -C $(DKMS_SRC_DIR)
	$(Q)$(INSTALL_SUBST) dkms.conf >$(DKMS_SRC_DIR)/dkms.conf

dkms-install: dkms-src
	$(Q)rm -rf /usr/src/hsxmbx-$(HSXMBX_PKG_VERSION)
	$(Q)cp -r $(DKMS_SRC_DIR) /usr/src/
	$(Q)dkms add -m hsxmbx -v $(HSXMBX_PKG_VERSION)
	$(Q)dkms build -m hsxmbx -v $(HSXMBX_PKG_VERSION) $(DKMS_FLAGS)
	$(Q)dkms install -m hsxmbx -v $(HSXMBX_PKG_VERSION) $(DKMS_FLAGS)

dkms-uninstall:
	$(Q)dkms remove -m hsxmbx -v $(HSXMBX_PKG_VERSION) --all
	$(Q)rm -rf /usr/src/hsxmbx-$(HSXMBX_PKG_VERSION)

# --- Debian packages -----------------------------------------------------------
# packaging/debian/ is copied into a staged source tree, so the repository
# root never gets a debian/ directory or dpkg-buildpackage's droppings.
# Units and rules go under /lib, where bookworm's debhelper looks for them
# (dh_installsystemd enables and starts the unit from there).
# The staged tree carries the built programs (debian/rules installs them
# with `make install`, it does not rebuild them) and the DKMS sources.
DEB_DIR   = $(BUILD)/deb
DEB_STAGE = $(DEB_DIR)/hsxmbx-$(HSXMBX_PKG_VERSION)

DEB_STAMP = $(DEB_DIR)/.built
DEB_INPUTS = $(INSTALL_MANS) $(DKMS_SOURCES) dkms.conf mk/install.mk \
             $(shell find packaging -type f) lib/hsxmbx/hsxmbx.h

deb:
	$(Q)rm -f $(DEB_STAMP)
	$(Q)$(MAKE) --no-print-directory $(DEB_STAMP)

$(DEB_STAMP): $$(INSTALL_INPUTS) $(DEB_INPUTS)
	$(Q)$(MAKE) --no-print-directory install-check dkms-src
	$(Q)rm -rf $(DEB_DIR) && mkdir -p $(DEB_STAGE)
	$(Q)$(MAKE) --no-print-directory install DESTDIR=$(CURDIR)/$(DEB_STAGE)/root \
		PREFIX=/usr LIBDIR=/usr/lib/$$(dpkg-architecture -qDEB_HOST_MULTIARCH) \
		MODPROBE=/usr/sbin/modprobe SYSTEMDUNITDIR=/lib/systemd/system \
		UDEVRULESDIR=/lib/udev/rules.d
	$(Q)cp -r $(DKMS_SRC_DIR) $(DEB_STAGE)/dkms
	$(Q)cp -r packaging/debian $(DEB_STAGE)/debian
	$(Q)sed -i 's/@VERSION@/$(HSXMBX_PKG_VERSION)/g' $(DEB_STAGE)/debian/changelog
	$(Q)cd $(DEB_STAGE) && dpkg-buildpackage -b -uc -us -rfakeroot >../build.log 2>&1 || \
		{ tail -40 ../build.log >&2; exit 1; }
	$(Q)touch $@

# --- tests -------------------------------------------------------------------
# The host test checks the packages and the rig test installs them: both
# need them built first (check-build builds HOST_TESTS' prerequisites).
INSTALL_HOST_TEST := tests/install/host.sh
INSTALL_RIG_TEST  := tests/install/rig.sh
HOST_TESTS += $(INSTALL_HOST_TEST)
E2E_TESTS  += $(INSTALL_RIG_TEST)
$(INSTALL_HOST_TEST) $(INSTALL_RIG_TEST): $$(DEB_STAMP)
check-vm: $$(DEB_STAMP)
