import { readFileSync, existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CAUSES, CAUSE_CODES, CONN_RULES, DNS_RULES, ICMP_RULES, PLANNED, RULES, SCAN_RULES, SWEEP_RULES, UDP_REQUEST_RULES, PING_RULES, DNS_UPDATE_RULES, FLOOD_RULES, FORGED_RULES, PROBES_RULES, isCauseCode, type CauseCode } from '../../src/diagnose/catalogue.js';
import type { CauseDef } from '../../src/diagnose/cause.js';
import { alertAdvice, edeMeaning, edeNote, icmpMeaning, TLS_ALERTS } from '../../src/diagnose/alerts.js';
import { fill, MISSING, PLACEHOLDERS, placeholders, senderName, type CauseText } from '../../src/diagnose/words.js';
import { ttlNote } from '../../src/diagnose/causes/tcp.reset_injected.js';
import { label, LABEL_KEYS } from '../../src/report/labels.js';
import { verdictWords } from '../../src/report/words.js';
import { alertName } from '../../src/decode/names.js';
import type { Verdict } from '../../src/diagnose/verdict.js';
import type { Args } from '../../src/facts.js';
import type { Lang } from '../../src/lang.js';

const CJK = /[\u4e00-\u9fff]/;
const LANGS: Lang[] = ['en', 'zh'];
const SHARED = fileURLToPath(new URL('../../../shared/', import.meta.url));
const CAUSE_DIR = fileURLToPath(new URL('../../src/diagnose/causes/', import.meta.url));
const def = (c: CauseCode): CauseDef => CAUSES[c];

function textsOf(t: CauseText): string[] {
  return [t.summary, t.explanation, ...t.advice];
}

function setOf(strings: readonly string[]): string[] {
  return [...new Set(strings.flatMap((s) => placeholders(s)))].sort();
}

/** Every (code, variant, en, zh) of the catalogue, the warning wording included. */
function variants(): { id: string; en: CauseText; zh: CauseText }[] {
  const out: { id: string; en: CauseText; zh: CauseText }[] = [];
  for (const code of CAUSE_CODES) {
    const e = def(code);
    out.push({ id: code, en: e.words.en, zh: e.words.zh });
    if (e.warning) out.push({ id: `${code} (warning)`, en: e.warning.en, zh: e.warning.zh });
    for (const [name, w] of Object.entries(e.variants ?? {})) out.push({ id: `${code} (${name})`, en: w.en, zh: w.zh });
  }
  return out;
}

/** Every text of alerts.ts's table, per alert and sender, both languages. */
function alertTexts(): { id: string; en: string[]; zh: string[] }[] {
  const out: { id: string; en: string[]; zh: string[] }[] = [];
  for (const [code, a] of Object.entries(TLS_ALERTS)) {
    out.push({ id: `${code} meaning`, en: [a.meaning.en], zh: [a.meaning.zh] });
    for (const s of ['client', 'server'] as const) {
      const r = a.bySender[s];
      if (r) out.push({ id: `${code} ${s}`, en: [r.en, ...r.advice.en], zh: [r.zh, ...r.advice.zh] });
    }
  }
  return out;
}

/** A verdict of `cause` with these facts, to word. */
function verdict(cause: CauseCode, facts: Args, target: Partial<Verdict['target']> = {}, severity: Verdict['severity'] = 'error'): Verdict {
  return {
    target: { name: null, ip: null, port: null, transport: null, ...target },
    client: { ip: '192.0.2.10' },
    layer: def(cause).layer,
    cause,
    severity,
    attempts: 1,
    facts,
    evidence: [],
    limits: [],
    details: {},
  };
}

/** The codes of README.md's table of causes awaiting the contract (section "Causes awaiting the contract"). */
function pendingCauses(): Set<string> {
  const md = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
  const at = md.indexOf('\n### Causes awaiting the contract\n');
  const out = new Set<string>();
  if (at < 0) return out;
  const next = md.indexOf('\n#', at + 5);
  for (const line of md.slice(at, next < 0 ? undefined : next).split('\n')) {
    const m = /^\| (capture|dns|icmp|tcp|udp|tls|http|app|dhcp) \| `([a-z]+\.[a-z_]+)` \|/.exec(line);
    if (m) out.add(m[2]!);
  }
  return out;
}

describe('cause catalogue and rules', () => {
  it('is keyed by code, one file per cause, each listed once in the index', () => {
    const files = readdirSync(CAUSE_DIR).filter((f) => f.endsWith('.ts') && f !== 'index.ts').map((f) => f.replace(/\.ts$/, '')).sort();
    expect(files).toEqual([...CAUSE_CODES]);
    const index = readFileSync(`${CAUSE_DIR}index.ts`, 'utf8');
    for (const c of CAUSE_CODES) expect(index.split(`'./${c}.js'`).length - 1, c).toBe(1);
    expect(isCauseCode('tcp.refused')).toBe(true);
    expect(isCauseCode('tcp.nope')).toBe(false);
  });

  it('matches the cause tables of CONTRACT.md, both ways', () => {
    const p = `${SHARED}CONTRACT.md`;
    if (!existsSync(p)) return;
    const md = readFileSync(p, 'utf8');
    // The rows of every cause table: "| layer | `code` ... | meaning |".
    const codes = new Set<string>();
    for (const line of md.split('\n')) {
      const m = /^\| (capture|dns|icmp|tcp|tls|http|ok) \| (.+?) \|/.exec(line);
      if (m) for (const c of m[2]!.matchAll(/`([a-z]+(?:\.[a-z_]+)?)`/g)) codes.add(c[1]!);
    }
    expect(codes.size).toBeGreaterThan(35);
    for (const c of codes) expect(isCauseCode(c), `${c} is in the contract but not catalogued`).toBe(true);
    // A cause added since the contract was last written (it is read-only here) is listed, with its
    // meaning, in README.md's table of causes awaiting the contract; once the contract has it, that
    // row must go.
    const pending = pendingCauses();
    for (const c of pending) {
      expect(isCauseCode(c), `${c} awaits the contract (README.md) but is not catalogued`).toBe(true);
      expect(codes.has(c), `${c} is in the contract: remove it from README.md's causes awaiting the contract`).toBe(false);
    }
    for (const c of CAUSE_CODES) expect(codes.has(c) || pending.has(c), `${c} is catalogued but neither in the contract nor in README.md's causes awaiting it`).toBe(true);
  });

  it('has a rule for every code that is not planned, and a catalogue entry for every code a rule produces', () => {
    const produced = new Set(RULES.flatMap((r) => r.produces));
    for (const c of produced) expect(isCauseCode(c), `a rule produces ${c}, which has no catalogue entry`).toBe(true);
    for (const c of CAUSE_CODES) {
      if (PLANNED.has(c)) {
        expect(produced.has(c), `${c} is marked planned but a rule produces it`).toBe(false);
        expect(PLANNED.get(c), c).toMatch(/^issue \d+$/);
        expect(def(c).rules, c).toEqual([]);
      } else {
        expect(produced.has(c), `${c} has no rule (mark it planned, for the issue that builds it)`).toBe(true);
        // The rules a cause file lists produce that cause.
        expect(def(c).rules.length, c).toBeGreaterThan(0);
        for (const r of def(c).rules) expect(r.produces, c).toContain(c);
      }
    }
    // Every rule is in exactly one walk, ordered by rank; the connection walk ends with ok.
    expect(CONN_RULES.length + DNS_RULES.length + ICMP_RULES.length + SCAN_RULES.length + SWEEP_RULES.length + UDP_REQUEST_RULES.length + PING_RULES.length + DNS_UPDATE_RULES.length + FLOOD_RULES.length + FORGED_RULES.length + PROBES_RULES.length).toBe(RULES.length);
    for (const walk of [CONN_RULES, DNS_RULES, ICMP_RULES, SCAN_RULES, SWEEP_RULES, UDP_REQUEST_RULES, PING_RULES, DNS_UPDATE_RULES, FLOOD_RULES, FORGED_RULES, PROBES_RULES]) for (let i = 1; i < walk.length; i++) expect(walk[i]!.rank).toBeGreaterThanOrEqual(walk[i - 1]!.rank);
    expect(CONN_RULES[CONN_RULES.length - 1]!.produces).toEqual(['ok']);
  });

  it('gives each code a layer matching its prefix and a sensible severity', () => {
    for (const code of CAUSE_CODES) {
      const e = def(code);
      expect(e.code).toBe(code);
      expect(e.layer).toBe(code === 'ok' ? 'ok' : code.split('.')[0]);
      // A port scan or a sweep is told, not failed: no program tried to connect (causes/tcp.port_scan.ts,
      // tcp.address_scan.ts). A stalled body may have resumed after the capture ended (causes/http.body_stalled.ts).
      // A chain without its intermediate fails other clients, not the one that completed the handshake (causes/tls.chain_incomplete.ts);
      // many hosts drop ping (causes/icmp.echo_unanswered.ts); pings partly lost leave the host up (causes/icmp.echo_loss.ts);
      // a DHCP server that found an address in use gave its client another (causes/dhcp.address_in_use.ts);
      // an error message in a 200 answer is the server's words, which only it can mean (causes/http.error_in_body.ts);
      // a refused dynamic update fails a name's registration, which many clients try and do without (causes/dns.update_refused.ts).
      const told = code.startsWith('capture.') || code === 'tcp.port_scan' || code === 'tcp.address_scan' || code === 'http.body_stalled' || code === 'tls.chain_incomplete' || code === 'icmp.echo_unanswered' || code === 'icmp.echo_loss' ||
        code === 'dhcp.address_in_use' || code === 'http.error_in_body' || code === 'dns.update_refused' ||
        // a SYN flood's sources are forged: no client of them failed (causes/tcp.syn_flood.ts).
        code === 'tcp.syn_flood' ||
        // errors about packets forged in a host's name are no failures of its (causes/icmp.forged_source.ts).
        code === 'icmp.forged_source' ||
        // strangers' probes of a host are no failures of its clients (causes/tcp.inbound_probes.ts).
        code === 'tcp.inbound_probes';
      expect(e.severity).toBe(code === 'ok' ? 'ok' : told ? 'warning' : 'error');
      expect(['packet', 'timeout', 'end']).toContain(e.live);
    }
  });

  it('has non-empty summary, explanation and advice in both languages', () => {
    for (const v of variants()) {
      for (const lang of LANGS) {
        const t = v[lang];
        expect(t.summary.trim(), `${v.id} ${lang}`).not.toBe('');
        expect(t.explanation.trim(), `${v.id} ${lang}`).not.toBe('');
        expect(t.advice.length, `${v.id} ${lang}`).toBeGreaterThan(0);
        for (const a of t.advice) expect(a.trim(), `${v.id} ${lang}`).not.toBe('');
      }
      expect(v.en.advice.length, `${v.id}: en and zh give the same number of advice lines`).toBe(v.zh.advice.length);
    }
  });

  it('uses the same placeholders in en and zh of each entry, and in each advice line', () => {
    for (const v of variants()) {
      expect(setOf([v.en.summary]), `${v.id} summary`).toEqual(setOf([v.zh.summary]));
      expect(setOf([v.en.explanation]), `${v.id} explanation`).toEqual(setOf([v.zh.explanation]));
      v.en.advice.forEach((a, i) => expect(setOf([a]), `${v.id} advice ${i}`).toEqual(setOf([v.zh.advice[i]!])));
      expect(setOf(textsOf(v.en)), v.id).toEqual(setOf(textsOf(v.zh)));
    }
  });

  it('uses only documented placeholders (catalogue and alert table)', () => {
    const documented = new Set(Object.keys(PLACEHOLDERS));
    const used = new Set<string>();
    for (const v of variants()) for (const lang of LANGS) for (const n of setOf(textsOf(v[lang]))) used.add(n);
    for (const a of alertTexts()) for (const n of setOf([...a.en, ...a.zh])) used.add(n);
    for (const n of used) expect(documented.has(n), `{${n}} is not in PLACEHOLDERS`).toBe(true);
    // And the documentation has no stale entries.
    for (const n of documented) expect(used.has(n), `PLACEHOLDERS documents {${n}} but nothing uses it`).toBe(true);
  });

  it('writes Chinese in zh and no Chinese in en', () => {
    for (const v of variants()) {
      for (const s of textsOf(v.en)) expect(CJK.test(s), `${v.id} en: ${s}`).toBe(false);
      expect(CJK.test(v.zh.summary), `${v.id} zh summary`).toBe(true);
      expect(CJK.test(v.zh.explanation), `${v.id} zh explanation`).toBe(true);
      for (const s of v.zh.advice) expect(CJK.test(s), `${v.id} zh: ${s}`).toBe(true);
    }
  });

  it('keeps summaries on one line and short', () => {
    for (const v of variants()) {
      for (const lang of LANGS) {
        const s = v[lang].summary;
        expect(s.includes('\n'), `${v.id} ${lang}`).toBe(false);
        expect(s.length, `${v.id} ${lang}: ${s}`).toBeLessThanOrEqual(160);
      }
      expect(v.en.summary.startsWith('{target}') || v.en.summary.startsWith('{name}'), v.id).toBe(true);
    }
  });

  it('gives DNS failures the name as subject and the guides\' remedies', () => {
    for (const c of ['dns.nxdomain', 'dns.servfail', 'dns.refused', 'dns.no_response', 'dns.no_address', 'dns.error'] as const) {
      expect(def(c).words.en.summary.startsWith('{name}'), c).toBe(true);
    }
    const nr = def('dns.no_response').words.en.advice.join('\n');
    expect(nr).toMatch(/security group/);
    expect(nr).toMatch(/UDP/);
    expect(nr).toMatch(/\/etc\/resolv\.conf/);
    expect(def('dns.no_response').words.zh.advice.join('')).toMatch(/安全组/);
    expect(def('dns.nxdomain').words.en.advice.join('\n')).toMatch(/resolv\.conf/);
  });

  it('walks the guides\' checklist for an unanswered SYN', () => {
    const en = def('tcp.syn_unanswered').words.en.advice.join('\n');
    for (const w of ['security group', 'outbound', 'iptables -L -n', 'firewall-cmd --list-all', 'route', 'env | grep -i proxy', 'nc -zv']) {
      expect(en, w).toContain(w);
    }
    const zh = def('tcp.syn_unanswered').words.zh.advice.join('\n');
    for (const w of ['安全组', '出站规则', '路由', '代理', 'NAT 网关']) expect(zh, w).toContain(w);
    expect(def('tcp.syn_unanswered').words.en.explanation).toMatch(/cannot tell/);
  });

  it('points certificate date problems at the clock', () => {
    for (const c of ['tls.cert_expired', 'tls.cert_not_yet_valid'] as const) {
      expect(def(c).words.en.advice[0]).toMatch(/clock/);
      expect(def(c).words.en.advice.join('\n')).toMatch(/timedatectl/);
      expect(def(c).words.zh.advice.join('\n')).toMatch(/时间同步/);
    }
    expect(def('tls.client_rejected').words.en.advice.join('\n')).toMatch(/ca-certificates/);
  });
});

describe('fill and labels', () => {
  it('replaces placeholders and marks missing ones', () => {
    expect(fill('{name}: server {server} said {rcode}', { name: 'a.example', server: '192.0.2.53', rcode: 'NXDOMAIN' })).toBe(
      'a.example: server 192.0.2.53 said NXDOMAIN',
    );
    expect(fill('{a} and {b} and {c}', { a: 1, b: null })).toBe(`1 and ${MISSING} and ${MISSING}`);
    expect(fill('{x}{x}', { x: 'y' })).toBe('yy');
    expect(fill('waited {seconds} s', { seconds: 3.14159 })).toBe('waited 3.14 s');
    expect(fill('waited {seconds} s', { seconds: 127.6 })).toBe('waited 128 s');
    expect(fill('end. {note} Next', { note: '' })).toBe('end. Next');
    expect(fill('no placeholders {here', {})).toBe('no placeholders {here');
    expect(fill('{toString}', {})).toBe(MISSING);
    expect(placeholders('{a} {b} {a} {not a placeholder}')).toEqual(['a', 'b']);
  });

  it('has every label in both languages', () => {
    for (const k of ['target', 'layer', 'cause', 'evidence', 'advice', 'frame', 'time', 'capture', 'packets', 'no_failure', 'warnings', 'client', 'server', 'summary', 'details', 'connections', 'worked'] as const) {
      expect(LABEL_KEYS).toContain(k);
    }
    for (const k of LABEL_KEYS) {
      expect(label('en', k)).not.toBe('');
      expect(label('zh', k)).not.toBe('');
      expect(CJK.test(label('en', k)), k).toBe(false);
    }
    expect(CJK.test(label('zh', 'no_failure'))).toBe(true);
    expect(senderName('client', 'en')).toBe('client');
    expect(senderName('server', 'zh')).toBe('服务器');
  });
});

describe('TLS alerts', () => {
  it('covers every alert in REFERENCE.md with its name', () => {
    const expected: Record<number, string> = {
      0: 'close_notify', 10: 'unexpected_message', 20: 'bad_record_mac', 21: 'decryption_failed', 22: 'record_overflow',
      30: 'decompression_failure', 40: 'handshake_failure', 41: 'no_certificate', 42: 'bad_certificate',
      43: 'unsupported_certificate', 44: 'certificate_revoked', 45: 'certificate_expired', 46: 'certificate_unknown',
      47: 'illegal_parameter', 48: 'unknown_ca', 49: 'access_denied', 50: 'decode_error', 51: 'decrypt_error',
      60: 'export_restriction', 70: 'protocol_version', 71: 'insufficient_security', 80: 'internal_error',
      86: 'inappropriate_fallback', 90: 'user_canceled', 100: 'no_renegotiation', 109: 'missing_extension',
      110: 'unsupported_extension', 112: 'unrecognized_name', 113: 'bad_certificate_status_response',
      115: 'unknown_psk_identity', 116: 'certificate_required', 117: 'general_error', 120: 'no_application_protocol',
      121: 'ech_required',
    };
    const ref = `${SHARED}REFERENCE.md`;
    if (existsSync(ref)) {
      const md = readFileSync(ref, 'utf8');
      for (const m of md.matchAll(/^\| (\d+) \| ([a-z_]+)/gm)) expected[Number(m[1])] = m[2]!;
    }
    expect(Object.keys(expected).length).toBeGreaterThanOrEqual(34);
    for (const [code, name] of Object.entries(expected)) {
      const a = TLS_ALERTS[Number(code)];
      expect(a, code).toBeDefined();
      expect(alertName(Number(code)), code).toBe(name);
      expect(a!.meaning.en, code).not.toBe('');
      expect(CJK.test(a!.meaning.zh), code).toBe(true);
    }
  });

  it('writes both languages for every reading, with matching placeholders', () => {
    for (const a of alertTexts()) {
      expect(a.en.length, a.id).toBe(a.zh.length);
      a.en.forEach((s, i) => {
        expect(s.trim(), a.id).not.toBe('');
        expect(CJK.test(s), `${a.id} en: ${s}`).toBe(false);
        expect(CJK.test(a.zh[i]!), `${a.id} zh: ${a.zh[i]}`).toBe(true);
        expect(setOf([s]), a.id).toEqual(setOf([a.zh[i]!]));
      });
    }
  });

  it('has a reading for the usual sender of each live alert', () => {
    for (const [code, a] of Object.entries(TLS_ALERTS)) {
      if (a.usual === 'client' || a.usual === 'server') expect(a.bySender[a.usual], code).toBeDefined();
      if (a.usual === 'either') {
        expect(a.bySender.client ?? a.bySender.server, code).toBeDefined();
      }
    }
  });

  it('unknown_ca from the client points at the CA bundle', () => {
    const en = alertAdvice(48, 'client', 'en');
    expect(en.usual).toBe(true);
    expect(`${en.meaning}\n${en.advice.join('\n')}`).toMatch(/CA bundle/);
    expect(en.advice.join('\n')).toMatch(/ca-certificates/);
    expect(en.advice.join('\n')).toMatch(/update-ca-certificates/);
    const zh = alertAdvice(48, 'client', 'zh');
    expect(zh.advice.join('\n')).toMatch(/ca-certificates/);
    expect(zh.advice.join('\n')).toMatch(/根证书/);
    // From the server it is the mTLS reading.
    expect(alertAdvice(48, 'server', 'en').meaning).toMatch(/client certificate/);
  });

  it('certificate_expired from the client points at the clock', () => {
    const en = alertAdvice(45, 'client', 'en');
    expect(en.meaning).toMatch(/clock/);
    expect(en.advice[0]).toMatch(/clock/);
    expect(en.advice.join('\n')).toMatch(/NTP/);
    expect(en.advice.join('\n')).toMatch(/timedatectl/);
    expect(alertAdvice(45, 'client', 'zh').advice.join('\n')).toMatch(/时间同步/);
  });

  it('reads alerts by sender as REFERENCE.md does', () => {
    expect(alertAdvice(42, 'client', 'en').meaning).toMatch(/clock is behind/);
    expect(alertAdvice(70, 'server', 'en').meaning).toMatch(/minimum/);
    expect(alertAdvice(70, 'client', 'en').meaning).toMatch(/chose/);
    expect(alertAdvice(46, 'client', 'en').meaning).toMatch(/PKIX/);
    expect(alertAdvice(40, 'server', 'en').meaning).toMatch(/cipher/);
    expect(alertAdvice(112, 'server', 'en').meaning).toMatch(/SNI/);
    expect(alertAdvice(116, 'server', 'en').meaning).toMatch(/client certificate/);
    expect(alertAdvice(120, 'server', 'en').meaning).toMatch(/ALPN/);
  });

  it('fills host and port, with visible defaults', () => {
    const a = alertAdvice(48, 'client', 'en', { host: 'example.com', port: 443 });
    expect(a.advice.join('\n')).toContain('openssl s_client -connect example.com:443 -servername example.com');
    expect(alertAdvice(48, 'client', 'en').advice.join('\n')).toContain('-connect <host>:<port>');
    for (const code of Object.keys(TLS_ALERTS)) {
      for (const s of ['client', 'server'] as const) {
        for (const lang of LANGS) {
          const r = alertAdvice(Number(code), s, lang, { host: 'h', port: 1 });
          expect(`${r.meaning}${r.advice.join('')}`, `${code} ${s}`).not.toMatch(/\{[A-Za-z]+\}/);
          expect(r.advice.length).toBeGreaterThan(0);
        }
      }
    }
  });

  it('says when a sender is unusual, and falls back for unknown codes', () => {
    const u = alertAdvice(49, 'client', 'en');
    expect(u.usual).toBe(false);
    expect(u.meaning).toMatch(/unusual for the client/);
    expect(alertAdvice(49, 'client', 'zh').meaning).toMatch(/客户端/);
    const x = alertAdvice(250, 'server', 'en');
    expect(x.usual).toBe(false);
    expect(x.meaning).toMatch(/250/);
    expect(x.advice.length).toBeGreaterThan(0);
    expect(CJK.test(alertAdvice(250, 'server', 'zh').meaning)).toBe(true);
  });
});

describe('words of a verdict (report/words.ts)', () => {
  it('fills a summary for a person', () => {
    const facts = { server: '192.0.2.53', qtype: 'A' };
    expect(verdictWords(verdict('dns.nxdomain', facts, { name: 'nope.example' }), 'en').summary).toBe('nope.example: the DNS server 192.0.2.53 says the name does not exist (NXDOMAIN)');
    expect(verdictWords(verdict('dns.nxdomain', facts, { name: 'nope.example' }), 'en').explanation).not.toContain('{');
    expect(verdictWords(verdict('dns.nxdomain', facts, { name: 'nope.example' }), 'zh').summary).toBe('nope.example：DNS 服务器 192.0.2.53 回复该域名不存在（NXDOMAIN）');
  });

  it('localises the sender and merges the alert reading', () => {
    const v = verdict('tls.alert', { alertCode: 48, alert: 'unknown_ca', sender: 'client' }, { name: 'example.com', ip: '203.0.113.5', port: 443 });
    const d = verdictWords(v, 'en');
    expect(d.summary).toBe('example.com: the client aborted the TLS handshake with alert unknown_ca (48)');
    expect(d.explanation).toMatch(/CA bundle/);
    expect(d.advice[0]).toMatch(/ca-certificates/);
    expect(new Set(d.advice).size).toBe(d.advice.length);
    const z = verdictWords(v, 'zh');
    expect(z.summary).toContain('客户端');
    expect(z.summary).toContain('unknown_ca');
    const r = verdictWords(verdict('tcp.reset', { sender: 'server', seconds: 30 }, { ip: '203.0.113.5', port: 443, name: 'x' }), 'zh');
    expect(r.summary).toBe('x：服务器在 30 秒后重置了已建立的连接');
  });

  it('uses the warning wording for ok with severity warning, and says what failed', () => {
    const facts = { failed: 1, conns: 2, failedCause: 'tcp.syn_unanswered', failedIp: '2001:db8::1' };
    const w = verdictWords({ ...verdict('ok', facts, { name: 'example.com', port: 443 }, 'warning'), attempts: 2 }, 'en');
    expect(w.summary).toBe('example.com: worked in the end, after 1 failed attempt');
    expect(w.explanation).toContain('not at the first try: 1 of 2 attempts failed, e.g. tcp.syn_unanswered (2001:db8::1). Each');
    // The IPv6 advice only when the failed attempt went to an IPv6 address.
    expect(w.advice.some((a) => a.startsWith('IPv6 filtered'))).toBe(true);
    expect(verdictWords(verdict('ok', { ...facts, failed: 3, failedIp: '192.0.2.7' }, { name: 'example.com', port: 443 }, 'warning'), 'en').advice.some((a) => a.startsWith('IPv6'))).toBe(false);
    expect(verdictWords(verdict('ok', { ...facts, failed: 3 }, { name: 'example.com' }, 'warning'), 'en').summary).toContain('after 3 failed attempts');
    expect(verdictWords(verdict('ok', facts, { name: 'example.com' }, 'warning'), 'zh').explanation).not.toMatch(/。。|\.\./);
    expect(verdictWords(verdict('ok', {}, { name: 'example.com', port: 443 }, 'ok'), 'en').summary).toBe('example.com: worked at every layer seen');
  });

  it('words ICMP errors from their type and code, in each language', () => {
    const v = verdict('icmp.admin_prohibited', { from: '198.51.100.1', icmpV6: false, icmpType: 3, icmpCode: 13 }, { ip: '203.0.113.5', port: 443 });
    expect(verdictWords(v, 'en').explanation).toContain('ICMP 3/13 communication administratively prohibited');
    expect(verdictWords(v, 'zh').explanation).toContain('ICMP 3/13 通信被管理性禁止');
  });

  it('says what the capture cannot prove, in the report language', () => {
    const v = { ...verdict('tcp.reset', { sender: 'server', seconds: 2 }, { ip: '203.0.113.5', port: 443 }, 'warning'), limits: [{ kind: 'reset_after_data', args: {} }] };
    expect(verdictWords(v, 'en').explanation).toMatch(/ Note: the reset came after both sides had exchanged data.*\.$/);
    const zh = verdictWords(v, 'zh');
    expect(zh.explanation).toMatch(/注意：重置发生在双方都已交换数据之后.*。$/);
    expect(zh.limits).toHaveLength(1);
  });

  it('marks what the diagnosis did not supply', () => {
    expect(verdictWords(verdict('tcp.syn_unanswered', { attempts: 3 }, { ip: '203.0.113.5', port: 443 }), 'en').summary).toBe(`203.0.113.5:443: no reply to the connection attempt (3 SYNs over ${MISSING} s)`);
  });
});

describe('notes and detail tables', () => {
  it('composes the TTL note', () => {
    expect(ttlNote({ rstTtl: 61, serverTtl: 52 }, 'en')).toMatch(/TTL 61.*TTL 52/);
    expect(ttlNote({ rstTtl: 61, serverTtl: 52, rstIpId: 0, serverIpId: 4321 }, 'en')).toMatch(/IP ID 0 does not follow/);
    // An IP ID just ahead of the server's follows it; the server's 0 (DF, Linux) tells nothing.
    expect(ttlNote({ rstTtl: 61, serverTtl: 52, rstIpId: 4323, serverIpId: 4321 }, 'en')).toMatch(/follows the server's/);
    expect(ttlNote({ rstTtl: 64, serverTtl: 63, rstIpId: 0, serverIpId: 0 }, 'en')).not.toMatch(/IP ID/);
    expect(ttlNote({ rstTtl: 64, serverTtl: 63, v6: 1 }, 'en')).toMatch(/hop limit 64.*hop limit 63/);
    expect(CJK.test(ttlNote({ rstTtl: 61, serverTtl: 52 }, 'zh'))).toBe(true);
    const d = verdictWords(verdict('tcp.reset_injected', { rstTtl: 61, serverTtl: 52 }, { ip: '203.0.113.5', port: 443 }), 'en');
    expect(d.explanation).toMatch(/TTL 61/);
    const empty = verdictWords(verdict('tcp.reset_injected', {}, { ip: '203.0.113.5', port: 443 }), 'en');
    expect(empty.explanation).not.toMatch(/ {2}|\?/);
  });

  it('composes the EDE note', () => {
    expect(edeNote([], 'en')).toBe('');
    expect(edeNote([{ code: 6, text: 'validation failure' }], 'en')).toBe('The server added Extended DNS Error 6 (DNSSEC Bogus): "validation failure".');
    expect(edeNote([{ code: 22 }], 'zh')).toContain('无法访问任何权威服务器');
    expect(edeMeaning(999, 'en')).toBe('EDE 999');
  });

  it('describes ICMP errors as REFERENCE.md does', () => {
    expect(icmpMeaning(false, 3, 13, 'en').title).toBe('ICMP 3/13 communication administratively prohibited');
    expect(icmpMeaning(false, 3, 13, 'en').meaning).toMatch(/firewall/);
    expect(icmpMeaning(false, 3, 3, 'en').meaning).toMatch(/REJECT/);
    expect(icmpMeaning(false, 3, 4, 'zh').title).toContain('分片');
    expect(icmpMeaning(true, 2, 0, 'en').title).toBe('ICMPv6 2/0 packet too big');
    expect(icmpMeaning(true, 1, 3, 'en').meaning).toMatch(/neighbour discovery/);
    expect(icmpMeaning(false, 42, 7, 'en')).toEqual({ title: 'ICMP 42/7', meaning: 'ICMP type 42 code 7' });
    for (const v6 of [false, true]) {
      for (let type = 0; type < 20; type++) {
        for (let code = 0; code < 16; code++) {
          const en = icmpMeaning(v6, type, code, 'en');
          const zh = icmpMeaning(v6, type, code, 'zh');
          expect(CJK.test(en.title + en.meaning)).toBe(false);
          expect(CJK.test(zh.meaning)).toBe(true);
        }
      }
    }
  });
});

describe('tls.alert advice', () => {
  // The alert's own advice comes first; the generic tls.alert lines must not repeat a step it
  // already gives (two "Reproduce from the client" lines, two "read the error log" lines).
  const lead = (x: string): string => x.split(/[:：]/, 1)[0]!;
  for (const lang of LANGS) {
    it(`no step twice for any alert and sender (${lang})`, () => {
      let checked = 0;
      for (const code of Object.keys(TLS_ALERTS).map(Number)) {
        for (const sender of ['client', 'server'] as const) {
          const d = verdictWords(verdict('tls.alert', { alertCode: code, alert: alertName(code), sender }, { name: 'h.example', port: 443, ip: '192.0.2.1' }), lang);
          const leads = d.advice.map(lead).filter((l) => /Reproduce from the client|在客户端复现/.test(l));
          expect(leads.length, `${code} ${sender}`).toBe(1);
          expect(d.advice.filter((x) => /error log|错误日志/.test(x)).length, `${code} ${sender}`).toBeLessThanOrEqual(1);
          expect(new Set(d.advice).size).toBe(d.advice.length);
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(40);
    });
  }
});
