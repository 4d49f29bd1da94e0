/**
 * tls.alert: a fatal TLS alert (details.alert: code, name, level, sender); when an alert is seen it is the cause, and what the certificate shows goes into details
 */
import { defineCause } from '../cause.js';
import { tlsEstablished } from '../../track/tls-session.js';
import { alertName } from '../../decode/names.js';
import { outcome, type ConnRule, type EvidenceAt } from '../outcome.js';
import { CLIENT_HELLO, TLS_ALERT, proof, way } from '../evidence.js';
import { certFacts, offered, serverHelloProof } from '../rules-tls.js';
import { alertAdvice } from '../alerts.js';
import type { Described } from '../cause.js';
import type { Verdict } from '../verdict.js';
import type { Lang } from '../../lang.js';
import type { Vars } from '../words.js';
import { TLS_REPRO } from '../advice.js';

/** A fatal alert, or a warning alert (not close_notify or user_canceled) before the handshake completed. */
const ALERT: ConnRule = {
  on: 'conn',
  rank: 60,
  produces: ['tls.alert'],
  run(f) {
    const s = f.tls;
    if (!s) return null;
    const a = s.alerts.find((x) => x.level === 2) ?? s.alerts.find((x) => x.description !== 0 && x.description !== 90 && !tlsEstablished(s));
    if (!a) return null;
    const sender = a.fromClient ? 'client' : 'server';
    const level = a.level === 2 ? 'fatal' : 'warning';
    const ev: EvidenceAt[] = [];
    if (s.clientHello) ev.push(proof(CLIENT_HELLO, s.clientHello.frame, s.clientHello.ts, way(f.conn, s.clientIsOrig), { sni: s.clientHello.sni }));
    if (s.serverHello) ev.push(serverHelloProof(f.conn, s));
    ev.push(proof(TLS_ALERT, a.frame, a.ts, way(f.conn, a.fromClient === s.clientIsOrig), { name: alertName(a.description), level, sender }));
    return outcome('tls.alert', ev, {
      alert: { code: a.description, name: alertName(a.description), level, sender },
      ...offered(s),
      ...certFacts(s),
    }, { alertCode: a.description, alert: alertName(a.description), sender, sni: s.clientHello?.sni ?? null });
  },
};

/**
 * The alert's own reading (alerts.ts) after the explanation, and its advice first; the generic
 * lines go after it, minus those that repeat a step it already gives (same lead-in before the
 * colon: "Reproduce from the client", or a server error log already named).
 */
function withAlertReading(d: Described, v: Verdict, lang: Lang, vars: Vars): Described {
  const code = v.facts['alertCode'];
  const sender = v.facts['sender'];
  if (typeof code !== 'number' || (sender !== 'client' && sender !== 'server')) return d;
  const a = alertAdvice(code, sender, lang, vars);
  const lead = (x: string): string => x.split(/[:：]/, 1)[0]!;
  const leads = new Set(a.advice.map(lead));
  const namesLog = a.advice.some((x) => /error log|错误日志/.test(x));
  return {
    summary: d.summary,
    explanation: `${d.explanation}${lang === 'en' ? ' ' : ''}${a.meaning}`,
    advice: [...a.advice, ...d.advice.filter((x) => !leads.has(lead(x)) && !(namesLog && /error log|错误日志/.test(x)))],
  };
}

export default defineCause({
  code: 'tls.alert',
  layer: 'tls',
  severity: 'error',
  live: 'packet',
  rules: [ALERT],
  compose: withAlertReading,
  words: {
    en: {
      summary: '{target}: the {sender} aborted the TLS handshake with alert {alert} ({alertCode})',
      explanation:
        'The TCP connection to {ip} port {port} worked; then the {sender} sent the fatal TLS alert {alert} ({alertCode}) and the handshake failed.',
      advice: [
        TLS_REPRO.en,
        'Read the error on both sides at the time of the capture: the client program\'s message and the server\'s TLS error log name the exact reason.',
      ],
    },
    zh: {
      summary: '{target}：{sender}以 TLS 告警 {alert}（{alertCode}）中止了握手',
      explanation:
        '到 {ip} 端口 {port} 的 TCP 连接正常；随后{sender}发送了致命 TLS 告警 {alert}（{alertCode}），握手失败。',
      advice: [
        TLS_REPRO.zh,
        '查看抓包时间点双方的报错：客户端程序的报错信息和服务器的 TLS 错误日志会写明具体原因。',
      ],
    },
  },
});
