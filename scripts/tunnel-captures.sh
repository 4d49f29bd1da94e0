#!/usr/bin/env bash
# Makes the tunnel captures of test/fixtures/tunnels/ (root needed: network namespaces).
#
# The inner traffic is real: two network namespaces joined by a veth pair, a Python HTTP server,
# curl, an unbound resolver answering a local zone, dig and ping, over IPv4 (192.0.2.0/24) and
# IPv6 (2001:db8:20::/64), captured with tcpdump. The tunnel around it is built from the RFCs by
# scripts/tunnel-captures.ts: this machine's kernel has no geneve, gre or ppp support (`ip link
# add ... type geneve|gre` answers "Unknown device type", there is no /dev/ppp), so no kernel or
# pppd/pptpd stack can make GENEVE or PPTP traffic here, and Teredo (miredo) needs a server with
# global addresses. Each encapsulation is checked against tshark's reading by the fixtures of
# scripts/tshark-fixtures.sh test/fixtures/tunnels.
#
# Usage: scripts/tunnel-captures.sh   (then: scripts/tshark-fixtures.sh test/fixtures/tunnels)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
out="$repo/test/fixtures/tunnels"
work="$(mktemp -d)"
A=i20tun-a
B=i20tun-b

cleanup() {
  [ -n "${tcpd:-}" ] && kill "$tcpd" 2>/dev/null || true
  [ -n "${httpd:-}" ] && kill "$httpd" 2>/dev/null || true
  [ -n "${dns:-}" ] && kill "$dns" 2>/dev/null || true
  ip netns del "$A" 2>/dev/null || true
  ip netns del "$B" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

ip netns add "$A"
ip netns add "$B"
ip link add a0 netns "$A" type veth peer name b0 netns "$B"
ip -n "$A" addr add 192.0.2.1/24 dev a0
ip -n "$B" addr add 192.0.2.2/24 dev b0
ip -n "$A" addr add 2001:db8:20::1/64 dev a0 nodad
ip -n "$B" addr add 2001:db8:20::2/64 dev b0 nodad
for ns in "$A" "$B"; do
  ip -n "$ns" link set lo up
done
ip -n "$A" link set a0 up
ip -n "$B" link set b0 up
# Fixed MAC addresses: the inner Ethernet frames (GENEVE carries them) are the same on every run.
ip -n "$A" link set a0 address 02:00:00:00:20:01
ip -n "$B" link set b0 address 02:00:00:00:20:02
# Checksums computed by the stack, not left to an offload that a veth never performs: the inner
# packets are captured as a wire would carry them.
ip netns exec "$A" ethtool -K a0 tx off >/dev/null 2>&1 || true
ip netns exec "$B" ethtool -K b0 tx off >/dev/null 2>&1 || true

echo 'hello through a tunnel' >"$work/index.html"
(cd "$work" && exec ip netns exec "$B" timeout 60 python3 -m http.server --bind :: 8080 >/dev/null 2>&1) &
httpd=$!
cat >"$work/unbound.conf" <<EOF
server:
  interface: 192.0.2.2
  interface: 2001:db8:20::2
  access-control: 0.0.0.0/0 allow
  access-control: ::/0 allow
  username: ""
  chroot: ""
  directory: "$work"
  pidfile: "$work/unbound.pid"
  use-syslog: no
  do-daemonize: no
  local-zone: "example.org." static
  local-data: "www.example.org. 300 IN A 203.0.113.80"
  local-data: "www.example.org. 300 IN AAAA 2001:db8:80::80"
EOF
ip netns exec "$B" timeout 60 unbound -d -c "$work/unbound.conf" >/dev/null 2>&1 &
dns=$!
sleep 1.5

ip netns exec "$A" timeout 60 tcpdump -i a0 -U -s 0 -w "$work/inner.pcap" 'ip or ip6 and not icmp6[0] >= 133' 2>/dev/null &
tcpd=$!
sleep 1

run() { ip netns exec "$A" timeout 10 "$@" >/dev/null 2>&1 || true; }
run dig +tries=1 +timeout=2 @192.0.2.2 www.example.org A
run curl -s --max-time 5 http://192.0.2.2:8080/
run ping -c 1 -W 2 192.0.2.2
run dig +tries=1 +timeout=2 @2001:db8:20::2 www.example.org AAAA
run curl -s --max-time 5 'http://[2001:db8:20::2]:8080/'
run ping -6 -c 1 -W 2 2001:db8:20::2
sleep 1
kill "$tcpd"
wait "$tcpd" 2>/dev/null || true
tcpd=

mkdir -p "$out"
(cd "$repo" && npx tsc -p tsconfig.json && node dist/scripts/tunnel-captures.js "$work/inner.pcap" "$out")
ls -l "$out"
