# hcsbatch — GNU make build.
#   make            build bin/hcsbatch and bin/hcs-sim
#   make check      unit + integration tests, then the unit tests again under ASan+UBSan
#   make demo       a full nightly batch over samples/ against the bundled simulator
#   make bench      benchmarks (rows/s, peak RSS, …)
#   make mutate     break single lines of the product on a copy: each must fail a test
#   make deps       install the Debian packages the build and tests need (as root)
# Settings: SCHEMAS_DIR (official XSD/WSDL package), BUILD (object dir), BINDIR.

SCHEMAS_DIR ?= ../shared/hcs-wsdl-12.2.2.15
BUILD       ?= build
BINDIR      ?= bin
CC          ?= cc

PKGS     := libxml-2.0 libcrypto libssl libcurl minizip zlib sqlite3 libpq libmicrohttpd xlsxwriter
WARN     := -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter -Wstrict-prototypes -Wno-format-truncation
CPPFLAGS += -Isrc -I/usr/include/iniparser -D_GNU_SOURCE -DHCS_DEFAULT_SCHEMAS='"$(SCHEMAS_DIR)"'
CFLAGS   ?= -O2 -g
CFLAGS   += -std=c11 $(WARN) -MMD -MP $(SAN)
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
LDLIBS   += $(PKG_LIBS) -lcsv -liniparser -lm -lpthread
TEST_LIBS = $(shell pkg-config --libs cmocka 2>/dev/null)

# Every stage folder is part of the library; cli/ and sim/ hold the programs.
LIB_DIRS := base proto read template packet soap sign transport exchange store filestore report
LIB_SRC  := $(foreach d,$(LIB_DIRS),$(wildcard src/$(d)/*.c))
CLI_SRC  := $(wildcard src/cli/*.c)
SIM_SRC  := $(wildcard src/sim/*.c)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
TLIB_SRC := $(wildcard tests/lib/*.c)
BENCH_SRC:= $(wildcard tests/bench/*.c)

obj = $(patsubst %.c,$(BUILD)/%.o,$(1))
LIB      := $(BUILD)/libhcs.a
UNIT_BIN := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
BENCH_BIN:= $(patsubst tests/bench/%.c,$(BUILD)/bench/%,$(BENCH_SRC))

.SECONDARY:
.PHONY: all deps check check-unit check-asan check-valgrind check-integration demo bench soak clean install unit-bins mutate
all: $(BINDIR)/hcsbatch $(BINDIR)/hcs-sim

$(BUILD)/%.o: %.c | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS) -c $< -o $@

$(LIB): $(call obj,$(LIB_SRC))
	@mkdir -p $(dir $@)
	@rm -f $@ && ar rcs $@ $^

$(BINDIR)/hcsbatch: $(call obj,$(CLI_SRC)) $(LIB)
	@mkdir -p $(dir $@)
	@echo "  LINK    $@"
	@$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BINDIR)/hcs-sim: $(call obj,$(SIM_SRC)) $(LIB)
	@mkdir -p $(dir $@)
	@echo "  LINK    $@"
	@$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Unit tests may use simulator code (tests/unit/test_sim_*.c) but never main().
SIM_LIB_OBJ = $(filter-out $(BUILD)/src/sim/main.o,$(call obj,$(SIM_SRC)))
$(BUILD)/tests/%: tests/unit/%.c $(call obj,$(TLIB_SRC)) $(SIM_LIB_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	@echo "  LINK    $@"
	@$(CC) $(CPPFLAGS) -Itests/lib $(PKG_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.c %.o %.a,$^) $(LDLIBS) $(TEST_LIBS)

$(BUILD)/bench/%: tests/bench/%.c $(LIB)
	@mkdir -p $(dir $@)
	@echo "  LINK    $@"
	@$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.c %.o %.a,$^) $(LDLIBS)

# Install missing Debian packages once; the stamp keeps later builds quiet.
$(BUILD)/.deps-ok: scripts/deps.sh
	@mkdir -p $(BUILD)
	@sh scripts/deps.sh
	@touch $@

deps:
	sh scripts/deps.sh --all

check: all $(UNIT_BIN)
	SCHEMAS_DIR=$(SCHEMAS_DIR) BUILD=$(BUILD) BINDIR=$(BINDIR) sh tests/run.sh
	$(MAKE) check-asan

check-unit: $(UNIT_BIN)
	SCHEMAS_DIR=$(SCHEMAS_DIR) BUILD=$(BUILD) BINDIR=$(BINDIR) sh tests/run.sh --unit-only

# Same sources, separate object tree, sanitizers on.
check-asan:
	$(MAKE) BUILD=$(BUILD)/asan BINDIR=$(BUILD)/asan/bin CFLAGS="-O1 -g -fno-omit-frame-pointer" \
	  SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined" check-unit

# Every unit test under valgrind: no leaks, no invalid accesses.
check-valgrind: $(UNIT_BIN)
	SCHEMAS_DIR=$(SCHEMAS_DIR) BUILD=$(BUILD) BINDIR=$(BINDIR) \
	  UNIT_WRAPPER="valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99" \
	  sh tests/run.sh --unit-only

unit-bins: $(UNIT_BIN)

# One-line breaks of the product (tests/mutate/mutations.ini), each must fail
# a test; runs on a copy of the tree, not part of `make check`.
mutate:
	SCHEMAS_DIR=$(SCHEMAS_DIR) python3 tests/mutate/run.py

demo: all
	SCHEMAS_DIR=$(SCHEMAS_DIR) BINDIR=$(BINDIR) sh scripts/demo.sh

bench: all $(BENCH_BIN)
	SCHEMAS_DIR=$(SCHEMAS_DIR) BUILD=$(BUILD) BINDIR=$(BINDIR) sh tests/bench/run.sh

soak: all
	SCHEMAS_DIR=$(SCHEMAS_DIR) BINDIR=$(BINDIR) SOAK=1 sh tests/integration/crash_test.sh

clean:
	rm -rf $(BUILD) $(BINDIR)/hcsbatch $(BINDIR)/hcs-sim

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# libFuzzer harnesses (tests/fuzz/README.md): built with clang, ASan and UBSan
# into $(BUILD)/fuzz (the library too: the gcc objects stay as they are), each
# run FUZZ_SECONDS; a crash fails the target, its input kept in $(BUILD)/fuzz/crashes/.
# CFLAGS goes through the environment: on the command line it would replace
# the `CFLAGS +=` above (warnings, -MMD and $(SAN) with it).  Warnings only
# clang gives stay warnings here: the gcc build is where -Werror holds.
FUZZ_SECONDS ?= 60
FUZZ_SRC := $(filter-out tests/fuzz/fuzz_util.c tests/fuzz/fuzz_table.c,$(wildcard tests/fuzz/fuzz_*.c))
.PHONY: fuzz fuzz-bins
fuzz:
	sh scripts/deps.sh --fuzz
	CFLAGS="-O1 -g -fno-omit-frame-pointer" $(MAKE) BUILD=$(BUILD)/fuzz CC=clang \
	  SAN="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -Wno-error" fuzz-bins
	sh tests/fuzz/run.sh $(BUILD)/fuzz $(FUZZ_SECONDS)
fuzz-bins: $(patsubst tests/fuzz/%.c,$(BUILD)/bin/%,$(FUZZ_SRC))
$(BUILD)/bin/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_util.c tests/fuzz/fuzz_table.c $(LIB)
	@mkdir -p $(dir $@)
	@echo "  LINK    $@"
	@$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS) -fsanitize=fuzzer $(LDFLAGS) -o $@ $(filter %.c %.a,$^) $(LDLIBS)
