#!/usr/bin/env bash
# Sets up a fresh machine for AuditLens: a Chrome/Chromium (Debian's chromium when none is found)
# and the npm dependencies. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

have_chrome() {
	[ -n "${CHROME_PATH:-}" ] && [ -x "${CHROME_PATH}" ] && return 0
	for c in chromium chromium-browser google-chrome google-chrome-stable; do command -v "$c" >/dev/null 2>&1 && return 0; done
	[ -x "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome" ]
}

if ! have_chrome; then
	if command -v apt-get >/dev/null 2>&1; then
		echo "[setup] no Chrome found: installing Debian's chromium"
		SUDO=""
		[ "$(id -u)" -ne 0 ] && SUDO="sudo"
		$SUDO apt-get update -qq
		DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
	else
		echo "[setup] no Chrome or Chromium found. Install Google Chrome or Chromium, or set CHROME_PATH to its binary." >&2
		exit 1
	fi
fi

echo "[setup] installing npm dependencies (npm ci)"
npm ci --no-audit --no-fund
echo "[setup] done"
