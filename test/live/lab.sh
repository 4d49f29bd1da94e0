#!/usr/bin/env bash
# A two-namespace lab for the live-capture test (root only). Documentation addresses only.
#
#   lab.sh up   <tag> <dir>    create it (cleans up after itself if any step fails)
#   lab.sh down <tag> <dir>    remove everything (safe to repeat)
#
#   wwl<tag>c  (client)  veth wl<tag>c  198.51.100.10/24
#        |
#   wwl<tag>s  (server)  veth wl<tag>s  198.51.100.20  openssl s_server :443 with a certificate from a
#                                                      CA the client does not trust; nothing on :8443
#                                       198.51.100.30  iptables DROP tcp/443 (SYN unanswered)
#                                       198.51.100.53  dnsmasq: example.com is local, so unknown names are NXDOMAIN
#                                       198.51.100.54  iptables DROP udp/53 (DNS unanswered)
# <tag> is unique per run (the test uses its pid), so this never collides with samples/make.sh
# (ww-client, ww-server ...) or another run. Every process started here runs inside a namespace
# and is killed on `down`.
set -Eeuo pipefail
export PATH=$PATH:/usr/sbin:/sbin
cmd=${1:?up|down} tag=${2:?tag} dir=${3:?dir}
NSC=wwl${tag}c NSS=wwl${tag}s VC=wl${tag}c VS=wl${tag}s

down() {
  set +e
  for ns in "$NSC" "$NSS"; do
    if ip netns list 2>/dev/null | grep -qw "^$ns"; then
      for p in $(ip netns pids "$ns" 2>/dev/null); do kill -TERM "$p" 2>/dev/null; done
    fi
  done
  sleep 0.2
  for ns in "$NSC" "$NSS"; do
    if ip netns list 2>/dev/null | grep -qw "^$ns"; then
      for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
      ip netns del "$ns" 2>/dev/null
    fi
  done
  return 0
}

if [[ $cmd == down ]]; then down; exit 0; fi
[[ $cmd == up ]] || { echo "usage: lab.sh up|down <tag> <dir>" >&2; exit 2; }
trap 'rc=$?; if ((rc)); then echo "lab.sh: failed at line $LINENO (exit $rc); cleaning up" >&2; down; fi' EXIT
mkdir -p "$dir"
cd "$dir"
down
ip netns add "$NSC"
ip netns add "$NSS"
ip -n "$NSC" link set lo up
ip -n "$NSS" link set lo up
ip link add "$VC" netns "$NSC" type veth peer name "$VS" netns "$NSS"
ip -n "$NSC" addr add 198.51.100.10/24 dev "$VC"
for a in 20 30 53 54; do ip -n "$NSS" addr add 198.51.100.$a/24 dev "$VS"; done
ip -n "$NSC" link set "$VC" up
ip -n "$NSS" link set "$VS" up
# no IPv6 on the veths: router solicitations and DAD would only add background packets
ip netns exec "$NSC" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
ip netns exec "$NSS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
ip netns exec "$NSS" iptables -A INPUT -d 198.51.100.30 -p tcp --dport 443 -j DROP
ip netns exec "$NSS" iptables -A INPUT -d 198.51.100.54 -p udp --dport 53 -j DROP

# certificates: the server's chain comes from other-ca; the client trusts only ca
o() { openssl "$@" >/dev/null 2>&1; }
ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
o req -x509 "${ec[@]}" -keyout ca.key -out ca.pem -days 30 -subj "/CN=wirewhy live test trusted CA"
o req -x509 "${ec[@]}" -keyout other-ca.key -out other-ca.pem -days 30 -subj "/CN=wirewhy live test unknown CA" \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
o req -new "${ec[@]}" -keyout leaf.key -out leaf.csr -subj "/CN=untrusted.example.com" -addext "subjectAltName=DNS:untrusted.example.com"
o x509 -req -in leaf.csr -CA other-ca.pem -CAkey other-ca.key -CAcreateserial -days 30 -copy_extensions copyall -out leaf.pem
[[ -s leaf.pem && -s ca.pem ]]

ip netns exec "$NSS" openssl s_server -quiet -accept 198.51.100.20:443 -cert leaf.pem -key leaf.key -www \
  >s_server.log 2>&1 </dev/null &
ip netns exec "$NSS" dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts \
  --listen-address=198.51.100.53 --bind-interfaces --pid-file="$dir/dnsmasq.pid" --user=root --group=root \
  --local=/example.com/ --address=/untrusted.example.com/198.51.100.20 >dnsmasq.log 2>&1 </dev/null &

# wait (bounded) until both servers listen
for _ in $(seq 50); do
  if ip netns exec "$NSS" ss -Hltn 'sport = :443' | grep -q . && ip netns exec "$NSS" ss -Hlun 'sport = :53' | grep -q .; then
    exit 0
  fi
  sleep 0.1
done
echo "lab.sh: servers did not start: $(cat s_server.log dnsmasq.log 2>/dev/null | head -5)" >&2
exit 1
