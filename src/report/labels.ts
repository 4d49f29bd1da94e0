/**
 * Fixed labels of the renderers (headings, column names, layer names) in both report languages.
 *
 *   label(lang, key)      'Target' / '目标'; layer codes ('dns', 'tcp', ...) are keys too
 *   LABEL_KEYS            every key
 */
import type { Lang } from '../lang.js';

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
  nothing_to_judge: { en: 'Nothing to judge: the capture holds no TCP, UDP or ICMP exchange', zh: '无可判断的内容：抓包中没有 TCP、UDP 或 ICMP 交互' },
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
  icmp: { en: 'ICMP', zh: 'ICMP' },
  tcp: { en: 'TCP', zh: 'TCP 连接' },
  udp: { en: 'UDP', zh: 'UDP 请求' },
  tls: { en: 'TLS', zh: 'TLS 握手' },
  http: { en: 'HTTP', zh: 'HTTP' },
  app: { en: 'FTP / mail', zh: 'FTP / 邮件服务' },
  dhcp: { en: 'DHCP', zh: 'DHCP' },
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
  targets: { en: 'Targets', zh: '目标数' },
  clients: { en: 'Clients', zh: '客户端数' },
  examples: { en: 'Examples', zh: '示例' },
  when: { en: 'When (s since start)', zh: '时间（距开始秒数）' },
  timeline: { en: 'Failures over time', zh: '故障时间分布' },
  verdicts: { en: 'Verdicts', zh: '诊断结论' },
} as const satisfies Record<string, Record<Lang, string>>;

export type LabelKey = keyof typeof LABELS;

export const LABEL_KEYS = Object.keys(LABELS) as LabelKey[];

export function label(lang: Lang, key: LabelKey): string {
  return LABELS[key][lang];
}
