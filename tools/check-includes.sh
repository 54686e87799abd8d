#!/bin/sh
# Checks that the layers hold: no #include points back up the stack, and
# no handler or command reaches past the model into the store.
#   model   nothing from http/, web/ or cli/
#   store   only core/ and store/
#   render  only core/ and render/
#   http    nothing from web/ or cli/
#   core    only core/
#   web, cli: no store calls ("->ops->"): they go through the model
# Usage: tools/check-includes.sh [SRC]   (SRC defaults to this tree's src/)
# Prints each offending file and line, then one "N passed, N failed" line
# (one check per rule) for tests/run.sh; exits 1 when any rule is broken.
set -u
src=${1:-$(dirname "$0")/../src}
if [ ! -d "$src/model" ]; then
	echo "check-includes: no model folder in $src"
	echo "0 passed, 1 failed"
	exit 1
fi
passed=0
failed=0

# rule NAME FOLDER ALLOWED_PATTERN: every quoted #include in FOLDER must
# name a header in src/ root (no slash) or match ALLOWED_PATTERN (an
# extended regular expression on the included path).
rule() {
	name=$1 dir=$2 allowed=$3
	bad=$(grep -HnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' \
		"$src/$dir"/*.c "$src/$dir"/*.h 2>/dev/null |
		awk -F'"' -v ok="$allowed" '$2 ~ /\// && $2 !~ ok')
	if [ -n "$bad" ]; then
		echo "$name: an include points outside what $dir/ may use:"
		echo "$bad" | sed 's/^/  /'
		failed=$((failed + 1))
	else
		passed=$((passed + 1))
	fi
}

rule model model '^(core|model|store|render|jobs)/'
rule store store '^(core|store)/'
rule render render '^(core|render)/'
rule http http '^(core|http|model|store|render|jobs)/'
rule core core '^core/'

# The files at src/'s root (app.h) are shared by every layer, so a lower
# layer may include them only while they include nothing from above.
bad=$(grep -HnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"(http|web|cli)/' \
	"$src"/*.h 2>/dev/null)
if [ -n "$bad" ]; then
	echo "root headers: a header every layer may include points up:"
	echo "$bad" | sed 's/^/  /'
	failed=$((failed + 1))
else
	passed=$((passed + 1))
fi

bad=$(grep -Hn -- '->ops->' "$src"/web/*.c "$src"/cli/*.c 2>/dev/null)
if [ -n "$bad" ]; then
	echo "store calls: handlers and commands must call the model, not the store:"
	echo "$bad" | sed 's/^/  /'
	failed=$((failed + 1))
else
	passed=$((passed + 1))
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
