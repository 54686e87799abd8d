# bench/lib.sh: what bench/run.sh and bench/debate.sh share: the settings
# read from the environment, Parley and nginx started and stopped, and wrk
# run and parsed.  Sourced from the repository's root (". bench/lib.sh")
# after "set -eu"; not run on its own.
#
# A script sets SCRATCH (a scratch folder; nginx's files go in
# $SCRATCH/nginx, whose logs/ and tmp/ it makes), DB, DOCROOT and PORT
# before it starts a server, and calls cleanup from its EXIT trap.

ROOT=$(pwd)
PARLEY=${PARLEY:-$ROOT/parley}
DUR=${BENCH_DURATION:-10}
CONNS=${BENCH_CONNECTIONS:-64}
WTHREADS=${BENCH_THREADS:-2}
WARMUP=2
# The reading comparison: ROUNDS alternating runs of RDUR seconds a side.
ROUNDS=${BENCH_ROUNDS:-2}
RDUR=$(( (DUR + ROUNDS - 1) / ROUNDS ))

say() { printf '%s\n' "$*"; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

# --- servers, and cleanup even on failure -------------------------------------
PARLEY_PID=""
NGINX_PID=""
INTERRUPTED=""
stop_parley() {
	if [ -n "$PARLEY_PID" ]; then
		kill "$PARLEY_PID" 2>/dev/null || true
		wait "$PARLEY_PID" 2>/dev/null || true
		PARLEY_PID=""
	fi
}
# cleanup: the EXIT trap.  The scratch folder is kept for a look after a
# failure (not after an interruption that set INTERRUPTED), or when
# BENCH_KEEP=1.
cleanup() {
	rc=$?
	trap - EXIT INT TERM
	stop_parley
	if [ -n "$NGINX_PID" ]; then
		kill "$NGINX_PID" 2>/dev/null || true	# the master stops its workers
		wait "$NGINX_PID" 2>/dev/null || true
	fi
	if [ "${BENCH_KEEP:-0}" = 1 ] || { [ "$rc" -ne 0 ] && [ -z "$INTERRUPTED" ]; }; then
		say "bench: scratch folder kept: $SCRATCH"
	else
		rm -rf "$SCRATCH"
	fi
	exit "$rc"
}

# A free loopback port (the system's choice; released just before use).
free_port() {
	node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# start_parley CONFIG: starts the server on $PORT and waits for it; its
# standard output (the access log) goes to $PARLEY_OUT, appended.
PARLEY_OUT=/dev/null
STARTS=0
start_parley() {
	STARTS=$((STARTS + 1))
	err=$SCRATCH/parley-$STARTS.err
	"$PARLEY" serve --config "$1" --db "$DB" --listen "127.0.0.1:$PORT" \
		>>"$PARLEY_OUT" 2>"$err" &
	PARLEY_PID=$!
	i=0
	until grep -q "serving .* on http://127.0.0.1:$PORT/" "$err" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 100 ] || ! kill -0 "$PARLEY_PID" 2>/dev/null; then
			cat "$err" >&2
			die "parley did not start"
		fi
		sleep 0.1
	done
}

# start_nginx PROBE: serves $DOCROOT as static files on a free port, with
# the headers Parley sends with every page, and waits until it serves
# $DOCROOT/PROBE.  Sets NPORT, NBASE and NGINX_PID.
start_nginx() {
	NPORT=$(free_port)
	cat >"$SCRATCH/nginx/nginx.conf" <<EOF
worker_processes 2;
daemon off;
pid $SCRATCH/nginx/nginx.pid;
error_log $SCRATCH/nginx/logs/error.log warn;
events { worker_connections 1024; }
http {
	access_log off;
	sendfile on;
	tcp_nopush on;
	keepalive_requests 1000000;
	client_body_temp_path $SCRATCH/nginx/tmp/body;
	proxy_temp_path $SCRATCH/nginx/tmp/proxy;
	fastcgi_temp_path $SCRATCH/nginx/tmp/fastcgi;
	uwsgi_temp_path $SCRATCH/nginx/tmp/uwsgi;
	scgi_temp_path $SCRATCH/nginx/tmp/scgi;
	types { }
	default_type "text/html; charset=utf-8";
	server {
		listen 127.0.0.1:$NPORT;
		root $DOCROOT;
		# the headers Parley sends with every page
		add_header Content-Security-Policy "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";
		add_header X-Content-Type-Options nosniff;
		add_header Referrer-Policy strict-origin-when-cross-origin;
		add_header X-Frame-Options DENY;
		add_header Cache-Control no-cache;
	}
}
EOF
	"$NGINX" -p "$SCRATCH/nginx" -c "$SCRATCH/nginx/nginx.conf" -e "$SCRATCH/nginx/logs/error.log" &
	NGINX_PID=$!
	NBASE=http://127.0.0.1:$NPORT
	i=0
	until curl -sf -o /dev/null "$NBASE/$1"; do
		i=$((i + 1))
		[ $i -le 50 ] && kill -0 "$NGINX_PID" 2>/dev/null ||
			{ cat "$SCRATCH/nginx/logs/error.log" >&2; die "nginx did not start"; }
		sleep 0.1
	done
}

# cpu_ticks PID...: user + system CPU ticks the processes have used so far.
CLK_TCK=$(getconf CLK_TCK)
cpu_ticks() {
	t=0
	for p in "$@"; do
		t=$((t + $(sed 's/.*) //' "/proc/$p/stat" | awk '{ print $12 + $13 }')))
	done
	echo "$t"
}
# server_pids SIDE: the processes that serve (nginx: master and workers).
server_pids() {
	if [ "$1" = parley ]; then echo "$PARLEY_PID"; else echo "$NGINX_PID" $(ps -o pid= --ppid "$NGINX_PID"); fi
}

# --- wrk, parsed --------------------------------------------------------------
to_ms() {
	awk -v v="$1" 'BEGIN {
		n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
		if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
		printf "%.2f", n }'
}
# wrk_parse FILE: sets RPS, REQS, P99 (ms), BPR (bytes per response), ERRS.
wrk_parse() {
	f=$1
	RPS=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$f")
	REQS=$(awk '/requests in/ { print $1 }' "$f")
	P99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$f")")
	BPR=$(awk '/requests in/ {
		n = $1; b = $5; u = b; sub(/^[0-9.]+/, "", u); b += 0
		if (u == "KB") b *= 1024; else if (u == "MB") b *= 1048576; else if (u == "GB") b *= 1073741824
		printf "%.0f", b / n }' "$f")
	ERRS=$(awk '/Non-2xx or 3xx responses:/ { e += $NF }
		/Socket errors:/ { gsub(/,/, ""); e += $4 + $6 + $8 + $10 }
		END { print e + 0 }' "$f")
}

# pair_measure LABEL COOKIE PARLEY_URL NGINX_URL: Parley against nginx,
# alternating $ROUNDS rounds of $RDUR seconds each (P N P N ...), so that
# load from elsewhere on the machine falls on both alike.  Sets P_RPS,
# P_P99, N_RPS, N_P99 (req/s averaged over the rounds, p99 the worst
# round's), P_CPU and N_CPU (server CPU per request, µs), P_BPR and ROUNDS_LINE
# (each round's req/s).
pair_measure() {
	label=$1 cookie=$2
	for side in parley nginx; do
		u=$3; [ $side = nginx ] && u=$4
		wrk -t"$WTHREADS" -c"$CONNS" -d"${WARMUP}s" -H "Cookie: parley_v=$cookie" "$u" \
			>"$SCRATCH/wrk-$side-$label.warmup.txt" 2>&1
	done
	P_RPS=0 P_P99=0 N_RPS=0 N_P99=0 ROUNDS_LINE=""
	P_TICKS=0 P_REQS=0 N_TICKS=0 N_REQS=0
	r=1
	while [ $r -le "$ROUNDS" ]; do
		for side in parley nginx; do
			u=$3; [ $side = nginx ] && u=$4
			f=$SCRATCH/wrk-$side-$label.$r.txt
			pids=$(server_pids $side)
			t0=$(cpu_ticks $pids)
			wrk -t"$WTHREADS" -c"$CONNS" -d"${RDUR}s" --latency -H "Cookie: parley_v=$cookie" "$u" >"$f" 2>&1 ||
				{ cat "$f" >&2; die "wrk failed on $u"; }
			ticks=$(( $(cpu_ticks $pids) - t0 ))
			wrk_parse "$f"
			[ "$ERRS" = 0 ] || { cat "$f" >&2; die "$side $label: errors under load"; }
			if [ $side = parley ]; then
				P_TICKS=$((P_TICKS + ticks)) P_REQS=$((P_REQS + REQS))
				P_BPR=$BPR P_RPS=$((P_RPS + RPS)); P_P99=$(awk -v a="$P_P99" -v b="$P99" 'BEGIN { print (b + 0 > a + 0) ? b : a }')
			else
				N_TICKS=$((N_TICKS + ticks)) N_REQS=$((N_REQS + REQS))
				N_RPS=$((N_RPS + RPS)); N_P99=$(awk -v a="$N_P99" -v b="$P99" 'BEGIN { print (b + 0 > a + 0) ? b : a }')
			fi
			ROUNDS_LINE="$ROUNDS_LINE $side $RPS"
		done
		r=$((r + 1))
	done
	P_RPS=$((P_RPS / ROUNDS)) N_RPS=$((N_RPS / ROUNDS))
	# Server CPU per request (µs): less sensitive to other load than req/s.
	P_CPU=$(awk -v t="$P_TICKS" -v n="$P_REQS" -v hz="$CLK_TCK" 'BEGIN { printf "%.0f", t * 1e6 / hz / n }')
	N_CPU=$(awk -v t="$N_TICKS" -v n="$N_REQS" -v hz="$CLK_TCK" 'BEGIN { printf "%.0f", t * 1e6 / hz / n }')
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
yes_no() { awk -v x="$1" -v t="$2" 'BEGIN { print (x + 0 >= t) ? "yes" : "NO" }'; }
