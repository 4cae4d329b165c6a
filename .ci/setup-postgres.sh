# Sourced by .ci/run: a throwaway PostgreSQL server on loopback for the test suite.
#
# Installs Debian's postgresql if missing, creates a data directory under /tmp, starts the
# server on 127.0.0.1 on a free port, creates database zhiben_test and exports
#   ZHIBEN_TEST_PG_URL=postgresql+psycopg://postgres@127.0.0.1:PORT/zhiben_test
# The server is stopped and its directory removed when the sourcing shell exits.
# Idempotent: sourcing it again while the server runs only re-exports the URL.
# Set ZHIBEN_SKIP_POSTGRES=1 to run the suite on SQLite only.

_zhiben_pg_setup() {
  if [ "${ZHIBEN_SKIP_POSTGRES:-}" = 1 ]; then
    echo "setup-postgres: skipped (ZHIBEN_SKIP_POSTGRES=1)" >&2
    return 0
  fi
  if [ -n "${ZHIBEN_PG_DIR:-}" ] && [ -f "$ZHIBEN_PG_DIR/data/postmaster.pid" ]; then
    return 0
  fi

  local root=""
  [ "$(id -u)" = 0 ] || root=sudo
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    echo "setup-postgres: installing postgresql" >&2
    $root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $root apt-get install -y -qq postgresql >/dev/null
  fi
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)

  local port
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  ZHIBEN_PG_DIR=$(mktemp -d /tmp/zhiben-pg.XXXXXX)
  export ZHIBEN_PG_DIR

  # initdb refuses to run as root: as root, run the server as the postgres user.
  local as=()
  if [ "$(id -u)" = 0 ]; then
    chown postgres: "$ZHIBEN_PG_DIR"
    as=(runuser -u postgres --)
  fi
  "${as[@]}" "$bin/initdb" -D "$ZHIBEN_PG_DIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  "${as[@]}" "$bin/pg_ctl" -D "$ZHIBEN_PG_DIR/data" -l "$ZHIBEN_PG_DIR/server.log" -w \
    -o "-h 127.0.0.1 -p $port -k $ZHIBEN_PG_DIR -c fsync=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null
  ZHIBEN_PG_BIN=$bin
  export ZHIBEN_PG_BIN
  "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres zhiben_test
  export ZHIBEN_TEST_PG_URL="postgresql+psycopg://postgres@127.0.0.1:$port/zhiben_test"
  echo "setup-postgres: PostgreSQL on 127.0.0.1:$port ($ZHIBEN_PG_DIR)" >&2

  _zhiben_pg_previous_trap=$(trap -p EXIT | sed -e "s/^trap -- '//" -e "s/' EXIT\$//")
  trap '_zhiben_pg_stop; eval "$_zhiben_pg_previous_trap"' EXIT
}

_zhiben_pg_stop() {
  [ -n "${ZHIBEN_PG_DIR:-}" ] || return 0
  local as=()
  [ "$(id -u)" = 0 ] && as=(runuser -u postgres --)
  "${as[@]}" "$ZHIBEN_PG_BIN/pg_ctl" -D "$ZHIBEN_PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$ZHIBEN_PG_DIR"
  unset ZHIBEN_PG_DIR ZHIBEN_TEST_PG_URL
}

_zhiben_pg_setup
