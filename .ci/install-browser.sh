#!/usr/bin/env bash
# Installs what the browser tests (server/src/test/.../web/BrowserTest, web-tests/) need from outside the
# build: Debian's Chromium at /usr/bin/chromium. Playwright (playwright-core from npm) drives that binary and
# never downloads a browser of its own; the test installs playwright-core itself with `npm ci`.
# Idempotent: does nothing when /usr/bin/chromium is already there.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  echo "install-browser: $(/usr/bin/chromium --version 2>/dev/null || echo chromium) already installed"
  exit 0
fi

# shellcheck source=apt-install.sh
. "$(dirname "$0")/apt-install.sh"
echo "install-browser: apt-get install chromium (Debian's package; its recommends bring the fonts)"
apt_install install-browser chromium
if [ ! -x /usr/bin/chromium ]; then
  echo "install-browser: chromium was installed but /usr/bin/chromium is missing" >&2
  exit 1
fi
echo "install-browser: $(/usr/bin/chromium --version 2>/dev/null || echo chromium) installed"
