#!/usr/bin/env bash
# The audit log's benchmark (see bench/README.md): the cost an audit entry
# adds to a committed transaction, against the same transaction without one
# in the same run, and the throughput of 'mamori audit verify' over ENTRIES
# generated entries (default 1000000). Prints figures; passes or fails
# nothing. ONLY=verify skips the append figures.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
ENTRIES=${ENTRIES:-1000000}
if ! [[ $ENTRIES =~ ^[0-9]+$ ]] || ((ENTRIES < 1)); then
	echo "bench: ENTRIES must be a whole number >= 1" >&2
	exit 2
fi
ninja -C "$BUILD" >/dev/null
exec "$BUILD/bench/mamori-bench-audit" "$ENTRIES" ${ONLY:+"$ONLY"}
