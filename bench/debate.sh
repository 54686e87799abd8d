#!/bin/sh
# bench/debate.sh: the debate page against nginx serving the same bytes,
# with the method of bench/run.sh (wrk on loopback, alternating rounds,
# server CPU per request).  About a minute.
#
#   1. adds a debate (2 speakers a side, 3 rounds) and seeds it through
#      Parley's own forms: 500 comments that take sides (250 threads, 250
#      replies) and 10,000 votes (5,000 readers, each before and after),
#      plus 300 "changed my mind" marks;
#   2. copies the exact bytes of the pages into an nginx document root;
#   3. wrk, Parley against nginx: the debate page for a reader who voted
#      (results shown), for one who did not (results hidden), and the
#      two-column view sorted with sides in turn; then the same page with
#      the page cache off, for scale.
#
# The debate page is cached without anything that belongs to one reader:
# four holes (the vote panel, the results or the note hiding them, the
# counts of changed and refused votes, the comment form's identity) are
# filled per request.  A request finds the debate's row and results in
# one cache entry and the page in another, and, for a reader with a
# cookie, their votes in the app's table of remembered votes (the store
# on a miss); docs/debates.md ("Caching") has the whole of it.
#
# Settings (environment): BENCH_DURATION (seconds per measurement, default
# 10, split into BENCH_ROUNDS alternating rounds a side, default 2),
# BENCH_CONNECTIONS (64), BENCH_THREADS (2), BENCH_KEEP=1 keeps the scratch
# folder, PARLEY (the binary, default ./parley).  Benchmarks are not
# tests: this exits non-zero only when something is broken.
set -eu

cd "$(dirname "$0")/.."
. bench/lib.sh

[ -x "$PARLEY" ] || die "$PARLEY is missing: run make first"
for t in wrk node curl sqlite3; do
	command -v "$t" >/dev/null 2>&1 || die "$t is missing: sh tools/install-deps.sh test"
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || die "nginx is missing: sh tools/install-deps.sh test"

SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/parley-bench-debate.XXXXXX")
chmod 755 "$SCRATCH"
DB=$SCRATCH/bench.db
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# pair_run LABEL COOKIE PARLEY_URL NGINX_URL: pair_measure, printed.
pair_run() {
	pair_measure "$@"
	printf '  %-16s Parley %6s req/s p99 %7s ms %4s us CPU/req | nginx %6s req/s p99 %7s ms %4s us CPU/req\n' \
		"$1" "$P_RPS" "$P_P99" "$P_CPU" "$N_RPS" "$N_P99" "$N_CPU"
	printf '  %-16s rounds:%s\n' "" "$ROUNDS_LINE"
}

say "Parley debate benchmark: $(uname -sr), $(nproc) cores, $($PARLEY version 2>/dev/null || echo parley)"
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
say "load average: $LOAD_START"

# --- 1. the debate, seeded through the forms ------------------------------------
cat >"$SCRATCH/parley.ini" <<'EOF'
[server]
access_log = false
per_ip_connections = 1024
per_network_connections = 1024
[debates]
; every seeded vote comes from 127.0.0.1
votes_per_minute = 1000000
votes_burst = 1000000
votes_per_hour = 1000000
[comments]
; and every seeded comment, the moment its form is made
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
EOF
{ cat "$SCRATCH/parley.ini"; printf '[server]\npage_cache_mb = 0\n'; } >"$SCRATCH/parley-nocache.ini"

statement() { # a paragraph or three of Markdown, about 1,200 characters
	cat <<EOF
The case rests on **evidence** gathered over five years in twelve districts,
and on what the people who use the service say about it. $1

> Numbers do not settle a question of fairness, but they tell us who pays.

- Costs: small against the budget as a whole.
- Benefits: concentrated where need is greatest.
- Risks: real, and named in the council's own report.

My opponents will say the pilot was chosen to succeed. Read the [report](https://example.org/report)
and judge for yourself: the districts were drawn by lot, and the results held
in the ones nobody expected to benefit. That is the test a policy should pass.
EOF
}
{
	printf 'motion: Should the harbour ferry run all night, all year?\nslug: bench-debate\n'
	printf 'moderator: Bench Moderator\nside a: Run it\nside b: Stop it\nstatus: open\n\n'
	printf '[introduction]\nThe ferry stops at midnight. Night workers walk an hour round the bay.\n'
	printf 'This debate asks whether it should run all night, all year, and who should pay.\n\n'
	for s in "a Ola Night" "a Ruth Quay" "b Per Day" "b Ivo Berth"; do
		set -- $s
		printf '[speaker]\nname: %s %s\nside: %s\nbio: A speaker for the bench, with a one-line bio.\n\n' "$2" "$3" "$1"
		for r in opening rebuttal closing; do
			printf '[%s]\n' "$r"
			statement "This is the $r statement of $2 $3."
			printf '\n'
		done
	done
} >"$SCRATCH/debate.txt"
"$PARLEY" debate add "$SCRATCH/debate.txt" --db "$DB" >/dev/null 2>"$SCRATCH/add.err" ||
	{ cat "$SCRATCH/add.err" >&2; die "debate add failed"; }

PORT=$(free_port)
BASE=http://127.0.0.1:$PORT
start_parley "$SCRATCH/parley.ini"
say "parley: $BASE (pid $PARLEY_PID); wrk -t$WTHREADS -c$CONNS, $ROUNDS alternating rounds of ${RDUR}s a side, ${WARMUP}s warm-up"
say ""
say "1. seeding /debates/bench-debate through its forms (32 in flight)"
node bench/debate-seed.mjs "$BASE" bench-debate 250 250 5000 32 >"$SCRATCH/seed.txt" ||
	{ cat "$SCRATCH/seed.txt" >&2; die "seeding failed"; }
sed '/^voter /d; s/^/  /' "$SCRATCH/seed.txt"
VOTER=$(sed -n 's/^voter //p' "$SCRATCH/seed.txt")
[ -n "$VOTER" ] || die "no voter cookie from the seeding"
COMMENTS=$(sqlite3 "$DB" "SELECT comment_count FROM articles WHERE slug = 'bench-debate'")
VOTES=$(sqlite3 "$DB" "SELECT sum((pre > 0) + (post > 0)) FROM debate_votes")
say "  in the database: $COMMENTS comments, $VOTES votes"
[ "$COMMENTS" -eq 500 ] && [ "$VOTES" -eq 10000 ] || die "the seeding did not store 500 comments and 10,000 votes"

# A reader who did not vote: a cookie of their own.
curl -sf -c "$SCRATCH/jar" -o /dev/null "$BASE/debates/bench-debate" || die "GET failed"
READER=$(awk '$6 == "parley_v" { print $7 }' "$SCRATCH/jar")

# --- 2. the same bytes, for nginx ----------------------------------------------
say ""
say "2. pages copied for nginx"
DOCROOT=$SCRATCH/www
mkdir -p "$DOCROOT" "$SCRATCH/nginx/logs" "$SCRATCH/nginx/tmp"
fetch() { # NAME COOKIE PATH
	curl -sf -H "Cookie: parley_v=$2" -o /dev/null "$BASE$3" || die "GET $3 failed"
	curl -sf -H "Cookie: parley_v=$2" -D "$SCRATCH/$1.headers" -o "$DOCROOT/$1.html" "$BASE$3" || die "GET $3 failed"
	grep -qi '^set-cookie:' "$SCRATCH/$1.headers" && die "GET $3 with a cookie set a new one"
	shown=$(grep -o 'id="comment-[0-9]*"' "$DOCROOT/$1.html" | wc -l)
	bytes=$(wc -c <"$DOCROOT/$1.html")
	eval "BYTES_$1=$bytes SHOWN_$1=$shown"
	printf '  %-10s %-48s %7s bytes, %4s comments shown\n' "$1" "$3" "$bytes" "$shown"
}
fetch voter "$VOTER" /debates/bench-debate
fetch reader "$READER" /debates/bench-debate
fetch columns "$VOTER" "/debates/bench-debate?sort=alternate&view=columns"
grep -q 'class="verdict' "$DOCROOT/voter.html" || die "the voter's page shows no results"
grep -q 'class="results-hidden"' "$DOCROOT/reader.html" || die "the reader's page shows results"

start_nginx voter.html
say "  (each Parley answer differs from its copy only in the form's fresh 22-character key)"

# --- 3. reading ------------------------------------------------------------------
say ""
say "3. reading"
pair_run voter "$VOTER" "$BASE/debates/bench-debate" "$NBASE/voter.html"
P_V=$P_RPS N_V=$N_RPS C_PV=$P_CPU C_NV=$N_CPU P99_V=$P_P99 N99_V=$N_P99
pair_run reader "$READER" "$BASE/debates/bench-debate" "$NBASE/reader.html"
P_R=$P_RPS N_R=$N_RPS C_PR=$P_CPU C_NR=$N_CPU P99_R=$P_P99 N99_R=$N_P99
pair_run columns "$VOTER" "$BASE/debates/bench-debate?sort=alternate&view=columns" "$NBASE/columns.html"
P_C=$P_RPS N_C=$N_RPS C_PC=$P_CPU C_NC=$N_CPU P99_C=$P_P99 N99_C=$N_P99
HWM=$(awk '/^VmHWM/ { printf "%.1f MB", $2 / 1024 }' "/proc/$PARLEY_PID/status")
stop_parley

say ""
say "   without the page cache (every request renders from SQLite), for scale"
start_parley "$SCRATCH/parley-nocache.ini"
f=$SCRATCH/wrk-nocache.txt
wrk -t"$WTHREADS" -c"$CONNS" -d"${RDUR}s" --latency --timeout 10s -H "Cookie: parley_v=$VOTER" \
	"$BASE/debates/bench-debate" >"$f" 2>&1 || die "wrk failed"
wrk_parse "$f"
U_V=$RPS U99_V=$P99
printf '  %-16s Parley %6s req/s p99 %7s ms\n' "no cache" "$U_V" "$U99_V"
stop_parley

# --- summary -----------------------------------------------------------------------
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
row() { printf '| %-40s | %7s | %7s | %7s | %7s | %7s | %7s | %6s | %7s |\n' "$@"; }
R_V=$(ratio "$P_V" "$N_V") R_R=$(ratio "$P_R" "$N_R") R_C=$(ratio "$P_C" "$N_C")
say ""
say "Summary: debate with $COMMENTS comments and $VOTES votes; wrk -t$WTHREADS -c$CONNS, $ROUNDS x ${RDUR}s a side; load $LOAD_START -> $LOAD_END"
say ""
row page "Parley" "p99" "us CPU" "nginx" "p99" "us CPU" "Parley" "bytes"
row "" "req/s" "ms" "per req" "req/s" "ms" "per req" "/nginx" ""
row "---" "---:" "---:" "---:" "---:" "---:" "---:" "---:" "---:"
row "debate, reader who voted (results shown)" "$P_V" "$P99_V" "$C_PV" "$N_V" "$N99_V" "$C_NV" "$R_V" "$BYTES_voter"
row "debate, reader who did not vote" "$P_R" "$P99_R" "$C_PR" "$N_R" "$N99_R" "$C_NR" "$R_R" "$BYTES_reader"
row "debate, columns, sides in turn" "$P_C" "$P99_C" "$C_PC" "$N_C" "$N99_C" "$C_NC" "$R_C" "$BYTES_columns"
row "debate, voter, no page cache" "$U_V" "$U99_V" "-" "$N_V" "$N99_V" "$C_NV" "$(ratio "$U_V" "$N_V")" "$BYTES_voter"
say ""
say "Parley's peak resident memory (VmHWM) during the cached runs: $HWM"
say "Target (DESIGN.md, as for articles): >= 0.8 x nginx of the same bytes: voter $R_V $(yes_no "$R_V" 0.8), reader $R_R $(yes_no "$R_R" 0.8), columns $R_C $(yes_no "$R_C" 0.8)"
case $(awk -v a="$LOAD_START" -v b="$LOAD_END" 'BEGIN { print (a + 0 > 1.5 || b + 0 > 4) ? "busy" : "ok" }') in
busy) say "WARNING: the machine was busy with other work (load average above); numbers are noisy: run again when it is idle" ;;
esac
