# bench/lib.sh: what bench/run.sh, bench/debate.sh and bench/pg.sh share:
# the settings read from the environment, Parley and nginx started and
# stopped, wrk run and parsed, the articles seeded through the comment form,
# and the durable posts run and checked against the database.  Sourced from
# the repository's root (". bench/lib.sh") after "set -eu"; not run on its
# own.
#
# A script sets SCRATCH (a scratch folder; nginx's files go in
# $SCRATCH/nginx, whose logs/ and tmp/ it makes), DB (a SQLite file or a
# postgresql:// URI), DOCROOT and PORT before it starts a server, and calls
# cleanup from its EXIT trap.

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
# cleanup_hook: what a script stops besides the server and nginx (its
# other servers), before the scratch folder goes.
cleanup_hook() { :; }
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
	cleanup_hook || true
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

# --- the site: its settings, its articles, its first comments -------------------
# write_config FILE: the settings of the reading and posting runs.
write_config() {
	cat >"$1" <<'EOF'
[comments]
; every post comes from 127.0.0.1 at once, the moment its form is made
; (bench/post.lua): the budgets a site keeps for readers are lifted here
posts_per_minute = 1000000
posts_burst = 1000000
posts_per_hour = 1000000
thread_posts_per_minute = 1000000
site_posts_per_minute = 1000000
min_fill_seconds = 0
duplicate_minutes = 0
[moderation]
; the seeded comments carry links: none is held for a moderator
max_links = 1000
[server]
; nginx below logs nothing either
access_log = false
; every wrk connection comes from 127.0.0.1
per_ip_connections = 1024
per_network_connections = 1024
EOF
}

# article_md SLUG TITLE: an article of about 1,000 characters of Markdown.
article_md() {
	cat <<EOF
---
title: $2
slug: $1
author: Bench Writer
date: 2026-11-01 10:00
---
Cities that build *more* housing near transit see rents rise more slowly,
according to the council's own [survey](https://example.org/survey). This
article sets out the **evidence**, the costs and the open questions.

## What the numbers say

Across the twelve districts studied, permits doubled after the zoning
reform, and median rents rose 2% a year against 6% in the districts that
kept the old rules. The effect is larger close to stations.

> Supply is not the whole answer, but without it nothing else works.

- Permits: up 104% in five years.
- Rents: 2% a year against 6%.
- Commute times: unchanged.

## What remains unclear

Whether the gains last once the first wave of building ends, and who moves
into the new homes: the survey cannot yet tell. The comments below are open
to readers; please keep to the subject and cite what you can.
EOF
}

# visitor SLUG: one visitor for everything: the cookie $BASE gives a first
# reader of the article (kept in $JAR), and the form token tied to it.
# Sets COOKIE and CSRF.
visitor() {
	curl -sf -c "$JAR" -o "$SCRATCH/first.html" "$BASE/articles/$1" || die "GET /articles/$1 failed"
	COOKIE=$(awk '$6 == "parley_v" { print $7 }' "$JAR")
	CSRF=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$SCRATCH/first.html" | head -n 1)
	[ -n "$COOKIE" ] && [ -n "$CSRF" ] || die "no parley_v cookie or csrf token on the article page"
}

# seed SLUG TOP REPLIES IN_FLIGHT: comments posted through $BASE's form
# (bench/seed.mjs), their ids kept in $SCRATCH/ids-SLUG.txt.
seed() {
	node bench/seed.mjs "$BASE" "$1" "$2" "$3" "$COOKIE" "$CSRF" "$4" "$SCRATCH/ids-$1.txt" \
		>"$SCRATCH/seed-$1.txt" 2>&1 || { cat "$SCRATCH/seed-$1.txt" >&2; die "seeding $1 failed"; }
	sed 's/^/  /' "$SCRATCH/seed-$1.txt"
}

# fetch NAME PATH: warms $BASE's page cache, then keeps one copy of the
# page in $DOCROOT/NAME.html for nginx; sets SHOWN_NAME and BYTES_NAME.
fetch() {
	curl -sf -b "$JAR" -o /dev/null "$BASE$2" || die "GET $2 failed"
	curl -sf -b "$JAR" -D "$SCRATCH/$1.headers" -o "$DOCROOT/$1.html" "$BASE$2" || die "GET $2 failed"
	if grep -qi '^set-cookie:' "$SCRATCH/$1.headers"; then
		die "GET $2 with the cookie still set a new one"
	fi
	shown=$(grep -o 'id="comment-[0-9]*"' "$DOCROOT/$1.html" | wc -l)
	bytes=$(wc -c <"$DOCROOT/$1.html")
	eval "SHOWN_$1=$shown BYTES_$1=$bytes"
	printf '  %-14s %-28s %7s bytes, %4s comments shown\n' "$1" "$2" "$bytes" "$shown"
}

# --- durable posts ------------------------------------------------------------------
# sql QUERY: its rows from $DB, one a line, columns split by "|": sqlite3
# for a file, psql for a PostgreSQL URI.
sql() {
	case $DB in
	postgres://* | postgresql://*) psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$DB" -c "$1" ;;
	*) sqlite3 "$DB" "$1" ;;
	esac
}

# db_ticks: CPU ticks of the database's own processes, for a script whose
# database is a server (bench/pg.sh); none for SQLite, inside Parley.
db_ticks() { echo 0; }

# post_run NAME SECONDS REPLY_EVERY CONNECTIONS: wrk with bench/post.lua on
# bench-post, against each of $NODES (base URLs of servers sharing one
# database; default $BASE) at once, the connections and wrk's threads split
# between them; CPU is that of $NODE_PIDS (default $PARLEY_PID).  Sets
# ACKED, OTHER, SECS (the longest wrk's), POSTS (acknowledged per second,
# summed over the nodes), P99 (the worst node's), CPU and DB_CPU (µs a
# post, of the nodes and of db_ticks), and uses $RUN_ID-NAME-* as keys.
post_run() {
	nodes=${NODES:-$BASE} pids=${NODE_PIDS:-$PARLEY_PID}
	n=$(echo $nodes | wc -w)
	c=$(($4 / n)) t=$((WTHREADS / n))
	[ "$t" -ge 1 ] || t=1
	t0=$(cpu_ticks $pids) d0=$(db_ticks)
	i=0 wpids=""
	for b in $nodes; do
		i=$((i + 1))
		wrk -t"$t" -c"$c" -d"$2s" --latency --timeout 10s -s bench/post.lua \
			"$b/articles/bench-post/comments" -- \
			"$COOKIE" "$CSRF" "$RUN_ID-$1-$i" "$PARENTS" "$SCRATCH/post-$1.$i.result" "$3" \
			>"$SCRATCH/wrk-post-$1.$i.txt" 2>&1 &
		wpids="$wpids $!"
	done
	failed=""
	for j in $wpids; do
		wait "$j" || failed=1
	done
	ticks=$(($(cpu_ticks $pids) - t0)) dticks=$(($(db_ticks) - d0))
	ACKED=0 OTHER=0 SECS=0 POSTS=0 p99=0 errs=0
	i=0
	for b in $nodes; do
		i=$((i + 1))
		f=$SCRATCH/wrk-post-$1.$i.txt
		[ -z "$failed" ] || { cat "$f" >&2; die "wrk (posts) failed"; }
		wrk_parse "$f"
		read -r a o <"$SCRATCH/post-$1.$i.result"
		s=$(awk '/requests in/ { s = $4; sub(/s,?$/, "", s); print s }' "$f")
		ACKED=$((ACKED + a)) OTHER=$((OTHER + o)) errs=$((errs + ERRS))
		POSTS=$(awk -v p="$POSTS" -v a="$a" -v s="$s" 'BEGIN { printf "%.0f", p + a / s }')
		SECS=$(awk -v x="$SECS" -v y="$s" 'BEGIN { print (y + 0 > x + 0) ? y : x }')
		p99=$(awk -v x="$p99" -v y="$P99" 'BEGIN { print (y + 0 > x + 0) ? y : x }')
	done
	P99=$p99 ERRS=$errs
	CPU=$(awk -v t="$ticks" -v n="$ACKED" -v hz="$CLK_TCK" \
		'BEGIN { printf "%.0f", n ? t * 1e6 / hz / n : 0 }')
	DB_CPU=$(awk -v t="$dticks" -v n="$ACKED" -v hz="$CLK_TCK" \
		'BEGIN { printf "%.0f", n ? t * 1e6 / hz / n : 0 }')
	printf '  %-26s %9s posts/s  p99 %8s ms  %5s us CPU/post  (%s answered 303 in %s s, %s other answers)\n' \
		"$1" "$POSTS" "$P99" "$CPU" "$ACKED" "$SECS" "$OTHER"
	[ "$OTHER" = 0 ] || die "posts answered other than 303"
	[ "$ERRS" = 0 ] || { cat "$SCRATCH"/wrk-post-"$1".*.txt >&2; die "$1: socket errors or timeouts under load"; }
}

# post_check NAME ACKED CONNECTIONS: rows with the run's keys in $DB
# against its 303s; sets CHECK_ROWS and RATES (rows committed per
# wall-clock second).
post_check() {
	like="request_key LIKE '$RUN_ID-$1-%'"
	rows=$(sql "SELECT count(*) FROM comments WHERE $like")
	dups=$(sql "SELECT count(*) - count(DISTINCT request_key) FROM comments WHERE $like")
	RATES=$(sql "SELECT count(*) FROM comments WHERE $like GROUP BY created ORDER BY created" | paste -sd' ' -)
	printf '  %-26s %s rows, %s acknowledged, %s more (in flight when wrk stopped, at most %s), %s duplicates\n' \
		"$1" "$rows" "$2" "$((rows - $2))" "$3" "$dups"
	printf '  %-26s committed per wall-clock second (first and last partial): %s\n' "" "$RATES"
	[ "$dups" = 0 ] && [ "$rows" -ge "$2" ] && [ "$((rows - $2))" -le "$3" ] ||
		die "$1: rows in the database do not match the acknowledged posts"
	CHECK_ROWS=$rows
}
