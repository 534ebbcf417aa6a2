# cairn - a plain GNU Makefile. `make` builds build/libcairn.a and build/cairn with gcc.
#
#   make                 release build (gcc, -O2)
#   make CC=clang        the same with clang (into build/clang)
#   make test            deps, ASan+UBSan build, unit + e2e suites, ends with "N passed, M failed"
#   make demo            deps, build, the end-to-end demo
#   make fuzz            libFuzzer targets (clang); make fuzz-smoke runs each briefly
#   make bench           benchmarks against peers, printing ratios
#
# Sources are found by wildcard: a new module is a new src/<module>/ directory, a new command a new
# src/cli/cmd_<name>.c plus a line in the command table, a new test file tests/unit/<module>_test.c.

CC ?= gcc
ifeq ($(origin CC),default)
CC := gcc
endif

# Where objects go depends on the compiler and the sanitizer setting, so builds never mix.
SANITIZE ?=
ifeq ($(SANITIZE),1)
BUILD ?= build/asan
else ifeq ($(SANITIZE),fuzz)
BUILD ?= build/fuzz
else ifeq ($(notdir $(CC)),clang)
BUILD ?= build/clang
else
BUILD ?= build
endif

PKGS := openssl jansson libcurl libarchive sqlite3 yaml-0.1 libsodium libmicrohttpd zlib
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS := $(shell pkg-config --libs $(PKGS))

WARNINGS := -Wall -Wextra -Wpedantic -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes \
	-Wpointer-arith -Wundef -Wvla -Wwrite-strings -Wcast-align -Wimplicit-fallthrough
# CI (and make test) turn warnings into errors; a developer's build only shows them.
ifneq ($(filter 1 true yes,$(CI) $(WERROR)),)
WARNINGS += -Werror
endif

OPT ?= -O2 -g
CFLAGS_ALL := -std=c17 -D_GNU_SOURCE $(OPT) $(WARNINGS) -Iinclude -Isrc $(PKG_CFLAGS) -MMD -MP $(CFLAGS)
LDFLAGS_ALL := $(LDFLAGS)
ifeq ($(SANITIZE),1)
SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
CFLAGS_ALL += $(SAN)
LDFLAGS_ALL += $(SAN)
else ifeq ($(SANITIZE),fuzz)
# Library objects get coverage instrumentation; only the targets link libFuzzer's main.
SAN := -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
CFLAGS_ALL += $(SAN)
LDFLAGS_ALL += -fsanitize=fuzzer,address,undefined
endif
LIBS := $(PKG_LIBS) -lpthread -lm

LIB_SRC := $(sort $(filter-out src/cli/%,$(wildcard src/*/*.c)))
CLI_SRC := $(sort $(wildcard src/cli/*.c))
UNIT_SRC := $(sort $(wildcard tests/unit/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
UNIT_OBJ := $(UNIT_SRC:%.c=$(BUILD)/obj/%.o)

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
GIT_REV := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
CFLAGS_ALL += -DCAIRN_VERSION='"$(VERSION)"' -DCAIRN_GIT_REV='"$(GIT_REV)"'

.PHONY: all unit-tests test demo deps fuzz fuzz-targets fuzz-smoke bench bench-programs clean
all: $(BUILD)/libcairn.a $(BUILD)/cairn

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS_ALL) -c $< -o $@

$(BUILD)/libcairn.a: $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/cairn: $(CLI_OBJ) $(BUILD)/libcairn.a
	$(CC) $(LDFLAGS_ALL) -o $@ $(CLI_OBJ) $(BUILD)/libcairn.a $(LIBS)

# All unit test files link into one Criterion binary; Criterion finds the tests itself.
$(BUILD)/unit-tests: $(UNIT_OBJ) $(BUILD)/libcairn.a
	$(CC) $(LDFLAGS_ALL) -o $@ $(UNIT_OBJ) $(BUILD)/libcairn.a $(LIBS) $(shell pkg-config --libs criterion)

unit-tests: $(BUILD)/unit-tests

deps:
	@scripts/deps

test: deps
	@scripts/run-tests

demo: deps
	@$(MAKE) --no-print-directory all
	@scripts/demo

# libFuzzer needs clang; each target links the library built with the fuzzer's instrumentation.
FUZZ_SRC := $(sort $(wildcard tests/fuzz/*.c))
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%)
fuzz: deps
	@$(MAKE) --no-print-directory CC=clang SANITIZE=fuzz fuzz-targets
fuzz-targets: $(FUZZ_BIN)
build/fuzz/%: $(BUILD)/obj/tests/fuzz/%.o $(BUILD)/libcairn.a
	$(CC) $(LDFLAGS_ALL) -o $@ $< $(BUILD)/libcairn.a $(LIBS)
fuzz-smoke: fuzz
	@scripts/fuzz-smoke $(FUZZ_BIN)

BENCH_SRC := $(sort $(wildcard bench/*.c))
BENCH_BIN := $(BENCH_SRC:bench/%.c=build/bench/%)
bench: deps
	@$(MAKE) --no-print-directory all
	@scripts/bench
bench-programs: $(BENCH_BIN)
build/bench/%: bench/%.c $(BUILD)/libcairn.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -o $@ $< $(BUILD)/libcairn.a $(LIBS)

clean:
	rm -rf build

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(UNIT_OBJ:.o=.d)
