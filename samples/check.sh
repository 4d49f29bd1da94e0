#!/usr/bin/env bash
# Confirms, from the packets themselves (tshark, capinfos), that every capture in samples/ shows
# what samples/expected.json says. One line per sample: "ok <file>" or "FAIL <file>: reason".
# Exit status 0 when all pass, 1 otherwise.   Usage: bash samples/check.sh [file...]
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
command -v tshark >/dev/null && command -v capinfos >/dev/null || {
  echo "check.sh: needs tshark and capinfos (apt-get install tshark)" >&2; exit 2; }
PY=$(command -v python3 || true)
[[ -x /usr/bin/python3 ]] && PY=/usr/bin/python3
exec "$PY" - "$HERE" "$@" <<'EOF'
import json, os, subprocess, sys

here, only = sys.argv[1], set(sys.argv[2:])
LIMIT = 200 * 1024
FIELDS = """frame.number eth.type ip.src ip.dst ipv6.src ipv6.dst ip.proto ipv6.nxt
tcp.srcport tcp.dstport tcp.flags.syn tcp.flags.ack tcp.flags.reset tcp.flags.fin tcp.len
udp.srcport udp.dstport
dns.id dns.flags.response dns.flags.rcode dns.flags.truncated dns.qry.name dns.qry.type dns.count.answers
tls.record.content_type tls.record.opaque_type tls.record.length tls.handshake.type tls.handshake.version tls.handshake.extensions.supported_version
tls.handshake.extensions_server_name tls.alert_message.level tls.alert_message.desc
http.request.method http.request.uri http.host http.response.code
icmp.type icmp.code icmpv6.type icmpv6.code""".split()
RCODES = {"NOERROR": 0, "FORMERR": 1, "SERVFAIL": 2, "NXDOMAIN": 3, "NOTIMP": 4, "REFUSED": 5}
QTYPES = {"A": 1, "AAAA": 28}
ICMP_CAUSE = {  # cause -> accepted (family, type, code)
    "icmp.net_unreachable": {(4, 3, 0), (6, 1, 0)},
    "icmp.host_unreachable": {(4, 3, 1), (6, 1, 3)},
    "icmp.protocol_unreachable": {(4, 3, 2)},
    "icmp.port_unreachable": {(4, 3, 3), (6, 1, 4)},
    "icmp.admin_prohibited": {(4, 3, 13), (4, 3, 9), (4, 3, 10), (6, 1, 1)},
    "icmp.frag_needed": {(4, 3, 4), (6, 2, 0)},
    "icmp.ttl_exceeded": {(4, 11, 0), (6, 3, 0)},
}
DNS_SERVERS = {"198.51.100.53", "198.51.100.54", "2001:db8:198::53"}


def packets(path):
    out = subprocess.run(
        # http.desegment_body off: a response whose body was cut short (client reset) still shows its status
        ["tshark", "-n", "-r", path, "-o", "http.desegment_body:FALSE", "-T", "fields", "-E", "separator=\t", "-E", "occurrence=a",
         "-E", "aggregator=|"] + sum((["-e", f] for f in FIELDS), []),
        capture_output=True, text=True, check=True).stdout
    rows = []
    for line in out.splitlines():
        vals = line.split("\t")
        p = {f: (v.split("|") if v else []) for f, v in zip(FIELDS, vals)}
        src = p["ip.src"] or p["ipv6.src"]
        dst = p["ip.dst"] or p["ipv6.dst"]
        p["src"] = src[0] if src else None
        p["dst"] = dst[0] if dst else None
        # the header quoted inside an ICMP error is the second occurrence
        p["qdst"] = dst[1] if len(dst) > 1 else None
        p["qsrc"] = src[1] if len(src) > 1 else None
        p["n"] = int(p["frame.number"][0])
        # record types: TLS 1.3 encrypted records are dissected as opaque_type
        p["rtypes"] = [int(v) for v in p["tls.record.content_type"] + p["tls.record.opaque_type"]]
        rows.append(p)
    return rows


def first(p, f, conv=str):
    v = p[f]
    return conv(v[0]) if v else None


def ints(p, f):
    out = []
    for v in p[f]:
        try:
            out.append(int(v, 0))
        except ValueError:
            pass
    return out


def tcp_between(pk, a, b, port):
    """packets of TCP flows between client a and server b:port (either direction)"""
    res = []
    for p in pk:
        if not p["tcp.srcport"] or p["qdst"]:
            continue
        sp, dp = first(p, "tcp.srcport", int), first(p, "tcp.dstport", int)
        if (p["src"], p["dst"], dp) == (a, b, port) or (p["src"], p["dst"], sp) == (b, a, port):
            res.append(p)
    return res


def c2s(p, client):
    return p["src"] == client


def dns_msgs(pk, name):
    return [p for p in pk if name in p["dns.qry.name"] and not p["qdst"]]


def check_dns(pk, e, errs):
    t, d, name = e["target"], e["details"], e["target"]["name"]
    msgs = dns_msgs(pk, name)
    qs = [p for p in msgs if first(p, "dns.flags.response", int) == 0]
    rs = [p for p in msgs if first(p, "dns.flags.response", int) == 1]
    if "qtype" in d:
        qt = QTYPES[d["qtype"]]
        qs = [p for p in qs if qt in ints(p, "dns.qry.type")]
        rs = [p for p in rs if qt in ints(p, "dns.qry.type")]
    if not qs:
        errs.append("no DNS query for %s" % name)
        return
    if any(p["src"] != e["client"] for p in qs):
        errs.append("DNS query not from client %s" % e["client"])
    cause = e["cause"]
    if cause == "dns.no_response":
        if rs:
            errs.append("DNS response seen for %s" % name)
        if "queries" in d and len(qs) != d["queries"]:
            errs.append("%d queries, expected %d" % (len(qs), d["queries"]))
        if "server" in d and any(p["dst"] != d["server"] for p in qs):
            errs.append("queries not to %s" % d["server"])
        return
    if not rs:
        errs.append("no DNS response for %s" % name)
        return
    last = rs[-1]
    rc = first(last, "dns.flags.rcode", int)
    want = RCODES[d.get("rcode", "NOERROR")]
    if rc != want:
        errs.append("rcode %s, expected %s" % (rc, d.get("rcode")))
    nans = first(last, "dns.count.answers", int)
    if cause == "dns.no_address" and nans != 0:
        errs.append("NODATA expected, %s answers" % nans)
    if cause == "ok":
        if not nans:
            errs.append("no answers")
        if "answers" in d and nans != d["answers"]:
            errs.append("%s answers, expected %s" % (nans, d["answers"]))
        if d.get("truncated"):
            tc = [p for p in rs if first(p, "dns.flags.truncated", int) == 1 and p["udp.srcport"]]
            if not tc:
                errs.append("no truncated (TC) UDP response")
            if d.get("retried_over") == "tcp" and not last["tcp.srcport"]:
                errs.append("final answer not over TCP")


def tls_checks(pk, e, errs, flow):
    """checks a TLS target: SNI, alert, version"""
    t, d, client, cause = e["target"], e["details"], e["client"], e["cause"]
    tls = [p for p in flow if p["rtypes"]]
    chs = [p for p in tls if 1 in ints(p, "tls.handshake.type") and c2s(p, client)]
    if not chs:
        errs.append("no ClientHello")
        return
    if t["name"] and t["name"] not in chs[0]["tls.handshake.extensions_server_name"]:
        errs.append("SNI %s, expected %s" % (chs[0]["tls.handshake.extensions_server_name"], t["name"]))
    shs = [p for p in tls if 2 in ints(p, "tls.handshake.type") and not c2s(p, client)]
    alerts = [(p, a) for p in tls for a in ints(p, "tls.alert_message.desc")]
    sv = [v for p in shs for v in ints(p, "tls.handshake.extensions.supported_version")]
    version = "TLS1.3" if 0x0304 in sv else ({0x0303: "TLS1.2", 0x0302: "TLS1.1", 0x0301: "TLS1.0"}.get(
        (ints(shs[0], "tls.handshake.version") or [0])[0]) if shs else None)
    if "tls_version" in d and version != d["tls_version"]:
        errs.append("negotiated %s, expected %s" % (version, d["tls_version"]))
    if cause == "ok":
        if not shs:
            errs.append("no ServerHello")
        fatal = [a for p, a in alerts if 2 in ints(p, "tls.alert_message.level")]
        if fatal:
            errs.append("fatal alert %s" % fatal)
        appdata = [p for p in tls if 23 in p["rtypes"] and not c2s(p, client)]
        # in TLS 1.3 the server's encrypted handshake flight is application_data too
        if len(appdata) < (2 if version == "TLS1.3" else 1):
            errs.append("no application data from server")
    elif cause == "tls.alert":
        a = d["alert"]
        hits = [(p, x) for p, x in alerts if x == a["code"]]
        if not hits:
            errs.append("no alert %s (%s) seen; alerts: %s" % (a["code"], a["name"], [x for _, x in alerts]))
            return
        p, _ = hits[0]
        sender = "client" if c2s(p, client) else "server"
        if sender != a["sender"]:
            errs.append("alert sent by %s, expected %s" % (sender, a["sender"]))
        lvl = ints(p, "tls.alert_message.level")
        if a.get("level") == "fatal" and 2 not in lvl:
            errs.append("alert level %s, expected fatal" % lvl)
    elif cause == "tls.no_server_hello":
        if any(not c2s(p, client) for p in tls):
            errs.append("server sent TLS records")
        if not any(not c2s(p, client) for p in flow if first(p, "tcp.flags.syn", int) == 1):
            errs.append("no SYN-ACK: TCP never connected")
    elif cause == "tls.client_rejected":
        if version != "TLS1.3" or not shs:
            errs.append("not a TLS 1.3 handshake")
        if alerts:
            errs.append("alert readable in clear: %s" % [x for _, x in alerts])
        if not shs:
            return
        after = [p for p in tls if c2s(p, client) and p["n"] > shs[0]["n"] and 23 in p["rtypes"]]
        if not after or max(ints(after[0], "tls.record.length")) > 40:
            errs.append("no small encrypted record (alert) from client after the server's flight")
            return
        if len(after) > 1:
            errs.append("client sent %d encrypted records (Finished/request?)" % len(after))
        if any(23 in p["rtypes"] for p in tls if not c2s(p, client) and p["n"] > after[0]["n"]):
            errs.append("server sent data after the client's record")


def check_tcp_target(pk, e, errs):
    t, d, client, cause = e["target"], e["details"], e["client"], e["cause"]
    flow = tcp_between(pk, client, t["ip"], t["port"])
    if not flow and cause != "http.proxy_refused":
        errs.append("no TCP packets to %s:%s" % (t["ip"], t["port"]))
        return
    syns = [p for p in flow if first(p, "tcp.flags.syn", int) == 1 and first(p, "tcp.flags.ack", int) == 0]
    synacks = [p for p in flow if first(p, "tcp.flags.syn", int) == 1 and first(p, "tcp.flags.ack", int) == 1]
    from_srv = [p for p in flow if not c2s(p, client)]
    rsts = [p for p in flow if first(p, "tcp.flags.reset", int) == 1]
    if cause == "tcp.syn_unanswered":
        if len(syns) < 2:
            errs.append("%d SYN, expected a SYN and retransmissions" % len(syns))
        if from_srv:
            errs.append("server answered (%d packets)" % len(from_srv))
        icmps = [p for p in pk if p["qdst"] == t["ip"]]
        if icmps:
            errs.append("ICMP error about the target present")
        return
    if cause == "tcp.refused":
        if not syns or synacks:
            errs.append("expected SYN without SYN-ACK")
        if not any(not c2s(p, client) for p in rsts):
            errs.append("no RST from server")
        return
    if not synacks and cause not in ("http.proxy_refused",):
        errs.append("handshake not completed (no SYN-ACK)")
    if cause == "tcp.reset":
        who = d.get("sender", "server")
        r = [p for p in rsts if c2s(p, client) == (who == "client")]
        if not r:
            errs.append("no RST from %s" % who)
        pay = [p for p in flow if c2s(p, client) and ints(p, "tcp.len") and max(ints(p, "tcp.len")) > 0]
        if not pay or (r and pay[0]["n"] > r[0]["n"]):
            errs.append("no request before the RST")
        return
    if t["port"] in (443, 8443) and cause.startswith(("tls.", "ok")) and "http.error_status" != cause:
        tls_checks(pk, e, errs, flow)
        return
    if cause in ("http.error_status", "http.no_response", "ok"):
        reqs = [p for p in flow if p["http.request.method"] and c2s(p, client)]
        resps = [p for p in flow if p["http.response.code"] and not c2s(p, client)]
        if not reqs:
            errs.append("no HTTP request")
        elif t["name"] and t["name"] not in (reqs[0]["http.host"] or [""])[0]:
            errs.append("Host %s, expected %s" % (reqs[0]["http.host"], t["name"]))
        if cause == "http.no_response":
            if resps:
                errs.append("HTTP response seen")
            if any(p["tcp.len"] and max(ints(p, "tcp.len")) > 0 for p in from_srv):
                errs.append("server sent payload")
        elif cause == "http.error_status":
            codes = [c for p in resps for c in ints(p, "http.response.code")]
            if d["status"] not in codes:
                errs.append("status %s, expected %s" % (codes, d["status"]))
        else:
            codes = [c for p in resps for c in ints(p, "http.response.code")]
            if not codes or codes[-1] >= 400:
                errs.append("no 2xx/3xx response: %s" % codes)
        return
    errs.append("no check for cause %s on tcp" % cause)


def check_proxy(pk, e, errs):
    t, d, client = e["target"], e["details"], e["client"]
    px = d["proxy"]
    flow = tcp_between(pk, client, px["ip"], px["port"])
    auth = "%s:%s" % (t["name"] or t["ip"], t["port"])
    reqs = [p for p in flow if "CONNECT" in p["http.request.method"]]
    if not reqs:
        errs.append("no CONNECT to the proxy %s:%s" % (px["ip"], px["port"]))
        return
    if auth not in reqs[0]["http.request.uri"]:
        errs.append("CONNECT %s, expected %s" % (reqs[0]["http.request.uri"], auth))
    codes = [c for p in flow if not c2s(p, client) for c in ints(p, "http.response.code")]
    if d["status"] not in codes:
        errs.append("proxy status %s, expected %s" % (codes, d["status"]))


def check_icmp(pk, e, errs):
    t, d, client, cause = e["target"], e["details"], e["client"], e["cause"]
    ic = d["icmp"]
    dst = t["ip"] or d.get("server")
    port = t["port"] or 53
    fam = 6 if ":" in (ic["from"] or "") else 4
    if (fam, ic["type"], ic["code"]) not in ICMP_CAUSE.get(cause, set()):
        errs.append("expected.json: %s does not match type %s code %s" % (cause, ic["type"], ic["code"]))
    hits = []
    for p in pk:
        if not p["qdst"]:
            continue
        ty = ints(p, "icmp.type" if fam == 4 else "icmpv6.type")
        co = ints(p, "icmp.code" if fam == 4 else "icmpv6.code")
        if not ty:
            continue
        qport = first(p, "tcp.dstport", int) if t["transport"] == "tcp" else first(p, "udp.dstport", int)
        ok = (p["src"] == ic["from"] and p["dst"] == client and ty[0] == ic["type"] and co[0] == ic["code"]
              and p["qdst"] == dst and p["qsrc"] == client and qport == port)
        if ok:
            hits.append(p)
        else:
            errs.append("other ICMP error in frame %s (type %s code %s from %s about %s)"
                        % (p["n"], ty, co, p["src"], p["qdst"]))
    if not hits:
        errs.append("no ICMP type %s code %s from %s quoting %s %s:%s"
                    % (ic["type"], ic["code"], ic["from"], t["transport"], dst, port))
    if t["name"] and t["ip"] is None:
        check_dns_query_only(pk, e, errs)


def check_dns_query_only(pk, e, errs):
    name = e["target"]["name"]
    qs = [p for p in dns_msgs(pk, name) if first(p, "dns.flags.response", int) == 0]
    if not qs:
        errs.append("no DNS query for %s" % name)


def check_entry(pk, e):
    errs = []
    t, cause = e["target"], e["cause"]
    if e["severity"] not in ("ok", "warning", "error") or e["layer"] != cause.split(".")[0] and not (
            cause == "ok" and e["layer"] == "ok"):
        errs.append("layer/cause/severity inconsistent")
    if cause.startswith("icmp."):
        check_icmp(pk, e, errs)
    elif cause.startswith("dns.") or (t["ip"] is None and t["port"] is None):
        check_dns(pk, e, errs)
    elif cause == "http.proxy_refused":
        check_proxy(pk, e, errs)
    elif t["transport"] == "tcp":
        check_tcp_target(pk, e, errs)
    else:
        errs.append("no check for %s" % cause)
    # a named TCP target should have been looked up in DNS or named in SNI/Host; the DNS answer, when present,
    # must give the target's address
    if t["name"] and t["ip"] and t["transport"] == "tcp":
        ans = [p for p in dns_msgs(pk, t["name"]) if first(p, "dns.flags.response", int) == 1]
        if ans:
            out = subprocess.run(["tshark", "-n", "-r", e["_path"], "-Y",
                                  'dns.flags.response==1 && dns.qry.name=="%s"' % t["name"],
                                  "-T", "fields", "-e", "dns.a", "-e", "dns.aaaa"],
                                 capture_output=True, text=True).stdout
            if t["ip"] not in out.replace("\t", ",").replace("\n", ",").split(","):
                errs.append("DNS answers for %s do not include %s" % (t["name"], t["ip"]))
    return errs


def fmt_of(path):
    info = subprocess.run(["capinfos", "-t", path], capture_output=True, text=True).stdout
    prec = subprocess.run(["capinfos", path], capture_output=True, text=True).stdout
    ftype = "pcapng" if info.rstrip().endswith("pcapng") else "pcap" if "pcap" in info else "?"
    res = "ns" if "nanoseconds" in prec else "us" if "microseconds" in prec else "?"
    return ftype, res


def main():
    exp = json.load(open(os.path.join(here, "expected.json"), encoding="utf-8"))
    failed = 0
    if exp.get("schema") != "wirewhy.samples/1":
        print("FAIL expected.json: schema is %r" % exp.get("schema"))
        failed += 1
    listed = {s["file"] for s in exp["samples"]}
    for f in sorted(os.listdir(here)):
        if f.endswith((".pcap", ".pcapng", ".pcap.gz", ".pcapng.gz")) and f not in listed and not only:
            print("FAIL %s: not listed in expected.json" % f)
            failed += 1
    for s in exp["samples"]:
        f = s["file"]
        if only and f not in only:
            continue
        path = os.path.join(here, f)
        errs = []
        if not os.path.exists(path):
            print("FAIL %s: missing" % f)
            failed += 1
            continue
        size = os.path.getsize(path)
        if size >= LIMIT:
            errs.append("size %d >= %d" % (size, LIMIT))
        ftype, res = fmt_of(path)
        if (ftype, res) != (s["format"], s["tsresol"]):
            errs.append("file is %s/%s, expected %s/%s" % (ftype, res, s["format"], s["tsresol"]))
        if not s["expect"]:
            errs.append("no expectation")
        try:
            pk = packets(path)
        except subprocess.CalledProcessError as ex:
            errs.append("tshark failed: %s" % ex.stderr.strip()[:200])
            pk = []
        if pk:
            for e in s["expect"]:
                e = dict(e, _path=path)
                for m in check_entry(pk, e):
                    errs.append("%s: %s" % (e["target"]["name"] or e["target"]["ip"], m))
        if errs:
            failed += 1
            print("FAIL %s: %s" % (f, "; ".join(errs)))
        else:
            print("ok %s" % f)
    sys.exit(1 if failed else 0)


main()
EOF
