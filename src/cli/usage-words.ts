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

// ---- the commands' own checks of their options, and a report that cannot be written ----------

/** Why writing failed, in words, from a Node error code (its code itself when it has no words). */
export function writeReasonText(code: string | undefined, fallback: string, lang: Lang): string {
  const en: Record<string, string> = {
    ENOENT: 'no such folder', ENOTDIR: 'a part of the path is not a folder', EACCES: 'permission denied', EPERM: 'permission denied',
    EISDIR: 'it is a folder', ENOSPC: 'no space left on the device', EDQUOT: 'disk quota exceeded', EROFS: 'read-only file system',
  };
  const zh: Record<string, string> = {
    ENOENT: '没有这个文件夹', ENOTDIR: '路径中有一部分不是文件夹', EACCES: '没有权限', EPERM: '没有权限',
    EISDIR: '它是一个文件夹', ENOSPC: '设备上没有剩余空间', EDQUOT: '超出了磁盘配额', EROFS: '只读文件系统',
  };
  const words = lang === 'zh' ? zh : en;
  return (code !== undefined && Object.prototype.hasOwnProperty.call(words, code) ? words[code] : undefined) ?? code ?? fallback;
}

/** The report cannot be written: to -o `output`, or (null) to standard output. */
export function cannotWriteText(output: string | null, reason: string, lang: Lang): string {
  if (lang === 'zh') {
    return output !== null
      ? `无法把报告写入 ${output}（${reason}）；请检查文件夹是否存在且可写，或去掉 \`-o\`，把报告写到标准输出`
      : `无法把报告写到标准输出（${reason}）`;
  }
  return output !== null
    ? `cannot write the report to ${output} (${reason}); check that the folder exists and is writable, or leave out -o to write to standard output`
    : `cannot write the report to standard output (${reason})`;
}

/** --max-verdicts is not a whole number, 0 or more. */
export const maxVerdictsText = (v: string | undefined, lang: Lang): string => (lang === 'zh'
  ? `\`--max-verdicts\` 必须是 0 或更大的整数（0 表示列出全部结论）；收到的是 '${v}'`
  : `--max-verdicts must be a whole number, 0 or more (0 lists every verdict); got '${v}'`);

/** --host is not an IP address. */
export const hostText = (v: string, lang: Lang): string => (lang === 'zh'
  ? `\`--host\` 必须是 IP 地址（IPv4 或 IPv6）；收到的是 '${v}'`
  : `--host must be an IP address (IPv4 or IPv6); got '${v}'`);

/** A numeric option of `wirewhy capture` out of its range: from `min` (to `max`, if any); `unit` after the range. */
export function numberRangeText(option: string, v: string, min: number, max: number | null, integer: boolean, lang: Lang, unit = ''): string {
  if (lang === 'zh') {
    const kind = integer ? '整数' : '数';
    const range = max === null ? `不小于 ${min} 的${kind}` : ` ${min} 到 ${max} 之间的${kind}`;
    return `\`${option}\` 必须是${range}（${unit ? `单位 ${unit}，` : ''}收到的是 '${v}'）`;
  }
  const kind = integer ? 'an integer' : 'a number';
  return max === null
    ? `${option} must be ${kind} of at least ${min} (got '${v}')`
    : `${option} must be ${kind} from ${min} to ${max}${unit ? ` ${unit}` : ''} (got '${v}')`;
}
