#!/usr/bin/env bash
# The one run command: ./scripts/serve.sh [radar serve arguments...]
#
# With the default configuration (database.url empty) Radar starts its own PostgreSQL under
# storage.data_dir using the machine's server binaries; this script installs them (apt-get
# install postgresql, through sudo when not root) when they are missing, then runs
# `cargo run --release -- serve "$@"`. As root, the cluster runs as the `postgres` account; if that
# account cannot reach the data directory (a checkout under /root, say), RADAR__STORAGE__DATA_DIR
# is set to /var/lib/radar unless already set.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
cd "$(dirname "${BASH_SOURCE[0]}")/.."

LOG_PREFIX=serve.sh
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

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

# Posters are drawn with a system font that can write Chinese (src/poster/font.rs looks in these
# places, and more); without one they carry no Chinese text.
cjk_font_present() {
  local f
  for f in /usr/share/fonts/truetype/wqy/wqy-microhei.ttc /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc \
    /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc /usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc \
    /usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf; do
    [ -f "$f" ] && return 0
  done
  return 1
}

embedded_db() {
  local url=${RADAR__DATABASE__URL-$(toml_value database url)}
  [ -z "$url" ]
}

main() {
  ensure_rust_toolchain

  if embedded_db; then
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
  fi

  if ! cjk_font_present; then
    say "no CJK font for posters; installing fonts-wqy-microhei (best effort)"
    (apt_install fonts-wqy-microhei) || say "warning: fonts-wqy-microhei not installed: posters will lack Chinese text"
  fi

  say "running: cargo run --release -- serve $*"
  exec cargo run --release -- serve "$@"
}

main "$@"
