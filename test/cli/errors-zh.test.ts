/**
 * Bad input with --lang zh, through the real executable: the one line (what, where, what to do)
 * is Chinese — no English prose apart from the file's name, codes and commands — still one line,
 * no stack trace, exit status 2; the same inputs in English give the very lines they always gave.
 * Also `wirewhy capture`'s errors (no permission, no such interface, bad filter, no binding),
 * through the stand-in binding test/live/fake-pcap.cjs.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { pcapFile, pcapngBlock, pcapngFile, shb } from '../helpers/pcap.js';
import { englishWords, tokens } from '../helpers/zh-prose.js';
import { REPO } from '../tshark-fixture.js';

const BIN = join(REPO, 'dist/src/cli/main.js');
const FAKE = join(REPO, 'test/live/fake-pcap.cjs');
const tmp = tempDir('wirewhy-cli-zh-');
const HAN = /[\u4e00-\u9fff]/;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], opts: { input?: Uint8Array; env?: Record<string, string> } = {}): Run {
  const r = spawnSync(process.execPath, [BIN, ...args], { input: opts.input, encoding: 'utf8', timeout: 30_000, env: { ...process.env, ...opts.env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function file(name: string, bytes: Uint8Array): string {
  const p = join(tmp, name);
  writeFileSync(p, bytes);
  return p;
}

function oneLine(r: Run, status = 2): string {
  expect(r.status, r.stderr).toBe(status);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at |Error:/);
  expect(lines[0]).toMatch(/^wirewhy: /);
  return lines[0]!;
}

/** A Chinese line: Han characters, and no English word but the data given (a path, names). */
function chinese(line: string, ...data: string[]): void {
  expect(line).toMatch(HAN);
  const known = new Set(data.flatMap((d) => tokens(d).map((t) => t.toLowerCase())));
  expect(englishWords(line, 'text', known), line).toEqual([]);
}

const frames = Array.from({ length: 6 }, (_, i) => ({ ts: 1_700_000_000 + i, frame: new Uint8Array(60).fill(i) }));
const good = pcapFile({ linkType: 1 }, frames);
const le32 = (b: Uint8Array, at: number, v: number): Uint8Array => {
  const c = b.slice();
  new DataView(c.buffer).setUint32(at, v, true);
  return c;
};
const le16 = (b: Uint8Array, at: number, v: number): Uint8Array => {
  const c = b.slice();
  new DataView(c.buffer).setUint16(at, v, true);
  return c;
};
const cat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};
const gz = gzipSync(good);
const gzCorrupt = (() => {
  // The first deflate block's header (just after gzip's 10-byte header): block type 3, reserved.
  const b = Uint8Array.from(gz);
  b[10] = 0xff;
  return b;
})();
const ng = pcapngFile({ interfaces: [{ linkType: 1 }] }, frames);
const shbLen = shb(true).length;

/**
 * Unreadable captures, each with the English line the reader always gave (the line minus
 * "wirewhy: PATH: "), pinned byte for byte.
 */
const CASES: Array<{ name: string; bytes: Uint8Array | null; en: string }> = [
  { name: 'empty.pcap', bytes: new Uint8Array(0), en: 'the file is empty (0 bytes); check that the capture was written completely' },
  { name: 'short.pcap', bytes: good.subarray(0, 10), en: 'the file is only 10 bytes, shorter than a capture file header (at byte offset 0); check that the capture was written completely' },
  {
    name: 'notes.pcap', bytes: new TextEncoder().encode('hello, this is text\n'),
    en: 'the file is not a pcap or pcapng capture (it starts with bytes 68 65 6c 6c, which look like text; tcpdump/tshark text output cannot be analysed, capture with -w); give a .pcap/.pcapng file (tcpdump -w, Wireshark, dumpcap); other formats convert with: editcap -F pcapng IN OUT',
  },
  {
    name: 'trace.pcap.zst', bytes: Uint8Array.of(0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0),
    en: 'the file is zstd-compressed (it starts with 28 b5 2f fd), which wirewhy does not decompress; decompress it first: zstd -dc FILE | wirewhy analyze -  (or zstd -d FILE, then analyze the result)',
  },
  { name: 'version.pcap', bytes: le16(good, 4, 3), en: 'pcap version 3 is not supported (expected 2) (at byte offset 4); convert the file with editcap -F pcap' },
  {
    name: 'huge-first.pcap', bytes: le32(good, 24 + 8, 300_000),
    en: 'record length 300000 is over 262144 bytes (corrupt record header) (at byte offset 24); the file is damaged from here on; packets before this offset were read',
  },
  { name: 'cut-first.pcap', bytes: good.subarray(0, 34), en: 'the file ends in the middle of its first packet record (10 bytes of 16) (at byte offset 24); the capture was cut short; no packet could be read' },
  {
    name: 'cut.pcap.gz', bytes: gz.subarray(0, 30),
    en: 'the gzip data ends at compressed offset 30, in the middle of a gzip member (the file was cut short); no packet could be read before it; the capture was cut short; copy it again',
  },
  { name: 'corrupt.pcap.gz', bytes: gzCorrupt, en: '' },
  { name: 'badlen.pcapng', bytes: cat(shb(true), le32(pcapngBlock(1, true, () => {}), 4, 13)), en: `pcapng block length 13 is invalid (at byte offset ${shbLen}); the file is damaged from here on; packets before this offset were read` },
  { name: 'version.pcapng', bytes: le16(ng, 12, 2), en: 'pcapng version 2 is not supported (at byte offset 12); convert the file with editcap -F pcapng' },
  { name: 'byteorder.pcapng', bytes: le32(ng, 8, 0x11111111), en: 'pcapng Section Header Block has no valid byte-order magic (at byte offset 8); the file is damaged; check how it was transferred (binary mode)' },
  { name: 'missing.pcap', bytes: null, en: 'cannot open the file (no such file); check the path' },
];

describe('unreadable captures with --lang zh: one Chinese line, exit 2', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const path = c.bytes ? file(c.name, c.bytes) : join(tmp, c.name);
    const en = oneLine(run(['analyze', path]));
    expect(en).not.toMatch(HAN);
    if (c.en) expect(en).toBe(`wirewhy: ${path}: ${c.en}`);
    else expect(en).toMatch(/^wirewhy: \S+: the gzip data is corrupt at compressed offset \d+ \(.+\); no packet could be read before it; check how the file was compressed/);
    const zh = oneLine(run(['analyze', path, '--lang', 'zh']));
    expect(zh.startsWith(`wirewhy: ${path}：`), zh).toBe(true);
    // The file's first bytes, which a line may show (hex), are data.
    chinese(zh, path, Array.from(c.bytes?.subarray(0, 4) ?? [], (b) => b.toString(16).padStart(2, '0')).join(' '));
    // The detector finds the English line's prose (control).
    expect(englishWords(en, 'text', new Set(tokens(path).map((t) => t.toLowerCase()))).length).toBeGreaterThan(2);
  });

  it('the particulars are said in Chinese, not dropped: lengths, offsets, versions, bytes', () => {
    const line = (name: string): string => oneLine(run(['analyze', join(tmp, name), '--lang', 'zh']));
    expect(line('huge-first.pcap')).toMatch(/在字节偏移 24 处，记录长度 300000 超过了 262144 字节（记录头已损坏）；文件从这里起已损坏/);
    expect(line('cut-first.pcap')).toMatch(/在字节偏移 24 处，文件在第一个数据包记录的中间结束（记录需要 16 字节，只有 10 字节）；抓包文件被截断了/);
    expect(line('version.pcap')).toMatch(/不支持 pcap 版本 3（应为 2）；请用 `editcap -F pcap` 转换文件/);
    expect(line('short.pcap')).toMatch(/文件只有 10 字节，比抓包文件头还短/);
    expect(line('notes.pcap')).toMatch(/文件不是 pcap 或 pcapng 抓包文件（开头是字节 68 65 6c 6c，看起来是文本/);
    expect(line('cut.pcap.gz')).toMatch(/gzip 数据在压缩偏移 30 处中断/);
    expect(line('corrupt.pcap.gz')).toMatch(/的 gzip (数据|头部)已损坏（/);
    expect(line('badlen.pcapng')).toMatch(new RegExp(`在字节偏移 ${shbLen} 处，pcapng 数据块长度 13 无效`));
  });

  it('a directory, and garbage on standard input', () => {
    const d = oneLine(run(['analyze', tmp, '--lang', 'zh']));
    expect(d).toMatch(/无法读取文件（它是一个目录）；请给出抓包文件，而不是目录/);
    chinese(d, tmp);
    const s = oneLine(run(['analyze', '-', '--lang', 'zh'], { input: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8) }));
    expect(s).toMatch(/^wirewhy: -：标准输入不是 pcap 或 pcapng 抓包文件（开头是字节 01 02 03 04）/);
    chinese(s);
    expect(oneLine(run(['analyze', '-'], { input: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8) })))
      .toBe('wirewhy: -: stdin is not a pcap or pcapng capture (it starts with bytes 01 02 03 04); give a .pcap/.pcapng file (tcpdump -w, Wireshark, dumpcap); other formats convert with: editcap -F pcapng IN OUT');
  });

  it('damage after some packets: the report, and one warning line in Chinese naming the offset and frame', () => {
    const fourth = 24 + 3 * (16 + 60);
    const path = file('huge-later.pcap', le32(good, fourth + 8, 300_000));
    const zh = run(['analyze', '--format', 'json', '--lang', 'zh', path]);
    const line = oneLine(zh, 0);
    expect(line).toBe(`wirewhy: 警告：${path}：记录长度 300000 超过了 262144 字节（记录头已损坏）：位于文件偏移 ${fourth}（第 4 帧本应从这里开始）；此前的 3 个数据包已读取`);
    chinese(line, path);
    // The report's damage message says the same, in Chinese.
    expect(JSON.parse(zh.stdout).capture.damage).toEqual({ offset: fourth, frame: 4, message: '记录长度 300000 超过了 262144 字节（记录头已损坏）' });
    const en = run(['analyze', '--format', 'json', path]);
    expect(oneLine(en, 0)).toBe(`wirewhy: warning: ${path}: record length 300000 is over 262144 bytes (corrupt record header) at file offset ${fourth} (where frame 4 would start); 3 packets before it were read`);
    expect(JSON.parse(en.stdout).capture.damage.message).toBe('record length 300000 is over 262144 bytes (corrupt record header)');
  });

  it('a pcapng cut in its last block, in Chinese', () => {
    const path = file('cut.pcapng', ng.subarray(0, ng.length - 30));
    const line = oneLine(run(['analyze', '--format', 'json', '--lang', 'zh', path]), 0);
    expect(line).toMatch(/文件在一个数据包记录的中间结束（记录需要 \d+ 字节，只有 \d+ 字节）：位于文件偏移 \d+（第 6 帧本应从这里开始）/);
    chinese(line, path);
  });

  it('packets of a link type that cannot be decoded: one Chinese line, exit 2', () => {
    const path = file('linktype.pcap', pcapFile({ linkType: 284 }, frames));
    const line = oneLine(run(['analyze', path, '--lang', 'zh']));
    expect(line).toMatch(/6 个数据包都无法解码：不支持链路类型 284/);
    chinese(line, path);
    expect(oneLine(run(['analyze', path]))).toMatch(/^wirewhy: \S+: none of the 6 packets could be decoded: link type 284 is not supported; wirewhy reads Ethernet/);
  });
});

describe('wirewhy capture errors with --lang zh: one Chinese line, exit 2', () => {
  const env = { WIREWHY_CAP_MODULE: FAKE, WIREWHY_FAKE_PCAP: join(REPO, 'samples/tcp-refused.pcap') };
  const capture = (lang: string, ...args: string[]): string => oneLine(run(['capture', '-q', '-c', '1', '--lang', lang, ...args], { env }));

  it('not permitted: the libpcap message quoted, the fix in Chinese', () => {
    const en = capture('en', '-i', 'denied0');
    expect(en).toMatch(/^wirewhy: not permitted to capture on denied0 \(You don't have permission .*\); run it as root \(sudo\), or let node capture: sudo setcap cap_net_raw,cap_net_admin=eip \S+ \(or: sudo bash \S+native\/grant-capture\.sh\)$/);
    const zh = capture('zh', '-i', 'denied0');
    expect(zh).toMatch(/^wirewhy: 没有在 denied0 上抓包的权限（libpcap 报告：“You don't have permission .*”）；请以 root 用户身份运行（sudo），或允许 `node` 抓包：`sudo setcap /);
    chinese(zh, 'denied0');
  });

  it('no such interface: the interfaces there are', () => {
    expect(capture('en', '-i', 'nope0')).toBe("wirewhy: there is no capture interface named 'nope0'; use one of: fake0, denied0 (wirewhy interfaces lists them with their addresses)");
    const zh = capture('zh', '-i', 'nope0');
    expect(zh).toBe("wirewhy: 没有名为 'nope0' 的抓包网卡；请使用其中之一：fake0、denied0（`wirewhy interfaces` 会列出它们及其地址）");
    chinese(zh, 'nope0 fake0 denied0');
  });

  it('bad filter', () => {
    expect(capture('en', '-i', 'fake0', '-f', 'fail')).toBe("wirewhy: bad capture filter 'fail': can't parse filter expression: syntax error; -f takes libpcap filter syntax (man 7 pcap-filter), e.g. -f 'tcp port 443 or udp port 53'");
    const zh = capture('zh', '-i', 'fake0', '-f', 'fail');
    expect(zh).toMatch(/^wirewhy: 抓包过滤器 'fail' 有误（libpcap 报告：“can't parse filter expression: syntax error”）；`-f` 使用 libpcap 的过滤器语法/);
    chinese(zh, 'fail');
  });

  it('no binding', () => {
    const miss = { WIREWHY_CAP_MODULE: '/nonexistent/wirewhy-test/cap' };
    const en = oneLine(run(['capture', '-i', 'lo'], { env: miss }));
    expect(en).toMatch(/^wirewhy: live capture needs wirewhy's libpcap binding, which is not built \(Cannot find module '\/nonexistent\/wirewhy-test\/cap'\); build it: sudo apt-get install libpcap-dev build-essential python3 && cd \S+ && npm run build:native \(native\/README\.md\)$/);
    const zh = oneLine(run(['capture', '-i', 'lo', '--lang', 'zh'], { env: miss }));
    expect(zh).toMatch(/^wirewhy: 实时抓包需要 wirewhy 的 libpcap 绑定模块，但它还没有构建（加载器报告：“Cannot find module '\/nonexistent\/wirewhy-test\/cap'”）；请构建它：`sudo apt-get install/);
    chinese(zh, 'native/README.md');
  });
});
