#!/usr/bin/env bash
# Regenerates every capture in samples/ from real traffic between network namespaces.
#
#   sudo bash samples/make.sh        (needs root; Debian 12; no internet needed beyond apt)
#
# Topology (documentation addresses only, no route to anything else):
#
#   ww-client  c0 192.0.2.10/24  2001:db8:2::10/64
#        |
#   ww-router  r-c 192.0.2.1/24  2001:db8:2::1/64      (forwards; iptables/ip6tables rules)
#              r-s 203.0.113.1/25 2001:db8:203::1/64   -> ww-server (203.0.113.10-.30, 2001:db8:203::10/11/30)
#              r-d 198.51.100.1/24 2001:db8:198::1/64  -> ww-dns    (198.51.100.53/.54, 2001:db8:198::53)
#
# tcpdump runs in ww-client on c0; every capture holds one behaviour. Everything (namespaces,
# processes, temp dir, /etc/netns/ww-*) is removed on exit, also on failure.
set -Eeuo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PY=/usr/bin/python3
NSC=ww-client NSR=ww-router NSS=ww-server NSD=ww-dns
ALL_NS=("$NSC" "$NSR" "$NSS" "$NSD")
START=$(date +%s)

[[ $(id -u) == 0 ]] || { echo "make.sh: run as root (it creates network namespaces)" >&2; exit 2; }

# ---------------------------------------------------------------- packages
need=()
for pair in dig:bind9-dnsutils unbound:unbound tinyproxy:tinyproxy tcpdump:tcpdump tshark:tshark \
            editcap:wireshark-common capinfos:wireshark-common openssl:openssl curl:curl \
            gnutls-cli:gnutls-bin ip:iproute2 iptables:iptables ip6tables:iptables ethtool:ethtool timeout:coreutils; do
  cmd=${pair%%:*} pkg=${pair#*:}
  command -v "$cmd" >/dev/null 2>&1 || PATH=$PATH:/usr/sbin:/sbin command -v "$cmd" >/dev/null 2>&1 || need+=("$pkg")
done
[[ -x $PY ]] || need+=(python3)
if ((${#need[@]})); then
  echo "make.sh: installing ${need[*]}"
  timeout 300 apt-get update -qq
  DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq "${need[@]}" >/dev/null
fi
export PATH=$PATH:/usr/sbin:/sbin

# ---------------------------------------------------------------- cleanup
WORK=$(mktemp -d /tmp/ww-samples.XXXXXX)
chmod 755 "$WORK"
OUT=$WORK/out          # new samples go here first; they replace samples/ only once check.sh passed on them
mkdir -p "$OUT"
cleanup() {
  local rc=$?
  set +e
  trap - EXIT INT TERM
  for ns in "${ALL_NS[@]}"; do
    if ip netns list 2>/dev/null | grep -qw "^$ns"; then
      for p in $(ip netns pids "$ns" 2>/dev/null); do kill -TERM "$p" 2>/dev/null; done
    fi
  done
  sleep 0.3
  for ns in "${ALL_NS[@]}"; do
    if ip netns list 2>/dev/null | grep -qw "^$ns"; then
      for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
      ip netns del "$ns" 2>/dev/null
    fi
    rm -rf "/etc/netns/$ns"
  done
  rm -rf "$WORK"
  if ((rc != 0)); then echo "make.sh: FAILED (exit $rc); everything cleaned up" >&2; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '[%3ds] %s\n' $(( $(date +%s) - START )) "$*"; }
inns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
CX() { ip netns exec "$NSC" "$@"; }

# stale namespaces of an earlier, killed run
for ns in "${ALL_NS[@]}"; do
  if ip netns list | grep -qw "^$ns"; then
    for p in $(ip netns pids "$ns"); do kill -KILL "$p" 2>/dev/null || true; done
    ip netns del "$ns"
  fi
done

# ---------------------------------------------------------------- topology
log "building namespaces"
for ns in "${ALL_NS[@]}"; do
  ip netns add "$ns"
  inns "$ns" ip link set lo up
  inns "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
done
ip link add c0 netns "$NSC" type veth peer name r-c netns "$NSR"
ip link add s0 netns "$NSS" type veth peer name r-s netns "$NSR"
ip link add d0 netns "$NSD" type veth peer name r-d netns "$NSR"

addr() { inns "$1" ip addr add "$3" dev "$2" ${4:+$4}; }
addr "$NSC" c0 192.0.2.10/24;     addr "$NSC" c0 2001:db8:2::10/64 nodad
addr "$NSR" r-c 192.0.2.1/24;     addr "$NSR" r-c 2001:db8:2::1/64 nodad
addr "$NSR" r-s 203.0.113.1/25;   addr "$NSR" r-s 2001:db8:203::1/64 nodad
addr "$NSR" r-d 198.51.100.1/24;  addr "$NSR" r-d 2001:db8:198::1/64 nodad
for i in 10 11 12 13 14 15 16 17 18 19 20 21 22; do addr "$NSS" s0 203.0.113.$i/25; done
for i in 10 11; do addr "$NSS" s0 2001:db8:203::$i/64 nodad; done
addr "$NSD" d0 198.51.100.53/24;  addr "$NSD" d0 198.51.100.54/24; addr "$NSD" d0 2001:db8:198::53/64 nodad
for pair in "$NSC c0" "$NSR r-c" "$NSR r-s" "$NSR r-d" "$NSS s0" "$NSD d0"; do
  set -- $pair
  inns "$1" ip link set "$2" up
  # real checksums and MTU-sized segments in the captures
  inns "$1" ethtool -K "$2" tx off tso off gso off gro off >/dev/null 2>&1 || true
done
# routes: the client reaches only the documentation ranges, through the router; the router has no default route
CX ip route add 198.51.100.0/24 via 192.0.2.1
CX ip route add 203.0.113.0/24 via 192.0.2.1
CX ip -6 route add 2001:db8::/32 via 2001:db8:2::1
inns "$NSS" ip route add 192.0.2.0/24 via 203.0.113.1
inns "$NSS" ip route add 198.51.100.0/24 via 203.0.113.1
inns "$NSS" ip -6 route add 2001:db8::/32 via 2001:db8:203::1
inns "$NSD" ip route add 192.0.2.0/24 via 198.51.100.1
inns "$NSD" ip route add 203.0.113.0/24 via 198.51.100.1
inns "$NSD" ip -6 route add 2001:db8::/32 via 2001:db8:198::1
inns "$NSR" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
# the client's resolver
mkdir -p "/etc/netns/$NSC"
printf 'nameserver 198.51.100.53\noptions timeout:2 attempts:2\n' >"/etc/netns/$NSC/resolv.conf"
printf '127.0.0.1 localhost\n::1 localhost\n' >"/etc/netns/$NSC/hosts"

# firewall rules on the router (FORWARD) and in front of the DNS server
inns "$NSR" iptables  -A FORWARD -d 203.0.113.11 -p tcp --dport 443 -j DROP
inns "$NSR" ip6tables -A FORWARD -d 2001:db8:203::11 -p tcp --dport 443 -j DROP
inns "$NSR" iptables  -A FORWARD -d 203.0.113.30 -j REJECT --reject-with icmp-admin-prohibited
inns "$NSR" ip6tables -A FORWARD -d 2001:db8:203::30 -j REJECT --reject-with icmp6-adm-prohibited
inns "$NSD" iptables  -A INPUT -d 198.51.100.54 -p udp --dport 53 -j DROP

# ---------------------------------------------------------------- certificates
log "making certificates"
cd "$WORK"
ossl() { openssl "$@" >/dev/null 2>&1; }
ossl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 3650 -sha256 \
  -subj "/O=wirewhy samples/CN=wirewhy Samples Root CA" \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
ossl req -x509 -newkey rsa:2048 -nodes -keyout other-ca.key -out other-ca.pem -days 3650 -sha256 \
  -subj "/O=Unknown Private PKI/CN=Private Root CA" \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
leaf() { # leaf <name> <ca> <sans>
  ossl req -new -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" -subj "/CN=$3" \
    -addext "subjectAltName=$4"
  ossl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" -CAcreateserial -days 825 -sha256 \
    -copy_extensions copyall -out "$1.pem"
}
leaf good ca www.example.com \
  "DNS:www.example.com,DNS:sni.example.org,DNS:tls13only.example.net,DNS:tls10only.example.net,DNS:nocipher.example.net"
leaf untrusted other-ca untrusted.example.net "DNS:untrusted.example.net"
# expired: signed by the trusted CA with validity in the past (openssl ca can set both dates)
mkdir -p ca-db; : >ca-db/index.txt; echo 1000 >ca-db/serial
cat >ca-db/ca.cnf <<EOF
[ca]
default_ca = d
[d]
dir = $WORK/ca-db
database = \$dir/index.txt
serial = \$dir/serial
new_certs_dir = \$dir
certificate = $WORK/ca.pem
private_key = $WORK/ca.key
default_md = sha256
policy = p
copy_extensions = copyall
unique_subject = no
[p]
commonName = supplied
EOF
ossl req -new -newkey rsa:2048 -nodes -keyout expired.key -out expired.csr -subj "/CN=expired.example.net" \
  -addext "subjectAltName=DNS:expired.example.net"
ossl ca -batch -config ca-db/ca.cnf -in expired.csr -out expired.pem -notext \
  -startdate 20200101000000Z -enddate 20210101000000Z
for f in good untrusted expired; do [[ -s $f.pem ]] || { echo "certificate $f not made" >&2; exit 1; }; done

# ---------------------------------------------------------------- DNS server (unbound)
log "starting servers"
{
  cat <<EOF
server:
  interface: 198.51.100.53
  interface: 198.51.100.54
  interface: 2001:db8:198::53
  port: 53
  do-daemonize: no
  username: ""
  chroot: ""
  directory: "$WORK"
  pidfile: ""
  use-syslog: no
  logfile: "$WORK/unbound.log"
  verbosity: 1
  num-threads: 1
  access-control: 0.0.0.0/0 allow
  access-control: ::/0 allow
  module-config: "iterator"
  do-not-query-localhost: yes
  minimal-responses: yes
  local-zone: "test." nodefault
  local-zone: "example.com." static
  local-data: "www.example.com. 300 IN A 203.0.113.10"
  local-data: "www.example.com. 300 IN AAAA 2001:db8:203::10"
  local-data: "blocked.example.com. 300 IN A 203.0.113.11"
  local-data: "blocked.example.com. 300 IN AAAA 2001:db8:203::11"
  local-data: "reset.example.com. 300 IN A 203.0.113.12"
  local-data: "silent.example.com. 300 IN A 203.0.113.13"
  local-data: "app.example.com. 300 IN A 203.0.113.20"
  local-data: "hang.example.com. 300 IN A 203.0.113.21"
  local-data: "ipv4only.example.com. 300 IN A 203.0.113.10"
  local-zone: "example.net." static
  local-data: "untrusted.example.net. 300 IN A 203.0.113.14"
  local-data: "expired.example.net. 300 IN A 203.0.113.15"
  local-data: "tls13only.example.net. 300 IN A 203.0.113.16"
  local-data: "tls10only.example.net. 300 IN A 203.0.113.17"
  local-data: "nocipher.example.net. 300 IN A 203.0.113.18"
  local-zone: "example.org." static
  local-data: "sni.example.org. 300 IN A 203.0.113.19"
  local-data: "other.example.org. 300 IN A 203.0.113.19"
  local-zone: "refused.example.org." refuse
EOF
  for i in $(seq 100 159); do echo "  local-data: \"big.example.org. 300 IN A 203.0.113.$i\""; done
  cat <<EOF
stub-zone:
  name: "broken.test."
  stub-addr: 127.0.0.1
EOF
} >unbound.conf
inns "$NSD" unbound -d -c "$WORK/unbound.conf" >unbound.out 2>&1 &

# ---------------------------------------------------------------- TLS servers (openssl s_server)
sserv() { # sserv <log> <args...>
  local l=$1; shift
  inns "$NSS" openssl s_server -quiet "$@" >"$WORK/$l.log" 2>&1 </dev/null &
}
sserv good4   -accept 203.0.113.10:443 -cert good.pem -key good.key -www
sserv good6   -accept '[2001:db8:203::10]:443' -cert good.pem -key good.key -www
sserv untrust -accept 203.0.113.14:443 -cert untrusted.pem -key untrusted.key -www
sserv expired -accept 203.0.113.15:443 -cert expired.pem -key expired.key -www
sserv tls13   -accept 203.0.113.16:443 -cert good.pem -key good.key -www -tls1_3
sserv tls10   -accept 203.0.113.17:443 -cert good.pem -key good.key -www -tls1 -cipher 'DEFAULT@SECLEVEL=0'
sserv nociph  -accept 203.0.113.18:443 -cert good.pem -key good.key -www -tls1_2 -cipher AES256-SHA
sserv sni     -accept 203.0.113.19:443 -cert good.pem -key good.key -www \
  -servername sni.example.org -cert2 good.pem -key2 good.key -servername_fatal

# ---------------------------------------------------------------- plain TCP/HTTP servers (python3)
cat >servers.py <<'EOF'
import socket, struct, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

mode, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])

def read_request(conn):
    conn.settimeout(10)
    data = b""
    try:
        while b"\r\n\r\n" not in data and len(data) < 65536:
            chunk = conn.recv(4096)
            if not chunk:
                break
            data += chunk
    except OSError:
        pass
    return data

def rst(conn):        # read the request, then abort: SO_LINGER 0 makes close() send RST
    read_request(conn)
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()

def silent(conn):     # read whatever comes (a ClientHello, a request) and never answer
    try:
        conn.settimeout(20)
        while conn.recv(4096):
            pass
    except OSError:
        pass
    conn.close()

if mode in ("rst", "silent"):
    s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, port)); s.listen(16)
    while True:
        c, _ = s.accept()
        threading.Thread(target=rst if mode == "rst" else silent, args=(c,), daemon=True).start()

class H(BaseHTTPRequestHandler):
    server_version = "samples-http/1.0"
    def do_GET(self):
        codes = {"/missing": 404, "/forbidden": 403, "/busy": 503}
        code = codes.get(self.path.split("?")[0], 200)
        body = (b"%d %s\n" % (code, self.responses.get(code, ("",))[0].encode()))
        self.send_response(code)
        if code == 503:
            self.send_header("Retry-After", "120")
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
ThreadingHTTPServer((host, port), H).serve_forever()
EOF
pyserv() { inns "$NSS" "$PY" "$WORK/servers.py" "$@" >"$WORK/py-$1-$3.log" 2>&1 </dev/null & }
pyserv rst    203.0.113.12 80
pyserv silent 203.0.113.13 443
pyserv http   203.0.113.20 80
pyserv silent 203.0.113.21 80

# ---------------------------------------------------------------- HTTP proxy (tinyproxy): CONNECT only to 443
cat >tinyproxy.conf <<EOF
User nobody
Group nogroup
Port 3128
Listen 203.0.113.22
Timeout 20
MaxClients 8
Allow 192.0.2.0/24
ConnectPort 443
LogLevel Info
LogFile "$WORK/tinyproxy.log"
PidFile "$WORK/tinyproxy.pid"
EOF
inns "$NSS" tinyproxy -d -c "$WORK/tinyproxy.conf" >tinyproxy.out 2>&1 </dev/null &

# wait until every server listens (bounded)
wait_listen() { # wait_listen <ns> <proto> <addr:port>
  local i
  for ((i = 0; i < 100; i++)); do
    inns "$1" ss -Hln"$2" 2>/dev/null | awk '{print $4}' | grep -qxF "$3" && return 0
    sleep 0.1
  done
  echo "server $3 ($2) in $1 did not start" >&2; return 1
}
wait_listen "$NSD" u 198.51.100.53:53
wait_listen "$NSD" u 198.51.100.54:53
wait_listen "$NSD" u '[2001:db8:198::53]:53'
for a in 203.0.113.10:443 '[2001:db8:203::10]:443' 203.0.113.14:443 203.0.113.15:443 203.0.113.16:443 \
         203.0.113.17:443 203.0.113.18:443 203.0.113.19:443 203.0.113.12:80 203.0.113.13:443 \
         203.0.113.20:80 203.0.113.21:80 203.0.113.22:3128; do
  wait_listen "$NSS" t "$a"
done
# warm the client's neighbour entries so that most captures start clean (ARP/ND still appear where they happen)
CX ping -c1 -W1 192.0.2.1 >/dev/null 2>&1 || true
CX ping -6 -c1 -W1 2001:db8:2::1 >/dev/null 2>&1 || true

# ---------------------------------------------------------------- capturing
META=$WORK/meta.tsv
: >"$META"
CURL=(curl -sS -o /dev/null -w '%{http_code}\n' --cacert "$WORK/ca.pem" --connect-timeout 8 --max-time 12)

# sample <base> <format: pcap|pcapng|nsecpcap> <behaviour> <made_with> <expect-json> -- <command...>
sample() {
  local base=$1 fmt=$2 behaviour=$3 made=$4 expect=$5; shift 6
  local raw=$WORK/$base.raw prec=() i file
  [[ $fmt == nsecpcap || $fmt == pcapng-ns ]] && prec=(--time-stamp-precision=nano)
  # started directly (not through a shell function) so that $! is timeout's pid; timeout passes SIGINT on
  ip netns exec "$NSC" timeout 90 tcpdump -i c0 -U -Z root "${prec[@]}" -w "$raw" >"$WORK/$base.tcpdump.log" 2>&1 &
  local tp=$!
  for ((i = 0; i < 50; i++)); do grep -q "listening on" "$WORK/$base.tcpdump.log" 2>/dev/null && break; sleep 0.1; done
  sleep 0.3
  "$@" >"$WORK/$base.out" 2>&1 || true
  sleep "${SETTLE:-0.7}"   # let late answers (ICMP errors, FIN/ACK) arrive
  kill -INT "$tp" 2>/dev/null || true
  wait "$tp" || true
  case $fmt in
    pcap|nsecpcap) file=$base.pcap; cp "$raw" "$OUT/$file" ;;
    pcapng|pcapng-ns) file=$base.pcapng; editcap -F pcapng "$raw" "$OUT/$file" ;;
  esac
  local tsres=us f=${fmt%-ns}
  [[ $fmt == nsecpcap || $fmt == pcapng-ns ]] && tsres=ns
  [[ $fmt == nsecpcap ]] && f=pcap
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$file" "$f" "$tsres" "$behaviour" "$made" "$expect" >>"$META"
  log "$file ($(stat -c %s "$OUT/$file") bytes)"
}

# JSON helpers for expectations
C4='"client":"192.0.2.10"'; C6='"client":"2001:db8:2::10"'
t() { # t <name|null> <ip|null> <port|null> <transport>
  local n=$1 ip=$2 p=$3
  [[ $n != null ]] && n="\"$n\""; [[ $ip != null ]] && ip="\"$ip\""
  printf '"target":{"name":%s,"ip":%s,"port":%s,"transport":"%s"}' "$n" "$ip" "$p" "$4"
}
ok() { local d=${3:-}; [[ -n $d ]] || d='{}'
  printf '{%s,%s,"layer":"ok","cause":"ok","severity":"ok","details":%s}' "$1" "$2" "$d"; }
err() { printf '{%s,%s,"layer":"%s","cause":"%s","severity":"error","details":%s}' "$1" "$2" "$3" "$4" "$5"; }
alert() { printf '{"alert":{"code":%s,"name":"%s","level":"fatal","sender":"%s"}}' "$1" "$2" "$3"; }
icmp() { printf '{"icmp":{"type":%s,"code":%s,"from":"%s"}}' "$1" "$2" "$3"; }

log "capturing"
# ---- working fetches
sample https-ok-tls13 pcap "HTTPS fetch that works, TLS 1.3 (DNS A lookup, handshake, GET, close)" \
  "curl -4 --cacert ca.pem --tlsv1.3 https://www.example.com/ against openssl s_server -www" \
  "[$(ok "$(t www.example.com 203.0.113.10 443 tcp)" "$C4" '{"tls_version":"TLS1.3"}')]" \
  -- CX "${CURL[@]}" -4 --tlsv1.3 https://www.example.com/
sample https-ok-tls12 pcapng "HTTPS fetch that works, TLS 1.2 (DNS A lookup, handshake, GET, close)" \
  "curl -4 --cacert ca.pem --tls-max 1.2 https://www.example.com/ against openssl s_server -www" \
  "[$(ok "$(t www.example.com 203.0.113.10 443 tcp)" "$C4" '{"tls_version":"TLS1.2"}')]" \
  -- CX "${CURL[@]}" -4 --tls-max 1.2 https://www.example.com/
sample https-ok-v6 pcap "HTTPS fetch that works over IPv6 (DNS AAAA lookup, TLS 1.3)" \
  "curl -6 --cacert ca.pem https://www.example.com/ against openssl s_server on [2001:db8:203::10]:443" \
  "[$(ok "$(t www.example.com 2001:db8:203::10 443 tcp)" "$C6" '{"tls_version":"TLS1.3"}')]" \
  -- CX "${CURL[@]}" -6 https://www.example.com/
sample dns-truncated-tcp-retry pcap "DNS answer too big for UDP: TC bit set, dig retries over TCP and gets 60 A records" \
  "dig +noedns big.example.org A against unbound (60 A records > 512 bytes)" \
  "[$(ok "$(t big.example.org null null udp)" "$C4" '{"truncated":true,"retried_over":"tcp","answers":60}')]" \
  -- CX timeout 10 dig +noedns +tries=1 +timeout=3 @198.51.100.53 big.example.org A

# ---- DNS failures
sample dns-nxdomain pcapng "DNS NXDOMAIN: the name does not exist" \
  "dig nosuch.example.com A against unbound (static zone example.com)" \
  "[$(err "$(t nosuch.example.com null null udp)" "$C4" dns dns.nxdomain '{"rcode":"NXDOMAIN","qtype":"A"}')]" \
  -- CX timeout 10 dig +tries=1 +timeout=3 @198.51.100.53 nosuch.example.com A
sample dns-servfail pcap "DNS SERVFAIL: the resolver cannot resolve the zone (its only name server address is unusable)" \
  "dig www.broken.test A against unbound whose stub-zone broken.test points at 127.0.0.1 (do-not-query-localhost)" \
  "[$(err "$(t www.broken.test null null udp)" "$C4" dns dns.servfail '{"rcode":"SERVFAIL","qtype":"A"}')]" \
  -- CX timeout 15 dig +tries=1 +timeout=10 @198.51.100.53 www.broken.test A
sample dns-refused nsecpcap "DNS REFUSED: the server refuses to answer for the zone" \
  "dig www.refused.example.org A against unbound (local-zone refuse); nanosecond pcap" \
  "[$(err "$(t www.refused.example.org null null udp)" "$C4" dns dns.refused '{"rcode":"REFUSED","qtype":"A"}')]" \
  -- CX timeout 10 dig +tries=1 +timeout=3 @198.51.100.53 www.refused.example.org A
sample dns-no-response pcap "DNS query and its retries unanswered (server's firewall drops udp/53)" \
  "dig +tries=3 +timeout=1 to 198.51.100.54, where iptables DROPs udp/53 in front of unbound" \
  "[$(err "$(t www.example.com null null udp)" "$C4" dns dns.no_response '{"queries":3,"server":"198.51.100.54"}')]" \
  -- CX timeout 10 dig +tries=3 +timeout=1 @198.51.100.54 www.example.com A
sample dns-nodata pcap "DNS NODATA: the name exists (has an A record) but has no AAAA record" \
  "dig ipv4only.example.com AAAA against unbound" \
  "[$(err "$(t ipv4only.example.com null null udp)" "$C4" dns dns.no_address '{"rcode":"NOERROR","qtype":"AAAA","answers":0}')]" \
  -- CX timeout 10 dig +tries=1 +timeout=3 @198.51.100.53 ipv4only.example.com AAAA
sample dns-nxdomain-v6 pcap "DNS NXDOMAIN for an AAAA query sent over IPv6" \
  "dig -6 @2001:db8:198::53 nosuch.example.net AAAA" \
  "[$(err "$(t nosuch.example.net null null udp)" "$C6" dns dns.nxdomain '{"rcode":"NXDOMAIN","qtype":"AAAA"}')]" \
  -- CX timeout 10 dig -6 +tries=1 +timeout=3 @2001:db8:198::53 nosuch.example.net AAAA

# ---- TCP
sample tcp-refused pcap "RST in reply to SYN (closed port)" \
  "curl https://203.0.113.10:8443/ (nothing listens on 8443)" \
  "[$(err "$(t null 203.0.113.10 8443 tcp)" "$C4" tcp tcp.refused '{}')]" \
  -- CX "${CURL[@]}" https://203.0.113.10:8443/
sample tcp-refused-v6 pcap "RST in reply to SYN over IPv6 (closed port)" \
  "curl 'https://[2001:db8:203::10]:8443/' (nothing listens on 8443)" \
  "[$(err "$(t null 2001:db8:203::10 8443 tcp)" "$C6" tcp tcp.refused '{}')]" \
  -- CX "${CURL[@]}" 'https://[2001:db8:203::10]:8443/'
sample tcp-syn-dropped nsecpcap "SYN and its retransmissions unanswered (router firewall DROP); nanosecond pcap" \
  "curl -4 --connect-timeout 7 https://blocked.example.com/; router: iptables -A FORWARD -d 203.0.113.11 -p tcp --dport 443 -j DROP" \
  "[$(err "$(t blocked.example.com 203.0.113.11 443 tcp)" "$C4" tcp tcp.syn_unanswered '{}')]" \
  -- CX "${CURL[@]}" -4 --connect-timeout 7 https://blocked.example.com/
sample tcp-syn-dropped-v6 pcap "IPv6 SYN and its retransmissions unanswered (router ip6tables DROP)" \
  "curl -6 --connect-timeout 7 https://blocked.example.com/; router: ip6tables -A FORWARD -d 2001:db8:203::11 -p tcp --dport 443 -j DROP" \
  "[$(err "$(t blocked.example.com 2001:db8:203::11 443 tcp)" "$C6" tcp tcp.syn_unanswered '{}')]" \
  -- CX "${CURL[@]}" -6 --connect-timeout 7 https://blocked.example.com/
sample tcp-reset-after-request pcap "Connection reset by the server after it read the HTTP request" \
  "curl -4 http://reset.example.com/; python3 server reads the request then closes with SO_LINGER 0 (RST)" \
  "[$(err "$(t reset.example.com 203.0.113.12 80 tcp)" "$C4" tcp tcp.reset '{"sender":"server"}')]" \
  -- CX "${CURL[@]}" -4 http://reset.example.com/
sample tls-no-server-hello pcap "TCP connects, ClientHello sent, server never answers; client gives up after 5 s" \
  "curl -4 --max-time 5 https://silent.example.com/; python3 server accepts, reads and stays silent" \
  "[$(err "$(t silent.example.com 203.0.113.13 443 tcp)" "$C4" tls tls.no_server_hello '{}')]" \
  -- CX "${CURL[@]}" -4 --max-time 5 https://silent.example.com/

# ---- ICMP
sample icmp-net-unreachable pcap "Router answers ICMP net unreachable (it has no route to 203.0.113.128/25)" \
  "curl https://203.0.113.200/; the router has routes only for its three LANs" \
  "[$(err "$(t null 203.0.113.200 443 tcp)" "$C4" icmp icmp.net_unreachable "$(icmp 3 0 192.0.2.1)")]" \
  -- CX "${CURL[@]}" https://203.0.113.200/
SETTLE=4.5 sample icmp-host-unreachable pcapng "Router answers ICMP host unreachable (ARP for 203.0.113.99 on its LAN fails)" \
  "curl https://203.0.113.99/; no host has that address on the router's server LAN" \
  "[$(err "$(t null 203.0.113.99 443 tcp)" "$C4" icmp icmp.host_unreachable "$(icmp 3 1 192.0.2.1)")]" \
  -- CX "${CURL[@]}" https://203.0.113.99/
sample icmp-admin-prohibited pcap "Router firewall REJECTs with ICMP communication administratively prohibited (3/13)" \
  "curl https://203.0.113.30/; router: iptables -A FORWARD -d 203.0.113.30 -j REJECT --reject-with icmp-admin-prohibited" \
  "[$(err "$(t null 203.0.113.30 443 tcp)" "$C4" icmp icmp.admin_prohibited "$(icmp 3 13 192.0.2.1)")]" \
  -- CX "${CURL[@]}" https://203.0.113.30/
sample icmp6-admin-prohibited pcap "Router firewall REJECTs with ICMPv6 administratively prohibited (1/1)" \
  "curl 'https://[2001:db8:203::30]/'; router: ip6tables -A FORWARD -d 2001:db8:203::30 -j REJECT --reject-with icmp6-adm-prohibited" \
  "[$(err "$(t null 2001:db8:203::30 443 tcp)" "$C6" icmp icmp.admin_prohibited "$(icmp 1 1 2001:db8:2::1)")]" \
  -- CX "${CURL[@]}" 'https://[2001:db8:203::30]/'
SETTLE=4.5 sample icmp6-addr-unreachable pcap "Router answers ICMPv6 address unreachable (neighbour discovery for 2001:db8:203::99 fails)" \
  "curl 'https://[2001:db8:203::99]/'; no host has that address on the router's server LAN" \
  "[$(err "$(t null 2001:db8:203::99 443 tcp)" "$C6" icmp icmp.host_unreachable "$(icmp 1 3 2001:db8:2::1)")]" \
  -- CX "${CURL[@]}" 'https://[2001:db8:203::99]/'
sample icmp-port-unreachable pcap "UDP datagram to a closed port: the server's kernel answers ICMP port unreachable" \
  "python3 sends one UDP datagram to 203.0.113.10:5005 (nothing listens there)" \
  "[$(err "$(t null 203.0.113.10 5005 udp)" "$C4" icmp icmp.port_unreachable "$(icmp 3 3 203.0.113.10)")]" \
  -- CX timeout 5 "$PY" -c 'import socket,time; s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.connect(("203.0.113.10",5005)); s.send(b"hello\n"); time.sleep(0.5)
try: s.recv(100)
except OSError as e: print(e)'
sample dns-port-unreachable pcap "DNS query to a host where no DNS server runs: ICMP port unreachable for udp/53" \
  "dig @203.0.113.10 www.example.com A (203.0.113.10 runs no DNS server)" \
  "[$(err "$(t www.example.com null null udp)" "$C4" icmp icmp.port_unreachable "{\"icmp\":{\"type\":3,\"code\":3,\"from\":\"203.0.113.10\"},\"server\":\"203.0.113.10\"}")]" \
  -- CX timeout 10 dig +tries=1 +timeout=2 @203.0.113.10 www.example.com A

# ---- TLS alerts
sample tls-unknown-ca pcapng "TLS 1.2: client rejects a certificate from a CA it does not trust (alert 48 from client)" \
  "curl -4 --tls-max 1.2 https://untrusted.example.net/ (server cert signed by a private CA not in --cacert)" \
  "[$(err "$(t untrusted.example.net 203.0.113.14 443 tcp)" "$C4" tls tls.alert "$(alert 48 unknown_ca client)")]" \
  -- CX "${CURL[@]}" -4 --tls-max 1.2 https://untrusted.example.net/
sample tls13-client-rejected pcap "TLS 1.3: client (GnuTLS) aborts after the server's encrypted flight; its unknown-CA alert is encrypted" \
  "gnutls-cli --x509cafile ca.pem --sni-hostname untrusted.example.net -p 443 203.0.113.14 (server cert signed by a private CA the client does not trust)" \
  "[$(err "$(t untrusted.example.net 203.0.113.14 443 tcp)" "$C4" tls tls.client_rejected '{"tls_version":"TLS1.3"}')]" \
  -- CX timeout 10 gnutls-cli --x509cafile "$WORK/ca.pem" --sni-hostname untrusted.example.net \
       --verify-hostname untrusted.example.net -p 443 203.0.113.14 </dev/null
sample tls13-unknown-ca-openssl pcap "TLS 1.3: OpenSSL client rejects an untrusted CA; OpenSSL sends this alert 48 unencrypted (before it has handshake keys)" \
  "curl -4 --tlsv1.3 https://untrusted.example.net/ (curl uses OpenSSL 3.0; server cert signed by a private CA not in --cacert)" \
  "[$(err "$(t untrusted.example.net 203.0.113.14 443 tcp)" "$C4" tls tls.alert "$(alert 48 unknown_ca client)")]" \
  -- CX "${CURL[@]}" -4 --tlsv1.3 https://untrusted.example.net/
sample tls-cert-expired pcap "TLS 1.2: client rejects an expired server certificate (alert 45 from client)" \
  "curl -4 --tls-max 1.2 https://expired.example.net/ (cert made with openssl ca -startdate 20200101000000Z -enddate 20210101000000Z)" \
  "[$(err "$(t expired.example.net 203.0.113.15 443 tcp)" "$C4" tls tls.alert "$(alert 45 certificate_expired client)")]" \
  -- CX "${CURL[@]}" -4 --tls-max 1.2 https://expired.example.net/
sample tls-protocol-version-server pcap "Server requires TLS 1.3, client offers at most TLS 1.2: server sends alert 70" \
  "curl -4 --tls-max 1.2 https://tls13only.example.net/ against openssl s_server -tls1_3" \
  "[$(err "$(t tls13only.example.net 203.0.113.16 443 tcp)" "$C4" tls tls.alert "$(alert 70 protocol_version server)")]" \
  -- CX "${CURL[@]}" -4 --tls-max 1.2 https://tls13only.example.net/
sample tls-protocol-version-client pcap "Server answers with TLS 1.0, client requires TLS 1.2: client sends alert 70" \
  "curl -4 --tlsv1.2 --tls-max 1.2 https://tls10only.example.net/ against openssl s_server -tls1 -cipher DEFAULT@SECLEVEL=0" \
  "[$(err "$(t tls10only.example.net 203.0.113.17 443 tcp)" "$C4" tls tls.alert "$(alert 70 protocol_version client)")]" \
  -- CX "${CURL[@]}" -4 --tlsv1.2 --tls-max 1.2 https://tls10only.example.net/
sample tls-handshake-failure pcapng-ns "No cipher suite in common: server sends alert 40; pcapng with nanosecond timestamps" \
  "curl -4 --tls-max 1.2 --ciphers ECDHE-RSA-AES128-GCM-SHA256 https://nocipher.example.net/ against openssl s_server -tls1_2 -cipher AES256-SHA" \
  "[$(err "$(t nocipher.example.net 203.0.113.18 443 tcp)" "$C4" tls tls.alert "$(alert 40 handshake_failure server)")]" \
  -- CX "${CURL[@]}" -4 --tls-max 1.2 --ciphers ECDHE-RSA-AES128-GCM-SHA256 https://nocipher.example.net/
sample tls-unrecognized-name nsecpcap "Server does not know the SNI name and rejects it: alert 112 from server; nanosecond pcap" \
  "curl -4 https://other.example.org/ against openssl s_server -servername sni.example.org -servername_fatal" \
  "[$(err "$(t other.example.org 203.0.113.19 443 tcp)" "$C4" tls tls.alert "$(alert 112 unrecognized_name server)")]" \
  -- CX "${CURL[@]}" -4 https://other.example.org/

# ---- HTTP
sample http-404 pcap "HTTP 404 Not Found" \
  "curl -4 http://app.example.com/missing against a python3 http.server handler" \
  "[$(err "$(t app.example.com 203.0.113.20 80 tcp)" "$C4" http http.error_status '{"status":404}')]" \
  -- CX "${CURL[@]}" -4 http://app.example.com/missing
sample http-503 pcapng "HTTP 503 Service Unavailable" \
  "curl -4 http://app.example.com/busy against a python3 http.server handler" \
  "[$(err "$(t app.example.com 203.0.113.20 80 tcp)" "$C4" http http.error_status '{"status":503}')]" \
  -- CX "${CURL[@]}" -4 http://app.example.com/busy
sample http-no-response pcap "HTTP request sent, no response; client gives up after 4 s" \
  "curl -4 --max-time 4 http://hang.example.com/; python3 server reads the request and stays silent" \
  "[$(err "$(t hang.example.com 203.0.113.21 80 tcp)" "$C4" http http.no_response '{}')]" \
  -- CX "${CURL[@]}" -4 --max-time 4 http://hang.example.com/
sample http-proxy-connect-refused pcap "HTTP proxy refuses CONNECT to port 8443 (403)" \
  "curl -x http://203.0.113.22:3128 https://www.example.com:8443/ through tinyproxy (ConnectPort 443 only)" \
  "[$(err "$(t www.example.com null 8443 tcp)" "$C4" http http.proxy_refused '{"status":403,"proxy":{"ip":"203.0.113.22","port":3128}}')]" \
  -- CX "${CURL[@]}" -x http://203.0.113.22:3128 https://www.example.com:8443/

# ---- several at once
multi() {
  local pids=()
  CX "${CURL[@]}" -4 https://www.example.com/ & pids+=($!)
  CX "${CURL[@]}" -4 https://nosuch.example.com/ & pids+=($!)
  CX "${CURL[@]}" https://203.0.113.10:8443/ & pids+=($!)
  CX "${CURL[@]}" -4 --tls-max 1.2 https://untrusted.example.net/ & pids+=($!)
  wait "${pids[@]}" || true
}
sample multi-failure pcap "Four fetches at once: one works, one NXDOMAIN, one refused, one TLS unknown_ca" \
  "four curl processes in parallel" \
  "[$(ok "$(t www.example.com 203.0.113.10 443 tcp)" "$C4"),$(err "$(t nosuch.example.com null null udp)" "$C4" dns dns.nxdomain '{"rcode":"NXDOMAIN","qtype":"A"}'),$(err "$(t null 203.0.113.10 8443 tcp)" "$C4" tcp tcp.refused '{}'),$(err "$(t untrusted.example.net 203.0.113.14 443 tcp)" "$C4" tls tls.alert "$(alert 48 unknown_ca client)")]" \
  -- multi

# ---------------------------------------------------------------- expected.json and README.md
log "writing expected.json and README.md"
cp "$HERE/README.head.md" "$HERE/check.sh" "$OUT/"
"$PY" - "$META" "$OUT" <<'EOF'
import json, sys, os
meta, out = sys.argv[1], sys.argv[2]
samples = []
for line in open(meta, encoding="utf-8"):
    f, fmt, ts, beh, made, exp = line.rstrip("\n").split("\t")
    samples.append({"file": f, "format": fmt, "tsresol": ts, "behaviour": beh,
                    "made_with": made, "expect": json.loads(exp)})
with open(os.path.join(out, "expected.json"), "w", encoding="utf-8") as fh:
    json.dump({"schema": "wirewhy.samples/1", "samples": samples}, fh, indent=2)
    fh.write("\n")
head = open(os.path.join(out, "README.head.md"), encoding="utf-8").read()
rows = ["| file | format | shows | expected verdict | made with |", "|---|---|---|---|---|"]
for s in samples:
    v = "; ".join(
        (e["target"]["name"] or e["target"]["ip"]) + (":" + str(e["target"]["port"]) if e["target"]["port"] else "")
        + " → `" + e["cause"] + "`"
        + (" " + json.dumps(e["details"], separators=(",", ":")) if e["details"] else "")
        for e in s["expect"])
    fmt = s["format"] + (" (ns)" if s["tsresol"] == "ns" else "")
    rows.append("| `%s` | %s | %s | %s | %s |" % (s["file"], fmt, s["behaviour"], v.replace("|", "\\|"),
                                                   s["made_with"].replace("|", "\\|")))
with open(os.path.join(out, "README.md"), "w", encoding="utf-8") as fh:
    fh.write(head.replace("@@TABLE@@", "\n".join(rows)))
EOF

log "checking"
if ! bash "$OUT/check.sh"; then
  echo "make.sh: check failed; samples/ left as it was" >&2
  exit 1
fi
# replace the samples
rm -f "$HERE"/*.pcap "$HERE"/*.pcapng
cp "$OUT"/*.pcap "$OUT"/*.pcapng "$OUT/expected.json" "$OUT/README.md" "$HERE/"
log "done in $(( $(date +%s) - START )) s; $(ls "$OUT"/*.pcap "$OUT"/*.pcapng | wc -l) captures in $HERE"
