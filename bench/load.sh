#!/usr/bin/env bash
# mamori under sustained mixed load: wrk with CONNECTIONS connections for
# DURATION seconds, RUNS times in a row, against one server, with reads and
# writes mixed (bench/load.lua). Per run: requests/s, the answers that are
# errors, latency p50/p99, and the server's memory before and after. Passes
# (exit 0) when no run had an error answer (anything but 2xx, 3xx and 409) or
# a socket error, and memory is flat: the server's own memory (RssAnon) at
# rest after the last run no more than RSS_PCT % (or RSS_MB MB, whichever is
# larger) above its value after the first. See bench/README.md, "Sustained load".
#
# Environment:
#   DURATION     seconds per run (default 60)
#   RUNS         runs (default 3)
#   CONNECTIONS  wrk connections (default 256)
#   THREADS      wrk threads (default 2)
#   ASSETS       assets in the generated database (default 10000)
#   RSS_PCT, RSS_MB  the flatness margin (default 5 %, 4 MB)
#   CLIENT_TIMEOUT   seconds wrk waits for an answer before it counts a
#                socket timeout (default 30, the server's own timeout and
#                about a browser's patience; wrk's own default is 2)
#   SETTLE       seconds to wait after a run before reading the memory the
#                server keeps at rest (default 35: past its 30 s trim)
#   CACHE_MB     the server's response cache ([server] cache_mb; default
#                the server's own, 32)
#   SERVER_THREADS  its worker threads ([server] threads; default its own, 4)
#   BUILD        the build directory (default build)
set -euo pipefail
export LC_ALL=C

cd "$(dirname "$0")/.."

DURATION=${DURATION:-60}
RUNS=${RUNS:-3}
CONNECTIONS=${CONNECTIONS:-256}
THREADS=${THREADS:-2}
ASSETS=${ASSETS:-10000}
RSS_PCT=${RSS_PCT:-5}
RSS_MB=${RSS_MB:-4}
BUILD=${BUILD:-build}
CLIENT_TIMEOUT=${CLIENT_TIMEOUT:-30}
SETTLE=${SETTLE:-35}
PER_PAGE=50

for v in DURATION RUNS CONNECTIONS THREADS ASSETS RSS_PCT RSS_MB CLIENT_TIMEOUT; do
	if ! [[ ${!v} =~ ^[0-9]+$ ]] || ((${!v} < 1)); then
		echo "load: $v must be a whole number of at least 1" >&2
		exit 2
	fi
done
for tool in ninja wrk curl sqlite3 ss; do
	if ! command -v "$tool" >/dev/null; then
		echo "load: $tool is not installed" >&2
		exit 2
	fi
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/mamori-load.XXXXXX")
PID=
cleanup() {
	if [[ -n $PID ]] && kill -0 "$PID" 2>/dev/null; then
		kill -TERM "$PID" 2>/dev/null || true
		for _ in $(seq 300); do
			kill -0 "$PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$PID" 2>/dev/null || true
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# VmRSS, VmHWM, RssAnon or RssFile of the server in MB.
mem_mb() {
	awk -v k="$1:" '$1 == k { printf "%.1f", $2 / 1024 }' "/proc/$PID/status"
}

echo "load: building" >&2
ninja -C "$BUILD" >&2
MAMORI=$BUILD/mamori
DB=$TMP/load.db
echo "load: creating a database of $ASSETS assets" >&2
"$MAMORI" init --db "$DB" --demo-assets "$ASSETS" >/dev/null
PW="load-$$-$RANDOM-$RANDOM-password"
printf '%s\n' "$PW" | "$MAMORI" user add --db "$DB" --login load-api --name 負荷試験 \
	--section 0121 --role 事務局 --password-stdin >/dev/null
printf '%s\n' "$PW" | "$MAMORI" user add --db "$DB" --login load-web --name 負荷閲覧 \
	--section 0410 --role 職員 --password-stdin >/dev/null
TOKEN=$("$MAMORI" token create --db "$DB" --login load-api --label load | tail -n 1)
# Reads of 一般/庁外秘 records (a 課外秘 read appends an audit entry; the
# writes here append plenty).
sqlite3 "$DB" 'SELECT id FROM assets WHERE confidentiality <= 2' >"$TMP/ids"
sqlite3 "$DB" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null

CONF=/dev/null
if [[ -n ${CACHE_MB:-} || -n ${SERVER_THREADS:-} ]]; then
	CONF=$TMP/load.conf
	{
		echo '[server]'
		[[ -z ${CACHE_MB:-} ]] || echo "cache_mb = $CACHE_MB"
		[[ -z ${SERVER_THREADS:-} ]] || echo "threads = $SERVER_THREADS"
	} >"$CONF"
fi
MAMORI_CONFIG=$CONF "$MAMORI" serve --db "$DB" --port 0 --listen 127.0.0.1 2>"$TMP/serve.err" &
PID=$!
PORT=
for _ in $(seq 100); do
	PORT=$(sed -n 's|^mamori: serving http://127\.0\.0\.1:\([0-9]*\)/$|\1|p' "$TMP/serve.err" | head -n 1)
	[[ -n $PORT ]] && break
	kill -0 "$PID" 2>/dev/null || break
	sleep 0.1
done
if [[ -z $PORT ]]; then
	echo "load: the server did not start:" >&2
	cat "$TMP/serve.err" >&2
	exit 1
fi
URL=http://127.0.0.1:$PORT
COOKIE=$(curl -s -i --max-time 30 -d "login=load-web&password=$PW&next=/" "$URL/signin" |
	sed -n 's/^[Ss]et-[Cc]ookie: \(mm_session=[0-9a-f]*\).*/\1/p')
if [[ -z $COOKIE ]]; then
	echo "load: could not sign in to the pages" >&2
	exit 1
fi
PAGES=$(((ASSETS + PER_PAGE - 1) / PER_PAGE))
# The mix's requests, once each with curl, so that a refusal shows itself.
for path in "/api/v1/assets/$(head -n 1 "$TMP/ids")" "/api/v1/assets?limit=50&sort=name"; do
	code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$URL$path")
	[[ $code == 200 ]] || { echo "load: GET $path answered $code" >&2; exit 1; }
done
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $COOKIE" "$URL/assets?page=$PAGES")
[[ $code == 200 ]] || { echo "load: GET /assets?page=$PAGES answered $code" >&2; exit 1; }
sleep 1

# Waits (at most 120 s) until the requests wrk left queued at its end are
# done and the server has closed their connections: none of its sockets on
# PORT is open any more. Until then they count against the server's limit
# of connections per address (256 by default, wrk's count here), and the
# next run's connections would be refused.
drain() {
	local open
	for _ in $(seq 240); do
		open=$(ss -Htn "( sport = :$PORT )" 2>/dev/null | grep -vc TIME-WAIT || true)
		((open == 0)) && break
		sleep 0.5
	done
	sleep 1
}

echo
echo "mamori sustained load — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $ASSETS assets," \
	"wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --timeout ${CLIENT_TIMEOUT}s, $RUNS runs${CACHE_MB:+, cache_mb $CACHE_MB}${SERVER_THREADS:+, threads $SERVER_THREADS}"
echo "before the load: VmRSS $(mem_mb VmRSS) MB, VmHWM $(mem_mb VmHWM) MB (start-up's peak)"
printf '%-4s %8s %6s %6s %8s %8s %7s %7s %7s %7s %7s %8s %s\n' run req/s 409s errors p50-ms p99-ms \
	rss-0 rss-1 anon-1 file-1 hwm-1 anon-rest socket-errors
echo "(memory in MB: VmRSS before the run; VmRSS, RssAnon, RssFile and VmHWM once its"
echo " connections are closed; RssAnon ${SETTLE} s later, at rest)"
ok=1
FIRST_END=
LAST_END=
FIRST_RSS=
LAST_RSS=
for run in $(seq "$RUNS"); do
	before=$(mem_mb VmRSS)
	out=$TMP/wrk-$run.txt
	if ! timeout $((DURATION + 60)) wrk "-t$THREADS" "-c$CONNECTIONS" "-d${DURATION}s" --latency \
		--timeout "${CLIENT_TIMEOUT}s" \
		-s bench/load.lua "$URL" -- "$TOKEN" "$COOKIE" "$TMP/ids" "$PAGES" >"$out" 2>&1; then
		echo "load: wrk failed:" >&2
		cat "$out" >&2
		ok=0
	fi
	if ! kill -0 "$PID" 2>/dev/null; then
		echo "load: the server died; its stderr:" >&2
		tail -n 50 "$TMP/serve.err" >&2
		exit 1
	fi
	drain
	after=$(mem_mb VmRSS)
	hwm=$(mem_mb VmHWM)
	anon=$(mem_mb RssAnon)
	file=$(mem_mb RssFile)
	sleep "$SETTLE"
	rest=$(mem_mb RssAnon)
	rps=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
	errors=$(sed -n 's/^load-errors: //p' "$out")
	c409=$(sed -n 's/^load-status: .*409 \([0-9]*\),.*/\1/p' "$out")
	p50=$(sed -n 's/^load-latency-ms: p50 \([0-9.]*\) .*/\1/p' "$out")
	p99=$(sed -n 's/^load-latency-ms: .*p99 \([0-9.]*\)/\1/p' "$out")
	sock=$(sed -n 's/^ *Socket errors: \(.*\)/\1/p' "$out")
	printf '%-4s %8s %6s %6s %8s %8s %7s %7s %7s %7s %7s %8s %s\n' "$run" "${rps:-?}" "${c409:-?}" \
		"${errors:-?}" "${p50:-?}" "${p99:-?}" "$before" "$after" "$anon" "$file" "$hwm" "$rest" \
		"${sock:-0}"
	sed -n 's/^load-status: /     answers: /p' "$out"
	if [[ -n $sock ]]; then
		ok=0
	fi
	if [[ ${errors:-1} != 0 ]]; then
		ok=0
	fi
	[[ -n $FIRST_END ]] || FIRST_END=$rest
	LAST_END=$rest
	[[ -n $FIRST_RSS ]] || FIRST_RSS=$after
	LAST_RSS=$after
done

echo
flat=$(awk -v a="$FIRST_END" -v b="$LAST_END" -v p="$RSS_PCT" -v m="$RSS_MB" 'BEGIN {
	d = b - a # only growth counts: memory that falls is no leak
	lim = a * p / 100; if (lim < m) lim = m
	printf "%s %.1f %.1f", (d <= lim) ? "yes" : "no", d, lim
}')
read -r is_flat diff limit <<<"$flat"
echo "memory: RssAnon (the server's own memory) at rest after run 1 ${FIRST_END} MB, after run" \
	"$RUNS ${LAST_END} MB: difference ${diff} MB, flat within ${limit} MB: $is_flat"
echo "        VmRSS ${FIRST_RSS} → ${LAST_RSS} MB (RssFile, mapped files: its libraries)"
[[ $is_flat == yes ]] || ok=0
if grep -qiE 'error|warn' "$TMP/serve.err"; then
	echo "server stderr:"
	tail -n 20 "$TMP/serve.err"
fi
if ((ok)); then
	echo "load: PASS (no error answers, no socket errors, memory flat)"
else
	echo "load: FAIL"
	exit 1
fi
