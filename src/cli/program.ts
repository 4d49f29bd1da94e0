/**
 * The command line: a thin shell over the library, one module per command. Exit status
 * (shared/CONTRACT.md): 0 no failure found, 1 at least one failure, 2 bad usage or an
 * unreadable capture (one line on stderr, never a stack trace), anything else is a bug.
 */
import { existsSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { VERSION } from '../version.js';
import { EXIT_OK, EXIT_USAGE, UsageError } from './common.js';
import { registerAnalyze } from './analyze-cmd.js';
import { registerServe } from './serve-cmd.js';
import { registerCapture, registerInterfaces } from './capture-cmd.js';

function buildProgram(): Command {
  const program = new Command('wirewhy');
  program
    .description('Reads a packet capture and says where and why a connection failed, and what to check next.')
    .version(VERSION, '-V, --version')
    .exitOverride()
    .configureOutput({ outputError: (s, write) => write(s) })
    .showHelpAfterError('(run wirewhy --help for usage)');
  registerAnalyze(program);
  registerServe(program);
  registerCapture(program);
  registerInterfaces(program);
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

/**
 * `wirewhy WORD ...` where WORD is neither a command nor an existing file: most likely a
 * mistyped command (`wirewhy analyse x.pcap`), not a capture file named "analyse". A word is
 * letters and dashes only; anything with a dot or a slash is left to be a (missing) file.
 */
export function unknownCommand(program: Command, word: string): UsageError | null {
  const names = program.commands.map((c) => c.name()).concat('help');
  if (names.includes(word) || word === '-' || !/^[A-Za-z][A-Za-z-]*$/.test(word) || existsSync(word)) return null;
  const near = names.map((n) => ({ n, d: distance(word.toLowerCase(), n) })).filter((x) => x.d <= 2 || x.n.startsWith(word.toLowerCase())).sort((x, y) => x.d - y.d)[0];
  const suggestion = near ? `did you mean ${near.n}?` : `the commands are ${names.filter((n) => n !== 'help').join(', ')}`;
  return new UsageError(`unknown command '${word}' (${suggestion}); to analyze a file of that name, give its path: ./${word}`);
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
  const unknown = args[0]!.startsWith('-') ? null : unknownCommand(program, args[0]!);
  if (unknown) {
    process.stderr.write(`wirewhy: ${unknown.message}\n`);
    return EXIT_USAGE;
  }
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT_OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end here with code 0; usage errors were already printed.
      return e.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    if (e instanceof UsageError) {
      process.stderr.write(`wirewhy: ${e.message}\n`);
      return EXIT_USAGE;
    }
    throw e;
  }
}
