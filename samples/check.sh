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
import json, os, re, subprocess, sys

here, only = sys.argv[1], set(sys.argv[2:])
LIMIT = 200 * 1024
FIELDS = """frame.number eth.type ip.src ip.dst ipv6.src ipv6.dst ip.proto ipv6.nxt
tcp.srcport tcp.dstport tcp.flags.syn tcp.flags.ack tcp.flags.reset tcp.flags.fin tcp.len
udp.srcport udp.dstport
dns.id dns.flags.response dns.flags.opcode dns.flags.rcode dns.flags.truncated dns.qry.name dns.qry.type dns.count.answers
tls.record.content_type tls.record.opaque_type tls.record.length tls.handshake.type tls.handshake.version tls.handshake.extensions.supported_version
tls.handshake.extensions_server_name tls.alert_message.level tls.alert_message.desc tls.handshake.certificate_length ntp.flags.mode
http.request.method http.request.uri http.host http.response.code
icmp.type icmp.code icmpv6.type icmpv6.code
frame.time_epoch ip.ttl ipv6.hlim ip.id ip.len ipv6.plen tcp.seq tcp.ack tcp.ack_raw tcp.window_size tcp.options.mss_val
tcp.options.sack_le tcp.options.sack_re ipv6.fraghdr.offset ipv6.fraghdr.more ipv6.fraghdr.ident icmp.mtu icmp.ident
icmpv6.echo.identifier dns.ptr.domain_name dns.mx.mail_exchange dns.mx.preference tcp.payload
dhcp.ip.your dhcp.option.dhcp ftp.request.command ftp.response.code smtp.req.command smtp.response.code icmp.seq""".split()
RCODES = {"NOERROR": 0, "FORMERR": 1, "SERVFAIL": 2, "NXDOMAIN": 3, "NOTIMP": 4, "REFUSED": 5}
QTYPES = {"A": 1, "AAAA": 28, "PTR": 12, "MX": 15}
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
        p["t"] = float(p["frame.time_epoch"][0])
        ttl = p["ip.ttl"] or p["ipv6.hlim"]
        p["ttl"] = int(ttl[0]) if ttl else None
        # IP length of the packet on the wire (outer header)
        p["iplen"] = int(p["ip.len"][0]) if p["ip.len"] else (int(p["ipv6.plen"][0]) + 40 if p["ipv6.plen"] else None)
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
    if cause == "dns.update_refused":
        # a dynamic update (opcode 5) of the zone from the client, answered with the error rcode
        if any(first(p, "dns.flags.opcode", int) != 5 for p in qs + rs):
            errs.append("a message of %s that is not a dynamic update" % name)
        if not rs or first(rs[-1], "dns.flags.rcode", int) != RCODES[d["rcode"]]:
            errs.append("no %s answer to the update" % d["rcode"])
        return
    if cause == "dns.no_response" and "intermittent" in d:
        # one lookup (same client port and id) asked again and never answered; other lookups of
        # the name answered with records
        lookups = {}
        for p in qs:
            lookups.setdefault((first(p, "udp.srcport", int), p["dns.id"][0]), []).append(p)
        answered = {(first(p, "udp.dstport", int), p["dns.id"][0]) for p in rs}
        given_up = [k for k, v in lookups.items() if len(v) >= 2 and k not in answered]
        if len(given_up) != d["intermittent"]["lookupsUnanswered"]:
            errs.append("%d lookups asked again and never answered, expected %d" % (len(given_up), d["intermittent"]["lookupsUnanswered"]))
        if not any(first(p, "dns.count.answers", int) for p in rs):
            errs.append("no other lookup of %s answered with records" % name)
        return
    if cause == "dns.no_response":
        if rs:
            errs.append("DNS response seen for %s" % name)
        if "queries" in d and len(qs) != d["queries"]:
            errs.append("%d queries, expected %d" % (len(qs), d["queries"]))
        if "server" in d and any(p["dst"] != d["server"] for p in qs):
            errs.append("queries not to %s" % d["server"])
        if "serverAnsweredOthers" in d:
            # the server's answers to other queries: all of them, and those to this client
            srv = d["server"]
            ans = [p for p in pk if first(p, "dns.flags.response", int) == 1 and p["src"] == srv and not p["qdst"]]
            got = {"answers": len(ans), "toClient": len([p for p in ans if p["dst"] == e["client"]])}
            if got != d["serverAnsweredOthers"]:
                errs.append("server %s answered %s, expected %s" % (srv, got, d["serverAnsweredOthers"]))
        return
    if cause == "dns.fragments_lost":
        check_dns_fragments(pk, e, qs, errs)
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
    if cause == "dns.no_address" and d.get("unspecified"):
        # a DNS filter's block: every address answered for the name is 0.0.0.0 or ::
        out = tshark(e["_path"], ["dns.a", "dns.aaaa"], 'dns.flags.response==1 && dns.qry.name=="%s"' % name)
        addrs = [a for line in out for a in line.replace("\t", ",").split(",") if a]
        if not addrs or any(a not in ("0.0.0.0", "::") for a in addrs):
            errs.append("answers %s, expected only the unspecified address" % addrs)
    elif cause == "dns.no_address" and nans != 0:
        errs.append("NODATA expected, %s answers" % nans)
    if cause == "ok":
        if not nans:
            errs.append("no answers")
        if "answer" in d:
            got = ["%s %s" % (pr, mx) for pr, mx in zip(last["dns.mx.preference"], last["dns.mx.mail_exchange"])] \
                if d.get("qtype") == "MX" else last["dns.ptr.domain_name"] if d.get("qtype") == "PTR" else []
            if d["answer"] not in got:
                errs.append("answer %s, expected %s" % (got, d["answer"]))
        if "fragments" in d or "failed_attempts" in d:
            check_dns_fragments(pk, e, qs, errs, last)
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
    elif cause == "tls.chain_incomplete":
        # the server's Certificate message holds one certificate; the handshake completed (no fatal
        # alert, application data from the server)
        certs = [p for p in tls if 11 in ints(p, "tls.handshake.type") and not c2s(p, client)]
        if not certs or len(certs[0]["tls.handshake.certificate_length"]) != d.get("certificates"):
            errs.append("server certificates %s, expected %s" % (certs[0]["tls.handshake.certificate_length"] if certs else None, d.get("certificates")))
        if [a for p, a in alerts if 2 in ints(p, "tls.alert_message.level")]:
            errs.append("a fatal alert")
        if not [p for p in tls if 23 in p["rtypes"] and not c2s(p, client)]:
            errs.append("no application data from server")
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


# ---------------------------------------------------------------- checks of the issue 20/22 samples
def frag_bytes(p):
    return int(p["ipv6.fraghdr.offset"][0]) * 8 if p["ipv6.fraghdr.offset"] else None


def check_dns_fragments(pk, e, qs, errs, last=None):
    """an answer in IPv6 fragments: which fragments of which datagram arrived"""
    d = e["details"]
    server = d.get("server") or qs[0]["dst"]
    frags = [p for p in pk if p["src"] == server and p["ipv6.fraghdr.ident"]]
    by_id = {}
    for p in frags:
        by_id.setdefault(p["ipv6.fraghdr.ident"][0], []).append(frag_bytes(p))
    complete = [i for i, offs in by_id.items() if 0 in offs]
    partial = [i for i, offs in by_id.items() if 0 not in offs]
    if e["cause"] == "dns.fragments_lost":
        if "queries" in d and len(qs) != d["queries"]:
            errs.append("%d queries, expected %d" % (len(qs), d["queries"]))
        if any(p["dst"] != server for p in qs):
            errs.append("queries not to %s" % server)
        if d.get("edns_udp_size"):
            out = tshark(e["_path"], ["dns.rr.udp_payload_size"], "dns.flags.response == 0")
            if any(v and int(v.split(",")[0]) != d["edns_udp_size"] for v in out):
                errs.append("EDNS UDP size %s, expected %s" % (out, d["edns_udp_size"]))
        if complete:
            errs.append("a first fragment arrived (ident %s)" % complete)
        if len(partial) != len(qs):
            errs.append("%d datagrams with fragments lost for %d queries" % (len(partial), len(qs)))
        seen = sorted({o for i in partial for o in by_id[i]})
        if seen != d.get("fragment_offsets_seen", seen):
            errs.append("fragment offsets %s, expected %s" % (seen, d["fragment_offsets_seen"]))
        if any(first(p, "dns.flags.response", int) == 1 for p in dns_msgs(pk, e["target"]["name"])):
            errs.append("a DNS answer was reassembled")
        return
    if "fragments" in d:
        if partial or len(complete) != 1 or len(by_id[complete[0]]) != d["fragments"]:
            errs.append("fragments %s, expected one answer in %d fragments" % (by_id, d["fragments"]))
    for fa in d.get("failed_attempts", []):
        if fa["cause"] != "dns.fragments_lost":
            errs.append("no check for failed attempt %s" % fa["cause"])
            continue
        seen = sorted({o for i in partial for o in by_id[i]})
        if not partial or seen != fa.get("fragment_offsets_seen", seen):
            errs.append("no datagram with lost fragments (offsets %s) before the answer" % seen)
        elif last is not None and min(p["n"] for p in frags if p["ipv6.fraghdr.ident"][0] in partial) > last["n"]:
            errs.append("the lost fragments come after the answer")
        if len(qs) < 2:
            errs.append("no retry")


def tshark(path, fields, dfilter=None):
    cmd = ["tshark", "-n", "-r", path, "-T", "fields", "-E", "separator=\t"] + sum((["-e", f] for f in fields), [])
    if dfilter:
        cmd[4:4] = ["-Y", dfilter]
    return subprocess.run(cmd, capture_output=True, text=True).stdout.splitlines()


def check_traceroute(pk, e, errs):
    t, d, client = e["target"], e["details"], e["client"]
    tr, icmp_probe = d["traceroute"], t["transport"] == "icmp"
    hops, per = tr["hops"], tr.get("probes_per_hop")
    if icmp_probe:
        probes = [p for p in pk if p["src"] == client and p["dst"] == t["ip"] and 8 in ints(p, "icmp.type")]
    else:
        probes = [p for p in pk if p["src"] == client and p["dst"] == t["ip"] and p["udp.dstport"] and not p["qdst"]]
    if not probes:
        errs.append("no probes to %s" % t["ip"])
        return
    ttls = [p["ttl"] for p in probes]
    if ttls != sorted(ttls) or ttls[0] != 1:
        errs.append("probe TTLs %s do not rise from 1" % ttls)
    answers = [p for p in pk if p["dst"] == client and p["src"] != client and (ints(p, "icmp.type"))]
    for hop, addr in enumerate(hops, 1):
        at = [p for p in probes if p["ttl"] == hop]
        if per and len(at) != per:
            errs.append("%d probes with TTL %d, expected %d" % (len(at), hop, per))
        last = hop == len(hops)
        want = (0 if icmp_probe else 3) if last else 11
        got = [a for a in answers if a["src"] == addr and ints(a, "icmp.type")[0] == want]
        if last and not icmp_probe:
            got = [a for a in got if ints(a, "icmp.code")[0] == 3]
        if len(got) < len(at):
            errs.append("TTL %d: %d probes, %d answers of type %d from %s" % (hop, len(at), len(got), want, addr))
        if not icmp_probe and any(a["qdst"] != t["ip"] for a in got):
            errs.append("an ICMP error from %s does not quote a probe to %s" % (addr, t["ip"]))
    ended = tr.get("ended_by")
    if ended and ended != ("echo_reply" if icmp_probe else "port_unreachable"):
        errs.append("ended_by %s does not fit %s probes" % (ended, t["transport"]))
    if max(ttls) > len(hops) + 3:
        errs.append("probes up to TTL %d: the destination did not end the traceroute" % max(ttls))


def http_codes(flow, client):
    return [c for p in flow if not c2s(p, client) for c in ints(p, "http.response.code")]


def flags(p, f):
    return first(p, "tcp.flags." + f, int) == 1


def check_close(e, flow, errs):
    """how a connection that worked was closed (details.close / reset_by + idle_seconds)"""
    d, client = e["details"], e["client"]
    if d.get("close") == "server FIN, then client RST":
        sfin = [p for p in flow if not c2s(p, client) and flags(p, "fin")]
        crst = [p for p in flow if c2s(p, client) and flags(p, "reset")]
        if not sfin or not crst or crst[0]["n"] < sfin[0]["n"]:
            errs.append("no server FIN followed by a client RST")
        if any(c2s(p, client) and flags(p, "fin") for p in flow):
            errs.append("the client sent a FIN")
    if "reset_by" in d:
        by_client = d["reset_by"] == "client"
        rst = [p for p in flow if flags(p, "reset") and c2s(p, client) == by_client]
        resp = [p for p in flow if p["http.response.code"] and not c2s(p, client)]
        if not rst or not resp:
            errs.append("no RST from the %s after an answer" % d["reset_by"])
            return
        before = [p for p in flow if p["n"] < rst[0]["n"]]
        idle = rst[0]["t"] - before[-1]["t"]
        if resp[-1]["n"] > rst[0]["n"] or abs(idle - d.get("idle_seconds", idle)) > 0.5:
            errs.append("RST after %.2f s idle, expected %s" % (idle, d.get("idle_seconds")))
        if any(flags(p, "fin") for p in before):
            errs.append("a FIN before the RST: not an idle connection")


def server_ttls(pk, server, client):
    """TTLs of the server's own packets (every TCP packet from it that is not a RST)"""
    return sorted({p["ttl"] for p in pk if p["src"] == server and p["dst"] == client and p["tcp.srcport"]
                   and not p["qdst"] and not flags(p, "reset")})


def check_reset_injected(pk, e, flow, errs):
    t, d, client = e["target"], e["details"], e["client"]
    rsts = [p for p in flow if not c2s(p, client) and flags(p, "reset")]
    if len(rsts) != 1:
        errs.append("%d RSTs from the server's address, expected 1" % len(rsts))
        return
    rst = rsts[0]
    if rst["ttl"] != d["rst_ttl"]:
        errs.append("RST TTL %s, expected %s" % (rst["ttl"], d["rst_ttl"]))
    if "rst_ip_id" in d and int(rst["ip.id"][0], 0) != d["rst_ip_id"]:
        errs.append("RST IP ID %s, expected %s" % (rst["ip.id"], d["rst_ip_id"]))
    own = server_ttls(pk, t["ip"], client)
    if own != [d["server_ttl"]]:
        errs.append("the server's own packets have TTL %s, expected %s" % (own, d["server_ttl"]))
    before = [p for p in flow if p["n"] < rst["n"]]
    if not before:
        errs.append("nothing before the RST")
        return
    prev = before[-1] if c2s(before[-1], client) else None
    synack = [p for p in flow if flags(p, "syn") and flags(p, "ack")]
    if d["after"] == "SYN":
        if prev is None or not flags(prev, "syn") or synack:
            errs.append("the RST does not answer a SYN (or a SYN-ACK was seen)")
    elif d["after"] == "ClientHello":
        chs = [p for p in flow if c2s(p, client) and 1 in ints(p, "tls.handshake.type")]
        if not chs or not synack or chs[-1]["n"] > rst["n"] or [p for p in before if p["n"] > chs[-1]["n"] and c2s(p, client)]:
            errs.append("the RST does not follow the ClientHello on an established connection")
        elif d.get("sni") and d["sni"] not in chs[-1]["tls.handshake.extensions_server_name"]:
            errs.append("SNI %s, expected %s" % (chs[-1]["tls.handshake.extensions_server_name"], d["sni"]))
        if any(p["rtypes"] for p in flow if not c2s(p, client)):
            errs.append("the server sent TLS records")
    if [p for p in flow if p["n"] > rst["n"] and not c2s(p, client)]:
        errs.append("the server sent packets after the RST")


def payload_len(p):
    return max(ints(p, "tcp.len") or [0])


def check_pmtu(pk, e, flow, errs):
    """tcp.pmtu_blackhole: small segments pass, full-size ones never do, no ICMP"""
    d, client = e["details"], e["client"]
    mss = d["mss"]
    syn = [p for p in flow if flags(p, "syn") and not flags(p, "ack")]
    synack = [p for p in flow if flags(p, "syn") and flags(p, "ack")]
    got = (ints(syn[0], "tcp.options.mss_val") if syn else [], ints(synack[0], "tcp.options.mss_val") if synack else [])
    if got != ([mss["client"]], [mss["server"]]):
        errs.append("MSS announced %s, expected %s" % (got, mss))
    icmps = [p for p in pk if p["icmp.type"] or p["icmpv6.type"] and ints(p, "icmpv6.type")[0] < 128]
    if icmps and not d.get("icmp_frag_needed"):
        errs.append("ICMP in the capture (frame %s)" % icmps[0]["n"])
    sender_is_client = d["direction"] == "upload"
    data = [p for p in flow if c2s(p, client) == sender_is_client and payload_len(p) > 0]
    acks = [p for p in flow if c2s(p, client) != sender_is_client and flags(p, "ack")]
    full = (mss["server"] if sender_is_client else mss["client"]) - 12  # timestamps on
    top_ack = max((first(p, "tcp.ack", int) for p in acks), default=0)
    sacked = [(int(a), int(b)) for p in acks for a, b in zip(p["tcp.options.sack_le"], p["tcp.options.sack_re"])]
    if sender_is_client:
        # the full-size segments are in the capture, retransmitted, never acknowledged
        fulls = [p for p in data if payload_len(p) == full]
        if not fulls:
            errs.append("no full-size (%d) segment from the client" % full)
        unacked = [p for p in fulls if first(p, "tcp.seq", int) + full > top_ack]
        seqs = [first(p, "tcp.seq", int) for p in unacked]
        if not unacked or len(seqs) == len(set(seqs)):
            errs.append("full-size segments not retransmitted unacknowledged")
        small = [p for p in data if payload_len(p) < full and any(
            a <= first(p, "tcp.seq", int) and first(p, "tcp.seq", int) + payload_len(p) <= b for a, b in sacked)]
        if not small:
            errs.append("no small segment acknowledged (SACK) by the server")
    else:
        # only small segments arrive: a hole before a SACKed one, never filled
        if any(payload_len(p) >= full for p in data):
            errs.append("a full-size segment from the server arrived")
        if not sacked or top_ack >= max(b for a, b in sacked):
            errs.append("no segment SACKed past a hole that stays open")
        if max(payload_len(p) for p in data) != d.get("largest_payload_delivered", max(payload_len(p) for p in data)):
            errs.append("largest segment delivered %s, expected %s" % (max(payload_len(p) for p in data), d["largest_payload_delivered"]))
    if sender_is_client and "largest_payload_delivered" in d:
        small = [payload_len(p) for p in data if payload_len(p) < full]
        if max(small, default=0) != d["largest_payload_delivered"]:
            errs.append("largest small segment %s, expected %s" % (max(small, default=0), d["largest_payload_delivered"]))
    if sender_is_client and http_codes(flow, client):
        errs.append("an HTTP answer arrived: the upload completed")


def check_path_mtu(pk, e, flow, errs):
    """ok after an ICMP fragmentation-needed: smaller packets follow, the exchange works"""
    d, client = e["details"], e["client"]
    if "path_mtu" in d:
        fnd = d.get("frag_needed", {})
        fn = [p for p in pk if p["qdst"] == e["target"]["ip"] and ints(p, "icmp.type")[:1] == [3]
              and ints(p, "icmp.code")[:1] == [4] and p["src"] == fnd.get("from", p["src"])]
        if not fn:
            errs.append("no ICMP fragmentation-needed about %s" % e["target"]["ip"])
            return
        if ints(fn[0], "icmp.mtu") != [d["path_mtu"]] or fnd.get("mtu", d["path_mtu"]) != d["path_mtu"]:
            errs.append("ICMP MTU %s, expected %s" % (fn[0]["icmp.mtu"], d["path_mtu"]))
        later = [p["iplen"] for p in flow if c2s(p, client) and p["n"] > fn[-1]["n"]]
        if not later or max(later) > d["path_mtu"]:
            errs.append("packets after the ICMP are %s bytes, path MTU %s" % (max(later or [0]), d["path_mtu"]))
    if "largest_packet" in d:
        big = max(p["iplen"] for p in flow if not c2s(p, client))
        if big != d["largest_packet"]:
            errs.append("largest packet from the server %s, expected %s" % (big, d["largest_packet"]))


def opaque_lengths(p):
    """lengths of the encrypted (TLS 1.3 opaque) records of a packet; records in clear (the
    compatibility ChangeCipherSpec) come before them"""
    n = len(p["tls.record.opaque_type"])
    return [int(x) for x in p["tls.record.length"][-n:]] if n else []


def check_encrypted_no_response12(e, flow, errs):
    """TLS 1.2 completes (both ChangeCipherSpec and Finished; the server's Finished is its last
    record), the client sends application data, the server sends nothing more until the client closes"""
    d, client = e["details"], e["client"]
    recs = [(p, t) for p in flow if p["rtypes"] for t in p["rtypes"]]
    shs = [p for p, t in recs if t == 22 and 2 in ints(p, "tls.handshake.type") and not c2s(p, client)]
    if not shs or 0x0303 not in ints(shs[0], "tls.handshake.version") or ints(shs[0], "tls.handshake.extensions.supported_version"):
        errs.append("no TLS 1.2 ServerHello")
        return
    ccs = {side: [i for i, (p, t) in enumerate(recs) if t == 20 and c2s(p, client) == side] for side in (True, False)}
    if not ccs[True] or not ccs[False]:
        errs.append("no ChangeCipherSpec from both sides")
        return
    srv_after = [t for p, t in recs[ccs[False][0] + 1:] if not c2s(p, client)]
    if srv_after != [22]:
        errs.append("server records after its ChangeCipherSpec: %s, expected its Finished only" % srv_after)
    data = [(p, t) for p, t in recs[ccs[True][0] + 1:] if c2s(p, client) and t == 23]
    if not data:
        errs.append("no application data from the client")
        return
    if any(p["http.response.code"] for p in flow):
        errs.append("an HTTP answer in clear")
    req = data[0][0]
    quiet_from = max([req["t"]] + [p["t"] for p in flow if not c2s(p, client) and p["rtypes"]])
    after = [p for p in flow if p["t"] > quiet_from + 0.1]
    if not after or not c2s(after[0], client):
        errs.append("the client did not end the silence")
        return
    silence = after[0]["t"] - quiet_from
    if abs(silence - d.get("silence_seconds", silence)) > 0.5:
        errs.append("silence of %.2f s, expected %s" % (silence, d.get("silence_seconds")))
    if not any(c2s(p, client) and (flags(p, "fin") or flags(p, "reset")) for p in after):
        errs.append("the client did not close")


def check_encrypted_no_response(pk, e, flow, errs):
    """TLS 1.3 completes, the client sends a request, the server sends only session tickets"""
    d, client = e["details"], e["client"]
    if d.get("tls_version") == "TLS1.2":
        check_encrypted_no_response12(e, flow, errs)
        return
    tls = [p for p in flow if p["rtypes"]]
    shs = [p for p in tls if 2 in ints(p, "tls.handshake.type") and not c2s(p, client)]
    if not shs or 0x0304 not in ints(shs[0], "tls.handshake.extensions.supported_version"):
        errs.append("no TLS 1.3 ServerHello")
        return
    cl = [(p, rl) for p in tls if c2s(p, client) and p["n"] > shs[0]["n"] for rl in opaque_lengths(p)]
    if len(cl) < 2:
        errs.append("no Finished and request from the client")
        return
    fin_n, req = cl[0][0]["n"], cl[1]
    srv = [(p, rl) for p in tls if not c2s(p, client) and p["n"] > fin_n for rl in opaque_lengths(p)]
    if len(srv) != d.get("tickets", len(srv)):
        errs.append("%d server records after the client's Finished, expected %s tickets" % (len(srv), d.get("tickets")))
    if srv and srv[-1][0]["n"] > req[0]["n"] and len({rl for _, rl in srv}) != 1:
        errs.append("server records after the request differ in size from the tickets: %s" % [rl for _, rl in srv])
    if any(p["http.response.code"] for p in flow):
        errs.append("an HTTP answer in clear")
    quiet_from = max([req[0]["t"]] + [p["t"] for p, _ in srv])
    after = [p for p in flow if p["t"] > quiet_from + 0.1]
    if not after or not c2s(after[0], client):
        errs.append("the client did not end the silence")
        return
    silence = after[0]["t"] - quiet_from
    if abs(silence - d.get("silence_seconds", silence)) > 0.5:
        errs.append("silence of %.2f s, expected %s" % (silence, d.get("silence_seconds")))
    if not any(c2s(p, client) and (flags(p, "fin") or flags(p, "reset")) for p in after):
        errs.append("the client did not close")


def check_ftp_refused(pk, e, flow, errs):
    # the last connection's first server reply is the expected 4xx / 5xx code, its handshake captured
    d, client = e["details"], e["client"]
    starts = [p for p in flow if flags(p, "syn") and not flags(p, "ack")]
    if not starts:
        errs.append("no SYN")
        return
    sport = starts[-1]["tcp.srcport"][0]
    conn = [p for p in flow if sport in (p["tcp.srcport"] + p["tcp.dstport"])]
    replies = [p for p in conn if not c2s(p, client) and p["ftp.response.code"]]
    if not any(flags(p, "syn") and flags(p, "ack") for p in conn):
        errs.append("the last connection's SYN-ACK is not in the capture")
    if not replies or replies[0]["ftp.response.code"][0] != d["code"]:
        errs.append("first reply %s, expected %s" % (replies[0]["ftp.response.code"][0] if replies else None, d["code"]))


def check_ftp_login_failed(pk, e, flow, errs):
    # the command is answered with the expected code, and no login is accepted (230) after it
    d, client = e["details"], e["client"]
    cmds = [p for p in flow if c2s(p, client) and d["command"] in p["ftp.request.command"]]
    if not cmds:
        errs.append("no %s from the client" % d["command"])
        return
    after = [p for p in flow if not c2s(p, client) and p["ftp.response.code"] and p["n"] > cmds[0]["n"]]
    if not after or after[0]["ftp.response.code"][0] != d["code"]:
        errs.append("%s answered %s, expected %s" % (d["command"], after[0]["ftp.response.code"][0] if after else None, d["code"]))
    if "loginsRefused" in d:
        # password guessing: that many logins refused (530), over the client's connections to the
        # target; when a login was accepted (230) after them, it is the frame the details name
        refused = [p for p in flow if not c2s(p, client) and d["code"] in p["ftp.response.code"]]
        accepted = [p for p in flow if not c2s(p, client) and "230" in p["ftp.response.code"]]
        if len(refused) != d["loginsRefused"]:
            errs.append("%d logins refused, expected %d" % (len(refused), d["loginsRefused"]))
        if not d.get("loginAccepted") and accepted:
            errs.append("a login was accepted (230)")
        if d.get("loginAccepted") and (not accepted or not refused or accepted[-1]["n"] < refused[0]["n"]):
            errs.append("no login accepted (230) after the refused ones")
        return
    if any("230" in p["ftp.response.code"] for p in after):
        errs.append("a login was accepted (230)")


def check_mail_rejected(pk, e, flow, errs):
    # the server's last reply carries the expected code, after the message was sent (DATA, then its end)
    d, client = e["details"], e["client"]
    cmds = [p for p in flow if c2s(p, client) and "DATA" in p["smtp.req.command"]]
    codes = [p["smtp.response.code"] for p in flow if not c2s(p, client) and p["smtp.response.code"]]
    if not cmds:
        errs.append("no DATA from the client")
    if not codes or d["code"] not in codes[-1] and not any(d["code"] in c for c in codes[-2:]):
        errs.append("no %s reply at the end (replies %s)" % (d["code"], codes))


def check_not_tls(pk, e, flow, errs):
    d, client = e["details"], e["client"]
    pay = [(p, bytes.fromhex(p["tcp.payload"][0].replace(":", ""))) for p in flow if p["tcp.payload"]]
    cp = [b for p, b in pay if c2s(p, client)]
    sp = [b for p, b in pay if not c2s(p, client)]
    if not cp or cp[0][:3] not in (b"\x16\x03\x01", b"\x16\x03\x03") or cp[0][5] != 1:
        errs.append("the client's first bytes are not a TLS ClientHello")
    elif e["target"]["name"] and e["target"]["name"].encode() not in cp[0]:
        errs.append("the ClientHello does not name %s" % e["target"]["name"])
    if not sp or not sp[0].startswith(d["answer_starts"].encode()):
        errs.append("the server's first bytes are %r, expected %r" % (sp[0][:30] if sp else b"", d["answer_starts"]))
    if any(b[:1] in (b"\x14", b"\x15", b"\x16", b"\x17") and b[1:2] == b"\x03" for b in sp):
        errs.append("the server sent a TLS record")


def check_zero_window(pk, e, flow, errs):
    d, client = e["details"], e["client"]
    recv_is_client = d.get("receiver") == "client"
    rx = [p for p in flow if c2s(p, client) == recv_is_client and not flags(p, "syn")]
    zero = [p for p in rx if first(p, "tcp.window_size", int) == 0]
    if not zero:
        errs.append("no zero window from the %s" % d.get("receiver"))
        return
    if any(first(p, "tcp.window_size", int) != 0 for p in rx if p["n"] > zero[0]["n"]):
        errs.append("the window reopened")
    probes = [p for p in flow if c2s(p, client) != recv_is_client and p["n"] > zero[0]["n"] and payload_len(p) <= 1
              and first(p, "tcp.seq", int) == first(zero[0], "tcp.ack", int) - 1 + payload_len(p)]
    answered = [p for p in probes if [q for q in zero if q["n"] > p["n"] and q["t"] - p["t"] < 0.1]]
    if len(answered) < 3:
        errs.append("%d zero-window probes answered Win=0, expected at least 3" % len(answered))
    span = zero[-1]["t"] - zero[0]["t"]
    if span < 20 or abs(span - d.get("zero_window_seconds", span)) > 3:
        errs.append("window at zero for %.1f s, expected %s" % (span, d.get("zero_window_seconds")))
    if http_codes(flow, client):
        errs.append("an HTTP answer arrived")


def check_stalled(pk, e, flow, errs):
    d, client = e["details"], e["client"]
    if d.get("handshake_seen") is False and any(flags(p, "syn") for p in flow):
        errs.append("a handshake is in the capture")
    if [p for p in flow if not c2s(p, client)]:
        errs.append("the server's packets are in the capture")
    data = [p for p in flow if c2s(p, client) and payload_len(p) > 0]
    if not data or data[0]["n"] != flow[0]["n"]:
        errs.append("the capture does not start with the client's data")
        return
    same = [p for p in data if first(p, "tcp.seq", int) == first(data[0], "tcp.seq", int)]
    gaps = [b["t"] - a["t"] for a, b in zip(same, same[1:])]
    # exponential: the gaps never shrink and grow at least eightfold (the first may be a tail-loss probe)
    if len(same) < 5 or any(g2 < 0.9 * g1 for g1, g2 in zip(gaps, gaps[1:])) or gaps[-1] < 8 * gaps[0]:
        errs.append("no exponential back-off: retransmission gaps %s" % ["%.2f" % g for g in gaps])
    span = flow[-1]["t"] - flow[0]["t"]
    if abs(span - d.get("seconds", span)) > 0.5:
        errs.append("stalled for %.1f s, expected %s" % (span, d.get("seconds")))


def server_stream(srv, errs, to_hole=False):
    """the server's TCP payload in sequence order, whole in the capture (no hole, no packet cut), or None;
    to_hole: up to its first hole"""
    stream = b""
    for p in sorted((p for p in srv if p["tcp.payload"]), key=lambda p: first(p, "tcp.seq", int)):
        seq, b = first(p, "tcp.seq", int), bytes.fromhex(p["tcp.payload"][0].replace(":", ""))
        if len(b) != payload_len(p):
            errs.append("frame %d: the capture holds %d of its %d payload bytes" % (p["n"], len(b), payload_len(p)))
            return None
        if seq > len(stream) + 1:
            if to_hole:
                break
            errs.append("a hole in the server's stream before relative seq %d" % seq)
            return None
        stream += b[len(stream) + 1 - seq:]
    return stream


def body_after_head(stream, d, errs):
    """the body after the response head, when its Content-Length is d["content_length"] (or, for a
    body delimited by the close, when it has neither Content-Length nor chunked coding), else None"""
    head, sep, body = stream.partition(b"\r\n\r\n")
    cl = [int(l.split(b":", 1)[1]) for l in head.split(b"\r\n")[1:] if l.lower().startswith(b"content-length:")]
    if d.get("delimiter") == "close":
        chunked = [l for l in head.split(b"\r\n")[1:] if l.lower().startswith(b"transfer-encoding:")]
        if not sep or cl or chunked:
            errs.append("a response head with Content-Length %s / Transfer-Encoding %s, expected neither" % (cl, chunked))
            return None
        if len(body) != d["received_bytes"]:
            errs.append("%d body bytes in the server's stream, expected %d" % (len(body), d["received_bytes"]))
        return body
    if not sep or cl != [d["content_length"]]:
        errs.append("Content-Length %s, expected %s" % (cl, d["content_length"]))
        return None
    if len(body) != d["received_bytes"] or len(body) >= cl[0]:
        errs.append("%d body bytes in the server's stream, expected %d (< %d)" % (len(body), d["received_bytes"], cl[0]))
    return body


def check_body_cut_short(pk, e, flow, errs):
    """http.body_cut_short: the server's stream, whole in the capture (no hole, no packet cut), holds a
    response whose Content-Length is more than the body bytes after its head; the server's FIN comes
    right after the last of them, before any other close, after the given silence"""
    d, client = e["details"], e["client"]
    srv = [p for p in flow if not c2s(p, client)]
    reqs = [p for p in flow if p["http.request.method"] and c2s(p, client)]
    if not reqs or (e["target"]["name"] and e["target"]["name"] not in (reqs[0]["http.host"] or [""])[0]):
        errs.append("no request with Host %s" % e["target"]["name"])
    if d.get("stillArriving"):
        # a body the client ended while it crawled in (the same check as for TLS)
        check_transfer_crawling(flow, srv, d, client, errs)
        return
    codes = [c for p in srv for c in ints(p, "http.response.code")]
    if codes != [d["status"]]:
        errs.append("responses %s, expected one %s" % (codes, d["status"]))
    stream = server_stream(srv, errs)
    if stream is None or body_after_head(stream, d, errs) is None:
        return
    closes = [p for p in flow if flags(p, "fin") or flags(p, "reset")]
    ended = d.get("ended_by")
    if ended in ("server FIN", "server RST"):
        flag, other = ("fin", "reset") if ended == "server FIN" else ("reset", "fin")
        what = ended.split()[1]
        if not closes or c2s(closes[0], client) or not flags(closes[0], flag) or flags(closes[0], other):
            errs.append("the first close is not the server's %s" % what)
            return
        if first(closes[0], "tcp.seq", int) != len(stream) + 1:
            errs.append("the server's %s is at relative seq %s, its stream ends at %d" % (what, first(closes[0], "tcp.seq", int), len(stream) + 1))
    if ended == "server FIN":
        data = [p for p in srv if payload_len(p) > 0 and p["n"] < closes[0]["n"]]
        idle = closes[0]["t"] - data[-1]["t"]
        if abs(idle - d.get("idle_seconds", idle)) > 0.5:
            errs.append("%.2f s from the last data to the FIN, expected %s" % (idle, d.get("idle_seconds")))
    # the client acknowledged nothing the capture does not hold (at most the stream and the FIN)
    acks = [first(p, "tcp.ack", int) for p in flow if c2s(p, client) and flags(p, "ack") and not flags(p, "syn")]
    if acks and max(acks) > len(stream) + 2:
        errs.append("the client acknowledged up to %d, beyond the %d bytes captured" % (max(acks), len(stream)))


def check_body_stalled(pk, e, flow, errs):
    """http.body_stalled: the server's stream, whole in the capture, holds a response whose Content-Length
    is more than the body bytes after its head; no close by either side; the client acknowledged exactly
    the stream; the capture goes on 30 s or more after the last body bytes"""
    d, client = e["details"], e["client"]
    srv = [p for p in flow if not c2s(p, client)]
    codes = [c for p in srv for c in ints(p, "http.response.code")]
    if codes != [d["status"]]:
        errs.append("responses %s, expected one %s" % (codes, d["status"]))
    stream = server_stream(srv, errs)
    if stream is None or body_after_head(stream, d, errs) is None:
        return
    if [p for p in flow if flags(p, "fin") or flags(p, "reset")]:
        errs.append("the connection was closed")
    acks = [first(p, "tcp.ack", int) for p in flow if c2s(p, client) and flags(p, "ack") and not flags(p, "syn")]
    if not acks or max(acks) != len(stream) + 1:
        errs.append("the client acknowledged up to %s, the server's stream ends at %d" % (max(acks) if acks else None, len(stream) + 1))
    last_data = max(p["t"] for p in srv if payload_len(p) > 0)
    silent = max(p["t"] for p in pk) - last_data
    if silent < 30:
        errs.append("the capture goes on %.1f s after the last body bytes, expected 30 s or more" % silent)


def check_transfer_cut_short(pk, e, flow, errs):
    """tls.transfer_cut_short: the server's stream, whole in the capture, read as TLS records from its
    start, ends inside a record (its header promised more bytes); the first close after the server's
    last bytes is the sender's given in details.endedBy; a client's close acknowledges exactly the
    stream and comes 3 s or more after the last bytes"""
    d, client = e["details"], e["client"]
    srv = [p for p in flow if not c2s(p, client)]
    if d.get("stillArriving"):
        check_transfer_crawling(flow, srv, d, client, errs)
        return
    stream = server_stream(srv, errs)
    if stream is None:
        return
    off = 0
    while off + 5 <= len(stream):
        off += 5 + int.from_bytes(stream[off + 3:off + 5], "big")
    if off <= len(stream):
        errs.append("the server's stream (%d bytes) ends on a record boundary, not inside a record" % len(stream))
        return
    last = max(p["n"] for p in srv if payload_len(p) > 0)
    last_t = max(p["t"] for p in srv if payload_len(p) > 0)
    closes = [p for p in flow if (flags(p, "fin") or flags(p, "reset")) and p["n"] > last]
    want = d["endedBy"]
    if not closes or c2s(closes[0], client) != (want["sender"] == "client") or not flags(closes[0], "fin" if want["flag"] == "FIN" else "reset"):
        errs.append("the first close after the server's last bytes is not the %s's %s" % (want["sender"], want["flag"]))
        return
    if want["sender"] == "client":
        if first(closes[0], "tcp.ack", int) != len(stream) + 1:
            errs.append("the client's close acknowledges %s, the server's stream ends at %d" % (first(closes[0], "tcp.ack", int), len(stream) + 1))
        if closes[0]["t"] - last_t < 3:
            errs.append("the client closed %.2f s after the server's last bytes, expected 3 s or more" % (closes[0]["t"] - last_t))


def check_transfer_crawling(flow, srv, d, client, errs):
    """the client closed while the server's data still arrived through heavy loss: its first close
    acknowledges less than the server had sent; the server's data came within 1 s before that close (or
    after it); a tenth or more of the server's packets carry bytes it had sent before"""
    closes = [p for p in flow if (flags(p, "fin") or flags(p, "reset")) and c2s(p, client)]
    if not closes:
        errs.append("the client never closed")
        return
    # (curl's close is a FIN or a RST, by whether bytes were still unread: a race; the flag is checked when given)
    want = d.get("endedBy")
    if want and not flags(closes[0], "fin" if want["flag"] == "FIN" else "reset"):
        errs.append("the client's first close is not a %s" % want["flag"])
    data = [p for p in srv if payload_len(p) > 0]
    if not data:
        errs.append("no data from the server")
        return
    sent = max(first(p, "tcp.seq", int) + payload_len(p) for p in data)
    if first(closes[0], "tcp.ack", int) >= sent:
        errs.append("the client's close acknowledges all the server sent (%d)" % sent)
    if max(p["t"] for p in data) < closes[0]["t"] - 1:
        errs.append("the server's data stopped more than 1 s before the client's close")
    top, again = 0, 0
    for p in sorted(data, key=lambda p: p["n"]):
        seq = first(p, "tcp.seq", int)
        if seq + payload_len(p) <= top:
            again += 1
        top = max(top, seq + payload_len(p))
    if again < 0.1 * len(srv):
        errs.append("%d of the server's %d packets sent again, expected a tenth or more" % (again, len(srv)))


def check_one_sided(pk, e, flow, errs):
    d, client = e["details"], e["client"]
    srv = [p for p in flow if not c2s(p, client)]
    if len(srv) != d.get("server_packets", 0):
        errs.append("%d packets from the server" % len(srv))
    if [p for p in pk if p["src"] and p["src"] != client]:
        errs.append("packets from other hosts: not a one-direction capture")
    acks = [int(p["tcp.ack_raw"][0]) for p in flow if flags(p, "ack") and p["tcp.ack_raw"]]
    if not acks or (max(acks) - min(acks)) % 2**32 == 0:
        errs.append("the client's ACKs acknowledge no server data")
    if not [p for p in flow if p["http.request.method"]]:
        errs.append("no request")


def check_ended_early(pk, e, flow, errs):
    d, client = e["details"], e["client"]
    chs = [p for p in flow if c2s(p, client) and 1 in ints(p, "tls.handshake.type")]
    if d.get("last_sent") != "ClientHello" or not chs:
        errs.append("no ClientHello")
        return
    if pk[-1]["t"] - chs[-1]["t"] > d.get("max_seconds_after", 0.01) + 1e-6:
        errs.append("the capture ends %.4f s after the ClientHello" % (pk[-1]["t"] - chs[-1]["t"]))
    if [p for p in flow if not c2s(p, client) and p["rtypes"]]:
        errs.append("the server answered")
    if [p for p in flow if flags(p, "fin") or flags(p, "reset")]:
        errs.append("the connection was closed")


def check_port_scan(pk, e, errs):
    """a verdict for a host's ports (target port null, details.ports.count, or tcp.port_scan's
    portsProbed / open / closed / unanswered): each port's own flow"""
    t, d, client = e["target"], e["details"], e["client"]
    ports = sorted({first(p, "tcp.dstport", int) for p in pk if p["src"] == client and p["dst"] == t["ip"]
                    and p["tcp.dstport"] and flags(p, "syn") and not flags(p, "ack")})
    if e["cause"] == "tcp.port_scan":
        opened, closed = [], []
        for port in ports:
            flow = tcp_between(pk, client, t["ip"], port)
            if any(flags(p, "syn") and flags(p, "ack") and not c2s(p, client) for p in flow):
                opened.append(port)
            elif any(not c2s(p, client) and flags(p, "reset") for p in flow):
                closed.append(port)
        if len(ports) != d["portsProbed"]:
            errs.append("%d ports probed, expected %d" % (len(ports), d["portsProbed"]))
        for name, got in (("open", opened), ("closed", closed), ("unanswered", [x for x in ports if x not in opened and x not in closed])):
            want = d.get(name, {})
            if "count" in want and len(got) != want["count"]:
                errs.append("%d ports %s, expected %d" % (len(got), name, want["count"]))
            if "ports" in want and got[:len(want["ports"])] != want["ports"]:
                errs.append("%s ports %s, expected %s" % (name, got[:20], want["ports"]))
        return
    refused = []
    for port in ports:
        flow = tcp_between(pk, client, t["ip"], port)
        if any(flags(p, "syn") and flags(p, "ack") for p in flow):
            continue
        if e["cause"] == "tcp.refused" and any(not c2s(p, client) and flags(p, "reset") for p in flow):
            refused.append(port)
    if len(refused) != d["ports"]["count"]:
        errs.append("%d ports refused (RST in reply to the SYN), expected %d" % (len(refused), d["ports"]["count"]))
    if "examples" in d["ports"] and refused[:len(d["ports"]["examples"])] != d["ports"]["examples"]:
        errs.append("refused ports %s, expected %s" % (refused[:20], d["ports"]["examples"]))


def check_tcp_only(e, flow, errs):
    """ok for a port that was only connected to: SYN, SYN-ACK, ACK, no data from the client, then a close"""
    client = e["client"]
    synack = [p for p in flow if flags(p, "syn") and flags(p, "ack") and not c2s(p, client)]
    acks = [p for p in flow if c2s(p, client) and flags(p, "ack") and not flags(p, "syn")]
    if not synack or not acks or acks[0]["n"] < synack[0]["n"]:
        errs.append("no completed handshake")
    if any(payload_len(p) > 0 for p in flow if c2s(p, client)):
        errs.append("the client sent data")
    if not any(c2s(p, client) and (flags(p, "fin") or flags(p, "reset")) for p in flow):
        errs.append("the client did not close")


def check_left_attempts(pk, e, flow, errs):
    """details.failed_attempts of a target that worked: SYNs to another address of the name, unanswered, before"""
    t, client = e["target"], e["client"]
    for fa in e["details"].get("failed_attempts", []):
        if fa["cause"] != "tcp.syn_unanswered":
            continue
        syns = [p for p in pk if p["dst"] == fa["ip"] and first(p, "tcp.dstport", int) == t["port"] and flags(p, "syn")]
        if not syns:
            errs.append("no SYN to %s" % fa["ip"])
            continue
        if any(p["src"] == fa["ip"] for p in pk) or any(p["qdst"] == fa["ip"] for p in pk):
            errs.append("%s answered (or an ICMP error about it)" % fa["ip"])
        if flow and syns[0]["n"] > flow[0]["n"]:
            errs.append("the SYN to %s is not before the attempt that worked" % fa["ip"])
        if t["name"]:
            out = tshark(e["_path"], ["dns.aaaa", "dns.a"], 'dns.flags.response==1 && dns.qry.name=="%s"' % t["name"])
            if fa["ip"] not in ",".join(out).replace("\t", ",").split(","):
                errs.append("DNS answers for %s do not include %s" % (t["name"], fa["ip"]))


def check_syn_flood(pk, e, errs):
    # that many attempts to the target stopped at their SYN (no other packet from their address
    # and port), from 100 addresses or more, each SYN sent once
    t, d = e["target"], e["details"]
    syns = [p for p in pk if p["dst"] == t["ip"] and first(p, "tcp.dstport", int) == t["port"] and not p["qdst"]
            and first(p, "tcp.flags.syn", int) == 1 and first(p, "tcp.flags.ack", int) == 0]
    key = lambda p: (p["src"], first(p, "tcp.srcport", int))
    went_on = {key(p) for p in pk if not p["qdst"] and p["tcp.srcport"] and first(p, "tcp.flags.syn", int) == 0}
    stopped = {}
    for p in syns:
        if key(p) not in went_on:
            stopped[key(p)] = stopped.get(key(p), 0) + 1
    if len(stopped) != d["syns"]:
        errs.append("%d attempts stopped at the SYN, expected %d" % (len(stopped), d["syns"]))
    if len({k[0] for k in stopped}) < 100:
        errs.append("%d source addresses, expected 100 or more" % len({k[0] for k in stopped}))
    if any(n != 1 for n in stopped.values()):
        errs.append("%d attempts sent their SYN more than once" % sum(1 for n in stopped.values() if n != 1))


def check_inbound_probes(pk, e, errs):
    # that many attempts to the host, none past the SYN (no packet of theirs without SYN, nothing
    # from the host but RSTs), each SYN sent once, from 10 addresses or more to 10 ports or more;
    # as many refused (a RST from the host) as said
    t, d = e["target"], e["details"]
    key = lambda p: (p["src"], first(p, "tcp.srcport", int), first(p, "tcp.dstport", int))
    syns = {}
    for p in pk:
        if p["dst"] == t["ip"] and not p["qdst"] and first(p, "tcp.flags.syn", int) == 1 and first(p, "tcp.flags.ack", int) == 0:
            syns[key(p)] = syns.get(key(p), 0) + 1
    went_on = {key(p) for p in pk if p["dst"] == t["ip"] and not p["qdst"] and p["tcp.srcport"] and first(p, "tcp.flags.syn", int) == 0}
    answers = {}
    for p in pk:
        if p["src"] == t["ip"] and not p["qdst"] and p["tcp.srcport"]:
            k = (p["dst"], first(p, "tcp.dstport", int), first(p, "tcp.srcport", int))
            answers.setdefault(k, set()).add("R" if first(p, "tcp.flags.reset", int) == 1 else "other")
    probes = {k: n for k, n in syns.items() if k not in went_on and answers.get(k, {"R"}) <= {"R"}}
    if len(probes) != d["attempts"]:
        errs.append("%d attempts stopped at the SYN, expected %d" % (len(probes), d["attempts"]))
    refused = sum(1 for k in probes if "R" in answers.get(k, set()))
    if refused != d["refused"]:
        errs.append("%d refused, expected %d" % (refused, d["refused"]))
    if any(n != 1 for n in probes.values()):
        errs.append("%d attempts sent their SYN more than once" % sum(1 for n in probes.values() if n != 1))
    if len({k[0] for k in probes}) < 10 or len({k[2] for k in probes}) < 10:
        errs.append("%d addresses to %d ports, expected 10 or more of each" % (len({k[0] for k in probes}), len({k[2] for k in probes})))


def check_tcp_target(pk, e, errs):
    t, d, client, cause = e["target"], e["details"], e["client"], e["cause"]
    if cause == "tcp.syn_flood":
        check_syn_flood(pk, e, errs)
        return
    if cause == "tcp.inbound_probes":
        check_inbound_probes(pk, e, errs)
        return
    if t["port"] is None and ("ports" in d or e["cause"] == "tcp.port_scan"):
        check_port_scan(pk, e, errs)
        return
    flow = tcp_between(pk, client, t["ip"], t["port"])
    if not flow and cause != "http.proxy_refused":
        errs.append("no TCP packets to %s:%s" % (t["ip"], t["port"]))
        return
    syns = [p for p in flow if first(p, "tcp.flags.syn", int) == 1 and first(p, "tcp.flags.ack", int) == 0]
    synacks = [p for p in flow if first(p, "tcp.flags.syn", int) == 1 and first(p, "tcp.flags.ack", int) == 1]
    from_srv = [p for p in flow if not c2s(p, client)]
    rsts = [p for p in flow if first(p, "tcp.flags.reset", int) == 1]
    special = {"capture.one_sided": check_one_sided, "capture.ended_early": check_ended_early,
               "tcp.reset_injected": check_reset_injected, "tcp.pmtu_blackhole": check_pmtu,
               "tls.not_tls": check_not_tls, "tcp.zero_window": check_zero_window, "tcp.stalled": check_stalled,
               "http.body_cut_short": check_body_cut_short, "http.body_stalled": check_body_stalled,
               "tls.transfer_cut_short": check_transfer_cut_short, "app.refused": check_ftp_refused,
               "app.login_failed": check_ftp_login_failed, "app.mail_rejected": check_mail_rejected}
    if cause in special:
        special[cause](pk, e, flow, errs)
        return
    if cause == "http.no_response" and d.get("encrypted"):
        check_encrypted_no_response(pk, e, flow, errs)
        return
    if cause == "ok" and d.get("tcp_only"):
        check_tcp_only(e, flow, errs)
        return
    if cause == "ok" and "failed_attempts" in d:
        check_left_attempts(pk, e, flow, errs)
    if cause == "tcp.syn_unanswered" and d.get("sentOnce"):
        # one SYN, never sent again although the capture went on past the first retransmission
        # (1 s), in a capture whose every packet is the client's
        if len(syns) != 1:
            errs.append("%d SYNs, expected one never sent again" % len(syns))
        elif pk[-1]["t"] - syns[0]["t"] < 1.0:
            errs.append("the capture ends %.2f s after the SYN, before a retransmission was due" % (pk[-1]["t"] - syns[0]["t"]))
        if any(p["src"] is not None and p["src"] != client for p in pk):
            errs.append("packets from others than the client in the capture")
        if from_srv:
            errs.append("server answered (%d packets)" % len(from_srv))
        return
    if cause == "tcp.syn_unanswered":
        if len(syns) < 2:
            errs.append("%d SYN, expected a SYN and retransmissions" % len(syns))
        if from_srv:
            errs.append("server answered (%d packets)" % len(from_srv))
        icmps = [p for p in pk if p["qdst"] == t["ip"]]
        if icmps:
            errs.append("ICMP error about the target present")
        return
    if cause == "tcp.handshake_incomplete":
        # a SYN-ACK the client reset: no ACK of it, the RST after it, and the SYN-ACK late (d.synack_after_s at least)
        if not syns or not synacks:
            errs.append("expected SYN and SYN-ACK")
            return
        if any(c2s(p, client) and flags(p, "ack") and not flags(p, "syn") and not flags(p, "reset") for p in flow):
            errs.append("the client acknowledged the SYN-ACK")
        if not any(c2s(p, client) and flags(p, "reset") and p["n"] > synacks[0]["n"] for p in flow):
            errs.append("no RST from the client after the SYN-ACK")
        late = synacks[0]["t"] - syns[0]["t"]
        if late < d.get("synack_after_s", 0):
            errs.append("the SYN-ACK came %.2f s after the first SYN, expected %s s or more" % (late, d.get("synack_after_s")))
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
        if d.get("clientSentNothing"):
            # every connection: the server's greeting, then the client's RST, the client silent
            spay = [p for p in from_srv if ints(p, "tcp.len") and max(ints(p, "tcp.len")) > 0]
            if pay:
                errs.append("the client sent payload (%d packets)" % len(pay))
            if not r or not spay or spay[0]["n"] > r[0]["n"]:
                errs.append("no server payload before the client's RST")
            return
        if not pay or (r and pay[0]["n"] > r[0]["n"]):
            errs.append("no request before the RST")
        return
    if t["port"] in (443, 8443) and cause.startswith(("tls.", "ok")) and "http.error_status" != cause:
        tls_checks(pk, e, errs, flow)
        return
    if cause in ("http.error_status", "http.no_response", "http.error_in_body", "ok"):
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
        elif cause == "http.error_in_body":
            # a 200 answer whose short body names an error
            codes = [c for p in resps for c in ints(p, "http.response.code")]
            answer = "".join(bytes.fromhex(v.replace(":", "")).decode("latin-1") for p in resps for v in p["tcp.payload"])
            body = answer.split("\r\n\r\n", 1)[-1]
            if codes != [200]:
                errs.append("status %s, expected [200]" % codes)
            if len(body) > 1024 or not re.search(r"(?i)invalid|incorrect|denied|error|failed", body):
                errs.append("no short error text in the answer: %r" % body[:80])
        else:
            codes = [c for p in resps for c in ints(p, "http.response.code")]
            if not codes or codes[-1] >= 400:
                errs.append("no 2xx/3xx response: %s" % codes)
            elif "http_status" in d and codes[-1] != d["http_status"]:
                errs.append("status %s, expected %s" % (codes[-1], d["http_status"]))
            check_close(e, flow, errs)
            check_path_mtu(pk, e, flow, errs)
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


def check_silent_target(pk, e, errs):
    """what a silent target's checks share (icmp.echo_unanswered, udp.no_response): nothing from the
    target, no ICMP error in the capture (neighbour discovery is no error), and the client received
    something else (a DNS answer)"""
    t, client = e["target"], e["client"]
    if any(p["src"] == t["ip"] for p in pk):
        errs.append("the target sent packets")
    icmp_errors = [p for p in pk if set(ints(p, "icmp.type")) & {3, 11, 12} or set(ints(p, "icmpv6.type")) & {1, 2, 3, 4}]
    if icmp_errors:
        errs.append("ICMP errors in the capture (frames %s)" % [p["n"] for p in icmp_errors])
    if not any(p["dst"] == client and p["src"] != t["ip"] for p in pk):
        errs.append("the client received nothing at all")


def check_echo_unanswered(pk, e, errs):
    """icmp.echo_unanswered: the client's echo requests to the target, as many as the details say,
    and the target silent (check_silent_target)"""
    t, d, client = e["target"], e["details"], e["client"]
    echoes = [p for p in pk if p["src"] == client and p["dst"] == t["ip"] and 8 in ints(p, "icmp.type")]
    if len(echoes) != d.get("requests"):
        errs.append("%d echo requests to %s, expected %s" % (len(echoes), t["ip"], d.get("requests")))
    check_silent_target(pk, e, errs)


def check_echo_loss(pk, e, errs):
    """icmp.echo_loss: the client's echo requests to the target, as many as the details say; two or
    more of them (by identifier and sequence number) got no reply while a later one was answered"""
    t, d, client = e["target"], e["details"], e["client"]
    echoes = [p for p in pk if p["src"] == client and p["dst"] == t["ip"] and 8 in ints(p, "icmp.type")]
    if len(echoes) != d.get("requests"):
        errs.append("%d echo requests to %s, expected %s" % (len(echoes), t["ip"], d.get("requests")))
    replied = {(first(p, "icmp.ident"), first(p, "icmp.seq")) for p in pk if p["src"] == t["ip"] and p["dst"] == client and 0 in ints(p, "icmp.type")}
    answered = [p["t"] for p in echoes if (first(p, "icmp.ident"), first(p, "icmp.seq")) in replied]
    lost = [p for p in echoes if (first(p, "icmp.ident"), first(p, "icmp.seq")) not in replied and answered and p["t"] < max(answered)]
    if len(lost) < 2:
        errs.append("%d echo requests lost before the last answered one, expected two or more" % len(lost))


def check_udp_silent(pk, e, errs):
    """udp.no_response: the client's datagrams to the target's port (NTP: client mode 3), two or
    more, and the target silent (check_silent_target)"""
    t, client = e["target"], e["client"]
    reqs = [p for p in pk if p["src"] == client and p["dst"] == t["ip"] and first(p, "udp.dstport", int) == t["port"]]
    if t["port"] == 123:
        reqs = [p for p in reqs if first(p, "ntp.flags.mode", int) == 3]
    if len(reqs) < 2:
        errs.append("%d requests to %s:%s, expected two or more" % (len(reqs), t["ip"], t["port"]))
    check_silent_target(pk, e, errs)


def dhcp_pings(pk, server, ip, errs):
    # the DHCP server's echo requests to the address it checks
    pings = [p for p in pk if p["src"] == server and p["dst"] == ip and 8 in ints(p, "icmp.type")]
    if not pings:
        errs.append("no echo request from %s to %s" % (server, ip))
    return pings


def check_dhcp_check(pk, e, errs):
    # the DHCP server (the client of the pings) pings the address, gets no echo reply, and offers it
    # (DHCPOFFER 2 or DHCPACK 5 from port 67) within 10 s; the ICMP error named comes from its sender
    t, d, server = e["target"], e["details"]["dhcpConflictCheck"], e["client"]
    pings = dhcp_pings(pk, server, t["ip"], errs)
    if not pings:
        return
    if [p for p in pk if p["src"] == t["ip"] and 0 in ints(p, "icmp.type")]:
        errs.append("%s answered an echo request: the address is taken" % t["ip"])
    offers = [p for p in pk if p["src"] == server and first(p, "udp.srcport", int) == 67 and t["ip"] in p["dhcp.ip.your"]
              and set(ints(p, "dhcp.option.dhcp")) & {2, 5} and abs(p["t"] - pings[0]["t"]) <= 10]
    if not offers:
        errs.append("no DHCP offer of %s from %s within 10 s of its ping" % (t["ip"], server))
    if d.get("answer") == "host_unreachable":
        errors = [p for p in pk if p["src"] == d["from"] and p["dst"] == server and ints(p, "icmp.type")[:2] in ([3, 8], [3])
                  and ints(p, "icmp.code")[:1] == [1] and p["qdst"] == t["ip"]]
        if not errors:
            errs.append("no ICMP host unreachable from %s quoting a ping of %s" % (d["from"], t["ip"]))


def check_address_in_use(pk, e, errs):
    # the DHCP server (the client of the pings) pings the address and gets an echo reply from it,
    # then offers (DHCPOFFER 2 or DHCPACK 5 from port 67) another address within 10 s, never this one
    t, d, server = e["target"], e["details"]["offeredInstead"], e["client"]
    pings = dhcp_pings(pk, server, t["ip"], errs)
    if not pings:
        return
    if not [p for p in pk if p["src"] == t["ip"] and p["dst"] == server and 0 in ints(p, "icmp.type")]:
        errs.append("no echo reply from %s" % t["ip"])
    dhcp = [p for p in pk if p["src"] == server and first(p, "udp.srcport", int) == 67 and set(ints(p, "dhcp.option.dhcp")) & {2, 5}]
    if [p for p in dhcp if t["ip"] in p["dhcp.ip.your"]]:
        errs.append("%s offered %s after all" % (server, t["ip"]))
    if not [p for p in dhcp if d["address"] in p["dhcp.ip.your"] and 0 <= p["t"] - pings[0]["t"] <= 10]:
        errs.append("no DHCP offer of %s from %s within 10 s after the ping" % (d["address"], server))


def check_entry(pk, e):
    errs = []
    t, cause = e["target"], e["cause"]
    if e["severity"] not in ("ok", "warning", "error") or e["layer"] != cause.split(".")[0] and not (
            cause == "ok" and e["layer"] == "ok"):
        errs.append("layer/cause/severity inconsistent")
    if cause == "icmp.echo_unanswered":
        check_echo_unanswered(pk, e, errs)
    elif cause == "icmp.echo_loss":
        check_echo_loss(pk, e, errs)
    elif cause == "dhcp.address_in_use":
        check_address_in_use(pk, e, errs)
    elif cause.startswith("icmp."):
        check_icmp(pk, e, errs)
    elif "traceroute" in e["details"]:
        check_traceroute(pk, e, errs)
    elif "dhcpConflictCheck" in e["details"]:
        check_dhcp_check(pk, e, errs)
    elif cause.startswith("dns.") or (t["ip"] is None and t["port"] is None):
        check_dns(pk, e, errs)
    elif cause == "http.proxy_refused":
        check_proxy(pk, e, errs)
    elif t["transport"] == "tcp":
        check_tcp_target(pk, e, errs)
    elif cause == "udp.no_response":
        check_udp_silent(pk, e, errs)
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


def check_seen_twice(pk, errs):
    """A capture on a router with -i any: every forwarded TCP packet twice, as it came in and one hop on (TTL one less)."""
    seen = {}
    pairs = 0
    for p in pk:
        if not p["tcp.srcport"] or not p["ip.id"] or not p["ip.ttl"]:
            continue
        key = (p["src"], p["dst"], p["ip.id"][0], first(p, "tcp.seq", int), first(p, "tcp.ack_raw", int), first(p, "tcp.len", int))
        ttl = int(p["ip.ttl"][0])
        if key in seen and seen[key] - ttl == 1:
            pairs += 1
        seen[key] = ttl
    tcp = sum(1 for p in pk if p["tcp.srcport"])
    if pairs == 0 or 2 * pairs != tcp:
        errs.append("expected every TCP packet twice, one hop apart: %d pairs of %d TCP packets" % (pairs, tcp))


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
        if not pk:
            errs.append("the capture holds no packets")
        else:
            if "-seen-twice." in f:
                check_seen_twice(pk, errs)
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
