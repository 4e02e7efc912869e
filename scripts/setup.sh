#!/usr/bin/env bash
# Sets up a fresh machine for AuditLens: a Chrome/Chromium (Debian's chromium when none is found),
# Redis for the queue tests (Debian's redis-server when none is found), the npm dependencies, and a
# Node.js >= 22.19 for the project's npm scripts when the system's is older (Lighthouse 13 needs it).
# Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

have_chrome() {
	[ -n "${CHROME_PATH:-}" ] && [ -x "${CHROME_PATH}" ] && return 0
	for c in chromium chromium-browser google-chrome google-chrome-stable; do command -v "$c" >/dev/null 2>&1 && return 0; done
	[ -x "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome" ]
}

# The queue tests (test/engine/queue/*.test.ts) start redis-server themselves, as a plain process on a free
# port: they need the binary only, never a running service (where the package starts one, they leave it be).
have_redis() {
	[ -n "${REDIS_SERVER:-}" ] && [ -x "${REDIS_SERVER}" ] && return 0
	command -v redis-server >/dev/null 2>&1
}

missing=()
have_chrome || missing+=(chromium)
have_redis || missing+=(redis-server)
if [ "${#missing[@]}" -gt 0 ]; then
	if command -v apt-get >/dev/null 2>&1; then
		echo "[setup] installing Debian's ${missing[*]} (none found)"
		SUDO=""
		[ "$(id -u)" -ne 0 ] && SUDO="sudo"
		$SUDO apt-get update -qq
		DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
	elif ! have_chrome; then
		echo "[setup] no Chrome or Chromium found. Install Google Chrome or Chromium, or set CHROME_PATH to its binary." >&2
		exit 1
	else
		# Only the queue tests need it; the demo, the extension and the CLI run without.
		echo "[setup] warning: no redis-server found; the queue tests need one (install Redis 6.2 or newer, or set REDIS_SERVER to its binary)" >&2
	fi
fi

# Lighthouse 13 needs Node >= 22.19. When the system's Node is older, fetch Node 24 from the npm registry
# (the official binaries, published as node-<os>-<arch>), keep it in a cache outside the repo, install the
# dependencies with it, and link it as node_modules/.bin/node: npm puts that folder first on PATH for
# `npm run ...`, `npm test` and `npx`, so the project runs on it while the rest of the machine keeps its Node.
node_ok() { "$1" -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>22||(a===22&&b>=19)?0:1)' 2>/dev/null; }
bin=""
system_node="$(node -v 2>/dev/null || echo none)"
if node_ok node; then
	echo "[setup] using the system Node $(node -v)"
else
	case "$(uname -s)" in Linux) os=linux ;; Darwin) os=darwin ;; *) os="" ;; esac
	case "$(uname -m)" in x86_64 | amd64) cpu=x64 ;; aarch64 | arm64) cpu=arm64 ;; *) cpu="" ;; esac
	if [ -z "$os" ] || [ -z "$cpu" ]; then
		echo "[setup] the system Node $(node -v) is older than 22.19, which Lighthouse 13 needs; install Node 22.19 or newer from https://nodejs.org and run this again." >&2
		exit 1
	fi
	cache="${XDG_CACHE_HOME:-$HOME/.cache}/auditlens/node24-${os}-${cpu}"
	bin="$cache/node_modules/node-${os}-${cpu}/bin/node"
	if ! node_ok "$bin"; then
		echo "[setup] the system Node $(node -v) is older than 22.19 (Lighthouse 13 needs it): fetching Node 24 from the npm registry (node-${os}-${cpu}) into $cache"
		mkdir -p "$cache"
		npm install --prefix "$cache" --no-save --no-package-lock --ignore-scripts --no-audit --no-fund "node-${os}-${cpu}@24" >/dev/null
		node_ok "$bin" || { echo "[setup] the Node fetched into $cache does not run; install Node 22.19 or newer and run this again." >&2; exit 1; }
	fi
	export PATH="$(dirname "$bin"):$PATH"
fi

echo "[setup] installing npm dependencies (npm ci)"
npm ci --no-audit --no-fund

if [ -n "$bin" ]; then
	ln -sf "$bin" node_modules/.bin/node
	echo "[setup] the system Node ${system_node} is older than 22.19: npm scripts here (npm run demo, npm test, npx auditlens) use Node $("$bin" -v) from ${bin%/node_modules/*} via node_modules/.bin/node"
fi
echo "[setup] done"
