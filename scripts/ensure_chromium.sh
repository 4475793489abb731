#!/usr/bin/env bash
# `make docs-shots` screenshots the site in headless Chromium. Install Debian's chromium when it is missing and
# this user may (root with apt); otherwise say how. CHROMIUM names another binary.
set -euo pipefail
[ -n "${CHROMIUM:-}" ] && exit 0
command -v chromium >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> installing Chromium (apt-get install chromium) for the docs' screenshots"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
else
    echo "==> no chromium: install it (apt-get install chromium) or set CHROMIUM to a Chromium binary" >&2
    exit 1
fi
