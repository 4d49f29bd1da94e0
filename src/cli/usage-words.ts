/**
 * The words of a bad command line (what commander finds: an unknown option, a missing argument
 * or option value, a value not among an option's choices, arguments a command does not take; and
 * an unknown command, found before commander parses), in both languages. Each is one line —
 * what, where (the command), what to do — made from a typed reason, as the other errors are
 * (capture/error-words.ts, capture/live-words.ts). The language is the one the command line asks
 * for (`--lang zh`), found before commander has parsed it (argvLang).
 */
import type { Lang } from '../lang.js';

export type UsageReason =
  /** flag: as typed; near: an option of the command it is close to, or null. */
  | { kind: 'unknown_option'; cmd: string; flag: string; near: string | null }
  /** arg: the argument's name (analyze's is "capture"). */
  | { kind: 'missing_argument'; cmd: string; arg: string }
  /** option: "-o/--output"; usage: "--output <file>"; choices: the values it takes, if a list. */
  | { kind: 'option_missing_value'; cmd: string; option: string; usage: string; choices: readonly string[] | null }
  | { kind: 'invalid_choice'; cmd: string; option: string; value: string; choices: readonly string[] }
  /** extra: the first argument too many. */
  | { kind: 'excess_arguments'; cmd: string; extra: string }
  /** near: the command it is close to, or null (then the commands are listed). */
  | { kind: 'unknown_command'; word: string; near: string | null; commands: readonly string[] }
  /** Any other complaint of commander's, quoted (commander speaks only English). */
  | { kind: 'other'; cmd: string; message: string };

/** `--lang zh` (or `--lang=zh`) on the command line, before any `--`: Chinese; otherwise English. */
export function argvLang(args: readonly string[]): Lang {
  let lang: Lang = 'en';
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') break;
    const v = a === '--lang' ? args[i + 1] : a.startsWith('--lang=') ? a.slice(7) : undefined;
    if (v === 'zh' || v === 'en') lang = v;
  }
  return lang;
}

/** The one line (without the "wirewhy: " every error line starts with). */
export function usageText(r: UsageReason, lang: Lang): string {
  return lang === 'zh' ? zh(r) : en(r);
}

function en(r: UsageReason): string {
  switch (r.kind) {
    case 'unknown_option':
      return `unknown option '${r.flag}' for ${r.cmd}${r.near ? ` (did you mean ${r.near}?)` : ''}; ${r.cmd} --help lists its options`;
    case 'missing_argument':
      return r.arg === 'capture'
        ? `no capture file given to ${r.cmd}; give its path (or - for standard input), e.g. ${r.cmd} trace.pcap`
        : `missing argument <${r.arg}> of ${r.cmd}; ${r.cmd} --help shows how`;
    case 'option_missing_value':
      return `option ${r.option} of ${r.cmd} has no value; give one after it: ${r.usage}${r.choices ? ` (one of ${r.choices.join(', ')})` : ''}`;
    case 'invalid_choice':
      return `option ${r.option} of ${r.cmd} does not take '${r.value}'; use one of ${r.choices.join(', ')}`;
    case 'excess_arguments':
      return `unexpected argument '${r.extra}' for ${r.cmd}, which takes none; options start with dashes (${r.cmd} --help lists them)`;
    case 'unknown_command':
      return `unknown command '${r.word}' (${r.near ? `did you mean ${r.near}?` : `the commands are ${r.commands.join(', ')}`}); to analyze a file of that name, give its path: ./${r.word}`;
    default:
      return `${r.message} (${r.cmd}); ${r.cmd} --help shows how to use it`;
  }
}

function zh(r: UsageReason): string {
  switch (r.kind) {
    case 'unknown_option':
      return `\`${r.cmd}\` 没有选项 '${r.flag}'${r.near ? `（是不是想用 ${r.near}？）` : ''}；\`${r.cmd} --help\` 会列出它的选项`;
    case 'missing_argument':
      return r.arg === 'capture'
        ? `没有给 \`${r.cmd}\` 抓包文件；请给出它的路径（或用 \`-\` 表示标准输入），例如 \`${r.cmd} trace.pcap\``
        : `\`${r.cmd}\` 缺少参数 <${r.arg}>；\`${r.cmd} --help\` 会说明用法`;
    case 'option_missing_value':
      return `\`${r.cmd}\` 的选项 ${r.option} 缺少取值；请在选项后给出：\`${r.usage}\`${r.choices ? `（可用的取值：${r.choices.join('、')}）` : ''}`;
    case 'invalid_choice':
      return `\`${r.cmd}\` 的选项 ${r.option} 不接受 '${r.value}'；可用的取值：${r.choices.join('、')}`;
    case 'excess_arguments':
      return `\`${r.cmd}\` 不接受参数，却多出了 '${r.extra}'；选项要以短横线开头（\`${r.cmd} --help\` 会列出它们）`;
    case 'unknown_command':
      return `未知命令 '${r.word}'（${r.near ? `是不是想用 \`${r.near}\`？` : `命令有 ${r.commands.map((c) => `\`${c}\``).join('、')}`}）；如果要分析同名的文件，请给出它的路径：\`./${r.word}\``;
    default:
      return `命令行有误（commander 报告：“${r.message}”）；\`${r.cmd} --help\` 会说明用法`;
  }
}
