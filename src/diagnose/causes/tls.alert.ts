/**
 * tls.alert: a fatal TLS alert (details.alert: code, name, level, sender); when an alert is seen it is the cause, and what the certificate shows goes into details
 */
import { defineCause } from '../cause.js';
import { tlsEstablished } from '../../track/tls-session.js';
import { alertName } from '../../decode/names.js';
import { firstCloseAfter, isTcp, outcome, type ConnRule, type EvidenceAt } from '../outcome.js';
import { tooSoon, WAIT } from '../waits.js';
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
  run(f, ctx) {
    const s = f.tls;
    if (!s) return null;
    const a = s.alerts.find((x) => x.level === 2) ?? s.alerts.find((x) => x.description !== 0 && x.description !== 90 && !tlsEstablished(s));
    if (!a) return null;
    // A warning does not end the handshake (a server's unrecognized_name, sent as it goes on with a
    // default certificate): in a capture that stopped soon after it, the connection still open,
    // it shows no failure yet; the rules after this one judge the handshake as far as it went.
    if (a.level !== 2 && isTcp(f) && firstCloseAfter(f.conn, a.frame) === undefined && tooSoon(ctx, a.ts, WAIT.tls)) return null;
    const sender = a.fromClient ? 'client' : 'server';
    const level = a.level === 2 ? 'fatal' : 'warning';
    const ev: EvidenceAt[] = [];
    if (s.clientHello) ev.push(proof(CLIENT_HELLO, s.clientHello.frame, s.clientHello.ts, way(f.conn, s.clientIsOrig), { sni: s.clientHello.sni }));
    if (s.serverHello) ev.push(serverHelloProof(f.conn, s));
    ev.push(proof(TLS_ALERT, a.frame, a.ts, way(f.conn, a.fromClient === s.clientIsOrig), { name: alertName(a.description), level, sender }));
    const o = outcome('tls.alert', ev, {
      alert: { code: a.description, name: alertName(a.description), level, sender },
      ...offered(s),
      ...certFacts(s),
    }, { alertCode: a.description, alert: alertName(a.description), sender, sni: s.clientHello?.sni ?? null });
    // The client refused the chain it was sent: what the chain shows says which CA it lacked.
    if (a.fromClient && CHAIN_ALERTS.has(a.description) && s.certificates.length > 0) {
      const chain = s.certificates;
      const leaf = chain[0]!;
      const top = chain[chain.length - 1]!;
      const kind = chain.length === 1 && leaf.selfIssued ? 'self_signed'
        : chain.length > 1 && chain[1]!.subject !== leaf.issuer ? 'wrong_intermediate'
          : chain.length === 1 ? 'leaf_only' : 'chain';
      o.details['chain'] = { certificates: chain.length, subjects: chain.map((c) => c.subject), topIssuer: top.issuer, kind };
      o.facts['chainKind'] = kind;
      o.facts['chainCount'] = chain.length;
      o.facts['leafSubject'] = leaf.subject;
      o.facts['leafIssuer'] = leaf.issuer;
      o.facts['topIssuer'] = top.issuer;
      if (chain.length > 1) o.facts['secondSubject'] = chain[1]!.subject;
    }
    return o;
  },
};

/** Alerts with which a client refuses the server's certificate chain (bad_certificate, certificate_unknown, unknown_ca). */
const CHAIN_ALERTS = new Set([42, 46, 48]);

/** What the chain the server sent shows, as a sentence after the explanation ('' when not read). */
function chainText(v: Verdict, lang: Lang): string {
  const f = v.facts;
  const q = (x: unknown): string => (lang === 'en' ? `"${String(x)}"` : `“${String(x)}”`);
  switch (f['chainKind']) {
    case 'self_signed':
      return lang === 'en'
        ? `The server's certificate is self-signed (${q(f['leafSubject'])}): no client trusts it unless told to (its CA bundle, a pinned certificate).`
        : `服务器的证书是自签名的（${q(f['leafSubject'])}）：除非客户端被明确配置信任它（CA 证书包、固定证书），否则没有客户端会信任它。`;
    case 'leaf_only':
      return lang === 'en'
        ? `The server sent its certificate alone, issued by ${q(f['leafIssuer'])}: the client trusts it only if it holds that issuer itself (a root in its CA bundle); if the issuer is an intermediate CA, the server must send it too.`
        : `服务器只发送了自己的证书，其签发者为 ${q(f['leafIssuer'])}：只有客户端自己持有该签发者（CA 证书包中的根证书）时才会信任它；如果签发者是中间 CA，服务器必须把它一并发送。`;
    case 'wrong_intermediate':
      return lang === 'en'
        ? `The second certificate the server sent (${q(f['secondSubject'])}) is not the issuer of its certificate (${q(f['leafIssuer'])}): the server's chain file holds the wrong intermediate.`
        : `服务器发送的第二张证书（${q(f['secondSubject'])}）并不是其证书的签发者（${q(f['leafIssuer'])}）：服务器的证书链文件中放错了中间证书。`;
    case 'chain':
      return lang === 'en'
        ? `The server sent ${String(f['chainCount'])} certificates, the last issued by ${q(f['topIssuer'])}: that is the CA the client's trust store must hold.`
        : `服务器发送了 ${String(f['chainCount'])} 张证书，最后一张的签发者为 ${q(f['topIssuer'])}：客户端的信任库必须包含这个 CA。`;
    default:
      return '';
  }
}

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
  const chain = chainText(v, lang);
  return {
    summary: d.summary,
    explanation: `${d.explanation}${lang === 'en' ? ' ' : ''}${a.meaning}${chain === '' ? '' : `${lang === 'en' ? ' ' : ''}${chain}`}`,
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
