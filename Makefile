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
# What every object needs, kept out of CFLAGS: a CFLAGS given on the make
# command line (check-asan gives one) replaces CFLAGS whole, and would drop
# the warnings and the sanitizers with it.
ALL_CFLAGS = -std=c11 $(WARN) -MMD -MP $(SAN) $(CFLAGS)
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
LDLIBS   += $(PKG_LIBS) -lcsv -liniparser -lm -lpthread
TEST_LIBS = $(shell pkg-config --libs cmocka 2>/dev/null)

# Every stage folder is part of the library; cli/ and sim/ hold the programs.
LIB_DIRS := base proto read template packet soap sign transport exchange store filestore report run
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
.PHONY: all deps check check-unit check-asan check-sanitizers-on check-valgrind check-integration demo bench soak clean install unit-bins mutate
all: $(BINDIR)/hcsbatch $(BINDIR)/hcs-sim

# Objects are rebuilt when the flags change (an old tree built without the
# sanitizers must not pass for a sanitized one).
FLAGS_STAMP := $(BUILD)/.cflags
$(shell mkdir -p $(BUILD) && echo '$(ALL_CFLAGS)' | cmp -s - $(FLAGS_STAMP) || echo '$(ALL_CFLAGS)' >$(FLAGS_STAMP))

$(BUILD)/%.o: %.c $(FLAGS_STAMP) | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(ALL_CFLAGS) -c $< -o $@

$(LIB): $(call obj,$(LIB_SRC))
	@mkdir -p $(dir $@)
	@rm -f $@ && ar rcs $@ $^

$(BINDIR)/hcsbatch: $(call obj,$(CLI_SRC)) $(LIB)
	@mkdir -p $(dir $@)
	@echo "  LINK    $@"
	@$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BINDIR)/hcs-sim: $(call obj,$(SIM_SRC)) $(LIB)
	@mkdir -p $(dir $@)
	@echo "  LINK    $@"
	@$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Unit tests may use simulator code (tests/unit/test_sim_*.c) but never main().
SIM_LIB_OBJ = $(filter-out $(BUILD)/src/sim/main.o,$(call obj,$(SIM_SRC)))
$(BUILD)/tests/%: tests/unit/%.c $(call obj,$(TLIB_SRC)) $(SIM_LIB_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	@echo "  LINK    $@"
	@$(CC) $(CPPFLAGS) -Itests/lib $(PKG_CFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(filter %.c %.o %.a,$^) $(LDLIBS) $(TEST_LIBS)

$(BUILD)/bench/%: tests/bench/%.c $(LIB)
	@mkdir -p $(dir $@)
	@echo "  LINK    $@"
	@$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(filter %.c %.o %.a,$^) $(LDLIBS)

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

# Same sources, separate object tree, sanitizers on.  The proof runs first:
# it fails when the tree is not really instrumented.
ASAN_MAKE = $(MAKE) BUILD=$(BUILD)/asan BINDIR=$(BUILD)/asan/bin CFLAGS="-O1 -g -fno-omit-frame-pointer" \
	  SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
check-asan:
	+$(ASAN_MAKE) check-sanitizers-on
	+$(ASAN_MAKE) check-unit

# Inside the check-asan tree: every unit test binary calls into ASan and
# UBSan, and a planted heap overflow and signed overflow are reported.
check-sanitizers-on: $(UNIT_BIN) $(BUILD)/tests/asan/planted_bug
	sh tests/asan/sanitizers_on.sh $(BUILD)

$(BUILD)/tests/asan/planted_bug: tests/asan/planted_bug.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  LINK    $@"
	@$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $<

# Every unit test under valgrind: no leaks, no invalid accesses.
check-valgrind: $(UNIT_BIN)
	SCHEMAS_DIR=$(SCHEMAS_DIR) BUILD=$(BUILD) BINDIR=$(BINDIR) UNIT_TIMEOUT=$${UNIT_TIMEOUT:-900} \
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
