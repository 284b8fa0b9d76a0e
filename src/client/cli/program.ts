import { readdir } from 'node:fs/promises';
import { Command, CommanderError } from 'commander';
import { AppError, ConfigError } from '../../common/errors.js';
import { EXIT, UsageError, type CliContext } from './context.js';
import { CliError } from './errors.js';
import { orderCommandGroups, PROGRAM_EPILOGUE } from './help.js';

/** A command module: a file in ./commands/ exporting `register`. Adding a command is adding a file. */
export interface CommandModule {
  register: (program: Command, cli: CliContext) => void;
}

const COMMANDS_DIR = new URL('./commands/', import.meta.url);
const COMMAND_FILE = /^[a-z][a-z0-9-]*\.(?:ts|js)$/;

async function loadCommands(): Promise<CommandModule[]> {
  const files = (await readdir(COMMANDS_DIR)).filter((f) => COMMAND_FILE.test(f) && !f.endsWith('.d.ts')).sort();
  const modules: CommandModule[] = [];
  for (const file of files) {
    const module = (await import(new URL(file, COMMANDS_DIR).href)) as Partial<CommandModule>;
    if (typeof module.register !== 'function') throw new Error(`CLI command file ${file} does not export register(program, cli)`);
    modules.push(module as CommandModule);
  }
  return modules;
}

export async function buildProgram(cli: CliContext): Promise<Command> {
  const program = new Command('disburse')
    .description('PesaWay bulk disbursement: validate payroll files, run and watch batches.')
    .exitOverride()
    .showSuggestionAfterError()
    .configureOutput({ writeOut: (s) => void cli.stdout.write(s), writeErr: (s) => void cli.stderr.write(s) });
  for (const command of await loadCommands()) command.register(program, cli);
  orderCommandGroups(program);
  program.addHelpText('after', PROGRAM_EPILOGUE);
  return program;
}

/** Runs the CLI with `args` (without node and script) and returns the exit code. */
export async function runCli(args: readonly string[], cli: CliContext): Promise<number> {
  const program = await buildProgram(cli);
  try {
    await program.parseAsync([...args], { from: 'user' });
    return cli.exitCode;
  } catch (err) {
    // Commander has already printed its own message (unknown option, missing argument, --help).
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (err instanceof CliError) {
      cli.stderr.write(`disburse: ${err.describe()}\n`);
      return err.exitCode;
    }
    if (err instanceof UsageError || err instanceof ConfigError) {
      cli.stderr.write(`disburse: ${err.describe()}\n`);
      return EXIT.usage;
    }
    cli.stderr.write(`disburse: ${err instanceof AppError ? err.describe() : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return EXIT.failure;
  }
}
