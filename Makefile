# mamori — the README's two commands, and a few more for developers.
#   make demo    install what is missing, build, start a demo server
#   make check   install what is missing, build, run every test
#   make attack  sqlmap, wapiti and slowhttptest against a demo server
#   make analyze cppcheck, scan-build and gcc -fanalyzer over src/
#   make valgrind  the unit tests under valgrind (docs/analysis.md)
#   make fuzz    run every libFuzzer target FUZZ_SECONDS (600) each (docs/fuzzing.md)
BUILD      ?= build
ASAN_BUILD ?= build-asan
DEMO_DIR   ?= demo
PORT       ?= 8080
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 600
FUZZ_NEW   ?= fuzz-new

.PHONY: all deps build demo check check-quick soak asan fuzz bench attack format lint valgrind analyze clean

all: build

deps:
	@scripts/install-deps

$(BUILD)/build.ninja:
	meson setup $(BUILD)

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

$(ASAN_BUILD)/build.ninja:
	meson setup $(ASAN_BUILD) -Db_sanitize=address,undefined -Db_lundef=false \
		-Dbuildtype=debug -Dc_args=-fno-sanitize-recover=all

asan: deps $(ASAN_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD)

# The libFuzzer build: clang, ASan+UBSan, coverage in every library. clang
# warns where gcc does not (missing field initialisers in the register
# tables), so warnings are not errors in this tree only.
$(FUZZ_BUILD)/build.ninja:
	CC=clang meson setup $(FUZZ_BUILD) -Dfuzz=true -Db_sanitize=address,undefined \
		-Db_lundef=false -Dbuildtype=debug -Dwerror=false -Dc_args=-fno-sanitize-recover=all

# Not part of check: each target runs FUZZ_SECONDS, one at a time; new inputs
# go to FUZZ_NEW/<name>, and the end says how to minimise them into the corpus.
fuzz: deps $(FUZZ_BUILD)/build.ninja
	ninja -C $(FUZZ_BUILD)
	FUZZ_BUILD=$(FUZZ_BUILD) FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_NEW=$(FUZZ_NEW) tests/fuzz/run.sh

demo: build
	@rm -rf $(DEMO_DIR) && mkdir -p $(DEMO_DIR)
	@$(BUILD)/mamori init --db $(DEMO_DIR)/mamori.db --demo
	@echo ""
	@echo "  mamori デモ: ブラウザで http://127.0.0.1:$(PORT)/ を開き、上の表のログイン名と"
	@echo "  パスワードでログインしてください（[TOTP] の付いた役割は確認コードも必要です）。"
	@echo "  mamori demo: open http://127.0.0.1:$(PORT)/ and sign in with a login and password"
	@echo "  from the table above ([TOTP] accounts also ask for a code). Ctrl-C stops it;"
	@echo "  the demo listens on this machine only."
	@echo ""
	@exec $(BUILD)/mamori serve --db $(DEMO_DIR)/mamori.db --port $(PORT) \
		$$([ "$$(id -u)" -eq 0 ] && echo --allow-root)

check: deps
	@scripts/install-deps --with-npm
	@scripts/check

# Unit and API tests only, on the normal build (no sanitizers, no browser).
check-quick: build
	@QUICK=1 scripts/check

# The kill -9 harness of make check, for longer: ROUNDS rounds of writers
# and a SIGKILL (the check runs 50). MAMORI_TEST_DB=postgres runs it on
# PostgreSQL (scripts/pg-cluster start gives the cluster).
ROUNDS ?= 1000
soak: build
	cd tests && ROUNDS=$(ROUNDS) MAMORI_BIN=../$(BUILD)/mamori node --test crash/crash.test.js

bench: build
	bench/run.sh

# Real attack tools against a demo server (about 9 minutes; not in check):
# sqlmap and wapiti (scripts/attack), then slow connections and held bodies
# (scripts/slowattack). Reports in build/attack and build/slowattack;
# docs/security.md has the last results.
attack: build
	@scripts/attack; a=$$?; scripts/slowattack; s=$$?; [ $$a -eq 0 ] && [ $$s -eq 0 ]

format:
	clang-format -i $$(git ls-files 'src/*.c' 'src/*.h' 'tests/unit/*.c' 'bench/*.c')

lint:
	@scripts/banned-functions

# Every unit test program under valgrind's memcheck (not part of make check:
# it takes several minutes; see docs/analysis.md).
valgrind: build
	@scripts/valgrind

# cppcheck, clang's scan-build and gcc -fanalyzer over src/ (docs/analysis.md).
analyze: deps
	@scripts/analyze

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) $(FUZZ_NEW) $(DEMO_DIR) build-scan build-analyzer
