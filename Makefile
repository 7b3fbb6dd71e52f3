# mamori — the README's two commands, and a few more for developers.
#   make demo    install what is missing, build, start a demo server
#   make check   install what is missing, build, run every test
BUILD      ?= build
ASAN_BUILD ?= build-asan
DEMO_DIR   ?= demo
PORT       ?= 8080

.PHONY: all deps build demo check check-quick soak asan bench format lint clean

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
	@exec $(BUILD)/mamori serve --db $(DEMO_DIR)/mamori.db --port $(PORT)

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

format:
	clang-format -i $$(git ls-files 'src/*.c' 'src/*.h' 'tests/unit/*.c' 'bench/*.c')

lint:
	@scripts/banned-functions

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(DEMO_DIR)
