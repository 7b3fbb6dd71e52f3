#!/usr/bin/env bash
# mamori's scale benchmark: list pages, a single GET, a write with its audit
# entry and 'audit verify' on a large database (by default 1,000,000 assets,
# 3,000 sections, 50,000 people, 10,000,000 audit entries), on SQLite or
# PostgreSQL. Prints p50/p99 latency per scenario; the target is p99 < 50 ms
# for every list page. See bench/README.md ("Scale").
#
# Environment:
#   DB        database URL or SQLite path (default bench/out/scale.db); made
#             with mamori-bench-scale when it holds no assets yet (a
#             PostgreSQL database must exist, empty)
#   ASSETS SECTIONS PEOPLE AUDIT   dataset size when generating
#   DURATION  seconds per scenario (default 10)
#   ROUNDS    rounds over all scenarios, the median reported (default 3)
#   CONNS     wrk connections (default 4: latency, not throughput)
#   BUILD     the build directory (default build)
set -euo pipefail
export LC_ALL=C

cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh

BUILD=${BUILD:-build}
DB=${DB:-bench/out/scale.db}
ASSETS=${ASSETS:-1000000}
SECTIONS=${SECTIONS:-3000}
PEOPLE=${PEOPLE:-50000}
AUDIT=${AUDIT:-10000000}
DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-3}
CONNS=${CONNS:-4}
TARGET_P99_MS=50
MAMORI=$BUILD/mamori

for v in ASSETS SECTIONS PEOPLE AUDIT DURATION CONNS; do
	if ! [[ ${!v} =~ ^[0-9]+$ ]]; then
		echo "bench: $v must be a whole number" >&2
		exit 2
	fi
done
for tool in ninja wrk curl; do
	command -v "$tool" >/dev/null || { echo "bench: $tool is not installed" >&2; exit 2; }
done
ninja -C "$BUILD" >/dev/null

TMP=$(mktemp -d "${TMPDIR:-/tmp}/mamori-scale.XXXXXX")
PID=
cleanup() {
	if [[ -n $PID ]] && kill -0 "$PID" 2>/dev/null; then
		kill -TERM "$PID" 2>/dev/null || true
		wait "$PID" 2>/dev/null || true
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

case $DB in
postgres://* | postgresql://*) BACKEND=postgresql ;;
*) BACKEND=sqlite; mkdir -p "$(dirname "$DB")" ;;
esac

# Generate unless the database has assets already.
have=$("$MAMORI" asset list --db "$DB" --limit 1 --json 2>/dev/null | wc -l || true)
if [[ ${have:-0} -lt 1 ]]; then
	echo "bench: generating $ASSETS assets, $SECTIONS sections, $PEOPLE people," \
		"$AUDIT audit entries in $DB" >&2
	t0=$(now)
	"$BUILD/bench/mamori-bench-scale" --db "$DB" --assets "$ASSETS" --sections "$SECTIONS" \
		--people "$PEOPLE" --audit "$AUDIT" >&2
	echo "bench: generated in $(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.0f", b - a }') s" >&2
fi

"$MAMORI" init --db "$DB" >/dev/null
BENCH_PW="bench-$$-$RANDOM-$RANDOM-password"
bench_account bench-api ベンチ計測 0121 事務局
bench_account bench-web ベンチ閲覧 0410 職員
TOKEN=$("$MAMORI" token create --db "$DB" --login bench-api --label bench | tail -n 1)

# The list cache is off: every request runs its queries, as the first
# reader of a page after a change would.
printf '[server]\ncache_mb = 0\n' >"$TMP/nocache.conf"
AS_ROOT=
[ "$(id -u)" -ne 0 ] || AS_ROOT=--allow-root # a benchmark on loopback, not a service
"$MAMORI" serve --config "$TMP/nocache.conf" --db "$DB" --port 0 $AS_ROOT 2>"$TMP/mamori.err" &
PID=$!
URL=http://127.0.0.1:$(learn_port "$TMP/mamori.err" "$PID")
wait_answer "$URL/healthz"
COOKIE=$(curl -s -i --max-time 30 -d "login=bench-web&password=$BENCH_PW&next=/" "$URL/signin" |
	sed -n 's/^[Ss]et-[Cc]ookie: \(mm_session=[0-9a-f]*\).*/\1/p')
[[ -n $COOKIE ]] || { echo "bench: could not sign in to the pages" >&2; exit 1; }

api() {
	curl -sf --max-time 60 -H "Authorization: Bearer $TOKEN" "$URL$1"
}
json_num() { # first number after "$1":
	sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" | head -n 1
}
NSEC=$(api '/api/v1/sections?limit=1' | json_num total)
MAXID=$(api '/api/v1/assets?limit=1&sort=-id&status=all' | json_num id)
# Lists count to 10,000 at most (MM_TOTAL_CAP): the operator's CLI tells the
# whole number.
TOTAL=$("$MAMORI" asset list --db "$DB" --json --limit 1000000 | wc -l)
echo "bench: $TOTAL active assets, $NSEC sections, largest id $MAXID" >&2

# Path files: many values per scenario, picked at random per request.
rand() { # n values in 1..$1
	awk -v n="$2" -v m="$1" -v s="$RANDOM" 'BEGIN { srand(s); for (i = 0; i < n; i++) print 1 + int(rand() * m) }'
}
paths() { # name template(with %d) max
	rand "$3" 500 | while read -r x; do printf "$2\n" "$x"; done >"$TMP/$1.paths"
}
# Page 1 of lists as people open them, the pages after it through the
# cursor of the page before (any page of the list costs the same), and for
# comparison deep pages by offset, which read every record before them.
paths first '/api/v1/assets?limit=50&status=active' 1
paths by-name '/api/v1/assets?sort=name&limit=50&status=active' 1
paths section '/api/v1/assets?section_id=%d&sort=-updated_at&limit=50' "$NSEC"
paths kind-level '/api/v1/assets?kind=data&confidentiality_min=3&sort=name&limit=50' 1
paths search '/api/v1/assets?q=%%E7%%AC%%AC%d%%E5%%8F%%B7&limit=50' "$MAXID"
paths next-by-id '/api/v1/assets?limit=50&after=%d' "$MAXID"
paths staff-page '/assets?page=%d' 20
paths staff-section '/assets?section_id=%d' "$NSEC"
paths deep-offset '/api/v1/assets?limit=50&offset=%d' "$((TOTAL - 50))"
paths get-one '/api/v1/assets/%d' "$MAXID"
# Cursors into the list sorted by name, taken from pages by offset within
# its first 50,000 records (slow to fetch, once).
rand 50000 60 | while read -r x; do
	api "/api/v1/assets?sort=name&limit=1&offset=$x" | sed -n 's/.*"next":"\([^"]*\)".*/\1/p'
done | python3 -c 'import sys, urllib.parse
for l in sys.stdin:
    print("/api/v1/assets?sort=name&limit=50&after=" + urllib.parse.quote(l.strip(), safe=""))' \
	>"$TMP/next-by-name.paths"

# Each scenario runs ROUNDS times, the rounds one after the other over all
# scenarios, and the median of each figure is reported: a burst of the
# shared machine's other work then spoils one round, not the figure.
NOTES=()
: >"$TMP/rounds.txt"
scenario() {
	local name=$1 out="$TMP/wrk-$1.txt" auth
	shift
	case $name in staff-*) auth="Cookie: $COOKIE" ;; *) auth="Authorization: Bearer $TOKEN" ;; esac
	timeout $((DURATION + 30)) wrk -t2 "-c$CONNS" "-d${DURATION}s" --latency -H "$auth" "$@" \
		>"$out" 2>&1 || NOTES+=("$name: wrk failed: $(tail -n 3 "$out")")
	printf '%s %s %s %s\n' "$name" "$(awk '/^Requests\/sec:/ { print $2 }' "$out")" \
		"$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")" \
		"$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")" >>"$TMP/rounds.txt"
	if grep -q 'Non-2xx' "$out"; then
		NOTES+=("$name: $(sed -n 's/^ *\(Non-2xx or 3xx responses:.*\)/\1/p' "$out")")
	fi
	check_alive "$PID" "$TMP/mamori.err"
}
SCENARIOS=(first by-name next-by-name section kind-level search next-by-id staff-page staff-section
	deep-offset get-one write)
for ((round = 1; round <= ROUNDS; round++)); do
	for s in "${SCENARIOS[@]}"; do
		echo "bench: $s (round $round of $ROUNDS)" >&2
		if [[ $s == write ]]; then
			scenario write -s bench/create.lua "$URL" -- 2
		else
			scenario "$s" -s bench/paths.lua "$URL" -- "$TMP/$s.paths"
		fi
	done
done
# The median of column k (2 req/s, 3 p50, 4 p99) of scenario name's rounds.
median() {
	awk -v n="$1" -v k="$2" '$1 == n { print $k }' "$TMP/rounds.txt" | sort -g |
		awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# audit verify over the whole log, with a checkpoint signed for it.
# The key is kept beside the benchmark's output: a database checkpointed
# once needs the same key for the next checkpoint.
mkdir -p bench/out
KEY=bench/out/scale-audit.key
[[ -f $KEY ]] || "$MAMORI" audit keygen --key "$KEY" --pubkey "$KEY.pub" --name bench/audit >/dev/null
"$MAMORI" audit checkpoint --db "$DB" --key "$KEY" >/dev/null
t0=$(now)
"$MAMORI" audit verify --db "$DB" --pubkey "$KEY.pub" >"$TMP/verify.out"
t1=$(now)
ENTRIES=$(sed -n 's/^ok: entries 1\.\.\([0-9]*\) verified.*/\1/p' "$TMP/verify.out")
VERIFY_S=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')

echo "mamori scale benchmark — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $BACKEND," \
	"$TOTAL active assets, $NSEC sections, ${ENTRIES:-?} audit entries," \
	"wrk -t2 -c$CONNS -d${DURATION}s, median of $ROUNDS rounds"
printf '%-15s %10s %10s %10s  %-32s %s\n' scenario req/s p50_ms p99_ms \
	"p99 < ${TARGET_P99_MS} ms (lists)" "p99 of each round"
for s in "${SCENARIOS[@]}"; do
	p99=$(median "$s" 4)
	verdict=
	case $s in get-one | write) ;; deep-offset) verdict="(offset paging: for comparison)" ;; *)
		verdict=$(awk -v p="$p99" -v t="$TARGET_P99_MS" 'BEGIN { print (p < t) ? "ok" : "MISSED" }') ;;
	esac
	printf '%-15s %10s %10s %10s  %-32s %s\n' "$s" "$(median "$s" 2)" "$(median "$s" 3)" "$p99" \
		"$verdict" "$(awk -v n="$s" '$1 == n { printf "%s ", $4 }' "$TMP/rounds.txt")"
done
printf 'audit verify: %s entries in %s s\n' "${ENTRIES:-?}" "$VERIFY_S"
for n in "${NOTES[@]}"; do echo "note: $n"; done
