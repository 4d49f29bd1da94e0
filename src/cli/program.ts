/**
 * The command line: a thin shell over the library, one module per command. Exit status
 * (shared/CONTRACT.md): 0 no failure found, 1 at least one failure, 2 bad usage or an
 * unreadable capture (one line on stderr, never a stack trace), anything else is a bug.
 */
import { existsSync } from 'node:fs';
import { Command, CommanderError, type Option } from 'commander';
import { VERSION } from '../version.js';
import { EXIT_OK, EXIT_USAGE, UsageError } from './common.js';
import { registerAnalyze } from './analyze-cmd.js';
import { registerServe } from './serve-cmd.js';
import { registerCapture, registerInterfaces } from './capture-cmd.js';
import { argvLang, usageText, type UsageReason } from './usage-words.js';
import type { Lang } from '../lang.js';

/** The command whose parsing failed, for each error commander throws (see buildProgram). */
const failedIn = new WeakMap<CommanderError, Command>();

function buildProgram(): Command {
  const program = new Command('wirewhy');
  program
    .description('Reads a packet capture and says where and why a connection failed, and what to check next.')
    .version(VERSION, '-V, --version')
    .exitOverride()
    // commander's own error text (and a pointer to --help) is not printed: main() says each
    // problem in one line of its own, in the language asked for (commanderLine).
    .configureOutput({ outputError: () => undefined });
  registerAnalyze(program);
  registerServe(program);
  registerCapture(program);
  registerInterfaces(program);
  // Each command's errors are thrown with the command they are about.
  for (const c of [program, ...program.commands]) {
    c.exitOverride((err) => {
      failedIn.set(err, c);
      throw err;
    });
  }
  return program;
}

/** Edit distance (insertions, deletions, substitutions, and swaps of neighbours). */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** The option of `cmd` (or of a parent) commander names by its flags ("-o, --output <file>"). */
function optionByFlags(cmd: Command, flags: string): Option | null {
  for (let c: Command | null = cmd; c; c = c.parent) {
    const o = c.options.find((x) => x.flags === flags);
    if (o) return o;
  }
  return null;
}

/** "-o/--output", or the option's flags as commander gave them when it is not found. */
const optionName = (o: Option | null, flags: string): string => (o ? [o.short, o.long].filter(Boolean).join('/') : flags);

/** The closest long option of `cmd` to `flag`, if one is close (a typo, or the start of it). */
function nearOption(cmd: Command, flag: string): string | null {
  if (!flag.startsWith('--')) return null;
  const longs = cmd.options.map((o) => o.long).filter((l): l is string => !!l).concat('--help');
  const f = flag.split('=')[0]!.toLowerCase();
  const near = longs.map((l) => ({ l, d: distance(f, l) })).filter((x) => x.d <= 2 || (f.length > 3 && x.l.startsWith(f))).sort((x, y) => x.d - y.d)[0];
  return near ? near.l : null;
}

/**
 * What commander found wrong, as a reason (usage-words.ts). Commander tells which problem by its
 * code, and the particulars only in its message, in the fixed shapes of commander 14 (pinned by
 * test/cli/usage-errors.test.ts); anything else is quoted.
 */
export function commanderReason(e: CommanderError, cmd: Command): UsageReason {
  const who = cmd.parent ? `wirewhy ${cmd.name()}` : 'wirewhy';
  const msg = e.message.replace(/^error: /, '').split('\n')[0]!;
  let m: RegExpExecArray | null;
  switch (e.code) {
    case 'commander.unknownOption':
      if ((m = /^unknown option '(.*)'$/.exec(msg))) return { kind: 'unknown_option', cmd: who, flag: m[1]!, near: nearOption(cmd, m[1]!) };
      break;
    case 'commander.missingArgument':
      if ((m = /^missing required argument '(.*)'$/.exec(msg))) return { kind: 'missing_argument', cmd: who, arg: m[1]! };
      break;
    case 'commander.optionMissingArgument':
      if ((m = /^option '(.*)' argument missing$/.exec(msg))) {
        const o = optionByFlags(cmd, m[1]!);
        const arg = /[<[][^>\]]*[>\]]$/.exec(m[1]!)?.[0] ?? '';
        return { kind: 'option_missing_value', cmd: who, option: optionName(o, m[1]!), usage: `${o?.long ?? o?.short ?? m[1]} ${arg}`.trim(), choices: o?.argChoices ?? null };
      }
      break;
    case 'commander.invalidArgument':
      if ((m = /^option '(.*)' argument '(.*)' is invalid\./.exec(msg))) {
        const o = optionByFlags(cmd, m[1]!);
        if (o?.argChoices) return { kind: 'invalid_choice', cmd: who, option: optionName(o, m[1]!), value: m[2]!, choices: o.argChoices };
      }
      break;
    case 'commander.excessArguments': {
      const extra = cmd.args[cmd.registeredArguments.length];
      if (extra !== undefined) return { kind: 'excess_arguments', cmd: who, extra };
      break;
    }
    default:
      break;
  }
  return { kind: 'other', cmd: who, message: msg };
}

/**
 * `wirewhy WORD ...` where WORD is neither a command nor an existing file: most likely a
 * mistyped command (`wirewhy analyse x.pcap`), not a capture file named "analyse". A word is
 * letters and dashes only; anything with a dot or a slash is left to be a (missing) file.
 */
export function unknownCommand(program: Command, word: string, lang: Lang = 'en'): UsageError | null {
  const names = program.commands.map((c) => c.name()).concat('help');
  if (names.includes(word) || word === '-' || !/^[A-Za-z][A-Za-z-]*$/.test(word) || existsSync(word)) return null;
  const near = names.map((n) => ({ n, d: distance(word.toLowerCase(), n) })).filter((x) => x.d <= 2 || x.n.startsWith(word.toLowerCase())).sort((x, y) => x.d - y.d)[0];
  return new UsageError(usageText({ kind: 'unknown_command', word, near: near ? near.n : null, commands: names.filter((n) => n !== 'help') }, lang));
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  const args = argv.slice(2);
  if (args.length === 0) {
    // Bare `wirewhy`: the help, on stderr with the usage status, so that a script whose file
    // list came out empty does not read "no failure found".
    process.stderr.write(program.helpInformation());
    return EXIT_USAGE;
  }
  // The language of a bad command line's one line, before commander has read --lang.
  const lang = argvLang(args);
  // `wirewhy frobnicate`, and `wirewhy help frobnicate` (which commander answers with the whole help).
  const word = args[0] === 'help' && args[1] !== undefined && !args[1].startsWith('-') ? args[1] : args[0]!;
  const unknown = word.startsWith('-') ? null : unknownCommand(program, word, lang);
  if (unknown) {
    process.stderr.write(`wirewhy: ${unknown.message}\n`);
    return EXIT_USAGE;
  }
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT_OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end here with code 0.
      if (e.exitCode === 0) return EXIT_OK;
      process.stderr.write(`wirewhy: ${usageText(commanderReason(e, failedIn.get(e) ?? program), lang)}\n`);
      return EXIT_USAGE;
    }
    if (e instanceof UsageError) {
      process.stderr.write(`wirewhy: ${e.message}\n`);
      return EXIT_USAGE;
    }
    throw e;
  }
}
