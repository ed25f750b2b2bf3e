#!/usr/bin/env node
/**
 * The `querylens` command. It loads the SQL engine, the rule generators of
 * dashboards/ and the fleet reader of fleet/, never the agent: linting in CI
 * must not open ports or patch modules (only `querylens fleet` listens, when
 * asked to). A subcommand is a `CliCommand` module listed in COMMANDS.
 */
import { AGENT_VERSION } from '../../core/version';
import type { CliCommand, CliIo } from './command';
import { EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, UsageError } from './command';
import { lintCommand } from './lintCommand';
import { rulesCommand } from './rulesCommand';
import { reportCommand } from './reportCommand';
import { dashboardsCommand } from './dashboardsCommand';
import { fleetCommand } from './fleetCommand';
import { keepWasmOnBaselineCompiler } from '../wasmTiering';
import { readWasmTierUp } from '../config';

const COMMANDS: readonly CliCommand[] = [lintCommand, rulesCommand, reportCommand, fleetCommand, dashboardsCommand];

function help(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  const lines = COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`);
  return `Usage: querylens <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nquerylens <command> --help shows a command's options.\n`;
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined) {
    io.err(help());
    return EXIT_USAGE;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.out(help());
    return EXIT_OK;
  }
  if (name === '--version') {
    io.out(`${AGENT_VERSION}\n`);
    return EXIT_OK;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  try {
    if (command === undefined) throw new UsageError(`unknown command ${JSON.stringify(name)}`);
    return await command.run(args, io);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`querylens: ${error.message}\n${command === undefined ? help() : `Run: querylens ${command.name} --help\n`}`);
    return EXIT_USAGE;
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

if (require.main === module) {
  // As in the agent: QUERYLENS_WASM_TIER_UP=on leaves V8's default (and its bad value gets the same line).
  if (!readWasmTierUp(process.env, (line) => process.stderr.write(`${line}\n`))) keepWasmOnBaselineCompiler();
  const io: CliIo = {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    readStdin,
    cwd: process.cwd(),
  };
  runCli(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`querylens: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = EXIT_INTERNAL;
    },
  );
}
