#!/usr/bin/env bash
# The browser tests drive Debian's chromium through Playwright (Playwright cannot download
# its own browser here). Install it, with CJK fonts for the Chinese pages, when missing.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "The browser tests need Debian's chromium: run 'sudo apt-get install -y chromium fonts-noto-cjk'." >&2
  exit 1
fi
echo "Installing Debian's chromium for the browser tests"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
