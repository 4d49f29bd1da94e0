/**
 * One benchmark stage over one capture, in its own process so that its peak RSS is its own:
 *   node dist/bench/stage.js <read|decode|track|analyze|render> FILE [HTML_OUT]
 * Stages: read (framing only), decode (every layer, per packet), track (decode + connection,
 * DNS, TLS, HTTP tracking), analyze (the whole `wirewhy analyze --format json`), render (the
 * analysis with the command line's default options, then the JSON and the HTML rendered from it,
 * each timed: renderJsonSeconds, renderHtmlSeconds, jsonBytes, htmlBytes (the HTML written to
 * HTML_OUT when given); `seconds` is the analysis alone; cpuSeconds and peakRssMB are the whole
 * process's, both renders included).
 * Prints one JSON line: { stage, packets, bytes, seconds, cpuSeconds, mainCpuSeconds?, peakRssMB, rssAfterMB, peakOpen?, warmPackets?, warmSeconds? }
 * (cpuSeconds: user + system CPU of the process, GC helper threads included; mainCpuSeconds: of
 * the main thread alone, from /proc on Linux. On a shared virtual machine the wall time also
 * counts the time the host gave the CPU to others; CPU time does not. peakOpen: most TCP + UDP
 * connections tracked at once, track stage only; warmSeconds: track and analyze, the time to the
 * end for the `warmPackets` after the first WARM_UP, when the JIT has compiled the hot code: the
 * steady rate without the warm-up, which the total includes).
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { tuneHeap } from '../src/heap.js';
import { openCapture } from '../src/capture/open.js';
import { Decoder } from '../src/decode/decoder.js';
import { Packet } from '../src/decode/packet.js';
import { decodeDns } from '../src/decode/dns.js';
import { tlsRecordHeader, decodeHandshakeMessages, decodeClientHello, decodeServerHello, decodeAlert } from '../src/decode/tls.js';
import { decodeHttpStart } from '../src/decode/http.js';
import { isStop } from '../src/decode/stop.js';
import { Tracker } from '../src/track/tracker.js';
import { DEFAULT_MAX_VERDICTS, analyze } from '../src/analyze.js';
import { renderJsonChunks } from '../src/report/json.js';
import { ReportOutput } from '../src/report/output.js';

type Stage = 'read' | 'decode' | 'track' | 'analyze' | 'render';

/** Packets after which the hot code runs optimized (measured: ~300k on the 1 GB capture). */
const WARM_UP = 300_000;

/** Application-layer decoding of what one packet holds, without reassembly. */
function decodeApp(p: Packet): number {
  if (p.payLen === 0) return 0;
  const b = p.nb;
  if (p.proto === 17) {
    if (p.sport === 53 || p.dport === 53) {
      const m = decodeDns(b, p.payOff, p.payLen);
      return isStop(m) ? 0 : m.questions.length;
    }
    return 0;
  }
  if (p.proto !== 6) return 0;
  if (p.sport === 80 || p.dport === 80) {
    const h = decodeHttpStart(b, p.payOff, p.payLen);
    return h && !isStop(h) ? 1 : 0;
  }
  // TLS: walk the records that start in this segment; decode the handshake ones.
  let o = p.payOff;
  const end = p.payOff + p.payLen;
  let n = 0;
  for (let i = 0; i < 64 && end - o >= 5; i++) {
    const h = tlsRecordHeader(b, o, end - o);
    if (h === null || isStop(h)) break;
    const body = o + 5;
    const avail = Math.min(h.length, end - body);
    if (h.type === 22 && avail === h.length) {
      for (const m of decodeHandshakeMessages(b, body, avail)) {
        if (!m.complete) break;
        if (m.type === 1) n += decodeClientHello(b, m.bodyOffset, m.length).ciphers.length;
        else if (m.type === 2) n += decodeServerHello(b, m.bodyOffset, m.length).cipher;
      }
    } else if (h.type === 21 && avail >= 2) {
      const a = decodeAlert(b, body, avail);
      if (!isStop(a)) n += a.description;
    }
    n++;
    o = body + h.length;
  }
  return n;
}

/** CPU seconds (user + system) of the main thread so far, or undefined where /proc is not there. */
function mainThreadCpu(): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    // Fields after the parenthesized command name: state is field 3; utime and stime are 14 and 15.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const [stage, file, htmlOut] = process.argv.slice(2) as [Stage, string, string | undefined];
  // analyze and render stand for the command line: its heap setting too.
  if (stage === 'analyze' || stage === 'render') tuneHeap();
  const src = await openCapture(file);
  const dec = new Decoder();
  const pkt = new Packet();
  let sink = 0;
  /** Connections open at once, at most (track stage). */
  let peakOpen: number | undefined;
  const cpu0 = process.cpuUsage();
  const main0 = mainThreadCpu();
  const t0 = process.hrtime.bigint();
  let info: { packets: number };
  /** When packet WARM_UP was done (hrtime), for track and analyze. */
  let warm: bigint | undefined;
  /** render: the renders after the analysis. */
  let render: { renderJsonSeconds: number; renderHtmlSeconds: number; jsonBytes: number; htmlBytes: number } | undefined;
  let analyzed: bigint | undefined;
  if (stage === 'render') {
    // As `wirewhy analyze FILE --format json|html` does it, with its default options.
    const out = new ReportOutput({ format: 'html', lang: 'en', all: false, redact: false, maxVerdicts: DEFAULT_MAX_VERDICTS });
    const report = out.prepare(await analyze(src, out.analyzeOptions));
    info = { packets: report.capture.packets };
    analyzed = process.hrtime.bigint();
    let jsonBytes = 0;
    for (const piece of out.jsonPieces([report])) jsonBytes += Buffer.byteLength(piece);
    const jsonDone = process.hrtime.bigint();
    const html = out.render([report]);
    const htmlDone = process.hrtime.bigint();
    if (htmlOut !== undefined) writeFileSync(htmlOut, html);
    render = { renderJsonSeconds: Number(jsonDone - analyzed) / 1e9, renderHtmlSeconds: Number(htmlDone - jsonDone) / 1e9, jsonBytes, htmlBytes: Buffer.byteLength(html) };
    sink = jsonBytes;
  } else if (stage === 'analyze') {
    // The whole `analyze --format json` path: the report is rendered; its bytes are counted.
    // Rendered in pieces, as `wirewhy analyze --format json` writes it. (The progress callback is
    // the one the CLI gives on a terminal.)
    const report = await analyze(src, { progressEvery: WARM_UP, onProgress: (n) => { if (n === WARM_UP) warm = process.hrtime.bigint(); } });
    info = { packets: report.capture.packets };
    for (const piece of renderJsonChunks(report, 'en')) sink += Buffer.byteLength(piece);
  } else if (stage === 'track') {
    let conns = 0;
    let dnsDone = 0;
    // As analyze runs it: finished connections and DNS transactions are handed over, not kept.
    const tr = new Tracker({ onConn: () => { conns++; }, onDnsDone: () => { dnsDone++; }, reuse: true });
    info = await src.forEach((r) => {
      dec.decode(r, pkt);
      tr.packet(pkt);
      if (r.frame === WARM_UP) warm = process.hrtime.bigint();
    });
    tr.flush();
    peakOpen = tr.tcp.peakOpen + tr.udp.peakOpen;
    sink = conns + dnsDone;
  } else if (stage === 'read') {
    info = await src.forEach((r) => {
      sink += r.capLen;
    });
  } else {
    info = await src.forEach((r) => {
      dec.decode(r, pkt);
      sink += pkt.sport + decodeApp(pkt);
    });
  }
  const t1 = analyzed ?? process.hrtime.bigint();
  const seconds = Number(t1 - t0) / 1e9;
  const warmSeconds = warm === undefined ? undefined : Number(t1 - warm) / 1e9;
  const warmPackets = warm === undefined ? undefined : info.packets - WARM_UP;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const main1 = mainThreadCpu();
  const mainCpuSeconds = main0 !== undefined && main1 !== undefined ? main1 - main0 : undefined;
  const peakRssMB = process.resourceUsage().maxRSS / 1024;
  const rssAfterMB = process.memoryUsage().rss / 2 ** 20;
  process.stdout.write(`${JSON.stringify({ stage, packets: info.packets, bytes: statSync(file).size, seconds, cpuSeconds, mainCpuSeconds, peakRssMB, rssAfterMB, peakOpen, warmPackets, warmSeconds, ...render, sink: sink > 0 })}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${String(e)}\n`);
  process.exit(1);
});
