/**
 * A bad command line, as commander finds it (unknown option, missing argument or option value, a
 * value not among an option's choices, arguments a command does not take) and as wirewhy finds it
 * before commander (an unknown command), through the real executable: one line on stderr that
 * starts "wirewhy: " and says what, where (the command) and what to do; no usage dump, no stack,
 * nothing on stdout, exit status 2; in Chinese when `--lang zh` is on the command line.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { englishWords, tokens } from '../helpers/zh-prose.js';
import { REPO } from '../tshark-fixture.js';
import { argvLang } from '../../src/cli/usage-words.js';

const BIN = join(REPO, 'dist/src/cli/main.js');
const SAMPLE = join(REPO, 'samples/tcp-refused.pcap');
const HAN = /[\u4e00-\u9fff]/;

function oneLine(args: string[]): string {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 30_000 });
  expect(r.status, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(r.stderr).not.toMatch(/Usage:|--help for usage|\n\s+at |Error:|^error:/);
  expect(lines[0]).toMatch(/^wirewhy: /);
  return lines[0]!;
}

/** Chinese, with no English prose but the data named (commands, options, values). */
function chinese(line: string, ...data: string[]): void {
  expect(line).toMatch(HAN);
  const known = new Set(data.flatMap((d) => tokens(d).map((t) => t.toLowerCase())));
  expect(englishWords(line, 'text', known), line).toEqual([]);
}

describe('commander errors: one line, exit 2', () => {
  it('unknown option: which, for which command, the option meant, where the options are listed', () => {
    expect(oneLine(['analyze', '--bogus', SAMPLE])).toBe("wirewhy: unknown option '--bogus' for wirewhy analyze; wirewhy analyze --help lists its options");
    expect(oneLine(['analyze', '--fromat', 'json', SAMPLE])).toBe("wirewhy: unknown option '--fromat' for wirewhy analyze (did you mean --format?); wirewhy analyze --help lists its options");
    expect(oneLine(['serve', '--bogus'])).toBe("wirewhy: unknown option '--bogus' for wirewhy serve; wirewhy serve --help lists its options");
    expect(oneLine(['interfaces', '--al'])).toBe("wirewhy: unknown option '--al' for wirewhy interfaces; wirewhy interfaces --help lists its options");
    // Options without a command go to the default command, analyze.
    expect(oneLine(['--bogus', SAMPLE])).toMatch(/^wirewhy: unknown option '--bogus' for wirewhy analyze;/);
  });

  it('no capture file', () => {
    expect(oneLine(['analyze'])).toBe('wirewhy: no capture file given to wirewhy analyze; give its path (or - for standard input), e.g. wirewhy analyze trace.pcap');
    expect(oneLine(['analyze', '--all'])).toMatch(/^wirewhy: no capture file given to wirewhy analyze;/);
  });

  it('an option without its value, with the values it takes', () => {
    expect(oneLine(['analyze', SAMPLE, '-o'])).toBe('wirewhy: option -o/--output of wirewhy analyze has no value; give one after it: --output <file>');
    expect(oneLine(['analyze', SAMPLE, '--format'])).toBe('wirewhy: option --format of wirewhy analyze has no value; give one after it: --format <format> (one of table, json, md, html)');
    expect(oneLine(['serve', '--port'])).toBe('wirewhy: option --port of wirewhy serve has no value; give one after it: --port <port>');
  });

  it('a value not among the choices', () => {
    expect(oneLine(['analyze', 'x', '--format', 'pdf'])).toBe("wirewhy: option --format of wirewhy analyze does not take 'pdf'; use one of table, json, md, html");
    expect(oneLine(['analyze', SAMPLE, '--lang', 'fr'])).toBe("wirewhy: option --lang of wirewhy analyze does not take 'fr'; use one of en, zh");
    expect(oneLine(['interfaces', '--format', 'md'])).toBe("wirewhy: option --format of wirewhy interfaces does not take 'md'; use one of table, json");
    expect(oneLine(['capture', '--format', 'pdf'])).toMatch(/^wirewhy: option --format of wirewhy capture does not take 'pdf';/);
  });

  it('arguments a command does not take', () => {
    expect(oneLine(['serve', 'extra'])).toBe("wirewhy: unexpected argument 'extra' for wirewhy serve, which takes none; options start with dashes (wirewhy serve --help lists them)");
    expect(oneLine(['interfaces', 'eth0'])).toMatch(/^wirewhy: unexpected argument 'eth0' for wirewhy interfaces, which takes none;/);
  });

  it('unknown command, also after help (no help dump)', () => {
    expect(oneLine(['frobnicate'])).toBe("wirewhy: unknown command 'frobnicate' (the commands are analyze, serve, capture, interfaces); to analyze a file of that name, give its path: ./frobnicate");
    expect(oneLine(['help', 'analyse'])).toBe("wirewhy: unknown command 'analyse' (did you mean analyze?); to analyze a file of that name, give its path: ./analyse");
  });

  it('help and version still exit 0 with their text on stdout', () => {
    for (const args of [['--help'], ['analyze', '--help'], ['help', 'serve'], ['--version']]) {
      const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 30_000 });
      expect(r.status, args.join(' ')).toBe(0);
      expect(r.stdout.length).toBeGreaterThan(0);
    }
  });
});

describe('commander errors with --lang zh: the same line in Chinese', () => {
  it('each kind', () => {
    const cases: Array<[string[], string, string]> = [
      [['analyze', SAMPLE, '--lang', 'zh', '--bogus'], "wirewhy: `wirewhy analyze` 没有选项 '--bogus'；`wirewhy analyze --help` 会列出它的选项", ''],
      [['--lang', 'zh', 'analyze', '--fromat', 'json', SAMPLE], "wirewhy: `wirewhy analyze` 没有选项 '--fromat'（是不是想用 --format？）；`wirewhy analyze --help` 会列出它的选项", ''],
      [['analyze', '--lang=zh'], 'wirewhy: 没有给 `wirewhy analyze` 抓包文件；请给出它的路径（或用 `-` 表示标准输入），例如 `wirewhy analyze trace.pcap`', ''],
      [['analyze', 'x', '--lang', 'zh', '--format', 'pdf'], "wirewhy: `wirewhy analyze` 的选项 --format 不接受 'pdf'；可用的取值：table、json、md、html", 'table json md html pdf'],
      [['analyze', SAMPLE, '--lang', 'zh', '--format'], 'wirewhy: `wirewhy analyze` 的选项 --format 缺少取值；请在选项后给出：`--format <format>`（可用的取值：table、json、md、html）', 'table json md html'],
      [['interfaces', '--lang', 'zh', 'eth0'], "wirewhy: `wirewhy interfaces` 不接受参数，却多出了 'eth0'；选项要以短横线开头（`wirewhy interfaces --help` 会列出它们）", 'eth0'],
      [['frobnicate', '--lang', 'zh'], "wirewhy: 未知命令 'frobnicate'（命令有 `analyze`、`serve`、`capture`、`interfaces`）；如果要分析同名的文件，请给出它的路径：`./frobnicate`", 'frobnicate'],
      [['analyse', SAMPLE, '--lang', 'zh'], "wirewhy: 未知命令 'analyse'（是不是想用 `analyze`？）；如果要分析同名的文件，请给出它的路径：`./analyse`", 'analyse'],
    ];
    for (const [args, want, data] of cases) {
      const line = oneLine(args);
      expect(line, args.join(' ')).toBe(want);
      chinese(line, data);
    }
  });

  it('--lang is read from the command line as commander would: the last one before --, either spelling', () => {
    expect(argvLang(['analyze', 'x.pcap'])).toBe('en');
    expect(argvLang(['analyze', '--lang', 'zh', 'x.pcap'])).toBe('zh');
    expect(argvLang(['analyze', '--lang=zh'])).toBe('zh');
    expect(argvLang(['--lang', 'zh', '--lang', 'en'])).toBe('en');
    expect(argvLang(['analyze', '--', '--lang', 'zh'])).toBe('en');
    // A bad language is itself the error, said in English.
    expect(oneLine(['analyze', SAMPLE, '--lang', 'fr'])).not.toMatch(HAN);
  });
});

describe("the commands' own checks of their options, and a report that cannot be written: one line, Chinese with --lang zh", () => {
  const env = { WIREWHY_CAP_MODULE: join(REPO, 'test/live/fake-pcap.cjs'), WIREWHY_FAKE_PCAP: SAMPLE };
  const line = (args: string[], extra: Record<string, string> = {}): string => {
    const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, ...extra } });
    expect(r.status, r.stderr).toBe(2);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines, r.stderr).toHaveLength(1);
    return lines[0]!;
  };
  const cases: Array<{ args: string[]; en: string; zh: string; data?: string; env?: Record<string, string> }> = [
    {
      args: ['analyze', SAMPLE, '-o', '/nonexistent/wirewhy/x.json'],
      en: 'wirewhy: cannot write the report to /nonexistent/wirewhy/x.json (no such folder); check that the folder exists and is writable, or leave out -o to write to standard output',
      zh: 'wirewhy: 无法把报告写入 /nonexistent/wirewhy/x.json（没有这个文件夹）；请检查文件夹是否存在且可写，或去掉 `-o`，把报告写到标准输出',
      data: '/nonexistent/wirewhy/x.json',
    },
    {
      args: ['analyze', SAMPLE, '--max-verdicts', '-1'],
      en: "wirewhy: --max-verdicts must be a whole number, 0 or more (0 lists every verdict); got '-1'",
      zh: "wirewhy: `--max-verdicts` 必须是 0 或更大的整数（0 表示列出全部结论）；收到的是 '-1'",
    },
    { args: ['analyze', SAMPLE, '--host', 'gateway'], en: "wirewhy: --host must be an IP address (IPv4 or IPv6); got 'gateway'", zh: "wirewhy: `--host` 必须是 IP 地址（IPv4 或 IPv6）；收到的是 'gateway'", data: 'gateway' },
    { args: ['capture', '--snaplen', '3'], en: "wirewhy: --snaplen must be an integer from 64 to 262144 (got '3')", zh: "wirewhy: `--snaplen` 必须是 64 到 262144 之间的整数（收到的是 '3'）", env },
    { args: ['capture', '-B', '0'], en: "wirewhy: --buffer-size must be an integer from 1 to 2047 MiB (got '0')", zh: "wirewhy: `--buffer-size` 必须是 1 到 2047 之间的整数（单位 MiB，收到的是 '0'）", data: 'MiB', env },
    { args: ['capture', '-c', '0'], en: "wirewhy: --count must be an integer of at least 1 (got '0')", zh: "wirewhy: `--count` 必须是不小于 1 的整数（收到的是 '0'）", env },
    { args: ['capture', '-d', 'soon'], en: "wirewhy: --duration must be a number of at least 0.001 (got 'soon')", zh: "wirewhy: `--duration` 必须是不小于 0.001 的数（收到的是 'soon'）", data: 'soon', env },
  ];
  it.each(cases.map((c) => [c.args.join(' '), c] as const))('%s', (_, c) => {
    expect(line(c.args, c.env)).toBe(c.en);
    const zh = line([...c.args, '--lang', 'zh'], c.env);
    expect(zh).toBe(c.zh);
    chinese(zh, c.data ?? '');
  });

  it('standard output that cannot be written (a full disk)', () => {
    for (const [lang, want] of [['en', 'wirewhy: cannot write the report to standard output (no space left on the device)'], ['zh', 'wirewhy: 无法把报告写到标准输出（设备上没有剩余空间）']] as const) {
      const r = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" analyze "${SAMPLE}" --lang ${lang} > /dev/full`], { encoding: 'utf8', timeout: 30_000 });
      expect(r.status).toBe(2);
      expect(r.stderr.trimEnd()).toBe(want);
    }
  });
});
