#!/usr/bin/env python3
"""Store tshark's reading of packet captures as test fixtures.

Called by scripts/tshark-fixtures.sh (which installs tshark when missing and
pins the locale/time zone).  Usage:

    scripts/tshark-fixtures.py [DIR...]

With no DIR, reads ../shared/captures and samples (relative to the repository
root).  For every capture file found (recursively) it writes

    test/fixtures/tshark/<set>/<file name>.tsv   tshark -T fields output
    test/fixtures/tshark/<set>/index.json        per-file facts (capinfos etc.)

and regenerates test/fixtures/tshark/README.md.  <set> is
"shared/<subdir>" for files under the shared captures folder, "samples" (or
"samples/<subdir>") for files under samples/, and "<basename of DIR>[/...]"
for any other folder.  The fixture subtree that belongs to a DIR is rebuilt
from scratch (stale files are removed); nothing outside
test/fixtures/tshark is written.
"""

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_ROOT = os.path.join(REPO, "test", "fixtures", "tshark")
SHARED_ROOT = os.path.normpath(os.path.join(REPO, "..", "shared", "captures"))
SAMPLES_ROOT = os.path.join(REPO, "samples")
DEFAULT_DIRS = [SHARED_ROOT, SAMPLES_ROOT]

# The column list asked for.  Every name was checked against
# `tshark -G fields` of the installed version (see check_fields()).
FIELDS = """
frame.number frame.time_epoch frame.cap_len frame.len frame.interface_id
frame.protocols eth.type vlan.id sll.etype ip.version ip.src ip.dst ip.proto
ip.ttl ip.id ip.flags.mf ip.frag_offset ipv6.src ipv6.dst ipv6.nxt ipv6.hlim
tcp.srcport tcp.dstport tcp.flags tcp.seq_raw tcp.ack_raw
tcp.window_size_value tcp.len tcp.options.mss_val tcp.options.wscale.shift
udp.srcport udp.dstport udp.length icmp.type icmp.code icmpv6.type
icmpv6.code dns.id dns.flags.response dns.flags.rcode dns.qry.name
dns.qry.type dns.count.answers dns.a dns.aaaa dns.cname
tls.record.content_type tls.record.version tls.handshake.type
tls.handshake.extensions_server_name tls.handshake.version
tls.handshake.extensions.supported_version tls.handshake.ciphersuite
tls.alert_message.level tls.alert_message.desc http.request.method
http.request.uri http.host http.response.code
""".split()

# Substitutions applied when a requested name is missing from the installed
# tshark: requested -> replacement.  Empty for tshark 4.0 (all names exist);
# kept so that a future version can be handled in one place.
FIELD_SUBSTITUTIONS = {}

PREFS = [
    ("tcp.desegment_tcp_streams", "TRUE"),
    ("tls.desegment_ssl_records", "TRUE"),
    ("tls.desegment_ssl_application_data", "TRUE"),
    ("tcp.check_checksum", "FALSE"),
]

CAPTURE_RE = re.compile(r"\.(pcap|pcapng|cap)(\.gz)?$", re.IGNORECASE)
# tshark/capinfos chatter that says nothing about the file.
NOISE_RE = re.compile(r"^Running as user .* This could be dangerous\.$")


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def tool_env(config_dir):
    env = dict(os.environ)
    env["TZ"] = "UTC"
    env["LC_ALL"] = "C"
    env.pop("LANG", None)
    env.pop("LANGUAGE", None)
    # Empty personal configuration: no user preferences, profiles or Lua
    # plugins can change the output.
    env["WIRESHARK_CONFIG_DIR"] = config_dir
    return env


def run(cmd, env, cwd=None):
    p = subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    return p.returncode, p.stdout, p.stderr


def clean_stderr(raw):
    lines = raw.decode("utf-8", "replace").splitlines()
    return [l.rstrip() for l in lines
            if l.strip() and not NOISE_RE.match(l.strip())]


def tshark_version(env):
    _, out, _ = run(["tshark", "--version"], env)
    return out.decode("utf-8", "replace").splitlines()[0].strip()


def capinfos_version(env):
    _, out, _ = run(["capinfos", "--version"], env)
    return out.decode("utf-8", "replace").splitlines()[0].strip()


def check_fields(env):
    rc, out, err = run(["tshark", "-G", "fields"], env)
    if rc != 0:
        sys.exit("tshark -G fields failed: " + err.decode("utf-8", "replace"))
    known = set()
    for line in out.decode("utf-8", "replace").splitlines():
        cols = line.split("\t")
        if len(cols) >= 3 and cols[0] == "F":
            known.add(cols[2])
    fields = []
    for f in FIELDS:
        f2 = FIELD_SUBSTITUTIONS.get(f, f)
        if f2 not in known:
            sys.exit("field %r (requested %r) is unknown to this tshark; "
                     "add a substitution to FIELD_SUBSTITUTIONS" % (f2, f))
        fields.append(f2)
    return fields


def check_prefs(env):
    rc, out, _ = run(["tshark", "-G", "defaultprefs"], env)
    text = out.decode("utf-8", "replace")
    for name, _ in PREFS:
        if not re.search(r"^#?%s:" % re.escape(name), text, re.MULTILINE):
            sys.exit("preference %r is unknown to this tshark" % name)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def long_report_value(text, label):
    m = re.search(r"^%s:[ \t]*(.*?)[ \t]*$" % re.escape(label), text,
                  re.MULTILINE)
    return m.group(1) if m else None


def capinfos(path, env):
    """File type, encapsulation and packet count as capinfos reports them.

    Values are whatever capinfos printed (it still prints them for a file cut
    short in the middle of a packet), None when it printed nothing.
    """
    # run next to the file so that messages name it without a folder
    cwd, base = os.path.split(path)
    base = safe_arg(base)
    rc1, out1, err1 = run(["capinfos", "-t", "-E", base], env, cwd)
    text1 = out1.decode("utf-8", "replace")
    rc2, out2, err2 = run(["capinfos", "-M", "-c", base], env, cwd)
    text2 = out2.decode("utf-8", "replace")
    count = long_report_value(text2, "Number of packets")
    try:
        count = int(count) if count is not None else None
    except ValueError:
        count = None
    return {
        "exit": rc2 if rc2 != 0 else rc1,
        "format": long_report_value(text1, "File type"),
        "encapsulation": long_report_value(text1, "File encapsulation"),
        "packets": count,
        "stderr": clean_stderr(err2) or clean_stderr(err1),
    }


def safe_arg(name):
    """A file name that cannot be mistaken for an option."""
    return "./" + name if name.startswith("-") else name


def tshark_cmd(path, fields):
    cmd = ["tshark", "-n", "-r", path]
    for name, value in PREFS:
        cmd += ["-o", "%s:%s" % (name, value)]
    cmd += ["-T", "fields", "-E", "header=y", "-E", "separator=/t",
            "-E", "occurrence=a", "-E", "aggregator=,"]
    for f in fields:
        cmd += ["-e", f]
    return cmd


def find_captures(root):
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in filenames:
            if name.startswith(".") or not CAPTURE_RE.search(name):
                continue
            full = os.path.join(dirpath, name)
            if os.path.isfile(full):
                found.append(full)
    # byte order == LC_ALL=C sort
    return sorted(found, key=lambda p: os.fsencode(p))


def set_prefix(root):
    """Fixture subtree (relative to OUT_ROOT) that belongs to folder root."""
    real = os.path.realpath(root)
    for base, name in ((os.path.realpath(SHARED_ROOT), "shared"),
                       (os.path.realpath(SAMPLES_ROOT), "samples")):
        if real == base or real.startswith(base + os.sep):
            rel = os.path.relpath(real, base)
            return name if rel == "." else name + "/" + rel.replace(os.sep, "/")
    return os.path.basename(real.rstrip(os.sep)) or "root"


def process_dir(root, fields, env):
    prefix = set_prefix(root)
    files = find_captures(root)
    log("%s -> test/fixtures/tshark/%s (%d capture files)"
        % (root, prefix, len(files)))
    tmp = tempfile.mkdtemp(prefix=".tshark-fixtures-", dir=OUT_ROOT)
    try:
        # the DIR's own index.json exists when it holds captures directly,
        # or when it holds none at all (an empty index then)
        indexes = {prefix: {}} if not files else {}
        for path in files:
            rel_dir = os.path.relpath(os.path.dirname(path), root)
            set_name = prefix if rel_dir == "." else \
                prefix + "/" + rel_dir.replace(os.sep, "/")
            name = os.path.basename(path)
            out_dir = os.path.join(tmp, os.path.relpath(set_name, prefix)
                                   if set_name != prefix else "")
            os.makedirs(out_dir, exist_ok=True)

            # run next to the file so that error messages name it without
            # a folder (deterministic wherever the captures live)
            rc, out, err = run(tshark_cmd(safe_arg(name), fields), env,
                               os.path.dirname(path))
            with open(os.path.join(out_dir, name + ".tsv"), "wb") as f:
                f.write(out)
            rows = max(len(out.splitlines()) - 1, 0)
            err_lines = clean_stderr(err)
            ci = capinfos(path, env)
            cap_ok = ci["exit"] == 0 and ci["packets"] is not None
            entry = {
                "packets": ci["packets"] if cap_ok else rows,
                "capinfos_packets": ci["packets"],
                "tshark_exit": rc,
                "tshark_error": err_lines[0] if err_lines else None,
                "format": ci["format"],
                "encapsulation": ci["encapsulation"],
                "sha256": sha256(path),
                # additions beyond the minimal schema, see README
                "tshark_rows": rows,
                "tshark_stderr": err_lines,
                "capinfos_exit": ci["exit"],
            }
            indexes.setdefault(set_name, {})[name] = entry
            status = "ok" if rc == 0 and not err_lines else \
                "exit %d: %s" % (rc, " | ".join(err_lines))
            log("  %s/%s: %d rows, %s" % (set_name, name, rows, status))

        for set_name, index in indexes.items():
            out_dir = os.path.join(tmp, os.path.relpath(set_name, prefix)
                                   if set_name != prefix else "")
            os.makedirs(out_dir, exist_ok=True)
            with open(os.path.join(out_dir, "index.json"), "w",
                      encoding="utf-8") as f:
                json.dump(dict(sorted(index.items(),
                                      key=lambda kv: kv[0].encode())),
                          f, indent=2)
                f.write("\n")

        # replace the subtree that belongs to this DIR
        dest = os.path.join(OUT_ROOT, prefix)
        if os.path.isdir(dest):
            shutil.rmtree(dest)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        os.rename(tmp, dest)
        os.chmod(dest, 0o755)
        tmp = None
    finally:
        if tmp and os.path.isdir(tmp):
            shutil.rmtree(tmp)


def all_indexes():
    """Every index.json under OUT_ROOT: {set name: {file: entry}}."""
    result = {}
    for dirpath, dirnames, filenames in os.walk(OUT_ROOT):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        if "index.json" in filenames:
            set_name = os.path.relpath(dirpath, OUT_ROOT).replace(os.sep, "/")
            with open(os.path.join(dirpath, "index.json"),
                      encoding="utf-8") as f:
                result[set_name] = json.load(f)
    return dict(sorted(result.items(), key=lambda kv: kv[0].encode()))


def write_readme(fields, env):
    text = README_TEMPLATE

    cmd = " ".join(tshark_cmd("FILE", ["<field>"]))
    field_lines = "\n".join("%2d. `%s`" % (i + 1, f)
                            for i, f in enumerate(fields))
    if FIELD_SUBSTITUTIONS:
        subs = "\n".join("* `%s` -> `%s`" % kv
                         for kv in FIELD_SUBSTITUTIONS.items())
    else:
        subs = ("None: every requested field name exists in this tshark "
                "(checked against `tshark -G fields` on every run; the "
                "script stops if one is missing).")
    prefs = "\n".join("* `-o %s:%s`" % p for p in PREFS)

    damaged = []
    sets = []
    for set_name, index in all_indexes().items():
        sets.append("| `%s` | %d |" % (set_name, len(index)))
        for name, e in index.items():
            if e.get("tshark_exit") or e.get("tshark_stderr") \
                    or e.get("tshark_error"):
                msg = " / ".join(e.get("tshark_stderr") or
                                 [e.get("tshark_error") or ""])
                damaged.append("| `%s/%s` | %s | %s | %s |" % (
                    set_name, name, e.get("tshark_exit"),
                    e.get("tshark_rows", e.get("packets")),
                    msg.replace("|", "\\|")))
    damaged_table = "\n".join(
        ["| file | tshark exit | rows | stderr |", "| --- | --- | --- | --- |"]
        + damaged) if damaged else "None."
    sets_table = "\n".join(["| set | files |", "| --- | --- |"] + sets)

    text = (text.replace("@TSHARK_VERSION@", tshark_version(env))
                .replace("@CAPINFOS_VERSION@", capinfos_version(env))
                .replace("@COMMAND@", cmd)
                .replace("@FIELDS@", field_lines)
                .replace("@SUBSTITUTIONS@", subs)
                .replace("@PREFS@", prefs)
                .replace("@SETS@", sets_table)
                .replace("@DAMAGED@", damaged_table))
    with open(os.path.join(OUT_ROOT, "README.md"), "w", encoding="utf-8") as f:
        f.write(text)


README_TEMPLATE = r'''# tshark fixtures

Generated by `scripts/tshark-fixtures.sh` -- do not edit by hand; rerun the
script instead.  These files record how tshark reads each capture, so that the
test suite can cross-check wirewhy's decoders without needing tshark.

* tshark: `@TSHARK_VERSION@`
* capinfos: `@CAPINFOS_VERSION@`

## Regenerating

```
scripts/tshark-fixtures.sh [DIR...]
```

With no DIR it reads `../shared/captures` (relative to the repository root)
and `samples`.  It installs tshark with
`DEBIAN_FRONTEND=noninteractive apt-get install -y tshark` if tshark or
capinfos is missing.  Capture files are `*.pcap`, `*.pcapng`, `*.cap`, with or
without `.gz` (anything else -- MANIFEST.json, README.md, scripts -- is
ignored).  Files are processed in byte order (`LC_ALL=C`).  The fixture
subtree that belongs to a DIR (`shared/` or `samples/`) is rebuilt from
scratch, so files of captures that disappeared are removed; a DIR that does
not exist is skipped (its fixtures are left alone); an existing but empty DIR
gives an empty `index.json`.  Running the script twice gives byte-identical
output (checked with `diff -r`).  The script writes nothing outside
`test/fixtures/tshark/`.

## Layout

```
test/fixtures/tshark/
  README.md                      this file (regenerated on every run)
  shared/<subdir>/<file>.tsv     captures from ../shared/captures/<subdir>/
  shared/<subdir>/index.json
  samples/<file>.tsv             captures from samples/ (samples/<subdir>/ for
  samples/index.json             nested folders)
```

`<file>` is the capture's own file name, so `zeek/smtp.pcap` gives
`shared/zeek/smtp.pcap.tsv`.

Current sets:

@SETS@

### `<file>.tsv`

The standard output of

```
TZ=UTC LC_ALL=C WIRESHARK_CONFIG_DIR=<empty temporary folder> \
@COMMAND@
```

run in the capture's folder, one `-e` per column below.  The first line is the
header (the field names); then one line per frame, in file order.  An empty
cell means tshark had no such field in that frame.  A capture with no packets
gives just the header line.

Columns, in order:

@FIELDS@

Field-name substitutions: @SUBSTITUTIONS@

Preferences pinned with `-o` (names checked against `tshark -G defaultprefs`
on every run; these are also tshark 4.0's defaults):

@PREFS@

Other determinism measures: `-n` (no name resolution), `TZ=UTC`, `LC_ALL=C`,
and `WIRESHARK_CONFIG_DIR` pointing at an empty folder so that no personal
preference, profile or Lua plugin can change the output.  tshark is run in the
capture's folder with the bare file name, so error messages do not depend on
where the captures live.

### `index.json`

An object keyed by file name (byte order):

| key | meaning |
| --- | --- |
| `packets` | capinfos' packet count when capinfos succeeded (exit 0), else the number of rows tshark printed |
| `capinfos_packets` | the packet count capinfos printed (`capinfos -M -c`), or `null` if it printed none; capinfos still prints a count for a file cut short in the middle of a packet (exit 1), but nothing for one it finds corrupt (exit 2) |
| `tshark_exit` | tshark's exit status (2 for a damaged or cut-short file) |
| `tshark_error` | first line tshark wrote to stderr, or `null` |
| `format` | capinfos' file type string (`capinfos -t`), e.g. `Wireshark/tcpdump/... - pcap`, `Wireshark/... - pcapng`, `Wireshark/tcpdump/... - nanosecond pcap` (this version says "nanosecond pcap", not "nanosecond libpcap"); `null` if capinfos printed none |
| `encapsulation` | capinfos' encapsulation string (`capinfos -E`), e.g. `Ethernet`, `NULL/Loopback`, `Linux cooked-mode capture v2`; `null` if none |
| `sha256` | SHA-256 of the file as stored (of the compressed bytes for `.gz`) |
| `tshark_rows` | (extra) number of data rows in the TSV |
| `tshark_stderr` | (extra) every line tshark wrote to stderr -- the second line often holds the useful detail, e.g. `(pcap: File has 4325376-byte packet, bigger than maximum of 262144)` |
| `capinfos_exit` | (extra) capinfos' exit status |

The line `Running as user "root" and group "root". This could be dangerous.`,
which tshark prints when run as root, is dropped from the stderr fields.

## Files tshark could not read to the end

tshark prints the frames it could read, then an error on stderr, and exits
with status 2.  The rows are kept; the error is in `index.json`.

@DAMAGED@

## Caveats when comparing with these fixtures

* **Several occurrences are comma-joined** in occurrence order
  (`-E occurrence=a -E aggregator=,`), e.g. `dns.a` with several answers,
  `tls.handshake.type` = `2,11,14` for ServerHello + Certificate +
  ServerHelloDone in one frame, `vlan.id` = `13,10` for Q-in-Q (outer tag
  first), `tls.handshake.ciphersuite` lists the whole ClientHello offer.
  Columns do not line up across fields: `tls.record.content_type` has one
  value per record, `tls.handshake.type` one per handshake message.
* **The aggregator is ambiguous for values that contain commas.**
  `http.request.uri` in `shared/zeek/www-odd-url.pcap.tsv` is a single URI
  that contains `,` (`...Dialogue,%20Narrative...`).  Do not split
  `http.request.uri` (or other free-text fields: `http.host`,
  `dns.qry.name`, `dns.cname`, SNI) on commas unless the frame is known to
  carry several of them.
* **Encapsulated packets give several IP values, outermost first.**  6in4:
  `ip.version` = `4,6`, `ip.src` = the IPv4 tunnel end-points, `ipv6.src` the
  inner addresses (the IPv6 dissector also fills `ip.version`, so a plain
  IPv6 frame has `ip.version` = `6` and an empty `ip.src`).  GTP': `ip.src` =
  `outer,inner` (and a third value when the inner packet is an ICMP error).
* **ICMP / ICMPv6 errors quote the offending packet, and tshark dissects the
  quote.**  `ip.src`/`ip.dst`/`ip.proto`/`ip.ttl`/`ip.id` get a second value
  (the quoted header), and the transport and application columns
  (`udp.*`, `tcp.srcport`, `tcp.dstport`, `tcp.flags`, `dns.*`...) come only
  from the *quoted* packet, so e.g. in `icmp-destunreach-udp` `udp.srcport`
  is 53, the quoted DNS response's port.  For a quoted TCP header tshark
  fills `tcp.ack_raw` but not `tcp.seq_raw` nor `tcp.len` (it shows the
  sequence number as `tcp.seq`).  `icmp.type`/`icmp.code` also get two values
  when the quoted packet is itself ICMP (e.g. `3,8`).
* **TLS desegmentation moves fields to the completing frame.**  With TCP and
  TLS reassembly on, a TLS record (or handshake message) that spans several
  TCP segments is attributed to the frame that completes it: earlier
  segments show `tls` in `frame.protocols` but no `tls.*` values, and the
  completing frame -- which may carry only a few bytes (`tcp.len` = 4 in
  `tls-missing-intermediate`, frame 6) -- holds all the handshake types.  The
  same applies to DNS over TCP and HTTP, except that the earlier segments of
  an HTTP message do not show `http` in `frame.protocols`
  (`http-on-irc-port-missing-syn`: frames 5-7 are plain `tcp` with 1448
  payload bytes each, frame 8 carries `http.response.code` 200).  Several
  DNS messages in one TCP
  segment give one value per message (`dns-tcp-multirequest-buffer`: 20
  `dns.id` values in one frame).
* **QUIC carries TLS handshakes.**  tshark decrypts QUIC Initial packets, so
  `tls.handshake.*` (type, SNI, supported_version, ciphersuite) is filled for
  QUIC frames too (`frame.protocols` ends `udp:quic:tls`), with no
  `tls.record.*` values.
* **Encrypted alerts**: a record with `tls.record.content_type` 21 but empty
  `tls.alert_message.*` is an encrypted alert.
* **TLS versions**: `tls.handshake.version` is the legacy field (0x0303 for
  TLS 1.3); the negotiated TLS 1.3 version is in
  `tls.handshake.extensions.supported_version` of the ServerHello.  SSLv2
  ClientHellos give `tls.handshake.version` = `0x0002`; TLS 1.3 draft 16
  gives `0x7f10`.
* **Protocol detection is port/heuristic based.**  TLS on port 80
  (`tls-https-to-http`) is not recognised: `frame.protocols` stops at `tcp`
  and the `tls.*` columns are empty.  STARTTLS (POP3, FTP AUTH TLS) is
  followed.
* **Truncated frames**: `frame.cap_len` < `frame.len` when the snap length cut
  the frame; fields beyond the captured bytes are simply absent (e.g.
  `trunc-ip4-trunc`: `ip.version` and `ip.id` but no `ip.src`).  No
  `_ws.malformed` marker appears in `frame.protocols` for these.
* **Value formats**: `frame.time_epoch` has 9 decimals (also for
  microsecond captures) -- except when the file stores an out-of-range
  fraction: `ndpi/fuzz-2021-10-13.pcap` (nanosecond pcap) has a nanosecond
  field of 1882137472, printed as `980658802.1882137472` (its only frame
  also claims `frame.len` 524501 with `frame.cap_len` 197); `eth.type`, `sll.etype`, `ip.id`, `tcp.flags`,
  `dns.id`, TLS versions and cipher suites are hexadecimal with `0x`; other
  integers (including `dns.qry.type`, `ip.proto`, `tls.record.content_type`,
  `tls.handshake.type`, alert level/description) are decimal; booleans
  (`ip.flags.mf`, `dns.flags.response`) are `0`/`1`; `tcp.seq_raw` /
  `tcp.ack_raw` are absolute sequence numbers; `tcp.window_size_value` is
  the unscaled header value.  Linux cooked captures (SLL and SLL2) use
  `sll.etype`, not `eth.type`.  `frame.interface_id` is 0 for pcap files and
  the IDB index for pcapng.
* **File names lie**: some `.pcap` files are pcapng (see `format` in
  `index.json`).
'''


def main(argv):
    dirs = [os.path.abspath(d) for d in argv] if argv else DEFAULT_DIRS
    os.makedirs(OUT_ROOT, exist_ok=True)
    config_dir = tempfile.mkdtemp(prefix="tshark-fixtures-config-")
    try:
        env = tool_env(config_dir)
        fields = check_fields(env)
        check_prefs(env)
        for d in dirs:
            if not os.path.isdir(d):
                log("warning: %s does not exist or is not a folder; skipped "
                    "(its fixtures, if any, are left as they are)" % d)
                continue
            process_dir(d, fields, env)
        write_readme(fields, env)
    finally:
        shutil.rmtree(config_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
