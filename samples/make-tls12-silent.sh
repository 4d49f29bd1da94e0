#!/usr/bin/env bash
# Makes one sample, https-no-response-tls12.pcap, apart from make.sh (whose ww-* namespaces another
# run may be using): a TLS 1.2 server that completes the handshake, reads the request and never
# answers; curl (--tls-max 1.2) gives up after 5 s.
#
#   sudo bash samples/make-tls12-silent.sh      (root; Debian 12: tcpdump, tshark, curl, openssl, python3)
#
# Two namespaces of their own, ww-t12-c (client, 192.0.2.10) and ww-t12-s (server, 203.0.113.36,
# quiet12.example.org), one veth pair between them (routes on link; no router, no DNS: curl
# --resolve). Documentation addresses only. Everything is removed on exit, also on failure; a
# watchdog stops the run after MAX_SECONDS (120). The capture replaces samples/ only once
# check.sh accepted it; its expected.json entry is added (or replaced) in place.
set -Eeuo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PY=/usr/bin/python3
NSC=ww-t12-c NSS=ww-t12-s
ALL_NS=("$NSC" "$NSS")
BASE=https-no-response-tls12
MAX_SECONDS=${MAX_SECONDS:-120}
[[ $(id -u) == 0 ]] || { echo "make-tls12-silent.sh: run as root (it creates network namespaces)" >&2; exit 2; }
for cmd in tcpdump tshark editcap capinfos curl openssl ip ethtool; do
  command -v "$cmd" >/dev/null 2>&1 || PATH=$PATH:/usr/sbin:/sbin command -v "$cmd" >/dev/null 2>&1 ||
    { echo "make-tls12-silent.sh: needs $cmd" >&2; exit 2; }
done
export PATH=$PATH:/usr/sbin:/sbin

WORK=$(mktemp -d /tmp/ww-t12.XXXXXX)
chmod 755 "$WORK"
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
  done
  rm -rf "$WORK"
  [[ -n ${WATCHDOG:-} ]] && kill "$WATCHDOG" 2>/dev/null
  if ((rc != 0)); then echo "make-tls12-silent.sh: FAILED (exit $rc); everything cleaned up" >&2; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM
( sleep "$MAX_SECONDS"; echo "make-tls12-silent.sh: more than $MAX_SECONDS s, stopping" >&2; kill -TERM $$ ) 2>/dev/null &
WATCHDOG=$!
inns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# stale namespaces of an earlier, killed run of this script
for ns in "${ALL_NS[@]}"; do
  if ip netns list | grep -qw "^$ns"; then
    for p in $(ip netns pids "$ns"); do kill -KILL "$p" 2>/dev/null || true; done
    ip netns del "$ns"
  fi
done

# ---------------------------------------------------------------- topology
for ns in "${ALL_NS[@]}"; do
  ip netns add "$ns"
  inns "$ns" ip link set lo up
done
ip link add t12c0 netns "$NSC" type veth peer name t12s0 netns "$NSS"
inns "$NSC" ip addr add 192.0.2.10/24 dev t12c0
inns "$NSS" ip addr add 203.0.113.36/25 dev t12s0
for pair in "$NSC t12c0" "$NSS t12s0"; do
  set -- $pair
  inns "$1" ip link set "$2" up
  inns "$1" ethtool -K "$2" tx off tso off gso off gro off >/dev/null 2>&1 || true
done
inns "$NSC" ip route add 203.0.113.0/24 dev t12c0
inns "$NSS" ip route add 192.0.2.0/24 dev t12s0

# ---------------------------------------------------------------- certificates
cd "$WORK"
ossl() { openssl "$@" >/dev/null 2>&1; }
ossl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 3650 -sha256 \
  -subj "/O=wirewhy samples/CN=wirewhy Samples Root CA" \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
ossl req -new -newkey rsa:2048 -nodes -keyout quiet12.key -out quiet12.csr -subj "/CN=quiet12.example.org" \
  -addext "subjectAltName=DNS:quiet12.example.org"
ossl x509 -req -in quiet12.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 825 -sha256 \
  -copy_extensions copyall -out quiet12.pem
[[ -s quiet12.pem ]] || { echo "certificate not made" >&2; exit 1; }

# ---------------------------------------------------------------- the server (python3 ssl, TLS 1.2 only)
cat >silent12.py <<'EOF'
# completes a TLS 1.2 handshake (OpenSSL sends its NewSessionTicket before its ChangeCipherSpec),
# reads whatever comes (the request) and never answers; closes when the client does
import socket, ssl, sys, threading
host, port, cert, key = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1_2
def silent(conn):
    try:
        s = ctx.wrap_socket(conn, server_side=True)
        s.settimeout(20)
        while s.recv(4096):
            pass
        s.close()
    except (OSError, ssl.SSLError):
        conn.close()
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind((host, port)); srv.listen(16)
while True:
    c, _ = srv.accept()
    threading.Thread(target=silent, args=(c,), daemon=True).start()
EOF
inns "$NSS" "$PY" silent12.py 203.0.113.36 443 quiet12.pem quiet12.key >server.log 2>&1 </dev/null &
for ((i = 0; i < 100; i++)); do
  inns "$NSS" ss -Hlnt 2>/dev/null | awk '{print $4}' | grep -qxF 203.0.113.36:443 && break
  sleep 0.1
done
inns "$NSC" ping -c1 -W1 203.0.113.36 >/dev/null 2>&1 || true

# ---------------------------------------------------------------- capture
raw=$WORK/$BASE.raw
ip netns exec "$NSC" timeout 60 tcpdump -i t12c0 -U -Z root -w "$raw" tcp >tcpdump.log 2>&1 &
tp=$!
for ((i = 0; i < 50; i++)); do grep -q "listening on" tcpdump.log 2>/dev/null && break; sleep 0.1; done
sleep 0.3
inns "$NSC" curl -sS -o /dev/null -w '%{http_code}\n' --cacert ca.pem --connect-timeout 8 -4 --tls-max 1.2 \
  --max-time 5 --resolve quiet12.example.org:443:203.0.113.36 https://quiet12.example.org/ >curl.out 2>&1 || true
sleep 0.7
size=-1
for ((i = 0; i < 15; i++)); do
  now=$(stat -c %s "$raw" 2>/dev/null || echo 0)
  [[ $now == "$size" ]] && break
  size=$now; sleep 0.4
done
kill -INT "$tp" 2>/dev/null || true
wait "$tp" || true
mkdir -p out
cp "$raw" "out/$BASE.pcap"
echo "curl: $(tr '\n' ' ' <curl.out)"

# ---------------------------------------------------------------- expected.json entry, check, install
BEHAVIOUR="HTTPS over TLS 1.2: the handshake completes (the server's ChangeCipherSpec and Finished are its last records), the client sends its request, the server sends nothing more; 5 s of silence until the client gives up"
MADE="samples/make-tls12-silent.sh: curl -4 --tls-max 1.2 --max-time 5 https://quiet12.example.org/ against a python3 ssl server (TLS 1.2 only) that completes the handshake, reads and never answers"
EXPECT='[{"target":{"name":"quiet12.example.org","ip":"203.0.113.36","port":443,"transport":"tcp"},"client":"192.0.2.10","layer":"http","cause":"http.no_response","severity":"error","details":{"encrypted":true,"tls_version":"TLS1.2","tickets":0,"silence_seconds":5}}]'
cp "$HERE/check.sh" out/
"$PY" - "$HERE/expected.json" out/expected.json "$BASE.pcap" "$BEHAVIOUR" "$MADE" "$EXPECT" <<'EOF'
import json, sys
old, new, f, beh, made, exp = sys.argv[1:]
d = json.load(open(old, encoding="utf-8"))
entry = {"file": f, "format": "pcap", "tsresol": "us", "behaviour": beh, "made_with": made, "expect": json.loads(exp)}
for i, s in enumerate(d["samples"]):
    if s["file"] == f:
        d["samples"][i] = entry
        break
else:
    at = next((i + 1 for i, s in enumerate(d["samples"]) if s["file"] == "https-no-response.pcap"), len(d["samples"]))
    d["samples"].insert(at, entry)
with open(new, "w", encoding="utf-8") as fh:
    json.dump(d, fh, indent=2)
    fh.write("\n")
EOF
bash out/check.sh "$BASE.pcap" || { echo "make-tls12-silent.sh: check failed; samples/ left as it was" >&2; exit 1; }
cp "out/$BASE.pcap" out/expected.json "$HERE/"
echo "made $HERE/$BASE.pcap ($(stat -c %s "$HERE/$BASE.pcap") bytes)"
