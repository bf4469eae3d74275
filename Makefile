# aduana - build, run, test, bench.  `make help` lists the targets.
SHELL := /bin/bash
BUILD ?= build
CC ?= cc
SAN ?= 0

# make install: FHS places under PREFIX, staged under DESTDIR. The config,
# its defaults file and the log directory stay in /etc and /var whatever
# the prefix: the unit, the man page and the README point there.
PREFIX ?= /usr/local
DESTDIR ?=
SBINDIR ?= $(PREFIX)/sbin
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/aduana
UNITDIR ?= $(PREFIX)/lib/systemd/system
SYSCONFDIR ?= /etc
LOGDIR ?= /var/log/aduana

PKGS := libdpdk libndpi libhs libconfig cunit libpcap sqlite3 libgcrypt

# Everything below needs the libraries; `make deps` installs them. The guard
# keeps a missing package from turning into a page of compiler errors.
ifeq ($(filter deps help clean,$(MAKECMDGOALS)),)
PKG_OK := $(shell pkg-config --exists $(PKGS) && echo yes)
endif

# -isystem: warnings in library headers are not ours to fix.
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null | sed 's/-I/-isystem /g')
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 $(WARN) -D_GNU_SOURCE -Ipolicy -Idataplane -Iclassifiers -Ictl $(PKG_CFLAGS)
LDLIBS += $(PKG_LIBS) -lm -lpthread
ifeq ($(SAN),1)
CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
BUILD := build-san
endif

POLICY_SRC := $(wildcard policy/*.c)
DP_SRC := $(filter-out dataplane/main.c,$(wildcard dataplane/*.c))
CLS_SRC := $(wildcard classifiers/*.c)
CTL_LIB_SRC := ctl/proto.c
LIB_SRC := $(POLICY_SRC) $(DP_SRC) $(CLS_SRC) $(CTL_LIB_SRC)
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
# aduanad's own modules; aduanad and aduanactl also link policy/ and
# classifiers/ from libaduana.a (validation), never the DPDK objects.
CTLD_SRC := ctl/store.c ctl/flowrec.c ctl/export_json.c ctl/export_ipfix.c ctl/grants.c \
	ctl/roles.c ctl/audit.c ctl/report.c
CTLD_OBJ := $(CTLD_SRC:%.c=$(BUILD)/obj/%.o)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all prog deps run test unit bench bench-download bench-ctl fuzz clean help check-pkgs format install uninstall deb
all: check-pkgs $(BUILD)/aduana $(BUILD)/aduanad $(BUILD)/aduanactl $(UNIT_BIN)
prog: check-pkgs $(BUILD)/aduana $(BUILD)/aduanad $(BUILD)/aduanactl

help:
	@echo "make deps   install the Debian packages aduana needs (idempotent)"
	@echo "make        build $(BUILD)/aduana, aduanad, aduanactl and the unit tests"
	@echo "make run    replay the demo capture through the shipped E2M policy"
	@echo "make test   build and run every test; ends with 'N passed, N failed'"
	@echo "make bench  benchmarks against dpdk-testpmd and ndpiReader (perf/)"
	@echo "make bench-download  100 MB TLS download through aduana vs a Linux bridge (root)"
	@echo "make bench-ctl       aduanad's records/s into SQLite vs the dataplane's record rate"
	@echo "make install [PREFIX=/usr/local] [DESTDIR=]  binary, config, unit, man page"
	@echo "make deb    build the Debian package into $(BUILD)/deb/ (debhelper)"
	@echo "make SAN=1  the same with ASan/UBSan, in build-san/"
	@echo "make fuzz   libFuzzer targets (clang) in build-fuzz/, FUZZ_SECONDS each (default 600)"

check-pkgs:
ifneq ($(PKG_OK),yes)
	@echo "error: missing libraries ($(PKGS)); run 'make deps'" >&2; exit 1
endif

deps:
	@scripts/deps.sh

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libaduana.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/aduana: $(BUILD)/obj/dataplane/main.o $(BUILD)/libaduana.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/aduanad: $(BUILD)/obj/ctl/aduanad.o $(CTLD_OBJ) $(BUILD)/libaduana.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/aduanactl: $(BUILD)/obj/ctl/aduanactl.o $(BUILD)/obj/ctl/flowrec.o $(BUILD)/obj/ctl/audit.o \
		$(BUILD)/obj/ctl/roles.o $(BUILD)/libaduana.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# test_audit also links aduanad's roles, audit log and record parser.
$(BUILD)/tests/test_audit: $(BUILD)/obj/tests/unit/test_audit.o $(BUILD)/obj/tests/unit/unit.o \
		$(BUILD)/obj/ctl/roles.o $(BUILD)/obj/ctl/audit.o $(BUILD)/obj/ctl/flowrec.o \
		$(BUILD)/libaduana.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(BUILD)/obj/tests/unit/unit.o $(BUILD)/libaduana.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

run:
	@scripts/deps.sh --quiet
	@$(MAKE) --no-print-directory all
	@scripts/run-demo.sh $(BUILD)

test:
	@scripts/deps.sh --quiet
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) tests/run.sh

unit: all
	@BUILD=$(BUILD) tests/run.sh unit

bench:
	@scripts/deps.sh --quiet
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) perf/bench.sh

# Issue 8: a 100 MB TLS download through aduana vs a Linux bridge (root,
# network namespaces, about 30 s).
bench-download: all
	@BUILD=$(BUILD) perf/download.sh

# Issue 10: aduanad's records/s into SQLite against the dataplane's record
# rate, on the same capture (about a minute).
bench-ctl: all
	@BUILD=$(BUILD) perf/ctl_rate.sh

# The unit and the defaults file carry the paths of this install.
SUBST = sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
	-e 's|@LOGDIR@|$(LOGDIR)|g' -e 's|@DOCDIR@|$(DOCDIR)|g'

install: prog
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(DOCDIR)/examples \
		$(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSCONFDIR)/aduana/lists $(DESTDIR)$(SYSCONFDIR)/default
	install -d -m 0750 $(DESTDIR)$(LOGDIR)
	install -m 0755 $(BUILD)/aduana $(BUILD)/aduanad $(DESTDIR)$(SBINDIR)/
	install -m 0755 $(BUILD)/aduanactl $(DESTDIR)$(BINDIR)/aduanactl
	install -m 0644 conf/aduana.conf conf/classes.conf conf/aduanad.conf \
		$(DESTDIR)$(SYSCONFDIR)/aduana/
	install -m 0644 conf/lists/*.txt conf/lists/*.sig conf/lists/README.md \
		$(DESTDIR)$(SYSCONFDIR)/aduana/lists/
	$(SUBST) conf/systemd/aduana.default > $(DESTDIR)$(SYSCONFDIR)/default/aduana
	$(SUBST) conf/systemd/aduana.service.in > $(DESTDIR)$(UNITDIR)/aduana.service
	$(SUBST) conf/systemd/aduanad.service.in > $(DESTDIR)$(UNITDIR)/aduanad.service
	chmod 0644 $(DESTDIR)$(SYSCONFDIR)/default/aduana $(DESTDIR)$(UNITDIR)/aduana.service \
		$(DESTDIR)$(UNITDIR)/aduanad.service
	$(SUBST) docs/aduana.8 > $(DESTDIR)$(MANDIR)/man8/aduana.8
	chmod 0644 $(DESTDIR)$(MANDIR)/man8/aduana.8
	install -m 0644 README.md docs/*.md $(DESTDIR)$(DOCDIR)/
	install -m 0644 pcaps/demo.pcap $(DESTDIR)$(DOCDIR)/examples/
	@# As the package's postinst does: the daemon's user and the operators'
	@# groups (aduanad.service and aduanad.conf name them). Only for a real
	@# install as root; a staged one (DESTDIR) leaves that to its package.
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ]; then \
		getent passwd aduana >/dev/null || useradd --system --user-group \
			--home-dir /var/lib/aduana --no-create-home --shell /usr/sbin/nologin aduana; \
		for g in aduana-admin aduana-operator aduana-viewer; do \
			getent group $$g >/dev/null || groupadd --system $$g; \
		done; \
	fi

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/aduana $(DESTDIR)$(SBINDIR)/aduanad $(DESTDIR)$(BINDIR)/aduanactl \
		$(DESTDIR)$(MANDIR)/man8/aduana.8 $(DESTDIR)$(UNITDIR)/aduana.service \
		$(DESTDIR)$(UNITDIR)/aduanad.service
	rm -rf $(DESTDIR)$(DOCDIR)
	@echo "left in place: $(SYSCONFDIR)/aduana, $(SYSCONFDIR)/default/aduana, $(LOGDIR)"

# dpkg-buildpackage writes the packages beside the source tree; build from a
# copy under $(BUILD)/deb/src so that they land in $(BUILD)/deb/, not in the
# directory above the checkout. The copy keeps its own build-deb/ between
# runs (tar keeps the sources' times, so make rebuilds only what changed).
# The package is built with Debian's flags alone: none of this make's
# variables (SAN, PREFIX, CFLAGS, ...) reach it, only PATH, HOME and
# DEB_BUILD_OPTIONS.
deb:
	@scripts/deps.sh --quiet
	@mkdir -p $(BUILD)/deb/src
	@rm -f $(BUILD)/deb/*.deb $(BUILD)/deb/*.buildinfo $(BUILD)/deb/*.changes
	tar -c --exclude=./.git --exclude='./build*' --exclude='./$(BUILD)' --exclude=./debian/aduana \
		--exclude='./debian/.debhelper' --exclude='*/__pycache__' . | tar -x -C $(BUILD)/deb/src
	cd $(BUILD)/deb/src && env -i PATH="$$PATH" HOME="$$HOME" \
		$${DEB_BUILD_OPTIONS:+DEB_BUILD_OPTIONS="$$DEB_BUILD_OPTIONS"} \
		dpkg-buildpackage -us -uc -b -nc -J$$(nproc)
	@ls $(BUILD)/deb/*.deb

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build build-san build-deb build-fuzz

# libFuzzer targets: tests/fuzz/fuzz_NAME.c, linked with FUZZ_SRC_fuzz_NAME,
# built with clang, ASan and UBSan into build-fuzz/. `make fuzz` runs each
# for FUZZ_SECONDS from its corpus (build-fuzz/corpus/NAME, which grows) and
# the seeds tests/fuzz/seeds_NAME.py writes; a finding is left as
# build-fuzz/NAME-crash-* and fails the target. None of it needs DPDK.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 600
FUZZ_DIR := build-fuzz
FUZZ_CFLAGS := -g -O1 -std=gnu11 $(WARN) -D_GNU_SOURCE -Iclassifiers -Ipolicy -Idataplane -Ictl \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_SRC_fuzz_tls := classifiers/tls.c classifiers/tls.h
FUZZ_SRC_fuzz_stream := dataplane/stream.c dataplane/conform.c dataplane/hlog.c dataplane/dns.c \
	classifiers/tls.c dataplane/stream.h dataplane/conform.h dataplane/hlog.h dataplane/dns.h \
	classifiers/tls.h classifiers/h2.h classifiers/quic.h
FUZZ_SRC_fuzz_config := policy/config.c policy/policy.c policy/sha256.c dataplane/dns.c \
	policy/config.h dataplane/dns.h
FUZZ_LIBS_fuzz_config := -lconfig
FUZZ_SRC_fuzz_proto := ctl/proto.c ctl/flowrec.c ctl/proto.h ctl/flowrec.h
FUZZ_SRC_fuzz_h2 := classifiers/h2.c classifiers/h2.h
FUZZ_SRC_fuzz_http := classifiers/hs.c classifiers/hs.h policy/sha256.c
FUZZ_LIBS_fuzz_http := -lhs
FUZZ_SRC_fuzz_quic := classifiers/quic.c classifiers/quic.h
FUZZ_LIBS_fuzz_quic := -lgcrypt
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))

.SECONDEXPANSION:
$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c $$(FUZZ_SRC_fuzz_$$*)
	@command -v $(FUZZ_CC) >/dev/null || { echo "error: $(FUZZ_CC) not found (apt-get install -y clang)" >&2; exit 1; }
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(filter %.c,$(FUZZ_SRC_fuzz_$*)) $(FUZZ_LIBS_fuzz_$*)

fuzz: $(FUZZ_TARGETS:%=$(FUZZ_DIR)/%)
	@set -e; for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_DIR)/corpus/$$t $(FUZZ_DIR)/seeds/$$t; \
		s=tests/fuzz/seeds_$${t#fuzz_}.py; [ ! -x $$s ] || $$s $(FUZZ_DIR)/seeds/$$t; \
		echo "fuzz: $$t for $(FUZZ_SECONDS) s"; \
		LSAN_OPTIONS=suppressions=$(CURDIR)/tests/fuzz/lsan.supp $(FUZZ_DIR)/$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			-artifact_prefix=$(FUZZ_DIR)/$$t- $(FUZZ_DIR)/corpus/$$t $(FUZZ_DIR)/seeds/$$t; \
	done

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
