/**
 * Limits of what a capture can prove that concern a verdict as a whole rather than one cause (the
 * others are declared in their cause's file): said plainly in the verdict's explanation.
 */
import { limitKind } from './words.js';

export const SOME_ATTEMPTS_WORKED = limitKind<{ worked: number; total: number }>('some_attempts_worked', {
  en: (a) => `${a.worked} of ${a.total} attempts to this target worked`,
  zh: (a) => `对该目标的 ${a.total} 次尝试中有 ${a.worked} 次成功`,
});

export const SOME_ATTEMPTS_UNJUDGED = limitKind<{ unjudged: number; total: number; cause: string }>('some_attempts_unjudged', {
  en: (a) => `${a.unjudged} of ${a.total} attempts to this target cannot be judged from the capture (${a.cause})`,
  zh: (a) => `对该目标的 ${a.total} 次尝试中有 ${a.unjudged} 次无法根据抓包判断（${a.cause}）`,
});

/** Happy Eyeballs: a SYN the client left unanswered for another address of the name (diagnose.ts). */
export const SYN_LEFT_FOR_OTHER = limitKind<{ ip: string; other: string; ms: number }>('syn_left_for_other_address', {
  en: (a) => `the SYN to ${a.ip} had no answer ${a.ms} ms later, when the client turned to ${a.other}; the capture ends before that SYN was due to be sent again, so an answer that came later would not be in it`,
  zh: (a) => `发往 ${a.ip} 的 SYN 在 ${a.ms} 毫秒后、客户端转而尝试 ${a.other} 时仍无应答；抓包在该 SYN 应当重传之前就结束了，之后才到的应答不会出现在抓包中`,
});

/**
 * A silence (an unanswered SYN or lookup) in a capture that holds no reply to anything (no packet
 * answers another; a request from elsewhere toward the client answers nothing): what it holds goes
 * one way. A capture filtered to the clients' outgoing packets (`src host`), or taken where only
 * they pass, looks the same, so replies may have come unseen (diagnose.ts `silence`). The verdict
 * stands (the capture of a failing connection often holds nothing else); the reader is told what
 * it rests on.
 */
export const NOTHING_TOWARD_CLIENT = limitKind<{ client: string }>('nothing_toward_client', {
  en: (a) => `the capture holds no reply to anything (no packet in it answers another: no SYN-ACK, no RST, no DNS answer, no ICMP error): a capture of outgoing packets only would look the same, and replies to ${a.client} would then not show`,
  zh: (a) => `抓包中没有任何回应（没有一个数据包是对另一个数据包的应答：没有 SYN-ACK、RST、DNS 应答或 ICMP 差错）：只抓取发出数据包的抓包看起来也是这样，那样的话发往 ${a.client} 的回应不会出现在抓包中`,
});

/** A packet of the exchange has flags no TCP stack sends (diagnose.ts craftedExchange). */
export const CRAFTED_PACKET = limitKind<{ frame: number; flags: string }>('crafted_packet', {
  en: (a) => `frame ${a.frame} carries TCP flags no stack sends (${a.flags}): a scanner or a test tool made this exchange, not a program's connection, so it is not counted as a failure`,
  zh: (a) => `第 ${a.frame} 帧带有任何 TCP 协议栈都不会发出的标志组合（${a.flags}）：这次交互是扫描器或测试工具构造的，不是程序的连接，因此不计为失败`,
});
