#!/bin/sh
# A PostgreSQL server of Debian's packages in a scratch folder, for tests
# and benchmarks: `start DIR` makes a cluster in DIR (initdb), starts it on
# a free loopback port and prints its connection URI; `stop DIR` stops it.
# As root, the server runs as the postgres user (PostgreSQL refuses root).
set -eu
cmd=${1:?start or stop}
dir=${2:?a folder}
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bindir/initdb" ] || { echo "pg-scratch: no PostgreSQL server (apt-get install postgresql)" >&2; exit 1; }

as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

case $cmd in
start)
	mkdir -p "$dir"
	[ "$(id -u)" -eq 0 ] && chown postgres "$dir"
	as_owner "$bindir/initdb" -D "$dir/data" -U parley -A trust -E UTF8 \
		--no-locale --no-sync >"$dir/initdb.log" 2>&1 ||
		{ cat "$dir/initdb.log" >&2; exit 1; }
	# A free port: the kernel's pick for a socket bound to port 0.
	port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
	# In the cluster's own config, so a later `pg_ctl start` (a test that
	# stops and starts it) comes back on the same port and socket.
	cat >>"$dir/data/postgresql.conf" <<-CONF
		listen_addresses = '127.0.0.1'
		port = $port
		unix_socket_directories = '$dir'
		max_connections = 400
		shared_buffers = 64MB
	CONF
	as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
		start >/dev/null ||
		{ cat "$dir/server.log" >&2; exit 1; }
	as_owner "$bindir/createdb" -h 127.0.0.1 -p "$port" -U parley parley
	echo "postgresql://parley@127.0.0.1:$port/parley"
	;;
stop)
	as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
	;;
*)
	echo "pg-scratch: start or stop" >&2
	exit 2
	;;
esac
