#!/bin/sh
# Runs every test of Parley and ends with one line "N passed, N failed".
# Called by `make test` after the builds; each part prints one line: its
# results, its wall time and what it counts.  N counts distinct checks: the
# ASan reruns of the unit and HTTP tests are shown as reruns and add only
# their failures.  A part that crashes or runs no check has failed.
#   FUZZ_SECONDS  seconds of fuzzing per target (default 10)
#   SKIP_E2E=1    leave out the browser tests
set -u
cd "$(dirname "$0")/.." || exit 1
out=test-output
mkdir -p "$out"
# The parts' scratch files (databases, config files, browser profiles) go
# to one folder, removed at the end; test-output/ keeps logs and screenshots.
scratch=$(mktemp -d "${TMPDIR:-/tmp}/parley-run.XXXXXX") || exit 1
# The scratch PostgreSQL server (pg_start), stopped at exit whatever
# happened.  PARLEY_TEST_PG set from outside names a server to use
# instead; only the parts that are meant for PostgreSQL get it.
pg_uri=${PARLEY_TEST_PG:-}
unset PARLEY_TEST_PG
pgdir=
pg_stop() {
	[ -n "$pgdir" ] && sh tools/pg-scratch.sh stop "$pgdir" >/dev/null 2>&1
	[ -n "$pgdir" ] && rm -rf "$pgdir"
}
trap 'pg_stop; rm -rf "$scratch"' EXIT
trap 'exit 130' INT TERM
TMPDIR=$scratch
export TMPDIR
passed=0
failed=0
failures=""
started=$(date +%s)

# Adds the counts of one part from its output file: every "N passed, N
# failed" line (our C programs) and node's TAP "# pass N" / "# fail N".
# A rerun adds only its failures, since its checks are counted already.
count() {
	name=$1 file=$2 status=$3 label=$4 secs=$5 what=$6
	p=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$file" | awk '{s+=$1} END {print s+0}')
	f=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$file" | awk '{s+=$3} END {print s+0}')
	tp=$(grep -E '^# pass [0-9]+' "$file" | awk '{s+=$3} END {print s+0}')
	tf=$(grep -E '^# fail [0-9]+' "$file" | awk '{s+=$3} END {print s+0}')
	# Tests cancelled (a hook failed, the file died) did not pass.
	tc=$(grep -E '^# cancelled [0-9]+' "$file" | awk '{s+=$3} END {print s+0}')
	# Skipped tests (a reason each in the log) are neither passed nor failed.
	ts=$(grep -E '^# skipped [0-9]+' "$file" | awk '{s+=$3} END {print s+0}')
	[ "$ts" -gt 0 ] && what="$what; $ts skipped"
	p=$((p + tp))
	f=$((f + tf + tc))
	if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1	# a crash or a runner error counts as a failure
	fi
	if [ $((p + f)) -eq 0 ]; then
		f=1	# so does a part that ran nothing
		what="$what; NO CHECK RAN"
	fi
	[ "$kind" = rerun ] || passed=$((passed + p))
	failed=$((failed + f))
	[ "$f" -gt 0 ] && failures="$failures $name"
	printf '%-22s %5d passed, %d failed %5ds  %s\n' "$label" "$p" "$f" "$secs" "$what"
}

# run_part NAME WHAT COMMAND...: runs one part, its output in $out/NAME.log.
run_part() {
	kind=${kind:-part}
	name=$1 what=$2
	shift 2
	log="$out/$name.log"
	t0=$(date +%s)
	"$@" >"$log" 2>&1
	status=$?
	secs=$(($(date +%s) - t0))
	label=$name
	[ "$kind" = rerun ] && label="${name%-asan} (ASan rerun)"
	[ "$name" = unit ] && what="$what$(unit_details "$log")"
	count "$name" "$log" "$status" "$label" "$secs" "$what"
	kind=part
	if [ "$status" -ne 0 ]; then
		echo "---- $name (exit $status), last lines of $log:"
		tail -n 40 "$log"
		echo "----"
	fi
}

# rerun_part NAME WHAT COMMAND...: the same checks again (under ASan).
rerun_part() {
	kind=rerun
	run_part "$@"
}

# How many programs the unit log shows, and how many of the checks are
# test_markdown's invariants, repeated over its tables of inputs.
unit_details() {
	awk '/^== /{prog=$2; n++}
		/^[0-9]+ passed, [0-9]+ failed/ && prog ~ /test_markdown$/ {md=$1+$3}
		END {printf " in %d C programs; %d are test_markdown'\''s invariants over its input tables", n, md}' "$1"
}

# Runs every unit program of a folder.  A program that exits non-zero
# without reporting a failed check (a crash, a leak found at exit) adds
# one failure; an empty folder is a failure too.
units() {
	dir=$1
	rc=0
	ran=0
	for t in "$dir"/test_*; do
		[ -x "$t" ] || continue
		ran=$((ran + 1))
		echo "== $t"
		"$t" >"$scratch/unit.out" 2>&1
		st=$?
		cat "$scratch/unit.out"
		if [ "$st" -ne 0 ]; then
			rc=1
			grep -qE '^[0-9]+ passed, [1-9][0-9]* failed' "$scratch/unit.out" ||
				echo "0 passed, 1 failed ($t exited with status $st)"
		fi
	done
	[ "$ran" -gt 0 ] || { echo "no unit programs in $dir"; return 1; }
	return $rc
}

units_asan() {
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		units_both build/asan/tests
}
run_part includes "layer rules: includes point down, no store calls above the model" \
	sh tools/check-includes.sh

# Every C file as clang-format would write it (make format fixes them).
format_check() {
	bad=0
	for f in $(find src tests tools -name '*.[ch]' -not -path '*/node_modules/*' | sort); do
		clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || {
			echo "not formatted: $f (run make format)"
			bad=$((bad + 1))
		}
	done
	echo "$((bad == 0)) passed, $((bad > 0)) failed"
	[ "$bad" -eq 0 ]
}
run_part format "every C file as clang-format writes it" format_check

# A PostgreSQL server of Debian's packages in a scratch folder on a free
# loopback port (tools/pg-scratch.sh); PARLEY_TEST_PG names its database.
# The folder is directly under /tmp, made 0755: as root the server runs as
# the postgres user, who must reach it (TMPDIR, $scratch, is 0700).
pg_start() {
	[ -n "$pg_uri" ] && return 0
	pgdir=$(mktemp -d /tmp/parley-pg.XXXXXX) || return 1
	chmod 755 "$pgdir"
	pg_uri=$(sh tools/pg-scratch.sh start "$pgdir") || {
		echo "could not start the scratch PostgreSQL server"
		pg_stop
		pgdir=
		pg_uri=
		return 1
	}
}

# Runs a command with PARLEY_TEST_PG naming the scratch server's database.
with_pg() {
	[ -n "$pg_uri" ] || { echo "no PostgreSQL server"; return 1; }
	(
		PARLEY_TEST_PG=$pg_uri
		export PARLEY_TEST_PG
		"$@"
	)
}

# The store's unit programs run their store checks on both backends
# (tests/unit/store_fixture.h); the server is reused by http-pg.
pg_start || echo "the store's unit checks run on SQLite only"
units_both() {
	if [ -n "$pg_uri" ]; then with_pg units "$@"; else units "$@"; fi
}
run_part unit "checks (CHECK lines)" units_both build/release/tests
rerun_part unit-asan "the same checks, built with ASan and UBSan" units_asan

fuzz_all() {
	rc=0
	for f in build/fuzz/fuzz_*; do
		[ -x "$f" ] || continue
		n=$(basename "$f")
		s=${n#fuzz_}
		echo "== $n: regression inputs"
		# One process replays them all; it names the input that fails.
		if ! "$f" -timeout=5 tests/fuzz/regression/* >"$out/$n.regression.log" 2>&1; then
			echo "FAIL $n on a regression input: see $out/$n.regression.log"
			grep -E '^Running: |ERROR|^fuzz_' "$out/$n.regression.log" | tail -n 5
			rc=1
		fi
		echo "== $n: ${FUZZ_SECONDS:-10}s of fuzzing from tests/fuzz/corpus/$s"
		# The seeds are copied: what the fuzzer adds stays out of the repo.
		mkdir -p "build/corpus/$n"
		[ -d "tests/fuzz/corpus/$s" ] && cp -R "tests/fuzz/corpus/$s/." "build/corpus/$n/"
		dict=
		[ -f "tests/fuzz/$s.dict" ] && dict="-dict=tests/fuzz/$s.dict"
		if "$f" $dict -max_total_time="${FUZZ_SECONDS:-10}" -timeout=5 -rss_limit_mb=1024 \
			-artifact_prefix="$out/$n-" "build/corpus/$n" >"$out/$n.fuzz.log" 2>&1; then
			echo "1 passed, 0 failed"
		else
			echo "FAIL $n: see $out/$n.fuzz.log"
			tail -n 30 "$out/$n.fuzz.log"
			echo "0 passed, 1 failed"
			rc=1
		fi
	done
	return $rc
}
run_part fuzz "fuzz targets: regression inputs, then ${FUZZ_SECONDS:-10}s of fuzzing each" fuzz_all

# No guard on the test files: a folder without tests is a failed part.
run_part http "node tests of HTTP, each a test() of tests/http" \
	env PARLEY_BIN=./parley node --test --test-reporter=tap --test-concurrency=1 tests/http/
rerun_part http-asan "the same tests against parley-asan" \
	env PARLEY_BIN=./parley-asan ASAN_OPTIONS=detect_leaks=1 \
	node --test --test-reporter=tap --test-concurrency=1 tests/http/

# The whole HTTP suite again, each scratch database a new database of the
# PostgreSQL server; the tests about SQLite's own file are skipped there.
# While the backend is incomplete a failed test may leave a helper (a fake
# mail or sign-in server) open, which would keep its file running for
# ever: each file ends when its tests have, and a test has 3 minutes.
http_pg() {
	pg_start || return 1
	with_pg env PARLEY_BIN=./parley \
		node --test --test-reporter=tap --test-concurrency=1 \
		--test-force-exit --test-timeout=180000 tests/http/
}
run_part http-pg "the node tests of HTTP on PostgreSQL" http_pg
if [ "${SKIP_E2E:-0}" != 1 ]; then
	run_part e2e "Chromium tests, each a test() of tests/e2e" \
		env PARLEY_BIN=./parley node --test --test-reporter=tap --test-concurrency=1 tests/e2e/
fi

echo
[ -n "$failures" ] && echo "failed parts:$failures (logs in $out/)"
echo "wall time $(($(date +%s) - started))s; reruns add only their failures to the total"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
