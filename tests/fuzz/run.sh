#!/usr/bin/env bash
# Runs the libFuzzer targets one after another (make fuzz): each for
# FUZZ_SECONDS with its committed corpus and dictionary, writing new
# interesting inputs to $FUZZ_NEW/<name> (the committed corpus is only read).
# A crash, leak, timeout or failed invariant stops the run and leaves the
# input in $FUZZ_NEW/<name>-artifacts/.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
FUZZ_BUILD=${FUZZ_BUILD:-build-fuzz}
FUZZ_SECONDS=${FUZZ_SECONDS:-600}
FUZZ_NEW=${FUZZ_NEW:-fuzz-new}
targets=${FUZZ_TARGETS:-"date ntp csv checkpoint archive query record import http"}

for t in $targets; do
	max_len=16384 timeout=1
	case $t in
	csv | import | archive) max_len=65536 ;;
	http) timeout=10 ;; # a sign-in hashes its password (argon2id) on purpose
	# A row that changes an asset recomputes its risks, each write audited:
	# about 0.1 s of CPU for a few rows, but seconds on a loaded machine.
	import) timeout=5 ;;
	esac
	mkdir -p "$FUZZ_NEW/$t" "$FUZZ_NEW/$t-artifacts"
	dict=()
	[ -f "tests/fuzz/$t.dict" ] && dict=(-dict="tests/fuzz/$t.dict")
	echo "== fuzz_$t for ${FUZZ_SECONDS}s"
	ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
		nice -n 10 "$FUZZ_BUILD/tests/fuzz/fuzz_$t" "$FUZZ_NEW/$t" "tests/fuzz/corpus/$t" \
		"${dict[@]}" -max_total_time="$FUZZ_SECONDS" -max_len="$max_len" -timeout="$timeout" \
		-rss_limit_mb=4096 -print_final_stats=1 \
		-artifact_prefix="$FUZZ_NEW/$t-artifacts/" 2>&1 | tee "$FUZZ_NEW/$t.log" | grep -E '^#[0-9]+ *(INITED|DONE|pulse)|ERROR|stat::|^==' || true
	if ls "$FUZZ_NEW/$t-artifacts/"* >/dev/null 2>&1; then
		echo "fuzz_$t found something: $FUZZ_NEW/$t-artifacts/ (log: $FUZZ_NEW/$t.log)"
		exit 1
	fi
done
cat <<MSG

New inputs are in $FUZZ_NEW/<name>. To add those that bring new coverage to
the committed corpus (the seeds and earlier crashes stay):
  for t in $targets; do
    $FUZZ_BUILD/tests/fuzz/fuzz_\$t -merge=1 tests/fuzz/corpus/\$t $FUZZ_NEW/\$t
  done
To minimise a corpus from scratch instead: -merge=1 into an empty directory.
Then replay them (scripts/check, or build/tests/fuzz/replay_<name> DIR) and commit.
MSG
