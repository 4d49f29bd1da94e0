/**
 * `wirewhy capture` (live capture, streaming verdicts, then the full report) and
 * `wirewhy interfaces`. The binding is loaded only when one of them runs.
 *
 * Where things go: the report to stdout (or -o), exactly as `analyze` writes it, so it stays one
 * valid document in every format. Progress and streaming verdicts go to stderr: text lines, or
 * with --format json one JSON object per line ({"type":"start" | "verdict" | "stop", ...}).
 */
import { Option, type Command } from 'commander';
import type { LiveError as LiveErrorT, LiveSource as LiveSourceT } from '../capture/live.js';
import { LANGS, type Lang } from '../lang.js';
import { displayWidth } from '../report/box.js';
import type { CaptureWriter as CaptureWriterT } from '../capture/writer.js';
import { linkTypeName } from '../decode/registry.js';
import { EXIT_FAILURES, EXIT_OK, UsageError, addReportOptions, checkOutput, numberOption, reportOutput, writeReports, type ReportFlags } from './common.js';
import { failureCount } from '../report/facts.js';
import { numberRangeText } from './usage-words.js';

interface CaptureFlags extends ReportFlags {
  interface?: string;
  filter?: string;
  snaplen: string;
  duration?: string;
  count?: string;
  write?: string;
  bufferSize: string;
  synTimeout: string;
  dnsTimeout: string;
  quiet?: boolean;
  immediate?: boolean;
}

function num(name: string, v: string | undefined, min: number, integer: boolean, lang: Lang): number | undefined {
  if (v === undefined) return undefined;
  return numberOption(v, min, Infinity, integer, numberRangeText(name, v, min, null, integer, lang));
}

/** A LiveError becomes the one-line usage error with its fix, in the language asked for. */
function liveFailure(e: unknown, lang: Lang): never {
  if (e instanceof Error && e.name === 'LiveError') {
    const t = (e as LiveErrorT).text(lang);
    throw new UsageError(lang === 'zh' ? `${t.message}；${t.hint}` : `${t.message}; ${t.hint}`);
  }
  throw e;
}

async function runCapture(flags: CaptureFlags): Promise<number> {
  const json = flags.format === 'json';
  const lang = flags.lang;
  const snaplen = numberOption(flags.snaplen, 64, 262144, true, numberRangeText('--snaplen', flags.snaplen, 64, 262144, true, lang));
  const duration = num('--duration', flags.duration, 0.001, false, lang);
  const count = num('--count', flags.count, 1, true, lang);
  const bufferMiB = numberOption(flags.bufferSize, 1, 2047, true, numberRangeText('--buffer-size', flags.bufferSize, 1, 2047, true, lang, 'MiB'));
  const synTimeout = num('--syn-timeout', flags.synTimeout, 0.1, false, lang)!;
  const dnsTimeout = num('--dns-timeout', flags.dnsTimeout, 0.1, false, lang)!;
  const out = reportOutput(flags);
  // -o is checked before capturing, so a long capture does not end in an error.
  checkOutput(flags.output, lang);
  const L = await import('../capture/live.js');
  const { LiveAnalyzer } = await import('../live.js');
  const { CaptureWriter } = await import('../capture/writer.js');
  let src: LiveSourceT;
  try {
    src = L.LiveSource.open({ iface: flags.interface, filter: flags.filter, snaplen, bufferSize: bufferMiB << 20, immediate: flags.immediate === true });
  } catch (e) {
    liveFailure(e, flags.lang);
  }
  let writer: CaptureWriterT | null = null;
  if (flags.write) {
    try {
      writer = new CaptureWriter(flags.write, { linkType: src.linkType, snaplen: src.snaplen, ifName: src.iface, filter: flags.filter ?? null, application: 'wirewhy capture' });
    } catch (e) {
      src.stop('error', { drain: false });
      const why = e instanceof Error ? e.message : String(e);
      throw new UsageError(flags.lang === 'zh'
        ? `无法写入 ${flags.write}（“${why}”）；请检查文件夹是否存在且可写`
        : `cannot write ${flags.write}: ${why}; check the folder exists and is writable`);
    }
  }
  const w = writer;
  let writeError: string | null = null;
  const err = process.stderr;
  const analyzer = new LiveAnalyzer({
    ...out.analyzeOptions,
    synTimeout,
    dnsTimeout,
    // Each line is redacted and worded like the final report (one ReportOutput for both).
    onEvent: (e) => {
      if (!flags.quiet) err.write(out.liveLine(e));
    },
  });
  const lt = linkTypeName(src.linkType);
  if (!flags.quiet) {
    err.write(json
      ? `${JSON.stringify({ type: 'start', interface: src.iface, linkType: lt, filter: src.filter || null, snaplen: src.snaplen, bufferMiB, immediate: src.immediate, binding: src.binding, timestamps: src.kernelTimestamps ? (src.tsDigits === 9 ? 'kernel-ns' : 'kernel-us') : 'arrival', write: flags.write ?? null })}\n`
      : `wirewhy: capturing on ${src.iface} (${lt})${src.filter ? `, filter '${src.filter}'` : ''}${flags.write ? `, writing ${flags.write}` : ''}; Ctrl-C to stop\n`);
  }

  // Every way out closes the file properly: stop (count, duration, signal), a failed read or
  // analysis (the finally below), a report that cannot be written (closed before it is made),
  // and, as a last resort, the process's exit (uncaught errors, EPIPE, a second Ctrl-C).
  const closeWriter = (): void => {
    if (w && !w.closed) {
      const k = src.kernel;
      const ns = (ms: number): bigint => BigInt(Math.round(ms * 1e6));
      try {
        w.close({ received: k?.received ?? null, dropped: k?.dropped ?? null, ifDropped: k?.ifDropped ?? null, startNs: ns(src.startedMs), endNs: ns(src.stoppedMs ?? src.nowMs()) });
      } catch (e) {
        writeError ??= e instanceof Error ? e.message : String(e);
      }
    }
  };
  const onExit = (): void => closeWriter();
  process.on('exit', onExit);
  const onSignal = (sig: NodeJS.Signals): void => {
    if (!src.closed) {
      // The first signal stops the capture; a second one while it drains the ring closes it at once.
      src.stop(sig);
      return;
    }
    // A signal while the report is being made: leave now, the file closed.
    closeWriter();
    process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  // The watcher's clock lags by what may still wait in the kernel's ring, so that a silence is
  // never called before the packets that end it have been read.
  const tick = setInterval(() => analyzer.tick((src.nowMs() - src.latencyMs) / 1000), 200);
  const timer = duration !== undefined ? setTimeout(() => src.stop('duration'), duration * 1000) : null;

  let info;
  try {
    info = await src.forEach((raw) => {
      if (w && writeError === null) {
        try {
          w.write(raw.tsSec, raw.tsNsec, raw.buf, raw.off, raw.capLen, raw.origLen);
        } catch (e) {
          writeError = e instanceof Error ? e.message : String(e);
          src.stop('write-error', { drain: false });
          return false;
        }
      }
      analyzer.packet(raw);
      if (count !== undefined && raw.frame >= count) {
        src.stop('count', { drain: false });
        return false;
      }
      return true;
    });
  } finally {
    clearInterval(tick);
    if (timer) clearTimeout(timer);
    closeWriter();
  }
  const endSec = (src.stoppedMs ?? src.nowMs()) / 1000;
  const report = analyzer.report(info, endSec);
  if (!flags.quiet) {
    const secs = Math.round((endSec * 1000 - src.startedMs) / 100) / 10;
    const k = src.kernel;
    const cpu = process.cpuUsage();
    err.write(json
      ? `${JSON.stringify({ type: 'stop', reason: src.stopReason, seconds: secs, packets: info.packets, kernelReceived: k?.received ?? null, kernelDropped: info.drops, interfaceDropped: k?.ifDropped ?? null, written: w ? w.packets : null, streamed: analyzer.lines, failuresSaid: analyzer.said1 + analyzer.saidMany, cpuSeconds: Math.round((cpu.user + cpu.system) / 1e3) / 1e3 })}\n`
      : `wirewhy: stopped (${src.stopReason}) after ${secs} s: ${info.packets} packets captured, ${info.drops === null ? 'unknown' : info.drops} dropped by the kernel` +
        `${k && k.ifDropped !== null ? `, ${k.ifDropped} by the interface` : ''}${k ? ` (${src.binding === 'wwpcap' ? 'pcap_stats' : 'PACKET_STATISTICS'}: ${k.received} received by the filter)` : ''}` +
        `${w ? `, ${w.packets} written to ${flags.write}` : ''}\n`);
  }
  process.removeListener('SIGINT', onSignal);
  process.removeListener('SIGTERM', onSignal);
  process.removeListener('SIGHUP', onSignal);
  process.removeListener('exit', onExit);
  try {
    writeReports(out, [out.prepare(report)], flags.output);
  } catch (e) {
    // writeReports says what failed in one line; the capture file is whole all the same.
    if (e instanceof UsageError && w) throw new UsageError(lang === 'zh' ? `${e.message}（${flags.write} 是完整的）` : `${e.message} (${flags.write} is complete)`);
    throw e;
  }
  if (writeError !== null) {
    throw new UsageError(flags.lang === 'zh'
      ? `无法写入 ${flags.write}（“${writeError}”）；上面的报告包含抓到的每个数据包，文件中只有出错之前的数据包（请检查剩余空间和文件夹）`
      : `cannot write ${flags.write}: ${writeError}; the report above covers every packet captured, the file only those before the error (check the free space and the folder)`);
  }
  if (src.failure !== null) {
    throw new UsageError(flags.lang === 'zh'
      ? `在 ${src.iface} 上抓包失败（libpcap 报告：“${src.failure}”）；上面的报告包含此前抓到的内容（请检查网卡：\`wirewhy interfaces\`）`
      : `capture on ${src.iface} failed: ${src.failure}; the report above covers what was captured before (check the interface: wirewhy interfaces)`);
  }
  return failureCount(report) > 0 ? EXIT_FAILURES : EXIT_OK;
}

export function registerCapture(program: Command): void {
  const cmd = program
    .command('capture')
    .description('capture live through libpcap: a line per failure as soon as it is certain, then the full report when it stops (duration, count, Ctrl-C or SIGTERM)')
    .option('-i, --interface <name>', 'interface to capture on (default: the first up, non-loopback one; see wirewhy interfaces)')
    .option('-f, --filter <bpf>', "capture filter, libpcap syntax, e.g. 'tcp port 443 or udp port 53'")
    .option('-s, --snaplen <bytes>', 'bytes kept of each packet (64..262144)', '262144')
    .option('-d, --duration <seconds>', 'stop after this many seconds')
    .option('-c, --count <n>', 'stop after this many packets')
    .option('-w, --write <file>', 'also write the packets to this file as they arrive, with the kernel\'s timestamps: pcapng, or pcap when it ends in .pcap')
    .option('-B, --buffer-size <MiB>', 'kernel capture ring; packets are packed into it back to back, so 64 MiB holds about 350 000 small packets', '64')
    .option('--immediate', 'hand each packet over as it arrives (libpcap immediate mode) instead of in blocks at most 100 ms old; the ring then holds a slot of snaplen bytes per packet, so pair it with a small -s or a larger -B')
    .option('--syn-timeout <seconds>', 'say tcp.syn_unanswered when a SYN has no answer this long after it was first sent', '3')
    .option('--dns-timeout <seconds>', "say dns.no_response when a name's last query has no answer this long", '5')
    .option('-q, --quiet', 'no progress or streaming lines on stderr, only the report');
  addReportOptions(cmd).action(async (flags: CaptureFlags) => {
    process.exitCode = await runCapture(flags);
  });
}

interface InterfacesFlags {
  format: 'table' | 'json';
  lang: Lang;
}

async function runInterfaces(flags: InterfacesFlags): Promise<number> {
  const L = await import('../capture/live.js');
  const { interfacesWords, permissionHowText } = await import('../capture/live-words.js');
  const lang = flags.lang;
  let list;
  try {
    list = L.listInterfaces();
  } catch (e) {
    liveFailure(e, lang);
  }
  const status = L.captureStatus();
  const def = L.defaultInterface(list);
  const p = status.permission;
  const how = permissionHowText(p.via, p.uid, lang);
  if (flags.format === 'json') {
    // The words (how, fix) in the language asked for, as a JSON report's texts are; via is the same in both.
    process.stdout.write(`${JSON.stringify({ interfaces: list.map((i) => ({ ...i, default: i === def })), capture: { permitted: p.permitted, via: p.via, how, fix: p.permitted ? null : L.permissionFix(lang), binding: status.binding.kind, module: status.binding.module, libpcap: status.binding.libpcap, dropCounter: status.dropCounter } }, null, 2)}\n`);
    return EXIT_OK;
  }
  const W = interfacesWords(lang);
  const rows = list.map((i) => [
    `${i === def ? '*' : ' '} ${i.name}`,
    i.up === null ? '-' : i.up ? (i.running ? W.up : W.upNoCarrier) : W.down,
    [i.addresses.join(W.comma), i.loopback ? W.loopback : '', i.description && i.addresses.length === 0 ? W.description(i.description) : ''].filter(Boolean).join(lang === 'zh' ? '' : ' '),
  ]);
  // Padded to the columns a terminal shows (a Chinese character takes two).
  const pad = (s: string, w: number): string => s + ' '.repeat(Math.max(0, w - displayWidth(s)));
  const width = (col: number, min: number): number => rows.reduce((m, r) => Math.max(m, displayWidth(r[col]!)), min);
  const w0 = width(0, 2 + displayWidth(W.head[0]));
  const w1 = width(1, displayWidth(W.head[1]));
  let out = `${pad(`  ${W.head[0]}`, w0)}  ${pad(W.head[1], w1)}  ${W.head[2]}\n`;
  for (const r of rows) out += `${pad(r[0]!, w0)}  ${pad(r[1]!, w1)}  ${r[2]}\n`;
  out += `\n${W.defaultNote}\n`;
  out += p.permitted ? `${W.permitted(how)}\n` : `${W.notPermitted(how, L.permissionFix(lang))}\n`;
  out += status.binding.kind === 'wwpcap' ? `${W.bindingOwn(status.binding.libpcap)}\n` : `${W.bindingCap(L.packageRoot())}\n`;
  out += `${W.dropCounter(status.dropCounter)}\n`;
  process.stdout.write(out);
  return EXIT_OK;
}

export function registerInterfaces(program: Command): void {
  program
    .command('interfaces')
    .description('list capture interfaces with their addresses, whether they are up, and whether capture is permitted')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .addOption(new Option('--lang <lang>', 'language of the listing and of its errors').choices(LANGS).default('en'))
    .action(async (flags: InterfacesFlags) => {
      process.exitCode = await runInterfaces(flags);
    });
}
