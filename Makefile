# aduana - build, run, test, bench.  `make help` lists the targets.
SHELL := /bin/bash
BUILD ?= build
CC ?= cc
SAN ?= 0

PKGS := libdpdk libndpi libhs libconfig cunit libpcap sqlite3

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
CTLD_SRC := ctl/store.c ctl/flowrec.c ctl/export_json.c ctl/export_ipfix.c
CTLD_OBJ := $(CTLD_SRC:%.c=$(BUILD)/obj/%.o)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all deps run test unit bench fuzz clean help check-pkgs format
all: check-pkgs $(BUILD)/aduana $(BUILD)/aduanad $(BUILD)/aduanactl $(UNIT_BIN)

help:
	@echo "make deps   install the Debian packages aduana needs (idempotent)"
	@echo "make        build $(BUILD)/aduana, aduanad, aduanactl and the unit tests"
	@echo "make run    replay the demo capture through the shipped E2M policy"
	@echo "make test   build and run every test; ends with 'N passed, N failed'"
	@echo "make bench  benchmarks against dpdk-testpmd and ndpiReader (perf/)"
	@echo "make SAN=1  the same with ASan/UBSan, in build-san/"

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

$(BUILD)/aduanactl: $(BUILD)/obj/ctl/aduanactl.o $(BUILD)/obj/ctl/flowrec.o $(BUILD)/libaduana.a
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

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build build-san

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
