#!/bin/sh
# bench/run.sh: Parley's benchmark (`make bench`), against the targets in
# DESIGN.md ("Performance targets").  Loopback only, about two minutes.
#
#   1. seeds a scratch database through Parley's own comment form:
#      "bench-100" (100 comments: 40 threads, 60 replies, all on page 1)
#      and "bench-1000" (1,000 comments: 300 threads, 700 replies, 6 pages);
#   2. copies the exact bytes of each page into an nginx document root;
#   3. wrk: Parley's article pages (from its page cache) against nginx
#      serving the same bytes as static files, and a deep page of the
#      1,000-comment thread;
#   4. wrk: durable comment posts per second (303 = committed and fsync'd),
#      posts that start new threads and posts that reply, each at 64 and
#      at 256 connections, checked against the rows in the database after
#      a kill -9;
#   5. WordPress, when one is given (WORDPRESS_URL), else skipped;
#   6. a summary table.
# Beyond those: the pages rendered on every request (page_cache_mb = 0),
# and the access log's cost.
#
# Settings (environment): BENCH_DURATION (seconds per measurement, default
# 10; the page comparisons split it into BENCH_ROUNDS alternating rounds a
# side, default 2),
# BENCH_POST_DURATION (seconds per posting run, default BENCH_DURATION),
# BENCH_EXTRA_DURATION (the runs beyond the brief: no page cache, access
# log on; default 5),
# BENCH_CONNECTIONS (default 64), BENCH_THREADS (wrk threads, default 2),
# BENCH_KEEP=1 keeps the scratch folder, PARLEY (the binary, default
# ./parley), WORDPRESS_URL (an article with 100 comments on a running
# WordPress, to measure it too).
#
# Benchmarks are never pass/fail tests: this exits non-zero only when
# something is broken (a server that does not start, a post not
# acknowledged, errors under load, rows that do not match the answers).
set -eu

cd "$(dirname "$0")/.."
. bench/lib.sh
XDUR=${BENCH_EXTRA_DURATION:-5}
WRK="wrk -t$WTHREADS -c$CONNS -d${DUR}s --latency"

# --- tools ------------------------------------------------------------------
[ -x "$PARLEY" ] || die "$PARLEY is missing: run make first"
missing=""
for t in wrk nginx node curl sqlite3; do
	command -v "$t" >/dev/null 2>&1 || [ -x "/usr/sbin/$t" ] || missing="$missing $t"
done
if [ -n "$missing" ]; then
	say "bench: missing:$missing; installing the test tools (tools/install-deps.sh test)"
	sh tools/install-deps.sh test
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

# --- scratch folder and cleanup, even on failure ------------------------------
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/parley-bench.XXXXXX")
# nginx's workers run as nobody when started by root: let them read www/.
chmod 755 "$SCRATCH"
DB=$SCRATCH/bench.db
PARLEY_OUT=$SCRATCH/access.log
trap cleanup EXIT
trap 'INTERRUPTED=1; exit 130' INT
trap 'INTERRUPTED=1; exit 143' TERM

# --- wrk, parsed --------------------------------------------------------------
# wrk_run NAME URL [wrk args...]: runs wrk with $WRK and the Cookie header,
# after a warm-up; sets RPS, P99 (ms), BPR (bytes per response), ERRS.
STRICT=1
wrk_run() {
	name=$1 url=$2
	shift 2
	wrk -t"$WTHREADS" -c"$CONNS" -d"${WARMUP}s" -H "Cookie: parley_v=$COOKIE" "$@" "$url" \
		>"$SCRATCH/wrk-$name.warmup.txt" 2>&1
	t0=0
	[ -z "$PARLEY_PID" ] || t0=$(cpu_ticks "$PARLEY_PID")
	$WRK -H "Cookie: parley_v=$COOKIE" "$@" "$url" >"$SCRATCH/wrk-$name.txt" 2>&1 ||
		{ cat "$SCRATCH/wrk-$name.txt" >&2; die "wrk failed on $url"; }
	wrk_parse "$SCRATCH/wrk-$name.txt"
	CPU=-
	[ -z "$PARLEY_PID" ] || CPU=$(awk -v t="$(( $(cpu_ticks "$PARLEY_PID") - t0 ))" -v n="$REQS" \
		-v hz="$CLK_TCK" 'BEGIN { printf "%.0f", t * 1e6 / hz / n }')
	printf '  %-26s %9s req/s   p99 %8s ms   %5s us CPU/req   %6s bytes/response   errors %s\n' \
		"$name" "$RPS" "$P99" "$CPU" "$BPR" "$ERRS"
	# Errors fail the main runs; the extras (no cache) may time out.
	[ "$ERRS" = 0 ] || [ "$STRICT" = 0 ] || { cat "$SCRATCH/wrk-$name.txt" >&2; die "$name: errors under load"; }
}

# pair_run LABEL PARLEY_URL NGINX_URL: pair_measure with the one visitor's
# cookie, printed.
pair_run() {
	pair_measure "$1" "$COOKIE" "$2" "$3"
	printf '  %-14s Parley %6s req/s p99 %7s ms %4s us CPU/req | nginx %6s req/s p99 %7s ms %4s us CPU/req | %s bytes\n' \
		"$1" "$P_RPS" "$P_P99" "$P_CPU" "$N_RPS" "$N_P99" "$N_CPU" "$P_BPR"
	printf '  %-14s rounds:%s\n' "" "$ROUNDS_LINE"
}

# --- 1. the database, through Parley's own form ---------------------------------
say "Parley benchmark: $(uname -sr), $(nproc) cores, $($PARLEY version 2>/dev/null || echo parley)"
say "scratch: $SCRATCH"
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
say "load average: $LOAD_START"
say "wrk: -t$WTHREADS -c$CONNS --latency, ${DUR}s a measurement (pages: $ROUNDS alternating rounds of ${RDUR}s a side), ${WARMUP}s warm-up, Cookie: parley_v=<one visitor> on every request"

write_config "$SCRATCH/parley.ini"
sed 's/^access_log = false/access_log = true/' "$SCRATCH/parley.ini" >"$SCRATCH/parley-log.ini"
{ cat "$SCRATCH/parley.ini"; printf 'page_cache_mb = 0\n'; } >"$SCRATCH/parley-nocache.ini"

for a in "bench-100:An article with 100 comments" "bench-1000:A thread of 1,000 comments" \
	 "bench-post:Where the posting benchmark writes"; do
	article_md "${a%%:*}" "${a#*:}" >"$SCRATCH/${a%%:*}.md"
done
"$PARLEY" post add "$SCRATCH/bench-100.md" "$SCRATCH/bench-1000.md" "$SCRATCH/bench-post.md" \
	--db "$DB" >/dev/null 2>"$SCRATCH/post-add.err" || { cat "$SCRATCH/post-add.err" >&2; die "post add failed"; }

PORT=$(free_port)
BASE=http://127.0.0.1:$PORT
start_parley "$SCRATCH/parley.ini"
say "parley: $BASE (pid $PARLEY_PID), config: access_log = false, per_ip_connections = per_network_connections = 1024, others default"

# One visitor for everything: its cookie, and the form token tied to it.
JAR=$SCRATCH/cookies.txt
visitor bench-100

say ""
say "1. seeding through POST /articles/SLUG/comments (32 in flight)"
seed bench-100 40 60 32
seed bench-1000 300 700 32
seed bench-post 6 0 6

# --- 2. the same bytes, for nginx -----------------------------------------------
say ""
say "2. pages copied for nginx"
DOCROOT=$SCRATCH/www
mkdir -p "$DOCROOT" "$SCRATCH/nginx/logs" "$SCRATCH/nginx/tmp"
fetch p100 /articles/bench-100
fetch p1000 /articles/bench-1000
fetch p1000_6 "/articles/bench-1000?cpage=6"
[ "$SHOWN_p100" -eq 100 ] || die "bench-100 shows $SHOWN_p100 comments, not 100"

start_nginx p100.html
curl -sf -o "$SCRATCH/check.html" "$NBASE/p1000_6.html" && cmp -s "$SCRATCH/check.html" "$DOCROOT/p1000_6.html" ||
	die "nginx does not serve the copied bytes"
say "  nginx $("$NGINX" -v 2>&1 | sed 's/.*nginx\///'): $NBASE (pid $NGINX_PID), worker_processes 2, sendfile on, access_log off, keepalive_requests 1000000"
say "  (each Parley answer differs from the copy only in the form's fresh 22-character key: same length)"

# --- 3. reading ----------------------------------------------------------------
say ""
say "3. reading: wrk -t$WTHREADS -c$CONNS -d${RDUR}s --latency -H 'Cookie: parley_v=$COOKIE', $ROUNDS rounds each side, alternating"
pair_run bench-100 "$BASE/articles/bench-100" "$NBASE/p100.html"
P_100=$P_RPS P99_P_100=$P_P99 N_100=$N_RPS P99_N_100=$N_P99 C_P_100=$P_CPU C_N_100=$N_CPU
pair_run bench-1000 "$BASE/articles/bench-1000" "$NBASE/p1000.html"
P_1000=$P_RPS P99_P_1000=$P_P99 N_1000=$N_RPS P99_N_1000=$N_P99 C_P_1000=$P_CPU C_N_1000=$N_CPU
pair_run bench-1000-p6 "$BASE/articles/bench-1000?cpage=6" "$NBASE/p1000_6.html"
P_1000_6=$P_RPS P99_P_1000_6=$P_P99 N_1000_6=$N_RPS P99_N_1000_6=$N_P99 C_P_1000_6=$P_CPU C_N_1000_6=$N_CPU
HWM=$(awk '/^VmHWM/ { printf "%.1f MB", $2 / 1024 }' "/proc/$PARLEY_PID/status")

# --- 4. durable posts (bench/lib.sh: post_run, post_check) -------------------------
# The runs: NAME REPLY_EVERY CONNECTIONS.  "threads": every post starts a
# new thread, so bench-post's discussion grows by thousands of threads a
# run (a post's cost must not grow with it); "replies": every post answers
# one of bench-post's 6 first threads.
POST_RUNS="threads-64:0:64 replies-64:1:64 threads-256:0:256 replies-256:1:256"
PDUR=${BENCH_POST_DURATION:-$DUR}
say ""
say "4. durable comment posts to bench-post: wrk -t$WTHREADS -cN -d${PDUR}s --latency -s bench/post.lua, unique keys"
RUN_ID=run$$
PARENTS=$(paste -sd, "$SCRATCH/ids-bench-post.txt")
for r in $POST_RUNS; do
	name=${r%%:*} rest=${r#*:}
	post_run "$name" "$PDUR" "${rest%%:*}" "${rest#*:}"
	v=$(echo "$name" | tr -c 'a-z0-9\n' '_')
	eval "ACKED_$v=$ACKED POSTS_$v=$POSTS P99_$v=$P99 CPU_$v=$CPU"
done
# kill -9: whatever was acknowledged must be in the database all the same.
kill -9 "$PARLEY_PID"
wait "$PARLEY_PID" 2>/dev/null || true
PARLEY_PID=""
say "  after kill -9 of the server, sqlite3 finds:"
for r in $POST_RUNS; do
	name=${r%%:*} conns=${r##*:}
	v=$(echo "$name" | tr -c 'a-z0-9\n' '_')
	eval "post_check $name \$ACKED_$v $conns"
	eval "ROWS_$v=$CHECK_ROWS"
	# The first and the last whole seconds: posting must not slow as the
	# thread grows.
	eval "STEADY_$v='$(echo "$RATES" | awk '{ if (NF >= 4) printf "%s then %s", $2, $(NF-1); else print "-" }')'"
done
TOPS=$(sql "SELECT thread_count FROM articles WHERE slug = 'bench-post'")
say "  bench-post now has $TOPS top-level comments"

# --- extras: rendering without the cache, and the access log ---------------------
say ""
say "   without the page cache (page_cache_mb = 0: every request renders from SQLite; ${XDUR}s runs, restarted after the kill -9)"
DUR_SAVED=$DUR
DUR=$XDUR WRK="wrk -t$WTHREADS -c$CONNS -d${XDUR}s --latency --timeout 10s" WARMUP=1 STRICT=0
start_parley "$SCRATCH/parley-nocache.ini"
wrk_run nocache-100 "$BASE/articles/bench-100";              U_100=$RPS U99_100=$P99 UC_100=$CPU
wrk_run nocache-1000 "$BASE/articles/bench-1000";            U_1000=$RPS U99_1000=$P99 UC_1000=$CPU
wrk_run nocache-1000-p6 "$BASE/articles/bench-1000?cpage=6"; U_1000_6=$RPS U99_1000_6=$P99 UC_1000_6=$CPU
stop_parley
STRICT=1
say "   bench-100 with access_log = true (one line per request, stdout to a file)"
: >"$SCRATCH/access.log"
start_parley "$SCRATCH/parley-log.ini"
curl -sf -b "$JAR" -o /dev/null "$BASE/articles/bench-100" || die "GET after restart failed"
wrk_run parley-100-log "$BASE/articles/bench-100";           P_100_LOG=$RPS P99_P_100_LOG=$P99 LC_100=$CPU
stop_parley
DUR=$DUR_SAVED

# --- 5. WordPress -----------------------------------------------------------------
say ""
WP_RPS=""
if [ -n "${WORDPRESS_URL:-}" ]; then
	say "5. WordPress: $WORDPRESS_URL"
	WRK="wrk -t$WTHREADS -c8 -d${DUR}s --latency" WARMUP=2
	wrk_run wordpress-100 "$WORDPRESS_URL"; WP_RPS=$RPS
else
	wp=""
	for d in /usr/share/wordpress /var/www/wordpress /var/www/html/wp-config.php; do
		[ -e "$d" ] && wp=$d
	done
	if [ -n "$wp" ]; then
		say "5. WordPress: found $wp, but no WORDPRESS_URL of an article with 100 comments: skipped"
	else
		say "5. WordPress: not installed: skipped"
	fi
fi

# --- 6. summary -------------------------------------------------------------------------
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
R_100=$(ratio "$P_100" "$N_100")
R_1000=$(ratio "$P_1000" "$N_1000")
R_1000_6=$(ratio "$P_1000_6" "$N_1000_6")
row() { printf '| %-33s | %7s | %7s | %8s | %7s | %7s | %8s | %6s | %7s |\n' "$@"; }
say ""
say "Summary: wrk -t$WTHREADS -c$CONNS --latency; pages $ROUNDS x ${RDUR}s a side alternating, posts ${PDUR}s a run, extras ${XDUR}s; loopback, $(nproc) cores shared by wrk and the servers"
say "load average: $LOAD_START at the start, $LOAD_END at the end"
say ""
say "(us CPU/req: the server's user + system CPU time over the run, per request answered)"
say ""
row page "Parley" "p99" "us CPU" "nginx" "p99" "us CPU" "Parley" "bytes"
row "" "req/s" "ms" "per req" "req/s" "ms" "per req" "/nginx" ""
row "---" "---:" "---:" "---:" "---:" "---:" "---:" "---:" "---:"
row "bench-100: 100 comments" "$P_100" "$P99_P_100" "$C_P_100" "$N_100" "$P99_N_100" "$C_N_100" "$R_100" "$BYTES_p100"
row "bench-1000 page 1: $SHOWN_p1000 shown" "$P_1000" "$P99_P_1000" "$C_P_1000" "$N_1000" "$P99_N_1000" "$C_N_1000" "$R_1000" "$BYTES_p1000"
row "bench-1000 page 6: $SHOWN_p1000_6 shown" "$P_1000_6" "$P99_P_1000_6" "$C_P_1000_6" "$N_1000_6" "$P99_N_1000_6" "$C_N_1000_6" "$R_1000_6" "$BYTES_p1000_6"
row "bench-100, access log on" "$P_100_LOG" "$P99_P_100_LOG" "$LC_100" "$N_100" "$P99_N_100" "$C_N_100" "$(ratio "$P_100_LOG" "$N_100")" "$BYTES_p100"
row "bench-100, no page cache" "$U_100" "$U99_100" "$UC_100" "$N_100" "$P99_N_100" "$C_N_100" "$(ratio "$U_100" "$N_100")" "$BYTES_p100"
row "bench-1000 p1, no page cache" "$U_1000" "$U99_1000" "$UC_1000" "$N_1000" "$P99_N_1000" "$C_N_1000" "$(ratio "$U_1000" "$N_1000")" "$BYTES_p1000"
row "bench-1000 p6, no page cache" "$U_1000_6" "$U99_1000_6" "$UC_1000_6" "$N_1000_6" "$P99_N_1000_6" "$C_N_1000_6" "$(ratio "$U_1000_6" "$N_1000_6")" "$BYTES_p1000_6"
say ""
prow() { printf '| %-33s | %7s | %7s | %8s | %7s | %7s | %17s |\n' "$@"; }
prow "durable posts (303 = fsync'd), ${PDUR}s" "posts/s" "p99 ms" "us CPU" "acked" "rows" "first, last second"
prow "---" "---:" "---:" "---:" "---:" "---:" "---:"
for r in $POST_RUNS; do
	name=${r%%:*} conns=${r##*:}
	v=$(echo "$name" | tr -c 'a-z0-9\n' '_')
	case $name in threads*) what="new threads" ;; *) what="replies" ;; esac
	eval "prow \"$what, $conns connections\" \$POSTS_$v \$P99_$v \$CPU_$v \$ACKED_$v \$ROWS_$v \"\$STEADY_$v\""
done
say ""
say "Parley's peak resident memory (VmHWM) during the cached runs: $HWM"
say ""
say "Targets (DESIGN.md; benchmarks, not tests):"
say "  100-comment page >= 0.8 x nginx of the same bytes:   $R_100  $(yes_no "$R_100" 0.8)"
say "    (server CPU per request, nginx / Parley: 100 $(ratio "$C_N_100" "$C_P_100"), 1000 p1 $(ratio "$C_N_1000" "$C_P_1000"), 1000 p6 $(ratio "$C_N_1000_6" "$C_P_1000_6"))"
say "  1000-comment thread as fast as 100, page 1 / bench-100: $(ratio "$P_1000" "$P_100"), page 6 / bench-100: $(ratio "$P_1000_6" "$P_100")"
say "    (pages differ in size; per byte, against nginx: 100 $R_100, 1000 p1 $R_1000, 1000 p6 $R_1000_6;"
say "     without the cache, page 6 / page 1 of the 1000 thread: $(ratio "$U_1000_6" "$U_1000"))"
if [ -n "$WP_RPS" ]; then
	say "  >= 1000 x WordPress (measured):                      $(ratio "$P_100" "$WP_RPS")  $(yes_no "$(ratio "$P_100" "$WP_RPS")" 1000)"
else
	say "  >= 1000 x WordPress: not measured (DESIGN.md's figure, 5 req/s, would give $(ratio "$P_100" 5))"
fi
say "  durable posts >= 5000/s:                             new threads $POSTS_threads_64 / $POSTS_threads_256 $(yes_no "$POSTS_threads_64" 5000)/$(yes_no "$POSTS_threads_256" 5000), replies $POSTS_replies_64 / $POSTS_replies_256 $(yes_no "$POSTS_replies_64" 5000)/$(yes_no "$POSTS_replies_256" 5000) (64 / 256 connections)"
case $(awk -v a="$LOAD_START" -v b="$LOAD_END" 'BEGIN { print (a + 0 > 1.5 || b + 0 > 4) ? "busy" : "ok" }') in
busy) say "WARNING: the machine was busy with other work (load average above); numbers are noisy: run again when it is idle" ;;
esac
