/**
 * The command line: a thin shell over the library, one module per command. Exit status
 * (shared/CONTRACT.md): 0 no failure found, 1 at least one failure, 2 bad usage or an
 * unreadable capture (one line on stderr, never a stack trace), anything else is a bug.
 */
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

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
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
