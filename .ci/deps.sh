#!/usr/bin/env bash
# Installs what the test suite needs on a Debian machine, only if missing:
# PostgreSQL server binaries (the tests start a throwaway cluster), Chromium
# and its headless shell (browser tests), WenQuanYi Micro Hei (the PDF font; Chinese in screenshots), and
# poppler-utils and qpdf (the PDF tests read back what they render).
set -euo pipefail

need=()
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need+=(postgresql)
command -v chromium >/dev/null || need+=(chromium)
# The browser tests drive Chromium's headless shell when it is there (the
# same Blink from Debian's chromium source package, without the full
# browser around it): the browser journeys ran 2.5 times faster with it
# (docs/testing.md § Browser tests).
command -v chromium-headless-shell >/dev/null || need+=(chromium-headless-shell)
# The PDF code embeds WenQuanYi Micro Hei and its test re-splits Debian's
# file, so that exact font is needed even when another CJK font is present.
[ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || need+=(fonts-wqy-microhei)
command -v pdftotext >/dev/null || need+=(poppler-utils)   # PDF text checks
command -v qpdf >/dev/null || need+=(qpdf)                 # PDF structure checks

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi

echo "deps: installing ${need[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then
    SUDO="sudo"
  else
    echo "deps: missing ${need[*]} and not root; install them with apt-get (or set JIKE_TEST_DATABASE_URL for PostgreSQL)" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
# The Debian package starts a system cluster we do not use; tests run their own.
if [[ " ${need[*]} " == *" postgresql "* ]]; then
  $SUDO service postgresql stop >/dev/null 2>&1 || true
fi
