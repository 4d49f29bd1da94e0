/**
 * tcp.stalled: data sent and retransmitted without acknowledgement until the connection was abandoned
 */
import { defineCause } from '../cause.js';
import { isTcp, outcome, tenths, type ConnRule } from '../outcome.js';
import { proof, way } from '../evidence.js';
import { evidenceKind } from '../words.js';
import { interval } from '../../time.js';

const FIRST_DATA = evidenceKind<Record<string, never>>('first_data', {
  en: () => 'first data from the client',
  zh: () => '客户端的第一个数据段',
}, { en: () => 'first data', zh: () => '第一个数据段' });

/** Data sent and retransmitted with nothing acknowledged, until the sender gave up. */
const STALLED: ConnRule = {
  on: 'conn',
  rank: 50,
  produces: ['tcp.stalled'],
  run(f) {
    if (!isTcp(f)) return null;
    const c = f.conn;
    if (c.ackFrame === 0 || c.unackedBytes.orig === 0 || c.retransmits.orig < 3) return null;
    // A reset from the server says more than the stall; the client's own reset after its
    // retransmissions went unanswered is how it gave up, so the stall is the story.
    if (c.rsts.some((r) => !r.fromOrig)) return null;
    // Timed from the first data: how long the client went on sending into silence.
    const first = c.orig.firstDataFrame !== 0 ? c.orig.firstDataTime : c.start;
    return outcome('tcp.stalled', [proof(FIRST_DATA, c.dataFrames.orig, first, way(c, true), {})], { retransmits: c.retransmits.orig, unackedBytes: c.unackedBytes.orig },
      { attempts: c.retransmits.orig, seconds: tenths(interval(c.end, first)) });
  },
};

export default defineCause({
  code: 'tcp.stalled',
  layer: 'tcp',
  severity: 'error',
  live: 'end',
  rules: [STALLED],
  words: {
    en: {
      summary: '{target}: data was retransmitted {attempts} times without acknowledgement, then abandoned',
      explanation:
        'The connection to {ip} port {port} was established, but data was retransmitted {attempts} times over {seconds} s without being acknowledged, until the sender gave up. Packets stopped getting through after the handshake: loss on the path, an overloaded or hung receiver, a stateful firewall or NAT that lost the connection, or an MTU problem if only full-size segments were affected.',
      advice: [
        'If only large segments were retransmitted, suspect the path MTU: `ping -M do -s 1472 {ip}`, `tracepath {ip}`.',
        'Check the receiving side\'s load and whether the application is stuck (CPU, memory, a growing Recv-Q in `ss -tn`).',
        'Check firewalls and NAT gateways on the path for dropped state (connection-tracking timeouts or a full table) and the security group rules.',
        '`mtr -n {ip}` shows loss along the path; repeat the transfer with `curl -v` to see whether it is reproducible.',
      ],
    },
    zh: {
      summary: '{target}：数据重传 {attempts} 次仍未被确认，最终被放弃',
      explanation:
        '到 {ip} 端口 {port} 的连接已建立，但数据在 {seconds} 秒内重传了 {attempts} 次都没有得到确认，直到发送方放弃。握手之后数据包无法通过：路径丢包、接收方过载或挂起、有状态防火墙或 NAT 丢失了连接状态；如果只有满长度的报文受影响，则是 MTU 问题。',
      advice: [
        '如果只有大报文被重传，怀疑路径 MTU：`ping -M do -s 1472 {ip}`、`tracepath {ip}`。',
        '检查接收方的负载以及应用是否卡住（CPU、内存、`ss -tn` 中不断增长的 Recv-Q）。',
        '检查路径上的防火墙和 NAT 网关是否丢失了连接状态（连接跟踪超时或表满），以及安全组规则。',
        '`mtr -n {ip}` 可显示路径上的丢包；用 `curl -v` 重复传输，看是否能复现。',
      ],
    },
  },
});
