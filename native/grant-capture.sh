#!/usr/bin/env bash
# Lets a non-root user capture: gives the node binary the two capabilities libpcap needs on
# Linux (CAP_NET_RAW opens packet sockets, CAP_NET_ADMIN sets promiscuous mode / the ring).
#
#   sudo bash native/grant-capture.sh            # grant, on the node found in PATH
#   sudo bash native/grant-capture.sh --remove   # take them back
#   sudo bash native/grant-capture.sh /path/to/node
#
# Note: every script run by that node binary gets these capabilities, and a node upgrade
# replaces the file (run this again). A dedicated copy of node used only for wirewhy is tidier.
set -euo pipefail
remove=0
node_bin=""
for a in "$@"; do
  case $a in
    --remove) remove=1 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) node_bin=$a ;;
  esac
done
[[ -n $node_bin ]] || node_bin=$(command -v node)
node_bin=$(readlink -f "$node_bin")
[[ $(id -u) == 0 ]] || { echo "grant-capture.sh: run as root: sudo bash $0 $*" >&2; exit 2; }
command -v setcap >/dev/null 2>&1 || PATH=$PATH:/usr/sbin:/sbin
command -v setcap >/dev/null 2>&1 || { echo "grant-capture.sh: setcap not found; install it: sudo apt-get install libcap2-bin" >&2; exit 2; }
if ((remove)); then
  setcap -r "$node_bin" 2>/dev/null || true
  echo "removed capabilities from $node_bin"
else
  setcap cap_net_raw,cap_net_admin=eip "$node_bin"
  echo "granted cap_net_raw,cap_net_admin=eip to $node_bin"
fi
getcap "$node_bin" || true
