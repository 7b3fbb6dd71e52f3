# Shared by scripts/attack and scripts/slowattack (sourced, not run): starts a
# populated mamori server on loopback in a temporary directory and stops it.
#
#   demo_server_start WORKDIR [serve args…]
#       init --demo on WORKDIR/m.db, then serve it on 127.0.0.1 with a port
#       the kernel picks. Sets SRV_URL (no trailing slash), SRV_PID, SRV_DB,
#       SRV_LOG (the server's stderr) and SRV_INIT (what init printed, the
#       demo accounts among it).
#   demo_password LOGIN      the demo account's password from SRV_INIT
#   demo_signin LOGIN        signs in through the form; prints "mm_session=…"
#   demo_server_stop         SIGTERM, wait; fails when the server had died
#
# MAMORI_BIN names the binary (default: build/mamori of this tree).

top=${top:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
MAMORI_BIN=${MAMORI_BIN:-$top/build/mamori}
# The machine's configuration file must not change what is attacked.
export MAMORI_CONFIG=${MAMORI_CONFIG:-/dev/null}
# Everything is on loopback: no proxy.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY

CURL=(curl -sS -k --max-time 20)

demo_server_start() {
	local dir=$1 i
	shift
	SRV_DB=$dir/m.db
	SRV_LOG=$dir/serve.log
	[ -x "$MAMORI_BIN" ] || { echo "no mamori binary at $MAMORI_BIN (ninja -C build)" >&2; return 1; }
	SRV_INIT=$("$MAMORI_BIN" init --db "$SRV_DB" --demo 2>&1) || {
		echo "$SRV_INIT" >&2
		return 1
	}
	"$MAMORI_BIN" serve --db "$SRV_DB" --port 0 --listen 127.0.0.1 "$@" 2>"$SRV_LOG" &
	SRV_PID=$!
	SRV_URL=
	for i in $(seq 1 150); do
		SRV_URL=$(sed -n 's|.*mamori: serving \(https\{0,1\}://127\.0\.0\.1:[0-9]*\)/.*|\1|p' "$SRV_LOG" | head -1)
		[ -n "$SRV_URL" ] && return 0
		kill -0 "$SRV_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "mamori serve did not start:" >&2
	cat "$SRV_LOG" >&2
	return 1
}

demo_password() {
	printf '%s\n' "$SRV_INIT" | awk -v l="$1" '$1 == l && $2 ~ /^demo-/ { print $2; exit }'
}

demo_signin() {
	local pw
	pw=$(demo_password "$1")
	[ -n "$pw" ] || { echo "no demo password for $1" >&2; return 1; }
	"${CURL[@]}" -o /dev/null -D - -X POST --data-urlencode "login=$1" \
		--data-urlencode "password=$pw" --data-urlencode next=/ "$SRV_URL/signin" |
		grep -io 'mm_session=[0-9a-f]*' | head -1
}

demo_server_stop() {
	[ -n "${SRV_PID:-}" ] || return 0
	if ! kill -0 "$SRV_PID" 2>/dev/null; then
		echo "mamori serve had died:" >&2
		tail -20 "$SRV_LOG" >&2
		SRV_PID=
		return 1
	fi
	kill -TERM "$SRV_PID"
	wait "$SRV_PID"
	local rc=$?
	SRV_PID=
	return $rc
}
