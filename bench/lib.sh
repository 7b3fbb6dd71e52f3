# Shell functions shared by bench/run.sh and bench/scale.sh (sourced).
# bench_account uses the caller's MAMORI, DB and BENCH_PW.

now() {
	date +%s.%N
}

# Resident memory of process $1 in MB, from /proc/PID/status.
rss_mb() {
	awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"
}

# The part of it that is the process's own memory, not pages of files it
# maps (its libraries; the database, which each connection maps: those
# pages count once per connection in VmRSS, and are the page cache's).
anon_mb() {
	awk '/^RssAnon:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"
}

# Waits until process $2 writes "NAME: serving http://127.0.0.1:PORT/" to
# the file $1, then prints PORT. Gives up after 10 s or if the process dies.
learn_port() {
	local err=$1 pid=$2 port
	for _ in $(seq 100); do
		port=$(sed -n 's|^[a-z]*: serving http://127\.0\.0\.1:\([0-9]*\)/$|\1|p' "$err" |
			head -n 1)
		if [[ -n $port ]]; then
			echo "$port"
			return 0
		fi
		if ! kill -0 "$pid" 2>/dev/null; then
			break
		fi
		sleep 0.1
	done
	echo "bench: the server did not say which port it serves on; its stderr:" >&2
	cat "$err" >&2
	return 1
}

# Waits until URL $1 answers (any HTTP status), for at most 10 s.
wait_answer() {
	for _ in $(seq 50); do
		if curl -s -o /dev/null --max-time 1 "$1"; then
			return 0
		fi
		sleep 0.2
	done
	echo "bench: $1 does not answer" >&2
	return 1
}

# Fails unless server $1 (a pid) is still running; shows its stderr $2.
check_alive() {
	if ! kill -0 "$1" 2>/dev/null; then
		echo "bench: the server (pid $1) has died; its stderr:" >&2
		tail -n 50 "$2" >&2
		exit 1
	fi
}

# Converts wrk's latency (e.g. 812.00us, 3.21ms, 1.02s, 2.00m) to ms.
to_ms() {
	awk -v v="$1" 'BEGIN {
		n = v + 0
		if (v ~ /us$/) n /= 1000
		else if (v ~ /ms$/) n = n
		else if (v ~ /m$/) n *= 60000
		else if (v ~ /s$/) n *= 1000
		printf "%.2f", n
	}'
}

# Makes account $1 (name $2, section $3, role $4) unless it exists, and sets
# its password to BENCH_PW.
bench_account() {
	if "$MAMORI" user list --db "$DB" | awk -v l="$1" '$2 == l { found = 1 } END { exit !found }'; then
		printf '%s\n' "$BENCH_PW" | "$MAMORI" user password --db "$DB" --login "$1" >/dev/null
	else
		printf '%s\n' "$BENCH_PW" | "$MAMORI" user add --db "$DB" --login "$1" --name "$2" \
			--section "$3" --role "$4" --password-stdin >/dev/null
	fi
}
