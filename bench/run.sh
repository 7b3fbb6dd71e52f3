#!/usr/bin/env bash
# mamori's benchmark: throughput and latency of a few typical requests on a
# database of ASSETS assets, each compared with a bare libmicrohttpd server
# (mamori-ping) set up the same way. Loopback only. See bench/README.md.
#
# Environment:
#   DURATION  seconds per scenario (default 10)
#   ASSETS    assets in the generated database (default 100000)
#   KEEP_DB   a database path to reuse; created there (and kept) if missing
#   BUILD     the build directory (default build)
#   WARMUP    seconds of unmeasured load on mamori before the runs (default 2)
#   PAIRS     paired rounds of the ceiling and get-one at the end (default 6)
#   PAIR_SECONDS  seconds of each of those runs (default 5)
set -euo pipefail
export LC_ALL=C

cd "$(dirname "$0")/.."

DURATION=${DURATION:-10}
ASSETS=${ASSETS:-100000}
KEEP_DB=${KEEP_DB:-}
BUILD=${BUILD:-build}
WARMUP=${WARMUP:-2}
PAIRS=${PAIRS:-6}
PAIR_SECONDS=${PAIR_SECONDS:-5}
WRK_OPTS=(-t2 -c64 "-d${DURATION}s" --latency)
PER_PAGE=50

# Targets (see bench/README.md).
TARGET_GET_RATIO=0.4
TARGET_LIST_RPS=8000
TARGET_IDLE_MB=20

for v in DURATION ASSETS WARMUP PAIRS PAIR_SECONDS; do
	if ! [[ ${!v} =~ ^[0-9]+$ ]]; then
		echo "bench: $v must be a whole number" >&2
		exit 2
	fi
done
if ((DURATION < 1 || ASSETS < 1)); then
	echo "bench: DURATION and ASSETS must be at least 1" >&2
	exit 2
fi
for tool in ninja wrk curl; do
	if ! command -v "$tool" >/dev/null; then
		echo "bench: $tool is not installed" >&2
		exit 2
	fi
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/mamori-bench.XXXXXX")
MAMORI_PID=
NC_PID=
PING_PID=
FLOOR_PID=

# Stops whichever servers were started and removes the temporary directory
# (a KEEP_DB database lives outside it).
cleanup() {
	local pid i
	for pid in $MAMORI_PID $NC_PID $PING_PID $FLOOR_PID; do
		if kill -0 "$pid" 2>/dev/null; then
			kill -TERM "$pid" 2>/dev/null || true
		fi
	done
	for pid in $MAMORI_PID $NC_PID $PING_PID $FLOOR_PID; do
		for i in $(seq 300); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$pid" 2>/dev/null; then
			echo "bench: pid $pid still running 30 s after SIGTERM; killing it" >&2
			kill -KILL "$pid" 2>/dev/null || true
		elif ((i > 20)); then
			echo "bench: pid $pid took about $((i / 10)) s to stop after SIGTERM" >&2
		fi
	done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# shellcheck source=bench/lib.sh
. bench/lib.sh

# Waits until mamori answers /healthz within 0.2 s again, so that requests
# still queued from one scenario do not eat into the next; at most 120 s.
# Notes how long that took when it was more than a second.
drain() {
	local name=$1 t0 t1 took
	t0=$(now)
	for _ in $(seq 120); do
		took=$(curl -s -o /dev/null -w '%{time_total}' --max-time 1 "$URL/healthz") || took=9
		if awk -v t="$took" 'BEGIN { exit !(t < 0.2) }'; then
			break
		fi
	done
	t1=$(now)
	took=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
	if awk -v t="$took" 'BEGIN { exit !(t > 1) }'; then
		DRAINS+=("after $name, mamori needed ${took} s before /healthz answered promptly")
	fi
}

# One request with curl before the load, so that a failing scenario shows
# the exact request and answer rather than only wrk's counters.
probe() {
	local name=$1 url=$2 code
	local -a auth
	mapfile -t auth < <(auth_args "$url")
	code=$(curl -s "${auth[@]}" -o "$TMP/probe.body" -w '%{http_code}' --max-time 10 "$url") ||
		code=000
	if [[ $code != 2* ]]; then
		echo "bench: WARNING: $name: GET $url answered $code:" >&2
		head -c 2000 "$TMP/probe.body" >&2 || true
		echo >&2
	fi
}

NAMES=()
RPS=()
P99=()
CPU=()
WARNINGS=()
DRAINS=()

# Runs wrk for scenario $1 on URL $2 with optional Lua script $3 and its
# argument $4, and records req/s and p99 latency.
# Who the requests go as: the API with a personal token of a 事務局 account,
# pages with the session of a member of staff (see the accounts made above).
auth_args() {
	case $1 in
	*/api/* | *paths.lua) printf '%s\n' -H "Authorization: Bearer $TOKEN" ;;
	"$URL"* | "$NC_URL"*) printf '%s\n' -H "Cookie: $COOKIE" ;;
	esac
}

# The server that answers URL $1: its pid.
server_of() {
	local u
	for u in PING FLOOR NC; do
		local url_var=${u}_URL pid_var=${u}_PID
		if [[ $1 == "${!url_var}" || $1 == "${!url_var}"/* ]]; then
			echo "${!pid_var}"
			return
		fi
	done
	echo "$MAMORI_PID"
}

# CPU time of process $1 so far, in clock ticks.
cpu_ticks() {
	awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0
}

# Also records the server's CPU time per request (user and system, from
# /proc): steadier than req/s on a shared machine, where wrk and other
# programs take the cores in turns.
scenario() {
	local name=$1 url=$2 script=${3:-} arg=${4:-} out="$TMP/wrk-$1.txt" rps p99 line
	local pid ticks0 ticks1 n
	local -a auth cmd
	# paths.lua requests /api/ paths on the bare server address.
	mapfile -t auth < <(auth_args "$url${script:+ $script}")
	cmd=(wrk "${WRK_OPTS[@]}" "${auth[@]}")

	if [[ -n $script ]]; then
		cmd+=(-s "$script" "$url" -- "$arg")
	else
		cmd+=("$url")
	fi
	echo "bench: $name: ${cmd[*]}" >&2
	pid=$(server_of "$url")
	ticks0=$(cpu_ticks "$pid")
	if ! timeout $((DURATION + 30)) "${cmd[@]}" >"$out" 2>&1; then
		echo "bench: WARNING: $name: wrk failed; its output:" >&2
		cat "$out" >&2
	fi
	ticks1=$(cpu_ticks "$pid")
	n=$(awk '/ requests in / { print $1 }' "$out")
	CPU+=("$(awk -v t=$((ticks1 - ticks0)) -v hz="$(getconf CLK_TCK)" -v n="${n:-0}" \
		'BEGIN { if (n + 0 > 0) printf "%.1f", t / hz / n * 1e6; else print "-" }')")
	rps=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
	p99=$(awk '$1 == "99%" { print $2 }' "$out")
	NAMES+=("$name")
	RPS+=("${rps:-0}")
	if [[ -n $p99 ]]; then
		P99+=("$(to_ms "$p99")")
	else
		P99+=("-")
	fi
	line=$(sed -n 's/^ *\(Non-2xx or 3xx responses:.*\)/\1/p' "$out")
	if [[ -n $line ]]; then
		WARNINGS+=("$name: $line")
	fi
	line=$(sed -n 's/^ *\(Socket errors:.*\)/\1/p' "$out")
	if [[ -n $line ]]; then
		WARNINGS+=("$name: $line")
	fi
}

echo "bench: building" >&2
ninja -C "$BUILD" >&2
MAMORI=$BUILD/mamori
PING=$BUILD/bench/mamori-ping
for exe in "$MAMORI" "$PING"; do
	if [[ ! -x $exe ]]; then
		echo "bench: $exe was not built" >&2
		exit 1
	fi
done

# The database: generated unless KEEP_DB names one that exists.
DB_SECONDS=-
if [[ -n $KEEP_DB && -e $KEEP_DB ]]; then
	DB=$KEEP_DB
	echo "bench: reusing $DB" >&2
else
	DB=${KEEP_DB:-$TMP/bench.db}
	echo "bench: creating $DB with $ASSETS assets" >&2
	t0=$(now)
	timeout 1800 "$MAMORI" init --db "$DB" --demo-assets "$ASSETS" >"$TMP/init.out"
	t1=$(now)
	DB_SECONDS=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
	cat "$TMP/init.out" >&2
	echo "bench: database built in ${DB_SECONDS} s" >&2
fi
DB_MB=$(du -m "$DB" | awk '{ print $1 }')

# Two accounts, made once per database and given a fresh password each run:
# a 事務局 member for the API and a member of staff for pages.
"$MAMORI" init --db "$DB" >/dev/null # the default profile (roles) of older databases
BENCH_PW="bench-$$-$RANDOM-$RANDOM-password"
bench_account bench-api ベンチ計測 0121 事務局
bench_account bench-web ベンチ閲覧 0410 職員
TOKEN=$("$MAMORI" token create --db "$DB" --login bench-api --label bench | tail -n 1)
# get-one asks for 一般 and 庁外秘 records, whose reads are not logged (a
# refusal, or the read of a 課外秘/極秘 record, appends an audit entry in a
# transaction of its own: get-one-classified measures that apart, on the
# 課外秘 records 事務局 may read).
sqlite3 "$DB" "SELECT '/api/v1/assets/' || id FROM assets WHERE confidentiality <= 2" \
	>"$TMP/readable-paths"
sqlite3 "$DB" "SELECT '/api/v1/assets/' || id FROM assets WHERE confidentiality = 3" \
	>"$TMP/classified-paths"
# Start from a checkpointed database, as a server that has run a while would.
sqlite3 "$DB" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null

"$PING" 0 2>"$TMP/ping.err" &
PING_PID=$!
# The floor: the same bare server reading the asset from the database.
"$PING" 0 "$DB" 2>"$TMP/floor.err" &
FLOOR_PID=$!
# (As root the server must be told to stay root: the bench is not a service.)
AS_ROOT=""
[ "$(id -u)" -ne 0 ] || AS_ROOT=--allow-root
"$MAMORI" serve --db "$DB" --port 0 $AS_ROOT 2>"$TMP/mamori.err" &
MAMORI_PID=$!
# A second server on the same database with the list cache off, to show what
# rendering a list costs when the cache cannot answer.
printf '[server]\ncache_mb = 0\n' >"$TMP/nocache.conf"
"$MAMORI" serve --config "$TMP/nocache.conf" --db "$DB" --port 0 $AS_ROOT 2>"$TMP/nocache.err" &
NC_PID=$!
PING_PORT=$(learn_port "$TMP/ping.err" "$PING_PID")
MAMORI_PORT=$(learn_port "$TMP/mamori.err" "$MAMORI_PID")
PING_URL=http://127.0.0.1:$PING_PORT
FLOOR_URL=http://127.0.0.1:$(learn_port "$TMP/floor.err" "$FLOOR_PID")
URL=http://127.0.0.1:$MAMORI_PORT
NC_URL=http://127.0.0.1:$(learn_port "$TMP/nocache.err" "$NC_PID")
wait_answer "$PING_URL/"
wait_answer "$FLOOR_URL/"
wait_answer "$URL/healthz"
wait_answer "$NC_URL/healthz"
COOKIE=$(curl -s -i --max-time 30 -d "login=bench-web&password=$BENCH_PW&next=/" "$URL/signin" |
	sed -n 's/^[Ss]et-[Cc]ookie: \(mm_session=[0-9a-f]*\).*/\1/p')
if [[ -z $COOKIE ]]; then
	echo "bench: could not sign in to the pages" >&2
	exit 1
fi
sleep 1
IDLE_RSS=$(rss_mb "$MAMORI_PID")

# The HTML list shows active assets only; page through those that exist.
# (Counted in the database: a list's total stops at 10,000.)
ACTIVE=$(sqlite3 "$DB" 'SELECT count(*) FROM assets WHERE retired = 0')
ACTIVE=${ACTIVE:-$ASSETS}
PAGES=$(((ACTIVE + PER_PAGE - 1) / PER_PAGE))
if ((PAGES < 1)); then
	PAGES=1
fi
LIST_URL="$URL/api/v1/assets?limit=100&sort=name"
KIND_URL="$URL/api/v1/assets?limit=100&sort=name&kind=data"

probe ceiling "$PING_URL/"
probe floor "$FLOOR_URL$(head -n 1 "$TMP/readable-paths")"
probe get-one "$URL$(head -n 1 "$TMP/readable-paths")"
probe json-list-100 "$LIST_URL"
probe json-list-100-kind "$KIND_URL"
probe html-page-50 "$URL/assets?page=$PAGES"
probe html-page-1 "$URL/assets?page=1"

if ((WARMUP > 0)); then
	echo "bench: warming up both servers for ${WARMUP} s each" >&2
	timeout $((WARMUP + 30)) wrk -t2 -c64 "-d${WARMUP}s" "$PING_URL/" >/dev/null 2>&1 || true
	timeout $((WARMUP + 30)) wrk -t2 -c64 "-d${WARMUP}s" -s bench/paths.lua "$FLOOR_URL" \
		-- "$TMP/readable-paths" >/dev/null 2>&1 || true
	timeout $((WARMUP + 30)) wrk -t2 -c64 "-d${WARMUP}s" -H "Authorization: Bearer $TOKEN" \
		-s bench/paths.lua "$URL" \
		-- "$TMP/readable-paths" >/dev/null 2>&1 || true
fi

scenario ceiling "$PING_URL/"
check_alive "$PING_PID" "$TMP/ping.err"
scenario floor "$FLOOR_URL" bench/paths.lua "$TMP/readable-paths"
check_alive "$FLOOR_PID" "$TMP/floor.err"
scenario get-one "$URL" bench/paths.lua "$TMP/readable-paths"
check_alive "$MAMORI_PID" "$TMP/mamori.err"
drain get-one
scenario get-one-classified "$URL" bench/paths.lua "$TMP/classified-paths"
check_alive "$MAMORI_PID" "$TMP/mamori.err"
drain get-one-classified
scenario json-list-100 "$LIST_URL"
check_alive "$MAMORI_PID" "$TMP/mamori.err"
drain json-list-100
scenario json-list-100-nocache "$NC_URL/api/v1/assets?limit=100&sort=name"
check_alive "$NC_PID" "$TMP/nocache.err"
scenario json-list-100-kind "$KIND_URL"
check_alive "$MAMORI_PID" "$TMP/mamori.err"
drain json-list-100-kind
scenario html-page-50 "$URL" bench/html_page.lua "$PAGES"
check_alive "$MAMORI_PID" "$TMP/mamori.err"
drain html-page-50
scenario html-page-1 "$URL/assets?page=1"
check_alive "$MAMORI_PID" "$TMP/mamori.err"
drain html-page-1
# The ceiling again: on two cores the figures drift by 10-20 % between runs,
# and the two ceilings show by how much. Ratios use their mean.
scenario ceiling-again "$PING_URL/"

sleep 1
LOADED_RSS=$(rss_mb "$MAMORI_PID")
LOADED_ANON=$(anon_mb "$MAMORI_PID")
CEILING=$(awk -v a="${RPS[0]}" -v b="${RPS[${#RPS[@]} - 1]}" 'BEGIN { print (a + b) / 2 }')

# req/s of a PAIR_SECONDS wrk run on URL $1 (with paths.lua's FILE $2).
pair_rps() {
	local -a cmd=(wrk -t2 -c64 "-d${PAIR_SECONDS}s")
	if [[ -n ${2:-} ]]; then
		cmd+=(-H "Authorization: Bearer $TOKEN" -s bench/paths.lua "$1" -- "$2")
	else
		cmd+=("$1")
	fi
	timeout $((PAIR_SECONDS + 30)) "${cmd[@]}" 2>/dev/null |
		awk '/^Requests\/sec:/ { print $2 }' || true
}

# Paired rounds: the ceiling and get-one seconds apart, in turns, so that
# each pair sees the same load from the rest of the machine. The ceiling's
# two runs above may differ by a quarter; the median of the pairs' ratios
# moves less.
PAIR_RATIOS=()
for ((i = 0; i < PAIRS; i++)); do
	echo "bench: paired round $((i + 1)) of $PAIRS" >&2
	c=$(pair_rps "$PING_URL/")
	g=$(pair_rps "$URL" "$TMP/readable-paths")
	PAIR_RATIOS+=("$(awk -v g="${g:-0}" -v c="${c:-0}" \
		'BEGIN { if (c + 0 > 0) printf "%.3f", g / c; else print 0 }')")
done
check_alive "$MAMORI_PID" "$TMP/mamori.err"

# Returns "ok" or "MISSED" for value $1 against $2 with operator $3 (ge/le).
verdict() {
	awk -v v="$1" -v t="$2" -v op="$3" 'BEGIN {
		ok = (op == "ge") ? (v + 0 >= t + 0) : (v + 0 <= t + 0)
		print ok ? "ok" : "MISSED"
	}'
}

echo
echo "mamori benchmark — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores," \
	"$ASSETS assets, $ACTIVE active (${DB_MB} MB database), wrk ${WRK_OPTS[*]}"
if [[ $DB_SECONDS != - ]]; then
	echo "database built in ${DB_SECONDS} s"
fi
echo
echo "×ceiling: req/s divided by the mean of the two ceiling runs ($CEILING req/s)"
echo
echo "CPU µs: the server's CPU time per request (user + system)"
echo
printf '%-20s %12s %10s %9s %8s  %s\n' scenario req/s "p99 ms" "×ceiling" "CPU µs" target
printf '%-20s %12s %10s %9s %8s  %s\n' -------------------- ------------ ---------- --------- \
	-------- ------------------------
for i in "${!NAMES[@]}"; do
	name=${NAMES[$i]}
	ratio=$(awk -v r="${RPS[$i]}" -v c="$CEILING" \
		'BEGIN { if (c + 0 > 0) printf "%.2f", r / c; else print "-" }')
	target=
	case $name in
	get-one)
		target="≥ ${TARGET_GET_RATIO}× ceiling: $(verdict "$ratio" "$TARGET_GET_RATIO" ge)"
		;;
	json-list-100)
		target="≥ ${TARGET_LIST_RPS} req/s: $(verdict "${RPS[$i]}" "$TARGET_LIST_RPS" ge)"
		;;
	json-list-100-nocache)
		target="(list cache off: rendering every time)"
		;;
	get-one-classified)
		target="(課外秘: each read appends an audit entry)"
		;;
	floor)
		target="(a bare server that only reads the asset from SQLite)"
		;;
	esac
	printf '%-20s %12.0f %10s %9s %8s  %s\n' "$name" "${RPS[$i]}" "${P99[$i]}" "$ratio" \
		"${CPU[$i]}" "$target"
done
# get-one against the floor: how much of what a GET that reads SQLite can
# reach here mamori reaches, with its credential check, access rule,
# routing and headers.
for i in "${!NAMES[@]}"; do
	case ${NAMES[$i]} in
	floor) FLOOR_RPS=${RPS[$i]} FLOOR_CPU=${CPU[$i]} ;;
	get-one) GET_RPS=${RPS[$i]} GET_CPU=${CPU[$i]} ;;
	esac
done
echo
awk -v g="${GET_RPS:-0}" -v f="${FLOOR_RPS:-0}" -v gc="${GET_CPU:--}" -v fc="${FLOOR_CPU:--}" \
	'BEGIN {
	if (f + 0 > 0) printf "get-one / floor: %.2f in req/s", g / f
	if (gc + 0 > 0 && fc + 0 > 0) printf ", %.2f in CPU per request (floor / get-one)", fc / gc
	print ""
}'
if ((PAIRS > 0)); then
	PAIR_MEDIAN=$(printf '%s\n' "${PAIR_RATIOS[@]}" | sort -n |
		awk '{ v[NR] = $1 } END { printf "%.2f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
	printf 'get-one / ceiling in %d paired rounds of %d s: %s; median %s (≥ %s: %s)\n' \
		"$PAIRS" "$PAIR_SECONDS" "$(printf '%s ' "${PAIR_RATIOS[@]}" | sed 's/ $//')" \
		"$PAIR_MEDIAN" "$TARGET_GET_RATIO" "$(verdict "$PAIR_MEDIAN" "$TARGET_GET_RATIO" ge)"
fi
echo
printf 'mamori RSS idle after start-up: %6s MB   (≤ %s MB: %s)\n' "$IDLE_RSS" \
	"$TARGET_IDLE_MB" "$(verdict "$IDLE_RSS" "$TARGET_IDLE_MB" le)"
printf 'mamori RSS after the load:      %6s MB   (of which its own memory: %s MB;\n' \
	"$LOADED_RSS" "$LOADED_ANON"
printf '                                           the rest: mapped files, the database once per connection)\n'

if ((${#DRAINS[@]})); then
	echo
	echo "Slow to drain (requests queued behind slow ones):"
	printf '  %s\n' "${DRAINS[@]}"
fi
if ((${#WARNINGS[@]})); then
	echo
	echo "WARNING: some requests failed (see the server's stderr below):"
	printf '  %s\n' "${WARNINGS[@]}"
	echo "--- mamori stderr (last 30 lines) ---"
	tail -n 30 "$TMP/mamori.err"
fi
