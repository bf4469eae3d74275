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
LIB_SRC := $(POLICY_SRC) $(DP_SRC) $(CLS_SRC)
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all deps run test unit bench fuzz clean help check-pkgs format
all: check-pkgs $(BUILD)/aduana $(UNIT_BIN)

help:
	@echo "make deps   install the Debian packages aduana needs (idempotent)"
	@echo "make        build $(BUILD)/aduana and the unit tests"
	@echo "make run    replay the demo capture through the shipped E2M policy"
	@echo "make test   build and run every test; ends with 'N passed, N failed'"
	@echo "make bench  benchmarks against dpdk-testpmd and ndpiReader (perf/)"
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
	rm -rf build build-san build-fuzz

# libFuzzer targets: tests/fuzz/fuzz_NAME.c, linked with FUZZ_SRC_fuzz_NAME,
# built with clang, ASan and UBSan into build-fuzz/. `make fuzz` runs each
# for FUZZ_SECONDS from its corpus (build-fuzz/corpus/NAME, which grows) and
# the seeds tests/fuzz/seeds_NAME.py writes; a finding is left as
# build-fuzz/NAME-crash-* and fails the target. None of it needs DPDK.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 600
FUZZ_DIR := build-fuzz
FUZZ_CFLAGS := -g -O1 -std=gnu11 $(WARN) -D_GNU_SOURCE -Iclassifiers -Ipolicy \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_SRC_fuzz_tls := classifiers/tls.c classifiers/tls.h
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))

.SECONDEXPANSION:
$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c $$(FUZZ_SRC_fuzz_$$*)
	@command -v $(FUZZ_CC) >/dev/null || { echo "error: $(FUZZ_CC) not found (apt-get install -y clang)" >&2; exit 1; }
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(filter %.c,$(FUZZ_SRC_fuzz_$*))

fuzz: $(FUZZ_TARGETS:%=$(FUZZ_DIR)/%)
	@set -e; for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_DIR)/corpus/$$t $(FUZZ_DIR)/seeds/$$t; \
		s=tests/fuzz/seeds_$${t#fuzz_}.py; [ ! -x $$s ] || $$s $(FUZZ_DIR)/seeds/$$t; \
		echo "fuzz: $$t for $(FUZZ_SECONDS) s"; \
		$(FUZZ_DIR)/$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			-artifact_prefix=$(FUZZ_DIR)/$$t- $(FUZZ_DIR)/corpus/$$t $(FUZZ_DIR)/seeds/$$t; \
	done

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
