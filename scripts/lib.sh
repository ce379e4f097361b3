# Shell helpers shared by scripts/serve.sh, scripts/radar and scripts/test.sh; sourced, never run.
#
# The sourcing script sets LOG_PREFIX (its own name, e.g. "test.sh") first: `say` and `die` tag
# their messages with it, so the user sees which script is talking.
# shellcheck shell=bash

say() { printf '[%s] %s\n' "${LOG_PREFIX:-radar}" "$*" >&2; }
die() {
  say "error: $*"
  exit 1
}
is_root() { [ "$(id -u)" -eq 0 ]; }

# Runs a command as root: directly, or through sudo.
as_root() {
  if is_root; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "root is needed for: $* (run as root or install sudo)"
  fi
}

apt_install() {
  command -v apt-get >/dev/null 2>&1 ||
    die "apt-get not found: install $* with your system's package manager, then rerun"
  say "installing $* with apt-get"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >&2 ||
    {
      say "install failed; running apt-get update and retrying"
      as_root env DEBIAN_FRONTEND=noninteractive apt-get update >&2
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >&2
    }
}

# Makes cargo reachable (~/.cargo/bin when not on PATH) and installs the C linker Rust uses.
ensure_rust_toolchain() {
  if ! command -v cargo >/dev/null 2>&1 && [ -x "$HOME/.cargo/bin/cargo" ]; then PATH="$HOME/.cargo/bin:$PATH"; fi
  command -v cargo >/dev/null 2>&1 || die "cargo not found: install Rust from https://rustup.rs"
  command -v cc >/dev/null 2>&1 || apt_install gcc libc6-dev # the linker Rust uses
}

# The first directory holding initdb and pg_ctl: PATH, /usr/lib/postgresql/<highest>/bin,
# /usr/local/pgsql/bin, /opt/homebrew/bin (the search of src/embedded/binaries.rs).
pg_bin_dir() {
  local d
  local -a dirs=()
  IFS=: read -r -a dirs <<<"${PATH:-}"
  if [ -d /usr/lib/postgresql ]; then
    while IFS= read -r d; do dirs+=("/usr/lib/postgresql/$d/bin"); done < <(ls -1 /usr/lib/postgresql | sort -Vr)
  fi
  dirs+=(/usr/local/pgsql/bin /opt/homebrew/bin)
  for d in "${dirs[@]}"; do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
      printf '%s\n' "$d"
      return 0
    fi
  done
  return 1
}

# Value of `key = "value"` in [section] of config.toml (empty when absent).
toml_value() {
  awk -v section="[$1]" -v key="$2" '
    /^[ \t]*\[/ { in_section = ($0 ~ "^[ \t]*\\[" substr(section, 2, length(section) - 2) "\\]") }
    in_section && $0 ~ "^[ \t]*" key "[ \t]*=" {
      sub(/^[^=]*=[ \t]*"/, ""); sub(/".*$/, ""); print; exit
    }' config.toml 2>/dev/null || true
}

# Whether the postgres account can enter $1 (or, if it does not exist yet, its nearest ancestor).
postgres_can_reach() {
  local dir=$1
  while [ ! -e "$dir" ] && [ "$dir" != / ]; do dir=$(dirname "$dir"); done
  if command -v runuser >/dev/null 2>&1; then
    (cd / && runuser -u postgres -- test -x "$dir")
  else
    # shellcheck disable=SC2016 # $1 belongs to the inner shell
    (cd / && su -s /bin/sh postgres -c 'test -x "$1"' -- "$dir")
  fi
}

# Whether Radar will run its embedded PostgreSQL (database.url empty, in env or config.toml).
embedded_db() {
  local url=${RADAR__DATABASE__URL-$(toml_value database url)}
  [ -z "$url" ]
}

# For the embedded default: installs the PostgreSQL server binaries when missing; as root, when the
# postgres account (which runs the cluster) cannot reach the data directory, exports
# RADAR__STORAGE__DATA_DIR=/var/lib/radar unless already set. Run from the checkout's root.
prepare_embedded_default() {
  embedded_db || return 0
  local bin
  if bin=$(pg_bin_dir); then
    say "PostgreSQL server binaries: $bin"
  else
    say "PostgreSQL server binaries (initdb, pg_ctl) not found; installing the postgresql package"
    apt_install postgresql
    bin=$(pg_bin_dir) || die "PostgreSQL server binaries still not found after installing postgresql"
    say "PostgreSQL server binaries: $bin"
  fi
  if is_root && [ -z "${RADAR__STORAGE__DATA_DIR:-}" ]; then
    id postgres >/dev/null 2>&1 || die "running as root, but there is no postgres account (initdb refuses to run as root): apt-get install -y postgresql"
    local data_dir
    data_dir=$(toml_value storage data_dir)
    data_dir=${data_dir:-./data}
    case $data_dir in /*) ;; *) data_dir="$PWD/${data_dir#./}" ;; esac
    if ! postgres_can_reach "$data_dir"; then
      export RADAR__STORAGE__DATA_DIR=/var/lib/radar
      say "the postgres account cannot reach $data_dir: using RADAR__STORAGE__DATA_DIR=$RADAR__STORAGE__DATA_DIR"
    fi
  fi
}
