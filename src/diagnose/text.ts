/**
 * Text helpers for the diagnosis catalogue and the report renderers: the report languages,
 * `{placeholder}` filling, the documented placeholder set, and fixed labels in both languages.
 *
 *   type Lang = 'en' | 'zh'
 *   LANGS                         ['en', 'zh']
 *   PLACEHOLDERS                  every placeholder a catalogue text may use, with its meaning
 *   MISSING                       what fill() writes for a placeholder without a value ('?')
 *   placeholders(template)        placeholder names used in a template, in order, without repeats
 *   fill(template, vars)          replaces {name}; null / undefined / absent → MISSING
 *   label(lang, key)              fixed labels ('target', 'cause', 'advice', ... ) for renderers
 *   senderName(sender, lang)      'client' / 'server' as a person reads it ('客户端' / '服务器')
 */

export type Lang = 'en' | 'zh';

export const LANGS: readonly Lang[] = ['en', 'zh'];

export function isLang(s: unknown): s is Lang {
  return s === 'en' || s === 'zh';
}

/**
 * The placeholders the catalogue (causes.ts, alerts.ts) uses. A verdict's texts are filled from
 * one `vars` object built by the diagnosis; pass what is known, leave the rest out (it shows as
 * MISSING). Notes (`…Note`) are whole sentences composed by the diagnosis (helpers in causes.ts)
 * or '' when there is nothing to say.
 */
export const PLACEHOLDERS = {
  target: 'the target as a person reads it: the name asked for when known, else ip:port',
  host: 'what to type in a command: the name when known, else the IP address',
  name: 'the DNS name asked for',
  qtype: 'the DNS query type (A, AAAA, ...)',
  ip: 'the target (server) IP address',
  port: 'the target (server) port',
  proxy: 'the HTTP proxy\'s IP address (CONNECT through a proxy)',
  proxyPort: 'the HTTP proxy\'s port',
  transport: "the failing flow's transport as written in the report ('tcp', 'udp')",
  client: "the client's IP address",
  server: 'the DNS server (resolver) the query went to',
  from: 'who sent the ICMP error (a router, a firewall, or the destination itself)',
  icmp: 'the ICMP message in words, from icmpMeaning().title (e.g. "ICMP 3/13 communication administratively prohibited")',
  attempts: 'how many attempts were seen (SYNs, queries, retransmissions); for ok with severity warning, how many attempts failed',
  seconds: 'a duration in seconds: how long the client kept trying, or how long the connection lived before it ended',
  waited: 'how long the capture went on after the last attempt, in seconds',
  rcode: 'the DNS response code name (FORMERR, NOTIMP, BADVERS, ...)',
  edeNote: "a sentence about the DNS server's Extended DNS Errors (edeNote()), or ''",
  status: 'the HTTP status code',
  reason: 'the HTTP reason phrase (may be empty)',
  alert: 'the TLS alert name (unknown_ca, ...)',
  alertCode: 'the TLS alert code (48, ...)',
  sender: "who sent the alert / RST: pass 'client' or 'server', describeCause() localises it",
  notBefore: "the certificate's notBefore (ISO-8601)",
  notAfter: "the certificate's notAfter (ISO-8601)",
  captureTime: 'the time of the packet that carried the certificate (ISO-8601)',
  sni: 'the server name the client asked for in the TLS ClientHello',
  san: 'the names the certificate covers (subjectAltName, else subject CN), comma separated',
  mtu: 'the next-hop MTU carried by ICMP fragmentation needed / packet too big',
  ttlNote: "a sentence comparing the RST's TTL / IP ID with the server's own packets (ttlNote()), or ''",
  retriesNote: 'a short account of the attempts that failed before the target worked (ok, severity warning)',
} as const;

export type Placeholder = keyof typeof PLACEHOLDERS;

export type Vars = Readonly<Record<string, string | number | null | undefined>>;

/** Written in place of a placeholder that has no value, so a gap is visible, not silent. */
export const MISSING = '?';

const PLACEHOLDER_RE = /\{([A-Za-z][A-Za-z0-9]*)\}/g;

/** Placeholder names used in a template, in order of first use. */
export function placeholders(template: string): string[] {
  const out: string[] = [];
  for (const m of template.matchAll(PLACEHOLDER_RE)) {
    const n = m[1]!;
    if (!out.includes(n)) out.push(n);
  }
  return out;
}

function show(v: string | number): string {
  if (typeof v === 'string') return v;
  if (!Number.isFinite(v)) return MISSING;
  if (Number.isInteger(v)) return String(v);
  // Durations and the like: three significant digits are plenty for a person (12.3, 0.25, 120).
  return String(Math.abs(v) >= 100 ? Math.round(v) : Number(v.toPrecision(3)));
}

/**
 * Replaces every `{name}` with vars[name]. A placeholder whose value is null, undefined or
 * absent becomes MISSING. Numbers are shown with at most three significant digits after the
 * point. Spaces doubled by an empty value are collapsed and the result is trimmed.
 */
export function fill(template: string, vars: Vars): string {
  const out = template.replace(PLACEHOLDER_RE, (_m, n: string) => {
    const v = Object.prototype.hasOwnProperty.call(vars, n) ? vars[n] : undefined;
    return v === null || v === undefined ? MISSING : show(v);
  });
  return out.replace(/ {2,}/g, ' ').trim();
}

// --- fixed labels ----------------------------------------------------------------------------

const LABELS = {
  target: { en: 'Target', zh: '目标' },
  layer: { en: 'Layer', zh: '层' },
  cause: { en: 'Cause', zh: '原因' },
  severity: { en: 'Severity', zh: '严重程度' },
  evidence: { en: 'Evidence', zh: '证据' },
  advice: { en: 'What to check next', zh: '下一步排查' },
  frame: { en: 'Frame', zh: '帧' },
  time: { en: 'Time', zh: '时间' },
  note: { en: 'Note', zh: '说明' },
  capture: { en: 'Capture', zh: '抓包文件' },
  packets: { en: 'Packets', zh: '数据包' },
  bytes: { en: 'Bytes', zh: '字节' },
  attempts: { en: 'Attempts', zh: '尝试次数' },
  no_failure: { en: 'No failure found', zh: '未发现故障' },
  warnings: { en: 'Warnings', zh: '警告' },
  client: { en: 'Client', zh: '客户端' },
  server: { en: 'Server', zh: '服务器' },
  summary: { en: 'Summary', zh: '结论' },
  explanation: { en: 'What the packets show', zh: '数据包显示' },
  details: { en: 'Details', zh: '详细信息' },
  connections: { en: 'Connections', zh: '连接' },
  worked: { en: 'Worked', zh: '正常' },
  failed: { en: 'Failed', zh: '失败' },
  error: { en: 'error', zh: '错误' },
  warning: { en: 'warning', zh: '警告' },
  ok: { en: 'ok', zh: '正常' },
  dns: { en: 'DNS', zh: 'DNS 解析' },
  icmp: { en: 'ICMP', zh: 'ICMP 差错' },
  tcp: { en: 'TCP', zh: 'TCP 连接' },
  tls: { en: 'TLS', zh: 'TLS 握手' },
  http: { en: 'HTTP', zh: 'HTTP' },
  report: { en: 'wirewhy report', zh: 'wirewhy 诊断报告' },
  source: { en: 'Source', zh: '来源' },
  format: { en: 'Format', zh: '格式' },
  time_span: { en: 'Time span', zh: '时间范围' },
  since_start: { en: 'Since start', zh: '距开始' },
  records: { en: 'Records', zh: '记录' },
  drops: { en: 'Dropped by the capturing system', zh: '抓包系统丢弃' },
  damage: { en: 'Damaged from', zh: '文件损坏位置' },
  ladder: { en: 'Packet sequence', zh: '数据包时序' },
  dns_server: { en: 'DNS server', zh: 'DNS 服务器' },
  icmp_sender: { en: 'ICMP sender', zh: 'ICMP 发送方' },
  peer: { en: 'Host', zh: '主机' },
  proxy: { en: 'Proxy', zh: '代理' },
  no_reply: { en: 'no reply seen', zh: '未见回应' },
  failures: { en: 'failures', zh: '个故障' },
  warnings_count: { en: 'warnings', zh: '个警告' },
  worked_count: { en: 'worked', zh: '个正常' },
} as const satisfies Record<string, Record<Lang, string>>;

export type LabelKey = keyof typeof LABELS;

export const LABEL_KEYS = Object.keys(LABELS) as LabelKey[];

/** A fixed label in the report language; layer codes ('dns', 'tcp', ...) are keys too. */
export function label(lang: Lang, key: LabelKey): string {
  return LABELS[key][lang];
}

/** 'client' / 'server' as a person reads it in the report language; anything else unchanged. */
export function senderName(sender: string, lang: Lang): string {
  if (sender === 'client' || sender === 'server') return LABELS[sender][lang].toLowerCase();
  return sender;
}
