#!/usr/bin/env bash
# Trust under loss: real transfers (curl, nginx, unbound, the kernel's TCP) through a router that
# loses, duplicates or throttles packets, captured at the client; then wirewhy's verdicts are set
# against curl's own account of every fetch. A failure claimed for a target every fetch of which
# curl completed is a false FAIL; a fetch curl saw fail must not be told as "worked".
#
#   sudo bash scripts/lossy-check.sh [--keep DIR] [--only NAME,NAME] [--fetches N]
#
# Profiles (iptables on the router's FORWARD chain, both directions, and tbf):
#   loss3, loss10, loss25     random loss of that percentage
#   dup5                      5 % of packets duplicated (TEE), 2 % lost
#   throttle                  a 4 Mbit/s bottleneck with a shallow queue (tail drops in bursts)
#   capdrop                   no network loss; the capture itself misses 3 % of packets
#   blackhole                 a 4 Mbit/s bottleneck, and 0.4 s into each fetch the router drops
#                             everything to and from the server until curl gives up (6 s)
#   serverabort               a 4 Mbit/s bottleneck, and 0.3 s into each fetch the server's kernel
#                             resets its connections to the client (ss -K), a worker dying mid-response
# Each profile runs --fetches fetches (default 24): HTTP and HTTPS, 3 KB to 600 KB, by name.
# Prints one block per profile and a last line "N false FAIL, N missed"; exit 1 if any.
# Needs root (namespaces). Topology, documentation addresses only:
#   lc-client 192.0.2.10 -- lc-router 192.0.2.1 | 203.0.113.1 -- lc-server 203.0.113.10 (nginx :80 :443)
#                                               | 198.51.100.1 -- lc-dns 198.51.100.53 (unbound)
set -Eeuo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KEEP="" ONLY="" FETCHES=24
while (($#)); do
  case $1 in
    --keep) KEEP=$2; shift 2 ;;
    --only) ONLY=",$2,"; shift 2 ;;
    --fetches) FETCHES=$2; shift 2 ;;
    *) echo "lossy-check: unknown argument $1" >&2; exit 2 ;;
  esac
done
[[ $(id -u) == 0 ]] || { echo "lossy-check: run as root (it creates network namespaces)" >&2; exit 2; }
export PATH=$PATH:/usr/sbin:/sbin
need=()
for pair in unbound:unbound tcpdump:tcpdump curl:curl openssl:openssl nginx:nginx-light ip:iproute2 iptables:iptables tc:iproute2 ethtool:ethtool; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || need+=("${pair#*:}")
done
if ((${#need[@]})); then
  timeout 300 apt-get update -qq
  made_policy=""
  [[ -e /usr/sbin/policy-rc.d ]] || { printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d; made_policy=1; }
  DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq "${need[@]}" >/dev/null
  [[ -n $made_policy ]] && rm -f /usr/sbin/policy-rc.d
fi
[[ -f $HERE/dist/src/cli/main.js ]] || (cd "$HERE" && npx tsc -p .)

NSC=lc-client NSR=lc-router NSS=lc-server NSD=lc-dns
ALL=("$NSC" "$NSR" "$NSS" "$NSD")
WORK=$(mktemp -d /tmp/lossy-check.XXXXXX)
chmod 755 "$WORK"
cleanup() {
  local rc=$?
  set +e
  for ns in "${ALL[@]}"; do
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
    ip netns del "$ns" 2>/dev/null
    rm -rf "/etc/netns/$ns"
  done
  if [[ -n $KEEP ]]; then mkdir -p "$KEEP" && cp "$WORK"/*.pcap "$WORK"/*.fetches "$WORK"/*.json "$KEEP"/ 2>/dev/null; fi
  rm -rf "$WORK"
  # (its sleep too: it holds the output open, and a pipe into tail would wait for it)
  [[ -n ${WATCHDOG:-} ]] && { pkill -P "$WATCHDOG" 2>/dev/null; kill "$WATCHDOG" 2>/dev/null; }
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM
( sleep 1500; echo "lossy-check: more than 1500 s, stopping" >&2; kill -TERM $$ ) 2>/dev/null &
WATCHDOG=$!
inns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

for ns in "${ALL[@]}"; do
  ip netns del "$ns" 2>/dev/null || true
  ip netns add "$ns"
  inns "$ns" ip link set lo up
done
ip link add c0 netns "$NSC" type veth peer name r-c netns "$NSR"
ip link add s0 netns "$NSS" type veth peer name r-s netns "$NSR"
ip link add d0 netns "$NSD" type veth peer name r-d netns "$NSR"
inns "$NSC" ip addr add 192.0.2.10/24 dev c0
inns "$NSR" ip addr add 192.0.2.1/24 dev r-c
inns "$NSR" ip addr add 203.0.113.1/24 dev r-s
inns "$NSR" ip addr add 198.51.100.1/24 dev r-d
inns "$NSS" ip addr add 203.0.113.10/24 dev s0
inns "$NSD" ip addr add 198.51.100.53/24 dev d0
for pair in "$NSC c0" "$NSR r-c" "$NSR r-s" "$NSR r-d" "$NSS s0" "$NSD d0"; do
  set -- $pair
  inns "$1" ip link set "$2" up
  inns "$1" ethtool -K "$2" tx off tso off gso off gro off >/dev/null 2>&1 || true
done
inns "$NSC" ip route add default via 192.0.2.1
inns "$NSS" ip route add default via 203.0.113.1
inns "$NSD" ip route add default via 198.51.100.1
inns "$NSR" sysctl -qw net.ipv4.ip_forward=1
mkdir -p "/etc/netns/$NSC"
printf 'nameserver 198.51.100.53\noptions timeout:2 attempts:3\n' >"/etc/netns/$NSC/resolv.conf"
printf '127.0.0.1 localhost\n' >"/etc/netns/$NSC/hosts"

cd "$WORK"
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 3650 -subj "/CN=lossy-check CA" \
  -addext basicConstraints=critical,CA:TRUE >/dev/null 2>&1
openssl req -new -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr -subj "/CN=www.example.com" \
  -addext "subjectAltName=DNS:www.example.com,DNS:files.example.com" >/dev/null 2>&1
openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 825 -copy_extensions copyall -out srv.pem >/dev/null 2>&1

cat >unbound.conf <<EOF
server:
  interface: 198.51.100.53
  do-daemonize: no
  username: ""
  chroot: ""
  directory: "$WORK"
  pidfile: ""
  use-syslog: no
  access-control: 0.0.0.0/0 allow
  module-config: "iterator"
  local-zone: "example.com." static
  local-data: "www.example.com. 300 IN A 203.0.113.10"
  local-data: "files.example.com. 300 IN A 203.0.113.10"
EOF
inns "$NSD" unbound -d -c "$WORK/unbound.conf" >unbound.out 2>&1 &

mkdir -p www nginx
for k in 3 40 200 600; do head -c $((k * 1024)) /dev/urandom >"www/f$k"; done
cat >nginx/nginx.conf <<EOF
worker_processes 1;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx/body;
  proxy_temp_path $WORK/nginx/proxy;
  fastcgi_temp_path $WORK/nginx/fastcgi;
  uwsgi_temp_path $WORK/nginx/uwsgi;
  scgi_temp_path $WORK/nginx/scgi;
  server {
    listen 203.0.113.10:80;
    listen 203.0.113.10:443 ssl;
    ssl_certificate $WORK/srv.pem;
    ssl_certificate_key $WORK/srv.key;
    root $WORK/www;
  }
}
EOF
inns "$NSS" nginx -p "$WORK/nginx/" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log" >nginx.out 2>&1 </dev/null &
for _ in $(seq 50); do
  inns "$NSS" ss -ltn | grep -q '203.0.113.10:443' && inns "$NSD" ss -lun | grep -q '198.51.100.53:53' && break
  sleep 0.1
done

R() { inns "$NSR" "$@"; }
clear_profile() {
  R iptables -F FORWARD; R iptables -t mangle -F PREROUTING
  R tc qdisc del dev r-c root 2>/dev/null || true; R tc qdisc del dev r-s root 2>/dev/null || true
}
set_profile() {
  clear_profile
  case $1 in
    loss3|loss10|loss25)
      local p; p=$(awk -v n="${1#loss}" 'BEGIN { printf "%.2f", n / 100 }')
      R iptables -A FORWARD -m statistic --mode random --probability "$p" -j DROP ;;
    dup5)
      R iptables -t mangle -A PREROUTING -i r-s -m statistic --mode random --probability 0.05 -j TEE --gateway 192.0.2.10
      R iptables -t mangle -A PREROUTING -i r-c -d 203.0.113.10 -m statistic --mode random --probability 0.05 -j TEE --gateway 203.0.113.10
      R iptables -A FORWARD -m statistic --mode random --probability 0.02 -j DROP ;;
    throttle|blackhole|serverabort)
      R tc qdisc add dev r-c root tbf rate 4mbit burst 6kb limit 12kb
      R tc qdisc add dev r-s root tbf rate 4mbit burst 6kb limit 12kb ;;
    capdrop) ;;
  esac
}

PROFILES=(loss3 loss10 loss25 dup5 throttle capdrop blackhole serverabort)
false_total=0 missed_total=0
for prof in "${PROFILES[@]}"; do
  [[ -z $ONLY || $ONLY == *",$prof,"* ]] || continue
  set_profile "$prof"
  cap=$WORK/$prof.pcap
  # (ip netns exec runs tcpdump in its own process: $! is tcpdump's pid, which the INT below reaches)
  ip netns exec "$NSC" tcpdump -i c0 -s 0 -U -w "$cap" 'not arp and not icmp6' >/dev/null 2>tcpdump.err &
  tcpd=$!
  sleep 0.5
  : >"$WORK/$prof.fetches"
  for i in $(seq "$FETCHES"); do
    case $((i % 4)) in 0) f=f3 ;; 1) f=f40 ;; 2) f=f200 ;; 3) f=f600 ;; esac
    [[ $prof == loss25 && $f == f600 ]] && f=f40
    scheme=$([[ $((i % 2)) == 0 ]] && echo https || echo http)
    host=$([[ $((i % 3)) == 0 ]] && echo files.example.com || echo www.example.com)
    rc=0 maxt=45 hole=""
    if [[ $prof == blackhole ]]; then
      maxt=6
      ( sleep 0.4; R iptables -I FORWARD 1 -d 203.0.113.10 -j DROP; R iptables -I FORWARD 1 -s 203.0.113.10 -j DROP ) &
      hole=$!
    elif [[ $prof == serverabort ]]; then
      # the server's side aborts its connections to the client 0.3 s into the fetch (ss -K: the
      # kernel resets them), as a worker that crashes mid-response does
      ( sleep 0.3; inns "$NSS" ss -K -t dst 192.0.2.10 >/dev/null 2>&1 || true ) &
      hole=$!
    fi
    code=$(inns "$NSC" timeout 60 curl -4 -s -o /dev/null -w '%{http_code}' --max-time "$maxt" --connect-timeout 20 \
      --cacert ca.pem "$scheme://$host/$f") || rc=$?
    if [[ -n $hole ]]; then
      wait "$hole" 2>/dev/null || true
      R iptables -D FORWARD -d 203.0.113.10 -j DROP 2>/dev/null || true
      R iptables -D FORWARD -s 203.0.113.10 -j DROP 2>/dev/null || true
    fi
    port=$([[ $scheme == https ]] && echo 443 || echo 80)
    echo "$host $port $rc $code" >>"$WORK/$prof.fetches"
  done
  sleep 1
  kill -INT "$tcpd" 2>/dev/null; wait "$tcpd" 2>/dev/null || true
  clear_profile
  if [[ $prof == capdrop ]]; then
    # the capture misses 3 % of its packets (a seeded draw: the same packets each run)
    python3 - "$cap" <<'PY'
import random, struct, sys
p = sys.argv[1]; b = open(p, 'rb').read(); out = bytearray(b[:24]); o = 24; r = random.Random(7)
while o + 16 <= len(b):
    n = struct.unpack_from('<I', b, o + 8)[0]
    if r.random() >= 0.03: out += b[o:o + 16 + n]
    o += 16 + n
open(p, 'wb').write(out)
PY
  fi
  node "$HERE/dist/src/cli/main.js" analyze "$cap" --format json --max-verdicts 0 -o "$WORK/$prof.json" >/dev/null 2>&1 || true
  read -r fl ms < <(node "$HERE/scripts/lossy-judge.mjs" "$prof" "$WORK/$prof.fetches" "$WORK/$prof.json")
  false_total=$((false_total + fl)); missed_total=$((missed_total + ms))
done
echo "$false_total false FAIL, $missed_total missed"
((false_total == 0 && missed_total == 0))
