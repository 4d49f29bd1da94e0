/**
 * icmp.echo_loss: pings partly unanswered — requests without a reply while requests sent after
 * them were answered (track/icmpflow.ts echoLost), so that neither a slow reply nor the capture's
 * end explains them: packets are lost on the path now and then. A warning: the host is up, but
 * every connection to it suffers (TCP waits and resends) and some give up.
 *
 * Claimed when at least MIN_LOST requests were lost and at least MIN_LOSS_PERCENT of those judged
 * (answered or lost); not for a traceroute toward the host (its probes are not answered by design:
 * mtr, traceroute -I), nor when ICMP errors came about the pings (the ICMP rules tell them), nor
 * for multicast or broadcast addresses (diagnose.ts).
 */
import { defineCause } from '../cause.js';
import { outcome, type PingRule } from '../outcome.js';
import { proof } from '../evidence.js';
import { evidenceKind } from '../words.js';

/** Lost requests, at least: one lost ping is no story. */
export const MIN_LOST = 2;
/** Of the requests judged, lost at least (percent). */
export const MIN_LOSS_PERCENT = 5;

const ECHO_LOST = evidenceKind<Record<string, never>>('echo_lost', {
  en: () => 'echo request (ping) never answered; later ones were',
  zh: () => '回显请求（ping）始终没有应答；之后的请求有应答',
}, { en: () => 'ping lost', zh: () => 'ping 丢失' });

const RULE: PingRule = {
  on: 'pings',
  rank: 11,
  produces: ['icmp.echo_loss'],
  run(p) {
    const judged = p.answeredCount + p.lostCount;
    if (!p.answered || p.lostCount < MIN_LOST || (100 * p.lostCount) / judged < MIN_LOSS_PERCENT) return null;
    const percent = Math.round((1000 * p.lostCount) / judged) / 10;
    const evidence = p.lost.map((l) => proof(ECHO_LOST, l.frame, l.ts, { from: p.client, to: p.host }, {}));
    const o = outcome('icmp.echo_loss', evidence,
      { requests: p.requests, answered: p.answeredCount, lost: p.lostCount, lossPercent: percent, ...(p.lossAtLeast ? { lostAtLeast: true } : {}) },
      { lost: p.lostCount, judged, percent }, 'warning');
    o.attempts = p.requests;
    return o;
  },
};

export default defineCause({
  code: 'icmp.echo_loss',
  layer: 'icmp',
  severity: 'warning',
  live: 'end',
  rules: [RULE],
  words: {
    en: {
      summary: '{target}: {lost} of {judged} pings got no reply ({percent} % lost)',
      explanation:
        'The client pinged {ip}: {lost} of {judged} echo requests got no reply, while requests sent after them were answered, so neither a slow reply nor the end of the capture explains them: packets are lost on the way to {ip} or back, now and then. Such loss slows every connection to the host (TCP waits, then sends again) and breaks those that give up. A host or a router may also drop echo requests sent to it faster than its ICMP rate limit allows; at one ping a second, loss is loss.',
      advice: [
        'Find where the packets are lost: `mtr -n -c 100 {ip}` from the client shows the loss at each hop (loss that starts at one hop and stays to the end is real; loss at a middle hop only is that router\'s rate limit).',
        'Look at the interfaces on the way for errors and drops: `ip -s link` on the client and the server, the switch ports, a duplex mismatch (`ethtool <interface>`), a saturated link.',
        'A Wi-Fi or mobile link loses packets by itself: compare with a wired host.',
      ],
    },
    zh: {
      summary: '{target}：{judged} 次 ping 中有 {lost} 次没有应答（丢包 {percent}%）',
      explanation:
        '客户端 ping 了 {ip}：{judged} 次回显请求中有 {lost} 次没有应答，而在它们之后发出的请求都得到了应答，所以既不是应答来得慢，也不是抓包结束造成的：发往 {ip} 或从它返回的数据包时不时丢失。这样的丢包会拖慢到该主机的每一个连接（TCP 要等待再重传），并让放弃等待的连接失败。主机或路由器也可能丢弃发送速度超过其 ICMP 速率限制的回显请求；每秒一次的 ping 出现丢包，就是真的丢包。',
      advice: [
        '找出在哪里丢包：在客户端执行 `mtr -n -c 100 {ip}`，可以看到每一跳的丢包（从某一跳开始并一直持续到终点的丢包是真实的；只在中间某一跳出现的丢包是该路由器的速率限制）。',
        '检查沿途接口的错误和丢包计数：客户端和服务器上的 `ip -s link`、交换机端口、双工不匹配（`ethtool <接口>`）、链路拥塞。',
        'Wi-Fi 或移动网络本身就会丢包：与有线连接的主机对比。',
      ],
    },
  },
});
