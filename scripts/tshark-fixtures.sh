#!/usr/bin/env bash
# Store tshark's reading of packet captures as test fixtures.
#
# Usage: scripts/tshark-fixtures.sh [DIR...]
#
#   DIR defaults to ../shared/captures (relative to the repository root) and
#   samples.  Every *.pcap, *.pcapng, *.cap (optionally .gz) found under each
#   DIR is read with tshark; results go to test/fixtures/tshark/<set>/
#   (<file name>.tsv + index.json) and test/fixtures/tshark/README.md.
#   <set> is shared/<subdir> for the shared captures, samples for samples/.
#   A missing DIR is skipped with a warning; an empty one gives an empty
#   index.json.  Output is deterministic: running twice gives identical files.
#
# The work is done by scripts/tshark-fixtures.py; this wrapper installs tshark
# when it is missing and pins the environment.
set -euo pipefail

export TZ=UTC
export LC_ALL=C
unset LANG LANGUAGE || true

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

if ! command -v tshark >/dev/null 2>&1 || ! command -v capinfos >/dev/null 2>&1; then
  echo "tshark/capinfos not found; installing tshark with apt-get" >&2
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y tshark
fi

if ! command -v python3 >/dev/null 2>&1; then
  echo "python3 is required" >&2
  exit 1
fi

exec python3 "$here/tshark-fixtures.py" "$@"
