#!/usr/bin/env bash
# The one run command: ./scripts/serve.sh [radar serve arguments...]
#
# Runs `radar serve "$@"` through scripts/radar (which builds the release binary when needed). With
# the default configuration (database.url empty) Radar starts its own PostgreSQL under
# storage.data_dir using the machine's server binaries; they are installed (apt-get install
# postgresql, through sudo when not root) when missing. As root, the cluster runs as the `postgres`
# account; if that account cannot reach the data directory (a checkout under /root, say),
# RADAR__STORAGE__DATA_DIR is set to /var/lib/radar unless already set. Ctrl-C or SIGTERM stops it.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
cd "$(dirname "${BASH_SOURCE[0]}")/.."

LOG_PREFIX=serve.sh
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

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

main() {
  if ! cjk_font_present; then
    say "no CJK font for posters; installing fonts-wqy-microhei (best effort)"
    (apt_install fonts-wqy-microhei) || say "warning: fonts-wqy-microhei not installed: posters will lack Chinese text"
  fi
  say "running: scripts/radar serve $*"
  exec scripts/radar serve "$@"
}

main "$@"
