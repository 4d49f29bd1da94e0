#!/usr/bin/env bash
# Regenerates every capture in samples/ from real traffic between network namespaces.
#
#   sudo bash samples/make.sh        (needs root; Debian 12; no internet needed beyond apt)
#   sudo bash samples/make.sh --only tcp-reset-injected-syn,dns-ptr   (only these samples; names
#        without extension; the other captures and their expected.json entries stay as they are)
#   bash samples/make.sh --list      (the sample names, in order)
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
MAX_SECONDS=${MAX_SECONDS:-900}   # the whole run is killed (and cleaned up) past this

ONLY=""
case ${1:-} in
  --only) [[ -n ${2:-} ]] || { echo "make.sh: --only needs a comma-separated list of sample names" >&2; exit 2; }
          ONLY=",${2//[[:space:]]/},"; shift 2 ;;
  --list) grep -oE "^[[:space:]]*([A-Z]+=('[^']*'|[^ ]+) )*sample [a-z0-9-]+" "${BASH_SOURCE[0]}" | awk '{print $NF}'; exit 0 ;;
  "") ;;
  *) echo "make.sh: unknown argument $1 (usage: make.sh [--only name1,name2 | --list])" >&2; exit 2 ;;
esac
if [[ -n $ONLY ]]; then   # every name must be a sample of this script
  known=",$(bash "${BASH_SOURCE[0]}" --list | tr '\n' ','),"
  for n in ${ONLY//,/ }; do
    n=${n%.pcap}; n=${n%.pcapng}
    [[ $known == *",$n,"* ]] || { echo "make.sh: no sample named '$n' (see make.sh --list)" >&2; exit 2; }
  done
  ONLY=$(printf '%s' "$ONLY" | sed -E 's/\.pcap(ng)?,/,/g')
fi
# want <base>: is this sample to be made in this run?
want() { [[ -z $ONLY || $ONLY == *",$1,"* ]]; }

[[ $(id -u) == 0 ]] || { echo "make.sh: run as root (it creates network namespaces)" >&2; exit 2; }

# ---------------------------------------------------------------- packages
need=()
for pair in dig:bind9-dnsutils unbound:unbound tinyproxy:tinyproxy vsftpd:vsftpd tcpdump:tcpdump tshark:tshark \
            editcap:wireshark-common capinfos:wireshark-common openssl:openssl curl:curl \
            gnutls-cli:gnutls-bin ip:iproute2 iptables:iptables ip6tables:iptables ethtool:ethtool timeout:coreutils \
            traceroute.db:traceroute nginx:nginx-light chronyd:chrony ping:iputils-ping \
            dnsmasq:dnsmasq-base busybox:busybox; do
  cmd=${pair%%:*} pkg=${pair#*:}
  command -v "$cmd" >/dev/null 2>&1 || PATH=$PATH:/usr/sbin:/sbin command -v "$cmd" >/dev/null 2>&1 || need+=("$pkg")
done
[[ -x $PY ]] || need+=(python3)
if ((${#need[@]})); then
  echo "make.sh: installing ${need[*]}"
  timeout 300 apt-get update -qq
  # no service may start in the host's namespace on install (nginx would listen on port 80 there)
  made_policy=""
  [[ -e /usr/sbin/policy-rc.d ]] || { printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d; made_policy=1; }
  rc=0
  DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq "${need[@]}" >/dev/null || rc=$?
  if [[ -n $made_policy ]]; then rm -f /usr/sbin/policy-rc.d; fi
  ((rc == 0)) || { echo "make.sh: apt-get install ${need[*]} failed" >&2; exit 2; }
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
  [[ -n ${WATCHDOG:-} ]] && kill "$WATCHDOG" 2>/dev/null
  if ((rc != 0)); then echo "make.sh: FAILED (exit $rc); everything cleaned up" >&2; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# a watchdog bounds the whole run: past MAX_SECONDS the script is stopped and cleans up
( sleep "$MAX_SECONDS"; echo "make.sh: more than $MAX_SECONDS s, stopping" >&2; kill -TERM $$ ) 2>/dev/null &
WATCHDOG=$!

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
# servers of the issue 20/22 samples (see the address table in README.head.md)
for i in 23 24 25 26 27 28 29 31 32 33 34 35 37 38 39 40; do addr "$NSS" s0 203.0.113.$i/25; done
addr "$NSD" d0 2001:db8:198::55/64 nodad
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
inns "$NSR" iptables  -A FORWARD -d 203.0.113.41 -p udp --dport 123 -j DROP   # an NTP server behind a firewall that drops UDP 123
inns "$NSR" iptables  -A FORWARD -d 203.0.113.42 -p icmp -j DROP              # a host behind a firewall that drops ping
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
  "DNS:www.example.com,DNS:sni.example.org,DNS:tls13only.example.net,DNS:tls10only.example.net,DNS:nocipher.example.net,DNS:dual.example.com"
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
leaf more ca filtered.example.org "DNS:filtered.example.org,DNS:slow.example.org,DNS:quiet.example.org"
[[ -s more.pem ]] || { echo "certificate more not made" >&2; exit 1; }
# an issuing (intermediate) CA under the root, and a leaf it signed that names where the
# intermediate is to be fetched (Authority Information Access, CA Issuers), as public CAs' do
ossl req -new -newkey rsa:2048 -nodes -keyout issuing-ca.key -out issuing-ca.csr -subj "/O=wirewhy samples/CN=wirewhy Samples Issuing CA 1"
printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n' >issuing-ca.ext
ossl x509 -req -in issuing-ca.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 3650 -sha256 -extfile issuing-ca.ext -out issuing-ca.pem
ossl req -new -newkey rsa:2048 -nodes -keyout nochain.key -out nochain.csr -subj "/CN=nochain.example.net" \
  -addext "subjectAltName=DNS:nochain.example.net" -addext "authorityInfoAccess=caIssuers;URI:http://pki.example.net/issuing-ca-1.crt"
ossl x509 -req -in nochain.csr -CA issuing-ca.pem -CAkey issuing-ca.key -CAcreateserial -days 825 -sha256 \
  -copy_extensions copyall -out nochain.pem
# a client that holds the intermediate (as a browser that fetched or cached it)
cat ca.pem issuing-ca.pem >ca-and-issuing.pem
for f in issuing-ca nochain; do [[ -s $f.pem ]] || { echo "certificate $f not made" >&2; exit 1; }; done

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
  local-data: "dual.example.com. 300 IN A 203.0.113.10"
  local-data: "dual.example.com. 300 IN AAAA 2001:db8:203::11"
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
  local-zone: "deny.example.org." deny
EOF
  for i in $(seq 100 159); do echo "  local-data: \"big.example.org. 300 IN A 203.0.113.$i\""; done
  cat <<EOF
  local-data: "example.com. 300 IN MX 10 mail.example.com."
  local-data: "mail.example.com. 300 IN A 203.0.113.10"
  local-zone: "113.0.203.in-addr.arpa." static
  local-data-ptr: "203.0.113.10 www.example.com."
  local-data: "filtered.example.org. 300 IN A 203.0.113.23"
  local-data: "slow.example.org. 300 IN A 203.0.113.24"
  local-data: "quiet.example.org. 300 IN A 203.0.113.25"
  local-data: "plain.example.org. 300 IN A 203.0.113.26"
  local-data: "idle.example.org. 300 IN A 203.0.113.27"
  local-data: "down.example.org. 300 IN A 203.0.113.28"
  local-data: "up.example.org. 300 IN A 203.0.113.29"
  local-data: "upok.example.org. 300 IN A 203.0.113.31"
  local-data: "downok.example.org. 300 IN A 203.0.113.32"
  local-data: "sink.example.org. 300 IN A 203.0.113.33"
  local-data: "reader.example.org. 300 IN A 203.0.113.34"
  local-data: "stall.example.org. 300 IN A 203.0.113.35"
  local-data: "cut.example.org. 300 IN A 203.0.113.37"
  local-data: "slowbody.example.org. 300 IN A 203.0.113.38"
  local-data: "reset.example.org. 300 IN A 203.0.113.39"
  local-data: "nochain.example.net. 300 IN A 203.0.113.40"
  local-data: "ntp.example.net. 300 IN A 203.0.113.41"
  local-data: "noping.example.net. 300 IN A 203.0.113.42"
  local-data: "ads.blocked.example.org. 300 IN A 0.0.0.0"
  local-data: "ads.blocked.example.org. 300 IN AAAA ::"
EOF
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
sserv nochain -accept 203.0.113.40:443 -cert nochain.pem -key nochain.key -www   # the leaf alone, no intermediate
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

# ---------------------------------------------------------------- servers of the issue 20/22 samples
# a second unbound on 2001:db8:198::55 that answers big AAAA sets over UDP (EDNS buffer 4096): the
# answer (> 1280 bytes) leaves ww-dns as IPv6 fragments
{
  cat <<EOF
server:
  interface: 2001:db8:198::55
  port: 53
  do-daemonize: no
  username: ""
  chroot: ""
  directory: "$WORK"
  pidfile: ""
  use-syslog: no
  logfile: "$WORK/unbound-big.log"
  verbosity: 1
  num-threads: 1
  access-control: ::/0 allow
  module-config: "iterator"
  do-not-query-localhost: yes
  minimal-responses: yes
  edns-buffer-size: 4096
  max-udp-size: 4096
  local-zone: "example.net." static
EOF
  for i in $(seq 4096 4165); do printf '  local-data: "large.example.net. 300 IN AAAA 2001:db8:203::%x"\n' "$i"; done
} >unbound-big.conf
inns "$NSD" unbound -d -c "$WORK/unbound-big.conf" >unbound-big.out 2>&1 &

# TLS 1.3 behind a router that forges resets (rules added per sample), reached by an http -> https redirect
sserv more    -accept 203.0.113.23:443 -cert more.pem -key more.key -www

cat >extra.py <<'EOF'
# Servers of the issue 20/22 samples: extra.py <mode> <addr> <port> [args]
import socket, ssl, struct, sys, threading, time

mode, host, port, args = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]


def listener(rcvbuf=0):
    s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if rcvbuf:  # before listen(): accepted sockets inherit it, and the window they announce follows it
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.bind((host, port))
    s.listen(16)
    return s


def read_head(conn, timeout):
    """the request head and the bytes after it; head None on EOF ("eof") or silence ("idle")"""
    conn.settimeout(timeout)
    data = b""
    try:
        while b"\r\n\r\n" not in data and len(data) < 65536:
            chunk = conn.recv(4096)
            if not chunk:
                return None, "eof"
            data += chunk
    except socket.timeout:
        return None, "idle"
    except OSError:
        return None, "eof"
    head, _, rest = data.partition(b"\r\n\r\n")
    return head.decode("latin-1"), rest


def header(head, name):
    for line in head.split("\r\n")[1:]:
        k, _, v = line.partition(":")
        if k.strip().lower() == name:
            return v.strip()
    return ""


def head_bytes(code, reason, length, extra=(), close=True):
    h = ["HTTP/1.1 %d %s" % (code, reason), "Server: samples-extra", "Content-Length: %d" % length]
    h += list(extra) + (["Connection: close"] if close else [])
    return ("\r\n".join(h) + "\r\n\r\n").encode()


def abort(conn):      # close with RST (SO_LINGER 0)
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


def tls_context(min13=False):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args[0], args[1])
    if min13:
        ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    return ctx


def redirect(conn):   # http -> https
    head, _ = read_head(conn, 10)
    if head is not None:
        conn.sendall(head_bytes(301, "Moved Permanently", 0, ["Location: https://%s/" % header(head, "host")]))
    conn.close()


def slowtls(conn):    # a TLS server slow to answer: ServerHello only after args[2] seconds
    time.sleep(float(args[2]))
    try:
        s = CTX.wrap_socket(conn, server_side=True)
        if read_head(s, 10)[0] is not None:
            body = b"slow but fine\n"
            s.sendall(head_bytes(200, "OK", len(body)) + body)
        s.close()
    except (OSError, ssl.SSLError):
        conn.close()


def tlssilent(conn):  # completes TLS 1.3 (and sends its session tickets), reads the request, never answers
    try:
        s = CTX.wrap_socket(conn, server_side=True)
        s.settimeout(20)
        while s.recv(4096):
            pass
        s.close()
    except (OSError, ssl.SSLError):
        conn.close()


def keepalive(conn):  # HTTP/1.1 keep-alive; an idle connection is reset after args[0] seconds
    timeout = 10
    while True:
        head, why = read_head(conn, timeout)
        if head is None:
            if why == "idle":
                abort(conn)
            else:
                conn.close()
            return
        body = b"hello\n"
        conn.sendall(head_bytes(200, "OK", len(body), close=False) + body)
        timeout = float(args[0])


def download(conn):   # headers, then args[0] bytes of body in one write (TCP_NODELAY: the tail is not held back)
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if read_head(conn, 10)[0] is not None:
        n = int(args[0])
        conn.sendall(head_bytes(200, "OK", n, ["Content-Type: application/octet-stream"]))
        conn.sendall(bytes(i % 251 for i in range(n)))
    conn.close()


def cutshort(conn):   # announces args[0] bytes of body, sends args[1] of them, waits args[2] s, closes (FIN)
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if read_head(conn, 10)[0] is not None:
        conn.sendall(head_bytes(200, "OK", int(args[0]), ["Content-Type: application/octet-stream"]))
        conn.sendall(bytes(i % 251 for i in range(int(args[1]))))
        time.sleep(float(args[2]))
    conn.close()


def closereset(conn):  # a body delimited by the close (no Content-Length): args[0] bytes, args[1] s, then RST (SO_LINGER 0)
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if read_head(conn, 10)[0] is not None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nServer: samples-extra\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n")
        conn.sendall(b"x" * int(args[0]))
        time.sleep(float(args[1]))
    abort(conn)


def read_body(conn, head, rest, chunk=65536, pause=0.0):
    n, got = int(header(head, "content-length") or 0), len(rest)
    conn.settimeout(20)
    try:
        while got < n:
            b = conn.recv(chunk)
            if not b:
                break
            got += len(b)
            if pause:
                time.sleep(pause)
    except OSError:
        pass
    return got


def upload(conn, chunk=65536, pause=0.0):  # reads the whole body (optionally slowly), answers 200
    head, rest = read_head(conn, 10)
    if head is not None:
        got = read_body(conn, head, rest, chunk, pause)
        body = b"received %d bytes\n" % got
        try:
            conn.sendall(head_bytes(200, "OK", len(body)) + body)
        except OSError:
            pass
    conn.close()


def noread(conn):     # reads the request head, then stops reading (its window fills and stays at zero)
    read_head(conn, 10)
    time.sleep(float(args[1]))
    conn.close()


def http11(conn):     # HTTP/1.1 keep-alive, answers every request; closes after 60 s of silence
    while True:
        head, _ = read_head(conn, 60)
        if head is None:
            conn.close()
            return
        body = b"hello again\n"
        try:
            conn.sendall(head_bytes(200, "OK", len(body), close=False) + body)
        except OSError:
            return


MODES = {"redirect": (redirect, 0), "slowtls": (slowtls, 0), "tlssilent": (tlssilent, 0),
         "keepalive": (keepalive, 0), "download": (download, 0), "upload": (upload, 0),
         "noread": (noread, int(args[0]) if mode == "noread" else 0),
         "slowread": (lambda c: upload(c, int(args[1]), float(args[2])), int(args[0]) if mode == "slowread" else 0),
         "http11": (http11, 0), "cutshort": (cutshort, 0), "closereset": (closereset, 0)}
CTX = tls_context(mode == "tlssilent") if mode in ("slowtls", "tlssilent") else None
handler, rcvbuf = MODES[mode]
srv = listener(rcvbuf)
while True:
    c, _ = srv.accept()
    threading.Thread(target=handler, args=(c,), daemon=True).start()
EOF
xserv() { inns "$NSS" "$PY" "$WORK/extra.py" "$@" >"$WORK/extra-$1-$2.log" 2>&1 </dev/null & }
xserv redirect  203.0.113.23 80
xserv slowtls   203.0.113.24 443 more.pem more.key 1.5
xserv tlssilent 203.0.113.25 443 more.pem more.key
xserv keepalive 203.0.113.27 80 3
xserv download  203.0.113.28 80 8192
xserv upload    203.0.113.29 80
xserv upload    203.0.113.31 80
xserv download  203.0.113.32 80 8192
xserv noread    203.0.113.33 80 4096 60
xserv slowread  203.0.113.34 80 4096 1024 0.05
xserv http11    203.0.113.35 80
xserv cutshort  203.0.113.37 80 1048576 32768 2
xserv cutshort  203.0.113.38 80 1048576 32768 45   # the body stalls: silent 45 s, longer than the sample
xserv closereset 203.0.113.39 80 20000 1
xserv http11    203.0.113.10 80   # an open port among the closed ones of the port-scan sample

# nginx on a plain HTTP port (what a ClientHello sent there is answered with)
mkdir -p nginx
cat >nginx/nginx.conf <<EOF
worker_processes 1;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx/body;
  proxy_temp_path $WORK/nginx/proxy;
  fastcgi_temp_path $WORK/nginx/fastcgi;
  uwsgi_temp_path $WORK/nginx/uwsgi;
  scgi_temp_path $WORK/nginx/scgi;
  server {
    listen 203.0.113.26:80;
    server_name plain.example.org;
    location / { return 200 "plain http\n"; }
    # a service that refuses an upload in a 200 answer (as Weather Underground's station API did)
    location /weatherstation/ { default_type text/plain; return 200 "INVALIDPASSWORDID|Password or key and/or id are incorrect\n"; }
  }
}
EOF
inns "$NSS" nginx -p "$WORK/nginx/" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log" >nginx.out 2>&1 </dev/null &

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
         203.0.113.20:80 203.0.113.21:80 203.0.113.22:3128 203.0.113.40:443; do
  wait_listen "$NSS" t "$a"
done
wait_listen "$NSD" u '[2001:db8:198::55]:53'
for a in 203.0.113.23:80 203.0.113.23:443 203.0.113.24:443 203.0.113.25:443 203.0.113.26:80 203.0.113.27:80 \
         203.0.113.28:80 203.0.113.29:80 203.0.113.31:80 203.0.113.32:80 203.0.113.33:80 203.0.113.34:80 203.0.113.35:80 \
         203.0.113.37:80 203.0.113.38:80 203.0.113.39:80 203.0.113.10:80; do
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
#   FILTER=<bpf>     capture filter for tcpdump (default: none, everything on c0)
#   CUT=<dfilter>+<s> keep only the packets up to <s> seconds after the first one matching the
#                    tshark display filter <dfilter> (a capture stopped early)
#   SETTLE=<s>       wait after the command before tcpdump is stopped (default 0.7)
#   CAPNS=<ns> CAPIF=<if>  capture in that namespace on that interface (default: the client's c0)
# Does nothing when --only does not name <base>.
sample() {
  local base=$1 fmt=$2 behaviour=$3 made=$4 expect=$5; shift 6
  want "$base" || return 0
  local raw=$WORK/$base.raw prec=() filter=() i file
  [[ $fmt == nsecpcap || $fmt == pcapng-ns ]] && prec=(--time-stamp-precision=nano)
  [[ -n ${FILTER:-} ]] && filter=("$FILTER")
  # started directly (not through a shell function) so that $! is timeout's pid; timeout passes SIGINT on
  ip netns exec "${CAPNS:-$NSC}" timeout 90 tcpdump -i "${CAPIF:-c0}" -U -Z root "${prec[@]}" -w "$raw" "${filter[@]}" >"$WORK/$base.tcpdump.log" 2>&1 &
  local tp=$!
  for ((i = 0; i < 50; i++)); do grep -q "listening on" "$WORK/$base.tcpdump.log" 2>/dev/null && break; sleep 0.1; done
  sleep 0.3
  "$@" >"$WORK/$base.out" 2>&1 || true
  sleep "${SETTLE:-0.7}"   # let late answers (ICMP errors, FIN/ACK) arrive
  # on a busy machine tcpdump can lag behind the traffic, and packets it has not read when it is
  # stopped are lost: wait (at most 6 s) until the file has stopped growing
  local size=-1 now
  for ((i = 0; i < 15; i++)); do
    now=$(stat -c %s "$raw" 2>/dev/null || echo 0)
    [[ $now == "$size" ]] && break
    size=$now
    sleep 0.4
  done
  kill -INT "$tp" 2>/dev/null || true
  wait "$tp" || true
  if [[ -n ${CUT:-} ]]; then
    local t0 last
    t0=$(tshark -n -r "$raw" -Y "${CUT%+*}" -T fields -e frame.time_epoch 2>/dev/null | head -1)
    [[ -n $t0 ]] || { echo "sample $base: nothing matches ${CUT%+*}, cannot cut" >&2; return 2; }
    last=$(tshark -n -r "$raw" -T fields -e frame.number -e frame.time_epoch 2>/dev/null |
           awk -v lim="$t0" -v s="${CUT##*+}" '$2 <= lim + s { n = $1 } END { print n }')
    editcap -F "$([[ ${#prec[@]} -gt 0 ]] && echo nsecpcap || echo pcap)" -r "$raw" "$raw.cut" "1-$last" && mv "$raw.cut" "$raw"
  fi
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
warn() { printf '{%s,%s,"layer":"%s","cause":"%s","severity":"warning","details":%s}' "$1" "$2" "$3" "$4" "$5"; }
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
# the resolver answers one name and drops the queries of another without a word (unbound's deny zone)
server_silent_name() {
  CX timeout 10 dig +tries=1 +timeout=3 @198.51.100.53 www.example.com A || true
  CX timeout 10 dig +tries=3 +timeout=1 @198.51.100.53 www.deny.example.org A || true
}
sample dns-no-response-name pcap "A resolver that answers this client's other lookup but leaves one name's queries unanswered (its deny zone drops them): the silence is particular to that name, not a firewall or route toward the resolver" \
  "dig www.example.com A, then dig +tries=3 +timeout=1 www.deny.example.org A, against unbound (local-zone deny.example.org deny)" \
  "[$(ok "$(t www.example.com null null udp)" "$C4"),$(err "$(t www.deny.example.org null null udp)" "$C4" dns dns.no_response '{"queries":3,"server":"198.51.100.53","serverAnsweredOthers":{"answers":1,"toClient":1}}')]" \
  -- server_silent_name
# curl fetches https://www.example.com/ three times; for the second, the router drops DNS to the
# resolver: glibc asks twice (same port and id, resolv.conf timeout:2 attempts:2), curl exits 6
intermittent_lookups() {
  CX "${CURL[@]}" -4 https://www.example.com/ || true
  inns "$NSR" iptables -I FORWARD 1 -p udp -d 198.51.100.53 --dport 53 -j DROP
  CX "${CURL[@]}" -4 https://www.example.com/ || true
  inns "$NSR" iptables -D FORWARD -p udp -d 198.51.100.53 --dport 53 -j DROP
  sleep 4
  CX "${CURL[@]}" -4 https://www.example.com/ || true
}
sample dns-intermittent pcap "A lookup lost among lookups that worked: curl's second fetch fails (could not resolve host), its first and third work" \
  "curl -4 https://www.example.com/ three times; during the second the router drops udp/53 to the resolver (glibc asks twice, same id)" \
  "[$(warn "$(t www.example.com null null udp)" "$C4" dns dns.no_response '{"intermittent":{"lookupsUnanswered":1}}'),$(ok "$(t www.example.com 203.0.113.10 443 tcp)" "$C4")]" \
  -- intermittent_lookups
sample dns-nodata pcap "DNS NODATA: the name exists (has an A record) but has no AAAA record" \
  "dig ipv4only.example.com AAAA against unbound" \
  "[$(err "$(t ipv4only.example.com null null udp)" "$C4" dns dns.no_address '{"rcode":"NOERROR","qtype":"AAAA","answers":0}')]" \
  -- CX timeout 10 dig +tries=1 +timeout=3 @198.51.100.53 ipv4only.example.com AAAA
sample dns-blocked pcap "A DNS filter's block: the resolver answers the name with 0.0.0.0 (and :: for AAAA), as Pi-hole or an RPZ does; curl connects to nothing" \
  "curl -4 http://ads.blocked.example.org/ against unbound with local-data ads.blocked.example.org A 0.0.0.0 (AAAA ::)" \
  "[$(err "$(t ads.blocked.example.org null null udp)" "$C4" dns dns.no_address '{"rcode":"NOERROR","unspecified":true}')]" \
  -- CX "${CURL[@]}" -4 http://ads.blocked.example.org/
sample http-200-error-text pcap "An upload refused in a 200 answer: the server says 200 OK, and its whole answer is an error message (a wrong password); curl exits 0" \
  "curl -4 'http://plain.example.org/weatherstation/updateweatherstation.php?ID=KX1&PASSWORD=wrong&tempf=43.0' against nginx (return 200 with the message)" \
  "[$(warn "$(t plain.example.org 203.0.113.26 80 tcp)" "$C4" http http.error_in_body '{"status":200}')]" \
  -- CX "${CURL[@]}" -4 'http://plain.example.org/weatherstation/updateweatherstation.php?ID=KX1&PASSWORD=wrong&tempf=43.0'
sample dns-update-refused pcap "A dynamic update the server does not take: nsupdate asks the resolver (unbound, which implements no updates) to add a record to example.org; it answers with an error and nothing is registered" \
  "nsupdate (server 198.51.100.53, zone example.org, update add host10.example.org 300 A 192.0.2.10) against unbound" \
  "[$(warn "$(t example.org null null udp)" "$C4" dns dns.update_refused '{"rcode":"NOTIMP"}')]" \
  -- CX bash -c 'printf "server 198.51.100.53\nzone example.org\nupdate add host10.example.org 300 A 192.0.2.10\nsend\n" | timeout 10 nsupdate -t 4'
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
sample tls-chain-incomplete pcap "TLS 1.2: the server sends its certificate without the intermediate CA that signed it; this client completes the handshake because it holds the intermediate (as a browser that fetched it), curl with only the root would fail" \
  "curl -4 --tls-max 1.2 --cacert root+intermediate https://nochain.example.net/ against openssl s_server -cert (leaf signed by an issuing CA, AIA CA Issuers URI) without -cert_chain" \
  "[$(warn "$(t nochain.example.net 203.0.113.40 443 tcp)" "$C4" tls tls.chain_incomplete '{"tls_version":"TLS1.2","certificates":1}')]" \
  -- CX "${CURL[@]}" --cacert "$WORK/ca-and-issuing.pem" -4 --tls-max 1.2 https://nochain.example.net/
sample icmp-echo-unanswered pcap "ping gets no reply: four echo requests to noping.example.net (resolved), a firewall on the way drops ICMP; no reply, no ICMP error (a warning: many hosts drop ping)" \
  "ping -c 4 -W 1 noping.example.net; router: iptables -A FORWARD -d 203.0.113.42 -p icmp -j DROP" \
  "[$(warn "$(t noping.example.net 203.0.113.42 null icmp)" "$C4" icmp icmp.echo_unanswered '{"requests":4}')]" \
  -- CX ping -c 4 -W 1 noping.example.net
# ping through a router that drops a third of the echo requests at random (iptables statistic)
if want icmp-echo-loss; then
  inns "$NSR" iptables -I FORWARD 1 -d 203.0.113.10 -p icmp --icmp-type echo-request -m statistic --mode random --probability 0.33 -j DROP
  sample icmp-echo-loss pcap "ping to 203.0.113.10 through a router that drops a third of the echo requests at random: most are answered, some never are (the host is up; the path loses packets now and then)" \
    "ping -c 30 -i 0.2 -W 1 203.0.113.10; router: iptables -I FORWARD -d 203.0.113.10 -p icmp --icmp-type echo-request -m statistic --mode random --probability 0.33 -j DROP" \
    "[$(warn "$(t null 203.0.113.10 null icmp)" "$C4" icmp icmp.echo_loss '{"requests":30}')]" \
    -- CX ping -c 30 -i 0.2 -W 1 203.0.113.10
  inns "$NSR" iptables -D FORWARD -d 203.0.113.10 -p icmp --icmp-type echo-request -m statistic --mode random --probability 0.33 -j DROP
fi
sample udp-ntp-no-response pcap "An NTP server that never answers: chronyd resolves ntp.example.net and sends its iburst client requests; a firewall on the way drops UDP 123, so no reply and no ICMP error come back" \
  "chronyd -Q -t 10 'server ntp.example.net iburst' (chrony 4.3; -Q only measures, never sets the clock); router: iptables -A FORWARD -d 203.0.113.41 -p udp --dport 123 -j DROP" \
  "[$(err "$(t ntp.example.net 203.0.113.41 123 udp)" "$C4" udp udp.no_response '{"service":"NTP"}')]" \
  -- CX timeout 20 chronyd -Q -t 10 -f /dev/null 'server ntp.example.net iburst'
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
# the same 404, captured on the router with tcpdump -i any (Linux cooked capture v2): every packet it
# forwards is in the capture twice, as it came in and as it went out one hop on (TTL one less)
CAPNS=$NSR CAPIF=any sample http-404-seen-twice pcap \
  "HTTP 404 Not Found, captured on the router with tcpdump -i any: each packet it forwards is there twice, as it came in and as it left (TTL one less), a few microseconds apart" \
  "curl -4 http://app.example.com/missing against a python3 http.server handler; tcpdump -i any in the router's namespace" \
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
sample http-body-cut-short pcap \
  "HTTP 200 whose body is cut short: Content-Length 1048576, the server sends 32768 bytes of it, waits 2 s and closes (FIN); curl exits 18 (transfer closed with 1015808 bytes remaining to read)" \
  "curl -4 http://cut.example.org/file.bin against a python3 server that announces 1 MiB, sends 32 KiB (TCP_NODELAY), sleeps 2 s and closes" \
  "[$(err "$(t cut.example.org 203.0.113.37 80 tcp)" "$C4" http http.body_cut_short '{"status":200,"content_length":1048576,"received_bytes":32768,"ended_by":"server FIN","idle_seconds":2}')]" \
  -- CX "${CURL[@]}" -4 http://cut.example.org/file.bin
sample http-close-reset pcap \
  "HTTP 200 without Content-Length (its body ends at the close): 20000 bytes, then 1 s later the server resets the connection instead of closing it; curl exits 56 (Recv failure: Connection reset by peer)" \
  "curl -4 http://reset.example.org/ against a python3 server that answers without Content-Length, sends 20000 bytes, sleeps 1 s and closes with SO_LINGER 0 (RST)" \
  "[$(err "$(t reset.example.org 203.0.113.39 80 tcp)" "$C4" http http.body_cut_short '{"status":200,"delimiter":"close","received_bytes":20000,"ended_by":"server RST"}')]" \
  -- CX "${CURL[@]}" -4 http://reset.example.org/
CUT='dns.qry.name == "www.example.com"+0.5' sample http-body-stalled pcap \
  "HTTP 200 whose body stops: Content-Length 1048576, the server sends 32768 bytes of it, then nothing (no data, no close) while the download hangs; 36 s later the client resolves another name, and the capture is cut just after that" \
  "curl -4 --max-time 50 http://slowbody.example.org/file.bin against a python3 server that announces 1 MiB, sends 32 KiB (TCP_NODELAY) and stays silent 45 s; dig www.example.com A 36 s after the start; the capture cut 0.5 s after that query (editcap -r)" \
  "[$(warn "$(t slowbody.example.org 203.0.113.38 80 tcp)" "$C4" http http.body_stalled '{"status":200,"content_length":1048576,"received_bytes":32768}')]" \
  -- CX bash -c '"$@" & sleep 36; dig +tries=1 +timeout=3 @198.51.100.53 www.example.com A >/dev/null; wait' _ "${CURL[@]}" -4 --max-time 50 http://slowbody.example.org/file.bin

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

# ==================================================================== samples of issues 20 and 22
# Each shows one behaviour that wirewhy must judge by what the packets prove: captures that cannot
# tell (one direction, cut short), normal exchanges that look alarming (traceroutes, PTR/MX answers,
# closes by RST), and failures nobody sees with curl or ping (forged resets, PMTU black holes, an
# encrypted request never answered, TLS to a plain port, lost DNS fragments, a zero window, a stall).
cat >clients.py <<'EOF'
# Clients of the issue 20/22 samples: clients.py <mode> <name> [args]
import os, socket, struct, sys, time

mode, name, args = sys.argv[1], sys.argv[2], sys.argv[3:]


def connect(port=80):     # an A lookup only (AF_INET), as curl -4 does
    addr = socket.getaddrinfo(name, port, socket.AF_INET, socket.SOCK_STREAM)[0][4]
    return socket.create_connection(addr, timeout=10)


def request(path, close):
    return ("GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: samples-client\r\nAccept: */*\r\n%s\r\n"
            % (path, name, "Connection: close\r\n" if close else "")).encode()


def read_response(s):     # one response with Content-Length
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(4096)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    n = 0
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            n = int(v)
    while len(body) < n:
        chunk = s.recv(4096)
        if not chunk:
            break
        body += chunk
    return head


def linger0(s):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


if mode == "finrst":      # reads the answer up to the server's FIN, then closes with RST (SO_LINGER 0)
    s = connect()
    s.sendall(request(args[0], True))
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    print(data.split(b"\r\n")[0].decode())
    linger0(s)
    s.close()
elif mode == "keepalive":  # one exchange, then keeps the connection open for args[0] seconds
    s = connect()
    s.sendall(request("/", False))
    print(read_response(s).split(b"\r\n")[0].decode())
    s.settimeout(float(args[0]))
    try:
        print("after idling:", s.recv(4096))
    except OSError as e:
        print("after idling:", e)
    s.close()
elif mode == "stall":     # one exchange; when args[1] exists, a second request, given up after args[2] s
    s = connect()
    s.sendall(request("/", False))
    print(read_response(s).split(b"\r\n")[0].decode())
    open(args[0], "w").close()
    for _ in range(300):
        if os.path.exists(args[1]):
            break
        time.sleep(0.1)
    s.sendall(request("/again", False))
    s.settimeout(float(args[2]))
    try:
        print("second answer:", s.recv(4096))
    except OSError as e:
        print("second answer:", e)
    linger0(s)            # the application gives up and aborts the connection
    s.close()
EOF
"$PY" -c 'import sys; sys.stdout.buffer.write(bytes(i % 251 for i in range(8192)))' >upload-8k.bin
"$PY" -c 'import sys; sys.stdout.buffer.write(bytes(i % 251 for i in range(32768)))' >upload-32k.bin
CLI=(timeout 20 "$PY" "$WORK/clients.py")
UPLOAD=(-4 -A samples-curl -H 'Expect:' -H 'Content-Type: application/octet-stream')

# forget_pmtu: the client and the server forget the path MTUs they learned (an ICMP fragmentation-needed
# leaves a 10-minute route exception per destination, which would lower the MSS of later samples)
forget_pmtu() { CX ip route flush cache; inns "$NSS" ip route flush cache; }
# kill_conns <server address>: ends the TCP sockets of the client and the server with that address
# (ss -K), so that no retransmission of a blocked connection reaches a later capture
kill_conns() {
  CX ss -K -t dst "$1" >/dev/null 2>&1 || true
  inns "$NSS" ss -K -t src "$1" dst 192.0.2.10 >/dev/null 2>&1 || true
}

# ---- FTP server refusals (vsftpd on 203.0.113.22:21; PAM refuses an unknown user's password)
# (an anonymous session runs as ftp_username, whose home must exist: daemon's is /usr/sbin on Debian)
ftp_conf() { # ftp_conf <max_clients and max_per_ip> [anonymous: YES to let 'anonymous' in]
  mkdir -p "$WORK/vsftpd-empty" "$WORK/vsftpd-anon"
  chmod 555 "$WORK/vsftpd-anon"
  cat >"$WORK/vsftpd.conf" <<EOF
listen=YES
listen_ipv6=NO
listen_address=203.0.113.22
background=NO
anonymous_enable=${2:-NO}
anon_root=$WORK/vsftpd-anon
ftp_username=daemon
no_anon_password=YES
local_enable=YES
pam_service_name=vsftpd
max_clients=$1
max_per_ip=$1
secure_chroot_dir=$WORK/vsftpd-empty
seccomp_sandbox=NO
isolate=NO
isolate_network=NO
xferlog_enable=NO
EOF
}
ftp_start() { ip netns exec "$NSS" vsftpd "$WORK/vsftpd.conf" >"$WORK/vsftpd.log" 2>&1 & FTPPID=$!; sleep 0.5; }
ftp_stop() { # vsftpd and the session processes it forked
  pkill -f "vsftpd $WORK/vsftpd.conf" 2>/dev/null || true
  wait "$FTPPID" 2>/dev/null || true
  sleep 0.2
}
# one client holds the only place (nc), then curl is turned away at the greeting
ftp_busy() {
  (sleep 3 | busybox nc 203.0.113.22 21 >/dev/null) &
  sleep 0.7
  curl -sS --max-time 10 -4 ftp://nosuchuser:wrong@203.0.113.22/
  wait
}
# a health check: connect, read the greeting, leave with a RST (SO_LINGER 0), three times
health_check() {
  "$PY" - <<'EOF'
import socket, struct, time
for i in range(3):
    s = socket.create_connection(('203.0.113.22', 21), timeout=3)
    s.recv(512)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
    s.close()
    time.sleep(0.5)
EOF
}
if want ftp-login-failed || want tcp-health-check-reset; then
  ftp_conf 10
  ftp_start
  sample ftp-login-failed pcap \
    "FTP login refused: vsftpd answers the password with 530 Login incorrect (an unknown user, PAM refuses it) and curl gives up" \
    "curl -4 ftp://nosuchuser:wrong@203.0.113.22/ against vsftpd 3.0.3 (local_enable, anonymous_enable=NO)" \
    "[$(err "$(t null 203.0.113.22 21 tcp)" "$C4" app app.login_failed '{"protocol":"ftp","command":"PASS","code":"530"}')]" \
    -- CX curl -sS --max-time 10 -4 ftp://nosuchuser:wrong@203.0.113.22/
  sample tcp-health-check-reset pcap \
    "A health check's connections: a client connects to vsftpd, reads its 220 greeting and leaves with a RST without a word, three times (a load balancer's TCP check, HAProxy's nolinger close)" \
    "python3: socket.create_connection to 203.0.113.22:21, recv, SO_LINGER 0, close; three times 0.5 s apart, against vsftpd 3.0.3" \
    "[$(warn "$(t null 203.0.113.22 21 tcp)" "$C4" tcp tcp.reset '{"sender":"client","clientSentNothing":true}')]" \
    -- CX bash -c "PY=$PY; $(declare -f health_check); health_check"
  ftp_stop
fi
# credentials tried one after another: eleven refused (PAM knows no such users; vsftpd answers
# each PASS with 530 after its one-second delay), then 'anonymous', which the server lets in
ftp_guessing() {
  for i in $(seq 1 11); do curl -sS --max-time 10 -4 "ftp://admin$i:guess$i@203.0.113.22/" || true; done
  curl -sS --max-time 10 -4 ftp://anonymous:x@203.0.113.22/
}
if want ftp-password-guessed; then
  ftp_conf 10 YES
  ftp_start
  sample ftp-password-guessed pcap \
    "Credentials guessed: eleven logins refused by vsftpd (530 Login incorrect), then a twelfth accepted (230), each in a connection of its own" \
    "curl -4 ftp://adminN:guessN@203.0.113.22/ for N = 1 to 11, then curl -4 ftp://anonymous:x@203.0.113.22/, against vsftpd 3.0.3 (local_enable, anonymous_enable=YES)" \
    "[$(err "$(t null 203.0.113.22 21 tcp)" "$C4" app app.login_failed '{"protocol":"ftp","command":"PASS","code":"530","loginsRefused":11,"loginAccepted":true}')]" \
    -- CX bash -c "$(declare -f ftp_guessing); ftp_guessing"
  ftp_stop
fi
if want ftp-too-many-users; then
  ftp_conf 1
  ftp_start
  sample ftp-too-many-users pcap \
    "FTP server full: vsftpd with max_clients=1 and max_per_ip=1 greets a second connection with 421, while a first one (busybox nc) holds the only place" \
    "busybox nc 203.0.113.22 21 held 3 s, then curl -4 ftp://nosuchuser:wrong@203.0.113.22/ against vsftpd 3.0.3 (max_clients=1, max_per_ip=1)" \
    "[$(err "$(t null 203.0.113.22 21 tcp)" "$C4" app app.refused '{"protocol":"ftp","code":"421"}')]" \
    -- CX bash -c "$(declare -f ftp_busy); ftp_busy"
  ftp_stop
fi

# ---- a message the mail server rejects (Python 3.11's smtpd on 203.0.113.22:25: process_message
# answers the end of DATA with 554)
smtp_server() {
  cat >"$WORK/smtp-reject.py" <<'EOF'
import asyncore, smtpd, sys, warnings
warnings.simplefilter('ignore')
class Rejecting(smtpd.SMTPServer):
    def process_message(self, peer, mailfrom, rcpttos, data, **kw):
        return '554 5.7.1 Message rejected: content policy'
Rejecting(('203.0.113.22', 25), None, decode_data=False)
asyncore.loop(timeout=0.5)
EOF
  ip netns exec "$NSS" "$PY" -W ignore "$WORK/smtp-reject.py" >"$WORK/smtp-reject.log" 2>&1 & SMTPPID=$!
  sleep 0.7
}
if want smtp-message-rejected; then
  smtp_server
  printf 'Subject: report\r\n\r\nhello\r\n' >"$WORK/mail.txt"
  sample smtp-message-rejected pcap \
    "A message the mail server rejects at the end of DATA (554 5.7.1 content policy): the SMTP session works, the mail is not sent" \
    "curl -4 smtp://203.0.113.22/ --mail-from a@client.example --mail-rcpt b@example.net -T mail.txt against Python 3.11's smtpd (process_message returns 554)" \
    "[$(err "$(t null 203.0.113.22 25 tcp)" "$C4" app app.mail_rejected '{"protocol":"smtp","command":"DATA","code":"554"}')]" \
    -- CX curl -sS --max-time 10 -4 smtp://203.0.113.22/ --mail-from a@client.example --mail-rcpt b@example.net -T "$WORK/mail.txt"
  kill "$SMTPPID" 2>/dev/null || true
  wait "$SMTPPID" 2>/dev/null || true
fi

# ---- issue 20: what the capture cannot tell
FILTER='src host 192.0.2.10' sample capture-one-sided-http pcap \
  "HTTP fetch that worked, captured with the filter 'src host 192.0.2.10': only the client's packets are in the file (its ACKs acknowledge the SYN-ACK and the answer, which the file does not hold)" \
  "curl -4 --resolve app.example.com:80:203.0.113.20 http://app.example.com/ against a python3 http.server handler; tcpdump -i c0 src host 192.0.2.10" \
  "[$(warn "$(t app.example.com 203.0.113.20 80 tcp)" "$C4" capture capture.one_sided '{"seen":"client_only","server_packets":0}')]" \
  -- CX "${CURL[@]}" -4 --resolve app.example.com:80:203.0.113.20 http://app.example.com/
# one fetch that works and one whose SYNs the router drops, in a capture of the client's own packets
one_sided_pair() { # one_sided_pair <ca.pem>
  curl -sS -o /dev/null --max-time 12 -4 --resolve app.example.com:80:203.0.113.20 http://app.example.com/
  curl -sS -o /dev/null --cacert "$1" --connect-timeout 4 -4 --resolve blocked.example.com:443:203.0.113.11 https://blocked.example.com/
}
FILTER='src host 192.0.2.10' sample capture-one-sided-syn pcap \
  "Two fetches captured with the filter 'src host 192.0.2.10': one works (its ACKs acknowledge a SYN-ACK and an answer the file does not hold), the other's SYNs the router drops. The capture is shown to miss packets toward the client, so the SYNs without a reply seen are a warning, not a proof of silence" \
  "curl -4 http://app.example.com/ (python3 http.server handler), then curl -4 --connect-timeout 4 https://blocked.example.com/ (203.0.113.11; router: iptables -A FORWARD -d 203.0.113.11 -p tcp --dport 443 -j DROP); tcpdump -i c0 src host 192.0.2.10" \
  "[$(warn "$(t app.example.com 203.0.113.20 80 tcp)" "$C4" capture capture.one_sided '{"seen":"client_only","server_packets":0}'),$(warn "$(t null 203.0.113.11 443 tcp)" "$C4" tcp tcp.syn_unanswered '{"captureMissesClient":true}')]" \
  -- CX bash -c "$(declare -f one_sided_pair); one_sided_pair $WORK/ca.pem"
# a connection attempt given up at once (curl --connect-timeout 0.5, before the kernel's first SYN
# retransmission), in a capture of the client's own packets: nothing shows it went unanswered
lone_syn() {
  curl -sS -o /dev/null --connect-timeout 0.5 https://203.0.113.11/
  sleep 3
  echo end >/dev/udp/198.51.100.99/9
}
FILTER='src host 192.0.2.10' sample capture-one-way-lone-syn pcap \
  "A connection attempt the client gave up after 0.5 s (one SYN, never sent again; the router drops it), then 3 s later a datagram to the discard port, captured with the filter 'src host 192.0.2.10': every packet goes one way. Nothing shows the SYN went unanswered (the client did not wait, and the capture could not hold an answer): a warning, not a failure" \
  "curl -4 --connect-timeout 0.5 https://203.0.113.11/ (router: iptables -A FORWARD -d 203.0.113.11 -p tcp --dport 443 -j DROP), sleep 3, a datagram to 198.51.100.99:9; tcpdump -i c0 src host 192.0.2.10" \
  "[$(warn "$(t null 203.0.113.11 443 tcp)" "$C4" tcp tcp.syn_unanswered '{"sentOnce":true,"nothingTowardClient":true}')]" \
  -- CX bash -c "$(declare -f lone_syn); lone_syn"
CUT='tls.handshake.type == 1+0.010' sample capture-ended-after-client-hello pcap \
  "Capture stopped 10 ms after the ClientHello: the server (slow, it answers after 1.5 s) had not answered yet" \
  "curl -4 https://slow.example.org/ against a python3 ssl server that waits 1.5 s before its ServerHello (the fetch then works); the capture cut 10 ms after the ClientHello (editcap -r)" \
  "[$(warn "$(t slow.example.org 203.0.113.24 443 tcp)" "$C4" capture capture.ended_early '{"last_sent":"ClientHello","max_seconds_after":0.01}')]" \
  -- CX "${CURL[@]}" -4 https://slow.example.org/

# ---- issue 20: normal exchanges that look alarming
sample traceroute-udp pcap \
  "UDP traceroute to 203.0.113.10 through the router: TTL 1 probes answered by time-exceeded from 192.0.2.1, TTL 2 probes by port-unreachable from the destination (arrived)" \
  "traceroute -n -N 1 -q 3 -w 2 -m 5 203.0.113.10 (Debian's traceroute 2.1; UDP probes to ports 33434 and up)" \
  "[$(ok "$(t null 203.0.113.10 null udp)" "$C4" '{"traceroute":{"hops":["192.0.2.1","203.0.113.10"],"probes_per_hop":3,"ended_by":"port_unreachable"}}')]" \
  -- CX timeout 30 traceroute.db -n -N 1 -q 3 -w 2 -m 5 203.0.113.10
sample traceroute-icmp pcap \
  "ICMP traceroute to 203.0.113.10 through the router: TTL 1 echo requests answered by time-exceeded from 192.0.2.1, TTL 2 by echo replies from the destination" \
  "traceroute -I -n -N 1 -q 3 -w 2 -m 5 203.0.113.10 (Debian's traceroute 2.1; ICMP echo probes)" \
  "[$(ok "$(t null 203.0.113.10 null icmp)" "$C4" '{"traceroute":{"hops":["192.0.2.1","203.0.113.10"],"probes_per_hop":3,"ended_by":"echo_reply"}}')]" \
  -- CX timeout 30 traceroute.db -I -n -N 1 -q 3 -w 2 -m 5 203.0.113.10
sample dns-ptr pcap "DNS PTR lookup (reverse lookup of 203.0.113.10) answered with a name" \
  "dig -x 203.0.113.10 against unbound (local-data-ptr in the static zone 113.0.203.in-addr.arpa)" \
  "[$(ok "$(t 10.113.0.203.in-addr.arpa null null udp)" "$C4" '{"qtype":"PTR","answers":1,"answer":"www.example.com"}')]" \
  -- CX timeout 10 dig +tries=1 +timeout=3 @198.51.100.53 -x 203.0.113.10
sample dns-mx pcap "DNS MX lookup answered (a mail exchanger; no address record was asked for)" \
  "dig example.com MX against unbound (local-data MX)" \
  "[$(ok "$(t example.com null null udp)" "$C4" '{"qtype":"MX","answers":1,"answer":"10 mail.example.com"}')]" \
  -- CX timeout 10 dig +tries=1 +timeout=3 @198.51.100.53 example.com MX
sample tcp-close-fin-then-rst pcap \
  "HTTP fetch that worked, closed by FIN then RST: the server sends its answer and FIN, the client closes with SO_LINGER 0 (RST instead of FIN), as many programs do" \
  "python3 client (A lookup, GET with Connection: close, reads to the server's FIN, then SO_LINGER 0 and close) against a python3 http.server handler" \
  "[$(ok "$(t app.example.com 203.0.113.20 80 tcp)" "$C4" '{"http_status":200,"close":"server FIN, then client RST"}')]" \
  -- CX "${CLI[@]}" finrst app.example.com /
sample tcp-idle-keepalive-reset pcap \
  "HTTP/1.1 keep-alive: one complete exchange, the client keeps the connection open, the server resets it after 3 s idle" \
  "python3 client (GET over HTTP/1.1, reads the answer, then waits 5 s with the connection open) against a python3 server that resets (SO_LINGER 0) connections idle for 3 s" \
  "[$(ok "$(t idle.example.org 203.0.113.27 80 tcp)" "$C4" '{"http_status":200,"reset_by":"server","idle_seconds":3}')]" \
  -- CX "${CLI[@]}" keepalive idle.example.org 5

# ---- issue 22: forged resets (REJECT --reject-with tcp-reset on the router: its RST leaves with TTL 64
# and reaches the client with 64, the server's packets cross the router and arrive with 63)
RST_SYN=(-d 203.0.113.23 -p tcp --dport 443 --syn -j REJECT --reject-with tcp-reset)
RST_SNI=(-d 203.0.113.23 -p tcp --dport 443 -m string --string filtered.example.org --algo bm -j REJECT --reject-with tcp-reset)
REDIRECT_OK="$(ok "$(t filtered.example.org 203.0.113.23 80 tcp)" "$C4" '{"http_status":301}')"
if want tcp-reset-injected-syn; then
  inns "$NSR" iptables -I FORWARD "${RST_SYN[@]}"
  sample tcp-reset-injected-syn pcap \
    "A router forges a RST in reply to the SYN to port 443 (TTL 64, while the same server's packets on port 80 arrive with TTL 63); curl followed an http -> https redirect" \
    "curl -4 -L http://filtered.example.org/ (301 to https); router: iptables -I FORWARD -d 203.0.113.23 -p tcp --dport 443 --syn -j REJECT --reject-with tcp-reset" \
    "[$REDIRECT_OK,$(err "$(t filtered.example.org 203.0.113.23 443 tcp)" "$C4" tcp tcp.reset_injected '{"after":"SYN","rst_ttl":64,"server_ttl":63,"rst_ip_id":0}')]" \
    -- CX "${CURL[@]}" -4 -L http://filtered.example.org/
  inns "$NSR" iptables -D FORWARD "${RST_SYN[@]}"
fi
if want tcp-reset-injected-sni; then
  inns "$NSR" iptables -I FORWARD "${RST_SNI[@]}"
  sample tcp-reset-injected-sni pcap \
    "A router matches the SNI in the ClientHello and forges a RST (TTL 64; the server's SYN-ACK arrived with TTL 63); the ClientHello never reaches the server" \
    "curl -4 -L http://filtered.example.org/ (301 to https); router: iptables -I FORWARD -d 203.0.113.23 -p tcp --dport 443 -m string --string filtered.example.org --algo bm -j REJECT --reject-with tcp-reset" \
    "[$REDIRECT_OK,$(err "$(t filtered.example.org 203.0.113.23 443 tcp)" "$C4" tcp tcp.reset_injected '{"after":"ClientHello","sni":"filtered.example.org","rst_ttl":64,"server_ttl":63,"rst_ip_id":0}')]" \
    -- CX "${CURL[@]}" -4 -L http://filtered.example.org/
  inns "$NSR" iptables -D FORWARD "${RST_SNI[@]}"
  kill_conns 203.0.113.23
fi
sample https-redirect-ok pcap \
  "The twin of the forged-reset samples: the same http -> https fetch with no forging rule works (TLS 1.3)" \
  "curl -4 -L http://filtered.example.org/ (301 to https) against a python3 redirect and openssl s_server -www" \
  "[$REDIRECT_OK,$(ok "$(t filtered.example.org 203.0.113.23 443 tcp)" "$C4" '{"tls_version":"TLS1.3"}')]" \
  -- CX "${CURL[@]}" -4 -L http://filtered.example.org/

# ---- issue 22: PMTU. The router's route has mtu 1400 towards one side (as a tunnel would): full-size
# DF packets (1500 bytes) need an ICMP fragmentation-needed; where it is dropped, nothing full-size passes
if want pmtu-blackhole-download; then
  inns "$NSR" ip route add 192.0.2.0/24 dev r-c mtu 1400 table 128
  inns "$NSR" ip rule add from 203.0.113.28 lookup 128 pref 1000
  inns "$NSR" iptables -I OUTPUT -d 203.0.113.28 -p icmp --icmp-type fragmentation-needed -j DROP
  sample pmtu-blackhole-download pcap \
    "PMTU black hole, download: the server's full-size segments (1500 bytes, DF) never arrive, its small ones do (headers, the body's last piece, SACKed); no ICMP; the client gives up after 8 s" \
    "curl -4 --max-time 8 http://down.example.org/ (8 KB body, python3 server with TCP_NODELAY); router: route to 192.0.2.0/24 with mtu 1400 for packets from 203.0.113.28, iptables -I OUTPUT -d 203.0.113.28 -p icmp --icmp-type fragmentation-needed -j DROP" \
    "[$(err "$(t down.example.org 203.0.113.28 80 tcp)" "$C4" tcp tcp.pmtu_blackhole '{"direction":"download","mss":{"client":1460,"server":1460},"largest_payload_delivered":952,"icmp_frag_needed":false}')]" \
    -- CX "${CURL[@]}" -4 --max-time 8 http://down.example.org/
  kill_conns 203.0.113.28
  inns "$NSR" iptables -D OUTPUT -d 203.0.113.28 -p icmp --icmp-type fragmentation-needed -j DROP
  inns "$NSR" ip rule del from 203.0.113.28 lookup 128 pref 1000
  inns "$NSR" ip route del 192.0.2.0/24 dev r-c table 128
  forget_pmtu
fi
if want pmtu-download-recovered-ok; then
  inns "$NSR" ip route add 192.0.2.0/24 dev r-c mtu 1400 table 129
  inns "$NSR" ip rule add from 203.0.113.32 lookup 129 pref 1001
  sample pmtu-download-recovered-ok pcap \
    "The twin of the download black hole: the same 1400-byte link, the ICMP fragmentation-needed reaches the server, which resends in 1400-byte packets: the download works" \
    "curl -4 http://downok.example.org/ (8 KB body); router: route to 192.0.2.0/24 with mtu 1400 for packets from 203.0.113.32, ICMP not filtered" \
    "[$(ok "$(t downok.example.org 203.0.113.32 80 tcp)" "$C4" '{"http_status":200,"largest_packet":1400}')]" \
    -- CX "${CURL[@]}" -4 http://downok.example.org/
  inns "$NSR" ip rule del from 203.0.113.32 lookup 129 pref 1001
  inns "$NSR" ip route del 192.0.2.0/24 dev r-c table 129
  forget_pmtu
fi
if want pmtu-blackhole-upload; then
  inns "$NSR" ip route add 203.0.113.29/32 dev r-s mtu 1400
  inns "$NSR" iptables -I OUTPUT -d 192.0.2.10 -p icmp --icmp-type fragmentation-needed -j DROP
  sample pmtu-blackhole-upload pcap \
    "PMTU black hole, upload: the client's full-size segments (1500 bytes, DF) are retransmitted with back-off and never acknowledged, the small last one is (SACK); no ICMP; after 10 s the server, still without the request head, closes" \
    "curl -4 --max-time 10 --data-binary @8k http://up.example.org/upload; router: route to 203.0.113.29 with mtu 1400, iptables -I OUTPUT -d 192.0.2.10 -p icmp --icmp-type fragmentation-needed -j DROP" \
    "[$(err "$(t up.example.org 203.0.113.29 80 tcp)" "$C4" tcp tcp.pmtu_blackhole '{"direction":"upload","mss":{"client":1460,"server":1460},"largest_payload_delivered":1100,"icmp_frag_needed":false}')]" \
    -- CX "${CURL[@]}" "${UPLOAD[@]}" --max-time 10 --data-binary @"$WORK/upload-8k.bin" http://up.example.org/upload
  kill_conns 203.0.113.29
  inns "$NSR" iptables -D OUTPUT -d 192.0.2.10 -p icmp --icmp-type fragmentation-needed -j DROP
  inns "$NSR" ip route del 203.0.113.29/32 dev r-s
  forget_pmtu
fi
if want pmtu-upload-frag-needed-ok; then
  inns "$NSR" ip route add 203.0.113.31/32 dev r-s mtu 1400
  sample pmtu-upload-frag-needed-ok pcap \
    "The twin of the upload black hole: the router's ICMP fragmentation-needed (MTU 1400) reaches the client, which resends in 1400-byte packets: the upload works" \
    "curl -4 --data-binary @8k http://upok.example.org/upload; router: route to 203.0.113.31 with mtu 1400, ICMP not filtered" \
    "[$(ok "$(t upok.example.org 203.0.113.31 80 tcp)" "$C4" '{"http_status":200,"path_mtu":1400,"frag_needed":{"from":"192.0.2.1","mtu":1400}}')]" \
    -- CX "${CURL[@]}" "${UPLOAD[@]}" --data-binary @"$WORK/upload-8k.bin" http://upok.example.org/upload
  inns "$NSR" ip route del 203.0.113.31/32 dev r-s
  forget_pmtu
fi
if want tcp-synack-too-late; then
  # the router drops the server's SYN-ACKs for the first 2.5 s; curl gives up connecting after 2 s, and
  # the server's next SYN-ACK (its own retransmission) reaches a client that has closed the socket
  SYNACK_DROP=(FORWARD -s 203.0.113.20 -p tcp --sport 80 --tcp-flags SYN,ACK SYN,ACK -j DROP)
  inns "$NSR" iptables -I "${SYNACK_DROP[@]}"
  SETTLE=5 sample tcp-synack-too-late pcap \
    "The server answers, but too late: the router drops its SYN-ACKs for the first 2.5 s, curl gives up connecting after 2 s, and the client's kernel resets the server's next SYN-ACK (a retransmission of its own), which arrives after that" \
    "curl -4 --connect-timeout 2 http://203.0.113.20/; router: iptables -I FORWARD -s 203.0.113.20 -p tcp --sport 80 --tcp-flags SYN,ACK SYN,ACK -j DROP, deleted 2.5 s after the start" \
    "[$(err "$(t null 203.0.113.20 80 tcp)" "$C4" tcp tcp.handshake_incomplete '{"synack_after_s":2.5}')]" \
    -- bash -c "\"\$@\" & sleep 2.5; ip netns exec $NSR iptables -D ${SYNACK_DROP[*]}; wait" _ ip netns exec "$NSC" "${CURL[@]}" -4 --connect-timeout 2 http://203.0.113.20/
  inns "$NSR" iptables -D "${SYNACK_DROP[@]}" 2>/dev/null || true
fi

# ---- issue 22: encrypted request never answered; TLS to a plain port
sample https-no-response pcap \
  "HTTPS: TLS 1.3 completes, the client sends its request, the server sends only its two session tickets, then 5 s of silence until the client gives up" \
  "curl -4 --max-time 5 https://quiet.example.org/ against a python3 ssl server (TLS 1.3 only) that completes the handshake, reads and never answers" \
  "[$(err "$(t quiet.example.org 203.0.113.25 443 tcp)" "$C4" http http.no_response '{"encrypted":true,"tls_version":"TLS1.3","tickets":2,"silence_seconds":5}')]" \
  -- CX "${CURL[@]}" -4 --max-time 5 https://quiet.example.org/
sample tls-to-plain-http-port pcap \
  "curl https:// to a plain HTTP port: the ClientHello is answered in clear with 'HTTP/1.1 400 Bad Request' (nginx)" \
  "curl -4 https://plain.example.org:80/ against nginx serving plain HTTP on 203.0.113.26:80" \
  "[$(err "$(t plain.example.org 203.0.113.26 80 tcp)" "$C4" tls tls.not_tls '{"answer_starts":"HTTP/1.1 400 Bad Request"}')]" \
  -- CX "${CURL[@]}" -4 https://plain.example.org:80/

# ---- issue 22: DNS answers in IPv6 fragments (70 AAAA records, about 2 KB; the second unbound allows
# 4096-byte EDNS answers); the router drops the first fragment (ip6tables frag match, --fragfirst)
FRAG_DROP=(-s 2001:db8:198::55 -m frag --fragfirst -j DROP)
DIG_BIG=(timeout 15 dig -6 +bufsize=4096 +tries=2 +timeout=2 @2001:db8:198::55 large.example.net AAAA)
if want dns-fragments-lost-v6; then
  inns "$NSR" ip6tables -I FORWARD "${FRAG_DROP[@]}"
  sample dns-fragments-lost-v6 pcap \
    "DNS answer over IPv6 in two fragments; the router drops every first fragment: both tries get only the last fragment, the lookup fails" \
    "dig -6 +bufsize=4096 +tries=2 +timeout=2 @2001:db8:198::55 large.example.net AAAA (unbound, 70 AAAA records); router: ip6tables -I FORWARD -s 2001:db8:198::55 -m frag --fragfirst -j DROP" \
    "[$(err "$(t large.example.net null null udp)" "$C6" dns dns.fragments_lost '{"qtype":"AAAA","server":"2001:db8:198::55","queries":2,"edns_udp_size":4096,"fragment_offsets_seen":[1232],"first_fragment_seen":false}')]" \
    -- CX "${DIG_BIG[@]}"
  inns "$NSR" ip6tables -D FORWARD "${FRAG_DROP[@]}"
fi
if want dns-fragments-lost-retry-v6; then
  frag_retry() {
    inns "$NSR" ip6tables -I FORWARD "${FRAG_DROP[@]}"
    ( sleep 1; inns "$NSR" ip6tables -D FORWARD "${FRAG_DROP[@]}" ) &
    local lift=$!
    CX "${DIG_BIG[@]}"
    wait "$lift"
  }
  sample dns-fragments-lost-retry-v6 pcap \
    "DNS answer over IPv6 in two fragments: the first answer's first fragment is dropped on the router (only the last arrives); the retry 2 s later gets every fragment" \
    "dig -6 +bufsize=4096 +tries=2 +timeout=2 @2001:db8:198::55 large.example.net AAAA; router: ip6tables -I FORWARD -s 2001:db8:198::55 -m frag --fragfirst -j DROP, deleted 1 s after the first query" \
    "[$(warn "$(t large.example.net null null udp)" "$C6" ok ok '{"qtype":"AAAA","answers":70,"failed_attempts":[{"cause":"dns.fragments_lost","fragment_offsets_seen":[1232]}]}')]" \
    -- frag_retry
fi
sample dns-fragmented-ok-v6 pcap \
  "The twin of the lost-fragment samples: the same 2 KB DNS answer in two IPv6 fragments, both arrive" \
  "dig -6 +bufsize=4096 @2001:db8:198::55 large.example.net AAAA (no drop)" \
  "[$(ok "$(t large.example.net null null udp)" "$C6" '{"qtype":"AAAA","answers":70,"fragments":2}')]" \
  -- CX "${DIG_BIG[@]}"

# ---- issue 22: a receiver that stops reading, and one that keeps reading slowly (SO_RCVBUF 4096)
sample tcp-zero-window pcap \
  "Upload to a server whose application stops reading: its window goes to zero, the client's zero-window probes are answered Win=0 for 27 s, until curl gives up after 30 s" \
  "curl -4 --max-time 30 --data-binary @32k http://sink.example.org/upload against a python3 server (SO_RCVBUF 4096) that reads the request head and then stops reading" \
  "[$(err "$(t sink.example.org 203.0.113.33 80 tcp)" "$C4" tcp tcp.zero_window '{"receiver":"server","zero_window_seconds":27}')]" \
  -- CX "${CURL[@]}" "${UPLOAD[@]}" --max-time 30 --data-binary @"$WORK/upload-32k.bin" http://sink.example.org/upload
kill_conns 203.0.113.33
sample tcp-slow-reader-ok pcap \
  "The twin of the zero window: the same upload to a server that keeps reading, slowly (1 KB every 50 ms, SO_RCVBUF 4096): its window closes and reopens, the upload works" \
  "curl -4 --data-binary @32k http://reader.example.org/upload against a python3 server (SO_RCVBUF 4096) that reads 1 KB every 50 ms" \
  "[$(ok "$(t reader.example.org 203.0.113.34 80 tcp)" "$C4" '{"http_status":200}')]" \
  -- CX "${CURL[@]}" "${UPLOAD[@]}" --data-binary @"$WORK/upload-32k.bin" http://reader.example.org/upload

# ---- issue 22: a stall seen from the middle of a connection: the capture starts after the handshake
# and a first exchange; the router then drops everything from the server; the client's request is
# retransmitted with back-off, never acknowledged, and the client aborts after 9 s
if want tcp-stalled-mid-connection; then
  rm -f "$WORK/stall.ready" "$WORK/stall.go"
  CX "${CLI[@]}" stall stall.example.org "$WORK/stall.ready" "$WORK/stall.go" 9 >"$WORK/stall-client.out" 2>&1 &
  stall_pid=$!
  for ((i = 0; i < 100; i++)); do [[ -e $WORK/stall.ready ]] && break; sleep 0.1; done
  stall() {
    inns "$NSR" iptables -I FORWARD -s 203.0.113.35 -d 192.0.2.10 -j DROP
    touch "$WORK/stall.go"
    wait "$stall_pid" || true
  }
  sample tcp-stalled-mid-connection pcap \
    "Capture started mid-connection (no handshake): the client's request is retransmitted with exponential back-off for 9 s and never acknowledged (the router drops the server's packets), then the client aborts" \
    "python3 client: GET over HTTP/1.1 keep-alive (before the capture), then a second GET once the router drops 203.0.113.35 -> client (iptables -I FORWARD -s 203.0.113.35 -d 192.0.2.10 -j DROP); gives up after 9 s with SO_LINGER 0" \
    "[$(err "$(t stall.example.org 203.0.113.35 80 tcp)" "$C4" tcp tcp.stalled '{"handshake_seen":false,"seconds":9}')]" \
    -- stall
  kill_conns 203.0.113.35
  inns "$NSR" iptables -D FORWARD -s 203.0.113.35 -d 192.0.2.10 -j DROP
fi

# ---- an HTTPS download whose path goes black (found by scripts/lossy-check.sh's blackhole profile):
# the router throttles the server's side to 4 Mbit/s, then drops everything from the server 0.25 s into
# the fetch; the server's data stops in the middle of a TLS record and curl gives up at --max-time 5
if want https-transfer-cut-short; then
  head -c 600000 /dev/urandom >"$WORK/f600"
  sserv cut -accept 203.0.113.10:4443 -cert good.pem -key good.key -WWW
  wait_listen "$NSS" t 203.0.113.10:4443
  inns "$NSR" tc qdisc add dev r-c root tbf rate 4mbit burst 6kb limit 12kb
  blackhole_fetch() {
    ( sleep 0.25; inns "$NSR" iptables -I FORWARD 1 -s 203.0.113.10 -p tcp --sport 4443 -j DROP ) &
    local drop=$!
    CX curl -sS -o /dev/null -w '%{http_code}\n' --cacert "$WORK/ca.pem" --max-time 5 -4 https://www.example.com:4443/f600 || true
    wait "$drop" || true
  }
  sample https-transfer-cut-short pcap \
    "HTTPS download cut by a path that goes black: the server's data (4 Mbit/s) stops 0.25 s in, in the middle of a TLS record; 4.7 s later curl gives up (--max-time 5, exit 28) with a close_notify and FIN" \
    "curl -4 --max-time 5 https://www.example.com:4443/f600 (600000 bytes) against openssl s_server -WWW; router: tc tbf 4mbit on the client's side, and 0.25 s into the fetch iptables -I FORWARD -s 203.0.113.10 -p tcp --sport 4443 -j DROP" \
    "[$(warn "$(t www.example.com 203.0.113.10 4443 tcp)" "$C4" tls tls.transfer_cut_short '{"endedBy":{"sender":"client","flag":"FIN"}}')]" \
    -- blackhole_fetch
  kill_conns 203.0.113.10
  inns "$NSR" iptables -D FORWARD -s 203.0.113.10 -p tcp --sport 4443 -j DROP
  inns "$NSR" tc qdisc del dev r-c root
fi

# ---- an HTTPS download through a path that loses a third of the server's packets (found by
# scripts/lossy-check.sh's loss25 profile): the data crawls, and curl gives up at --max-time 2 while it
# still arrives
# crawl_path add|del <server port>: the router throttles the client's side to 400 kbit/s and drops a
# third of the server's packets from that port, at random
crawl_path() {
  local op=$1 port=$2
  if [[ $op == add ]]; then
    inns "$NSR" tc qdisc add dev r-c root tbf rate 400kbit burst 6kb limit 12kb
    inns "$NSR" iptables -I FORWARD 1 -s 203.0.113.10 -p tcp --sport "$port" -m statistic --mode random --probability 0.33 -j DROP
  else
    kill_conns 203.0.113.10
    inns "$NSR" iptables -D FORWARD -s 203.0.113.10 -p tcp --sport "$port" -m statistic --mode random --probability 0.33 -j DROP
    inns "$NSR" tc qdisc del dev r-c root
  fi
}
if want https-transfer-crawling; then
  head -c 600000 /dev/urandom >"$WORK/f600c"
  sserv crawl -accept 203.0.113.10:4444 -cert good.pem -key good.key -WWW
  wait_listen "$NSS" t 203.0.113.10:4444
  crawl_path add 4444
  sample https-transfer-crawling pcap \
    "HTTPS download through a path that loses a third of the server's packets (throttled to 400 kbit/s): the data crawls, many segments are sent again, and curl gives up at --max-time 2 (exit 28: close_notify and FIN) while the data is still arriving, in the middle of a TLS record" \
    "curl -4 --max-time 2 https://www.example.com:4444/f600c (600000 bytes) against openssl s_server -WWW; router: tc tbf 400kbit on the client's side and iptables -I FORWARD -s 203.0.113.10 -p tcp --sport 4444 -m statistic --mode random --probability 0.33 -j DROP" \
    "[$(warn "$(t www.example.com 203.0.113.10 4444 tcp)" "$C4" tls tls.transfer_cut_short '{"endedBy":{"sender":"client","flag":"FIN"},"stillArriving":true}')]" \
    -- CX curl -sS -o /dev/null -w '%{http_code}\n' --cacert "$WORK/ca.pem" --max-time 2 -4 https://www.example.com:4444/f600c
  crawl_path del 4444
fi

# ---- the same crawl over plain HTTP: python3's http.server sends a 600 kB file (Content-Length)
if want http-transfer-crawling; then
  head -c 600000 /dev/urandom >"$WORK/f600h"
  inns "$NSS" python3 -m http.server --bind 203.0.113.10 --directory "$WORK" 8080 >"$WORK/http-crawl.log" 2>&1 &
  wait_listen "$NSS" t 203.0.113.10:8080
  crawl_path add 8080
  sample http-transfer-crawling pcap \
    "HTTP download (Content-Length 600000) through a path that loses a third of the server's packets (throttled to 400 kbit/s): the body crawls, many segments are sent again, and curl gives up at --max-time 2 (exit 28: a FIN, or a RST when bytes were still unread) while the body is still arriving" \
    "curl -4 --max-time 2 http://www.example.com:8080/f600h against python3 -m http.server; router: tc tbf 400kbit on the client's side and iptables -I FORWARD -s 203.0.113.10 -p tcp --sport 8080 -m statistic --mode random --probability 0.33 -j DROP" \
    "[$(warn "$(t www.example.com 203.0.113.10 8080 tcp)" "$C4" http http.body_cut_short '{"stillArriving":true}')]" \
    -- CX curl -sS -o /dev/null -w '%{http_code}\n' --max-time 2 -4 http://www.example.com:8080/f600h
  crawl_path del 8080
fi

# ---- a dual-stack name whose IPv6 address is filtered (Happy Eyeballs), and a port scan
sample happy-eyeballs-v6-dropped pcap \
  "Happy Eyeballs: dual.example.com has an AAAA (2001:db8:203::11, whose tcp/443 the router drops) and an A (203.0.113.10); curl tries IPv6 first, starts IPv4 200 ms later and completes over IPv4" \
  "curl https://dual.example.com/ (no -4/-6; curl 7.88, happy-eyeballs delay 200 ms) against openssl s_server -www; router: ip6tables -A FORWARD -d 2001:db8:203::11 -p tcp --dport 443 -j DROP" \
  "[$(warn "$(t dual.example.com 203.0.113.10 443 tcp)" "$C4" ok ok '{"tls_version":"TLS1.3","failed_attempts":[{"cause":"tcp.syn_unanswered","ip":"2001:db8:203::11"}]}')]" \
  -- CX "${CURL[@]}" https://dual.example.com/
# A DHCP server behind a relay pings the address it is about to offer (its conflict check, RFC 2131
# §2.2). dhcp_via_relay LAST [SQUAT]: dnsmasq's range is 192.0.2.101 to LAST; with SQUAT, the router
# holds 192.0.2.101 as a second address on the client's network, so that a host answers that ping.
dhcp_via_relay() {
  local last=$1 squat=${2:-} leases=$WORK/dhcp.leases srv relay
  : >"$leases"
  [[ -z $squat ]] || inns "$NSR" ip addr add 192.0.2.101/24 dev r-c
  inns "$NSD" dnsmasq --no-daemon --conf-file=/dev/null --port=0 --interface=d0 --bind-interfaces \
    --dhcp-range=192.0.2.101,"$last",255.255.255.0,5m --dhcp-leasefile="$leases" --pid-file="$WORK/dnsmasq-dhcp.pid" \
    >"$WORK/dnsmasq-dhcp.log" 2>&1 &
  srv=$!
  inns "$NSR" dnsmasq --no-daemon --conf-file=/dev/null --port=0 --interface=r-c --bind-interfaces \
    --dhcp-relay=192.0.2.1,198.51.100.53 --pid-file="$WORK/dnsmasq-relay.pid" >"$WORK/dnsmasq-relay.log" 2>&1 &
  relay=$!
  # the router gives up resolving an address on the client's network after one ARP request of
  # 0.5 s (the kernel's default is three of 1 s, which races with the relay's own neighbour entry
  # for the client, made when it forwards the offer 3 s after dnsmasq's ping)
  inns "$NSR" sysctl -qw net.ipv4.neigh.r-c.mcast_solicit=1 net.ipv4.neigh.r-c.retrans_time_ms=500
  sleep 1
  # -s /bin/true: the lease is taken and left unused (the client keeps its own address)
  CX timeout 30 busybox udhcpc -i c0 -f -n -q -t 3 -T 8 -s /bin/true || true
  sleep 1
  kill "$srv" "$relay" 2>/dev/null || true
  inns "$NSR" sysctl -qw net.ipv4.neigh.r-c.mcast_solicit=3 net.ipv4.neigh.r-c.retrans_time_ms=1000
  [[ -z $squat ]] || inns "$NSR" ip addr del 192.0.2.101/24 dev r-c
}
SETTLE=2 CAPNS=$NSD CAPIF=d0 sample dhcp-ping-check pcap \
  "A DHCP server's conflict check: dnsmasq, behind a relay on the router, pings 192.0.2.101 before it offers it to a client (busybox udhcpc); the router finds no host there and answers ICMP host unreachable, so the address is free and is offered. Captured on the DHCP server: no failure" \
  "busybox udhcpc -i c0 -n -q against dnsmasq 2.90 (--dhcp-range 192.0.2.101, one address) on 198.51.100.53, through dnsmasq --dhcp-relay on the router (192.0.2.1); captured on the server's d0" \
  "[$(ok "$(t null 192.0.2.101 null icmp)" '"client":"198.51.100.53"' '{"dhcpConflictCheck":{"answer":"host_unreachable","from":"198.51.100.1"}}')]" \
  -- dhcp_via_relay 192.0.2.101

# The same, but a host already answers at the first address of the range: dnsmasq offers the next one.
SETTLE=2 CAPNS=$NSD CAPIF=d0 sample dhcp-address-in-use pcap \
  "A host squats in the DHCP pool: dnsmasq, behind a relay on the router, pings 192.0.2.101 before offering it and gets an echo reply (the router holds that address), so it offers 192.0.2.102 instead to the client (busybox udhcpc). The client gets an address; the address in use is the finding. Captured on the DHCP server" \
  "busybox udhcpc -i c0 -n -q against dnsmasq 2.90 (--dhcp-range 192.0.2.101-192.0.2.102) on 198.51.100.53, through dnsmasq --dhcp-relay on the router (192.0.2.1), which also holds 192.0.2.101; captured on the server's d0" \
  "[$(warn "$(t null 192.0.2.101 null icmp)" '"client":"198.51.100.53"' dhcp dhcp.address_in_use '{"offeredInstead":{"address":"192.0.2.102","message":"offer"}}')]" \
  -- dhcp_via_relay 192.0.2.102 squat

# A SYN flood: 330 SYNs with forged sources (192.0.2.100-209, unassigned: the router finds no
# host for the server's SYN-ACKs), each sent once, to a listener on 203.0.113.22:8080, in about
# 0.3 s; then the real client connects. Captured on the server, which answers every SYN.
# A raw IPv4 SYN from any source address (a forged one, a scanner's), for the samples below: python3
# helper written once to $WORK/rawsyn.py, imported by each generator.
cat > "$WORK/rawsyn.py" <<'EOF2'
import socket, struct
def csum(b):
    if len(b) % 2: b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
def syn(src, dst, sport, dport, seq, win, ipid):
    s, d = socket.inet_aton(src), socket.inet_aton(dst)
    tcp = struct.pack('!HHIIBBHHH', sport, dport, seq, 0, 5 << 4, 0x02, win, 0, 0)
    tcp = tcp[:16] + struct.pack('!H', csum(s + d + struct.pack('!BBH', 0, 6, len(tcp)) + tcp)) + tcp[18:]
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(tcp), ipid, 0, 64, 6, 0, s, d)
    return ip[:10] + struct.pack('!H', csum(ip)) + ip[12:] + tcp
def sender():
    return socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
EOF2

syn_flood() {
  "$PY" - "$WORK" <<'EOF2'
import random, socket, sys, time
sys.path.insert(0, sys.argv[1])
from rawsyn import sender, syn
raw = sender()
rnd = random.Random(7)
for i in range(330):
    sport, seq = rnd.randrange(1024, 65535), rnd.randrange(1 << 32)
    raw.sendto(syn('192.0.2.%d' % (100 + i % 110), '203.0.113.22', sport, 8080, seq, 64240, rnd.randrange(65536)), ('203.0.113.22', 0))
    time.sleep(0.001)
time.sleep(0.5)
s = socket.create_connection(('203.0.113.22', 8080), timeout=5)
s.sendall(b'hello\n')
s.close()
EOF2
}
flood_listener() {
  inns "$NSS" "$PY" -c "
import socket
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(('203.0.113.22', 8080)); l.listen(1024)
while True:
    c, _ = l.accept(); c.recv(64); c.close()
" >/dev/null 2>&1 & FLOODPID=$!
  sleep 0.5
}
if want tcp-syn-flood; then
  flood_listener
  SETTLE=4 CAPNS=$NSS CAPIF=s0 sample tcp-syn-flood pcap \
    "A SYN flood: 330 SYNs from 110 forged source addresses, each sent once, to a listener within about 0.3 s; the server answers each with SYN-ACKs no one acknowledges. Then a real client connects and is served. Captured on the server" \
    "python3 raw socket (IPPROTO_RAW) in the client namespace: 330 SYNs from 192.0.2.100-209 to 203.0.113.22:8080 (a python3 listener, backlog 1024), 1 ms apart; then socket.create_connection from 192.0.2.10; captured on the server's s0" \
    "[$(warn "$(t null 203.0.113.22 8080 tcp)" '"client":null' tcp tcp.syn_flood '{"syns":330}')]" \
    -- CX bash -c "PY=$PY; WORK=$WORK; $(declare -f syn_flood); syn_flood"
  kill "$FLOODPID" 2>/dev/null || true
  wait "$FLOODPID" 2>/dev/null || true
fi

# Background scanning of a server: strangers each try a port or two and never come back.
inbound_probes() {
  "$PY" - "$WORK" <<'EOF2'
import random, socket, sys, time
sys.path.insert(0, sys.argv[1])
from rawsyn import sender, syn
srv = '203.0.113.22'
# a scanner's raw SYNs (masscan, zmap): once each, to ports the server's firewall drops
raw = sender()
rnd = random.Random(11)
for i, port in enumerate([23, 2323, 7547, 37215, 5555, 8291] * 2):
    sport, seq = rnd.randrange(1024, 65535), rnd.randrange(1 << 32)
    raw.sendto(syn('192.0.2.%d' % (140 + i), srv, sport, port, seq, 1024, rnd.randrange(65536)), (srv, 0))
    time.sleep(0.02)
# worms and crawlers with a real stack: connect() from an address of their own to two closed ports
ports = [445, 3389, 22, 1433, 5900, 6379, 9200, 81, 8081, 3306, 139, 1521]
for i in range(12):
    for port in (ports[i], ports[(i + 5) % 12]):
        s = socket.socket()
        s.bind(('192.0.2.%d' % (120 + i), 0))
        s.settimeout(2)
        try:
            s.connect((srv, port))
        except OSError:
            pass
        s.close()
        time.sleep(0.02)
# the capture goes on past a kernel's resends; then the server's own client is served
time.sleep(3.5)
s = socket.create_connection((srv, 8080), timeout=5)
s.sendall(b'hello\n')
s.close()
EOF2
}
if want tcp-inbound-probes; then
  flood_listener
  for i in $(seq 120 131) $(seq 140 151); do CX ip addr add 192.0.2.$i/24 dev c0 2>/dev/null || true; done
  inns "$NSS" iptables -A INPUT -d 203.0.113.22 -p tcp -m multiport --dports 23,2323,7547,37215,5555,8291 -j DROP
  SETTLE=1 CAPNS=$NSS CAPIF=s0 sample tcp-inbound-probes pcap \
    "Background scanning of a server: 12 raw SYNs (a scanner's, each sent once) from 12 addresses to 6 ports the server's firewall drops, and 12 addresses with a real stack each trying two closed ports (refused); then the server's own client is served. Captured on the server" \
    "python3: raw socket (IPPROTO_RAW) SYNs from 192.0.2.140-151 to 203.0.113.22 ports 23, 2323, 7547, 37215, 5555, 8291 (iptables INPUT DROP on the server); connect() from 192.0.2.120-131 (bound) to two closed ports each; 3.5 s later socket.create_connection from 192.0.2.10 to :8080 (a python3 listener); captured on the server's s0" \
    "[$(warn "$(t null 203.0.113.22 null tcp)" '"client":null' tcp tcp.inbound_probes '{"attempts":36,"refused":24,"unanswered":12}')]" \
    -- CX bash -c "PY=$PY; WORK=$WORK; $(declare -f inbound_probes); inbound_probes"
  inns "$NSS" iptables -D INPUT -d 203.0.113.22 -p tcp -m multiport --dports 23,2323,7547,37215,5555,8291 -j DROP
  for i in $(seq 120 131) $(seq 140 151); do CX ip addr del 192.0.2.$i/24 dev c0 2>/dev/null || true; done
  kill "$FLOODPID" 2>/dev/null || true
  wait "$FLOODPID" 2>/dev/null || true
fi

portscan() {
  local p
  for p in $(seq 1 200) 443; do timeout 1 bash -c "exec 3<>/dev/tcp/203.0.113.10/$p" 2>/dev/null || true; done
}
SCAN_OK='{"tcp_only":true}'
sample port-scan-refused pcap \
  "A client probes 201 TCP ports of one server within a second or two (connect, then close): 199 are closed (RST in reply to the SYN), 80 and 443 are open" \
  "bash: for p in \$(seq 1 200) 443; do timeout 1 bash -c 'exec 3<>/dev/tcp/203.0.113.10/\$p'; done (python3 HTTP server on :80, openssl s_server on :443)" \
  "[$(warn "$(t null 203.0.113.10 null tcp)" "$C4" tcp tcp.port_scan '{"portsProbed":201,"open":{"count":2,"ports":[80,443]},"closed":{"count":199},"unanswered":{"count":0}}'),$(ok "$(t null 203.0.113.10 80 tcp)" "$C4" "$SCAN_OK"),$(ok "$(t null 203.0.113.10 443 tcp)" "$C4" "$SCAN_OK")]" \
  -- CX timeout 60 bash -c "$(declare -f portscan); portscan"

# ---------------------------------------------------------------- expected.json and README.md
log "writing expected.json and README.md"
[[ -s $META ]] || { echo "make.sh: no sample was made" >&2; exit 1; }
cp "$HERE/README.head.md" "$HERE/check.sh" "$OUT/"
if [[ -n $ONLY ]]; then
  # the samples not made in this run are kept as they are (check.sh then reads the whole set)
  for f in "$HERE"/*.pcap "$HERE"/*.pcapng; do
    [[ -e $f ]] || continue
    b=$(basename "$f"); b=${b%.pcap}; b=${b%.pcapng}
    want "$b" || cp "$f" "$OUT/"
  done
fi
"$PY" - "$META" "$OUT" "$HERE/expected.json" "${ONLY:+merge}" <<'EOF'
import json, sys, os
meta, out, old_path, merge = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == "merge"
made = []
for line in open(meta, encoding="utf-8"):
    f, fmt, ts, beh, made_with, exp = line.rstrip("\n").split("\t")
    made.append({"file": f, "format": fmt, "tsresol": ts, "behaviour": beh,
                 "made_with": made_with, "expect": json.loads(exp)})
if merge:
    # earlier entries keep their place (replaced when remade, also when the extension changed);
    # samples new to expected.json follow in the order of this script
    base = lambda f: f.rsplit(".", 1)[0]
    by_base = {base(s["file"]): s for s in made}
    samples = []
    for s in json.load(open(old_path, encoding="utf-8"))["samples"]:
        samples.append(by_base.pop(base(s["file"]), s))
    samples += [s for s in made if base(s["file"]) in by_base]
else:
    samples = made
with open(os.path.join(out, "expected.json"), "w", encoding="utf-8") as fh:
    json.dump({"schema": "wirewhy.samples/1", "samples": samples}, fh, indent=2)
    fh.write("\n")
head = open(os.path.join(out, "README.head.md"), encoding="utf-8").read()
rows = ["| file | format | shows | expected verdict | made with |", "|---|---|---|---|---|"]
for s in samples:
    v = "; ".join(
        (e["target"]["name"] or e["target"]["ip"]) + (":" + str(e["target"]["port"]) if e["target"]["port"] else "")
        + " → `" + e["cause"] + "`" + (" (warning)" if e["severity"] == "warning" else "")
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
  # KEEP=<dir>: keep the rejected set there, to look at
  [[ -n ${KEEP:-} ]] && rm -rf "$KEEP" && cp -r "$OUT" "$KEEP" && echo "make.sh: the rejected set is in $KEEP" >&2
  echo "make.sh: check failed; samples/ left as it was" >&2
  exit 1
fi
# replace the samples (with --only: only those made in this run)
if [[ -n $ONLY ]]; then
  while IFS=$'\t' read -r f _; do
    b=${f%.pcap}; b=${b%.pcapng}
    rm -f "$HERE/$b.pcap" "$HERE/$b.pcapng"
    cp "$OUT/$f" "$HERE/"
  done <"$META"
else
  rm -f "$HERE"/*.pcap "$HERE"/*.pcapng
  cp "$OUT"/*.pcap "$OUT"/*.pcapng "$HERE/"
fi
cp "$OUT/expected.json" "$OUT/README.md" "$HERE/"
log "done in $(( $(date +%s) - START )) s; $(wc -l <"$META") captures made, $(ls "$HERE"/*.pcap "$HERE"/*.pcapng | wc -l) in $HERE"
