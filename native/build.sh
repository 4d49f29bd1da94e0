#!/usr/bin/env bash
# Builds what live capture needs beyond plain npm packages, then runs native/check.mjs:
#   1. wirewhy's libpcap binding, native/build/Release/wwpcap.node (node-gyp, via
#      `npm run build:native`; `npm install` does the same when libpcap-dev is there);
#   2. native/bin/ww-pktstats, the kernel-drop helper used only by the `cap` fallback (cap has no
#      pcap_stats; wwpcap does not need it).
# Safe to run again.
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
npm run --silent build:native
mkdir -p "$HERE/bin"
cc -O2 -Wall -o "$HERE/bin/ww-pktstats" "$HERE/pktstats.c"
echo "built native/bin/ww-pktstats (for the cap fallback)"
node "$HERE/check.mjs" || true
