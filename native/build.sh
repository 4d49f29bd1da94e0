#!/usr/bin/env bash
# Builds what live capture needs beyond plain npm packages:
#   1. the `cap` binding to libpcap (node_modules/cap/build/Release/cap.node), compiled by
#      node-gyp against libpcap-dev — npm runs its install script only because package.json
#      approves it ("allowScripts": {"cap": true}); `npm rebuild cap` redoes it;
#   2. native/build/ww-pktstats, the helper that reads the kernel's drop counters
#      (PACKET_STATISTICS) of wirewhy's capture socket: `cap` has no pcap_stats().
# Then runs native/check.mjs. Safe to run again.
#
#   sudo apt-get install libpcap-dev build-essential python3   (headers, compiler, node-gyp's python)
#   bash native/build.sh
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)

missing=()
[[ -e /usr/include/pcap/pcap.h || -e /usr/include/pcap.h ]] || missing+=(libpcap-dev)
command -v cc >/dev/null 2>&1 || missing+=(build-essential)
command -v make >/dev/null 2>&1 || missing+=(build-essential)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
if ((${#missing[@]})); then
  echo "native/build.sh: missing: ${missing[*]}; install them: sudo apt-get install ${missing[*]}" >&2
  exit 2
fi

cd "$ROOT"
if [[ ! -e node_modules/cap/build/Release/cap.node ]]; then
  echo "building the cap binding (npm rebuild cap)"
  if [[ -d node_modules/cap ]]; then npm rebuild cap --foreground-scripts; else npm install --no-save cap@^0.2.1 --foreground-scripts; fi
fi
mkdir -p "$HERE/build"
cc -O2 -Wall -o "$HERE/build/ww-pktstats" "$HERE/pktstats.c"
echo "built native/build/ww-pktstats"
node "$HERE/check.mjs" || true
