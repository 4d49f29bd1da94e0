/**
 * tcp.zero_window: the receiver kept its window at zero (probes answered Win=0) until the end:
 * the receiving application stopped reading.
 *
 * The receiver's last window is zero, has been since a run of zero windows that began 10 s or more
 * before the connection's last packet, the other side probed it at least twice and the receiver
 * answered with a zero window again: both hosts and the path work, the window stays shut. A
 * window that closes and opens again (a slow reader that keeps reading) is not this cause.
 */
import { defineCause, reworded, withVariants } from '../cause.js';
import { isTcp, outcome, tenths, type ConnRule, type EvidenceAt } from '../outcome.js';
import { proof, way } from '../evidence.js';
import { evidenceKind, limitKind, type Vars } from '../words.js';
import type { Lang } from '../../lang.js';
import { interval } from '../../time.js';
import type { Verdict } from '../verdict.js';

/** Seconds the window must have stayed at zero. */
const MIN_SECONDS = 10;

const ZERO_WINDOW_SENT = evidenceKind<{ sender: 'client' | 'server'; last: boolean }>('zero_window', {
  en: (a) => (a.last ? `window still 0 from the ${a.sender}` : `window 0 from the ${a.sender}: it stops accepting data`),
  zh: (a) => (a.last ? `${a.sender === 'client' ? '客户端' : '服务器'}的窗口仍为 0` : `${a.sender === 'client' ? '客户端' : '服务器'}通告窗口为 0：不再接收数据`),
}, { en: () => 'Win=0', zh: () => 'Win=0' });

const PROBE = evidenceKind<{ count: number }>('zero_window_probe', {
  en: (a) => `first zero-window probe (${a.count} in all)`,
  zh: (a) => `第一个零窗口探测（共 ${a.count} 个）`,
}, { en: () => 'probe', zh: () => '探测' });

export const WHY_NOT_READING = limitKind('zero_window_why', {
  en: () => 'the packets cannot show why the application stopped reading; on the receiving host, `ss -tnp` shows the process and its Recv-Q',
  zh: () => '数据包无法说明应用为什么不再读取；在接收方主机上，`ss -tnp` 可显示该进程及其 Recv-Q',
});

const ZERO_WINDOW: ConnRule = {
  on: 'conn',
  // Before the stall (50): zero-window probes are resent without an acknowledgement too.
  rank: 48,
  produces: ['tcp.zero_window'],
  run(f) {
    if (!isTcp(f)) return null;
    const c = f.conn;
    if (c.orig.watch === null && c.resp.watch === null) return null;
    for (let side = 0; side < 2; side++) {
      const recvIsOrig = side === 1;
      const r = recvIsOrig ? c.orig : c.resp;
      const w = r.watch;
      if (w === null || !w.zwOpen || w.zwProbes < 2 || w.zwAnswers < 1) continue;
      const secs = c.end - w.zwTs;
      if (secs < MIN_SECONDS) continue;
      // A reset from the receiver says more (tcp.reset).
      if (c.rsts.some((x) => x.fromOrig === recvIsOrig)) continue;
      const receiver = recvIsOrig ? 'client' : 'server';
      const ev: EvidenceAt[] = [
        proof(ZERO_WINDOW_SENT, w.zwFrame, w.zwTs, way(c, recvIsOrig), { sender: receiver, last: false }),
        proof(PROBE, w.zwProbeFrame, w.zwProbeTs, way(c, !recvIsOrig), { count: w.zwProbes }),
      ];
      if (w.zwLastFrame !== w.zwFrame) ev.push(proof(ZERO_WINDOW_SENT, w.zwLastFrame, w.zwLastTs, way(c, recvIsOrig), { sender: receiver, last: true }));
      const seconds = tenths(interval(c.end, w.zwTs));
      const o = outcome('tcp.zero_window', ev, {
        receiver, zeroWindowSeconds: seconds, probes: w.zwProbes, answeredZero: w.zwAnswers, reopened: false,
        ...(w.zwReopened > 0 ? { reopenedBefore: w.zwReopened, longestBeforeSeconds: tenths(w.zwLongestReopened) } : {}),
      }, { receiver, seconds, probes: w.zwProbes });
      o.limits.push(WHY_NOT_READING.of({}));
      return o;
    }
    return null;
  },
};

function zwVars(v: Verdict, lang: Lang): Vars {
  const client = v.facts['receiver'] === 'client';
  return { receiverText: lang === 'zh' ? (client ? '客户端' : '服务器') : (client ? 'client' : 'server') };
}

/** Said without how long the window stayed shut, when the capture's clock cannot tell. */
const NO_SECONDS = {
  summary: {
    en: '{target}: the {receiverText} kept its TCP window at zero (it stopped reading)',
    zh: '{target}：{receiverText}把 TCP 窗口保持为零（不再读取数据）',
  },
  explanation: {
    en: 'The {receiverText} announced a window of zero bytes and kept it there until the end of the connection: the other side probed it {probes} times and every answer said the window was still zero. Both hosts and the network are working (the probes are answered), but the application on the {receiverText} stopped reading from its socket, its receive buffer is full, and the transfer waits for it.',
    zh: '{receiverText}通告了零字节的窗口，并一直保持到连接结束：对方探测了 {probes} 次，每次的回应都表明窗口仍为零。两台主机和网络都正常（探测都得到了回应），但{receiverText}上的应用程序不再从套接字读取数据，接收缓冲区已满，传输只能等待它。',
  },
} as const;

const CAUSE = defineCause({
  code: 'tcp.zero_window',
  layer: 'tcp',
  severity: 'error',
  live: 'timeout',
  rules: [ZERO_WINDOW],
  vars: zwVars,
  words: {
    en: {
      summary: '{target}: the {receiverText} kept its TCP window at zero for {seconds} s (it stopped reading)',
      explanation:
        'The {receiverText} announced a window of zero bytes and kept it there for {seconds} s, until the end of the connection: the other side probed it {probes} times and every answer said the window was still zero. Both hosts and the network are working (the probes are answered), but the application on the {receiverText} stopped reading from its socket, its receive buffer is full, and the transfer waits for it.',
      advice: [
        'On the {receiverText}, find the process that stopped reading: `ss -tnp` shows a large Recv-Q on that connection.',
        'Check why the application does not read: blocked on a lock, a full disk or a slow database, an exhausted thread pool; its log and a stack dump (`jstack`, `py-spy dump`, `gdb -p`) show where it waits.',
        'If it reads slowly by design, the sender must wait or time out; check the sender\'s write timeout.',
      ],
    },
    zh: {
      summary: '{target}：{receiverText}把 TCP 窗口保持为零达 {seconds} 秒（不再读取数据）',
      explanation:
        '{receiverText}通告了零字节的窗口，并一直保持了 {seconds} 秒，直到连接结束：对方探测了 {probes} 次，每次的回应都表明窗口仍为零。两台主机和网络都正常（探测都得到了回应），但{receiverText}上的应用程序不再从套接字读取数据，接收缓冲区已满，传输只能等待它。',
      advice: [
        '在{receiverText}上找出不再读取数据的进程：`ss -tnp` 会显示该连接的 Recv-Q 很大。',
        '检查应用为什么不读：阻塞在锁上、磁盘已满或数据库很慢、线程池耗尽；其日志和堆栈转储（`jstack`、`py-spy dump`、`gdb -p`）可显示它在等什么。',
        '如果它本来就读得慢，发送方只能等待或超时；检查发送方的写超时设置。',
      ],
    },
  },
});

export default withVariants(CAUSE, { noSeconds: reworded(CAUSE.words, NO_SECONDS) }, (v) => (typeof v.facts['seconds'] === 'number' ? null : 'noSeconds'));
