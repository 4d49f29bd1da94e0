#!/usr/bin/env bash
# Checks that the "binding missing" hint of `wirewhy interfaces` gives steps that work, where it
# matters: a clone and a global install whose `cap` build failed at `npm install` (npm then
# leaves cap out, and `npm rebuild cap` does nothing). The build is made to fail by pointing
# node-gyp at Node headers that do not exist; then the printed command is run as printed (less
# sudo, as root) and `wirewhy interfaces` must work. Needs libpcap-dev, a compiler and the npm
# registry; takes a few minutes. Not part of the test suite.
#   bash scripts/check-binding-hint.sh [REPO]   (default: this checkout; commit first: it clones)
set -u
REPO=$(cd "${1:-$(dirname "$0")/..}" && pwd)
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
fail=0
run_hint() { # $1: the wirewhy command
  local line cmd
  line=$($1 interfaces 2>&1 >/dev/null)
  echo "message: $line"
  cmd=$(printf '%s' "$line" | sed -e 's/.*install it: //' -e 's/ (see native\/README.md)$//' -e 's/^sudo //')
  echo "running: $cmd"
  if ! (DEBIAN_FRONTEND=noninteractive sh -c "$cmd" >"$W/hint.log" 2>&1); then echo "FAILED: the hint's command (see $W/hint.log)"; fail=1; fi
  if $1 interfaces >/dev/null 2>&1; then echo "ok: wirewhy interfaces works after the hint"; else echo "FAILED: wirewhy interfaces still fails"; fail=1; fi
}
git clone -q "$REPO" "$W/clone" && cd "$W/clone" || exit 2
npm_config_nodedir=/nonexistent npm install >/dev/null 2>&1
echo "clone: cap after a failed build: $(ls -d node_modules/cap 2>/dev/null || echo absent)"
npm rebuild cap >/dev/null 2>&1
echo "clone: after npm rebuild cap: $(ls node_modules/cap/build/Release/cap.node 2>/dev/null || echo still absent)"
run_hint "node $W/clone/dist/src/cli/main.js"
[ -d node_modules/vitest ] || { echo "FAILED: the hint removed the development dependencies"; fail=1; }
[ -z "$(git status --porcelain)" ] || { echo "FAILED: the hint changed tracked files"; git status --short; fail=1; }
npm pack >/dev/null 2>&1 && npm_config_nodedir=/nonexistent npm install -g --prefix "$W/global" ./wirewhy-*.tgz >/dev/null 2>&1
echo "global: cap after a failed build: $(ls -d "$W"/global/lib/node_modules/wirewhy/node_modules/cap 2>/dev/null || echo absent)"
run_hint "$W/global/bin/wirewhy"
[ -d "$W/global/lib/node_modules/wirewhy/node_modules/vitest" ] && { echo "FAILED: development dependencies installed globally"; fail=1; }
rm -rf "$W"
exit $fail
