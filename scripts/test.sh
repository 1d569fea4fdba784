#!/usr/bin/env bash
# test.sh is the project's test command: it makes sure a ClickHouse server and
# chDB are at hand, starts the server on loopback with its own throw-away
# config, then runs go vet and go test over the whole module.
#
#   ./scripts/test.sh                 # everything
#   ./scripts/test.sh -run Golden -v  # extra arguments go to go test
#
# Environment it honours:
#   VIGIL_CH_NATIVE_PORT, VIGIL_CH_HTTP_PORT  ports of the test server; by default the
#                                             first free pair from 19000 and 18123 up
#   VIGIL_CH_START_TIMEOUT                    seconds to wait for it (60)
#   VIGIL_CHDB_DIR                            where chDB is installed (~/.cache/vigil/chdb)
#   CI                                        when set, missing engines fail the tests
set -euo pipefail

cd "$(dirname "$0")/.."

# clickhouse-server lives in /usr/sbin, which some root shells leave out;
# go and npm need a home for their caches.
PATH=$PATH:/usr/sbin:/sbin
: "${HOME:=$(getent passwd "$(id -u)" | cut -d: -f6)}"
export HOME

NATIVE_PORT=${VIGIL_CH_NATIVE_PORT:-19000}
HTTP_PORT=${VIGIL_CH_HTTP_PORT:-18123}
START_TIMEOUT=${VIGIL_CH_START_TIMEOUT:-60}
CHDB_VERSION=3.4.0
CHDB_DIR=${VIGIL_CHDB_DIR:-${HOME}/.cache/vigil/chdb}

log() { printf 'test.sh: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_clickhouse() {
	if command -v clickhouse-server >/dev/null && command -v clickhouse-client >/dev/null; then
		return
	fi
	log "installing clickhouse-server and clickhouse-client with apt-get"
	as_root apt-get update -qq
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		clickhouse-server clickhouse-client >/dev/null
}

install_chdb() {
	if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
		log "installing Node.js and npm with apt-get (for the chDB check)"
		as_root apt-get update -qq
		as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
	fi
	if [ -f "$CHDB_DIR/node_modules/chdb/package.json" ]; then
		return
	fi
	log "installing chdb@$CHDB_VERSION into $CHDB_DIR (about 170 MB, once)"
	mkdir -p "$CHDB_DIR"
	(cd "$CHDB_DIR" && npm install --no-audit --no-fund --loglevel=error "chdb@$CHDB_VERSION" >/dev/null)
}

write_config() {
	local dir=$1
	mkdir -p "$dir/data" "$dir/tmp" "$dir/user_files" "$dir/format_schemas" "$dir/log"
	cat >"$dir/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
    <logger>
        <level>information</level>
        <log>$dir/log/server.log</log>
        <errorlog>$dir/log/server.err.log</errorlog>
        <size>100M</size>
        <count>1</count>
    </logger>
    <listen_host>127.0.0.1</listen_host>
    <tcp_port>$NATIVE_PORT</tcp_port>
    <http_port>$HTTP_PORT</http_port>
    <path>$dir/data/</path>
    <tmp_path>$dir/tmp/</tmp_path>
    <user_files_path>$dir/user_files/</user_files_path>
    <format_schema_path>$dir/format_schemas/</format_schema_path>
    <users_config>$dir/users.xml</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <timezone>UTC</timezone>
    <mark_cache_size>268435456</mark_cache_size>
    <uncompressed_cache_size>268435456</uncompressed_cache_size>
    <max_concurrent_queries>50</max_concurrent_queries>
</yandex>
XML
	cat >"$dir/users.xml" <<XML
<?xml version="1.0"?>
<yandex>
    <profiles>
        <default>
            <max_memory_usage>4000000000</max_memory_usage>
        </default>
    </profiles>
    <users>
        <default>
            <password></password>
            <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
            <profile>default</profile>
            <quota>default</quota>
        </default>
    </users>
    <quotas>
        <default>
            <interval><duration>3600</duration><queries>0</queries><errors>0</errors>
            <result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval>
        </default>
    </quotas>
</yandex>
XML
}

SERVER_PID=
WORK_DIR=

cleanup() {
	local rc=$?
	if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
		kill "$SERVER_PID" 2>/dev/null || true
		for _ in $(seq 1 50); do
			kill -0 "$SERVER_PID" 2>/dev/null || break
			sleep 0.2
		done
		kill -9 "$SERVER_PID" 2>/dev/null || true
		wait "$SERVER_PID" 2>/dev/null || true
	fi
	if [ -n "$WORK_DIR" ]; then rm -rf "$WORK_DIR"; fi
	exit "$rc"
}

port_busy() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

server_log_tail() {
	log "last lines of the server log ($WORK_DIR/log):"
	tail -n 40 "$WORK_DIR/log/server.err.log" "$WORK_DIR/log/server.log" "$WORK_DIR/stdout.log" >&2 2>/dev/null || true
}

# try_start starts a server on NATIVE_PORT and HTTP_PORT and waits until it
# answers. It returns 2 when the ports turned out to be taken, so that the
# caller can try others; any other failure ends the script.
try_start() {
	rm -rf "${WORK_DIR:?}"/*
	write_config "$WORK_DIR"
	log "starting clickhouse-server on 127.0.0.1:$NATIVE_PORT (data in $WORK_DIR)"
	clickhouse-server --config-file="$WORK_DIR/config.xml" >"$WORK_DIR/stdout.log" 2>&1 &
	SERVER_PID=$!
	local deadline=$((SECONDS + START_TIMEOUT))
	until clickhouse-client --host 127.0.0.1 --port "$NATIVE_PORT" --query 'SELECT 1' >/dev/null 2>&1 &&
		kill -0 "$SERVER_PID" 2>/dev/null; do
		if ! kill -0 "$SERVER_PID" 2>/dev/null; then
			wait "$SERVER_PID" 2>/dev/null || true
			SERVER_PID=
			if grep -qs 'Address already in use' "$WORK_DIR"/log/*.log "$WORK_DIR/stdout.log"; then
				return 2
			fi
			server_log_tail
			die "clickhouse-server exited before it answered on port $NATIVE_PORT"
		fi
		if [ "$SECONDS" -ge "$deadline" ]; then
			server_log_tail
			die "clickhouse-server did not answer on port $NATIVE_PORT within ${START_TIMEOUT}s"
		fi
		sleep 0.5
	done
}

# start_clickhouse starts the test server on the first free pair of ports
# from NATIVE_PORT and HTTP_PORT up, so that several runs on one machine do
# not collide. Ports set in the environment are used as they are.
start_clickhouse() {
	WORK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/vigil-clickhouse.XXXXXX")
	local tries=1
	if [ -z "${VIGIL_CH_NATIVE_PORT:-}" ] && [ -z "${VIGIL_CH_HTTP_PORT:-}" ]; then tries=20; fi
	local i rc
	for ((i = 0; i < tries; i++)); do
		if port_busy "$NATIVE_PORT" || port_busy "$HTTP_PORT"; then
			[ "$tries" -eq 1 ] && die "port $NATIVE_PORT or $HTTP_PORT is taken: free it or set VIGIL_CH_NATIVE_PORT and VIGIL_CH_HTTP_PORT"
		else
			rc=0
			try_start || rc=$?
			if [ "$rc" -eq 0 ]; then
				log "clickhouse-server $(clickhouse-client --host 127.0.0.1 --port "$NATIVE_PORT" --query 'SELECT version()') is up"
				return
			fi
			[ "$tries" -eq 1 ] && die "port $NATIVE_PORT or $HTTP_PORT is taken: free it or set VIGIL_CH_NATIVE_PORT and VIGIL_CH_HTTP_PORT"
		fi
		NATIVE_PORT=$((NATIVE_PORT + 1))
		HTTP_PORT=$((HTTP_PORT + 1))
	done
	die "no free pair of ports for clickhouse-server from $((NATIVE_PORT - tries))/$((HTTP_PORT - tries)) up"
}

main() {
	command -v go >/dev/null || die "go is missing"
	install_clickhouse
	install_chdb
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	start_clickhouse
	export VIGIL_CLICKHOUSE_DSN="clickhouse://127.0.0.1:$NATIVE_PORT/default"
	export VIGIL_CHDB_DIR="$CHDB_DIR"
	log "go vet ./..."
	go vet ./...
	log "go test -count=1 ./... $*"
	go test -count=1 ./... "$@"
}

main "$@"
