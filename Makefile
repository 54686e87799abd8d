# Parley: one Makefile.  `make` builds ./parley; `make run` builds and
# starts the demo; `make test` runs the whole suite; see README.md.

PKGS := libmicrohttpd sqlite3 libpq md4c libsodium inih libcurl jansson libcrypto
BUILD ?= release

CC ?= cc
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2
BASE_CFLAGS := -std=c17 -D_GNU_SOURCE $(WARN) -Isrc -Ibuild/gen $(PKG_CFLAGS)

ifeq ($(BUILD),asan)
OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
BIN := parley-asan
else
OPT := -O2 -g
BIN := parley
endif

CFLAGS_ALL := $(BASE_CFLAGS) $(OPT) $(CFLAGS)
LDFLAGS_ALL := $(OPT) $(LDFLAGS)
LIBS := $(PKG_LIBS) -lpthread -lm

OUT := build/$(BUILD)
SRC := $(shell find src -name '*.c' | sort)
LIB_SRC := $(filter-out src/main.c,$(SRC))
EMBED := $(sort $(wildcard templates/*.html static/* sql/sqlite/*.sql sql/postgres/*.sql demo/*))
GEN := build/gen/embedded.c
LIB_OBJ := $(patsubst src/%.c,$(OUT)/obj/%.o,$(LIB_SRC)) $(OUT)/obj/embedded.o
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(patsubst tests/unit/%.c,$(OUT)/tests/%,$(UNIT_SRC))

.PHONY: all run test sanitize unit fuzz fuzz-long bench deps test-deps clean format cppcheck mutants test-alone
all: $(BIN)

$(BIN): $(OUT)/obj/main.o $(OUT)/libparley.a
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS)

$(OUT)/libparley.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(OUT)/obj/%.o: src/%.c $(shell find src -name '*.h')
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

$(OUT)/obj/embedded.o: $(GEN)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

build/tools/embed: tools/embed.c
	@mkdir -p $(dir $@)
	$(CC) -std=c17 -O1 -Wall -Wextra -Werror -o $@ $<

$(GEN): build/tools/embed $(EMBED)
	@mkdir -p $(dir $@)
	build/tools/embed $@ $(EMBED)

# Every unit program may use the fault-injecting SQLite VFS.
$(OUT)/tests/faultvfs.o: tests/unit/faultvfs.c tests/unit/faultvfs.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Itests/unit -c -o $@ $<

$(OUT)/tests/%: tests/unit/%.c tests/unit/test.h tests/unit/store_fixture.h tests/html_check.h $(OUT)/tests/faultvfs.o $(OUT)/libparley.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Itests/unit -o $@ $< $(OUT)/tests/faultvfs.o $(OUT)/libparley.a $(LIBS)

unit: $(UNIT_BIN)

sanitize:
	$(MAKE) BUILD=asan parley-asan unit

# Installs the Debian packages and npm tools the build and the tests need.
deps:
	sh tools/install-deps.sh build

test-deps:
	sh tools/install-deps.sh test

run: deps
	$(MAKE) all
	./parley demo --db demo.db && ./parley serve --db demo.db

test: test-deps
	$(MAKE) all unit
	$(MAKE) sanitize
	$(MAKE) fuzz
	$(MAKE) cppcheck
	sh tools/check-includes.sh
	sh tests/run.sh

FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(FUZZ_SRC))
FUZZ_CFLAGS := $(BASE_CFLAGS) -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined
# The library is compiled once for every target, with coverage but no main.
FUZZ_OBJ := $(patsubst src/%.c,build/fuzz/obj/%.o,$(LIB_SRC)) build/fuzz/obj/embedded.o

build/fuzz/obj/%.o: src/%.c $(shell find src -name '*.h')
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

build/fuzz/obj/embedded.o: $(GEN)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

build/fuzz/libparley-fuzz.a: $(FUZZ_OBJ)
	@rm -f $@
	ar rcs $@ $^

build/fuzz/%: tests/fuzz/%.c tests/html_check.h build/fuzz/libparley-fuzz.a
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer -Wno-unused-command-line-argument \
		-o $@ $< build/fuzz/libparley-fuzz.a $(LIBS)

fuzz: $(FUZZ_BIN)

# Long fuzzing runs, not part of `make test`: FUZZ_SECONDS per target.
FUZZ_SECONDS ?= 600
fuzz-long: fuzz
	for f in $(FUZZ_BIN); do \
		n=$$(basename $$f); s=$${n#fuzz_}; mkdir -p build/corpus/$$n; \
		cp -R tests/fuzz/corpus/$$s/. build/corpus/$$n/ || exit 1; \
		$$f -dict=tests/fuzz/$$s.dict -max_total_time=$(FUZZ_SECONDS) \
			build/corpus/$$n tests/fuzz/regression || exit 1; \
	done

bench: deps
	$(MAKE) all
	sh bench/run.sh && sh bench/debate.sh && sh bench/pg.sh

# Runs every HTTP test on its own (long): no test may need another first.
test-alone: test-deps
	$(MAKE) all
	node tools/test-alone.mjs

# Plants each bug of tests/mutants.txt in a copy of the tree (build/mutants/)
# and runs the tests that must catch it; ONLY=REGEX picks mutants by id.
mutants: test-deps
	node tools/mutants.mjs $(if $(ONLY),--only '$(ONLY)')

cppcheck:
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
		--std=c11 --inline-suppr -Isrc -Ibuild/gen $(SRC)

# Every C file of ours; `make test` fails when clang-format would change one.
C_FILES = $(shell find src tests tools -name '*.[ch]' -not -path '*/node_modules/*' | sort)
format:
	clang-format -i $(C_FILES)

clean:
	rm -rf build parley parley-asan
