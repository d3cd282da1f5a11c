# ixp — build, test, bench.  `make V=1` shows full commands.
PREFIX  ?= /usr/local
CC      ?= cc
BUILD   := build

ifeq ($(V),1)
Q :=
else
Q := @
endif

PKGS     := libedit libffi cairo jansson nettle
WARN     := -Wall -Wextra -Wshadow -Wmissing-prototypes -Wstrict-prototypes \
            -Wpointer-arith -Wformat=2 -Wno-format-nonliteral -Werror
# Each folder sees only the headers it may use: grammar <- interp -> stdlib
# -> backends (tests/check-layout says the same of the sources).
INC_backends := -Ibackends -Ibackends/blis -Ibackends/kernels -Ibackends/ffi
INC_grammar  := -Igrammar -I$(BUILD)
INC_stdlib   := -Istdlib -Igrammar $(INC_backends)
INC_interp   := -Iinterp $(INC_stdlib) -I$(BUILD)
INC       = $(INC_interp)
BASE      = -std=c11 -D_GNU_SOURCE -g -O2 -fopenmp $(INC) \
            $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
CFLAGS_HAND = $(BASE) $(WARN)
CFLAGS_GEN  = $(BASE) -w
LIBS      = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcsv -lblis -lm -lpthread -fopenmp
SAN      := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all -O1

HAND_SRC := $(sort $(wildcard grammar/*.c interp/*.c stdlib/*.c backends/*/*.c))
LIB_SRC  := $(filter-out interp/main.c,$(HAND_SRC))
GEN_SRC  := $(BUILD)/lexer.c $(BUILD)/parser.c $(BUILD)/prelude.c
TEST_SRC := $(sort $(wildcard tests/unit/*.c))
EXT_LIBS := $(patsubst %.c,%.so,$(sort $(wildcard examples/ext/*.c)))

OBJ      := $(patsubst %.c,$(BUILD)/obj/%.o,$(LIB_SRC)) \
            $(patsubst $(BUILD)/%.c,$(BUILD)/obj/gen/%.o,$(GEN_SRC))
SAN_OBJ  := $(patsubst $(BUILD)/obj/%,$(BUILD)/san/%,$(OBJ))

# Open MPI, when its development files are installed (libopenmpi-dev):
# build/ixp-mpi is ixp with backends/kernels/ranks.c built against MPI
# (-DIXP_MPI), run under mpirun; ./ixp never links MPI (see the README,
# "Running on a cluster"). Found through pkg-config ompi, else mpicc.
MPI_CFLAGS := $(shell pkg-config --cflags ompi 2>/dev/null || mpicc --showme:compile 2>/dev/null)
MPI_LIBS   := $(shell pkg-config --libs ompi 2>/dev/null || mpicc --showme:link 2>/dev/null)
MPI_FOUND  := $(if $(MPI_LIBS),yes,)
MPI_BIN    := $(if $(MPI_FOUND),$(BUILD)/ixp-mpi,)

.PHONY: all deps test layout strict unit golden repl limits reproduce mpi sanitize fuzz fuzz-smoke bench suite clean install approve
all: deps ixp $(MPI_BIN) $(EXT_LIBS)

# Install missing Debian packages (re2c, lemon, BLIS, libffi, Criterion, libedit).
deps: $(BUILD)/.deps
$(BUILD)/.deps: scripts/install-deps
	$(Q)sh scripts/install-deps
	$(Q)mkdir -p $(BUILD) && touch $@

# --- generated front end -------------------------------------------------
$(BUILD)/lexer.c: grammar/lexer.re $(BUILD)/parser.h | $(BUILD)/.deps
	@echo "  RE2C   $<"
	$(Q)re2c -W -Werror --no-generation-date --no-version -i -o $@ $<

$(BUILD)/parser.c $(BUILD)/parser.h &: grammar/parser.y | $(BUILD)/.deps
	@echo "  LEMON  $<"
	$(Q)mkdir -p $(BUILD) && cp grammar/parser.y $(BUILD)/parser.y
	$(Q)lemon -q -l -d$(BUILD) $(BUILD)/parser.y
	$(Q)touch $(BUILD)/parser.c $(BUILD)/parser.h

# The prelude is embedded as a C string.
$(BUILD)/prelude.c: $(sort $(wildcard stdlib/*.ixp))
	@echo "  EMBED  $^"
	$(Q)mkdir -p $(BUILD)
	$(Q){ echo 'const char ixp_prelude_text[] ='; \
	     cat $^ | sed 's/\\/\\\\/g; s/"/\\"/g; s/^/"/; s/$$/\\n"/'; \
	     echo ';'; } > $@

# --- objects ---------------------------------------------------------------
$(BUILD)/obj/grammar/%.o $(BUILD)/san/grammar/%.o $(BUILD)/obj/gen/%.o $(BUILD)/san/gen/%.o: INC = $(INC_grammar)
$(BUILD)/obj/stdlib/%.o $(BUILD)/san/stdlib/%.o: INC = $(INC_stdlib)
$(BUILD)/obj/backends/%.o $(BUILD)/san/backends/%.o: INC = $(INC_backends)

$(BUILD)/obj/gen/%.o: $(BUILD)/%.c
	@echo "  CC     $<"
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS_GEN) -MMD -MP -c -o $@ $<

$(BUILD)/obj/%.o: %.c $(BUILD)/parser.h | $(BUILD)/.deps
	@echo "  CC     $<"
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS_HAND) -MMD -MP -c -o $@ $<

$(BUILD)/san/gen/%.o: $(BUILD)/%.c
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS_GEN) $(SAN) -MMD -MP -c -o $@ $<

$(BUILD)/san/%.o: %.c $(BUILD)/parser.h
	@echo "  CC san $<"
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS_HAND) $(SAN) -MMD -MP -c -o $@ $<

$(BUILD)/libixp.a: $(OBJ)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/libixp-san.a: $(SAN_OBJ)
	$(Q)rm -f $@ && ar rcs $@ $^

ixp: $(BUILD)/obj/interp/main.o $(BUILD)/libixp.a
	@echo "  LINK   $@"
	$(Q)$(CC) -o $@ $^ $(LIBS)

# ranks.c again, against MPI; linked before libixp.a, whose plain ranks.o
# (the same symbols) is then never pulled in.
$(BUILD)/mpi/ranks.o: backends/kernels/ranks.c backends/kernels/ranks.h | $(BUILD)/.deps
	@echo "  CC mpi $<"
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS_HAND) $(INC_backends) -DIXP_MPI $(MPI_CFLAGS) -c -o $@ $<

$(BUILD)/ixp-mpi: $(BUILD)/obj/interp/main.o $(BUILD)/mpi/ranks.o $(BUILD)/libixp.a
	@echo "  LINK   $@"
	$(Q)$(CC) -o $@ $^ $(LIBS) $(MPI_LIBS)

$(BUILD)/ixp-san: $(BUILD)/san/interp/main.o $(BUILD)/libixp-san.a
	@echo "  LINK   $@"
	$(Q)$(CC) $(SAN) -o $@ $^ $(LIBS)

# --- tests -----------------------------------------------------------------
$(BUILD)/unit: $(TEST_SRC) $(BUILD)/libixp.a
	@echo "  LINK   $@"
	$(Q)$(CC) $(CFLAGS_HAND) -o $@ $(TEST_SRC) $(BUILD)/libixp.a $(shell pkg-config --libs criterion) $(LIBS)

$(BUILD)/unit-san: $(TEST_SRC) $(BUILD)/libixp-san.a
	@echo "  LINK   $@"
	$(Q)$(CC) $(CFLAGS_HAND) $(SAN) -o $@ $(TEST_SRC) $(BUILD)/libixp-san.a $(shell pkg-config --libs criterion) $(LIBS)

test: layout strict unit golden repl limits reproduce mpi sanitize fuzz-smoke

layout:
	@echo "== source layout"
	$(Q)sh tests/check-layout

unit: $(BUILD)/unit
	@echo "== unit tests"
	$(Q)$(BUILD)/unit -j2 --short-filename

# Example extern libraries, beside the examples that name them.
examples/ext/%.so: examples/ext/%.c
	@echo "  CC     $@"
	$(Q)$(CC) -std=c11 -O2 -Wall -Wextra -Werror -shared -fPIC -o $@ $< -lm

golden: ixp $(EXT_LIBS)
	@echo "== golden tests"
	$(Q)sh tests/run-golden ./ixp

# Results identical at 1, 2 and 8 threads; records checked with --against.
reproduce: ixp $(EXT_LIBS)
	@echo "== reproducibility tests"
	$(Q)sh tests/reproduce/run ./ixp

# Under mpirun -n 1, 2, 4: output byte-identical to ./ixp's, errors on one
# rank end the run cleanly (tests/mpi/run); skipped without Open MPI.
ifeq ($(MPI_FOUND),)
mpi:
	@echo "== MPI tests: skipped: Open MPI not installed (sh scripts/install-deps installs it)"
else
mpi: ixp $(BUILD)/ixp-mpi $(EXT_LIBS)
	@echo "== MPI tests"
	$(Q)sh tests/mpi/run $(BUILD)/ixp-mpi ./ixp
endif

repl: ixp
	@echo "== REPL tests"
	$(Q)sh tests/repl/run ./ixp

# Out of memory under `ulimit -v` is an error with status 4, never a crash.
limits: ixp
	@echo "== memory limit tests"
	$(Q)sh tests/limits/run ./ixp

sanitize: $(BUILD)/unit-san $(BUILD)/ixp-san $(EXT_LIBS)
	@echo "== unit + golden tests under ASan/UBSan"
	$(Q)sh tests/run-sanitized $(BUILD)/unit-san $(BUILD)/ixp-san

# Every hand-written file under stricter warnings than the build's (sign and
# width conversions included), checked for syntax only; one stamp per file.
STRICT_WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wconversion -Werror
STRICT_OK   := $(patsubst %.c,$(BUILD)/strict/%.ok,$(HAND_SRC))

STRICT_OK  += $(if $(MPI_FOUND),$(BUILD)/strict/mpi/ranks.ok,)

strict: $(STRICT_OK)
	@echo "== strict warnings: $(words $(HAND_SRC)) files clean$(if $(MPI_FOUND), (ranks.c also against MPI),)"

$(BUILD)/strict/mpi/ranks.ok: backends/kernels/ranks.c backends/kernels/ranks.h | $(BUILD)/.deps
	@echo "  STRICT $< (MPI)"
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(BASE) $(INC_backends) $(STRICT_WARN) -DIXP_MPI $(MPI_CFLAGS) -fsyntax-only $< && touch $@

$(BUILD)/strict/%.ok: %.c $(BUILD)/parser.h | $(BUILD)/.deps
	@echo "  STRICT $<"
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(BASE) $(STRICT_WARN) -fsyntax-only -MMD -MP -MF $(@:.ok=.d) -MT $@ $< && touch $@

BENCH_SRC := $(sort $(wildcard bench/*.c))
BENCH_BIN := $(patsubst bench/%.c,$(BUILD)/bench/%,$(BENCH_SRC))

$(BUILD)/bench/%: bench/%.c bench/timing.h $(BUILD)/libixp.a
	@echo "  LINK   $@"
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS_HAND) -O3 -o $@ $< $(BUILD)/libixp.a $(LIBS)

# --- extern (FFI) ------------------------------------------------------------
# Libraries loaded at run time by the unit tests (build/ffi_testlib.so) and
# bench_ffi (build/ffi_benchlib.so); they are not linked in.
FFI_SO_FLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -shared -fPIC
$(BUILD)/ffi_testlib.so: tests/ffi_testlib.c
	@echo "  CC so  $<"
	$(Q)mkdir -p $(BUILD)
	$(Q)$(CC) $(FFI_SO_FLAGS) -O2 -o $@ $< -lm

$(BUILD)/ffi_benchlib.so: bench/ffi_benchlib.c
	@echo "  CC so  $<"
	$(Q)mkdir -p $(BUILD)
	$(Q)$(CC) $(FFI_SO_FLAGS) -O3 -o $@ $< -lm

$(BUILD)/unit $(BUILD)/unit-san: | $(BUILD)/ffi_testlib.so $(EXT_LIBS)
$(BUILD)/bench/bench_ffi: | $(BUILD)/ffi_benchlib.so

# bench/ffi_benchlib.c is bench_ffi's library, not a bench program.
BENCH_BIN := $(filter-out $(BUILD)/bench/ffi_benchlib,$(BENCH_BIN))
# --- end extern (FFI) --------------------------------------------------------

# --- fuzzing (libFuzzer) -----------------------------------------------------
# The harnesses of tests/fuzz/ (front end, CSV, .npy, records, --set
# values), linked with the project's sources built again by clang with the
# fuzzer's coverage instrumentation and ASan/UBSan (build/fuzz/obj: gcc
# cannot build libFuzzer targets). OpenMP through libgomp, the runtime the
# gcc build and BLIS use, so one runtime is loaded. The seed corpora and
# the folder of files a fuzzed program may read are generated into
# build/fuzz by tests/fuzz/seed. `make fuzz` runs each harness for
# FUZZ_SECONDS (default 600) and fails on any crash; `make test` runs each
# over its seeds for a few thousand inputs (fuzz-smoke), or says it is
# skipped when clang is not installed.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 600
FUZZ_RUNS    ?= 2000
FUZZ_NAMES   := frontend csv npy record set
FUZZ_DIR     := $(BUILD)/fuzz
FUZZ_BIN     := $(patsubst %,$(FUZZ_DIR)/bin/%,$(FUZZ_NAMES))
FUZZ_OBJ     := $(patsubst $(BUILD)/obj/%,$(FUZZ_DIR)/obj/%,$(OBJ))
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS   = -std=c11 -D_GNU_SOURCE -g -O1 -fopenmp=libgomp $(INC) \
                $(shell pkg-config --cflags $(PKGS) 2>/dev/null) $(FUZZ_SAN)
FUZZ_LIBS     = $(filter-out -fopenmp,$(LIBS)) -fopenmp=libgomp
FUZZ_FOUND   := $(shell command -v $(FUZZ_CC) 2>/dev/null)

$(FUZZ_DIR)/obj/grammar/%.o $(FUZZ_DIR)/obj/gen/%.o: INC = $(INC_grammar)
$(FUZZ_DIR)/obj/stdlib/%.o: INC = $(INC_stdlib)
$(FUZZ_DIR)/obj/backends/%.o: INC = $(INC_backends)

# Warnings are gcc's business (make strict); clang only instruments here.
$(FUZZ_DIR)/obj/gen/%.o: $(BUILD)/%.c
	@echo "  CC fuzz $<"
	$(Q)mkdir -p $(dir $@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -w -MMD -MP -c -o $@ $<

$(FUZZ_DIR)/obj/%.o: %.c $(BUILD)/parser.h | $(BUILD)/.deps
	@echo "  CC fuzz $<"
	$(Q)mkdir -p $(dir $@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -w -MMD -MP -c -o $@ $<

$(FUZZ_DIR)/libixp-fuzz.a: $(FUZZ_OBJ)
	$(Q)rm -f $@ && ar rcs $@ $^

# IXP_FUZZ_ROOT: the only folder a fuzzed program may read (tests/fuzz/fuzz.h).
$(FUZZ_DIR)/bin/%: tests/fuzz/%.c tests/fuzz/fuzz.c tests/fuzz/fuzz.h $(FUZZ_DIR)/libixp-fuzz.a
	@echo "  LINK   $@"
	$(Q)mkdir -p $(dir $@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) $(WARN) -Itests/fuzz -DIXP_FUZZ_ROOT='"$(abspath $(FUZZ_DIR)/root)"' \
	  -fsanitize=fuzzer -o $@ tests/fuzz/$*.c tests/fuzz/fuzz.c $(FUZZ_DIR)/libixp-fuzz.a $(FUZZ_LIBS)

FUZZ_SEED_FROM := $(wildcard examples/*.ixp examples/data/* tests/errors/*.ixp tests/errors/*.args \
                  tests/errors/data/* tests/reproduce/*.ixp) examples/shared_experiment.record.json

$(FUZZ_DIR)/.seeds: tests/fuzz/seed $(FUZZ_SEED_FROM) $(EXT_LIBS)
	@echo "  SEED   $(FUZZ_DIR)/seeds"
	$(Q)sh tests/fuzz/seed $(FUZZ_DIR)
	$(Q)touch $@

ifeq ($(FUZZ_FOUND),)
fuzz fuzz-smoke:
	@echo "== fuzzing: skipped: clang not installed (sh scripts/install-deps installs it)"
else
fuzz: $(FUZZ_BIN) $(FUZZ_DIR)/.seeds
	@echo "== fuzzing, $(FUZZ_SECONDS) s per harness"
	$(Q)sh tests/fuzz/run --seconds $(FUZZ_SECONDS) $(FUZZ_DIR) $(FUZZ_NAMES)

fuzz-smoke: $(FUZZ_BIN) $(FUZZ_DIR)/.seeds
	@echo "== fuzzing, $(FUZZ_RUNS) inputs per harness"
	$(Q)sh tests/fuzz/run --runs $(FUZZ_RUNS) $(FUZZ_DIR) $(FUZZ_NAMES)
endif

# Re-approve every golden output (examples and error cases) from the current binary.
approve: ixp
	$(Q)sh tests/run-golden --update ./ixp

# The workload table's driver, its data generator and the naive reference
# of the exact rows (bench/driver, bench/peers): programs of their own, not
# linked with libixp.
BENCH_TABLE_BIN := $(addprefix $(BUILD)/bench-table/,table gendata exact_naive channel_blis)
$(BUILD)/bench-table/%: bench/driver/%.c
	@echo "  CC     $@"
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) -std=c11 -D_GNU_SOURCE -O2 $(STRICT_WARN) -o $@ $< -lm
$(BUILD)/bench-table/exact_naive: bench/peers/exact_naive.c
	@echo "  CC     $@"
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) -std=c11 -D_GNU_SOURCE -O2 $(STRICT_WARN) -o $@ $< -lm

# The closed-form channel row's reference: BLIS's GEMM and the library's
# blocked Cholesky called directly (no language in between).
$(BUILD)/bench-table/channel_blis: bench/peers/channel_blis.c $(BUILD)/libixp.a
	@echo "  LINK   $@"
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS_HAND) -O3 -o $@ $< $(BUILD)/libixp.a $(LIBS)

bench: ixp $(MPI_BIN) $(BENCH_BIN) $(BENCH_TABLE_BIN)
	$(Q)sh bench/run ./ixp

# Every MI estimator on the suite of distributions with closed-form MI
# (bench/mi_suite.c, bench/mi_suite.sh; tables to bench/results/). `make
# bench` runs its quick version.
suite: ixp $(BUILD)/bench/mi_suite
	$(Q)sh bench/mi_suite.sh ./ixp

install: ixp
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 ixp $(DESTDIR)$(PREFIX)/bin/ixp

clean:
	rm -rf $(BUILD) ixp $(EXT_LIBS)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
