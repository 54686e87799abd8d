#!/bin/sh
# Runs every test of Parley and ends with one line "N passed, N failed".
# Called by `make test` after the builds; each part prints its own results.
#   FUZZ_SECONDS  seconds of fuzzing per target (default 10)
#   SKIP_E2E=1    leave out the browser tests
set -u
cd "$(dirname "$0")/.."
out=test-output
mkdir -p "$out"
passed=0
failed=0
failures=""

# Adds the counts of one part from its output file: every "N passed, N
# failed" line (our C programs) and node's TAP "# pass N" / "# fail N".
count() {
	name=$1 file=$2 status=$3
	p=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$file" | awk '{s+=$1} END {print s+0}')
	f=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$file" | awk '{s+=$3} END {print s+0}')
	tp=$(grep -E '^# pass [0-9]+' "$file" | awk '{s+=$3} END {print s+0}')
	tf=$(grep -E '^# fail [0-9]+' "$file" | awk '{s+=$3} END {print s+0}')
	p=$((p + tp))
	f=$((f + tf))
	if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1	# a crash or a runner error counts as a failure
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	[ "$f" -gt 0 ] && failures="$failures $name"
	printf '%-28s %5d passed, %d failed\n' "$name" "$p" "$f"
}

run_part() {
	name=$1
	shift
	log="$out/$name.log"
	"$@" >"$log" 2>&1
	status=$?
	count "$name" "$log" "$status"
	if [ "$status" -ne 0 ]; then
		echo "---- $name (exit $status), last lines of $log:"
		tail -n 40 "$log"
		echo "----"
	fi
}

units() {
	dir=$1
	rc=0
	for t in "$dir"/test_*; do
		[ -x "$t" ] || continue
		echo "== $t"
		"$t" || rc=1
	done
	return $rc
}

units_asan() {
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		units build/asan/tests
}
run_part unit units build/release/tests
run_part unit-asan units_asan

fuzz_all() {
	rc=0
	for f in build/fuzz/fuzz_*; do
		[ -x "$f" ] || continue
		n=$(basename "$f")
		echo "== $n: regression inputs"
		for r in tests/fuzz/regression/*; do
			[ -f "$r" ] || continue
			"$f" -timeout=5 "$r" >/dev/null 2>&1 || { echo "FAIL $n on $r"; rc=1; }
		done
		echo "== $n: ${FUZZ_SECONDS:-10}s of fuzzing"
		mkdir -p "build/corpus/$n"
		if "$f" -max_total_time="${FUZZ_SECONDS:-10}" -timeout=5 -rss_limit_mb=1024 \
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
run_part fuzz fuzz_all

if ls tests/http/*.test.mjs >/dev/null 2>&1; then
	run_part http env PARLEY_BIN=./parley node --test --test-reporter=tap --test-concurrency=1 tests/http/
	run_part http-asan env PARLEY_BIN=./parley-asan ASAN_OPTIONS=detect_leaks=1 \
		node --test --test-reporter=tap --test-concurrency=1 tests/http/
fi
if [ "${SKIP_E2E:-0}" != 1 ] && ls tests/e2e/*.test.mjs >/dev/null 2>&1; then
	run_part e2e env PARLEY_BIN=./parley node --test --test-reporter=tap --test-concurrency=1 tests/e2e/
fi

echo
[ -n "$failures" ] && echo "failed parts:$failures (logs in $out/)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
