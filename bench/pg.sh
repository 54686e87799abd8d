#!/bin/sh
# bench/pg.sh: Parley on PostgreSQL beside SQLite, in one run (`make bench`,
# after run.sh and debate.sh).  Loopback only, about two minutes.
#
#   1. starts a scratch PostgreSQL (tools/pg-scratch.sh: synchronous_commit
#      and fsync on, so a commit is on disk before Parley answers) and
#      seeds "bench-100" (100 comments) and "bench-post" (6 threads)
#      through Parley's own comment form, on PostgreSQL and on a SQLite
#      file alike;
#   2. copies each backend's bench-100 page into an nginx document root;
#   3. wrk: the cached article page on PostgreSQL and on SQLite, each
#      against nginx serving the same bytes (a cached page does not touch
#      the database: the two ratios should match);
#   4. two nodes on one database: a comment posted on one shows on the
#      other's page;
#   5. wrk: durable comment posts per second (bench/post.lua: new threads,
#      then replies) on SQLite, on PostgreSQL with one node, and with two
#      (two `parley serve` on the same database, wrk against both at once,
#      the connections split between them); then every node is killed
#      with kill -9 and PostgreSQL stopped in immediate mode (no
#      checkpoint: its log is replayed on the restart), and each
#      acknowledged post must be a row;
#   6. a summary table.
#
# Settings (environment): those of bench/run.sh: BENCH_DURATION (seconds a
# measurement, default 10; pages in BENCH_ROUNDS alternating rounds a side,
# default 2), BENCH_POST_DURATION (seconds a posting run, default
# BENCH_DURATION), BENCH_CONNECTIONS (64), BENCH_THREADS (2), BENCH_KEEP=1
# keeps the scratch folder, PARLEY (the binary, default ./parley).
# Benchmarks are not tests: this exits non-zero only when something is
# broken (a server that does not start, errors under load, rows that do
# not match the answers, a node that never sees the other's comment).
set -eu

cd "$(dirname "$0")/.."
. bench/lib.sh

[ -x "$PARLEY" ] || die "$PARLEY is missing: run make first"
for t in wrk node curl sqlite3 psql; do
	command -v "$t" >/dev/null 2>&1 || die "$t is missing: sh tools/install-deps.sh test"
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || die "nginx is missing: sh tools/install-deps.sh test"
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$PGBIN/pg_ctl" ] || die "no PostgreSQL server: sh tools/install-deps.sh test"

# --- scratch folder, servers, cleanup even on failure -----------------------------
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/parley-bench-pg.XXXXXX")
# nginx's workers run as nobody, and PostgreSQL as postgres, when started
# by root: let them in.
chmod 755 "$SCRATCH"
PGDIR=$SCRATCH/pg
SQ=$SCRATCH/bench.db
PG=""
NODE_LIST=""
cleanup_hook() {
	for p in $NODE_LIST; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	[ ! -f "$PGDIR/data/postmaster.pid" ] || sh tools/pg-scratch.sh stop "$PGDIR" ||
		say "bench: PostgreSQL in $PGDIR did not stop"
}
trap cleanup EXIT
trap 'INTERRUPTED=1; exit 130' INT
trap 'INTERRUPTED=1; exit 143' TERM

# as_postgres CMD...: as the server's owner (postgres when we are root).
as_postgres() {
	if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# node_start DB: a Parley on DB on a free port, with the bench's settings;
# sets NODE_PID and NODE_BASE.
node_start() {
	DB=$1 PORT=$(free_port)
	start_parley "$SCRATCH/parley.ini"
	NODE_PID=$PARLEY_PID NODE_BASE=http://127.0.0.1:$PORT
	NODE_LIST="$NODE_LIST $NODE_PID"
	PARLEY_PID=""
}

# db_ticks (bench/lib.sh's post_run): the CPU of PostgreSQL's processes
# (the postmaster and its children) while $DB is PostgreSQL.
db_ticks() {
	if [ "$DB" != "$PG" ]; then
		echo 0
		return
	fi
	m=$(head -n 1 "$PGDIR/data/postmaster.pid")
	for p in $m $(ps -o pid= --ppid "$m"); do
		cat "/proc/$p/stat" 2>/dev/null || true
	done | sed 's/.*) //' | awk '{ t += $12 + $13 } END { print t + 0 }'
}

say "Parley on PostgreSQL beside SQLite: $(uname -sr), $(nproc) cores, $($PARLEY version 2>/dev/null || echo parley)"
say "scratch: $SCRATCH"
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
say "load average: $LOAD_START"
say "$(nproc) cores shared by wrk, nginx, the Parley nodes and PostgreSQL"

# --- 1. the databases, through Parley's own form -----------------------------------
PG=$(sh tools/pg-scratch.sh start "$PGDIR") || die "the scratch PostgreSQL did not start"
pg_setting() { psql -X -q -A -t -d "$PG" -c "SHOW $1"; }
SYNC=$(pg_setting synchronous_commit) FSYNC=$(pg_setting fsync)
PG_SETTINGS="synchronous_commit = $SYNC, fsync = $FSYNC, wal_sync_method = $(pg_setting wal_sync_method), full_page_writes = $(pg_setting full_page_writes), shared_buffers = $(pg_setting shared_buffers), max_connections = $(pg_setting max_connections)"
say "PostgreSQL $(pg_setting server_version | cut -d' ' -f1) (tools/pg-scratch.sh, on loopback): $PG_SETTINGS"
[ "$SYNC" = on ] && [ "$FSYNC" = on ] || die "PostgreSQL's commits would not be durable"
say "SQLite: journal_mode = WAL, synchronous = FULL (Parley's own)"

write_config "$SCRATCH/parley.ini"
article_md bench-100 "An article with 100 comments" >"$SCRATCH/bench-100.md"
article_md bench-post "Where the posting benchmark writes" >"$SCRATCH/bench-post.md"
for d in "$PG" "$SQ"; do
	"$PARLEY" post add "$SCRATCH/bench-100.md" "$SCRATCH/bench-post.md" --db "$d" \
		>/dev/null 2>"$SCRATCH/post-add.err" || { cat "$SCRATCH/post-add.err" >&2; die "post add failed"; }
done

node_start "$PG"
PID_PG1=$NODE_PID BASE_PG1=$NODE_BASE
node_start "$PG"
PID_PG2=$NODE_PID BASE_PG2=$NODE_BASE
node_start "$SQ"
PID_SQ=$NODE_PID BASE_SQ=$NODE_BASE
say "parley: PostgreSQL nodes $BASE_PG1 (pid $PID_PG1) and $BASE_PG2 (pid $PID_PG2), SQLite $BASE_SQ (pid $PID_SQ); access_log = false, per_ip_connections = per_network_connections = 1024, others default"

say ""
say "1. seeding through POST /articles/SLUG/comments, the same comments on each backend"
DOCROOT=$SCRATCH/www
mkdir -p "$DOCROOT" "$SCRATCH/nginx/logs" "$SCRATCH/nginx/tmp"
# One visitor a database (the cookie is the site's, and each has its own
# key; both PostgreSQL nodes read the same one).
for b in pg sq; do
	if [ $b = pg ]; then BASE=$BASE_PG1 DB=$PG; else BASE=$BASE_SQ DB=$SQ; fi
	JAR=$SCRATCH/cookies-$b.txt
	visitor bench-100
	say "  on $([ $b = pg ] && echo PostgreSQL || echo SQLite), through $BASE:"
	seed bench-100 40 60 32
	seed bench-post 6 0 6
	eval "COOKIE_$b=\$COOKIE CSRF_$b=\$CSRF"
	eval "PARENTS_$b=$(paste -sd, "$SCRATCH/ids-bench-post.txt")"
done

# --- 2. the same bytes, for nginx -------------------------------------------------------
say ""
say "2. pages copied for nginx"
BASE=$BASE_PG1 JAR=$SCRATCH/cookies-pg.txt
fetch pg100 /articles/bench-100
BASE=$BASE_SQ JAR=$SCRATCH/cookies-sq.txt
fetch sq100 /articles/bench-100
[ "$SHOWN_pg100" -eq 100 ] && [ "$SHOWN_sq100" -eq 100 ] ||
	die "bench-100 shows $SHOWN_pg100 comments on PostgreSQL and $SHOWN_sq100 on SQLite, not 100"
start_nginx pg100.html
say "  nginx $("$NGINX" -v 2>&1 | sed 's/.*nginx\///'): $NBASE (pid $NGINX_PID), worker_processes 2, sendfile on, access_log off"

# --- 3. reading -----------------------------------------------------------------------
# read_run LABEL COOKIE URL NGINX_URL PID: pair_measure with Parley's pid.
read_run() {
	PARLEY_PID=$5
	pair_measure "$1" "$2" "$3" "$4"
	PARLEY_PID=""
	printf '  %-14s Parley %6s req/s p99 %7s ms %4s us CPU/req | nginx %6s req/s p99 %7s ms %4s us CPU/req | %s bytes\n' \
		"$1" "$P_RPS" "$P_P99" "$P_CPU" "$N_RPS" "$N_P99" "$N_CPU" "$P_BPR"
	printf '  %-14s rounds:%s\n' "" "$ROUNDS_LINE"
}
say ""
say "3. reading the cached page: wrk -t$WTHREADS -c$CONNS -d${RDUR}s --latency, $ROUNDS rounds each side, alternating"
read_run postgresql "$COOKIE_pg" "$BASE_PG1/articles/bench-100" "$NBASE/pg100.html" "$PID_PG1"
P_PG=$P_RPS P99_P_PG=$P_P99 C_P_PG=$P_CPU N_PG=$N_RPS P99_N_PG=$N_P99 C_N_PG=$N_CPU
read_run sqlite "$COOKIE_sq" "$BASE_SQ/articles/bench-100" "$NBASE/sq100.html" "$PID_SQ"
P_SQ=$P_RPS P99_P_SQ=$P_P99 C_P_SQ=$P_CPU N_SQ=$N_RPS P99_N_SQ=$N_P99 C_N_SQ=$N_CPU

# --- 4. two nodes, one database ---------------------------------------------------------
say ""
say "4. two nodes on one database: a comment posted on one shows on the other's page"
page2() { curl -sf -H "Cookie: parley_v=$COOKIE_pg" "$BASE_PG2/articles/bench-100"; }
MARK="Posted on the first node, read on the second ($$)."
page2 >"$SCRATCH/node2-before.html" || die "GET on the second node failed"
grep -qF "$MARK" "$SCRATCH/node2-before.html" && die "the comment is there before it is posted"
t0=$(date +%s%N)
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: parley_v=$COOKIE_pg" \
	--data-urlencode "csrf=$CSRF_pg" --data-urlencode "key=node-check-$$" \
	--data-urlencode "author=Bench" --data-urlencode "email=bench@example.org" \
	--data-urlencode "parent=" --data-urlencode "body=$MARK" "$BASE_PG1/articles/bench-100/comments")
[ "$code" = 303 ] || die "the first node answered $code to the comment"
i=0
until page2 | grep -qF "$MARK"; do
	i=$((i + 1))
	[ $i -le 100 ] || die "the second node's page does not show the first node's comment after 10 s"
	sleep 0.1
done
SEEN_MS=$((($(date +%s%N) - t0) / 1000000))
say "  posted on $BASE_PG1 (303), shown on $BASE_PG2 after $SEEN_MS ms (its cached page had been read just before)"

# --- 5. durable posts ---------------------------------------------------------------------
# post_side NAME KIND REPLY_EVERY: one posting run of bench/lib.sh's
# post_run, on the backend and nodes set by NAME (sqlite, pg1, pg2).
post_side() {
	case $1 in
	sqlite) DB=$SQ NODES=$BASE_SQ NODE_PIDS=$PID_SQ COOKIE=$COOKIE_sq CSRF=$CSRF_sq PARENTS=$PARENTS_sq ;;
	pg1) DB=$PG NODES=$BASE_PG1 NODE_PIDS=$PID_PG1 COOKIE=$COOKIE_pg CSRF=$CSRF_pg PARENTS=$PARENTS_pg ;;
	pg2) DB=$PG NODES="$BASE_PG1 $BASE_PG2" NODE_PIDS="$PID_PG1 $PID_PG2" COOKIE=$COOKIE_pg CSRF=$CSRF_pg PARENTS=$PARENTS_pg ;;
	esac
	post_run "$2-$1" "$PDUR" "$3" "$CONNS"
	[ "$DB" = "$SQ" ] || printf '  %-26s %9s us CPU/post in PostgreSQL\n' "" "$DB_CPU"
	eval "ACKED_$2_$1=$ACKED POSTS_$2_$1=$POSTS P99_$2_$1=$P99 CPU_$2_$1=$CPU DBCPU_$2_$1=$DB_CPU"
}
PDUR=${BENCH_POST_DURATION:-$DUR}
RUN_ID=run$$
SIDES="sqlite pg1 pg2"
KINDS="threads:0 replies:1"
say ""
say "5. durable comment posts to bench-post: wrk -d${PDUR}s --latency -s bench/post.lua, $CONNS connections"
say "   (two nodes: -t$((WTHREADS / 2 > 0 ? WTHREADS / 2 : 1)) -c$((CONNS / 2)) against each at once, summed)"
for k in $KINDS; do
	for s in $SIDES; do
		post_side "$s" "${k%%:*}" "${k#*:}"
	done
done

# kill -9 and a crash of PostgreSQL: what was acknowledged must be there.
NODES="" NODE_PIDS=""
for p in $NODE_LIST; do
	kill -9 "$p" 2>/dev/null || true
	wait "$p" 2>/dev/null || true
done
NODE_LIST=""
as_postgres "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -m immediate -w -t 60 restart >/dev/null ||
	{ cat "$PGDIR/server.log" >&2; die "PostgreSQL did not restart"; }
say "  after kill -9 of every node and PostgreSQL's immediate stop and restart, the databases hold:"
for k in $KINDS; do
	for s in $SIDES; do
		if [ $s = sqlite ]; then DB=$SQ; else DB=$PG; fi
		kind=${k%%:*}
		eval "post_check $kind-$s \$ACKED_${kind}_$s $CONNS"
		eval "ROWS_${kind}_$s=$CHECK_ROWS"
	done
done

# --- 6. summary ---------------------------------------------------------------------------
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
R_PG=$(ratio "$P_PG" "$N_PG") R_SQ=$(ratio "$P_SQ" "$N_SQ")
row() { printf '| %-33s | %7s | %7s | %8s | %7s | %7s | %8s | %6s | %7s |\n' "$@"; }
say ""
say "Summary: wrk -t$WTHREADS -c$CONNS --latency; pages $ROUNDS x ${RDUR}s a side alternating, posts ${PDUR}s a run; loopback, $(nproc) cores shared by wrk, nginx, the Parley nodes and PostgreSQL"
say "load average: $LOAD_START at the start, $LOAD_END at the end"
say ""
row "cached page" "Parley" "p99" "us CPU" "nginx" "p99" "us CPU" "Parley" "bytes"
row "" "req/s" "ms" "per req" "req/s" "ms" "per req" "/nginx" ""
row "---" "---:" "---:" "---:" "---:" "---:" "---:" "---:" "---:"
row "bench-100 on PostgreSQL" "$P_PG" "$P99_P_PG" "$C_P_PG" "$N_PG" "$P99_N_PG" "$C_N_PG" "$R_PG" "$BYTES_pg100"
row "bench-100 on SQLite" "$P_SQ" "$P99_P_SQ" "$C_P_SQ" "$N_SQ" "$P99_N_SQ" "$C_N_SQ" "$R_SQ" "$BYTES_sq100"
say ""
prow() { printf '| %-40s | %7s | %7s | %8s | %8s | %7s | %7s | %7s |\n' "$@"; }
prow "durable posts (303 = commit on disk), ${PDUR}s" "posts/s" "p99 ms" "us CPU" "us CPU" "acked" "rows" "/SQLite"
prow "" "" "" "Parley" "Postgres" "" "" ""
prow "---" "---:" "---:" "---:" "---:" "---:" "---:" "---:"
for k in $KINDS; do
	kind=${k%%:*}
	case $kind in threads) what="new threads" ;; *) what="replies" ;; esac
	for s in $SIDES; do
		case $s in
		sqlite) where="SQLite" ;;
		pg1) where="PostgreSQL, 1 node" ;;
		pg2) where="PostgreSQL, 2 nodes" ;;
		esac
		eval "posts=\$POSTS_${kind}_$s base=\$POSTS_${kind}_sqlite dbcpu=\$DBCPU_${kind}_$s"
		[ $s != sqlite ] || dbcpu=-
		eval "prow \"$what, $where\" \$posts \$P99_${kind}_$s \$CPU_${kind}_$s \$dbcpu \$ACKED_${kind}_$s \$ROWS_${kind}_$s \$(ratio \$posts \$base)"
	done
done
say ""
say "Durable commits: PostgreSQL $PG_SETTINGS; SQLite synchronous = FULL. A post is answered 303 only after its commit;"
say "every node was then killed with kill -9 and PostgreSQL stopped in immediate mode and restarted (its log replayed):"
say "every acknowledged post was a row, none twice."
say "Two nodes: one database, wrk against both at once ($((CONNS / 2)) connections each); a comment posted on one node showed on the other's page after $SEEN_MS ms."
say "On $(nproc) cores the nodes, wrk and PostgreSQL share the same CPUs: a second node adds no CPU here, only a second process."
say ""
say "Cached page against nginx: PostgreSQL $R_PG, SQLite $R_SQ (target >= 0.8: $(yes_no "$R_PG" 0.8) / $(yes_no "$R_SQ" 0.8));"
say "  a cached page does not touch the database, so the two should be alike: PostgreSQL / SQLite $(ratio "$P_PG" "$P_SQ") in req/s,"
say "  $(ratio "$C_P_SQ" "$C_P_PG") in server CPU per request (SQLite's / PostgreSQL's: the steadier figure on a shared machine)"
case $(awk -v a="$LOAD_START" -v b="$LOAD_END" 'BEGIN { print (a + 0 > 1.5 || b + 0 > 4) ? "busy" : "ok" }') in
busy) say "WARNING: the machine was busy with other work (load average above); numbers are noisy: run again when it is idle" ;;
esac
