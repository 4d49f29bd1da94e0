/**
 * Limits of what a capture can prove that concern a verdict as a whole rather than one cause (the
 * others are declared in their cause's file): said plainly in the verdict's explanation.
 */
import { limitKind } from './words.js';

export const LATE_DNS_REPLY = limitKind('icmp_on_dns_reply', {
  en: () => 'the ICMP error answers a DNS reply, not a query: the client had stopped listening (the reply came late, or after a retry was answered)',
  zh: () => '该 ICMP 差错回应的是 DNS 应答而不是查询：客户端已不再监听（应答来得太晚，或重试已得到应答）',
});

export const SOME_ATTEMPTS_WORKED = limitKind<{ worked: number; total: number }>('some_attempts_worked', {
  en: (a) => `${a.worked} of ${a.total} attempts to this target worked`,
  zh: (a) => `对该目标的 ${a.total} 次尝试中有 ${a.worked} 次成功`,
});
