#!/bin/sh
# Installs what Parley needs on Debian: `build` for compiling and running,
# `test` for the whole test suite and the benchmarks as well.  Installs
# only what is missing, so a second run is quick.
set -eu
mode=${1:-build}

build_pkgs="gcc make pkg-config libmicrohttpd-dev libsqlite3-dev libmd4c-dev
libsodium-dev libinih-dev libcurl4-openssl-dev libjansson-dev libssl-dev libpq-dev"
test_pkgs="clang libclang-rt-14-dev valgrind cppcheck chromium nginx-light wrk
sqlite3 curl nodejs npm postgresql"

want=$build_pkgs
[ "$mode" = test ] && want="$build_pkgs $test_pkgs"

missing=""
for p in $want; do
	if [ "$p" = nodejs ] || [ "$p" = npm ]; then
		# A Node.js from elsewhere on the PATH is fine too.
		command -v "${p%js}" >/dev/null 2>&1 && continue
	fi
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done

if [ -n "$missing" ]; then
	echo "installing:$missing"
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
	case " $missing " in
	*" postgresql "*)
		# Debian makes a cluster "main" with the server and starts it on
		# port 5432; the tests run their own (tools/pg-scratch.sh), so
		# the one just made is stopped and left to be started by hand.
		for conf in /etc/postgresql/*/main/start.conf; do
			[ -f "$conf" ] || continue
			v=$(basename "$(dirname "$(dirname "$conf")")")
			$sudo pg_ctlcluster "$v" main stop 2>/dev/null || true
			echo manual | $sudo tee "$conf" >/dev/null
		done
		;;
	esac
fi

if [ "$mode" = test ]; then
	# The browser and OpenID tools for the tests, pinned by package-lock.json.
	if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
		npm ci --no-audit --no-fund
		touch node_modules
	fi
fi
