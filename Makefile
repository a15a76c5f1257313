# hcsbatch — GNU make build.
#   make            build bin/hcsbatch and bin/hcs-sim
#   make check      unit + integration tests, then the unit tests again under ASan+UBSan
#   make demo       a full nightly batch over samples/ against the bundled simulator
#   make bench      benchmarks (rows/s, peak RSS, …)
#   make mutate     break single lines of the product on a copy: each must fail a test
#   make deps       install the Debian packages the build and tests need (as root)
#   make install    programs, templates, man pages, example configuration, cron,
#                   systemd and logrotate files under DESTDIR/PREFIX; make uninstall
# Settings: SCHEMAS_DIR (official XSD/WSDL package), BUILD (object dir), BINDIR,
#   PREFIX (/usr/local), DESTDIR, SYSCONFDIR (/etc).

SCHEMAS_DIR ?= ../shared/hcs-wsdl-12.2.2.15
BUILD       ?= build
BINDIR      ?= bin
CC          ?= cc
PREFIX      ?= /usr/local
SYSCONFDIR  ?= /etc
DATADIR     ?= $(PREFIX)/share/hcsbatch

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
.PHONY: check-tsan all deps check check-unit check-asan check-sanitizers-on check-valgrind check-integration demo bench soak clean install uninstall unit-bins mutate
all: $(BINDIR)/hcsbatch $(BINDIR)/hcs-sim

# Objects are rebuilt when the flags change (an old tree built without the
# sanitizers must not pass for a sanitized one).
FLAGS_STAMP := $(BUILD)/.cflags
$(shell mkdir -p $(BUILD) && echo '$(ALL_CFLAGS)' | cmp -s - $(FLAGS_STAMP) || echo '$(ALL_CFLAGS)' >$(FLAGS_STAMP))

# The installed data directory is compiled into one object only, so
# `make install PREFIX=...` rebuilds that object and relinks, nothing more.
DATADIR_STAMP := $(BUILD)/.datadir
$(shell echo '$(DATADIR)' | cmp -s - $(DATADIR_STAMP) || echo '$(DATADIR)' >$(DATADIR_STAMP))
$(BUILD)/src/base/datadir.o: $(DATADIR_STAMP)
$(BUILD)/src/base/datadir.o: CPPFLAGS += -DHCS_DATADIR='"$(DATADIR)"'

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

# tests/lib/pg_throwaway.sh: a throw-away PostgreSQL server for the run when
# the postgresql package is installed (the store tests then run on both drivers).
check: all $(UNIT_BIN)
	SCHEMAS_DIR=$(SCHEMAS_DIR) BUILD=$(BUILD) BINDIR=$(BINDIR) sh tests/lib/pg_throwaway.sh sh tests/run.sh
	$(MAKE) check-asan

check-unit: $(UNIT_BIN)
	SCHEMAS_DIR=$(SCHEMAS_DIR) BUILD=$(BUILD) BINDIR=$(BINDIR) sh tests/lib/pg_throwaway.sh sh tests/run.sh --unit-only

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

# The worker pool (convert --jobs, the nightly run) under ThreadSanitizer:
# its own object tree; a data race makes hcsbatch exit 66 and the tests fail.
TSAN_MAKE = $(MAKE) BUILD=$(BUILD)/tsan BINDIR=$(BUILD)/tsan/bin CFLAGS="-O1 -g" SAN="-fsanitize=thread"
check-tsan:
	+$(TSAN_MAKE) all unit-bins
	SCHEMAS_DIR=$(SCHEMAS_DIR) BUILD=$(BUILD)/tsan BINDIR=$(BUILD)/tsan/bin TSAN_OPTIONS="halt_on_error=1" \
	  TESTS=test_convert_jobs sh tests/run.sh
	SCHEMAS_DIR=$(SCHEMAS_DIR) BUILD=$(BUILD)/tsan BINDIR=$(BUILD)/tsan/bin TSAN_OPTIONS="halt_on_error=1" \
	  TESTS=test_run_samples sh tests/run.sh

# Every unit test under valgrind: no leaks, no invalid accesses.
check-valgrind: $(UNIT_BIN)
	SCHEMAS_DIR=$(SCHEMAS_DIR) BUILD=$(BUILD) BINDIR=$(BINDIR) UNIT_TIMEOUT=$${UNIT_TIMEOUT:-900} \
	  UNIT_WRAPPER="valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99" \
	  sh tests/run.sh --unit-only

unit-bins: $(UNIT_BIN)

# One-line breaks of the product (tests/mutate/mutations.ini), each must fail
# a test; runs on a copy of the tree, not part of `make check`.
# Under a throw-away PostgreSQL server, as make check: some breaks only show
# on the shared store (tests/lib/pg_throwaway.sh).
mutate:
	SCHEMAS_DIR=$(SCHEMAS_DIR) sh tests/lib/pg_throwaway.sh python3 tests/mutate/run.py

# From a fresh clone most of `make demo` is compiling: build with every core
# unless make was already given -j (a submake must not force its own then).
DEMO_JOBS := $(if $(filter -j% --jobserver%,$(MAKEFLAGS)),,-j$(shell nproc 2>/dev/null || echo 2))
demo:
	+$(MAKE) $(DEMO_JOBS) all
	SCHEMAS_DIR=$(SCHEMAS_DIR) BINDIR=$(BINDIR) sh scripts/demo.sh

bench: all $(BENCH_BIN)
	SCHEMAS_DIR=$(SCHEMAS_DIR) BUILD=$(BUILD) BINDIR=$(BINDIR) sh tests/bench/run.sh

soak: all
	SCHEMAS_DIR=$(SCHEMAS_DIR) BINDIR=$(BINDIR) SOAK=1 sh tests/integration/crash_test.sh

# Installed layout (docs/operations.md "Installing"): the programs; the
# templates, hints and fallback НСИ dictionaries the binary finds through
# HCS_DATADIR; man pages; the docs; an example configuration with every key
# commented out (kept when one is already there); the cron wrapper, the
# systemd units (not enabled) and an /etc/cron.d example, their /usr/local
# paths rewritten to PREFIX (the daily health check's units too); a
# logrotate snippet.  The official schema
# package is not installed: set [paths] schemas_dir.
INST_BIN   = $(DESTDIR)$(PREFIX)/bin
INST_DATA  = $(DESTDIR)$(DATADIR)
INST_MAN   = $(DESTDIR)$(PREFIX)/share/man
INST_DOC   = $(DESTDIR)$(PREFIX)/share/doc/hcsbatch
INST_LIBEX = $(DESTDIR)$(PREFIX)/lib/hcsbatch
INST_UNITS = $(DESTDIR)$(PREFIX)/lib/systemd/system
INST_ETC   = $(DESTDIR)$(SYSCONFDIR)
UNITS      := hcsbatch.service hcsbatch.timer hcsbatch-health.service hcsbatch-health.timer hcsbatch-worker.service
TEMPLATE_FILES := $(shell find templates -type f 2>/dev/null)
AT_PREFIX  = sed 's|HCSBATCH:-hcsbatch}|HCSBATCH:-$(PREFIX)/bin/hcsbatch}|; s|/usr/local/|$(PREFIX)/|g; s|/etc/hcsbatch/|$(SYSCONFDIR)/hcsbatch/|g; s|/usr/share/doc/hcsbatch/|$(PREFIX)/share/doc/hcsbatch/|g'

install: all
	install -d $(INST_BIN) $(INST_DATA)/nsi $(INST_MAN)/man1 $(INST_MAN)/man5 $(INST_DOC)/examples \
	  $(INST_LIBEX) $(INST_UNITS) $(INST_ETC)/hcsbatch $(INST_ETC)/logrotate.d
	install -m 755 $(BINDIR)/hcsbatch $(BINDIR)/hcs-sim $(INST_BIN)/
	for f in $(TEMPLATE_FILES); do install -D -m 644 $$f $(INST_DATA)/$$f || exit 1; done
	install -m 644 samples/world/nsi/*.csv $(INST_DATA)/nsi/
	install -m 644 docs/hcsbatch.1 docs/hcs-sim.1 $(INST_MAN)/man1/
	install -m 644 docs/hcsbatch.ini.5 $(INST_MAN)/man5/
	install -m 644 README.md docs/*.md $(INST_DOC)/
	install -m 644 schemas/README.md $(INST_DOC)/schemas.md
	install -m 644 docs/hcsbatch.ini.example $(INST_DOC)/examples/hcsbatch.ini
	[ -e $(INST_ETC)/hcsbatch/hcsbatch.ini ] || install -m 644 docs/hcsbatch.ini.example $(INST_ETC)/hcsbatch/hcsbatch.ini
	$(AT_PREFIX) cron/hcsbatch-cron.sh >$(INST_LIBEX)/hcsbatch-cron.sh && chmod 755 $(INST_LIBEX)/hcsbatch-cron.sh
	$(AT_PREFIX) cron/hcsbatch.cron >$(INST_DOC)/examples/hcsbatch.cron
	for u in $(UNITS); do $(AT_PREFIX) cron/$$u >$(INST_UNITS)/$$u && chmod 644 $(INST_UNITS)/$$u || exit 1; done
	chmod 644 $(INST_DOC)/examples/hcsbatch.cron
	install -m 644 cron/hcsbatch.logrotate $(INST_ETC)/logrotate.d/hcsbatch

# An edited configuration is the administrator's: only the untouched example goes.
uninstall:
	rm -f $(INST_BIN)/hcsbatch $(INST_BIN)/hcs-sim $(INST_MAN)/man1/hcsbatch.1 $(INST_MAN)/man1/hcs-sim.1 \
	  $(INST_MAN)/man5/hcsbatch.ini.5 $(addprefix $(INST_UNITS)/,$(UNITS)) \
	  $(INST_ETC)/logrotate.d/hcsbatch
	rm -rf $(INST_DATA)/templates $(INST_DATA)/nsi $(INST_DOC) $(INST_LIBEX)
	if cmp -s docs/hcsbatch.ini.example $(INST_ETC)/hcsbatch/hcsbatch.ini; then rm -f $(INST_ETC)/hcsbatch/hcsbatch.ini; fi
	-rmdir $(INST_DATA) $(INST_ETC)/hcsbatch 2>/dev/null

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
	@$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(ALL_CFLAGS) -fsanitize=fuzzer $(LDFLAGS) -o $@ $(filter %.c %.a,$^) $(LDLIBS)
