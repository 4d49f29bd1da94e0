/**
 * The English-prose detector of the Chinese texts (reports, the upload service's error answers):
 * the English words of a text outside what may stay English — code spans and commands, quoted
 * tool output ("Verify return code"), values from the capture or the request (passed as `data`),
 * identifiers, and protocol and product tokens (SYN, ClientHello, IPv6, OpenSSL, ...).
 */

/** Words that are protocol messages, fields, header names, products or tools, written as they are everywhere. */
export const TOKENS = new Set([
  'IPv4', 'IPv6', 'ICMPv6', 'ClientHello', 'ServerHello', 'Finished', 'Host', 'OpenSSL', 'GnuTLS', 'Unbound', 'Squid', 'nginx', 'HAProxy', 'Apache', 'Java',
  'JVM', 'chrony', 'traceroute', 'curl', 'dig', 'iptables', 'ip6tables', 'keepalive', 'PPPoE', 'IPsec', 'DNSSEC', 'cacerts', 'snaplen', 'notAfter',
  'notBefore', 'subjectAltName', 'warning', 'fatal', 'pcap', 'pcapng', 'gzip', 'tcp', 'udp', 'icmp', 'dnsmasq', 'dhcpd', 'nscd', 'tcpdump', 'tshark', 'editcap',
  'Wireshark', 'ss', 'nc', 'mtr', 'tracepath', 'ping', 'ethtool', 'jstack', 'gdb', 'netstat', 'nslookup', 'resolvectl', 'timedatectl', 'keytool',
  'Recv', 'Retry', 'After', 'Debian', 'Ubuntu', 'Fedora', 'Linux', 'gRPC', 'h2', 'ALPN', 'BIND', 'Zeek', 'history', 'zstd', 'xz',
  'zlib', 'libpcap', 'deflate', 'Windows', 'macOS', 'wirewhy', 'root', 'sudo', 'npm', 'nmap', 'masscan', 'AdGuard', 'httpd', 'Mozilla', 'Python', 'Go', 'vsftpd', 'Postfix', 'postscreen', 'Dovecot', 'FTP', 'SMTP', 'POP3', 'IMAP', 'STARTTLS', 'DNSBL', 'fail2ban', 'DDoS', 'nftables', 'SPF', 'DMARC', 'AUTH', 'MAIL', 'FROM', 'RCPT', 'TO', 'DATA',
]);

export function tokens(s: string): string[] {
  return s.match(/[+-]?[A-Za-z0-9][A-Za-z0-9_.\-/:+%@=?&]*/g) ?? [];
}

/** Undo each format's escaping, and drop what may stay English as a whole: code, quotes, markup. */
function prose(text: string, format: string): string {
  let t = text;
  if (format === 'json') {
    const j = JSON.parse(t) as { verdicts: Array<{ summary: string; explanation: string; advice: string[]; evidence: Array<{ note: string }>; details: { limits?: string[] } }>; capture: { warnings: string[]; damage: { message: string } | null } };
    t = [...j.verdicts.flatMap((v) => [v.summary, v.explanation, ...v.advice, ...v.evidence.map((e) => e.note), ...(v.details.limits ?? [])]), ...j.capture.warnings, j.capture.damage?.message ?? ''].join('\n');
  }
  if (format === 'html') {
    t = t.replace(/<style>[\s\S]*?<\/style>/g, ' ').replace(/<pre>[\s\S]*?<\/pre>/g, ' ').replace(/<code>[\s\S]*?<\/code>/g, ' ')
      .replace(/<[^>]*>/g, ' ').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
  }
  if (format === 'md') t = t.replace(/(?<![\\`])(`+)(?!`)[^\n]*?(?<!`)\1(?!`)/g, ' ').replace(/\\([!-/:-@[-`{-~])/g, '$1');
  // A value cut short for a ladder label ends in '…': its last word is a piece of data.
  return t.replace(/`[^`\n]*`/g, ' ').replace(/"[^"\n]*"/g, ' ').replace(/“[^”\n]*”/g, ' ').replace(/[A-Za-z0-9]+…/g, ' ');
}

/** English words of `text` that are neither data, nor a technical token, nor an allowed word. */
export function englishWords(text: string, format: string, data: Set<string>): string[] {
  const found: string[] = [];
  for (const t of tokens(prose(text, format))) {
    if (!/[A-Za-z]/.test(t)) continue;
    if (data.has(t.toLowerCase())) continue;
    // Identifiers: cause codes, alert names, commands with options, paths, addresses, numbers with units.
    if (/[0-9_.\-/:+%@=?&]/.test(t)) continue;
    if (/^[A-Z]+s?$/.test(t)) continue; // DNS, SYN, RST, NXDOMAIN, ACLs
    if (TOKENS.has(t)) continue;
    if (t === 's' || t === 'ms') continue; // units
    found.push(t);
  }
  return found;
}

