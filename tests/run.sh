#!/bin/sh
# Runs the API and browser tests (node's test runner driving the real server
# on loopback) and prints their TAP stream, nothing else; the exit status is
# the test runner's. Installs the npm tooling first when node_modules is
# missing (npm's output is shown only if that fails). MAMORI_BIN picks the
# binary (default ../build/mamori).
cd "$(dirname "$0")" || exit 1
if [ ! -d node_modules ]; then
	log=$(mktemp) || exit 1
	if ! npm ci --no-audit --no-fund >"$log" 2>&1; then
		cat "$log" >&2
		rm -f "$log"
		exit 1
	fi
	rm -f "$log"
fi
exec node --test --test-reporter=tap api/ browser/
