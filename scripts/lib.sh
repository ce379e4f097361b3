# Shell helpers shared by scripts/serve.sh and scripts/test.sh; sourced, never run.
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
