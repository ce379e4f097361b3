#!/usr/bin/env bash
# The one test command: ./scripts/test.sh [cargo test arguments...]
#
# Finds PostgreSQL and Redis on loopback, or starts private ones, exports
#   RADAR_TEST_DATABASE_URL  a superuser URL that can CREATE DATABASE
#   RADAR_TEST_REDIS_URL     a Redis URL
#   RADAR_TEST_RUN_ID        this run's id (12 hex digits)
# then runs `cargo test --locked "$@"` and exits with its status. On a fresh Debian/Ubuntu with only
# Rust installed, missing packages are installed with apt-get (through sudo when not root). Only
# what this script started is stopped again.
#
# What a run leaves behind: nothing. Each test creates a database radar_test_<run id>_<uuid> and a
# data directory $TMPDIR/radar-test-<run id>-<uuid> and removes both when it ends; on exit this
# script drops whatever of THIS run is left (a test killed mid-way) — never the databases of another
# run going on at the same time on the same PostgreSQL — and, from earlier runs that were killed,
# radar_test_% databases created more than 6 hours ago.
#
# Settings (environment):
#   RADAR_TEST_DATABASE_URL, RADAR_TEST_REDIS_URL  when set, used as they are (no detection)
#   RADAR_TEST_PG_PORT (5432), RADAR_TEST_REDIS_PORT (6379)  where running servers are looked for
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
cd "$(dirname "${BASH_SOURCE[0]}")/.."

LOG_PREFIX=test.sh
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

PG_PORT="${RADAR_TEST_PG_PORT:-5432}"
REDIS_PORT="${RADAR_TEST_REDIS_PORT:-6379}"
PRIVATE_PG_PORT=55432
PRIVATE_REDIS_PORT=56379
WORK_DIR=""      # files of the private servers; removed on exit
PG_CTL=""        # set once a private PostgreSQL runs
PG_DATA=""
REDIS_PIDFILE="" # set once a private Redis runs
RUN_ID=${RADAR_TEST_RUN_ID:-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')}
CLEAN_DBS=""     # set once RADAR_TEST_DATABASE_URL is known: this run's databases are dropped on exit

cleanup() {
  local rc=$?
  if [ -n "$CLEAN_DBS" ]; then drop_test_dbs "radar\_test\_${RUN_ID}\_%" "this run's"; fi
  rm -rf "${TMPDIR:-/tmp}/radar-test-${RUN_ID}-"*
  if [ -n "$PG_CTL" ]; then
    say "stopping the private PostgreSQL"
    as_postgres "$PG_CTL" stop -D "$PG_DATA" -m fast -w >/dev/null 2>&1 || true
  fi
  if [ -n "$REDIS_PIDFILE" ] && [ -f "$REDIS_PIDFILE" ]; then
    say "stopping the private Redis"
    local pid
    pid=$(cat "$REDIS_PIDFILE")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  if [ -n "$WORK_DIR" ]; then rm -rf "$WORK_DIR"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Runs a command from / as the account that owns the private cluster: `postgres` when root (initdb
# and postgres refuse to run as root), else the current user.
as_postgres() {
  if ! is_root; then
    (cd / && "$@")
  elif command -v runuser >/dev/null 2>&1; then
    (cd / && runuser -u postgres -- "$@")
  else
    # shellcheck disable=SC2016 # $0 and $@ belong to the inner shell
    (cd / && su -s /bin/sh postgres -c 'exec "$0" "$@"' "$@")
  fi
}

find_psql() {
  if command -v psql >/dev/null 2>&1; then
    command -v psql
  else
    local bin
    bin=$(pg_bin_dir) && [ -x "$bin/psql" ] && printf '%s\n' "$bin/psql"
  fi
}

tcp_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

pg_ready() {
  if command -v pg_isready >/dev/null 2>&1; then
    pg_isready -q -h "$1" -p "$2" -t 3
  else
    tcp_open "$1" "$2"
  fi
}

redis_ping() {
  if command -v redis-cli >/dev/null 2>&1; then
    [ "$(redis-cli -h "$1" -p "$2" ping 2>/dev/null)" = PONG ]
  else
    (
      exec 3<>"/dev/tcp/$1/$2"
      printf 'PING\r\n' >&3
      IFS= read -r -t 3 reply <&3
      [[ $reply == +PONG* ]]
    ) 2>/dev/null
  fi
}

# First port from $1 on that nothing listens on.
free_port() {
  local port
  for port in $(seq "$1" $(($1 + 20))); do
    if ! tcp_open 127.0.0.1 "$port"; then
      printf '%s\n' "$port"
      return 0
    fi
  done
  die "no free port in $1..$(($1 + 20))"
}

make_work_dir() {
  if [ -z "$WORK_DIR" ]; then
    WORK_DIR=$(mktemp -d /tmp/radar-test.XXXXXX)
    chmod 755 "$WORK_DIR" # the postgres account must reach its cluster inside
  fi
}

start_private_pg() {
  local bin port dir
  bin=$(pg_bin_dir) || {
    apt_install postgresql
    bin=$(pg_bin_dir) || die "PostgreSQL server binaries (initdb, pg_ctl) still not found after installing postgresql"
  }
  if is_root && ! id postgres >/dev/null 2>&1; then
    say "creating the system account postgres (initdb refuses to run as root)"
    useradd --system --user-group --no-create-home --home-dir /var/lib/postgresql --shell /bin/sh postgres
  fi
  make_work_dir
  port=$(free_port "$PRIVATE_PG_PORT")
  dir="$WORK_DIR/pg"
  mkdir "$dir"
  if is_root; then chown postgres: "$dir"; fi
  say "starting a private PostgreSQL ($bin) on 127.0.0.1:$port in $dir"
  as_postgres "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  # Throwaway test data: durability settings off for speed.
  if ! as_postgres "$bin/pg_ctl" start -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null; then
    tail -n 20 "$dir/server.log" >&2 || true
    die "the private PostgreSQL did not start"
  fi
  PG_CTL="$bin/pg_ctl"
  PG_DATA="$dir/data"
  RADAR_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres"
}

setup_postgres() {
  if [ -n "${RADAR_TEST_DATABASE_URL:-}" ]; then
    say "PostgreSQL: using RADAR_TEST_DATABASE_URL from the environment"
    return
  fi
  if pg_ready 127.0.0.1 "$PG_PORT"; then
    local url="postgres://postgres@127.0.0.1:$PG_PORT/postgres" psql
    if psql=$(find_psql) && [ "$("$psql" "$url" -XAtqc 'select rolsuper from pg_roles where rolname = current_user' 2>/dev/null)" != t ]; then
      say "PostgreSQL on 127.0.0.1:$PG_PORT does not let superuser postgres in without a password"
    else
      say "PostgreSQL: using the server on 127.0.0.1:$PG_PORT"
      RADAR_TEST_DATABASE_URL="$url"
      return
    fi
  else
    say "PostgreSQL: nothing answers on 127.0.0.1:$PG_PORT"
  fi
  start_private_pg
}

start_private_redis() {
  local port
  command -v redis-server >/dev/null 2>&1 || apt_install redis-server
  command -v redis-server >/dev/null 2>&1 || die "redis-server still not found after installing redis-server"
  make_work_dir
  port=$(free_port "$PRIVATE_REDIS_PORT")
  say "starting a private Redis on 127.0.0.1:$port"
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --dir "$WORK_DIR" --pidfile "$WORK_DIR/redis.pid" --logfile "$WORK_DIR/redis.log" >/dev/null
  REDIS_PIDFILE="$WORK_DIR/redis.pid"
  for _ in $(seq 100); do
    if redis_ping 127.0.0.1 "$port"; then
      RADAR_TEST_REDIS_URL="redis://127.0.0.1:$port"
      return
    fi
    sleep 0.1
  done
  tail -n 20 "$WORK_DIR/redis.log" >&2 || true
  die "the private Redis did not answer PING"
}

setup_redis() {
  if [ -n "${RADAR_TEST_REDIS_URL:-}" ]; then
    say "Redis: using RADAR_TEST_REDIS_URL from the environment"
  elif redis_ping 127.0.0.1 "$REDIS_PORT"; then
    say "Redis: using the server on 127.0.0.1:$REDIS_PORT"
    RADAR_TEST_REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
  else
    say "Redis: nothing answers PING on 127.0.0.1:$REDIS_PORT"
    start_private_redis
  fi
}

# Drops the databases whose name is LIKE $1 (and, when $3 is set, that were created more than $3
# ago, by the age of their PG_VERSION file), telling the user which ($2).
drop_test_dbs() {
  local pattern=$1 what=$2 age=${3:-} psql dbs db dropped=0 query
  psql=$(find_psql) || {
    say "psql not found: $what radar_test_% databases are not dropped"
    return 0
  }
  query="select datname from pg_database where datname like '$pattern'"
  if [ -n "$age" ]; then
    query="$query and (pg_stat_file('base/' || oid || '/PG_VERSION', true)).modification < now() - interval '$age'"
  fi
  dbs=$("$psql" "$RADAR_TEST_DATABASE_URL" -XAtqc "$query" 2>/dev/null) || return 0
  while IFS= read -r db; do
    [ -n "$db" ] || continue
    if printf 'drop database if exists :"db" with (force);\n' | "$psql" "$RADAR_TEST_DATABASE_URL" -Xq -v ON_ERROR_STOP=1 -v db="$db" >/dev/null 2>&1; then
      dropped=$((dropped + 1))
    fi
  done <<<"$dbs"
  if [ "$dropped" -gt 0 ]; then say "dropped $dropped $what radar_test_% database(s)"; fi
}

# tests/deploy.rs runs `nginx -t` on deploy/nginx/radar.conf and `systemd-analyze verify` on the
# unit. A system nginx is used when there is one; otherwise the Debian package's binary is unpacked
# under target/deploy-tools (no service is installed or started) and named by RADAR_TEST_NGINX.
ensure_deploy_tools() {
  command -v systemd-analyze >/dev/null 2>&1 || apt_install systemd
  command -v systemd-analyze >/dev/null 2>&1 || die "systemd-analyze still not found after installing systemd"
  if [ -z "${RADAR_TEST_NGINX:-}" ]; then
    if command -v nginx >/dev/null 2>&1; then
      RADAR_TEST_NGINX=$(command -v nginx)
    elif [ -x /usr/sbin/nginx ]; then
      RADAR_TEST_NGINX=/usr/sbin/nginx
    else
      local dir="$PWD/target/deploy-tools"
      if [ ! -x "$dir/usr/sbin/nginx" ]; then
        command -v apt-get >/dev/null 2>&1 || die "nginx not found and no apt-get: install nginx, or set RADAR_TEST_NGINX"
        mkdir -p "$dir"
        say "unpacking nginx from its Debian package into $dir (nothing is installed system-wide)"
        (cd "$dir" && apt-get download nginx >/dev/null 2>&1) ||
          { as_root env DEBIAN_FRONTEND=noninteractive apt-get update >&2 && (cd "$dir" && apt-get download nginx >&2); } ||
          die "cannot download the nginx package with apt-get; install nginx, or set RADAR_TEST_NGINX"
        dpkg-deb -x "$(ls "$dir"/nginx_*.deb | head -n 1)" "$dir" || die "cannot unpack the nginx package"
      fi
      RADAR_TEST_NGINX="$dir/usr/sbin/nginx"
    fi
  fi
  "$RADAR_TEST_NGINX" -v >/dev/null 2>&1 || die "$RADAR_TEST_NGINX does not run (missing libraries?)"
  export RADAR_TEST_NGINX
  say "RADAR_TEST_NGINX=$RADAR_TEST_NGINX"
}

# The browser tests (tests/browser) drive Debian's Chromium through its WebDriver, and their
# screenshots need a font that writes Chinese. Installed when missing; if that fails the browser
# tests fail with the same install command (they never skip).
ensure_chromium() {
  local -a missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  [ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
  [ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || missing+=(fonts-wqy-microhei)
  if [ "${#missing[@]}" -gt 0 ]; then
    (apt_install "${missing[@]}") || say "warning: could not install ${missing[*]}: the browser tests will fail"
  fi
  if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
    say "browser tests: $(/usr/bin/chromium --version 2>/dev/null | head -n 1)"
  fi
}

# tests/api/schemathesis.rs runs schemathesis (PyPI, pinned) against a live node: installed into a
# venv under the target dir when missing, named by RADAR_SCHEMATHESIS. If the install fails the
# test fails and says so (it never skips under this script).
SCHEMATHESIS_VERSION=4.32.5
ensure_schemathesis() {
  if [ -n "${RADAR_SCHEMATHESIS:-}" ]; then export RADAR_SCHEMATHESIS; return; fi
  local venv
  venv="$(cd "${CARGO_TARGET_DIR:-target}" 2>/dev/null && pwd || echo "$PWD/target")/schemathesis-$SCHEMATHESIS_VERSION"
  if [ ! -x "$venv/bin/schemathesis" ]; then
    say "installing schemathesis $SCHEMATHESIS_VERSION into $venv"
    command -v python3 >/dev/null 2>&1 || apt_install python3
    python3 -m venv "$venv" >/dev/null 2>&1 || { apt_install python3-venv && python3 -m venv "$venv"; } ||
      say "warning: cannot create a Python venv: the schemathesis test will fail"
    if [ -x "$venv/bin/pip" ] && ! "$venv/bin/pip" install -q "schemathesis==$SCHEMATHESIS_VERSION" >&2; then
      say "warning: pip could not install schemathesis: the schemathesis test will fail"
      rm -rf "$venv"
    fi
  fi
  RADAR_SCHEMATHESIS="$venv/bin/schemathesis"
  export RADAR_SCHEMATHESIS
}

main() {
  [[ $RUN_ID =~ ^[a-z0-9]{1,16}$ ]] || die "RADAR_TEST_RUN_ID must be 1-16 lowercase letters or digits, not '$RUN_ID'"
  ensure_rust_toolchain

  setup_postgres
  setup_redis
  # Some tests run their own servers: the embedded cluster (PostgreSQL binaries) and a Redis
  # restarted mid-test (redis-server), whatever serves the shared ones.
  pg_bin_dir >/dev/null || apt_install postgresql
  command -v redis-server >/dev/null 2>&1 || apt_install redis-server
  ensure_deploy_tools
  ensure_chromium
  ensure_schemathesis
  export RADAR_TEST_DATABASE_URL RADAR_TEST_REDIS_URL
  export RADAR_TEST_RUN_ID=$RUN_ID
  say "RADAR_TEST_DATABASE_URL=$RADAR_TEST_DATABASE_URL"
  say "RADAR_TEST_REDIS_URL=$RADAR_TEST_REDIS_URL"
  say "RADAR_TEST_RUN_ID=$RUN_ID (databases radar_test_${RUN_ID}_*, removed when the run ends)"
  CLEAN_DBS=1
  # Killed runs of long ago; a run going on now is never that old.
  drop_test_dbs 'radar\_test\_%' "leftover (over 6 hours old)" "6 hours"

  say "running: cargo test --locked $*"
  local rc=0
  cargo test --locked "$@" || rc=$?
  if [ "$rc" -eq 0 ]; then say "tests passed"; else say "tests failed (exit $rc)"; fi
  return "$rc"
}

main "$@"
